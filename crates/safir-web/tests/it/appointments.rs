//! Appointments through HTTP: the head of mission opens hours, an applicant books in
//! Arabic and receives a confirmation with a calendar file, moves the booking, then cancels
//! it; reminders go out for live bookings only. And the same through the API.

use std::time::Duration;

use base64::Engine;
use chrono::{Datelike, Utc};
use safir_domain::Lang;
use safir_domain::roles::Role;
use safir_notify::testing::SmtpSink;
use safir_notify::{MailConfig, PlainMailConfig};
use safir_store::jobs::{JobRunner, RunnerConfig};
use safir_store::with_pool;
use safir_web::consular::appointments::{REMINDER_JOB, ReminderJob};

use crate::api::token;
use crate::harness::{Client, ORIGIN, TestApp, TestResponse, unique_email};

/// The mission PAR in Paris time, and the local date three days from now (so a booking is
/// more than a day ahead and gets a reminder).
async fn paris(app: &TestApp) -> (String, chrono::NaiveDate) {
    let id = app.mission("PAR", "FR").await;
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE missions SET time_zone = 'Europe/Paris' WHERE id = $1").bind(&id).execute(p).await.map(|r| r.rows_affected())
    })
    .unwrap();
    let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
    let day = Utc::now().with_timezone(&tz).date_naive() + chrono::Duration::days(3);
    (id, day)
}

/// Opens PAR's hours on `day`'s weekday from 09:00 to `close`, half-hour slots of one place,
/// from `from` on (and until `until`).
async fn open_hours(
    app: &TestApp,
    mission_id: &str,
    day: chrono::NaiveDate,
    close: &str,
    from: chrono::NaiveDate,
    until: Option<chrono::NaiveDate>,
) {
    let rule = safir_domain::consular::appointments::OpeningRule::new(
        day.weekday(),
        "09:00".parse().unwrap(),
        close.parse().unwrap(),
        30,
        1,
        from,
        until,
        None,
    )
    .unwrap();
    let mut tx = app.db.begin().await.unwrap();
    safir_store::consular::appointments::schedule::add_rule(&mut tx, mission_id, &rule)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The starts of PAR's visa slots on `day`, as the API lists them to anyone.
async fn visa_slot_starts(
    c: &mut crate::harness::Client<'_>,
    day: chrono::NaiveDate,
) -> Vec<String> {
    let slots = c
        .api_raw(
            "GET",
            &format!("/api/v1/missions/PAR/appointments/slots?service=visa&from={day}&to={day}"),
            None,
            None,
            "",
        )
        .await
        .json();
    slots["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{slots}"))
        .iter()
        .map(|s| s["starts_at"].as_str().unwrap().to_owned())
        .collect()
}

/// Every `value` of the radio buttons named `starts_at`, in page order.
/// Books the one slot the booking page `page_of` offers for `service`, as the form does.
async fn book_only_slot(c: &mut Client<'_>, page_of: &str, service: &str) -> TestResponse {
    let slots = slot_values(&c.get(page_of).await.body);
    assert_eq!(slots.len(), 1, "{slots:?}");
    c.submit(
        page_of,
        "/missions/PAR/appointments/book",
        &[("service", service), ("starts_at", &slots[0])],
    )
    .await
}

fn slot_values(body: &str) -> Vec<String> {
    body.split("name=\"starts_at\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}

/// The calendar file attached to `mail`.
fn calendar_file(mail: &safir_web::email::OutgoingEmail) -> String {
    let ics = base64::engine::general_purpose::STANDARD
        .decode(&mail.attachments[0].data_base64)
        .unwrap();
    String::from_utf8(ics).unwrap()
}

/// The value of the calendar line starting with `name`.
fn line_of(ics: &str, name: &str) -> String {
    ics.split("\r\n")
        .find_map(|l| l.strip_prefix(name))
        .unwrap_or_else(|| panic!("{name} in {ics}"))
        .to_owned()
}

fn runner(app: &TestApp, sink: Option<&SmtpSink>) -> JobRunner {
    let mut r = JobRunner::new(
        app.db.clone(),
        RunnerConfig {
            idle_poll: Duration::from_millis(20),
            ..RunnerConfig::default()
        },
    )
    .register(REMINDER_JOB, ReminderJob::new(app.db.clone(), ORIGIN));
    if let Some(sink) = sink {
        let config = MailConfig::from_plain(&PlainMailConfig {
            transport: "smtp",
            from: "Safir <no-reply@safir.test>",
            smtp_host: "127.0.0.1",
            smtp_port: sink.port(),
            smtp_tls: "none",
            ..PlainMailConfig::default()
        })
        .unwrap()
        .with_timeout(Duration::from_secs(5));
        r = r.register(
            safir_notify::JOB_KIND,
            safir_notify::email_handler(config).unwrap(),
        );
    }
    r
}

/// Makes the reminder of booking `id` due now.
async fn reminder_due(app: &TestApp, id: &str) -> u64 {
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE jobs SET run_at = $1 WHERE idempotency_key = $2")
            .bind(safir_store::now())
            .bind(format!("appointment-reminder:{id}"))
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap()
}

/// An applicant whose saved interface language is Arabic.
async fn arabic_speaker(app: &TestApp, prefix: &str) -> crate::harness::Account {
    let account = app.public_user(&unique_email(prefix)).await;
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE users SET preferred_lang = 'ar' WHERE id = $1").bind(&account.id).execute(p).await.map(|r| r.rows_affected())
    })
    .unwrap();
    account
}

async fn status_of(app: &TestApp, id: &str) -> String {
    safir_store::consular::appointments::find(&app.db, id)
        .await
        .unwrap()
        .status
}

/// PAR in Paris time with its hours open from 09:00 to `close` on the weekday of the day it
/// returns (three days from now), from today on.
async fn paris_open_until(app: &TestApp, close: &str) -> (String, chrono::NaiveDate) {
    let (mission_id, day) = paris(app).await;
    open_hours(app, &mission_id, day, close, Utc::now().date_naive(), None).await;
    (mission_id, day)
}

/// A head of the mission `mission_id`: one who keeps its schedule.
async fn head_of(app: &TestApp, mission_id: &str) -> crate::harness::Account {
    app.staff(
        &unique_email("head"),
        &[(Role::HeadOfMission, Some(mission_id))],
    )
    .await
}

