//! `POST /api/v1/missions/{mission}/cases/bulk`: one action on many cases, each through its
//! own path, with the outcome of each.

use safir_domain::consular::case::{Actor, CaseAction};
use safir_domain::roles::Role;
use serde_json::{Value, json};

use crate::api::{field_codes, problem, token};
use crate::api_consular::{renewal_service, service, submitted_case};
use crate::harness::{TestApp, unique_email};

/// The `(case, outcome, state)` of each result, in order.
fn outcomes(body: &Value) -> Vec<(String, String, Value)> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {body}"))
        .iter()
        .map(|r| {
            (
                r["case"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
                r["state"].clone(),
            )
        })
        .collect()
}

fn row(case: &str, outcome: &str, state: Value) -> (String, String, Value) {
    (case.to_owned(), outcome.to_owned(), state)
}

#[tokio::test]
async fn an_officer_acts_on_many_cases_and_learns_the_outcome_of_each() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let paris_service = service(&app, &paris, &renewal_service(true)).await;
        let dubai_service = service(&app, &dubai, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let officer = app
            .staff(
                &unique_email("par"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let dubai_officer = app
            .staff(
                &unique_email("dxb"),
                &[(Role::ConsularOfficer, Some(&dubai))],
            )
            .await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let a = submitted_case(&app, &mine, &paris_service).await;
        let b = submitted_case(&app, &mine, &paris_service).await;
        let withdrawn = submitted_case(&app, &mine, &paris_service).await;
        let in_dubai = submitted_case(&app, &mine, &dubai_service).await;
        let mut c = app.client();
        let res = c
            .api(
                "POST",
                &format!("/api/v1/cases/{withdrawn}/withdraw"),
                &mine,
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);

        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let bulk = "/api/v1/missions/PAR/cases/bulk";

        // Taking cases: each Paris case once, however often it is named; another mission's case
        // and a made-up id are not found; a withdrawn case is not open.
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({
                    "action": "assign_me",
                    "cases": [a, b, a, in_dubai, "no-such-case", withdrawn],
                })),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let body = res.json();
        assert_eq!(
            outcomes(&body),
            [
                row(&a, "done", json!("submitted")),
                row(&b, "done", json!("submitted")),
                row(&in_dubai, "not_found", Value::Null),
                row("no-such-case", "not_found", Value::Null),
                row(&withdrawn, "case_not_open", json!("withdrawn")),
            ]
        );
        assert_eq!(
            (body["done"].as_u64(), body["skipped"].as_u64()),
            (Some(2), Some(3))
        );
        assert!(
            body["results"][0]["reference"]
                .as_str()
                .is_some_and(|r| r.starts_with("PAR-")),
            "{body}"
        );
        let one = c
            .api(
                "GET",
                &format!("/api/v1/missions/PAR/cases/{a}"),
                &desk,
                None,
            )
            .await
            .json();
        assert_eq!(one["assignee_id"], officer.id.as_str(), "{one}");
        let assigned = app.audit_summaries("case.assign").await;
        assert_eq!(assigned.len(), 2, "{assigned:?}");
        assert!(
            assigned
                .iter()
                .all(|s| s["via"] == "api" && s["bulk"] == true && s["to"] == officer.id.as_str()),
            "{assigned:?}"
        );
        // Sent again (a retry): the cases are the officer's already; nothing written twice.
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "assign_me", "cases": [a, b]})),
            )
            .await;
        assert_eq!(
            outcomes(&res.json()),
            [
                row(&a, "done", json!("submitted")),
                row(&b, "done", json!("submitted")),
            ]
        );
        // A colleague's "take them" from an older queue: the cases stay with the officer.
        let colleague = app
            .staff(
                &unique_email("par2"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let theirs = token(&app, &colleague, &["consular:read", "consular:write"]).await;
        let res = c
            .api(
                "POST",
                bulk,
                &theirs,
                Some(json!({"action": "assign_me", "cases": [a]})),
            )
            .await;
        assert_eq!(
            outcomes(&res.json()),
            [row(&a, "case_assigned_to_other", json!("submitted"))]
        );
        assert_eq!(app.audit_summaries("case.assign").await.len(), 2);
        let res = c
            .api(
                "POST",
                &format!("/api/v1/missions/PAR/cases/{a}/assign"),
                &desk,
                Some(json!({"assignee": "me"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(app.audit_summaries("case.assign").await.len(), 2);

        // Moves go through the state machine, case by case.
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "start_review", "cases": [a, withdrawn]})),
            )
            .await;
        assert_eq!(
            outcomes(&res.json()),
            [
                row(&a, "done", json!("in_review")),
                row(&withdrawn, "case_transition_illegal", json!("withdrawn")),
            ]
        );
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "close", "cases": [withdrawn, a]})),
            )
            .await;
        assert_eq!(
            outcomes(&res.json()),
            [
                row(&withdrawn, "done", json!("closed")),
                row(&a, "case_transition_illegal", json!("in_review")),
            ]
        );
        // A move sent again (a retry) finds its cases where it leads: done, nothing written
        // twice; a case someone else moved there is said to be so.
        let moved = submitted_case(&app, &mine, &paris_service).await;
        crate::consular_officer::store_move(&app, &moved, CaseAction::StartReview, Actor::Officer)
            .await;
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "start_review", "cases": [a, moved]})),
            )
            .await;
        assert_eq!(
            outcomes(&res.json()),
            [
                row(&a, "done", json!("in_review")),
                row(&moved, "case_already_in_state", json!("in_review")),
            ]
        );
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "close", "cases": [withdrawn]})),
            )
            .await;
        assert_eq!(
            outcomes(&res.json()),
            [row(&withdrawn, "done", json!("closed"))]
        );
        assert_eq!(app.audit_summaries("case.start_review").await.len(), 1);
        assert_eq!(app.audit_summaries("case.close").await.len(), 1);
        // Every move made through the API says so in the audit trail, the applicant's too.
        for action in ["case.withdraw", "case.start_review", "case.close"] {
            let moves = app.audit_summaries(action).await;
            assert!(
                !moves.is_empty() && moves.iter().all(|s| s["via"] == "api"),
                "{action}: {moves:?}"
            );
        }
        // A closed case is no longer assigned or triaged one at a time either.
        let closed = format!("/api/v1/missions/PAR/cases/{withdrawn}");
        let res = c
            .api(
                "POST",
                &format!("{closed}/assign"),
                &desk,
                Some(json!({"assignee": "me"})),
            )
            .await;
        problem(&res, 409, "case_not_open");
        let res = c
            .api(
                "POST",
                &format!("{closed}/priority"),
                &desk,
                Some(json!({"priority": "high"})),
            )
            .await;
        problem(&res, 409, "case_not_open");
        // A request that could never be done is named as such first.
        let res = c
            .api(
                "POST",
                &format!("{closed}/priority"),
                &desk,
                Some(json!({"priority": "bogus"})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation"))[0].0,
            "priority"
        );
        let actions = app.audit_actions().await;
        assert!(
            actions.contains(&"case.start_review".to_owned()),
            "{actions:?}"
        );
        assert!(actions.contains(&"case.close".to_owned()), "{actions:?}");

        // Putting back: done once; again (a retried call), the case is already in the pool:
        // done, nothing written or audited again, in bulk as for the one case.
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "unassign", "cases": [b, b]})),
            )
            .await;
        assert_eq!(outcomes(&res.json()), [row(&b, "done", json!("submitted"))]);
        let assigns = app.audit_summaries("case.assign").await.len();
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "unassign", "cases": [b]})),
            )
            .await;
        assert_eq!(outcomes(&res.json()), [row(&b, "done", json!("submitted"))]);
        let res = c
            .api(
                "POST",
                &format!("/api/v1/missions/PAR/cases/{b}/assign"),
                &desk,
                Some(json!({"assignee": null})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["assignee_id"], json!(null));
        assert_eq!(app.audit_summaries("case.assign").await.len(), assigns);

        // Bad bodies are refused whole, naming the field.
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "approve", "cases": []})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [
                ("action".to_owned(), "unknown_bulk_action".to_owned()),
                ("cases".to_owned(), "required".to_owned()),
            ]
        );
        let many: Vec<String> = (0..201).map(|i| format!("case-{i}")).collect();
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "close", "cases": many})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("cases".to_owned(), "too_many_cases".to_owned())]
        );
        let res = c
            .api(
                "POST",
                bulk,
                &desk,
                Some(json!({"action": "close", "cases": [a], "reason": "x"})),
            )
            .await;
        problem(&res, 422, "validation");

        // Reading is not acting, and another mission's officer is refused at the door.
        let reader = token(&app, &officer, &["consular:read"]).await;
        let body = json!({"action": "assign_me", "cases": [b]});
        problem(
            &c.api("POST", bulk, &reader, Some(body.clone())).await,
            403,
            "forbidden",
        );
        let dubai_desk = token(&app, &dubai_officer, &["consular:read", "consular:write"]).await;
        problem(
            &c.api("POST", bulk, &dubai_desk, Some(body.clone())).await,
            403,
            "forbidden",
        );
        problem(
            &c.api("POST", bulk, &mine, Some(body)).await,
            403,
            "forbidden",
        );
        let untouched = c
            .api(
                "GET",
                &format!("/api/v1/missions/PAR/cases/{b}"),
                &desk,
                None,
            )
            .await
            .json();
        assert_eq!(untouched["assignee_id"], Value::Null, "{untouched}");
    }
}
