//! The monitor check (`listen.monitors` job, `safir listen monitor run`): imports each
//! dataset that has enabled monitors, counts each monitor's matches in its window and, past
//! the threshold and the cool-down, raises an alert and emails the subscribers, all in one
//! transaction. Also the loop that enqueues the check every `monitor_interval_minutes`.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use safir_listen::import::{ImportOptions, ImportReport, InputFormat, import_bytes, import_path};

use crate::listen_cmd::fetch;
use safir_listen::monitor::{Evaluation, MonitorQuery, evaluate};
use safir_listen::table::MessageTable;
use safir_listen::time::format_iso;
use safir_store::jobs::{self, ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::listen::{Dataset, Monitor, NewAlert, datasets, monitors};
use safir_store::{Db, StoreError};
use safir_web::email::{self, OutgoingEmail};
use safir_web::i18n::{FluentArgs, I18n, Lang, ltr};
use serde_json::json;
use tokio::sync::watch;

/// The job kind of a check of every enabled monitor.
pub const JOB_KIND: &str = "listen.monitors";

/// The end of the windows a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// The wall clock: for live archives that keep growing.
    Now,
    /// The newest message of each dataset: for historical archives.
    Newest,
    /// A fixed time, ms since the epoch.
    At(i64),
}

impl AsOf {
    /// `now`, `newest`, or any timestamp the importers understand (ISO 8601, epoch).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "now" => Ok(AsOf::Now),
            "newest" => Ok(AsOf::Newest),
            other => safir_listen::time::parse_timestamp(other)
                .map(AsOf::At)
                .ok_or_else(|| {
                    format!("{other:?} is not now, newest or a time such as 2026-03-01T12:00:00Z")
                }),
        }
    }

    fn as_str(self) -> String {
        match self {
            AsOf::Now => "now".to_owned(),
            AsOf::Newest => "newest".to_owned(),
            AsOf::At(ms) => format_iso(ms),
        }
    }
}

/// What happened to one monitor in a check.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub monitor: String,
    pub dataset: String,
    /// The window, `(start, end]`, ms since the epoch.
    pub window: (i64, i64),
    pub matches: u64,
    pub threshold: i32,
    pub result: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    BelowThreshold,
    /// Enough matches, but an alert was raised less than the cool-down ago.
    CoolingDown,
    Alert {
        id: String,
        emails: usize,
    },
}

/// The outcome of every monitor, and the datasets or monitors that could not be checked.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub outcomes: Vec<Outcome>,
    pub failures: Vec<String>,
    /// The imports of the datasets checked that had problems: records their monitors did
    /// not see (a collector that changed its columns makes every new row one).
    pub imports: Vec<DatasetImport>,
}

/// What importing a dataset's sources read.
#[derive(Debug)]
pub struct Loaded {
    pub table: MessageTable,
    /// One per source, with its problems.
    pub reports: Vec<ImportReport>,
}

/// The import reports of one dataset's sources.
#[derive(Debug)]
pub struct DatasetImport {
    pub dataset: String,
    pub reports: Vec<ImportReport>,
}

impl DatasetImport {
    /// One line per source with problems, for the log: the records skipped, the count of
    /// each kind of problem and the first problem.
    pub fn warnings(&self) -> Vec<String> {
        self.reports
            .iter()
            .filter_map(|r| {
                let first = r.problems.first()?;
                let counts: Vec<String> = r
                    .problem_counts()
                    .into_iter()
                    .map(|(kind, n)| format!("{n} {}", kind.name()))
                    .collect();
                Some(format!(
                    "dataset {}: {}: {} record(s) skipped ({}); first problem: {first}",
                    self.dataset,
                    r.file,
                    r.skipped(),
                    counts.join(", ")
                ))
            })
            .collect()
    }
}

/// Checks every enabled monitor once.
pub async fn check_all(db: &Db, as_of: AsOf) -> anyhow::Result<CheckReport> {
    let enabled = monitors::list_enabled(db).await?;
    let mut report = CheckReport::default();
    let mut i = 0;
    while i < enabled.len() {
        let dataset_id = enabled[i].dataset_id.clone();
        let end = enabled[i..]
            .iter()
            .position(|m| m.dataset_id != dataset_id)
            .map_or(enabled.len(), |n| i + n);
        let group = &enabled[i..end];
        i = end;
        let dataset = safir_store::listen::find_dataset(db, &dataset_id).await?;
        let Loaded { table, reports } = match load_dataset(&dataset).await {
            Ok(loaded) => loaded,
            Err(e) => {
                report
                    .failures
                    .push(format!("dataset {}: {e:#}", dataset.name));
                continue;
            }
        };
        datasets::record_import(db, &dataset.id, table.len() as i64).await?;
        if reports.iter().any(|r| !r.problems.is_empty()) {
            report.imports.push(DatasetImport {
                dataset: dataset.name.clone(),
                reports,
            });
        }
        for monitor in group {
            match check_one(db, &dataset, &table, monitor, as_of).await {
                Ok(Some(o)) => report.outcomes.push(o),
                Ok(None) => {}
                Err(e) => report
                    .failures
                    .push(format!("monitor {}: {e:#}", monitor.name)),
            }
        }
    }
    Ok(report)
}

