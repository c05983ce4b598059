//! Gzip of responses, for the browsers and API clients that accept it: a page of the case
//! queue is 45 KB of HTML and about 7 KB gzipped, which is what an embassy's or a traveller's
//! slow link notices. Static files are compressed once and kept (see `assets`); everything
//! else whose type is text and whose whole body is known is compressed as it leaves, at a fast
//! level.
//!
//! **BREACH.** A compressed body's length tells an observer of the network how well the
//! secrets in it (a form token, an applicant's name) compress together with text that a third
//! party put into the same body (a search term in the address). A page a third-party site made
//! the browser load can therefore leak, one guess at a time, what the person signed in sees.
//! So a request that carries cookies is answered compressed only when the browser says that it
//! came from this site's own pages or from the person (`Sec-Fetch-Site: same-origin` or
//! `none`); a cross-site one, or one from a browser too old to say, is answered as it is.
//! Requests without cookies (the API's bearer tokens, feed readers, first visits) hold no
//! secret of anyone's session and are compressed.

use std::io::Write;

use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::error::AppError;

/// Bodies below this size are sent as they are: gzip's header and trailer take 18 bytes, and
/// a packet holds about 1,400.
pub const MIN_SIZE: u64 = 1_024;

/// The level of pages compressed as they leave: 1, the fastest, gives 45 KB of the case
/// queue in 7.3 KB; 6 gives 5.5 KB for four times the CPU.
const PAGE_LEVEL: u32 = 1;

/// Middleware: compresses the response when the client accepts gzip, the body is text of a
/// known size of at least [`MIN_SIZE`], and the request is not one a third-party site could
/// have made with the person's cookies (see the module's note on BREACH). Adds `Vary:
/// Accept-Encoding` to every response of a compressible type, compressed or not.
pub async fn compress(req: Request, next: Next) -> Response {
    let wanted = wants_gzip(&req);
    encode(wanted, next.run(req).await).await
}

/// Whether the answer to `req` may go gzipped: the client accepts it, no third-party site can
/// have made the request with the person's cookies, and it is not a HEAD.
pub fn wants_gzip(req: &Request) -> bool {
    accepts_gzip(req.headers()) && may_compress(req.headers()) && req.method() != Method::HEAD
}

/// `response` gzipped when `wanted` (see [`wants_gzip`]) and it is text of a known size of at
/// least [`MIN_SIZE`], not already encoded; `Vary: Accept-Encoding` on every text answer.
pub async fn encode(wanted: bool, mut response: Response) -> Response {
    if !compressible_type(response.headers()) {
        return response;
    }
    vary_on_encoding(response.headers_mut());
    let size = response.body().size_hint().exact();
    let eligible = wanted
        && !response.headers().contains_key(header::CONTENT_ENCODING)
        && !response.headers().contains_key(header::CONTENT_RANGE)
        && !matches!(
            response.status(),
            StatusCode::NO_CONTENT | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
        )
        && size.is_some_and(|s| s >= MIN_SIZE);
    if !eligible {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The size is known, so the body is whole in memory: this cannot wait on a client.
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => return AppError::internal(e).into_response(),
    };
    let gzipped = match gzip(&bytes, PAGE_LEVEL) {
        Ok(gzipped) => gzipped,
        Err(e) => return AppError::internal(e).into_response(),
    };
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Some(tag) = parts.headers.get(header::ETAG) {
        // Another representation, another tag (RFC 9110, 8.8.3); one that cannot be read or
        // rewritten is dropped.
        let tag = tag.to_str().ok().and_then(gzip_etag);
        match tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
            Some(tag) => parts.headers.insert(header::ETAG, tag),
            None => parts.headers.remove(header::ETAG),
        };
    }
    Response::from_parts(parts, Body::from(gzipped))
}

/// `bytes` in the gzip format at `level` (0–9).
pub fn gzip(bytes: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4 + 64),
        Compression::new(level),
    );
    encoder.write_all(bytes)?;
    encoder.finish()
}

/// The entity tag of the gzipped representation of the one tagged `tag`: `"abc"` →
/// `"abc-gzip"`, `W/"abc"` → `W/"abc-gzip"`; `None` for a value that is not a quoted tag.
pub fn gzip_etag(tag: &str) -> Option<String> {
    tag.strip_suffix('"').map(|open| format!("{open}-gzip\""))
}

/// Whether `Accept-Encoding` lets the answer be gzip: `gzip` (or `x-gzip`, or `*` when gzip
/// is not named) with a weight above zero. A weight that cannot be read is not a yes.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut star = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let weight = parts
                .find_map(|p| {
                    let (name, value) = p.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("q")
                        .then(|| value.trim().parse::<f32>().ok())
                })
                .unwrap_or(Some(1.0));
            let yes = weight.is_some_and(|w| w > 0.0 && w <= 1.0);
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                return yes;
            }
            if coding == "*" {
                star = yes;
            }
        }
    }
    star
}

