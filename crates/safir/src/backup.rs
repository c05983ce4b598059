//! `safir backup` and `safir restore`: a consistent snapshot of the SQLite database (taken
//! online with `VACUUM INTO`) plus the uploads directory. PostgreSQL is backed up with its
//! own tools (`pg_dump`), as docs/operations.md describes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use safir_store::{Db, Snapshot, with_pool};
use sqlx::sqlite::{SqliteConnectOptions, SqliteLockingMode};
use sqlx::{ConnectOptions, Connection};

use crate::config::Config;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Directory to write the snapshot into (created; must be empty or absent).
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A directory written by `safir backup`.
    pub from: PathBuf,
    /// Replace existing data in the data directory.
    #[arg(long)]
    pub force: bool,
}

const DB_FILE: &str = "safir.db";
/// The snapshot's name while the backup is under way: it becomes `DB_FILE` once the uploads
/// are copied too, so a backup cut short is never taken for a whole one.
const DB_PARTIAL: &str = "safir.db.partial";

/// The SQLite file the configuration names (`database_url`, by default `safir.db` in the
/// data directory); `None` for PostgreSQL.
fn sqlite_file(config: &Config) -> Option<PathBuf> {
    safir_store::sqlite_file(&config.database_url())
}

pub async fn backup(config: &Config, args: BackupArgs) -> anyhow::Result<()> {
    let Some(live) = sqlite_file(config) else {
        bail!(
            "safir backup snapshots the embedded SQLite database; for PostgreSQL use pg_dump \
             (pg_dump --format=custom --file safir.dump \"$SAFIR_DATABASE_URL\") and copy the uploads directory — see docs/operations.md"
        );
    };
    // Opening a missing file would create an empty database, and its backup would look
    // like any other: a mistyped data directory must fail instead.
    if !live.is_file() {
        bail!(
            "no database at {}: check --data-dir or --database-url",
            live.display()
        );
    }
    if args.out.exists()
        && args
            .out
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!(
            "{} exists and is not an empty directory",
            args.out.display()
        );
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let target = args.out.join(DB_PARTIAL);
    let target_str = target
        .to_str()
        .context("the backup path is not valid UTF-8")?
        .to_owned();
    let db = Db::connect(&config.database_url()).await?;
    with_pool!(db.write(), p => {
        sqlx::query("VACUUM INTO $1").bind(&target_str).execute(p).await.map(|r| r.rows_affected())
    })
    .context("writing the database snapshot")?;
    db.close().await;
    // `VACUUM INTO` leaves its file to the system's cache: written to disk before it is named
    // whole, so a power cut cannot leave a complete-looking backup with pages missing.
    std::fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .context("writing the database snapshot to disk")?;
    let uploads = config.uploads_dir();
    if uploads.is_dir() {
        copy_dir(&uploads, &args.out.join("uploads")).with_context(|| {
            format!(
                "copying the uploads (the backup in {} is incomplete and cannot be restored)",
                args.out.display()
            )
        })?;
    }
    std::fs::rename(&target, args.out.join(DB_FILE)).context("completing the backup")?;
    sync_dir(&args.out).context("completing the backup")?;
    println!("backup written to {}", args.out.display());
    Ok(())
}

