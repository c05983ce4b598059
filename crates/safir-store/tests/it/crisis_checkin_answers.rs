//! Answers recorded together (the web's group commit): in order, the latest winning, each
//! one's failure its own, older links answering the current check-in.

use safir_domain::crisis::checkin::CheckinStatus;
use safir_store::StoreError;
use safir_store::crisis::checkins::{self, NewAnswer};
use safir_store::testing::TestDb;

use crate::crisis_checkins::{crisis, person};

fn answer(id: &str, status: CheckinStatus, note: &str, point: Option<(f64, f64)>) -> NewAnswer {
    NewAnswer {
        id: id.to_owned(),
        status,
        note: note.to_owned(),
        point,
    }
}

#[tokio::test]
async fn answers_of_one_batch_are_recorded_in_order_each_on_its_own() {
    for t in TestDb::all().await {
        let db = &t.db;
        let crisis = crisis(db).await;
        person(db, "r1", "Anna", "+33600000001", "IDF", (0, false, false)).await;
        person(db, "r2", "Bilal", "+33600000002", "PACA", (0, false, false)).await;
        let mut tx = db.begin().await.unwrap();
        let both = vec!["r1".to_owned(), "r2".to_owned()];
        checkins::create_batch(&mut tx, "al1", Some(&crisis), &both)
            .await
            .unwrap();
        checkins::create_batch(&mut tx, "al2", Some(&crisis), &both[..1])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let old_r1 = checkins::for_delivery(db, "al1", "r1")
            .await
            .unwrap()
            .unwrap();
        let current_r1 = checkins::for_delivery(db, "al2", "r1")
            .await
            .unwrap()
            .unwrap();
        let r2 = checkins::for_delivery(db, "al1", "r2")
            .await
            .unwrap()
            .unwrap();

        let out = checkins::answer_batch(
            db,
            &[
                answer(
                    &old_r1.id,
                    CheckinStatus::NeedHelp,
                    "water",
                    Some((48.85, 2.35)),
                ),
                answer("nope", CheckinStatus::Safe, "", None),
                answer(&r2.id, CheckinStatus::Waiting, "", None),
                answer(&r2.id, CheckinStatus::NotInArea, "in Lyon", None),
                answer(&current_r1.id, CheckinStatus::Safe, "fine now", None),
            ],
        )
        .await
        .unwrap();
        assert_eq!(out.len(), 5);
        let first = out[0].as_ref().unwrap();
        assert!(
            first.redirected,
            "the old link answers the current check-in"
        );
        assert_eq!(first.checkin.id, current_r1.id);
        assert_eq!(first.checkin.status, "need_help");
        assert!(matches!(out[1], Err(StoreError::NotFound)));
        assert!(
            matches!(out[2], Err(StoreError::Conflict("status"))),
            "waiting is not an answer"
        );
        let r2_answer = out[3].as_ref().unwrap();
        assert!(!r2_answer.redirected);
        assert_eq!(r2_answer.checkin.status, "not_in_area");
        assert_eq!(r2_answer.checkin.note, "in Lyon");

        // Each reply is the row just after its own answer.
        assert_eq!(first.checkin.note, "water");
        assert_eq!(
            (first.checkin.lat, first.checkin.lon),
            (Some(48.85), Some(2.35))
        );
        let last = out[4].as_ref().unwrap();
        assert!(!last.redirected);
        assert_eq!(
            (last.checkin.status.as_str(), last.checkin.note.as_str()),
            ("safe", "fine now")
        );
        assert_eq!(
            (last.checkin.lat, last.checkin.lon),
            (Some(48.85), Some(2.35))
        );

        // The later answer of the batch wins, and keeps the location of the earlier one.
        let now_r1 = checkins::find(db, &current_r1.id).await.unwrap();
        assert_eq!(now_r1.status, "safe");
        assert_eq!(now_r1.note, "fine now");
        assert_eq!((now_r1.lat, now_r1.lon), (Some(48.85), Some(2.35)));
        assert!(now_r1.answered_at >= first.checkin.answered_at);
        assert_eq!(
            checkins::find(db, &old_r1.id).await.unwrap().status,
            "superseded"
        );

        // A later batch: a location recorded before it stays until an answer brings another.
        let out = checkins::answer_batch(
            db,
            &[
                answer(&current_r1.id, CheckinStatus::NeedHelp, "", None),
                answer(&r2.id, CheckinStatus::Safe, "", Some((45.76, 4.83))),
                answer(&current_r1.id, CheckinStatus::Safe, "ok", Some((43.3, 5.4))),
            ],
        )
        .await
        .unwrap();
        let kept = out[0].as_ref().unwrap();
        assert_eq!(
            (
                kept.checkin.status.as_str(),
                kept.checkin.lat,
                kept.checkin.lon
            ),
            ("need_help", Some(48.85), Some(2.35))
        );
        assert_eq!(out[1].as_ref().unwrap().checkin.lat, Some(45.76));
        let now_r1 = checkins::find(db, &current_r1.id).await.unwrap();
        assert_eq!(
            (now_r1.status.as_str(), now_r1.note.as_str(), now_r1.lat),
            ("safe", "ok", Some(43.3))
        );

        // The page's one read: the link's check-in and who and what it is about.
        let linked = checkins::find_with_context(db, &old_r1.id).await.unwrap();
        assert_eq!(linked.checkin.id, old_r1.id);
        assert!(!linked.checkin.is_current);
        assert_eq!(linked.context.registration_id, "r1");
        assert_eq!(linked.context.full_name, "Anna");
        assert_eq!(linked.context.crisis_title_en.as_deref(), Some("Flood"));
        assert!(linked.context.mission_id.is_some());
        assert!(matches!(
            checkins::find_with_context(db, "nope").await,
            Err(StoreError::NotFound)
        ));
    }
}
