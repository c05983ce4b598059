//! E-visas on the web: the holder's printable page and PDF, the officers' revocation, and the
//! public check (`/verify`, its published keys, and `/api/v1/verify`).

pub mod api;
pub(crate) mod document;
mod pdf;
pub(crate) mod pdf_text;
mod verify;
mod view;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use safir_domain::roles::Permission;

use crate::auth::{Access, Routes};
use crate::error::AppError;
use crate::security::{IpRateLimit, RateLimiter, client_ip, limit_key};
use crate::state::AppState;

pub use pdf::render_pdf;

pub fn routes(r: Routes) -> Routes {
    let state = r.state().clone();
    let per_minute = state.config.verify_lookups_per_minute.max(1);
    let limit = IpRateLimit {
        limiter: Arc::new(RateLimiter::new(
            per_minute,
            Duration::from_secs(60) / per_minute,
        )),
        trusted_proxy: state.config.trusted_proxy,
    };
    // A check's answer names the holder and changes (a revocation, the end of validity): kept
    // by no cache, not even for a border phone's visit without a session.
    let limited = |handler: MethodRouter<AppState>| {
        handler
            .route_layer(middleware::from_fn_with_state(limit.clone(), limit_lookups))
            .route_layer(middleware::map_response(crate::security::no_store))
    };
    r.add(
        Method::GET,
        "/verify",
        Access::Public,
        limited(get(verify::verify_page)),
    )
    .add(
        Method::GET,
        "/verify/keys",
        Access::Public,
        get(verify::published_keys),
    )
    .add(
        Method::GET,
        "/evisas/{id}",
        Access::SignedIn,
        get(document::show_evisa),
    )
    .add(
        Method::GET,
        "/evisas/{id}/pdf",
        Access::SignedIn,
        get(document::evisa_pdf),
    )
    .add(
        Method::POST,
        "/missions/{mission}/evisas/{id}/revoke",
        Access::Mission(Permission::ManageConsularCases),
        post(document::revoke_evisa),
    )
    .add(
        Method::GET,
        "/api/v1/verify",
        Access::Public,
        limited(get(api::verify_evisa)),
    )
}

/// Limits checks of a code per client address, so the public check cannot be used to test
/// forged codes in bulk; the empty form is free.
async fn limit_lookups(State(limit): State<IpRateLimit>, req: Request, next: Next) -> Response {
    // The names are decoded as the page's query reader decodes them (`%76=` is `v=`).
    let is_lookup = req.uri().path().starts_with("/api/")
        || req
            .uri()
            .query()
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(name, _)| name == "v"));
    if !is_lookup {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr);
    let ip =
        client_ip(req.headers(), peer, limit.trusted_proxy).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    match limit.limiter.check(&limit_key(ip)) {
        Ok(()) => next.run(req).await,
        Err(retry) => AppError::from(retry).into_response(),
    }
}
