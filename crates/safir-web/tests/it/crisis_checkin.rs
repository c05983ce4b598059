//! Safety check-ins over HTTP on both backends: the personal link (a tampered token is not
//! found), the three answers with a note and a location, an older link answering the current
//! check-in, "need help" opening exactly one emergency case (later answers reaching it as the
//! person's messages, the mission's reaching someone without an account as they registered to
//! be reached), SMS replies through the gateway
//! (SAFE / HELP / STOP / UNSUBSCRIBE / YES, and a wrong secret refused; a number registered
//! for several people naming whom it answers for), and reminders.

use safir_domain::consular::case::CaseKind;
use safir_domain::crisis::checkin::sign_token;
use safir_store::crisis::checkins;
use safir_store::name_key::name_key;
use safir_store::testing::TestDb;
use safir_store::{Db, now, with_pool};
use safir_web::app;
use safir_web::state::{AppState, CrisisConfig, WebConfig};

use crate::consular_applicant::service;
use crate::harness::{Client, ORIGIN, TestApp};

pub const SMS_SECRET: &str = "gateway-shared-secret-0123";

/// The app with the SMS gateway's shared secret configured.
pub async fn app_with_secret(test_db: TestDb) -> TestApp {
    let db = test_db.db.clone();
    let config = WebConfig {
        public_url: ORIGIN.to_owned(),
        crisis: CrisisConfig {
            sms_inbound_secret: SMS_SECRET.to_owned(),
            ..CrisisConfig::default()
        },
        ..WebConfig::default()
    };
    let state = AppState::new(db.clone(), config).await.expect("app state");
    let (router, routes) = app::build(state.clone());
    TestApp {
        router,
        routes,
        state,
        db,
        test_db,
    }
}

pub async fn all_apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for t in TestDb::all().await {
        out.push(app_with_secret(t).await);
    }
    out
}

pub async fn exec(db: &Db, sql: &str, args: &[&str]) {
    with_pool!(db.write(), p => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
        for a in args {
            q = q.bind(a.to_string());
        }
        if sql.contains(&format!("${}", args.len() + 1)) {
            q = q.bind(now());
        }
        q.execute(p).await.map(|_| ())
    })
    .unwrap();
}

pub async fn scalar(db: &Db, sql: &str, arg: &str) -> i64 {
    with_pool!(db.read(), p => {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned())).bind(arg.to_owned()).fetch_one(p).await
    })
    .unwrap()
}

/// A crisis in France (`cr1`) of the given mission, with alerts `al1` and `al2`.
pub async fn crisis(app: &TestApp, mission_id: &str) -> String {
    exec(
        &app.db,
        "INSERT INTO crises (id, mission_id, title_ar, title_en, country, area, status, presence_open, reminder_minutes, declared_at) \
         VALUES ('cr1', $1, 'فيضانات الجنوب', 'Southern floods', 'FR', '{}', 'open', TRUE, 120, $2)",
        &[mission_id],
    )
    .await;
    for a in ["al1", "al2"] {
        alert(app, mission_id, a).await;
    }
    "cr1".into()
}

/// One more alert of crisis `cr1`, being sent.
pub async fn alert(app: &TestApp, mission_id: &str, id: &str) {
    exec(
        &app.db,
        "INSERT INTO crisis_alerts (id, identifier, crisis_id, mission_id, msg_type, status, headline_ar, headline_en, \
         description_ar, description_en, instruction_ar, instruction_en, category, event, response_type, urgency, severity, \
         certainty, target, area_desc, audience, source, created_at, updated_at) \
         VALUES ($1, $1, 'cr1', $2, 'Alert', 'sending', 'فيضان', 'Flood warning', '', '', '', '', 'Met', 'Flood', 'Shelter', \
         'Immediate', 'Severe', 'Observed', '{}', '', '{}', '', $3, $3)",
        &[id, mission_id],
    )
    .await;
}

/// Mission PAR, offering emergency assistance, and its crisis `cr1`; returns the mission's id.
pub async fn emergency_crisis(app: &TestApp) -> String {
    let mission = app.mission("PAR", "FR").await;
    service(app, &mission, CaseKind::Emergency).await;
    crisis(app, &mission).await;
    mission
}

/// A verified presence registration with one place in `region`.
#[derive(Clone, Copy)]
pub struct Person<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub lang: &'a str,
    pub region: &'a str,
    pub children: i32,
    pub elderly: bool,
    pub medical: bool,
}

impl<'a> Person<'a> {
    pub fn new(id: &'a str, name: &'a str, phone: &'a str) -> Self {
        Person {
            id,
            name,
            phone,
            lang: "en",
            region: "Occitanie",
            children: 0,
            elderly: false,
            medical: false,
        }
    }
}

pub async fn person(app: &TestApp, p: Person<'_>) {
    exec(
        &app.db,
        &format!(
            "INSERT INTO crisis_registrations (id, user_id, kind, crisis_id, full_name, email, phone, lang, channels, companions, \
             adults, children, elderly, medical, vulnerability_note, emergency_name, emergency_phone, emergency_email, verified_at, \
             consent_at, created_at, updated_at, full_name_key) \
             VALUES ($1, NULL, 'presence', 'cr1', $2, $1 || '@example.org', $3, $4, 'email,sms', '[]', 1, {}, {}, {}, '', '', '', '', \
             $6, $6, $6, $6, $5)",
            p.children, p.elderly, p.medical
        ),
        &[p.id, p.name, p.phone, p.lang, &name_key(p.name)],
    )
    .await;
    exec(
        &app.db,
        "INSERT INTO crisis_places (id, registration_id, country, region, city) VALUES ($1 || '-p', $1, 'FR', $2, '')",
        &[p.id, p.region],
    )
    .await;
}

/// Makes the alert's check-ins for these registrations; returns each one's link token.
pub async fn send_alert(app: &TestApp, alert: &str, ids: &[&str]) -> Vec<String> {
    let regs: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    let mut tx = app.db.begin().await.unwrap();
    checkins::create_batch(&mut tx, alert, Some("cr1"), &regs)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tokens = Vec::new();
    for id in ids {
        let c = checkins::for_delivery(&app.db, alert, id)
            .await
            .unwrap()
            .unwrap();
        tokens.push(sign_token(&app.state.checkin_key, &c.id));
    }
    tokens
}

async fn current(app: &TestApp, alert: &str, reg: &str) -> checkins::Checkin {
    checkins::for_delivery(&app.db, alert, reg)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_tampered_or_foreign_token_is_not_found() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(
            &app,
            Person {
                lang: "ar",
                ..Person::new("r1", "ليلى حداد", "+33600000001")
            },
        )
        .await;
        let tokens = send_alert(&app, "al1", &["r1"]).await;
        let mut client = app.client();
        let page = client.get(&format!("/crisis/checkin/{}", tokens[0])).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("ليلى حداد"));
        // Opened with no session, it names the person: no cache keeps it.
        assert_eq!(page.headers["cache-control"], "private, no-store");
        assert!(
            page.body.contains("lang=\"ar\""),
            "in the person's language"
        );
        assert!(page.body.contains("فيضانات الجنوب"));
        assert!(page.body.contains("name=\"answer\" value=\"need_help\""));
        // Whoever holds the link may switch the page to the other language; the choice
        // holds on this device (the switcher's cookie), not for the person's messages.
        let mut reader = app.client();
        let switched = reader
            .get(&format!("/crisis/checkin/{}?lang=en", tokens[0]))
            .await;
        assert!(switched.body.contains("lang=\"en\""), "{}", switched.body);
        let again = reader.get(&format!("/crisis/checkin/{}", tokens[0])).await;
        assert!(again.body.contains("lang=\"en\""), "{}", again.body);
        let unsent = reader
            .post_form_with_token(
                &format!("/crisis/checkin/{}", tokens[0]),
                &again.csrf_token().unwrap(),
                &[("answer", "")],
            )
            .await;
        assert!(unsent.body.contains("lang=\"en\""), "{}", unsent.body);
        assert!(unsent.body.contains("Choose one of the three answers."));

        let mut tampered = tokens[0].clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        for bad in [
            tampered.as_str(),
            "nonsense",
            &sign_token(b"some other key, thirty-two bytes", "r1"),
        ] {
            let res = client.get(&format!("/crisis/checkin/{bad}")).await;
            assert_eq!(res.status, 404, "{bad}");
        }
        let token = page.csrf_token().unwrap();
        let res = client
            .post_form_with_token(
                &format!("/crisis/checkin/{tampered}"),
                &token,
                &[("answer", "safe")],
            )
            .await;
        assert_eq!(res.status, 404);
        assert_eq!(current(&app, "al1", "r1").await.status, "waiting");
    }
}

