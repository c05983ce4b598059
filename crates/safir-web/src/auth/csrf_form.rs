//! The form-token half of CSRF protection, applied to every state-changing browser request:
//! the body's `csrf_token` field (or the `X-CSRF-Token` header, for htmx) must be the token
//! bound to the viewer's session or anonymous cookie. In a `multipart/form-data` body (file
//! uploads) the token must be the first part, so only that part is read before the route.

use askama::Template;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, REFERER};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::session::Viewer;
use crate::error::{AppError, OwnErrorPage};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::security::csrf;
use crate::state::AppState;

pub const HEADER: &str = "x-csrf-token";

/// Callbacks from SMS gateways: no browser, no session, authenticated by the shared secret
/// their handler checks, so no form token either.
const GATEWAY_PATHS: &[&str] = &["/crisis/sms/inbound", "/crisis/receipts/sms"];

/// Paths whose POSTs carry their own authority in the URL (a signed link) and often come from
/// outside a browser session: the one-click unsubscribe of mail clients (RFC 8058), and the
/// personal check-in link (whoever holds the link can answer; a form token adds nothing and
/// would fail for a person whose session cookie expired while the page stayed open). The
/// cross-site check of the security layer still applies to browsers.
const TOKENLESS_PREFIXES: &[&str] = &["/unsubscribe/", "/crisis/checkin/"];

/// The token to embed in this viewer's forms.
pub fn token_for(state: &AppState, viewer: &Viewer) -> String {
    state.form_tokens.token(viewer.csrf_binding())
}

fn form_field(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == csrf::FORM_FIELD)
        .map(|(_, v)| v.into_owned())
}

/// Middleware: checks the token on POST, PUT, PATCH and DELETE that do not use a bearer token.
pub async fn verify_form_token(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let unsafe_method = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let path = req.uri().path();
    if !unsafe_method
        || csrf::is_bearer(req.headers())
        || GATEWAY_PATHS.contains(&path)
        || TOKENLESS_PREFIXES.iter().any(|p| path.starts_with(p))
    {
        return next.run(req).await;
    }
    let Some(viewer) = req.extensions().get::<Viewer>().cloned() else {
        return AppError::CsrfFailed.into_response();
    };
    // A write to the API with neither a token nor a session carries no credentials a forgery
    // could borrow: the route answers it (`401 unauthenticated`, as for a read), which tells
    // a client what is missing better than an expired form would.
    if path.starts_with("/api/") && matches!(viewer, Viewer::Anonymous(_)) {
        return next.run(req).await;
    }
    if let Some(h) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        if state.form_tokens.verify(viewer.csrf_binding(), h) {
            return next.run(req).await;
        }
        return AppError::CsrfFailed.into_response();
    }
    let content_type = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if let Some(boundary) = multipart_boundary(&content_type) {
        let (parts, body) = req.into_parts();
        let (token, body) = match first_part(&boundary, body).await {
            Ok(found) => found,
            Err(()) => return AppError::BadRequest.into_response(),
        };
        let ok = token.is_some_and(|t| state.form_tokens.verify(viewer.csrf_binding(), &t));
        if !ok {
            tracing::info!(
                path = parts.uri.path(),
                "upload form token missing or wrong"
            );
            return AppError::CsrfFailed.into_response();
        }
        return next.run(Request::from_parts(parts, body)).await;
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return AppError::CsrfFailed.into_response();
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, state.config.body_limit).await {
        Ok(b) => b,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let ok =
        form_field(&bytes).is_some_and(|t| state.form_tokens.verify(viewer.csrf_binding(), &t));
    if !ok {
        tracing::info!(path = parts.uri.path(), "form token missing or wrong");
        return expired_form(&state, &parts, &viewer, &bytes)
            .unwrap_or_else(|| AppError::CsrfFailed.into_response());
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Fields a page fills in itself (hidden), and those whose value is a secret: never shown back.
fn kept_back(name: &str) -> bool {
    const PAGE_FILLED: &[&str] = &[
        "action",
        "base_version",
        "case",
        "expected_state",
        "idempotency_key",
        "kind",
        "lat",
        "lon",
        "next",
        "open",
        "r",
        "role",
        "scope",
        "service",
    ];
    let name = name.to_ascii_lowercase();
    PAGE_FILLED.contains(&name.as_str())
        || ["password", "code", "secret", "token"]
            .iter()
            .any(|s| name.contains(s))
}

/// The text typed into a form: values with a space or a letter beyond ASCII (a note, a
/// message, a name in Arabic), not a list's choice or an id, and no secret.
fn typed_text(body: &[u8]) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| !kept_back(k))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| v.chars().any(|c| c.is_whitespace() || !c.is_ascii()))
        .collect()
}

