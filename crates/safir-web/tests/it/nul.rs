//! NUL (U+0000) in an address, a query, a form or a JSON body is kept from the routes at the
//! edge, on both backends: 404 in the path, 422 naming the field in a query or JSON, taken out
//! of a posted form, which its page then checks as usual. PostgreSQL cannot store it, so
//! before this every such request reached a statement there and failed with a 500.

use axum::http::StatusCode;
use safir_domain::consular::case::{CaseKind, Priority};
use safir_domain::roles::Role;
use safir_store::Pool;
use safir_store::consular::cases;
use safir_web::AppError;
use serde_json::json;

use crate::api::{problem, token};
use crate::harness::{TestApp, unique_email};

#[tokio::test]
async fn nul_is_kept_from_every_route_on_both_backends() {
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

        // A form: the NUL is taken out and the page checks the rest as usual, its form
        // coming back with what was typed, rather than a bare error page.
        let res = c
            .submit("/account", "/account/tokens", &[("name", "a\u{0}b")])
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
        assert!(
            res.body.contains("Choose at least one permission."),
            "{}",
            res.body
        );
        assert!(res.body.contains(r#"value="ab""#), "{}", res.body);
        assert!(!res.body.contains("NUL character"), "{}", res.body);
        assert!(
            app.audit_actions()
                .await
                .iter()
                .all(|a| a != "token.create")
        );
        let res = c
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "nul\u{0}-free"), ("scope_read", "on")],
            )
            .await;
        assert!(
            res.status.is_success() || res.status.is_redirection(),
            "{} {}",
            res.status,
            res.body
        );
        assert!(
            safir_store::accounts::tokens::list_api_tokens(&app.db, &officer.id)
                .await
                .unwrap()
                .iter()
                .any(|t| t.name == "nul-free"),
            "saved without the NUL"
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

/// An application form with a NUL in a field is saved without it, on PostgreSQL too, and comes
/// back with everything typed.
#[tokio::test]
async fn a_draft_with_a_nul_is_saved_without_it() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let service_id =
            crate::consular_applicant::service(&app, &paris, CaseKind::PassportRenewal).await;
        let citizen = app.public_user(&unique_email("nul-citizen")).await;
        let form = std::collections::BTreeMap::new();
        let mut tx = app.db.begin().await.unwrap();
        let draft = cases::create_draft(
            &mut tx,
            &cases::NewDraft {
                mission_id: &paris,
                service_id: &service_id,
                kind: CaseKind::PassportRenewal,
                applicant_id: &citizen.id,
                form: &form,
                applicant_name: "",
                lang: "en",
                priority: Priority::Normal,
                idempotency_key: None,
                idempotency_fingerprint: None,
                expires_at: safir_store::now() + chrono::Duration::days(1),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut c = app.client();
        c.sign_in(&citizen).await;
        let edit = format!("/account/cases/{}/edit?lang=en", draft.id);
        let res = c
            .submit(
                &edit,
                &format!("/account/cases/{}/edit", draft.id),
                &[
                    ("intent", "save"),
                    ("surname", "Had\u{0}dad"),
                    ("given_names", "Layla"),
                    ("birth_place", "Am\u{0}man"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        assert!(res.body.contains(r#"value="Haddad""#), "{}", res.body);
        assert!(res.body.contains(r#"value="Amman""#), "{}", res.body);
        let saved = cases::find(&app.db, &draft.id).await.unwrap().form();
        assert_eq!(saved["surname"], "Haddad");
        assert_eq!(saved["birth_place"], "Amman");
    }
}
