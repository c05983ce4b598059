//! Consular cases in storage: drafts with idempotency keys, references numbered per mission
//! and year, transitions that refuse stale or illegal moves, the officers' queue and the
//! SLA board, and the purge of finished files.

use std::collections::BTreeMap;

use chrono::Duration;
use safir_domain::accounts::AccountKind;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState, Priority};
use safir_domain::consular::service::{Currency, Fee};
use safir_store::consular::cases::{
    self, AssigneeFilter, NewDraft, QueueFilter, Transition, TransitionError,
};
use safir_store::consular::services::{self, ServiceInput};
use safir_store::testing::TestDb;
use safir_store::{Db, missions, now, with_pool, with_tx};

use crate::directory::user;
use crate::missions::paris;

pub fn passport_service() -> ServiceInput {
    ServiceInput {
        code: "passport_renewal".into(),
        kind: CaseKind::PassportRenewal,
        name_ar: "تجديد جواز السفر".into(),
        name_en: "Passport renewal".into(),
        instructions_ar: "املأ الاستمارة".into(),
        instructions_en: "Fill in the form".into(),
        documents: "صورة شخصية | Photo\nالجواز الحالي | Current passport".into(),
        fee: Fee::parse("75", Currency::parse("EUR").unwrap()).unwrap(),
        processing_days: 10,
        visa_types: vec![],
        enabled: true,
    }
}

async fn setup(db: &Db) -> (String, String, String) {
    let mut tx = db.begin().await.unwrap();
    let mission = missions::create(&mut tx, &paris()).await.unwrap();
    let service = services::create(&mut tx, mission.as_str(), &passport_service())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let applicant = user(db, "amal@example.org", "أمل", AccountKind::Public).await;
    (mission.to_string(), service.to_string(), applicant)
}

async fn draft(
    db: &Db,
    mission: &str,
    service: &str,
    applicant: &str,
    key: Option<&str>,
) -> cases::Case {
    draft_named(db, mission, service, applicant, key, "أمل الحسن").await
}