pub async fn restore(config: &Config, args: RestoreArgs) -> anyhow::Result<()> {
    let Some(live) = sqlite_file(config) else {
        bail!(
            "safir restore brings back SQLite snapshots; restore PostgreSQL with pg_restore — see docs/operations.md"
        );
    };
    let source = args.from.join(DB_FILE);
    if !source.is_file() && args.from.join(DB_PARTIAL).exists() {
        bail!(
            "{} holds a backup that did not finish ({DB_PARTIAL}; its uploads may be missing): not restorable",
            args.from.display()
        );
    }
    if !source.is_file() {
        bail!(
            "{} has no {DB_FILE}: not a Safir backup",
            args.from.display()
        );
    }
    // The snapshot is read, not changed, to know it is a Safir database before the live
    // data is touched. One from an older release is brought up to date at the next start.
    let behind = match Db::sqlite_snapshot(&source)
        .await
        .context("opening the snapshot")?
    {
        Snapshot::Safir { behind } => behind,
        Snapshot::Newer => bail!(
            "{} was written by a newer release of Safir: restore it with that release",
            source.display()
        ),
        Snapshot::NotSafir => bail!("{} is not a complete Safir database", source.display()),
    };
    if live.exists() && !args.force {
        bail!(
            "{} already exists: stop the server and pass --force to replace it",
            live.display()
        );
    }
    if live.exists() {
        refuse_if_in_use(&live).await?;
    }
    if let Some(dir) = live.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let data = config.data_dir();
    std::fs::create_dir_all(data)?;
    // The snapshot and its uploads are copied beside the live ones first, then put in their
    // place by renaming: the documents of the snapshot's rows, and none that the live database
    // had since (they would stay on disk with no row to purge them). A copy cut short (a full
    // disk, an interrupted command) leaves the live database and uploads as they were.
    let uploads = config.uploads_dir();
    let incoming = data.join("uploads.restoring");
    let replaced = data.join("uploads.replaced");
    for stale in [&incoming, &replaced] {
        if stale.exists() {
            std::fs::remove_dir_all(stale)?;
        }
    }
    let from_uploads = args.from.join("uploads");
    if from_uploads.is_dir() {
        copy_dir(&from_uploads, &incoming).context("copying the snapshot's uploads")?;
    } else {
        std::fs::create_dir_all(&incoming)?;
    }
    let next = beside(&live, ".restoring");
    std::fs::copy(&source, &next).with_context(|| format!("copying to {}", next.display()))?;
    std::fs::File::open(&next)?.sync_all()?;
    // The live database's journal belongs to it: left beside the snapshot, it would be read
    // into it at the next start.
    for suffix in ["-wal", "-shm"] {
        let side = beside(&live, suffix);
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    std::fs::rename(&next, &live).with_context(|| format!("replacing {}", live.display()))?;
    if uploads.exists() {
        std::fs::rename(&uploads, &replaced)
            .with_context(|| format!("replacing {}", uploads.display()))?;
    }
    std::fs::rename(&incoming, &uploads)
        .with_context(|| format!("moving the restored uploads to {}", uploads.display()))?;
    sync_dir(parent_of(&live)).with_context(|| format!("replacing {}", live.display()))?;
    sync_dir(data).with_context(|| format!("replacing {}", uploads.display()))?;
    if replaced.exists()
        && let Err(e) = std::fs::remove_dir_all(&replaced)
    {
        eprintln!(
            "the uploads replaced are left in {} ({e}): delete that directory",
            replaced.display()
        );
    }
    println!("restored {} into {}", args.from.display(), live.display());
    if behind > 0 {
        println!(
            "the snapshot is from an earlier release: the next `safir serve` or `safir migrate` brings it up to date (migrations to apply: {behind})"
        );
    }
    Ok(())
}

/// Refuses to go on while a process has the database at `live` open: a `safir serve` or
/// `safir worker` still running would keep writing to the file the restore unlinks, and its
/// log would be deleted under it. Every Safir process keeps a connection in WAL mode open
/// (the log checkpointer's, at least), and such a connection holds a shared lock on the
/// database file even while idle: an exclusive lock is only granted when no process has it
/// open, even when the server's pools have closed their idle connections. The probe's own
/// connection is closed before anything is replaced (closing it may fold a leftover log into
/// the file about to be replaced).
async fn refuse_if_in_use(live: &Path) -> anyhow::Result<()> {
    let opts = SqliteConnectOptions::new()
        .filename(live)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(Duration::from_millis(500));
    let probe = async {
        let mut conn = opts.connect().await?;
        let taken = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await;
        if taken.is_ok() {
            sqlx::query("ROLLBACK").execute(&mut conn).await?;
        }
        conn.close().await?;
        taken.map(|_| ())
    };
    match probe.await {
        Ok(()) => Ok(()),
        Err(sqlx::Error::Database(e))
            if e.code()
                .and_then(|c| c.parse::<i32>().ok())
                // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
                .is_some_and(|c| matches!(c & 0xff, 5 | 6)) =>
        {
            bail!("a Safir process is using {}: stop it first", live.display())
        }
        // A live file SQLite cannot read (damaged, not a database) is what a restore is for:
        // no server is running on it.
        Err(_) => Ok(()),
    }
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a directory's entries (the files created or renamed in it) to disk.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// `path` with `suffix` added to its file name (`safir.db` → `safir.db-wal`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
            std::fs::File::open(&dest)?.sync_all()?;
        }
    }
    sync_dir(to)?;
    Ok(())
}
