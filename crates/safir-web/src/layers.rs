//! The middleware stack every application router gets, in the one order that
//! works: each layer relies on the ones outside it.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::{Router, middleware};

use crate::compress::compress;
use crate::error::{catch_panic, error_pages};
use crate::i18n::negotiate_language;
use crate::metrics::{Metrics, track};
use crate::security::csrf::check_origin;
use crate::security::nul::refuse_nul;
use crate::security::{SecurityConfig, security_headers};

/// Default request body limit: generous for forms, small enough to refuse
/// abuse. Upload routes raise it with their own `DefaultBodyLimit`.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;

/// Wraps `router` (routes and fallback already added) with, from the outside
/// in: gzip of the response (`compress`), security headers, language
/// negotiation, error pages, the cross-site check (which also drops "it was done" notices from
/// addresses opened from elsewhere), the refusal of NUL
/// characters (`security::nul`), metrics (so panics are counted as 500s),
/// panic catching and the body limit.
///
/// A session layer that inserts [`crate::i18n::PreferredLang`] must be added
/// after this call (so that it runs outside language negotiation).
pub fn stack<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    security: SecurityConfig,
    metrics: Arc<Metrics>,
    body_limit: usize,
) -> Router<S> {
    router
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(catch_panic))
        .layer(middleware::from_fn_with_state(metrics, track))
        .layer(middleware::from_fn_with_state(body_limit, refuse_nul))
        .layer(middleware::from_fn_with_state(
            security.clone(),
            check_origin,
        ))
        .layer(middleware::from_fn(error_pages))
        .layer(middleware::from_fn(negotiate_language))
        .layer(middleware::from_fn_with_state(security, security_headers))
        .layer(middleware::from_fn(compress))
}
