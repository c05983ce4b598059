//! Assembles the application: every context's routes with their access rules, then the
//! middleware stack in its one working order.

use std::sync::Arc;

use axum::http::header::LOCATION;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, middleware};

use crate::auth::csrf_form::verify_form_token;
use crate::auth::session::load_viewer;
use crate::auth::{Access, RouteInfo, Routes};
use crate::state::AppState;
use crate::{accounts, admin, api, assets, consular, crisis, error, health, home, layers, staff};

/// The whole site, and the table of its routes (for the authorization matrix test).
pub fn build(state: AppState) -> (Router, Vec<RouteInfo>) {
    let r = Routes::new(state.clone())
        .add(Method::GET, "/", Access::Public, get(home::home_page))
        .merge_public(
            &[
                ("/healthz", Method::GET),
                ("/readyz", Method::GET),
                ("/metrics", Method::GET),
                ("/static/{hash}/{*name}", Method::GET),
            ],
            Router::new()
                .route("/healthz", get(health::healthz))
                .route("/readyz", get(health::readyz))
                .route("/metrics", get(health::metrics))
                .merge(assets::router()),
        );
    let r = accounts::routes(r);
    let r = staff::routes(r);
    let r = consular::routes(r);
    let r = crisis::routes(r);
    let r = admin::routes(r);
    let r = api::routes(r);
    let (router, table) = r.finish();
    // Staff reads through the API are rate limited (see `auth::access`): the OpenAPI document
    // lists their 429.
    let staff_reads = table
        .iter()
        .filter(|r| r.method == Method::GET && r.path.starts_with("/api/") && r.access.is_staff())
        .map(|r| r.path)
        .collect();
    // A second build on the same state (tests) has the same table.
    let _ = state.staff_api_reads.set(staff_reads);
    let pages: Arc<[&'static str]> = table
        .iter()
        .filter(|r| {
            r.method == Method::GET && !r.path.starts_with("/api/") && !r.path.contains('*')
        })
        .map(|r| r.path)
        .collect();
    let router = router
        .fallback(|| async { error::AppError::NotFound })
        .method_not_allowed_fallback(move |method: Method, uri: Uri| {
            let pages = pages.clone();
            async move { form_action_opened(&pages, &method, &uri) }
        })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            verify_form_token,
        ));
    let router = layers::stack(
        router,
        state.security(),
        state.metrics.clone(),
        state.config.body_limit,
    )
    .layer(middleware::from_fn_with_state(state.clone(), load_viewer))
    .with_state(state);
    (router, table)
}

/// A GET of an address only forms post to: the language switcher of a page shown after a
/// form's errors (it links to the address the page was posted to), a reload from the address
/// bar, a bookmark. Pages are sent to the page the form lives on, with the language asked for;
/// the API, and any other method, get 405.
fn form_action_opened(pages: &[&'static str], method: &Method, uri: &Uri) -> Response {
    let page = (method == Method::GET || method == Method::HEAD)
        .then(|| uri.path())
        .filter(|path| !path.starts_with("/api/"))
        .and_then(|path| form_page(pages, path));
    let location = page.map(|page| match crate::i18n::query_lang(uri) {
        Some(lang) => format!("{page}?lang={}", lang.code()),
        None => page,
    });
    // Built by hand rather than with `Redirect::to`, which panics on a value a header cannot hold.
    match location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        Some(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        None => error::AppError::MethodNotAllowed.into_response(),
    }
}

/// The page a form posting to `path` lives on: the longest leading part of `path` that one of
/// the GET routes `pages` serves (`/missions/PAR/cases/01…/notes` → `/missions/PAR/cases/01…`,
/// `/sign-out` → `/`). Always a part of `path` itself, so never another site.
fn form_page(pages: &[&'static str], path: &str) -> Option<String> {
    let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    (0..segments.len()).rev().find_map(|n| {
        let leading = &segments[..n];
        pages
            .iter()
            .any(|route| route_matches(route, leading))
            .then(|| format!("/{}", leading.join("/")))
    })
}

/// Whether the route pattern `route` (`/missions/{mission}/cases`) serves these segments.
fn route_matches(route: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = route.split('/').filter(|p| !p.is_empty()).collect();
    parts.len() == segments.len()
        && parts
            .iter()
            .zip(segments)
            .all(|(part, segment)| part.starts_with('{') || part == segment)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGES: &[&str] = &[
        "/",
        "/account",
        "/missions/{mission}/cases",
        "/missions/{mission}/cases/{case}",
    ];

    #[test]
    fn a_form_action_leads_to_the_longest_page_above_it() {
        let page = |path| form_page(PAGES, path);
        assert_eq!(page("/account/tokens").as_deref(), Some("/account"));
        assert_eq!(
            page("/account/sessions/sign-out-everywhere").as_deref(),
            Some("/account")
        );
        assert_eq!(
            page("/missions/PAR/cases/01ab/notes").as_deref(),
            Some("/missions/PAR/cases/01ab")
        );
        assert_eq!(
            page("/missions/PAR/cases/bulk").as_deref(),
            Some("/missions/PAR/cases")
        );
        assert_eq!(page("/sign-out").as_deref(), Some("/"));
        // Empty segments (`//host/…`) never make an address of another site.
        assert_eq!(page("//evil.example/x"), None);
        assert_eq!(page("/account//tokens"), None);
        assert_eq!(page("no-slash"), None);
    }
}
