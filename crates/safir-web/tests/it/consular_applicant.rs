//! The applicant's side of consular services, through HTTP on both backends: find the
//! service, open a draft (once per click), leave and come back, get each mistyped field named
//! with nothing typed lost, submit, answer the mission's question, withdraw — and nobody else
//! sees the case.

use axum::http::StatusCode;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind};
use safir_domain::consular::service::{Currency, Fee};
use safir_store::consular::cases::{self, Transition};
use safir_store::consular::services::{self, ServiceInput};

use safir_domain::roles::Role;
use safir_web::consular::jobs::escalate;

use crate::consular_visa::new_application;
use crate::harness::{Client, TestApp, unique_email, value_after};

pub async fn service(app: &TestApp, mission_id: &str, kind: CaseKind) -> String {
    let input = ServiceInput {
        code: kind.as_str().to_owned(),
        kind,
        name_ar: "تجديد جواز السفر".into(),
        name_en: "Passport renewal".into(),
        instructions_ar: "املأ الاستمارة وأرفق صورة.".into(),
        instructions_en: "Fill in the form and attach a photo.".into(),
        documents: "صورة شخصية | Photo".into(),
        fee: Fee::parse("75", Currency::parse("EUR").unwrap()).unwrap(),
        processing_days: 10,
        visa_types: vec!["tourist", "business"],
        enabled: true,
    };
    let mut tx = app.db.begin().await.unwrap();
    let id = services::create(&mut tx, mission_id, &input).await.unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

/// The specimen from ICAO 9303 part 4, with a date of birth check digit mistyped.
const BAD_MRZ: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408123F1204159ZE184226B<<<<<10";

async fn officer_moves(app: &TestApp, case_id: &str, action: CaseAction, reason: Option<&str>) {
    let mut tx = app.db.begin().await.unwrap();
    cases::transition(
        &mut tx,
        case_id,
        &Transition {
            action,
            actor: Actor::Officer,
            actor_id: None,
            reason,
            mission_code: "PAR",
            due_in: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// "Your application is withdrawn." in Arabic.
const WITHDRAWN_AR: &str = "سُحب طلبك.";
#[tokio::test]
async fn a_citizen_renews_a_passport_in_arabic_from_catalogue_to_answered_question() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let email = unique_email("amal");
        let amal = app.public_user(&email).await;
        safir_store::accounts::set_preferred_lang(&app.db, &amal.id, safir_domain::Lang::Ar)
            .await
            .unwrap();
        let mut c = app.client();
        c.lang = Some("ar");
        c.sign_in(&amal).await;

        let catalogue = c.get("/consular").await;
        assert!(
            catalogue.body.contains("تجديد جواز السفر"),
            "{}",
            catalogue.body
        );
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        assert!(page.body.contains("75.00 EUR"));
        let key = value_after(&page.body, r#"name="idempotency_key" value=""#).to_owned();
        let token = page.csrf_token().unwrap();
        // A double click opens one draft.
        let first = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[("idempotency_key", &key)],
            )
            .await;
        let second = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[("idempotency_key", &key)],
            )
            .await;
        let edit = first.location().unwrap().to_owned();
        assert_eq!(second.location(), Some(edit.as_str()));
        let case_id = edit
            .trim_start_matches("/account/cases/")
            .trim_end_matches("/edit")
            .to_owned();

        // Leave half-way: the draft keeps what was typed.
        let saved = c
            .submit(
                &edit,
                &edit,
                &[
                    ("intent", "save"),
                    ("surname", "Eriksson"),
                    ("given_names", "أنا ماريا"),
                ],
            )
            .await;
        assert_eq!(saved.status, 200);
        assert!(saved.body.contains("حُفظت مسودتك"), "{}", saved.body);
        let back = c.get(&edit).await;
        assert!(back.body.contains(r#"value="أنا ماريا""#));
        // The page also saves by itself a moment after each change.
        let autosave = format!("{}/autosave", edit.trim_end_matches("/edit"));
        let saved = c
            .submit(
                &edit,
                &autosave,
                &[
                    ("surname", "Eriksson"),
                    ("given_names", "أنا"),
                    ("birth_place", "ستوكهولم"),
                ],
            )
            .await;
        assert_eq!(saved.status, 200);
        assert!(saved.body.starts_with("<span>"), "{}", saved.body);
        assert!(c.get(&edit).await.body.contains(r#"value="ستوكهولم""#));

        // A mistyped MRZ and a missing field: each named, everything typed kept.
        let fields = [
            ("intent", "submit"),
            ("surname", "Eriksson"),
            ("given_names", "أنا ماريا"),
            ("birth_date", "1974-08-12"),
            ("birth_place", "Stockholm"),
            ("phone", "+33 1 23 45 67 89"),
            ("passport_number", "L898902C3"),
            ("passport_expiry", "2031-04-15"),
            ("mrz", BAD_MRZ),
            ("collection", "courier"),
            ("courier_address", ""),
        ];
        let rejected = c.submit(&edit, &edit, &fields).await;
        assert_eq!(rejected.status, 422, "{}", rejected.body);
        assert!(
            rejected
                .body
                .contains("رقم التحقق الخاص بتاريخ الميلاد غير مطابق"),
            "{}",
            rejected.body
        );
        assert!(rejected.body.contains("هذا الحقل مطلوب"));
        assert!(
            rejected.body.contains("7408123F1204159"),
            "the MRZ as typed is kept"
        );
        assert!(rejected.body.contains(r#"value="+33 1 23 45 67 89""#));
        assert_eq!(cases::find(&app.db, &case_id).await.unwrap().state, "draft");
        // A zone's line cut short is named with its length and the length it needs.
        let short = BAD_MRZ.trim_end_matches('0');
        let mut typed = fields.to_vec();
        typed.retain(|(k, _)| *k != "mrz");
        typed.push(("mrz", short));
        let rejected = c.submit(&edit, &edit, &typed).await;
        assert_eq!(rejected.status, 422, "{}", rejected.body);
        let said = rejected.body.replace(['\u{2068}', '\u{2069}'], "");
        assert!(
            said.contains("عدد خانات السطر 2 من المنطقة المقروءة آليًا 43، والمطلوب 44"),
            "{said}"
        );

        // Corrected: submitted with a reference, and an email in Arabic. Sent four times at
        // once (a double click, a retry): each answer leads to the case, and it is submitted
        // once.
        let mut good = fields.to_vec();
        good.retain(|(k, _)| *k != "mrz" && *k != "courier_address");
        good.push(("courier_address", "12 rue de la Paix, Paris"));
        let token = c.get(&edit).await.csrf_token().unwrap();
        let mut twins: Vec<_> = (0..4)
            .map(|_| Client {
                app: c.app,
                cookies: c.cookies.clone(),
                lang: c.lang,
            })
            .collect();
        let sends = twins
            .iter_mut()
            .map(|t| t.post_form_with_token(&edit, &token, &good));
        for done in futures_util::future::join_all(sends).await {
            assert!(
                done.status.is_redirection(),
                "{} {}",
                done.status,
                done.body
            );
        }
        let case = cases::find(&app.db, &case_id).await.unwrap();
        assert_eq!(case.state, "submitted");
        let reference = case.reference.clone().unwrap();
        assert!(reference.starts_with("PAR-"));
        let mails = app.emails_to(&email).await;
        let mail = mails
            .iter()
            .find(|m| m.subject.contains(&reference))
            .expect("submission email");
        assert!(mail.subject.contains("مقدَّم"), "{}", mail.subject);
        assert!(
            app.audit_actions()
                .await
                .contains(&"case.submit".to_owned())
        );
        // Submitting again (a second click) changes nothing.
        let again = c
            .submit(&format!("/account/cases/{case_id}"), &edit, &good)
            .await;
        assert!(again.status.is_redirection());
        assert_eq!(cases::events(&app.db, &case_id).await.unwrap().len(), 1);
        // The form sent again with a change (a page kept open, or Back): the change is not
        // saved, the applicant is told so, and what they typed waits in the message box.
        let mut changed = good.clone();
        changed.retain(|(k, _)| *k != "phone" && *k != "collection");
        changed.push(("phone", "+33 6 11 22 33 44"));
        // A choice the form does not offer (a tampered request) is copied as typed.
        changed.push(("collection", "by-pigeon"));
        let stale = c
            .submit(&format!("/account/cases/{case_id}"), &edit, &changed)
            .await;
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(stale.body.contains("لم تُحفظ تعديلاتك"), "{}", stale.body);
        assert!(
            stale.body.contains("رقم الهاتف: +33 6 11 22 33 44"),
            "{}",
            stale.body
        );
        assert!(
            !stale.body.contains("رقم الهاتف: +33 1 23 45 67 89"),
            "only the changed fields are copied"
        );
        assert!(
            stale.body.contains(": by-pigeon") && !stale.body.contains("field-collection-"),
            "{}",
            stale.body
        );
        let kept = cases::find(&app.db, &case_id).await.unwrap();
        assert_eq!(kept.state, "submitted");
        assert_eq!(kept.form()["phone"], "+33 1 23 45 67 89");
        assert_eq!(cases::events(&app.db, &case_id).await.unwrap().len(), 1);

        // The mission asks a question; the answer sends the case back to review.
        officer_moves(&app, &case_id, CaseAction::StartReview, None).await;
        officer_moves(
            &app,
            &case_id,
            CaseAction::RequestInfo,
            Some("صورة أوضح من فضلك"),
        )
        .await;
        let show = format!("/account/cases/{case_id}");
        let page = c.get(&show).await;
        assert!(page.body.contains("مطلوب معلومات إضافية"), "{}", page.body);
        // Saved without being sent: said so, with no draft's expiry date (it has none).
        let mut saving = good.clone();
        saving.retain(|(k, _)| *k != "intent");
        saving.push(("intent", "save"));
        let saved = c.submit(&edit, &edit, &saving).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert!(
            saved.body.contains("حُفظت تعديلاتك") && !saved.body.contains("حُفظت مسودتك"),
            "{}",
            saved.body
        );
        let empty = c.write_on_case(&show, "  ").await;
        assert_eq!(empty.status, 422);
        assert!(empty.body.contains("اكتب رسالة"));
        // The form saved itself with a mistake meanwhile: the answer waits for the form to
        // pass its checks again, what was typed in it kept, and the case does not move.
        let autosave = format!("{show}/autosave");
        let mut slipped = good.clone();
        slipped.retain(|(k, _)| *k != "intent" && *k != "birth_date");
        slipped.push(("birth_date", "2099-08-12"));
        assert_eq!(c.submit(&edit, &autosave, &slipped).await.status, 200);
        let held = c.write_on_case(&show, "أرفقت صورة جديدة").await;
        assert_eq!(held.status, 422, "{}", held.body);
        assert!(
            held.body.contains("لم يعد طلبك يستوفي شروطه"),
            "{}",
            held.body
        );
        assert!(held.body.contains("أرفقت صورة جديدة"), "the answer is kept");
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "needs_info"
        );
        slipped.retain(|(k, _)| *k != "birth_date");
        slipped.push(("birth_date", "1974-08-12"));
        assert_eq!(c.submit(&edit, &autosave, &slipped).await.status, 200);
        let answered = c.write_on_case(&show, "أرفقت صورة جديدة").await;
        assert!(answered.status.is_redirection());
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "in_review"
        );
        let page = c.get(&show).await;
        assert!(page.body.contains("أرفقت صورة جديدة"));
        // The mail that says so does not quote the applicant's own answer as the mission's,
        // and leaves no gap where a note would be.
        let mails = app.emails_to(&email).await;
        let back = mails
            .iter()
            .rfind(|m| m.subject.contains(&reference))
            .expect("the mail of the move back to review");
        assert!(back.subject.contains("قيد الدراسة"), "{}", back.subject);
        assert!(!back.text.contains("أرفقت صورة جديدة"), "{}", back.text);
        assert!(!back.text.contains("\n\n\n"), "{:?}", back.text);

        // My applications lists it; someone else cannot see or touch it.
        let list = c.get("/account/cases").await;
        assert!(list.body.contains(&reference));
        let other = app.public_user(&unique_email("other")).await;
        let mut o = app.client();
        o.sign_in(&other).await;
        assert_eq!(o.get(&show).await.status, 404);
        assert_eq!(o.get(&edit).await.status, 404);
        let token = o.get("/account/cases").await.csrf_token().unwrap();
        assert_eq!(
            o.post_form_with_token(&format!("{show}/withdraw"), &token, &[])
                .await
                .status,
            404
        );

        // Their data download holds the case with its history and the conversation.
        let data = c.get("/account/data").await.json();
        let exported = &data["consular_cases"][0];
        assert_eq!(exported["reference"], reference.as_str());
        assert_eq!(exported["form"]["passport_number"], "L898902C3");
        assert!(
            exported["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["body"] == "أرفقت صورة جديدة")
        );

        // An answer sent from the form's page says so (not "submitted").
        let answered = c.get(&format!("{show}?notice=answered")).await;
        assert!(answered.body.contains("أُرسل ردّك"), "{}", answered.body);

        // An address saying it was withdrawn, opened while it is not (kept from elsewhere,
        // or passed on), does not say so.
        let not_yet = c.get(&format!("{show}?notice=withdrawn")).await;
        assert_eq!(not_yet.status, 200);
        assert!(!not_yet.body.contains(WITHDRAWN_AR), "{}", not_yet.body);

        // The applicant withdraws; a second click leads to the same page, not a conflict.
        for _ in 0..2 {
            let w = c.submit(&show, &format!("{show}/withdraw"), &[]).await;
            assert_eq!(
                w.location(),
                Some(format!("{show}?notice=withdrawn").as_str()),
                "{}",
                w.body
            );
        }
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "withdrawn"
        );
        let withdrawn = c.get(&format!("{show}?notice=withdrawn")).await;
        assert!(withdrawn.body.contains(WITHDRAWN_AR), "{}", withdrawn.body);
        // The language switch does not say it again.
        assert!(
            !withdrawn.body.contains("notice=withdrawn&amp;lang=")
                && !withdrawn.body.contains("notice=withdrawn&lang="),
            "{}",
            withdrawn.body
        );
    }
}

#[tokio::test]
async fn an_emergency_is_triaged_and_schedules_its_escalation() {
    for app in TestApp::all().await {
        let mission = app.mission("NBO", "KE").await;
        // Nairobi's clock and switchboard.
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE missions SET time_zone = 'Africa/Nairobi', phone = '+254 20 123 4567' WHERE id = $1")
                .bind(&mission).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let service_id = service(&app, &mission, CaseKind::Emergency).await;
        let user = app.public_user(&unique_email("traveller")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        let token = page.csrf_token().unwrap();
        let res = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[],
            )
            .await;
        let edit = res.location().unwrap().to_owned();
        let bad = c
            .submit(
                &edit,
                &edit,
                &[
                    ("intent", "submit"),
                    ("category", "arrest"),
                    ("latitude", "95"),
                    ("longitude", "36.8"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body.contains("Latitude is between -90 and 90"),
            "{}",
            bad.body
        );
        assert!(bad.body.contains("Describe the situation"));
        let ok = c
            .submit(
                &edit,
                &edit,
                &[
                    ("intent", "submit"),
                    ("category", "arrest"),
                    ("description", "My brother was detained at the airport"),
                    ("location", "Jomo Kenyatta airport"),
                    ("latitude", "-1.3192"),
                    ("longitude", "36.9278"),
                    ("phone", "+254 700 000 000"),
                ],
            )
            .await;
        assert!(ok.status.is_redirection(), "{}", ok.body);
        let id = edit
            .trim_start_matches("/account/cases/")
            .trim_end_matches("/edit");
        let case = cases::find(&app.db, id).await.unwrap();
        assert_eq!(case.priority, 0, "an arrest is critical");
        assert!(case.due_at.is_some());
        let jobs: i64 = safir_store::with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1")
                .bind("consular.emergency_escalation")
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(jobs, 1);
        // The mail saying it was sent says whom to call meanwhile.
        let sent = app.emails_to(&user.email).await;
        assert!(
            sent.iter().any(
                |m| m.text.contains("call the local emergency services first")
                    && m.text.contains("The mission's telephone: +254 20 123 4567")
            ),
            "{:?}",
            sent.iter().map(|m| &m.text).collect::<Vec<_>>()
        );

        // The applicant reads what happens next: by when it is acknowledged, on the mission's
        // clock, that a life in danger is for the local emergency services first, and the
        // mission's telephone to dial.
        let due = case
            .due_at
            .unwrap()
            .with_timezone(&chrono_tz::Africa::Nairobi);
        let waiting = c.get(&format!("/account/cases/{id}?lang=en")).await;
        assert!(
            waiting.body.contains(&format!(
                "To be acknowledged by: {} <span class=\"when\" dir=\"ltr\">{}</span> (<bdi>Africa/Nairobi</bdi>)",
                due.format("%A"),
                due.format("%Y-%m-%d %H:%M")
            )),
            "{}",
            waiting.body
        );
        assert!(
            waiting
                .body
                .contains("call the local emergency services first")
        );
        // The history is on the same clock as the deadline, and says which.
        let submitted = case
            .submitted_at
            .unwrap()
            .with_timezone(&chrono_tz::Africa::Nairobi);
        assert!(
            waiting.body.contains(&format!(
                "<span class=\"when\" dir=\"ltr\">{}</span> — Submitted",
                submitted.format("%Y-%m-%d %H:%M")
            )) && waiting
                .body
                .contains("on the mission&#39;s clock: <bdi>Africa/Nairobi</bdi>"),
            "{}",
            waiting.body
        );
        // "My applications" dates the change on the same clock.
        let list = c.get("/account/cases?lang=en").await;
        assert!(
            list.body.contains(&format!(
                "<span class=\"when\" dir=\"ltr\">{}</span>",
                submitted.format("%Y-%m-%d %H:%M")
            )) && list.body.contains("on the clock of the mission"),
            "{}",
            list.body
        );
        assert!(
            waiting
                .body
                .contains(r#"<a href="tel:+254201234567" dir="ltr">+254 20 123 4567</a>"#),
            "{}",
            waiting.body
        );

        // Nobody acknowledges it: it goes to an officer and the head of mission, then to the
        // next officer; once acknowledged, escalation stops. Each step happens once however
        // often its job runs.
        let o1 = app
            .staff(
                &unique_email("o1"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let o2 = app
            .staff(
                &unique_email("o2"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission))],
            )
            .await;
        let config = &app.state.config;
        let first = if o1.id < o2.id { &o1 } else { &o2 };
        let second = if o1.id < o2.id { &o2 } else { &o1 };
        escalate(&app.db, config, id, 1).await.unwrap();
        escalate(&app.db, config, id, 1).await.unwrap();
        let case = cases::find(&app.db, id).await.unwrap();
        assert_eq!(case.escalation_level, 1);
        assert_eq!(case.assignee_id.as_deref(), Some(first.id.as_str()));
        assert_eq!(app.emails_to(&first.email).await.len(), 1);
        let to_head = app.emails_to(&head.email).await;
        assert_eq!(to_head.len(), 1);
        assert!(to_head[0].text.contains("Jomo Kenyatta airport"));
        // The number to call back, from the mail itself.
        assert!(
            to_head[0].text.contains("Phone: +254 700 000 000"),
            "{}",
            to_head[0].text
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"case.escalate".to_owned())
        );
        // The applicant is told it was passed on, the deadline no longer given.
        let waiting = c.get(&format!("/account/cases/{id}?lang=en")).await;
        assert!(
            waiting
                .body
                .contains("passed on to more of the mission&#39;s officers")
                && !waiting.body.contains("To be acknowledged by"),
            "{}",
            waiting.body
        );
        escalate(&app.db, config, id, 2).await.unwrap();
        let case = cases::find(&app.db, id).await.unwrap();
        assert_eq!(case.assignee_id.as_deref(), Some(second.id.as_str()));
        assert_eq!(app.emails_to(&head.email).await.len(), 2);
        // The officers' page says how many times it was escalated.
        let mut desk = crate::admin_support::signed_in(&app, &head).await;
        let shown = desk.get(&format!("/missions/NBO/cases/{id}?lang=en")).await;
        assert!(
            shown.body.contains("2 of 3 times, unacknowledged"),
            "{}",
            shown.body
        );
        // Taking it on is acknowledging it, as the escalation mail says.
        assert!(
            shown
                .body
                .contains(r#"<button type="submit" class="button">Acknowledge receipt</button>"#),
            "{}",
            shown.body
        );
        // The number to call back, one tap from a duty officer's phone.
        assert!(
            shown
                .body
                .contains(r#"<a href="tel:+254700000000"><bdi>+254 700 000 000</bdi></a>"#),
            "{}",
            shown.body
        );
        // Where the applicant is, one click from a map, the case's address not sent with it.
        assert!(
            shown.body.contains(
                "<a href=\"https://www.openstreetmap.org/?mlat=-1.3192&#38;mlon=36.9278#map=17/-1.3192/36.9278\" \
                 id=\"case-map\" rel=\"noopener noreferrer\">Show where they are on a map"
            ),
            "{}",
            shown.body
        );
        let mails = app.emails_to(&head.email).await;
        assert!(
            mails.iter().any(|m| m.text.contains("acknowledge receipt")),
            "{:?}",
            mails.iter().map(|m| &m.text).collect::<Vec<_>>()
        );
        // Acknowledged, even late, it is no longer past due: it runs against the service's
        // processing target from then.
        let page = format!("/missions/NBO/cases/{id}");
        let past_due = "/missions/NBO/cases?breached=1&lang=en";
        let reference = cases::find(&app.db, id).await.unwrap().reference.unwrap();
        let an_hour_ago = safir_store::now() - chrono::Duration::hours(1);
        // Its form need not pass a submission's checks to be acknowledged (a report opened
        // from a crisis check-in has no phone number when the person gave none).
        let mut form = cases::find(&app.db, id).await.unwrap().form();
        form.insert("phone".into(), String::new());
        let form = serde_json::to_string(&form).unwrap();
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET due_at = $2, form = $3 WHERE id = $1")
                .bind(id).bind(an_hour_ago).bind(&form).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        assert!(desk.get(past_due).await.body.contains(&reference));
        let r = desk
            .submit(
                &page,
                &format!("{page}/act"),
                &[("action", "start_review"), ("expected_state", "submitted")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let case = cases::find(&app.db, id).await.unwrap();
        let service = services::find(&app.db, &case.service_id).await.unwrap();
        assert_eq!(
            case.due_at,
            Some(
                case.acknowledged_at.unwrap()
                    + chrono::Duration::days(i64::from(service.processing_days))
            )
        );
        assert!(!desk.get(past_due).await.body.contains(&reference));
        let acknowledged = c.get(&format!("/account/cases/{id}?lang=en")).await;
        assert!(
            !acknowledged.body.contains("emergency-wait"),
            "{}",
            acknowledged.body
        );
        let shown = desk.get(&format!("/missions/NBO/cases/{id}?lang=en")).await;
        assert!(
            shown.body.contains("— Acknowledge receipt"),
            "the history names the move: {}",
            shown.body
        );
        escalate(&app.db, config, id, 3).await.unwrap();
        assert_eq!(cases::find(&app.db, id).await.unwrap().escalation_level, 2);
        assert_eq!(app.emails_to(&head.email).await.len(), 2);
    }
}

/// An answer to a request for information sent through the form (no message) keeps the
/// officers' triage and is the applicant's word like a message: the case waits for the
/// mission ("New message") and its officer is mailed.
#[tokio::test]
async fn an_answer_through_the_form_keeps_the_priority_and_tells_the_officer() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let officer = app
            .staff(
                &unique_email("desk"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let nadia = app.public_user(&unique_email("nadia")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&nadia).await;
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        let edit = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &page.csrf_token().unwrap(),
                &[],
            )
            .await
            .location()
            .unwrap()
            .to_owned();
        let case_id = edit
            .trim_start_matches("/account/cases/")
            .trim_end_matches("/edit")
            .to_owned();
        let fields = [
            ("intent", "submit"),
            ("surname", "Haddad"),
            ("given_names", "Nadia"),
            ("birth_date", "1980-03-02"),
            ("birth_place", "Beirut"),
            ("phone", "+33 1 23 45 67 89"),
            ("passport_number", "N1234567"),
            ("passport_expiry", "2031-04-15"),
            ("collection", "mission"),
        ];
        let sent = c.submit(&edit, &edit, &fields).await;
        assert!(sent.status.is_redirection(), "{}", sent.body);
        officer_moves(&app, &case_id, CaseAction::StartReview, None).await;
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            cases::assign(&mut tx, &case_id, &mission, None, Some(&officer.id))
                .await
                .unwrap()
        );
        cases::set_priority(
            &mut tx,
            &case_id,
            &mission,
            safir_domain::consular::case::Priority::Critical,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        officer_moves(
            &app,
            &case_id,
            CaseAction::RequestInfo,
            Some("Please check your place of birth."),
        )
        .await;
        let mails_before = app.emails_to(&officer.email).await.len();

        let mut answer = fields.to_vec();
        answer.retain(|(k, _)| *k != "birth_place");
        answer.push(("birth_place", "Tripoli"));
        let res = c.submit(&edit, &edit, &answer).await;
        assert!(res.status.is_redirection(), "{} {}", res.status, res.body);
        let case = cases::find(&app.db, &case_id).await.unwrap();
        assert_eq!(case.state, "in_review");
        assert_eq!(case.form()["birth_place"], "Tripoli");
        assert_eq!(
            case.priority(),
            safir_domain::consular::case::Priority::Critical,
            "the officers' triage stands"
        );
        assert!(case.awaiting_reply_since.is_some(), "marked New message");
        let mails = app.emails_to(&officer.email).await;
        assert_eq!(mails.len(), mails_before + 1, "the officer is told");
        assert!(
            mails.last().unwrap().text.contains(&case_id),
            "{}",
            mails.last().unwrap().text
        );
    }
}

#[tokio::test]
async fn the_daily_purge_removes_only_what_is_past_its_time() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::Visa).await;
        let user = app.public_user(&unique_email("visitor")).await;
        let mut ids = Vec::new();
        for key in ["old", "recent", "draft", "fresh-draft"] {
            let form = std::collections::BTreeMap::new();
            let mut tx = app.db.begin().await.unwrap();
            let c = cases::create_draft(
                &mut tx,
                &cases::NewDraft {
                    mission_id: &mission,
                    service_id: &service_id,
                    kind: CaseKind::Visa,
                    applicant_id: &user.id,
                    form: &form,
                    applicant_name: "V",
                    lang: "en",
                    priority: safir_domain::consular::case::Priority::Normal,
                    idempotency_key: Some(key),
                    idempotency_fingerprint: None,
                    expires_at: safir_store::now() + chrono::Duration::days(1),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            ids.push(c.id);
        }
        for id in &ids[..2] {
            let mut tx = app.db.begin().await.unwrap();
            cases::transition(
                &mut tx,
                id,
                &Transition {
                    action: CaseAction::Submit,
                    actor: Actor::Applicant,
                    actor_id: None,
                    reason: None,
                    mission_code: "PAR",
                    due_in: None,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            for a in [
                CaseAction::StartReview,
                CaseAction::Reject,
                CaseAction::Close,
            ] {
                officer_moves(&app, id, a, Some("not_eligible")).await;
            }
        }
        let long_ago = safir_store::now() - chrono::Duration::days(800);
        let mut tx = app.db.begin().await.unwrap();
        safir_store::with_tx!(&mut tx, c => {
            sqlx::query("UPDATE cases SET closed_at = $2 WHERE id = $1").bind(&ids[0]).bind(long_ago).execute(c).await.map(|r| r.rows_affected())
        })
        .unwrap();
        safir_store::with_tx!(&mut tx, c => {
            sqlx::query("UPDATE cases SET expires_at = $2 WHERE id = $1").bind(&ids[2]).bind(long_ago).execute(c).await.map(|r| r.rows_affected())
        })
        .unwrap();
        tx.commit().await.unwrap();
        // Bookings that ended long ago and recently (one of them the old case's), and visas
        // that expired long ago and recently.
        let mut bookings = Vec::new();
        for (days_ago, case_id) in [(800, Some(ids[0].as_str())), (30, None)] {
            let id = uuid::Uuid::now_v7().to_string();
            let starts = safir_store::now() - chrono::Duration::days(days_ago);
            safir_store::with_pool!(app.db.write(), p => {
                sqlx::query(
                    "INSERT INTO appointments (id, mission_id, user_id, service, case_id, scope, \
                     starts_at, ends_at, status, lang, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'visa', $4, 'all', $5, $6, 'booked', 'en', $5, $5)",
                )
                .bind(&id)
                .bind(&mission)
                .bind(&user.id)
                .bind(case_id)
                .bind(starts)
                .bind(starts + chrono::Duration::minutes(30))
                .execute(p)
                .await
                .map(|r| r.rows_affected())
            })
            .unwrap();
            bookings.push(id);
        }
        let old_visa = crate::evisa::issue(&app, &mission, &user.id, -1000, -900).await;
        let recent_visa = crate::evisa::issue(&app, &mission, &user.id, -100, -10).await;

        let (closed, drafts) = safir_web::consular::jobs::purge(&app.db, &app.state.config)
            .await
            .unwrap();
        assert_eq!((closed, drafts), (1, 1));
        let booking = |id: String| {
            let db = app.db.clone();
            async move { safir_store::consular::appointments::find(&db, &id).await }
        };
        assert!(
            booking(bookings[0].clone()).await.is_err(),
            "ended 800 days ago"
        );
        assert!(
            booking(bookings[1].clone()).await.is_ok(),
            "ended 30 days ago: kept"
        );
        assert!(
            safir_store::consular::evisas::find(&app.db, &old_visa.id)
                .await
                .is_err()
        );
        assert!(
            safir_store::consular::evisas::find(&app.db, &recent_visa.id)
                .await
                .is_ok()
        );
        // The purged visa's code still reads as expired: its terms are in the code.
        let res = app
            .client()
            .get(&format!(
                "/verify?v={}",
                crate::harness::enc(&old_visa.code())
            ))
            .await;
        assert!(
            res.body.contains(r#"data-status="expired""#),
            "{}",
            res.body
        );
        assert!(cases::find(&app.db, &ids[0]).await.is_err());
        assert!(
            cases::find(&app.db, &ids[1]).await.is_ok(),
            "closed recently: kept"
        );
        assert!(cases::find(&app.db, &ids[2]).await.is_err());
        assert!(
            cases::find(&app.db, &ids[3]).await.is_ok(),
            "draft not expired: kept"
        );
        assert_eq!(
            safir_web::consular::jobs::purge(&app.db, &app.state.config)
                .await
                .unwrap(),
            (0, 0)
        );
        // The closed cases are accounted for by their batch's own record, written with their
        // deletion: a run stopped later leaves none deleted without a trace.
        let records = app.audit_summaries("case.purge").await;
        assert!(
            records.contains(&serde_json::json!({ "closed_cases": 1 })),
            "{records:?}"
        );
        assert!(
            records.iter().any(|r| r["expired_drafts"] == 1),
            "{records:?}"
        );
    }
}

#[tokio::test]
async fn a_lost_passport_emergency_becomes_a_travel_document_application_once() {
    for app in TestApp::all().await {
        let mission = app.mission("NBO", "KE").await;
        let emergency_service = service(&app, &mission, CaseKind::Emergency).await;
        let email = unique_email("sara");
        let sara = app.public_user(&email).await;
        let form: std::collections::BTreeMap<String, String> = [
            ("category", "lost_passport"),
            ("description", "سُرق جوازي"),
            ("location", "Nairobi"),
            ("phone", "+254 711 000 111"),
            ("given_names", "سارة"),
            ("surname", "المنصوري"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut tx = app.db.begin().await.unwrap();
        let case = cases::create_draft(
            &mut tx,
            &cases::NewDraft {
                mission_id: &mission,
                service_id: &emergency_service,
                kind: CaseKind::Emergency,
                applicant_id: &sara.id,
                form: &form,
                applicant_name: "سارة المنصوري",
                lang: "ar",
                priority: safir_domain::consular::case::Priority::High,
                idempotency_key: None,
                idempotency_fingerprint: None,
                expires_at: safir_store::now() + chrono::Duration::days(1),
            },
        )
        .await
        .unwrap();
        cases::transition(
            &mut tx,
            &case.id,
            &Transition {
                action: CaseAction::Submit,
                actor: Actor::Applicant,
                actor_id: None,
                reason: None,
                mission_code: "NBO",
                due_in: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let duty = app
            .staff(
                &unique_email("duty"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let mut o = app.client();
        o.sign_in(&duty).await;
        let page = format!("/missions/NBO/cases/{}", case.id);
        let shown = o.get(&format!("{page}?lang=en")).await;
        assert!(
            shown.body.contains(&format!("{page}/etd")),
            "the officer is offered the travel document"
        );
        let token = shown.csrf_token().unwrap();
        // The mission offers no such service yet: the officer is told so, on the case.
        let r = o
            .post_form_with_token(&format!("{page}/etd?lang=en"), &token, &[])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.body
                .contains("offers no emergency travel document service"),
            "{}",
            r.body
        );
        service(&app, &mission, CaseKind::EmergencyTravelDocument).await;
        let r = o
            .post_form_with_token(&format!("{page}/etd"), &token, &[])
            .await;
        assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
        // A double click: the twin finds the document it just opened, and says done.
        let twice = o
            .post_form_with_token(&format!("{page}/etd"), &token, &[])
            .await;
        assert_eq!(twice.location(), r.location(), "{}", twice.body);
        let done = o.get(&format!("{page}?done=etd")).await;
        assert!(
            done.body.contains("the citizen was sent a link"),
            "{}",
            done.body
        );
        assert!(
            !done.body.contains(&format!("{page}/etd")),
            "once opened, the travel document is not offered again"
        );
        assert!(done.body.contains("was opened from this report: #"));
        // Answering the report with a document acknowledges it: its review has started, so
        // it escalates no further.
        let emergency = cases::find(&app.db, &case.id).await.unwrap();
        assert_eq!(emergency.state, "in_review");
        assert!(emergency.acknowledged_at.is_some());
        // The same form posted again from the page as it was (a second click, another
        // officer's older page): refused with a notice, nothing more opened. Had the
        // acknowledgement after the opening failed (the report still waiting), the retry
        // makes it.
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET state = 'submitted', acknowledged_at = NULL WHERE id = $1")
                .bind(&case.id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let older = safir_store::now() - chrono::Duration::minutes(1);
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET created_at = $2 WHERE applicant_id = $1 AND kind = 'emergency_travel_document'")
                .bind(&sara.id).bind(older).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let again = o
            .post_form_with_token(&format!("{page}/etd"), &token, &[])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
        assert!(
            again.body.contains("was already opened from this report"),
            "{}",
            again.body
        );
        assert!(!again.body.contains(&format!("{page}/etd")));
        let emergency = cases::find(&app.db, &case.id).await.unwrap();
        assert_eq!(emergency.state, "in_review");
        assert!(emergency.acknowledged_at.is_some());
        let mine = cases::list_for_applicant(&app.db, &sara.id).await.unwrap();
        let etd: Vec<_> = mine
            .iter()
            .filter(|c| c.kind == "emergency_travel_document")
            .collect();
        assert_eq!(etd.len(), 1, "a second click opens nothing more");
        assert_eq!(etd[0].state, "draft");
        assert_eq!(
            etd[0].form().get("surname").map(String::as_str),
            Some("المنصوري")
        );
        let mails = app.emails_to(&email).await;
        assert_eq!(
            mails
                .iter()
                .filter(|m| m
                    .text
                    .contains(&format!("/account/cases/{}/edit", etd[0].id)))
                .count(),
            1
        );
        assert_eq!(
            app.audit_actions()
                .await
                .iter()
                .filter(|a| *a == "case.open_etd")
                .count(),
            1,
            "the refused second post is not recorded as an opening"
        );

        // The citizen discards the application: the officer can open another, and it is
        // mailed like the first.
        let mut tx = app.db.begin().await.unwrap();
        cases::discard_draft(&mut tx, &etd[0].id, &sara.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let shown = o.get(&page).await;
        assert!(shown.body.contains(&format!("{page}/etd")), "offered again");
        // Posted twice at once (a double click): one opens it, the other finds it just
        // opened and says done; one opening is recorded.
        let token = shown.csrf_token().unwrap();
        let etd_path = format!("{page}/etd");
        let mut twins: Vec<_> = (0..2)
            .map(|_| Client {
                app: o.app,
                cookies: o.cookies.clone(),
                lang: o.lang,
            })
            .collect();
        let sends = twins
            .iter_mut()
            .map(|t| t.post_form_with_token(&etd_path, &token, &[]));
        let mut statuses: Vec<u16> = futures_util::future::join_all(sends)
            .await
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 303]);
        assert_eq!(
            app.audit_actions()
                .await
                .iter()
                .filter(|a| *a == "case.open_etd")
                .count(),
            2
        );
        let mine = cases::list_for_applicant(&app.db, &sara.id).await.unwrap();
        let second = mine
            .iter()
            .find(|c| c.kind == "emergency_travel_document")
            .expect("a new application");
        assert_ne!(second.id, etd[0].id);
        let mails = app.emails_to(&email).await;
        assert!(
            mails.iter().any(|m| m
                .text
                .contains(&format!("/account/cases/{}/edit", second.id))),
            "the new application is mailed"
        );
    }
}

/// A date of birth before 1900 (a year typed `0190`) or not yet past is refused beside its
/// field, in the applicant's language, with everything typed kept.
#[tokio::test]
async fn an_implausible_date_of_birth_is_named_on_the_form_and_kept() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let mut c = app.client();
        c.sign_in(&omar).await;
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        let key = value_after(&page.body, r#"name="idempotency_key" value=""#).to_owned();
        let opened = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &page.csrf_token().unwrap(),
                &[("idempotency_key", &key)],
            )
            .await;
        let edit = opened.location().unwrap().to_owned();
        let tomorrow = (chrono::Utc::now().date_naive() + chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string();
        for (lang, typed, message) in [
            ("en", "0190-05-17", "A date of birth cannot be before"),
            ("ar", "1899-12-31", "لا يمكن أن يكون تاريخ الميلاد قبل"),
            (
                "en",
                tomorrow.as_str(),
                "A date of birth must be before today.",
            ),
            (
                "ar",
                tomorrow.as_str(),
                "يجب أن يكون تاريخ الميلاد قبل اليوم.",
            ),
        ] {
            let fields = [
                ("intent", "submit"),
                ("surname", "Haddad"),
                ("given_names", "Omar"),
                ("birth_date", typed),
                ("birth_place", "Amman"),
                ("phone", "+33 1 23 45 67 89"),
                ("passport_number", "N1234567"),
                ("passport_expiry", "2031-04-15"),
                ("collection", "mission"),
            ];
            let form_page = format!("{edit}?lang={lang}");
            let rejected = c.submit(&form_page, &edit, &fields).await;
            assert_eq!(rejected.status, 422, "{}", rejected.body);
            let body = rejected
                .body
                .replace(['\u{2068}', '\u{2069}', '\u{200E}'], "");
            assert!(body.contains(message), "{lang} {typed}: {body}");
            if typed != tomorrow {
                assert!(body.contains("1900-01-01"), "{body}");
            }
            assert!(
                body.contains(&format!(r#"value="{typed}""#)),
                "the date as typed is kept"
            );
            assert!(body.contains(r#"value="N1234567""#));
        }
        let case = cases::list_for_applicant(&app.db, &omar.id).await.unwrap();
        assert_eq!(case[0].state, "draft");
    }
}

/// Dates are judged on the mission's calendar, not UTC's: a child born "yesterday" at a
/// mission fourteen hours ahead of UTC was refused as born today until the afternoon, and
/// one born today at a mission twelve hours behind was let through as born yesterday.
#[tokio::test]
async fn form_dates_are_judged_on_the_missions_calendar() {
    for app in TestApp::all().await {
        let utc_today = chrono::Utc::now().date_naive();
        let (zone, local_today) = crate::harness::zone_on_another_day();
        let mission = app.mission_in_zone("TRW", "KI", zone).await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, _) = new_application(&app, &omar, &service_id).await;
        // Born on the mission's yesterday when it is ahead (UTC's today); on the mission's
        // today when it is behind (UTC's yesterday).
        let born = if local_today > utc_today {
            utc_today
        } else {
            local_today
        };
        let born = born.format("%Y-%m-%d").to_string();
        let fields = [
            ("intent", "submit"),
            ("surname", "Haddad"),
            ("given_names", "Omar"),
            ("birth_date", born.as_str()),
            ("birth_place", "Tarawa"),
            ("phone", "+686 7500 0000"),
            ("passport_number", "N1234567"),
            ("passport_expiry", "2031-04-15"),
            ("collection", "mission"),
        ];
        let res = c.submit(&edit, &edit, &fields).await;
        if local_today > utc_today {
            assert!(res.status.is_redirection(), "{zone}: {}", res.body);
        } else {
            assert_eq!(res.status, 422, "{zone}: born on the mission's today");
            assert!(res.body.contains("A date of birth must be before today."));
        }
    }
}

/// A courier address typed before the applicant chose to collect at the mission is kept in
/// the draft but shown to no one as part of the application.
#[tokio::test]
async fn a_courier_address_counts_only_for_courier_delivery() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
        let fields = [
            ("intent", "submit"),
            ("surname", "Haddad"),
            ("given_names", "Omar"),
            ("birth_date", "1980-05-17"),
            ("birth_place", "Amman"),
            ("phone", "+33 1 23 45 67 89"),
            ("passport_number", "N1234567"),
            ("passport_expiry", "2031-04-15"),
            ("collection", "mission"),
            ("courier_address", "12 rue Oubliée, Lyon"),
        ];
        let res = c.submit(&edit, &edit, &fields).await;
        assert!(res.status.is_redirection(), "{}", res.body);
        let mine = c.get(&format!("/account/cases/{case_id}")).await;
        assert!(mine.body.contains("Haddad"), "{}", mine.body);
        assert!(!mine.body.contains("rue Oubliée"), "{}", mine.body);

        let officer = app
            .staff(
                &unique_email("consul"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let mut o = app.client();
        o.sign_in(&officer).await;
        let desk = o.get(&format!("/missions/PAR/cases/{case_id}")).await;
        assert_eq!(desk.status, 200);
        assert!(desk.body.contains("N1234567"), "{}", desk.body);
        assert!(!desk.body.contains("rue Oubliée"), "{}", desk.body);
    }
}

/// A draft of a service the mission stopped offering is kept, saved with what was typed, and
/// not sent (it used to reach a mission that no longer works that service).
#[tokio::test]
async fn a_draft_of_a_service_no_longer_offered_is_kept_and_not_sent() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE consular_services SET enabled = $1 WHERE id = $2")
                .bind(false).bind(&service_id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        const NOT_OFFERED: &str = "no longer offers this service online";
        let page = c.get(&edit).await;
        assert!(page.body.contains(NOT_OFFERED), "{}", page.body);
        assert!(!page.body.contains(r#"value="submit""#), "{}", page.body);

        let fields = [
            ("intent", "submit"),
            ("surname", "Haddad"),
            ("given_names", "Omar"),
            ("birth_date", "1974-08-12"),
            ("birth_place", "Amman"),
            ("phone", "+33 1 23 45 67 89"),
            ("passport_number", "L898902C3"),
            ("passport_expiry", "2031-04-15"),
            ("collection", "in_person"),
        ];
        let res = c.submit(&edit, &edit, &fields).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert_eq!(res.body.matches(NOT_OFFERED).count(), 1, "{}", res.body);
        assert!(res.body.contains(r#"value="Amman""#), "{}", res.body);
        let case = cases::find(&app.db, &case_id).await.unwrap();
        assert_eq!(case.state, "draft");
        assert!(case.reference.is_none());
        assert_eq!(case.form().get("birth_place").unwrap(), "Amman", "saved");
    }
}

/// A form sent to a draft that is gone (discarded in another tab, or expired and purged while
/// its page stood open) loses nothing: what was typed comes back in a new draft of the same
/// service, with a warning.
#[tokio::test]
async fn a_form_sent_to_a_vanished_draft_comes_back_in_a_new_one() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let omar = app.public_user(&unique_email("omar")).await;
        let (mut c, edit, case_id) = new_application(&app, &omar, &service_id).await;
        let form_page = c.get(&edit).await;
        let sent_service = value_after(&form_page.body, r#"name="service_id" value=""#).to_owned();
        assert_eq!(sent_service, service_id);

        // Gone, as after a discard in another tab.
        let mut tx = app.db.begin().await.unwrap();
        cases::discard_draft(&mut tx, &case_id, &omar.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let fields = [
            ("intent", "submit"),
            ("service_id", sent_service.as_str()),
            ("surname", "Haddad"),
            ("given_names", "Omar"),
            ("birth_place", "Amman"),
            ("passport_number", "N1234567"),
        ];
        let res = c.submit(&edit, &edit, &fields).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(res.body.contains("was no longer there"), "{}", res.body);
        // Sent again (a second click): the same new draft, not another.
        let again = c.submit(&edit, &edit, &fields).await;
        assert_eq!(again.status, 409, "{}", again.body);
        assert!(res.body.contains(r#"value="N1234567""#), "{}", res.body);
        assert!(res.body.contains(r#"value="Amman""#));
        let mine = cases::list_for_applicant(&app.db, &omar.id).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_ne!(mine[0].id, case_id);
        assert_eq!(mine[0].state, "draft");
        assert_eq!(mine[0].form().get("surname").unwrap(), "Haddad");
        assert!(
            res.body
                .contains(&format!("/account/cases/{}/edit", mine[0].id))
        );
    }
}

/// The form open in two tabs: a tab drawn before the other's save does not write its older
/// values over it (the page saved as the applicant typed, last write winning: a corrected
/// passport number went back to the old one, and sending from the old tab sent it). A tab's
/// own saves follow each other; and the old tab, told so, can still keep what it holds.
#[tokio::test]
async fn a_tab_left_open_does_not_save_over_a_newer_one() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let user = app.public_user(&unique_email("tabs")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        let key = value_after(&page.body, r#"name="idempotency_key" value=""#).to_owned();
        let token = page.csrf_token().unwrap();
        let opened = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[("idempotency_key", &key)],
            )
            .await;
        let edit = opened.location().unwrap().to_owned();
        let case_id = edit
            .trim_start_matches("/account/cases/")
            .trim_end_matches("/edit")
            .to_owned();
        let autosave = format!("/account/cases/{case_id}/autosave");
        let tab = |body: &str| {
            (
                value_after(body, r#"name="form_rev" value=""#).to_owned(),
                value_after(body, r#"name="editor" value=""#).to_owned(),
            )
        };
        let (a_rev, a_key) = tab(&c.get(&edit).await.body);
        let (b_rev, b_key) = tab(&c.get(&edit).await.body);
        assert_eq!(a_rev, b_rev);
        assert_ne!(a_key, b_key);
        let send = |rev: &str, key: &str, number: &str, intent: Option<&str>| {
            let mut fields = vec![
                ("surname".to_owned(), "Haddad".to_owned()),
                ("passport_number".to_owned(), number.to_owned()),
                ("form_rev".to_owned(), rev.to_owned()),
                ("editor".to_owned(), key.to_owned()),
            ];
            if let Some(intent) = intent {
                fields.push(("intent".to_owned(), intent.to_owned()));
            }
            fields
        };
        // Tab A saves twice as the applicant types: its own saves follow each other.
        let res = post_tab(&mut c, &autosave, &send(&a_rev, &a_key, "N1111111", None)).await;
        assert!(res.body.contains("Saved"), "{}", res.body);
        let res = post_tab(&mut c, &autosave, &send(&a_rev, &a_key, "N2222222", None)).await;
        assert!(res.body.contains("Saved"), "{}", res.body);
        // Tab B, drawn before A's saves, is refused; A's values stand.
        let res = post_tab(&mut c, &autosave, &send(&b_rev, &b_key, "N0000000", None)).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(res.body.contains("Not saved"), "{}", res.body);
        let stored = cases::find(&app.db, &case_id).await.unwrap().form();
        assert_eq!(stored["passport_number"], "N2222222");
        // Saved (or sent) from B: shown again with what B holds and why; nothing written.
        let res = post_tab(
            &mut c,
            &edit,
            &send(&b_rev, &b_key, "N0000000", Some("save")),
        )
        .await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
        assert!(res.body.contains("changed in another tab or window"));
        assert!(res.body.contains(r#"value="N0000000""#));
        let stored = cases::find(&app.db, &case_id).await.unwrap().form();
        assert_eq!(stored["passport_number"], "N2222222");
        // From the page drawn anew, saving keeps what B holds: the applicant's choice.
        let (rev, key) = tab(&res.body);
        let res = post_tab(&mut c, &edit, &send(&rev, &key, "N0000000", Some("save"))).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let stored = cases::find(&app.db, &case_id).await.unwrap().form();
        assert_eq!(stored["passport_number"], "N0000000");
    }
}

/// Sends `fields` to `path` from the case's edit page.
async fn post_tab(
    c: &mut Client<'_>,
    path: &str,
    fields: &[(String, String)],
) -> crate::harness::TestResponse {
    let id = path
        .trim_start_matches("/account/cases/")
        .split('/')
        .next()
        .unwrap();
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.submit(&format!("/account/cases/{id}/edit"), path, &borrowed)
        .await
}

/// A withdrawal that arrives after the mission decided (the officer approved a moment
/// earlier) leads to the case with a word saying so and its decision, not to the "conflicting
/// change" page.
#[tokio::test]
async fn a_withdrawal_after_the_decision_shows_the_decision() {
    for app in TestApp::all().await {
        let mission = app.mission("PAR", "FR").await;
        let service_id = service(&app, &mission, CaseKind::PassportRenewal).await;
        let user = app.public_user(&unique_email("late")).await;
        let case_id = case_in_state(
            &app,
            (&mission, &service_id, CaseKind::PassportRenewal),
            &user.id,
            "submitted",
        )
        .await;
        let show = format!("/account/cases/{case_id}");
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let token = c.get(&show).await.csrf_token().unwrap();
        // The officer approves while the applicant's page stands open.
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET state = 'approved' WHERE id = $1")
                .bind(&case_id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let w = c
            .post_form_with_token(&format!("{show}/withdraw"), &token, &[])
            .await;
        let to = format!("{show}?notice=decided-first");
        assert_eq!(w.location(), Some(to.as_str()), "{}", w.body);
        let page = c.get(&to).await;
        assert!(
            page.body
                .contains("decided on this application before your withdrawal"),
            "{}",
            page.body
        );
        assert_eq!(
            cases::find(&app.db, &case_id).await.unwrap().state,
            "approved"
        );
    }
}

/// A case of `applicant`'s at `mission_id` for `service_id` (of `kind`), moved straight to
/// `state` (with a reference once past the draft): a case where a test needs one, without
/// the story that brings it there. Returns its id.
pub async fn case_in_state(
    app: &TestApp,
    (mission_id, service_id, kind): (&str, &str, CaseKind),
    applicant: &str,
    state: &str,
) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let form = Default::default();
    let case = cases::create_draft(
        &mut tx,
        &cases::NewDraft {
            mission_id,
            service_id,
            kind,
            applicant_id: applicant,
            form: &form,
            applicant_name: "A",
            lang: "en",
            priority: safir_domain::consular::case::Priority::Normal,
            idempotency_key: None,
            idempotency_fingerprint: None,
            expires_at: safir_store::now() + chrono::Duration::days(1),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    if state != "draft" {
        let reference = format!("PAR-2026-{:06}", uuid::Uuid::now_v7().as_u128() % 1_000_000);
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET state = $2, reference = $3, submitted_at = created_at WHERE id = $1")
                .bind(&case.id).bind(state).bind(&reference).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
    }
    case.id
}

/// Opens an emergency draft from the service's page and sends it with `description`; returns
/// the draft's edit page and the answer.
async fn send_emergency(
    c: &mut crate::harness::Client<'_>,
    service_id: &str,
    description: &str,
) -> (String, crate::harness::TestResponse) {
    let page = c.get(&format!("/consular/services/{service_id}")).await;
    let token = page.csrf_token().unwrap();
    let res = c
        .post_form_with_token(
            &format!("/consular/services/{service_id}/apply"),
            &token,
            &[],
        )
        .await;
    let edit = res.location().unwrap().to_owned();
    let sent = resend_emergency(c, &edit, description).await;
    (edit, sent)
}

async fn resend_emergency(
    c: &mut crate::harness::Client<'_>,
    edit: &str,
    description: &str,
) -> crate::harness::TestResponse {
    c.submit(
        edit,
        edit,
        &[
            ("intent", "submit"),
            ("category", "crime"),
            ("description", description),
            ("location", "Westlands"),
            ("phone", "+254 700 000 002"),
        ],
    )
    .await
}

fn case_of(edit: &str) -> &str {
    edit.trim_start_matches("/account/cases/")
        .trim_end_matches("/edit")
}

/// One account sends at most two emergency requests waiting for their acknowledgement at
/// once, and three in an hour: beyond, the form says which limit stopped it and keeps what was
/// typed as a draft, and nothing reaches the officers' queue or their mail.
#[tokio::test]
async fn emergency_requests_beyond_the_accounts_limits_stay_drafts() {
    for app in TestApp::all().await {
        let mission = app.mission("NBO", "KE").await;
        let service_id = service(&app, &mission, CaseKind::Emergency).await;
        let user = app.public_user(&unique_email("flood")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (first, sent) = send_emergency(&mut c, &service_id, "First request").await;
        assert!(sent.status.is_redirection(), "{}", sent.body);
        let (_, sent) = send_emergency(&mut c, &service_id, "Second request").await;
        assert!(sent.status.is_redirection(), "{}", sent.body);

        // Two wait for their acknowledgement: the third is kept, and the form says why.
        let (third, refused) = send_emergency(&mut c, &service_id, "Third request").await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("are still waiting for the mission to acknowledge them")
                && refused.body.contains("Third request"),
            "{}",
            refused.body
        );
        let kept = cases::find(&app.db, case_of(&third)).await.unwrap();
        assert_eq!(kept.state, "draft");
        assert_eq!(kept.form()["description"], "Third request");

        // One acknowledged, the third goes: three in the past hour.
        officer_moves(&app, case_of(&first), CaseAction::StartReview, None).await;
        let sent = resend_emergency(&mut c, &third, "Third request").await;
        assert!(sent.status.is_redirection(), "{}", sent.body);
        let second_and_third: Vec<String> = cases::list_for_applicant(&app.db, &user.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|k| k.state == "submitted")
            .map(|k| k.id)
            .collect();
        assert_eq!(second_and_third.len(), 2);
        for id in &second_and_third {
            officer_moves(&app, id, CaseAction::StartReview, None).await;
        }

        // None waits now, but three went in the past hour: the fourth is kept until an hour
        // after the first.
        let (fourth, refused) = send_emergency(&mut c, &service_id, "Fourth request").await;
        assert_eq!(refused.status, 429, "{}", refused.body);
        assert!(
            refused
                .body
                .contains("you have sent as many emergency requests in the past hour")
                && refused.body.contains("Fourth request"),
            "{}",
            refused.body
        );
        let wait: u64 = refused.headers[axum::http::header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((3500..=3600).contains(&wait), "{wait}");
        let kept = cases::find(&app.db, case_of(&fourth)).await.unwrap();
        assert_eq!(kept.state, "draft");
        let jobs: i64 = safir_store::with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1")
                .bind("consular.emergency_escalation")
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(jobs, 3, "one escalation for each request sent");

        // In Arabic too.
        safir_store::accounts::set_preferred_lang(&app.db, &user.id, safir_domain::Lang::Ar)
            .await
            .unwrap();
        c.lang = Some("ar");
        let refused = resend_emergency(&mut c, &fourth, "Fourth request").await;
        assert_eq!(refused.status, 429, "{}", refused.body);
        assert!(
            refused.body.contains("أرسلتَ في الساعة الماضية أقصى عدد"),
            "{}",
            refused.body
        );
    }
}

/// Each escalation mail says what the case is to its reader: the officer it is handed to is
/// told it is now theirs, the officer it is taken from that it no longer is and who has it,
/// and the head of mission who holds it, without being told it is theirs.
#[tokio::test]
async fn escalation_mails_tell_each_reader_what_the_case_is_to_them() {
    for app in TestApp::all().await {
        let mission = app.mission("NBO", "KE").await;
        let service_id = service(&app, &mission, CaseKind::Emergency).await;
        let user = app.public_user(&unique_email("stranded")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (edit, sent) = send_emergency(&mut c, &service_id, "Stranded at the border").await;
        assert!(sent.status.is_redirection(), "{}", sent.body);
        let id = case_of(&edit).to_owned();
        let o1 = app
            .staff(
                &unique_email("o1"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let o2 = app
            .staff(
                &unique_email("o2"),
                &[(Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission))],
            )
            .await;
        let (first, second) = if o1.id < o2.id {
            (&o1, &o2)
        } else {
            (&o2, &o1)
        };
        let name = |id: &str| {
            let id = id.to_owned();
            let db = app.db.clone();
            async move {
                safir_store::accounts::find_user(&db, &id)
                    .await
                    .unwrap()
                    .display_name
            }
        };
        let config = &app.state.config;
        const YOURS: &str = "is now yours to act on";

        escalate(&app.db, config, &id, 1).await.unwrap();
        let to_first = app.emails_to(&first.email).await;
        assert_eq!(to_first.len(), 1);
        assert!(to_first[0].text.contains(YOURS), "{}", to_first[0].text);
        let to_head = app.emails_to(&head.email).await;
        assert_eq!(to_head.len(), 1);
        assert!(
            !to_head[0].text.contains(YOURS)
                && to_head[0].text.contains(&format!(
                    "It is now held by {}; you are told so that you can follow it up.",
                    name(&first.id).await
                )),
            "{}",
            to_head[0].text
        );

        escalate(&app.db, config, &id, 2).await.unwrap();
        let to_second = app.emails_to(&second.email).await;
        assert_eq!(to_second.len(), 1);
        assert!(to_second[0].text.contains(YOURS), "{}", to_second[0].text);
        // The officer it was taken from is told, with who has it now.
        let to_first = app.emails_to(&first.email).await;
        assert_eq!(to_first.len(), 2);
        let moved = &to_first[1].text;
        assert!(
            !moved.contains(YOURS)
                && moved.contains(&format!(
                    "so it has been passed on to {}: it is no longer yours",
                    name(&second.id).await
                )),
            "{moved}"
        );
        let to_head = app.emails_to(&head.email).await;
        assert_eq!(to_head.len(), 2);
        assert!(
            to_head[1]
                .text
                .contains(&format!("It is now held by {}", name(&second.id).await)),
            "{}",
            to_head[1].text
        );
    }
}

/// PostgreSQL: holds the lock every check of `applicant_id`'s emergency limits takes, so that a
/// request stops there; returns the transaction holding it.
pub async fn hold_emergency_checks(app: &TestApp, applicant_id: &str) -> safir_store::Tx {
    let mut hold = app.db.begin().await.unwrap();
    safir_store::with_tx!(&mut hold, c => {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("emergency-requests:{applicant_id}"))
            .execute(c)
            .await
            .map(drop)
    })
    .unwrap();
    hold
}

/// A moment later (the other request waiting at the limits' check), sends the draft
/// `case_id` in `hold` as the applicant's twin request does, and lets the other go on.
pub async fn twin_sends(
    mut hold: safir_store::Tx,
    case_id: &str,
    applicant_id: &str,
    mission_code: &str,
) {
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    cases::transition(
        &mut hold,
        case_id,
        &Transition {
            action: CaseAction::Submit,
            actor: Actor::Applicant,
            actor_id: Some(applicant_id),
            reason: None,
            mission_code,
            due_in: Some(chrono::Duration::days(1)),
        },
    )
    .await
    .unwrap();
    hold.commit().await.unwrap();
}

/// PostgreSQL: the same emergency request sent twice at once (a double click), the account
/// at its limit of requests waiting once the first went: the second read the case as a draft,
/// then found the first counted at the limits' check. It said "not sent, kept as a draft" of
/// a request that was sent; it leads to the case as the first did.
#[tokio::test]
async fn an_emergency_request_sent_twice_at_once_is_answered_as_sent() {
    for app in TestApp::all().await {
        if app.backend() != safir_store::Backend::Postgres {
            continue;
        }
        let mission = app.mission("NBO", "KE").await;
        let service_id = service(&app, &mission, CaseKind::Emergency).await;
        let user = app.public_user(&unique_email("twice")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let (_, sent) = send_emergency(&mut c, &service_id, "First request").await;
        assert!(sent.status.is_redirection(), "{}", sent.body);
        let page = c.get(&format!("/consular/services/{service_id}")).await;
        let token = page.csrf_token().unwrap();
        let res = c
            .post_form_with_token(
                &format!("/consular/services/{service_id}/apply"),
                &token,
                &[],
            )
            .await;
        let edit = res.location().unwrap().to_owned();
        let id = case_of(&edit).to_owned();

        let hold = hold_emergency_checks(&app, &user.id).await;
        let (again, ()) = tokio::join!(
            resend_emergency(&mut c, &edit, "Second request"),
            twin_sends(hold, &id, &user.id, "NBO"),
        );
        assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
        assert_eq!(
            again.location(),
            Some(format!("/account/cases/{id}?notice=submitted").as_str())
        );
        assert_eq!(cases::find(&app.db, &id).await.unwrap().state, "submitted");
    }
}