/// Books PAR's visa slot starting at `start` through the API with `token`; its id.
async fn book_through_api(c: &mut Client<'_>, token: &str, start: &str) -> String {
    let body = serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": start });
    let res = c
        .api("POST", "/api/v1/appointments", token, Some(body))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn staff_open_hours_and_an_applicant_books_moves_and_cancels_in_arabic() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris(&app).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let mut staff = app.client();
        staff.sign_in(&head).await;
        let schedule = "/missions/PAR/appointments/schedule";
        let weekday = day.weekday().number_from_monday().to_string();
        let from = Utc::now().date_naive().to_string();

        // A mistake is shown beside the field, with what was typed.
        let res = staff
            .submit(
                schedule,
                "/missions/PAR/appointments/schedule/rules",
                &[
                    ("weekday", &weekday),
                    ("start_time", "11:00"),
                    ("end_time", "09:00"),
                    ("slot_minutes", "30"),
                    ("capacity", "1"),
                    ("valid_from", &from),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(
            res.body
                .contains("The closing time must be after the opening time.")
        );
        assert!(res.body.contains("value=\"11:00\""));

        // A tampered weekday is named beside its list, the rest kept.
        let res = staff
            .submit(
                schedule,
                "/missions/PAR/appointments/schedule/rules",
                &[
                    ("weekday", "9"),
                    ("start_time", "09:00"),
                    ("end_time", "10:00"),
                    ("slot_minutes", "30"),
                    ("capacity", "1"),
                    ("valid_from", &from),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(
            res.body.contains(r#"<select id="field-weekday" name="weekday" aria-invalid="true" aria-describedby="field-weekday-error">"#)
                && res.body.contains(r#"id="field-weekday-error""#),
            "{}",
            res.body
        );
        assert!(!res.body.contains(r#"id="field-service-error""#));
        assert!(res.body.contains("value=\"09:00\""));
        // So is a service the mission does not offer: its slots could never be booked.
        let fields = [
            ("weekday", weekday.as_str()),
            ("service", "zzz"),
            ("start_time", "09:00"),
            ("end_time", "10:00"),
            ("slot_minutes", "30"),
            ("capacity", "1"),
            ("valid_from", from.as_str()),
        ];
        let rules = "/missions/PAR/appointments/schedule/rules";
        let res = staff.submit(schedule, rules, &fields).await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(
            res.body.contains(r#"id="field-service-error""#),
            "{}",
            res.body
        );

        // A closure with neither reason and no last day: all three named at once.
        let res = staff
            .submit(
                schedule,
                "/missions/PAR/appointments/schedule/closures",
                &[
                    ("first_day", &from),
                    ("last_day", ""),
                    ("reason_ar", " "),
                    ("reason_en", ""),
                ],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        for field in ["last_day", "reason_ar", "reason_en"] {
            assert!(
                res.body.contains(&format!(r#"id="field-{field}-error""#)),
                "{field}: {}",
                res.body
            );
        }

        let fields = [
            ("weekday", weekday.as_str()),
            ("service", ""),
            // Typed on an Arabic keyboard: 09:00 to 10:00, slots of 30 minutes, one place.
            ("start_time", "٠٩:٠٠"),
            ("end_time", "١٠:٠٠"),
            ("slot_minutes", "٣٠"),
            ("capacity", "١"),
            ("valid_from", from.as_str()),
        ];
        let res = staff
            .submit(
                schedule,
                "/missions/PAR/appointments/schedule/rules",
                &fields,
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let holiday = (day + chrono::Duration::days(7)).to_string();
        let res = staff
            .submit(
                schedule,
                "/missions/PAR/appointments/schedule/closures",
                &[
                    ("first_day", &holiday),
                    ("last_day", &holiday),
                    ("reason_ar", "عيد وطني"),
                    ("reason_en", "National day"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = staff.get(schedule).await;
        assert!(page.body.contains("09:00–10:00") && page.body.contains("National day"));

        // The applicant books in Arabic.
        let applicant = arabic_speaker(&app, "applicant").await;
        let mut me = app.client();
        me.sign_in(&applicant).await;
        let book = "/missions/PAR/appointments/book?service=passport_renewal";
        let page = me.get(book).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("احجز هذا الوقت"), "{}", page.body);
        let slots = slot_values(&page.body);
        assert!(slots.len() >= 2, "two half-hour slots: {slots:?}");
        let (first, second) = (&slots[0], &slots[1]);
        // Booked; the same booking sent again (a second click) has the same outcome and
        // books nothing more.
        for _ in 0..2 {
            let res = me
                .submit(
                    book,
                    "/missions/PAR/appointments/book",
                    &[("service", "passport_renewal"), ("starts_at", first)],
                )
                .await;
            assert_eq!(
                res.location(),
                Some("/account/appointments?booked=1"),
                "{}",
                res.body
            );
        }
        let mine = safir_store::consular::appointments::list_for_user(&app.db, &applicant.id)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        let first_id = mine[0].id.clone();
        assert_eq!(mine[0].lang, "ar");

        // Confirmation in Arabic with a calendar file, delivered over SMTP.
        let mails = app.emails_to(&applicant.email).await;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].lang, "ar");
        assert!(
            mails[0].subject.contains("تجديد جواز السفر"),
            "{}",
            mails[0].subject
        );
        let ics = calendar_file(&mails[0]);
        assert!(
            mails[0]
                .text
                .contains(&format!("{ORIGIN}/account/appointments")),
            "a link to the list: {}",
            mails[0].text
        );
        // The mission's clock named with its offset at that time, for a reader elsewhere.
        let start: chrono::DateTime<Utc> = first.parse().unwrap();
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let offset = chrono::Offset::fix(start.with_timezone(&tz).offset());
        assert!(
            mails[0]
                .text
                .contains(&format!("\u{200E}Europe/Paris, UTC{offset}\u{200E}")),
            "{}",
            mails[0].text
        );
        let uid = line_of(&ics, "UID:");
        assert!(ics.contains("SEQUENCE:0\r\n") && ics.contains("METHOD:PUBLISH"));
        // A mission without an address of its own organizes at the one mail comes from
        // (calendars expect an organizer on a published event).
        let organizer = line_of(&ics.replace("\r\n ", ""), "ORGANIZER;CN=");
        assert!(
            organizer.ends_with(":mailto:no-reply@safir.localhost"),
            "{ics}"
        );
        assert!(
            ics.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))),
            "{ics}"
        );
        let sink = SmtpSink::start().await.unwrap();
        runner(&app, Some(&sink)).drain().await.unwrap();
        let got = sink.messages_to(&applicant.email);
        assert_eq!(got.len(), 1);
        let parsed = got[0].parse().unwrap();
        let parts = parsed.parts().unwrap();
        assert_eq!(parts[1].file_name().as_deref(), Some("appointment.ics"));
        assert!(
            String::from_utf8(parts[1].body_bytes().unwrap())
                .unwrap()
                .contains("BEGIN:VEVENT")
        );

        // The slot held one person: someone else is told it is taken, in their language.
        let other = arabic_speaker(&app, "other").await;
        let mut them = app.client();
        them.sign_in(&other).await;
        let res = them
            .submit(
                book,
                "/missions/PAR/appointments/book",
                &[("service", "passport_renewal"), ("starts_at", first)],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("حُجز هذا الوقت للتو"), "{}", res.body);

        // Staff see the day's bookings, and that reading is in the audit trail.
        let day_page = staff
            .get(&format!("/missions/PAR/appointments?date={day}"))
            .await;
        assert!(
            day_page.body.contains(&applicant.email),
            "{}",
            day_page.body
        );

        // Moving the booking frees the first slot and confirms the second.
        let reschedule = format!("/account/appointments/{first_id}/reschedule");
        let res = me
            .submit(&reschedule, &reschedule, &[("starts_at", second)])
            .await;
        assert_eq!(
            res.location(),
            Some("/account/appointments?moved=1"),
            "{}",
            res.body
        );
        assert_eq!(status_of(&app, &first_id).await, "rescheduled");
        // The same form sent again (a second click) lands on the same page and moves nothing
        // more (the mails below are still two); another time is no longer this booking's.
        let token = me.get("/account/appointments").await.csrf_token().unwrap();
        let res = me
            .post_form_with_token(&reschedule, &token, &[("starts_at", second)])
            .await;
        assert_eq!(res.location(), Some("/account/appointments?moved=1"));
        let res = me
            .post_form_with_token(&reschedule, &token, &[("starts_at", first)])
            .await;
        assert_eq!(res.status, 404);
        let second_id = safir_store::consular::appointments::find(&app.db, &first_id)
            .await
            .unwrap()
            .rescheduled_to
            .unwrap();
        // The move's file revises the same calendar entry.
        let mails = app.emails_to(&applicant.email).await;
        assert_eq!(mails.len(), 2);
        assert!(
            mails[1].subject.contains("تغيّر موعدك"),
            "{}",
            mails[1].subject
        );
        let moved = calendar_file(&mails[1]);
        assert_eq!(line_of(&moved, "UID:"), uid);
        assert!(moved.contains("SEQUENCE:1\r\n") && moved.contains("METHOD:PUBLISH"));

        // The old reminder finds the booking moved and sends nothing; the new one sends.
        assert_eq!(reminder_due(&app, &first_id).await, 1);
        runner(&app, None).drain().await.unwrap();
        assert_eq!(app.emails_to(&applicant.email).await.len(), 2);
        // The reminder is in the language the applicant's account has when it goes out,
        // here English, chosen after booking in Arabic.
        safir_store::accounts::set_preferred_lang(&app.db, &applicant.id, Lang::En)
            .await
            .unwrap();
        assert_eq!(reminder_due(&app, &second_id).await, 1);
        runner(&app, None).drain().await.unwrap();
        let mails = app.emails_to(&applicant.email).await;
        assert_eq!(mails.len(), 3);
        assert_eq!(mails[2].lang, "en");
        assert!(
            mails[2].subject.starts_with("Reminder"),
            "{}",
            mails[2].subject
        );
        safir_store::accounts::set_preferred_lang(&app.db, &applicant.id, Lang::Ar)
            .await
            .unwrap();

        // The booking is in the applicant's data download.
        let data = me.get("/account/data").await.json();
        let booked: Vec<&str> = data["appointments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert!(booked.contains(&second_id.as_str()), "{booked:?}");

        // Cancelling from the list.
        let list = me.get("/account/appointments").await;
        assert!(
            list.body
                .contains(&format!("/account/appointments/{second_id}/cancel"))
        );
        let cancel = format!("/account/appointments/{second_id}/cancel");
        let res = me.submit("/account/appointments", &cancel, &[]).await;
        assert_eq!(res.location(), Some("/account/appointments?cancelled=1"));
        assert_eq!(status_of(&app, &second_id).await, "cancelled");
        // A second click finds it cancelled: the same outcome, not "page not found".
        let res = me.submit("/account/appointments", &cancel, &[]).await;
        assert_eq!(res.location(), Some("/account/appointments?cancelled=1"));
        let list = me.get("/account/appointments?cancelled=1").await;
        assert!(list.body.contains("ملغى"));
        // The cancellation is mailed with the file that takes the entry out of the calendar.
        let mails = app.emails_to(&applicant.email).await;
        assert_eq!(mails.len(), 4);
        assert!(
            mails[3].subject.contains("أُلغي الموعد"),
            "{}",
            mails[3].subject
        );
        let cancelled = calendar_file(&mails[3]);
        assert_eq!(line_of(&cancelled, "UID:"), uid);
        for expected in ["METHOD:CANCEL", "SEQUENCE:2", "STATUS:CANCELLED"] {
            assert!(
                cancelled.contains(&format!("{expected}\r\n")),
                "{cancelled}"
            );
        }

        let actions = app.audit_actions().await;
        for action in [
            "appointment_rule.create",
            "appointment_closure.create",
            "appointment.read",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} in {actions:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_api_lists_slots_books_lists_and_cancels() {
    let app = TestApp::sqlite().await;
    let (mission_id, day) = paris(&app).await;
    open_hours(
        &app,
        &mission_id,
        day,
        "09:30",
        Utc::now().date_naive(),
        None,
    )
    .await;
    let mut tokens_of = Vec::new();
    let mut users = Vec::new();
    for name in ["api-a", "api-b"] {
        let user = app.public_user(&unique_email(name)).await;
        users.push(user.id.clone());
        let secret = token(&app, &user, &["read", "write"]).await;
        tokens_of.push(secret);
    }
    let mut c = app.client();
    let slots = c
        .api_raw(
            "GET",
            &format!("/api/v1/missions/PAR/appointments/slots?service=visa&from={day}&to={day}"),
            None,
            None,
            "",
        )
        .await;
    assert_eq!(slots.status, 200, "{}", slots.body);
    let items = slots.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["local_time"], "09:00");
    assert_eq!(items[0]["seats_left"], 1);
    let starts_at = items[0]["starts_at"].as_str().unwrap().to_owned();

    // A booking may name one of the caller's own cases at the mission, and no other.
    let visa = crate::consular_applicant::service(
        &app,
        &mission_id,
        safir_domain::consular::case::CaseKind::Visa,
    )
    .await;
    let mut case_of = Vec::new();
    for user in &users {
        let mut tx = app.db.begin().await.unwrap();
        let form = Default::default();
        let case = safir_store::consular::cases::create_draft(
            &mut tx,
            &safir_store::consular::cases::NewDraft {
                mission_id: &mission_id,
                service_id: &visa,
                kind: safir_domain::consular::case::CaseKind::Visa,
                applicant_id: user,
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
        case_of.push(case.id);
    }
    for not_mine in [case_of[1].as_str(), "VIS-2026-1"] {
        let body = serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": starts_at, "case_id": not_mine });
        let res = c
            .api("POST", "/api/v1/appointments", &tokens_of[0], Some(body))
            .await;
        assert_eq!(res.status, 422, "{not_mine}: {}", res.body);
        assert_eq!(res.json()["errors"][0]["field"], "case_id");
        assert_eq!(res.json()["errors"][0]["code"], "appointments_case_unknown");
    }
    let body = serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": starts_at, "case_id": case_of[0] });
    let res = c
        .api(
            "POST",
            "/api/v1/appointments",
            &tokens_of[0],
            Some(body.clone()),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let id = res.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(res.json()["case_id"], case_of[0].as_str());

    let mut body = body;
    body["case_id"] = case_of[1].as_str().into();
    let res = c
        .api(
            "POST",
            "/api/v1/appointments",
            &tokens_of[1],
            Some(body.clone()),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.json()["errors"][0]["code"], "appointments_slot_full");

    let res = c
        .api_raw(
            "GET",
            "/api/v1/missions/PAR/appointments/slots?service=visa&from=2026-01-01&to=2027-01-01",
            None,
            None,
            "",
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(
        res.json()["errors"][0]["code"],
        "appointments_range_too_long"
    );
    // A typo in a parameter's name is named, not read as "from today".
    let res = c
        .api_raw(
            "GET",
            "/api/v1/missions/PAR/appointments/slots?service=visa&form=2026-07-01&lang=en",
            None,
            None,
            "",
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    let errors = &res.json()["errors"];
    assert_eq!(
        (
            &errors[0]["field"],
            &errors[0]["code"],
            errors.as_array().unwrap().len()
        ),
        (
            &serde_json::json!("form"),
            &serde_json::json!("unknown_field"),
            1
        ),
        "{errors}"
    );
    // A service the mission does not offer has no slots and takes no booking, as on the
    // booking page.
    let res = c
        .api_raw(
            "GET",
            "/api/v1/missions/PAR/appointments/slots?service=nope",
            None,
            None,
            "",
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(
        res.json()["errors"][0]["code"],
        "appointments_service_not_offered"
    );
    let mut other_service = body.clone();
    other_service["service"] = "nope".into();
    other_service["case_id"] = serde_json::Value::Null;
    let res = c
        .api(
            "POST",
            "/api/v1/appointments",
            &tokens_of[1],
            Some(other_service),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(
        res.json()["errors"][0]["code"],
        "appointments_service_not_offered"
    );

    let mine = c
        .api("GET", "/api/v1/me/appointments", &tokens_of[0], None)
        .await;
    assert_eq!(mine.json()["items"][0]["id"], id.as_str());
    assert_eq!(mine.json()["items"][0]["mission"], "PAR");

    let path = format!("/api/v1/appointments/{id}");
    assert_eq!(
        c.api("DELETE", &path, &tokens_of[1], None).await.status,
        404,
        "not theirs"
    );
    let res = c.api("DELETE", &path, &tokens_of[0], None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["status"], "cancelled");
    // Sent again (a retry after a lost answer): the same outcome, not "no such booking".
    let again = c.api("DELETE", &path, &tokens_of[0], None).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["id"], id.as_str());
    assert_eq!(again.json()["status"], "cancelled");
    assert_eq!(
        c.api("DELETE", &path, &tokens_of[1], None).await.status,
        404,
        "still not theirs"
    );
}

#[tokio::test]
async fn a_mission_with_a_catalogue_takes_bookings_for_its_own_services_only() {
    use safir_domain::consular::case::CaseKind;
    for app in TestApp::all().await {
        let (mission_id, _) = paris(&app).await;
        crate::consular_applicant::service(&app, &mission_id, CaseKind::Visa).await;
        crate::consular_applicant::service(&app, &mission_id, CaseKind::Emergency).await;
        let user = app.public_user(&unique_email("visitor")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let page = c.get("/missions/PAR/appointments/book").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains(r#"value="visa""#), "{}", page.body);
        assert!(
            !page.body.contains(r#"value="emergency""#),
            "an emergency is not booked"
        );
        assert!(
            !page.body.contains(r#"value="notarial""#),
            "only the mission's own services"
        );
        let res = c
            .submit(
                "/missions/PAR/appointments/book",
                "/missions/PAR/appointments/book",
                &[
                    ("service", "notarial"),
                    ("starts_at", "2030-01-07T09:00:00Z"),
                ],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(
            res.body
                .contains("does not take appointments for this service"),
            "{}",
            res.body
        );

        // A code with a hyphen, as the catalogue takes, is booked like any other.
        let mut input = safir_store::consular::services::ServiceInput {
            code: "schengen-c".into(),
            kind: CaseKind::Visa,
            name_ar: "تأشيرة شنغن".into(),
            name_en: "Schengen visa".into(),
            instructions_ar: "املأ الاستمارة.".into(),
            instructions_en: "Fill in the form.".into(),
            documents: String::new(),
            fee: safir_domain::consular::service::Fee::parse(
                "80",
                safir_domain::consular::service::Currency::parse("EUR").unwrap(),
            )
            .unwrap(),
            processing_days: 15,
            visa_types: vec!["tourist"],
            enabled: true,
        };
        let mut tx = app.db.begin().await.unwrap();
        safir_store::consular::services::create(&mut tx, &mission_id, &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let page = c
            .get("/missions/PAR/appointments/book?service=schengen-c")
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains(r#"<option value="schengen-c" selected>"#),
            "{}",
            page.body
        );
        // Booked, it is named as the catalogue names it: in the applicant's list, the
        // confirmation and its calendar entry (it was the code, `schengen-c`).
        let paris_tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let day = Utc::now().with_timezone(&paris_tz).date_naive() + chrono::Duration::days(3);
        open_hours(&app, &mission_id, day, "09:30", day, Some(day)).await;
        let page_of = format!("/missions/PAR/appointments/book?service=schengen-c&from={day}");
        let res = book_only_slot(&mut c, &page_of, "schengen-c").await;
        assert_eq!(res.location(), Some("/account/appointments?booked=1"));
        let mine = c.get("/account/appointments").await;
        assert!(mine.body.contains("Schengen visa"), "{}", mine.body);
        let mails = app.emails_to(&user.email).await;
        let confirmation = mails.last().expect("a confirmation");
        assert!(
            confirmation.text.contains("Schengen visa")
                && !confirmation.text.contains("schengen-c"),
            "{}",
            confirmation.text
        );
        let calendar = calendar_file(confirmation);
        assert!(calendar.contains("SUMMARY:Schengen visa"), "{calendar}");
        let mine = c.get("/account/appointments?lang=ar").await;
        assert!(mine.body.contains("تأشيرة شنغن"), "{}", mine.body);
        let booked = safir_store::consular::appointments::list_for_user(&app.db, &user.id)
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        safir_store::consular::appointments::cancel(&mut tx, &booked[0].id, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // With every service switched off the mission takes no bookings at all, not even
        // for the common services a mission without a catalogue offers.
        let all = safir_store::consular::services::list_for_mission(&app.db, &mission_id)
            .await
            .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        for svc in all {
            input.code = svc.code.clone();
            input.kind = CaseKind::parse(&svc.kind).unwrap();
            input.enabled = false;
            safir_store::consular::services::update(&mut tx, &mission_id, &svc.id, &input)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let page = c.get("/missions/PAR/appointments/book").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains(r#"id="not-taking""#), "{}", page.body);
        assert!(!page.body.contains(r#"name="starts_at""#), "{}", page.body);
        let res = c
            .submit(
                "/missions/PAR/appointments/book?service=passport_renewal",
                "/missions/PAR/appointments/book",
                &[
                    ("service", "passport_renewal"),
                    ("starts_at", "2030-01-07T09:00:00Z"),
                ],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains(r#"id="not-taking""#), "{}", res.body);
        assert!(!res.body.contains("error-summary"), "{}", res.body);
        assert_eq!(
            safir_store::consular::appointments::list_for_user(&app.db, &user.id)
                .await
                .unwrap()
                .iter()
                .filter(|a| a.is_booked())
                .count(),
            0
        );
    }
}

/// Moving a booking through the API, as "Change" on the appointments page: to a free slot
/// only, the old one freed, the applicant told; on both backends.
#[tokio::test]
async fn the_api_moves_a_booking_to_another_free_slot() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris(&app).await;
        open_hours(
            &app,
            &mission_id,
            day,
            "10:00",
            Utc::now().date_naive(),
            None,
        )
        .await;
        let mut people = Vec::new();
        for name in ["move-a", "move-b"] {
            let user = app.public_user(&unique_email(name)).await;
            let secret = crate::api::token(&app, &user, &["read", "write"]).await;
            people.push((user, secret));
        }
        let (a, b) = (&people[0], &people[1]);
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        assert_eq!(starts.len(), 2, "{starts:?}");
        let book = |start: &str| serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": start });
        let res = c
            .api("POST", "/api/v1/appointments", &a.1, Some(book(&starts[0])))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let first = res.json()["id"].as_str().unwrap().to_owned();
        let res = c
            .api("POST", "/api/v1/appointments", &b.1, Some(book(&starts[1])))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let theirs = res.json()["id"].as_str().unwrap().to_owned();

        let move_to = |start: &str| serde_json::json!({ "starts_at": start });
        let reschedule = format!("/api/v1/appointments/{first}/reschedule");
        let refused = |res: &crate::harness::TestResponse, code: &str| {
            let body = crate::api::problem(res, 422, "validation");
            assert_eq!(
                crate::api::field_codes(&body),
                [("starts_at".to_owned(), code.to_owned())]
            );
        };
        // The other slot is taken; the same slot is no move; a time that is no slot.
        let res = c
            .api("POST", &reschedule, &a.1, Some(move_to(&starts[1])))
            .await;
        refused(&res, "appointments_slot_full");
        let res = c
            .api("POST", &reschedule, &a.1, Some(move_to(&starts[0])))
            .await;
        refused(&res, "appointments_same_slot");
        let res = c
            .api(
                "POST",
                &reschedule,
                &a.1,
                Some(move_to("2020-01-01T09:00:00Z")),
            )
            .await;
        refused(&res, "appointments_slot_unavailable");
        // Instants at the ends of the calendar, which the date reader takes and which have
        // no local date at the mission: no slot either, for a move or a new booking.
        for far in ["+262142-12-31T23:59:59Z", "-262143-01-01T00:00:00Z"] {
            let res = c.api("POST", &reschedule, &a.1, Some(move_to(far))).await;
            refused(&res, "appointments_slot_unavailable");
            let res = c
                .api("POST", "/api/v1/appointments", &a.1, Some(book(far)))
                .await;
            refused(&res, "appointments_slot_unavailable");
        }
        let res = c
            .api(
                "POST",
                &reschedule,
                &a.1,
                Some(serde_json::json!({ "starts_at": starts[1], "service": "passport" })),
            )
            .await;
        crate::api::problem(&res, 422, "validation");
        // Someone else's booking does not exist for them.
        let res = c
            .api("POST", &reschedule, &b.1, Some(move_to(&starts[1])))
            .await;
        crate::api::problem(&res, 404, "not_found");
        assert_eq!(status_of(&app, &first).await, "booked");

        // Once the other slot is free, the booking moves and the applicant is told.
        let mails_before = app.emails_to(&a.0.email).await.len();
        let res = c
            .api(
                "DELETE",
                &format!("/api/v1/appointments/{theirs}"),
                &b.1,
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let res = c
            .api("POST", &reschedule, &a.1, Some(move_to(&starts[1])))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let moved = res.json();
        assert_eq!(moved["status"], "booked", "{moved}");
        assert_eq!(moved["mission"], "PAR");
        assert_ne!(moved["id"], first.as_str());
        assert_eq!(
            moved["starts_at"]
                .as_str()
                .map(|s| s.parse::<chrono::DateTime<Utc>>().unwrap()),
            Some(starts[1].parse::<chrono::DateTime<Utc>>().unwrap())
        );
        assert_eq!(status_of(&app, &first).await, "rescheduled");
        assert_eq!(app.emails_to(&a.0.email).await.len(), mails_before + 1);
        // The same move again (a retry after a lost answer): the same new booking, nothing
        // moved or sent, not "no such booking".
        let res = c
            .api("POST", &reschedule, &a.1, Some(move_to(&starts[1])))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["id"], moved["id"]);
        assert_eq!(app.emails_to(&a.0.email).await.len(), mails_before + 1);
        // The old booking cannot be moved again elsewhere.
        let res = c
            .api("POST", &reschedule, &a.1, Some(move_to(&starts[0])))
            .await;
        crate::api::problem(&res, 404, "not_found");
        // The same booking asked for again: answered with it, nothing more booked.
        let new_id = moved["id"].as_str().unwrap();
        let res = c
            .api("POST", "/api/v1/appointments", &a.1, Some(book(&starts[1])))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["id"], new_id);
        // Someone else asking for that time is still refused.
        let res = c
            .api("POST", "/api/v1/appointments", &b.1, Some(book(&starts[1])))
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
    }
}

/// A booking whose time has come is neither cancelled nor moved, through the page or the
/// API: it stays on the mission's day as booked (a missed appointment is kept), and the
/// applicant is told why.
#[tokio::test]
async fn a_booking_whose_time_has_come_stays_as_it_is() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris(&app).await;
        open_hours(
            &app,
            &mission_id,
            day,
            "10:00",
            Utc::now().date_naive(),
            None,
        )
        .await;
        let user = app.public_user(&unique_email("started")).await;
        let secret = crate::api::token(&app, &user, &["read", "write"]).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&user).await;
        let starts = visa_slot_starts(&mut c, day).await;
        assert_eq!(starts.len(), 2, "{starts:?}");
        let book =
            serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": starts[0] });
        let res = c
            .api("POST", "/api/v1/appointments", &secret, Some(book))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let id = res.json()["id"].as_str().unwrap().to_owned();
        // The list page, opened while the time was ahead, offers "Cancel".
        let list = c.get("/account/appointments").await;
        assert!(
            list.body
                .contains(&format!("/account/appointments/{id}/cancel")),
            "{}",
            list.body
        );
        // The time comes (the booking is moved back to twenty minutes ago).
        let began = Utc::now() - chrono::Duration::minutes(20);
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE appointments SET starts_at = $1 WHERE id = $2")
                .bind(began)
                .bind(&id)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let mails_before = app.emails_to(&user.email).await.len();

        let res = c
            .api(
                "DELETE",
                &format!("/api/v1/appointments/{id}"),
                &secret,
                None,
            )
            .await;
        crate::api::problem(&res, 409, "conflict");
        let res = c
            .api(
                "POST",
                &format!("/api/v1/appointments/{id}/reschedule"),
                &secret,
                Some(serde_json::json!({ "starts_at": starts[1] })),
            )
            .await;
        crate::api::problem(&res, 409, "conflict");
        let res = c
            .post_form_with_token(
                &format!("/account/appointments/{id}/cancel"),
                &list.csrf_token().unwrap(),
                &[],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), Some("/account/appointments?started=1"));
        let list = c.get("/account/appointments?started=1").await;
        assert!(
            list.body.contains("can no longer be cancelled or moved"),
            "{}",
            list.body
        );
        let res = c
            .submit(
                &format!("/account/appointments/{id}/reschedule"),
                &format!("/account/appointments/{id}/reschedule"),
                &[("starts_at", &starts[1])],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(res.body.contains("can no longer be moved"), "{}", res.body);

        assert_eq!(status_of(&app, &id).await, "booked");
        assert_eq!(app.emails_to(&user.email).await.len(), mails_before);
    }
}

/// A refused choice three weeks ahead comes back on the fortnight that holds it, with the
/// slot the applicant chose, not on the first two weeks.
#[tokio::test]
async fn a_refused_choice_comes_back_on_its_own_fortnight() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris(&app).await;
        let later = day + chrono::Duration::days(18);
        open_hours(&app, &mission_id, later, "09:30", later, Some(later)).await;
        let page_of = format!("/missions/PAR/appointments/book?service=visa&from={later}");
        let first = app.public_user(&unique_email("first")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&first).await;
        let slots = slot_values(&c.get(&page_of).await.body);
        let res = book_only_slot(&mut c, &page_of, "visa").await;
        assert_eq!(res.location(), Some("/account/appointments?booked=1"));
        // Someone else chose the same place on a page opened before: it is full now.
        let second = app.public_user(&unique_email("second")).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&second).await;
        let res = c
            .submit(
                "/missions/PAR/appointments/book",
                "/missions/PAR/appointments/book",
                &[("service", "visa"), ("starts_at", &slots[0])],
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert_eq!(slot_values(&res.body), slots, "{}", res.body);
    }
}

/// A mission's schedule and its day of bookings through the API: the head of mission opens
/// hours and closes a day through the page's checks, an applicant books, an officer reads the
/// day (audited), the hours are removed; an officer cannot change the schedule.
#[tokio::test]
async fn staff_keep_the_schedule_and_read_the_day_through_the_api() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris(&app).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&mission_id))],
            )
            .await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let editor = crate::api::token(&app, &head, &["consular:read", "consular:write"]).await;
        let desk = crate::api::token(&app, &officer, &["consular:read", "consular:write"]).await;
        let mine = crate::api::token(&app, &applicant, &["read", "write"]).await;
        let rules = "/api/v1/missions/PAR/appointments/schedule/rules";
        let mut c = app.client();
        let weekday = day.weekday().number_from_monday();
        let rule = serde_json::json!({
            "weekday": weekday, "start_time": "09:00", "end_time": "10:00",
            "slot_minutes": 30, "capacity": 2, "valid_from": Utc::now().date_naive().to_string(),
        });

        crate::api::problem(
            &c.api("POST", rules, &desk, Some(rule.clone())).await,
            403,
            "forbidden",
        );
        // Every failure at once, named as on the page.
        let mut bad = rule.clone();
        bad["end_time"] = "08:00".into();
        bad["capacity"] = 0.into();
        bad["service"] = "nope".into();
        let res = c.api("POST", rules, &editor, Some(bad)).await;
        let fields: Vec<String> =
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation"))
                .into_iter()
                .map(|(f, _)| f)
                .collect();
        assert!(fields.contains(&"capacity".to_owned()), "{fields:?}");
        let res = c.api("POST", rules, &editor, Some(rule.clone())).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let rule_id = res.json()["id"].as_str().unwrap().to_owned();
        assert_eq!(res.json()["capacity"], 2);

        let closures = "/api/v1/missions/PAR/appointments/schedule/closures";
        let closed_day = day + chrono::Duration::days(7);
        let res = c
            .api(
                "POST",
                closures,
                &editor,
                Some(serde_json::json!({
                    "first_day": closed_day.to_string(), "last_day": (closed_day - chrono::Duration::days(1)).to_string(),
                    "reason_ar": "عطلة", "reason_en": "Holiday",
                })),
            )
            .await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation"))[0].0,
            "last_day"
        );
        let res = c
            .api(
                "POST",
                closures,
                &editor,
                Some(serde_json::json!({
                    "first_day": closed_day.to_string(), "last_day": closed_day.to_string(),
                    "reason_ar": "عطلة", "reason_en": "Holiday\u{7}",
                })),
            )
            .await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation")),
            [("reason_en".to_owned(), "invalid_characters".to_owned())]
        );
        let ended = chrono::Utc::now().date_naive() - chrono::Duration::days(400);
        let res = c
            .api(
                "POST",
                closures,
                &editor,
                Some(serde_json::json!({
                    "first_day": ended.to_string(), "last_day": ended.to_string(),
                    "reason_ar": "عطلة", "reason_en": "Holiday",
                })),
            )
            .await;
        let problem = crate::api::problem(&res, 422, "validation");
        assert_eq!(
            crate::api::field_codes(&problem),
            [(
                "last_day".to_owned(),
                "appointments_closure_over".to_owned()
            )]
        );
        let res = c
            .api(
                "POST",
                closures,
                &editor,
                Some(serde_json::json!({
                    "first_day": closed_day.to_string(), "last_day": closed_day.to_string(),
                    "reason_ar": "عطلة", "reason_en": "Holiday",
                })),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        let schedule = c
            .api(
                "GET",
                "/api/v1/missions/PAR/appointments/schedule",
                &editor,
                None,
            )
            .await
            .json();
        assert_eq!(schedule["time_zone"], "Europe/Paris");
        assert_eq!(schedule["rules"][0]["id"], rule_id.as_str(), "{schedule}");
        assert_eq!(schedule["closures"][0]["reason_en"], "Holiday");
        let slots = |date: chrono::NaiveDate| {
            format!("/api/v1/missions/PAR/appointments/slots?service=visa&from={date}&to={date}")
        };
        let closed = c
            .api_raw("GET", &slots(closed_day), None, None, "")
            .await
            .json();
        assert_eq!(closed["items"].as_array().unwrap().len(), 0, "{closed}");

        // An applicant books; the officer reads the day, and that read is on record.
        let open = c.api_raw("GET", &slots(day), None, None, "").await.json();
        let start = open["items"][0]["starts_at"].as_str().unwrap().to_owned();
        let res = c
            .api(
                "POST",
                "/api/v1/appointments",
                &mine,
                Some(
                    serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": start }),
                ),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let listed = c
            .api(
                "GET",
                &format!("/api/v1/missions/PAR/appointments?date={day}"),
                &desk,
                None,
            )
            .await
            .json();
        assert_eq!(
            listed["items"][0]["email"],
            applicant.email.as_str(),
            "{listed}"
        );
        assert_eq!(listed["items"][0]["local_time"], "09:00");
        let reads = app.audit_summaries("appointment.read").await;
        assert_eq!(reads.last().unwrap()["via"], "api", "{reads:?}");
        let res = c
            .api(
                "GET",
                "/api/v1/missions/PAR/appointments?date=tomorrow",
                &desk,
                None,
            )
            .await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation"))[0].0,
            "date"
        );
        // Two days asked at once: which one was meant is not guessed.
        let res = c
            .api(
                "GET",
                &format!("/api/v1/missions/PAR/appointments?date={day}&date={day}"),
                &desk,
                None,
            )
            .await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation")),
            [("date".to_owned(), "sent_twice".to_owned())]
        );

        // The hours go; the booking made stays.
        let one = format!("{rules}/{rule_id}");
        crate::api::problem(&c.api("DELETE", &one, &desk, None).await, 403, "forbidden");
        let res = c.api("DELETE", &one, &editor, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        crate::api::problem(
            &c.api("DELETE", &one, &editor, None).await,
            404,
            "not_found",
        );
        let after = c.api_raw("GET", &slots(day), None, None, "").await.json();
        assert_eq!(after["items"].as_array().unwrap().len(), 0, "{after}");
        let mine_now = c
            .api("GET", "/api/v1/me/appointments", &mine, None)
            .await
            .json();
        assert_eq!(mine_now["items"][0]["status"], "booked");
        let actions = app.audit_actions().await;
        for a in [
            "appointment_rule.create",
            "appointment_closure.create",
            "appointment_rule.remove",
        ] {
            assert!(actions.contains(&a.to_owned()), "{a}: {actions:?}");
        }
        // A rule is recorded as stored, in the shape of its removal: numbers as numbers.
        let created = &app.audit_summaries("appointment_rule.create").await[0];
        let removed = &app.audit_summaries("appointment_rule.remove").await[0];
        assert_eq!(
            created["created"], removed["removed"],
            "{created} {removed}"
        );
        assert_eq!(created["created"]["capacity"], 2, "{created}");
        assert_eq!(created["via"], "api");
    }
}

/// The officers' day list: a day without bookings leads to the next day that has some, each
/// day to the one before and after, a date that cannot be read is named beside its field, and a booking made for a case names the case, linked to
/// its page; only a case of the person who booked, at that mission. The case's pages, the
/// officer's and the applicant's, give the appointment while it stands.
#[tokio::test]
async fn the_day_list_leads_to_other_days_and_names_the_case() {
    use safir_domain::consular::case::CaseKind;

    for app in TestApp::all().await {
        let (mission_id, day) = paris(&app).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(&mission_id))],
            )
            .await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&mission_id))],
            )
            .await;
        let applicant = app.public_user(&unique_email("applicant")).await;
        let other = app.public_user(&unique_email("other")).await;
        let editor = crate::api::token(&app, &head, &["consular:write"]).await;
        let mut c = app.client();
        let rule = serde_json::json!({
            "weekday": day.weekday().number_from_monday(), "start_time": "09:00",
            "end_time": "10:00", "slot_minutes": 30, "capacity": 2,
            "valid_from": Utc::now().date_naive().to_string(),
        });
        let rules = "/api/v1/missions/PAR/appointments/schedule/rules";
        let res = c.api("POST", rules, &editor, Some(rule)).await;
        assert_eq!(res.status, 201, "{}", res.body);
        let service =
            crate::consular_applicant::service(&app, &mission_id, CaseKind::PassportRenewal).await;
        let case = crate::consular_officer::Application {
            mission: &mission_id,
            mission_code: "PAR",
            service: &service,
            kind: CaseKind::PassportRenewal,
            applicant: &applicant.id,
            name: "Amal Hassan",
            lang: "en",
            due_days: 10,
            courier: false,
        }
        .submit(&app)
        .await;
        let reference = case.reference.clone().unwrap();
        let slots = format!(
            "/api/v1/missions/PAR/appointments/slots?service=passport_renewal&from={day}&to={day}"
        );
        let open = c.api_raw("GET", &slots, None, None, "").await.json();
        let start = open["items"][0]["starts_at"].as_str().unwrap().to_owned();
        // The applicant books for their case; someone else cannot name it, and books
        // without one.
        let book = async |who: &crate::harness::Account, case_id: Option<&str>| {
            let token = crate::api::token(&app, who, &["write"]).await;
            let mut booking = serde_json::json!({
                "mission": "PAR", "service": "passport_renewal", "starts_at": start,
            });
            if let Some(id) = case_id {
                booking["case_id"] = id.into();
            }
            app.client()
                .api("POST", "/api/v1/appointments", &token, Some(booking))
                .await
        };
        let booked = book(&applicant, Some(&case.id)).await;
        assert_eq!(booked.status, 200, "{}", booked.body);
        let booking_id = booked.json()["id"].as_str().unwrap().to_owned();
        let refused = book(&other, Some(&case.id)).await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&refused, 422, "validation")),
            [("case_id".to_owned(), "appointments_case_unknown".to_owned())]
        );
        assert_eq!(book(&other, None).await.status, 200);

        let mut staff = app.client();
        staff.sign_in(&officer).await;
        let list = |d: chrono::NaiveDate| format!("/missions/PAR/appointments?date={d}&lang=en");
        let before = staff.get(&list(day - chrono::Duration::days(2))).await;
        assert!(before.body.contains("No appointments on this day."));
        // The heading's date is kept whole on a phone's narrow line.
        assert!(
            before.body.contains(&format!(
                r#"<span class="when" dir="ltr">{}</span></h1>"#,
                day - chrono::Duration::days(2)
            )),
            "{}",
            before.body
        );
        assert!(
            before.body.contains(&format!(
                r#"href="/missions/PAR/appointments?date={day}" id="next-booked""#
            )),
            "{}",
            before.body
        );
        // A date that cannot be read is named beside the field, as typed; no day is listed
        // or read.
        let reads = app.audit_summaries("appointment.read").await.len();
        let bad = staff
            .get("/missions/PAR/appointments?date=2026-13-45&lang=en")
            .await;
        assert_eq!(bad.status, 200);
        assert!(
            bad.body.contains("Enter a date as YYYY-MM-DD.")
                && bad
                    .body
                    .contains(r#"value="2026-13-45" aria-invalid="true""#),
            "{}",
            bad.body
        );
        assert!(!bad.body.contains("No appointments on this day."));
        assert_eq!(app.audit_summaries("appointment.read").await.len(), reads);
        let page = staff.get(&list(day)).await;
        for (rel, d) in [
            ("prev", day - chrono::Duration::days(1)),
            ("next", day + chrono::Duration::days(1)),
        ] {
            let link = format!(r#"href="/missions/PAR/appointments?date={d}" rel="{rel}""#);
            assert!(page.body.contains(&link), "{link}: {}", page.body);
        }
        let named = format!(
            r#"<a href="/missions/PAR/cases/{}" dir="ltr">{reference}</a>"#,
            case.id
        );
        assert_eq!(page.body.matches(&named).count(), 1, "{}", page.body);
        assert_eq!(page.body.matches(&reference).count(), 1, "{}", page.body);
        let after = staff.get(&list(day + chrono::Duration::days(1))).await;
        assert!(
            !after.body.contains(r#"id="next-booked""#),
            "{}",
            after.body
        );

        // Both case pages give the appointment, on the mission's clock with its zone named;
        // once cancelled, neither does (the applicant's page is kept a moment in memory).
        let start: chrono::DateTime<Utc> = start.parse().unwrap();
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let clock = start
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let officer_page = format!("/missions/PAR/cases/{}?lang=en", case.id);
        let mut me = app.client();
        me.sign_in(&applicant).await;
        let own_page = format!("/account/cases/{}?lang=en", case.id);
        for (who, path) in [(&mut staff, &officer_page), (&mut me, &own_page)] {
            let shown = who.get(path).await;
            assert!(
                shown
                    .body
                    .contains(&format!("{clock}</span> (<bdi>Europe/Paris</bdi>)")),
                "{path}: {}",
                shown.body
            );
        }
        let token = crate::api::token(&app, &applicant, &["write"]).await;
        let res = c
            .api(
                "DELETE",
                &format!("/api/v1/appointments/{booking_id}"),
                &token,
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        for (who, path) in [(&mut staff, &officer_page), (&mut me, &own_page)] {
            let shown = who.get(path).await;
            assert!(!shown.body.contains(&clock), "{path}: {}", shown.body);
        }
    }
}

/// The list of missions taking bookings judges each mission's rules by its own calendar:
/// far ahead of UTC a rule that ended yesterday there is over, far behind one that ends today
/// there still runs. (Between them the two missions cover every hour of the UTC day: one of
/// them is on another date than UTC at any time.)
#[tokio::test]
async fn the_missions_list_reads_each_missions_own_today() {
    for app in TestApp::all().await {
        let mut ids = Vec::new();
        for (code, zone) in [("KIR", "Pacific/Kiritimati"), ("PPG", "Pacific/Pago_Pago")] {
            let id = app.mission(code, "FR").await;
            with_pool!(app.db.write(), p => {
                sqlx::query("UPDATE missions SET time_zone = $2 WHERE id = $1").bind(&id).bind(zone).execute(p).await.map(|r| r.rows_affected())
            })
            .unwrap();
            let tz: chrono_tz::Tz = zone.parse().unwrap();
            ids.push((id, Utc::now().with_timezone(&tz).date_naive()));
        }
        let (kir, kir_today) = &ids[0];
        let (ppg, ppg_today) = &ids[1];
        let yesterday = *kir_today - chrono::Duration::days(1);
        let from = yesterday - chrono::Duration::days(30);
        open_hours(&app, kir, yesterday, "10:00", from, Some(yesterday)).await;
        open_hours(&app, ppg, *ppg_today, "10:00", from, Some(*ppg_today)).await;
        let page = app.client().get("/appointments?lang=en").await;
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains("/missions/KIR/appointments/book"),
            "ended yesterday at the mission: {}",
            page.body
        );
        assert!(
            page.body.contains("/missions/PPG/appointments/book"),
            "runs today at the mission: {}",
            page.body
        );
    }
}

/// One person holds at most five bookings to come at a mission: an account could otherwise
/// take every seat of the calendar, and nobody could free them. A booking may name only a
/// case still in hand.
#[tokio::test]
async fn one_person_holds_a_few_bookings_to_come_not_the_calendar() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "13:00").await;
        let user = app.public_user(&unique_email("hoarder")).await;
        let secret = token(&app, &user, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        assert_eq!(starts.len(), 8);
        let book = |start: &str| serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": start });
        let mut ids = Vec::new();
        for start in &starts[..5] {
            ids.push(book_through_api(&mut c, &secret, start).await);
        }
        let res = c
            .api(
                "POST",
                "/api/v1/appointments",
                &secret,
                Some(book(&starts[5])),
            )
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert_eq!(res.json()["errors"][0]["field"], "starts_at");
        assert_eq!(res.json()["errors"][0]["code"], "appointments_too_many");
        // Moving one of them is no sixth booking.
        let res = c
            .api(
                "POST",
                &format!("/api/v1/appointments/{}/reschedule", ids[0]),
                &secret,
                Some(serde_json::json!({ "starts_at": starts[6] })),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        // Cancelling one frees a place.
        let res = c
            .api(
                "DELETE",
                &format!("/api/v1/appointments/{}", ids[1]),
                &secret,
                None,
            )
            .await;
        assert!(res.status.is_success(), "{}", res.body);
        let res = c
            .api(
                "POST",
                "/api/v1/appointments",
                &secret,
                Some(book(&starts[5])),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);

        // A withdrawn case has nothing left to come for.
        let visa = crate::consular_applicant::service(
            &app,
            &mission_id,
            safir_domain::consular::case::CaseKind::Visa,
        )
        .await;
        let visa_case = (
            mission_id.as_str(),
            visa.as_str(),
            safir_domain::consular::case::CaseKind::Visa,
        );
        let case_id =
            crate::consular_applicant::case_in_state(&app, visa_case, &user.id, "withdrawn").await;
        let mut body = book(&starts[7]);
        body["case_id"] = case_id.as_str().into();
        let res = c
            .api("POST", "/api/v1/appointments", &secret, Some(body))
            .await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert_eq!(res.json()["errors"][0]["code"], "appointments_case_unknown");
    }
}

/// A closure added over a booked day cancels those bookings, each applicant told why with a
/// calendar file that takes the appointment out, and no reminder follows; bookings on other
/// days stay.
#[tokio::test]
async fn a_closure_over_booked_days_cancels_them_and_says_why() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "10:00").await;
        let head = head_of(&app, &mission_id).await;
        let applicant = app.public_user(&unique_email("booked")).await;
        let editor = crate::api::token(&app, &head, &["consular:read", "consular:write"]).await;
        let mine = crate::api::token(&app, &applicant, &["read", "write"]).await;
        let mut c = app.client();
        let next_week = day + chrono::Duration::days(7);
        let mut ids = Vec::new();
        for d in [day, next_week] {
            let start = visa_slot_starts(&mut c, d).await[0].clone();
            ids.push(book_through_api(&mut c, &mine, &start).await);
        }
        let res = c
            .api(
                "POST",
                "/api/v1/missions/PAR/appointments/schedule/closures",
                &editor,
                Some(serde_json::json!({
                    "first_day": day.to_string(), "last_day": day.to_string(),
                    "reason_ar": "عطلة وطنية", "reason_en": "National day",
                })),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(status_of(&app, &ids[0]).await, "cancelled");
        assert_eq!(status_of(&app, &ids[1]).await, "booked");
        let summaries = app.audit_summaries("appointment_closure.create").await;
        assert_eq!(summaries[0]["bookings_cancelled"], 1, "{summaries:?}");

        let mails = app.emails_to(&applicant.email).await;
        let told = mails
            .iter()
            .find(|m| m.subject.contains("the mission is closed"))
            .unwrap_or_else(|| panic!("{mails:?}"));
        assert!(told.text.contains("National day"), "{}", told.text);
        let ics = calendar_file(told);
        assert_eq!(line_of(&ics, "METHOD:"), "CANCEL");
        assert_eq!(line_of(&ics, "STATUS:"), "CANCELLED");
        // Its reminder, come due, sends nothing.
        reminder_due(&app, &ids[0]).await;
        let before = app.emails_to(&applicant.email).await.len();
        runner(&app, None).drain().await.unwrap();
        assert_eq!(app.emails_to(&applicant.email).await.len(), before);

        // A closure typed wrong can be taken back: the day offers its slots again (the
        // cancelled booking stays cancelled).
        let closure = res.json()["id"].as_str().unwrap().to_owned();
        assert!(visa_slot_starts(&mut c, day).await.is_empty());
        let path = format!("/api/v1/missions/PAR/appointments/schedule/closures/{closure}");
        let res = c.api("DELETE", &path, &editor, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(res.json()["reason_en"], "National day");
        assert_eq!(visa_slot_starts(&mut c, day).await.len(), 2);
        assert_eq!(status_of(&app, &ids[0]).await, "cancelled");
        let removed = app.audit_summaries("appointment_closure.remove").await;
        assert_eq!(removed[0]["removed"]["first_day"], day.to_string());
        assert_eq!(c.api("DELETE", &path, &editor, None).await.status, 404);

        // And from the schedule page.
        let res = c
            .api(
                "POST",
                "/api/v1/missions/PAR/appointments/schedule/closures",
                &editor,
                Some(serde_json::json!({
                    "first_day": day.to_string(), "last_day": day.to_string(),
                    "reason_ar": "عطلة", "reason_en": "Holiday",
                })),
            )
            .await;
        let closure = res.json()["id"].as_str().unwrap().to_owned();
        let mut page = app.client();
        page.sign_in(&head).await;
        let schedule = "/missions/PAR/appointments/schedule";
        let remove = format!("{schedule}/closures/{closure}/remove");
        assert!(page.get(schedule).await.body.contains(&remove));
        let res = page.submit(schedule, &remove, &[]).await;
        assert!(res.status.is_redirection(), "{}", res.body);
        assert_eq!(visa_slot_starts(&mut c, day).await.len(), 2);
        assert!(!page.get(schedule).await.body.contains(&remove));
    }
}

/// Moves booking `id` to `days` days ago: its time has passed, it is still booked.
async fn move_to_the_past(app: &TestApp, id: &str, days: i64) {
    let began = Utc::now() - chrono::Duration::days(days);
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE appointments SET starts_at = $1, ends_at = $2 WHERE id = $3")
            .bind(began)
            .bind(began + chrono::Duration::minutes(30))
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
}

/// A closure may cover days already begun (from today, or earlier): it cancels only the
/// bookings still to come. One whose time has passed stays as it was, its applicant is told
/// nothing, and the closure's audit record does not count it; such bookings used to be
/// cancelled and their applicants emailed that the mission would be closed.
#[tokio::test]
async fn a_closure_over_days_begun_leaves_the_bookings_already_past() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "10:00").await;
        let head = head_of(&app, &mission_id).await;
        let applicant = app.public_user(&unique_email("past")).await;
        let editor = token(&app, &head, &["consular:read", "consular:write"]).await;
        let mine = token(&app, &applicant, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let past = book_through_api(&mut c, &mine, &starts[0]).await;
        let to_come = book_through_api(&mut c, &mine, &starts[1]).await;
        move_to_the_past(&app, &past, 2).await;
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        let week_ago = Utc::now().with_timezone(&tz).date_naive() - chrono::Duration::days(7);
        let res = c
            .api(
                "POST",
                "/api/v1/missions/PAR/appointments/schedule/closures",
                &editor,
                Some(serde_json::json!({
                    "first_day": week_ago.to_string(), "last_day": day.to_string(),
                    "reason_ar": "أشغال", "reason_en": "Building works",
                })),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        assert_eq!(status_of(&app, &past).await, "booked", "kept as it was");
        assert_eq!(status_of(&app, &to_come).await, "cancelled");
        let summaries = app.audit_summaries("appointment_closure.create").await;
        assert_eq!(summaries[0]["bookings_cancelled"], 1, "{summaries:?}");
        let mails = app.emails_to(&applicant.email).await;
        let closed = mails
            .iter()
            .filter(|m| m.subject.contains("the mission is closed"))
            .count();
        assert_eq!(closed, 1, "{mails:?}");
    }
}

/// One's list, on the page and through the API, shows the bookings still to come first; one
/// whose time has passed (still booked: a missed appointment stays as it was) comes after
/// them, with the others. It used to come first.
#[tokio::test]
async fn my_appointments_list_those_to_come_before_those_past() {
    for app in TestApp::all().await {
        let (_, day) = paris_open_until(&app, "10:00").await;
        let user = app.public_user(&unique_email("mine")).await;
        let secret = token(&app, &user, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let past = book_through_api(&mut c, &secret, &starts[0]).await;
        let to_come = book_through_api(&mut c, &secret, &starts[1]).await;
        move_to_the_past(&app, &past, 2).await;

        let listed = c
            .api("GET", "/api/v1/me/appointments", &secret, None)
            .await
            .json();
        let ids: Vec<&str> = listed["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{listed}"))
            .iter()
            .map(|a| a["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [to_come.as_str(), past.as_str()]);

        c.sign_in(&user).await;
        let page = c.get("/account/appointments?lang=en").await;
        let row = |id: &str| {
            page.body
                .find(&format!("id=\"appointment-{id}\""))
                .unwrap_or_else(|| panic!("{id} in {}", page.body))
        };
        assert!(row(&to_come) < row(&past), "{}", page.body);
        // The past one, still `booked`, reads as past.
        let status_of_row = |id: &str| {
            let rest = &page.body[row(id)..];
            rest[..rest.find("</tr>").unwrap()].to_owned()
        };
        assert!(
            status_of_row(&past).contains(">Past<"),
            "{}",
            status_of_row(&past)
        );
        assert!(
            status_of_row(&to_come).contains(">Booked<"),
            "{}",
            status_of_row(&to_come)
        );
    }
}

/// A reminder whose job runs late, on the appointment's own day, is not sent: it would say
/// "tomorrow" of an appointment a few hours away.
#[tokio::test]
async fn a_reminder_run_on_the_day_itself_is_not_sent() {
    for app in TestApp::all().await {
        let (_, day) = paris_open_until(&app, "10:00").await;
        let applicant = app.public_user(&unique_email("late")).await;
        let mine = crate::api::token(&app, &applicant, &["read", "write"]).await;
        let mut c = app.client();
        let start = visa_slot_starts(&mut c, day).await[0].clone();
        let id = book_through_api(&mut c, &mine, &start).await;
        // The appointment is in two minutes; its reminder's job only runs now.
        let soon = Utc::now() + chrono::Duration::minutes(2);
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE appointments SET starts_at = $1, ends_at = $2 WHERE id = $3")
                .bind(soon)
                .bind(soon + chrono::Duration::minutes(30))
                .bind(&id)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        assert_eq!(reminder_due(&app, &id).await, 1);
        let before = app.emails_to(&applicant.email).await.len();
        runner(&app, None).drain().await.unwrap();
        let tz: chrono_tz::Tz = "Europe/Paris".parse().unwrap();
        if soon.with_timezone(&tz).date_naive() == Utc::now().with_timezone(&tz).date_naive() {
            assert_eq!(app.emails_to(&applicant.email).await.len(), before);
        }
    }
}

/// Staff who keep the schedule cancel a booking from the day's list: the applicant is told
/// with what they wrote, the seat is free again, the act is audited. An officer who reads the
/// day cannot.
#[tokio::test]
async fn staff_cancel_a_booking_from_the_days_list() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "09:30").await;
        let head = head_of(&app, &mission_id).await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&mission_id))],
            )
            .await;
        let applicant = arabic_speaker(&app, "held").await;
        let mine = crate::api::token(&app, &applicant, &["read", "write"]).await;
        let mut c = app.client();
        let start = visa_slot_starts(&mut c, day).await[0].clone();
        let id = book_through_api(&mut c, &mine, &start).await;
        let seats = |c: serde_json::Value| c["items"][0]["seats_left"].clone();
        let slots =
            format!("/api/v1/missions/PAR/appointments/slots?service=visa&from={day}&to={day}");
        let free = c.api_raw("GET", &slots, None, None, "").await.json();
        assert_eq!(seats(free), 0, "the one seat is taken");
        let list = format!("/missions/PAR/appointments?date={day}");
        let cancel = format!("/missions/PAR/appointments/{id}/cancel");

        let mut desk = app.client();
        desk.sign_in(&officer).await;
        let page = desk.get(&list).await;
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains(&cancel),
            "an officer is offered no cancel"
        );
        let res = desk.submit(&list, &cancel, &[("reason", "x")]).await;
        assert_eq!(res.status, 403);

        let mut keeper = app.client();
        keeper.sign_in(&head).await;
        assert!(keeper.get(&list).await.body.contains(&cancel));
        let res = keeper
            .submit(&list, &cancel, &[("reason", "المكتب القنصلي مغلق صباحًا")])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location().unwrap(), list);
        assert_eq!(status_of(&app, &id).await, "cancelled");
        let free = c.api_raw("GET", &slots, None, None, "").await.json();
        assert_eq!(seats(free), 1, "the seat is free");
        let mails = app.emails_to(&applicant.email).await;
        let told = mails.last().unwrap();
        assert!(
            told.subject.contains("ألغت البعثة موعدك"),
            "{}",
            told.subject
        );
        assert!(
            told.text.contains("المكتب القنصلي مغلق صباحًا"),
            "{}",
            told.text
        );
        assert_eq!(line_of(&calendar_file(told), "METHOD:"), "CANCEL");
        let audited = app.audit_summaries("appointment.cancel").await;
        assert_eq!(audited[0]["reason"], "المكتب القنصلي مغلق صباحًا");
    }
}