/// Imports a dataset's files into memory.
pub async fn load_dataset(dataset: &Dataset) -> anyhow::Result<Loaded> {
    let format = match &dataset.input_format {
        None => None,
        Some(name) => Some(
            InputFormat::from_name(name)
                .with_context(|| format!("unknown input format {name:?}"))?,
        ),
    };
    load_files(dataset.sources()?, format).await
}

/// Imports files into one table, on a blocking thread (it is CPU and disk work). The reports
/// say which records were skipped: whoever reads the dataset shows them, since a check
/// that cannot read new rows would otherwise report "0 matches" as if all were quiet.
pub async fn load_files(
    sources: Vec<String>,
    format: Option<InputFormat>,
) -> anyhow::Result<Loaded> {
    tokio::task::spawn_blocking(move || {
        let options = ImportOptions {
            format,
            strict: false,
            progress: None,
        };
        let mut table = MessageTable::new();
        let mut http = None;
        let mut reports: Vec<ImportReport> = Vec::with_capacity(sources.len());
        for source in &sources {
            let report = if fetch::is_url(source) {
                let client = match &mut http {
                    Some(client) => client,
                    None => {
                        http.insert(fetch::HttpClient::new().context("starting the HTTP client")?)
                    }
                };
                let bytes = client.get(source, DATASET_MAX_DOWNLOAD, &|_, _| {})?;
                import_bytes(&mut table, source, &bytes, &options)
            } else {
                import_path(&mut table, Path::new(source), &options)
            }
            .with_context(|| format!("importing {source}"))?;
            reports.push(report);
        }
        // Files emptied, or written in a form the importers no longer read: every check would
        // find nothing and say so as if all were quiet.
        if table.is_empty() {
            match reports.iter().find_map(|r| r.problems.first()) {
                Some(p) => {
                    bail!("no messages could be imported from these files (first problem: {p})")
                }
                None => bail!("no messages could be imported from these files (they hold none)"),
            }
        }
        Ok(Loaded { table, reports })
    })
    .await
    .context("the import thread failed")?
}

async fn check_one(
    db: &Db,
    dataset: &Dataset,
    table: &MessageTable,
    monitor: &Monitor,
    as_of: AsOf,
) -> anyhow::Result<Option<Outcome>> {
    let query = MonitorQuery::from_json(&monitor.query_json()?)?.prepare();
    let until = match as_of {
        AsOf::Now => Utc::now().timestamp_millis(),
        AsOf::At(ms) => ms,
        AsOf::Newest => match table.time_span_ms() {
            Some((_, newest)) => newest,
            None => return Ok(None),
        },
    };
    let window_ms = i64::from(monitor.window_minutes) * 60_000;
    let since = monitor
        .last_checked_ms
        .unwrap_or(i64::MIN)
        .max(until.saturating_sub(window_ms));
    let found = if since < until {
        evaluate(table, &query, since, until)
    } else {
        Evaluation::default()
    };
    let mut outcome = Outcome {
        monitor: monitor.name.clone(),
        dataset: dataset.name.clone(),
        window: (since, until),
        matches: found.matches,
        threshold: monitor.threshold,
        result: Verdict::BelowThreshold,
    };
    if found.matches < u64::try_from(monitor.threshold).unwrap_or(1) {
        return Ok(Some(outcome));
    }
    if !monitor.cooled_down(safir_store::now()) {
        outcome.result = Verdict::CoolingDown;
        return Ok(Some(outcome));
    }
    outcome.result = raise(db, dataset, table, monitor, &found, (since, until)).await?;
    Ok(Some(outcome))
}

