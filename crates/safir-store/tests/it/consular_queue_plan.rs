//! The officers' open queue is read from its partial index in display order, so a page costs
//! the same with three cases as with a mission's whole history behind it.

use std::str::FromStr;

use chrono::{Duration, Utc};
use safir_domain::accounts::AccountKind;
use safir_store::consular::cases::{self, QueueFilter};
use safir_store::consular::services;
use safir_store::testing::TestDb;
use safir_store::{Backend, Db, missions};
use sqlx::postgres::PgConnectOptions;

use crate::consular_cases::passport_service;
use crate::consular_overdue::submitted_case;
use crate::directory::user;
use crate::missions::paris;

#[tokio::test]
async fn the_open_queue_is_read_from_its_index_without_a_sort() {
    for t in TestDb::all().await {
        let mut tx = t.db.begin().await.unwrap();
        let mission = missions::create(&mut tx, &paris())
            .await
            .unwrap()
            .to_string();
        let service = services::create(&mut tx, &mission, &passport_service())
            .await
            .unwrap()
            .to_string();
        tx.commit().await.unwrap();
        let applicant = user(&t.db, "amal@example.org", "أمل", AccountKind::Public).await;
        let mut last = String::new();
        for _ in 0..3 {
            last = submitted_case(&t.db, &mission, &service, &applicant, Duration::days(5)).await;
        }
        // A table this small is cheapest to read whole; PostgreSQL is told not to, so the
        // plan shows which index it takes for a real queue.
        let db = match t.backend() {
            Backend::Sqlite => t.db.clone(),
            Backend::Postgres => Db::connect_postgres(
                PgConnectOptions::from_str(&t.url)
                    .unwrap()
                    .options([("enable_seqscan", "off")]),
            )
            .await
            .unwrap(),
        };
        let first = QueueFilter {
            mission_id: mission.clone(),
            limit: 51,
            ..Default::default()
        };
        let next = QueueFilter {
            after: Some((2, Utc::now(), last.clone())),
            ..first.clone()
        };
        for f in [&first, &next] {
            let plan = cases::queue_plan(&db, f).await.unwrap().join("\n");
            assert!(
                plan.contains("cases_open_queue"),
                "{:?}: {plan}",
                t.backend()
            );
            assert!(
                !plan.contains("TEMP B-TREE") && !plan.contains("Sort"),
                "{:?}: {plan}",
                t.backend()
            );
        }
        // Any other state list is not the open queue: the index does not apply.
        let closed = QueueFilter {
            states: vec![safir_domain::consular::case::CaseState::Closed],
            ..first.clone()
        };
        let plan = cases::queue_plan(&db, &closed).await.unwrap().join("\n");
        assert!(
            !plan.contains("cases_open_queue"),
            "{:?}: {plan}",
            t.backend()
        );
        assert_eq!(cases::queue(&t.db, &first).await.unwrap().len(), 3);
    }
}
