//! The JSON API as a token holder uses it: their account, the public mission directory, a
//! mission's staff, and every way a request can be refused (always problem+json).

use chrono::Duration;
use safir_domain::roles::Role;
use safir_store::accounts::{sessions, tokens};
use safir_store::audit;
use safir_web::auth::SESSION_COOKIE;
use serde_json::{Value, json};

use crate::harness::{Account, TestApp, TestResponse, unique_email};

/// A personal access token for `account` with `scopes`, made as account settings would.
pub async fn token(app: &TestApp, account: &Account, scopes: &[&str]) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let (_, secret) = tokens::create_api_token(&mut tx, &account.id, "test", scopes, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    secret
}

/// Checks the RFC 9457 shape and returns the body.
pub fn problem(res: &TestResponse, status: u16, code: &str) -> Value {
    assert_eq!(res.status.as_u16(), status, "{}", res.body);
    assert_eq!(
        res.headers.get("content-type").unwrap(),
        "application/problem+json",
        "{}",
        res.body
    );
    let body = res.json();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert_eq!(body["type"], format!("/problems/{code}"));
    // Translated: a message missing from the catalogue shows as its key.
    for part in ["title", "detail"] {
        assert!(
            body[part]
                .as_str()
                .is_some_and(|t| !t.is_empty() && !t.starts_with("error-")),
            "{part} untranslated: {body}"
        );
    }
    assert!(body["errors"].is_array());
    for e in body["errors"].as_array().unwrap() {
        assert!(
            e["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty() && !m.starts_with("field-error-")),
            "field message untranslated: {body}"
        );
    }
    body
}

/// `(field, code)` of each field error.
pub fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_token_reads_its_own_account_with_roles_and_scopes() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris)), (Role::Analyst, None)],
            )
            .await;
        let read = token(&app, &officer, &["read"]).await;
        let res = app.client().api("GET", "/api/v1/me", &read, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let me = res.json();
        assert_eq!(me["id"], officer.id);
        assert_eq!(me["email"], officer.email);
        assert_eq!(me["display_name"], "Test User");
        assert_eq!(me["kind"], "staff");
        assert_eq!(me["language"], "en");
        assert_eq!(me["token_scopes"], json!(["read"]));
        let roles = me["roles"].as_array().unwrap();
        assert!(
            roles.contains(
                &json!({"role": "consular_officer", "scope": "mission", "mission": "PAR"})
            )
        );
        assert!(roles.contains(&json!({"role": "analyst", "scope": "ministry", "mission": null})));
        assert!(me.get("password_hash").is_none() && me.get("totp_secret").is_none());
    }
}

