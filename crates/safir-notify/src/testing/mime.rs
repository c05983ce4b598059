//! A strict reader for the messages Safir sends (text, or text with attachments): enough
//! of RFC 5322, RFC 2045, RFC 2046 and RFC 2047 to check in tests that what went out
//! decodes to what was meant.

use base64::Engine;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("malformed message: {0}")]
pub struct MimeError(String);

fn bad(s: impl Into<String>) -> MimeError {
    MimeError(s.into())
}

/// A message split into unfolded headers and a raw body.
#[derive(Debug, Clone)]
pub struct ParsedMessage {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl ParsedMessage {
    /// Parses and checks the wire form: CRLF line ends, lines of at most 998 octets, 7-bit
    /// headers of the form `Name: value` (folded lines start with white space), a blank line
    /// before the body.
    pub fn parse(data: &[u8]) -> Result<Self, MimeError> {
        let split = data
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| bad("no blank line after the headers"))?;
        let (head, body) = (&data[..split + 2], &data[split + 4..]);
        for line in data.split(|&b| b == b'\n') {
            if line.len() > 999 {
                return Err(bad("a line is longer than 998 octets"));
            }
        }
        if data.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r') || data.starts_with(b"\n") {
            return Err(bad("bare LF line ending"));
        }
        if !head.is_ascii() {
            return Err(bad("8-bit octets in the headers"));
        }
        let head = std::str::from_utf8(head).map_err(|_| bad("headers"))?;
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n").filter(|l| !l.is_empty()) {
            if line.starts_with([' ', '\t']) {
                let last = headers
                    .last_mut()
                    .ok_or_else(|| bad("continuation line before any header"))?;
                last.1.push_str(line);
                continue;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| bad(format!("header line without a colon: {line:?}")))?;
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(bad(format!("header name {name:?}")));
            }
            headers.push((name.to_owned(), value.trim_start().to_owned()));
        }
        Ok(Self {
            headers,
            body: body.to_vec(),
        })
    }

    /// Every header value with this name (case-insensitive), unfolded but not decoded.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim_end())
            .collect()
    }

    /// The header's value, unfolded but not decoded.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.all(name).into_iter().next()
    }

    /// The header's value with RFC 2047 encoded words decoded.
    pub fn decoded_header(&self, name: &str) -> Result<Option<String>, MimeError> {
        self.header(name).map(decode_words).transpose()
    }

    pub fn subject(&self) -> Result<Option<String>, MimeError> {
        self.decoded_header("Subject")
    }

    /// The body decoded by its Content-Transfer-Encoding, as UTF-8 text with CRLF turned
    /// into LF. In a multipart message, the first text/plain part that is not an attachment.
    pub fn text(&self) -> Result<String, MimeError> {
        let content_type = self.header("Content-Type").unwrap_or("text/plain");
        let lower = content_type.to_ascii_lowercase();
        if lower.starts_with("multipart/") {
            let part = self
                .parts()?
                .into_iter()
                .find(|p| {
                    p.file_name().is_none()
                        && p.header("Content-Type")
                            .unwrap_or("text/plain")
                            .to_ascii_lowercase()
                            .starts_with("text/plain")
                })
                .ok_or_else(|| bad("no text/plain part"))?;
            return part.text();
        }
        if !lower.starts_with("text/plain") {
            return Err(bad(format!("content type {content_type:?}")));
        }
        let charset_ok = lower
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("charset="))
            .all(|c| matches!(c.trim_matches('"'), "utf-8" | "us-ascii"));
        if !charset_ok {
            return Err(bad(format!("charset in {content_type:?}")));
        }
        let text = String::from_utf8(self.body_bytes()?).map_err(|_| bad("body is not UTF-8"))?;
        Ok(text.replace("\r\n", "\n"))
    }

    /// The body decoded by its Content-Transfer-Encoding.
    pub fn body_bytes(&self) -> Result<Vec<u8>, MimeError> {
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        match encoding.as_str() {
            "7bit" | "8bit" | "binary" => Ok(self.body.clone()),
            "base64" => {
                let compact: Vec<u8> = self
                    .body
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|e| bad(format!("base64 body: {e}")))
            }
            "quoted-printable" => decode_quoted_printable(&self.body, false),
            other => Err(bad(format!("transfer encoding {other:?}"))),
        }
    }

    /// The parts of a multipart body (RFC 2046 5.1), each read like a message.
    pub fn parts(&self) -> Result<Vec<ParsedMessage>, MimeError> {
        let content_type = self.header("Content-Type").unwrap_or("");
        let boundary = parameter(content_type, "boundary")
            .ok_or_else(|| bad(format!("no boundary in {content_type:?}")))?;
        let delimiter = format!("--{boundary}");
        let body = std::str::from_utf8(&self.body).map_err(|_| bad("8-bit multipart body"))?;
        let mut out = Vec::new();
        let mut closed = false;
        for chunk in body.split(delimiter.as_str()).skip(1) {
            if chunk.starts_with("--") {
                closed = true;
                break;
            }
            let part = chunk
                .strip_prefix("\r\n")
                .and_then(|c| c.strip_suffix("\r\n"))
                .ok_or_else(|| bad("part not framed by CRLF"))?;
            out.push(ParsedMessage::parse(part.as_bytes())?);
        }
        if !closed {
            return Err(bad("no closing boundary"));
        }
        Ok(out)
    }

    /// The `filename` of an attachment part (Content-Disposition), if any.
    pub fn file_name(&self) -> Option<String> {
        self.header("Content-Disposition")
            .and_then(|v| parameter(v, "filename"))
    }
}

