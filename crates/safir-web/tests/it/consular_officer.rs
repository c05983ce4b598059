//! The consular officer's story: a case worked from submission to closing through the case
//! page, with the applicant told by email in their language at each step and every read and
//! action in the audit trail; officers of other missions kept out; bulk actions that do what
//! is legal and say why they skip the rest.

use std::collections::BTreeMap;

use chrono::Duration;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, Priority};
use safir_domain::consular::service::{Currency, Fee};
use safir_domain::roles::Role;
use safir_store::consular::cases::{self, Case, NewDraft, Transition};
use safir_store::consular::services::{self, ServiceInput};
use safir_store::now;
use serde_json::json;

use crate::admin_support::signed_in;
use crate::harness::{Account, TestApp, unique_email, value_after};

pub fn service_input(code: &str, kind: CaseKind) -> ServiceInput {
    ServiceInput {
        code: code.into(),
        kind,
        name_ar: format!("خدمة {code}"),
        name_en: format!("Service {code}"),
        instructions_ar: String::new(),
        instructions_en: String::new(),
        documents: "صورة | Photo".into(),
        fee: Fee::parse("75", Currency::parse("EUR").unwrap()).unwrap(),
        processing_days: 10,
        visa_types: if kind == CaseKind::Visa {
            vec!["tourist"]
        } else {
            vec![]
        },
        enabled: true,
    }
}

pub async fn service(app: &TestApp, mission: &str, code: &str, kind: CaseKind) -> String {
    let mut tx = app.db.begin().await.unwrap();
    let id = services::create(&mut tx, mission, &service_input(code, kind))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id.to_string()
}

/// One application as the applicant's pages leave it: a draft, then submitted.
pub struct Application<'a> {
    pub mission: &'a str,
    pub mission_code: &'a str,
    pub service: &'a str,
    pub kind: CaseKind,
    pub applicant: &'a str,
    pub name: &'a str,
    pub lang: &'a str,
    /// Days until the case is due; negative for a case already late.
    pub due_days: i64,
    /// Whether the document is to be sent by courier rather than collected.
    pub courier: bool,
}

