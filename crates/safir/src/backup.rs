//! `safir backup` and `safir restore`: a consistent snapshot of the SQLite database (taken
//! online with `VACUUM INTO`) plus the uploads directory. PostgreSQL is backed up with its
//! own tools (`pg_dump`), as docs/operations.md describes.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use safir_store::{Backend, Db, with_pool};

use crate::config::Config;
use crate::serve::open_db;

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

pub async fn backup(config: &Config, args: BackupArgs) -> anyhow::Result<()> {
    let db = open_db(config, false).await?;
    if db.backend() == Backend::Postgres {
        db.close().await;
        bail!(
            "safir backup snapshots the embedded SQLite database; for PostgreSQL use pg_dump \
             (pg_dump --format=custom --file safir.dump \"$SAFIR_DATABASE_URL\") and copy the uploads directory — see docs/operations.md"
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
    with_pool!(db.write(), p => {
        sqlx::query("VACUUM INTO $1").bind(&target_str).execute(p).await.map(|r| r.rows_affected())
    })
    .context("writing the database snapshot")?;
    db.close().await;
    let uploads = config.data_dir().join("uploads");
    if uploads.is_dir() {
        copy_dir(&uploads, &args.out.join("uploads"))?;
    }
    println!("backup written to {}", args.out.display());
    Ok(())
}

pub async fn restore(config: &Config, args: RestoreArgs) -> anyhow::Result<()> {
    if !config.database_url().starts_with("sqlite:") {
        bail!(
            "safir restore brings back SQLite snapshots; restore PostgreSQL with pg_restore — see docs/operations.md"
        );
    }
    let source = args.from.join(DB_FILE);
    if !source.is_file() {
        bail!(
            "{} has no {DB_FILE}: not a Safir backup",
            args.from.display()
        );
    }
    // Check the snapshot opens and is a Safir database before touching the live data.
    let probe = Db::connect(&format!("sqlite://{}", source.display()))
        .await
        .context("opening the snapshot")?;
    let ok = probe.is_migrated().await.unwrap_or(false);
    probe.close().await;
    if !ok {
        bail!("{} is not a complete Safir database", source.display());
    }
    let data = config.data_dir();
    let live = data.join(DB_FILE);
    if live.exists() && !args.force {
        bail!(
            "{} already exists: stop the server and pass --force to replace it",
            live.display()
        );
    }
    std::fs::create_dir_all(data)?;
    for suffix in ["-wal", "-shm"] {
        let side = data.join(format!("{DB_FILE}{suffix}"));
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    std::fs::copy(&source, &live).with_context(|| format!("copying to {}", live.display()))?;
    let uploads = args.from.join("uploads");
    if uploads.is_dir() {
        copy_dir(&uploads, &data.join("uploads"))?;
    }
    println!("restored {} into {}", args.from.display(), data.display());
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