#[tokio::test]
async fn a_browser_session_may_read_but_not_write_through_the_api() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&paris))],
            )
            .await;
        let cookie = sessions::create(&app.db, &head.id, true, None, None, Duration::hours(1))
            .await
            .unwrap();
        let mut browser = app.client();
        browser.cookies.insert(SESSION_COOKIE.to_owned(), cookie);
        let res = browser.get("/api/v1/me").await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["email"], head.email);
        assert!(res.json().get("token_scopes").is_none());
        let res = browser.get("/api/v1/missions/PAR/staff").await;
        assert_eq!(res.status, 200, "{}", res.body);

        // Writes need a token: a cookie alone is what a cross-site forgery would carry.
        let req = axum::http::Request::builder()
            .method("PATCH")
            .uri("/api/v1/me")
            .header("host", "safir.test")
            .header("content-type", "application/json")
            .header(
                "cookie",
                format!("{SESSION_COOKIE}={}", browser.cookies[SESSION_COOKIE]),
            )
            .body(axum::body::Body::from(r#"{"display_name": "Forged"}"#))
            .unwrap();
        let res = browser.send(req).await;
        problem(&res, 403, "csrf_failed");
        // Without the cookie the same write carries no credentials at all: it is told so.
        let req = axum::http::Request::builder()
            .method("PATCH")
            .uri("/api/v1/me")
            .header("host", "safir.test")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(r#"{"display_name": "Forged"}"#))
            .unwrap();
        let res = app.client().send(req).await;
        problem(&res, 401, "unauthenticated");
        assert_eq!(
            browser.get("/api/v1/me").await.json()["display_name"],
            "Test User"
        );

        // A session still waiting for its second factor reads nothing.
        let half = sessions::create(&app.db, &head.id, false, None, None, Duration::hours(1))
            .await
            .unwrap();
        let mut c = app.client();
        c.cookies.insert(SESSION_COOKIE.to_owned(), half);
        problem(&c.get("/api/v1/me").await, 401, "unauthenticated");
    }
}

#[tokio::test]
async fn without_a_valid_token_the_api_answers_401_problems() {
    for app in TestApp::all().await {
        let citizen = app.public_user(&unique_email("citizen")).await;
        let mut c = app.client();

        let res = c.api_raw("GET", "/api/v1/me", None, None, "").await;
        problem(&res, 401, "unauthenticated");
        // A 401 names the scheme to use; a token given and refused is said to be invalid.
        let challenge = |res: &TestResponse| res.headers["www-authenticate"].clone();
        assert_eq!(challenge(&res), r#"Bearer realm="safir""#);

        let res = c
            .api("GET", "/api/v1/me", "safir_not-a-real-token", None)
            .await;
        problem(&res, 401, "unauthenticated");
        let invalid = r#"Bearer realm="safir", error="invalid_token""#;
        assert_eq!(challenge(&res), invalid);

        let secret = token(&app, &citizen, &["read", "write"]).await;
        assert_eq!(c.api("GET", "/api/v1/me", &secret, None).await.status, 200);
        let listed = tokens::list_api_tokens(&app.db, &citizen.id).await.unwrap();
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            tokens::revoke_api_token(&mut tx, &citizen.id, &listed[0].id)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let res = c.api("GET", "/api/v1/me", &secret, None).await;
        problem(&res, 401, "unauthenticated");
        assert_eq!(challenge(&res), invalid);
        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": "X"})),
            )
            .await;
        problem(&res, 401, "unauthenticated");
    }
}

#[tokio::test]
async fn each_route_needs_its_scope() {
    for app in TestApp::all().await {
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;
        let read = token(&app, &admin, &["read"]).await;
        let write = token(&app, &admin, &["write"]).await;
        let mut c = app.client();

        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &read,
                Some(json!({"display_name": "Read Only"})),
            )
            .await;
        problem(&res, 403, "forbidden");
        let res = c
            .api("POST", "/api/v1/admin/jobs/no-such-job/retry", &read, None)
            .await;
        problem(&res, 403, "forbidden");
        let res = c.api("GET", "/api/v1/me", &write, None).await;
        problem(&res, 403, "forbidden");

        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &write,
                Some(json!({"display_name": "Writer"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["display_name"], "Writer");
        // A staff member's change is in the audit trail, with what it was before.
        let trail = audit::list(&app.db, &Default::default(), 1).await.unwrap();
        assert_eq!(trail[0].action, "user.profile_update");
        assert_eq!(trail[0].actor_id.as_deref(), Some(admin.id.as_str()));
        let summary: Value = serde_json::from_str(&trail[0].summary).unwrap();
        assert_eq!(
            summary["display_name"],
            json!({"from": "Test User", "to": "Writer"})
        );
    }
}

#[tokio::test]
async fn patching_the_account_validates_each_field() {
    for app in TestApp::all().await {
        let citizen = app.public_user(&unique_email("citizen")).await;
        let secret = token(&app, &citizen, &["read", "write"]).await;
        let mut c = app.client();

        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": "  ", "language": "fr"})),
            )
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&body),
            vec![
                ("display_name".into(), "required".into()),
                ("language".into(), "unsupported_language".into())
            ]
        );
        assert_eq!(body["errors"][0]["message"], "This field is required.");

        let long = "ب".repeat(121);
        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": long})),
            )
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(
            body["errors"][0]["message"],
            "Enter at most 120 characters."
        );

        // Nothing was changed by the refused requests.
        let me = c.api("GET", "/api/v1/me", &secret, None).await.json();
        assert_eq!(
            (me["display_name"].as_str(), me["language"].as_str()),
            (Some("Test User"), Some("en"))
        );

        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": "ليلى حداد", "language": "ar"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["display_name"], "ليلى حداد");
        assert_eq!(res.json()["language"], "ar");
        assert!(
            app.audit_actions().await.is_empty(),
            "a citizen's own profile is not a staff action"
        );

        // The saved language now speaks for the account: problems come back in Arabic.
        let res = c
            .api(
                "PATCH",
                "/api/v1/me",
                &secret,
                Some(json!({"display_name": ""})),
            )
            .await;
        let body = problem(&res, 422, "validation");
        assert_eq!(res.headers.get("content-language").unwrap(), "ar");
        assert_eq!(body["title"], "بعض الحقول تحتاج إلى مراجعة");
        assert_eq!(body["errors"][0]["message"], "هذا الحقل مطلوب.");
    }
}

