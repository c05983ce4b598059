//! Test support shared by every crate's suites: a fresh, migrated database per test on
//! SQLite, and on PostgreSQL when `SAFIR_TEST_DATABASE_URL` is set.
//!
//! Each PostgreSQL test gets its own schema (dropped at the end), so tests run in parallel on
//! one database. `SAFIR_TEST_REQUIRE=postgres` turns a missing URL into a failure.

use std::path::PathBuf;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::{Backend, Db};

/// A migrated database that cleans up after itself when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File { _dir: tempdir::Dir },
    Schema { admin_url: String, schema: String },
}

pub(crate) mod tempdir {
    use std::path::{Path, PathBuf};

    /// A directory removed on drop (no extra crate for this).
    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(prefix: &str) -> std::io::Result<Self> {
            let path =
                std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().as_simple()));
            std::fs::create_dir_all(&path)?;
            Ok(Self(path))
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Whether the environment demands a suite instead of letting it skip.
pub fn required(suite: &str) -> bool {
    std::env::var("SAFIR_TEST_REQUIRE")
        .map(|v| v.split(',').any(|s| s.trim() == suite))
        .unwrap_or(false)
}

/// The PostgreSQL URL for tests, or `None` (after printing why) when the suite is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var("SAFIR_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !required("postgres"),
                "SAFIR_TEST_REQUIRE includes postgres but SAFIR_TEST_DATABASE_URL is not set"
            );
            eprintln!("skipping the PostgreSQL run: SAFIR_TEST_DATABASE_URL is not set");
            None
        }
    }
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempdir::Dir::new("safir-test").expect("temp dir");
        let path: PathBuf = dir.path().join("safir.db");
        let url = format!("sqlite://{}", path.display());
        let db = Db::connect(&url).await.expect("open sqlite");
        db.migrate().await.expect("migrate sqlite");
        Self {
            db,
            url,
            cleanup: Cleanup::File { _dir: dir },
        }
    }

    /// A fresh schema on the configured PostgreSQL server.
    pub async fn postgres(admin_url: &str) -> Self {
        let schema = format!("t_{}", uuid::Uuid::now_v7().as_simple());
        let admin = Db::connect(admin_url).await.expect("connect to PostgreSQL");
        if let Db::Postgres(pool) = &admin {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(pool)
                .await
                .expect("create schema");
        }
        admin.close().await;
        let url = with_search_path(admin_url, &schema);
        // Named after the schema, so that dropping it can end what this test left open.
        let opts = PgConnectOptions::from_str(admin_url)
            .expect("PostgreSQL URL")
            .options([("search_path", schema.as_str())])
            .application_name(&schema);
        let db = Db::connect_postgres(opts)
            .await
            .expect("connect to test schema");
        db.migrate().await.expect("migrate postgres");
        Self {
            db,
            url,
            cleanup: Cleanup::Schema {
                admin_url: admin_url.to_owned(),
                schema,
            },
        }
    }

    /// Every backend this run covers: SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut out = vec![Self::sqlite().await];
        if let Some(url) = postgres_url() {
            out.push(Self::postgres(&url).await);
        }
        out
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

/// Appends `options=-csearch_path=…` so a second process (or `safir serve`) opens the same
/// schema.
fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-csearch_path%3D{schema}")
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Schema { admin_url, schema } = &self.cleanup {
            // Dropping must not need the test's runtime (it may be shutting down): use a
            // short-lived one on a separate thread.
            let admin_url = admin_url.clone();
            let schema = schema.clone();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(Db::Postgres(pool)) = Db::connect(&admin_url).await {
                            // A transaction the test dropped is rolled back by a task of the
                            // test's runtime, which this thread blocks while it waits: its
                            // session would hold locks that the drop waits for, forever. The
                            // test is over, so its sessions are ended first.
                            let _ = sqlx::query(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                                 WHERE application_name = $1 AND pid <> pg_backend_pid()",
                            )
                            .bind(&schema)
                            .execute(&pool)
                            .await;
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP SCHEMA IF EXISTS {schema} CASCADE"
                            )))
                            .execute(&pool)
                            .await;
                            pool.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}
