//! Telling the format of a file from its first bytes.

use serde_json::Value;

use super::InputFormat;

/// The header of the toolkit's CSV, in order.
pub(crate) const CNT_HEADER: [&str; 8] = [
    "message_id",
    "user_id",
    "username",
    "repost_id",
    "reply_id",
    "message",
    "timestamp",
    "urls",
];

/// Guesses the format from the content; `None` when nothing fits.
pub fn detect_format(bytes: &[u8]) -> Option<InputFormat> {
    detect(bytes).map(|d| d.format)
}

/// A guessed format, and what made it uncertain.
pub(crate) struct Detected {
    pub(crate) format: InputFormat,
    /// Set when the records looked at were not all of one format: which were seen and
    /// which was chosen, for the import report.
    pub(crate) mixed: Option<String>,
}

/// Guesses the format from the content, saying when records of several formats were seen.
pub(crate) fn detect(bytes: &[u8]) -> Option<Detected> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    let single = |format| Detected {
        format,
        mixed: None,
    };
    match rest[0] {
        b'<' => detect_xml(rest).map(single),
        b'{' | b'[' => Some(detect_json(rest)),
        _ => detect_csv(rest).map(single),
    }
}

fn detect_xml(bytes: &[u8]) -> Option<InputFormat> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let rss = head.find("<rss").or_else(|| head.find("<rdf:RDF"));
    let atom = head.find("<feed");
    match (rss, atom) {
        (Some(r), Some(a)) => Some(if r < a {
            InputFormat::Rss
        } else {
            InputFormat::Atom
        }),
        (Some(_), None) => Some(InputFormat::Rss),
        (None, Some(_)) => Some(InputFormat::Atom),
        (None, None) => None,
    }
}

/// Records (lines, or items of a document) whose formats are compared.
const SAMPLE_RECORDS: usize = 20;
/// Non-blank lines read at most while looking for them.
const SAMPLE_LINES: usize = 200;

/// The notices the X/Twitter v1.1 streaming API writes between tweets (rate limits,
/// deletions, withheld content): objects of one member, never messages.
const STREAM_NOTICES: [&str; 7] = [
    "limit",
    "delete",
    "scrub_geo",
    "status_withheld",
    "user_withheld",
    "disconnect",
    "warning",
];

/// Whether an object is a v1.1 stream notice rather than a record.
pub(crate) fn stream_notice(obj: &serde_json::Map<String, Value>) -> bool {
    obj.len() == 1 && obj.keys().all(|k| STREAM_NOTICES.contains(&k.as_str()))
}

/// The format most of the first records are in. One line is not enough: a stream capture
/// starts as often with a `{"limit":…}` notice as with a tweet, and an export may begin
/// with an odd record.
fn detect_json(bytes: &[u8]) -> Detected {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let first = lines.next().unwrap_or(bytes);
    let mut records: Vec<Value> = Vec::new();
    let add = |value: Value, records: &mut Vec<Value>| match value {
        Value::Array(items) => records.extend(items.into_iter().take(SAMPLE_RECORDS)),
        other => records.push(other),
    };
    if let Ok(value) = serde_json::from_slice::<Value>(first) {
        // One document per line.
        add(value, &mut records);
        for line in lines.take(SAMPLE_LINES) {
            if records.len() >= SAMPLE_RECORDS {
                break;
            }
            if let Ok(value) = serde_json::from_slice::<Value>(line) {
                add(value, &mut records);
            }
        }
    } else if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        add(value, &mut records);
    } else {
        // A document cut off (an interrupted download): its first complete items.
        let _ = super::json_files::leading_items(bytes, |item| {
            records.push(item);
            Ok::<bool, ()>(records.len() < SAMPLE_RECORDS)
        });
    }
    vote(&records)
}

/// The format of most records, the first seen on a tie; notices do not vote, and a file
/// of nothing but notices is a v1.1 stream capture.
fn vote(records: &[Value]) -> Detected {
    let mut votes: Vec<(InputFormat, usize)> = Vec::new();
    let mut notices = 0;
    for record in records.iter().take(SAMPLE_RECORDS) {
        if record.as_object().is_some_and(stream_notice) {
            notices += 1;
            continue;
        }
        let format = classify_json(record);
        match votes.iter_mut().find(|(f, _)| *f == format) {
            Some((_, n)) => *n += 1,
            None => votes.push((format, 1)),
        }
    }
    let Some(&(format, _)) = votes.iter().rev().max_by_key(|(_, n)| *n) else {
        let format = if notices > 0 {
            InputFormat::TwitterV1
        } else {
            InputFormat::GenericJsonl
        };
        return Detected {
            format,
            mixed: None,
        };
    };
    let mixed = (votes.len() > 1).then(|| {
        let seen: Vec<String> = votes.iter().map(|(f, n)| format!("{f} {n}")).collect();
        format!(
            "the first {} records are not all of one format ({}): read as {format}, and \
             records of another format may be reported as missing fields (give the \
             format explicitly to choose another)",
            votes.iter().map(|(_, n)| n).sum::<usize>(),
            seen.join(", ")
        )
    });
    Detected { format, mixed }
}

