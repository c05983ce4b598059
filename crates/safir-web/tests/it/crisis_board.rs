//! The welfare board over HTTP on both backends: who may open it, the counts fragment htmx
//! polls, the filtered list, the CSV export (spreadsheet-formula safe, audited), PFIF 1.4
//! export read back by the PFIF parser and imported again, the sample PFIF document, a bad
//! document named by element and line, and the GeoJSON of check-in locations.

use safir_domain::crisis::pfif;
use safir_domain::roles::Role;
use safir_store::crisis::checkins;

use crate::crisis_checkin::{Person, all_apps, crisis, emergency_crisis, exec, person, send_alert};
use crate::harness::{Client, ORIGIN, TestApp, TestResponse, unique_email};

const BOARD: &str = "/staff/crises/cr1/board";

/// Three people of crisis `cr1` at mission PAR: one safe with a location, one needing help
/// (medical, two children), one not answering; and four delivery rows.
async fn board_fixture(app: &TestApp) -> String {
    let mission = app.mission("PAR", "FR").await;
    crisis(app, &mission).await;
    person(
        app,
        Person {
            region: "Occitanie",
            ..Person::new("r1", "=HYPERLINK(\"http://x\")", "+33600000001")
        },
    )
    .await;
    person(
        app,
        Person {
            region: "Provence",
            children: 2,
            medical: true,
            ..Person::new("r2", "Bilal Haddad", "+33600000002")
        },
    )
    .await;
    person(
        app,
        Person {
            region: "Provence",
            elderly: true,
            ..Person::new("r3", "Chen Wei", "+33600000003")
        },
    )
    .await;
    send_alert(app, "al1", &["r1", "r2", "r3"]).await;
    let c1 = checkins::for_delivery(&app.db, "al1", "r1")
        .await
        .unwrap()
        .unwrap();
    checkins::answer(
        &app.db,
        &c1.id,
        safir_domain::crisis::checkin::CheckinStatus::Safe,
        "at the hotel",
        Some((43.6, 1.44)),
    )
    .await
    .unwrap();
    let c2 = checkins::for_delivery(&app.db, "al1", "r2")
        .await
        .unwrap()
        .unwrap();
    checkins::answer(
        &app.db,
        &c2.id,
        safir_domain::crisis::checkin::CheckinStatus::NeedHelp,
        "",
        None,
    )
    .await
    .unwrap();
    for (i, status) in ["delivered", "sent", "failed", "queued"].iter().enumerate() {
        exec(
            &app.db,
            &format!(
                "INSERT INTO crisis_deliveries (id, alert_id, recipient_id, recipient_kind, channel, address, lang, status, attempts, created_at) \
                 VALUES ('d{i}', 'al1', $1, 'registration', 'email', 'x@example.org', 'en', '{status}', 1, $2)"
            ),
            &[&format!("r{i}")],
        )
        .await;
    }
    mission
}

async fn officer<'a>(app: &'a TestApp, mission: &str) -> Client<'a> {
    let account = app
        .staff(
            &unique_email("crisis-officer"),
            &[(Role::ConsularOfficer, Some(mission))],
        )
        .await;
    let mut client = app.client();
    client.sign_in(&account).await;
    client
}

fn tile(body: &str, name: &str) -> String {
    let marker = format!("data-tile=\"{name}\">");
    let at = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no tile {name}"))
        + marker.len();
    body[at..].split('<').next().unwrap_or("").to_owned()
}

