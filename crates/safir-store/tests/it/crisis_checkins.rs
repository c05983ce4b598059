use safir_domain::crisis::checkin::CheckinStatus;
use safir_store::crisis::checkins::{self, BoardFilter, BoardSort, Imported, ImportedPerson};
use safir_store::testing::TestDb;
use safir_store::{Db, now, with_pool};

use crate::missions::create_paris;

async fn exec(db: &Db, sql: &str, args: &[&str]) {
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

/// A mission, a crisis in France and two alerts of it.
pub async fn crisis(db: &Db) -> String {
    let mission = create_paris(db).await;
    let m = mission.as_str();
    exec(
        db,
        "INSERT INTO crises (id, mission_id, title_ar, title_en, country, area, status, presence_open, reminder_minutes, declared_at) \
         VALUES ('cr1', $1, 'فيضان', 'Flood', 'FR', '{}', 'open', TRUE, 120, $2)",
        &[m],
    )
    .await;
    for a in ["al1", "al2"] {
        exec(
            db,
            "INSERT INTO crisis_alerts (id, identifier, crisis_id, mission_id, msg_type, status, headline_ar, headline_en, \
             description_ar, description_en, instruction_ar, instruction_en, category, event, response_type, urgency, severity, \
             certainty, target, area_desc, audience, source, created_at, updated_at) \
             VALUES ($1, $1, 'cr1', $2, 'Alert', 'sending', '', '', '', '', '', '', 'Met', 'Flood', 'Shelter', 'Immediate', \
             'Severe', 'Observed', '{}', '', '{}', '', $3, $3)",
            &[a, m],
        )
        .await;
    }
    "cr1".into()
}

/// A verified registration with one place in `region` (FR).
pub async fn person(
    db: &Db,
    id: &str,
    name: &str,
    phone: &str,
    region: &str,
    vuln: (i32, bool, bool),
) {
    let (children, elderly, medical) = vuln;
    exec(
        db,
        &format!(
            "INSERT INTO crisis_registrations (id, user_id, kind, crisis_id, full_name, email, phone, lang, channels, companions, \
             adults, children, elderly, medical, vulnerability_note, emergency_name, emergency_phone, emergency_email, verified_at, \
             consent_at, created_at, updated_at) \
             VALUES ($1, NULL, 'presence', 'cr1', $2, NULL, $3, 'en', 'sms', '[]', 1, {children}, {elderly}, {medical}, '', '', '', '', \
             $4, $4, $4, $4)"
        ),
        &[id, name, phone],
    )
    .await;
    exec(
        db,
        "INSERT INTO crisis_places (id, registration_id, country, region, city) VALUES ($1 || '-p', $1, 'FR', $2, '') ",
        &[id, region],
    )
    .await;
}

/// Two alerts of one crisis fanned out at once: each person keeps one current check-in.
/// Before, on PostgreSQL each fan-out read the people's current check-ins before the other
/// wrote its own, and both stood current: the person counted twice on the board.
#[tokio::test]
async fn two_fan_outs_at_once_leave_one_current_check_in_a_person() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(db, "r1", "Anna", "+33600000001", "IDF", (0, false, false)).await;
        person(db, "r2", "Bilal", "+33600000002", "PACA", (0, false, false)).await;
        let ids = vec!["r1".to_owned(), "r2".to_owned()];
        // The first fan-out has written its check-ins and not committed when the second
        // starts; the second must wait for it (and then supersede its check-ins), not read
        // past it.
        let mut first = db.begin().await.unwrap();
        let n = checkins::create_batch(&mut first, "al1", Some(&crisis), &ids)
            .await
            .unwrap();
        assert_eq!(n, 2);
        let second = {
            let (db, ids, crisis) = (db.clone(), ids.clone(), crisis.clone());
            tokio::spawn(async move {
                let mut tx = db.begin().await.unwrap();
                let n = checkins::create_batch(&mut tx, "al2", Some(&crisis), &ids)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                n
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        first.commit().await.unwrap();
        assert_eq!(second.await.unwrap(), 2);
        for r in ["r1", "r2"] {
            let current: i64 = safir_store::with_pool!(db.read(), p => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM crisis_checkins WHERE registration_id = $1 AND is_current = $2",
                )
                .bind(r)
                .bind(true)
                .fetch_one(p)
                .await
            })
            .unwrap();
            assert_eq!(current, 1, "{r} on {:?}", db.backend());
        }
    }
}