/// A staff cancellation sent twice (a double click, a retried request) finds the booking
/// cancelled and leads back to its day, as the first did, without telling the applicant or
/// auditing it again; it used to answer "conflict". A booking whose time has come still
/// cannot be cancelled from the list.
#[tokio::test]
async fn a_staff_cancel_sent_twice_leads_back_to_the_day() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "10:00").await;
        let head = head_of(&app, &mission_id).await;
        let applicant = app.public_user(&unique_email("twice")).await;
        let mine = token(&app, &applicant, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let id = book_through_api(&mut c, &mine, &starts[0]).await;
        let started = book_through_api(&mut c, &mine, &starts[1]).await;
        let list = format!("/missions/PAR/appointments?date={day}");
        let cancel = format!("/missions/PAR/appointments/{id}/cancel");

        let mut keeper = app.client();
        keeper.sign_in(&head).await;
        let csrf = keeper.get(&list).await.csrf_token().unwrap();
        for click in ["first", "second"] {
            let res = keeper
                .post_form_with_token(&cancel, &csrf, &[("reason", "Counter closed")])
                .await;
            assert_eq!(res.status, 303, "{click}: {}", res.body);
            assert_eq!(res.location(), Some(list.as_str()), "{click}");
        }
        assert_eq!(status_of(&app, &id).await, "cancelled");
        let told = app.emails_to(&applicant.email).await;
        let cancellations = told
            .iter()
            .filter(|m| m.subject.contains("Appointment cancelled by the mission"))
            .count();
        assert_eq!(cancellations, 1, "told once");
        assert_eq!(app.audit_summaries("appointment.cancel").await.len(), 1);

        // Its time come, the other booking stays: "conflict".
        let began = Utc::now() - chrono::Duration::minutes(20);
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE appointments SET starts_at = $1 WHERE id = $2")
                .bind(began)
                .bind(&started)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let path = format!("/missions/PAR/appointments/{started}/cancel");
        let res = keeper
            .post_form_with_token(&path, &csrf, &[("reason", "")])
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert_eq!(status_of(&app, &started).await, "booked");
    }
}

