//! Cross-site request forgery defence in two parts: [`check_origin`] refuses
//! state-changing requests sent from another site (by `Sec-Fetch-Site` and
//! `Origin`), and a per-session form token ([`token`], [`verify`]) that form
//! extractors check. API calls with a bearer token carry no form token: a
//! browser never adds that header by itself, but they still pass the origin
//! check.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN, REFERER};
use axum::http::{HeaderMap, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::SecurityConfig;
use crate::error::AppError;

/// Name of the hidden form field that carries the token.
pub const FORM_FIELD: &str = "csrf_token";

type HmacSha256 = Hmac<Sha256>;

/// The key of the form tokens, kept as HMAC-SHA256 already keyed and fed the tokens' prefix:
/// each token then costs the hashing of its session id only (pages draw one or more on every
/// view), not the key's set-up again.
#[derive(Clone)]
pub struct FormTokens {
    keyed: HmacSha256,
}

impl std::fmt::Debug for FormTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormTokens").finish_non_exhaustive()
    }
}

impl FormTokens {
    pub fn new(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut keyed = HmacSha256::new_from_slice(secret).expect("HMAC takes any key length");
        keyed.update(b"safir-csrf-v1\0");
        Self { keyed }
    }

    fn mac(&self, session_id: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(session_id.as_bytes());
        mac
    }

    /// The form token for a session: hex HMAC-SHA256 of the session id.
    pub fn token(&self, session_id: &str) -> String {
        hex::encode(self.mac(session_id).finalize().into_bytes())
    }

    /// Whether `candidate` is this session's token, compared in constant time.
    pub fn verify(&self, session_id: &str, candidate: &str) -> bool {
        match hex::decode(candidate.trim()) {
            Ok(bytes) => self.mac(session_id).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// Whether the request authenticates with `Authorization: Bearer …` (the API),
/// which exempts it from the form token.
pub fn is_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.is_empty())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a request may change state, judged by where it was sent from.
pub fn origin_allowed(method: &Method, headers: &HeaderMap, config: &SecurityConfig) -> bool {
    if is_safe(method) {
        return true;
    }
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN) else {
        // Old browsers and non-browser clients send no Origin; the form token
        // (or bearer token) still protects them.
        return true;
    };
    origin
        .to_str()
        .is_ok_and(|origin| is_this_origin(origin, headers, config))
}

/// Whether `origin` (`scheme://host[:port]`) is this site's: the configured public origin,
/// or when none is configured the request's own `Host`.
fn is_this_origin(origin: &str, headers: &HeaderMap, config: &SecurityConfig) -> bool {
    match &config.public_origin {
        Some(expected) => origin.eq_ignore_ascii_case(expected.trim_end_matches('/')),
        None => {
            let host = headers.get(HOST).and_then(|v| v.to_str().ok());
            let origin_host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
        }
    }
}

/// Whether a page request was made from this site's own pages, or typed or bookmarked by the
/// user, rather than followed from another site. Used before a GET is allowed a lasting side
/// effect (the language switcher saving a signed-in user's choice), which a link on another
/// site must not trigger. Browsers say where the request came from in `Sec-Fetch-Site`; older
/// ones are judged by the `Referer`'s origin; a request with neither (a non-browser client, a
/// referrer the user's browser withholds) counts as the user's own.
pub fn sent_from_this_site(headers: &HeaderMap, config: &SecurityConfig) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.to_str().is_ok_and(|s| {
            s.eq_ignore_ascii_case("same-origin") || s.eq_ignore_ascii_case("none")
        });
    }
    let Some(referer) = headers.get(REFERER) else {
        return true;
    };
    let Ok(referer) = referer.to_str() else {
        return false;
    };
    // The origin is what comes before the path, the query or the fragment.
    let origin = referer.find("://").map_or(referer, |scheme_end| {
        let rest = &referer[scheme_end + 3..];
        let end = rest
            .find(['/', '?', '#'])
            .map_or(referer.len(), |i| scheme_end + 3 + i);
        &referer[..end]
    });
    is_this_origin(origin, headers, config)
}