/// A parameter of a structured header value: `name=value` or `name="value"`.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Quoted-printable (RFC 2045 6.7), or the header "Q" form (RFC 2047 4.2) where `_` is a
/// space.
fn decode_quoted_printable(input: &[u8], q_form: bool) -> Result<Vec<u8>, MimeError> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'=' if input[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if input[i + 1..].starts_with(b"\n") => i += 2,
            b'=' => {
                let hex = input
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| bad("bad quoted-printable escape"))?;
                out.push(hex);
                i += 3;
            }
            b'_' if q_form => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Decodes `=?charset?B|Q?text?=` words; white space between two adjacent encoded words is
/// dropped (RFC 2047 6.2), so a long subject split over several words comes back whole.
fn decode_words(value: &str) -> Result<String, MimeError> {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        let Some((decoded, len)) = encoded_word(candidate)? else {
            out.push_str(before);
            out.push_str("=?");
            rest = &candidate[2..];
            after_word = false;
            continue;
        };
        if !(after_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        out.push_str(&decoded);
        rest = &candidate[len..];
        after_word = true;
    }
    out.push_str(rest);
    Ok(out)
}

/// `Some((text, length consumed))` when `s` starts with a well-formed encoded word.
fn encoded_word(s: &str) -> Result<Option<(String, usize)>, MimeError> {
    let inner = &s[2..];
    let mut parts = inner.splitn(3, '?');
    let (Some(charset), Some(encoding), Some(tail)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let Some(end) = tail.find("?=") else {
        return Ok(None);
    };
    let text = &tail[..end];
    if text.contains(char::is_whitespace) || charset.contains(char::is_whitespace) {
        return Ok(None);
    }
    let charset = charset.split('*').next().unwrap_or("").to_ascii_lowercase();
    if charset != "utf-8" && charset != "us-ascii" {
        return Err(bad(format!("encoded word charset {charset:?}")));
    }
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|e| bad(format!("encoded word: {e}")))?,
        "Q" | "q" => decode_quoted_printable(text.as_bytes(), true)?,
        _ => return Ok(None),
    };
    let decoded = String::from_utf8(bytes).map_err(|_| bad("encoded word is not UTF-8"))?;
    let consumed = 2 + charset_len(inner) + encoding.len() + 1 + end + 2;
    Ok(Some((decoded, consumed)))
}

fn charset_len(inner: &str) -> usize {
    inner.find('?').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_encoded_words_join_and_plain_text_stays() {
        let v = "=?utf-8?b?2YXYsdit?= =?utf-8?q?=D8=A8=D8=A7?= and =?x";
        assert_eq!(decode_words(v).unwrap(), "مرحبا and =?x");
        assert_eq!(decode_words("plain subject").unwrap(), "plain subject");
        assert_eq!(decode_words("=?utf-8?q?a_b?=").unwrap(), "a b");
    }

    #[test]
    fn rejects_bare_line_feeds_and_missing_blank_line() {
        assert!(ParsedMessage::parse(b"Subject: x\n\nbody").is_err());
        assert!(ParsedMessage::parse(b"Subject: x\r\nbody\r\n").is_err());
        let m = ParsedMessage::parse(b"Subject: a\r\n  b\r\n\r\nhi\r\n").unwrap();
        assert_eq!(m.header("subject"), Some("a  b"));
        assert_eq!(m.text().unwrap(), "hi\n");
    }

    #[test]
    fn quoted_printable_soft_breaks() {
        let m = ParsedMessage::parse(
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=D9=85=\r\n=D8=B1 x=3Dy\r\n",
        )
        .unwrap();
        assert_eq!(m.text().unwrap(), "مر x=y\n");
    }
}
