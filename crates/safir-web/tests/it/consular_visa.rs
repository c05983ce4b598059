//! A foreigner's visa through HTTP on both backends, from the application to an e-visa that
//! anyone can check at `/verify`: the officer reviews and approves, the e-visa is issued in the
//! same step, the applicant opens it from their case, and its code verifies as valid.

use safir_domain::consular::case::{Actor, CaseAction, CaseKind};
use safir_domain::roles::Role;
use safir_store::consular::cases;

use crate::consular_applicant::service;
use crate::harness::{Account, Client, TestApp, unique_email};

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    let rest = &body[i..];
    &rest[..rest.find(end).unwrap()]
}

/// `who`, signed in (in English), opens an application to the service `service_id`: their
/// client, the form's address and the case's id.
pub async fn new_application<'a>(
    app: &'a TestApp,
    who: &Account,
    service_id: &str,
) -> (Client<'a>, String, String) {
    let mut c = app.client();
    c.lang = Some("en");
    c.sign_in(who).await;
    let page = c.get(&format!("/consular/services/{service_id}")).await;
    let token = page.csrf_token().unwrap();
    let res = c
        .post_form_with_token(
            &format!("/consular/services/{service_id}/apply"),
            &token,
            &[("idempotency_key", "k1")],
        )
        .await;
    let edit = res.location().unwrap().to_owned();
    let case_id = edit
        .trim_start_matches("/account/cases/")
        .trim_end_matches("/edit")
        .to_owned();
    (c, edit, case_id)
}

