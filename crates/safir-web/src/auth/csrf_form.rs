//! The form-token half of CSRF protection, applied to every state-changing browser request:
//! the body's `csrf_token` field (or the `X-CSRF-Token` header, for htmx and uploads) must be
//! the token bound to the viewer's session or anonymous cookie.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::session::Viewer;
use crate::error::AppError;
use crate::security::csrf;
use crate::state::AppState;

pub const HEADER: &str = "x-csrf-token";

/// The token to embed in this viewer's forms.
pub fn token_for(state: &AppState, viewer: &Viewer) -> String {
    csrf::token(&state.csrf_secret, viewer.csrf_binding())
}

fn form_field(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == csrf::FORM_FIELD)
        .map(|(_, v)| v.into_owned())
}

/// Middleware: checks the token on POST, PUT, PATCH and DELETE that do not use a bearer token.
pub async fn verify_form_token(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let unsafe_method = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if !unsafe_method || csrf::is_bearer(req.headers()) {
        return next.run(req).await;
    }
    let Some(viewer) = req.extensions().get::<Viewer>().cloned() else {
        return AppError::CsrfFailed.into_response();
    };
    if let Some(h) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        if csrf::verify(&state.csrf_secret, viewer.csrf_binding(), h) {
            return next.run(req).await;
        }
        return AppError::CsrfFailed.into_response();
    }
    let is_form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return AppError::CsrfFailed.into_response();
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, state.config.body_limit).await {
        Ok(b) => b,
        Err(_) => return AppError::PayloadTooLarge.into_response(),
    };
    let ok = form_field(&bytes)
        .is_some_and(|t| csrf::verify(&state.csrf_secret, viewer.csrf_binding(), &t));
    if !ok {
        tracing::info!(path = parts.uri.path(), "form token missing or wrong");
        return AppError::CsrfFailed.into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