#[tokio::test]
async fn each_answer_is_recorded_and_a_bad_form_keeps_what_was_typed() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        let tokens = send_alert(&app, "al1", &["r1"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let mut client = app.client();

        let res = client
            .submit(
                &path,
                &path,
                &[("answer", "safe"), ("note", "at the hotel")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), Some(format!("{path}?answered=1").as_str()));
        let c = current(&app, "al1", "r1").await;
        assert_eq!(
            (c.status.as_str(), c.note.as_str()),
            ("safe", "at the hotel")
        );
        let thanks = client.get(&format!("{path}?answered=1")).await;
        assert!(thanks.body.contains("Your answer has been recorded"));

        let res = client
            .submit(
                &path,
                &path,
                &[
                    ("answer", "not_in_area"),
                    ("note", "left yesterday"),
                    ("lat", "43.6045"),
                    ("lon", "1.4440"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        let c = current(&app, "al1", "r1").await;
        assert_eq!(c.status, "not_in_area");
        assert_eq!((c.lat, c.lon), (Some(43.6045), Some(1.444)));

        // A location out of range or no answer: 422, the note kept, nothing changed.
        let res = client
            .submit(
                &path,
                &path,
                &[
                    ("answer", "safe"),
                    ("note", "typed text"),
                    ("lat", "123"),
                    ("lon", "1"),
                ],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("typed text"));
        assert!(res.body.contains("not a valid position"));
        let res = client.submit(&path, &path, &[("note", "no choice")]).await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("no choice"));
        assert_eq!(current(&app, "al1", "r1").await.status, "not_in_area");

        // The link is the credential: an answer without a valid form token (a page left open
        // while the session cookie expired) is taken ...
        let res = client
            .post_form_with_token(&path, "stale", &[("answer", "safe")])
            .await;
        assert!(res.status.as_u16() < 400, "status {}", res.status);
        assert_eq!(current(&app, "al1", "r1").await.status, "safe");
        // ... but a cross-site form post (a page elsewhere that learnt the link) is refused.
        let req = axum::http::Request::builder()
            .method("POST")
            .uri(&path)
            .header("origin", "https://elsewhere.example")
            .header("sec-fetch-site", "cross-site")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from("answer=need_help"))
            .unwrap();
        assert_eq!(client.send(req).await.status, 403);
        assert_eq!(current(&app, "al1", "r1").await.status, "safe");
    }
}

#[tokio::test]
async fn an_older_link_answers_the_current_check_in() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        let old = send_alert(&app, "al1", &["r1"]).await;
        send_alert(&app, "al2", &["r1"]).await;
        assert_eq!(current(&app, "al1", "r1").await.status, "superseded");

        let path = format!("/crisis/checkin/{}", old[0]);
        let mut client = app.client();
        let res = client.submit(&path, &path, &[("answer", "safe")]).await;
        assert_eq!(res.status, 303);
        assert_eq!(current(&app, "al1", "r1").await.status, "superseded");
        assert_eq!(current(&app, "al2", "r1").await.status, "safe");
        // A mistake sent from that link shows the page as it was: the current answer above.
        let res = client
            .submit(
                &path,
                &path,
                &[("answer", "need_help"), ("lat", "999"), ("lon", "1")],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(
            res.body.contains(r#"class="checkin-current""#),
            "{}",
            res.body
        );
        assert_eq!(current(&app, "al2", "r1").await.status, "safe");
    }
}

/// A placeholder address is Safir's alone: sign-up refuses it, and an account that holds one
/// with a password (made before it was refused) is never handed the person's case.
#[tokio::test]
async fn an_account_holding_a_placeholder_address_never_gets_the_case() {
    for app in all_apps().await {
        emergency_crisis(&app).await;
        let squatted = "presence-r9@crisis.invalid";
        let mut c = app.client();
        c.lang = Some("en");
        let res = c
            .submit(
                "/sign-up",
                "/sign-up",
                &[
                    ("display_name", "Someone"),
                    ("email", squatted),
                    ("password", "correct horse battery staple"),
                    ("password_confirm", "correct horse battery staple"),
                    ("lang", "en"),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(
            res.body.contains("id=\"field-email-error\""),
            "{}",
            res.body
        );
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM users WHERE email = $1",
                squatted
            )
            .await,
            0
        );

        // Made before sign-up refused it.
        let mut tx = app.db.begin().await.unwrap();
        let squatter = safir_store::accounts::create_user(
            &mut tx,
            &safir_store::accounts::NewUser {
                email: &safir_domain::accounts::Email::undeliverable(squatted).unwrap(),
                display_name: &safir_domain::accounts::DisplayName::parse("Someone").unwrap(),
                password_hash: "$argon2id$v=19$not-a-placeholder",
                kind: safir_domain::accounts::AccountKind::Public,
                lang: safir_domain::Lang::En,
                email_verified: false,
                request_key: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        person(&app, Person::new("r9", "Layla Haddad", "+33600000009")).await;
        let tokens = send_alert(&app, "al1", &["r9"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let res = app
            .client()
            .submit(&path, &path, &[("answer", "need_help"), ("note", "hurt")])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let case_id = current(&app, "al1", "r9").await.case_id.expect("a case");
        let case = safir_store::consular::cases::find(&app.db, &case_id)
            .await
            .unwrap();
        assert_ne!(
            case.applicant_id,
            squatter.as_str(),
            "the squatter got the case"
        );
        let holder = safir_store::accounts::find_user(&app.db, &case.applicant_id)
            .await
            .unwrap();
        assert_eq!(holder.email, "presence-r9.1@crisis.invalid");
    }
}

#[tokio::test]
async fn need_help_opens_one_emergency_case_with_the_location() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        exec(
            &app.db,
            "UPDATE missions SET phone = '+33 1 99 00 12 34', time_zone = 'Europe/Paris' WHERE id = $1",
            &[&mission],
        )
        .await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        let tokens = send_alert(&app, "al1", &["r1"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let mut client = app.client();
        // Before answering, nothing says help is coming.
        assert!(!client.get(&path).await.body.contains("checkin-help"));
        for _ in 0..2 {
            let res = client
                .submit(
                    &path,
                    &path,
                    &[
                        ("answer", "need_help"),
                        ("note", "trapped on the roof"),
                        ("lat", "43.6"),
                        ("lon", "1.44"),
                    ],
                )
                .await;
            assert_eq!(res.status, 303, "{}", res.body);
        }
        let c = current(&app, "al1", "r1").await;
        assert_eq!(c.status, "need_help");
        // The time of the answer is on the clock of the mission, whose area the person is most
        // likely in, and says which.
        let paris = c
            .answered_at
            .unwrap()
            .with_timezone(&chrono_tz::Europe::Paris)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let answered = client.get(&format!("{path}?lang=en")).await.body;
        assert!(
            answered.contains(&format!(
                r#"<span class="checkin-time when" dir="ltr">{paris} Europe/Paris</span>)"#
            )),
            "{answered}"
        );
        // The page says the team was alerted, that a life in danger is for the local emergency
        // services first, and gives the mission's telephone to dial.
        let answered = client.get(&format!("{path}?lang=en")).await.body;
        assert!(
            answered.contains("consular team has been alerted")
                && answered.contains("call the local emergency services first")
                && answered
                    .contains(r#"<a href="tel:+33199001234" dir="ltr">+33 1 99 00 12 34</a>"#),
            "{answered}"
        );
        let case_id = c.case_id.expect("a case is linked");
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM cases WHERE kind = $1",
                "emergency"
            )
            .await,
            1,
            "a second need help opens no second case"
        );
        let case = safir_store::consular::cases::find(&app.db, &case_id)
            .await
            .unwrap();
        assert_eq!(case.state, "submitted");
        assert_eq!(case.mission_id, mission);
        let form = case.form();
        assert_eq!(form.get("latitude").map(String::as_str), Some("43.6"));
        // Said in the person's language (English here), their own words after it.
        assert_eq!(
            form["description"],
            "Safety check-in: needs help. trapped on the roof"
        );
        assert_eq!(form.get("phone").map(String::as_str), Some("+33600000001"));
        // Answered again with more to say, twice (a form sent twice): the officer working the
        // case reads it once, as a message from the person; the same words as the description
        // (the two answers above) added nothing.
        for _ in 0..2 {
            answer_with_note(&mut client, &path, "need_help", "the water is rising").await;
        }
        assert_eq!(
            said_by_person(&app, &case_id).await,
            ["Safety check-in: needs help. the water is rising"]
        );
        // The presence registration's placeholder account holds the case, made once.
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM users WHERE email = $1",
                "presence-r1@crisis.invalid"
            )
            .await,
            1
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.checkin_help".to_owned())
        );
        // The escalation of an unacknowledged emergency is scheduled.
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM jobs WHERE kind = $1",
                "consular.emergency_escalation"
            )
            .await,
            1
        );
    }
}

