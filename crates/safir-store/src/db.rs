//! The database handle: SQLite (WAL, one writer) or PostgreSQL, chosen by the URL scheme.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

use crate::StoreError;
use crate::wal::{Checkpointer, LogCheckpoints, WRITER_CHECKPOINT_PAGES};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A cloneable handle to the database. SQLite keeps a pool of readers and a single writer
/// connection, so writers queue in-process instead of failing with `SQLITE_BUSY`, and a task
/// that checkpoints the write-ahead log off the writer's path (`wal`).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        checkpoints: Arc<Checkpointer>,
    },
    Postgres(PgPool),
}

/// A borrowed pool of either backend, for [`with_pool!`].
#[derive(Clone, Copy)]
pub enum Pool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// An open write transaction of either backend, for [`with_tx!`].
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Runs the same statement on whichever backend a [`Pool`] holds:
/// `with_pool!(db.read(), p => sqlx::query("…").fetch_one(p).await)`.
#[macro_export]
macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs the same statement inside a [`Tx`]: `with_tx!(tx, c => sqlx::query("…").execute(c).await.map(|r| r.rows_affected()))`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// The current time, truncated to microseconds so both backends store and compare it alike.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// What a SQLite file is to this build ([`Db::sqlite_snapshot`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot {
    /// A Safir database lacking `behind` of this build's migrations (none when current).
    Safir { behind: usize },
    /// Written by a newer release: its migrations are not all this build's.
    Newer,
    /// Not a Safir database, or one whose migrations are out of order.
    NotSafir,
}

/// The file a `sqlite:` URL opens, read as [`Db::connect`] reads it (percent escapes and
/// options included); `None` for another URL or one that cannot be read.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let opts = SqliteConnectOptions::from_str(url).ok()?;
    Some(opts.get_filename().to_path_buf())
}

/// Whether `error` says the table of applied migrations is not there: a database no
/// migration has run on yet (PostgreSQL's `undefined_table`, SQLite's "no such table").
fn no_migrations_table(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => {
            e.code().as_deref() == Some("42P01") || e.message().starts_with("no such table")
        }
        _ => false,
    }
}