async fn draft_named(
    db: &Db,
    mission: &str,
    service: &str,
    applicant: &str,
    key: Option<&str>,
    applicant_name: &str,
) -> cases::Case {
    let mut form = BTreeMap::new();
    form.insert("surname".to_owned(), "الحسن".to_owned());
    let mut tx = db.begin().await.unwrap();
    let case = cases::create_draft(
        &mut tx,
        &NewDraft {
            mission_id: mission,
            service_id: service,
            kind: CaseKind::PassportRenewal,
            applicant_id: applicant,
            form: &form,
            applicant_name,
            lang: "ar",
            priority: Priority::Normal,
            idempotency_key: key,
            idempotency_fingerprint: None,
            expires_at: now() + Duration::days(30),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    case
}

async fn act(
    db: &Db,
    id: &str,
    action: CaseAction,
    actor: Actor,
) -> Result<cases::Case, TransitionError> {
    let mut tx = db.begin().await.unwrap();
    let r = cases::transition(
        &mut tx,
        id,
        &Transition {
            action,
            actor,
            actor_id: None,
            reason: Some("ok"),
            mission_code: "PAR",
            due_in: Some(Duration::days(10)),
        },
    )
    .await;
    match r {
        Ok((case, _)) => {
            tx.commit().await.unwrap();
            Ok(case)
        }
        Err(e) => {
            tx.rollback().await.unwrap();
            Err(e)
        }
    }
}

#[tokio::test]
async fn a_draft_of_a_disabled_service_is_not_submitted() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let sent = draft(db, &mission, &service, &applicant, Some("k1")).await;
        act(db, &sent.id, CaseAction::Submit, Actor::Applicant)
            .await
            .unwrap();
        act(db, &sent.id, CaseAction::StartReview, Actor::Officer)
            .await
            .unwrap();
        act(db, &sent.id, CaseAction::RequestInfo, Actor::Officer)
            .await
            .unwrap();
        let kept = draft(db, &mission, &service, &applicant, Some("k2")).await;
        let mut tx = db.begin().await.unwrap();
        let off = ServiceInput {
            enabled: false,
            ..passport_service()
        };
        services::update(&mut tx, &mission, &service, &off)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        assert!(matches!(
            act(db, &kept.id, CaseAction::Submit, Actor::Applicant).await,
            Err(TransitionError::ServiceDisabled)
        ));
        let still = cases::find(db, &kept.id).await.unwrap();
        assert_eq!(still.state, "draft");
        assert!(still.reference.is_none());
        // A case already sent goes on: the applicant answers the mission's request.
        act(db, &sent.id, CaseAction::ProvideInfo, Actor::Applicant)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_draft_is_submitted_numbered_and_worked_to_collection() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let first = draft(db, &mission, &service, &applicant, Some("k1")).await;
        let again = draft(db, &mission, &service, &applicant, Some("k1")).await;
        assert_eq!(first.id, again.id, "a retried request makes one case");
        assert_eq!(first.state, "draft");
        assert!(first.reference.is_none());

        let submitted = act(db, &first.id, CaseAction::Submit, Actor::Applicant)
            .await
            .unwrap();
        let year = now().format("%Y").to_string();
        assert_eq!(
            submitted.reference.as_deref(),
            Some(format!("PAR-{year}-000001").as_str())
        );
        assert!(submitted.due_at.is_some() && submitted.expires_at.is_none());

        let second = draft(db, &mission, &service, &applicant, Some("k2")).await;
        let second = act(db, &second.id, CaseAction::Submit, Actor::Applicant)
            .await
            .unwrap();
        assert_eq!(
            second.reference.as_deref(),
            Some(format!("PAR-{year}-000002").as_str())
        );

        // Illegal and wrong-side moves are refused and change nothing.
        assert!(matches!(
            act(db, &first.id, CaseAction::Approve, Actor::Officer).await,
            Err(TransitionError::Illegal(_))
        ));
        assert!(
            act(db, &first.id, CaseAction::StartReview, Actor::Applicant)
                .await
                .is_err()
        );
        assert_eq!(cases::find(db, &first.id).await.unwrap().state, "submitted");

        for (a, who) in [
            (CaseAction::StartReview, Actor::Officer),
            (CaseAction::RequestInfo, Actor::Officer),
            (CaseAction::ProvideInfo, Actor::Applicant),
            (CaseAction::Approve, Actor::Officer),
            (CaseAction::MarkReadyForCollection, Actor::Officer),
            (CaseAction::Close, Actor::Officer),
        ] {
            act(db, &first.id, a, who).await.unwrap();
        }
        let closed = cases::find(db, &first.id).await.unwrap();
        assert_eq!(closed.state, "closed");
        assert!(closed.acknowledged_at.is_some() && closed.closed_at.is_some());
        let events = cases::events(db, &first.id).await.unwrap();
        let path: Vec<&str> = events.iter().map(|e| e.to_state.as_str()).collect();
        assert_eq!(
            path,
            [
                "submitted",
                "in_review",
                "needs_info",
                "in_review",
                "approved",
                "ready_for_collection",
                "closed"
            ]
        );

        // Purge: only closed cases go, with their history.
        let ids = cases::closed_before(db, now() + Duration::seconds(1), 10)
            .await
            .unwrap();
        assert_eq!(ids, vec![first.id.clone()]);
        let mut tx = db.begin().await.unwrap();
        assert!(cases::delete_closed(&mut tx, &first.id).await.unwrap());
        assert!(!cases::delete_closed(&mut tx, &second.id).await.unwrap());
        tx.commit().await.unwrap();
        assert!(cases::find(db, &first.id).await.is_err());
        assert!(cases::events(db, &first.id).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn concurrent_moves_on_one_case_let_exactly_one_through() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let c = draft(db, &mission, &service, &applicant, None).await;
        act(db, &c.id, CaseAction::Submit, Actor::Applicant)
            .await
            .unwrap();
        let mut handles = Vec::new();
        for _ in 0..8 {
            let db = db.clone();
            let id = c.id.clone();
            handles.push(tokio::spawn(async move {
                act(&db, &id, CaseAction::StartReview, Actor::Officer)
                    .await
                    .is_ok()
            }));
        }
        let mut ok = 0;
        for h in handles {
            ok += h.await.unwrap() as usize;
        }
        assert_eq!(ok, 1);
        assert_eq!(cases::events(db, &c.id).await.unwrap().len(), 2);
    }
}

/// PostgreSQL: two officers taking one case from the pool at the same moment, each having read
/// it unassigned: the second waits for the first, then finds it taken and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_taking_one_case_at_once_leave_it_with_the_first() {
    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let (mission, service, applicant) = setup(db).await;
    let first = user(db, "first@ministry.example", "First", AccountKind::Staff).await;
    let second = user(db, "second@ministry.example", "Second", AccountKind::Staff).await;
    let c = draft(db, &mission, &service, &applicant, Some("taken")).await;
    act(db, &c.id, CaseAction::Submit, Actor::Applicant)
        .await
        .unwrap();

    let mut taking = db.begin().await.unwrap();
    assert!(
        cases::assign(&mut taking, &c.id, &mission, None, Some(&first))
            .await
            .unwrap()
    );
    let other = tokio::spawn({
        let (db, id, mission, second) = (db.clone(), c.id.clone(), mission.clone(), second.clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            let taken = cases::assign(&mut tx, &id, &mission, None, Some(&second))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            taken
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    taking.commit().await.unwrap();
    assert!(!other.await.unwrap(), "the second found the case taken");
    let case = cases::find(db, &c.id).await.unwrap();
    assert_eq!(case.assignee_id, Some(first));
}

#[tokio::test]
async fn references_stay_unique_under_concurrent_submissions() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let mut ids = Vec::new();
        for i in 0..20 {
            ids.push(
                draft(db, &mission, &service, &applicant, Some(&format!("c{i}")))
                    .await
                    .id,
            );
        }
        let mut handles = Vec::new();
        for id in ids {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                act(&db, &id, CaseAction::Submit, Actor::Applicant)
                    .await
                    .unwrap()
                    .reference
                    .unwrap()
            }));
        }
        let mut refs = Vec::new();
        for h in handles {
            refs.push(h.await.unwrap());
        }
        refs.sort();
        refs.dedup();
        assert_eq!(refs.len(), 20);
    }
}