#[tokio::test]
async fn the_board_shows_live_counts_and_a_filtered_list_to_the_missions_crisis_staff() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        let page = client.get(BOARD).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Southern floods"));
        assert!(page.body.contains("hx-trigger=\"every 5s\""));
        assert!(
            page.body
                .contains("hx-get=\"/staff/crises/cr1/board/counts\"")
        );
        for (name, value) in [
            ("targeted", "4"),
            ("delivered", "2"),
            ("failed", "1"),
            ("safe", "1"),
            ("need-help", "1"),
            ("not-in-area", "0"),
            ("no-answer", "1"),
        ] {
            assert_eq!(tile(&page.body, name), value, "tile {name}");
        }
        // An answer's time names its clock, as every time in the staff's pages does.
        let answered = page
            .body
            .find(r#"data-label="Answered"><span class="when" dir="ltr">"#);
        assert!(
            answered.is_some_and(|at| page.body[at..]
                .split("</span>")
                .next()
                .is_some_and(|cell| cell.ends_with(" UTC"))),
            "{}",
            page.body
        );
        // Each number is one tap from a phone.
        assert!(
            page.body
                .contains(r#"<a href="tel:+33600000002">+33600000002</a>"#),
            "{}",
            page.body
        );
        // Most vulnerable first.
        let bilal = page.body.find("Bilal Haddad").unwrap();
        let chen = page.body.find("Chen Wei").unwrap();
        assert!(bilal < chen);
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.board_read".to_owned())
        );

        // The fragment htmx polls follows an answer without a reload.
        let c3 = checkins::for_delivery(&app.db, "al1", "r3")
            .await
            .unwrap()
            .unwrap();
        checkins::answer(
            &app.db,
            &c3.id,
            safir_domain::crisis::checkin::CheckinStatus::NotInArea,
            "",
            None,
        )
        .await
        .unwrap();
        let fragment = client.get("/staff/crises/cr1/board/counts").await;
        assert_eq!(fragment.status, 200);
        assert!(!fragment.body.contains("<html"), "a fragment, not a page");
        assert!(fragment.body.contains("id=\"board-counts\""));
        assert_eq!(tile(&fragment.body, "not-in-area"), "1");
        assert_eq!(tile(&fragment.body, "no-answer"), "0");
        assert!(fragment.body.contains("Provence"));

        // Filters.
        let help = client.get(&format!("{BOARD}?status=need_help")).await;
        assert!(help.body.contains("Bilal Haddad") && !help.body.contains("Chen Wei"));
        let vulnerable = client.get(&format!("{BOARD}?vulnerable=1")).await;
        assert!(vulnerable.body.contains("Chen Wei") && !vulnerable.body.contains("HYPERLINK"));
        let named = client.get(&format!("{BOARD}?q=chen")).await;
        assert!(named.body.contains("Chen Wei") && !named.body.contains("Bilal Haddad"));
        let region = client.get(&format!("{BOARD}?region=Occitanie")).await;
        assert!(region.body.contains("HYPERLINK") && !region.body.contains("Chen Wei"));

        // Staff of another mission, or without crisis rights, do not see it.
        let other = app.mission("DXB", "AE").await;
        let mut outsider = officer(&app, &other).await;
        assert_eq!(outsider.get(BOARD).await.status, 403);
        assert_eq!(
            outsider.get("/staff/crises/cr1/board.csv").await.status,
            403
        );
        let press = app
            .staff(
                &unique_email("press"),
                &[(Role::PressOfficer, Some(mission.as_str()))],
            )
            .await;
        let mut press_client = app.client();
        press_client.sign_in(&press).await;
        assert_eq!(press_client.get(BOARD).await.status, 403);
        assert_eq!(client.get("/staff/crises/nope/board").await.status, 404);
    }
}