/// Middleware (`from_fn_with_state(config, check_origin)`): refuses
/// cross-site state-changing requests with `csrf_failed`, and drops the "it was done" notice
/// from a page's address opened from elsewhere ([`drop_foreign_notices`]).
pub async fn check_origin(
    State(config): State<SecurityConfig>,
    mut req: Request,
    next: Next,
) -> Response {
    if origin_allowed(req.method(), req.headers(), &config) {
        drop_foreign_notices(&mut req);
        next.run(req).await
    } else {
        tracing::info!(method = %req.method(), path = req.uri().path(), "cross-site request refused");
        AppError::CsrfFailed.into_response()
    }
}

/// The query parameters by which a page says something was just done: the site redirects to
/// `…?notice=withdrawn` or `…?done=revoked` after the action, and the page shows it.
pub(crate) const NOTICE_PARAMS: [&str; 2] = ["notice", "done"];

/// Drops the "it was done" notice from an address opened from elsewhere. Such an address,
/// followed from another site or an e-mail, or typed in, would show "your application was
/// withdrawn" for nothing done. Browsers say where a navigation came from
/// (`Sec-Fetch-Site`); the notice is kept when it came from the site itself (`same-origin`,
/// the redirect after the action) or when the browser does not say (older browsers).
pub fn drop_foreign_notices(req: &mut Request) {
    let foreign = req.method() == Method::GET
        && req
            .headers()
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() != b"same-origin");
    if foreign
        && let Some(query) = req.uri().query()
        && (query.contains('%') || NOTICE_PARAMS.iter().any(|p| query.contains(p)))
        && let Some(uri) = without_notices(req.uri())
    {
        *req.uri_mut() = uri;
    }
}