#[tokio::test]
async fn a_mission_with_bookings_to_come_keeps_its_time_zone() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "10:00").await;
        let zone = |app: &TestApp| {
            let (db, id) = (app.db.clone(), mission_id.clone());
            async move {
                safir_store::missions::find(&db, &id)
                    .await
                    .unwrap()
                    .time_zone
            }
        };
        let user = app.public_user(&unique_email("booked")).await;
        let secret = token(&app, &user, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let booking = book_through_api(&mut c, &secret, &starts[0]).await;

        let (_, mut admin) = crate::admin_support::admin(&app).await;
        let mut fields = vec![
            ("code", "PAR"),
            ("kind", "embassy"),
            ("name_ar", "بعثة PAR"),
            ("name_en", "Mission PAR"),
            ("country", "FR"),
            ("city_ar", "مدينة"),
            ("city_en", "City"),
            ("languages", "ar"),
            ("languages", "en"),
            ("time_zone", "Asia/Dubai"),
        ];
        const EDIT: &str = "/admin/missions/PAR/edit";
        let res = admin.submit(EDIT, EDIT, &fields).await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(
            res.body.contains("its time zone cannot change"),
            "{}",
            res.body
        );
        assert!(res.body.contains(r#"value="Asia/Dubai""#), "typed kept");
        assert_eq!(zone(&app).await, "Europe/Paris");

        // Cancelled, the booking no longer holds the mission's clock.
        let path = format!("/api/v1/appointments/{booking}");
        let res = c.api("DELETE", &path, &secret, None).await;
        assert_eq!(res.status, 200, "{}", res.body);
        fields.retain(|(k, _)| *k != "city_en");
        fields.push(("city_en", "Paris"));
        let res = admin.submit(EDIT, EDIT, &fields).await;
        assert_eq!(
            res.location(),
            Some("/admin/missions?saved=1"),
            "{}",
            res.body
        );
        assert_eq!(zone(&app).await, "Asia/Dubai");
    }
}

/// A case withdrawn by its applicant takes its appointments still to come with it: the seat is
/// freed and the applicant told (the calendar file takes it out). Before, the booking stayed
/// on the mission's day list, its seat taken, and its reminder said "tomorrow".
#[tokio::test]
async fn withdrawing_a_case_cancels_its_appointments_to_come() {
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "09:30").await;
        let user = app.public_user(&unique_email("withdraws")).await;
        let secret =
            crate::api::token(&app, &user, &["read", "write", "cases:read", "cases:write"]).await;
        let visa = crate::consular_applicant::service(
            &app,
            &mission_id,
            safir_domain::consular::case::CaseKind::Visa,
        )
        .await;
        let visa_case = (
            mission_id.as_str(),
            visa.as_str(),
            safir_domain::consular::case::CaseKind::Visa,
        );
        let case_id =
            crate::consular_applicant::case_in_state(&app, visa_case, &user.id, "submitted").await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let body = serde_json::json!({
            "mission": "PAR", "service": "visa", "starts_at": starts[0], "case_id": case_id,
        });
        let res = c
            .api("POST", "/api/v1/appointments", &secret, Some(body))
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let booking = res.json()["id"].as_str().unwrap().to_owned();
        let mails = app.emails_to(&user.email).await.len();

        let res = c
            .api(
                "POST",
                &format!("/api/v1/cases/{case_id}/withdraw"),
                &secret,
                None,
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(status_of(&app, &booking).await, "cancelled");
        let after = app.emails_to(&user.email).await;
        assert!(
            after.len() >= mails + 2,
            "the withdrawal and the cancellation"
        );
        assert!(
            after
                .iter()
                .any(|m| m.subject.to_lowercase().contains("cancel")),
            "{:?}",
            after.iter().map(|m| &m.subject).collect::<Vec<_>>()
        );
        let withdrawn = app.audit_summaries("case.withdraw").await;
        assert_eq!(withdrawn.last().unwrap()["appointments_cancelled"], 1);
        // The seat is free again.
        let again = visa_slot_starts(&mut c, day).await;
        assert!(again.contains(&starts[0]), "{again:?}");
    }
}

