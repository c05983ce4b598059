//! The schedule's forms sent twice: a double click or a retried request adds one rule and one
//! closure (two equal rules add up, each slot offering twice its seats).

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
