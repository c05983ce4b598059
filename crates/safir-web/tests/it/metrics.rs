//! Requests are counted by route template, and `/metrics` exposes them.

use crate::support::{TestApp, header, text};

#[tokio::test]
async fn requests_are_counted_by_route_template() {
    let app = TestApp::new();
    app.get("/cases/7", &[]).await;
    app.get("/cases/8", &[]).await;
    app.get("/wp-admin/setup.php", &[]).await;
    let response = app.get("/metrics", &[]).await;
    assert!(header(&response, "content-type").starts_with("text/plain; version=0.0.4"));
    let body = text(response).await;
    assert!(
        body.contains(
            r#"safir_http_requests_total{method="GET",route="/cases/{id}",status="200"} 2"#
        ),
        "{body}"
    );
    assert!(
        body.contains(r#"route="unmatched",status="404"} 1"#),
        "{body}"
    );
    assert!(!body.contains("wp-admin"));
    assert!(body.contains(
        r#"safir_http_request_duration_seconds_count{method="GET",route="/cases/{id}"} 2"#
    ));
}

#[tokio::test]
async fn job_gauges_appear_once_set() {
    let app = TestApp::new();
    app.metrics.set_job_queue_depth("queued", 12);
    let body = text(app.get("/metrics", &[]).await).await;
    assert!(body.contains("safir_job_queue_depth{state=\"queued\"} 12\n"));
}

#[tokio::test]
async fn panics_are_counted_as_server_errors() {
    let app = TestApp::new();
    app.get("/panics", &[]).await;
    let body = text(app.get("/metrics", &[]).await).await;
    assert!(
        body.contains(r#"safir_http_requests_total{method="GET",route="/panics",status="500"} 1"#),
        "{body}"
    );
}
