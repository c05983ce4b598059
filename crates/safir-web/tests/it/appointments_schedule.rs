//! The schedule's forms sent twice: a double click or a retried request adds one rule and one
//! closure (two equal rules add up, each slot offering twice its seats).

use axum::body::Body;
use axum::http::{Request, header};
use chrono::Utc;
use safir_domain::roles::Role;
use safir_store::with_pool;

use crate::harness::{TestApp, unique_email};

async fn count(app: &TestApp, table: &str, mission_id: &str) -> i64 {
    let sql = match table {
        "appointment_rules" => "SELECT COUNT(*) FROM appointment_rules WHERE mission_id = $1",
        _ => "SELECT COUNT(*) FROM appointment_closures WHERE mission_id = $1",
    };
    with_pool!(app.db.read(), p => {
        sqlx::query_scalar(sql).bind(mission_id).fetch_one(p).await
    })
    .unwrap()
}

#[tokio::test]
async fn hours_and_a_closure_sent_twice_are_added_once() {
    for app in TestApp::all().await {
        let mission_id = app.mission("PAR", "FR").await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let mut c = app.client();
        c.sign_in(&head).await;
        let schedule = "/missions/PAR/appointments/schedule";
        let page = c.get(schedule).await;
        let token = page.csrf_token().unwrap();
        let keys: Vec<&str> = page
            .body
            .split(r#"name="request_key" value=""#)
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect();
        assert_eq!(keys.len(), 2, "one key per form");
        assert_ne!(keys[0], keys[1]);
        let from = Utc::now().date_naive() + chrono::Duration::days(30);
        let (from, until) = (
            from.to_string(),
            (from + chrono::Duration::days(2)).to_string(),
        );
        let rule = [
            ("weekday", "1"),
            ("service", ""),
            ("start_time", "09:00"),
            ("end_time", "12:00"),
            ("slot_minutes", "30"),
            ("capacity", "2"),
            ("valid_from", from.as_str()),
            ("request_key", keys[0]),
        ];
        let rules = "/missions/PAR/appointments/schedule/rules";
        let first = c.post_form_with_token(rules, &token, &rule).await;
        let again = c.post_form_with_token(rules, &token, &rule).await;
        for res in [&first, &again] {
            assert_eq!(
                res.location(),
                Some("/missions/PAR/appointments/schedule?saved=1"),
                "{}",
                res.body
            );
        }
        assert_eq!(count(&app, "appointment_rules", &mission_id).await, 1);
        assert_eq!(
            app.audit_summaries("appointment_rule.create").await.len(),
            1
        );

        let closure = [
            ("first_day", from.as_str()),
            ("last_day", until.as_str()),
            ("reason_ar", "عطلة"),
            ("reason_en", "Holiday"),
            ("request_key", keys[1]),
        ];
        let closures = "/missions/PAR/appointments/schedule/closures";
        for _ in 0..2 {
            let res = c.post_form_with_token(closures, &token, &closure).await;
            assert!(res.status.is_redirection(), "{}", res.body);
        }
        assert_eq!(count(&app, "appointment_closures", &mission_id).await, 1);
        assert_eq!(
            app.audit_summaries("appointment_closure.create")
                .await
                .len(),
            1
        );

        // The same hours from a form shown anew are a rule of their own (another counter).
        let (_, key) = c.form_key(schedule).await;
        let mut second = rule;
        second[7] = ("request_key", key.as_str());
        c.post_form_with_token(rules, &token, &second).await;
        assert_eq!(count(&app, "appointment_rules", &mission_id).await, 2);
    }
}

/// `POST` through the API with an `Idempotency-Key`.
async fn post_keyed(
    app: &TestApp,
    path: &str,
    secret: &str,
    key: &str,
    body: &serde_json::Value,
) -> crate::harness::TestResponse {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header(header::HOST, "safir.test")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.client().send(req).await
}

#[tokio::test]
async fn hours_and_a_closure_retried_through_the_api_are_added_once() {
    for app in TestApp::all().await {
        let mission_id = app.mission("PAR", "FR").await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let editor = crate::api::token(&app, &head, &["consular:read", "consular:write"]).await;
        let from = (Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
        let rule = serde_json::json!({
            "weekday": 2, "start_time": "09:00", "end_time": "12:00",
            "slot_minutes": 30, "capacity": 2, "valid_from": from,
        });
        let rules = "/api/v1/missions/PAR/appointments/schedule/rules";
        let first = post_keyed(&app, rules, &editor, "hours-1", &rule).await;
        assert_eq!(first.status, 201, "{}", first.body);
        // The answer was lost; the script sends it again.
        let again = post_keyed(&app, rules, &editor, "hours-1", &rule).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["id"], first.json()["id"]);
        assert_eq!(count(&app, "appointment_rules", &mission_id).await, 1);
        // The same key with other hours is another request, refused.
        let mut other = rule.clone();
        other["capacity"] = 3.into();
        let res = post_keyed(&app, rules, &editor, "hours-1", &other).await;
        let p = crate::api::problem(&res, 422, "validation");
        assert_eq!(
            crate::api::field_codes(&p),
            [(
                "Idempotency-Key".to_owned(),
                "idempotency_key_reused".to_owned()
            )]
        );
        // A new key is a second rule (a second counter), as before.
        let res = post_keyed(&app, rules, &editor, "hours-2", &rule).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(count(&app, "appointment_rules", &mission_id).await, 2);
        // Keys are each caller's own: another head of the mission may send "hours-1" too.
        let deputy = app
            .staff(
                &unique_email("deputy"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let theirs = crate::api::token(&app, &deputy, &["consular:read", "consular:write"]).await;
        let res = post_keyed(&app, rules, &theirs, "hours-1", &other).await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(count(&app, "appointment_rules", &mission_id).await, 3);

        let closures = "/api/v1/missions/PAR/appointments/schedule/closures";
        let closure = serde_json::json!({
            "first_day": from, "last_day": from, "reason_ar": "عطلة", "reason_en": "Holiday",
        });
        let first = post_keyed(&app, closures, &editor, "closed-1", &closure).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let again = post_keyed(&app, closures, &editor, "closed-1", &closure).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["id"], first.json()["id"]);
        assert_eq!(count(&app, "appointment_closures", &mission_id).await, 1);
        let created = app.audit_summaries("appointment_closure.create").await;
        assert_eq!(created.len(), 1, "{created:?}");
    }
}

/// The id in the first `…/{what}/{id}/remove` path the schedule page holds.
fn remove_path(body: &str, what: &str) -> String {
    let prefix = format!("/missions/PAR/appointments/schedule/{what}/");
    let start = body
        .find(&prefix)
        .unwrap_or_else(|| panic!("{prefix} in {body}"));
    let rest = &body[start..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// Opening hours or a closure removed twice (the second request of a double click, a retried
/// request) lead back to the schedule as the first did, removed once and audited once; the
/// second used to answer "Page not found".
#[tokio::test]
async fn hours_and_a_closure_removed_twice_lead_back_to_the_schedule() {
    for app in TestApp::all().await {
        let mission_id = app.mission("PAR", "FR").await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let from = Utc::now().date_naive() + chrono::Duration::days(30);
        let rule = safir_domain::consular::appointments::OpeningRule::new(
            chrono::Weekday::Mon,
            "09:00".parse().unwrap(),
            "12:00".parse().unwrap(),
            30,
            2,
            from,
            None,
            None,
        )
        .unwrap();
        let closure =
            safir_domain::consular::appointments::Closure::new(from, from, "عطلة", "Holiday")
                .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        safir_store::consular::appointments::schedule::add_rule(&mut tx, &mission_id, &rule)
            .await
            .unwrap();
        safir_store::consular::appointments::schedule::add_closure(&mut tx, &mission_id, &closure)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut c = app.client();
        c.sign_in(&head).await;
        let schedule = "/missions/PAR/appointments/schedule";
        let page = c.get(schedule).await;
        let token = page.csrf_token().unwrap();
        for (what, table, action) in [
            ("rules", "appointment_rules", "appointment_rule.remove"),
            (
                "closures",
                "appointment_closures",
                "appointment_closure.remove",
            ),
        ] {
            let remove = remove_path(&page.body, what);
            for _ in 0..2 {
                let res = c.post_form_with_token(&remove, &token, &[]).await;
                assert_eq!(
                    res.location(),
                    Some("/missions/PAR/appointments/schedule?saved=1"),
                    "{what}: {} {}",
                    res.status,
                    res.body
                );
            }
            assert_eq!(count(&app, table, &mission_id).await, 0, "{what}");
            assert_eq!(app.audit_summaries(action).await.len(), 1, "{what}");
        }
    }
}
