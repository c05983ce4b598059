//! The consular API as programs use it: an applicant renews a passport through the API only
//! while an officer works the case through the API; every token reaches only its scopes, and
//! nobody reaches another applicant's or another mission's cases.

use axum::body::Body;
use axum::http::{Request, header};
use chrono::{Datelike, NaiveDate, Utc};
use safir_domain::consular::case::CaseKind;
use safir_domain::consular::service::{Currency, Fee};
use safir_domain::roles::Role;
use safir_store::consular::services::{self, ServiceInput};
use serde_json::{Value, json};

use crate::api::{field_codes, problem, token};
use crate::harness::{Account, TestApp, TestResponse, unique_email};

pub fn renewal_service(enabled: bool) -> ServiceInput {
    ServiceInput {
        code: if enabled { "passport" } else { "passport_old" }.into(),
        kind: CaseKind::PassportRenewal,
        name_ar: "تجديد جواز السفر".into(),
        name_en: "Passport renewal".into(),
        instructions_ar: "املأ الاستمارة".into(),
        instructions_en: "Fill in the form".into(),
        documents: "صورة شخصية | Photo\nالجواز الحالي | Current passport".into(),
        fee: Fee::parse("75", Currency::parse("EUR").unwrap()).unwrap(),
        processing_days: 10,
        visa_types: vec![],
        enabled,
    }
}

pub async fn service(app: &TestApp, mission_id: &str, input: &ServiceInput) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = services::create(&mut tx, mission_id, input).await.unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

