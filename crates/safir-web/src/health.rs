//! Liveness, readiness and metrics endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Liveness: answers as long as the process serves HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and is fully migrated. A 503 goes out as it is, with its
/// reason, for the load balancer or the operator reading it: not made into the site's error
/// page (which would also have turned it into a 500 and logged an internal error per probe).
pub async fn readyz(State(state): State<AppState>) -> Response {
    let not_ready = |reason: &'static str| {
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, reason).into_response();
        response.extensions_mut().insert(crate::error::OwnErrorPage);
        response
    };
    match state.db.is_migrated().await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => not_ready("database not migrated"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            not_ready("database unavailable")
        }
    }
}

/// Prometheus metrics, with the job queue's depth read fresh from the database.
pub async fn metrics(State(state): State<AppState>) -> Response {
    match safir_store::jobs::stats(&state.db).await {
        Ok(s) => {
            state
                .metrics
                .set_job_queue_depth("queued", s.queued.max(0) as u64);
            state
                .metrics
                .set_job_queue_depth("running", s.running.max(0) as u64);
            state
                .metrics
                .set_job_queue_depth("dead", s.dead.max(0) as u64);
            state.metrics.set_job_failures(s.failing.max(0) as u64);
        }
        Err(e) => tracing::warn!(error = %e, "job queue stats unavailable"),
    }
    crate::metrics::metrics_handler(State(state.metrics.clone())).await
}
