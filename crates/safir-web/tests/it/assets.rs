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

#[tokio::test]
async fn files_go_gzipped_once_compressed_to_clients_that_accept_it() {
    use std::io::Read;

    let app = TestApp::new();
    let url = assets::url("vendor/htmx.min.js");
    let plain = app.get(&url, &[]).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(header(&plain, "vary"), "Accept-Encoding");
    let plain_tag = header(&plain, "etag").to_owned();
    let plain = axum::body::to_bytes(plain.into_body(), usize::MAX)
        .await
        .unwrap();

    let gzip = [("accept-encoding", "gzip, deflate, br"), ("cookie", "a=b")];
    let response = app.get(&url, &gzip).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-encoding"), "gzip");
    assert_eq!(header(&response, "vary"), "Accept-Encoding");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let tag = header(&response, "etag").to_owned();
    assert_ne!(tag, plain_tag, "each form has its own tag");
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(bytes.len() * 2 < plain.len());
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut back)
        .unwrap();
    assert_eq!(back, plain);

    let headers = [("accept-encoding", "gzip"), ("if-none-match", tag.as_str())];
    let response = app.get(&url, &headers).await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
}
