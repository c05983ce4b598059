//! The `email.send` payload and its RFC 5322 form.

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};

use crate::SendError;

/// The job kind the web layer enqueues for each outgoing email.
pub const JOB_KIND: &str = "email.send";

/// A finished message, already written in the recipient's language. The same JSON shape as
/// the web layer's `OutgoingEmail` (a test on each side holds them together).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailMessage {
    pub to: String,
    /// BCP 47 language tag of subject and text (`ar`, `en`).
    pub lang: String,
    pub subject: String,
    pub text: String,
}

/// A language tag as `Content-Language` accepts it: `ar`, `en-GB`, `zh-Hant-TW`.
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A key usable in a Message-ID and a file name: letters, digits, `.`, `_`, `-`.
pub(crate) fn check_key(key: &str) -> Result<(), SendError> {
    let ok = !key.is_empty()
        && key.len() <= 128
        && !key.starts_with('.')
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(SendError::Invalid(format!("unusable message key {key:?}")))
    }
}

impl EmailMessage {
    /// Builds the text/plain UTF-8 message. `key` (the job id) makes the Message-ID, so a
    /// message sent twice after a crash is recognisably the same message.
    pub fn to_lettre(&self, from: &Mailbox, key: &str) -> Result<Message, SendError> {
        check_key(key)?;
        let to: Mailbox = self
            .to
            .trim()
            .parse()
            .map_err(|e| SendError::Invalid(format!("recipient {:?}: {e}", self.to)))?;
        if !is_language_tag(&self.lang) {
            return Err(SendError::Invalid(format!("language tag {:?}", self.lang)));
        }
        let message_id = format!("<{key}@{}>", from.email.domain());
        Message::builder()
            .from(from.clone())
            .to(to)
            .subject(self.subject.clone())
            .message_id(Some(message_id))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                self.lang.clone(),
            ))
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(self.text.clone()),
            )
            .map_err(|e| SendError::Invalid(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        for ok in ["ar", "en", "fr", "en-GB", "zh-Hant-TW"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "ar\r\nBcc: x@y.z",
            "en-",
            "toolongtag",
            "ar_EG",
            "-en",
        ] {
            assert!(!is_language_tag(bad), "{bad:?}");
        }
    }

    #[test]
    fn keys_are_safe_for_file_names() {
        assert!(check_key("01936f2e-7c1a-7b3e-9f00-0123456789ab").is_ok());
        for bad in ["", "..", "../etc/passwd", "a/b", "a b", ".hidden"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
