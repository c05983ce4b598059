//! The `crisis.fanout` job: for an alert being sent, resolve its audience, write one delivery
//! row per recipient and channel and one check-in per person, in transactions of about 25,000
//! recipients, then enqueue one `crisis.deliver` job per channel.
//!
//! The recipients are written in id order, so each index the rows go into is filled from one
//! end instead of at random places (far fewer pages touched and written at each commit).
//!
//! Every write is keyed (deliveries on alert, recipient and channel; check-ins on alert and
//! registration; jobs on their idempotency key), so a run cut short by a crash and run again
//! writes nothing twice; the alert is marked fanned out in the same transaction as the
//! delivery jobs, so delivery never completes an alert whose rows are still being written.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use safir_domain::crisis::cap::MsgType;
use safir_store::crisis::audience::{self, AudienceCounts};
use safir_store::crisis::{alerts, checkins, crises, deliveries};
use safir_store::jobs::{ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::{Backend, Db, StoreError, jobs, now};

pub const FANOUT_JOB: &str = "crisis.fanout";
pub const DELIVER_JOB: &str = "crisis.deliver";

/// Recipients per transaction. PostgreSQL: few, large transactions (each commit writes the
/// index pages it touched) do not stop other writers. SQLite has one writer for the whole
/// database, so its transactions stay at the size measured to hold the writer for about a
/// third of a second: check-in answers and other writes wait no longer than that.
fn batch_size(db: &Db) -> usize {
    match db.backend() {
        Backend::Postgres => 25_000,
        Backend::Sqlite => 2_000,
    }
}

#[derive(serde::Deserialize)]
struct Payload {
    alert_id: String,
}

/// The handler registered for [`FANOUT_JOB`].
#[derive(Clone)]
pub struct FanoutJob {
    pub db: Db,
}

impl JobHandler for FanoutJob {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let payload: Payload = job
                .payload_json()
                .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
            fan_out(&self.db, &payload.alert_id)
                .await
                .map(|_| ())
                .map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// What a fan-out wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FanoutReport {
    pub counts: AudienceCounts,
    pub deliveries: u64,
    pub checkins: u64,
    pub jobs: u64,
}

/// Fans out one alert (nothing when it is not being sent or was already fanned out).
pub async fn fan_out(db: &Db, alert_id: &str) -> Result<FanoutReport, StoreError> {
    let alert = match alerts::find(db, alert_id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Ok(FanoutReport::default()),
        Err(e) => return Err(e),
    };
    let mut report = FanoutReport::default();
    if alert.status != "sending" || alert.fanout_at.is_some() {
        return Ok(report);
    }
    let target = alert.target()?;
    // A Cancel tells people an earlier alert no longer stands: it asks nobody to check in
    // again (that would turn every "safe" already given into no answer) and reminds nobody.
    // Nor does anything sent in a closed crisis (see `create_checkins`).
    let asks_checkin = alert.msg_type()? != MsgType::Cancel;
    let at = alert.sent_at.unwrap_or_else(now);
    let mut steps = Steps::default();
    let started = Instant::now();
    let mut audience = audience::resolve(db, &target, at).await?;
    // People, then subscribers, then webhooks (the kinds sort in that order), each by id.
    audience.recipients.sort_unstable_by(|a, b| {
        (a.kind.as_str(), a.id.as_str(), a.channel.as_str()).cmp(&(
            b.kind.as_str(),
            b.id.as_str(),
            b.channel.as_str(),
        ))
    });
    steps.audience = started.elapsed();
    report.counts = audience.counts;
    for chunk in audience.recipients.chunks(batch_size(db)) {
        let mut seen = HashSet::new();
        let registrations: Vec<String> = chunk
            .iter()
            .filter(|_| asks_checkin)
            .filter_map(|r| r.registration_id.clone())
            .filter(|id| seen.insert(id.clone()))
            .collect();
        match db.backend() {
            Backend::Sqlite => {
                // One writer for the whole database: one transaction per chunk.
                let t = Instant::now();
                let mut tx = db.begin().await?;
                steps.begin += t.elapsed();
                let t = Instant::now();
                report.deliveries += deliveries::insert_batch(&mut tx, &alert.id, chunk).await?;
                steps.deliveries += t.elapsed();
                let t = Instant::now();
                report.checkins += create_checkins(&mut tx, &alert, &registrations).await?;
                steps.checkins += t.elapsed();
                let t = Instant::now();
                tx.commit().await?;
                steps.commit += t.elapsed();
            }
            Backend::Postgres => {
                // Two server processes write the chunk's deliveries and check-ins at once,
                // each in its own transaction. Nothing is sent before the fan-out is marked
                // done below, and both inserts skip rows already there, so a fan-out cut
                // between the two commits is completed by the job's retry.
                let t = Instant::now();
                let (d, c) = tokio::try_join!(
                    async {
                        let t = Instant::now();
                        let mut tx = db.begin().await?;
                        let n = deliveries::insert_batch(&mut tx, &alert.id, chunk).await?;
                        tx.commit().await?;
                        Ok::<_, StoreError>((n, t.elapsed()))
                    },
                    async {
                        let t = Instant::now();
                        let mut tx = db.begin().await?;
                        let n = create_checkins(&mut tx, &alert, &registrations).await?;
                        tx.commit().await?;
                        Ok::<_, StoreError>((n, t.elapsed()))
                    },
                )?;
                report.deliveries += d.0;
                report.checkins += c.0;
                steps.deliveries += d.1;
                steps.checkins += c.1;
                steps.overlapped += t.elapsed();
            }
        }
    }
    let t = Instant::now();
    let channels: BTreeSet<&str> = audience
        .recipients
        .iter()
        .map(|r| r.channel.as_str())
        .collect();
    let mut tx = db.begin().await?;
    if alerts::mark_fanned_out(&mut tx, &alert.id, &audience.counts).await? {
        let jobs: Vec<NewJob> = channels
            .iter()
            .map(|channel| {
                NewJob::new(
                    DELIVER_JOB,
                    serde_json::json!({ "alert_id": alert.id, "channel": channel }),
                )
                .idempotency_key(format!("deliver:{}:{channel}:0", alert.id))
            })
            .collect();
        report.jobs = jobs::enqueue_batch(&mut tx, &jobs).await?;
        // One reminder round for those who have not answered by the crisis's delay.
        // None either once the crisis is closed: nobody is asked to answer any more.
        if let Some(crisis_id) = alert.crisis_id.as_deref().filter(|_| asks_checkin)
            && alerts::hold_crisis_open(&mut tx, crisis_id).await?
        {
            let crisis = crises::find(db, crisis_id).await?;
            let at = now() + chrono::Duration::minutes(i64::from(crisis.reminder_minutes));
            crate::crisis::checkin::schedule_reminders(&mut tx, crisis_id, &alert.id, at).await?;
        }
    }
    tx.commit().await?;
    // An alert that reached nobody is complete at once.
    alerts::complete_if_delivered(db, &alert.id).await?;
    steps.jobs = t.elapsed();
    tracing::debug!(
        alert = %alert.id,
        recipients = audience.recipients.len(),
        deliveries = report.deliveries,
        checkins = report.checkins,
        total_ms = started.elapsed().as_millis() as u64,
        audience_ms = steps.audience.as_millis() as u64,
        begin_ms = steps.begin.as_millis() as u64,
        deliveries_ms = steps.deliveries.as_millis() as u64,
        checkins_ms = steps.checkins.as_millis() as u64,
        commit_ms = steps.commit.as_millis() as u64,
        overlapped_ms = steps.overlapped.as_millis() as u64,
        jobs_ms = steps.jobs.as_millis() as u64,
        "fan-out steps"
    );
    Ok(report)
}

/// The check-ins of `registrations` for `alert`, in `tx`; none when the alert's crisis is
/// closed, read there and held against a close until `tx` ends. An Update or a Cancel sent
/// after the close (an "all clear") goes out for information only: with no check-in, its
/// messages carry no personal link and ask for no SAFE or HELP reply, which nothing would
/// take any more. A close during a long fan-out stops the check-ins of the chunks after it.
async fn create_checkins(
    tx: &mut safir_store::Tx,
    alert: &alerts::Alert,
    registrations: &[String],
) -> Result<u64, StoreError> {
    if registrations.is_empty() {
        return Ok(0);
    }
    if let Some(crisis_id) = alert.crisis_id.as_deref()
        && !alerts::hold_crisis_open(tx, crisis_id).await?
    {
        return Ok(0);
    }
    checkins::create_batch(tx, &alert.id, alert.crisis_id.as_deref(), registrations).await
}

/// Where a fan-out spent its time (logged at debug level).
#[derive(Default)]
struct Steps {
    audience: Duration,
    begin: Duration,
    deliveries: Duration,
    checkins: Duration,
    commit: Duration,
    /// PostgreSQL: wall time of the deliveries and check-ins written side by side (each of
    /// the two above includes its own begin and commit there).
    overlapped: Duration,
    jobs: Duration,
}
