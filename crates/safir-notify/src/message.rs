//! The `email.send` payload and its RFC 5322 form.

use base64::Engine;
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

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
    /// Files sent with the text (absent in payloads written before attachments existed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<EmailAttachment>,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmailAttachment {
    /// The file name the reader sees (`appointment.ics`).
    pub name: String,
    /// The media type with its parameters (`text/calendar; charset=utf-8; method=PUBLISH`).
    pub media_type: String,
    /// The content, standard base64.
    pub data_base64: String,
}

/// A file name safe in a MIME header: printable, no path, no quotes, not too long.
fn check_file_name(name: &str) -> Result<(), SendError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._- ".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(SendError::Invalid(format!("attachment name {name:?}")))
    }
}

impl EmailAttachment {
    fn to_part(&self) -> Result<SinglePart, SendError> {
        check_file_name(&self.name)?;
        let content_type = ContentType::parse(&self.media_type).map_err(|e| {
            SendError::Invalid(format!("attachment type {:?}: {e}", self.media_type))
        })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(self.data_base64.trim())
            .map_err(|e| SendError::Invalid(format!("attachment {:?}: {e}", self.name)))?;
        Ok(Attachment::new(self.name.clone()).body(bytes, content_type))
    }
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
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(self.text.clone());
        let builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(self.subject.clone())
            .message_id(Some(message_id))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                self.lang.clone(),
            ));
        let built = if self.attachments.is_empty() {
            builder.singlepart(text)
        } else {
            let mut parts = MultiPart::mixed().singlepart(text);
            for a in &self.attachments {
                parts = parts.singlepart(a.to_part()?);
            }
            builder.multipart(parts)
        };
        built.map_err(|e| SendError::Invalid(e.to_string()))
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
