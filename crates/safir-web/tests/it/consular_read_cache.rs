//! The case queue and the applicant's status page are kept in memory for a moment
//! (`consular.read_cache_seconds`): a change made through this process shows on the very
//! next request; one made behind its back (another process, or a statement outside the
//! consular store) within the cache time. Who may see a page and the audit of the officers'
//! reads do not depend on it.

use std::time::Duration;

use safir_domain::consular::case::CaseKind;
use safir_store::consular::cases::Case;
use safir_store::testing::TestDb;
use safir_store::with_pool;
use safir_web::state::{ConsularConfig, WebConfig};

use crate::admin_support::signed_in;
use crate::consular_officer::{World, world};
use crate::harness::{Client, TestApp, unique_email};

async fn apps_with_cache(ttl: Duration) -> Vec<TestApp> {
    apps_with_caches(ttl, WebConfig::default().auth_cache_ttl).await
}

/// Apps on every backend keeping consular reads for `ttl` and sessions, missions and staff
/// lists for `auth_ttl`.
async fn apps_with_caches(ttl: Duration, auth_ttl: Duration) -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in TestDb::all().await {
        let config = WebConfig {
            consular: ConsularConfig {
                read_cache_ttl: ttl,
                ..ConsularConfig::default()
            },
            auth_cache_ttl: auth_ttl,
            ..WebConfig::default()
        };
        out.push(TestApp::with_config(db, config).await);
    }
    out
}

/// The Paris world with one passport renewal submitted in `name`, and its officer signed in.
async fn one_submitted<'a>(app: &'a TestApp, name: &str) -> (World, Case, Client<'a>) {
    let w = world(app).await;
    let case = w
        .application(name, CaseKind::PassportRenewal)
        .submit(app)
        .await;
    let officer = signed_in(app, &w.officer).await;
    (w, case, officer)
}

/// The officer moves the submitted case into review through the case page.
async fn start_review(officer: &mut Client<'_>, case_id: &str) {
    let page = format!("/missions/PAR/cases/{case_id}");
    let r = officer
        .submit(
            &page,
            &format!("{page}/act"),
            &[("action", "start_review"), ("expected_state", "submitted")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Moves the case into review the way another process would: straight in the database,
/// without this process's consular store knowing.
async fn review_behind_its_back(app: &TestApp, case_id: &str) {
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE cases SET state = 'in_review' WHERE id = $1")
            .bind(case_id)
            .execute(p)
            .await
            .map(|_| ())
    })
    .unwrap();
}

const IN_REVIEW: &str = "/missions/PAR/cases?state=in_review&lang=en";

fn shows_state(body: &str, state: &str) -> bool {
    body.contains(&format!(r#"id="case-state">{state}<"#))
}

#[tokio::test]
async fn a_move_made_through_the_app_shows_on_the_next_queue_and_status_request() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let (w, case, mut officer) = one_submitted(&app, "Amal Hassan").await;
        let reference = case.reference.clone().unwrap();
        let mut applicant = signed_in(&app, &w.applicant).await;
        let status = format!("/account/cases/{}?lang=en", case.id);

        for _ in 0..2 {
            let queue = officer.get(IN_REVIEW).await;
            assert_eq!(queue.status, 200, "{}", queue.body);
            assert!(!queue.body.contains(&reference), "not in review yet");
            let mine = applicant.get(&status).await;
            assert_eq!(mine.status, 200, "{}", mine.body);
            assert!(shows_state(&mine.body, "Submitted"), "{}", mine.body);
        }

        start_review(&mut officer, &case.id).await;

        let queue = officer.get(IN_REVIEW).await;
        assert!(queue.body.contains(&reference), "{}", queue.body);
        let mine = applicant.get(&status).await;
        assert!(shows_state(&mine.body, "In review"), "{}", mine.body);
    }
}

#[tokio::test]
async fn a_message_from_the_mission_shows_on_the_applicants_next_status_request() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let (w, case, mut officer) = one_submitted(&app, "Bilal Nasser").await;
        let mut applicant = signed_in(&app, &w.applicant).await;
        let status = format!("/account/cases/{}?lang=en", case.id);
        let text = "Please bring the original passport on Tuesday.";
        assert!(!applicant.get(&status).await.body.contains(text));
        assert!(!applicant.get(&status).await.body.contains(text));

        let page = format!("/missions/PAR/cases/{}", case.id);
        let r = officer.write_on_case(&page, text).await;
        assert_eq!(r.status, 303, "{}", r.body);

        let mine = applicant.get(&status).await;
        assert!(mine.body.contains(text), "{}", mine.body);
    }
}