/// Bodies of the `sms.send` jobs to `to`, oldest first.
async fn sms_to(app: &TestApp, to: &str) -> Vec<String> {
    let rows: Vec<String> = with_pool!(app.db.read(), p => {
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'sms.send' ORDER BY created_at, id")
            .fetch_all(p)
            .await
    })
    .unwrap();
    rows.iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(r).unwrap())
        .filter(|v| v["to"] == to)
        .map(|v| v["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The person's side of their case, oldest first.
async fn said_by_person(app: &TestApp, case_id: &str) -> Vec<String> {
    safir_store::consular::cases::list_messages(&app.db, case_id, true)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| !m.from_staff)
        .map(|m| m.body)
        .collect()
}

/// Answers the check-in at `path` with a note, as the page's form does.
async fn answer_with_note(client: &mut Client<'_>, path: &str, answer: &str, note: &str) {
    let res = client
        .submit(path, path, &[("answer", answer), ("note", note)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

#[tokio::test]
async fn a_later_alerts_answers_reach_the_open_case_and_a_finished_one_gives_way_to_a_new_one() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        alert(&app, &mission, "al3").await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        let first = send_alert(&app, "al1", &["r1"]).await;
        let path = format!("/crisis/checkin/{}", first[0]);
        let mut client = app.client();
        answer_with_note(&mut client, &path, "need_help", "trapped on the roof").await;
        let case_id = current(&app, "al1", "r1").await.case_id.expect("a case");

        // A second alert: her new check-in holds the case still open, on the board and for her
        // answers, which reach it as her messages.
        let second = send_alert(&app, "al2", &["r1"]).await;
        assert_eq!(
            current(&app, "al2", "r1").await.case_id.as_deref(),
            Some(case_id.as_str())
        );
        let path = format!("/crisis/checkin/{}", second[0]);
        answer_with_note(&mut client, &path, "safe", "rescued by the neighbours").await;
        answer_with_note(&mut client, &path, "need_help", "my son is hurt").await;
        assert_eq!(
            said_by_person(&app, &case_id).await,
            [
                "Safety check-in: safe. rescued by the neighbours",
                "Safety check-in: needs help. my son is hurt"
            ]
        );
        let emergencies = || {
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM cases WHERE kind = $1",
                "emergency",
            )
        };
        assert_eq!(emergencies().await, 1, "one emergency, one case");
        // Her page shows it once, though two of her check-ins hold it.
        let page = client.get(&format!("{path}?lang=en")).await.body;
        assert_eq!(page.matches("Your request for help").count(), 1, "{page}");

        // The mission closes the case; a third alert's "need help" is a new emergency, with a
        // case of its own that the officers read, and her page shows both.
        exec(
            &app.db,
            "UPDATE cases SET state = 'closed' WHERE id = $1",
            &[&case_id],
        )
        .await;
        let third = send_alert(&app, "al3", &["r1"]).await;
        let path = format!("/crisis/checkin/{}", third[0]);
        // Her page no longer tells her to answer the closed case, but how to ask again.
        let page = client.get(&format!("{path}?lang=en")).await.body;
        assert!(
            page.contains("This request is finished") && !page.contains("To answer the mission"),
            "{page}"
        );
        for _ in 0..2 {
            answer_with_note(&mut client, &path, "need_help", "water again").await;
        }
        assert_eq!(
            emergencies().await,
            2,
            "{}",
            "a second answer opens no third case"
        );
        let new_case = current(&app, "al3", "r1").await.case_id.expect("a case");
        assert_ne!(new_case, case_id);
        let case = safir_store::consular::cases::find(&app.db, &new_case)
            .await
            .unwrap();
        assert_eq!(case.state, "submitted");
        assert_eq!(
            case.form()["description"],
            "Safety check-in: needs help. water again"
        );
        let page = client.get(&format!("{path}?lang=en")).await.body;
        assert_eq!(page.matches("Your request for help").count(), 2, "{page}");
        assert!(
            page.matches("To answer the mission").count() == 1
                && !page.contains("This request is finished"),
            "the new case takes her answers, the closed one is only shown: {page}"
        );

        // Both cases closed and purged (their time kept has passed): her later answer is
        // still taken, on the board; no case takes it.
        for id in [&case_id, &new_case] {
            exec(
                &app.db,
                "UPDATE cases SET state = 'closed' WHERE id = $1",
                &[id],
            )
            .await;
            let mut tx = app.db.begin().await.unwrap();
            assert!(
                safir_store::consular::cases::delete_closed(&mut tx, id)
                    .await
                    .unwrap()
            );
            tx.commit().await.unwrap();
        }
        answer_with_note(&mut client, &path, "safe", "home again").await;
        assert_eq!(current(&app, "al3", "r1").await.status, "safe");
    }
}

#[tokio::test]
async fn the_mission_reaches_someone_without_an_account_and_their_answers_reach_the_case() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        exec(
            &app.db,
            "UPDATE missions SET time_zone = 'Europe/Paris' WHERE id = $1",
            &[&mission],
        )
        .await;
        // Layla is reached by email and SMS; Omar gave no email.
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Omar Nasser", "+33600000002")).await;
        exec(
            &app.db,
            "UPDATE crisis_registrations SET email = NULL, channels = 'sms' WHERE id = $1",
            &["r2"],
        )
        .await;
        // Nadia registered with her account.
        person(&app, Person::new("r3", "Nadia Saleh", "+33600000003")).await;
        let nadia = app.public_user("nadia@example.org").await;
        exec(
            &app.db,
            "UPDATE crisis_registrations SET user_id = $1 WHERE id = 'r3'",
            &[&nadia.id],
        )
        .await;
        let tokens = send_alert(&app, "al1", &["r1", "r2", "r3"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let mut layla = app.client();
        answer_with_note(&mut layla, &path, "need_help", "trapped on the roof").await;
        let case_id = current(&app, "al1", "r1").await.case_id.unwrap();
        let reference = safir_store::consular::cases::find(&app.db, &case_id)
            .await
            .unwrap()
            .display_reference();

        // Her page shows the case, what she said, and how to answer, the note left empty for
        // her next words (sent again, her words would reach the case as new ones).
        let page = layla.get(&format!("{path}?lang=en")).await.body;
        assert!(
            page.contains("Safety check-in: needs help. trapped on the roof</p>")
                && page.contains(r#"dir="auto"></textarea>"#)
                && page.contains(
                    "Times on this page are on the mission&#39;s clock: <bdi>Europe/Paris</bdi>"
                ),
            "{page}"
        );
        assert!(
            page.contains(&format!(
                r#"Your request for help <span dir="ltr" class="when">{reference}</span>"#
            )) && page.contains("Where it stands: <strong>Submitted</strong>")
                && page.contains("To answer the mission, write in the note below"),
            "{page}"
        );

        // The officer asks for information: it reaches her address and her phone with her
        // check-in page, never the placeholder account that holds the case.
        let account = app
            .staff(
                &crate::harness::unique_email("duty"),
                &[(safir_domain::roles::Role::ConsularOfficer, Some(&mission))],
            )
            .await;
        let mut officer = app.client();
        officer.sign_in(&account).await;
        let case_page = format!("/missions/PAR/cases/{case_id}");
        let act = format!("{case_page}/act");
        // The officer's page says she has no account and where the mission's word reaches her.
        let shown = officer.get(&format!("{case_page}?lang=en")).await.body;
        let reached = shown
            .split(r#"id="case-reached""#)
            .nth(1)
            .and_then(|s| s.split("</div>").next())
            .unwrap_or_else(|| panic!("no reach on the officer's page: {shown}"));
        assert!(
            reached.contains("through their crisis registration")
                && reached.contains(r#"<span dir="ltr">r1@<wbr>example<wbr>.org</span>"#)
                && reached.contains(r#"<a href="tel:+33600000001" dir="ltr">+33600000001</a>"#),
            "{reached}"
        );
        for form in [
            &[("action", "start_review")][..],
            &[
                ("action", "request_info"),
                ("request", "Which floor are you on?"),
            ][..],
        ] {
            let r = officer.submit(&case_page, &act, form).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            safir_store::consular::cases::assign(
                &mut tx,
                &case_id,
                &mission,
                None,
                Some(&account.id)
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        let link = format!("{ORIGIN}{path}");
        let mails = app.emails_to("r1@example.org").await;
        let asked = mails
            .iter()
            .find(|m| m.text.contains("Which floor are you on?"))
            .expect("the request reaches her address");
        assert!(asked.text.contains(&link), "{}", asked.text);
        assert!(!asked.text.contains("/account/cases/"), "{}", asked.text);
        assert!(app.emails_to("presence-r1@crisis.invalid").await.is_empty());
        let texts = sms_to(&app, "+33600000001").await;
        assert!(
            texts.iter().any(|t| t.contains("Which floor are you on?")
                && t.contains(&reference)
                && t.contains(&link)
                && !t.contains('\n')),
            "{texts:?}"
        );

        // Her page shows the question; her answer with a note goes back to the officers.
        let page = layla.get(&format!("{path}?lang=en")).await.body;
        assert!(
            page.contains(r#"<li class="message message-from-mission">"#)
                && page
                    .contains(r#"<p class="message-body" dir="auto">Which floor are you on?</p>"#)
                && page.contains("Where it stands: <strong>Information requested</strong>"),
            "{page}"
        );
        answer_with_note(&mut layla, &path, "need_help", "third floor").await;
        let case = safir_store::consular::cases::find(&app.db, &case_id)
            .await
            .unwrap();
        assert_eq!(
            case.state, "in_review",
            "her answer is the information asked"
        );
        assert_eq!(
            said_by_person(&app, &case_id).await,
            ["Safety check-in: needs help. third floor"]
        );
        // The officer the case is assigned to is told she answered.
        let told = app.emails_to(&account.email).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert!(told[0].subject.contains(&reference), "{}", told[0].subject);

        // A message from the mission reaches her too; that she is safe now reaches the case.
        let r = officer
            .write_on_case(&case_page, "A team is on its way.")
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        // The officer is told where it went: her address and her phone.
        let back = r.location().unwrap().to_owned();
        assert!(back.ends_with("?done=message-both"), "{back}");
        let shown = officer.get(&format!("{back}&lang=en")).await.body;
        assert!(
            shown.contains("The applicant was emailed and sent it by text message."),
            "{shown}"
        );
        assert!(
            app.emails_to("r1@example.org")
                .await
                .iter()
                .any(|m| m.text.contains("A team is on its way.") && m.text.contains(&link))
        );
        assert!(
            sms_to(&app, "+33600000001")
                .await
                .iter()
                .any(|t| t.contains("A team is on its way."))
        );
        for _ in 0..2 {
            answer_with_note(&mut layla, &path, "safe", "we reached the hotel").await;
        }
        assert_eq!(
            said_by_person(&app, &case_id).await,
            [
                "Safety check-in: needs help. third floor",
                "Safety check-in: safe. we reached the hotel"
            ],
            "once, however often it is sent"
        );
        assert_eq!(
            app.emails_to(&account.email).await.len(),
            2,
            "her word after the mission's is told again, once"
        );
        let page = layla.get(&format!("{path}?lang=en")).await.body;
        assert!(
            page.contains("A team is on its way.") && page.contains("we reached the hotel"),
            "{page}"
        );

        // Omar, who gave only a phone, is reached by SMS.
        let res = sms(&app, SMS_SECRET, false, "+33600000002", "HELP").await;
        assert_eq!(res.json()["action"], "need_help");
        let omar_case = current(&app, "al1", "r2").await.case_id.unwrap();
        let omar_page = format!("/missions/PAR/cases/{omar_case}");
        let r = officer
            .write_on_case(&omar_page, "Stay where you are.")
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(
            r.location().unwrap().ends_with("?done=message-sms"),
            "{:?}",
            r.location()
        );
        let shown = officer.get(&format!("{omar_page}?lang=en")).await.body;
        assert!(
            shown.contains("Text message:") && !shown.contains("Email:"),
            "{shown}"
        );
        assert!(
            sms_to(&app, "+33600000002")
                .await
                .iter()
                .any(|t| t.contains("Stay where you are.") && t.contains("/crisis/checkin/")),
        );
        assert!(app.emails_to("presence-r2@crisis.invalid").await.is_empty());
        // His number gone from the registration, nothing can reach him: the officer is told
        // the message stays on the case, not that he was written to.
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE crisis_registrations SET phone = '' WHERE id = 'r2'")
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let r = officer.write_on_case(&omar_page, "Call us.").await;
        let back = r.location().unwrap().to_owned();
        assert!(back.ends_with("?done=message-kept"), "{back}");
        let shown = officer.get(&format!("{back}&lang=en")).await.body;
        assert!(
            shown.contains("nothing was sent") && !shown.contains("The applicant was emailed"),
            "{shown}"
        );

        // Nadia follows her case in "My applications": her check-in page links it and shows no
        // conversation, and the mission writes to her account's address.
        let nadia_path = format!("/crisis/checkin/{}", tokens[2]);
        let mut client = app.client();
        answer_with_note(
            &mut client,
            &nadia_path,
            "need_help",
            "stuck at the station",
        )
        .await;
        let nadia_case = current(&app, "al1", "r3").await.case_id.unwrap();
        let page = client.get(&format!("{nadia_path}?lang=en")).await.body;
        assert!(
            page.contains(&format!(
                r#"<a href="/account/cases/{nadia_case}">Follow it in My applications</a>"#
            )) && !page.contains(r#"class="conversation""#),
            "{page}"
        );
        let nadia_page = format!("/missions/PAR/cases/{nadia_case}");
        let shown = officer.get(&format!("{nadia_page}?lang=en")).await.body;
        assert!(!shown.contains("case-reached"), "{shown}");
        let r = officer
            .write_on_case(&nadia_page, "We are on our way.")
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(
            r.location().unwrap().ends_with("?done=message"),
            "{:?}",
            r.location()
        );
        assert!(
            app.emails_to("nadia@example.org")
                .await
                .iter()
                .any(|m| m.text.contains("We are on our way.")
                    && m.text.contains(&format!("/account/cases/{nadia_case}")))
        );
        assert!(
            !sms_to(&app, "+33600000003")
                .await
                .iter()
                .any(|t| t.contains("We are on our way."))
        );
    }
}

pub async fn sms(
    app: &TestApp,
    secret: &str,
    twilio: bool,
    from: &str,
    text: &str,
) -> crate::harness::TestResponse {
    let mut client = app.client();
    let path = format!("/crisis/sms/inbound?secret={}", crate::harness::enc(secret));
    if twilio {
        let body = format!(
            "From={}&Body={}&MessageSid=SM1",
            crate::harness::enc(from),
            crate::harness::enc(text)
        );
        client
            .api_raw(
                "POST",
                &path,
                None,
                Some("application/x-www-form-urlencoded"),
                &body,
            )
            .await
    } else {
        let body = serde_json::json!({ "from": from, "text": text }).to_string();
        client
            .api_raw("POST", &path, None, Some("application/json"), &body)
            .await
    }
}

#[tokio::test]
async fn sms_replies_answer_check_ins_and_end_subscriptions() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        exec(
            &app.db,
            "UPDATE missions SET phone = '+33 1 99 00 12 34' WHERE id = $1",
            &[&mission],
        )
        .await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(
            &app,
            Person {
                lang: "ar",
                ..Person::new("r2", "عمر", "+33600000002")
            },
        )
        .await;
        send_alert(&app, "al1", &["r1", "r2"]).await;

        // A wrong or missing secret is refused, and nothing changes.
        for bad in ["", "wrong", "gateway-shared-secret-0124"] {
            let res = sms(&app, bad, false, "+33600000001", "SAFE").await;
            assert_eq!(res.status, 403, "secret {bad:?}");
        }
        assert_eq!(current(&app, "al1", "r1").await.status, "waiting");

        let res = sms(
            &app,
            SMS_SECRET,
            false,
            "+33600000001",
            " safe  with friends",
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["action"], "safe");
        let c = current(&app, "al1", "r1").await;
        assert_eq!(
            (c.status.as_str(), c.note.as_str()),
            ("safe", "with friends")
        );
        // A message longer than a note holds still records the answer, with the note's worth of
        // its start, and the reply says so.
        let long = "ب".repeat(1200);
        let res = sms(
            &app,
            SMS_SECRET,
            false,
            "+33600000001",
            &format!("SAFE {long}"),
        )
        .await;
        assert_eq!(res.json()["action"], "safe");
        let reply = res.json()["reply"].as_str().unwrap().to_owned();
        assert!(reply.contains("longer than 1000 characters"), "{reply}");
        let c = current(&app, "al1", "r1").await;
        assert_eq!((c.status.as_str(), c.note.chars().count()), ("safe", 1000));

        let res = sms(&app, SMS_SECRET, true, "+33600000002", "مساعدة").await;
        assert_eq!(res.status, 200);
        assert!(
            res.headers[axum::http::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/xml")
        );
        assert!(res.body.starts_with("<?xml"));
        assert!(res.body.contains("<Response><Message>"));
        // The team was alerted; a life in danger is for the local emergency services first; the
        // mission's telephone; and how to add details (a reply without the keyword would get
        // only the list of keywords back).
        assert!(
            res.body.contains("أُبلغ الفريق القنصلي")
                && res.body.contains("خدمات الطوارئ المحلية أولًا")
                // One left-to-right run: unmarked, its digit groups read in reverse order.
                && res.body.contains("هاتف البعثة: \u{200E}+33 1 99 00 12 34\u{200E}")
                && res.body.contains("مرجعه: PAR-")
                && res.body.contains("أرسل «مساعدة» ثم التفاصيل"),
            "{}",
            res.body
        );
        let c = current(&app, "al1", "r2").await;
        assert_eq!(c.status, "need_help");
        let case_id = c.case_id.expect("HELP opens the emergency case");
        let case = safir_store::consular::cases::find(&app.db, &case_id)
            .await
            .unwrap();
        assert_eq!(
            case.form()["description"],
            "الاطمئنان على السلامة: يحتاج إلى مساعدة.",
            "said in the person's language"
        );
        // The details that follow reach the case as the person's message, once however often
        // the gateway posts them.
        for _ in 0..2 {
            let res = sms(&app, SMS_SECRET, false, "+33600000002", "مساعدة  ابني مريض").await;
            assert_eq!(res.json()["action"], "need_help");
        }
        assert_eq!(
            said_by_person(&app, &case_id).await,
            ["الاطمئنان على السلامة: يحتاج إلى مساعدة. ابني مريض"]
        );
        assert_eq!(current(&app, "al1", "r2").await.note, "ابني مريض");

        let res = sms(&app, SMS_SECRET, false, "+19995550000", "SAFE").await;
        assert_eq!(res.json()["action"], "no_checkin");
        let res = sms(&app, SMS_SECRET, false, "+33600000001", "what?").await;
        assert_eq!(res.json()["action"], "unknown");
        assert!(res.json()["reply"].as_str().unwrap().contains("SAFE"));

        // Subscriptions of the number: STOP ends all, UNSUBSCRIBE XX one, YES confirms.
        for (id, country, status) in [
            ("s1", "FR", "active"),
            ("s2", "DE", "active"),
            ("s3", "ES", "pending"),
        ] {
            exec(
                &app.db,
                "INSERT INTO advice_subscriptions (id, country, channel, address, lang, status, token_hash, created_at, requested_at) \
                 VALUES ($1, $2, 'sms', '+33600000009', 'en', $3, $1, $4, $4)",
                &[id, country, status],
            )
            .await;
        }
        let status_of = |id: &'static str| {
            let db = app.db.clone();
            async move {
                with_pool!(db.read(), p => {
                    sqlx::query_scalar::<_, String>("SELECT status FROM advice_subscriptions WHERE id = $1")
                        .bind(id)
                        .fetch_one(p)
                        .await
                })
                .unwrap()
            }
        };
        let res = sms(&app, SMS_SECRET, true, "+33600000009", "YES").await;
        assert!(res.body.contains("confirmed"));
        assert_eq!(status_of("s3").await, "active");
        // A gateway may post the number with the international prefix, or without the plus.
        let res = sms(
            &app,
            SMS_SECRET,
            false,
            "00 33 6 00 00 00 09",
            "unsubscribe de",
        )
        .await;
        assert_eq!(res.json()["action"], "unsubscribe");
        assert_eq!(status_of("s2").await, "unsubscribed");
        assert_eq!(status_of("s1").await, "active");
        let res = sms(&app, SMS_SECRET, false, "33600000009", "STOP").await;
        assert_eq!(res.json()["action"], "stop");
        assert!(res.json()["reply"].as_str().unwrap().contains("no longer"));
        assert_eq!(status_of("s1").await, "unsubscribed");
        assert_eq!(status_of("s3").await, "unsubscribed");
        // Nothing left to stop: said so, not "done".
        let res = sms(&app, SMS_SECRET, false, "+33600000009", "STOP").await;
        let reply = res.json()["reply"].as_str().unwrap().to_owned();
        assert!(reply.contains("nothing was changed"), "{reply}");

        // An Arabic subscriber answers YES and STOP as the Arabic message tells them, in
        // Latin letters: the replies are in Arabic.
        exec(
            &app.db,
            "INSERT INTO advice_subscriptions (id, country, channel, address, lang, status, token_hash, created_at, requested_at) \
             VALUES ($1, 'LB', 'sms', '+33600000010', 'ar', 'pending', $1, $2, $2)",
            &["s4"],
        )
        .await;
        let in_arabic = |res: &crate::harness::TestResponse| {
            let reply = res.json()["reply"].as_str().unwrap().to_owned();
            assert!(
                reply
                    .chars()
                    .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
                "{reply}"
            );
        };
        let res = sms(&app, SMS_SECRET, false, "+33600000010", "YES").await;
        assert_eq!(res.json()["action"], "confirm");
        in_arabic(&res);
        assert_eq!(status_of("s4").await, "active");
        in_arabic(&sms(&app, SMS_SECRET, false, "+33600000010", "STOP").await);
    }
}

/// Someone registered in Arabic writes in Latin letters (the keywords are, on any phone)
/// before any alert, or without a keyword: the reply is in the language they registered in.
/// Before, only the text's letters or an SMS subscription chose it, and they got English.
#[tokio::test]
async fn sms_replies_are_in_the_language_the_sender_registered_in() {
    for app in all_apps().await {
        emergency_crisis(&app).await;
        person(
            &app,
            Person {
                lang: "ar",
                ..Person::new("r2", "عمر", "+33600000002")
            },
        )
        .await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        let reply_of =
            |res: &crate::harness::TestResponse| res.json()["reply"].as_str().unwrap().to_owned();
        let arabic = |s: &str| s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));

        for (text, action) in [
            ("SAFE", "no_checkin"),
            ("help", "no_checkin"),
            ("hello?", "unknown"),
            ("STOP", "stop"),
            ("YES", "confirm"),
        ] {
            let res = sms(&app, SMS_SECRET, false, "+33600000002", text).await;
            assert_eq!(res.json()["action"], action, "{text}");
            let reply = reply_of(&res);
            assert!(arabic(&reply), "{text}: {reply}");
            // The English-registered person and an unknown number: English.
            for from in ["+33600000001", "+19995550000"] {
                let reply = reply_of(&sms(&app, SMS_SECRET, false, from, text).await);
                assert!(!arabic(&reply), "{from} {text}: {reply}");
            }
        }
        // The alert's check-in: answered, and still in Arabic.
        send_alert(&app, "al1", &["r2"]).await;
        let res = sms(&app, SMS_SECRET, true, "+33600000002", "SAFE").await;
        assert!(res.body.contains("<Message>"), "{}", res.body);
        assert!(arabic(&res.body), "{}", res.body);
        assert_eq!(current(&app, "al1", "r2").await.status, "safe");
    }
}

/// A Cancel of the alert went out ("this no longer applies"): its reminder round asks nobody
/// to check in. Before, everyone who had not answered was asked "are you safe?" after it.
#[tokio::test]
async fn a_cancelled_alert_sends_no_reminders() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        send_alert(&app, "al1", &["r1"]).await;
        alert(&app, &mission, "al9").await;
        exec(
            &app.db,
            "UPDATE crisis_alerts SET msg_type = 'Cancel', references_id = $1, sent_at = created_at WHERE id = 'al9'",
            &["al1"],
        )
        .await;
        let config = app.state.config.clone();
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al1")
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
}

/// An alert whose expiry has passed reminds nobody: "are you safe?" about a warning that no
/// longer holds.
#[tokio::test]
async fn an_expired_alert_sends_no_reminders() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        send_alert(&app, "al1", &["r1"]).await;
        let config = app.state.config.clone();
        exec(
            &app.db,
            "UPDATE crisis_alerts SET expires = $1 WHERE id = 'al1'",
            &[],
        )
        .await;
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al1")
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
}

/// A Cancel sent from the original's page ends its Updates too: the Update's round reminds
/// nobody. Before, the people the Update reached were asked "are you safe?" after
/// "Cancelled".
#[tokio::test]
async fn a_cancel_of_the_original_stops_its_updates_reminders() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        exec(
            &app.db,
            "UPDATE crisis_alerts SET msg_type = 'Update', references_id = $1, sent_at = created_at WHERE id = 'al2'",
            &["al1"],
        )
        .await;
        send_alert(&app, "al2", &["r1"]).await;
        let config = app.state.config.clone();
        alert(&app, &mission, "al9").await;
        exec(
            &app.db,
            "UPDATE crisis_alerts SET msg_type = 'Cancel', references_id = $1, sent_at = created_at WHERE id = 'al9'",
            &["al1"],
        )
        .await;
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al2")
            .await
            .unwrap();
        assert_eq!(n, 0);
    }
}

/// Someone whose "need help" opened an emergency case still open stays on the board as
/// needing help after an Update (their answer, note and location carried to its check-in),
/// and no reminder round tells them that nobody has heard from them while the mission works
/// on their case; once it is finished, the next alert asks them again like anyone. Before, the
/// Update's check-in started as "no answer": they dropped off the "need help" tile and list
/// and were reminded.
#[tokio::test]
async fn an_update_keeps_someone_whose_case_is_open_needing_help_and_unreminded() {
    use safir_domain::crisis::checkin::CheckinStatus;
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        for a in ["al3", "al4"] {
            alert(&app, &mission, a).await;
        }
        for a in ["al2", "al3", "al4"] {
            exec(
                &app.db,
                "UPDATE crisis_alerts SET msg_type = 'Update', references_id = 'al1', sent_at = created_at WHERE id = $1",
                &[a],
            )
            .await;
        }
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Omar Saleh", "+33600000002")).await;
        let config = app.state.config.clone();
        let first = send_alert(&app, "al1", &["r1", "r2"]).await;
        let path = format!("/crisis/checkin/{}", first[0]);
        let mut client = app.client();
        let res = client
            .submit(
                &path,
                &path,
                &[
                    ("answer", "need_help"),
                    ("note", "trapped on the roof"),
                    ("lat", "43.6"),
                    ("lon", "1.44"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let answered = current(&app, "al1", "r1").await;
        let case_id = answered.case_id.clone().expect("a case");

        send_alert(&app, "al2", &["r1", "r2"]).await;
        let carried = current(&app, "al2", "r1").await;
        assert!(carried.is_current);
        assert_eq!(
            (
                carried.status.as_str(),
                carried.note.as_str(),
                carried.case_id.as_deref(),
                carried.answered_at,
                carried.lat,
            ),
            (
                "need_help",
                "trapped on the roof",
                Some(case_id.as_str()),
                answered.answered_at,
                Some(43.6),
            )
        );
        let counts = checkins::counts(&app.db, "cr1").await.unwrap();
        assert_eq!((counts.people.need_help, counts.people.waiting), (1, 1));
        let helping = checkins::list(
            &app.db,
            "cr1",
            &checkins::BoardFilter {
                status: Some(CheckinStatus::NeedHelp),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            helping
                .iter()
                .map(|r| (r.registration_id.as_str(), r.case_id.as_deref()))
                .collect::<Vec<_>>(),
            [("r1", Some(case_id.as_str()))]
        );
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al2")
            .await
            .unwrap();
        assert_eq!(n, 1, "Omar, who has not answered, only");
        assert!(current(&app, "al2", "r1").await.reminded_at.is_none());

        // She says she is safe now; the mission has not closed her case yet. The next Update
        // asks her again, but its reminder round leaves her to the officers working her case.
        let path = format!(
            "/crisis/checkin/{}",
            sign_token(&app.state.checkin_key, &carried.id)
        );
        answer_with_note(&mut client, &path, "safe", "rescued").await;
        send_alert(&app, "al3", &["r1", "r2"]).await;
        let asked = current(&app, "al3", "r1").await;
        assert_eq!(
            (asked.status.as_str(), asked.case_id.as_deref()),
            ("waiting", Some(case_id.as_str()))
        );
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al3")
            .await
            .unwrap();
        assert_eq!(n, 1, "Omar only");
        assert!(current(&app, "al3", "r1").await.reminded_at.is_none());

        // The case finished, the next Update asks her like anyone, reminder included.
        answer_with_note(&mut client, &path, "need_help", "the water is back").await;
        exec(
            &app.db,
            "UPDATE cases SET state = 'closed' WHERE id = $1",
            &[&case_id],
        )
        .await;
        send_alert(&app, "al4", &["r1", "r2"]).await;
        assert_eq!(current(&app, "al4", "r1").await.status, "waiting");
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al4")
            .await
            .unwrap();
        assert_eq!(n, 2);
    }
}

#[tokio::test]
async fn reminders_go_once_to_people_who_have_not_answered() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Omar Saleh", "+33600000002")).await;
        let tokens = send_alert(&app, "al1", &["r1", "r2"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let mut client = app.client();
        client.submit(&path, &path, &[("answer", "safe")]).await;

        let mut tx = app.db.begin().await.unwrap();
        safir_web::crisis::checkin::schedule_reminders(&mut tx, "cr1", "al1", now())
            .await
            .unwrap();
        safir_web::crisis::checkin::schedule_reminders(&mut tx, "cr1", "al1", now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            scalar(
                &app.db,
                "SELECT COUNT(*) FROM jobs WHERE kind = $1",
                "crisis.reminders"
            )
            .await,
            1,
            "one reminder round per alert"
        );

        let config = app.state.config.clone();
        let n = safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al1")
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            safir_web::crisis::checkin::remind(&app.db, &config, "cr1", "al1")
                .await
                .unwrap(),
            0,
            "once per check-in"
        );
        let sms_payloads: Vec<String> = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'sms.send'").fetch_all(p).await
        })
        .unwrap();
        assert_eq!(sms_payloads.len(), 1);
        assert!(sms_payloads[0].contains("+33600000002"));
        assert!(sms_payloads[0].contains("/crisis/checkin/"));
        let mails = app.emails_to("r2@example.org").await;
        assert_eq!(mails.len(), 1);
        assert!(mails[0].text.contains("/crisis/checkin/"));
        assert!(app.emails_to("r1@example.org").await.is_empty());
    }
}

const FAMILY_PHONE: &str = "+33600000005";

/// A parent (Layla, `r1`) who registered themselves and their child (Sami, `r2`) with the
/// same phone, Layla first, and an alert's check-in waiting for each.
async fn family(app: &TestApp) {
    emergency_crisis(app).await;
    person(app, Person::new("r1", "Layla Haddad", FAMILY_PHONE)).await;
    person(app, Person::new("r2", "Sami Haddad", FAMILY_PHONE)).await;
    // Registered after Layla: Sami is 2 by the time of registration, not by the id.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    exec(
        &app.db,
        "UPDATE crisis_registrations SET created_at = $2 WHERE id = $1",
        &["r2"],
    )
    .await;
    send_alert(app, "al1", &["r1", "r2"]).await;
}

/// The status and note of the person's check-in of `al1`.
async fn answer_of(app: &TestApp, reg: &str) -> (String, String) {
    let c = current(app, "al1", reg).await;
    (c.status, c.note)
}

fn waiting() -> (String, String) {
    ("waiting".to_owned(), String::new())
}

fn reply_of(res: &crate::harness::TestResponse) -> String {
    res.json()["reply"].as_str().unwrap().to_owned()
}

/// One phone registered for two people: "SAFE" naming nobody records nothing (a wrong "safe"
/// would stop staff looking for someone) and the reply lists them with how to name one.
/// Before, it answered the newest check-in of the phone, and the other person stayed "no
/// answer" on the board whatever they replied.
#[tokio::test]
async fn sms_safe_from_a_number_registered_for_two_people_asks_which_one() {
    for app in all_apps().await {
        family(&app).await;
        let res = sms(&app, SMS_SECRET, false, FAMILY_PHONE, "SAFE").await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["action"], "choose");
        let reply = reply_of(&res);
        assert!(
            reply.contains("1 Layla Haddad, 2 Sami Haddad")
                && reply.contains("SAFE 1")
                && reply.contains("SAFE ALL"),
            "{reply}"
        );
        assert_eq!(answer_of(&app, "r1").await, waiting());
        assert_eq!(answer_of(&app, "r2").await, waiting());
        // In Arabic too (the person's language, or Arabic letters in the message).
        let res = sms(&app, SMS_SECRET, true, FAMILY_PHONE, "آمن").await;
        assert!(
            res.body.contains("1 Layla Haddad، 2 Sami Haddad") && res.body.contains("«آمن الكل»"),
            "{}",
            res.body
        );
        assert_eq!(answer_of(&app, "r1").await, waiting());
    }
}

