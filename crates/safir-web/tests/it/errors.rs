//! Every failure comes back in the client's format and language.

use axum::body::Body;
use axum::http::{Request, StatusCode, header as h};

use crate::support::{BODY_LIMIT, TestApp, header, json, text};

#[tokio::test]
async fn unknown_page_is_a_translated_html_404() {
    let app = TestApp::new();
    let response = app.get("/no-such-page", &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(header(&response, "content-type").starts_with("text/html"));
    assert_eq!(header(&response, "content-language"), "ar");
    let html = text(response).await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(html.contains("<h1>الصفحة غير موجودة</h1>"), "{html}");

    let html = text(app.get("/no-such-page?lang=en", &[]).await).await;
    assert!(html.contains("<h1>Page not found</h1>"));
}

#[tokio::test]
async fn api_errors_are_problem_json() {
    let app = TestApp::new();
    let response = app
        .get("/api/v1/nothing", &[("accept-language", "en")])
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
    let body = json(response).await;
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["title"], "Page not found");
    assert_eq!(body["type"], "/problems/not_found");
    assert_eq!(body["instance"], "/api/v1/nothing");
    assert_eq!(body["errors"], serde_json::json!([]));
}

#[tokio::test]
async fn clients_asking_for_json_get_json_anywhere() {
    let app = TestApp::new();
    let response = app.get("/nothing", &[("accept", "application/json")]).await;
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let app = TestApp::new();
    let response = app.get("/greet", &[("accept", "application/json")]).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(header(&response, "allow").contains("POST"));
    assert_eq!(json(response).await["code"], "method_not_allowed");
}

#[tokio::test]
async fn validation_errors_name_each_field_in_the_users_language() {
    let app = TestApp::new();
    let response = app
        .post_form(
            "/api/v1/validate",
            "name=abcdefgh",
            &[("accept-language", "ar")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = json(response).await;
    assert_eq!(body["code"], "validation");
    assert_eq!(
        body["errors"],
        serde_json::json!([{ "field": "name", "code": "too_long", "message": "أدخل 5 أحرف على الأكثر." }])
    );

    let response = app
        .post_form("/validate", "name=", &[("accept-language", "en")])
        .await;
    let html = text(response).await;
    assert!(html.contains("<li>This field is required.</li>"), "{html}");
}

#[tokio::test]
async fn malformed_input_is_a_bad_request_not_a_500() {
    let app = TestApp::new();
    let response = app
        .post_form("/greet", "nom=x", &[("accept", "application/json")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(response).await["code"], "bad_request");

    let response = app.get("/cases/not-a-number", &[]).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("تعذّر فهم الطلب"));

    let request = Request::post("/api/v1/greet")
        .header(h::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(response).await["code"], "bad_request");
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::new();
    let request = Request::post("/api/v1/greet")
        .header(h::CONTENT_TYPE, "text/plain")
        .body(Body::from("hi"))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json(response).await["code"], "unsupported_media_type");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let app = TestApp::new();
    let body = format!("name={}", "x".repeat(BODY_LIMIT * 2));
    let response = app.post_form("/api/v1/validate", &body, &[]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json(response).await["code"], "payload_too_large");
}

#[tokio::test]
async fn internal_errors_show_a_reference_and_hide_the_cause() {
    let app = TestApp::new();
    let response = app.get("/fail", &[("accept-language", "en")]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(header(&response, "cache-control"), "no-store");
    let html = text(response).await;
    assert!(html.contains("Something went wrong"));
    assert!(html.contains("Reference: ERR-"), "{html}");
    assert!(!html.contains("5432") && !html.contains("refused"));

    let response = app.get("/fail", &[("accept", "application/json")]).await;
    let body = json(response).await;
    assert_eq!(body["code"], "internal");
    let reference = body["reference"].as_str().unwrap();
    assert!(body["detail"].as_str().unwrap().contains(reference));
    assert!(!body.to_string().contains("5432"));
}

#[tokio::test]
async fn rate_limited_answers_carry_retry_after() {
    let app = TestApp::new();
    let response = app.get("/limited", &[("accept-language", "en")]).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "retry-after"), "3");
    assert!(
        text(response)
            .await
            .contains("Please wait 3 seconds before trying again.")
    );
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_page_not_a_dropped_connection() {
    let app = TestApp::new();
    let response = app.get("/panics", &[("accept", "application/json")]).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = json(response).await;
    assert_eq!(body["code"], "internal");
    assert!(body["reference"].as_str().unwrap().starts_with("ERR-"));
    assert!(!body.to_string().contains("index out of bounds"));
}