#[tokio::test]
async fn the_queue_filters_pages_and_reports_breaches() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let officer = user(
            db,
            "officer@ministry.example",
            "Officer",
            AccountKind::Staff,
        )
        .await;
        let mut ids = Vec::new();
        for i in 0..7 {
            let c = draft(db, &mission, &service, &applicant, Some(&format!("q{i}"))).await;
            act(db, &c.id, CaseAction::Submit, Actor::Applicant)
                .await
                .unwrap();
            ids.push(c.id);
        }
        // A draft never shows in the queue.
        let unsent = draft(db, &mission, &service, &applicant, Some("draft")).await;
        let mut tx = db.begin().await.unwrap();
        cases::set_priority(&mut tx, &ids[6], &mission, Priority::Critical)
            .await
            .unwrap();
        assert!(
            cases::assign(&mut tx, &ids[0], &mission, None, Some(&officer))
                .await
                .unwrap()
        );
        // Taken by someone else since it was read in the pool: nothing written.
        assert!(
            !cases::assign(&mut tx, &ids[0], &mission, None, None)
                .await
                .unwrap(),
            "{:?}: an assignment read before a change does not overwrite it",
            t.backend()
        );
        // Read as the officer's: given back to the pool.
        assert!(
            cases::assign(&mut tx, &ids[0], &mission, Some(&officer), None)
                .await
                .unwrap()
        );
        assert!(
            cases::assign(&mut tx, &ids[0], &mission, None, Some(&officer))
                .await
                .unwrap()
        );
        // A triage read before a colleague's: nothing written.
        assert!(
            !cases::reprioritise(&mut tx, &ids[6], &mission, Priority::Normal, Priority::Low)
                .await
                .unwrap()
        );
        assert!(
            cases::reprioritise(
                &mut tx,
                &ids[6],
                &mission,
                Priority::Critical,
                Priority::Critical
            )
            .await
            .unwrap()
        );
        // A draft is never assigned.
        assert!(
            !cases::assign(&mut tx, &unsent.id, &mission, None, Some(&officer))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        act(db, &ids[1], CaseAction::StartReview, Actor::Officer)
            .await
            .unwrap();

        let base = QueueFilter {
            mission_id: mission.clone(),
            limit: 3,
            ..Default::default()
        };
        let page1 = cases::queue(db, &base).await.unwrap();
        assert_eq!(page1.len(), 3);
        assert_eq!(page1[0].id, ids[6], "most urgent first");
        let last = page1.last().unwrap();
        let page2 = cases::queue(
            db,
            &QueueFilter {
                after: Some((last.priority, last.submitted_at.unwrap(), last.id.clone())),
                ..base.clone()
            },
        )
        .await
        .unwrap();
        let page3 = cases::queue(
            db,
            &QueueFilter {
                after: Some((
                    page2[2].priority,
                    page2[2].submitted_at.unwrap(),
                    page2[2].id.clone(),
                )),
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(page1.len() + page2.len() + page3.len(), 7);

        let mine = cases::queue(
            db,
            &QueueFilter {
                assignee: AssigneeFilter::User(officer.clone()),
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].assignee_name.as_deref(), Some("Officer"));
        let reviewing = cases::queue(
            db,
            &QueueFilter {
                states: vec![CaseState::InReview],
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(reviewing.len(), 1);
        let by_ref = cases::queue(
            db,
            &QueueFilter {
                search: mine[0].reference.clone().map(|r| r.to_lowercase()),
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(by_ref.len(), 1);
        // The end of a reference finds the case too: year and number, or the number alone.
        let reference = mine[0].reference.clone().unwrap();
        let (_, year_and_number) = reference.split_once('-').unwrap();
        let number = year_and_number
            .rsplit('-')
            .next()
            .unwrap()
            .trim_start_matches('0');
        for part in [year_and_number, number] {
            let found = cases::queue(
                db,
                &QueueFilter {
                    search: Some(part.to_owned()),
                    limit: 50,
                    ..base.clone()
                },
            )
            .await
            .unwrap();
            assert_eq!(
                found.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
                [mine[0].id.as_str()],
                "{part}"
            );
        }
        let by_name = cases::queue(
            db,
            &QueueFilter {
                search: Some("الحسن".into()),
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(by_name.len(), 7);
        let none_breached = cases::queue(
            db,
            &QueueFilter {
                breached_at: Some(now()),
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert!(none_breached.is_empty());
        let all_breached = cases::queue(
            db,
            &QueueFilter {
                breached_at: Some(now() + Duration::days(11)),
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(all_breached.len(), 7);
        // Only the case whose applicant wrote last waits for the mission's reply.
        let awaiting = QueueFilter {
            awaiting_reply: true,
            limit: 50,
            ..base.clone()
        };
        assert!(cases::queue(db, &awaiting).await.unwrap().is_empty());
        let mut tx = db.begin().await.unwrap();
        cases::add_message(
            &mut tx,
            &ids[2],
            Some(&applicant),
            false,
            false,
            "Any news?",
        )
        .await
        .unwrap();
        cases::add_message(&mut tx, &ids[3], Some(&applicant), false, false, "Thanks.")
            .await
            .unwrap();
        cases::add_message(&mut tx, &ids[3], Some(&officer), true, false, "Noted.")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let waiting: Vec<String> = cases::queue(db, &awaiting)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(waiting, [ids[2].clone()]);

        let counts = cases::queue_counts(db, &mission).await.unwrap();
        assert_eq!(counts.get("submitted"), Some(&6));
        assert_eq!(counts.get("in_review"), Some(&1));
        assert!(!counts.contains_key("draft"));

        let board = cases::sla_board(
            db,
            &mission,
            now() - Duration::days(1),
            now() + Duration::hours(2),
        )
        .await
        .unwrap();
        let submitted = board
            .iter()
            .find(|r| r.state == CaseState::Submitted)
            .unwrap();
        assert_eq!(submitted.count, 7);
        assert!(submitted.p90_hours >= submitted.median_hours && submitted.median_hours > 1.9);

        // A search without states looks through every state but the draft: a withdrawn case
        // leaves the default list and is still found by its reference or the name.
        let gone = ids[5].clone();
        act(db, &gone, CaseAction::Withdraw, Actor::Applicant)
            .await
            .unwrap();
        let open_now = cases::queue(
            db,
            &QueueFilter {
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert!(open_now.iter().all(|r| r.id != gone));
        let gone_ref = cases::find(db, &gone).await.unwrap().reference;
        let found = cases::queue(
            db,
            &QueueFilter {
                search: gone_ref,
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, gone);
        let by_name_all = cases::queue(
            db,
            &QueueFilter {
                search: Some("الحسن".into()),
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(by_name_all.len(), 7, "drafts are never found");
        let withdrawn_only_open = cases::queue(
            db,
            &QueueFilter {
                search: Some("الحسن".into()),
                states: vec![CaseState::Submitted, CaseState::InReview],
                limit: 50,
                ..base.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(withdrawn_only_open.len(), 6, "chosen states still apply");
    }
}

/// The search folds the name stored and the words typed alike, on both backends: every
/// script's case (SQLite's LOWER folds ASCII only), the Arabic letter variants, diacritics,
/// Latin and Greek accents and tatweel; the words of a name are found in any order. Cases written before the key existed get it when the database is migrated.
#[tokio::test]
async fn the_queue_search_folds_names_alike_on_both_backends() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let names = [
            "أحمد الرّاشد",
            "Élodie MARTIN",
            "فاطمة الزهراء",
            "100% Ali",
            "ΟΔΥΣΣΕΥΣ ΠΑΠΑΣ",
        ];
        let mut ids = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let key = format!("n{i}");
            let c = draft_named(db, &mission, &service, &applicant, Some(&key), name).await;
            act(db, &c.id, CaseAction::Submit, Actor::Applicant)
                .await
                .unwrap();
            ids.push(c.id);
        }
        let found = |q: &'static str| {
            let filter = QueueFilter {
                mission_id: mission.clone(),
                search: Some(q.to_owned()),
                limit: 50,
                ..Default::default()
            };
            async move {
                let rows = cases::queue(db, &filter).await.unwrap();
                let mut got: Vec<String> = rows.into_iter().map(|r| r.id).collect();
                got.sort();
                got
            }
        };
        let only = |i: usize| vec![ids[i].clone()];
        for (q, want) in [
            ("احمد", only(0)),
            ("أحـمـد الراشد", only(0)),
            ("ÉLODIE", only(1)),
            ("élodie martin", only(1)),
            // Accents left out, words in any order.
            ("elodie", only(1)),
            ("Martin Élodie", only(1)),
            ("martin   elodie", only(1)),
            ("الراشد احمد", only(0)),
            ("martin nobody", vec![]),
            ("فاطمه", only(2)),
            ("100%", only(3)),
            ("0% a", only(3)),
            ("_", vec![]),
            ("Οδυσσευς", only(4)),
            ("παπας", only(4)),
        ] {
            assert_eq!(found(q).await, want, "{:?}: {q}", t.backend());
        }

        // Rows from before the key: migrating fills them in, once.
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE cases SET applicant_name_key = ''").execute(p).await.map(|_| ())
        })
        .unwrap();
        assert!(found("احمد").await.is_empty());
        db.migrate().await.unwrap();
        assert_eq!(found("احمد").await, only(0));
        assert_eq!(safir_store::name_key::fill_all(db).await.unwrap(), 0);

        // A key from before the final sigma was folded: migration 0022 writes it again.
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE cases SET applicant_name_key = 'οδυσσευς παπας' WHERE id = $1")
                .bind(&ids[4]).execute(p).await.map(|_| ())
        })
        .unwrap();
        assert!(found("Οδυσσευς").await.is_empty());
        let statements = match t.backend() {
            safir_store::Backend::Sqlite => {
                include_str!("../../migrations/sqlite/0022_name_keys_final_sigma.sql")
            }
            safir_store::Backend::Postgres => {
                include_str!("../../migrations/postgres/0022_name_keys_final_sigma.sql")
            }
        };
        for statement in statements.lines().filter(|l| l.starts_with("UPDATE")) {
            with_pool!(db.write(), p => {
                sqlx::query(sqlx::AssertSqlSafe(statement)).execute(p).await.map(|_| ())
            })
            .unwrap();
        }
        assert_eq!(safir_store::name_key::fill_all(db).await.unwrap(), 1);
        assert_eq!(found("Οδυσσευς").await, only(4));

        // A key from before accents were left out: migration 0023 writes it again.
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE cases SET applicant_name_key = 'élodie martin' WHERE id = $1")
                .bind(&ids[1]).execute(p).await.map(|_| ())
        })
        .unwrap();
        assert!(found("elodie").await.is_empty());
        let statements = match t.backend() {
            safir_store::Backend::Sqlite => {
                include_str!("../../migrations/sqlite/0023_name_keys_without_accents.sql")
            }
            safir_store::Backend::Postgres => {
                include_str!("../../migrations/postgres/0023_name_keys_without_accents.sql")
            }
        };
        for statement in statements.lines().filter(|l| l.starts_with("UPDATE")) {
            with_pool!(db.write(), p => {
                sqlx::query(sqlx::AssertSqlSafe(statement)).execute(p).await.map(|_| ())
            })
            .unwrap();
        }
        // Every key outside ASCII is written again: the four cases' Arabic, French and Greek
        // names, and the applicant's account (أمل).
        assert_eq!(safir_store::name_key::fill_all(db).await.unwrap(), 5);
        assert_eq!(found("elodie").await, only(1));
        assert_eq!(found("Οδυσσευς").await, only(4));
    }
}

/// The board measures the stays that ended in its window and every stay still running,
/// however long ago it began: a case submitted before the window and still waiting counts
/// with its whole wait, a stay begun before the window and ended in it counts whole, and only
/// the stays that ended before the window are left out.
#[tokio::test]
async fn the_board_counts_stays_ended_in_its_window_or_still_running() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        // Each case's moves, then its history moved back: the first move `since` ago, each
        // next one `step` later.
        let case = async |moves: &[CaseAction], since: i64, step: i64| {
            let c = draft(db, &mission, &service, &applicant, None).await;
            act(db, &c.id, CaseAction::Submit, Actor::Applicant)
                .await
                .unwrap();
            for action in moves {
                act(db, &c.id, *action, Actor::Officer).await.unwrap();
            }
            let mut tx = db.begin().await.unwrap();
            cases::spread_history(&mut tx, &c.id, Duration::days(since), Duration::days(step))
                .await
                .unwrap();
            tx.commit().await.unwrap();
        };
        // Submitted forty days ago, never picked up.
        case(&[], 40, 1).await;
        // Submitted ten days ago, in review for the last day.
        case(&[CaseAction::StartReview], 10, 9).await;
        // Refused forty days ago and not closed since.
        case(&[CaseAction::StartReview, CaseAction::Reject], 50, 5).await;
        // Worked and closed long before the window.
        case(
            &[
                CaseAction::StartReview,
                CaseAction::Reject,
                CaseAction::Close,
            ],
            60,
            5,
        )
        .await;

        let board = cases::sla_board(db, &mission, now() - Duration::days(3), now())
            .await
            .unwrap();
        let row = |s: CaseState| board.iter().find(|r| r.state == s).cloned();
        let submitted = row(CaseState::Submitted).expect("stays in submitted");
        // The wait still running (forty days) and the one that ended in the window (nine).
        assert_eq!(submitted.count, 2, "{board:?}");
        assert!(
            (215.0..217.0).contains(&submitted.median_hours),
            "{submitted:?}"
        );
        assert!(
            (959.0..961.0).contains(&submitted.p90_hours),
            "{submitted:?}"
        );
        let in_review = row(CaseState::InReview).expect("stays in review");
        assert_eq!(in_review.count, 1, "{board:?}");
        assert!(in_review.median_hours < 25.0, "{in_review:?}");
        let rejected = row(CaseState::Rejected).expect("a refusal not closed");
        assert_eq!(rejected.count, 1, "{board:?}");
        assert!(rejected.median_hours > 959.0, "{rejected:?}");
        assert!(row(CaseState::Closed).is_none(), "{board:?}");

        // Over thirty days the wait still running is measured whole, beyond the window.
        let board = cases::sla_board(db, &mission, now() - Duration::days(30), now())
            .await
            .unwrap();
        let submitted = row_of(&board, CaseState::Submitted);
        assert_eq!(submitted.count, 2, "{board:?}");
        assert!(submitted.p90_hours > 30.0 * 24.0, "{submitted:?}");
        // The refused cases' reviews ended forty and fifty days ago: before the window.
        assert_eq!(row_of(&board, CaseState::InReview).count, 1, "{board:?}");

        // Over a year every stay ended in the window: the closed case's too.
        let board = cases::sla_board(db, &mission, now() - Duration::days(365), now())
            .await
            .unwrap();
        assert_eq!(row_of(&board, CaseState::Submitted).count, 4, "{board:?}");
        assert_eq!(row_of(&board, CaseState::InReview).count, 3, "{board:?}");
        assert_eq!(row_of(&board, CaseState::Rejected).count, 2, "{board:?}");
    }
}

fn row_of(board: &[cases::SlaRow], state: CaseState) -> cases::SlaRow {
    board
        .iter()
        .find(|r| r.state == state)
        .cloned()
        .unwrap_or_else(|| panic!("no stays in {state:?}: {board:?}"))
}

/// A draft the applicant discards, or one that expires, leaves the documents filed for it to
/// the applicant alone: still theirs, no longer under a case or shared with the mission.
#[tokio::test]
async fn a_discarded_or_expired_draft_leaves_its_documents_to_the_applicant() {
    use safir_domain::consular::documents::DocumentKind;
    use safir_domain::ids::{MissionId, UserId};
    use safir_store::consular::documents::{self, NewUpload, ScanConfig, Uploads};

    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let area =
            std::env::temp_dir().join(format!("safir-drafts-{}", uuid::Uuid::now_v7().as_simple()));
        let uploads = Uploads::new(&area);
        let mut filed = Vec::new();
        for key in ["discarded", "expired", "kept"] {
            let case = draft(db, &mission, &service, &applicant, Some(key)).await;
            let doc = documents::store_upload(
                db,
                &uploads,
                NewUpload {
                    owner_id: UserId::from_trusted(applicant.clone()),
                    mission_id: Some(MissionId::from_trusted(mission.clone())),
                    case_id: Some(case.id.clone()),
                    kind: DocumentKind::Supporting,
                    original_name: format!("{key}.pdf"),
                    bytes: format!("%PDF-1.7\n% {key}\n%%EOF\n").into_bytes(),
                },
                &ScanConfig::none(),
            )
            .await
            .unwrap();
            filed.push((case, doc));
        }
        let mut tx = db.begin().await.unwrap();
        cases::discard_draft(&mut tx, &filed[0].0.id, &applicant)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Only the second draft has expired by then.
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE cases SET expires_at = $1 WHERE id = $2")
                .bind(now() - Duration::days(1))
                .bind(&filed[1].0.id)
                .execute(p)
                .await
                .map(drop)
        })
        .unwrap();
        assert_eq!(cases::purge_expired_drafts(db, now()).await.unwrap(), 1);

        for (i, (case, doc)) in filed.iter().enumerate() {
            let now_doc = documents::find(db, doc.id.as_str()).await.unwrap();
            if i < 2 {
                assert!(
                    cases::find(db, &case.id).await.is_err(),
                    "draft {i} is gone"
                );
                assert_eq!((now_doc.case_id, now_doc.mission_id), (None, None), "{i}");
            } else {
                assert_eq!(now_doc.case_id.as_deref(), Some(case.id.as_str()));
                assert!(now_doc.mission_id.is_some());
            }
        }
        let owned = documents::list_for_owner(db, &applicant).await.unwrap();
        assert_eq!(owned.len(), 3, "{owned:?}");
        let _ = std::fs::remove_dir_all(&area);
    }
}

/// The demo's histories: a case worked in one go is spread over past days, its moves in their
/// order, its own times and its messages with them, the due date as far from the submission.
#[tokio::test]
async fn a_history_is_spread_over_past_days() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let case = draft(db, &mission, &service, &applicant, None).await;
        for (a, who) in [
            (CaseAction::Submit, Actor::Applicant),
            (CaseAction::StartReview, Actor::Officer),
            (CaseAction::RequestInfo, Actor::Officer),
        ] {
            act(db, &case.id, a, who).await.unwrap();
        }
        let mut tx = db.begin().await.unwrap();
        cases::add_message(&mut tx, &case.id, None, true, false, "أرسل صورة أوضح.")
            .await
            .unwrap();
        cases::spread_history(&mut tx, &case.id, Duration::days(9), Duration::days(2))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let start = now() - Duration::days(9);
        let near = |a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>| {
            (a - b).num_seconds().abs() < 60
        };
        let events = cases::events(db, &case.id).await.unwrap();
        let states: Vec<&str> = events.iter().map(|e| e.to_state.as_str()).collect();
        assert_eq!(states, ["submitted", "in_review", "needs_info"]);
        for (e, k) in events.iter().zip(0..) {
            assert!(near(e.at, start + Duration::days(2 * k)), "{k}: {}", e.at);
        }
        let spread = cases::find(db, &case.id).await.unwrap();
        assert!(near(spread.submitted_at.unwrap(), start));
        assert!(near(
            spread.acknowledged_at.unwrap(),
            start + Duration::days(2)
        ));
        assert!(near(spread.state_changed_at, start + Duration::days(4)));
        assert!(near(spread.due_at.unwrap(), start + Duration::days(10)));
        assert!(spread.created_at < spread.submitted_at.unwrap());
        let messages = cases::list_messages(db, &case.id, true).await.unwrap();
        assert!(near(messages[0].created_at, start + Duration::days(4)));

        // A step too long for the days given stops an hour before now.
        let other = draft(db, &mission, &service, &applicant, None).await;
        for (a, who) in [
            (CaseAction::Submit, Actor::Applicant),
            (CaseAction::StartReview, Actor::Officer),
        ] {
            act(db, &other.id, a, who).await.unwrap();
        }
        let mut tx = db.begin().await.unwrap();
        cases::spread_history(&mut tx, &other.id, Duration::days(1), Duration::days(5))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let events = cases::events(db, &other.id).await.unwrap();
        assert!(
            near(events[1].at, now() - Duration::hours(1)),
            "{}",
            events[1].at
        );
    }
}

#[tokio::test]
async fn a_closed_or_withdrawn_case_waits_for_no_reply() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let waiting =
            |id: String| async move { cases::find(db, &id).await.unwrap().awaiting_reply_since };
        let mut ids = Vec::new();
        for key in ["w1", "w2"] {
            let c = draft(db, &mission, &service, &applicant, Some(key)).await;
            act(db, &c.id, CaseAction::Submit, Actor::Applicant)
                .await
                .unwrap();
            let mut tx = db.begin().await.unwrap();
            cases::add_message(&mut tx, &c.id, Some(&applicant), false, false, "Any news?")
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert!(waiting(c.id.clone()).await.is_some());
            ids.push(c.id);
        }
        // A move that leaves the case open keeps the wait; withdrawing or closing ends it.
        act(db, &ids[0], CaseAction::StartReview, Actor::Officer)
            .await
            .unwrap();
        assert!(waiting(ids[0].clone()).await.is_some());
        act(db, &ids[0], CaseAction::Withdraw, Actor::Applicant)
            .await
            .unwrap();
        assert_eq!(waiting(ids[0].clone()).await, None);
        for action in [
            CaseAction::StartReview,
            CaseAction::Approve,
            CaseAction::MarkReadyForCollection,
        ] {
            act(db, &ids[1], action, Actor::Officer).await.unwrap();
        }
        assert!(waiting(ids[1].clone()).await.is_some());
        act(db, &ids[1], CaseAction::Close, Actor::Officer)
            .await
            .unwrap();
        assert_eq!(waiting(ids[1].clone()).await, None);
    }
}