/// "SAFE 2" answers the second person only, the rest of the message its note; Arabic-Indic
/// digits count as well. "SAFE ALL" answers both with one reply.
#[tokio::test]
async fn sms_safe_with_a_number_answers_that_person_only() {
    for app in all_apps().await {
        family(&app).await;
        let res = sms(&app, SMS_SECRET, false, FAMILY_PHONE, "SAFE 2 at school").await;
        assert_eq!(res.json()["action"], "safe");
        assert_eq!(answer_of(&app, "r1").await, waiting());
        assert_eq!(
            answer_of(&app, "r2").await,
            ("safe".into(), "at school".into())
        );
        sms(&app, SMS_SECRET, false, FAMILY_PHONE, "آمن ١ في البيت").await;
        assert_eq!(
            answer_of(&app, "r1").await,
            ("safe".into(), "في البيت".into())
        );
        assert_eq!(answer_of(&app, "r2").await.1, "at school");

        let res = sms(&app, SMS_SECRET, false, FAMILY_PHONE, "safe all").await;
        assert_eq!(res.json()["action"], "safe");
        assert!(
            reply_of(&res).contains("all 2 people"),
            "{}",
            reply_of(&res)
        );
        assert_eq!(answer_of(&app, "r1").await, ("safe".into(), String::new()));
        assert_eq!(answer_of(&app, "r2").await, ("safe".into(), String::new()));
    }
}

