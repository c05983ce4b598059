//! What the consular API takes and gives: the public catalogue, drafts that accept only their
//! form's fields, and the officers' queue a page at a time with its filters.

use safir_domain::roles::Role;
use serde_json::{Value, json};

use crate::api::{field_codes, problem, token};
use crate::api_consular::{renewal_service, service, submitted_case};
use crate::harness::{TestApp, unique_email};

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
        // refuses NUL outright, and so does the edge, first); line breaks are text.
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
            [("surname".to_owned(), "nul_character".to_owned())]
        );
        let res = c
            .api(
                "PUT",
                &format!("/api/v1/cases/{id}/form"),
                &mine,
                Some(json!({"surname": "Had\u{1}dad"})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("surname".to_owned(), "invalid_characters".to_owned())]
        );
        // A date only as the form's date input holds one (in either digits); empty, a draft's
        // date is to come.
        let res = c
            .api(
                "PUT",
                &format!("/api/v1/cases/{id}/form"),
                &mine,
                Some(json!({"birth_date": "12/08/1974", "passport_expiry": ""})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("birth_date".to_owned(), "consular_date_invalid".to_owned())]
        );
        let res = c
            .api(
                "PUT",
                &format!("/api/v1/cases/{id}/form"),
                &mine,
                Some(json!({"birth_date": "", "passport_expiry": "٢٠٣١-٠٤-١٥"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c.api("GET", "/api/v1/cases/a%00b", &mine, None).await;
        problem(&res, 404, "not_found");
        // Nor does a segment that is no text once decoded.
        for path in ["/api/v1/cases/%FF", "/api/v1/missions/%FF"] {
            let res = c.api("GET", path, &mine, None).await;
            problem(&res, 404, "not_found");
        }
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
            [("q".to_owned(), "nul_character".to_owned())]
        );
        let res = c
            .api("GET", "/api/v1/missions/PAR/cases?q=%01", &desk, None)
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
        // An assignee who does not work the mission's cases, or a service it does not offer,
        // is a mistake named as such, not an empty page.
        let res = c
            .api(
                "GET",
                &format!(
                    "/api/v1/missions/PAR/cases?assignee={}&service_id=nope",
                    applicant.id
                ),
                &desk,
                None,
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [
                ("assignee".to_owned(), "not_an_officer".to_owned()),
                ("service_id".to_owned(), "unknown_service".to_owned())
            ]
        );
        for query in [
            format!("assignee={}", officer.id),
            "assignee=me".to_owned(),
            format!("service_id={paris_service}"),
        ] {
            let res = c
                .api(
                    "GET",
                    &format!("/api/v1/missions/PAR/cases?{query}"),
                    &desk,
                    None,
                )
                .await;
            assert_eq!(res.status, 200, "{query}: {}", res.body);
        }
    }
}

/// A date of birth from before 1900 (a year typed `0190`) or not yet past is refused at
/// submission on its field, in the caller's language, and the saved form keeps it as typed.
#[tokio::test]
async fn an_implausible_date_of_birth_is_refused_by_name() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let open = service(&app, &paris, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("born")).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let mut c = app.client();
        let mut form = crate::api_consular::renewal_form();
        form.as_object_mut().unwrap().remove("mrz");
        let res = c
            .api(
                "POST",
                "/api/v1/cases",
                &mine,
                Some(json!({"service_id": open, "form": form})),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let path = format!("/api/v1/cases/{}", res.json()["id"].as_str().unwrap());
        // Without the marks that keep a value's direction in the sentence.
        let unmarked = |m: &Value| {
            m.as_str()
                .unwrap()
                .replace(['\u{2068}', '\u{2069}', '\u{200E}'], "")
        };
        let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string();
        for (typed, code, en, ar) in [
            (
                "0190-05-17",
                "consular_birth_date_too_early",
                "A date of birth cannot be before 1900-01-01",
                "لا يمكن أن يكون تاريخ الميلاد قبل 1900-01-01",
            ),
            (
                "1899-12-31",
                "consular_birth_date_too_early",
                "A date of birth cannot be before 1900-01-01",
                "لا يمكن أن يكون تاريخ الميلاد قبل 1900-01-01",
            ),
            (
                tomorrow.as_str(),
                "consular_birth_date_not_past",
                "A date of birth must be before today",
                "يجب أن يكون تاريخ الميلاد قبل اليوم",
            ),
        ] {
            form["birth_date"] = typed.into();
            let res = c
                .api("PUT", &format!("{path}/form"), &mine, Some(form.clone()))
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
            let res = c
                .api("POST", &format!("{path}/submit?lang=en"), &mine, None)
                .await;
            let refused = problem(&res, 422, "validation");
            assert_eq!(
                field_codes(&refused),
                [("birth_date".to_owned(), code.to_owned())],
                "{typed}"
            );
            let message = unmarked(&refused["errors"][0]["message"]);
            assert!(message.contains(en), "{message}");
            let res = c
                .api("POST", &format!("{path}/submit?lang=ar"), &mine, None)
                .await;
            let refused = problem(&res, 422, "validation");
            let message = unmarked(&refused["errors"][0]["message"]);
            assert!(message.contains(ar), "{message}");
            let saved = c.api("GET", &path, &mine, None).await.json();
            assert_eq!(saved["state"], "draft");
            assert_eq!(saved["form"]["birth_date"], typed);
        }
        form["birth_date"] = "1900-01-01".into();
        let res = c
            .api("PUT", &format!("{path}/form"), &mine, Some(form.clone()))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c.api("POST", &format!("{path}/submit"), &mine, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["state"], "submitted");
    }
}

