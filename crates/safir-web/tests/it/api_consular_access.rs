//! Who reaches what in the consular API: scopes per route, officers per mission, applicants
//! per case; the public catalogue; the queue a page at a time.

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
async fn the_catalogue_is_public_and_drafts_take_only_their_forms_fields() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let dubai = app.mission("DXB", "AE").await;
        let open = service(&app, &paris, &renewal_service(true)).await;
        let closed = service(&app, &paris, &renewal_service(false)).await;
        service(&app, &dubai, &renewal_service(true)).await;
        let mut c = app.client();

        let res = c
            .api_raw("GET", "/api/v1/consular/services", None, None, "")
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["items"].as_array().unwrap().len(), 2);
        let res = c
            .api_raw(
                "GET",
                "/api/v1/consular/services?mission=par",
                None,
                None,
                "",
            )
            .await;
        let items = res.json()["items"].clone();
        assert_eq!(items.as_array().unwrap().len(), 1);
        assert_eq!(items[0]["id"], open.as_str());
        assert_eq!(
            items[0]["fee"],
            json!({"minor": 7500, "currency": "EUR", "display": "75.00 EUR"})
        );
        assert_eq!(
            items[0]["name"],
            json!({"ar": "تجديد جواز السفر", "en": "Passport renewal"})
        );
        assert_eq!(
            items[0]["documents"][1],
            json!({"ar": "الجواز الحالي", "en": "Current passport"})
        );
        let res = c
            .api_raw(
                "GET",
                "/api/v1/consular/services?mission=XXX",
                None,
                None,
                "",
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("mission".to_owned(), "unknown_mission".to_owned())]
        );

        let applicant = app.public_user(&unique_email("applicant")).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let res = c
            .api(
                "POST",
                "/api/v1/cases",
                &mine,
                Some(json!({"service_id": closed})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("service_id".to_owned(), "unknown_service".to_owned())]
        );
        let body = json!({"service_id": open, "form": {"surname": "Haddad", "is_admin": "yes", "phone": 5}});
        let res = c.api("POST", "/api/v1/cases", &mine, Some(body)).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("form.phone".to_owned(), "invalid_type".to_owned())]
        );
        let body = json!({"service_id": open, "form": {"surname": "Haddad", "is_admin": "yes"}});
        let res = c.api("POST", "/api/v1/cases", &mine, Some(body)).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("form.is_admin".to_owned(), "unknown_field".to_owned())]
        );
        // An empty draft cannot be submitted: every required field is named.
        let res = c
            .api(
                "POST",
                "/api/v1/cases",
                &mine,
                Some(json!({"service_id": open})),
            )
            .await;
        let id = res.json()["id"].as_str().unwrap().to_owned();
        // Control characters are refused by name, never passed to the database (PostgreSQL
        // refuses NUL outright); line breaks are text.
        let res = c
            .api(
                "PUT",
                &format!("/api/v1/cases/{id}/form"),
                &mine,
                Some(json!({"surname": "Had\u{0}dad", "mrz": "P<\nL8"})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("surname".to_owned(), "invalid_characters".to_owned())]
        );
        let res = c.api("GET", "/api/v1/cases/a%00b", &mine, None).await;
        problem(&res, 404, "not_found");
        let res = c
            .api(
                "POST",
                "/api/v1/cases",
                &mine,
                Some(json!({"service_id": "x\u{0}"})),
            )
            .await;
        problem(&res, 422, "validation");
        let res = c
            .api("POST", &format!("/api/v1/cases/{id}/submit"), &mine, None)
            .await;
        let fields: Vec<String> = field_codes(&problem(&res, 422, "validation"))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        for f in [
            "surname",
            "birth_date",
            "passport_number",
            "phone",
            "collection",
        ] {
            assert!(fields.contains(&f.to_owned()), "{f}: {fields:?}");
        }
    }
}

#[tokio::test]
async fn the_queue_comes_a_page_at_a_time_with_its_filters() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let paris_service = service(&app, &paris, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(submitted_case(&app, &mine, &paris_service).await);
        }
        let officer = app
            .staff(
                &unique_email("par"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let desk = token(&app, &officer, &["consular:read"]).await;
        let mut c = app.client();

        let first = c
            .api(
                "GET",
                "/api/v1/missions/PAR/cases?state=submitted&limit=2",
                &desk,
                None,
            )
            .await
            .json();
        let page: Vec<&str> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(page, [ids[0].as_str(), ids[1].as_str()], "oldest first");
        let next = first["next"].as_str().unwrap();
        assert!(
            next.contains("state=submitted") && next.contains("limit=2"),
            "{next}"
        );
        let second = c.api("GET", next, &desk, None).await.json();
        assert_eq!(second["items"][0]["id"], ids[2].as_str());
        assert_eq!(second["items"].as_array().unwrap().len(), 1);
        assert_eq!(second["next_cursor"], Value::Null);

        let empty = c
            .api(
                "GET",
                "/api/v1/missions/PAR/cases?state=closed",
                &desk,
                None,
            )
            .await
            .json();
        assert!(empty["items"].as_array().unwrap().is_empty());
        let res = c
            .api("GET", "/api/v1/missions/PAR/cases?q=%00", &desk, None)
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("q".to_owned(), "invalid_characters".to_owned())]
        );
        let res = c
            .api("GET", "/api/v1/missions/PAR/cases/%00", &desk, None)
            .await;
        problem(&res, 404, "not_found");
        let res = c
            .api(
                "GET",
                "/api/v1/missions/PAR/cases?state=draft&cursor=nope",
                &desk,
                None,
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [
                ("state".to_owned(), "unknown_state".to_owned()),
                ("cursor".to_owned(), "invalid_cursor".to_owned())
            ]
        );
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
