//! Crises and alerts through the staff pages: compose, count the audience, submit, approval by
//! a second staff member, the fan-out writing one delivery per recipient and channel and one
//! check-in per person — once, however often it is clicked or run; bad areas named to the
//! point; CAP import; the CAP XML of a sent alert valid against the CAP 1.2 schema (xmllint);
//! the Atom feed.

use std::io::Write;
use std::process::{Command, Stdio};

use safir_domain::roles::Role;
use safir_store::testing::TestDb;
use safir_store::{Db, now, with_pool};
use safir_web::app;
use safir_web::crisis::alerts::fan_out;
use safir_web::state::{AppState, WebConfig};

use crate::admin_support::signed_in;
use crate::harness::{Account, Client, ORIGIN, TestApp, unique_email, value_after};

/// An app whose approval threshold is `threshold` people.
async fn app_with_threshold(test_db: TestDb, threshold: u32) -> TestApp {
    let db = test_db.db.clone();
    let mut config = WebConfig {
        public_url: ORIGIN.to_owned(),
        ..WebConfig::default()
    };
    config.crisis.approval_threshold = threshold;
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

async fn apps(threshold: u32) -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in TestDb::all().await {
        out.push(app_with_threshold(db, threshold).await);
    }
    out
}

/// `n` verified people in Beirut by email, and every third also by SMS.
async fn people_in_beirut(db: &Db, n: usize) {
    let t = now();
    for i in 0..n {
        let channels = if i % 3 == 0 { "email,sms" } else { "email" };
        with_pool!(db.write(), p => {
            sqlx::query(
                "INSERT INTO crisis_registrations (id, kind, full_name, email, phone, lang, channels, \
                 companions, adults, children, elderly, medical, vulnerability_note, emergency_name, \
                 emergency_phone, emergency_email, verified_at, consent_at, created_at, updated_at) \
                 VALUES ($1, 'trip', 'N', $2, $3, 'ar', $4, '[]', 1, 0, $5, $5, '', '', '', '', $6, $6, $6, $6)",
            )
            .bind(format!("reg-{i}"))
            .bind(format!("p{i}@example.org"))
            .bind(format!("+9617000{i:04}"))
            .bind(channels)
            .bind(false)
            .bind(t)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })
        .unwrap();
        with_pool!(db.write(), p => {
            sqlx::query(
                "INSERT INTO crisis_places (id, registration_id, country, region, city, lat, lon) \
                 VALUES ($1, $2, 'LB', 'Beirut', 'Beirut', $3, 35.5)",
            )
            .bind(format!("place-{i}"))
            .bind(format!("reg-{i}"))
            .bind(33.89 + (i as f64) * 0.0001)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })
        .unwrap();
    }
}

async fn count(db: &Db, sql: &str, alert: &str) -> i64 {
    with_pool!(db.read(), p => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(alert).fetch_one(p).await
    })
    .unwrap()
}

async fn status(db: &Db, alert: &str) -> String {
    with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT status FROM crisis_alerts WHERE id = $1").bind(alert).fetch_one(p).await
    })
    .unwrap()
}

fn fields<'a>(polygon: &'a str, countries: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("mission", "PAR"),
        ("crisis", ""),
        ("headline_ar", "اضطرابات في بيروت"),
        ("headline_en", "Unrest in Beirut"),
        ("description_ar", "تجنبوا وسط المدينة."),
        ("description_en", "Avoid the city centre."),
        ("instruction_ar", "ابقوا في الداخل."),
        ("instruction_en", "Stay indoors."),
        ("category", "Security"),
        ("event", "Civil unrest"),
        ("response_type", "Avoid"),
        ("urgency", "Immediate"),
        ("severity", "Severe"),
        ("certainty", "Likely"),
        ("onset", "2026-12-01T10:00"),
        ("expires", "2099-12-03T10:00"),
        ("countries", countries),
        ("regions", ""),
        ("circles", ""),
        ("polygons", polygon),
        ("geojson", ""),
        ("area_desc", ""),
    ]
}

/// The second pair of eyes is someone who neither wrote nor sent the alert: a head of mission
/// who rewrote an officer's draft and submitted it cannot approve it (before, only the
/// author was refused, so one person could write and approve an alert to thousands).
#[tokio::test]
async fn whoever_edited_or_submitted_an_alert_cannot_approve_it() {
    for app in apps(5).await {
        let mission = app.mission("PAR", "FR").await;
        let staff = |role, name: &str| {
            let email = unique_email(name);
            let app = &app;
            let mission = mission.clone();
            async move { app.staff(&email, &[(role, Some(mission.as_str()))]).await }
        };
        let author = staff(Role::ConsularOfficer, "officer").await;
        let editor = staff(Role::HeadOfMission, "head").await;
        let other = staff(Role::HeadOfMission, "deputy").await;
        people_in_beirut(&app.db, 9).await;
        let mut c = signed_in(&app, &author).await;
        let (id, path) = new_beirut_alert(&mut c).await;

        let mut h = signed_in(&app, &editor).await;
        let mut rewritten = fields(BEIRUT, "");
        rewritten[3] = ("headline_en", "Leave Beirut now");
        let res = h.submit(&path, &path, &rewritten).await;
        assert_eq!(res.location(), Some(path.as_str()), "{}", res.body);
        h.submit(&path, &format!("{path}/submit"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "pending_approval");
        let page = h.get(&format!("{path}?lang=en")).await;
        assert!(!page.body.contains(&format!("{path}/approve")), "no button");
        let res = h.submit(&path, &format!("{path}/approve"), &[]).await;
        assert_eq!(res.status, 403);
        assert_eq!(status(&app.db, &id).await, "pending_approval");

        // Someone else at the mission may.
        let mut d = signed_in(&app, &other).await;
        let page = d.get(&format!("{path}?lang=en")).await;
        assert!(
            page.body.contains(&format!("{path}/approve")),
            "{}",
            page.body
        );
        let res = d.submit(&path, &format!("{path}/approve"), &[]).await;
        assert_eq!(res.location(), Some(path.as_str()));
        assert_eq!(status(&app.db, &id).await, "sending");
    }
}

const BEIRUT: &str = "33.80,35.40 33.80,35.60 34.00,35.60 34.00,35.40 33.80,35.40";

/// A draft of the Beirut alert of [`fields`], written by whoever `c` is signed in as: its id
/// and page.
async fn new_beirut_alert(c: &mut Client<'_>) -> (String, String) {
    let res = c
        .submit(
            "/staff/alerts/new",
            "/staff/alerts/new",
            &fields(BEIRUT, ""),
        )
        .await;
    let id = alert_id(res.location());
    let path = format!("/staff/alerts/{id}");
    (id, path)
}

fn alert_id(location: Option<&str>) -> String {
    location
        .and_then(|l| l.strip_prefix("/staff/alerts/"))
        .unwrap_or_else(|| panic!("not an alert page: {location:?}"))
        .to_owned()
}

/// Whether `tool` can be used; fails when the environment requires it.
fn available(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !safir_store::testing::required(tool),
            "SAFIR_TEST_REQUIRE includes {tool} but it is not installed"
        );
        eprintln!("skipping the {tool} check: it is not installed");
    }
    ok
}

