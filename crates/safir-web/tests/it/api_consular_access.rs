//! Who reaches what in the consular API: scopes per route, officers per mission, applicants
//! per case, and which scopes the token form offers to whom.

use safir_domain::roles::Role;
use serde_json::{Value, json};

use crate::api::{field_codes, problem, token};
use crate::api_consular::{renewal_service, service, submitted_case};
use crate::harness::{TestApp, unique_email};

#[tokio::test]
async fn tokens_open_only_their_scopes_and_officers_only_their_mission() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let paris_service = service(&app, &paris, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let stranger = app.public_user(&unique_email("stranger")).await;
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
        let admin = app
            .staff(&unique_email("admin"), &[(Role::Admin, None)])
            .await;

        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let id = submitted_case(&app, &mine, &paris_service).await;
        let case_path = format!("/api/v1/cases/{id}");
        let mut c = app.client();

        // A read-only token reads and cannot write.
        let reader = token(&app, &applicant, &["cases:read"]).await;
        assert_eq!(c.api("GET", &case_path, &reader, None).await.status, 200);
        let res = c
            .api("POST", &format!("{case_path}/withdraw"), &reader, None)
            .await;
        problem(&res, 403, "forbidden");
        let res = c
            .api(
                "POST",
                "/api/v1/cases",
                &reader,
                Some(json!({"service_id": paris_service})),
            )
            .await;
        problem(&res, 403, "forbidden");
        // The general scopes do not open cases, nor case scopes the rest.
        let general = token(&app, &applicant, &["read", "write"]).await;
        problem(
            &c.api("GET", "/api/v1/cases", &general, None).await,
            403,
            "forbidden",
        );
        problem(
            &c.api("GET", "/api/v1/me", &mine, None).await,
            403,
            "forbidden",
        );

        // An applicant's token does not reach the queues, whatever scopes it carries.
        let queue = "/api/v1/missions/PAR/cases";
        problem(&c.api("GET", queue, &mine, None).await, 403, "forbidden");
        let pretender = token(&app, &applicant, &["consular:read", "consular:write"]).await;
        problem(
            &c.api("GET", queue, &pretender, None).await,
            403,
            "forbidden",
        );

        // Someone else's case does not exist for them.
        let theirs = token(&app, &stranger, &["cases:read", "cases:write"]).await;
        problem(
            &c.api("GET", &case_path, &theirs, None).await,
            404,
            "not_found",
        );
        let res = c
            .api(
                "PUT",
                &format!("{case_path}/form"),
                &theirs,
                Some(json!({})),
            )
            .await;
        problem(&res, 404, "not_found");
        let res = c
            .api("POST", &format!("{case_path}/withdraw"), &theirs, None)
            .await;
        problem(&res, 404, "not_found");

        // Officers: reading needs consular:read, acting consular:write.
        let desk_reader = token(&app, &officer, &["consular:read"]).await;
        let in_paris = format!("/api/v1/missions/PAR/cases/{id}");
        assert_eq!(
            c.api("GET", &in_paris, &desk_reader, None).await.status,
            200
        );
        let res = c
            .api(
                "POST",
                &format!("{in_paris}/actions"),
                &desk_reader,
                Some(json!({"action": "start_review"})),
            )
            .await;
        problem(&res, 403, "forbidden");
        let staff_general = token(&app, &officer, &["read", "write"]).await;
        problem(
            &c.api("GET", queue, &staff_general, None).await,
            403,
            "forbidden",
        );

        // Another mission's officer is refused at the door; under their own mission's path the
        // case does not exist. The same for a ministry-wide administrator.
        let dubai_desk = token(&app, &dubai_officer, &["consular:read", "consular:write"]).await;
        problem(
            &c.api("GET", queue, &dubai_desk, None).await,
            403,
            "forbidden",
        );
        problem(
            &c.api("GET", &in_paris, &dubai_desk, None).await,
            403,
            "forbidden",
        );
        let in_dubai = format!("/api/v1/missions/DXB/cases/{id}");
        problem(
            &c.api("GET", &in_dubai, &dubai_desk, None).await,
            404,
            "not_found",
        );
        let res = c
            .api(
                "POST",
                &format!("{in_dubai}/actions"),
                &dubai_desk,
                Some(json!({"action": "start_review"})),
            )
            .await;
        problem(&res, 404, "not_found");
        let admin_desk = token(&app, &admin, &["consular:read", "consular:write"]).await;
        assert_eq!(c.api("GET", &in_paris, &admin_desk, None).await.status, 200);
        problem(
            &c.api("GET", &in_dubai, &admin_desk, None).await,
            404,
            "not_found",
        );

        // Assignments go to officers of the mission only.
        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let assign = format!("{in_paris}/assign");
        let res = c
            .api(
                "POST",
                &assign,
                &desk,
                Some(json!({"assignee": dubai_officer.id})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("assignee".to_owned(), "not_an_officer".to_owned())]
        );
        let res = c.api("POST", &assign, &desk, Some(json!({}))).await;
        problem(&res, 422, "validation");
        let res = c
            .api("POST", &assign, &desk, Some(json!({"assignee": "me"})))
            .await;
        assert_eq!(
            res.json()["assignee_id"],
            officer.id.as_str(),
            "{}",
            res.body
        );
        let mine_only = c
            .api("GET", &format!("{queue}?assignee=me"), &desk, None)
            .await
            .json();
        assert_eq!(mine_only["items"].as_array().unwrap().len(), 1);
        // Given to a colleague, the colleague is told by mail; taking it oneself told no one.
        assert!(app.emails_to(&officer.email).await.is_empty());
        let res = c
            .api("POST", &assign, &desk, Some(json!({"assignee": admin.id})))
            .await;
        assert_eq!(res.json()["assignee_id"], admin.id.as_str(), "{}", res.body);
        let told = app.emails_to(&admin.email).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(
            told[0].subject.ends_with(": assigned to you"),
            "{}",
            told[0].subject
        );
        let res = c
            .api("POST", &assign, &desk, Some(json!({"assignee": null})))
            .await;
        assert_eq!(res.json()["assignee_id"], Value::Null, "{}", res.body);
        assert!(
            app.audit_actions()
                .await
                .contains(&"case.assign".to_owned())
        );

        // The applicant's own moves are refused with the state machine's code.
        let res = c
            .api(
                "POST",
                &format!("{in_paris}/actions"),
                &desk,
                Some(json!({"action": "submit"})),
            )
            .await;
        problem(&res, 409, "case_transition_forbidden");
        let res = c
            .api("POST", &format!("{case_path}/withdraw"), &mine, None)
            .await;
        assert_eq!(res.json()["state"], "withdrawn", "{}", res.body);
        let res = c
            .api(
                "PUT",
                &format!("{case_path}/form"),
                &mine,
                Some(json!({"surname": "X"})),
            )
            .await;
        problem(&res, 409, "case_not_editable");
    }
}

#[tokio::test]
async fn the_token_form_offers_officer_scopes_to_officers_only() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let citizen = app.public_user(&unique_email("citizen")).await;
        let officer = app
            .staff(
                &unique_email("par"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;

        let mut browser = app.client();
        browser.sign_in(&citizen).await;
        let page = browser.get("/account").await;
        assert!(page.body.contains("name=\"scope_cases_write\""));
        assert!(!page.body.contains("name=\"scope_consular_read\""));
        let res = browser
            .submit(
                "/account",
                "/account/tokens",
                &[("name", "sneaky"), ("scope_consular_read", "on")],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(res.body.contains("Your roles do not allow"), "{}", res.body);
        let res = browser
            .submit(
                "/account",
                "/account/tokens",
                &[
                    ("name", "my script"),
                    ("scope_cases_read", "on"),
                    ("scope_cases_write", "on"),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.contains("cases:read cases:write"), "{}", res.body);

        let mut desk = app.client();
        desk.sign_in(&officer).await;
        let page = desk.get("/account").await;
        assert!(page.body.contains("name=\"scope_consular_write\""));
    }
}
