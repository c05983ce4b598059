//! The public home page: language, direction, switcher, and CSP-safe markup.

use axum::http::StatusCode;

use crate::support::{TestApp, header, text};

#[tokio::test]
async fn home_is_arabic_and_right_to_left_by_default() {
    let app = TestApp::new();
    let response = app.get("/", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = text(response).await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(html.contains("<title>الرئيسية — سفير</title>"));
    assert!(html.contains("مرحبًا بكم في سفير"));
    assert!(html.contains(r##"<a class="skip-link" href="#main">"##));
    assert!(html.contains(r#"<main id="main""#));
    assert!(html.contains(r#"aria-current="page""#));
    assert!(html.contains(r#"href="/?lang=en" lang="en" hreflang="en" dir="ltr">English</a>"#));
}

#[tokio::test]
async fn home_leads_to_each_public_service() {
    let app = TestApp::new();
    for (lang, titles) in [
        (
            "ar",
            [
                "الخدمات القنصلية",
                "نصائح السفر",
                "سجّل رحلتك أو إقامتك في الخارج",
                "تنبيهات السفر",
                "التحقق من تأشيرة إلكترونية",
            ],
        ),
        (
            "en",
            [
                "Consular services",
                "Travel advice",
                "Register your trip or stay abroad",
                "Travel alerts",
                "Check an e-visa",
            ],
        ),
    ] {
        let html = text(app.get(&format!("/?lang={lang}"), &[]).await).await;
        for (href, title) in [
            "/consular",
            "/travel-advice",
            "/abroad/new",
            "/subscribe",
            "/verify",
        ]
        .into_iter()
        .zip(titles)
        {
            assert!(
                html.contains(&format!(r#"<h3><a href="{href}">{title}"#)),
                "{lang} {href}: {html}"
            );
        }
        assert!(!html.contains("crisis-notices"), "no crisis, no notice");
    }
}

#[tokio::test]
async fn accept_language_selects_english() {
    let app = TestApp::new();
    let html = text(
        app.get("/", &[("accept-language", "en-US,en;q=0.9,ar;q=0.5")])
            .await,
    )
    .await;
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains("<title>Home — Safir</title>"));
    assert!(html.contains(r#"href="/?lang=ar" lang="ar" hreflang="ar" dir="rtl">العربية</a>"#));
}

#[tokio::test]
async fn the_switcher_link_remembers_the_choice_in_a_cookie() {
    let app = TestApp::new();
    let response = app.get("/?lang=en", &[("accept-language", "ar")]).await;
    let cookie = header(&response, "set-cookie").to_owned();
    assert!(
        cookie.starts_with("lang=en;") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(text(response).await.contains(r#"lang="en" dir="ltr""#));

    let response = app
        .get("/", &[("cookie", "lang=en"), ("accept-language", "ar")])
        .await;
    assert_eq!(header(&response, "set-cookie"), "");
    assert!(text(response).await.contains(r#"lang="en" dir="ltr""#));
}

#[tokio::test]
async fn pages_have_no_inline_script_or_style() {
    let app = TestApp::new();
    for uri in ["/", "/no-such-page"] {
        let html = text(app.get(uri, &[]).await).await;
        assert!(!html.contains("<style"), "{uri}");
        assert!(!html.contains(" style="), "{uri}");
        assert!(!html.contains(" on"), "{uri}: event handler attribute");
        for script in html.split("<script").skip(1) {
            let tag = script.split('>').next().unwrap();
            assert!(tag.contains(" src=\"/static/"), "{uri}: inline script");
        }
        assert!(html.contains(r#"<link rel="stylesheet" href="/static/"#));
    }
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = TestApp::new();
    let response = app.get("/healthz", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(text(response).await, "ok");
}

#[tokio::test]
async fn a_signed_in_users_saved_language_comes_before_the_cookie() {
    use axum::extract::Request;
    use axum::middleware::{self, Next};
    use axum::routing::get;
    use safir_web::i18n::PreferredLang;
    use safir_web::{Lang, home, layers, metrics::Metrics, security::SecurityConfig};
    use tower::ServiceExt;

    async fn session(mut req: Request, next: Next) -> axum::response::Response {
        req.extensions_mut().insert(PreferredLang(Lang::En));
        next.run(req).await
    }
    let router = layers::stack(
        axum::Router::new().route("/", get(home::home)),
        SecurityConfig::default(),
        Metrics::new(),
        layers::DEFAULT_BODY_LIMIT,
    )
    .layer(middleware::from_fn(session));
    let get = |uri: &str| {
        axum::http::Request::get(uri)
            .header("cookie", "lang=ar")
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let html = text(router.clone().oneshot(get("/")).await.unwrap()).await;
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    let html = text(router.oneshot(get("/?lang=ar")).await.unwrap()).await;
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#));
}

#[tokio::test]
async fn readiness_says_503_with_its_reason_when_the_database_is_behind() {
    let app = crate::harness::TestApp::sqlite().await;
    let mut c = app.client();
    let ready = c.get("/readyz").await;
    assert_eq!((ready.status.as_u16(), ready.body.as_str()), (200, "ready"));
    safir_store::with_pool!(app.db.write(), p => {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
    let behind = c.get("/readyz").await;
    assert_eq!(behind.status.as_u16(), 503, "{}", behind.body);
    assert_eq!(behind.body, "database not migrated");
}

/// A database that cannot be read is said so: not "not migrated", which would send the
/// operator to run `safir migrate` on a database that is fine.
#[tokio::test]
async fn readiness_says_503_database_unavailable_when_the_database_cannot_be_read() {
    let app = crate::harness::TestApp::sqlite().await;
    let mut c = app.client();
    let ready = c.get("/readyz").await;
    assert_eq!((ready.status.as_u16(), ready.body.as_str()), (200, "ready"));
    let safir_store::Db::Sqlite { read, .. } = &app.db else {
        unreachable!("a SQLite test app")
    };
    read.close().await;
    let down = c.get("/readyz").await;
    assert_eq!(down.status.as_u16(), 503, "{}", down.body);
    assert_eq!(down.body, "database unavailable");
}
