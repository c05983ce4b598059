//! The officers' queue: filters, pages, unreadable filter values shown back with their error,
//! the CSV export (byte-order mark, formulas defused, Arabic intact), the SLA board and the
//! dashboard panel.

use safir_domain::consular::case::{Actor, CaseAction, CaseKind};
use safir_domain::roles::Role;
use safir_store::consular::cases;

use crate::admin_support::signed_in;
use crate::consular_officer::{store_move, world};
use crate::harness::{TestApp, unique_email};

/// The href of the "next page" link, unescaped.
fn next_href(body: &str) -> Option<String> {
    let at = body.find(r#"rel="next" id="next-page""#)?;
    let start = body[..at].rfind("href=\"")? + 6;
    let end = body[start..].find('"')? + start;
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

fn rows(body: &str) -> usize {
    body.matches("<tr class=\"case-row").count()
}

#[tokio::test]
async fn the_queue_filters_and_pages() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let mut refs = Vec::new();
        for (name, kind) in [
            ("Amal Hassan", CaseKind::PassportRenewal),
            ("Bilal Nasser", CaseKind::PassportRenewal),
            ("Carla Mendes", CaseKind::Visa),
            ("Dina Farouk", CaseKind::Visa),
        ] {
            let c = w.application(name, kind).submit(&app).await;
            refs.push((c.id.clone(), c.reference.unwrap()));
        }
        let late = crate::consular_officer::Application {
            due_days: -1,
            ..w.application("Emad Late", CaseKind::PassportRenewal)
        }
        .submit(&app)
        .await;
        refs.push((late.id.clone(), late.reference.clone().unwrap()));
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            cases::assign(&mut tx, &refs[0].0, &w.paris, None, Some(&w.officer.id))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        store_move(&app, &refs[1].0, CaseAction::StartReview, Actor::Officer).await;
        let mut officer = signed_in(&app, &w.officer).await;

        // Pages of two, through every case once.
        let mut seen = Vec::new();
        let mut next = Some("/missions/PAR/cases?per=2&lang=en".to_owned());
        let mut pages = 0;
        while let Some(href) = next {
            let page = officer.get(&href).await;
            assert_eq!(page.status, 200, "{}", page.body);
            assert!(rows(&page.body) <= 2);
            for (_, r) in &refs {
                if page.body.contains(r.as_str()) {
                    seen.push(r.clone());
                }
            }
            next = next_href(&page.body);
            pages += 1;
        }
        assert_eq!(pages, 3);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5, "each case on exactly one page");

        let only = |body: &str, wanted: &[usize]| {
            for (i, (_, r)) in refs.iter().enumerate() {
                assert_eq!(body.contains(r.as_str()), wanted.contains(&i), "{r} {body}");
            }
        };
        let visas = officer.get("/missions/PAR/cases?kind=visa").await;
        only(&visas.body, &[2, 3]);
        let mine = officer.get("/missions/PAR/cases?assignee=me").await;
        only(&mine.body, &[0]);
        let reviewed = officer.get("/missions/PAR/cases?state=in_review").await;
        only(&reviewed.body, &[1]);
        let both = officer
            .get("/missions/PAR/cases?state=in_review&state=submitted&kind=passport_renewal")
            .await;
        only(&both.body, &[0, 1, 4]);
        let breached = officer.get("/missions/PAR/cases?breached=1&lang=en").await;
        only(&breached.body, &[4]);
        assert!(breached.body.contains("Past due"));
        let named = officer.get("/missions/PAR/cases?q=carla").await;
        only(&named.body, &[2]);
        // A name's words in any order.
        let reordered = officer.get("/missions/PAR/cases?q=MENDES+carla").await;
        only(&reordered.body, &[2]);
        let by_ref = officer
            .get(&format!(
                "/missions/PAR/cases?q={}",
                refs[3].1.to_lowercase()
            ))
            .await;
        only(&by_ref.body, &[3]);
        let none = officer.get("/missions/PAR/cases?q=nobody&lang=en").await;
        assert!(none.body.contains(r#"id="queue-empty""#));
        // `%` and `_` are what was typed, not wildcards matching every reference.
        let reference_end = &refs[3].1[..refs[3].1.len() - 1];
        for wild in ["%25", "_", &format!("{reference_end}_")] {
            let page = officer
                .get(&format!("/missions/PAR/cases?q={wild}&lang=en"))
                .await;
            only(&page.body, &[]);
        }

        // Counts per state at the top, whatever the filter.
        assert!(
            none.body
                .contains("Submitted <span class=\"count\">4</span>"),
            "{}",
            none.body
        );
        assert!(
            none.body
                .contains("In review <span class=\"count\">1</span>")
        );

        // Values that cannot be read come back as field errors, not as an error page.
        let bad = officer
            .get("/missions/PAR/cases?state=draft&state=bogus&older_than=abc&assignee=someone&lang=en&service=%FF")
            .await;
        assert_eq!(bad.status, 200, "{}", bad.body);
        assert!(bad.body.contains(r#"id="field-state-error""#));
        assert!(bad.body.contains(r#"id="field-assignee-error""#));
        assert!(bad.body.contains(r#"id="field-service-error""#));
        assert!(
            bad.body
                .contains("Enter a whole number of days between 1 and 3650.")
        );
        assert!(bad.body.contains(r#"value="abc""#), "typed value kept");
        assert_eq!(rows(&bad.body), 0);
        let arabic = officer
            .get("/missions/PAR/cases?older_than=x&lang=ar")
            .await;
        assert!(arabic.body.contains("أدخل عددًا صحيحًا من الأيام"));

        let old = officer.get("/missions/PAR/cases?older_than=1").await;
        assert_eq!(rows(&old.body), 0, "nothing is a day old yet");
        // The same number in Arabic-Indic digits (١).
        let old = officer
            .get("/missions/PAR/cases?older_than=%D9%A1&lang=ar")
            .await;
        assert!(!old.body.contains("أدخل عددًا صحيحًا من الأيام"));
        assert_eq!(rows(&old.body), 0);

        let lists = app
            .audit_actions()
            .await
            .iter()
            .filter(|a| *a == "case.list")
            .count();
        assert!(lists >= 12, "{lists}");
    }
}

#[tokio::test]
async fn an_export_larger_than_the_limit_says_it_was_cut() {
    for db in safir_store::testing::TestDb::all().await {
        let config = safir_web::state::WebConfig {
            consular: safir_web::state::ConsularConfig {
                export_max_rows: 2,
                ..Default::default()
            },
            ..Default::default()
        };
        let app = TestApp::with_config(db, config).await;
        let w = world(&app).await;
        for (name, kind) in [
            ("Amal Hassan", CaseKind::PassportRenewal),
            ("Bilal Haddad", CaseKind::PassportRenewal),
            ("Chen Wei", CaseKind::Visa),
            ("Dana Smith", CaseKind::Visa),
        ] {
            w.application(name, kind).submit(&app).await;
        }
        let mut officer = signed_in(&app, &w.officer).await;
        let lines = |body: &str| -> Vec<String> {
            body.trim_start_matches('\u{feff}')
                .lines()
                .map(str::to_owned)
                .collect()
        };
        // Four cases, room for two: before, the file simply stopped, nothing said.
        let all = officer.get("/missions/PAR/cases.csv?lang=en").await;
        assert_eq!(all.status, 200, "{}", all.body);
        let got = lines(&all.body);
        assert_eq!(got.len(), 1 + 2 + 1, "{got:?}");
        assert_eq!(
            got[3],
            "This file holds the first 2 cases only: narrow the filters to export the rest."
        );
        let ar = officer.get("/missions/PAR/cases.csv?lang=ar").await;
        assert!(
            ar.body.contains("ضيّق عوامل التصفية"),
            "in the page language: {}",
            ar.body
        );
        // Exactly as many as there is room for: whole, nothing said.
        let visas = officer
            .get("/missions/PAR/cases.csv?kind=visa&lang=en")
            .await;
        let got = lines(&visas.body);
        assert_eq!(got.len(), 1 + 2, "{got:?}");
        assert!(got.iter().all(|l| !l.contains("narrow the filters")));
        let cut: Vec<bool> = app
            .audit_summaries("case.export")
            .await
            .iter()
            .map(|s| s["cut"] == serde_json::json!(true))
            .collect();
        assert_eq!(cut, [true, true, false]);
    }
}

#[tokio::test]
async fn the_export_is_excel_friendly_and_defused() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let arabic = w
            .application("أمل الحسن", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let hostile = w
            .application("=HYPERLINK(\"http://evil\") x", CaseKind::Visa)
            .submit(&app)
            .await;
        let mut officer = signed_in(&app, &w.officer).await;
        let csv = officer.get("/missions/PAR/cases.csv?lang=ar").await;
        assert_eq!(csv.status, 200, "{}", csv.body);
        assert!(
            csv.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(csv.body.starts_with('\u{feff}'), "byte-order mark first");
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("المرجع,"), "{}", lines[0]);
        let line_of = |r: &str| *lines.iter().find(|l| l.contains(r)).unwrap();
        let a = line_of(arabic.reference.as_deref().unwrap());
        assert!(
            a.contains("أمل الحسن") && a.contains("خدمة passport_renewal"),
            "{a}"
        );
        assert!(
            a.contains("تجديد جواز السفر"),
            "kind in the page language: {a}"
        );
        let h = line_of(hostile.reference.as_deref().unwrap());
        assert!(h.contains(r#""'=HYPERLINK(""http://evil"") x""#), "{h}");

        let visas = officer.get("/missions/PAR/cases.csv?kind=visa").await;
        assert_eq!(visas.body.lines().count(), 2);
        // A filter that cannot be read: back to the queue, which names it beside its field.
        let bad = officer
            .get("/missions/PAR/cases.csv?kind=nope&q=%D8%A3%D9%85%D9%84")
            .await;
        assert_eq!(bad.status, 303);
        let queue = bad.location().unwrap().to_owned();
        assert_eq!(queue, "/missions/PAR/cases?kind=nope&q=%D8%A3%D9%85%D9%84");
        let shown = officer.get(&format!("{queue}&lang=en")).await;
        assert_eq!(shown.status, 200);
        assert!(
            shown.body.contains(r#"id="field-kind-error""#),
            "{}",
            shown.body
        );
        assert!(shown.body.contains(r#"value="أمل""#), "the search is kept");

        let exports = app.audit_actions().await;
        assert_eq!(exports.iter().filter(|a| *a == "case.export").count(), 2);
    }
}

#[tokio::test]
async fn the_sla_board_and_the_dashboard_panel() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let late = crate::consular_officer::Application {
            due_days: -2,
            ..w.application("Late Case", CaseKind::Visa)
        }
        .submit(&app)
        .await;
        store_move(&app, &late.id, CaseAction::StartReview, Actor::Officer).await;
        w.application("On Time", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        // Ready for collection after its due date: waiting for the applicant, not the
        // mission, so not past due.
        let collected_late = crate::consular_officer::Application {
            due_days: -3,
            ..w.application("Ready Late", CaseKind::PassportRenewal)
        }
        .submit(&app)
        .await;
        for action in [
            CaseAction::StartReview,
            CaseAction::Approve,
            CaseAction::MarkReadyForCollection,
        ] {
            store_move(&app, &collected_late.id, action, Actor::Officer).await;
        }
        let mut officer = signed_in(&app, &w.officer).await;
        let late_only = officer.get("/missions/PAR/cases?breached=1&lang=en").await;
        assert!(late_only.body.contains("Late Case"), "{}", late_only.body);
        assert!(
            !late_only.body.contains("Ready Late"),
            "a case ready for collection is listed as past due: {}",
            late_only.body
        );
        let ready = officer
            .get(&format!(
                "/missions/PAR/cases/{}?lang=en",
                collected_late.id
            ))
            .await;
        assert!(!ready.body.contains("badge overdue"), "{}", ready.body);

        let board = officer.get("/missions/PAR/cases/sla?lang=en").await;
        assert_eq!(board.status, 200, "{}", board.body);
        assert!(board.body.contains(r#"id="sla-states""#));
        assert!(
            board.body.contains(r#"<th scope="row">Submitted</th>"#)
                && board.body.contains(r#"<th scope="row">In review</th>"#),
            "{}",
            board.body
        );
        assert!(board.body.contains("Service visa"));
        assert!(
            board
                .body
                .contains(&format!("service={}&#38;breached=1", w.visa))
                || board
                    .body
                    .contains(&format!("service={}&amp;breached=1", w.visa)),
            "{}",
            board.body
        );
        let year = officer
            .get("/missions/PAR/cases/sla?window=365&lang=en")
            .await;
        assert!(year.body.contains(r#"<option value="365" selected>"#));
        let bad = officer
            .get("/missions/PAR/cases/sla?window=7&lang=ar")
            .await;
        assert_eq!(bad.status, 200);
        assert!(bad.body.contains("اختر 30 أو 90 أو 365 يومًا."));

        let dash = officer.get("/missions/PAR/dashboard?lang=en").await;
        // Its seven counts take the whole row.
        assert!(
            dash.body
                .contains(r#"class="card panel panel-wide" id="panel-consular""#),
            "{}",
            dash.body
        );
        assert!(dash.body.contains("/missions/PAR/cases"));
        assert!(
            dash.body.contains(
                r#"<dt>Past due</dt><dd><a href="/missions/PAR/cases?breached=1">1<span class="visually-hidden"> — Past due</span></a></dd>"#
            ),
            "{}",
            dash.body
        );
        // Each count leads to the queue of those cases.
        assert!(dash.body.contains(
            r#"<dt>In review</dt><dd><a href="/missions/PAR/cases?state=in_review">1<span class="visually-hidden"> — In review</span></a></dd>"#
        ));

        let press = app
            .staff(
                &unique_email("press"),
                &[(Role::PressOfficer, Some(&w.paris))],
            )
            .await;
        let mut press = signed_in(&app, &press).await;
        let dash = press.get("/missions/PAR/dashboard").await;
        assert_eq!(dash.status, 200);
        assert!(!dash.body.contains(r#"id="panel-consular""#));
    }
}

/// A case submitted long before the board's window and still waiting counts with its whole
/// wait, on the page and in the API: it used to count nowhere, the page saying nothing was
/// submitted while the table below it listed the case as past due.
#[tokio::test]
async fn the_sla_board_counts_a_wait_begun_before_its_window() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let waiting = crate::consular_officer::Application {
            due_days: -30,
            ..w.application("Long Wait", CaseKind::PassportRenewal)
        }
        .submit(&app)
        .await;
        let mut tx = app.db.begin().await.unwrap();
        cases::spread_history(
            &mut tx,
            &waiting.id,
            chrono::Duration::days(40),
            chrono::Duration::days(1),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut officer = signed_in(&app, &w.officer).await;
        let board = officer.get("/missions/PAR/cases/sla?lang=en").await;
        assert_eq!(board.status, 200, "{}", board.body);
        assert!(
            !board.body.contains("No case changed status in this period"),
            "{}",
            board.body
        );
        assert!(
            board.body.contains(
                r#"<tr><th scope="row">Submitted</th><td data-label="Stays measured">1</td><td data-label="Median">40 days</td><td data-label="90% within">40 days</td></tr>"#
            ),
            "{}",
            board.body
        );
        let api = officer.get("/api/v1/missions/PAR/sla?window_days=30").await;
        assert_eq!(api.status, 200, "{}", api.body);
        let api = api.json();
        let submitted = api["states"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["state"] == "submitted")
            .unwrap_or_else(|| panic!("{api}"))
            .clone();
        assert_eq!(submitted["count"], 1, "{api}");
        assert!(submitted["p90_hours"].as_f64().unwrap() > 959.0, "{api}");
    }
}

/// Each queue page and each export names, in the audit trail, the cases it showed: whether an
/// officer read or exported someone's case is told by the trail, whatever the filters
/// matched then. An export of more than 500 cases is several records, written together.
#[tokio::test]
async fn the_queue_and_the_export_record_the_cases_they_show() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let names: Vec<String> = (0..501).map(|i| format!("Applicant N{i:03}")).collect();
        let mut ids = Vec::new();
        for name in &names {
            let kind = if ids.len() < 2 {
                CaseKind::Visa
            } else {
                CaseKind::PassportRenewal
            };
            ids.push(w.application(name, kind).submit(&app).await.id);
        }
        let mut officer = signed_in(&app, &w.officer).await;
        let cases_of = |s: &serde_json::Value| -> Vec<String> {
            s["cases"]
                .as_array()
                .unwrap_or_else(|| panic!("no cases named: {s}"))
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        };

        let page = officer.get("/missions/PAR/cases?kind=visa&lang=en").await;
        assert_eq!(page.status, 200);
        let lists = app.audit_summaries("case.list").await;
        let last = lists.last().unwrap();
        let mut listed = cases_of(last);
        listed.sort();
        let mut visas = ids[..2].to_vec();
        visas.sort();
        assert_eq!(listed, visas, "{last}");
        assert_eq!(last["rows"], 2);

        let small = officer.get("/missions/PAR/cases.csv?kind=visa").await;
        assert_eq!(small.status, 200);
        let exports = app.audit_summaries("case.export").await;
        assert_eq!(exports.len(), 1, "{exports:?}");
        let mut exported = cases_of(&exports[0]);
        exported.sort();
        assert_eq!(exported, visas, "{exports:?}");

        let all = officer.get("/missions/PAR/cases.csv").await;
        assert_eq!(all.status, 200);
        let exports = app.audit_summaries("case.export").await;
        let big = &exports[1..];
        assert_eq!(big.len(), 2, "{big:?}");
        assert_eq!(cases_of(&big[0]).len(), 500);
        assert_eq!(cases_of(&big[1]).len(), 1);
        for (k, s) in big.iter().enumerate() {
            assert_eq!(s["part"], k + 1, "{s}");
            assert_eq!(s["parts"], 2, "{s}");
            assert_eq!(s["rows"], 501, "{s}");
        }
        let mut exported: Vec<String> = big.iter().flat_map(cases_of).collect();
        exported.sort();
        let mut every = ids.clone();
        every.sort();
        assert_eq!(exported, every);
    }
}

/// The queue goes gzipped to the officer's own browser, and as it is when another site made
/// the request with the officer's cookies: the length of a compressed page that also holds
/// text chosen by that site (a search term) would let it guess what the page shows (BREACH).
#[tokio::test]
async fn the_queue_is_gzipped_for_the_officer_and_not_for_another_site() {
    use std::io::Read;

    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("Amal Hassan", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let reference = case.reference.unwrap();
        let mut officer = signed_in(&app, &w.officer).await;
        let url = "/missions/PAR/cases?lang=en&q=Amal";
        let browser = [
            ("accept-encoding", "gzip, deflate, br, zstd"),
            ("sec-fetch-site", "same-origin"),
        ];
        let (status, headers, bytes) = officer.get_raw(url, &browser).await;
        assert_eq!(status, 200);
        assert_eq!(headers["content-encoding"], "gzip");
        assert_eq!(headers["vary"], "Accept-Language, Cookie, Accept-Encoding");
        let mut html = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut html)
            .expect("a gzip body");
        assert!(html.contains(&reference), "{html}");
        assert!(
            bytes.len() * 2 < html.len(),
            "{} of {}",
            bytes.len(),
            html.len()
        );
        assert!(crate::html_checks::problems(&html).is_empty());

        for site in [Some("cross-site"), Some("same-site"), None] {
            let mut headers = vec![("accept-encoding", "gzip")];
            headers.extend(site.map(|s| ("sec-fetch-site", s)));
            let (status, headers, bytes) = officer.get_raw(url, &headers).await;
            assert_eq!(status, 200, "{site:?}");
            assert!(headers.get("content-encoding").is_none(), "{site:?}");
            assert!(String::from_utf8(bytes).unwrap().contains(&reference));
        }
    }
}

/// The queue's row of the case `reference`.
fn row_of<'a>(body: &'a str, reference: &str) -> &'a str {
    body.split("<tr class=\"case-row")
        .find(|r| r.contains(reference))
        .and_then(|r| r.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row for {reference}: {body}"))
}

#[tokio::test]
async fn a_case_whose_applicant_wrote_is_marked_in_the_queue_until_the_mission_replies() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let wrote = w
            .application("Amal Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let quiet = w
            .application("Bilal Nasser", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let (wrote_ref, quiet_ref) = (wrote.reference.unwrap(), quiet.reference.unwrap());
        let mut officer = signed_in(&app, &w.officer).await;
        let mut applicant = signed_in(&app, &w.applicant).await;
        let queue = "/missions/PAR/cases?lang=en";
        assert!(!officer.get(queue).await.body.contains("New message"));

        let mine = format!("/account/cases/{}", wrote.id);
        for text in ["I will be away until Monday.", "Back on Tuesday, in fact."] {
            let r = applicant.write_on_case(&mine, text).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let body = officer.get(queue).await.body;
        assert!(row_of(&body, &wrote_ref).contains("New message"), "{body}");
        assert!(!row_of(&body, &quiet_ref).contains("New message"));
        // The mission's dashboard counts them and leads to them.
        let dash = officer.get("/missions/PAR/dashboard?lang=en").await.body;
        let counter = |n: i64| {
            format!(
                r#"<dt>With a new message</dt><dd><a href="/missions/PAR/cases?new_message=1">{n}<span class="visually-hidden"> — With a new message</span></a></dd>"#
            )
        };
        assert!(dash.contains(&counter(1)), "{dash}");
        // The filter lists just the cases that wait for an answer, and says it is on.
        let only = "/missions/PAR/cases?new_message=1&lang=en";
        let body = officer.get(only).await.body;
        assert!(
            body.contains(&wrote_ref) && !body.contains(&quiet_ref),
            "{body}"
        );
        assert!(
            body.contains(r#"<input type="checkbox" name="new_message" value="1" checked>"#),
            "{body}"
        );
        // The export of those cases says since when each waits.
        let csv = officer
            .get("/missions/PAR/cases.csv?new_message=1&lang=en")
            .await
            .body;
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].ends_with(",Past due,New message since"), "{csv}");
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(
            lines[1].starts_with(wrote_ref.as_str()) && !lines[1].ends_with(','),
            "{csv}"
        );
        // Waiting since the first of the two messages.
        let first = cases::list_messages(&app.db, &wrote.id, false)
            .await
            .unwrap()
            .first()
            .map(|m| m.created_at);
        let since: Option<chrono::DateTime<chrono::Utc>> =
            safir_store::with_pool!(app.db.read(), p => {
                sqlx::query_scalar("SELECT awaiting_reply_since FROM cases WHERE id = $1")
                    .bind(&wrote.id)
                    .fetch_one(p)
                    .await
            })
            .unwrap();
        assert_eq!(since, first);

        // An officers' internal note is no answer: the mark stays.
        let mut tx = app.db.begin().await.unwrap();
        cases::add_message(
            &mut tx,
            &wrote.id,
            None,
            true,
            true,
            "Check the travel dates.",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let body = officer.get(queue).await.body;
        assert!(row_of(&body, &wrote_ref).contains("New message"), "{body}");

        // The officer answers: the mark goes.
        let page = format!("/missions/PAR/cases/{}", wrote.id);
        let r = officer
            .write_on_case(&page, "Noted, we will wait for you.")
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let body = officer.get(queue).await.body;
        assert!(!row_of(&body, &wrote_ref).contains("New message"), "{body}");
        assert!(!officer.get(only).await.body.contains(&wrote_ref));
        let dash = officer.get("/missions/PAR/dashboard?lang=en").await.body;
        assert!(dash.contains(&counter(0)), "{dash}");
    }
}

#[tokio::test]
async fn the_officer_of_a_case_is_mailed_once_when_its_applicant_writes_until_answered() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let assigned = w
            .application("Amal Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let unassigned = w
            .application("Bilal Nasser", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let mut tx = app.db.begin().await.unwrap();
        assert!(
            cases::assign(&mut tx, &assigned.id, &w.paris, None, Some(&w.officer.id))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let mut applicant = signed_in(&app, &w.applicant).await;

        // A case nobody works mails nobody: the queue shows it to every officer.
        let r = applicant
            .write_on_case(&format!("/account/cases/{}", unassigned.id), "Any news?")
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(app.emails_to(&w.officer.email).await.is_empty());

        // Two messages before anyone answers: one mail, naming the case and linking its page,
        // without the applicant's words.
        let mine = format!("/account/cases/{}", assigned.id);
        for text in ["I will be away until Monday.", "Back on Tuesday, in fact."] {
            let r = applicant.write_on_case(&mine, text).await;
            assert_eq!(r.status, 303, "{}", r.body);
        }
        let mails = app.emails_to(&w.officer.email).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        let reference = assigned.reference.clone().unwrap();
        assert!(
            mails[0].subject.contains(&reference),
            "{}",
            mails[0].subject
        );
        assert!(
            mails[0]
                .text
                .contains(&format!("/missions/PAR/cases/{}", assigned.id)),
            "{}",
            mails[0].text
        );
        assert!(!mails[0].text.contains("Monday"), "{}", mails[0].text);

        // The officer answers; the applicant's next message is mailed again.
        let page = format!("/missions/PAR/cases/{}", assigned.id);
        let mut officer = signed_in(&app, &w.officer).await;
        let r = officer.write_on_case(&page, "Noted.").await;
        assert_eq!(r.status, 303, "{}", r.body);
        let r = applicant.write_on_case(&mine, "Thank you.").await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(app.emails_to(&w.officer.email).await.len(), 2);

        // An officer moved off the mission's cases is no longer told, though still assigned.
        let r = officer.write_on_case(&page, "You are welcome.").await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mut tx = app.db.begin().await.unwrap();
        let scope = safir_domain::roles::Scope::Mission(
            safir_domain::ids::MissionId::from_trusted(w.paris.clone()),
        );
        assert!(
            safir_store::accounts::grants::revoke(
                &mut tx,
                &w.officer.id,
                Role::ConsularOfficer,
                &scope
            )
            .await
            .unwrap()
        );
        tx.commit().await.unwrap();
        let r = applicant.write_on_case(&mine, "One more thing.").await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(app.emails_to(&w.officer.email).await.len(), 2);
    }
}

/// A message on a refused case (its applicant asks why) waits for the mission like any
/// other: the "new message" list and the dashboard's count find it, though the default queue
/// (open cases) does not list the case.
#[tokio::test]
async fn a_message_on_a_refused_case_is_found_among_the_new_messages() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let case = w
            .application("Amal Haddad", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let reference = case.reference.clone().unwrap();
        store_move(&app, &case.id, CaseAction::StartReview, Actor::Officer).await;
        store_move(&app, &case.id, CaseAction::Reject, Actor::Officer).await;
        let mut applicant = signed_in(&app, &w.applicant).await;
        let r = applicant
            .write_on_case(
                &format!("/account/cases/{}", case.id),
                "Why was it refused?",
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mut officer = signed_in(&app, &w.officer).await;
        let only = officer
            .get("/missions/PAR/cases?new_message=1&lang=en")
            .await
            .body;
        assert!(only.contains(&reference), "{only}");
        let dash = officer.get("/missions/PAR/dashboard?lang=en").await.body;
        assert!(
            dash.contains(
                r#"<dt>With a new message</dt><dd><a href="/missions/PAR/cases?new_message=1">1<"#
            ),
            "{dash}"
        );
    }
}

/// A bulk "unassign" releases a case only from the officer the queue showed working it: a
/// colleague's assignment made since is skipped as changed, not undone unseen.
#[tokio::test]
async fn bulk_unassign_leaves_a_newer_assignment_alone() {
    for app in TestApp::all().await {
        let w = world(&app).await;
        let colleague = app
            .staff(
                &unique_email("colleague"),
                &[(Role::ConsularOfficer, Some(&w.paris))],
            )
            .await;
        let case = w
            .application("Amal Hassan", CaseKind::PassportRenewal)
            .submit(&app)
            .await;
        let assign = |from: Option<String>, to: Option<String>| {
            let app = &app;
            let case = &case.id;
            let paris = &w.paris;
            async move {
                let mut tx = app.db.begin().await.unwrap();
                assert!(
                    cases::assign(&mut tx, case, paris, from.as_deref(), to.as_deref())
                        .await
                        .unwrap()
                );
                tx.commit().await.unwrap();
            }
        };
        assign(None, Some(w.officer.id.clone())).await;
        let mut officer = signed_in(&app, &w.officer).await;
        let queue = officer.get("/missions/PAR/cases?lang=en").await;
        let token = queue.csrf_token().unwrap();
        // The row's checkbox carries who works the case as the queue shows it.
        let ticked = crate::harness::value_after(
            &queue.body,
            &format!("name=\"case\" value=\"{}:", case.id),
        )
        .to_owned();
        assert_eq!(ticked, w.officer.id);

        // The colleague takes the case over while the queue is open.
        assign(Some(w.officer.id.clone()), Some(colleague.id.clone())).await;
        let bulk = "/missions/PAR/cases/bulk?lang=en";
        let sent = format!("{}:{ticked}", case.id);
        let fields = [("action", "unassign"), ("case", sent.as_str())];
        let r = officer.post_form_with_token(bulk, &token, &fields).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body.contains("Skipped: the case changed meanwhile."),
            "{}",
            r.body
        );
        let now = cases::find(&app.db, &case.id).await.unwrap();
        assert_eq!(now.assignee_id, Some(colleague.id.clone()));

        // From a queue that shows the colleague, the release goes through.
        let queue = officer.get("/missions/PAR/cases?lang=en").await;
        let token = queue.csrf_token().unwrap();
        let sent = format!("{}:{}", case.id, colleague.id);
        assert!(queue.body.contains(&format!("value=\"{sent}\"")));
        let fields = [("action", "unassign"), ("case", sent.as_str())];
        let r = officer.post_form_with_token(bulk, &token, &fields).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("bulk-done"), "{}", r.body);
        assert_eq!(
            cases::find(&app.db, &case.id).await.unwrap().assignee_id,
            None
        );
    }
}
