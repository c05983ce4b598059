//! Liveness, readiness and metrics endpoints.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// Liveness: answers as long as the process serves HTTP.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers and is fully migrated.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.is_migrated().await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "database not migrated").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
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
            state.metrics.set_job_failures(s.dead.max(0) as u64);
        }
        Err(e) => tracing::warn!(error = %e, "job queue stats unavailable"),
    }
    crate::metrics::metrics_handler(State(state.metrics.clone())).await
}