/// The alert, the monitor's new state and one email per subscriber, in one transaction.
async fn raise(
    db: &Db,
    dataset: &Dataset,
    table: &MessageTable,
    monitor: &Monitor,
    found: &Evaluation,
    (since, until): (i64, i64),
) -> anyhow::Result<Verdict> {
    let samples: Vec<serde_json::Value> = found
        .sample_rows
        .iter()
        .map(|&r| {
            json!({
                "id": table.message_id(r),
                "user": table.user_id(r),
                "username": table.usernames.resolve(table.username[r as usize]),
                "time_ms": table.timestamp_ms[r as usize],
                "text": table.text(r).chars().take(280).collect::<String>(),
            })
        })
        .collect();
    let sample = serde_json::Value::Array(samples);
    let mut tx = db.begin().await?;
    let alert = safir_store::listen::raise_alert(
        &mut tx,
        &NewAlert {
            monitor_id: &monitor.id,
            matches: i64::try_from(found.matches).unwrap_or(i64::MAX),
            window_start_ms: since,
            window_end_ms: until,
            sample: &sample,
        },
    )
    .await?;
    let Some(alert) = alert else {
        // Another process raised it first, or the cool-down began meanwhile.
        tx.rollback().await?;
        return Ok(Verdict::CoolingDown);
    };
    let subscribers = monitors::subscribers_in(&mut tx, &monitor.id).await?;
    for s in &subscribers {
        let lang = Lang::parse(&s.preferred_lang).unwrap_or_default();
        let message = alert_email(
            &s.email,
            &s.display_name,
            lang,
            dataset,
            monitor,
            found,
            table,
            &alert,
        );
        let key = format!("listen-alert:{}:{}", alert.id, s.user_id);
        email::enqueue(&mut tx, &message, Some(key)).await?;
    }
    tx.commit().await?;
    Ok(Verdict::Alert {
        id: alert.id,
        emails: subscribers.len(),
    })
}

#[allow(clippy::too_many_arguments)]
fn alert_email(
    to: &str,
    name: &str,
    lang: Lang,
    dataset: &Dataset,
    monitor: &Monitor,
    found: &Evaluation,
    table: &MessageTable,
    alert: &safir_store::listen::Alert,
) -> OutgoingEmail {
    let samples: Vec<String> = found
        .sample_rows
        .iter()
        .map(|&r| {
            let text: String = table.text(r).chars().take(200).collect();
            format!(
                "- {} @{}: {}",
                format_iso(table.timestamp_ms[r as usize]),
                table.usernames.resolve(table.username[r as usize]),
                text.replace('\n', " ")
            )
        })
        .collect();
    let mut args = FluentArgs::new();
    args.set("name", name.to_owned());
    args.set("monitor", monitor.name.clone());
    args.set("dataset", dataset.name.clone());
    args.set("matches", alert.matches);
    args.set("threshold", monitor.threshold);
    args.set("start", ltr(lang, format_iso(alert.window_start_ms.max(0))));
    args.set("end", ltr(lang, format_iso(alert.window_end_ms)));
    args.set("cooldown", monitor.cooldown_minutes);
    args.set("samples", samples.join("\n"));
    let i18n = I18n::global();
    OutgoingEmail {
        to: to.to_owned(),
        lang: lang.code().to_owned(),
        subject: i18n.t_args(lang, "listen-monitor-alert-subject", &args),
        text: i18n.t_args(lang, "listen-monitor-alert-body", &args),
        attachments: Vec::new(),
        headers: Vec::new(),
    }
}

/// Runs [`check_all`] as the `listen.monitors` job. The payload may say `{"as_of": …}`
/// (`now` by default).
pub struct MonitorsJob {
    pub db: Db,
}

impl JobHandler for MonitorsJob {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let payload: serde_json::Value = job
                .payload_json()
                .map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
            let as_of = match payload.get("as_of").and_then(|v| v.as_str()) {
                None => AsOf::Now,
                Some(s) => AsOf::parse(s).map_err(JobError::Permanent)?,
            };
            let report = check_all(&self.db, as_of)
                .await
                .map_err(|e| JobError::Retry(format!("{e:#}")))?;
            for f in &report.failures {
                tracing::warn!(problem = %f, "a monitor could not be checked");
            }
            for import in &report.imports {
                for problem in import.warnings() {
                    tracing::warn!(
                        dataset = %import.dataset,
                        problem = %problem,
                        "records of a monitored dataset were skipped: its monitors do not count them"
                    );
                }
            }
            let alerts = report
                .outcomes
                .iter()
                .filter(|o| matches!(o.result, Verdict::Alert { .. }))
                .count();
            tracing::info!(
                monitors = report.outcomes.len(),
                alerts,
                as_of = %as_of.as_str(),
                "checked the listening monitors"
            );
            Ok(())
        })
    }
}

/// Enqueues one check for the current interval, once however many processes call it (the
/// idempotency key names the interval). Skipped when no monitor is enabled.
pub async fn enqueue_check(db: &Db, interval_minutes: u32) -> Result<bool, StoreError> {
    if monitors::list_enabled(db).await?.is_empty() {
        return Ok(false);
    }
    let period = i64::from(interval_minutes.max(1)) * 60;
    let slot = Utc::now().timestamp().div_euclid(period);
    let job = NewJob::new(JOB_KIND, json!({}))
        .idempotency_key(format!("listen.monitors:{interval_minutes}:{slot}"));
    let mut tx = db.begin().await?;
    let id = jobs::enqueue(&mut tx, &job).await?;
    tx.commit().await?;
    Ok(id.is_some())
}