/// Whether an answer to a request with these headers may be compressed without letting a
/// third party measure the person's secrets (the module's note on BREACH).
pub fn may_compress(headers: &HeaderMap) -> bool {
    if !headers.contains_key(header::COOKIE) {
        return true;
    }
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site == "same-origin" || site == "none")
}

/// Text of any kind: HTML, CSS, scripts, JSON, XML (feeds, CAP, ActivityPub), CSV, calendars,
/// SVG. Not event streams (never whole) nor images, PDFs and archives (compressed already).
pub fn compressible_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    // Compared without regard to case and without a lowered copy: this runs on every answer.
    let mime = value.split(';').next().unwrap_or("").trim().as_bytes();
    let is = |name: &str| mime.eq_ignore_ascii_case(name.as_bytes());
    let starts =
        |p: &str| mime.len() >= p.len() && mime[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let ends = |p: &str| {
        mime.len() >= p.len() && mime[mime.len() - p.len()..].eq_ignore_ascii_case(p.as_bytes())
    };
    if is("text/event-stream") {
        return false;
    }
    starts("text/")
        || ends("+json")
        || ends("+xml")
        || [
            "application/json",
            "application/xml",
            "application/javascript",
        ]
        .into_iter()
        .any(is)
}

/// Adds `Accept-Encoding` to the response's `Vary`, once.
pub fn vary_on_encoding(headers: &mut HeaderMap) {
    vary_on(headers, &["Accept-Encoding"]);
}

