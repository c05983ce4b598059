//! Static files embedded in the binary, served under
//! `/static/<content hash>/<name>` so they can be cached for a year: a new
//! build changes the hash and therefore the URL.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/app.css"),
    },
    Asset {
        name: "vendor/htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/vendor/htmx.min.js"),
    },
    Asset {
        name: "vendor/htmx.LICENSE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../static/vendor/htmx.LICENSE"),
    },
    Asset {
        name: "consular/autosave.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/consular/autosave.js"),
    },
    Asset {
        name: "locate.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/locate.js"),
    },
];

/// First 16 hex digits of each file's SHA-256, computed once.
static HASHES: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|f| hex::encode(&Sha256::digest(f.bytes)[..8]))
        .collect()
});

/// Each file gzipped at the best level, compressed once on first use, where that makes it
/// smaller (`None` for the others: a licence text of a few hundred bytes).
static GZIPPED: LazyLock<Vec<Option<Vec<u8>>>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|f| {
            crate::compress::gzip(f.bytes, 9)
                .ok()
                .filter(|gz| gz.len() < f.bytes.len())
        })
        .collect()
});

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The URL of the embedded file `name` (e.g. `"app.css"`). An unknown name
/// still yields a URL, which answers 404, so a typo shows up in tests.
pub fn url(name: &str) -> String {
    match FILES.iter().position(|f| f.name == name) {
        Some(i) => format!("/static/{}/{name}", HASHES[i]),
        None => {
            tracing::warn!(name, "unknown static asset");
            format!("/static/missing/{name}")
        }
    }
}

/// Routes for the embedded files; merge into the application router.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/static/{hash}/{*name}", get(serve))
}

async fn serve(Path((hash, name)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let Some(i) = FILES.iter().position(|f| f.name == name) else {
        return AppError::NotFound.into_response();
    };
    let file = &FILES[i];
    // Compressed once and kept, so a stylesheet costs no CPU to compress per request (the
    // middleware in `compress` leaves a body that has an encoding alone). Static files hold
    // no one's secret: no BREACH check.
    let gzipped = GZIPPED[i]
        .as_deref()
        .filter(|_| crate::compress::accepts_gzip(&headers));
    let plain_tag = format!("\"{}\"", HASHES[i]);
    let etag = match gzipped {
        Some(_) => crate::compress::gzip_etag(&plain_tag).unwrap_or(plain_tag),
        None => plain_tag,
    };
    // A page rendered by an older build may ask for an old hash: answer with
    // the current file, but do not let it be cached under the old URL.
    let cache = if hash == HASHES[i] {
        IMMUTABLE
    } else {
        "no-cache"
    };
    let not_modified = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match gzipped {
            Some(gz) => gz.into_response(),
            None => file.bytes.into_response(),
        }
    };
    let h = response.headers_mut();
    if gzipped.is_some() {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stylesheet without its comments.
    fn without_comments(css: &str) -> String {
        let mut text = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            rest = rest[start..]
                .split_once("*/")
                .map_or("", |(_, after)| after);
        }
        text.push_str(rest);
        text
    }

    /// Every `property: value` declaration in a stylesheet, comments removed.
    fn declarations(css: &str) -> Vec<(String, String)> {
        without_comments(css)
            .split(['{', '}', ';'])
            .filter_map(|d| d.split_once(':'))
            .map(|(p, v)| (p.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
            .filter(|(p, _)| !p.is_empty() && !p.contains(' ') && !p.starts_with('@'))
            .collect()
    }

    #[test]
    fn the_check_catches_physical_directions() {
        let bad = declarations("a { margin-left: 1em } b { text-align: right; float: left }");
        assert_eq!(bad.len(), 3);
        assert!(
            declarations("/* left: 0 */ a { color: red }")
                .iter()
                .all(|(p, _)| p == "color")
        );
    }

    #[test]
    fn css_uses_logical_properties_only() {
        let css = std::str::from_utf8(FILES[0].bytes).unwrap();
        let found = declarations(css);
        assert!(found.len() > 20, "the parser found the declarations");
        for (property, value) in found {
            let physical_property = property.split('-').any(|w| w == "left" || w == "right");
            let physical_value = value
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .any(|w| w == "left" || w == "right");
            assert!(
                !physical_property && !physical_value,
                "physical direction in `{property}: {value}`; use inline-start/end"
            );
        }
    }

    /// Where `css` (comments removed) opens a block inside a style rule rather than inside
    /// an at-rule such as `@media`, or leaves a block open or closes one never opened: with
    /// CSS nesting, a missing `}` silently moves every later rule inside the one before it.
    fn misnested(css: &str) -> Vec<String> {
        let text = without_comments(css);
        let mut problems = Vec::new();
        // For each open block: whether it is an at-rule's (which may hold rules).
        let mut open: Vec<bool> = Vec::new();
        let mut prelude = String::new();
        for c in text.chars() {
            match c {
                '{' => {
                    let selector = prelude.trim().to_owned();
                    if open.last() == Some(&false) {
                        problems.push(format!("`{selector}` is inside a style rule"));
                    }
                    open.push(selector.starts_with('@'));
                    prelude.clear();
                }
                '}' => {
                    if open.pop().is_none() {
                        problems.push("a `}` closes no block".to_owned());
                    }
                    prelude.clear();
                }
                ';' => prelude.clear(),
                c => prelude.push(c),
            }
        }
        if !open.is_empty() {
            problems.push(format!("{} block(s) left open", open.len()));
        }
        problems
    }

    #[test]
    fn every_rule_of_the_stylesheet_is_closed_and_none_nested() {
        assert_eq!(
            misnested("a { color: red } @media print { a { color: black } }"),
            Vec::<String>::new()
        );
        // The missing `}` of `a`: `b` becomes part of `a`.
        let found = misnested("a { color: red\n/* b */ b { color: blue } }");
        assert!(
            found.len() == 1 && found[0].ends_with("b` is inside a style rule"),
            "{found:?}"
        );
        assert_eq!(
            misnested("@media print { a { color: red }"),
            vec!["1 block(s) left open".to_owned()]
        );
        let css = std::str::from_utf8(FILES[0].bytes).unwrap();
        assert_eq!(misnested(css), Vec::<String>::new());
    }

    #[test]
    fn urls_carry_the_content_hash() {
        let css = url("app.css");
        assert!(css.starts_with("/static/") && css.ends_with("/app.css"));
        assert_eq!(css.len(), "/static//app.css".len() + 16);
        let hash = |u: String| u.split('/').nth(2).unwrap().to_owned();
        assert_ne!(hash(url("app.css")), hash(url("vendor/htmx.min.js")));
    }

    #[test]
    fn htmx_is_the_real_library_with_its_licence() {
        let js = std::str::from_utf8(FILES[1].bytes).unwrap();
        assert!(js.len() > 30_000 && js.contains("htmx"));
        let licence = std::str::from_utf8(FILES[2].bytes).unwrap();
        assert!(licence.contains("Zero-Clause BSD"));
    }
}
