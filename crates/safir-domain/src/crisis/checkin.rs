//! Safety check-ins: the answer states, the personal link's signed token and the SMS keywords
//! people reply with (SAFE / HELP / STOP / UNSUBSCRIBE XX / YES, and their Arabic forms).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::ValidationError;
use crate::country::CountryCode;

/// Where a check-in stands. `Waiting` until answered; `Superseded` when a newer alert in the
/// same crisis asked the person again before they answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckinStatus {
    Waiting,
    Safe,
    NeedHelp,
    NotInArea,
    Superseded,
}

impl CheckinStatus {
    pub const ALL: [CheckinStatus; 5] = [
        CheckinStatus::Waiting,
        CheckinStatus::Safe,
        CheckinStatus::NeedHelp,
        CheckinStatus::NotInArea,
        CheckinStatus::Superseded,
    ];

    /// The three answers a person can give.
    pub const ANSWERS: [CheckinStatus; 3] = [
        CheckinStatus::Safe,
        CheckinStatus::NeedHelp,
        CheckinStatus::NotInArea,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckinStatus::Waiting => "waiting",
            CheckinStatus::Safe => "safe",
            CheckinStatus::NeedHelp => "need_help",
            CheckinStatus::NotInArea => "not_in_area",
            CheckinStatus::Superseded => "superseded",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == input.trim())
            .ok_or_else(|| ValidationError::new("checkin_status_unknown"))
    }

    /// Whether this is an answer (safe, need help, not in the area).
    pub fn is_answer(self) -> bool {
        Self::ANSWERS.contains(&self)
    }
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], checkin_id: &str) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"safir-checkin-v1\0");
    mac.update(checkin_id.as_bytes());
    mac
}

/// The personal link's token for a check-in: `base64url(id).base64url(HMAC-SHA256(key, id))`,
/// URL-safe, no padding.
pub fn sign_token(key: &[u8], checkin_id: &str) -> String {
    let tag = mac(key, checkin_id).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(checkin_id.as_bytes()),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// The check-in id a token was made for, if the token is intact (tag compared in constant
/// time). Any change to the token gives `None`.
pub fn verify_token(key: &[u8], token: &str) -> Option<String> {
    let (id_part, tag_part) = token.trim().split_once('.')?;
    if id_part.len() > 200 || tag_part.len() > 100 {
        return None;
    }
    let id = String::from_utf8(URL_SAFE_NO_PAD.decode(id_part).ok()?).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag_part).ok()?;
    mac(key, &id).verify_slice(&tag).ok()?;
    Some(id)
}

/// What an SMS reply asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyword {
    /// "SAFE" / "آمن", with whatever followed as a note.
    Safe(String),
    /// "HELP" / "مساعدة", with whatever followed as a note.
    Help(String),
    /// "STOP" / "إيقاف": every SMS subscription of the number.
    Stop,
    /// "UNSUBSCRIBE" alone (every country) or "UNSUBSCRIBE FR".
    Unsubscribe(Option<CountryCode>),
    /// "YES" / "نعم": confirms a pending SMS subscription.
    Yes,
}

/// Strips punctuation a phone keyboard adds around a word ("Safe." "SAFE!").
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| c.is_ascii_punctuation() || c == '،' || c == '؟')
}

fn norm_arabic(word: &str) -> String {
    // Alef forms and tatweel vary with keyboards: "آمن", "أمن" and "امن" are one word.
    word.chars()
        .filter(|c| *c != '\u{0640}')
        .map(|c| match c {
            'آ' | 'أ' | 'إ' => 'ا',
            other => other,
        })
        .collect()
}