/// Adds each of `names` the response's `Vary` does not hold yet (nor `*`), keeping one
/// header: the names already there, then these.
pub fn vary_on(headers: &mut HeaderMap, names: &[&str]) {
    let mut all: Vec<&str> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if all.contains(&"*") {
        return;
    }
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !all.iter().any(|a| a.eq_ignore_ascii_case(n)))
        .collect();
    if missing.is_empty() {
        return;
    }
    all.extend(missing);
    if let Ok(v) = HeaderValue::from_str(&all.join(", ")) {
        headers.insert(header::VARY, v);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use axum::Router;
    use axum::routing::get;
    use flate2::read::GzDecoder;
    use tower::ServiceExt;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let yes = |v: &'static str| accepts_gzip(&headers(&[("accept-encoding", v)]));
        assert!(yes("gzip"));
        assert!(yes("gzip, deflate, br, zstd"));
        assert!(yes("br;q=1.0, GZIP;q=0.5"));
        assert!(yes("x-gzip"));
        assert!(yes("*"));
        assert!(yes("br, *;q=0.1"));
        assert!(!yes("gzip;q=0"));
        assert!(!yes("gzip;q=0.0, *"));
        assert!(!yes("br, deflate"));
        assert!(!yes("identity"));
        assert!(!yes("*;q=0"));
        assert!(!yes("gzip;q=abc"));
        assert!(!yes("gzip;q=2"));
        assert!(!yes(""));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn only_requests_no_third_party_could_have_made_with_cookies_are_compressed() {
        assert!(may_compress(&HeaderMap::new()));
        assert!(may_compress(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(may_compress(&headers(&[
            ("cookie", "safir_session=x"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(may_compress(&headers(&[
            ("cookie", "safir_session=x"),
            ("sec-fetch-site", "none")
        ])));
        for site in ["cross-site", "same-site", "nonsense"] {
            let h = headers(&[("cookie", "safir_session=x"), ("sec-fetch-site", site)]);
            assert!(!may_compress(&h), "{site}");
        }
        assert!(!may_compress(&headers(&[("cookie", "safir_session=x")])));
    }

    #[test]
    fn text_types_are_compressible_and_the_others_are_not() {
        for t in [
            "text/html; charset=utf-8",
            "text/css",
            "text/csv; charset=utf-8",
            "text/calendar",
            "application/json",
            "application/activity+json",
            "application/atom+xml; charset=utf-8",
            "application/problem+json",
            "image/svg+xml",
            "Text/HTML",
        ] {
            assert!(compressible_type(&headers(&[("content-type", t)])), "{t}");
        }
        for t in [
            "image/png",
            "application/pdf",
            "application/octet-stream",
            "text/event-stream",
        ] {
            assert!(!compressible_type(&headers(&[("content-type", t)])), "{t}");
        }
        assert!(!compressible_type(&HeaderMap::new()));
    }

    #[test]
    fn tags_of_the_gzipped_form_differ() {
        assert_eq!(gzip_etag("\"abc\"").unwrap(), "\"abc-gzip\"");
        assert_eq!(gzip_etag("W/\"abc\"").unwrap(), "W/\"abc-gzip\"");
        assert!(gzip_etag("abc").is_none());
    }

    #[test]
    fn vary_names_accept_encoding_once() {
        let mut h = headers(&[("vary", "Cookie")]);
        vary_on_encoding(&mut h);
        vary_on_encoding(&mut h);
        let all: Vec<_> = h.get_all("vary").iter().collect();
        assert_eq!(all, ["Cookie, Accept-Encoding"]);
    }

    fn page() -> String {
        "<p>سفارة — embassy</p>\n".repeat(200)
    }

    fn app() -> Router {
        Router::new()
            .route("/page", get(|| async { axum::response::Html(page()) }))
            .route(
                "/small",
                get(|| async { axum::response::Html("<p>hi</p>") }),
            )
            .route(
                "/png",
                get(|| async { ([(header::CONTENT_TYPE, "image/png")], vec![0u8; 4_096]) }),
            )
            .route(
                "/stream",
                get(|| async {
                    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(page())]);
                    (
                        [(header::CONTENT_TYPE, "text/plain")],
                        Body::from_stream(chunks),
                    )
                }),
            )
            .route(
                "/tagged",
                get(|| async { ([(header::ETAG, "\"v1\"")], axum::response::Html(page())) }),
            )
            .layer(axum::middleware::from_fn(compress))
    }

    async fn fetch(method: Method, uri: &str, pairs: &[(&str, &str)]) -> Response {
        let mut req = Request::builder().method(method).uri(uri);
        for (name, value) in pairs {
            req = req.header(*name, *value);
        }
        app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    async fn body(response: Response) -> Vec<u8> {
        to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    fn gunzip(bytes: &[u8]) -> String {
        let mut out = String::new();
        GzDecoder::new(bytes).read_to_string(&mut out).unwrap();
        out
    }

    #[tokio::test]
    async fn a_page_is_gzipped_for_a_client_that_accepts_it_and_reads_back_the_same() {
        let response = fetch(Method::GET, "/page", &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert_eq!(response.headers()["vary"], "Accept-Encoding");
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8"
        );
        let bytes = body(response).await;
        assert!(bytes.len() * 5 < page().len(), "{} bytes", bytes.len());
        assert_eq!(gunzip(&bytes), page());
    }

    #[tokio::test]
    async fn a_cross_site_request_with_cookies_gets_the_page_as_it_is() {
        for site in [Some("cross-site"), Some("same-site"), None] {
            let mut pairs = vec![("accept-encoding", "gzip"), ("cookie", "safir_session=x")];
            if let Some(site) = site {
                pairs.push(("sec-fetch-site", site));
            }
            let response = fetch(Method::GET, "/page", &pairs).await;
            assert!(
                response.headers().get("content-encoding").is_none(),
                "{site:?}"
            );
            assert_eq!(response.headers()["vary"], "Accept-Encoding");
            assert_eq!(body(response).await, page().as_bytes());
        }
        let response = fetch(
            Method::GET,
            "/page",
            &[
                ("accept-encoding", "gzip"),
                ("cookie", "safir_session=x"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
        assert_eq!(response.headers()["content-encoding"], "gzip");
        assert_eq!(gunzip(&body(response).await), page());
    }

    #[tokio::test]
    async fn what_is_not_worth_it_or_not_whole_is_sent_as_it_is() {
        let gzip = [("accept-encoding", "gzip")];
        let response = fetch(Method::GET, "/page", &[]).await;
        assert!(response.headers().get("content-encoding").is_none());
        assert_eq!(response.headers()["vary"], "Accept-Encoding");
        for uri in ["/small", "/png", "/stream"] {
            let response = fetch(Method::GET, uri, &gzip).await;
            assert!(
                response.headers().get("content-encoding").is_none(),
                "{uri}"
            );
            assert_eq!(response.status(), StatusCode::OK);
        }
        let response = fetch(Method::GET, "/png", &gzip).await;
        assert!(response.headers().get("vary").is_none());
        assert_eq!(body(response).await.len(), 4_096);
        let response = fetch(Method::GET, "/stream", &gzip).await;
        assert_eq!(body(response).await, page().as_bytes());
        let response = fetch(Method::HEAD, "/page", &gzip).await;
        assert!(response.headers().get("content-encoding").is_none());
    }

    #[tokio::test]
    async fn a_tagged_page_gets_the_tag_of_its_gzipped_form() {
        let response = fetch(Method::GET, "/tagged", &[("accept-encoding", "gzip")]).await;
        assert_eq!(response.headers()["etag"], "\"v1-gzip\"");
        let response = fetch(Method::GET, "/tagged", &[]).await;
        assert_eq!(response.headers()["etag"], "\"v1\"");
    }
}