#[tokio::test]
async fn with_no_cache_time_every_request_reads_the_database() {
    for app in apps_with_cache(Duration::ZERO).await {
        let (w, case, mut officer) = one_submitted(&app, "Carla Mendes").await;
        let reference = case.reference.clone().unwrap();
        let mut applicant = signed_in(&app, &w.applicant).await;
        let status = format!("/account/cases/{}?lang=en", case.id);
        assert!(!officer.get(IN_REVIEW).await.body.contains(&reference));
        assert!(shows_state(&applicant.get(&status).await.body, "Submitted"));

        review_behind_its_back(&app, &case.id).await;

        assert!(officer.get(IN_REVIEW).await.body.contains(&reference));
        assert!(shows_state(&applicant.get(&status).await.body, "In review"));
    }
}

#[tokio::test]
async fn a_change_made_elsewhere_shows_once_the_cache_time_is_over() {
    for app in apps_with_cache(Duration::from_millis(300)).await {
        let (w, case, mut officer) = one_submitted(&app, "Dina Farouk").await;
        let reference = case.reference.clone().unwrap();
        let mut applicant = signed_in(&app, &w.applicant).await;
        let status = format!("/account/cases/{}?lang=en", case.id);
        assert!(!officer.get(IN_REVIEW).await.body.contains(&reference));
        assert!(shows_state(&applicant.get(&status).await.body, "Submitted"));

        review_behind_its_back(&app, &case.id).await;
        tokio::time::sleep(Duration::from_millis(400)).await;

        assert!(officer.get(IN_REVIEW).await.body.contains(&reference));
        assert!(shows_state(&applicant.get(&status).await.body, "In review"));
    }
}

#[tokio::test]
async fn every_view_of_the_queue_is_audited_even_when_kept_in_memory() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let (_, _, mut officer) = one_submitted(&app, "Emad Said").await;
        for _ in 0..3 {
            let queue = officer.get("/missions/PAR/cases?state=submitted").await;
            assert_eq!(queue.status, 200, "{}", queue.body);
        }
        let lists = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "case.list")
            .count();
        assert_eq!(lists, 3);
    }
}

#[tokio::test]
async fn an_applicant_never_sees_another_applicants_case_through_the_cache() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let w = world(&app).await;
        let other = app.public_user(&unique_email("other")).await;
        let theirs = w
            .application("Farah Odeh", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let mine = crate::consular_officer::Application {
            applicant: &other.id,
            ..w.application("Ghada Saleh", CaseKind::PassportRenewal)
        }
        .submit(&app)
        .await;
        let mut owner = signed_in(&app, &w.applicant).await;
        let mut stranger = signed_in(&app, &other).await;
        let theirs_page = format!("/account/cases/{}?lang=en", theirs.id);
        let mine_page = format!("/account/cases/{}?lang=en", mine.id);

        // Each page is read once by its owner, so it is in memory when the other asks.
        assert_eq!(owner.get(&theirs_page).await.status, 200);
        assert_eq!(stranger.get(&mine_page).await.status, 200);
        let peek = stranger.get(&theirs_page).await;
        assert_eq!(peek.status, 404);
        assert!(!peek.body.contains("Farah Odeh"));
        let peek = owner.get(&mine_page).await;
        assert_eq!(peek.status, 404);
        assert!(!peek.body.contains("Ghada Saleh"));
        // And the owners still see their own.
        assert_eq!(owner.get(&theirs_page).await.status, 200);
        assert_eq!(stranger.get(&mine_page).await.status, 200);
    }
}

/// The state cell of the queue's row for `reference` (the table's rows only, not the counts).
fn row_state(body: &str, reference: &str) -> Option<String> {
    let row = &body[body.find(&format!(">{reference}</a>"))?..];
    let row = &row[..row.find("</tr>")?];
    // After the reference's cell: service, applicant, then the state.
    let cell = row.split("<td>").nth(3)?;
    Some(cell[..cell.find("</td>")?].to_owned())
}

