//! Embedded static files: versioned URLs, long caching, right content types.

use axum::http::StatusCode;
use safir_web::assets;

use crate::support::{TestApp, header, text};

#[tokio::test]
async fn stylesheet_is_served_with_long_caching() {
    let app = TestApp::new();
    let url = assets::url("app.css");
    let response = app.get(&url, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), "text/css; charset=utf-8");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    let etag = header(&response, "etag").to_owned();
    assert!(text(response).await.contains("margin-inline"));

    let response = app.get(&url, &[("if-none-match", &etag)]).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn htmx_is_served_as_javascript() {
    let app = TestApp::new();
    let response = app.get(&assets::url("vendor/htmx.min.js"), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "text/javascript; charset=utf-8"
    );
}

#[tokio::test]
async fn stale_hash_is_served_but_not_cached() {
    let app = TestApp::new();
    let response = app.get("/static/0000000000000000/app.css", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "cache-control"), "no-cache");
}

#[tokio::test]
async fn unknown_file_is_a_404_page() {
    let app = TestApp::new();
    let response = app.get("/static/0000000000000000/../Cargo.toml", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.get("/static/abc/secret.txt", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(header(&response, "content-type").starts_with("text/html"));
}