/// `uri` without its notice parameters, named however they are written (`%6Eotice` is the
/// `notice` the page reads); `None` when it has none, or cannot be rebuilt.
fn without_notices(uri: &Uri) -> Option<Uri> {
    let query = uri.query()?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if !pairs
        .iter()
        .any(|(k, _)| NOTICE_PARAMS.contains(&k.as_str()))
    {
        return None;
    }
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            pairs
                .iter()
                .filter(|(k, _)| !NOTICE_PARAMS.contains(&k.as_str())),
        )
        .finish();
    let path_and_query = if kept.is_empty() {
        uri.path().to_owned()
    } else {
        format!("{}?{kept}", uri.path())
    };
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(path_and_query.parse().ok()?);
    Uri::from_parts(parts).ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    const SECRET: &[u8] = b"a secret of the server, 32 bytes";

    #[test]
    fn tokens_are_bound_to_session_and_secret() {
        let keys = FormTokens::new(SECRET);
        let t = keys.token("session-1");
        assert_eq!(t.len(), 64);
        assert!(keys.verify("session-1", &t));
        assert!(keys.verify("session-1", &format!(" {t}\n")));
        assert!(!keys.verify("session-2", &t));
        assert!(!FormTokens::new(b"another secret").verify("session-1", &t));
        assert!(!keys.verify("session-1", &t[..62]));
        assert!(!keys.verify("session-1", "not hex"));
        assert!(!keys.verify("session-1", ""));
        // The same token as HMAC-SHA256 of prefix and session id, computed in one go: the
        // keyed state is a shortcut, not another token (forms open before an upgrade still
        // send what the server accepts after it).
        let mut whole = HmacSha256::new_from_slice(SECRET).unwrap();
        whole.update(b"safir-csrf-v1\0session-1");
        assert_eq!(t, hex::encode(whole.finalize().into_bytes()));
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    /// Served behind a proxy with its public origin configured.
    fn pinned() -> SecurityConfig {
        SecurityConfig {
            public_origin: Some("https://mfa.example/".into()),
            ..SecurityConfig::default()
        }
    }

    #[test]
    fn origin_must_match_host_or_configured_origin() {
        let open = SecurityConfig::default();
        let post = Method::POST;
        let same = headers(&[("host", "mfa.example"), ("origin", "https://mfa.example")]);
        assert!(origin_allowed(&post, &same, &open));
        let other = headers(&[("host", "mfa.example"), ("origin", "https://evil.example")]);
        assert!(!origin_allowed(&post, &other, &open));
        let null = headers(&[("host", "mfa.example"), ("origin", "null")]);
        assert!(!origin_allowed(&post, &null, &open));
        assert!(origin_allowed(&Method::GET, &other, &open));

        let pinned = pinned();
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://mfa.example"),
        ]);
        assert!(origin_allowed(&post, &proxied, &pinned));
        assert!(!origin_allowed(&post, &proxied, &open));
    }

    #[test]
    fn cross_site_fetch_is_refused_even_for_bearer_calls() {
        let h = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("authorization", "Bearer abc"),
        ]);
        assert!(is_bearer(&h));
        assert!(!origin_allowed(
            &Method::DELETE,
            &h,
            &SecurityConfig::default()
        ));
        let h = headers(&[("sec-fetch-site", "same-origin")]);
        assert!(origin_allowed(
            &Method::POST,
            &h,
            &SecurityConfig::default()
        ));
        assert!(!is_bearer(&headers(&[("authorization", "Basic abc")])));
    }

    #[test]
    fn a_page_request_is_judged_by_where_it_was_sent_from() {
        let open = SecurityConfig::default();
        let from = |pairs| sent_from_this_site(&headers(pairs), &open);
        // Fetch metadata decides when the browser sends it.
        assert!(from(&[("sec-fetch-site", "same-origin")]));
        assert!(from(&[("sec-fetch-site", "none")]));
        assert!(!from(&[("sec-fetch-site", "cross-site")]));
        assert!(!from(&[("sec-fetch-site", "same-site")]));
        assert!(!from(&[
            ("sec-fetch-site", "cross-site"),
            ("host", "mfa.example"),
            ("referer", "https://mfa.example/account"),
        ]));
        // Otherwise the referrer's origin, against the host or the configured origin.
        assert!(from(&[
            ("host", "mfa.example"),
            ("referer", "https://mfa.example/account?lang=ar#top")
        ]));
        assert!(from(&[
            ("host", "mfa.example"),
            ("referer", "https://mfa.example")
        ]));
        assert!(!from(&[
            ("host", "mfa.example"),
            ("referer", "https://evil.example/mfa.example/")
        ]));
        assert!(!from(&[
            ("host", "mfa.example"),
            ("referer", "https://mfa.example.evil.example/")
        ]));
        assert!(!from(&[("host", "mfa.example"), ("referer", "not a url")]));
        // Neither: a non-browser client or a withheld referrer.
        assert!(from(&[("host", "mfa.example")]));

        let pinned = pinned();
        let proxied = headers(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "https://mfa.example/consular"),
        ]);
        assert!(sent_from_this_site(&proxied, &pinned));
        assert!(!sent_from_this_site(&proxied, &open));
    }

    #[test]
    fn notices_leave_the_address_and_the_rest_stays() {
        let strip = |u: &str| without_notices(&u.parse().unwrap()).map(|u| u.to_string());
        assert_eq!(
            strip("/account/cases/1?notice=withdrawn"),
            Some("/account/cases/1".into())
        );
        assert_eq!(
            strip("/evisas/1?lang=en&done=revoked"),
            Some("/evisas/1?lang=en".into())
        );
        assert_eq!(strip("/missions/PAR/cases?state=closed"), None);
        assert_eq!(
            strip("/x?abandoned=1"),
            None,
            "only the parameters themselves"
        );
    }
}