/// "safe sami" names the person by the start of their name, in any case.
#[tokio::test]
async fn sms_safe_with_a_name_answers_that_person_only() {
    for app in all_apps().await {
        family(&app).await;
        let res = sms(&app, SMS_SECRET, true, FAMILY_PHONE, "safe sami").await;
        assert!(res.body.contains("<Message>"), "{}", res.body);
        assert_eq!(answer_of(&app, "r2").await, ("safe".into(), String::new()));
        assert_eq!(answer_of(&app, "r1").await, waiting());
        // The oldest check-in this time, with a note after the name.
        sms(
            &app,
            SMS_SECRET,
            false,
            FAMILY_PHONE,
            "SAFE Layla Haddad, with Sami",
        )
        .await;
        assert_eq!(
            answer_of(&app, "r1").await,
            ("safe".into(), "with Sami".into())
        );
    }
}

/// "HELP" naming nobody must not wait for a second message: it is recorded for both, each
/// with their own emergency case in their own name, and the reply gives both references and
/// says how to name one next time. "HELP Sami" is recorded for Sami only.
#[tokio::test]
async fn sms_help_from_a_number_registered_for_two_people_reaches_both() {
    for app in all_apps().await {
        family(&app).await;
        let res = sms(
            &app,
            SMS_SECRET,
            false,
            FAMILY_PHONE,
            "HELP water is rising",
        )
        .await;
        assert_eq!(res.json()["action"], "need_help");
        let reply = reply_of(&res);
        let mut cases = Vec::new();
        for (reg, name) in [("r1", "Layla Haddad"), ("r2", "Sami Haddad")] {
            let c = current(&app, "al1", reg).await;
            assert_eq!(
                (c.status.as_str(), c.note.as_str()),
                ("need_help", "water is rising"),
                "{reg}"
            );
            let case = safir_store::consular::cases::find(&app.db, &c.case_id.unwrap())
                .await
                .unwrap();
            assert!(reply.contains(&case.display_reference()), "{reply}");
            assert_eq!(case.form()["given_names"], name);
            cases.push(case.id);
        }
        assert_ne!(cases[0], cases[1]);
        assert!(
            reply.contains("1 Layla Haddad, 2 Sami Haddad") && reply.contains("HELP 1"),
            "{reply}"
        );

        // Layla is safe after all; a later "HELP Sami" stays Sami's.
        sms(&app, SMS_SECRET, false, FAMILY_PHONE, "SAFE 1").await;
        let res = sms(&app, SMS_SECRET, false, FAMILY_PHONE, "help Sami his leg").await;
        assert_eq!(res.json()["action"], "need_help");
        assert!(!reply_of(&res).contains("Layla"), "{}", reply_of(&res));
        assert_eq!(answer_of(&app, "r1").await.0, "safe");
        assert_eq!(
            answer_of(&app, "r2").await,
            ("need_help".into(), "his leg".into())
        );
    }
}