fn validate_cap(xml: &str) {
    if !available("xmllint") {
        return;
    }
    let xsd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cap/CAP-v1.2.xsd"
    );
    let mut child = Command::new("xmllint")
        .args(["--noout", "--schema", xsd, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "xmllint refused the CAP message: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The Paris mission and a consular officer of it.
async fn paris_officer(app: &TestApp) -> (String, Account) {
    let mission = app.mission("PAR", "FR").await;
    let officer = app
        .staff(
            &unique_email("officer"),
            &[(Role::ConsularOfficer, Some(mission.as_str()))],
        )
        .await;
    (mission, officer)
}

#[tokio::test]
async fn an_alert_is_approved_by_another_and_fanned_out_once() {
    for app in apps(5).await {
        let (mission, author) = paris_officer(&app).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(mission.as_str()))],
            )
            .await;
        people_in_beirut(&app.db, 9).await;
        let mut c = signed_in(&app, &author).await;

        let form = c.get("/staff/alerts/new?lang=en").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let (id, _) = new_beirut_alert(&mut c).await;
        let page = c.get(&format!("/staff/alerts/{id}?lang=en")).await;
        assert!(page.body.contains("Unrest in Beirut"));
        assert!(page.body.contains("<polygon"), "the area is drawn");
        // And said in words, as the grid zoomed to it cannot.
        assert!(
            page.body.contains(
                "between latitudes 33.80° N and 34.00° N and longitudes 35.40° E and 35.60° E"
            ),
            "{}",
            page.body
        );
        let ar = c.get(&format!("/staff/alerts/{id}?lang=ar")).await;
        assert!(
            ar.body
                .contains("بين خطَّي العرض 33.80 درجة شمالًا و34.00 درجة شمالًا"),
            "{}",
            ar.body
        );
        c.get(&format!("/staff/alerts/{id}?lang=en")).await;

        // The preview counts: 9 people, 9 emails, 3 text messages.
        let path = format!("/staff/alerts/{id}");
        c.submit(&path, &format!("{path}/preview"), &[]).await;
        let page = c.get(&format!("{path}?lang=en")).await;
        assert!(
            page.body.contains(r#"<dd id="audience-people">9</dd>"#),
            "{}",
            page.body
        );
        assert!(page.body.contains(r#"<dd id="audience-email">9</dd>"#));
        assert!(page.body.contains(r#"<dd id="audience-sms">3</dd>"#));
        assert!(page.body.contains("above the approval threshold"));

        // Submit twice (a double click): one change, waiting for approval, no fan-out yet.
        let token = c.get(&path).await.csrf_token().unwrap();
        c.post_form_with_token(&format!("{path}/submit"), &token, &[])
            .await;
        c.post_form_with_token(&format!("{path}/submit"), &token, &[])
            .await;
        assert_eq!(status(&app.db, &id).await, "pending_approval");
        let fanout_jobs = "SELECT COUNT(*) FROM jobs WHERE kind = 'crisis.fanout' AND payload LIKE '%' || $1 || '%'";
        assert_eq!(count(&app.db, fanout_jobs, &id).await, 0);

        // The author cannot approve (no permission, and not their own anyway).
        let own = c
            .post_form_with_token(&format!("{path}/approve"), &token, &[])
            .await;
        assert_eq!(own.status, 403);
        // A head of mission who wrote an alert cannot approve it either.
        let mut h = signed_in(&app, &head).await;
        let (heads, hpath) = new_beirut_alert(&mut h).await;
        h.submit(&hpath, &format!("{hpath}/submit"), &[]).await;
        assert_eq!(status(&app.db, &heads).await, "pending_approval");
        let selfie = h.submit(&hpath, &format!("{hpath}/approve"), &[]).await;
        assert_eq!(selfie.status, 403);
        assert_eq!(status(&app.db, &heads).await, "pending_approval");

        // The head approves the officer's alert, twice: sending, one fan-out job.
        let htoken = h.get(&path).await.csrf_token().unwrap();
        let res = h
            .post_form_with_token(&format!("{path}/approve"), &htoken, &[])
            .await;
        assert_eq!(res.location(), Some(path.as_str()));
        h.post_form_with_token(&format!("{path}/approve"), &htoken, &[])
            .await;
        assert_eq!(status(&app.db, &id).await, "sending");
        assert_eq!(count(&app.db, fanout_jobs, &id).await, 1);

        // The fan-out writes 12 deliveries and 9 check-ins, and enqueues delivery per channel.
        let report = fan_out(&app.db, &id).await.unwrap();
        assert_eq!(report.deliveries, 12);
        assert_eq!(report.checkins, 9);
        assert_eq!(report.jobs, 2);
        let deliveries = "SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1";
        let checkins =
            "SELECT COUNT(*) FROM crisis_checkins WHERE alert_id = $1 AND status = 'waiting'";
        assert_eq!(count(&app.db, deliveries, &id).await, 12);
        assert_eq!(count(&app.db, checkins, &id).await, 9);
        // Run again (a retried job): nothing more.
        let again = fan_out(&app.db, &id).await.unwrap();
        assert_eq!((again.deliveries, again.checkins, again.jobs), (0, 0, 0));
        // Even as if the first run died before finishing: rows are keyed.
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE crisis_alerts SET fanout_at = NULL WHERE id = $1").bind(&id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let rerun = fan_out(&app.db, &id).await.unwrap();
        assert_eq!((rerun.deliveries, rerun.checkins, rerun.jobs), (0, 0, 0));
        assert_eq!(count(&app.db, deliveries, &id).await, 12);
        // Or died after the deliveries' commit and before the check-ins' (PostgreSQL writes
        // them in two transactions side by side): the retry writes what is missing.
        with_pool!(app.db.write(), p => {
            sqlx::query("DELETE FROM crisis_checkins WHERE alert_id = $1").bind(&id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE crisis_alerts SET fanout_at = NULL WHERE id = $1").bind(&id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let rerun = fan_out(&app.db, &id).await.unwrap();
        assert_eq!((rerun.deliveries, rerun.checkins, rerun.jobs), (0, 9, 0));
        assert_eq!(count(&app.db, checkins, &id).await, 9);
        let deliver_jobs = "SELECT COUNT(*) FROM jobs WHERE kind = 'crisis.deliver' AND payload LIKE '%' || $1 || '%'";
        assert_eq!(count(&app.db, deliver_jobs, &id).await, 2);

        // Published: its CAP message is valid CAP 1.2, and the feed lists it.
        let mut public = app.client();
        let cap = public.get(&format!("/cap/{id}.xml")).await;
        assert_eq!(cap.status, 200);
        assert!(cap.body.contains("<msgType>Alert</msgType>"));
        assert!(cap.body.contains("<language>ar</language>"));
        assert!(cap.body.contains("Unrest in Beirut"));
        validate_cap(&cap.body);
        let feed = public.get("/cap/feed.atom").await;
        assert_eq!(feed.status, 200);
        assert!(feed.body.contains(&format!("/cap/{id}.xml")));
        // A draft or an alert awaiting approval is not public.
        assert_eq!(public.get(&format!("/cap/{heads}.xml")).await.status, 404);

        // Cancel: a Cancel message referencing the original, sent, stops its queue.
        let res = c.submit(&path, &format!("{path}/cancel"), &[]).await;
        let cancel = alert_id(res.location());
        assert_ne!(cancel, id);
        let cpath = format!("/staff/alerts/{cancel}");
        c.submit(&cpath, &format!("{cpath}/submit"), &[]).await;
        assert_eq!(status(&app.db, &cancel).await, "pending_approval");
        h.submit(&cpath, &format!("{cpath}/approve"), &[]).await;
        assert_eq!(status(&app.db, &cancel).await, "sending");
        assert_eq!(status(&app.db, &id).await, "cancelled");
        let stopped = "SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 AND status = 'failed' AND last_error = 'cancelled'";
        assert_eq!(count(&app.db, stopped, &id).await, 12);
        // The Cancel reaches the same people and asks none of them to check in again: a
        // new round would turn every answer already given into no answer.
        let told = fan_out(&app.db, &cancel).await.unwrap();
        assert_eq!((told.deliveries, told.checkins), (12, 0));
        assert_eq!(count(&app.db, checkins, &cancel).await, 0);
        assert_eq!(count(&app.db, checkins, &id).await, 9);
        let cap = public.get(&format!("/cap/{cancel}.xml")).await;
        assert!(cap.body.contains("<msgType>Cancel</msgType>"));
        assert!(cap.body.contains("<references>"));
        validate_cap(&cap.body);

        // Staff read CAP's codes in words, in their language; the XML keeps the codes.
        let sent = c.get(&format!("{path}?lang=ar")).await.body;
        for words in [
            "<dd>تنبيه</dd>",
            "الأمن: إنفاذ القانون والشؤون العسكرية",
            "تجنّب الحدث",
            "فوري: تصرّف الآن",
            "تهديد شديد",
            "مرجّح: احتماله أكبر من عدمه",
        ] {
            assert!(sent.contains(words), "{words}: {sent}");
        }
        for code in [
            ">Alert<",
            ">Security<",
            ">Avoid<",
            ">Immediate",
            "Severe",
            "Likely",
        ] {
            assert!(!sent.contains(code), "{code} shown as a code: {sent}");
        }
        // The CAP link is a path read left to right: its slash stays in front in Arabic.
        assert!(
            sent.contains(&format!(r#"<dd dir="ltr"><a href="/cap/{id}.xml">"#)),
            "{sent}"
        );
        let list = c.get("/staff/alerts?lang=ar").await.body;
        assert!(
            list.contains(r#"<td data-label="نوع الرسالة">إلغاء</td>"#),
            "{list}"
        );
        assert!(!list.contains(">Cancel</td>"), "{list}");
        let list = c.get("/staff/alerts?lang=en").await.body;
        assert!(
            list.contains(r#"<td data-label="Message type">Cancellation</td>"#),
            "{list}"
        );
        let form = c.get("/staff/alerts/new?lang=ar").await.body;
        assert!(
            form.contains(r#"<option value="Met">أرصاد جوية، ومنها الفيضانات</option>"#),
            "{form}"
        );

        let actions = app.audit_actions().await;
        for action in [
            "alert.create",
            "alert.preview",
            "alert.submit",
            "alert.approve",
            "alert.cancel",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
}

#[tokio::test]
async fn a_small_audience_goes_straight_out_and_a_bad_polygon_names_the_point() {
    for app in apps(1000).await {
        let (_, officer) = paris_officer(&app).await;
        people_in_beirut(&app.db, 2).await;
        let mut c = signed_in(&app, &officer).await;
        c.lang = Some("en");

        let bad = c
            .submit(
                "/staff/alerts/new",
                "/staff/alerts/new",
                &fields(
                    "33.80,35.40 33.80,35.60 95,35.60 34.00,35.40 33.80,35.40",
                    "",
                ),
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("point 3"), "{}", bad.body);
        assert!(
            bad.body.contains("Unrest in Beirut"),
            "what was typed stays"
        );
        let open = c
            .submit(
                "/staff/alerts/new",
                "/staff/alerts/new",
                &fields("33.80,35.40 33.80,35.60 34.00,35.60 34.00,35.40", ""),
            )
            .await;
        assert_eq!(open.status, 422);
        assert!(open.body.contains(r#"id="field-polygons-error""#));
        // A crisis that is not there (closed or removed since the page was drawn): the
        // error stands next to the crisis list.
        let mut gone = fields(
            "33.80,35.40 33.80,35.60 34.00,35.60 34.00,35.40 33.80,35.40",
            "",
        );
        gone.retain(|(name, _)| *name != "crisis");
        gone.push(("crisis", "no-such-crisis"));
        let res = c
            .submit("/staff/alerts/new", "/staff/alerts/new", &gone)
            .await;
        assert_eq!(res.status, 422);
        assert!(
            res.body.contains(r#"id="field-crisis-error""#),
            "{}",
            res.body
        );

        let (id, path) = new_beirut_alert(&mut c).await;
        c.submit(&path, &format!("{path}/submit"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "sending");
        let report = fan_out(&app.db, &id).await.unwrap();
        assert_eq!((report.deliveries, report.checkins), (3, 2));
    }
}

/// An alert whose expiry has passed is not sent: it would tell people what no longer holds.
/// The page says why, and the draft waits for a new expiry.
#[tokio::test]
async fn an_expired_alert_is_not_sent() {
    for app in apps(1000).await {
        let (_, officer) = paris_officer(&app).await;
        people_in_beirut(&app.db, 2).await;
        let mut c = signed_in(&app, &officer).await;
        c.lang = Some("en");
        let mut past = fields(BEIRUT, "");
        for (name, value) in past.iter_mut() {
            match *name {
                "onset" => *value = "2026-01-01T06:00",
                "expires" => *value = "2026-01-01T10:00",
                _ => {}
            }
        }
        let res = c
            .submit("/staff/alerts/new", "/staff/alerts/new", &past)
            .await;
        let id = alert_id(res.location());
        let path = format!("/staff/alerts/{id}");
        let res = c.submit(&path, &format!("{path}/submit"), &[]).await;
        assert_eq!(
            res.location(),
            Some(format!("{path}?problem=expired").as_str())
        );
        assert_eq!(status(&app.db, &id).await, "draft");
        let page = c.get(&format!("{path}?problem=expired")).await;
        assert!(
            page.body.contains("This alert expired before it was sent"),
            "{}",
            page.body
        );
        let jobs = count(
            &app.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'crisis.fanout' AND payload LIKE '%' || $1 || '%'",
            &id,
        )
        .await;
        assert_eq!(jobs, 0);
    }
}

#[tokio::test]
async fn an_update_supersedes_what_is_still_queued_of_its_original() {
    for app in apps(1000).await {
        let (_, officer) = paris_officer(&app).await;
        people_in_beirut(&app.db, 9).await;
        let mut c = signed_in(&app, &officer).await;
        let (id, path) = new_beirut_alert(&mut c).await;
        c.submit(&path, &format!("{path}/submit"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "sending");
        fan_out(&app.db, &id).await.unwrap();
        // Nothing delivered yet (a slow SMS queue, rows waiting for a retry) when the update
        // goes out: the earlier text reaches nobody after it.
        let res = c.submit(&path, &format!("{path}/update"), &[]).await;
        let update = alert_id(res.location());
        let upath = format!("/staff/alerts/{update}");
        c.submit(&upath, &format!("{upath}/submit"), &[]).await;
        assert_eq!(status(&app.db, &update).await, "sending");
        let superseded = "SELECT COUNT(*) FROM crisis_deliveries WHERE alert_id = $1 AND status = 'failed' AND last_error = 'superseded'";
        assert_eq!(count(&app.db, superseded, &id).await, 12);
        assert_eq!(status(&app.db, &id).await, "sending");
        // A row that was in flight then and put back for a retry (the gateway answered 503),
        // or one the original's fan-out wrote after the update: the delivery job's next slice
        // stops it before sending (before, it went out with the earlier text).
        with_pool!(app.db.write(), p => {
            sqlx::query(
                "UPDATE crisis_deliveries SET status = 'queued', last_error = NULL, failed_at = NULL \
                 WHERE id = (SELECT MIN(id) FROM crisis_deliveries WHERE alert_id = $1)",
            )
            .bind(&id)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })
        .unwrap();
        assert_eq!(
            safir_store::crisis::alerts::stop_superseded(&app.db, &id)
                .await
                .unwrap(),
            1
        );
        assert_eq!(count(&app.db, superseded, &id).await, 12);
        // The update itself is not superseded by anything.
        assert_eq!(
            safir_store::crisis::alerts::stop_superseded(&app.db, &update)
                .await
                .unwrap(),
            0
        );
    }
}

#[tokio::test]
async fn a_cap_alert_is_imported_as_a_draft() {
    for app in apps(1000).await {
        let (_, officer) = paris_officer(&app).await;
        let mut c = signed_in(&app, &officer).await;
        c.lang = Some("en");
        // Compose, send, take its CAP, import it again: the same alert comes back as a draft.
        let res = c
            .submit(
                "/staff/alerts/new",
                "/staff/alerts/new",
                &fields(BEIRUT, "LB"),
            )
            .await;
        let id = alert_id(res.location());
        let path = format!("/staff/alerts/{id}");
        c.submit(&path, &format!("{path}/submit"), &[]).await;
        let xml = app.client().get(&format!("/cap/{id}.xml")).await.body;

        let broken = xml.replace("<urgency>Immediate</urgency>", "<urgency>Soon</urgency>");
        let res = c
            .submit(
                "/staff/alerts/import",
                "/staff/alerts/import",
                &[("mission", "PAR"), ("xml", &broken)],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("urgency"), "{}", res.body);
        // A message that lacks a field of ours (no Arabic description) opens the compose form,
        // filled in, for staff to complete; completed, the import keeps its sender and
        // identifier and is recorded as an import (before, it became an alert of this site
        // with no source).
        let incomplete = xml.replace("<description>تجنبوا وسط المدينة.</description>", "");
        assert_ne!(incomplete, xml);
        let res = c
            .submit(
                "/staff/alerts/import",
                "/staff/alerts/import",
                &[("mission", "PAR"), ("xml", &incomplete)],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(
            res.body.contains(r#"action="/staff/alerts/new""#),
            "{}",
            res.body
        );
        let carried = res
            .body
            .split(r#"name="source" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the import's source is carried")
            .replace("&#58;", ":")
            .replace("&#47;", "/");
        let token = res.csrf_token().unwrap();
        let mut completed = fields(BEIRUT, "");
        completed.push(("source", &carried));
        let res = c
            .post_form_with_token("/staff/alerts/new", &token, &completed)
            .await;
        let completed_id = alert_id(res.location());
        let source: String = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT source FROM crisis_alerts WHERE id = $1").bind(&completed_id).fetch_one(p).await
        })
        .unwrap();
        assert_eq!(source, carried);
        assert!(source.contains(&id), "{source}");
        assert_eq!(
            app.audit_summaries("alert.import").await.len(),
            1,
            "recorded as an import"
        );
        // An exercise is not imported as a real alert, nor a cancellation as a new one.
        for (changed, said) in [
            (
                xml.replace("<status>Actual</status>", "<status>Exercise</status>"),
                "not a real alert (status Exercise)",
            ),
            (
                xml.replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"),
                "not a new alert (message type Cancel)",
            ),
        ] {
            let res = c
                .submit(
                    "/staff/alerts/import",
                    "/staff/alerts/import",
                    &[("mission", "PAR"), ("xml", &changed)],
                )
                .await;
            assert_eq!(res.status, 422);
            let body = res.body.replace(['\u{2068}', '\u{2069}'], "");
            assert!(body.contains(said), "{body}");
        }

        let res = c
            .submit(
                "/staff/alerts/import",
                "/staff/alerts/import",
                &[("mission", "PAR"), ("xml", &xml)],
            )
            .await;
        let imported = alert_id(res.location());
        assert_ne!(imported, id);
        assert_eq!(status(&app.db, &imported).await, "draft");
        let page = c.get(&format!("/staff/alerts/{imported}")).await;
        assert!(page.body.contains("Unrest in Beirut"));
        assert!(page.body.contains("اضطرابات في بيروت"));
        assert!(page.body.contains("Imported from"));
        // The same message imported again (a double click, or a week later): the alert the
        // first import made, edited since, is left as it is and shown, with a word.
        let mut edited = fields(BEIRUT, "LB");
        edited[7] = ("instruction_en", "Stay indoors after dark.");
        let edit = c
            .submit(
                &format!("/staff/alerts/{imported}"),
                &format!("/staff/alerts/{imported}"),
                &edited,
            )
            .await;
        assert!(edit.status.is_redirection(), "{}", edit.body);
        let imports = app.audit_summaries("alert.import").await.len();
        let copies = || async {
            let n: i64 = with_pool!(app.db.read(), p => {
                sqlx::query_scalar("SELECT COUNT(*) FROM crisis_alerts").fetch_one(p).await
            })
            .unwrap();
            n
        };
        let before = copies().await;
        let again = c
            .submit(
                "/staff/alerts/import",
                "/staff/alerts/import",
                &[("mission", "PAR"), ("xml", &xml)],
            )
            .await;
        assert_eq!(
            again.location(),
            Some(format!("/staff/alerts/{imported}?problem=imported").as_str())
        );
        let page = c.get(again.location().unwrap()).await;
        assert!(page.body.contains("was imported before"), "{}", page.body);
        assert!(
            page.body.contains("Stay indoors after dark."),
            "the edit is kept"
        );
        assert_eq!(app.audit_summaries("alert.import").await.len(), imports);
        assert_eq!(copies().await, before, "no second draft");
        let (countries, target): (String, String) = with_pool!(app.db.read(), p => {
            sqlx::query_as("SELECT a.area_desc, a.target FROM crisis_alerts a WHERE a.id = $1").bind(&imported).fetch_one(p).await
        })
        .unwrap();
        let _ = countries;
        let original: String = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT target FROM crisis_alerts WHERE id = $1").bind(&id).fetch_one(p).await
        })
        .unwrap();
        assert_eq!(target, original, "the same area");
        assert_eq!(app.audit_summaries("alert.import").await.len(), 2);
    }
}

#[tokio::test]
async fn a_crisis_is_declared_and_its_presence_form_switched() {
    for app in apps(1000).await {
        let (_, officer) = paris_officer(&app).await;
        let mut c = signed_in(&app, &officer).await;
        c.lang = Some("en");
        let list = c.get("/staff/crises").await;
        assert_eq!(list.status, 200);
        let bad = c
            .submit(
                "/staff/crises",
                "/staff/crises",
                &[
                    ("mission", "PAR"),
                    ("title_ar", "فيضانات"),
                    ("title_en", ""),
                    ("country", "LB"),
                    ("circles", "33.89,35.50 0"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains(r#"id="field-title_en-error""#));
        assert!(bad.body.contains(r#"id="field-circles-error""#));
        assert!(bad.body.contains("فيضانات"));
        let res = c
            .submit(
                "/staff/crises",
                "/staff/crises",
                &[
                    ("mission", "PAR"),
                    ("title_ar", "فيضانات"),
                    ("title_en", "Floods"),
                    ("country", "LB"),
                    ("circles", "33.89,35.50 30"),
                    ("presence_open", "on"),
                ],
            )
            .await;
        let location = res.location().unwrap().to_owned();
        assert!(location.starts_with("/staff/crises/"), "{}", res.body);
        let page = c.get(&location).await;
        assert!(page.body.contains("Floods"));
        assert!(page.body.contains("<polygon"));
        let id = location.trim_start_matches("/staff/crises/");
        let form = format!("/crisis/{id}/presence");
        assert!(
            page.body.contains(&format!("{ORIGIN}{form}")),
            "the public address to share: {}",
            page.body
        );
        // The home page announces the crisis and leads to its form, in each language.
        let mut visitor = app.client();
        for (lang, title, country) in [("en", "Floods", "Lebanon"), ("ar", "فيضانات", "لبنان")]
        {
            visitor.lang = Some(lang);
            let home = visitor.get("/").await;
            assert!(
                home.body.contains(&format!("href=\"{form}\"")),
                "{}",
                home.body
            );
            assert!(home.body.contains(title) && home.body.contains(country));
            assert_eq!(visitor.get(&form).await.status, 200);
        }
        c.submit(&location, &format!("{location}/presence"), &[("open", "0")])
            .await;
        let home = visitor.get("/").await;
        assert!(
            !home.body.contains(&form) && !home.body.contains("فيضانات"),
            "a closed form is no longer announced"
        );
        assert!(
            !c.get(&location)
                .await
                .body
                .contains(&format!("{ORIGIN}{form}"))
        );
        c.submit(&location, &format!("{location}/close"), &[]).await;
        let page = c.get(&location).await;
        assert!(page.body.contains("Closed"));
        let actions = app.audit_actions().await;
        for a in ["crisis.declare", "crisis.presence", "crisis.close"] {
            assert!(actions.iter().any(|x| x == a), "{a}");
        }
        // Another mission's officer does not see it.
        app.mission("DXB", "AE").await;
        let dxb = safir_store::missions::find_by_code(&app.db, "DXB")
            .await
            .unwrap()
            .unwrap();
        let other = app
            .staff(
                &unique_email("other"),
                &[(Role::ConsularOfficer, Some(dxb.id.as_str()))],
            )
            .await;
        let mut o = signed_in(&app, &other).await;
        assert_eq!(o.get(&location).await.status, 404);
    }
}

/// An approval is of the alert the approver read: one sent back and submitted again
/// meanwhile waits for approval again, but its approver has not seen it.
#[tokio::test]
async fn an_approval_from_a_page_shown_before_the_alert_changed_is_refused() {
    for app in apps(5).await {
        let (mission, author) = paris_officer(&app).await;
        let mut heads = Vec::new();
        for h in ["head-a", "head-b"] {
            let roles = [(Role::HeadOfMission, Some(mission.as_str()))];
            heads.push(app.staff(&unique_email(h), &roles).await);
        }
        people_in_beirut(&app.db, 9).await;
        let mut c = signed_in(&app, &author).await;
        let (id, path) = new_beirut_alert(&mut c).await;
        c.submit(&path, &format!("{path}/submit"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "pending_approval");

        // The first head opens the page; the second sends the alert back; the author submits
        // it again.
        let mut a = signed_in(&app, &heads[0]).await;
        let page = a.get(&path).await;
        let token = page.csrf_token().unwrap();
        let seen = page
            .body
            .split(r#"name="seen" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let mut b = signed_in(&app, &heads[1]).await;
        b.submit(&path, &format!("{path}/reject"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "draft");
        c.submit(&path, &format!("{path}/submit"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "pending_approval");

        let res = a
            .post_form_with_token(&format!("{path}/approve"), &token, &[("seen", &seen)])
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{path}?problem=changed").as_str())
        );
        assert_eq!(status(&app.db, &id).await, "pending_approval");
        // Read again, it is approved.
        a.submit(&path, &format!("{path}/approve"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "sending");
    }
}

/// Two members of staff editing one draft: the later save, from a page drawn before the
/// earlier one, is not written over it; what was typed comes back beside the draft as saved.
/// Once the draft was submitted, what was typed is still shown, not saved.
#[tokio::test]
async fn a_draft_saved_by_a_colleague_meanwhile_is_not_overwritten_unseen() {
    for app in apps(5).await {
        let (mission, author) = paris_officer(&app).await;
        let roles = [(Role::HeadOfMission, Some(mission.as_str()))];
        let head = app.staff(&unique_email("head"), &roles).await;
        people_in_beirut(&app.db, 9).await;
        let mut c = signed_in(&app, &author).await;
        let (id, path) = new_beirut_alert(&mut c).await;
        let en = format!("{path}?lang=en");
        let headline = |db: &Db| {
            let (db, id) = (db.clone(), id.clone());
            async move {
                safir_store::crisis::alerts::find(&db, &id)
                    .await
                    .unwrap()
                    .headline_en
            }
        };

        // Both open the draft; the head of mission saves a new instruction first.
        let mut h = signed_in(&app, &head).await;
        let page = c.get(&en).await;
        let token = page.csrf_token().unwrap();
        let seen = value_after(&page.body, r#"name="seen" value=""#).to_owned();
        let mut by_head = fields(BEIRUT, "");
        by_head[7] = ("instruction_en", "Leave by the northern road.");
        let res = h.submit(&en, &path, &by_head).await;
        assert_eq!(res.status, 303, "{}", res.body);

        // The author's save from the page drawn before: refused, typed text kept, the head's
        // version shown.
        let mut by_author = fields(BEIRUT, "");
        by_author[3] = ("headline_en", "Unrest spreading in Beirut");
        // With a mistake as well: still the stale page's answer (a 422 would draw the form
        // again from the head's version, and the corrected save would then overwrite it).
        let mut mistaken = by_author.clone();
        mistaken[2] = ("headline_ar", "");
        mistaken.push(("seen", &seen));
        let res = c.post_form_with_token(&en, &token, &mistaken).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(res.body.contains(r#"id="saved-meanwhile""#));
        let mut sent = by_author.clone();
        sent.push(("seen", &seen));
        let res = c.post_form_with_token(&en, &token, &sent).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(
            res.body
                .contains("Not saved: someone else changed this alert"),
            "{}",
            res.body
        );
        assert!(
            res.body.contains(r#"value="Unrest spreading in Beirut""#),
            "typed text kept"
        );
        assert!(res.body.contains(r#"id="saved-meanwhile""#));
        assert!(
            res.body.contains("Leave by the northern road."),
            "the head's version shown"
        );
        assert_eq!(headline(&app.db).await, "Unrest in Beirut");
        let instruction = safir_store::crisis::alerts::find(&app.db, &id)
            .await
            .unwrap()
            .instruction_en;
        assert_eq!(instruction, "Leave by the northern road.");

        // Saved again from that page (drawn from the head's version): written.
        let seen = value_after(&res.body, r#"name="seen" value=""#).to_owned();
        let token = res.csrf_token().unwrap();
        let mut sent = by_author.clone();
        sent.push(("seen", &seen));
        let res = c.post_form_with_token(&en, &token, &sent).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(headline(&app.db).await, "Unrest spreading in Beirut");

        // The head, on a page drawn before, saves after the author submitted: not saved, and
        // what was typed is on the page to copy.
        let page = h.get(&en).await;
        let token = page.csrf_token().unwrap();
        let seen = value_after(&page.body, r#"name="seen" value=""#).to_owned();
        c.submit(&en, &format!("{path}/submit"), &[]).await;
        assert_eq!(status(&app.db, &id).await, "pending_approval");
        let mut late = fields(BEIRUT, "");
        late[3] = ("headline_en", "Typed too late");
        late.push(("seen", &seen));
        let res = h.post_form_with_token(&en, &token, &late).await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(res.body.contains(r#"id="unsaved""#), "{}", res.body);
        assert!(res.body.contains("Typed too late"));
        assert_eq!(headline(&app.db).await, "Unrest spreading in Beirut");
    }
}

/// A declaration or a new alert sent twice (a double click, a retried request) declares one
/// crisis and opens one draft: two crises would each have a presence form and a board, the
/// people registering split between them.
#[tokio::test]
async fn a_crisis_or_alert_form_sent_twice_makes_one() {
    for app in apps(5).await {
        let (_, officer) = paris_officer(&app).await;
        let mut c = signed_in(&app, &officer).await;
        let (token, key) = c.form_key("/staff/crises").await;
        let declaration = [
            ("mission", "PAR"),
            ("title_ar", "فيضانات"),
            ("title_en", "Floods"),
            ("country", "LB"),
            ("presence_open", "on"),
            ("request_key", key.as_str()),
        ];
        let first = c
            .post_form_with_token("/staff/crises", &token, &declaration)
            .await;
        let again = c
            .post_form_with_token("/staff/crises", &token, &declaration)
            .await;
        assert!(
            first.location().unwrap().starts_with("/staff/crises/"),
            "{}",
            first.body
        );
        assert_eq!(again.location(), first.location());
        let crises = |db: &Db| {
            let db = db.clone();
            async move {
                safir_store::crisis::crises::list(&db, None)
                    .await
                    .unwrap()
                    .len()
            }
        };
        assert_eq!(crises(&app.db).await, 1);
        assert_eq!(app.audit_summaries("crisis.declare").await.len(), 1);
        // The form shown again declares another.
        let (token, key) = c.form_key("/staff/crises").await;
        let mut other = declaration;
        other[5] = ("request_key", key.as_str());
        c.post_form_with_token("/staff/crises", &token, &other)
            .await;
        assert_eq!(crises(&app.db).await, 2);

        let (token, key) = c.form_key("/staff/alerts/new").await;
        let mut sent = fields(BEIRUT, "");
        sent.push(("request_key", &key));
        let first = c
            .post_form_with_token("/staff/alerts/new", &token, &sent)
            .await;
        let again = c
            .post_form_with_token("/staff/alerts/new", &token, &sent)
            .await;
        assert_eq!(again.location(), first.location());
        assert_eq!(
            count(
                &app.db,
                "SELECT COUNT(*) FROM crisis_alerts WHERE headline_en = $1",
                "Unrest in Beirut"
            )
            .await,
            1
        );
        assert_eq!(app.audit_summaries("alert.create").await.len(), 1);
        // Sent again with a correction typed meanwhile: the same draft, holding the later words.
        let mut corrected = fields(BEIRUT, "");
        corrected[3] = ("headline_en", "Unrest in central Beirut");
        corrected.push(("request_key", &key));
        let res = c
            .post_form_with_token("/staff/alerts/new", &token, &corrected)
            .await;
        assert_eq!(res.location(), first.location());
        let id = alert_id(first.location());
        let draft = safir_store::crisis::alerts::find(&app.db, &id)
            .await
            .unwrap();
        assert_eq!(draft.headline_en, "Unrest in central Beirut");
        assert_eq!(app.audit_summaries("alert.edit").await.len(), 1);
    }
}

/// Once a Cancel of an alert's thread went out the event is over: the alert (already
/// completed, or an update of it) is not cancelled or updated again, an update opened before
/// is not sent, and a second "Cancel this alert" opens the same draft rather than another.
#[tokio::test]
async fn a_cancelled_alert_is_not_cancelled_updated_or_followed_again() {
    for app in apps(1000).await {
        let (_, officer) = paris_officer(&app).await;
        people_in_beirut(&app.db, 3).await;
        let mut c = signed_in(&app, &officer).await;
        let (id, path) = new_beirut_alert(&mut c).await;
        c.submit(&path, &format!("{path}/submit"), &[]).await;
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE crisis_alerts SET status = 'completed' WHERE id = $1")
                .bind(&id).execute(p).await.map(|r| r.rows_affected())
        })
        .unwrap();
        let res = c.submit(&path, &format!("{path}/update"), &[]).await;
        let update = alert_id(res.location());
        let again = c.submit(&path, &format!("{path}/update"), &[]).await;
        assert_eq!(alert_id(again.location()), update, "one open update");

        let first = c.submit(&path, &format!("{path}/cancel"), &[]).await;
        let cancel = alert_id(first.location());
        let second = c.submit(&path, &format!("{path}/cancel"), &[]).await;
        assert_eq!(alert_id(second.location()), cancel, "one open cancel");
        let cancels =
            "SELECT COUNT(*) FROM crisis_alerts WHERE references_id = $1 AND msg_type = 'Cancel'";
        assert_eq!(count(&app.db, cancels, &id).await, 1);
        let cpath = format!("/staff/alerts/{cancel}");
        c.submit(&cpath, &format!("{cpath}/submit"), &[]).await;
        assert_eq!(status(&app.db, &cancel).await, "sending");

        let alerts = "SELECT COUNT(*) FROM crisis_alerts WHERE $1 = $1";
        let before = count(&app.db, alerts, &id).await;
        for action in ["cancel", "update"] {
            let res = c.submit(&path, &format!("{path}/{action}"), &[]).await;
            assert_eq!(
                res.location(),
                Some(format!("{path}?problem=cancelled").as_str()),
                "{action}"
            );
        }
        let res = c.submit(&cpath, &format!("{cpath}/update"), &[]).await;
        assert!(res.location().unwrap().ends_with("?problem=changed"));
        assert_eq!(count(&app.db, alerts, &id).await, before, "nothing new");
        let page = c.get(&path).await;
        assert!(
            !page.body.contains(&format!("{path}/cancel")),
            "{}",
            page.body
        );
        assert!(!page.body.contains(&format!("{path}/update")));
        let told = c.get(&format!("{path}?problem=cancelled")).await;
        assert!(told.body.contains("the event is over"), "{}", told.body);

        // The update opened before the Cancel stays a draft.
        let upath = format!("/staff/alerts/{update}");
        let res = c.submit(&upath, &format!("{upath}/submit"), &[]).await;
        assert_eq!(
            res.location(),
            Some(format!("{upath}?problem=cancelled").as_str())
        );
        assert_eq!(status(&app.db, &update).await, "draft");
    }
}

/// A closed crisis takes no new alert: people would be asked to reply SAFE or HELP, and
/// nothing takes their answers any more. Creating, submitting or approving one is refused
/// with the reason, what was typed kept. An Update or a Cancel of an alert already sent still
/// goes out (an "all clear"), for information only: nobody is asked to check in.
#[tokio::test]
async fn a_closed_crisis_takes_no_new_alert_but_follow_ups_inform() {
    for app in apps(5).await {
        let (mission, officer) = paris_officer(&app).await;
        let head = app
            .staff(
                &unique_email("head"),
                &[(Role::HeadOfMission, Some(mission.as_str()))],
            )
            .await;
        people_in_beirut(&app.db, 9).await;
        let mut c = signed_in(&app, &officer).await;
        c.lang = Some("en");
        let mut h = signed_in(&app, &head).await;
        h.lang = Some("en");
        let res = c
            .submit(
                "/staff/crises",
                "/staff/crises",
                &[
                    ("mission", "PAR"),
                    ("title_ar", "اضطرابات"),
                    ("title_en", "Unrest"),
                    ("country", "LB"),
                    ("circles", "33.89,35.50 30"),
                ],
            )
            .await;
        let crisis_page = res.location().unwrap().to_owned();
        let crisis = crisis_page.trim_start_matches("/staff/crises/").to_owned();
        let mut in_crisis = fields(BEIRUT, "");
        for (k, v) in in_crisis.iter_mut() {
            if *k == "crisis" {
                *v = &crisis;
            }
        }
        // Sent while the crisis is open: 9 check-ins.
        let sent = new_alert_with(&mut c, &in_crisis).await;
        let sent_path = format!("/staff/alerts/{sent}");
        c.submit(&sent_path, &format!("{sent_path}/submit"), &[])
            .await;
        h.submit(&sent_path, &format!("{sent_path}/approve"), &[])
            .await;
        assert_eq!(status(&app.db, &sent).await, "sending");
        assert_eq!(fan_out(&app.db, &sent).await.unwrap().checkins, 9);
        // One waiting for approval, one a draft.
        let waiting = new_alert_with(&mut c, &in_crisis).await;
        let waiting_path = format!("/staff/alerts/{waiting}");
        c.submit(&waiting_path, &format!("{waiting_path}/submit"), &[])
            .await;
        assert_eq!(status(&app.db, &waiting).await, "pending_approval");
        let draft = new_alert_with(&mut c, &in_crisis).await;
        let draft_path = format!("/staff/alerts/{draft}");

        c.submit(&crisis_page, &format!("{crisis_page}/close"), &[])
            .await;

        // Approving or submitting after the close is refused, with the reason.
        let res = h
            .submit(&waiting_path, &format!("{waiting_path}/approve"), &[])
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{waiting_path}?problem=crisis-closed").as_str())
        );
        assert_eq!(status(&app.db, &waiting).await, "pending_approval");
        let page = h
            .get(&format!("{waiting_path}?problem=crisis-closed"))
            .await;
        assert!(
            page.body.contains("The crisis of this alert is closed"),
            "{}",
            page.body
        );
        let res = c
            .submit(&draft_path, &format!("{draft_path}/submit"), &[])
            .await;
        assert_eq!(
            res.location(),
            Some(format!("{draft_path}?problem=crisis-closed").as_str())
        );
        assert_eq!(status(&app.db, &draft).await, "draft");
        let fanouts = "SELECT COUNT(*) FROM jobs WHERE kind = 'crisis.fanout' AND payload LIKE '%' || $1 || '%'";
        assert_eq!(count(&app.db, fanouts, &waiting).await, 0);
        assert_eq!(count(&app.db, fanouts, &draft).await, 0);

        // A new alert in it is refused on its form, what was typed kept.
        let res = c
            .submit("/staff/alerts/new", "/staff/alerts/new", &in_crisis)
            .await;
        assert_eq!(res.status, 422, "{:?}", res.location());
        assert!(
            res.body.contains("This crisis has been closed"),
            "{}",
            res.body
        );
        assert!(res.body.contains("Unrest in Beirut"));

        // What the alert sent before the close still has to send goes without the personal
        // link: nothing takes the answers any more.
        let dir = std::env::temp_dir().join(format!(
            "safir-closed-crisis-{}",
            uuid::Uuid::now_v7().as_simple()
        ));
        // In English, whose text the files keep readable.
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE crisis_deliveries SET lang = 'en' WHERE alert_id = $1")
                .bind(&sent)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })
        .unwrap();
        let job = crate::crisis_delivery::deliver_job(&app.db, &dir);
        {
            use safir_store::jobs::{ClaimedJob, JobHandler};
            job.run(&ClaimedJob {
                id: "j1".into(),
                kind: safir_web::crisis::delivery::DELIVER_JOB.into(),
                payload: serde_json::json!({"alert_id": sent, "channel": "email"}).to_string(),
                attempts: 0,
                max_attempts: 5,
            })
            .await
            .expect("delivered");
        }
        let mails: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .map(|e| {
                std::fs::read_to_string(e.path())
                    .unwrap()
                    .replace("=\r\n", "")
            })
            .collect();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(mails.len(), 9);
        for mail in &mails {
            assert!(mail.contains("Unrest in Beirut"), "{mail}");
            assert!(!mail.contains("/crisis/checkin/"), "{mail}");
        }

        // An update of the alert sent before the close goes out, asking nobody to check in.
        let res = c
            .submit(&sent_path, &format!("{sent_path}/update"), &[])
            .await;
        let update = alert_id(res.location());
        let update_path = format!("/staff/alerts/{update}");
        // Its page says so before it is sent.
        let page = c.get(&update_path).await;
        assert!(
            page.body
                .contains("this message goes out for information only"),
            "{}",
            page.body
        );
        c.submit(&update_path, &format!("{update_path}/submit"), &[])
            .await;
        h.submit(&update_path, &format!("{update_path}/approve"), &[])
            .await;
        assert_eq!(status(&app.db, &update).await, "sending");
        let told = fan_out(&app.db, &update).await.unwrap();
        assert_eq!((told.deliveries, told.checkins), (12, 0));
        let reminders = "SELECT COUNT(*) FROM jobs WHERE kind <> 'crisis.fanout' AND kind <> 'crisis.deliver' AND payload LIKE '%' || $1 || '%'";
        assert_eq!(count(&app.db, reminders, &update).await, 0);
        // And so does a Cancel.
        let res = c
            .submit(&update_path, &format!("{update_path}/cancel"), &[])
            .await;
        let cancel = alert_id(res.location());
        let cancel_path = format!("/staff/alerts/{cancel}");
        c.submit(&cancel_path, &format!("{cancel_path}/submit"), &[])
            .await;
        h.submit(&cancel_path, &format!("{cancel_path}/approve"), &[])
            .await;
        assert_eq!(status(&app.db, &cancel).await, "sending");
    }
}

/// A new draft written on the form with `fields`: its id.
async fn new_alert_with(c: &mut Client<'_>, fields: &[(&str, &str)]) -> String {
    let res = c
        .submit("/staff/alerts/new", "/staff/alerts/new", fields)
        .await;
    alert_id(res.location())
}
