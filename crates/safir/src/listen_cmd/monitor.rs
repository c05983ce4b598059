//! `safir listen dataset …` and `safir listen monitor …`: stored datasets and monitors in the
//! configured database. Creating a dataset or a monitor and subscribing an analyst are written
//! to the audit trail with the actor `cli`.

use std::io::Write;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use safir_domain::accounts::Email;
use safir_domain::audit::AuditAction;
use safir_listen::escape::terminal;
use safir_listen::import::InputFormat;
use safir_listen::monitor::{MonitorQuery, QueryError};
use safir_listen::time::format_iso;
use safir_store::audit;

use crate::admin_cmd::cli_audit;
use safir_store::listen::{self, NewDataset, NewMonitor, datasets, monitors};
use safir_store::{Db, StoreError};
use serde_json::json;

use super::{ListenCommand, write_problems};

/// A line on standard output; a reader that stopped reading (`| head`) ends the command
/// quietly (see `quiet_when_reader_leaves`) instead of the panic `println!` makes of it.
macro_rules! out {
    ($($arg:tt)*) => {
        writeln!(crate::text_cmd::Stdout::lock(), $($arg)*)?
    };
}
use crate::config::Config;
use crate::listen_monitors::{AsOf, Loaded, Verdict, check_all, dataset_sources, load_files};
use crate::serve::{missing_sqlite, open_db};

const DATASET_CREATE: AuditAction = AuditAction::new("listen_dataset.create");
const MONITOR_CREATE: AuditAction = AuditAction::new("listen_monitor.create");
const MONITOR_SUBSCRIBE: AuditAction = AuditAction::new("listen_monitor.subscribe");

impl ListenCommand {
    /// Whether the command needs the configured database (the others work on files alone).
    pub fn uses_database(&self) -> bool {
        matches!(self, ListenCommand::Dataset(_) | ListenCommand::Monitor(_))
    }
}

#[derive(Debug, Args)]
pub struct DatasetArgs {
    #[command(subcommand)]
    pub command: DatasetCommand,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Store a dataset: a name for archive files (imported now to check them).
    Add(DatasetAdd),
    /// List the datasets.
    List,
}

#[derive(Debug, Args)]
pub struct DatasetAdd {
    pub name: String,
    /// Archive files, or http:// and https:// URLs fetched at each check.
    #[arg(required = true)]
    pub files: Vec<String>,
    /// The input format; detected from each file's content when absent.
    #[arg(long, value_parser = super::parse_format)]
    pub input_format: Option<InputFormat>,
}

#[derive(Debug, Args)]
pub struct MonitorArgs {
    #[command(subcommand)]
    pub command: MonitorCommand,
}

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Store a monitor: a query over a dataset, a threshold, a window and a cool-down.
    Add(MonitorAdd),
    /// List the monitors.
    List,
    /// Send a monitor's alerts to an account by email.
    Subscribe(Subscribe),
    /// Check every enabled monitor now (what the `listen.monitors` job does).
    Run(Run),
    /// The newest alerts, of one monitor or of all.
    Alerts(AlertsArgs),
}

#[derive(Debug, Args)]
pub struct MonitorAdd {
    pub name: String,
    /// The dataset's name.
    #[arg(long)]
    pub dataset: String,
    /// Comma-separated words or phrases; any of them matches.
    #[arg(long, default_value = "")]
    pub keywords: String,
    /// Comma-separated hashtags (`#` optional); any of them matches.
    #[arg(long, default_value = "")]
    pub hashtags: String,
    /// Comma-separated handles or user ids (`@` optional); any of them matches.
    #[arg(long, default_value = "")]
    pub accounts: String,
    /// Comma-separated language codes (ar, en, …); any of them matches.
    #[arg(long, default_value = "")]
    pub languages: String,
    /// Matching messages in the window that raise an alert.
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..))]
    pub threshold: i32,
    /// The window, in minutes.
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..))]
    pub window: i32,
    /// Least minutes between two alerts of this monitor.
    #[arg(long, value_parser = clap::value_parser!(i32).range(0..))]
    pub cooldown: i32,
}