/// A route that takes no body takes none, or `{}`; a member sent to it is named, never
/// silently ignored, and nothing is done.
#[tokio::test]
async fn routes_without_a_body_refuse_one_with_members() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let open = service(&app, &paris, &renewal_service(true)).await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let id = submitted_case(&app, &mine, &open).await;
        let withdraw = format!("/api/v1/cases/{id}/withdraw");
        let mut c = app.client();

        let res = c
            .api(
                "POST",
                &withdraw,
                &mine,
                Some(json!({"reason": "changed my mind"})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("reason".to_owned(), "unknown_field".to_owned())]
        );
        let res = c
            .api_raw("POST", &withdraw, Some(&mine), Some("text/plain"), "please")
            .await;
        problem(&res, 415, "unsupported_media_type");
        let res = c
            .api_raw(
                "POST",
                &withdraw,
                Some(&mine),
                Some("application/json"),
                "{\"a\":",
            )
            .await;
        problem(&res, 400, "bad_request");
        let state = c
            .api("GET", &format!("/api/v1/cases/{id}"), &mine, None)
            .await;
        assert_eq!(state.json()["state"], "submitted", "nothing was done");

        // An empty object, or blank space, is no body: the first withdraws, the second reaches
        // the route, which answers the applicant's own withdrawal sent again as done.
        let res = c.api("POST", &withdraw, &mine, Some(json!({}))).await;
        assert_eq!(res.json()["state"], "withdrawn", "{}", res.body);
        let res = c
            .api_raw("POST", &withdraw, Some(&mine), Some("text/plain"), " \n")
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["state"], "withdrawn", "{}", res.body);
    }
}