/// Sorted by name, the board reads Arabic names as a dictionary does: a name beginning with
/// any form of alef (ا أ إ آ) by its next letters, on both backends, page after page.
#[tokio::test]
async fn the_board_lists_arabic_names_in_dictionary_order() {
    for app in all_apps().await {
        let mission = app.mission("PAR", "FR").await;
        crisis(&app, &mission).await;
        // In the order of the code points: آمنة, أحمد, إبراهيم, ابتسام, بشير.
        let people = [
            ("r1", "بشير كامل"),
            ("r2", "آمنة سالم"),
            ("r3", "إبراهيم حسن"),
            ("r4", "أحمد علي"),
            ("r5", "ابتسام نور"),
        ];
        for (i, (id, name)) in people.iter().enumerate() {
            let phone = format!("+3360000001{i}");
            person(&app, Person::new(id, name, &phone)).await;
        }
        send_alert(&app, "al1", &["r1", "r2", "r3", "r4", "r5"]).await;
        let expected = [
            "ابتسام نور",
            "إبراهيم حسن",
            "أحمد علي",
            "آمنة سالم",
            "بشير كامل",
        ];

        let mut client = officer(&app, &mission).await;
        let page = client.get(&format!("{BOARD}?sort=name")).await;
        assert_eq!(page.status, 200);
        let at: Vec<usize> = expected
            .iter()
            .map(|name| {
                page.body
                    .find(name)
                    .unwrap_or_else(|| panic!("{name} listed"))
            })
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");

        // Two at a time, each page after the last row of the one before.
        let mut names = Vec::new();
        let mut after = None;
        loop {
            let filter = checkins::BoardFilter {
                sort: checkins::BoardSort::Name,
                after: after.clone(),
                limit: 2,
                ..Default::default()
            };
            let rows = checkins::list(&app.db, "cr1", &filter).await.unwrap();
            names.extend(rows.iter().map(|r| r.full_name.clone()));
            match rows.last() {
                Some(last) if rows.len() == 2 => after = Some(last.id.clone()),
                _ => break,
            }
        }
        assert_eq!(names, expected);

        // A page after a row that went meanwhile (the person deleted their registration, or
        // the purge ran) is empty: it was the first page again, and a reader paging on saw
        // the same people twice and never the rest.
        let gone = checkins::BoardFilter {
            sort: checkins::BoardSort::Name,
            after: Some("no-such-check-in".to_owned()),
            limit: 2,
            ..Default::default()
        };
        assert!(
            checkins::list(&app.db, "cr1", &gone)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn the_csv_export_is_formula_safe_and_audited() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        let res = client.get("/staff/crises/cr1/board.csv").await;
        assert_eq!(res.status, 200);
        assert!(
            res.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(res.body.starts_with('\u{feff}'));
        let lines: Vec<&str> = res.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 4, "header and three people");
        assert!(lines[0].starts_with("Name,Answer,"));
        assert!(
            res.body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
            "a formula is defused: {}",
            res.body
        );
        assert!(
            res.body.contains("'+33600000001"),
            "a leading + is defused too"
        );
        assert!(lines[1].starts_with("Bilal Haddad,needs help"));
        let answered = lines[1].split(',').nth(2).unwrap_or("");
        assert!(
            answered.ends_with(" UTC"),
            "the time says its zone: {answered}"
        );
        let filtered = client.get("/staff/crises/cr1/board.csv?status=safe").await;
        assert_eq!(filtered.body.lines().count(), 2);
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.board_export".to_owned())
        );
    }
}

fn multipart(token: &str, fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----safirboundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
    )
    .into_bytes();
    for (name, file, value) in fields {
        match file {
            Some(f) => body.extend(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/xml\r\n\r\n"
            ).bytes()),
            None => body.extend(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            ).bytes()),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn import(
    client: &mut Client<'_>,
    crisis: &str,
    fields: &[(&str, Option<&str>, &str)],
) -> TestResponse {
    let fields: Vec<(&str, Option<&str>, &[u8])> = fields
        .iter()
        .map(|&(name, file, value)| (name, file, value.as_bytes()))
        .collect();
    import_bytes(client, crisis, &fields).await
}

async fn import_bytes(
    client: &mut Client<'_>,
    crisis: &str,
    fields: &[(&str, Option<&str>, &[u8])],
) -> TestResponse {
    let req = import_request(client, crisis, fields).await;
    client.send(req).await
}