#[tokio::test]
async fn a_new_alert_supersedes_unanswered_check_ins_and_answers_go_to_the_current_one() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(db, "r1", "Anna", "+33600000001", "IDF", (0, false, false)).await;
        person(db, "r2", "Bilal", "+33600000002", "PACA", (2, false, true)).await;
        let ids = vec!["r1".to_owned(), "r2".to_owned(), "r1".to_owned()];

        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            checkins::create_batch(&mut tx, "al1", Some(&crisis), &ids)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            checkins::create_batch(&mut tx, "al1", Some(&crisis), &ids)
                .await
                .unwrap(),
            0,
            "a re-run adds nothing"
        );
        tx.commit().await.unwrap();
        let first_r1 = checkins::for_delivery(db, "al1", "r1")
            .await
            .unwrap()
            .unwrap();
        let first_r2 = checkins::for_delivery(db, "al1", "r2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first_r1.region, "IDF");
        assert!(first_r1.is_current);

        // r2 answers the first alert; then a second alert asks everyone again.
        checkins::answer(db, &first_r2.id, CheckinStatus::Safe, "", None)
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            checkins::create_batch(&mut tx, "al2", Some(&crisis), &ids)
                .await
                .unwrap(),
            2
        );
        tx.commit().await.unwrap();

        let old_r1 = checkins::find(db, &first_r1.id).await.unwrap();
        assert_eq!(old_r1.status, "superseded");
        assert!(!old_r1.is_current);
        let old_r2 = checkins::find(db, &first_r2.id).await.unwrap();
        assert_eq!(
            old_r2.status, "safe",
            "an answered check-in keeps its answer"
        );
        assert!(!old_r2.is_current);

        // An answer through the old link goes to the current check-in.
        let answered = checkins::answer(
            db,
            &first_r1.id,
            CheckinStatus::NeedHelp,
            "water",
            Some((48.85, 2.35)),
        )
        .await
        .unwrap();
        assert!(answered.redirected);
        let current_r1 = checkins::for_delivery(db, "al2", "r1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(answered.checkin.id, current_r1.id);
        assert_eq!(current_r1.status, "need_help");
        assert_eq!(current_r1.note, "water");
        assert_eq!(current_r1.lat, Some(48.85));
        assert_eq!(
            checkins::find(db, &first_r1.id).await.unwrap().status,
            "superseded"
        );

        // Answering again replaces the answer, keeps the location.
        let again = checkins::answer(db, &current_r1.id, CheckinStatus::Safe, "fine now", None)
            .await
            .unwrap();
        assert!(!again.redirected);
        assert_eq!(again.checkin.status, "safe");
        assert_eq!(again.checkin.lon, Some(2.35));
        assert!(again.checkin.answered_at >= answered.checkin.answered_at);

        assert!(
            checkins::answer(db, &current_r1.id, CheckinStatus::Waiting, "", None)
                .await
                .is_err(),
            "waiting is not an answer"
        );
        assert!(
            checkins::answer(db, "nope", CheckinStatus::Safe, "", None)
                .await
                .is_err()
        );

        // SMS replies find the current check-in by phone.
        let by_phone = checkins::current_for_phone(db, "+33600000002")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_phone.alert_id.as_deref(), Some("al2"));
        assert!(
            checkins::current_for_phone(db, "+1999")
                .await
                .unwrap()
                .is_none()
        );

        // The case link is set once.
        let mut tx = db.begin().await.unwrap();
        assert!(
            checkins::set_case(&mut tx, &current_r1.id, None, "case-1")
                .await
                .unwrap()
        );
        assert!(
            !checkins::set_case(&mut tx, &current_r1.id, None, "case-2")
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert_eq!(
            checkins::find(db, &current_r1.id)
                .await
                .unwrap()
                .case_id
                .as_deref(),
            Some("case-1")
        );
    }
}

