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
    /// Extra headers, only those in [`EXTRA_HEADERS`] (one-click unsubscribe of mailing
    /// lists, RFC 2369 and RFC 8058); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// The extra headers a message may carry.
pub const EXTRA_HEADERS: [&str; 2] = ["List-Unsubscribe", "List-Unsubscribe-Post"];

/// An extra header's value: printable ASCII on one line.
fn check_header(name: &str, value: &str) -> Result<(), SendError> {
    let known = EXTRA_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name));
    let printable =
        !value.is_empty() && value.len() <= 900 && value.bytes().all(|b| (0x20..0x7f).contains(&b));
    if known && printable {
        Ok(())
    } else {
        Err(SendError::Invalid(format!("header {name:?}")))
    }
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
        let mut builder = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(self.subject.clone())
            .message_id(Some(message_id))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                self.lang.clone(),
            ));
        for (name, value) in &self.headers {
            check_header(name, value)?;
            let name = EXTRA_HEADERS
                .into_iter()
                .find(|h| h.eq_ignore_ascii_case(name))
                .unwrap_or("List-Unsubscribe");
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(name),
                value.clone(),
            ));
        }
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
    fn unsubscribe_headers_are_written_and_others_refused() {
        let from: Mailbox = "Safir <noreply@safir.test>".parse().unwrap();
        let mut m = EmailMessage {
            to: "a@example.org".into(),
            lang: "en".into(),
            subject: "s".into(),
            text: "t".into(),
            attachments: Vec::new(),
            headers: vec![
                (
                    "List-Unsubscribe".into(),
                    "<https://safir.test/unsubscribe/x>".into(),
                ),
                (
                    "List-Unsubscribe-Post".into(),
                    "List-Unsubscribe=One-Click".into(),
                ),
            ],
        };
        let raw = String::from_utf8(m.to_lettre(&from, "k1").unwrap().formatted()).unwrap();
        assert!(
            raw.contains("List-Unsubscribe: <https://safir.test/unsubscribe/x>"),
            "{raw}"
        );
        assert!(
            raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{raw}"
        );
        m.headers = vec![("Bcc".into(), "x@y.z".into())];
        assert!(m.to_lettre(&from, "k1").is_err());
        m.headers = vec![("List-Unsubscribe".into(), "<a>\r\nBcc: x@y.z".into())];
        assert!(m.to_lettre(&from, "k1").is_err());
    }

    #[test]
    fn keys_are_safe_for_file_names() {
        assert!(check_key("01936f2e-7c1a-7b3e-9f00-0123456789ab").is_ok());
        for bad in ["", "..", "../etc/passwd", "a/b", "a b", ".hidden"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }
}
