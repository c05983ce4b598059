use std::time::Duration;

use safir_store::Db;
use safir_store::testing::TestDb;
use safir_store::wal::WRITER_CHECKPOINT_PAGES;
use sqlx::SqlitePool;

async fn probe_table(write: &SqlitePool) {
    sqlx::query("CREATE TABLE wal_probe (body BLOB NOT NULL)")
        .execute(write)
        .await
        .unwrap();
}

async fn write_pages(write: &SqlitePool, rows: usize) {
    for _ in 0..rows {
        sqlx::query("INSERT INTO wal_probe (body) VALUES (zeroblob(4000))")
            .execute(write)
            .await
            .unwrap();
    }
}

/// On SQLite the write-ahead log is copied back into the database file by a task of its own,
/// not by the writer as it commits: the writer only checkpoints a log grown past 8,192 pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_copied_back_by_its_own_task_not_by_the_writer() {
    let t = TestDb::sqlite().await;
    let Db::Sqlite { write, .. } = &t.db else {
        unreachable!("a SQLite test database")
    };
    let pages: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(write)
        .await
        .unwrap();
    assert_eq!(pages, i64::from(WRITER_CHECKPOINT_PAGES));

    // About 300 pages of log, far below the writer's own threshold.
    probe_table(write).await;
    let before = t.db.log_checkpoints().passes;
    write_pages(write, 300).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while t.db.log_checkpoints().passes == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no checkpoint pass copied the log back within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Everything written is still read back, and closing stops the task.
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM wal_probe")
        .fetch_one(write)
        .await
        .unwrap();
    assert_eq!(rows, 300);
    tokio::time::timeout(Duration::from_secs(10), t.db.close())
        .await
        .expect("closing the database stops its checkpointer");
}

/// Under a steady stream of writes the log is rewound well before the writer's own
/// checkpoint at 8,192 pages: by a pass that finds no write under way, or else by the task
/// holding the writer once the log is 4,096 pages long. The log's file keeps the size of the
/// longest log, so it shows how far the log grew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_under_constant_writes_is_rewound_before_the_writer_must_checkpoint() {
    let t = TestDb::sqlite().await;
    let Db::Sqlite { write, .. } = &t.db else {
        unreachable!("a SQLite test database")
    };
    probe_table(write).await;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(write)
        .await
        .unwrap();
    // Twice the writer's threshold, ten pages a commit, a commit every millisecond or so.
    let commits = 2 * WRITER_CHECKPOINT_PAGES as usize / 10;
    for _ in 0..commits {
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) \
             INSERT INTO wal_probe (body) SELECT zeroblob(4000) FROM n",
        )
        .execute(write)
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let seen = t.db.log_checkpoints();
    assert!(seen.rewinds > 0, "{seen:?}");
    // Each frame of the log is a page and a 24-byte header, after a 32-byte file header.
    let wal = std::fs::metadata(format!("{}-wal", t.url.trim_start_matches("sqlite://")))
        .unwrap()
        .len();
    let frames = (wal.saturating_sub(32)) / (page_size as u64 + 24);
    assert!(
        frames < u64::from(WRITER_CHECKPOINT_PAGES),
        "the log grew to {frames} pages before it was rewound ({seen:?})"
    );
    t.db.close().await;
}