#[tokio::test]
async fn the_board_counts_people_once_by_answer_region_and_vulnerability() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(db, "r1", "Anna", "+33600000001", "IDF", (0, false, false)).await;
        person(db, "r2", "Bilal", "+33600000002", "PACA", (2, false, true)).await;
        person(db, "r3", "Chen", "+33600000003", "PACA", (0, true, false)).await;
        // Rows written by SQL have no name search key until migrating fills it in.
        safir_store::name_key::fill_all(db).await.unwrap();
        let ids: Vec<String> = ["r1", "r2", "r3"].iter().map(|s| s.to_string()).collect();
        for alert in ["al1", "al2"] {
            let mut tx = db.begin().await.unwrap();
            checkins::create_batch(&mut tx, alert, Some(&crisis), &ids)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let c2 = checkins::for_delivery(db, "al2", "r2")
            .await
            .unwrap()
            .unwrap();
        checkins::answer(db, &c2.id, CheckinStatus::NeedHelp, "", None)
            .await
            .unwrap();
        let c3 = checkins::for_delivery(db, "al2", "r3")
            .await
            .unwrap()
            .unwrap();
        checkins::answer(db, &c3.id, CheckinStatus::Safe, "", None)
            .await
            .unwrap();
        for (i, status) in ["sent", "delivered", "failed", "queued"].iter().enumerate() {
            exec(
                db,
                &format!(
                    "INSERT INTO crisis_deliveries (id, alert_id, recipient_id, recipient_kind, channel, address, lang, status, attempts, created_at) \
                     VALUES ('d{i}', 'al2', $1, 'registration', 'sms', '+33', 'en', '{status}', 1, $2)"
                ),
                &[&format!("r{i}")],
            )
            .await;
        }

        let counts = checkins::counts(db, &crisis).await.unwrap();
        assert_eq!(counts.people.total(), 3, "each person once");
        assert_eq!(counts.people.waiting, 1);
        assert_eq!(counts.people.safe, 1);
        assert_eq!(counts.people.need_help, 1);
        assert_eq!(
            (counts.targeted, counts.delivered, counts.failed),
            (4, 2, 1)
        );
        assert_eq!(counts.by_region["PACA"].need_help, 1);
        assert_eq!(counts.by_region["PACA"].safe, 1);
        assert_eq!(counts.by_region["IDF"].waiting, 1);
        assert_eq!(counts.by_vulnerability["medical"].need_help, 1);
        assert_eq!(counts.by_vulnerability["children"].need_help, 1);
        assert_eq!(counts.by_vulnerability["elderly"].safe, 1);
        assert_eq!(counts.by_vulnerability["none"].waiting, 1);

        // Filters.
        let all = checkins::list(
            db,
            &crisis,
            &BoardFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            all.iter().map(|r| r.full_name.as_str()).collect::<Vec<_>>(),
            ["Bilal", "Chen", "Anna"],
            "most vulnerable first"
        );
        let help = checkins::list(
            db,
            &crisis,
            &BoardFilter {
                status: Some(CheckinStatus::NeedHelp),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(help.len(), 1);
        assert_eq!(help[0].full_name, "Bilal");
        let paca = checkins::list(
            db,
            &crisis,
            &BoardFilter {
                region: Some("PACA".into()),
                sort: BoardSort::Name,
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            paca.iter()
                .map(|r| r.full_name.as_str())
                .collect::<Vec<_>>(),
            ["Bilal", "Chen"]
        );
        let vulnerable = checkins::list(
            db,
            &crisis,
            &BoardFilter {
                vulnerable: true,
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(vulnerable.len(), 2);
        let named = checkins::list(
            db,
            &crisis,
            &BoardFilter {
                q: Some("ann".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].full_name, "Anna");

        // Keyset pages cover everyone once, in order.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = checkins::list(
                db,
                &crisis,
                &BoardFilter {
                    after: after.clone(),
                    limit: 1,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(last.id.clone());
            seen.push(last.full_name.clone());
        }
        assert_eq!(seen, ["Bilal", "Chen", "Anna"]);
        assert_eq!(
            checkins::regions(db, &crisis).await.unwrap(),
            ["IDF", "PACA"]
        );
    }
}

#[tokio::test]
async fn reminders_go_once_to_people_who_have_not_answered() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(db, "r1", "Anna", "+33600000001", "IDF", (0, false, false)).await;
        person(db, "r2", "Bilal", "+33600000002", "PACA", (0, false, false)).await;
        let ids = vec!["r1".to_owned(), "r2".to_owned()];
        let mut tx = db.begin().await.unwrap();
        checkins::create_batch(&mut tx, "al1", Some(&crisis), &ids)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let c1 = checkins::for_delivery(db, "al1", "r1")
            .await
            .unwrap()
            .unwrap();
        checkins::answer(db, &c1.id, CheckinStatus::Safe, "", None)
            .await
            .unwrap();

        let later = now() + chrono::Duration::minutes(1);
        assert!(
            checkins::non_responders(db, &crisis, "al1", now() - chrono::Duration::hours(1))
                .await
                .unwrap()
                .is_empty()
        );
        // Another alert's round is not this one's.
        assert!(
            checkins::non_responders(db, &crisis, "al2", later)
                .await
                .unwrap()
                .is_empty()
        );
        let due = checkins::non_responders(db, &crisis, "al1", later)
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].registration_id, "r2");
        let mut tx = db.begin().await.unwrap();
        assert!(
            checkins::mark_reminded(&mut tx, &due[0].checkin_id)
                .await
                .unwrap()
        );
        assert!(
            !checkins::mark_reminded(&mut tx, &due[0].checkin_id)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        assert!(
            checkins::non_responders(db, &crisis, "al1", later)
                .await
                .unwrap()
                .is_empty()
        );
        // A crisis closed reminds no one.
        person(db, "r3", "Chadi", "+33600000003", "IDF", (0, false, false)).await;
        let mut tx = db.begin().await.unwrap();
        checkins::create_batch(&mut tx, "al1", Some(&crisis), &["r3".to_owned()])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            checkins::non_responders(db, &crisis, "al1", later)
                .await
                .unwrap()
                .len(),
            1
        );
        exec(
            db,
            "UPDATE crises SET status = 'closed' WHERE id = $1",
            &[&crisis],
        )
        .await;
        assert!(
            checkins::non_responders(db, &crisis, "al1", later)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// A person of a people finder's document, safe, with no date on the note.
fn dana() -> ImportedPerson {
    ImportedPerson {
        person_record_id: "example.org/p.1".into(),
        source_url: "https://example.org/p/1".into(),
        full_name: "Dana Imported".into(),
        email: None,
        phone: Some("+33600000009".into()),
        lang: "en".into(),
        country: "FR".into(),
        region: "IDF".into(),
        city: "Paris".into(),
        status: Some(CheckinStatus::Safe),
        note: "seen at the shelter".into(),
        point: Some((48.8, 2.3)),
        answered_at: None,
    }
}

#[tokio::test]
async fn imported_people_join_the_board_once_and_the_key_is_kept() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        let person = dana();
        let purge_at = safir_store::now() + chrono::Duration::days(30);
        let purge = Some(purge_at);
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            checkins::import_person(&mut tx, &crisis, None, &person, purge)
                .await
                .unwrap(),
            Imported::Added
        );
        assert_eq!(
            checkins::import_person(&mut tx, &crisis, None, &person, purge)
                .await
                .unwrap(),
            Imported::Unchanged
        );
        tx.commit().await.unwrap();
        let rows = checkins::list(db, &crisis, &BoardFilter::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, "safe");
        assert_eq!(rows[0].person_record_id.as_deref(), Some("example.org/p.1"));
        assert_eq!(checkins::located(db, &crisis).await.unwrap().len(), 1);
        assert_eq!(checkins::counts(db, &crisis).await.unwrap().people.safe, 1);
        // One imported before imports had a purge time is given one by the purge job.
        let earlier = ImportedPerson {
            person_record_id: "example.org/p.2".into(),
            ..person.clone()
        };
        let mut tx = db.begin().await.unwrap();
        checkins::import_person(&mut tx, &crisis, None, &earlier, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let retention = safir_store::crisis::registrations::date_undated_imports(
            db,
            chrono::Duration::days(29),
        );
        assert_eq!(retention.await.unwrap(), 1);
        // Purged when its time comes, as a presence registration made that day.
        let later = purge_at + chrono::Duration::seconds(1);
        assert_eq!(
            safir_store::crisis::registrations::purge_expired(db, later)
                .await
                .unwrap(),
            2
        );
        assert!(
            checkins::list(db, &crisis, &BoardFilter::default())
                .await
                .unwrap()
                .is_empty()
        );

        let key = checkins::checkin_key(db).await.unwrap();
        assert_eq!(key.len(), 32);
        assert_eq!(checkins::checkin_key(db).await.unwrap(), key);
    }
}

/// A PFIF document imported again brings a person's newer answer to the board; an older or
/// the same one changes nothing, and a note older than a later alert's question does not
/// answer it.
#[tokio::test]
async fn a_newer_answer_of_an_imported_person_updates_their_check_in() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        let t0 = now() - chrono::Duration::hours(5);
        let person = |status: CheckinStatus, hours: i64| ImportedPerson {
            status: Some(status),
            note: format!("{} at {hours}", status.as_str()),
            point: None,
            answered_at: Some(t0 + chrono::Duration::hours(hours)),
            ..dana()
        };
        let import = |p: ImportedPerson| {
            let (db, crisis) = (db.clone(), crisis.clone());
            async move {
                let mut tx = db.begin().await.unwrap();
                let r = checkins::import_person(&mut tx, &crisis, None, &p, None)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                r
            }
        };
        let board = || async {
            checkins::list(db, &crisis, &BoardFilter::default())
                .await
                .unwrap()
        };
        assert_eq!(
            import(person(CheckinStatus::Safe, 0)).await,
            Imported::Added
        );
        assert_eq!(
            import(person(CheckinStatus::NeedHelp, 1)).await,
            Imported::Updated
        );
        let rows = board().await;
        assert_eq!(rows.len(), 1, "one person");
        assert_eq!(rows[0].status, "need_help");
        assert_eq!(rows[0].note, "need_help at 1");
        for older in [
            person(CheckinStatus::Safe, -1),
            person(CheckinStatus::Safe, 1),
        ] {
            assert_eq!(import(older).await, Imported::Unchanged);
        }
        let mut unanswered = person(CheckinStatus::Safe, 3);
        unanswered.status = None;
        assert_eq!(import(unanswered).await, Imported::Unchanged);
        assert_eq!(board().await[0].status, "need_help");

        // An alert asks again now: a note of before its question does not answer it, one
        // dated after it does; one dated in the future (a wrong clock) changes nothing, nor
        // does it pass for newer than the answer given since.
        let registration = vec![rows[0].registration_id.clone()];
        let mut tx = db.begin().await.unwrap();
        checkins::create_batch(&mut tx, "al1", Some(&crisis), &registration)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            import(person(CheckinStatus::Safe, 2)).await,
            Imported::Unchanged
        );
        assert_eq!(board().await[0].status, "waiting");
        assert_eq!(
            import(person(CheckinStatus::NeedHelp, 50)).await,
            Imported::Unchanged
        );
        let mut fresh = person(CheckinStatus::Safe, 0);
        fresh.answered_at = Some(now());
        assert_eq!(import(fresh).await, Imported::Updated);
        let rows = board().await;
        assert_eq!((rows.len(), rows[0].status.as_str()), (1, "safe"));
        assert_eq!(
            import(person(CheckinStatus::NeedHelp, 50)).await,
            Imported::Unchanged
        );
    }
}