impl Keyword {
    /// Reads a reply, ignoring case and surrounding or repeated spaces. Anything else is
    /// `None` (the sender gets the list of keywords).
    pub fn parse_sms(body: &str) -> Option<Keyword> {
        let body = body.trim();
        let mut words = body.split_whitespace();
        let first = bare(words.next()?);
        let upper = first.to_uppercase();
        let arabic = norm_arabic(first);
        let rest: Vec<&str> = words.collect();
        let note = || {
            let after = body
                .trim_start()
                .get(
                    body.trim_start()
                        .find(char::is_whitespace)
                        .unwrap_or(body.len())..,
                )
                .unwrap_or("");
            after.trim().to_owned()
        };
        match (upper.as_str(), arabic.as_str()) {
            ("SAFE", _) | (_, "امن") => Some(Keyword::Safe(note())),
            ("HELP", _) | (_, "مساعده") | (_, "مساعدة") => Some(Keyword::Help(note())),
            ("STOP", _) | (_, "ايقاف") if rest.is_empty() => Some(Keyword::Stop),
            ("YES", _) | (_, "نعم") if rest.is_empty() => Some(Keyword::Yes),
            ("UNSUBSCRIBE", _) => match rest.as_slice() {
                [] => Some(Keyword::Unsubscribe(None)),
                [country] => CountryCode::parse(bare(country))
                    .ok()
                    .map(|c| Keyword::Unsubscribe(Some(c))),
                _ => None,
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn status_round_trips() {
        for s in CheckinStatus::ALL {
            assert_eq!(CheckinStatus::parse(s.as_str()).ok(), Some(s));
        }
        assert!(CheckinStatus::parse("fine").is_err());
        assert!(CheckinStatus::Safe.is_answer());
        assert!(!CheckinStatus::Waiting.is_answer());
        assert!(!CheckinStatus::Superseded.is_answer());
    }

    #[test]
    fn token_round_trips() {
        let t = sign_token(KEY, "01J9ZCHECKIN");
        assert!(!t.contains('='));
        assert!(!t.contains('+') && !t.contains('/'));
        assert_eq!(verify_token(KEY, &t).as_deref(), Some("01J9ZCHECKIN"));
    }

    #[test]
    fn tampered_tokens_fail() {
        let t = sign_token(KEY, "01J9ZCHECKIN");
        assert_eq!(verify_token(b"another key of thirty-two bytes!", &t), None);
        let other = sign_token(KEY, "01J9ZOTHER");
        let (id_a, _) = t.split_once('.').unwrap_or_default();
        let (_, tag_b) = other.split_once('.').unwrap_or_default();
        assert_eq!(verify_token(KEY, &format!("{id_a}.{tag_b}")), None);
        let mut flipped = t.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify_token(KEY, &String::from_utf8_lossy(&flipped)), None);
        assert_eq!(verify_token(KEY, ""), None);
        assert_eq!(verify_token(KEY, "no-dot"), None);
        assert_eq!(verify_token(KEY, "!!!.???"), None);
    }

    #[test]
    fn english_keywords() {
        assert_eq!(
            Keyword::parse_sms("SAFE"),
            Some(Keyword::Safe(String::new()))
        );
        assert_eq!(
            Keyword::parse_sms("  safe  "),
            Some(Keyword::Safe(String::new()))
        );
        assert_eq!(
            Keyword::parse_sms("Safe.  at the  hotel"),
            Some(Keyword::Safe("at the  hotel".into()))
        );
        assert_eq!(
            Keyword::parse_sms("help need water"),
            Some(Keyword::Help("need water".into()))
        );
        assert_eq!(Keyword::parse_sms("stop"), Some(Keyword::Stop));
        assert_eq!(Keyword::parse_sms("Yes"), Some(Keyword::Yes));
        assert_eq!(
            Keyword::parse_sms("unsubscribe fr"),
            Some(Keyword::Unsubscribe(CountryCode::parse("FR").ok()))
        );
        assert_eq!(
            Keyword::parse_sms("UNSUBSCRIBE"),
            Some(Keyword::Unsubscribe(None))
        );
    }

    #[test]
    fn arabic_keywords() {
        assert_eq!(
            Keyword::parse_sms("آمن"),
            Some(Keyword::Safe(String::new()))
        );
        assert_eq!(
            Keyword::parse_sms("امن"),
            Some(Keyword::Safe(String::new()))
        );
        assert_eq!(
            Keyword::parse_sms("مساعدة نحتاج ماء"),
            Some(Keyword::Help("نحتاج ماء".into()))
        );
        assert_eq!(Keyword::parse_sms("إيقاف"), Some(Keyword::Stop));
        assert_eq!(Keyword::parse_sms("نعم"), Some(Keyword::Yes));
    }

    #[test]
    fn unknown_replies() {
        assert_eq!(Keyword::parse_sms(""), None);
        assert_eq!(Keyword::parse_sms("   "), None);
        assert_eq!(Keyword::parse_sms("hello"), None);
        assert_eq!(Keyword::parse_sms("UNSUBSCRIBE ZZ"), None);
        assert_eq!(Keyword::parse_sms("UNSUBSCRIBE FR DE"), None);
        assert_eq!(Keyword::parse_sms("stop it now"), None);
        assert_eq!(Keyword::parse_sms("safety first"), None);
    }
}
