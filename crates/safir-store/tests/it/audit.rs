use safir_domain::audit::actions;
use safir_store::audit::{self, AuditFilter, ChainCheck, NewAuditRecord};
use safir_store::testing::TestDb;
use safir_store::with_pool;
use serde_json::json;

fn rec(label: &str, target: &str) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: None,
        actor_label: label.to_owned(),
        action: actions::USER_CREATE,
        target_type: "user",
        target_id: Some(target.to_owned()),
        mission_id: None,
        client_ip: Some("192.0.2.1".to_owned()),
        summary: json!({"email": format!("{target}@example.org")}),
    }
}

#[tokio::test]
async fn the_chain_verifies_and_any_edit_or_deletion_is_found() {
    for t in TestDb::all().await {
        let db = &t.db;
        for i in 0..5 {
            audit::record(db, &rec("admin@example.org", &format!("u{i}")))
                .await
                .unwrap();
        }
        assert_eq!(
            audit::verify(db).await.unwrap(),
            ChainCheck::Intact { records: 5 }
        );

        let listed = audit::list(
            db,
            &AuditFilter {
                target_id: Some("u3".into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].seq, 4);

        with_pool!(db.write(), p => {
            sqlx::query("UPDATE audit_log SET summary = '{\"email\":\"someone-else@example.org\"}' WHERE seq = 3")
                .execute(p)
                .await
                .map(|_| ())
        })
        .unwrap();
        assert_eq!(
            audit::verify(db).await.unwrap(),
            ChainCheck::Broken {
                seq: 3,
                reason: "record content altered"
            }
        );
    }
}

#[tokio::test]
async fn deleting_a_record_breaks_the_chain() {
    for t in TestDb::all().await {
        let db = &t.db;
        for i in 0..3 {
            audit::record(db, &rec("cli", &format!("u{i}")))
                .await
                .unwrap();
        }
        with_pool!(db.write(), p => sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(p).await.map(|_| ())).unwrap();
        assert_eq!(
            audit::verify(db).await.unwrap(),
            ChainCheck::Broken {
                seq: 2,
                reason: "record missing"
            }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appenders_keep_one_unbroken_chain() {
    for t in TestDb::all().await {
        let mut handles = Vec::new();
        for w in 0..4 {
            let db = t.db.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..15 {
                    audit::record(&db, &rec("worker", &format!("w{w}-{i}")))
                        .await
                        .unwrap();
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(
            audit::verify(&t.db).await.unwrap(),
            ChainCheck::Intact { records: 60 }
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn records_committed_together_chain_in_order_among_single_appends() {
    for t in TestDb::all().await {
        let db = &t.db;
        audit::record(db, &rec("cli", "before")).await.unwrap();
        let group: Vec<NewAuditRecord> = (0..5).map(|i| rec("web", &format!("g{i}"))).collect();
        let seqs = audit::record_all(db, &group).await.unwrap();
        assert_eq!(seqs, vec![2, 3, 4, 5, 6]);
        assert!(audit::record_all(db, &[]).await.unwrap().is_empty());
        // Groups and single appends from several tasks at once still make one chain.
        let mut handles = Vec::new();
        for w in 0..3 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..5 {
                    let group: Vec<NewAuditRecord> = (0..3)
                        .map(|j| rec("web", &format!("w{w}-{i}-{j}")))
                        .collect();
                    audit::record_all(&db, &group).await.unwrap();
                    audit::record(&db, &rec("cli", &format!("w{w}-{i}")))
                        .await
                        .unwrap();
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(
            audit::verify(db).await.unwrap(),
            ChainCheck::Intact {
                records: 6 + 3 * 5 * 4
            }
        );
        let listed = audit::list(
            db,
            &AuditFilter {
                target_id: Some("g4".into()),
                ..Default::default()
            },
            50,
        )
        .await
        .unwrap();
        assert_eq!(listed[0].seq, 6);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_appender_that_knows_the_chain_end_yields_to_every_other_appender() {
    for t in TestDb::all().await {
        let db = &t.db;
        let mut end = None;
        // The first group reads the chain's end; the next ones chain from the one before.
        for g in 0..3 {
            let group: Vec<NewAuditRecord> =
                (0..4).map(|i| rec("web", &format!("g{g}-{i}"))).collect();
            let seqs = audit::record_all_after(db, &mut end, &group).await.unwrap();
            assert_eq!(seqs, (g * 4 + 1..=g * 4 + 4).collect::<Vec<i64>>());
        }
        // Another appender writes: the known end is stale, and the next group goes after it.
        audit::record(db, &rec("cli", "between")).await.unwrap();
        let seqs = audit::record_all_after(db, &mut end, &[rec("web", "after")])
            .await
            .unwrap();
        assert_eq!(seqs, vec![14]);

        // A staff action's transaction has read the end and appended, not yet committed: the
        // group waits for it, then goes after its record (on PostgreSQL the group's statement
        // takes the chain's lock; on SQLite the single writer connection is taken).
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            audit::append(&mut tx, &rec("officer", "action"))
                .await
                .unwrap(),
            15
        );
        let waiting = {
            let db = db.clone();
            let mut end = end.clone();
            tokio::spawn(async move {
                let seqs = audit::record_all_after(&db, &mut end, &[rec("web", "waited")])
                    .await
                    .unwrap();
                (seqs, end)
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(!waiting.is_finished());
        tx.commit().await.unwrap();
        let (seqs, _) = waiting.await.unwrap();
        assert_eq!(seqs, vec![16]);

        // Several writers, each with its own known end, and single appends, all at once.
        let mut handles = Vec::new();
        for w in 0..3 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                let mut end = None;
                for i in 0..6 {
                    let group: Vec<NewAuditRecord> = (0..3)
                        .map(|j| rec("web", &format!("w{w}-{i}-{j}")))
                        .collect();
                    let seqs = audit::record_all_after(&db, &mut end, &group)
                        .await
                        .unwrap();
                    assert_eq!(seqs.len(), 3);
                    assert!(seqs.windows(2).all(|p| p[1] == p[0] + 1));
                    if i % 2 == 0 {
                        audit::record(&db, &rec("cli", &format!("w{w}-{i}")))
                            .await
                            .unwrap();
                    }
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(
            audit::verify(db).await.unwrap(),
            ChainCheck::Intact {
                records: 16 + 3 * (6 * 3 + 3)
            }
        );
    }
}

#[tokio::test]
async fn a_batch_longer_than_one_statement_is_appended_in_order_with_its_fields() {
    for t in TestDb::all().await {
        let db = &t.db;
        audit::record(db, &rec("admin@example.org", "first"))
            .await
            .unwrap();
        let n = audit::INSERT_ROWS + 3;
        let batch: Vec<NewAuditRecord> = (0..n)
            .map(|i| NewAuditRecord {
                // Every other record has no target, mission or address.
                target_id: i.is_multiple_of(2).then(|| format!("c{i}")),
                mission_id: None,
                client_ip: i.is_multiple_of(2).then(|| "198.51.100.7".to_owned()),
                summary: json!({ "rows": i, "filter": "state=submitted&q=حسن" }),
                ..rec("officer@example.org", "")
            })
            .collect();
        let seqs = audit::record_all(db, &batch).await.unwrap();
        assert_eq!(seqs, (2..=n as i64 + 1).collect::<Vec<_>>());
        assert_eq!(
            audit::verify(db).await.unwrap(),
            ChainCheck::Intact {
                records: n as u64 + 1
            }
        );

        let listed = audit::list(db, &AuditFilter::default(), 1_000)
            .await
            .unwrap();
        assert_eq!(listed.len(), n + 1);
        for r in listed.iter().filter(|r| r.seq > 1) {
            let i = (r.seq - 2) as usize;
            assert_eq!(r.actor_label, "officer@example.org");
            assert_eq!(r.target_id, i.is_multiple_of(2).then(|| format!("c{i}")));
            assert_eq!(
                r.client_ip.as_deref(),
                i.is_multiple_of(2).then_some("198.51.100.7")
            );
            assert_eq!(r.mission_id, None);
            let summary: serde_json::Value = serde_json::from_str(&r.summary).unwrap();
            assert_eq!(summary["rows"], i);
            assert_eq!(summary["filter"], "state=submitted&q=حسن");
        }
    }
}

/// `list` against the filters applied by hand to every record: each filter alone and in pairs,
/// an actor by id and by recorded label, and every page of a walk with `before_seq`.
#[tokio::test]
async fn filtered_pages_hold_exactly_the_matching_records_newest_first() {
    use safir_domain::ids::{MissionId, UserId};

    for t in TestDb::all().await {
        let db = &t.db;
        let (amal, omar) = (UserId::new(), UserId::new());
        let mission = MissionId::new();
        let mut batch = Vec::new();
        for i in 0..40usize {
            let (actor_id, label) = match i % 5 {
                0 | 1 => (Some(amal.clone()), "amal@example.org".to_owned()),
                // Amal's address before she changed it: found by her id, and by that label.
                2 => (Some(amal.clone()), "amal.old@example.org".to_owned()),
                3 => (Some(omar.clone()), "omar@example.org".to_owned()),
                // A label that is some user's id must not hide, nor double, a record.
                _ if i % 10 == 4 => (None, amal.as_str().to_owned()),
                // Labelled with its own actor's id: listed once.
                _ if i % 20 == 9 => (Some(omar.clone()), omar.as_str().to_owned()),
                _ => (None, "system".to_owned()),
            };
            batch.push(NewAuditRecord {
                actor_id,
                actor_label: label,
                action: if i % 3 == 0 {
                    actions::CASE_LIST
                } else {
                    actions::USER_CREATE
                },
                target_type: "case",
                target_id: (i % 4 != 0).then(|| format!("c{}", i % 7)),
                mission_id: (i % 2 == 0).then(|| mission.clone()),
                client_ip: None,
                summary: json!({ "i": i }),
            });
        }
        audit::record_all(db, &batch).await.unwrap();
        let all = audit::list(db, &AuditFilter::default(), 1_000)
            .await
            .unwrap();
        assert_eq!(all.len(), 40);

        let by = |actor: Option<&str>, action: Option<&str>, target: Option<&str>| AuditFilter {
            actor: actor.map(str::to_owned),
            action: action.map(str::to_owned),
            target_id: target.map(str::to_owned),
            ..AuditFilter::default()
        };
        let filters = [
            by(Some(amal.as_str()), None, None),
            by(Some("amal@example.org"), None, None),
            by(Some("amal.old@example.org"), None, None),
            by(Some(omar.as_str()), None, None),
            by(Some("system"), None, None),
            by(Some("nobody@example.org"), None, None),
            by(None, Some("case.list"), None),
            by(None, None, Some("c3")),
            by(Some(amal.as_str()), None, Some("c1")),
            by(Some("system"), Some("user.create"), None),
            by(None, Some("user.create"), Some("c5")),
            AuditFilter {
                mission_id: Some(mission.as_str().to_owned()),
                ..by(Some(amal.as_str()), None, None)
            },
        ];
        for f in filters {
            let matches = |r: &&audit::AuditRecord| {
                f.actor.as_ref().is_none_or(|a| {
                    r.actor_label == *a || r.actor_id.as_deref() == Some(a.as_str())
                }) && f.action.as_ref().is_none_or(|a| r.action == *a)
                    && f.target_id
                        .as_ref()
                        .is_none_or(|x| r.target_id.as_deref() == Some(x.as_str()))
                    && f.mission_id
                        .as_ref()
                        .is_none_or(|m| r.mission_id.as_deref() == Some(m.as_str()))
            };
            let expected: Vec<i64> = all.iter().filter(matches).map(|r| r.seq).collect();
            let listed: Vec<i64> = audit::list(db, &f, 1_000)
                .await
                .unwrap()
                .iter()
                .map(|r| r.seq)
                .collect();
            assert_eq!(listed, expected, "{:?} on {:?}", f, t.backend());
            // The same records a page of three at a time.
            let mut paged = Vec::new();
            let mut before = None;
            loop {
                let page = audit::list(
                    db,
                    &AuditFilter {
                        before_seq: before,
                        ..f.clone()
                    },
                    3,
                )
                .await
                .unwrap();
                if page.is_empty() {
                    break;
                }
                assert!(page.len() <= 3);
                before = page.last().map(|r| r.seq);
                paged.extend(page.iter().map(|r| r.seq));
            }
            assert_eq!(paged, expected, "paged {:?} on {:?}", f, t.backend());
        }
    }
}

/// Deleting the newest records leaves a whole chain: the check cannot see it, but the head it
/// reports (last record and hash) differs from one noted before, which is how it is found.
#[tokio::test]
async fn the_check_reports_the_chain_head_to_compare_with_one_noted_before() {
    for t in TestDb::all().await {
        let db = &t.db;
        assert_eq!(
            audit::verify_with_head(db).await.unwrap(),
            (ChainCheck::Intact { records: 0 }, None)
        );
        for i in 0..5 {
            audit::record(db, &rec("admin@example.org", &format!("u{i}")))
                .await
                .unwrap();
        }
        let stored: Vec<(i64, String)> = with_pool!(db.read(), p => {
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq").fetch_all(p).await
        })
        .unwrap();
        let (check, noted) = audit::verify_with_head(db).await.unwrap();
        assert_eq!(check, ChainCheck::Intact { records: 5 });
        let noted = noted.unwrap();
        assert_eq!((noted.seq, noted.hash.clone()), stored[4]);

        with_pool!(db.write(), p => {
            sqlx::query("DELETE FROM audit_log WHERE seq >= 4").execute(p).await.map(|_| ())
        })
        .unwrap();
        let (check, head) = audit::verify_with_head(db).await.unwrap();
        assert_eq!(check, ChainCheck::Intact { records: 3 }, "the chain alone");
        let head = head.unwrap();
        assert_eq!((head.seq, head.hash.clone()), stored[2]);
        assert_ne!(head, noted, "the head shows the cut");

        with_pool!(db.write(), p => {
            sqlx::query("UPDATE audit_log SET summary = '{}' WHERE seq = 2").execute(p).await.map(|_| ())
        })
        .unwrap();
        let (check, head) = audit::verify_with_head(db).await.unwrap();
        assert!(
            matches!(check, ChainCheck::Broken { seq: 2, .. }),
            "{check:?}"
        );
        assert_eq!(head, None, "a broken chain has no head to trust");
    }
}