/// The accounts made only to hold a registrant's cases lose the person's name once no case of
/// theirs is left; one with a case keeps it, and so does every other kind of account.
#[tokio::test]
async fn a_placeholder_account_keeps_its_name_no_longer_than_its_cases() {
    use safir_domain::accounts::DisplayName;
    use safir_store::accounts;

    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        draft(db, &mission, &service, &applicant, None).await;
        let caseless = user(db, "nour@example.org", "نور حداد", AccountKind::Public).await;
        let neutral = DisplayName::parse("Crisis registrant").unwrap();
        // The helpers' accounts share one password hash, standing for the placeholders' mark.
        assert_eq!(
            accounts::forget_caseless_names(db, "x", &neutral)
                .await
                .unwrap(),
            1
        );
        let name =
            |id: String| async move { accounts::find_user(db, &id).await.unwrap().display_name };
        assert_eq!(name(caseless.clone()).await, "Crisis registrant");
        assert_ne!(name(applicant).await, "Crisis registrant");
        assert_eq!(
            accounts::forget_caseless_names(db, "x", &neutral)
                .await
                .unwrap(),
            0,
            "once"
        );
        assert_eq!(
            accounts::forget_caseless_names(db, "another mark", &neutral)
                .await
                .unwrap(),
            0
        );
    }
}