/// Books PAR's visa slot starting at `start` for case `case_id` through the API; its id.
async fn book_for_case(c: &mut Client<'_>, token: &str, case_id: &str, start: &str) -> String {
    let body = serde_json::json!({
        "mission": "PAR", "service": "visa", "starts_at": start, "case_id": case_id,
    });
    let res = c
        .api("POST", "/api/v1/appointments", token, Some(body))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["id"].as_str().unwrap().to_owned()
}

/// The subjects of the cancellation emails `to` has been sent.
async fn cancellations_to(app: &TestApp, to: &str) -> usize {
    app.emails_to(to)
        .await
        .iter()
        .filter(|m| m.subject.starts_with("Appointment cancelled"))
        .count()
}

/// A case the mission refuses or closes takes its appointments still to come with it, as a
/// withdrawal does, on the officer's page and through the API alike: the seat is free again and
/// the applicant is told once, beside the decision. Before, the booking stayed: its seat taken,
/// on the day's list, its reminder saying "tomorrow". A booking left live for a refused case
/// (one refused before this was so) can no longer be moved, which made a new booking for it.
#[tokio::test]
async fn refusing_or_closing_a_case_cancels_its_appointments_to_come() {
    use safir_domain::consular::case::CaseKind;
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "10:30").await;
        let user = app.public_user(&unique_email("refused")).await;
        let secret = token(&app, &user, &["read", "write", "cases:read", "cases:write"]).await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&mission_id))],
            )
            .await;
        let desk = token(&app, &officer, &["consular:read", "consular:write"]).await;
        let visa = crate::consular_applicant::service(&app, &mission_id, CaseKind::Visa).await;
        let visa_case = (mission_id.as_str(), visa.as_str(), CaseKind::Visa);
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        assert_eq!(starts.len(), 3, "{starts:?}");

        // Refused on the officer's page.
        let refused =
            crate::consular_applicant::case_in_state(&app, visa_case, &user.id, "in_review").await;
        let booking = book_for_case(&mut c, &secret, &refused, &starts[0]).await;
        let mails = app.emails_to(&user.email).await.len();
        let mut desk_page = app.client();
        desk_page.sign_in(&officer).await;
        let page = format!("/missions/PAR/cases/{refused}");
        let res = desk_page
            .submit(
                &page,
                &format!("{page}/act"),
                &[
                    ("action", "reject"),
                    ("reject_reason", "documents_incomplete"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(status_of(&app, &booking).await, "cancelled");
        assert_eq!(
            app.emails_to(&user.email).await.len(),
            mails + 2,
            "the refusal and the cancellation, once each"
        );
        assert_eq!(cancellations_to(&app, &user.email).await, 1);
        let rejected = app.audit_summaries("case.reject").await;
        assert_eq!(rejected.last().unwrap()["appointments_cancelled"], 1);
        assert!(visa_slot_starts(&mut c, day).await.contains(&starts[0]));
        // Gone from the day's list.
        let list = c
            .api(
                "GET",
                &format!("/api/v1/missions/PAR/appointments?date={day}"),
                &desk,
                None,
            )
            .await;
        assert_eq!(list.status, 200, "{}", list.body);
        assert!(!list.body.contains(&booking), "{}", list.body);

        // Closed through the API.
        let closed =
            crate::consular_applicant::case_in_state(&app, visa_case, &user.id, "approved").await;
        let booking = book_for_case(&mut c, &secret, &closed, &starts[1]).await;
        let res = c
            .api(
                "POST",
                &format!("/api/v1/missions/PAR/cases/{closed}/actions"),
                &desk,
                Some(serde_json::json!({ "action": "close" })),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert_eq!(status_of(&app, &booking).await, "cancelled");
        assert_eq!(cancellations_to(&app, &user.email).await, 2);
        let closes = app.audit_summaries("case.close").await;
        assert_eq!(closes.last().unwrap()["appointments_cancelled"], 1);

        // A booking still live for a refused case stays where it is.
        let stale =
            crate::consular_applicant::case_in_state(&app, visa_case, &user.id, "in_review").await;
        let booking = book_for_case(&mut c, &secret, &stale, &starts[2]).await;
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE cases SET state = 'rejected' WHERE id = $1")
                .bind(&stale)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let res = c
            .api(
                "POST",
                &format!("/api/v1/appointments/{booking}/reschedule"),
                &secret,
                Some(serde_json::json!({ "starts_at": starts[0] })),
            )
            .await;
        assert_eq!(
            crate::api::field_codes(&crate::api::problem(&res, 422, "validation")),
            [(
                "starts_at".to_owned(),
                "appointments_case_closed".to_owned()
            )]
        );
        assert_eq!(status_of(&app, &booking).await, "booked");
        let mine = c
            .api("GET", "/api/v1/me/appointments", &secret, None)
            .await
            .json();
        let live = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["status"] == "booked")
            .count();
        assert_eq!(live, 1, "{mine}");
    }
}

/// An account whose address is not confirmed yet.
async fn unconfirmed_user(app: &TestApp, prefix: &str) -> crate::harness::Account {
    let account = app.public_user(&unique_email(prefix)).await;
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1").bind(&account.id).execute(p).await.map(|r| r.rows_affected())
    })
    .unwrap();
    account
}

