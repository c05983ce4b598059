//! Assembles the application: every context's routes with their access rules, then the
//! middleware stack in its one working order.

use axum::http::Method;
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
    let router = router
        .fallback(|| async { error::AppError::NotFound })
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