#[tokio::test]
async fn anonymous_problems_follow_accept_language() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("ar");
        let res = c
            .api_raw("GET", "/api/v1/missions/NOPE", None, None, "")
            .await;
        let body = problem(&res, 404, "not_found");
        assert_eq!(body["title"], "الصفحة غير موجودة");
        let res = c.api_raw("GET", "/api/v1/me", None, None, "").await;
        let body = problem(&res, 401, "unauthenticated");
        assert_eq!(body["title"], "يرجى تسجيل الدخول");
        let res = c
            .api_raw(
                "GET",
                "/api/v1/admin/audit?limit=0",
                Some("safir_x"),
                None,
                "",
            )
            .await;
        assert_eq!(
            problem(&res, 401, "unauthenticated")["title"],
            "يرجى تسجيل الدخول"
        );

        c.lang = Some("en-GB,en;q=0.8");
        let res = c
            .api_raw("GET", "/api/v1/missions/NOPE", None, None, "")
            .await;
        assert_eq!(problem(&res, 404, "not_found")["title"], "Page not found");
    }
}

#[tokio::test]
async fn malformed_bodies_are_problems_never_500() {
    for app in TestApp::all().await {
        let citizen = app.public_user(&unique_email("citizen")).await;
        let secret = token(&app, &citizen, &["read", "write"]).await;
        let mut c = app.client();
        let json_ct = Some("application/json");
        let patch = |body: &'static str, ct: Option<&'static str>| (body, ct);
        let cases = [
            (
                patch("{\"display_name\": ", json_ct),
                400,
                "bad_request",
                ("body", "malformed_json"),
            ),
            (
                patch("not json", json_ct),
                400,
                "bad_request",
                ("body", "malformed_json"),
            ),
            (
                patch("{} {}", json_ct),
                400,
                "bad_request",
                ("body", "malformed_json"),
            ),
            (
                patch("", json_ct),
                400,
                "bad_request",
                ("body", "malformed_json"),
            ),
            (
                patch("[1, 2]", json_ct),
                422,
                "validation",
                ("body", "expected_object"),
            ),
            (
                patch("{\"display_name\": 7}", json_ct),
                422,
                "validation",
                ("display_name", "invalid_type"),
            ),
            (
                patch("{\"displayName\": \"A\"}", json_ct),
                422,
                "validation",
                ("displayName", "unknown_field"),
            ),
            (
                patch("{\"role\": \"admin\"}", json_ct),
                422,
                "validation",
                ("role", "unknown_field"),
            ),
        ];
        for ((body, ct), status, code, (field, field_code)) in cases {
            let res = c
                .api_raw("PATCH", "/api/v1/me", Some(&secret), ct, body)
                .await;
            let p = problem(&res, status, code);
            assert_eq!(
                field_codes(&p),
                vec![(field.to_owned(), field_code.to_owned())],
                "{body}"
            );
            assert!(
                !p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("field-error")
            );
        }
        let res = c
            .api_raw(
                "PATCH",
                "/api/v1/me",
                Some(&secret),
                Some("text/plain"),
                "{}",
            )
            .await;
        problem(&res, 415, "unsupported_media_type");
        let res = c
            .api_raw("PATCH", "/api/v1/me", Some(&secret), None, "{}")
            .await;
        problem(&res, 415, "unsupported_media_type");
        let res = c
            .api_raw("DELETE", "/api/v1/me", Some(&secret), None, "")
            .await;
        problem(&res, 405, "method_not_allowed");
        let res = c
            .api_raw("GET", "/api/v1/nothing-here", Some(&secret), None, "")
            .await;
        problem(&res, 404, "not_found");
        let huge = format!(
            "{{\"display_name\": \"{}\"}}",
            "a".repeat(safir_web::layers::DEFAULT_BODY_LIMIT + 1)
        );
        let res = c
            .api_raw("PATCH", "/api/v1/me", Some(&secret), json_ct, &huge)
            .await;
        problem(&res, 413, "payload_too_large");
        let res = c
            .api_raw(
                "PATCH",
                "/api/v1/me",
                Some(&secret),
                Some("application/json; charset=utf-8"),
                "{\"language\": \"ar\"}",
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // An empty object changes nothing and is fine.
        let res = c
            .api_raw("PATCH", "/api/v1/me", Some(&secret), json_ct, "{}")
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
}

#[tokio::test]
async fn the_mission_directory_is_public() {
    for app in TestApp::all().await {
        app.mission("PAR", "FR").await;
        app.mission("DXB", "AE").await;
        let mut c = app.client();
        let res = c.api_raw("GET", "/api/v1/missions", None, None, "").await;
        assert_eq!(res.status, 200, "{}", res.body);
        let list = res.json();
        let codes: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["DXB", "PAR"]);

        let res = c
            .api_raw("GET", "/api/v1/missions/par", None, None, "")
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            res.json(),
            json!({
                "code": "PAR",
                "kind": "embassy",
                "name": {"ar": "بعثة PAR", "en": "Mission PAR"},
                "country": "FR",
                "city": {"ar": "مدينة", "en": "City"},
                "languages": ["ar", "en"],
                "time_zone": "UTC",
                "contacts": {"email": null, "phone": null, "address": null},
            })
        );
        let res = c
            .api_raw("GET", "/api/v1/missions/XYZ", None, None, "")
            .await;
        problem(&res, 404, "not_found");
    }
}