/// An account whose address is not confirmed books, moves and cancels nothing, on the pages
/// and through the API: each would send an email, with a calendar file, to an address the
/// account may not own, as often as it liked. The pages say why and offer a new confirmation
/// link; once the address is confirmed, the same booking goes through.
#[tokio::test]
async fn an_unconfirmed_address_books_moves_and_cancels_nothing() {
    for app in TestApp::all().await {
        let (_, day) = paris_open_until(&app, "10:00").await;
        let user = unconfirmed_user(&app, "unconfirmed").await;
        let secret = token(&app, &user, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;

        // Through the API.
        let body =
            serde_json::json!({ "mission": "PAR", "service": "visa", "starts_at": starts[0] });
        let res = c
            .api("POST", "/api/v1/appointments", &secret, Some(body))
            .await;
        let problem = crate::api::problem(&res, 403, "email_unconfirmed");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            !detail.is_empty() && !detail.starts_with("error-"),
            "{problem}"
        );

        // On the page: the booking form is replaced by the reason and a new link.
        c.sign_in(&user).await;
        let page_of = "/missions/PAR/appointments/book?service=visa&lang=en";
        let page = c.get(page_of).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("id=\"email-unconfirmed\""),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("action=\"/account/verify-email/resend\""),
            "{}",
            page.body
        );
        assert!(!page.body.contains("name=\"starts_at\""), "{}", page.body);
        let res = c
            .submit(
                page_of,
                "/missions/PAR/appointments/book",
                &[("service", "visa"), ("starts_at", &starts[0])],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.body);
        assert!(
            res.body
                .contains("Confirm your email address before you book"),
            "{}",
            res.body
        );
        let ar = c.get("/missions/PAR/appointments/book?lang=ar").await;
        assert!(
            ar.body.contains("أكِّد عنوان بريدك الإلكتروني قبل حجز موعد"),
            "{}",
            ar.body
        );
        assert!(app.emails_to(&user.email).await.is_empty());

        // A booking held from before (made when the rule did not stand) is neither moved nor
        // cancelled.
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE users SET email_verified_at = created_at WHERE id = $1").bind(&user.id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let held = book_through_api(&mut c, &secret, &starts[0]).await;
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE users SET email_verified_at = NULL WHERE id = $1").bind(&user.id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let mails = app.emails_to(&user.email).await.len();
        let path = format!("/api/v1/appointments/{held}");
        let res = c.api("DELETE", &path, &secret, None).await;
        crate::api::problem(&res, 403, "email_unconfirmed");
        let res = c
            .api(
                "POST",
                &format!("{path}/reschedule"),
                &secret,
                Some(serde_json::json!({ "starts_at": starts[1] })),
            )
            .await;
        crate::api::problem(&res, 403, "email_unconfirmed");
        let mine = c.get("/account/appointments?lang=en").await;
        assert!(
            mine.body.contains("id=\"email-unconfirmed\""),
            "{}",
            mine.body
        );
        assert!(
            !mine
                .body
                .contains(&format!("/account/appointments/{held}/cancel")),
            "{}",
            mine.body
        );
        let move_page = format!("/account/appointments/{held}/reschedule?lang=en");
        let res = c
            .submit(
                &move_page,
                &format!("/account/appointments/{held}/reschedule"),
                &[("starts_at", &starts[1])],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.body);
        assert!(
            res.body.contains("id=\"email-unconfirmed\""),
            "{}",
            res.body
        );
        let res = c
            .submit(
                "/account/appointments",
                &format!("/account/appointments/{held}/cancel"),
                &[],
            )
            .await;
        assert_eq!(res.status, 403, "{}", res.body);
        assert!(
            res.body.contains("id=\"email-unconfirmed\""),
            "{}",
            res.body
        );
        assert_eq!(status_of(&app, &held).await, "booked");
        assert_eq!(app.emails_to(&user.email).await.len(), mails);

        // Confirmed, the same account moves and cancels as anyone.
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE users SET email_verified_at = created_at WHERE id = $1").bind(&user.id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let res = c
            .submit(
                "/account/appointments",
                &format!("/account/appointments/{held}/cancel"),
                &[],
            )
            .await;
        assert_eq!(
            res.location(),
            Some("/account/appointments?cancelled=1"),
            "{}",
            res.body
        );
        assert_eq!(status_of(&app, &held).await, "cancelled");
    }
}

