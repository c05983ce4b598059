//! NUL (U+0000) kept from every route: refused at the edge, or taken out of a posted form.
//!
//! No text column of PostgreSQL can hold it (SQLite can, which is how a request carrying one
//! could pass every test on the embedded database and fail with a 500 in production), no form,
//! search, id or API field has a use for it, and nobody types it. So a request that carries
//! one, percent-encoded in its address or its form body, or escaped as `\u0000` in a JSON
//! body, is handled here:
//!
//! - in the path: 404, as for any address that names nothing;
//! - in a query parameter: 422 naming the parameter;
//! - in a JSON body: 422 naming the member (`form.surname`, `items[2]`);
//! - in a field of a posted form (`application/x-www-form-urlencoded`): the NULs are taken
//!   out and the form goes on to its route, which checks it as it checks any other. A 422
//!   here would be a bare page, the form and everything typed in it lost; the character is
//!   invisible in the browser's field, so what remains is what the person saw.
//!
//! Bodies are read only when they are forms or JSON (uploads and other types pass through
//! untouched: the reader of forms with files refuses a NUL in a text field, see
//! `consular::upload`), up to the body limit every such route has anyway. The checks are
//! searches for `%00`, a zero byte or a `\u0000` escape; the body is decoded only once one is
//! found.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, FieldError, FieldErrors};

/// Catalog code of the error (`field-error-nul-character`).
pub const CODE: &str = "nul_character";

/// Field names are echoed in the message; a longer one is cut.
const NAME_MAX: usize = 64;

/// What kind of body the request carries, as far as this check goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(req: &Request) -> BodyKind {
    let essence = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    // Prefixes, not exact types: the gateways' webhooks (`crisis::checkin::sms`,
    // `crisis::delivery::receipts`) read any type that starts like one of these.
    match essence.as_deref() {
        Some(t) if t.starts_with("application/x-www-form-urlencoded") => BodyKind::Form,
        Some(t) if t.starts_with("application/json") || t.ends_with("+json") => BodyKind::Json,
        _ => BodyKind::Other,
    }
}