#[tokio::test]
async fn staff_see_their_own_missions_staff_and_the_read_is_audited() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let head = app
            .staff(
                &unique_email("head"),
                &[
                    (Role::HeadOfMission, Some(&paris)),
                    (Role::PressOfficer, Some(&paris)),
                ],
            )
            .await;
        app.staff(&unique_email("dubai"), &[(Role::Analyst, Some(&dubai))])
            .await;
        let secret = token(&app, &officer, &["read"]).await;
        let mut c = app.client();

        let res = c
            .api("GET", "/api/v1/missions/PAR/staff", &secret, None)
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let body = res.json();
        assert_eq!(body["mission"], "PAR");
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{body}");
        let head_entry = items.iter().find(|m| m["id"] == head.id).unwrap();
        let mut roles: Vec<&str> = head_entry["roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        roles.sort();
        assert_eq!(roles, ["head_of_mission", "press_officer"]);
        assert_eq!(head_entry["email"], head.email);
        assert_eq!(head_entry["disabled"], false);

        let audit = app.audit_actions().await;
        assert_eq!(audit.last().map(String::as_str), Some("user.read"));
        let reads = audit.iter().filter(|a| *a == "user.read").count();

        let res = c
            .api("GET", "/api/v1/missions/DXB/staff", &secret, None)
            .await;
        problem(&res, 403, "forbidden");
        let res = c
            .api("GET", "/api/v1/missions/NOPE/staff", &secret, None)
            .await;
        problem(&res, 404, "not_found");
        let citizen = app.public_user(&unique_email("citizen")).await;
        let citizen_token = token(&app, &citizen, &["read"]).await;
        let res = c
            .api("GET", "/api/v1/missions/PAR/staff", &citizen_token, None)
            .await;
        problem(&res, 403, "forbidden");
        let after = app.audit_actions().await;
        assert_eq!(
            after.iter().filter(|a| *a == "user.read").count(),
            reads,
            "refused requests read nothing"
        );
    }
}