/// A PostgreSQL test database with a mission, its service, an applicant and a draft of
/// theirs, and a directory for uploads; `None` without PostgreSQL.
async fn postgres_draft(
    key: &str,
) -> Option<(TestDb, String, String, cases::Case, std::path::PathBuf)> {
    let t = TestDb::postgres(&safir_store::testing::postgres_url()?).await;
    let (mission, service, applicant) = setup(&t.db).await;
    let area =
        std::env::temp_dir().join(format!("safir-{key}-{}", uuid::Uuid::now_v7().as_simple()));
    let case = draft(&t.db, &mission, &service, &applicant, Some(key)).await;
    Some((t, mission, applicant, case, area))
}

/// A small PDF the applicant files under their draft.
fn pdf_upload(
    applicant: &str,
    mission: &str,
    case_id: &str,
    name: &str,
) -> safir_store::consular::documents::NewUpload {
    use safir_domain::consular::documents::DocumentKind;
    use safir_domain::ids::{MissionId, UserId};
    safir_store::consular::documents::NewUpload {
        owner_id: UserId::from_trusted(applicant.to_owned()),
        mission_id: Some(MissionId::from_trusted(mission.to_owned())),
        case_id: Some(case_id.to_owned()),
        kind: DocumentKind::Supporting,
        original_name: name.to_owned(),
        bytes: format!("%PDF-1.7\n% {name}\n%%EOF\n").into_bytes(),
    }
}