#[tokio::test]
async fn a_queue_kept_drawn_shows_a_move_made_through_the_app_on_the_next_request() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let (_, case, mut officer) = one_submitted(&app, "Hana Khalil").await;
        let reference = case.reference.clone().unwrap();
        let queue = "/missions/PAR/cases?lang=en";
        for _ in 0..3 {
            let body = officer.get(queue).await.body;
            assert_eq!(row_state(&body, &reference).as_deref(), Some("Submitted"));
        }

        start_review(&mut officer, &case.id).await;

        let body = officer.get(queue).await.body;
        assert_eq!(row_state(&body, &reference).as_deref(), Some("In review"));
    }
}

#[tokio::test]
async fn a_queue_kept_drawn_shows_a_change_made_elsewhere_once_the_cache_time_is_over() {
    for app in apps_with_cache(Duration::from_millis(300)).await {
        let (_, case, mut officer) = one_submitted(&app, "Iman Rashid").await;
        let reference = case.reference.clone().unwrap();
        let queue = "/missions/PAR/cases?lang=en";
        for _ in 0..2 {
            let body = officer.get(queue).await.body;
            assert_eq!(row_state(&body, &reference).as_deref(), Some("Submitted"));
        }
        review_behind_its_back(&app, &case.id).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let body = officer.get(queue).await.body;
        assert_eq!(row_state(&body, &reference).as_deref(), Some("In review"));
    }
}

#[tokio::test]
async fn a_queue_kept_drawn_is_never_shown_in_another_language_filter_or_officers_view() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let w = world(&app).await;
        let passport = w
            .application("Jamil Aziz", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let visa = w
            .application("Karim Haddad", CaseKind::Visa)
            .submit(&app)
            .await;
        let (passport_ref, visa_ref) = (passport.reference.unwrap(), visa.reference.unwrap());
        let colleague = app
            .staff(
                &unique_email("colleague"),
                &[(safir_domain::roles::Role::ConsularOfficer, Some(&w.paris))],
            )
            .await;
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            safir_store::consular::cases::assign(
                &mut tx,
                &passport.id,
                &w.paris,
                None,
                Some(&w.officer.id)
            )
            .await
            .unwrap()
        );
        assert!(
            safir_store::consular::cases::assign(
                &mut tx,
                &visa.id,
                &w.paris,
                None,
                Some(&colleague.id)
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        let mut officer = signed_in(&app, &w.officer).await;
        let mut other = signed_in(&app, &colleague).await;

        // Each view twice, so the second is drawn from memory.
        for _ in 0..2 {
            let en = officer.get("/missions/PAR/cases?lang=en").await.body;
            assert_eq!(row_state(&en, &passport_ref).as_deref(), Some("Submitted"));
            let ar = officer.get("/missions/PAR/cases?lang=ar").await.body;
            assert_eq!(row_state(&ar, &passport_ref).as_deref(), Some("مقدَّم"));
            assert_eq!(row_state(&ar, &visa_ref).as_deref(), Some("مقدَّم"));

            let visas = officer
                .get("/missions/PAR/cases?kind=visa&lang=en")
                .await
                .body;
            assert!(visas.contains(&visa_ref) && !visas.contains(&passport_ref));
            let passports = officer
                .get("/missions/PAR/cases?kind=passport_renewal&lang=en")
                .await
                .body;
            assert!(passports.contains(&passport_ref) && !passports.contains(&visa_ref));

            // "Assigned to me" is each officer's own list.
            let mine = officer
                .get("/missions/PAR/cases?assignee=me&lang=en")
                .await
                .body;
            assert!(
                mine.contains(&passport_ref) && !mine.contains(&visa_ref),
                "{mine}"
            );
            let theirs = other
                .get("/missions/PAR/cases?assignee=me&lang=en")
                .await
                .body;
            assert!(
                theirs.contains(&visa_ref) && !theirs.contains(&passport_ref),
                "{theirs}"
            );
        }

        // And every one of those views is on record.
        let lists = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "case.list")
            .count();
        assert_eq!(lists, 12);
    }
}

/// The count shown beside `state` in the queue's state counts.
fn state_count(body: &str, state: &str) -> Option<i64> {
    let link = format!("?state={state}\">");
    let after = &body[body.find(&link)? + link.len()..];
    let count = &after[after.find("<span class=\"count\">")? + 20..];
    count[..count.find('<')?].parse().ok()
}