impl Application<'_> {
    pub async fn submit(&self, app: &TestApp) -> Case {
        let mut form = BTreeMap::new();
        let (given, surname) = self.name.split_once(' ').unwrap_or((self.name, ""));
        form.insert("given_names".to_owned(), given.to_owned());
        form.insert("surname".to_owned(), surname.to_owned());
        form.insert("passport_number".to_owned(), "X1234567".to_owned());
        if self.courier {
            form.insert("collection".to_owned(), "courier".to_owned());
            form.insert(
                "courier_address".to_owned(),
                "12 rue de la Paix, Paris".to_owned(),
            );
        } else {
            form.insert("collection".to_owned(), "mission".to_owned());
        }
        let mut tx = app.db.begin().await.unwrap();
        let draft = cases::create_draft(
            &mut tx,
            &NewDraft {
                mission_id: self.mission,
                service_id: self.service,
                kind: self.kind,
                applicant_id: self.applicant,
                form: &form,
                applicant_name: self.name,
                lang: self.lang,
                priority: Priority::Normal,
                idempotency_key: None,
                idempotency_fingerprint: None,
                expires_at: now() + Duration::days(30),
            },
        )
        .await
        .unwrap();
        let (case, _) = cases::transition(
            &mut tx,
            &draft.id,
            &Transition {
                action: CaseAction::Submit,
                actor: Actor::Applicant,
                actor_id: Some(self.applicant),
                reason: None,
                mission_code: self.mission_code,
                due_in: Some(Duration::days(self.due_days)),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        case
    }
}

/// Moves a case on the store side, as another officer or the applicant would.
pub async fn store_move(app: &TestApp, id: &str, action: CaseAction, actor: Actor) {
    let mut tx = app.db.begin().await.unwrap();
    cases::transition(
        &mut tx,
        id,
        &Transition {
            action,
            actor,
            actor_id: None,
            reason: None,
            mission_code: "PAR",
            due_in: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

pub struct World {
    pub paris: String,
    pub dubai: String,
    pub passport: String,
    pub visa: String,
    pub officer: Account,
    pub applicant: Account,
}

/// A visa application of the world's applicant, submitted, its review started by the world's
/// officer: the officer's client, the case, its page and the page's form address.
async fn under_review<'a>(
    app: &'a TestApp,
    w: &World,
) -> (crate::harness::Client<'a>, Case, String, String) {
    let case = w
        .application("Nour Haddad", CaseKind::Visa)
        .submit(app)
        .await;
    let mut officer = signed_in(app, &w.officer).await;
    let page = format!("/missions/PAR/cases/{}", case.id);
    let act = format!("{page}/act");
    let r = officer
        .submit(&page, &act, &[("action", "start_review")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    (officer, case, page, act)
}

pub async fn world(app: &TestApp) -> World {
    let paris = app.mission("PAR", "FR").await;
    let dubai = app.mission("DXB", "AE").await;
    let passport = service(app, &paris, "passport_renewal", CaseKind::PassportRenewal).await;
    let visa = service(app, &paris, "visa", CaseKind::Visa).await;
    let officer = app
        .staff(
            &unique_email("officer"),
            &[(Role::ConsularOfficer, Some(&paris))],
        )
        .await;
    let applicant = app.public_user(&unique_email("applicant")).await;
    World {
        paris,
        dubai,
        passport,
        visa,
        officer,
        applicant,
    }
}

impl World {
    pub fn application<'a>(&'a self, name: &'a str, kind: CaseKind) -> Application<'a> {
        Application {
            mission: &self.paris,
            mission_code: "PAR",
            service: if kind == CaseKind::Visa {
                &self.visa
            } else {
                &self.passport
            },
            kind,
            applicant: &self.applicant.id,
            name,
            lang: "ar",
            due_days: 10,
            courier: false,
        }
    }
}

async fn state_of(app: &TestApp, id: &str) -> String {
    cases::find(&app.db, id).await.unwrap().state
}

#[tokio::test]
async fn an_officer_works_a_case_from_submission_to_closing() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("أمل الحسن", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let reference = case.reference.clone().unwrap();
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}", case.id);
        let act = format!("{page}/act");

        let queue = officer.get("/missions/PAR/cases?lang=en").await;
        assert_eq!(queue.status, 200, "{}", queue.body);
        assert!(queue.body.contains(&reference) && queue.body.contains("أمل الحسن"));

        let shown = officer.get(&format!("{page}?lang=en")).await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        assert!(shown.body.contains("Surname (as in the passport)"));
        assert!(shown.body.contains("الحسن") && shown.body.contains("X1234567"));
        assert!(shown.body.contains("I will collect it at the mission"));
        // An applicant with an account is reached there: nothing to say about it.
        assert!(!shown.body.contains("case-reached"));
        assert!(shown.body.contains(r#"id="action-start_review""#));
        assert!(
            !shown.body.contains(r#"id="action-approve""#),
            "not before review"
        );

        let ok = |r: &crate::harness::TestResponse| {
            assert_eq!(r.status, 303, "{}", r.body);
        };
        // The same click a second time finds its own move done: the same outcome, not
        // "someone else changed this case", and one move in the history.
        for _ in 0..2 {
            let r = officer
                .submit(
                    &page,
                    &act,
                    &[("action", "start_review"), ("expected_state", "submitted")],
                )
                .await;
            ok(&r);
            assert_eq!(state_of(&app, &case.id).await, "in_review");
        }
        assert_eq!(cases::events(&app.db, &case.id).await.unwrap().len(), 2);
        // The history's arrow points the way each language reads, to the state reached.
        let ar = officer.get(&format!("{page}?lang=ar")).await.body;
        assert!(ar.contains("← قيد الدراسة") && !ar.contains('→'), "{ar}");
        let en = officer.get(&format!("{page}?lang=en")).await.body;
        assert!(en.contains("→ In review") && !en.contains('←'), "{en}");

        // A request for information needs its text; the refusal keeps the page in English.
        let r = officer
            .submit(
                &page,
                &format!("{act}?lang=en"),
                &[("action", "request_info"), ("request", "  ")],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("This field is required."), "{}", r.body);
        let r = officer
            .submit(
                &page,
                &act,
                &[
                    ("action", "request_info"),
                    ("request", "Please send a recent photograph."),
                ],
            )
            .await;
        ok(&r);
        // The applicant reads what is asked at the top of their case's page, before its
        // details, documents and history.
        let mut applicant = app.client();
        applicant.sign_in(&w.applicant).await;
        let theirs = applicant
            .get(&format!("/account/cases/{}?lang=en", case.id))
            .await
            .body;
        let asked = theirs
            .find(r#"<blockquote dir="auto">Please send a recent photograph.</blockquote>"#)
            .unwrap_or_else(|| panic!("the request is not at the top: {theirs}"));
        assert!(asked < theirs.find(r#"id="documents-heading""#).unwrap());
        assert!(theirs.contains("The mission asks:"), "{theirs}");
        let r = officer
            .submit(
                &page,
                &format!("{page}/notes"),
                &[("note", "Photo looked edited — check.")],
            )
            .await;
        ok(&r);
        // The page it leads back to says what was done, in the officer's language.
        let back = r.location().unwrap().to_owned();
        assert!(back.ends_with("?done=note"), "{back}");
        let shown = officer.get(&format!("{back}&lang=en")).await;
        assert!(shown.body.contains("Note added."), "{}", shown.body);

        // The applicant answers (their pages land separately; the store does the same).
        store_move(&app, &case.id, CaseAction::ProvideInfo, Actor::Applicant).await;
        // An officer acting on the page drawn before the answer is told someone else moved
        // the case.
        let r = officer
            .submit(
                &page,
                &format!("{act}?lang=en"),
                &[("action", "close"), ("expected_state", "needs_info")],
            )
            .await;
        assert_eq!(r.status, 409);
        assert!(
            r.body.contains("Someone else changed this case meanwhile"),
            "{}",
            r.body
        );
        assert_eq!(state_of(&app, &case.id).await, "in_review");
        let r = officer.write_on_case(&page, "شكرًا، وصلت الصورة.").await;
        ok(&r);
        let back = r.location().unwrap().to_owned();
        assert!(back.ends_with("?done=message"), "{back}");
        let shown = officer.get(&format!("{back}&lang=ar")).await;
        assert!(shown.body.contains("أُرسلت الرسالة"), "{}", shown.body);
        // Sent again a moment later (a double click): the same page, one message, one mail;
        // a note too.
        let mails = app.emails_to(&w.applicant.email).await.len();
        let again = officer.write_on_case(&page, "شكرًا، وصلت الصورة.").await;
        assert_eq!(again.location(), Some(back.as_str()));
        let r = officer
            .submit(
                &page,
                &format!("{page}/notes"),
                &[("note", "Photo looked edited — check.")],
            )
            .await;
        ok(&r);
        let all = cases::list_messages(&app.db, &case.id, true).await.unwrap();
        let count = |text: &str| all.iter().filter(|m| m.body == text).count();
        assert_eq!(count("شكرًا، وصلت الصورة."), 1);
        assert_eq!(count("Photo looked edited — check."), 1);
        assert_eq!(app.emails_to(&w.applicant.email).await.len(), mails);
        let r = officer
            .submit(
                &page,
                &act,
                &[("action", "approve"), ("approve_message", "")],
            )
            .await;
        ok(&r);
        // Recorded as the API records an approval.
        let approved = cases::find(&app.db, &case.id).await.unwrap();
        assert_eq!(approved.decision_reason.as_deref(), Some("approved"));
        let r = officer
            .submit(&page, &act, &[("action", "mark_ready_for_collection")])
            .await;
        ok(&r);
        let r = officer.submit(&page, &act, &[("action", "close")]).await;
        ok(&r);
        assert_eq!(state_of(&app, &case.id).await, "closed");
        // Closed: no message form, and a message posted anyway is not sent, kept in the box.
        let closed = officer.get(&page).await;
        assert!(closed.body.contains("id=\"case-messages-closed\""));
        let r = officer
            .submit(
                &page,
                &format!("{page}/messages"),
                &[("message", "Une dernière chose")],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("Une dernière chose"), "{}", r.body);

        // Acting on the page as it was before (the officer closed the case in another tab)
        // gets the case as it is now, and says who moved it.
        let r = officer
            .submit(
                &page,
                &format!("{act}?lang=en"),
                &[("action", "approve"), ("expected_state", "in_review")],
            )
            .await;
        assert_eq!(r.status, 409);
        assert!(
            r.body.contains("You changed this case meanwhile"),
            "{}",
            r.body
        );
        assert!(r.body.contains(r#"id="case-state">Closed"#), "{}", r.body);
        // What was typed with a move that can no longer be made is kept, in the note box.
        let r = officer
            .submit(
                &page,
                &format!("{act}?lang=en"),
                &[
                    ("action", "request_info"),
                    ("expected_state", "in_review"),
                    ("request", "Please bring the old passport too."),
                ],
            )
            .await;
        assert_eq!(r.status, 409);
        assert!(
            r.body
                .contains("Please bring the old passport too.</textarea>"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains("What you wrote is kept in the internal note box")
        );
        // An action the page never offered, on the case as it is: it does not apply.
        let r = officer
            .submit(
                &page,
                &format!("{act}?lang=en"),
                &[("action", "approve"), ("expected_state", "closed")],
            )
            .await;
        assert_eq!(r.status, 409);
        assert!(
            r.body.contains("This action does not apply to the case"),
            "{}",
            r.body
        );

        let shown = officer.get(&format!("{page}?lang=en")).await;
        assert!(shown.body.contains("message message-internal"));
        assert!(shown.body.contains("Photo looked edited"));
        assert!(shown.body.contains("Please send a recent photograph."));
        assert!(shown.body.contains("Nothing is left to do on this case."));

        let mails = app.emails_to(&w.applicant.email).await;
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert_eq!(mails.len(), 6, "{subjects:?}");
        assert!(mails.iter().all(|m| m.lang == "ar"), "{subjects:?}");
        assert!(subjects[0].contains("قيد الدراسة") && subjects[0].contains(&reference));
        assert!(mails[1].text.contains("Please send a recent photograph."));
        assert!(mails[2].text.contains("شكرًا، وصلت الصورة."), "the message");
        assert!(subjects[3].contains("موافق عليه"));
        assert!(subjects[4].contains("جاهز للاستلام"));
        assert!(subjects[5].contains("مغلق"));
        assert!(
            mails
                .iter()
                .all(|m| !m.text.contains("Photo looked edited")),
            "internal notes never reach the applicant"
        );

        let actions = app.audit_actions().await;
        for expected in [
            "case.list",
            "case.read",
            "case.start_review",
            "case.request_info",
            "case.note",
            "case.message",
            "case.approve",
            "case.ready_for_collection",
            "case.close",
        ] {
            assert!(
                actions.iter().any(|a| a == expected),
                "{expected} in {actions:?}"
            );
        }
    }
}

/// A refusal's e-mail carries the reason and the officer's message; a request for
/// information's text stays on the case, and the audit trail records only its length.
#[tokio::test]
async fn a_refusal_mails_the_reason_and_the_message() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("Nour Haddad", CaseKind::Visa)
            .submit(&app)
            .await;
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}", case.id);
        let act = format!("{page}/act");
        for fields in [
            &[("action", "start_review")][..],
            &[
                ("action", "request_info"),
                ("request", "Please send your bank statement."),
            ][..],
        ] {
            let r = officer.submit(&page, &act, fields).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        store_move(&app, &case.id, CaseAction::ProvideInfo, Actor::Applicant).await;
        // "Other" is explained only by the message, which the applicant is told to read:
        // without one the refusal is held back, the choice kept.
        let mut reject = async |reason: &str, message: &str| {
            let fields = [
                ("action", "reject"),
                ("reject_reason", reason),
                ("reject_message", message),
            ];
            officer.submit(&page, &act, &fields).await
        };
        // Direction marks or zero-width spaces alone are as blank as spaces.
        let r = reject("other", "\u{200F}\u{200B} \u{2067}").await;
        assert_eq!(r.status, 422, "{}", r.body);
        let r = reject("other", "  ").await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("Explain the refusal in a message"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(r#"<option value="other" selected>"#),
            "{}",
            r.body
        );
        assert_eq!(state_of(&app, &case.id).await, "in_review");
        let r = reject(
            "documents_incomplete",
            "الصورة غير واضحة؛ يرجى التقديم من جديد.",
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "rejected");

        let mails = app.emails_to(&w.applicant.email).await;
        let refusal = mails.last().unwrap();
        assert!(
            refusal
                .text
                .contains("لم تُقدَّم المستندات المطلوبة أو أنها ناقصة.")
                && refusal
                    .text
                    .contains("الصورة غير واضحة؛ يرجى التقديم من جديد."),
            "{}",
            refusal.text
        );
        // The decision letter carries the message too.
        let mut applicant = signed_in(&app, &w.applicant).await;
        let pdf = applicant
            .get_bytes(&format!("/account/cases/{}/decision.pdf", case.id))
            .await;
        if let Some(text) = crate::harness::pdftotext(&pdf) {
            assert!(text.contains("الصورة غير واضحة"), "{text}");
            assert!(text.contains("Message from the mission"), "{text}");
        }
        let request = app.audit_summaries("case.request_info").await;
        assert_eq!(request.len(), 1);
        assert_eq!(request[0]["request_chars"], 32);
        assert!(request[0]["reason"].is_null(), "{}", request[0]);
        assert!(!request[0].to_string().contains("bank statement"));
        let refused = app.audit_summaries("case.reject").await;
        assert_eq!(refused[0]["reason"], "documents_incomplete");
        // A page of personal data is not kept by the browser or a proxy.
        let shown = officer.get(&page).await;
        assert_eq!(shown.headers["cache-control"], "private, no-store");
    }
}

/// A case under review offers its three moves as one decision (a choice, the inputs of the
/// chosen move under it), not three forms each with its box; sent without a choice, it comes
/// back saying so, with what was typed.
#[tokio::test]
async fn a_case_under_review_is_decided_in_one_form() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let (mut officer, case, page, act) = under_review(&app, &w).await;
        let shown = officer.get(&page).await;
        let forms = shown.body.matches(&format!(r#"action="{act}""#)).count();
        assert_eq!(forms, 1, "one form for the decision: {}", shown.body);
        for code in ["request_info", "approve", "reject"] {
            let radio = format!(r#"<input type="radio" name="action" value="{code}""#);
            assert!(shown.body.contains(&radio), "{code}: {}", shown.body);
        }
        let request = "Send the hotel booking, please.";
        let r = officer
            .submit(
                &page,
                &act,
                &[("request", request), ("reject_reason", "other")],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Choose your decision"), "{}", r.body);
        assert!(r.body.contains(request), "the request was lost: {}", r.body);
        assert!(
            r.body.contains(r#"<option value="other" selected>"#),
            "{}",
            r.body
        );
        assert_eq!(state_of(&app, &case.id).await, "in_review");
        // An application the e-visa's checks refuse (this one, made on the store's side,
        // names no nationality; one sent before a rule of theirs): the page again, saying
        // why, the officer's message kept.
        let welcome = "Welcome to France, enjoy your stay.";
        let r = officer
            .submit(
                &page,
                &act,
                &[("action", "approve"), ("approve_message", welcome)],
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body
                .contains("The e-visa cannot be issued from this application as it stands"),
            "{}",
            r.body
        );
        assert!(r.body.contains(welcome), "the message was lost: {}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "in_review");
        // A refused choice comes back chosen, its inputs shown.
        let r = officer
            .submit(&page, &act, &[("action", "reject"), ("reject_reason", "")])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body
                .contains(r#"value="reject" id="action-reject" checked"#),
            "{}",
            r.body
        );
        let r = officer
            .submit(
                &page,
                &act,
                &[
                    ("action", "request_info"),
                    ("request", request),
                    ("approve_message", ""),
                    ("reject_reason", ""),
                    ("reject_message", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "needs_info");
    }
}

/// "My applications" lists first what waits for the applicant's answer, then the latest
/// change first (the date its last column shows), not the order the applications were begun;
/// a change is one the applicant sees (a move, a message), not an officer's assignment.
#[tokio::test]
async fn my_applications_list_what_waits_for_me_then_the_latest_change() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let oldest = w
            .application("Nour Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let asked = w
            .application("Nour Haddad", CaseKind::Visa)
            .submit(&app)
            .await;
        let newest = w
            .application("Nour Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        store_move(&app, &asked.id, CaseAction::StartReview, Actor::Officer).await;
        store_move(&app, &asked.id, CaseAction::RequestInfo, Actor::Officer).await;
        // The oldest changes last.
        store_move(&app, &oldest.id, CaseAction::StartReview, Actor::Officer).await;
        let mut applicant = signed_in(&app, &w.applicant).await;
        let list = applicant.get("/account/cases").await;
        let at = |case: &Case| {
            let reference = case.reference.clone().unwrap();
            list.body
                .find(&reference)
                .unwrap_or_else(|| panic!("{reference} not listed: {}", list.body))
        };
        assert!(
            at(&asked) < at(&oldest) && at(&oldest) < at(&newest),
            "{}",
            list.body
        );
        // An officer taking the newest on is none of the applicant's business; a message
        // from the mission is a change they see.
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            cases::assign(&mut tx, &newest.id, &w.paris, None, Some(&w.officer.id))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let list = applicant.get("/account/cases").await;
        let at = |case: &Case| list.body.find(case.reference.as_deref().unwrap()).unwrap();
        assert!(at(&oldest) < at(&newest), "{}", list.body);
        let mut tx = app.db.begin().await.unwrap();
        cases::add_message(
            &mut tx,
            &newest.id,
            Some(&w.officer.id),
            true,
            false,
            "Noted.",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let list = applicant.get("/account/cases").await;
        let at = |case: &Case| list.body.find(case.reference.as_deref().unwrap()).unwrap();
        assert!(
            at(&asked) < at(&newest) && at(&newest) < at(&oldest),
            "{}",
            list.body
        );
    }
}

/// The account page says first what waits for the person: the applications the mission
/// asked them about, and their next appointment on the mission's clock.
#[tokio::test]
async fn the_account_says_what_waits_for_me() {
    use safir_domain::consular::appointments::{ServiceCode, Slot, SlotScope};
    use safir_store::consular::appointments::{self as appts, NewBooking};

    for app in TestApp::all().await {
        let w = world(&app).await;
        let mut applicant = signed_in(&app, &w.applicant).await;
        let page = applicant.get("/account?lang=en").await;
        assert!(!page.body.contains(r#"id="waiting""#), "{}", page.body);

        let asked = w
            .application("Nour Haddad", CaseKind::Visa)
            .submit(&app)
            .await;
        store_move(&app, &asked.id, CaseAction::StartReview, Actor::Officer).await;
        store_move(&app, &asked.id, CaseAction::RequestInfo, Actor::Officer).await;
        let start = now() + Duration::days(3);
        let slot = Slot {
            scope: SlotScope::AllServices,
            start,
            end: start + Duration::minutes(20),
            capacity: 2,
            local_date: start.date_naive(),
            local_start: start.time(),
        };
        let service = ServiceCode::parse("visa").unwrap();
        let mut tx = app.db.begin().await.unwrap();
        appts::book(
            &mut tx,
            &NewBooking {
                mission_id: &w.paris,
                user_id: &w.applicant.id,
                service: &service,
                case_id: None,
                slot: &slot,
                lang: "en",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let page = applicant.get("/account?lang=en").await;
        assert!(page.body.contains(r#"id="waiting""#), "{}", page.body);
        let reference = asked.reference.clone().unwrap();
        assert!(
            page.body.contains(&format!(
                r#"<a href="/account/cases/{}" dir="ltr">{reference}</a>"#,
                asked.id
            )),
            "{}",
            page.body
        );
        let zone = safir_store::missions::find(&app.db, &w.paris)
            .await
            .unwrap()
            .time_zone;
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let day = start
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        assert!(
            page.body.contains("Your next appointment:") && page.body.contains(&day),
            "{}",
            page.body
        );
        // The officer has nothing waiting as an applicant.
        let mut officer = signed_in(&app, &w.officer).await;
        let theirs = officer.get("/account?lang=en").await;
        assert!(!theirs.body.contains(r#"id="waiting""#), "{}", theirs.body);
    }
}

/// A passport to be sent by courier is not "ready for collection" for its applicant: the
/// mail, their application's page and their list say it is on its way.
#[tokio::test]
async fn a_document_sent_by_courier_is_on_its_way_for_the_applicant() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let mut application = w.application("Nour Haddad", CaseKind::PassportRenewal);
        application.courier = true;
        let case = application.submit(&app).await;
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}", case.id);
        let act = format!("{page}/act");
        for action in ["start_review", "approve"] {
            let r = officer.submit(&page, &act, &[("action", action)]).await;
            assert_eq!(r.status, 303, "{action}: {}", r.body);
        }
        // The officer's button, the case's state and its history say where the passport goes.
        let before = officer.get(&format!("{page}?lang=en")).await;
        assert!(
            before.body.contains("Ready: send by courier"),
            "{}",
            before.body
        );
        assert!(
            !before.body.contains(">Ready for collection<"),
            "{}",
            before.body
        );
        let r = officer
            .submit(&page, &act, &[("action", "mark_ready_for_collection")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "ready_for_collection");
        let after = officer.get(&format!("{page}?lang=ar")).await;
        assert!(
            after
                .body
                .contains(r#"id="case-state">جاهز، يُرسل مع شركة التوصيل"#),
            "{}",
            after.body
        );
        assert!(!after.body.contains("جاهز للاستلام"), "{}", after.body);
        // So do its row in the queue and its line in the export, beside a passport waiting
        // for collection.
        let collected = w
            .application("Sara Ali", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        for action in [
            CaseAction::StartReview,
            CaseAction::Approve,
            CaseAction::MarkReadyForCollection,
        ] {
            store_move(&app, &collected.id, action, Actor::Officer).await;
        }
        let queue = officer
            .get("/missions/PAR/cases?state=ready_for_collection&lang=en")
            .await;
        let row_of = |body: &str, name: &str| -> String {
            body.split("<tr class=\"case-row")
                .find(|r| r.contains(name))
                .unwrap_or_else(|| panic!("no row for {name}: {body}"))
                .to_owned()
        };
        assert!(
            row_of(&queue.body, "Nour Haddad").contains("<td>Ready, to be sent by courier</td>"),
            "{}",
            queue.body
        );
        assert!(
            row_of(&queue.body, "Sara Ali").contains("<td>Ready for collection</td>"),
            "{}",
            queue.body
        );
        let csv = officer
            .get("/missions/PAR/cases.csv?state=ready_for_collection&lang=en")
            .await;
        let line_of = |name: &str| {
            csv.body
                .lines()
                .find(|l| l.contains(name))
                .unwrap()
                .to_owned()
        };
        assert!(
            line_of("Nour Haddad").contains("Ready, to be sent by courier"),
            "{}",
            csv.body
        );
        assert!(
            line_of("Sara Ali").contains("Ready for collection"),
            "{}",
            csv.body
        );
        let on_its_way = "جاهز ويُرسَل إليك مع شركة التوصيل";
        let mails = app.emails_to(&w.applicant.email).await;
        let last = mails.last().unwrap();
        assert!(last.subject.contains(on_its_way), "{}", last.subject);
        let mut applicant = signed_in(&app, &w.applicant).await;
        let mine = applicant
            .get(&format!("/account/cases/{}?lang=ar", case.id))
            .await;
        assert!(mine.body.contains(on_its_way), "{}", mine.body);
        assert!(!mine.body.contains("جاهز للاستلام"), "{}", mine.body);
        let list = applicant.get("/account/cases?lang=ar").await;
        assert!(list.body.contains(on_its_way), "{}", list.body);
        // The officers' queue keeps the state's own name.
        let queue = officer.get("/missions/PAR/cases?lang=ar").await;
        assert!(!queue.body.contains(on_its_way));
    }
}

/// A refusal whose message runs over several pages: every page of the letter says which page
/// of how many it is, and of which application.
#[tokio::test]
async fn a_long_decision_letter_numbers_its_pages() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("Nour Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let reference = case.reference.clone().unwrap();
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}", case.id);
        let act = format!("{page}/act");
        let message = "Please bring the original documents. ".repeat(100);
        for fields in [
            &[("action", "start_review")][..],
            &[
                ("action", "reject"),
                ("reject_reason", "documents_incomplete"),
                ("reject_message", message.trim()),
            ][..],
        ] {
            let r = officer.submit(&page, &act, fields).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let mut applicant = signed_in(&app, &w.applicant).await;
        let pdf = applicant
            .get_bytes(&format!("/account/cases/{}/decision.pdf", case.id))
            .await;
        assert!(pdf.starts_with(b"%PDF-"));
        if let Some(text) = crate::harness::pdftotext(&pdf) {
            let pages = text.split('\u{c}').filter(|p| !p.trim().is_empty()).count();
            assert!(pages > 1, "{pages} pages: {text}");
            for n in 1..=pages {
                let foot = format!("{reference} · page {n} of {pages}");
                assert!(text.contains(&foot), "{foot} missing: {text}");
            }
            assert_eq!(text.matches("original").count(), 100, "every line printed");
        }
    }
}

#[tokio::test]
async fn an_officer_assigns_and_reprioritises_a_case_from_its_page() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("Nour Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}?lang=en", case.id);
        let assign = format!("/missions/PAR/cases/{}/assign?lang=en", case.id);
        let priority = format!("/missions/PAR/cases/{}/priority?lang=en", case.id);
        let find = || cases::find(&app.db, &case.id);

        let r = officer.submit(&page, &assign, &[("assignee", "me")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            find().await.unwrap().assignee_id,
            Some(w.officer.id.clone())
        );

        // Someone who does not work at the mission cannot be handed the case: the page comes
        // back with the reason, and the case keeps its officer.
        let r = officer
            .submit(&page, &assign, &[("assignee", &w.applicant.id)])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("Choose an officer of this mission."),
            "{}",
            r.body
        );
        assert_eq!(
            find().await.unwrap().assignee_id,
            Some(w.officer.id.clone())
        );

        let r = officer
            .submit(&page, &assign, &[("assignee", "none")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(find().await.unwrap().assignee_id, None);
        // A second click finds the case as asked: nothing written, no second record.
        let r = officer
            .submit(&page, &assign, &[("assignee", "none")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);

        let r = officer
            .submit(&page, &priority, &[("priority", "high")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(find().await.unwrap().priority, Priority::High.rank());

        let r = officer
            .submit(&page, &priority, &[("priority", "whenever")])
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("Choose a value from the list."),
            "{}",
            r.body
        );
        assert_eq!(find().await.unwrap().priority, Priority::High.rank());

        // Once refused, the case is no longer assigned or triaged: the page says so instead of
        // offering the forms, and a form sent from an older copy of the page is refused.
        let act = format!("/missions/PAR/cases/{}/act?lang=en", case.id);
        for fields in [
            &[("action", "start_review")][..],
            &[
                ("action", "reject"),
                ("reject_reason", "documents_incomplete"),
            ][..],
        ] {
            let r = officer.submit(&page, &act, fields).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let shown = officer.get(&page).await;
        assert!(
            shown.body.contains("id=\"case-assign-closed\""),
            "{}",
            shown.body
        );
        assert!(!shown.body.contains("/assign\""), "{}", shown.body);
        let closed = "is no longer assigned or triaged";
        let r = officer.submit(&page, &assign, &[("assignee", "me")]).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains(closed), "{}", r.body);
        let r = officer
            .submit(&page, &priority, &[("priority", "low")])
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains(closed), "{}", r.body);
        let now = find().await.unwrap();
        assert_eq!(
            (now.assignee_id, now.priority),
            (None, Priority::High.rank())
        );

        // Each change that was made is on record, with what it changed; the refusals are not.
        let assigned = app.audit_summaries("case.assign").await;
        assert_eq!(assigned.len(), 2, "{assigned:?}");
        assert_eq!(assigned[0]["to"], w.officer.id.as_str());
        assert_eq!(assigned[1]["from"], w.officer.id.as_str());
        assert!(assigned[1]["to"].is_null(), "{assigned:?}");
        let reprioritised = app.audit_summaries("case.priority").await;
        assert_eq!(reprioritised.len(), 1, "{reprioritised:?}");
        assert_eq!(reprioritised[0]["from"], "normal");
        assert_eq!(reprioritised[0]["to"], "high");
        assert_eq!(
            reprioritised[0]["reference"],
            case.reference.as_deref().unwrap()
        );
    }
}

/// The world, a second consular officer at Paris, and a passport renewal submitted there.
async fn colleague_and_case(app: &TestApp) -> (World, Account, Case) {
    let w = world(app).await;
    let colleague = app
        .staff(
            &unique_email("colleague"),
            &[(Role::ConsularOfficer, Some(&w.paris))],
        )
        .await;
    let case = w
        .application("Nour Haddad", CaseKind::PassportRenewal)
        .submit(app)
        .await;
    (w, colleague, case)
}

#[tokio::test]
async fn a_colleagues_assignment_made_while_the_page_was_open_is_not_overwritten() {
    for app in TestApp::all().await {
        let (w, colleague, case) = colleague_and_case(&app).await;
        let page = format!("/missions/PAR/cases/{}?lang=en", case.id);
        let assign = format!("/missions/PAR/cases/{}/assign?lang=en", case.id);
        let find = || cases::find(&app.db, &case.id);
        let mut officer = signed_in(&app, &w.officer).await;
        let shown = officer.get(&page).await;
        let token = shown.csrf_token().unwrap();
        let seen = value_after(&shown.body, "name=\"seen_assignee\" value=\"").to_owned();
        assert_eq!(seen, "none");

        // The colleague takes the case while the officer's page is open.
        let mut other = signed_in(&app, &colleague).await;
        let r = other.submit(&page, &assign, &[("assignee", "me")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let assigns = app.audit_summaries("case.assign").await.len();

        // The officer's "take it" from the page shown before: refused, the page says so.
        let r = officer
            .post_form_with_token(
                &assign,
                &token,
                &[("assignee", "me"), ("seen_assignee", &seen)],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(
            r.body.contains("Someone else changed who works this case"),
            "{}",
            r.body
        );
        assert!(r.body.contains(&format!(
            "name=\"seen_assignee\" value=\"{}\"",
            colleague.id
        )));
        assert_eq!(
            find().await.unwrap().assignee_id,
            Some(colleague.id.clone())
        );
        assert_eq!(app.audit_summaries("case.assign").await.len(), assigns);

        // Having seen it, the officer may still take it.
        let r = officer.submit(&page, &assign, &[("assignee", "me")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(
            find().await.unwrap().assignee_id,
            Some(w.officer.id.clone())
        );

        // Through the API: the assignee the caller read, or nothing written.
        let desk = crate::api::token(&app, &colleague, &["consular:read", "consular:write"]).await;
        let api = format!("/api/v1/missions/PAR/cases/{}/assign", case.id);
        let res = other
            .api(
                "POST",
                &api,
                &desk,
                Some(json!({"assignee": "me", "seen_assignee": null})),
            )
            .await;
        crate::api::problem(&res, 409, "case_assignee_changed");
        assert_eq!(
            find().await.unwrap().assignee_id,
            Some(w.officer.id.clone())
        );
        let res = other
            .api(
                "POST",
                &api,
                &desk,
                Some(json!({"assignee": "me", "seen_assignee": w.officer.id})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(
            find().await.unwrap().assignee_id,
            Some(colleague.id.clone())
        );
    }
}

#[tokio::test]
async fn a_colleagues_priority_set_while_the_page_was_open_is_not_lowered_unseen() {
    for app in TestApp::all().await {
        let (w, colleague, case) = colleague_and_case(&app).await;
        let page = format!("/missions/PAR/cases/{}?lang=en", case.id);
        let priority = format!("/missions/PAR/cases/{}/priority?lang=en", case.id);
        let find = || cases::find(&app.db, &case.id);
        let mut officer = signed_in(&app, &w.officer).await;
        let shown = officer.get(&page).await;
        let token = shown.csrf_token().unwrap();
        let seen = value_after(&shown.body, "name=\"seen_priority\" value=\"").to_owned();
        assert_eq!(seen, "normal");

        let mut other = signed_in(&app, &colleague).await;
        let r = other
            .submit(&page, &priority, &[("priority", "critical")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let changes = app.audit_summaries("case.priority").await.len();

        let r = officer
            .post_form_with_token(
                &priority,
                &token,
                &[("priority", "low"), ("seen_priority", &seen)],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(
            r.body
                .contains("Someone else changed the priority of this case"),
            "{}",
            r.body
        );
        assert!(r.body.contains("name=\"seen_priority\" value=\"critical\""));
        assert_eq!(find().await.unwrap().priority, Priority::Critical.rank());
        assert_eq!(app.audit_summaries("case.priority").await.len(), changes);

        // Having seen it, the officer may still change it; the record says from what.
        let r = officer
            .submit(&page, &priority, &[("priority", "high")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(find().await.unwrap().priority, Priority::High.rank());
        let last = app.audit_summaries("case.priority").await.pop().unwrap();
        assert_eq!(last["from"], "critical", "{last}");

        // Through the API.
        let desk = crate::api::token(&app, &colleague, &["consular:read", "consular:write"]).await;
        let api = format!("/api/v1/missions/PAR/cases/{}/priority", case.id);
        let res = other
            .api(
                "POST",
                &api,
                &desk,
                Some(json!({"priority": "low", "seen_priority": "critical"})),
            )
            .await;
        crate::api::problem(&res, 409, "case_priority_changed");
        assert_eq!(find().await.unwrap().priority, Priority::High.rank());
        let res = other
            .api(
                "POST",
                &api,
                &desk,
                Some(json!({"priority": "low", "seen_priority": "high"})),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(find().await.unwrap().priority, Priority::Low.rank());
    }
}

#[tokio::test]
async fn an_officer_given_a_case_by_a_colleague_is_mailed() {
    for app in TestApp::all().await {
        let (w, colleague, case) = colleague_and_case(&app).await;
        let reference = case.reference.clone().unwrap();
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}?lang=en", case.id);
        let assign = format!("/missions/PAR/cases/{}/assign?lang=en", case.id);

        // Taking a case oneself mails nobody.
        let r = officer.submit(&page, &assign, &[("assignee", "me")]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(app.emails_to(&w.officer.email).await.is_empty());

        // Handing it to a colleague tells them who did, which case, and where it is.
        let r = officer
            .submit(&page, &assign, &[("assignee", &colleague.id)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mails = app.emails_to(&colleague.email).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0].subject, format!("{reference}: assigned to you"));
        let text = &mails[0].text;
        assert!(text.contains("Test User has assigned the case"), "{text}");
        assert!(text.contains("no message waiting"), "{text}");
        assert!(
            text.contains(&format!("/missions/PAR/cases/{}", case.id)),
            "{text}"
        );
        assert!(!text.contains("Nour"), "{text}");

        // The applicant writes: the colleague, who works it now, is told, not the officer.
        let mut applicant = signed_in(&app, &w.applicant).await;
        let mine = format!("/account/cases/{}", case.id);
        let r = applicant.write_on_case(&mine, "Any news?").await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(app.emails_to(&colleague.email).await.len(), 2);
        assert!(app.emails_to(&w.officer.email).await.is_empty());

        // Back to the pool and given again while the message waits: the mail says so.
        for who in ["none", &colleague.id] {
            let r = officer.submit(&page, &assign, &[("assignee", who)]).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let mails = app.emails_to(&colleague.email).await;
        assert_eq!(mails.len(), 3, "{mails:?}");
        assert!(
            mails[2].text.contains("waits for an answer"),
            "{}",
            mails[2].text
        );
        // A second click finds the case given already: no second mail.
        let r = officer
            .submit(&page, &assign, &[("assignee", &colleague.id)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(app.emails_to(&colleague.email).await.len(), 3);

        // The mission answers; the case goes back to the pool, where the applicant writes
        // again (nobody is mailed); given to the colleague, they are told it waits, and the
        // applicant's next message in that same wait sends them nothing more.
        let r = officer
            .write_on_case(&format!("/missions/PAR/cases/{}", case.id), "We are on it.")
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = officer
            .submit(&page, &assign, &[("assignee", "none")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = applicant.write_on_case(&mine, "Thank you. When?").await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(app.emails_to(&colleague.email).await.len(), 3);
        let r = officer
            .submit(&page, &assign, &[("assignee", &colleague.id)])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mails = app.emails_to(&colleague.email).await;
        assert_eq!(mails.len(), 4, "{mails:?}");
        assert!(
            mails[3].text.contains("waits for an answer"),
            "{}",
            mails[3].text
        );
        let r = applicant.write_on_case(&mine, "Hello?").await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mails = app.emails_to(&colleague.email).await;
        assert_eq!(mails.len(), 4, "{mails:?}");
        assert!(app.emails_to(&w.officer.email).await.is_empty());
    }
}

#[tokio::test]
async fn officers_of_other_missions_are_kept_out() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let dubai_service = service(&app, &w.dubai, "passport", CaseKind::PassportRenewal).await;
        let theirs = Application {
            mission: &w.dubai,
            mission_code: "DXB",
            service: &dubai_service,
            ..w.application("Sara Ali", CaseKind::PassportRenewal)
        }
        .submit(&app)
        .await;
        let ours = w
            .application("Omar Said", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let mut officer = signed_in(&app, &w.officer).await;
        assert_eq!(officer.get("/missions/DXB/cases").await.status, 403);
        assert_eq!(
            officer
                .get(&format!("/missions/DXB/cases/{}", theirs.id))
                .await
                .status,
            403
        );
        // Another mission's case under one's own mission is simply not there.
        let page = format!("/missions/PAR/cases/{}", ours.id);
        assert_eq!(
            officer
                .get(&format!("/missions/PAR/cases/{}", theirs.id))
                .await
                .status,
            404
        );
        let r = officer
            .submit(
                &page,
                &format!("/missions/PAR/cases/{}/act", theirs.id),
                &[("action", "start_review")],
            )
            .await;
        assert_eq!(r.status, 404);
        assert_eq!(state_of(&app, &theirs.id).await, "submitted");

        let press = app
            .staff(
                &unique_email("press"),
                &[(Role::PressOfficer, Some(&w.paris))],
            )
            .await;
        let mut press = signed_in(&app, &press).await;
        assert_eq!(press.get("/missions/PAR/cases").await.status, 403);
        assert_eq!(press.get(&page).await.status, 403);
    }
}

#[tokio::test]
async fn bulk_actions_do_what_is_legal_and_say_why_they_skip() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let fresh = w
            .application("Nour Haddad", CaseKind::Visa)
            .submit(&app)
            .await;
        let reviewed = w
            .application("Rami Khoury", CaseKind::Visa)
            .submit(&app)
            .await;
        store_move(&app, &reviewed.id, CaseAction::StartReview, Actor::Officer).await;
        let dubai_service = service(&app, &w.dubai, "visa", CaseKind::Visa).await;
        let elsewhere = Application {
            mission: &w.dubai,
            mission_code: "DXB",
            service: &dubai_service,
            ..w.application("Lina Aziz", CaseKind::Visa)
        }
        .submit(&app)
        .await;
        let mut officer = signed_in(&app, &w.officer).await;
        let queue = "/missions/PAR/cases?lang=en";
        let bulk = "/missions/PAR/cases/bulk?lang=en";
        // Starting the review of an emergency is acknowledging it: the bulk action says so.
        let page = officer.get(queue).await;
        assert!(
            page.body
                .contains("<option value=\"start_review\">Start review / acknowledge receipt"),
            "{}",
            page.body
        );

        let r = officer
            .submit(
                queue,
                bulk,
                &[
                    ("action", "start_review"),
                    ("case", &fresh.id),
                    ("case", &reviewed.id),
                    ("case", &elsewhere.id),
                ],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("Done: 1. Skipped: 2."), "{}", r.body);
        assert!(
            r.body
                .contains("Skipped: the case is already &#34;In review&#34;."),
            "{}",
            r.body
        );
        assert!(r.body.contains("no such case at this mission"));
        assert_eq!(state_of(&app, &fresh.id).await, "in_review");
        assert_eq!(state_of(&app, &elsewhere.id).await, "submitted");
        // Sent again (a second click): the officer's own move is done, nothing written twice.
        let r = officer
            .submit(
                queue,
                bulk,
                &[("action", "start_review"), ("case", &fresh.id)],
            )
            .await;
        assert!(r.body.contains("Done: 1. Skipped: 0."), "{}", r.body);

        let r = officer
            .submit(
                queue,
                bulk,
                &[
                    ("action", "assign_me"),
                    ("case", &fresh.id),
                    ("case", &reviewed.id),
                ],
            )
            .await;
        assert!(r.body.contains("Done: 2. Skipped: 0."), "{}", r.body);
        for id in [&fresh.id, &reviewed.id] {
            let c = cases::find(&app.db, id).await.unwrap();
            assert_eq!(c.assignee_id.as_deref(), Some(w.officer.id.as_str()));
        }
        // Back to the pool, then again (a second click): already so, done, nothing written.
        let unassign = [
            ("action", "unassign"),
            ("case", fresh.id.as_str()),
            ("case", reviewed.id.as_str()),
        ];
        let r = officer.submit(queue, bulk, &unassign).await;
        assert!(r.body.contains("Done: 2. Skipped: 0."), "{}", r.body);
        let assigns = app.audit_summaries("case.assign").await.len();
        let r = officer.submit(queue, bulk, &unassign).await;
        assert!(r.body.contains("Done: 2. Skipped: 0."), "{}", r.body);
        assert_eq!(app.audit_summaries("case.assign").await.len(), assigns);
        for id in [&fresh.id, &reviewed.id] {
            assert_eq!(cases::find(&app.db, id).await.unwrap().assignee_id, None);
        }
        let r = officer
            .submit(queue, bulk, &[("action", "close"), ("case", &fresh.id)])
            .await;
        assert!(r.body.contains("Done: 0. Skipped: 1."), "{}", r.body);
        assert!(
            r.body.contains("not possible while the case is"),
            "{}",
            r.body
        );

        let r = officer
            .submit(queue, bulk, &[("action", "explode"), ("case", &fresh.id)])
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Choose an action."));
        let r = officer.submit(queue, bulk, &[("action", "close")]).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Tick at least one case."));

        let actions = app.audit_actions().await;
        assert_eq!(
            actions.iter().filter(|a| *a == "case.start_review").count(),
            1
        );
        // Two to the officer, two back to the pool; the second click wrote nothing.
        assert_eq!(actions.iter().filter(|a| *a == "case.assign").count(), 4);
    }
}

/// The decision letter is dated on the mission's calendar, not UTC's: a refusal in the
/// morning at a mission fourteen hours ahead is not dated the day before.
#[tokio::test]
async fn the_decision_letter_is_dated_on_the_missions_calendar() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let (zone, local) = crate::harness::zone_on_another_day();
        safir_store::with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE missions SET time_zone = $2 WHERE id = $1")
                .bind(&w.paris)
                .bind(zone)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let (mut officer, case, page, act) = under_review(&app, &w).await;
        let fields = [
            ("action", "reject"),
            ("reject_reason", "documents_incomplete"),
            ("reject_message", ""),
        ];
        let r = officer.submit(&page, &act, &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let utc_today = chrono::Utc::now().date_naive();
        let mut applicant = signed_in(&app, &w.applicant).await;
        let pdf = applicant
            .get_bytes(&format!("/account/cases/{}/decision.pdf", case.id))
            .await;
        if let Some(text) = crate::harness::pdftotext(&pdf) {
            assert!(text.contains(&local.to_string()), "{local}: {text}");
            assert!(!text.contains(&utc_today.to_string()), "{text}");
        }
    }
}

/// A request for information pasted with a trailing direction mark and sent twice (a double
/// click) is recognised as the one just sent, not as a change made meanwhile.
#[tokio::test]
async fn a_request_sent_twice_with_a_direction_mark_is_one_request() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let (mut officer, case, page, act) = under_review(&app, &w).await;
        let fields = [
            ("action", "request_info"),
            ("request", "يرجى إرسال كشف الحساب المصرفي.\u{200F}"),
            ("expected_state", "in_review"),
        ];
        for _ in 0..2 {
            let r = officer.submit(&page, &act, &fields).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        assert_eq!(state_of(&app, &case.id).await, "needs_info");
        // The applicant never answers: the officer can refuse, from the same decision form.
        let shown = officer.get(&page).await;
        assert!(
            shown.body.contains("id=\"action-reject\""),
            "{}",
            shown.body
        );
        let r = officer
            .submit(
                &page,
                &act,
                &[
                    ("action", "reject"),
                    ("reject_reason", "documents_incomplete"),
                    ("reject_message", ""),
                    ("expected_state", "needs_info"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "rejected");
    }
}

/// A case back in the state an officer's page showed (information asked for, then answered:
/// in review again, with what the applicant sent since) is not decided from that page: the
/// case comes back as it now is, with what the officer typed. The same through the API, for a
/// caller that names the last move it read.
#[tokio::test]
async fn a_decision_from_a_page_older_than_the_cases_last_moves_is_refused() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("Nour Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let mut officer = signed_in(&app, &w.officer).await;
        let page = format!("/missions/PAR/cases/{}?lang=en", case.id);
        let act = format!("/missions/PAR/cases/{}/act?lang=en", case.id);
        let r = officer
            .submit(&page, &act, &[("action", "start_review")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let shown = officer.get(&page).await;
        let token = shown.csrf_token().unwrap();
        let marker = "name=\"expected_version\" value=\"";
        let version = value_after(&shown.body, marker).to_owned();

        // While the page is open, a colleague asks for information and the applicant answers.
        store_move(&app, &case.id, CaseAction::RequestInfo, Actor::Officer).await;
        store_move(&app, &case.id, CaseAction::ProvideInfo, Actor::Applicant).await;
        assert_eq!(state_of(&app, &case.id).await, "in_review");
        let refusals = app.audit_summaries("case.reject").await.len();

        let why = "The photo sent is more than six months old.";
        let decision = |version: &str| {
            [
                ("action", "reject"),
                ("reject_reason", "other"),
                ("reject_message", why),
                ("expected_state", "in_review"),
                ("expected_version", version),
            ]
            .map(|(k, v)| (k, v.to_owned()))
        };
        let fields = decision(&version);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = officer.post_form_with_token(&act, &token, &fields).await;
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(
            r.body.contains("Someone else changed this case meanwhile"),
            "{}",
            r.body
        );
        assert!(r.body.contains(why), "the message was lost: {}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "in_review");
        assert_eq!(app.audit_summaries("case.reject").await.len(), refusals);

        // From the page as it now is, the decision goes through.
        let fresh = value_after(&r.body, marker).to_owned();
        assert_ne!(fresh, version);
        let fields = decision(&fresh);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = officer.submit(&page, &act, &fields).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(state_of(&app, &case.id).await, "rejected");

        // Through the API: the last move the caller read, or nothing done.
        let other = w
            .application("Sami Aziz", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        store_move(&app, &other.id, CaseAction::StartReview, Actor::Officer).await;
        let desk = crate::api::token(&app, &w.officer, &["consular:read", "consular:write"]).await;
        let path = format!("/api/v1/missions/PAR/cases/{}", other.id);
        let read = officer.api("GET", &path, &desk, None).await;
        assert_eq!(read.status, 200, "{}", read.body);
        let last_at = |v: &serde_json::Value| {
            let timeline = v["timeline"].as_array().unwrap();
            timeline.last().unwrap()["at"].clone()
        };
        let seen = last_at(&read.json());
        store_move(&app, &other.id, CaseAction::RequestInfo, Actor::Officer).await;
        store_move(&app, &other.id, CaseAction::ProvideInfo, Actor::Applicant).await;
        let actions = format!("{path}/actions");
        let body = |seen: serde_json::Value| json!({"action": "reject", "reason": "documents_incomplete", "seen_last_event_at": seen});
        let res = officer.api("POST", &actions, &desk, Some(body(seen))).await;
        crate::api::problem(&res, 409, "conflict");
        assert_eq!(state_of(&app, &other.id).await, "in_review");
        let read = officer.api("GET", &path, &desk, None).await;
        let res = officer
            .api("POST", &actions, &desk, Some(body(last_at(&read.json()))))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(state_of(&app, &other.id).await, "rejected");
    }
}

/// Approve or Refuse clicked twice: the second sending finds the decision made, as the first
/// did, and nothing is written twice; a second sending with another message is still told the
/// case moved, its message kept.
#[tokio::test]
async fn a_decision_sent_twice_is_one_decision() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let mut officer = signed_in(&app, &w.officer).await;
        for (decision, fields) in [
            (
                "approved",
                vec![
                    ("action", "approve"),
                    ("approve_message", "Your new passport is ready.\u{200F}"),
                    ("expected_state", "in_review"),
                ],
            ),
            (
                "rejected",
                vec![
                    ("action", "reject"),
                    ("reject_reason", "other"),
                    ("reject_message", "Your sponsor withdrew."),
                    ("expected_state", "in_review"),
                ],
            ),
        ] {
            let case = w
                .application("Nour Haddad", CaseKind::PassportRenewal)
                .submit(&app)
                .await;
            store_move(&app, &case.id, CaseAction::StartReview, Actor::Officer).await;
            let page = format!("/missions/PAR/cases/{}?lang=en", case.id);
            let act = format!("/missions/PAR/cases/{}/act?lang=en", case.id);
            let shown = officer.get(&page).await;
            let token = shown.csrf_token().unwrap();
            let version = value_after(&shown.body, "name=\"expected_version\" value=\"").to_owned();
            let mut fields = fields.clone();
            fields.push(("expected_version", &version));
            for _ in 0..2 {
                let r = officer.post_form_with_token(&act, &token, &fields).await;
                assert_eq!(r.status, 303, "{decision}: {}", r.body);
                let done = format!("/missions/PAR/cases/{}?done=1", case.id);
                assert_eq!(r.location(), Some(done.as_str()));
            }
            assert_eq!(state_of(&app, &case.id).await, decision);
            let events = cases::events(&app.db, &case.id).await.unwrap();
            assert_eq!(events.iter().filter(|e| e.to_state == decision).count(), 1);
            let messages = cases::list_messages(&app.db, &case.id, true).await.unwrap();
            assert_eq!(messages.len(), 1, "{decision}: {messages:?}");

            // Another message from the same old page is not the same decision.
            let other = "Please also collect your old passport.";
            let mut changed = fields.clone();
            for f in changed.iter_mut() {
                if f.0.ends_with("_message") {
                    f.1 = other;
                }
            }
            let r = officer.post_form_with_token(&act, &token, &changed).await;
            assert_eq!(r.status, 409, "{decision}: {}", r.body);
            assert!(r.body.contains(other), "the message was lost: {}", r.body);
            let messages = cases::list_messages(&app.db, &case.id, true).await.unwrap();
            assert_eq!(messages.len(), 1, "{decision}: {messages:?}");
        }
    }
}
