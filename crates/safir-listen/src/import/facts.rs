//! Reading the optional per-message facts ([`RowMeta`](crate::table::RowMeta)):
//! declared languages and counts, as the archives write them.

use serde_json::Value;

/// Names of the optional columns (generic CSV) and fields (generic JSONL).
pub(crate) const LANG: &str = "lang";
pub(crate) const LIKES: &str = "likes";
pub(crate) const REPOSTS: &str = "reposts";
pub(crate) const REPLIES: &str = "replies";
pub(crate) const FOLLOWERS: &str = "followers";
pub(crate) const REPOST_OF: &str = "repost_of_username";
pub(crate) const REPLY_TO: &str = "reply_to_username";

/// A declared language worth keeping: `und` (undetermined), `zxx` (no linguistic
/// content) and the private-use tags X/Twitter uses for hashtag-only or media-only
/// posts (`qme`, `qht`, `qam`, …) say nothing about the language.
pub(crate) fn declared_lang(raw: &str) -> Option<String> {
    let tag = raw.trim();
    let primary = tag.split(['-', '_']).next().unwrap_or("");
    let private_use = primary.len() == 3
        && primary.starts_with(['q', 'Q'])
        && primary.bytes().all(|b| b.is_ascii_alphabetic());
    if primary.is_empty()
        || private_use
        || primary.eq_ignore_ascii_case("und")
        || primary.eq_ignore_ascii_case("zxx")
        || !tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    Some(tag.replace('_', "-"))
}

/// A declared language from a JSON value, when it is a usable tag.
pub(crate) fn json_lang(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).and_then(declared_lang)
}

/// A count written as text: empty means unknown; anything but a whole number
/// from 0 is an error. Counts above the column's range are capped.
pub(crate) fn text_count(raw: &str) -> Result<Option<u32>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{raw:?} is not a whole number"));
    }
    Ok(Some(s.parse::<u64>().map_or(MAX_COUNT, cap)))
}

/// A count from a JSON number or numeric string; `null` or absent means unknown.
pub(crate) fn json_count(v: Option<&Value>) -> Result<Option<u32>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|n| Some(cap(n)))
            .ok_or_else(|| format!("{n} is not a whole number")),
        Some(Value::String(s)) => text_count(s),
        Some(other) => Err(format!("{other} is not a whole number")),
    }
}

/// A count an API wrote; one of the wrong type is treated as unknown.
pub(crate) fn api_count(v: Option<&Value>) -> Option<u32> {
    json_count(v).ok().flatten()
}

/// `u32::MAX` marks an unknown count in the table, so real counts stop below it.
const MAX_COUNT: u32 = u32::MAX - 1;

fn cap(n: u64) -> u32 {
    u32::try_from(n).map_or(MAX_COUNT, |n| n.min(MAX_COUNT))
}

/// The handle in a classic retweet text, `RT @handle: …`.
pub(crate) fn retweeted_handle(text: &str) -> Option<String> {
    let rest = text.strip_prefix("RT @")?;
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    (end > 0 && rest[end..].starts_with(':')).then(|| rest[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn languages_that_say_nothing_are_dropped() {
        assert_eq!(declared_lang(" ar "), Some("ar".into()));
        assert_eq!(declared_lang("en_GB"), Some("en-GB".into()));
        for tag in ["", "und", "zxx", "qme", "qht", "QAM", "a b"] {
            assert_eq!(declared_lang(tag), None, "{tag}");
        }
    }

    #[test]
    fn counts_in_text_and_json() {
        assert_eq!(text_count(" 12 "), Ok(Some(12)));
        assert_eq!(text_count(""), Ok(None));
        assert!(text_count("12k").is_err());
        assert!(text_count("-3").is_err());
        assert_eq!(text_count("99999999999"), Ok(Some(u32::MAX - 1)));
        assert_eq!(json_count(Some(&json!(7))), Ok(Some(7)));
        assert_eq!(json_count(Some(&json!("7"))), Ok(Some(7)));
        assert_eq!(json_count(Some(&Value::Null)), Ok(None));
        assert!(json_count(Some(&json!(1.5))).is_err());
        assert!(json_count(Some(&json!(-1))).is_err());
        assert_eq!(api_count(Some(&json!(true))), None);
    }

    #[test]
    fn retweet_texts_name_the_author() {
        assert_eq!(
            retweeted_handle("RT @mofa_eg: hello"),
            Some("mofa_eg".into())
        );
        assert_eq!(retweeted_handle("RT @: hello"), None);
        assert_eq!(retweeted_handle("hello RT @x: y"), None);
    }
}
