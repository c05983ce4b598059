//! NUL (U+0000) in an address, a query, a form or a JSON body is answered at the edge, on both
//! backends: 404 in the path, 422 naming the field elsewhere. PostgreSQL cannot store it, so
//! before this every such request reached a statement there and failed with a 500.

use axum::http::StatusCode;
use safir_domain::roles::Role;
use safir_store::Pool;
use safir_web::AppError;
use serde_json::json;

use crate::api::{problem, token};
use crate::harness::{TestApp, unique_email};

#[tokio::test]
async fn nul_is_refused_by_name_before_any_route_on_both_backends() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let officer = app
            .staff(
                &unique_email("nul-officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let mut c = app.client();
        c.sign_in(&officer).await;

        let res = c.get("/missions/PAR/cases?q=x%00y&lang=ar").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(
            res.body.contains("يحتوي «q» على المحرف NUL"),
            "{}",
            res.body
        );
        let res = c.get("/missions/%00x/cases").await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
        let res = c.get("/admin/audit?actor=%00").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        // `?lang=ar` above became the officer's language; back to English for what follows.
        c.get("/account?lang=en").await;

        // A form: the field is named, nothing is changed.
        let res = c
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "a\u{0}b"), ("scope_read", "on")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(
            res.body
                .contains("“name” contains a NUL character (U+0000)"),
            "{}",
            res.body
        );

        // JSON: the member's path is named, in the caller's language.
        let secret = token(&app, &officer, &["read", "write"]).await;
        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": "a\u{0}"})),
            )
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(body["errors"][0]["field"], "display_name");
        assert_eq!(body["errors"][0]["code"], "nul_character");
        let res = c
            .api(
                "POST",
                "/api/v1/missions/PAR/cases/x/notes",
                &secret,
                Some(json!({"items": [{"k": "ok"}, {"k": "\u{0}"}]})),
            )
            .await;
        assert_eq!(
            problem(&res, 422, "validation")["errors"][0]["field"],
            "items[1].k"
        );
        // An escaped backslash before `u0000` is six characters of text, not a NUL.
        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": "a\\u0000"})),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert_eq!(res.json()["display_name"], "a\\u0000");
        assert!(
            app.audit_actions()
                .await
                .iter()
                .all(|a| a != "token.create")
        );
    }
}

/// Should a NUL ever get past the edge (a part of an upload, a header), PostgreSQL's refusal
/// is the client's error, 400, not the server's.
#[tokio::test]
async fn the_databases_refusal_of_a_character_is_a_bad_request() {
    for app in TestApp::all().await {
        let refused = match app.db.read() {
            Pool::Postgres(p) => sqlx::query("SELECT $1::text")
                .bind("a\u{0}b")
                .execute(p)
                .await
                .expect_err("PostgreSQL refuses NUL in text"),
            Pool::Sqlite(_) => continue,
        };
        let info = AppError::internal(refused).into_info();
        assert_eq!(info.status, StatusCode::BAD_REQUEST);
        assert_eq!(info.code, "bad_request");
        assert!(info.reference.is_none());
        let other = AppError::internal(sqlx::Error::RowNotFound).into_info();
        assert_eq!(other.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