#[derive(Template)]
#[template(path = "form_expired.html")]
struct FormExpiredPage {
    page: Page,
    typed: Vec<String>,
    back: String,
}

/// A form whose token no longer holds (the session ended while the page stayed open, or the
/// person signed out and in again elsewhere) is refused; what the person typed is shown back
/// so that it is not lost, with a link to the page the form was on. Only for a form posted
/// from this site (the cross-site check runs before), and only when some text was typed:
/// otherwise `None`, and the plain refusal.
fn expired_form(
    state: &AppState,
    parts: &axum::http::request::Parts,
    viewer: &Viewer,
    body: &[u8],
) -> Option<Response> {
    let typed = typed_text(body);
    if typed.is_empty() {
        return None;
    }
    let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
    // The page the form was on, from the browser's `Referer` (a path of this site only).
    let back = parts
        .headers
        .get(REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .and_then(|path| crate::accounts::safe_next(Some(path)))
        .unwrap_or_else(|| "/".to_owned());
    let view = FormExpiredPage {
        page: state.page(lang, &parts.uri, "error-csrf-failed-title", viewer),
        typed,
        back,
    };
    let html = render(&view).ok()?;
    // What was typed is the person's own: kept by no cache.
    let no_store = [(CACHE_CONTROL, "no-store")];
    Some(
        (
            StatusCode::FORBIDDEN,
            no_store,
            axum::Extension(OwnErrorPage),
            html,
        )
            .into_response(),
    )
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty()).then(|| v.to_owned())
    })
}

/// How much of a multipart body is read to find its first part; a form token is 64 bytes.
const FIRST_PART_LIMIT: usize = 8 * 1024;

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The first part's value when it is the form token: `None` while more bytes are needed,
/// `Some(None)` once the first part is complete but is something else.
fn first_part_token(buf: &[u8], boundary: &str) -> Option<Option<String>> {
    let delimiter = format!("--{boundary}");
    let start = find(buf, delimiter.as_bytes())? + delimiter.len();
    let rest = &buf[start..];
    let header_end = find(rest, b"\r\n\r\n")?;
    let value_start = header_end + 4;
    let value_len = find(&rest[value_start..], format!("\r\n{delimiter}").as_bytes())?;
    let headers = String::from_utf8_lossy(&rest[..header_end]);
    let is_token = headers.split("\r\n").any(|line| {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("content-disposition")
            && value.split(';').any(|p| {
                p.trim()
                    .strip_prefix("name=")
                    .is_some_and(|n| n.trim_matches('"') == csrf::FORM_FIELD)
            })
    });
    let value = &rest[value_start..value_start + value_len];
    Some(is_token.then(|| String::from_utf8_lossy(value).into_owned()))
}

/// Reads just enough of a multipart body to find its first part, and gives back the token
/// found there with the whole body, unchanged, for the route.
async fn first_part(boundary: &str, body: Body) -> Result<(Option<String>, Body), ()> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    let mut token = None;
    while buf.len() < FIRST_PART_LIMIT {
        match stream.next().await {
            Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(()),
            None => {
                token = first_part_token(&buf, boundary).flatten();
                break;
            }
        }
        if let Some(found) = first_part_token(&buf, boundary) {
            token = found;
            break;
        }
    }
    let head = futures_util::stream::once(async move { Ok::<_, axum::Error>(Bytes::from(buf)) });
    Ok((token, Body::from_stream(head.chain(stream))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_what_was_written_and_no_secret() {
        let body = b"csrf_token=abc&note=A+long+note&reject_reason=photo_unclear&name=%D9%84%D9%8A%D9%84%D9%89\
                     &current_password=my+secret+words&code=123+456&idempotency_key=01a2+x&priority=high";
        assert_eq!(typed_text(body), vec!["A long note", "ليلى"]);
    }

    #[test]
    fn the_token_is_read_from_the_first_part_only() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--XyZ--\r\n";
        assert_eq!(
            first_part_token(body.as_bytes(), "XyZ"),
            Some(Some("abc123".to_owned()))
        );
        // Incomplete: more bytes needed.
        assert_eq!(first_part_token(&body.as_bytes()[..60], "XyZ"), None);
        // A file named like the token field is not the token.
        let trick = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"csrf_token\"\r\n\r\nabc\r\n--XyZ--";
        assert_eq!(first_part_token(trick.as_bytes(), "XyZ"), Some(None));
        assert_eq!(
            multipart_boundary("multipart/form-data; boundary=\"----a b\""),
            Some("----a b".to_owned())
        );
        assert_eq!(multipart_boundary("multipart/mixed; boundary=x"), None);
        assert_eq!(multipart_boundary("multipart/form-data"), None);
    }
}
