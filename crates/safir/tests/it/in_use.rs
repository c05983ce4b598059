//! Commands on a database that is in use or cannot be read: `safir restore` refuses a
//! database a process has open, and start-up says a database it cannot read is unreadable,
//! not unmigrated.

use std::path::{Path, PathBuf};
use std::time::Duration;

use safir_store::testing::{TestDb, postgres_url};
use safir_store::{Db, with_pool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};

use crate::support::{Server, TempDir, run};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

async fn users(db_file: &Path) -> i64 {
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let n: i64 = with_pool!(db.read(), p => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await)
        .unwrap();
    db.close().await;
    n
}

/// A data directory holding one account, backed up, and a second account made since: the
/// snapshot's directory.
fn live_with_backup(live: &Path, snaps: &Path) -> PathBuf {
    let d = live.to_str().unwrap();
    for email in ["root@ministry.example", "later@ministry.example"] {
        let out = run(
            &[
                "--data-dir",
                d,
                "admin",
                "create-user",
                "--email",
                email,
                "--name",
                "Someone",
                "--role",
                "admin",
            ],
            &[],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        if email.starts_with("root") {
            let snap = snaps.join("snap");
            let out = run(&["--data-dir", d, "backup", snap.to_str().unwrap()], &[]);
            assert!(out.status.success(), "{}", stderr(&out));
        }
    }
    snaps.join("snap")
}

/// `safir restore --force` under a process that has the database open (a server, a worker,
/// a shell on it) would unlink the file that process keeps writing to, and delete its log:
/// refused, whatever the other connection is doing, even nothing.
#[tokio::test]
async fn restore_refuses_a_database_another_process_has_open() {
    let live = TempDir::new("safir-in-use");
    let snaps = TempDir::new("safir-in-use-snaps");
    let snap = live_with_backup(live.path(), snaps.path());
    let d = live.path().to_str().unwrap();
    let db_file = live.path().join("safir.db");
    let expected = format!(
        "a Safir process is using {}: stop it first",
        db_file.display()
    );
    let restore = || {
        run(
            &[
                "--data-dir",
                d,
                "restore",
                "--force",
                snap.to_str().unwrap(),
            ],
            &[],
        )
    };
    let refused = |what: &str| {
        let out = restore();
        assert!(!out.status.success(), "restored under {what}");
        assert!(stderr(&out).contains(&expected), "{what}: {}", stderr(&out));
    };
    let opts = SqliteConnectOptions::new()
        .filename(&db_file)
        .journal_mode(SqliteJournalMode::Wal);

    // A connection open and idle in WAL mode.
    let idle = opts.connect().await.unwrap();
    refused("an idle connection");
    idle.close().await.unwrap();

    // One in the middle of a read.
    let mut reader = opts.connect().await.unwrap();
    let mut tx = reader.begin().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(n, 2);
    refused("a read transaction");
    tx.rollback().await.unwrap();
    reader.close().await.unwrap();

    // One in the middle of a write.
    let mut writer = opts.connect().await.unwrap();
    let tx = writer.begin_with("BEGIN IMMEDIATE").await.unwrap();
    refused("a write transaction");
    tx.rollback().await.unwrap();
    writer.close().await.unwrap();

    // The handle every Safir process holds (a writer, readers, the log checkpointer), idle.
    let db = Db::connect(&format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    db.ping().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    refused("a Safir process's idle database handle");
    db.close().await;

    // Nothing was touched; with nothing open, the restore goes ahead.
    assert_eq!(users(&db_file).await, 2);
    assert!(!live.path().join("safir.db.restoring").exists());
    assert!(!live.path().join("uploads.restoring").exists());
    let out = restore();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(users(&db_file).await, 1);
}

/// The case the refusal is for: `safir serve` running, idle, on the database.
#[tokio::test]
async fn restore_refuses_while_safir_serve_runs() {
    let live = TempDir::new("safir-serving");
    let snaps = TempDir::new("safir-serving-snaps");
    let snap = live_with_backup(live.path(), snaps.path());
    let d = live.path().to_str().unwrap();
    let db_file = live.path().join("safir.db");
    let restore = || {
        run(
            &[
                "--data-dir",
                d,
                "restore",
                "--force",
                snap.to_str().unwrap(),
            ],
            &[],
        )
    };
    let server = Server::start(&["serve", "--no-workers"], &[("SAFIR_DATA_DIR", d)]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let out = restore();
    assert!(!out.status.success(), "restored under a running server");
    assert!(
        stderr(&out).contains(&format!(
            "a Safir process is using {}: stop it first",
            db_file.display()
        )),
        "{}",
        stderr(&out)
    );
    drop(server);
    assert_eq!(users(&db_file).await, 2);
    let out = restore();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(users(&db_file).await, 1);
}

/// A database whose migrations cannot be read is said to be unreadable, with the error: not
/// "not migrated", which would send the operator to run `safir migrate` on it.
#[tokio::test]
async fn start_up_says_a_database_it_cannot_read_could_not_be_read() {
    // SQLite, which migrates at start: the read before migrating fails.
    let data = TempDir::new("safir-unreadable");
    let d = data.path().to_str().unwrap();
    let db_file = data.path().join("safir.db");
    let mut conn = SqliteConnectOptions::new()
        .filename(&db_file)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let out = run(&["--data-dir", d, "migrate"], &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("could not read the database"), "{err}");
    assert!(err.contains("success"), "the error is given: {err}");

    // PostgreSQL, which a server does not migrate unless asked.
    let Some(admin_url) = postgres_url() else {
        return;
    };
    let t = TestDb::postgres(&admin_url).await;
    with_pool!(t.db.write(), p => {
        sqlx::query("ALTER TABLE _sqlx_migrations RENAME COLUMN success TO done")
            .execute(p)
            .await
            .map(|_| ())
    })
    .unwrap();
    let out = run(
        &[
            "--data-dir",
            d,
            "--database-url",
            &t.url,
            "admin",
            "verify-audit",
        ],
        &[],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("could not read the database"), "{err}");
    assert!(!err.contains("not migrated"), "{err}");
}