#[tokio::test]
async fn the_filter_form_kept_drawn_shows_new_counts_officers_and_what_was_typed() {
    for app in apps_with_cache(Duration::from_secs(60)).await {
        let (w, _, mut officer) = one_submitted(&app, "Lina Saleh").await;
        let queue = "/missions/PAR/cases?lang=en";
        for _ in 0..2 {
            let body = officer.get(queue).await.body;
            assert_eq!(state_count(&body, "submitted"), Some(1), "{body}");
        }

        // A case submitted through the app moves the count on the next view.
        w.application("Maha Nasser", CaseKind::Visa)
            .submit(&app)
            .await;
        let body = officer.get(queue).await.body;
        assert_eq!(state_count(&body, "submitted"), Some(2));

        // A new colleague can be chosen as assignee on the next view.
        let colleague = app
            .staff(
                &unique_email("newcomer"),
                &[(safir_domain::roles::Role::ConsularOfficer, Some(&w.paris))],
            )
            .await;
        let body = officer.get(queue).await.body;
        assert!(
            body.contains(&format!("<option value=\"{}\"", colleague.id)),
            "{body}"
        );

        // Each search is shown back as typed, also when one is the other with a space.
        for q in ["Maha", "Maha ", "Lina"] {
            let url = format!("{queue}&q={}", q.replace(' ', "+"));
            for _ in 0..2 {
                let body = officer.get(&url).await.body;
                assert!(body.contains(&format!("value=\"{q}\"")), "{q}: {body}");
            }
        }

        // And in the language asked for.
        let ar = officer.get("/missions/PAR/cases?lang=ar").await.body;
        assert!(ar.contains("مقدَّم <span class=\"count\">2</span>"), "{ar}");
        let en = officer.get(queue).await.body;
        assert!(
            en.contains("Submitted <span class=\"count\">2</span>"),
            "{en}"
        );
    }
}

#[tokio::test]
async fn the_filter_form_kept_drawn_shows_an_officer_renamed_elsewhere_once_the_names_are_read_again()
 {
    // The queue's caches keep for a minute; the officers' names are read again after 200 ms.
    for app in apps_with_caches(Duration::from_secs(60), Duration::from_millis(200)).await {
        let (w, _, mut officer) = one_submitted(&app, "Nour Fadel").await;
        let queue = "/missions/PAR/cases?lang=en";
        for _ in 0..2 {
            let body = officer.get(queue).await.body;
            assert!(!body.contains("Renamed Elsewhere"), "{body}");
        }
        with_pool!(app.db.write(), p => {
            sqlx::query("UPDATE users SET display_name = 'Renamed Elsewhere' WHERE id = $1")
                .bind(&w.officer.id)
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let body = officer.get(queue).await.body;
        assert!(
            body.contains(&format!(
                "<option value=\"{}\">Renamed Elsewhere</option>",
                w.officer.id
            )),
            "{body}"
        );
    }
}

/// An appointment booked for the case, and its cancellation, show on the applicant's next
/// status request (bookings are writes the kept status pages follow).
#[tokio::test]
async fn an_appointment_for_the_case_shows_on_the_applicants_next_status_request() {
    use safir_domain::consular::appointments::{ServiceCode, Slot, SlotScope};
    use safir_store::consular::appointments::{self as appts, NewBooking};

    for app in apps_with_cache(Duration::from_secs(60)).await {
        let (w, case, _) = one_submitted(&app, "Bilal Nasser").await;
        let mut applicant = signed_in(&app, &w.applicant).await;
        let status = format!("/account/cases/{}?lang=en", case.id);
        assert!(
            !applicant
                .get(&status)
                .await
                .body
                .contains("case-appointments")
        );

        let start = chrono::Utc::now() + chrono::Duration::days(3);
        let slot = Slot {
            scope: SlotScope::AllServices,
            start,
            end: start + chrono::Duration::minutes(20),
            capacity: 2,
            local_date: start.date_naive(),
            local_start: start.time(),
        };
        let service = ServiceCode::parse("passport_renewal").unwrap();
        let mut tx = app.db.begin().await.unwrap();
        let booking = appts::book(
            &mut tx,
            &NewBooking {
                mission_id: &w.paris,
                user_id: &w.applicant.id,
                service: &service,
                case_id: Some(&case.id),
                slot: &slot,
                lang: "en",
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let shown = applicant.get(&status).await;
        assert!(
            shown.body.contains(r#"id="case-appointments""#),
            "{}",
            shown.body
        );

        let mut tx = app.db.begin().await.unwrap();
        appts::cancel(&mut tx, &booking.id, None).await.unwrap();
        tx.commit().await.unwrap();
        let shown = applicant.get(&status).await;
        assert!(!shown.body.contains("case-appointments"), "{}", shown.body);
    }
}