/// The import form's request, its token read from the board, ready to be sent.
async fn import_request(
    client: &mut Client<'_>,
    crisis: &str,
    fields: &[(&str, Option<&str>, &[u8])],
) -> axum::http::Request<axum::body::Body> {
    let page = client.get(&format!("/staff/crises/{crisis}/board")).await;
    let token = page.csrf_token().expect("form token");
    let (content_type, body) = multipart(&token, fields);
    let mut cookies: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    cookies.sort();
    axum::http::Request::builder()
        .method("POST")
        .uri(format!("/staff/crises/{crisis}/pfif/import"))
        .header("host", "safir.test")
        .header("origin", ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header("cookie", cookies.join("; "))
        .header("content-type", content_type)
        .body(axum::body::Body::from(body))
        .unwrap()
}

/// A second open crisis, `cr2`, of `mission`.
async fn second_crisis(app: &TestApp, mission: &str) {
    exec(
        &app.db,
        "INSERT INTO crises (id, mission_id, title_ar, title_en, country, area, status, presence_open, reminder_minutes, declared_at) \
         VALUES ('cr2', $1, 'ب', 'Second', 'FR', '{}', 'open', TRUE, 120, $2)",
        &[mission],
    )
    .await;
}

#[tokio::test]
async fn pfif_export_reads_back_and_imports_into_another_crisis() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        let res = client.get("/staff/crises/cr1/pfif.xml").await;
        assert_eq!(res.status, 200);
        let doc = pfif::parse(&res.body).unwrap_or_else(|e| panic!("{e}: {}", res.body));
        assert_eq!(doc.persons.len(), 3);
        let notes: Vec<_> = doc.all_notes().collect();
        assert_eq!(notes.len(), 2, "answers only: no note for no answer");
        assert!(notes.iter().all(|n| n.author_made_contact == Some(true)));
        assert!(res.body.contains("http://zesty.ca/pfif/1.4"));
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.pfif_export".to_owned())
        );

        // Back into the crisis it came from (a people finder's feed with our records in it):
        // everyone is already on the board.
        let reads =
            |actions: Vec<String>| actions.iter().filter(|a| *a == "crisis.board_read").count();
        let before = reads(app.audit_actions().await);
        let back = import(&mut client, "cr1", &[("xml", None, &res.body)]).await;
        assert!(
            back.body
                .contains("Imported: 0 new people, 3 already on the board."),
            "{}",
            back.body
        );
        // The board shown with the outcome is a read of the people on it, taken or not:
        // each import here opens the board for its form (one read), then is answered with it.
        let empty = import(&mut client, "cr1", &[("xml", None, "  ")]).await;
        assert_eq!(empty.status, 422, "{}", empty.body);
        assert_eq!(reads(app.audit_actions().await), before + 4);

        // Into a second crisis of the same mission: same people, same answers.
        second_crisis(&app, &mission).await;
        let res = import(
            &mut client,
            "cr2",
            &[("file", Some("export.xml"), &res.body), ("xml", None, "")],
        )
        .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.body
                .contains("Imported: 3 new people, 0 already on the board."),
            "{}",
            res.body
        );
        let counts = checkins::counts(&app.db, "cr2").await.unwrap();
        assert_eq!(
            (
                counts.people.safe,
                counts.people.need_help,
                counts.people.waiting
            ),
            (1, 1, 1)
        );
        let rows = checkins::list(&app.db, "cr2", &Default::default())
            .await
            .unwrap();
        let safe = rows.iter().find(|r| r.status == "safe").unwrap();
        assert_eq!((safe.lat, safe.lon), (Some(43.6), Some(1.44)));
        assert!(
            rows.iter().all(|r| r.person_record_id.is_some()),
            "flagged as imported"
        );
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.pfif_import".to_owned())
        );
        // The same document again adds nobody.
        let again = client.get("/staff/crises/cr1/pfif.xml").await;
        let res = import(&mut client, "cr2", &[("xml", None, &again.body)]).await;
        assert!(
            res.body
                .contains("Imported: 0 new people, 3 already on the board."),
            "{}",
            res.body
        );
    }
}