#[derive(Debug, Args)]
pub struct Subscribe {
    /// The monitor's name.
    pub monitor: String,
    /// The account's email address.
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct Run {
    /// End of the windows: `now` (the clock), `newest` (each dataset's newest message, for
    /// historical archives) or a time such as 2026-03-01T12:00:00Z.
    #[arg(long, default_value = "now", value_parser = AsOf::parse)]
    pub as_of: AsOf,
}

#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// The monitor's name; every monitor when absent.
    pub monitor: Option<String>,
    /// How many alerts to show.
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
}

pub async fn run(config: &Config, command: ListenCommand) -> anyhow::Result<()> {
    // Adding a dataset may be the first use of a new data directory; the other commands act
    // on what is there, and a mistyped directory must not answer from a new, empty database.
    let missing = missing_sqlite(config);
    if let Some(file) = &missing {
        let adds = matches!(
            &command,
            ListenCommand::Dataset(a) if matches!(a.command, DatasetCommand::Add(_))
        );
        if !adds {
            bail!(
                "no database at {}: check --data-dir or --database-url",
                file.display()
            );
        }
    }
    let db = open_db(config, false).await?;
    if let Some(file) = missing {
        eprintln!("safir: no database was at {}: created it", file.display());
    }
    let result = match command {
        ListenCommand::Dataset(a) => match a.command {
            DatasetCommand::Add(a) => add_dataset(&db, a).await,
            DatasetCommand::List => list_datasets(&db).await,
        },
        ListenCommand::Monitor(a) => match a.command {
            MonitorCommand::Add(a) => add_monitor(&db, a).await,
            MonitorCommand::List => list_monitors(&db).await,
            MonitorCommand::Subscribe(a) => subscribe(&db, a).await,
            MonitorCommand::Run(a) => run_check(&db, a.as_of).await,
            MonitorCommand::Alerts(a) => list_alerts(&db, a).await,
        },
        _ => bail!("not a database command"),
    };
    db.close().await;
    result
}

async fn add_dataset(db: &Db, a: DatasetAdd) -> anyhow::Result<()> {
    let sources = dataset_sources(&a.files)?;
    let format = a.input_format.map(|f| f.name());
    // Imported once now, so files the importers cannot read are refused at once.
    let Loaded { table, reports } = load_files(sources.clone(), a.input_format).await?;
    let mut tx = db.begin().await?;
    let dataset = listen::create_dataset(
        &mut tx,
        &NewDataset {
            name: &a.name,
            sources: &sources,
            input_format: format,
            created_by: None,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => anyhow::anyhow!("a dataset named {:?} exists already", a.name),
        other => other.into(),
    })?;
    audit::append(
        &mut tx,
        &cli_audit(
            DATASET_CREATE,
            "listen_dataset",
            &dataset.id,
            json!({"name": dataset.name, "sources": sources, "input_format": format}),
        ),
    )
    .await?;
    tx.commit().await?;
    datasets::record_import(db, &dataset.id, table.len() as i64).await?;
    out!(
        "added dataset {}: {} file(s), {} messages",
        dataset.name,
        sources.len(),
        table.len()
    );
    if let Some((first, last)) = table.time_span_ms() {
        out!("  from {} to {}", format_iso(first), format_iso(last));
    }
    // Rows skipped now are skipped at every check: said here, before a monitor reports
    // them as quiet.
    write_problems(&mut std::io::stdout().lock(), &reports, "  ")?;
    Ok(())
}

async fn list_datasets(db: &Db) -> anyhow::Result<()> {
    let all = listen::list_datasets(db).await?;
    if all.is_empty() {
        out!("no datasets");
    }
    for d in all {
        let imported = d.last_imported_at.map_or("never".to_owned(), |t| {
            t.format("%Y-%m-%d %H:%M UTC").to_string()
        });
        out!(
            "{}  {} messages, imported {}, format {}",
            d.name,
            d.message_count,
            imported,
            d.input_format.as_deref().unwrap_or("detected")
        );
        for s in d.sources()? {
            out!("  {s}");
        }
    }
    Ok(())
}