impl Db {
    /// Opens `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            // No ping before each acquire: a connection to a local file does not go away,
            // and the ping is one more round trip to the connection's worker thread on every
            // transaction and read. The writer checkpoints the log itself only past
            // WRITER_CHECKPOINT_PAGES: the checkpointer's task does it before then, off the
            // writer's path.
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(
                    opts.clone()
                        .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES.to_string()),
                )
                .await?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(opts.clone().read_only(true).create_if_missing(false))
                .await;
            // A read-only pool cannot open a database that does not exist yet; the writer has
            // created it above, so a failure here is real.
            let read = read?;
            let checkpoints = Arc::new(Checkpointer::start(opts, write.clone()));
            Ok(Db::Sqlite {
                read,
                write,
                checkpoints,
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url)?;
            Self::connect_postgres(opts).await
        } else {
            Err(StoreError::Corrupt(format!(
                "unsupported database URL scheme in {:?} (use sqlite:// or postgres://)",
                url.split(':').next().unwrap_or("")
            )))
        }
    }

    pub async fn connect_postgres(opts: PgConnectOptions) -> Result<Self, StoreError> {
        // Each acquire pings the connection first (the pool's default), so a connection the
        // server closed is replaced instead of failing a request. Pinging only connections
        // idle for a second made no difference beyond noise to the consular queue benchmark
        // (docs/benchmarks.md, consular run 12).
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// What the SQLite file at `path` is to this build, read without changing it (opened
    /// read-only, its journal mode left alone): a Safir database whose applied migrations are
    /// all this build's, in order, and how many of this build's it lacks (a snapshot from an
    /// older release lacks the newer ones, which the next start applies); or not.
    pub async fn sqlite_snapshot(path: &std::path::Path) -> Result<Snapshot, StoreError> {
        let opts = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .create_if_missing(false);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await?;
        let applied: Result<Vec<i64>, sqlx::Error> = sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&pool)
        .await;
        pool.close().await;
        let Ok(applied) = applied else {
            return Ok(Snapshot::NotSafir);
        };
        let known: Vec<i64> = SQLITE_MIGRATIONS.iter().map(|m| m.version).collect();
        Ok(if applied.is_empty() {
            Snapshot::NotSafir
        } else if known.starts_with(&applied) {
            Snapshot::Safir {
                behind: known.len() - applied.len(),
            }
        } else if applied.iter().all(|v| known.contains(v)) {
            Snapshot::NotSafir
        } else {
            Snapshot::Newer
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations not applied yet, then fills in what a statement cannot
    /// compute (the search keys of names, `name_key`).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        // A database a newer version upgraded is refused by name, before anything runs (the
        // migrator's own refusal names one version and no cause): this version cannot migrate
        // it, and an older binary restored by mistake must not be mistaken for a broken one.
        let unknown = self.unknown_migrations().await?;
        if !unknown.is_empty() {
            return Err(StoreError::NewerSchema(unknown));
        }
        match self {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        let filled = crate::name_key::fill_all(self).await?;
        if filled > 0 {
            tracing::info!(filled, "filled in the search keys of names (0018)");
        }
        Ok(())
    }

    /// The versions of successful migrations in the database, oldest first: none in a new
    /// database, which has no table of migrations yet. A database that cannot be read (down,
    /// unreachable, refusing the query) is an error, not a database with nothing applied.
    async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let applied: Result<Vec<i64>, sqlx::Error> = with_pool!(self.read(), p => {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(p)
                .await
        });
        match applied {
            Ok(versions) => Ok(versions),
            Err(e) if no_migrations_table(&e) => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    fn known_migrations(&self) -> Vec<i64> {
        let migrator = match self {
            Db::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        let mut versions: Vec<i64> = migrator.iter().map(|m| m.version).collect();
        versions.sort_unstable();
        versions
    }

    /// The migrations applied to the database that this build does not hold, as a list for a
    /// message (`"0037, 0038"`); empty when there are none.
    pub async fn unknown_migrations(&self) -> Result<String, StoreError> {
        let known = self.known_migrations();
        let unknown: Vec<String> = self
            .applied_migrations()
            .await?
            .into_iter()
            .filter(|v| !known.contains(v))
            .map(|v| format!("{v:04}"))
            .collect();
        Ok(unknown.join(", "))
    }

    /// Whether every embedded migration has been applied (for `/readyz` and start-up checks).
    /// Migrations of a newer version may be there too: during a rolling upgrade the servers of
    /// the version before keep serving the migrated database (see `docs/operations.md`).
    /// An error when the database cannot be read.
    pub async fn is_migrated(&self) -> Result<bool, StoreError> {
        let applied = self.applied_migrations().await?;
        Ok(self.known_migrations().iter().all(|v| applied.contains(v)))
    }

    /// A pool for reads.
    pub fn read(&self) -> Pool<'_> {
        match self {
            Db::Sqlite { read, .. } => Pool::Sqlite(read),
            Db::Postgres(p) => Pool::Postgres(p),
        }
    }

    /// The pool for single-statement writes outside a transaction.
    pub fn write(&self) -> Pool<'_> {
        match self {
            Db::Sqlite { write, .. } => Pool::Sqlite(write),
            Db::Postgres(p) => Pool::Postgres(p),
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite, so the write lock is taken
    /// up front and a later upgrade cannot fail with a deadlock).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Cheap liveness query for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self.read(), p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// What SQLite's log checkpointer has done so far (nothing on PostgreSQL, which
    /// checkpoints itself).
    pub fn log_checkpoints(&self) -> LogCheckpoints {
        match self {
            Db::Sqlite { checkpoints, .. } => checkpoints.counts(),
            Db::Postgres(_) => LogCheckpoints::default(),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite {
                read,
                write,
                checkpoints,
            } => {
                checkpoints.stop().await;
                read.close().await;
                write.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::sqlite_file;

    #[test]
    fn the_sqlite_file_is_read_as_the_connection_reads_it() {
        let file = |url| sqlite_file(url);
        assert_eq!(
            file("sqlite:safir.db").as_deref(),
            Some(Path::new("safir.db"))
        );
        assert_eq!(
            file("sqlite:///data/my%20safir.db?mode=rwc").as_deref(),
            Some(Path::new("/data/my safir.db"))
        );
        assert_eq!(file("postgres://localhost/safir"), None);
    }
}
