//! Liveness probe: answers as long as the process serves HTTP.

pub async fn healthz() -> &'static str {
    "ok"
}