async fn add_monitor(db: &Db, a: MonitorAdd) -> anyhow::Result<()> {
    let query =
        MonitorQuery::parse(&a.keywords, &a.hashtags, &a.accounts, &a.languages).map_err(|e| {
            match e {
                QueryError::Empty => anyhow::anyhow!(
                    "give at least one of --keywords, --hashtags, --accounts or --languages"
                ),
                QueryError::Field { .. } => anyhow::anyhow!("--{e}"),
            }
        })?;
    let dataset = datasets::find_dataset_by_name(db, &a.dataset)
        .await?
        .with_context(|| format!("no dataset named {:?}", a.dataset))?;
    let query_json = query.to_json();
    let mut tx = db.begin().await?;
    let monitor = listen::create_monitor(
        &mut tx,
        &NewMonitor {
            dataset_id: &dataset.id,
            name: &a.name,
            query: &query_json,
            threshold: a.threshold,
            window_minutes: a.window,
            cooldown_minutes: a.cooldown,
            created_by: None,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => anyhow::anyhow!("a monitor named {:?} exists already", a.name),
        other => other.into(),
    })?;
    audit::append(
        &mut tx,
        &cli_audit(
            MONITOR_CREATE,
            "listen_monitor",
            &monitor.id,
            json!({
                "name": monitor.name,
                "dataset": dataset.name,
                "query": query_json,
                "threshold": a.threshold,
                "window_minutes": a.window,
                "cooldown_minutes": a.cooldown,
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    out!(
        "added monitor {} on {}: {} or more matches in {} minutes, cool-down {} minutes",
        monitor.name,
        dataset.name,
        a.threshold,
        a.window,
        a.cooldown
    );
    Ok(())
}

async fn list_monitors(db: &Db) -> anyhow::Result<()> {
    let all = listen::list_monitors(db).await?;
    if all.is_empty() {
        out!("no monitors");
    }
    for m in all {
        let dataset = listen::find_dataset(db, &m.dataset_id).await?;
        let subs = monitors::subscribers(db, &m.id).await?;
        out!(
            "{}  on {}, {}, >= {} in {} min, cool-down {} min, {} subscriber(s)",
            m.name,
            dataset.name,
            if m.enabled { "enabled" } else { "disabled" },
            m.threshold,
            m.window_minutes,
            m.cooldown_minutes,
            subs.len()
        );
        out!("  query {}", m.query);
        if let Some(at) = m.last_alert_at {
            out!("  last alert {}", at.format("%Y-%m-%d %H:%M:%S UTC"));
        }
    }
    Ok(())
}

async fn subscribe(db: &Db, a: Subscribe) -> anyhow::Result<()> {
    let email = Email::parse(&a.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let user = safir_store::accounts::find_user_by_email(db, &email)
        .await?
        .with_context(|| format!("no account with the email {email}"))?;
    let monitor = monitors::find_monitor_by_name(db, &a.monitor)
        .await?
        .with_context(|| format!("no monitor named {:?}", a.monitor))?;
    let mut tx = db.begin().await?;
    let added = monitors::subscribe(&mut tx, &monitor.id, &user.id).await?;
    if added {
        audit::append(
            &mut tx,
            &cli_audit(
                MONITOR_SUBSCRIBE,
                "listen_monitor",
                &monitor.id,
                json!({"user": user.id, "email": email.as_str()}),
            ),
        )
        .await?;
    }
    tx.commit().await?;
    if added {
        out!("{email} now gets the alerts of {}", monitor.name);
    } else {
        out!(
            "nothing to do: {email} already gets the alerts of {}",
            monitor.name
        );
    }
    Ok(())
}

async fn run_check(db: &Db, as_of: AsOf) -> anyhow::Result<()> {
    let report = check_all(db, as_of).await?;
    if report.outcomes.is_empty() && report.failures.is_empty() {
        out!("no enabled monitors");
    }
    // Records a check could not read are not counted by any monitor: say so before the
    // counts, which would otherwise look like quiet.
    let mut out = std::io::stdout().lock();
    for import in &report.imports {
        let skipped: u64 = import.reports.iter().map(|r| r.skipped()).sum();
        if skipped > 0 {
            writeln!(
                out,
                "dataset {}: records skipped by the import are not counted by its monitors:",
                import.dataset
            )?;
        } else {
            // Only warnings (rows kept with a bad count, records of several formats).
            writeln!(out, "dataset {}: the import warns:", import.dataset)?;
        }
        write_problems(&mut out, &import.reports, "  ")?;
    }
    drop(out);
    for o in &report.outcomes {
        let window = format!(
            "({} .. {}]",
            format_iso(o.window.0.max(0)),
            format_iso(o.window.1)
        );
        let verdict = match &o.result {
            Verdict::BelowThreshold => format!("below the threshold of {}", o.threshold),
            Verdict::CoolingDown => "in its cool-down: no alert".to_owned(),
            Verdict::Alert { id, emails } => {
                format!("alert {id} raised, {emails} email(s) queued")
            }
        };
        out!(
            "{} on {}: {} match(es) in {window}: {verdict}",
            o.monitor,
            o.dataset,
            o.matches
        );
    }
    for f in &report.failures {
        eprintln!("safir: {}", terminal(f));
    }
    if !report.failures.is_empty() {
        bail!(
            "{} problem(s) while checking the monitors",
            report.failures.len()
        );
    }
    Ok(())
}

async fn list_alerts(db: &Db, a: AlertsArgs) -> anyhow::Result<()> {
    let monitor_id = match &a.monitor {
        None => None,
        Some(name) => Some(
            monitors::find_monitor_by_name(db, name)
                .await?
                .with_context(|| format!("no monitor named {name:?}"))?
                .id,
        ),
    };
    let alerts = listen::list_alerts(db, monitor_id.as_deref(), a.limit.max(1)).await?;
    if alerts.is_empty() {
        out!("no alerts");
    }
    for l in alerts {
        let al = &l.alert;
        out!(
            "{}  {}  {} match(es) in ({} .. {}]  alert {}",
            al.raised_at.format("%Y-%m-%d %H:%M:%S UTC"),
            l.monitor_name,
            al.matches,
            format_iso(al.window_start_ms.max(0)),
            format_iso(al.window_end_ms),
            al.id
        );
        let samples: serde_json::Value = serde_json::from_str(&al.sample).unwrap_or_default();
        for s in samples.as_array().into_iter().flatten() {
            out!("{}", sample_line(s));
        }
    }
    Ok(())
}

/// A sample message of an alert, as one line: the start of its text, with the archive's
/// control characters (line ends, escape sequences) made harmless.
fn sample_line(sample: &serde_json::Value) -> String {
    let text: String = sample["text"]
        .as_str()
        .unwrap_or("")
        .chars()
        .take(100)
        .collect();
    format!(
        "  @{}: {}",
        terminal(sample["username"].as_str().unwrap_or("")),
        terminal(&text)
    )
}

#[cfg(test)]
mod tests {
    use super::sample_line;

    #[test]
    fn alert_samples_reach_the_terminal_without_control_characters() {
        let sample = serde_json::json!({
            "username": "press\u{1b}]0;owned\u{7}",
            "text": "first\r\nsecond\u{1b}[1A\u{1b}[2K\u{9b}",
        });
        let line = sample_line(&sample);
        assert!(!line.chars().any(char::is_control), "{line:?}");
        assert_eq!(
            line,
            "  @press\\u{1b}]0;owned\\u{7}: first second\\u{1b}[1A\\u{1b}[2K\\u{9b}"
        );
    }
}