/// A number registered for one person: "SAFE" alone answers their check-in, as it always
/// did, and a word after it is the note even when it looks like a pick.
#[tokio::test]
async fn sms_replies_from_a_number_registered_for_one_person_answer_it() {
    for app in all_apps().await {
        emergency_crisis(&app).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Sami Haddad", "+33600000002")).await;
        send_alert(&app, "al1", &["r1", "r2"]).await;
        let res = sms(&app, SMS_SECRET, false, "+33600000001", "SAFE").await;
        assert_eq!(res.json()["action"], "safe");
        assert_eq!(current(&app, "al1", "r1").await.status, "safe");
        assert_eq!(current(&app, "al1", "r2").await.status, "waiting");
        let res = sms(&app, SMS_SECRET, false, "+33600000002", "HELP 2 floors up").await;
        assert_eq!(res.json()["action"], "need_help");
        let c = current(&app, "al1", "r2").await;
        assert_eq!(
            (c.status.as_str(), c.note.as_str()),
            ("need_help", "2 floors up")
        );
        assert_eq!(current(&app, "al1", "r1").await.status, "safe");
    }
}

/// The limits on an account's emergency requests are the form's and the API's: a "need help"
/// answered by someone whose account already has as many waiting as it may, and more sent in
/// the hour, still opens their emergency case.
#[tokio::test]
async fn need_help_opens_a_case_whatever_the_accounts_emergency_limits() {
    use safir_domain::consular::case::{Actor, CaseAction, Priority};
    use safir_store::consular::cases::{self, NewDraft, Transition};
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        let service =
            safir_store::consular::services::find_by_kind(&app.db, &mission, CaseKind::Emergency)
                .await
                .unwrap()
                .unwrap();
        let nadia = app.public_user("nadia@example.org").await;
        let limits = &app.state.config.consular;
        let many = limits
            .emergency_requests_per_hour
            .max(limits.emergency_requests_open);
        let mut form = std::collections::BTreeMap::new();
        form.insert("category".to_owned(), "other".to_owned());
        form.insert("description".to_owned(), "Sent from the form".to_owned());
        for i in 0..many {
            let mut tx = app.db.begin().await.unwrap();
            let key = format!("earlier-{i}");
            let draft = cases::create_draft(
                &mut tx,
                &NewDraft {
                    mission_id: &mission,
                    service_id: &service.id,
                    kind: CaseKind::Emergency,
                    applicant_id: &nadia.id,
                    form: &form,
                    applicant_name: "Nadia Saleh",
                    lang: "en",
                    priority: Priority::Critical,
                    idempotency_key: Some(&key),
                    idempotency_fingerprint: None,
                    expires_at: now() + chrono::Duration::days(30),
                },
            )
            .await
            .unwrap();
            cases::transition(
                &mut tx,
                &draft.id,
                &Transition {
                    action: CaseAction::Submit,
                    actor: Actor::Applicant,
                    actor_id: Some(&nadia.id),
                    reason: None,
                    mission_code: "PAR",
                    due_in: Some(chrono::Duration::minutes(30)),
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        person(&app, Person::new("r3", "Nadia Saleh", "+33600000003")).await;
        exec(
            &app.db,
            "UPDATE crisis_registrations SET user_id = $1 WHERE id = 'r3'",
            &[&nadia.id],
        )
        .await;
        let tokens = send_alert(&app, "al1", &["r3"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let mut client = app.client();
        answer_with_note(&mut client, &path, "need_help", "the road is flooded").await;
        let case_id = current(&app, "al1", "r3")
            .await
            .case_id
            .expect("a case is opened");
        let case = cases::find(&app.db, &case_id).await.unwrap();
        assert_eq!(case.state, "submitted");
        assert_eq!(case.applicant_id, nadia.id);
    }
}

/// An alert sent outside any crisis (imported from CAP), and its check-in for `reg`.
async fn alert_outside_crisis(app: &TestApp, mission: &str, id: &str, reg: &str) {
    alert(app, mission, id).await;
    exec(
        &app.db,
        "UPDATE crisis_alerts SET crisis_id = NULL, sent_at = created_at WHERE id = $1",
        &[id],
    )
    .await;
    let mut tx = app.db.begin().await.unwrap();
    checkins::create_batch(&mut tx, id, None, &[reg.to_owned()])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The check-in of an alert sent outside any crisis (an imported CAP alert) is never
/// superseded. Before, it stayed current for good: "SAFE" answered it rather than the open
/// crisis's check-in (the board kept the person as "no answer" and went on reminding them),
/// and still did long after the alert had expired or was cancelled. Now the crisis's
/// check-in is answered first, and the other one only while its alert is in effect.
#[tokio::test]
async fn sms_safe_answers_the_open_crisis_not_an_alert_outside_it() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Omar Saleh", "+33600000002")).await;
        send_alert(&app, "al1", &["r1"]).await;
        // Imported while the crisis is open: its check-in is the newer one.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        alert_outside_crisis(&app, &mission, "cap1", "r1").await;
        alert_outside_crisis(&app, &mission, "cap2", "r2").await;
        let res = sms(&app, SMS_SECRET, false, "+33600000001", "SAFE").await;
        assert_eq!(res.json()["action"], "safe", "{}", res.body);
        assert_eq!(current(&app, "al1", "r1").await.status, "safe");
        assert_eq!(current(&app, "cap1", "r1").await.status, "waiting");

        // With no crisis open, the alert outside it is answered while it is in effect.
        exec(
            &app.db,
            "UPDATE crises SET status = 'closed' WHERE id = 'cr1'",
            &[],
        )
        .await;
        let res = sms(&app, SMS_SECRET, false, "+33600000002", "SAFE").await;
        assert_eq!(res.json()["action"], "safe", "{}", res.body);
        assert_eq!(current(&app, "cap2", "r2").await.status, "safe");
        // Expired, it is over.
        exec(
            &app.db,
            "UPDATE crisis_alerts SET expires = $1 WHERE id = 'cap1'",
            &[],
        )
        .await;
        let res = sms(&app, SMS_SECRET, false, "+33600000001", "SAFE").await;
        assert_eq!(res.json()["action"], "no_checkin", "{}", res.body);
        assert_eq!(current(&app, "cap1", "r1").await.status, "waiting");
        // As it is once a Cancel of its thread went out.
        alert(&app, &mission, "cap9").await;
        exec(
            &app.db,
            "UPDATE crisis_alerts SET crisis_id = NULL, msg_type = 'Cancel', references_id = $1, \
             sent_at = created_at WHERE id = 'cap9'",
            &["cap2"],
        )
        .await;
        let res = sms(&app, SMS_SECRET, false, "+33600000002", "HELP").await;
        assert_eq!(res.json()["action"], "no_checkin", "{}", res.body);
        assert_eq!(current(&app, "cap2", "r2").await.status, "safe");
    }
}

/// A mission that took its emergency service out of the public catalogue ("Offer this
/// service online" unticked) still gets a crisis's calls for help, through the link and by
/// SMS: each opens an emergency case, submitted and waiting in the duty queue. Before, the
/// answer was recorded and no case opened: nobody on duty heard of it and nothing escalated.
/// The catalogue still does not offer the service.
#[tokio::test]
async fn need_help_opens_a_case_though_the_emergency_service_is_not_offered_online() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        exec(
            &app.db,
            "UPDATE consular_services SET enabled = FALSE WHERE mission_id = $1 AND kind = 'emergency'",
            &[&mission],
        )
        .await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Omar Saleh", "+33600000002")).await;
        let tokens = send_alert(&app, "al1", &["r1", "r2"]).await;
        let path = format!("/crisis/checkin/{}", tokens[0]);
        let mut client = app.client();
        answer_with_note(&mut client, &path, "need_help", "trapped on the roof").await;
        let res = sms(&app, SMS_SECRET, false, "+33600000002", "HELP water rising").await;
        assert_eq!(res.json()["action"], "need_help", "{}", res.body);
        for reg in ["r1", "r2"] {
            let case_id = current(&app, "al1", reg)
                .await
                .case_id
                .unwrap_or_else(|| panic!("a case is opened for {reg}"));
            let case = safir_store::consular::cases::find(&app.db, &case_id)
                .await
                .unwrap();
            assert_eq!(
                (case.kind.as_str(), case.state.as_str()),
                ("emergency", "submitted")
            );
            assert!(case.reference.is_some());
        }
        assert!(
            safir_store::consular::services::find_by_kind(&app.db, &mission, CaseKind::Emergency)
                .await
                .unwrap()
                .is_none(),
            "still not offered online"
        );
    }
}