/// A people finder's feed read again: a person's newer answer reaches the board, an older
/// one does not, and nobody is added twice.
#[tokio::test]
async fn a_newer_pfif_note_updates_the_board_and_an_older_one_does_not() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        second_crisis(&app, &mission).await;
        let doc = |note: &str, date: &str, status: &str, contact: &str| {
            format!(
                "<?xml version=\"1.0\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>\n\
                 <pfif:person_record_id>finder.example/rami</pfif:person_record_id>\n\
                 <pfif:full_name>Rami Haddad</pfif:full_name>\n<pfif:note>\n\
                 <pfif:note_record_id>finder.example/{note}</pfif:note_record_id>\n\
                 <pfif:author_name>Rami Haddad</pfif:author_name>\n\
                 <pfif:source_date>{date}</pfif:source_date>\n\
                 <pfif:author_made_contact>{contact}</pfif:author_made_contact>\n\
                 <pfif:status>{status}</pfif:status>\n<pfif:text>{note}</pfif:text>\n\
                 </pfif:note>\n</pfif:person>\n</pfif:pfif>"
            )
        };
        let safe = doc("n1", "2026-11-30T10:00:00Z", "is_note_author", "true");
        let res = import(&mut client, "cr2", &[("xml", None, &safe)]).await;
        assert!(
            res.body
                .contains("Imported: 1 new person, 0 already on the board."),
            "{}",
            res.body
        );
        let help = doc("n2", "2026-11-30T11:00:00Z", "information_sought", "true");
        let res = import(&mut client, "cr2", &[("xml", None, &help)]).await;
        assert!(
            res.body.contains(
                "Imported: 0 new people, 1 already on the board, 1 of them with a newer answer."
            ),
            "{}",
            res.body
        );
        let status = || async {
            let rows = checkins::list(&app.db, "cr2", &Default::default())
                .await
                .unwrap();
            assert_eq!(rows.len(), 1);
            rows[0].status.clone()
        };
        assert_eq!(status().await, "need_help");
        let older = doc("n0", "2026-11-30T09:00:00Z", "is_note_author", "true");
        let res = import(&mut client, "cr2", &[("xml", None, &older)]).await;
        assert!(
            res.body
                .contains("Imported: 0 new people, 1 already on the board."),
            "{}",
            res.body
        );
        assert_eq!(status().await, "need_help");
        let imports = app.audit_summaries("crisis.pfif_import").await;
        assert_eq!(imports[1]["updated"], 1);
        assert_eq!(imports[2]["updated"], 0);
    }
}