/// Enqueues the check at the start of every interval until shutdown.
pub async fn schedule(db: Db, interval_minutes: u32, mut shutdown: watch::Receiver<bool>) {
    let period = u64::from(interval_minutes.max(1)) * 60;
    loop {
        if let Err(e) = enqueue_check(&db, interval_minutes).await {
            tracing::warn!(error = %e, "scheduling the monitor check failed");
        }
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        let wait = period - now % period + 1;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(wait)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// The largest download a dataset URL may answer with at each check (50 MB, as the
/// command line's default).
const DATASET_MAX_DOWNLOAD: u64 = 50_000_000;

/// Checks a dataset's sources: `http://` and `https://` URLs (fetched at each check) and
/// existing files; anything else with a scheme, and missing files, are refused. Returns
/// files as absolute paths, so the check finds them whatever the worker's directory.
pub fn dataset_sources(inputs: &[String]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        if fetch::is_url(input) {
            out.push(input.clone());
            continue;
        }
        if input.contains("://") {
            bail!("{input}: a dataset source is a file or an http:// or https:// URL");
        }
        let path =
            std::fs::canonicalize(input).with_context(|| format!("{input}: no such file"))?;
        if !path.is_file() {
            bail!("{input}: not a file");
        }
        out.push(path.display().to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use safir_store::listen::{NewDataset, NewMonitor};
    use safir_store::testing::TestDb;

    use super::*;

    #[test]
    fn as_of_reads_now_newest_and_times() {
        assert_eq!(AsOf::parse("now"), Ok(AsOf::Now));
        assert_eq!(AsOf::parse(" newest "), Ok(AsOf::Newest));
        assert_eq!(
            AsOf::parse("2026-03-01T12:00:00Z"),
            Ok(AsOf::At(1_772_366_400_000))
        );
        assert!(AsOf::parse("yesterday").is_err());
    }

    #[tokio::test]
    async fn a_check_keeps_the_import_problems_and_logs_their_counts() {
        let dir = std::env::temp_dir().join(format!("safir-monitor-skips-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("feed.csv");
        std::fs::write(
            &file,
            "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n\
             1,u1,u1,,,hello,1700000000,\n\
             2,u2,u2,,,hello,1700000001,,extra\n\
             3,u3,u3,,,hello,1700000002,,extra\n",
        )
        .unwrap();
        let source = file.display().to_string();
        let loaded = load_files(vec![source.clone()], None).await;
        std::fs::remove_dir_all(&dir).unwrap();
        let Loaded { table, reports } = loaded.unwrap();
        assert_eq!(table.len(), 1);
        let import = DatasetImport {
            dataset: "gulf".into(),
            reports,
        };
        let warnings = import.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with(&format!(
                "dataset gulf: {source}: 2 record(s) skipped (2 wrong number of columns); \
                 first problem: {source}:3: wrong number of columns"
            )),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn datasets_keep_web_urls_and_refuse_other_schemes_and_missing_files() {
        let url = "https://example.org/feed.xml".to_owned();
        assert_eq!(
            dataset_sources(std::slice::from_ref(&url)).unwrap(),
            vec![url]
        );
        let err = dataset_sources(&["ftp://example.org/feed.xml".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("http:// or https://"), "{err}");
        let err = dataset_sources(&["no/such/archive.csv".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("no such file"), "{err}");
    }

    #[tokio::test]
    async fn the_check_is_enqueued_once_per_interval_and_only_when_needed() {
        for t in TestDb::all().await {
            let db = &t.db;
            assert!(!enqueue_check(db, 15).await.unwrap(), "no monitors yet");
            let mut tx = db.begin().await.unwrap();
            let d = safir_store::listen::create_dataset(
                &mut tx,
                &NewDataset {
                    name: "d",
                    sources: &[],
                    input_format: None,
                    created_by: None,
                },
            )
            .await
            .unwrap();
            safir_store::listen::create_monitor(
                &mut tx,
                &NewMonitor {
                    dataset_id: &d.id,
                    name: "m",
                    query: &json!({"keywords": ["x"]}),
                    threshold: 1,
                    window_minutes: 60,
                    cooldown_minutes: 0,
                    created_by: None,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            // A long interval, so the two calls cannot straddle its boundary.
            assert!(enqueue_check(db, 10_080).await.unwrap());
            assert!(
                !enqueue_check(db, 10_080).await.unwrap(),
                "a second process"
            );
            let stats = jobs::stats(db).await.unwrap();
            assert_eq!(stats.queued, 1);
        }
    }
}
