//! `safir backup` and `safir restore`: a consistent snapshot of the SQLite database (taken
//! online with `VACUUM INTO`) plus the uploads directory. PostgreSQL is backed up with its
//! own tools (`pg_dump`), as docs/operations.md describes.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use safir_store::{Db, Snapshot, with_pool};

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
    let target = args.out.join(DB_FILE);
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
    let uploads = config.uploads_dir();
    if uploads.is_dir() {
        copy_dir(&uploads, &args.out.join("uploads"))?;
    }
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
    if let Some(dir) = live.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let data = config.data_dir();
    std::fs::create_dir_all(data)?;
    // The uploads are copied beside the live ones first, then put in their place: the
    // documents of the snapshot's rows, and none that the live database had since (they
    // would stay on disk with no row to purge them). A copy cut short leaves the live
    // uploads as they were.
    let uploads = config.uploads_dir();
    let incoming = data.join("uploads.restoring");
    if incoming.exists() {
        std::fs::remove_dir_all(&incoming)?;
    }
    let from_uploads = args.from.join("uploads");
    if from_uploads.is_dir() {
        copy_dir(&from_uploads, &incoming)?;
    } else {
        std::fs::create_dir_all(&incoming)?;
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = live.clone().into_os_string();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    std::fs::copy(&source, &live).with_context(|| format!("copying to {}", live.display()))?;
    if uploads.exists() {
        std::fs::remove_dir_all(&uploads)
            .with_context(|| format!("replacing {}", uploads.display()))?;
    }
    std::fs::rename(&incoming, &uploads)
        .with_context(|| format!("moving the restored uploads to {}", uploads.display()))?;
    println!("restored {} into {}", args.from.display(), live.display());
    if behind > 0 {
        println!(
            "the snapshot is from an earlier release: the next `safir serve` or `safir migrate` brings it up to date (migrations to apply: {behind})"
        );
    }
    Ok(())
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
        }
    }
    Ok(())
}