/// The format one JSON value belongs to.
pub(crate) fn classify_json(value: &Value) -> InputFormat {
    let obj = match value {
        Value::Array(items) => {
            return items
                .first()
                .map_or(InputFormat::GenericJsonl, classify_json);
        }
        Value::Object(obj) => obj,
        _ => return InputFormat::GenericJsonl,
    };
    let has = |k: &str| obj.contains_key(k);
    if has("data") && (obj["data"].is_array() || obj["data"].is_object()) || flattened_tweet(obj) {
        InputFormat::TwitterV2
    } else if has("id_str") && has("user") {
        InputFormat::TwitterV1
    } else if has("account") && (has("content") || has("reblog")) {
        InputFormat::Mastodon
    } else if has("@context")
        || matches!(
            obj.get("type").and_then(Value::as_str),
            Some(
                "Note"
                    | "Article"
                    | "Create"
                    | "Announce"
                    | "OrderedCollection"
                    | "OrderedCollectionPage"
                    | "Collection"
                    | "CollectionPage"
            )
        )
    {
        InputFormat::ActivityPub
    } else {
        InputFormat::GenericJsonl
    }
}

/// Fields of an API v2 tweet that the generic JSONL does not use.
const TWEET_FIELDS: &[&str] = &[
    "referenced_tweets",
    "public_metrics",
    "edit_history_tweet_ids",
    "entities",
    "conversation_id",
    "in_reply_to_user_id",
    "attachments",
    "context_annotations",
    "reply_settings",
    "possibly_sensitive",
    "edit_controls",
    "__twarc",
];

/// Field names of the generic JSONL that an API v2 tweet does not have.
const GENERIC_FIELDS: &[&str] = &[
    "message_id",
    "user_id",
    "user",
    "username",
    "screen_name",
    "repost_id",
    "retweet_id",
    "reblog_id",
    "reply_id",
    "in_reply_to_id",
    "message",
    "content",
    "timestamp",
    "time",
    "date",
    "urls",
    "url",
    "likes",
    "reposts",
    "replies",
    "followers",
    "repost_of_username",
    "reply_to_username",
];

/// Whether an object with `author_id` is a flattened twarc2 tweet rather than a
/// generic record, which may name its user column `author_id` too: it is one when
/// it has a field only tweets have (an `author` object is twarc2's expansion, a
/// generic `author` is a name), or when it has none of the generic names.
fn flattened_tweet(obj: &serde_json::Map<String, Value>) -> bool {
    if !obj.contains_key("author_id") {
        return false;
    }
    TWEET_FIELDS.iter().any(|k| obj.contains_key(*k))
        || obj.get("author").is_some_and(Value::is_object)
        || !GENERIC_FIELDS.iter().any(|k| obj.contains_key(*k))
}

fn detect_csv(bytes: &[u8]) -> Option<InputFormat> {
    let line = bytes.split(|&b| b == b'\n').next()?;
    let line = String::from_utf8_lossy(line);
    let columns: Vec<String> = line
        .trim_end_matches('\r')
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    if columns.iter().map(String::as_str).eq(CNT_HEADER) {
        return Some(InputFormat::CntCsv);
    }
    let named = |names: &[&str]| columns.iter().any(|c| names.contains(&c.as_str()));
    (named(&["id", "message_id"]) && named(&["user_id", "user", "author_id"]))
        .then_some(InputFormat::GenericCsv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart() {
        let cases: [(&str, InputFormat); 9] = [
            (
                "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n",
                InputFormat::CntCsv,
            ),
            (
                "id,user_id,text,created_at\n1,2,x,3\n",
                InputFormat::GenericCsv,
            ),
            (
                "{\"id\":\"1\",\"user_id\":\"u\"}\n",
                InputFormat::GenericJsonl,
            ),
            ("{\"data\":[],\"includes\":{}}\n", InputFormat::TwitterV2),
            ("{\"id_str\":\"1\",\"user\":{}}\n", InputFormat::TwitterV1),
            (
                "[{\"id\":\"1\",\"account\":{},\"content\":\"\"}]",
                InputFormat::Mastodon,
            ),
            ("{\"type\":\"Note\",\"id\":\"x\"}", InputFormat::ActivityPub),
            (
                "<?xml version=\"1.0\"?>\n<rss version=\"2.0\">",
                InputFormat::Rss,
            ),
            (
                "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
                InputFormat::Atom,
            ),
        ];
        for (content, format) in cases {
            assert_eq!(detect_format(content.as_bytes()), Some(format), "{content}");
        }
        assert_eq!(detect_format(b"hello there\n"), None);
        assert_eq!(detect_format(b"  \n"), None);
    }
}
