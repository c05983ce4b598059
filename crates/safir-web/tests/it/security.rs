//! Security headers and the cross-site request check, through the full stack.

use axum::body::Body;
use axum::http::{Request, StatusCode, header as h};
use safir_web::security::{CONTENT_SECURITY_POLICY, SecurityConfig};

use crate::support::{TestApp, header, json, text};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new();
    for uri in ["/", "/no-such-page", "/healthz"] {
        let response = app.get(uri, &[]).await;
        assert_eq!(
            header(&response, "content-security-policy"),
            CONTENT_SECURITY_POLICY
        );
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "x-frame-options"), "DENY");
        assert_eq!(
            header(&response, "referrer-policy"),
            "strict-origin-when-cross-origin"
        );
        assert_eq!(
            header(&response, "strict-transport-security"),
            "",
            "no HSTS over plain HTTP"
        );
    }
}

/// What a signed-in person is shown may be personal: no copy is kept, unless the handler
/// chose its own caching.
#[tokio::test]
async fn answers_to_signed_in_requests_are_not_stored() {
    let app = TestApp::new();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], ""),
        (&[("cookie", "lang=ar")], ""),
        (
            &[("cookie", "lang=ar; safir_session=abc")],
            "private, no-store",
        ),
        (&[("authorization", "Bearer safir_x")], "private, no-store"),
    ];
    for (headers, expected) in cases {
        let response = app.get("/", headers).await;
        assert_eq!(header(&response, "cache-control"), expected, "{headers:?}");
    }
    // An error page keeps its own (never cached, signed in or not).
    let response = app
        .get("/no-such-page", &[("cookie", "safir_session=abc")])
        .await;
    assert_eq!(header(&response, "cache-control"), "no-store");
}

/// A page in the reader's language names what chose it, so a shared cache never serves an
/// Arabic page to an English reader; a static file is the same for everyone.
#[tokio::test]
async fn localized_answers_vary_on_the_language_choice() {
    let app = TestApp::new();
    let vary = |response: &axum::response::Response| -> Vec<String> {
        response
            .headers()
            .get_all(h::VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect()
    };
    for (uri, headers) in [
        ("/", &[("accept-language", "ar")][..]),
        ("/no-such-page", &[][..]),
        (
            "/",
            &[("accept-encoding", "gzip"), ("accept-language", "en")][..],
        ),
    ] {
        let response = app.get(uri, headers).await;
        let names = vary(&response);
        assert!(
            names.contains(&"accept-language".to_owned()) && names.contains(&"cookie".to_owned()),
            "{uri} {headers:?}: {names:?}"
        );
        assert_eq!(
            names.iter().filter(|n| *n == "accept-language").count(),
            1,
            "once: {names:?}"
        );
    }
    let css = app.get(&safir_web::assets::url("app.css"), &[]).await;
    assert!(
        !vary(&css).contains(&"accept-language".to_owned()),
        "{:?}",
        vary(&css)
    );
}

#[tokio::test]
async fn hsts_only_behind_tls() {
    let app = TestApp::with_security(SecurityConfig {
        behind_tls: true,
        ..SecurityConfig::default()
    });
    let response = app.get("/", &[]).await;
    assert!(header(&response, "strict-transport-security").starts_with("max-age="));
}

#[tokio::test]
async fn same_origin_form_posts_pass() {
    let app = TestApp::new();
    let response = app
        .post_form(
            "/greet",
            "name=Amal",
            &[
                ("origin", "https://mfa.example"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "hello Amal");
}

#[tokio::test]
async fn cross_site_posts_are_refused_with_csrf_failed() {
    let app = TestApp::new();
    let response = app
        .post_form(
            "/greet",
            "name=x",
            &[
                ("origin", "https://evil.example"),
                ("accept-language", "en"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(text(response).await.contains("The form has expired"));

    let response = app
        .post_form("/greet", "name=x", &[("sec-fetch-site", "cross-site")])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bearer_api_calls_still_face_the_origin_check() {
    let app = TestApp::new();
    let request = Request::post("/api/v1/greet")
        .header(h::HOST, "mfa.example")
        .header(h::ORIGIN, "https://evil.example")
        .header(h::AUTHORIZATION, "Bearer token")
        .header(h::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"name":"x"}"#))
        .unwrap();
    let response = app.send(request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(response).await["code"], "csrf_failed");
}

#[tokio::test]
async fn configured_public_origin_wins_over_host() {
    let app = TestApp::with_security(SecurityConfig {
        public_origin: Some("https://mfa.example".to_owned()),
        ..SecurityConfig::default()
    });
    let request = Request::post("/greet")
        .header(h::HOST, "10.0.0.7:8080")
        .header(h::ORIGIN, "https://mfa.example")
        .header(h::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("name=Omar"))
        .unwrap();
    assert_eq!(app.send(request).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_client_address() {
    let app = TestApp::new();
    let from = |ip: &'static str| [("x-forwarded-for", ip), ("accept-language", "en")];
    for _ in 0..2 {
        let response = app
            .post_form("/sign-in", "name=a", &from("203.0.113.1"))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
    }
    let response = app
        .post_form("/sign-in", "name=a", &from("203.0.113.1"))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&response, "retry-after"), "60");
    assert!(text(response).await.contains("Too many attempts"));

    let other = app
        .post_form("/sign-in", "name=a", &from("203.0.113.2"))
        .await;
    assert_eq!(other.status(), StatusCode::OK);
    let reading = app.get("/sign-in", &from("203.0.113.1")).await;
    assert_eq!(reading.status(), StatusCode::OK);
}