#[tokio::test]
async fn one_document_imported_twice_at_once_adds_its_people_once() {
    let doc = |round: usize| {
        let people: String = (0..4)
            .map(|i| {
                format!(
                    "<pfif:person>\n<pfif:person_record_id>finder.example/r{round}p{i}</pfif:person_record_id>\n\
                     <pfif:full_name>Person {i}</pfif:full_name>\n</pfif:person>\n"
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n{people}</pfif:pfif>"
        )
    };
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut first = officer(&app, &mission).await;
        let mut second = officer(&app, &mission).await;
        // Before, on PostgreSQL both found the people new and the second import broke on the
        // unique record id: a 500, the officer's document not taken.
        for round in 0..5 {
            let xml = doc(round);
            let fields: &[(&str, Option<&str>, &[u8])] = &[("xml", None, xml.as_bytes())];
            let a = import_request(&mut first, "cr1", fields).await;
            let b = import_request(&mut second, "cr1", fields).await;
            let (a, b) = tokio::join!(first.send(a), second.send(b));
            assert_eq!(
                (a.status.as_u16(), b.status.as_u16()),
                (200, 200),
                "{}\n{}",
                a.body,
                b.body
            );
            let said = [&a.body, &b.body]
                .iter()
                .filter(|body| body.contains("Imported: 4 new people, 0 already on the board."))
                .count();
            assert_eq!(said, 1, "one import adds them: {}\n{}", a.body, b.body);
        }
        let rows = checkins::list(&app.db, "cr1", &Default::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 3 + 5 * 4);
    }
}

#[tokio::test]
async fn the_sample_pfif_document_imports_and_a_broken_one_is_named() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/pfif/sample-pfif-1.4.xml");
    let Ok(xml) = std::fs::read_to_string(&sample) else {
        eprintln!("skipping: {} is absent", sample.display());
        return;
    };
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        let expected = pfif::parse(&xml).unwrap().persons.len();
        let res = import(&mut client, "cr1", &[("file", Some("sample.xml"), &xml)]).await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            res.body.contains(&format!("Imported: {expected} new")),
            "{}",
            res.body
        );
        let rows = checkins::list(&app.db, "cr1", &Default::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 3 + expected);
        assert!(
            rows.iter()
                .any(|r| r.person_record_id.as_deref() == Some("test.google.com/person.21009"))
        );

        let broken = "<?xml version=\"1.0\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>\n<pfif:full_name>X</pfif:full_name>\n</pfif:person>\n</pfif:pfif>";
        let res = import(&mut client, "cr1", &[("xml", None, broken)]).await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("person_record_id"), "{}", res.body);
        // Not XML: the message names the line once, and says the rest in the page's words.
        let garbled = "<?xml version=\"1.0\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>";
        let not_xml = import(&mut client, "cr1", &[("xml", None, garbled)]).await;
        assert_eq!(not_xml.status, 422);
        assert!(not_xml.body.contains("(line 3): "), "{}", not_xml.body);
        assert!(!not_xml.body.contains("line 3:"), "{}", not_xml.body);
        assert!(res.body.contains("Line "), "the line is named");
        let kept = res
            .body
            .find("id=\"pfif-xml\"")
            .map(|i| &res.body[i..])
            .unwrap_or("");
        assert!(
            kept.contains("pfif:full_name&#62;X&#60;/pfif:full_name"),
            "the pasted XML is kept: {kept:.300}"
        );
        let res = import(&mut client, "cr1", &[("xml", None, "<not closed")]).await;
        assert_eq!(res.status, 422);
        let res = import(&mut client, "cr1", &[("xml", None, "  ")]).await;
        assert_eq!(res.status, 422);
    }
}

#[tokio::test]
async fn pfif_with_characters_xml_forbids_endless_nesting_or_another_encoding_is_named_not_stored()
{
    let doc = |name: &str| {
        format!(
            "<?xml version=\"1.0\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>\n\
             <pfif:person_record_id>probe.example/p1</pfif:person_record_id>\n\
             <pfif:full_name>{name}</pfif:full_name>\n</pfif:person>\n</pfif:pfif>"
        )
    };
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        // PostgreSQL's text cannot hold a NUL: before, the import failed there as a whole.
        for (xml, named) in [
            (doc("a\0b"), "U+0000"),
            (doc("a&#x1;b"), "U+0001"),
            (doc("\u{FFFF}"), "U+FFFF"),
            ("<a>".repeat(70_000), "nested"),
            // A name of tatweel alone spells nothing; before, it was stored cut to 200.
            (doc(&"ـ".repeat(20_000)), "Line 5: the element full_name"),
            (doc(" - "), "Line 5: the element full_name"),
            // Longer than the board keeps; before, it was cut to 200 characters.
            (doc(&"ع".repeat(201)), "Line 5: the element full_name"),
        ] {
            let res = import(&mut client, "cr1", &[("file", Some("p.xml"), &xml)]).await;
            assert_eq!(res.status, 422, "{}", res.body);
            assert!(res.body.contains(named), "{named}: {}", res.body);
        }
        let pasted = import(&mut client, "cr1", &[("xml", None, &doc("a\0b"))]).await;
        assert_eq!(pasted.status, 422, "{}", pasted.body);
        // Latin-1 is named, with where it stops being UTF-8; before, it read as an empty file.
        let latin1: Vec<u8> = doc("café").chars().map(|c| c as u8).collect();
        let offset = latin1.iter().position(|&b| b == 0xE9).unwrap();
        let res = import_bytes(&mut client, "cr1", &[("file", Some("p.xml"), &latin1)]).await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(res.body.contains("not UTF-8"), "{}", res.body);
        assert!(
            res.body.contains(&format!("at byte {offset})")),
            "{}",
            res.body
        );
        let rows = checkins::list(&app.db, "cr1", &Default::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 3, "nothing was imported");
    }
}

