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

/// Default request body limit: above the largest form a user can fill in validly, small
/// enough to refuse abuse. Upload routes raise it with their own `DefaultBodyLimit`.
///
/// The largest form is the travel advice editor: two languages of a summary (1,000
/// characters), four sections (20,000 each) and a change note (300), 162,600 characters.
/// A browser sends a form percent-encoded, three bytes for every byte of UTF-8: six for an
/// Arabic letter, twelve for an emoji, so at most 1,951,200 bytes and the field names. A body
/// over the limit is refused before any field is read, so it could not be shown back: a
/// limit under a valid form would lose what the user typed.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

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
