//! Checkpoints of SQLite's write-ahead log, away from the writer.
//!
//! Left to itself, SQLite checkpoints in the connection that commits, each time the log
//! passes 1,000 pages: it copies the logged pages back into the database file and syncs both
//! files, and for those milliseconds the single writer connection is busy, so every write
//! queued behind it waits (the audit records of officers' views, a crisis's check-ins). Here a
//! task copies the log back a few times a second on a connection of its own, in SQLite's
//! `PASSIVE` mode, which never blocks the writer or a reader.
//!
//! The log is only rewound (written again from its start) after a checkpoint has copied all
//! of it, which a pass running beside a constant stream of writes never quite does. So once
//! the log is [`REWIND_PAGES`] long, the task copies the last pages while holding the writer
//! connection: the writer waits only while the pages written during that pass are copied,
//! and its next write starts the log over. The writer's own checkpoint is left on,
//! past [`WRITER_CHECKPOINT_PAGES`], as the bound should the task stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePool};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How often the task copies the log back.
const INTERVAL: Duration = Duration::from_millis(200);

/// The log size, in pages, at which the task copies the rest while holding the writer
/// (4,096 pages of 4 KiB is 16 MiB).
pub const REWIND_PAGES: i64 = 4_096;

/// The log size, in pages, at which the writer checkpoints itself (SQLite's default is 1,000).
pub const WRITER_CHECKPOINT_PAGES: u32 = 8_192;

/// What the task has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogCheckpoints {
    /// Passes that copied pages of the log back.
    pub passes: u64,
    /// Passes that found the log rewound since the one before.
    pub rewinds: u64,
    /// The longest log a pass has seen, in pages.
    pub longest: u64,
}

#[derive(Debug, Default)]
struct Counters {
    passes: AtomicU64,
    rewinds: AtomicU64,
    longest: AtomicU64,
}

/// The running task; stopped on [`Self::stop`], or when the last handle to the database goes
/// (dropping the sender ends the task's wait as sending on it would).
#[derive(Debug)]
pub struct Checkpointer {
    counters: Arc<Counters>,
    task: std::sync::Mutex<Option<(oneshot::Sender<()>, JoinHandle<()>)>>,
}

impl Checkpointer {
    /// Starts the task on the current runtime; its connection opens at the first pass.
    /// `writer` is the pool of the single writer connection.
    pub(crate) fn start(opts: SqliteConnectOptions, writer: SqlitePool) -> Self {
        let counters = Arc::new(Counters::default());
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(run(opts, writer, counters.clone(), stopped));
        Self {
            counters,
            task: std::sync::Mutex::new(Some((stop, task))),
        }
    }

    pub(crate) fn counts(&self) -> LogCheckpoints {
        let c = &self.counters;
        LogCheckpoints {
            passes: c.passes.load(Ordering::Relaxed),
            rewinds: c.rewinds.load(Ordering::Relaxed),
            longest: c.longest.load(Ordering::Relaxed),
        }
    }

    /// Stops the task and waits until its connection is closed.
    pub(crate) async fn stop(&self) {
        let task = self.task.lock().map(|mut t| t.take()).unwrap_or(None);
        if let Some((stop, task)) = task {
            let _ = stop.send(());
            let _ = task.await;
        }
    }
}

async fn run(
    opts: SqliteConnectOptions,
    writer: SqlitePool,
    counters: Arc<Counters>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut conn: Option<SqliteConnection> = None;
    // The log's size and the part of it in the database file at the last pass.
    let (mut last_log, mut last_done) = (0i64, 0i64);
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            _ = tick.tick() => {}
        }
        if conn.is_none() {
            match opts.connect().await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot open the log checkpoint connection; retrying");
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        // One row: (busy, pages in the log, pages of it now in the database file); -1, -1
        // when the database is not in WAL mode. Read to the end, so the statement is done
        // and the connection keeps no read of the log open, which would stop a rewind.
        let pass: Result<Vec<(i64, i64, i64)>, sqlx::Error> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_all(&mut *c)
                .await;
        match pass.map(|rows| rows.first().copied()) {
            Ok(None) => {}
            Ok(Some((_, log, done))) => {
                // Both count from the log's start.
                let rewound = log < last_log;
                if rewound {
                    counters.rewinds.fetch_add(1, Ordering::Relaxed);
                }
                if (rewound && done > 0) || (!rewound && done > last_done) {
                    counters.passes.fetch_add(1, Ordering::Relaxed);
                }
                counters
                    .longest
                    .fetch_max(log.max(0) as u64, Ordering::Relaxed);
                (last_log, last_done) = (log, done);
                if log >= REWIND_PAGES {
                    // No write runs while this holds the writer, so the pass copies all that
                    // is left and the next write rewinds the log (unless a reader is still
                    // reading the old part: then a later pass tries again).
                    let held = tokio::select! {
                        _ = &mut stopped => break,
                        held = writer.acquire() => held,
                    };
                    match held {
                        Ok(mut w) => {
                            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                                .execute(&mut *w)
                                .await
                            {
                                tracing::warn!(error = %e, "log checkpoint on the writer failed");
                            }
                        }
                        // The database is going away.
                        Err(sqlx::Error::PoolClosed) => break,
                        // The writer stayed busy past the pool's timeout: next time.
                        Err(e) => {
                            tracing::warn!(error = %e, "log checkpoint could not take the writer")
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "log checkpoint failed; reopening its connection");
                if let Some(c) = conn.take() {
                    let _ = c.close().await;
                }
            }
        }
    }
    if let Some(c) = conn {
        let _ = c.close().await;
    }
}