#[tokio::test]
async fn the_crisis_page_links_to_its_board() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        let page = client.get("/staff/crises/cr1").await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("href=\"/staff/crises/cr1/board\""),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn geojson_lists_answered_check_ins_with_a_location() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        let mut client = officer(&app, &mission).await;
        let res = client.get("/staff/crises/cr1/checkins.geojson").await;
        assert_eq!(res.status, 200);
        assert_eq!(res.headers["content-type"], "application/geo+json");
        let json = res.json();
        assert_eq!(json["type"], "FeatureCollection");
        let features = json["features"].as_array().unwrap();
        assert_eq!(features.len(), 1);
        let f = &features[0];
        assert_eq!(f["geometry"]["type"], "Point");
        assert_eq!(
            f["geometry"]["coordinates"],
            serde_json::json!([1.44, 43.6])
        );
        assert_eq!(f["properties"]["status"], "safe");
        assert!(f["properties"]["answered_at"].is_string());
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.geojson_export".to_owned())
        );
    }
}

/// The case cell of the board's row for `name`.
fn case_cell(body: &str, name: &str) -> String {
    let row = body
        .split("<tr class=\"board-row")
        .find(|r| r.contains(name))
        .unwrap_or_else(|| panic!("no row for {name}: {body}"));
    row.split("data-label=\"Case\">")
        .nth(1)
        .and_then(|c| c.split("</td>").next())
        .unwrap_or_else(|| panic!("no case cell: {row}"))
        .to_owned()
}