/// A case's pages, the applicant's and the officer's, give as coming only the appointments
/// still to come: one whose time has passed (still `booked`: a missed appointment stays as it
/// was) used to be listed there too, with "Move or cancel".
#[tokio::test]
async fn a_cases_pages_leave_out_its_appointments_past() {
    use safir_domain::consular::case::CaseKind;
    for app in TestApp::all().await {
        let (mission_id, day) = paris_open_until(&app, "10:00").await;
        let user = app.public_user(&unique_email("past")).await;
        let secret = token(&app, &user, &["read", "write", "cases:read", "cases:write"]).await;
        let officer = app
            .staff(
                &unique_email("officer"),
                &[(Role::ConsularOfficer, Some(&mission_id))],
            )
            .await;
        let visa = crate::consular_applicant::service(&app, &mission_id, CaseKind::Visa).await;
        let case = crate::consular_applicant::case_in_state(
            &app,
            (mission_id.as_str(), visa.as_str(), CaseKind::Visa),
            &user.id,
            "in_review",
        )
        .await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let past = book_for_case(&mut c, &secret, &case, &starts[0]).await;
        book_for_case(&mut c, &secret, &case, &starts[1]).await;
        move_to_the_past(&app, &past, 2).await;
        let coming = starts[1]
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
            .with_timezone(&"Europe/Paris".parse::<chrono_tz::Tz>().unwrap())
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let listed = |body: &str| {
            let at = body
                .find("id=\"case-appointments\"")
                .unwrap_or_else(|| panic!("{body}"));
            let dd = &body[at..];
            dd[..dd.find("</dd>").unwrap()].to_owned()
        };

        c.sign_in(&user).await;
        let page = c.get(&format!("/account/cases/{case}?lang=en")).await;
        assert_eq!(page.status, 200);
        let shown = listed(&page.body);
        assert_eq!(shown.matches("class=\"when\"").count(), 1, "{shown}");
        assert!(shown.contains(&coming), "{coming} in {shown}");
        let mut desk = app.client();
        desk.sign_in(&officer).await;
        let page = desk
            .get(&format!("/missions/PAR/cases/{case}?lang=en"))
            .await;
        assert_eq!(page.status, 200);
        let shown = listed(&page.body);
        assert_eq!(shown.matches("class=\"when\"").count(), 1, "{shown}");
        assert!(shown.contains(&coming), "{coming} in {shown}");
    }
}

/// "My appointments" names each booking's time zone beside its time, as every other page does:
/// bookings at missions in several zones share the list, and a weekday and a clock alone did
/// not say whose.
#[tokio::test]
async fn my_appointments_name_each_missions_time_zone() {
    for app in TestApp::all().await {
        let (_, day) = paris_open_until(&app, "10:00").await;
        let user = app.public_user(&unique_email("zones")).await;
        let secret = token(&app, &user, &["read", "write"]).await;
        let mut c = app.client();
        let starts = visa_slot_starts(&mut c, day).await;
        let booking = book_through_api(&mut c, &secret, &starts[0]).await;
        c.sign_in(&user).await;
        let page = c.get("/account/appointments?lang=en").await;
        let at = page
            .body
            .find(&format!("id=\"appointment-{booking}\""))
            .unwrap_or_else(|| panic!("{}", page.body));
        let row = &page.body[at..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("(<bdi>Europe/Paris</bdi>)"), "{row}");
        assert!(row.contains("09:00"), "{row}");
    }
}