/// ICAO 9303 check digit: weights 7, 3, 1; letters count from 10, fillers as 0.
fn check_digit(field: &str) -> char {
    let sum: u32 = field
        .bytes()
        .zip([7, 3, 1].iter().cycle())
        .map(|(b, w)| {
            let v = match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            };
            v * w
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap()
}

fn yymmdd(d: NaiveDate) -> String {
    format!("{:02}{:02}{:02}", d.year() % 100, d.month(), d.day())
}

/// A passport's machine-readable zone (TD3) with every check digit right.
fn td3(number: &str, birth: NaiveDate, expiry: NaiveDate) -> String {
    let line1 = format!("{:<<44}", "P<JORHADDAD<<LAYLA");
    let doc = format!("{number:<<9}");
    let doc = format!("{doc}{}", check_digit(&doc));
    let birth = format!("{}{}", yymmdd(birth), check_digit(&yymmdd(birth)));
    let expiry = format!("{}{}", yymmdd(expiry), check_digit(&yymmdd(expiry)));
    let personal = format!("{}{}", "<".repeat(14), check_digit(&"<".repeat(14)));
    let composite = check_digit(&format!("{doc}{birth}{expiry}{personal}"));
    format!("{line1}\n{doc}JOR{birth}F{expiry}{personal}{composite}")
}

/// A complete passport renewal form, with a machine-readable zone that matches it.
pub fn renewal_form() -> Value {
    let birth = NaiveDate::from_ymd_opt(1990, 5, 17).unwrap();
    let today = Utc::now().date_naive();
    let expiry = NaiveDate::from_ymd_opt(today.year() + 4, 3, 1).unwrap();
    json!({
        "surname": "Haddad",
        "given_names": "Layla",
        "birth_date": "1990-05-17",
        "birth_place": "Amman",
        "passport_number": "N1234567",
        "passport_expiry": expiry.format("%Y-%m-%d").to_string(),
        "mrz": td3("N1234567", birth, expiry),
        "phone": "+33 1 23 45 67 89",
        "collection": "mission",
    })
}

/// Creates a draft with an `Idempotency-Key`.
pub async fn create_with_key(app: &TestApp, secret: &str, key: &str, body: &Value) -> TestResponse {
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/cases")
        .header(header::HOST, "safir.test")
        .header(header::AUTHORIZATION, format!("Bearer {secret}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    app.client().send(req).await
}

/// A submitted passport renewal of the token's owner; returns its id.
pub async fn submitted_case(app: &TestApp, secret: &str, service_id: &str) -> String {
    let (created, _) = file_and_submit(app, secret, service_id, renewal_form()).await;
    created.json()["id"].as_str().unwrap().to_owned()
}

/// Creates a case of the token's owner with `form` and submits it; returns both answers.
async fn file_and_submit(
    app: &TestApp,
    secret: &str,
    service_id: &str,
    form: Value,
) -> (TestResponse, TestResponse) {
    let mut c = app.client();
    let body = json!({ "service_id": service_id, "form": form });
    let created = c.api("POST", "/api/v1/cases", secret, Some(body)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let submitted = c
        .api("POST", &format!("/api/v1/cases/{id}/submit"), secret, None)
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    (created, submitted)
}

/// An emergency service of `mission`; returns its id.
async fn emergency_service(app: &TestApp, mission: &str) -> String {
    let input = ServiceInput {
        code: "emergency".into(),
        kind: CaseKind::Emergency,
        ..renewal_service(true)
    };
    service(app, mission, &input).await
}

struct Cast {
    applicant: Account,
    officer: Account,
    paris_service: String,
}

async fn cast(app: &TestApp) -> Cast {
    let paris = app.mission("PAR", "FR").await;
    let paris_service = service(app, &paris, &renewal_service(true)).await;
    let applicant = app.public_user(&unique_email("applicant")).await;
    let officer = app
        .staff(
            &unique_email("officer"),
            &[(Role::ConsularOfficer, Some(&paris))],
        )
        .await;
    Cast {
        applicant,
        officer,
        paris_service,
    }
}

/// The states of the case's history, in order.
fn timeline(case: &Value) -> Vec<String> {
    case["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_passport_renewal_through_the_api_only() {
    for app in TestApp::all().await {
        let Cast {
            applicant,
            officer,
            paris_service,
        } = cast(&app).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let mut c = app.client();

        // A draft, sent twice with the same key (a retry after a lost answer): one case.
        let mut form = renewal_form();
        let good_mrz = form["mrz"].as_str().unwrap().to_owned();
        // Mistype the birth date's check digit (line 2, position 20).
        let mut bad_mrz: Vec<char> = good_mrz.chars().collect();
        let at = 45 + 19;
        bad_mrz[at] = if bad_mrz[at] == '0' { '1' } else { '0' };
        form["mrz"] = bad_mrz.into_iter().collect::<String>().into();
        let body = json!({ "service_id": paris_service, "form": { "surname": "Haddad" } });
        let first = create_with_key(&app, &mine, "renewal-2026-1", &body).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let id = first.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(
            first.headers.get("location").unwrap(),
            &format!("/api/v1/cases/{id}")
        );
        assert_eq!(first.json()["state"], "draft");
        assert_eq!(first.json()["available_actions"], json!(["submit"]));
        let again = create_with_key(&app, &mine, "renewal-2026-1", &body).await;
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["id"], id.as_str());
        // The same key for another service is refused, not answered with this draft.
        let other = json!({ "service_id": "another-service", "form": {} });
        let res = create_with_key(&app, &mine, "renewal-2026-1", &other).await;
        let refused = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&refused),
            [(
                "Idempotency-Key".to_owned(),
                "idempotency_key_reused".to_owned()
            )]
        );
        // So is the same key with another form: the retry would silently drop it.
        let changed = json!({ "service_id": paris_service, "form": { "surname": "Haddád" } });
        let res = create_with_key(&app, &mine, "renewal-2026-1", &changed).await;
        let refused = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&refused),
            [(
                "Idempotency-Key".to_owned(),
                "idempotency_key_reused".to_owned()
            )]
        );
        let list = c.api("GET", "/api/v1/cases", &mine, None).await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        // The whole form with a mistyped zone: saved, but refused at submission, each
        // failing field named with its check, and nothing saved lost.
        let path = format!("/api/v1/cases/{id}");
        let form_with_bad_digit = form.clone();
        let res = c
            .api("PUT", &format!("{path}/form"), &mine, Some(form))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c.api("POST", &format!("{path}/submit"), &mine, None).await;
        let refused = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&refused),
            [(
                "mrz".to_owned(),
                "consular_mrz_check_digit_birth_date".to_owned()
            )]
        );
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("date of birth")
        );
        // A character a zone cannot hold is named by its line and place, in both languages.
        let mut odd: Vec<char> = good_mrz.chars().collect();
        odd[45 + 4] = '٥';
        let mut odd_form = renewal_form();
        odd_form["mrz"] = odd.into_iter().collect::<String>().into();
        let res = c
            .api("PUT", &format!("{path}/form"), &mine, Some(odd_form))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c.api("POST", &format!("{path}/submit"), &mine, None).await;
        let refused = problem(&res, 422, "validation");
        let unmarked =
            |m: &serde_json::Value| m.as_str().unwrap().replace(['\u{2068}', '\u{2069}'], "");
        let message = unmarked(&refused["errors"][0]["message"]);
        assert!(message.contains("character 5 of line 2"), "{message}");
        let res = c
            .api("POST", &format!("{path}/submit?lang=ar"), &mine, None)
            .await;
        let refused = problem(&res, 422, "validation");
        let message = unmarked(&refused["errors"][0]["message"]);
        assert!(message.contains("الحرف 5 من السطر 2"), "{message}");
        // An unknown nationality is named as the nationality, not as some country code.
        let mut stateless = renewal_form();
        let mut zone = good_mrz.clone();
        zone.replace_range(45 + 10..45 + 13, "XXQ");
        stateless["mrz"] = zone.into();
        let res = c
            .api("PUT", &format!("{path}/form"), &mine, Some(stateless))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c.api("POST", &format!("{path}/submit"), &mine, None).await;
        let refused = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&refused),
            [(
                "mrz".to_owned(),
                "consular_mrz_unknown_nationality".to_owned()
            )]
        );
        let message = unmarked(&refused["errors"][0]["message"]);
        assert!(message.starts_with("The nationality"), "{message}");
        let res = c
            .api(
                "PUT",
                &format!("{path}/form"),
                &mine,
                Some(form_with_bad_digit.clone()),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);

        let draft = c.api("GET", &path, &mine, None).await.json();
        assert_eq!(draft["state"], "draft");
        assert_eq!(draft["form"]["birth_place"], "Amman");
        assert_ne!(draft["form"]["mrz"], good_mrz.as_str());

        // Fixed, it goes through and gets its reference.
        let mut fixed = draft["form"].clone();
        fixed["mrz"] = good_mrz.clone().into();
        let res = c
            .api("PUT", &format!("{path}/form"), &mine, Some(fixed))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // While the mission does not offer the service, the draft is kept and not sent.
        let offer = |on: bool| {
            let db = app.db.clone();
            let service = paris_service.clone();
            async move {
                safir_store::with_pool!(db.write(), p => {
                    sqlx::query("UPDATE consular_services SET enabled = $1 WHERE id = $2")
                        .bind(on).bind(&service).execute(p).await.map(|r| r.rows_affected())
                })
                .unwrap()
            }
        };
        offer(false).await;
        let res = c.api("POST", &format!("{path}/submit"), &mine, None).await;
        problem(&res, 409, "case_service_disabled");
        let draft = c.api("GET", &path, &mine, None).await.json();
        assert_eq!(draft["state"], "draft");
        assert_eq!(draft["reference"], Value::Null);
        assert_eq!(draft["available_actions"], json!([]), "no submit to offer");
        let list = c.api("GET", "/api/v1/cases", &mine, None).await.json();
        assert_eq!(list["items"][0]["available_actions"], json!([]), "{list}");
        offer(true).await;
        let draft = c.api("GET", &path, &mine, None).await.json();
        assert_eq!(draft["available_actions"], json!(["submit"]));
        let res = c.api("POST", &format!("{path}/submit"), &mine, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let submitted = res.json();
        assert_eq!(submitted["state"], "submitted");
        assert_eq!(submitted["applicant_name"], "Layla Haddad");
        let reference = submitted["reference"].as_str().unwrap().to_owned();
        assert!(reference.starts_with("PAR-"), "{reference}");
        assert_eq!(submitted["available_actions"], json!(["withdraw"]));

        // The officer finds it in the queue and opens it; both reads are audited.
        let desk_path = format!("/api/v1/missions/PAR/cases/{id}");
        let queue = c
            .api("GET", "/api/v1/missions/PAR/cases", &desk, None)
            .await;
        assert_eq!(queue.status, 200, "{}", queue.body);
        let queue = queue.json();
        assert_eq!(queue["items"][0]["reference"], reference.as_str());
        assert_eq!(queue["items"][0]["service_name"]["en"], "Passport renewal");
        assert_eq!(queue["items"][0]["awaiting_reply_since"], Value::Null);
        assert_eq!(queue["counts"]["submitted"], 1);
        assert_eq!(queue["next_cursor"], Value::Null);
        let seen = c.api("GET", &desk_path, &desk, None).await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.json()["form"]["passport_number"], "N1234567");
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"case.list".to_owned()), "{actions:?}");
        assert!(actions.contains(&"case.read".to_owned()), "{actions:?}");

        // Review, then a request for information; deciding now is not possible.
        let act = |body: Value| {
            let path = format!("{desk_path}/actions");
            let desk = desk.clone();
            let app = &app;
            async move { app.client().api("POST", &path, &desk, Some(body)).await }
        };
        let res = act(json!({"action": "start_review"})).await;
        assert_eq!(res.json()["state"], "in_review", "{}", res.body);
        // Sent again (a retry after a lost answer): this officer's own move, answered as the
        // first was, not 409; the history holds it once.
        let res = act(json!({"action": "start_review"})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["state"], "in_review");
        let res = c
            .api(
                "POST",
                &format!("{desk_path}/assign"),
                &desk,
                Some(json!({"assignee": "me"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // Sent again: already so, nothing changes, and the whole case it answers with is
        // recorded as a read.
        let reads = app.audit_summaries("case.read").await.len();
        let assigns = app.audit_summaries("case.assign").await.len();
        let res = c
            .api(
                "POST",
                &format!("{desk_path}/assign"),
                &desk,
                Some(json!({"assignee": "me"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(app.audit_summaries("case.assign").await.len(), assigns);
        assert_eq!(app.audit_summaries("case.read").await.len(), reads + 1);
        let res =
            act(json!({"action": "request_info", "message": "Please send a recent photo."})).await;
        assert_eq!(res.json()["state"], "needs_info", "{}", res.body);
        let mails = app.emails_to(&applicant.email).await.len();
        let res =
            act(json!({"action": "request_info", "message": "Please send a recent photo."})).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            app.emails_to(&applicant.email).await.len(),
            mails,
            "asked once"
        );
        // Another request while one waits is still refused.
        let res =
            act(json!({"action": "request_info", "message": "And a copy of the visa."})).await;
        problem(&res, 409, "case_transition_illegal");
        let events = safir_store::consular::cases::events(&app.db, &id)
            .await
            .unwrap();
        let moves: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            moves.iter().filter(|a| **a == "start_review").count(),
            1,
            "{moves:?}"
        );
        assert_eq!(
            moves.iter().filter(|a| **a == "request_info").count(),
            1,
            "{moves:?}"
        );
        let res = act(json!({"action": "approve"})).await;
        problem(&res, 409, "case_transition_illegal");
        let res = c
            .api(
                "POST",
                &format!("{desk_path}/notes"),
                &desk,
                Some(json!({"body": "Photo in file looks old."})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // A word to the applicant without moving the case: kept once when the request is
        // retried, mailed once, audited.
        let mails = app.emails_to(&applicant.email).await.len();
        for _ in 0..2 {
            let res = c
                .api(
                    "POST",
                    &format!("{desk_path}/messages"),
                    &desk,
                    Some(json!({"body": "A passport photo from a studio is best."})),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
            assert_eq!(res.json()["from"], "mission");
        }
        let res = c
            .api(
                "POST",
                &format!("{desk_path}/messages"),
                &desk,
                Some(json!({"body": " "})),
            )
            .await;
        assert_eq!(
            field_codes(&problem(&res, 422, "validation")),
            [("body".to_owned(), "required".to_owned())]
        );
        let sent = app.emails_to(&applicant.email).await;
        assert_eq!(sent.len(), mails + 1);
        assert!(sent.last().unwrap().text.contains("from a studio"));
        let recorded = app.audit_summaries("case.message").await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0]["via"], "api");
        assert_eq!(
            c.api("GET", &desk_path, &desk, None).await.json()["state"],
            "needs_info"
        );

        // The applicant sees the request (not the note) and answers: back to review.
        let case = c.api("GET", &path, &mine, None).await.json();
        assert_eq!(case["state"], "needs_info");
        assert_eq!(case["messages"][0]["from"], "mission");
        assert_eq!(case["messages"][0]["body"], "Please send a recent photo.");
        assert_eq!(
            case["messages"][1]["body"],
            "A passport photo from a studio is best."
        );
        assert!(!case.to_string().contains("looks old"));
        // The form can change while the mission waits, but an answer hands it over only if
        // it passes the checks of a submission: a form that no longer does holds the answer
        // back (named field by field), and nothing moves.
        let mut broken = case["form"].clone();
        broken["birth_date"] = "2099-01-01".into();
        broken["passport_number"] = "!!".into();
        let res = c
            .api("PUT", &format!("{path}/form"), &mine, Some(broken))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let answer = json!({"body": "Sent by post today."});
        let res = c
            .api(
                "POST",
                &format!("{path}/messages"),
                &mine,
                Some(answer.clone()),
            )
            .await;
        let refused = problem(&res, 422, "validation");
        let failing: Vec<String> = field_codes(&refused).into_iter().map(|(f, _)| f).collect();
        assert!(
            failing.contains(&"birth_date".to_owned())
                && failing.contains(&"passport_number".to_owned()),
            "{failing:?}"
        );
        let held = c.api("GET", &path, &mine, None).await.json();
        assert_eq!(held["state"], "needs_info");
        assert_eq!(held["decision_url"], Value::Null, "no decision yet");
        let res = c
            .api("GET", &format!("{path}/decision.pdf"), &mine, None)
            .await;
        problem(&res, 404, "not_found");
        assert_eq!(held["messages"].as_array().unwrap().len(), 2);
        let res = c
            .api(
                "PUT",
                &format!("{path}/form"),
                &mine,
                Some(case["form"].clone()),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c
            .api("POST", &format!("{path}/messages"), &mine, Some(answer))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["state"], "in_review");
        // The officer the case is assigned to is told by mail (the refused answer told no one).
        let told = app.emails_to(&officer.email).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0].subject.contains(&reference), "{}", told[0].subject);
        // Her answer waits for the mission's reply: the queue says since when, and lists just
        // such cases on demand.
        let waiting = c
            .api(
                "GET",
                "/api/v1/missions/PAR/cases?awaiting_reply=true",
                &desk,
                None,
            )
            .await;
        assert_eq!(waiting.status, 200, "{}", waiting.body);
        let waiting = waiting.json();
        assert_eq!(waiting["items"].as_array().unwrap().len(), 1, "{waiting}");
        assert_eq!(waiting["items"][0]["reference"], reference.as_str());
        let since = &waiting["items"][0]["awaiting_reply_since"];
        assert!(since.is_string(), "{waiting}");
        let desk_case = c.api("GET", &desk_path, &desk, None).await.json();
        assert_eq!(&desk_case["awaiting_reply_since"], since);
        assert!(
            c.api("GET", &path, &mine, None)
                .await
                .json()
                .get("awaiting_reply_since")
                .is_none(),
            "the applicant's view does not carry it"
        );
        let res = c
            .api(
                "GET",
                "/api/v1/missions/PAR/cases?awaiting_reply=yes",
                &desk,
                None,
            )
            .await;
        let refused = problem(&res, 422, "validation");
        assert_eq!(
            field_codes(&refused),
            [("awaiting_reply".to_owned(), "invalid_boolean".to_owned())]
        );
        // A message sent twice (a retried request) is one message.
        for _ in 0..2 {
            let res = c
                .api(
                    "POST",
                    &format!("{path}/messages"),
                    &mine,
                    Some(json!({"body": "Also: my address changed."})),
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
        let seen = c.api("GET", &path, &mine, None).await.json();
        let copies = seen["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["body"] == "Also: my address changed.")
            .count();
        assert_eq!(copies, 1, "{seen}");

        // Approved, ready, closed.
        for (action, state) in [
            ("approve", "approved"),
            ("mark_ready_for_collection", "ready_for_collection"),
            ("close", "closed"),
        ] {
            let res = act(json!({ "action": action })).await;
            assert_eq!(res.status, 200, "{action}: {}", res.body);
            assert_eq!(res.json()["state"], state);
        }
        // Closed: no more messages to an applicant who could not answer.
        problem(
            &c.api(
                "POST",
                &format!("{desk_path}/messages"),
                &desk,
                Some(json!({"body": "One more thing."})),
            )
            .await,
            409,
            "case_messages_closed",
        );
        let officer_view = c.api("GET", &desk_path, &desk, None).await.json();
        assert_eq!(officer_view["notes"][0]["body"], "Photo in file looks old.");
        assert_eq!(officer_view["timeline"][1]["actor_id"], officer.id.as_str());

        let case = c.api("GET", &path, &mine, None).await.json();
        assert_eq!(
            timeline(&case),
            [
                "submitted",
                "in_review",
                "needs_info",
                "in_review",
                "approved",
                "ready_for_collection",
                "closed"
            ]
        );
        assert_eq!(case["decision_reason"], "approved");
        // The request, the officer's word, the answer and the later message (sent twice, kept
        // once).
        assert_eq!(case["messages"].as_array().unwrap().len(), 4);
        // The decision letter downloads from where the case says, for its applicant only.
        let letter = case["decision_url"].as_str().unwrap().to_owned();
        assert_eq!(letter, format!("{path}/decision.pdf"));
        let res = c.api("GET", &letter, &mine, None).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.headers["content-type"], "application/pdf");
        assert!(res.body.starts_with("%PDF-"), "a PDF");
        assert_eq!(officer_view["decision_url"], Value::Null);
        let stranger = app.public_user(&unique_email("stranger")).await;
        let theirs = token(&app, &stranger, &["cases:read"]).await;
        problem(
            &c.api("GET", &letter, &theirs, None).await,
            404,
            "not_found",
        );
        assert!(case["timeline"][1].get("actor_id").is_none());
        assert!(case.get("notes").is_none());
        let res = c
            .api(
                "POST",
                &format!("{path}/messages"),
                &mine,
                Some(json!({"body": "Thanks"})),
            )
            .await;
        problem(&res, 409, "case_messages_closed");

        // The applicant heard of each step by email; officers' steps are in the audit trail.
        assert!(app.emails_to(&applicant.email).await.len() >= 7);
        let actions = app.audit_actions().await;
        for a in [
            "case.request_info",
            "case.approve",
            "case.close",
            "case.note",
        ] {
            assert!(actions.contains(&a.to_owned()), "{a}: {actions:?}");
        }
    }
}

/// An emergency's names are optional: one filed through the API without them is listed under
/// the account's name, as one filed on the page is, not as a blank.
#[tokio::test]
async fn an_emergency_without_names_is_listed_under_the_accounts_name() {
    for app in TestApp::all().await {
        let nairobi = app.mission("NBO", "KE").await;
        let emergency = emergency_service(&app, &nairobi).await;
        let applicant = app.public_user(&unique_email("abroad")).await;
        let account_name = safir_store::accounts::find_user(&app.db, &applicant.id)
            .await
            .unwrap()
            .display_name;
        assert!(!account_name.is_empty());
        let secret = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let form = json!({
            "category": "lost_passport",
            "description": "My passport was stolen at the market",
            "location": "Nairobi, City Market",
            "phone": "+254 700 000 000",
        });
        let (created, _) = file_and_submit(&app, &secret, &emergency, form).await;
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let case = safir_store::consular::cases::find(&app.db, &id)
            .await
            .unwrap();
        assert_eq!(case.applicant_name, account_name);
    }
}

/// The triage priority is the mission's: the applicant's answers leave it out (an emergency
/// starts high or critical, and its applicant has no use for the mission's ranking), the
/// officers' view keeps it.
#[tokio::test]
async fn the_priority_is_shown_to_officers_not_to_the_applicant() {
    for app in TestApp::all().await {
        let nairobi = app.mission("NBO", "KE").await;
        let emergency = emergency_service(&app, &nairobi).await;
        let applicant = app.public_user(&unique_email("triaged")).await;
        let officer = app
            .staff(
                &unique_email("triage-officer"),
                &[(Role::ConsularOfficer, Some(&nairobi))],
            )
            .await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let desk = token(&app, &officer, &["consular:read"]).await;
        let form = json!({
            "category": "arrest",
            "description": "My brother was detained at the border",
            "location": "Namanga",
            "phone": "+254 700 000 001",
        });
        let (created, submitted) = file_and_submit(&app, &mine, &emergency, form).await;
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let mut c = app.client();
        let own = c
            .api("GET", &format!("/api/v1/cases/{id}"), &mine, None)
            .await;
        assert_eq!(own.status, 200, "{}", own.body);
        let list = c.api("GET", "/api/v1/cases", &mine, None).await.json();
        for (what, view) in [
            ("created", created.json()),
            ("submitted", submitted.json()),
            ("read", own.json()),
            ("listed", list["items"][0].clone()),
        ] {
            assert_eq!(view["id"], id.as_str(), "{what}");
            assert!(view.get("priority").is_none(), "{what}: {view}");
        }

        let seen = c
            .api(
                "GET",
                &format!("/api/v1/missions/NBO/cases/{id}"),
                &desk,
                None,
            )
            .await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.json()["priority"], "critical");
    }
}

/// An officer re-triages a case through the API (audited, the queue reorders, the applicant
/// still does not see it); an applicant discards a draft, and only a draft; the
/// processing-times board reads the same through the API.
#[tokio::test]
async fn an_officer_sets_a_priority_and_an_applicant_discards_a_draft() {
    for app in TestApp::all().await {
        let Cast {
            applicant,
            officer,
            paris_service,
        } = cast(&app).await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let reader = token(&app, &officer, &["consular:read"]).await;
        let first = submitted_case(&app, &mine, &paris_service).await;
        let second = submitted_case(&app, &mine, &paris_service).await;
        let mut c = app.client();
        let priority = |id: &str| format!("/api/v1/missions/PAR/cases/{id}/priority");

        // The later case jumps the queue once it is urgent.
        let queue = c
            .api("GET", "/api/v1/missions/PAR/cases", &desk, None)
            .await
            .json();
        assert_eq!(queue["items"][0]["id"], first.as_str());
        let r = c
            .api(
                "POST",
                &priority(&second),
                &desk,
                Some(json!({"priority": "high"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["priority"], "high");
        let queue = c
            .api("GET", "/api/v1/missions/PAR/cases", &desk, None)
            .await
            .json();
        assert_eq!(queue["items"][0]["id"], second.as_str());
        // Sent again unchanged: answered, not recorded again as a change; the answer is the
        // whole case, so it is recorded as a read of it.
        let reads = app.audit_summaries("case.read").await.len();
        let r = c
            .api(
                "POST",
                &priority(&second),
                &desk,
                Some(json!({"priority": "high"})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let audited = app.audit_summaries("case.priority").await;
        assert_eq!(audited.len(), 1);
        let read = app.audit_summaries("case.read").await;
        assert_eq!(read.len(), reads + 1);
        assert_eq!(read[reads]["via"], "api", "{}", read[reads]);
        assert_eq!(audited[0]["from"], "normal");
        assert_eq!(audited[0]["to"], "high");
        assert_eq!(audited[0]["via"], "api");
        // Refusals name the field, or the scope.
        let r = c
            .api(
                "POST",
                &priority(&second),
                &desk,
                Some(json!({"priority": "urgent"})),
            )
            .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(
            field_codes(&body),
            [("priority".to_owned(), "priority_unknown".to_owned())]
        );
        let r = c
            .api(
                "POST",
                &priority(&second),
                &reader,
                Some(json!({"priority": "low"})),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        let own = c
            .api("GET", &format!("/api/v1/cases/{second}"), &mine, None)
            .await
            .json();
        assert!(own.get("priority").is_none(), "{own}");

        // A draft goes; a submitted case stays (it is withdrawn instead).
        let body = json!({ "service_id": paris_service, "form": { "surname": "Haddad" } });
        let draft = c.api("POST", "/api/v1/cases", &mine, Some(body)).await;
        assert_eq!(draft.status, 201, "{}", draft.body);
        let draft = draft.json()["id"].as_str().unwrap().to_owned();
        let r = c
            .api("DELETE", &format!("/api/v1/cases/{first}"), &mine, None)
            .await;
        problem(&r, 409, "case_not_draft");
        let r = c
            .api("DELETE", &format!("/api/v1/cases/{draft}"), &mine, None)
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
        let r = c
            .api("GET", &format!("/api/v1/cases/{draft}"), &mine, None)
            .await;
        problem(&r, 404, "not_found");
        let r = c
            .api("DELETE", &format!("/api/v1/cases/{draft}"), &mine, None)
            .await;
        problem(&r, 404, "not_found");
        let listed = c.api("GET", "/api/v1/cases", &mine, None).await.json();
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);

        // The processing-times board, as its page shows it.
        let board = c
            .api(
                "GET",
                "/api/v1/missions/PAR/sla?window_days=90",
                &reader,
                None,
            )
            .await;
        assert_eq!(board.status, 200, "{}", board.body);
        let board = board.json();
        assert_eq!(board["window_days"], 90);
        let submitted = board["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["state"] == "submitted")
            .expect("stays in submitted");
        assert_eq!(submitted["count"], 2, "{board}");
        assert_eq!(board["services"][0]["code"], "passport");
        assert_eq!(board["services"][0]["overdue"], 0);
        let r = c
            .api(
                "GET",
                "/api/v1/missions/PAR/sla?window_days=7",
                &reader,
                None,
            )
            .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(
            field_codes(&body),
            [(
                "window_days".to_owned(),
                "consular_window_invalid".to_owned()
            )]
        );
        let r = c
            .api("GET", "/api/v1/missions/PAR/sla?window=90", &reader, None)
            .await;
        let body = problem(&r, 422, "validation");
        assert_eq!(
            field_codes(&body),
            [("window".to_owned(), "unknown_field".to_owned())]
        );
    }
}

/// A lost passport reported as an emergency becomes an emergency travel document
/// application through the API, once; the citizen finds the draft prefilled.
#[tokio::test]
async fn a_lost_passport_becomes_a_travel_document_application_through_the_api() {
    for app in TestApp::all().await {
        let nairobi = app.mission("NBO", "KE").await;
        let emergency = emergency_service(&app, &nairobi).await;
        let applicant = app.public_user(&unique_email("lost")).await;
        let officer = app
            .staff(
                &unique_email("etd-officer"),
                &[(Role::ConsularOfficer, Some(&nairobi))],
            )
            .await;
        let mine = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let mut c = app.client();
        let report = |category: &str| {
            json!({
                "category": category,
                "description": "My passport was stolen at the market",
                "location": "Nairobi",
                "phone": "+254 711 000 111",
                "given_names": "Sara",
                "surname": "Mansouri",
            })
        };
        let (created, _) = file_and_submit(&app, &mine, &emergency, report("lost_passport")).await;
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let open = format!("/api/v1/missions/NBO/cases/{id}/travel-document");
        // The key of the application opened from the report is not the applicant's to take
        // (an application of theirs under it would pass for that one, and none could be
        // opened).
        let r = create_with_key(
            &app,
            &mine,
            &format!("etd-from:{id}"),
            &json!({ "service_id": emergency }),
        )
        .await;
        assert_eq!(
            field_codes(&problem(&r, 422, "validation")),
            [(
                "Idempotency-Key".to_owned(),
                "invalid_idempotency_key".to_owned()
            )]
        );

        // No such service at the mission yet.
        let r = c.api("POST", &open, &desk, None).await;
        problem(&r, 409, "etd_service_missing");
        let etd = ServiceInput {
            code: "etd".into(),
            kind: CaseKind::EmergencyTravelDocument,
            ..renewal_service(true)
        };
        service(&app, &nairobi, &etd).await;

        let r = c.api("POST", &open, &desk, None).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let opened = r.json();
        let draft = opened["travel_document"]["id"].as_str().unwrap().to_owned();
        assert_eq!(opened["travel_document"]["state"], "draft");
        assert_eq!(
            opened["travel_document"]["kind"],
            "emergency_travel_document"
        );
        assert_eq!(opened["emergency"]["state"], "in_review", "acknowledged");
        let audited = app.audit_summaries("case.open_etd").await;
        assert_eq!(audited.len(), 1);
        assert_eq!(audited[0]["via"], "api");
        assert_eq!(audited[0]["draft"], draft.as_str());
        // Once.
        let r = c.api("POST", &open, &desk, None).await;
        problem(&r, 409, "etd_already_opened");
        // The citizen's draft, prefilled from the report.
        let mine_now = c
            .api("GET", &format!("/api/v1/cases/{draft}"), &mine, None)
            .await;
        assert_eq!(mine_now.status, 200, "{}", mine_now.body);
        let form = &mine_now.json()["form"];
        assert_eq!(form["surname"], "Mansouri");
        assert_eq!(form["phone"], "+254 711 000 111");

        // Another kind of emergency offers no travel document.
        let (other, _) = file_and_submit(&app, &mine, &emergency, report("medical")).await;
        let other = other.json()["id"].as_str().unwrap().to_owned();
        let r = c
            .api(
                "POST",
                &format!("/api/v1/missions/NBO/cases/{other}/travel-document"),
                &desk,
                None,
            )
            .await;
        problem(&r, 409, "etd_not_offered");
    }
}

/// The account's limits on emergency requests hold through the API as on the form: two
/// waiting for their acknowledgement refuse a third (`409 emergency_limit_open`), three sent
/// in an hour a fourth (`429 emergency_limit_hourly`, with `Retry-After`); the drafts are kept.
#[tokio::test]
async fn emergency_requests_beyond_the_accounts_limits_are_refused() {
    for app in TestApp::all().await {
        let nairobi = app.mission("NBO", "KE").await;
        let emergency = emergency_service(&app, &nairobi).await;
        let applicant = app.public_user(&unique_email("many")).await;
        let secret = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let form = json!({
            "category": "medical",
            "description": "Taken to hospital",
            "location": "Nairobi",
            "phone": "+254 700 000 003",
        });
        let mut sent = Vec::new();
        for _ in 0..2 {
            let (created, _) = file_and_submit(&app, &secret, &emergency, form.clone()).await;
            sent.push(created.json()["id"].as_str().unwrap().to_owned());
        }
        let mut c = app.client();
        let body = json!({ "service_id": emergency, "form": form });
        let created = c
            .api("POST", "/api/v1/cases", &secret, Some(body.clone()))
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let third = created.json()["id"].as_str().unwrap().to_owned();
        let submit = format!("/api/v1/cases/{third}/submit");
        let refused = c.api("POST", &submit, &secret, None).await;
        problem(&refused, 409, "emergency_limit_open");
        let kept = safir_store::consular::cases::find(&app.db, &third)
            .await
            .unwrap();
        assert_eq!(kept.state, "draft");

        // Acknowledged, they no longer wait: the third goes, the fourth is one too many in
        // the hour.
        for id in &sent {
            safir_store::with_pool!(app.db.write(), p => {
                sqlx::query("UPDATE cases SET state = 'in_review', acknowledged_at = $2 WHERE id = $1")
                    .bind(id).bind(safir_store::now()).execute(p).await.map(|r| r.rows_affected())
            })
            .unwrap();
        }
        let ok = c.api("POST", &submit, &secret, None).await;
        assert_eq!(ok.status, 200, "{}", ok.body);
        let created = c.api("POST", "/api/v1/cases", &secret, Some(body)).await;
        let fourth = created.json()["id"].as_str().unwrap().to_owned();
        let refused = c
            .api(
                "POST",
                &format!("/api/v1/cases/{fourth}/submit"),
                &secret,
                None,
            )
            .await;
        problem(&refused, 429, "emergency_limit_hourly");
        assert!(refused.headers.contains_key(header::RETRY_AFTER));
        let kept = safir_store::consular::cases::find(&app.db, &fourth)
            .await
            .unwrap();
        assert_eq!(kept.state, "draft");
    }
}

/// PostgreSQL: the same emergency submission sent twice at once (a retry), the account at its
/// limit of requests waiting once the first went: the second read the case as a draft, then
/// found the first counted at the limits' check, and answered `409 emergency_limit_open` of a
/// request that was sent. It answers as the first did.
#[tokio::test]
async fn an_emergency_submission_sent_twice_at_once_is_answered_as_done() {
    use crate::consular_applicant::{hold_emergency_checks, twin_sends};
    for app in TestApp::all().await {
        if app.backend() != safir_store::Backend::Postgres {
            continue;
        }
        let nairobi = app.mission("NBO", "KE").await;
        let emergency = emergency_service(&app, &nairobi).await;
        let applicant = app.public_user(&unique_email("retry")).await;
        let secret = token(&app, &applicant, &["cases:read", "cases:write"]).await;
        let form = json!({
            "category": "medical",
            "description": "Taken to hospital",
            "location": "Nairobi",
            "phone": "+254 700 000 003",
        });
        file_and_submit(&app, &secret, &emergency, form.clone()).await;
        let mut c = app.client();
        let body = json!({ "service_id": emergency, "form": form });
        let created = c.api("POST", "/api/v1/cases", &secret, Some(body)).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_str().unwrap().to_owned();

        let hold = hold_emergency_checks(&app, &applicant.id).await;
        let submit = format!("/api/v1/cases/{id}/submit");
        let (again, ()) = tokio::join!(
            c.api("POST", &submit, &secret, None),
            twin_sends(hold, &id, &applicant.id, "NBO"),
        );
        assert_eq!(again.status, 200, "{}", again.body);
        assert_eq!(again.json()["state"], "submitted");
    }
}