#[tokio::test]
async fn a_need_help_row_says_whether_its_case_was_acknowledged() {
    for app in all_apps().await {
        let mission = emergency_crisis(&app).await;
        person(&app, Person::new("r1", "Layla Haddad", "+33600000001")).await;
        person(&app, Person::new("r2", "Omar Nasser", "+33600000002")).await;
        let tokens = send_alert(&app, "al1", &["r1", "r2"]).await;
        for token in &tokens {
            let path = format!("/crisis/checkin/{token}");
            let res = app
                .client()
                .submit(&path, &path, &[("answer", "need_help")])
                .await;
            assert_eq!(res.status, 303, "{}", res.body);
        }
        let case_of = |reg: &'static str| {
            let db = app.db.clone();
            async move {
                let c = checkins::for_delivery(&db, "al1", reg)
                    .await
                    .unwrap()
                    .unwrap();
                safir_store::consular::cases::find(&db, &c.case_id.expect("a case"))
                    .await
                    .unwrap()
            }
        };
        let (layla, omar) = (case_of("r1").await, case_of("r2").await);
        let mut client = officer(&app, &mission).await;
        let board = client.get(&format!("{BOARD}?lang=en")).await.body;
        assert_eq!(tile(&board, "unacknowledged"), "2", "{board}");
        // Each row links its case by the reference staff quote, and says no officer has taken
        // it up yet.
        let cell = case_cell(&board, "Layla Haddad");
        let reference = layla
            .reference
            .clone()
            .expect("a submitted case has a reference");
        assert!(
            cell.contains(&format!(
                r#"<a href="/missions/PAR/cases/{}" dir="ltr" class="board-case-reference">{reference}</a>"#,
                layla.id
            )) && cell.contains("Submitted")
                && cell.contains("not yet acknowledged"),
            "{cell}"
        );
        // The duty officer acknowledges Layla's call: her row and the tile say so within a
        // refresh; Omar's still waits.
        let case_page = format!("/missions/PAR/cases/{}", layla.id);
        let res = client
            .submit(
                &case_page,
                &format!("{case_page}/act"),
                &[("action", "start_review")],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let board = client.get(&format!("{BOARD}?lang=en")).await.body;
        let cell = case_cell(&board, "Layla Haddad");
        assert!(
            cell.contains("In review") && !cell.contains("not yet acknowledged"),
            "{cell}"
        );
        assert!(case_cell(&board, "Omar Nasser").contains("not yet acknowledged"));
        let counts = client.get(&format!("{BOARD}/counts?lang=en")).await.body;
        assert_eq!(tile(&counts, "unacknowledged"), "1", "{counts}");
        // The tile opens the list of just those people, Omar now.
        let only = "/staff/crises/cr1/board?status=unacknowledged";
        assert!(
            counts.contains(&format!(r##"<a href="{only}#board-list-heading">"##)),
            "{counts}"
        );
        let list = client.get(&format!("{only}&lang=en")).await.body;
        assert!(
            list.contains("Omar Nasser") && !list.contains("Layla Haddad"),
            "{list}"
        );
        assert!(
            list.contains(r#"<option value="unacknowledged" selected>"#),
            "{list}"
        );
        // The export carries the same: the reference and where the case stands.
        let csv = client.get("/staff/crises/cr1/board.csv?lang=en").await.body;
        let header = csv.trim_start_matches('\u{feff}').lines().next().unwrap();
        assert!(header.contains(",Case,Case status,"), "{header}");
        let omar_reference = omar.reference.clone().unwrap();
        assert!(
            csv.lines().any(|l| l.starts_with("Layla Haddad,")
                && l.contains(&format!(",{reference},In review,"))),
            "{csv}"
        );
        assert!(
            csv.lines().any(|l| l.starts_with("Omar Nasser,")
                && l.contains(&format!(
                    ",{omar_reference},Submitted — not yet acknowledged,"
                ))),
            "{csv}"
        );
    }
}

/// Messages stopped before they were sent (still queued when an Update or a Cancel went out
/// or the alert expired, or to someone who unsubscribed since) are counted apart from the
/// channel's failures. Before, an Update of thousands of queued messages showed as thousands
/// of failures, and the gateway's own failures were lost among them.
#[tokio::test]
async fn messages_stopped_before_sending_are_not_counted_as_failed() {
    for app in all_apps().await {
        let mission = board_fixture(&app).await;
        for (i, why, sent) in [
            (4, "superseded", false),
            (5, "cancelled", false),
            (6, "expired", false),
            (7, "unsubscribed", false),
            // The gateway's receipt: sent, and it never reached the phone.
            (8, "expired", true),
            (9, "503 Service Unavailable", false),
        ] {
            exec(
                &app.db,
                &format!(
                    "INSERT INTO crisis_deliveries (id, alert_id, recipient_id, recipient_kind, channel, address, lang, status, attempts, last_error, created_at, sent_at) \
                     VALUES ('d{i}', 'al1', $1, 'registration', 'sms', '+33600000001', 'en', 'failed', 1, $2, $3, {})",
                    if sent { "$3" } else { "NULL" }
                ),
                &[&format!("r{i}"), why],
            )
            .await;
        }
        let counts = checkins::counts(&app.db, "cr1").await.unwrap();
        assert_eq!(
            (counts.targeted, counts.failed, counts.not_sent),
            (10, 3, 4)
        );
        let mut client = officer(&app, &mission).await;
        let page = client.get(BOARD).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(tile(&page.body, "failed"), "3");
        assert_eq!(tile(&page.body, "not-sent"), "4");
        assert!(
            page.body
                .contains("not sent (superseded, cancelled, expired or unsubscribed)")
        );
    }
}