/// A mission's catalogue through the API, as its editor pages keep it: heads of mission add
/// and change services, every failure named at once, changes audited; officers cannot.
#[tokio::test]
async fn heads_of_mission_keep_the_catalogue_through_the_api() {
    for app in TestApp::all().await {
        let paris = app.mission("PAR", "FR").await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&paris))],
            )
            .await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&paris))],
            )
            .await;
        let editor = token(&app, &head, &["consular:read", "consular:write"]).await;
        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let list = "/api/v1/missions/PAR/services";
        let mut c = app.client();
        let passport = json!({
            "kind": "passport_renewal",
            "code": "passport",
            "name_ar": "تجديد جواز السفر",
            "name_en": "Passport renewal",
            "documents": [{"ar": "صورة شخصية", "en": "A recent photo"}],
            "fee_minor": 7550,
            "currency": "EUR",
            "processing_days": 10,
        });

        // Officers work cases; the catalogue is the head of mission's.
        problem(&c.api("GET", list, &desk, None).await, 403, "forbidden");
        problem(
            &c.api("POST", list, &desk, Some(passport.clone())).await,
            403,
            "forbidden",
        );

        // Every failure at once.
        let mut bad = passport.clone();
        bad.as_object_mut().unwrap().remove("kind");
        bad["code"] = "Not A Code".into();
        bad["processing_days"] = 0.into();
        bad["fee_minor"] = (-5).into();
        let res = c.api("POST", list, &editor, Some(bad)).await;
        let fields: Vec<String> = field_codes(&problem(&res, 422, "validation"))
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        for f in ["kind", "code", "processing_days", "fee_minor"] {
            assert!(fields.contains(&f.to_owned()), "{f}: {fields:?}");
        }
        let mut visa = passport.clone();
        visa["kind"] = "visa".into();
        visa["code"] = "visa".into();
        let res = c.api("POST", list, &editor, Some(visa.clone())).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation"))[0].0,
            "visa_types"
        );

        // Visa types belong to a visa service; each document is named by its place.
        let mut mixed = passport.clone();
        mixed["visa_types"] = json!(["tourist"]);
        mixed["documents"] = json!([
            {"ar": "صورة شخصية", "en": "A recent photo"},
            {"ar": " ", "en": "Proof of address | utility bill"},
            {"ar": "استمارة", "en": "Form\nsigned"},
        ]);
        let res = c.api("POST", list, &editor, Some(mixed)).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [
                ("documents[1].ar".to_owned(), "required".to_owned()),
                (
                    "documents[1].en".to_owned(),
                    "consular_document_invalid".to_owned()
                ),
                (
                    "documents[2].en".to_owned(),
                    "consular_document_invalid".to_owned()
                ),
                (
                    "visa_types".to_owned(),
                    "consular_visa_types_not_visa".to_owned()
                ),
            ]
        );

        // A control character has no place in a name shown to applicants.
        let mut escaped = passport.clone();
        escaped["name_en"] = "Passport\u{7}\u{1b}[31m".into();
        let res = c.api("POST", list, &editor, Some(escaped)).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("name_en".to_owned(), "invalid_characters".to_owned())]
        );
        // Its input is the body: a parameter in the address is named, and nothing is made.
        let res = c
            .api(
                "POST",
                &format!("{list}?dry_run=1"),
                &editor,
                Some(passport.clone()),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("dry_run".to_owned(), "unknown_field".to_owned())]
        );
        let res = c.api("POST", list, &editor, Some(passport.clone())).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let created = res.json();
        let id = created["id"].as_str().unwrap().to_owned();
        assert_eq!(created["fee"]["minor"], 7550);
        assert_eq!(created["enabled"], true);
        assert_eq!(created["documents"][0]["en"], "A recent photo");
        let res = c.api("POST", list, &editor, Some(passport.clone())).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("code".to_owned(), "consular_service_code_taken".to_owned())]
        );

        // A replacement: only what changed is written; the kind stays.
        let one = format!("{list}/{id}");
        let mut changed = passport.clone();
        changed["name_en"] = "Passport renewal (adults)".into();
        changed["enabled"] = false.into();
        let res = c.api("PUT", &one, &editor, Some(changed.clone())).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["name"]["en"], "Passport renewal (adults)");
        assert_eq!(res.json()["enabled"], false);
        let res = c.api("PUT", &one, &editor, Some(changed.clone())).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let mut other_kind = changed.clone();
        other_kind["kind"] = "visa".into();
        other_kind["visa_types"] = json!(["tourist"]);
        let res = c.api("PUT", &one, &editor, Some(other_kind)).await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("kind".to_owned(), "consular_service_kind_fixed".to_owned())]
        );
        let updates = app.audit_summaries("service.update").await;
        assert_eq!(updates.len(), 1, "one change, one record: {updates:?}");
        assert_eq!(updates[0]["via"], "api");
        assert_eq!(updates[0]["changed"]["enabled"]["to"], false);
        assert_eq!(app.audit_summaries("service.create").await.len(), 1);
        // A replacement that leaves `enabled` out keeps the service as it is.
        let mut without = changed.clone();
        without.as_object_mut().unwrap().remove("enabled");
        without["name_en"] = "Passport renewal (adults, 16+)".into();
        let res = c.api("PUT", &one, &editor, Some(without.clone())).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["enabled"], false, "{}", res.body);
        let updates = app.audit_summaries("service.update").await;
        assert_eq!(updates.len(), 2);
        assert!(
            updates[1]["changed"].get("enabled").is_none(),
            "{updates:?}"
        );
        // Written against a version changed since, a replacement is refused and writes nothing;
        // against the version now stored it goes in.
        let current = res.json()["updated_at"].clone();
        assert_ne!(current, created["updated_at"]);
        let mut stale = without.clone();
        stale["base_updated_at"] = created["updated_at"].clone();
        stale["name_en"] = "Passport renewal (stale)".into();
        problem(
            &c.api("PUT", &one, &editor, Some(stale.clone())).await,
            409,
            "conflict",
        );
        assert_eq!(app.audit_summaries("service.update").await.len(), 2);
        stale["base_updated_at"] = current;
        let res = c.api("PUT", &one, &editor, Some(stale.clone())).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["name"]["en"], "Passport renewal (stale)");
        let saved = res.json();
        // Sent again after its answer was lost, with the same (now older) `base_updated_at`:
        // the service already says what it asks, so the answer is the service, and nothing is
        // written twice. A different body from that version is still a conflict.
        let res = c.api("PUT", &one, &editor, Some(stale.clone())).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json(), saved);
        assert_eq!(app.audit_summaries("service.update").await.len(), 3);
        let mut other = stale.clone();
        other["name_en"] = "Passport renewal (other)".into();
        problem(
            &c.api("PUT", &one, &editor, Some(other)).await,
            409,
            "conflict",
        );
        assert_eq!(app.audit_summaries("service.update").await.len(), 3);

        // Disabled: off the public catalogue, still in the mission's own list.
        let public = c
            .api_raw(
                "GET",
                "/api/v1/consular/services?mission=PAR",
                None,
                None,
                "",
            )
            .await
            .json();
        assert_eq!(public["items"].as_array().unwrap().len(), 0, "{public}");
        let own = c.api("GET", list, &editor, None).await.json();
        assert_eq!(own["items"][0]["id"], id.as_str(), "{own}");
        problem(
            &c.api("PUT", &format!("{list}/nope"), &editor, Some(changed))
                .await,
            404,
            "not_found",
        );
    }
}