/// Middleware (`from_fn_with_state(body_limit, refuse_nul)`).
pub async fn refuse_nul(State(body_limit): State<usize>, req: Request, next: Next) -> Response {
    if req.uri().path().contains("%00") {
        return AppError::NotFound.into_response();
    }
    if let Some(name) = req
        .uri()
        .query()
        .and_then(|q| form_field_with_nul(q.as_bytes()))
    {
        return refused(&name);
    }
    let kind = body_kind(&req);
    if kind == BodyKind::Other {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match to_bytes(body, body_limit).await {
        Ok(b) => b,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let bytes = match kind {
        BodyKind::Form => match form_without_nul(&bytes) {
            Some(cleaned) => {
                parts
                    .headers
                    .insert(CONTENT_LENGTH, HeaderValue::from(cleaned.len()));
                cleaned
            }
            None => bytes,
        },
        _ => {
            if let Some(name) = json_member_with_nul(&bytes) {
                return refused(&name);
            }
            bytes
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A form body (`application/x-www-form-urlencoded`) encoded again without the NULs of its
/// names and values, or `None` when it has none. Decoded and encoded again, not searched and
/// cut: taking `%00` out of `%2%005` would leave `%25`, which reads as another character.
fn form_without_nul(encoded: &[u8]) -> Option<Bytes> {
    form_field_with_nul(encoded)?;
    let cleaned = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(encoded)
                .map(|(k, v)| (k.replace('\0', ""), v.replace('\0', ""))),
        )
        .finish();
    Some(Bytes::from(cleaned))
}

fn refused(name: &str) -> Response {
    refusal(name).into_response()
}

/// The error for a NUL in the field `name`; also what the reader of `multipart/form-data`
/// bodies, which this layer does not open, answers.
pub fn refusal(name: &str) -> AppError {
    let shown: String = name
        .chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .take(NAME_MAX)
        .collect();
    let mut errors = FieldErrors::new();
    errors.add(FieldError::new(shown.clone(), CODE).with_arg("field", shown));
    AppError::Validation(errors)
}

/// The first field of an `application/x-www-form-urlencoded` text (a query string or a form
/// body) whose name or value decodes to a NUL.
pub fn form_field_with_nul(encoded: &[u8]) -> Option<String> {
    if !encoded.contains(&0) && !contains(encoded, b"%00") {
        return None;
    }
    form_urlencoded::parse(encoded)
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.into_owned())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a JSON text holds a `\u0000` escape, or a raw zero byte. Escapes are followed, so
/// the text `\\u0000` (a backslash, then `u0000`) is not one.
fn json_has_nul_escape(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            0 => return true,
            b'\\' => {
                if text.get(i + 1) == Some(&b'u') && text.get(i + 2..i + 6) == Some(b"0000") {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

/// Where, in a JSON body, the first string (or member name) holding a NUL is: `body` for the
/// whole document, `form.surname`, `items[2]`. A body that is not valid JSON is left to the
/// route, which says so.
pub fn json_member_with_nul(text: &[u8]) -> Option<String> {
    if !json_has_nul_escape(text) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(text).ok()?;
    find_nul(&value, String::new()).map(|p| if p.is_empty() { "body".to_owned() } else { p })
}

fn find_nul(value: &serde_json::Value, at: String) -> Option<String> {
    match value {
        serde_json::Value::String(s) => s.contains('\0').then_some(at),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, format!("{at}[{i}]"))),
        serde_json::Value::Object(members) => members.iter().find_map(|(k, v)| {
            let here = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            if k.contains('\0') {
                Some(here)
            } else {
                find_nul(v, here)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_found_by_name_whatever_the_encoding() {
        assert_eq!(form_field_with_nul(b"a=1&b=x%00y&c=2"), Some("b".into()));
        assert_eq!(form_field_with_nul(b"a=1&b=x\0y"), Some("b".into()));
        assert_eq!(form_field_with_nul(b"a%00b=1"), Some("a\0b".into()));
        assert_eq!(
            form_field_with_nul(b"a=1&b=%2500"),
            None,
            "%25 is a percent sign"
        );
        assert_eq!(form_field_with_nul(b"q=%D8%B3%D9%81%D9%8A%D8%B1"), None);
        assert_eq!(form_field_with_nul(b""), None);
    }

    #[test]
    fn a_form_loses_its_nuls_and_nothing_else() {
        let clean = |s: &[u8]| form_without_nul(s).map(|b| String::from_utf8(b.to_vec()).unwrap());
        assert_eq!(clean(b"a=1&b=x%00y"), Some("a=1&b=xy".into()));
        assert_eq!(clean(b"a%00b=1&c=\0"), Some("ab=1&c=".into()));
        // Taking `%00` out of the text would leave `%25`, a percent sign.
        let kept = clean(b"q=%2%005").unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(kept.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs, [("q".to_owned(), "%25".to_owned())]);
        // Everything else reads as before: spaces, Arabic, repeated names, empty values.
        let body = "name=%D8%B3%D9%81%D9%8A%D8%B1+%00x&scope=a&scope=b&empty=";
        let kept = clean(body.as_bytes()).unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(kept.as_bytes())
            .into_owned()
            .collect();
        let expected: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.replace('\0', "")))
            .collect();
        assert_eq!(pairs, expected);
        assert_eq!(pairs[0].1, "سفير x");
        assert_eq!(clean(b"a=1&b=%2500"), None, "no NUL: left as sent");
    }

    #[test]
    fn json_members_are_found_by_path_and_escapes_are_followed() {
        let find = |s: &str| json_member_with_nul(s.as_bytes());
        assert_eq!(find(r#"{"body":"a\u0000"}"#), Some("body".into()));
        assert_eq!(
            find(r#"{"form":{"given_names":"x","surname":"\u0000"}}"#),
            Some("form.surname".into())
        );
        assert_eq!(
            find(r#"{"items":[1,"a","b\u0000"]}"#),
            Some("items[2]".into())
        );
        assert_eq!(find(r#"{"k\u0000":1}"#), Some("k\0".into()));
        assert_eq!(find(r#""\u0000""#), Some("body".into()));
        assert_eq!(find(r#"{"body":"\\u0000"}"#), None, "an escaped backslash");
        assert_eq!(find(r#"{"body":"\u00001"}"#), Some("body".into()));
        assert_eq!(find(r#"{"body":"\u0001"}"#), None);
        assert_eq!(
            find(r#"{"body":"\u0000"#),
            None,
            "not JSON: the route says so"
        );
        assert!(json_has_nul_escape(b"{\"a\":\"\0\"}"));
        assert!(!json_has_nul_escape(b"\\"));
    }

    #[test]
    fn bodies_are_opened_for_every_type_a_webhook_reads_as_a_form_or_json() {
        let kind = |t: &str| {
            body_kind(
                &Request::builder()
                    .header(CONTENT_TYPE, t)
                    .body(Body::empty())
                    .unwrap(),
            )
        };
        assert_eq!(kind("application/x-www-form-urlencoded"), BodyKind::Form);
        assert_eq!(
            kind("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            BodyKind::Form
        );
        assert_eq!(kind("application/json"), BodyKind::Json);
        assert_eq!(kind("application/jsonx"), BodyKind::Json);
        assert_eq!(kind("application/activity+json"), BodyKind::Json);
        assert_eq!(kind("multipart/form-data; boundary=x"), BodyKind::Other);
        assert_eq!(kind("text/plain"), BodyKind::Other);
    }
}