/// A query parameter a route does not take is refused, naming it, whichever route it is; the
/// interface language is not such a parameter.
#[tokio::test]
async fn routes_without_parameters_refuse_unknown_ones() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let officer = app
            .staff(
                &unique_email("par"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let secret = token(
            &app,
            &officer,
            &["read", "write", "cases:read", "consular:read"],
        )
        .await;
        let mut c = app.client();
        for path in [
            "/api/v1/me",
            "/api/v1/me/data",
            "/api/v1/me/appointments",
            "/api/v1/cases",
            "/api/v1/missions",
            "/api/v1/missions/PAR",
            "/api/v1/missions/PAR/staff",
            "/api/v1/travel-advice",
            "/api/v1/openapi.json",
        ] {
            let res = c
                .api("GET", &format!("{path}?lang=en"), &secret, None)
                .await;
            assert_eq!(res.status, 200, "{path}: {}", res.body);
            let res = c
                .api(
                    "GET",
                    &format!("{path}?colour=red&lang=en&colour=blue"),
                    &secret,
                    None,
                )
                .await;
            assert_eq!(
                field_codes(&problem(&res, 422, "validation")),
                [("colour".to_owned(), "unknown_field".to_owned())],
                "{path}"
            );
        }
        // Every route takes the interface language, the processing-times board included.
        let res = c
            .api(
                "GET",
                "/api/v1/missions/PAR/sla?lang=ar&window_days=30",
                &secret,
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // A write takes its input in the body: a parameter in the address is named.
        let res = c
            .api(
                "PATCH",
                "/api/v1/me?notify=1&lang=en",
                &secret,
                Some(json!({})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("notify".to_owned(), "unknown_field".to_owned())]
        );
        // The data download names a role's mission as `/me` does, by its code.
        let data = c.api("GET", "/api/v1/me/data", &secret, None).await.json();
        let role = &data["roles"][0];
        assert_eq!(
            (&role["role"], &role["scope"], &role["mission"]),
            (&json!("consular_officer"), &json!("mission"), &json!("PAR")),
            "{data}"
        );
        // Who may not read a route is refused as before, whatever the query says.
        let stranger = app.public_user(&unique_email("stranger")).await;
        let theirs = token(&app, &stranger, &["read"]).await;
        let res = c
            .api(
                "GET",
                "/api/v1/missions/PAR/staff?colour=red",
                &theirs,
                None,
            )
            .await;
        problem(&res, 403, "forbidden");
    }
}

/// Changes through the API are counted per account: past the limit the answer is
/// `429 rate_limited` with `Retry-After`, for that account only; reads are not counted.
#[tokio::test]
async fn writes_through_the_api_are_limited_per_account() {
    let app = TestApp::with_config(
        safir_store::testing::TestDb::sqlite().await,
        safir_web::state::WebConfig {
            api_writes_per_minute: 3,
            ..safir_web::state::WebConfig::default()
        },
    )
    .await;
    let busy = app.public_user(&unique_email("busy")).await;
    let calm = app.public_user(&unique_email("calm")).await;
    let busy_token = token(&app, &busy, &["read", "write"]).await;
    let calm_token = token(&app, &calm, &["read", "write"]).await;
    let mut c = app.client();
    for _ in 0..3 {
        let res = c
            .api("PATCH", "/api/v1/me", &busy_token, Some(json!({})))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let res = c
        .api("PATCH", "/api/v1/me", &busy_token, Some(json!({})))
        .await;
    problem(&res, 429, "rate_limited");
    assert!(res.headers.get("retry-after").is_some());
    assert_eq!(
        c.api("GET", "/api/v1/me", &busy_token, None).await.status,
        200
    );
    let res = c
        .api("PATCH", "/api/v1/me", &calm_token, Some(json!({})))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Reads of staff routes through the API (other people's data) are counted per account: past
/// the limit `429 rate_limited`, for that account only; an account's own data is not counted.
#[tokio::test]
async fn staff_reads_through_the_api_are_limited_per_account() {
    let app = TestApp::with_config(
        safir_store::testing::TestDb::sqlite().await,
        safir_web::state::WebConfig {
            api_staff_reads_per_minute: 3,
            ..safir_web::state::WebConfig::default()
        },
    )
    .await;
    let paris = app.mission("PAR", "FR").await;
    let staff = |name: &'static str| {
        let (app, paris) = (&app, paris.clone());
        async move {
            let who = app
                .staff(
                    &unique_email(name),
                    &[(Role::ConsularOfficer, Some(paris.as_str()))],
                )
                .await;
            token(app, &who, &["read", "consular:read"]).await
        }
    };
    let (busy, calm) = (staff("busy").await, staff("calm").await);
    let mut c = app.client();
    const QUEUE: &str = "/api/v1/missions/PAR/cases";
    for _ in 0..3 {
        let res = c.api("GET", QUEUE, &busy, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let res = c.api("GET", QUEUE, &busy, None).await;
    problem(&res, 429, "rate_limited");
    assert!(res.headers.get("retry-after").is_some());
    assert_eq!(c.api("GET", "/api/v1/me", &busy, None).await.status, 200);
    assert_eq!(c.api("GET", QUEUE, &calm, None).await.status, 200);
}
