//! Turning an [`ErrorInfo`] into what the client reads: problem+json for the
//! API and for clients that ask for JSON, an HTML page otherwise.

use askama::Template;
use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use fluent_bundle::FluentArgs;
use serde_json::json;

use super::{AppError, ErrorInfo};
use crate::i18n::{I18n, Lang, negotiate};
use crate::page::Page;

/// Marks a response whose body already is the page to show for its error status, such as
/// a rejected form shown again with what the user typed and a message beside each field:
/// [`error_pages`] passes it through unchanged.
#[derive(Debug, Clone, Copy)]
pub struct OwnErrorPage;

/// Marks an HTML error page of [`error_pages`], which cannot know who asked: the viewer's
/// layer outside it draws the page with the header every page has, a signed-in user's account
/// or a visitor's sign-in links ([`html_page_for`]). Without that layer (see
/// [`DrawsErrorPages`]) the error layer's own page, with a visitor's header, is the answer.
#[derive(Debug, Clone)]
pub struct DrawnErrorPage {
    pub lang: Lang,
    pub uri: Uri,
}

/// Put among a request's extensions by a layer outside [`error_pages`] that draws every
/// [`DrawnErrorPage`] itself, with the viewer's header: the error layer then leaves the HTML
/// page's body to that layer instead of drawing a page that would be thrown away.
#[derive(Debug, Clone, Copy)]
pub struct DrawsErrorPages;

/// Middleware: renders every error response in the client's format and
/// language. Install it outside the language layer and the router's layers.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let lang = req
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_else(|| negotiate(req.uri(), req.headers(), req.extensions()));
    let json = wants_json(req.uri(), req.headers());
    let drawn_outside = req.extensions().get::<DrawsErrorPages>().is_some();
    let uri = req.uri().clone();
    let response = next.run(req).await;

    if response.extensions().get::<OwnErrorPage>().is_some() {
        return response;
    }
    let status = response.status();
    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if status.is_client_error() || status.is_server_error() => {
            AppError::from(status).into_info()
        }
        None => return response,
    };
    let (old, _) = response.into_parts();
    let mut fresh = if drawn_outside && !json {
        // Status and headers now, the page itself outside (see [`DrawsErrorPages`]).
        finish(Response::default(), &info)
    } else {
        render_error(&info, lang, &uri, json)
    };
    if !json {
        fresh.extensions_mut().insert(DrawnErrorPage {
            lang,
            uri: uri.clone(),
        });
    }
    // Keep what the inner layers said about the response (Allow, Set-Cookie, …)
    // except its description of the old body.
    keep_headers(&old.headers, &mut fresh);
    fresh.extensions_mut().insert(info);
    fresh
}

/// API paths and clients that prefer JSON get problem+json.
pub fn wants_json(uri: &Uri, headers: &HeaderMap) -> bool {
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        return true;
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("json") && !accept.contains("text/html")
}

/// Copies onto `fresh` the headers of an error response it replaces, but those `fresh` sets
/// itself and those that described the old body (its length, its compression by a layer
/// inside).
pub fn keep_headers(old: &HeaderMap, fresh: &mut Response) {
    for name in old.keys() {
        if !fresh.headers().contains_key(name)
            && name != header::CONTENT_LENGTH
            && name != header::CONTENT_ENCODING
        {
            for value in old.get_all(name) {
                fresh.headers_mut().append(name.clone(), value.clone());
            }
        }
    }
}

/// The error as problem+json or an HTML page in `lang`.
pub fn render_error(info: &ErrorInfo, lang: Lang, uri: &Uri, json: bool) -> Response {
    let response = if json {
        problem_json(info, lang, uri)
    } else {
        html_page(info, lang, uri)
    };
    finish(response, info)
}

/// The error page of `info` with the header `page` (the viewer's account or sign-in
/// links), with the status and headers [`render_error`] gives it.
pub fn html_page_for(info: &ErrorInfo, lang: Lang, page: Page) -> Response {
    finish(html_with(info, lang, page), info)
}

/// The challenge of a `401`, which must name how to authenticate (RFC 9110 §11.6.1): the API
/// takes bearer tokens (RFC 6750); a browser signs in through the sign-in page, and no browser
/// shows a prompt for this scheme.
pub const BEARER_CHALLENGE: &str = r#"Bearer realm="safir""#;

/// The challenge when a bearer token was given and is unknown, revoked or expired.
pub const INVALID_TOKEN_CHALLENGE: &str = r#"Bearer realm="safir", error="invalid_token""#;

/// The error's status, `Retry-After`, the challenge of a `401` and no caching, on its rendered
/// body.
fn finish(mut response: Response, info: &ErrorInfo) -> Response {
    *response.status_mut() = info.status;
    if info.status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(BEARER_CHALLENGE),
        );
    }
    if let Some(secs) = info.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    // An error must never be cached in place of the page it stands for; it is in the
    // reader's language, as every page (see `security::security_headers`), also when it is
    // drawn again outside that layer with the viewer's header.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    crate::compress::vary_on(response.headers_mut(), &["Accept-Language", "Cookie"]);
    response
}

fn problem_json(info: &ErrorInfo, lang: Lang, uri: &Uri) -> Response {
    let errors: Vec<_> = info
        .fields
        .iter()
        .map(|e| json!({ "field": e.field, "code": e.code, "message": e.message(lang) }))
        .collect();
    let mut body = json!({
        "type": format!("/problems/{}", info.code),
        "title": info.title(lang),
        "status": info.status.as_u16(),
        "detail": detail_with_reference(info, lang),
        "code": info.code,
        "instance": uri.path(),
        "errors": errors,
    });
    if let Some(reference) = &info.reference {
        body["reference"] = json!(reference);
    }
    let mut response = body.to_string().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    response
}

fn detail_with_reference(info: &ErrorInfo, lang: Lang) -> String {
    match &info.reference {
        Some(reference) => format!("{} {}", info.detail(lang), reference_line(lang, reference)),
        None => info.detail(lang),
    }
}

fn reference_line(lang: Lang, reference: &str) -> String {
    let mut args = FluentArgs::new();
    args.set("reference", reference.to_owned());
    I18n::global().t_args(lang, "error-reference", &args)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    page: Page,
    detail: String,
    messages: Vec<String>,
    reference: Option<String>,
}

fn html_page(info: &ErrorInfo, lang: Lang, uri: &Uri) -> Response {
    html_with(info, lang, Page::new(lang, uri, "site-name"))
}

fn html_with(info: &ErrorInfo, lang: Lang, mut page: Page) -> Response {
    page.title = info.title(lang);
    let view = ErrorPage {
        detail: info.detail(lang),
        messages: info.fields.iter().map(|e| e.message(lang)).collect(),
        reference: info.reference.as_deref().map(|r| reference_line(lang, r)),
        page,
    };
    let mut response = match view.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "rendering the error page failed");
            info.title(lang).into_response()
        }
    };
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    response
}