/// The board's search folds names as the queue's does (case in every script, Arabic letter
/// variants, diacritics, tatweel, the words in any order) and reads Arabic-Indic digits in a
/// phone number, on both backends.
#[tokio::test]
async fn the_board_search_folds_names_and_digits_on_both_backends() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(
            db,
            "r1",
            "أحمد الرّاشد",
            "+33600000001",
            "IDF",
            (0, false, false),
        )
        .await;
        person(
            db,
            "r2",
            "Élodie Martin",
            "+33600000002",
            "IDF",
            (0, false, false),
        )
        .await;
        assert_eq!(safir_store::name_key::fill_all(db).await.unwrap(), 2);
        let ids = vec!["r1".to_owned(), "r2".to_owned()];
        let mut tx = db.begin().await.unwrap();
        checkins::create_batch(&mut tx, "al1", Some(&crisis), &ids)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for (q, want) in [
            ("احمد", vec!["أحمد الرّاشد"]),
            ("أحـمـد الراشد", vec!["أحمد الرّاشد"]),
            ("ÉLODIE", vec!["Élodie Martin"]),
            ("martin elodie", vec!["Élodie Martin"]),
            ("الراشد احمد", vec!["أحمد الرّاشد"]),
            ("martin أحمد", vec![]),
            ("٦٠٠٠٠٠٠٠٢", vec!["Élodie Martin"]),
            // A number as a caller reads it out, as a phone shows it, or in national form.
            ("+33 6 00 00 00 02", vec!["Élodie Martin"]),
            ("06.00.00.00.01", vec!["أحمد الرّاشد"]),
            ("0033 (6) 00-00-00-02", vec!["Élodie Martin"]),
            ("%", vec![]),
        ] {
            let found = checkins::list(
                db,
                &crisis,
                &BoardFilter {
                    q: Some(q.into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let names: Vec<&str> = found.iter().map(|r| r.full_name.as_str()).collect();
            assert_eq!(names, want, "{:?}: {q}", t.backend());
        }
    }
}

/// A registration deleted takes its contact out of the alerts' delivery records: what was not
/// yet sent is not sent, and what was sent or failed no longer holds the address, nor the
/// gateway's error that repeated it.
#[tokio::test]
async fn a_deleted_registration_leaves_no_contact_in_the_deliveries() {
    for t in TestDb::all().await {
        let db = &t.db;
        crisis(db).await;
        for id in ["gone", "kept"] {
            person(db, id, id, "+33600000001", "IDF", (0, false, false)).await;
        }
        for (i, (recipient, status)) in [("gone", "failed"), ("gone", "queued"), ("kept", "queued")]
            .iter()
            .enumerate()
        {
            exec(
                db,
                &format!(
                    "INSERT INTO crisis_deliveries (id, alert_id, recipient_id, recipient_kind, channel, address, lang, status, attempts, created_at) \
                     VALUES ('d{i}', 'al{}', $1, 'registration', 'sms', '+33600000001', 'en', '{status}', 0, $2)",
                    i % 2 + 1
                ),
                &[recipient],
            )
            .await;
        }
        exec(
            db,
            "UPDATE crisis_deliveries SET last_error = 'HTTP 400: The To number ' || $1 || ' is not valid' WHERE id = 'd0'",
            &["+33600000001"],
        )
        .await;
        exec(
            db,
            "DELETE FROM crisis_registrations WHERE id = $1",
            &["gone"],
        )
        .await;
        let rows: Vec<(String, String, String, Option<String>)> = with_pool!(db.read(), p => {
            sqlx::query_as("SELECT id, status, address, last_error FROM crisis_deliveries ORDER BY id")
                .fetch_all(p)
                .await
        })
        .unwrap();
        assert_eq!(
            rows,
            vec![
                ("d0".to_owned(), "failed".to_owned(), String::new(), None),
                (
                    "d2".to_owned(),
                    "queued".to_owned(),
                    "+33600000001".to_owned(),
                    None
                ),
            ]
        );
    }
}

/// An answer sent through the old link while an update's fan-out is superseding that check-in
/// (its transaction holds the row) lands on the new current check-in once the fan-out commits,
/// not on the superseded one.
#[tokio::test]
async fn an_answer_sent_while_an_update_fans_out_goes_to_the_new_check_in() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(db, "r1", "Anna", "+33600000001", "IDF", (0, false, false)).await;
        let ids = vec!["r1".to_owned()];
        let mut tx = db.begin().await.unwrap();
        checkins::create_batch(&mut tx, "al1", Some(&crisis), &ids)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let first = checkins::for_delivery(db, "al1", "r1")
            .await
            .unwrap()
            .unwrap();
        let mut fan_out = db.begin().await.unwrap();
        checkins::create_batch(&mut fan_out, "al2", Some(&crisis), &ids)
            .await
            .unwrap();
        let answering = tokio::spawn({
            let db = db.clone();
            let id = first.id.clone();
            async move {
                checkins::answer_batch(
                    &db,
                    &[checkins::NewAnswer {
                        id,
                        status: CheckinStatus::NeedHelp,
                        note: String::new(),
                        point: None,
                    }],
                )
                .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        fan_out.commit().await.unwrap();
        let answered = answering
            .await
            .unwrap()
            .unwrap()
            .remove(0)
            .expect("the answer is recorded");
        let second = checkins::for_delivery(db, "al2", "r1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(answered.checkin.id, second.id);
        assert_eq!(
            checkins::find(db, &second.id).await.unwrap().status,
            CheckinStatus::NeedHelp.as_str()
        );
        assert_eq!(
            checkins::find(db, &first.id).await.unwrap().status,
            "superseded"
        );
    }
}

/// A phone registered for several people (a parent and a child, a residence and a trip): an
/// SMS reply lists each one's current check-in, once per registration, in the order the
/// registrations were made, so that "SAFE 2" means the same person from one message to the
/// next. Before, only the newest current check-in of the phone was found, and every reply
/// went to it.
#[tokio::test]
async fn every_current_check_in_of_a_phone_is_listed_once_in_registration_order() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(
            db,
            "r1",
            "Sami Haddad",
            "+33600000005",
            "IDF",
            (0, false, false),
        )
        .await;
        person(
            db,
            "r2",
            "Layla Haddad",
            "+33600000005",
            "IDF",
            (1, false, false),
        )
        .await;
        person(db, "r3", "Nour", "+33600000005", "IDF", (0, false, false)).await;
        person(db, "r4", "Other", "+33600000006", "IDF", (0, false, false)).await;
        // Sami's registration is made again last: Layla's comes first (ids do not give the
        // order).
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        exec(
            db,
            "UPDATE crisis_registrations SET created_at = $2 WHERE id = $1",
            &["r1"],
        )
        .await;
        let ids: Vec<String> = ["r1", "r2", "r4"].map(String::from).to_vec();
        for alert in ["al1", "al2"] {
            let mut tx = db.begin().await.unwrap();
            checkins::create_batch(&mut tx, alert, Some(&crisis), &ids)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let found = checkins::current_all_for_phone(db, "+33600000005")
            .await
            .unwrap();
        let names: Vec<&str> = found.iter().map(|c| c.full_name.as_str()).collect();
        // Everyone with the number, in the order they registered (the numbers a reply picks
        // by do not move with whom an alert reached); Nour has no check-in, each of the others
        // its current one (al2's) only.
        assert_eq!(names, ["Layla Haddad", "Nour", "Sami Haddad"]);
        assert!(found[1].checkin_id.is_none());
        for (c, reg) in [&found[0], &found[2]].into_iter().zip(["r2", "r1"]) {
            assert_eq!(c.registration_id, reg);
            let row = checkins::find(db, c.checkin_id.as_deref().unwrap())
                .await
                .unwrap();
            assert_eq!(
                (row.alert_id.as_deref(), row.is_current),
                (Some("al2"), true)
            );
        }
        // Once the crisis is closed, its check-ins are over: no answer reaches them.
        let mut tx = db.begin().await.unwrap();
        assert!(
            safir_store::crisis::crises::close(&mut tx, &crisis)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let found = checkins::current_all_for_phone(db, "+33600000005")
            .await
            .unwrap();
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|c| c.checkin_id.is_none()));
        assert!(
            checkins::current_all_for_phone(db, "+1999")
                .await
                .unwrap()
                .is_empty()
        );
    }
}