#[tokio::test]
async fn a_visa_application_ends_in_an_e_visa_that_verifies() {
    for app in TestApp::all().await {
        let mission = app.mission("DXB", "AE").await;
        let service_id = service(&app, &mission, CaseKind::Visa).await;
        let email = unique_email("claire");
        let claire = app.public_user(&email).await;
        let (mut c, edit, case_id) = new_application(&app, &claire, &service_id).await;
        let today = chrono::Utc::now().date_naive();
        let arrival = today.format("%Y-%m-%d").to_string();
        let departure = (today + chrono::Duration::days(7))
            .format("%Y-%m-%d")
            .to_string();
        let mut fields = vec![
            ("intent", "submit"),
            ("surname", "Martín"),
            ("given_names", "Claire"),
            ("birth_date", "1990-07-02"),
            ("nationality", "FR"),
            ("passport_number", "19AB12345"),
            ("passport_expiry", "2031-05-30"),
            ("visa_type", "tourist"),
            ("arrival_date", arrival.as_str()),
            ("departure_date", departure.as_str()),
            ("itinerary", "Dubai, Abu Dhabi"),
        ];
        let refused = c.submit(&edit, &edit, &fields).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains("Latin letters without accents"),
            "{}",
            refused.body
        );
        // Names longer than the e-visa's line are refused on the surname, kept as typed.
        let long_given = "Claire Anne Marie Louise Josephine Genevieve Madeleine Beatrice";
        fields[1] = ("surname", "Martin");
        fields[2] = ("given_names", long_given);
        let refused = c.submit(&edit, &edit, &fields).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused.body.contains("at most 64 characters"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(long_given), "{}", refused.body);
        fields[2] = ("given_names", "Claire");
        let done = c.submit(&edit, &edit, &fields).await;
        assert!(done.status.is_redirection(), "{}", done.body);

        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let mut o = app.client();
        o.sign_in(&officer).await;
        let case_page = format!("/missions/DXB/cases/{case_id}");
        for action in ["start_review", "approve"] {
            let r = o
                .submit(
                    &case_page,
                    &format!("{case_page}/act"),
                    &[("action", action)],
                )
                .await;
            assert!(
                r.status.is_redirection(),
                "{action}: {} {}",
                r.status,
                r.body
            );
        }
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "approved"
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"evisa.issue".to_owned())
        );
        let mails = app.emails_to(&email).await;
        assert!(
            mails.last().unwrap().text.contains("/evisas/"),
            "the approval email links the e-visa"
        );

        let mine = c.get(&format!("/account/cases/{case_id}")).await;
        let href = between(&mine.body, r#"<a class="button" href=""#, "\"").to_owned();
        assert!(href.starts_with("/evisas/"), "{href}");
        // The officers' page of the case leads to it too (to print or revoke it).
        let desk = o.get(&case_page).await;
        assert!(
            desk.body
                .contains(&format!(r#"href="{href}" id="evisa-link""#)),
            "{}",
            desk.body
        );
        let evisa = c.get(&href).await;
        assert_eq!(evisa.status, 200);
        assert!(evisa.body.contains("MARTIN CLAIRE"));
        let url = between(&evisa.body, r#"<code class="evisa-url" dir="ltr">"#, "<")
            .replace("&#38;", "&");
        let path = &url[url.find("/verify").unwrap()..];
        let mut anyone = app.client();
        anyone.lang = Some("en");
        let verdict = anyone.get(path).await;
        assert!(verdict.body.contains("Valid visa"), "{}", verdict.body);
        // The visa's category by its name in each language, not its code.
        assert!(verdict.body.contains("Tourism"), "{}", verdict.body);
        assert!(!verdict.body.contains("TOURIST"), "{}", verdict.body);
        anyone.lang = Some("ar");
        let verdict = anyone.get(path).await;
        assert!(verdict.body.contains("سياحة"), "{}", verdict.body);
        assert!(!verdict.body.contains("TOURIST"), "{}", verdict.body);
        assert!(evisa.body.contains("سياحة") && evisa.body.contains("Tourism"));
        assert_eq!(
            app.client().get(&href).await.status.as_u16() / 100,
            3,
            "the visa page itself needs signing in"
        );

        // Through the API the applicant's case leads to the same e-visa and its check.
        let secret = crate::api::token(&app, &claire, &["cases:read"]).await;
        let case = c
            .api("GET", &format!("/api/v1/cases/{case_id}"), &secret, None)
            .await
            .json();
        let issued = &case["evisa"];
        assert!(
            issued["page_url"].as_str().unwrap().ends_with(&href),
            "{case}"
        );
        assert!(issued["pdf_url"].as_str().unwrap().ends_with("/pdf"));
        assert_eq!(issued["revoked"], false);
        assert_eq!(issued["verify_url"].as_str().unwrap(), url);
        let code = url.split_once("?v=").unwrap().1;
        let verdict = anyone.get(&format!("/api/v1/verify?v={code}")).await.json();
        assert_eq!(verdict["status"], "valid", "{verdict}");
        // The PDF downloads with the same token: the holder's through their case, the
        // officers' through the mission, each officer's read on record.
        let download = issued["download_url"].as_str().unwrap().to_owned();
        assert_eq!(download, format!("/api/v1/cases/{case_id}/evisa.pdf"));
        let res = c.api("GET", &download, &secret, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.headers["content-type"], "application/pdf");
        assert!(res.body.starts_with("%PDF-"));
        let desk = crate::api::token(&app, &officer, &["consular:read"]).await;
        let seen = c
            .api(
                "GET",
                &format!("/api/v1/missions/DXB/cases/{case_id}"),
                &desk,
                None,
            )
            .await
            .json();
        let theirs = seen["evisa"]["download_url"].as_str().unwrap().to_owned();
        assert!(
            theirs.starts_with("/api/v1/missions/DXB/evisas/"),
            "{theirs}"
        );
        let reads_before = app.audit_summaries("evisa.read").await.len();
        let res = c.api("GET", &theirs, &desk, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(res.body.starts_with("%PDF-"));
        let reads = app.audit_summaries("evisa.read").await;
        assert_eq!(reads.len(), reads_before + 1);
        assert_eq!(reads.last().unwrap()["via"], "api");
        let stranger = app.public_user(&unique_email("stranger")).await;
        let nosy = crate::api::token(&app, &stranger, &["cases:read"]).await;
        crate::api::problem(
            &c.api("GET", &download, &nosy, None).await,
            404,
            "not_found",
        );

        // The decision letter downloads as a PDF in both languages, for the applicant only.
        assert!(
            mine.body
                .contains(&format!("/account/cases/{case_id}/decision.pdf"))
        );
        let pdf = c
            .get_bytes(&format!("/account/cases/{case_id}/decision.pdf"))
            .await;
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(text) = crate::harness::pdftotext(&pdf) {
            assert!(text.contains("Decision on your application"), "{text}");
            assert!(text.contains("القرار بشأن طلبك"), "{text}");
            assert!(text.contains("Claire Martin"), "{text}");
            // Printed without short-vowel marks, words with them extract as printed.
            assert!(text.contains("مقدم الطلب"), "{text}");
            // Approved without a message: the letter has no empty message line.
            assert!(!text.contains("Message from the mission"), "{text}");
        }
        // Revoked later: the applicant's page of the case and the officers' say so.
        assert!(!mine.body.contains("evisa-revoked"));
        let r = o
            .submit(
                &href,
                &format!("/missions/DXB{href}/revoke"),
                &[("reason", "Passport reported stolen")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mine = c.get(&format!("/account/cases/{case_id}?lang=en")).await;
        assert!(mine.body.contains(r#"id="evisa-revoked""#), "{}", mine.body);
        assert!(
            mine.body.contains("no longer valid for travel"),
            "{}",
            mine.body
        );
        assert!(!mine.body.contains("Passport reported stolen"));
        let desk = o.get(&format!("{case_page}?lang=en")).await;
        assert!(desk.body.contains(r#"id="evisa-revoked""#), "{}", desk.body);
        // The holder is told with a link to the visa's own page, and finds the visa among
        // their applications, also once the application is purged (a visa runs for years).
        let told = app.emails_to(&email).await;
        let told = told.last().unwrap();
        assert!(told.subject.contains("is revoked"), "{}", told.subject);
        assert!(told.text.contains(&href), "{}", told.text);
        let listed = c.get("/account/cases?lang=en").await;
        assert!(listed.body.contains("My e-visas"), "{}", listed.body);
        assert!(
            listed
                .body
                .contains(&format!(r#"<a href="{href}" dir="ltr">DXB-V-"#))
        );
        assert!(listed.body.contains("Revoked visa"));
        o.submit(
            &case_page,
            &format!("{case_page}/act"),
            &[("action", "close")],
        )
        .await;
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            cases::delete_closed(&mut tx, &case_id).await.unwrap(),
            "purged"
        );
        tx.commit().await.unwrap();
        let listed = c.get("/account/cases?lang=en").await;
        assert!(
            listed
                .body
                .contains(&format!(r#"<a href="{href}" dir="ltr">DXB-V-"#))
        );
        assert_eq!(c.get(&href).await.status, 200);
        let stranger = app.public_user(&unique_email("stranger")).await;
        let mut s = app.client();
        s.sign_in(&stranger).await;
        let denied = s
            .get(&format!("/account/cases/{case_id}/decision.pdf"))
            .await;
        assert_eq!(denied.status, 404);
    }
}

/// A category the mission stops offering stays valid for the applications already sent
/// under it: asked for information, the applicant sees it chosen and answers.
#[tokio::test]
async fn a_category_withdrawn_from_the_catalogue_stays_valid_for_sent_applications() {
    for app in TestApp::all().await {
        let mission = app.mission("DXB", "AE").await;
        let service_id = service(&app, &mission, CaseKind::Visa).await;
        let applicant = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &applicant, &service_id).await;
        let today = chrono::Utc::now().date_naive();
        let arrival = (today + chrono::Duration::days(30))
            .format("%Y-%m-%d")
            .to_string();
        let departure = (today + chrono::Duration::days(40))
            .format("%Y-%m-%d")
            .to_string();
        let fields = [
            ("surname", "Haddad"),
            ("given_names", "Omar"),
            ("birth_date", "1985-03-14"),
            ("nationality", "JO"),
            ("passport_number", "N1234567"),
            ("passport_expiry", "2032-01-31"),
            ("visa_type", "business"),
            ("arrival_date", arrival.as_str()),
            ("departure_date", departure.as_str()),
            ("itinerary", "Dubai"),
        ];
        let mut sent = fields.to_vec();
        sent.push(("intent", "submit"));
        let done = c.submit(&edit, &edit, &sent).await;
        assert!(done.status.is_redirection(), "{}", done.body);
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE consular_services SET visa_types = 'tourist' WHERE id = $1")
                .bind(&service_id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        for action in [CaseAction::StartReview, CaseAction::RequestInfo] {
            crate::consular_officer::store_move(&app, &case_id, action, Actor::Officer).await;
        }
        let form = c.get(&edit).await;
        assert!(
            form.body
                .contains(r#"name="visa_type" value="business" checked"#),
            "{}",
            form.body
        );
        // Only the category it was sent with: another the mission no longer offers (or never
        // did) is refused, even saved first.
        let mut other = fields.to_vec();
        other.retain(|(k, _)| *k != "visa_type");
        other.push(("visa_type", "study"));
        let mut saving = other.clone();
        saving.push(("intent", "save"));
        assert_eq!(c.submit(&edit, &edit, &saving).await.status, 200);
        let mut sending = other.clone();
        sending.push(("intent", "submit"));
        let refused = c.submit(&edit, &edit, &sending).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "needs_info"
        );
        let mut answer = fields.to_vec();
        answer.push(("intent", "submit"));
        let answered = c.submit(&edit, &edit, &answer).await;
        assert!(answered.status.is_redirection(), "{}", answered.body);
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "in_review"
        );
        // A new application is offered only what the mission offers now.
        let token = c
            .get(&format!("/consular/services/{service_id}"))
            .await
            .csrf_token()
            .unwrap();
        let res = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[("idempotency_key", "k2")],
            )
            .await;
        let new_form = c.get(res.location().unwrap()).await;
        assert!(
            !new_form
                .body
                .contains(r#"name="visa_type" value="business""#)
        );
        assert!(
            new_form
                .body
                .contains(r#"name="visa_type" value="tourist""#)
        );
    }
}

/// A visa approved after the trip's last day would be issued expired, and its applicant told
/// it is ready: the approval is refused on the departure date, and nothing is issued.
#[tokio::test]
async fn a_trip_already_over_is_not_approved_into_an_expired_visa() {
    for app in TestApp::all().await {
        let mission = app.mission("DXB", "AE").await;
        let service_id = service(&app, &mission, CaseKind::Visa).await;
        let claire = app.public_user(&unique_email("claire")).await;
        let (mut c, edit, case_id) = new_application(&app, &claire, &service_id).await;
        let today = chrono::Utc::now().date_naive();
        let day = |d: i64| {
            (today + chrono::Duration::days(d))
                .format("%Y-%m-%d")
                .to_string()
        };
        let (arrival, departure) = (day(2), day(9));
        let fields = [
            ("intent", "submit"),
            ("surname", "Martin"),
            ("given_names", "Claire"),
            ("birth_date", "1990-07-02"),
            ("nationality", "FR"),
            ("passport_number", "19AB12345"),
            ("passport_expiry", "2031-05-30"),
            ("visa_type", "tourist"),
            ("arrival_date", arrival.as_str()),
            ("departure_date", departure.as_str()),
            ("itinerary", "Dubai"),
        ];
        let done = c.submit(&edit, &edit, &fields).await;
        assert!(done.status.is_redirection(), "{}", done.body);
        // The case waited in the queue past the trip.
        let form = cases::find(&app.db, &case_id).await.unwrap().form;
        let aged = form
            .replace(&arrival, &day(-9))
            .replace(&departure, &day(-2));
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET form = $1 WHERE id = $2")
                .bind(&aged)
                .bind(&case_id)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();

        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let mut o = app.client();
        o.lang = Some("en");
        o.sign_in(&officer).await;
        let case_page = format!("/missions/DXB/cases/{case_id}");
        let act = format!("{case_page}/act");
        let r = o
            .submit(&case_page, &act, &[("action", "start_review")])
            .await;
        assert!(r.status.is_redirection(), "{}", r.body);
        let r = o.submit(&case_page, &act, &[("action", "approve")]).await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("The departure date has passed"),
            "{}",
            r.body
        );
        let case = cases::find(&app.db, &case_id).await.unwrap();
        assert_eq!(case.state, "in_review", "nothing moved");
        let issued: i64 = safir_store::with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM evisas").fetch_one(p).await
        })
        .unwrap();
        assert_eq!(issued, 0);
        assert!(
            !app.emails_to(&claire.email)
                .await
                .iter()
                .any(|m| m.text.contains("/evisas/")),
            "no e-visa announced"
        );
    }
}