/// PostgreSQL: a draft saved while the purge of expired drafts runs keeps its documents. The
/// purge detached them from every draft expired when it began, then deleted only the drafts
/// still expired when its delete ran: the draft saved in between lived on without them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_saved_while_the_purge_runs_keeps_its_documents() {
    use safir_store::consular::documents::{self, ScanConfig, Uploads};

    let Some((t, mission, applicant, case, area)) = postgres_draft("purge").await else {
        return;
    };
    let db = &t.db;
    let upload = pdf_upload(&applicant, &mission, &case.id, "scan.pdf");
    let doc = documents::store_upload(db, &Uploads::new(&area), upload, &ScanConfig::none())
        .await
        .unwrap();
    const EXPIRE: &str = "UPDATE cases SET expires_at = $1 WHERE id = $2";
    let past = now() - Duration::days(1);
    with_pool!(db.write(), p => sqlx::query(EXPIRE).bind(past).bind(&case.id).execute(p).await.map(drop))
        .unwrap();
    // The applicant's save is under way (its row changed, not yet committed) when the purge
    // starts; it commits while the purge waits for that row.
    let mut saving = db.begin().await.unwrap();
    let later = now() + Duration::days(30);
    with_tx!(&mut saving, c => sqlx::query(EXPIRE).bind(later).bind(&case.id).execute(c).await.map(drop))
        .unwrap();
    let purge = tokio::spawn({
        let db = db.clone();
        async move { cases::purge_expired_drafts(&db, now()).await.unwrap() }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    saving.commit().await.unwrap();
    assert_eq!(purge.await.unwrap(), 0, "the saved draft is not expired");
    assert!(cases::find(db, &case.id).await.is_ok());
    let kept = documents::find(db, doc.id.as_str()).await.unwrap();
    assert_eq!(
        kept.case_id.as_deref(),
        Some(case.id.as_str()),
        "still filed under its draft"
    );
    assert!(kept.mission_id.is_some());
    let _ = std::fs::remove_dir_all(&area);
}

/// PostgreSQL: a document uploaded to a draft whose deletion (a purge, a discard in another
/// tab) is under way goes back to its owner alone once the deletion commits; it used to keep
/// naming the deleted draft, and its owner could never delete it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_to_a_draft_being_deleted_is_the_owners_alone() {
    use safir_store::consular::documents::{self, ScanConfig, Uploads};

    let Some((t, mission, applicant, case, area)) = postgres_draft("gone").await else {
        return;
    };
    let db = &t.db;
    let mut deleting = db.begin().await.unwrap();
    with_tx!(&mut deleting, c => sqlx::query("DELETE FROM cases WHERE id = $1").bind(&case.id).execute(c).await.map(drop))
        .unwrap();
    let upload = tokio::spawn({
        let (db, uploads) = (db.clone(), Uploads::new(&area));
        let upload = pdf_upload(&applicant, &mission, &case.id, "late.pdf");
        async move {
            documents::store_upload(&db, &uploads, upload, &ScanConfig::none())
                .await
                .unwrap()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    deleting.commit().await.unwrap();
    let doc = upload.await.unwrap();
    assert!(doc.case_id.is_none() && doc.mission_id.is_none(), "{doc:?}");
    let stored = documents::find(db, doc.id.as_str()).await.unwrap();
    assert_eq!((stored.case_id, stored.mission_id), (None, None));
    let _ = std::fs::remove_dir_all(&area);
}

/// The same file filed twice in a moment for the same case and kind (a double click on
/// "Upload") is one document: the second sending gets the first one's. A filed document stays
/// until its case is purged, so the copy stood for good. Another kind, or another file, is a
/// document of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_file_filed_twice_in_a_moment_is_one_document() {
    use safir_domain::consular::documents::DocumentKind;
    use safir_store::consular::documents::{self, ScanConfig, Uploads};

    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let area =
            std::env::temp_dir().join(format!("safir-twice-{}", uuid::Uuid::now_v7().as_simple()));
        let uploads = Uploads::new(&area);
        let case = draft(db, &mission, &service, &applicant, Some("twice")).await;
        let upload = || pdf_upload(&applicant, &mission, &case.id, "letter.pdf");
        let first = documents::store_upload(db, &uploads, upload(), &ScanConfig::none())
            .await
            .unwrap();
        let again = documents::store_upload(db, &uploads, upload(), &ScanConfig::none())
            .await
            .unwrap();
        assert_eq!(again.id, first.id);
        let mut other_kind = upload();
        other_kind.kind = DocumentKind::Invitation;
        let other = documents::store_upload(db, &uploads, other_kind, &ScanConfig::none())
            .await
            .unwrap();
        assert_ne!(other.id, first.id);
        let other_file = pdf_upload(&applicant, &mission, &case.id, "another.pdf");
        let another = documents::store_upload(db, &uploads, other_file, &ScanConfig::none())
            .await
            .unwrap();
        assert_ne!(another.id, first.id);
        let n: i64 = with_pool!(db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE case_id = $1")
                .bind(&case.id)
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(n, 3);
        // Both sendings at once (they are checked side by side): still one document.
        let upload = || pdf_upload(&applicant, &mission, &case.id, "together.pdf");
        let scan = ScanConfig::none();
        let (a, b) = tokio::join!(
            documents::store_upload(db, &uploads, upload(), &scan),
            documents::store_upload(db, &uploads, upload(), &scan),
        );
        assert_eq!(a.unwrap().id, b.unwrap().id);
        let _ = std::fs::remove_dir_all(&area);
    }
}

/// An escalation changes the case only if it is still held by whom the escalation read: an
/// officer taking it between that read and the write keeps it, and nothing is written (the
/// job reads the case again and chooses anew).
#[tokio::test]
async fn an_escalation_writes_nothing_once_the_case_was_assigned_since_it_was_read() {
    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let first = user(db, "first@ministry.example", "First", AccountKind::Staff).await;
        let second = user(db, "second@ministry.example", "Second", AccountKind::Staff).await;
        let c = draft(db, &mission, &service, &applicant, Some("race")).await;
        act(db, &c.id, CaseAction::Submit, Actor::Applicant)
            .await
            .unwrap();
        // The escalation read it unassigned; the officer takes it before the escalation writes.
        let read = cases::find(db, &c.id).await.unwrap().assignee_id;
        assert_eq!(read, None);
        let mut tx = db.begin().await.unwrap();
        assert!(
            cases::assign(&mut tx, &c.id, &mission, None, Some(&first))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        assert!(
            !cases::escalate(&mut tx, &c.id, 1, read.as_deref(), Some(&second))
                .await
                .unwrap(),
            "the holder changed since it was read"
        );
        tx.commit().await.unwrap();
        let case = cases::find(db, &c.id).await.unwrap();
        assert_eq!(case.assignee_id.as_deref(), Some(first.as_str()));
        assert_eq!(case.escalation_level, 0);
        // Read again, the escalation goes through from the new holder.
        let mut tx = db.begin().await.unwrap();
        assert!(
            cases::escalate(&mut tx, &c.id, 1, Some(&first), Some(&second))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        let case = cases::find(db, &c.id).await.unwrap();
        assert_eq!(case.assignee_id.as_deref(), Some(second.as_str()));
        assert_eq!(case.escalation_level, 1);
    }
}

/// PostgreSQL: an officer taking the case while the escalation writes: the escalation waits
/// for the assignment to commit, then finds the holder changed and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_escalation_racing_an_assignment_leaves_the_case_with_the_officer() {
    let Some(url) = safir_store::testing::postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&url).await;
    let db = &t.db;
    let (mission, service, applicant) = setup(db).await;
    let first = user(db, "first@ministry.example", "First", AccountKind::Staff).await;
    let second = user(db, "second@ministry.example", "Second", AccountKind::Staff).await;
    let c = draft(db, &mission, &service, &applicant, Some("racing")).await;
    act(db, &c.id, CaseAction::Submit, Actor::Applicant)
        .await
        .unwrap();

    let mut taking = db.begin().await.unwrap();
    assert!(
        cases::assign(&mut taking, &c.id, &mission, None, Some(&first))
            .await
            .unwrap()
    );
    let escalation = tokio::spawn({
        let (db, id, second) = (db.clone(), c.id.clone(), second.clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            let done = cases::escalate(&mut tx, &id, 1, None, Some(&second))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            done
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    taking.commit().await.unwrap();
    assert!(
        !escalation.await.unwrap(),
        "the escalation found the case taken"
    );
    let case = cases::find(db, &c.id).await.unwrap();
    assert_eq!(case.assignee_id, Some(first));
    assert_eq!(case.escalation_level, 0);
}

/// A draft's documents come back to its form sent from a page still open however the draft
/// was lost: discarded in another tab as when it expired (a discard used to hand them back
/// without naming the draft, and the new draft came without them). Filed under another case
/// since, a document no longer answers to the draft it was handed back from: an old form of
/// that draft does not take it from its new case.
#[tokio::test]
async fn a_lost_drafts_documents_come_back_only_while_filed_nowhere_else() {
    use safir_domain::ids::MissionId;
    use safir_store::consular::documents::{self, ScanConfig, Uploads};

    for t in TestDb::all().await {
        let db = &t.db;
        let (mission, service, applicant) = setup(db).await;
        let area =
            std::env::temp_dir().join(format!("safir-lost-{}", uuid::Uuid::now_v7().as_simple()));
        let uploads = Uploads::new(&area);
        let paris = MissionId::from_trusted(mission.clone());
        let purged_from = |doc_id: String| async move {
            with_pool!(db.read(), p => {
                sqlx::query_scalar::<_, Option<String>>(
                    "SELECT purged_from_case FROM documents WHERE id = $1",
                )
                .bind(doc_id)
                .fetch_one(p)
                .await
            })
            .unwrap()
        };

        // Discarded: its document comes back to the form's new draft.
        let discarded = draft(db, &mission, &service, &applicant, Some("discarded")).await;
        let upload = pdf_upload(&applicant, &mission, &discarded.id, "scan.pdf");
        let scan = documents::store_upload(db, &uploads, upload, &ScanConfig::none())
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        cases::discard_draft(&mut tx, &discarded.id, &applicant)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let new = draft(db, &mission, &service, &applicant, Some("new")).await;
        let refiled =
            documents::refile_from_lost_draft(db, &applicant, &discarded.id, &new.id, &paris)
                .await
                .unwrap();
        assert_eq!(refiled, 1);
        let back = documents::find(db, scan.id.as_str()).await.unwrap();
        assert_eq!(back.case_id.as_deref(), Some(new.id.as_str()));

        // Expired, then filed under another case: no longer the lost draft's.
        let expired = draft(db, &mission, &service, &applicant, Some("expired")).await;
        let upload = pdf_upload(&applicant, &mission, &expired.id, "letter.pdf");
        let letter = documents::store_upload(db, &uploads, upload, &ScanConfig::none())
            .await
            .unwrap();
        with_pool!(db.write(), p => {
            sqlx::query("UPDATE cases SET expires_at = $1 WHERE id = $2")
                .bind(now() - Duration::days(1))
                .bind(&expired.id)
                .execute(p)
                .await
                .map(drop)
        })
        .unwrap();
        assert_eq!(cases::purge_expired_drafts(db, now()).await.unwrap(), 1);
        assert_eq!(
            purged_from(letter.id.to_string()).await.as_deref(),
            Some(expired.id.as_str())
        );
        let other = draft(db, &mission, &service, &applicant, Some("other")).await;
        let mut tx = db.begin().await.unwrap();
        documents::attach_to_case(&mut tx, letter.id.as_str(), &other.id, &paris)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(purged_from(letter.id.to_string()).await, None);
        let later = draft(db, &mission, &service, &applicant, Some("later")).await;
        let refiled =
            documents::refile_from_lost_draft(db, &applicant, &expired.id, &later.id, &paris)
                .await
                .unwrap();
        assert_eq!(refiled, 0);
        let kept = documents::find(db, letter.id.as_str()).await.unwrap();
        assert_eq!(kept.case_id.as_deref(), Some(other.id.as_str()));
        let _ = std::fs::remove_dir_all(&area);
    }
}
