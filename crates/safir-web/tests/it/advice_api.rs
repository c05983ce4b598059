//! The travel advice API: anyone reads it without a token; a ministry administrator's
//! `write` token publishes, with per-field errors, conflicts and the audit trail.

use safir_domain::roles::Role;
use serde_json::json;

use crate::admin_support::last_summary;
use crate::advice_pages::publish;
use crate::api::{field_codes, problem, token};
use crate::harness::{TestApp, unique_email};

fn body(level: i64, summary_en: &str, base: Option<i64>) -> serde_json::Value {
    let mut b = json!({
        "level": level,
        "summary": {"ar": "لا تسافر إلى السودان.", "en": summary_en},
        "safety_and_security": {"ar": "نزاع مسلح.", "en": "Armed conflict."},
        "health": {"en": "Hospitals are overwhelmed."},
        "change_summary": {"ar": "رفع المستوى إلى 4.", "en": "Raised to level 4."},
    });
    if let Some(base) = base {
        b["base_version"] = base.into();
    }
    b
}

#[tokio::test]
async fn anyone_reads_the_advice_without_a_token() {
    for app in TestApp::all().await {
        publish(&app, "SD", 4, "لا تسافر.", "Do not travel.").await;
        publish(&app, "AE", 1, "احتياطات عادية.", "Normal precautions.").await;
        let mut c = app.client();
        let res = c
            .api_raw("GET", "/api/v1/travel-advice", None, None, "")
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let list = res.json();
        let items = list["items"].as_array().unwrap();
        let codes: Vec<&str> = items
            .iter()
            .map(|i| i["country"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["AE", "SD"]);
        let sd = &items[1];
        assert_eq!(sd["name"], json!({"ar": "السودان", "en": "Sudan"}));
        assert_eq!(sd["level"]["number"], 4);
        assert_eq!(sd["level"]["key"], "do_not_travel");
        assert_eq!(
            sd["level"]["label"],
            json!({"ar": "لا تسافر", "en": "Do not travel"})
        );
        assert_eq!(sd["summary"]["en"], "Do not travel.");
        assert_eq!(sd["version"], 1);

        let res = c
            .api_raw("GET", "/api/v1/travel-advice/sd", None, None, "")
            .await;
        assert_eq!(res.status, 200);
        let one = res.json();
        assert_eq!(one["country"], "SD");
        assert_eq!(
            one["sections"]["safety_and_security"]["en"],
            "Avoid gatherings.\nCarry your passport."
        );
        assert_eq!(one["sections"]["health"], json!({"ar": "", "en": ""}));
        assert_eq!(one["change_summary"]["en"], "Now level 4");
        assert!(one["version_id"].as_str().is_some_and(|v| v.len() == 32));

        let missing = c
            .api_raw("GET", "/api/v1/travel-advice/FR", None, None, "")
            .await;
        problem(&missing, 404, "not_found");
        let unknown = c
            .api_raw("GET", "/api/v1/travel-advice/XX", None, None, "")
            .await;
        problem(&unknown, 404, "not_found");
    }
}

#[tokio::test]
async fn an_admin_token_publishes_versions_and_level_changes() {
    for app in TestApp::all().await {
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;
        let secret = token(&app, &admin, &["read", "write"]).await;
        let mut c = app.client();

        let res = c
            .api(
                "PUT",
                "/api/v1/travel-advice/sd",
                &secret,
                Some(body(3, "Reconsider.", Some(0))),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let v1 = res.json();
        assert_eq!(
            (v1["country"].clone(), v1["version"].clone()),
            ("SD".into(), 1.into())
        );
        assert_eq!(
            v1["sections"]["health"],
            json!({"ar": "", "en": "Hospitals are overwhelmed."})
        );
        let summary = last_summary(&app, "travel_advice.publish").await;
        assert_eq!(summary["via"], "api");
        assert_eq!(summary["version"], 1);

        let res = c
            .api(
                "PUT",
                "/api/v1/travel-advice/SD",
                &secret,
                Some(body(4, "Do not travel.", Some(1))),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let v2 = res.json();
        assert_eq!(v2["version"], 2);
        assert_eq!(v2["level"]["number"], 4);
        let summary = last_summary(&app, "travel_advice.publish").await;
        assert_eq!(summary["level"], json!({"from": 3, "to": 4}));
        let jobs = safir_store::jobs::stats(&app.db).await.unwrap();
        assert_eq!(jobs.queued, 2, "the first level's job, then the change's");

        // The same request again (a retry after a lost answer): answered as published, the
        // version it made, not 409; nothing more is written.
        let again = c
            .api(
                "PUT",
                "/api/v1/travel-advice/SD",
                &secret,
                Some(body(4, "Do not travel.", Some(1))),
            )
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["version"], 2);
        assert_eq!(again.json()["id"], v2["id"]);
        let publications = app.audit_actions().await;
        assert_eq!(
            publications
                .iter()
                .filter(|a| *a == "travel_advice.publish")
                .count(),
            2
        );
        // Another editor's words from the same base are a conflict, as before.
        let other = c
            .api(
                "PUT",
                "/api/v1/travel-advice/SD",
                &secret,
                Some(body(4, "Leave now.", Some(1))),
            )
            .await;
        problem(&other, 409, "conflict");

        // Based on version 1 after version 2: refused, nothing written.
        let stale = c
            .api(
                "PUT",
                "/api/v1/travel-advice/SD",
                &secret,
                Some(body(1, "Stale.", Some(1))),
            )
            .await;
        problem(&stale, 409, "conflict");
        let now = c
            .api("GET", "/api/v1/travel-advice/SD", &secret, None)
            .await
            .json();
        assert_eq!(now["version"], 2);
    }
}

#[tokio::test]
async fn each_invalid_field_is_named_by_its_json_path() {
    let app = TestApp::sqlite().await;
    let admin = app
        .staff(&unique_email("admin"), &[(Role::Admin, None)])
        .await;
    let secret = token(&app, &admin, &["write"]).await;
    let mut c = app.client();

    let mut b = body(5, "", None);
    b["change_summary"]["ar"] = "x".repeat(301).into();
    b["local_laws"] = json!({"ar": "bell\u{7}"});
    let res = c
        .api("PUT", "/api/v1/travel-advice/SD", &secret, Some(b))
        .await;
    let p = problem(&res, 422, "validation");
    assert_eq!(
        field_codes(&p),
        [
            ("level".to_owned(), "advice_level_unknown".to_owned()),
            ("local_laws.ar".to_owned(), "invalid_characters".to_owned()),
            ("summary.en".to_owned(), "required".to_owned()),
            ("change_summary.ar".to_owned(), "too_long".to_owned()),
        ]
    );
    assert!(p["errors"][3]["message"].as_str().unwrap().contains("300"));

    let res = c
        .api(
            "PUT",
            "/api/v1/travel-advice/SD",
            &secret,
            Some(json!({"level": 2, "colour": "red"})),
        )
        .await;
    let p = problem(&res, 422, "validation");
    assert_eq!(
        field_codes(&p)[0],
        ("colour".to_owned(), "unknown_field".to_owned())
    );
    let res = c
        .api(
            "PUT",
            "/api/v1/travel-advice/ZZ",
            &secret,
            Some(body(2, "x", None)),
        )
        .await;
    problem(&res, 404, "not_found");
    assert!(
        app.audit_actions()
            .await
            .iter()
            .all(|a| a != "travel_advice.publish")
    );
}
