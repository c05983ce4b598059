//! Protections every request passes through: security headers, the CSRF
//! origin check and form tokens, the refusal of NUL characters, rate limits
//! and the client address.

pub mod client_ip;
pub mod csrf;
pub mod nul;
pub mod rate_limit;

use axum::extract::{Request, State};
use axum::http::header;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub use client_ip::{client_ip, limit_key};
pub use rate_limit::{
    Clock, IpRateLimit, ManualClock, RateLimiter, RetryAfter, SystemClock, limit_by_ip,
};

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; \
     base-uri 'none'";

/// What the security layers need from the configuration.
#[derive(Debug, Clone, Default)]
pub struct SecurityConfig {
    /// The site is served over HTTPS (directly or by a proxy): send HSTS.
    pub behind_tls: bool,
    /// The public origin, e.g. `https://mfa.example`; when unset, requests are
    /// checked against their own `Host` header.
    pub public_origin: Option<String>,
}

/// A route's answer that no browser cache or proxy may keep, whoever asks: a page that shows
/// personal data or a verdict that changes (a crisis check-in opened from a message, an
/// e-visa's check) to a visitor without a session, which [`security_headers`] does not mark.
/// For `axum::middleware::map_response(no_store)` on the route.
pub async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// Whether the answer may be written in the reader's language: an HTML page, a feed or a
/// JSON answer (the API's errors are in the caller's language). Static files are not.
fn is_localized(h: &HeaderMap) -> bool {
    h.get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            // Compared in place: this runs on every answer, the bare routes included.
            let t = t.trim_start().as_bytes();
            [
                "text/html",
                "application/atom+xml",
                "application/json",
                "application/problem+json",
            ]
            .iter()
            .any(|k| {
                t.get(..k.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(k.as_bytes()))
            })
        })
}

/// Middleware (`from_fn_with_state(config, security_headers)`): adds the
/// security headers to every response. An answer to a signed-in request (a session cookie or
/// an API token) may show personal data, so unless its handler said otherwise it is
/// `private, no-store`: no copy on a shared computer's disk or in a proxy.
pub async fn security_headers(
    State(config): State<SecurityConfig>,
    req: Request,
    next: Next,
) -> Response {
    let signed_in = req.headers().contains_key(header::AUTHORIZATION)
        || crate::auth::session::cookie_value(req.headers(), crate::auth::SESSION_COOKIE).is_some();
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if is_localized(h) {
        // Pages, feeds and API answers speak the reader's language, chosen by the `lang`
        // cookie or `Accept-Language` when the URL does not say: a shared cache keeps one copy
        // per such choice, never an Arabic page for an English reader.
        crate::compress::vary_on(h, &["Accept-Language", "Cookie"]);
    }
    if signed_in && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if config.behind_tls {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}
