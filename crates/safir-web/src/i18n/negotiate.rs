//! Choosing the language of a request.
//!
//! Order: an explicit `?lang=` on this request (the switcher's links), the
//! signed-in user's saved preference ([`PreferredLang`], put in the request
//! extensions by the session layer, which must therefore run outside
//! [`negotiate_language`]), the `lang` cookie, `Accept-Language`, then Arabic.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::Response;

use super::Lang;

/// Name of the cookie that remembers a visitor's choice.
pub const LANG_COOKIE: &str = "lang";

/// The signed-in user's saved language; the session layer inserts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreferredLang(pub Lang);

/// The language for a request, from its URI, headers and extensions.
pub fn negotiate(uri: &Uri, headers: &HeaderMap, extensions: &axum::http::Extensions) -> Lang {
    if let Some(lang) = query_lang(uri) {
        return lang;
    }
    if let Some(PreferredLang(lang)) = extensions.get::<PreferredLang>() {
        return *lang;
    }
    cookie_lang(headers)
        .or_else(|| accept_language(headers))
        .unwrap_or_default()
}

/// Middleware: puts the negotiated [`Lang`] in the request extensions and,
/// when `?lang=` chose it, remembers the choice in the `lang` cookie (the session
/// layer, `auth::session::load_viewer`, saves it as a signed-in user's language).
pub async fn negotiate_language(mut req: Request, next: Next) -> Response {
    let chosen = query_lang(req.uri());
    let lang = negotiate(req.uri(), req.headers(), req.extensions());
    req.extensions_mut().insert(lang);
    let mut response = next.run(req).await;
    if let Some(lang) = chosen {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(match parts.extensions.get::<Lang>() {
            Some(lang) => *lang,
            None => negotiate(&parts.uri, &parts.headers, &parts.extensions),
        })
    }
}

/// The language the reader chose on this device: `?lang=` on this request (the switcher's
/// links), else the `lang` cookie the switcher set. Pages about someone else's record in their
/// language (a check-in link) give way to this choice only.
pub fn chosen_lang(uri: &Uri, headers: &HeaderMap) -> Option<Lang> {
    query_lang(uri).or_else(|| cookie_lang(headers))
}

/// The language picked with `?lang=` on this request (the switcher's links), if any.
pub fn query_lang(uri: &Uri) -> Option<Lang> {
    uri.query()?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Lang::parse(value))
}

fn cookie_lang(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
}

/// The supported language with the highest q-value; on a tie the first listed.
fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let mut best: Option<(Lang, u16)> = None;
    let header = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else {
            continue;
        };
        // Parameter names are case-insensitive: `Q=0.1` is a weight too.
        let q = parts
            .filter_map(|p| {
                let (name, value) = p.trim().split_once('=')?;
                name.trim().eq_ignore_ascii_case("q").then_some(value)
            })
            .find_map(parse_q)
            .unwrap_or(1000);
        if q > 0 && best.is_none_or(|(_, best_q)| q > best_q) {
            best = Some((lang, q));
        }
    }
    best.map(|(lang, _)| lang)
}

/// A q-value in thousandths (`0.8` → 800), per RFC 9110 §12.4.2.
fn parse_q(value: &str) -> Option<u16> {
    let q: f32 = value.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Extensions;

    fn lang_for(uri: &str, headers: &[(&str, &str)], preferred: Option<Lang>) -> Lang {
        let uri: Uri = uri.parse().unwrap();
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let mut extensions = Extensions::new();
        if let Some(lang) = preferred {
            extensions.insert(PreferredLang(lang));
        }
        negotiate(&uri, &map, &extensions)
    }

    #[test]
    fn arabic_when_nothing_is_known() {
        assert_eq!(lang_for("/", &[], None), Lang::Ar);
        assert_eq!(
            lang_for("/", &[("accept-language", "fr, de;q=0.5")], None),
            Lang::Ar
        );
    }

    #[test]
    fn accept_language_honours_q_values() {
        let h = [("accept-language", "fr;q=1, ar;q=0.4, en-GB;q=0.8")];
        assert_eq!(lang_for("/", &h, None), Lang::En);
        let h = [("accept-language", "en;q=0.2, ar-EG")];
        assert_eq!(lang_for("/", &h, None), Lang::Ar);
        let h = [("accept-language", "en;q=0, *")];
        assert_eq!(lang_for("/", &h, None), Lang::Ar);
        // A weight's name in capitals is a weight all the same.
        let h = [("accept-language", "en;Q=0.1, ar;Q=0.9")];
        assert_eq!(lang_for("/", &h, None), Lang::Ar);
    }

    #[test]
    fn cookie_beats_accept_language() {
        let h = [("cookie", "theme=x; lang=en"), ("accept-language", "ar")];
        assert_eq!(lang_for("/", &h, None), Lang::En);
    }

    #[test]
    fn saved_preference_beats_cookie_but_not_explicit_choice() {
        let h = [("cookie", "lang=ar")];
        assert_eq!(lang_for("/", &h, Some(Lang::En)), Lang::En);
        assert_eq!(lang_for("/?lang=ar", &h, Some(Lang::En)), Lang::Ar);
    }

    #[test]
    fn unknown_query_value_is_ignored() {
        let h = [("cookie", "lang=en")];
        assert_eq!(lang_for("/?lang=xx", &h, None), Lang::En);
        assert_eq!(lang_for("/?page=2&lang=en", &[], None), Lang::En);
    }
}
