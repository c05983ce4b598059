//! Delivering alerts: the `crisis.deliver` job (email, SMS, webhook), the SMS gateway's
//! delivery receipts and the admin page of partner webhooks.
//!
//! A `crisis.deliver` job works on one alert and channel for a time slice: it claims queued
//! delivery rows in batches (each claim holds a lease), renders each message in the
//! recipient's language with the personal check-in link, sends the batch concurrently
//! through the channel's token bucket, and marks the rows in one transaction per batch.
//! Before it starts, it schedules its successor for the end of the slice (a fixed
//! idempotency key per slice, so a job run twice schedules it once); the successor picks up
//! what is left — rows of a sender that died once their lease ends, rows waiting for a
//! backoff — and when nothing is queued or being sent any more the alert is completed.
//!
//! Delivery is at least once, with a deduplication key: the delivery row id is the email's
//! Message-ID, the SMS gateway's reference and the webhook's Idempotency-Key. A message the
//! channel accepted just before a crash, whose row was not yet marked, is sent again with
//! the same key.

use std::sync::Arc;
use std::time::Duration;

use fluent_bundle::FluentArgs;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use safir_notify::ratelimit::TokenBucket;
use safir_notify::sms::{SmsGateway, SmsMessage};
use safir_notify::webhook::WebhookSender;
use safir_notify::{ChannelError, EmailMessage, Mailer, SendError};
use safir_store::crisis::deliveries::{self, AlertText, ClaimedDelivery, Failed, Remaining, Sent};
use safir_store::crisis::{alerts, checkins, crises, subscriptions};
use safir_store::jobs::{self, ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::{Db, StoreError, now};
use tokio::sync::watch;

use crate::auth::Routes;
use crate::i18n::{I18n, Lang};

mod receipts;
pub(crate) mod webhooks;

/// The job kind: payload `{"alert_id": "…", "channel": "email"|"sms"|"webhook"}` (plus
/// `"slice"`, the successor's number, on the jobs it schedules itself).
pub const DELIVER_JOB: &str = "crisis.deliver";

pub fn routes(r: Routes) -> Routes {
    let r = receipts::routes(r);
    webhooks::routes(r)
}

/// Per-channel rate limits of this process.
#[derive(Debug, Clone)]
pub struct Buckets {
    pub email: Arc<TokenBucket>,
    pub sms: Arc<TokenBucket>,
    pub webhook: Arc<TokenBucket>,
}

/// How a deliver job paces itself.
#[derive(Debug, Clone)]
pub struct DeliverTuning {
    /// Rows claimed at once.
    pub batch: i64,
    /// Messages in flight at once within a batch.
    pub concurrency: usize,
    /// How long a claim holds; a sender that dies leaves its rows for this long.
    pub row_lease: Duration,
    /// How long one job works before its successor takes over.
    pub slice: Duration,
}

impl Default for DeliverTuning {
    fn default() -> Self {
        Self {
            batch: 200,
            concurrency: 32,
            row_lease: Duration::from_secs(30),
            slice: Duration::from_secs(20),
        }
    }
}

/// Whether `alert`'s expiry has passed: its messages would tell people what no longer holds.
/// A Cancel has no such end.
fn expired(alert: &AlertText) -> bool {
    alert.msg_type != "Cancel" && alert.expires.is_some_and(|e| e <= now())
}

/// What a claim found.
enum Claim {
    /// The next batch, ready to send; none when nothing is due.
    Rows(Vec<Prepared>),
    /// The alert is to send nothing more (a Cancel or a later Update of its thread went out,
    /// or its expiry passed during the slice), with the reason its queued rows fail with.
    Stopped(&'static str),
}

/// The `crisis.deliver` handler.
pub struct DeliverJob {
    pub db: Db,
    pub mailer: Arc<Mailer>,
    pub sms: SmsGateway,
    pub webhooks: WebhookSender,
    pub buckets: Buckets,
    /// The site's public URL, for the links in messages.
    pub public_url: String,
    pub tuning: DeliverTuning,
}

#[derive(Debug, serde::Deserialize)]
struct Payload {
    alert_id: String,
    channel: String,
    #[serde(default)]
    slice: u32,
}

fn retry(e: StoreError) -> JobError {
    JobError::Retry(e.to_string())
}

/// The backoff before a failed row is tried again: the channel's Retry-After, else 2^attempts
/// seconds (capped at ten minutes).
fn retry_at(attempts: i32, error: &ChannelError) -> chrono::DateTime<chrono::Utc> {
    let wait = error.retry_after().unwrap_or_else(|| {
        Duration::from_secs(
            2u64.saturating_pow(attempts.clamp(0, 16) as u32 + 1)
                .min(600),
        )
    });
    now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::minutes(10))
}

/// After this many temporary failures a row is given up as failed.
const MAX_ATTEMPTS: i32 = 12;

/// The texts of one alert in one language.
struct Texts<'a> {
    headline: &'a str,
    description: &'a str,
    instruction: &'a str,
}

fn texts(alert: &AlertText, lang: Lang) -> Texts<'_> {
    match lang {
        Lang::Ar => Texts {
            headline: &alert.headline_ar,
            description: &alert.description_ar,
            instruction: &alert.instruction_ar,
        },
        Lang::En => Texts {
            headline: &alert.headline_en,
            description: &alert.description_en,
            instruction: &alert.instruction_en,
        },
    }
}

fn args<'a>(t: &Texts<'a>, link: Option<&'a str>) -> FluentArgs<'a> {
    let mut a = FluentArgs::new();
    a.set("headline", t.headline);
    a.set("description", t.description);
    a.set("instruction", t.instruction);
    if let Some(link) = link {
        a.set("link", link);
    }
    a
}

/// The messages' keys for an alert of this CAP message type: an Update says it is one, a
/// Cancel says the alert it cancels no longer applies (sent as an alert, it read as a new
/// one). Subject, body and SMS.
fn message_keys(alert: &AlertText) -> (&'static str, &'static str, &'static str) {
    match alert.msg_type.as_str() {
        "Update" => (
            "crisis-delivery-email-subject-update",
            "crisis-delivery-email-body",
            "crisis-delivery-sms-update",
        ),
        "Cancel" => (
            "crisis-delivery-email-subject-cancel",
            "crisis-delivery-email-body-cancel",
            "crisis-delivery-sms-cancel",
        ),
        _ => (
            "crisis-delivery-email-subject",
            "crisis-delivery-email-body",
            "crisis-delivery-sms",
        ),
    }
}

/// The email of one delivery, in the recipient's language: with the personal check-in
/// `link` of a registration, or the `unsubscribe` link of a travel-advice subscription.
pub fn render_email(
    alert: &AlertText,
    to: &str,
    lang: Lang,
    link: Option<&str>,
    unsubscribe: Option<&str>,
) -> EmailMessage {
    let i18n = I18n::global();
    let t = texts(alert, lang);
    let mut a = args(&t, link);
    let (subject, body, _) = message_keys(alert);
    let mut text = i18n.t_args(lang, body, &a);
    if link.is_some() {
        text.push_str("\n\n");
        text.push_str(&i18n.t_args(lang, "crisis-delivery-checkin", &a));
    }
    if let Some(unsubscribe) = unsubscribe {
        a.set("unsubscribe", unsubscribe);
        text.push_str("\n\n");
        text.push_str(&i18n.t_args(lang, "crisis-delivery-unsubscribe", &a));
    }
    EmailMessage {
        to: to.to_owned(),
        lang: lang.code().to_owned(),
        subject: i18n.t_args(lang, subject, &a),
        text,
        attachments: Vec::new(),
        headers: unsubscribe_headers(unsubscribe),
    }
}

/// `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058: mail clients offer one-click
/// unsubscribing, by a POST to the link) for a subscriber's email; none for others.
fn unsubscribe_headers(unsubscribe: Option<&str>) -> Vec<(String, String)> {
    match unsubscribe {
        Some(url) => vec![
            ("List-Unsubscribe".into(), format!("<{url}>")),
            (
                "List-Unsubscribe-Post".into(),
                "List-Unsubscribe=One-Click".into(),
            ),
        ],
        None => Vec::new(),
    }
}

/// The email of an alert in each language, rendered once; only the personal check-in link
/// differs between recipients. Gives the same message as `render_email`.
pub struct EmailTemplates {
    ar: EmailTemplate,
    en: EmailTemplate,
}

struct EmailTemplate {
    subject: String,
    body: String,
    /// The check-in paragraph around the link: before and after it.
    checkin: (String, String),
    /// The unsubscribe paragraph of a subscriber's email around its link.
    unsubscribe: (String, String),
}

/// Stands for the link while the check-in paragraph is rendered; not a character a link or a
/// translation contains.
const LINK_SLOT: &str = "\u{E000}";

impl EmailTemplates {
    pub fn new(alert: &AlertText) -> Self {
        let one = |lang: Lang| {
            let i18n = I18n::global();
            let t = texts(alert, lang);
            let a = args(&t, Some(LINK_SLOT));
            let checkin = i18n.t_args(lang, "crisis-delivery-checkin", &a);
            let (before, after) = checkin.split_once(LINK_SLOT).unwrap_or((&checkin, ""));
            let mut u = args(&t, None);
            u.set("unsubscribe", LINK_SLOT);
            let unsubscribe = i18n.t_args(lang, "crisis-delivery-unsubscribe", &u);
            let (u_before, u_after) = unsubscribe
                .split_once(LINK_SLOT)
                .unwrap_or((&unsubscribe, ""));
            let (subject, body, _) = message_keys(alert);
            EmailTemplate {
                subject: i18n.t_args(lang, subject, &a),
                body: i18n.t_args(lang, body, &a),
                checkin: (before.to_owned(), after.to_owned()),
                unsubscribe: (u_before.to_owned(), u_after.to_owned()),
            }
        };
        Self {
            ar: one(Lang::Ar),
            en: one(Lang::En),
        }
    }

    pub fn email(
        &self,
        to: &str,
        lang: Lang,
        link: Option<&str>,
        unsubscribe: Option<&str>,
    ) -> EmailMessage {
        let t = match lang {
            Lang::Ar => &self.ar,
            Lang::En => &self.en,
        };
        let mut text = t.body.clone();
        if let Some(link) = link {
            text.reserve(t.checkin.0.len() + link.len() + t.checkin.1.len() + 2);
            text.push_str("\n\n");
            text.push_str(&t.checkin.0);
            text.push_str(link);
            text.push_str(&t.checkin.1);
        }
        if let Some(unsubscribe) = unsubscribe {
            text.push_str("\n\n");
            text.push_str(&t.unsubscribe.0);
            text.push_str(unsubscribe);
            text.push_str(&t.unsubscribe.1);
        }
        EmailMessage {
            to: to.to_owned(),
            lang: lang.code().to_owned(),
            subject: t.subject.clone(),
            text,
            attachments: Vec::new(),
            headers: unsubscribe_headers(unsubscribe),
        }
    }
}

/// The most characters an alert's SMS has, its check-in link included: six concatenated
/// segments of Arabic text (67 characters each), three of Latin (153). Gateways refuse a
/// longer body (1,600 characters at most) as a permanent failure, and each segment is paid
/// for every recipient.
pub const SMS_MAX_CHARS: usize = 400;

/// The SMS of one delivery: headline, instruction and the check-in link, the instruction cut
/// (and marked so with "…") where the whole would pass [`SMS_MAX_CHARS`]; the headline and
/// the link are always whole.
pub fn render_sms(alert: &AlertText, lang: Lang, link: Option<&str>) -> String {
    let i18n = I18n::global();
    let t = texts(alert, lang);
    let (_, _, key) = message_keys(alert);
    let render = |instruction: &str| {
        let t = Texts { instruction, ..t };
        let a = args(&t, link);
        let mut text = i18n.t_args(lang, key, &a);
        if link.is_some() {
            text.push(' ');
            text.push_str(&i18n.t_args(lang, "crisis-delivery-sms-checkin", &a));
        }
        // Fluent's bidi isolation marks cost SMS characters and mean nothing on a phone.
        text.replace(['\u{2068}', '\u{2069}'], "")
    };
    let whole = render(t.instruction);
    let over = whole.chars().count().saturating_sub(SMS_MAX_CHARS);
    if over == 0 {
        return whole;
    }
    let keep = t.instruction.chars().count().saturating_sub(over + 1);
    let mut cut: String = t.instruction.chars().take(keep).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    render(&cut)
}

/// The webhook body: the alert in both languages with a link to its CAP form.
pub fn webhook_body(alert: &AlertText, public_url: &str) -> serde_json::Value {
    serde_json::json!({
        "alert_id": alert.id,
        "identifier": alert.identifier,
        "msg_type": alert.msg_type,
        "status": alert.status,
        "sent": alert.sent_at.map(|t| t.to_rfc3339()),
        "area": alert.area_desc,
        "headline": {"ar": alert.headline_ar, "en": alert.headline_en},
        "description": {"ar": alert.description_ar, "en": alert.description_en},
        "instruction": {"ar": alert.instruction_ar, "en": alert.instruction_en},
        "cap": format!("{}/cap/{}.xml", public_url.trim_end_matches('/'), alert.id),
    })
}

/// A claimed row with what its message needs.
struct Prepared {
    row: ClaimedDelivery,
    link: Option<String>,
    secret: Option<String>,
    /// The unsubscribe link of a travel-advice subscriber's email.
    unsubscribe: Option<String>,
}

/// Outcomes wait no longer than this to be marked (a low rate fills a batch slowly, and what
/// is sent but not marked goes out again after a crash).
const MARK_EVERY: Duration = Duration::from_secs(2);

/// How often a job reads again whether its alert is still to be sent (a Cancel or an Update
/// of its thread went out): what it has claimed and not yet sent (waiting in its queue or for
/// the rate limit) then stays unsent.
const STOP_CHECK_EVERY: Duration = Duration::from_secs(1);

/// Tries at marking a batch of outcomes before the job gives up.
const MARK_ATTEMPTS: u32 = 4;

/// Sleeps until `at`; never resolves when there is none.
async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// The output of the future if there is one; never resolves otherwise.
async fn optional<T>(f: &mut Option<BoxFuture<'_, T>>) -> T {
    match f {
        Some(f) => f.await,
        None => std::future::pending().await,
    }
}

/// The outcome of one row.
enum Outcome {
    Sent(Sent),
    Failed(Failed),
    /// Not sent: the slice ended while it waited for the rate limit or in the queue. It goes
    /// back to `queued` for the successor.
    Released(String),
}

impl Outcome {
    /// The delivery row's id.
    fn id(&self) -> &str {
        match self {
            Outcome::Sent(s) => &s.id,
            Outcome::Failed(f) => &f.id,
            Outcome::Released(id) => id,
        }
    }
}

fn send_error(e: SendError) -> ChannelError {
    match e {
        SendError::Invalid(m) | SendError::Rejected(m) => ChannelError::Permanent(m),
        SendError::Transient(m) => ChannelError::Temporary {
            message: m,
            retry_after: None,
        },
    }
}

impl DeliverJob {
    fn bucket(&self, channel: &str) -> &TokenBucket {
        match channel {
            "sms" => &self.buckets.sms,
            "webhook" => &self.buckets.webhook,
            _ => &self.buckets.email,
        }
    }

    async fn run_job(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let p: Payload = job
            .payload_json()
            .map_err(|e| JobError::Permanent(format!("crisis.deliver payload: {e}")))?;
        if !["email", "sms", "webhook"].contains(&p.channel.as_str()) {
            return Err(JobError::Permanent(format!(
                "crisis.deliver channel {:?}: must be email, sms or webhook",
                p.channel
            )));
        }
        let Some(alert) = deliveries::alert_text(&self.db, &p.alert_id)
            .await
            .map_err(retry)?
        else {
            return Err(JobError::Permanent(format!(
                "alert {} not found",
                p.alert_id
            )));
        };
        if alert.status != "sending" {
            tracing::info!(alert = %alert.id, status = %alert.status, "alert not sending: nothing to deliver");
            return Ok(());
        }
        // An Update went out: what is queued now (put back for a retry, or written by the
        // fan-out, after the Update stopped the queue) fails as superseded; the alert
        // completes below once nothing is pending.
        let stopped = alerts::stop_superseded(&self.db, &alert.id)
            .await
            .map_err(retry)?;
        if stopped > 0 {
            tracing::info!(alert = %alert.id, stopped, "superseded by an update: queued deliveries stopped");
        }
        if p.slice == 0 {
            // The fan-out has just written this alert's rows: plan the lookups below on
            // statistics that know about them. Losing this only costs speed.
            if let Err(e) = deliveries::refresh_statistics(&self.db).await {
                tracing::warn!(alert = %alert.id, error = %e, "could not refresh table statistics");
            }
        }
        let remaining = deliveries::remaining(&self.db, &alert.id, &p.channel)
            .await
            .map_err(retry)?;
        if let Remaining::At(due) = remaining {
            // The successor: picks up after this slice, or after a crash of this worker.
            let at = (now()
                + chrono::Duration::from_std(self.tuning.slice + Duration::from_secs(2))
                    .unwrap_or(chrono::Duration::seconds(30)))
            .max(due);
            let next = NewJob::new(
                DELIVER_JOB,
                serde_json::json!({"alert_id": alert.id, "channel": p.channel, "slice": p.slice + 1}),
            )
            .idempotency_key(format!("deliver:{}:{}:{}", alert.id, p.channel, p.slice + 1))
            .run_at(at);
            let mut tx = self.db.begin().await.map_err(retry)?;
            jobs::enqueue(&mut tx, &next).await.map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            self.work(&alert, &p.channel).await?;
        }
        if !deliveries::any_pending(&self.db, &alert.id)
            .await
            .map_err(retry)?
            && alerts::complete_if_delivered(&self.db, &alert.id)
                .await
                .map_err(retry)?
        {
            tracing::info!(alert = %alert.id, "alert delivered on every channel: completed");
        }
        Ok(())
    }

    /// Claims and sends batches until the slice is over or nothing is due.
    ///
    /// The three stages overlap: the next batch is claimed while messages are in flight, up
    /// to `concurrency` at once across batch boundaries, and the outcomes are marked a batch
    /// at a time while the next messages go out. At most one claim and one mark run at once,
    /// and while a batch is being marked no more than one further batch is sent: the rows
    /// sent but not yet marked (those a crash sends again) stay within two batches.
    ///
    /// The slice bounds the whole job, not only its claims: when it ends, no further message
    /// starts — rows still queued here or waiting for the rate limit go back to `queued` for
    /// the successor — so at a low rate (an SMS gateway taking one message a second) a job
    /// does not outlive the job queue's lease and have its sent rows taken and sent again.
    /// Outcomes are marked at least every [`MARK_EVERY`], not only a batch at a time.
    async fn work(&self, alert: &AlertText, channel: &str) -> Result<(), JobError> {
        let deadline = tokio::time::Instant::now() + self.tuning.slice;
        let key = checkins::checkin_key(&self.db).await.map_err(retry)?;
        let unsubscribe_key = if channel == "email" {
            Some(
                subscriptions::unsubscribe_key(&self.db)
                    .await
                    .map_err(retry)?,
            )
        } else {
            None
        };
        let webhook = webhook_body(alert, &self.public_url);
        let emails = EmailTemplates::new(alert);
        let concurrency = self.tuning.concurrency.max(1);
        let batch = self.tuning.batch.max(1) as usize;
        let mut queue: std::collections::VecDeque<Prepared> = Default::default();
        let mut claiming: Option<BoxFuture<'_, Result<Claim, StoreError>>> = None;
        // Why the alert stopped during the slice, if it did: what this job holds is not sent.
        let mut stopped: Option<&'static str> = None;
        // Told to the rows in flight that still wait for the rate limit.
        let (halt, halted) = watch::channel(false);
        let mut checking: Option<BoxFuture<'_, Result<Option<&'static str>, StoreError>>> = None;
        let mut check_tick = tokio::time::interval(STOP_CHECK_EVERY);
        check_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        check_tick.reset();
        let mut in_flight: FuturesUnordered<BoxFuture<'_, Outcome>> = FuturesUnordered::new();
        let mut pending: Vec<Outcome> = Vec::new();
        let mut marking: Option<BoxFuture<'_, Result<(), StoreError>>> = None;
        // The rows claimed and not yet marked, whose leases are renewed while they wait for
        // the rate limit, are in flight or wait to be marked (a slow relay or a low SMS rate
        // can hold a batch longer than one lease), and the ids of the batch being marked.
        let mut held: std::collections::HashSet<String> = Default::default();
        let mut marking_ids: Vec<String> = Vec::new();
        // When the oldest outcome not yet marked came in.
        let mut pending_since: Option<tokio::time::Instant> = None;
        let mut renewing: Option<BoxFuture<'_, Result<u64, StoreError>>> = None;
        let lease = self.tuning.row_lease;
        let mut renew_tick = tokio::time::interval((lease / 3).max(Duration::from_millis(10)));
        renew_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        renew_tick.reset();
        // Nothing more to claim in this slice (none due, slice over, or a claim failed).
        let mut drained = false;
        let mut error: Option<StoreError> = None;
        loop {
            // A Cancel or an Update went out meanwhile: what is claimed and not yet sent goes
            // back, to fail with the rest of the queue once the job ends.
            if stopped.is_some() {
                halt.send_replace(true);
                if !queue.is_empty() {
                    pending_since.get_or_insert_with(tokio::time::Instant::now);
                    pending.extend(queue.drain(..).map(|p| Outcome::Released(p.row.id)));
                }
            }
            // While a batch is being marked, at most one more batch is sent or in flight:
            // what a crash can repeat stays within two batches.
            let over = tokio::time::Instant::now() >= deadline;
            while !over
                && in_flight.len() < concurrency
                && (marking.is_none() || pending.len() + in_flight.len() < batch)
            {
                let Some(p) = queue.pop_front() else { break };
                in_flight.push(Box::pin(self.send_one(
                    alert,
                    &emails,
                    channel,
                    p.row,
                    p.link,
                    p.secret,
                    p.unsubscribe,
                    &webhook,
                    (deadline, halted.clone()),
                )));
            }
            if over && !queue.is_empty() {
                pending_since.get_or_insert_with(tokio::time::Instant::now);
                pending.extend(queue.drain(..).map(|p| Outcome::Released(p.row.id)));
            }
            if claiming.is_none() && !drained && queue.len() < concurrency {
                if tokio::time::Instant::now() >= deadline {
                    drained = true;
                } else {
                    claiming = Some(Box::pin(self.claim(
                        alert,
                        channel,
                        &key,
                        unsubscribe_key.as_deref(),
                    )));
                }
            }
            let idle = drained && claiming.is_none() && queue.is_empty() && in_flight.is_empty();
            let due = pending_since.is_some_and(|t| t.elapsed() >= MARK_EVERY);
            if marking.is_none() && !pending.is_empty() && (pending.len() >= batch || idle || due) {
                pending_since = None;
                let done = std::mem::take(&mut pending);
                marking_ids = done.iter().map(|o| o.id().to_owned()).collect();
                marking = Some(Box::pin(self.mark(alert, channel, done)));
            }
            if idle && marking.is_none() {
                break;
            }
            let mark_at = pending_since.map(|t| t + MARK_EVERY);
            tokio::select! {
                Some(o) = in_flight.next(), if !in_flight.is_empty() => {
                    pending_since.get_or_insert_with(tokio::time::Instant::now);
                    pending.push(o);
                }
                () = sleep_until_some(mark_at), if marking.is_none() && !pending.is_empty() => {}
                r = optional(&mut claiming) => {
                    claiming = None;
                    match r {
                        Ok(Claim::Rows(rows)) if rows.is_empty() => drained = true,
                        Ok(Claim::Rows(rows)) => {
                            held.extend(rows.iter().map(|p| p.row.id.clone()));
                            queue.extend(rows);
                        }
                        Ok(Claim::Stopped(why)) => {
                            drained = true;
                            stopped = Some(why);
                        }
                        Err(e) => {
                            drained = true;
                            error = Some(e);
                        }
                    }
                }
                _ = check_tick.tick(), if checking.is_none() && stopped.is_none()
                    && !(queue.is_empty() && in_flight.is_empty()) => {
                    checking = Some(Box::pin(self.stop_reason(alert)));
                }
                r = optional(&mut checking) => {
                    checking = None;
                    match r {
                        Ok(Some(why)) => {
                            drained = true;
                            stopped = Some(why);
                        }
                        Ok(None) => {}
                        // Read again at the next tick; the claims read it too.
                        Err(e) => {
                            tracing::warn!(alert = %alert.id, channel, error = %e, "could not read whether the alert stopped");
                        }
                    }
                }
                r = optional(&mut marking) => {
                    marking = None;
                    r.map_err(retry)?;
                    for id in marking_ids.drain(..) {
                        held.remove(&id);
                    }
                }
                _ = renew_tick.tick(), if renewing.is_none() && !held.is_empty() => {
                    let ids: Vec<String> = held.iter().cloned().collect();
                    let db = &self.db;
                    renewing = Some(Box::pin(async move {
                        deliveries::renew_leases(db, &ids, lease).await
                    }));
                }
                r = optional(&mut renewing) => {
                    renewing = None;
                    // A renewal that failed is tried again at the next tick; the lease still
                    // runs meanwhile.
                    if let Err(e) = r {
                        tracing::warn!(alert = %alert.id, channel, error = %e, "lease renewal failed");
                    }
                }
            }
        }
        if let Some(why) = stopped {
            // Rows in flight at the stop and put back for a retry, and those released above.
            let n = alerts::stop_queue(&self.db, &alert.id, why)
                .await
                .map_err(retry)?;
            tracing::info!(alert = %alert.id, channel, why, stopped = n, "alert stopped during delivery: queued deliveries stopped");
        }
        match error {
            Some(e) => Err(retry(e)),
            None => Ok(()),
        }
    }

    /// Why `alert` is to send nothing more, if it is not: its expiry passed, a Cancel of its
    /// thread went out, or a later Update of it did.
    async fn stop_reason(&self, alert: &AlertText) -> Result<Option<&'static str>, StoreError> {
        if expired(alert) {
            return Ok(Some("expired"));
        }
        alerts::delivery_stop(&self.db, &alert.id).await
    }

    /// Claims the next batch and looks up what its messages need. Rows whose registration or
    /// subscription is gone since the fan-out are dropped, those of a subscription ended since
    /// fail for good; an empty answer means nothing is due.
    async fn claim(
        &self,
        alert: &AlertText,
        channel: &str,
        key: &[u8],
        unsubscribe_key: Option<&[u8]>,
    ) -> Result<Claim, StoreError> {
        // Read again before each batch, not only when the job starts (and every second while
        // rows wait to be sent): a Cancel sent while a slice runs used to let it send the rest
        // of its slice, and rows in flight at the Cancel put back for a retry went out too.
        if let Some(why) = self.stop_reason(alert).await? {
            return Ok(Claim::Stopped(why));
        }
        let rows = loop {
            let rows = deliveries::claim_batch(
                &self.db,
                &alert.id,
                channel,
                self.tuning.batch,
                self.tuning.row_lease,
            )
            .await?;
            if rows.is_empty() {
                return Ok(Claim::Rows(Vec::new()));
            }
            let sorted = deliveries::sort_recipients(&self.db, rows).await?;
            if !sorted.ended.is_empty() || sorted.forgotten > 0 {
                let ended: Vec<Failed> = sorted
                    .ended
                    .iter()
                    .map(|r| Failed {
                        id: r.id.clone(),
                        error: "unsubscribed".to_owned(),
                        retry_at: None,
                    })
                    .collect();
                deliveries::mark_failed(&self.db, &ended).await?;
                tracing::info!(alert = %alert.id, channel, ended = ended.len(), forgotten = sorted.forgotten, "rows of recipients gone since the fan-out not sent");
            }
            if !sorted.wanted.is_empty() {
                break sorted.wanted;
            }
        };
        let mut links = self.links(alert, &rows, key).await?;
        let mut secrets = if channel == "webhook" {
            let ids: Vec<&str> = rows.iter().map(|r| r.recipient_id.as_str()).collect();
            deliveries::webhook_secrets(&self.db, &ids).await?
        } else {
            Default::default()
        };
        let base = self.public_url.trim_end_matches('/');
        Ok(Claim::Rows(
            rows.into_iter()
                .map(|row| Prepared {
                    link: links.remove(&row.recipient_id),
                    secret: secrets.remove(&row.recipient_id),
                    // The same signed link as the subscription's travel-advice notices.
                    unsubscribe: unsubscribe_key
                        .filter(|_| row.recipient_kind == "subscription")
                        .map(|k| {
                            format!(
                                "{base}/unsubscribe/{}",
                                subscriptions::unsubscribe_token(k, &row.recipient_id)
                            )
                        }),
                    row,
                })
                .collect(),
        ))
    }

    /// Marks a batch of outcomes: the sent rows in one transaction, the failed in another.
    async fn mark(
        &self,
        alert: &AlertText,
        channel: &str,
        outcomes: Vec<Outcome>,
    ) -> Result<(), StoreError> {
        let mut sent = Vec::new();
        let mut failed = Vec::new();
        let mut released = Vec::new();
        for o in outcomes {
            match o {
                Outcome::Sent(s) => sent.push(s),
                Outcome::Failed(f) => failed.push(f),
                Outcome::Released(id) => released.push(id),
            }
        }
        // Each step is idempotent (it changes only rows still `sending`), so a database that
        // fails for a moment (a failover, a dropped connection) is tried again a few times
        // before the job gives up: the messages are out, and rows left unmarked would go
        // out again when their lease ends.
        let mut wait = Duration::from_millis(250);
        for attempt in 1.. {
            let r: Result<u64, StoreError> = async {
                deliveries::mark_sent(&self.db, &sent).await?;
                deliveries::mark_failed(&self.db, &failed).await?;
                deliveries::release(&self.db, &released).await
            }
            .await;
            match r {
                Ok(_) => break,
                Err(e) if attempt < MARK_ATTEMPTS => {
                    tracing::warn!(alert = %alert.id, channel, attempt, error = %e, "marking a delivery batch failed; trying again");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                Err(e) => return Err(e),
            }
        }
        tracing::info!(alert = %alert.id, channel, sent = sent.len(), failed = failed.len(), released = released.len(), "delivery batch");
        Ok(())
    }

    /// Personal check-in links of the registrations among these rows.
    async fn links(
        &self,
        alert: &AlertText,
        rows: &[ClaimedDelivery],
        key: &[u8],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let ids: Vec<&str> = rows
            .iter()
            .filter(|r| r.recipient_kind == "registration")
            .map(|r| r.recipient_id.as_str())
            .collect();
        if ids.is_empty() {
            return Ok(Default::default());
        }
        // A crisis closed since the fan-out takes no answers any more: the messages still to
        // send go without the personal link and the SAFE or HELP line, for information.
        if let Some(crisis) = alerts::find(&self.db, &alert.id).await?.crisis_id
            && !crises::find(&self.db, &crisis).await?.is_open()
        {
            return Ok(Default::default());
        }
        let checkins = deliveries::checkin_ids(&self.db, &alert.id, &ids).await?;
        let base = self.public_url.trim_end_matches('/');
        Ok(checkins
            .into_iter()
            .map(|(registration, checkin)| {
                let token = safir_domain::crisis::checkin::sign_token(key, &checkin);
                (registration, format!("{base}/crisis/checkin/{token}"))
            })
            .collect())
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_one(
        &self,
        alert: &AlertText,
        emails: &EmailTemplates,
        channel: &str,
        row: ClaimedDelivery,
        link: Option<String>,
        secret: Option<String>,
        unsubscribe: Option<String>,
        webhook: &serde_json::Value,
        (deadline, mut halted): (tokio::time::Instant, watch::Receiver<bool>),
    ) -> Outcome {
        let link = link.as_deref();
        let lang = Lang::parse(&row.lang).unwrap_or_default();
        // The alert stopped (a Cancel or an Update went out) while this row waited for the
        // rate limit: it is not sent.
        let stop = async move {
            if halted.wait_for(|h| *h).await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            biased;
            () = stop => return Outcome::Released(row.id),
            () = self.bucket(channel).acquire() => {}
            () = tokio::time::sleep_until(deadline) => return Outcome::Released(row.id),
        }
        let result = match channel {
            "email" => {
                let email = emails.email(&row.address, lang, link, unsubscribe.as_deref());
                self.mailer
                    .send(&email, &row.id)
                    .await
                    .map(|()| None)
                    .map_err(send_error)
            }
            "sms" => {
                let sms = SmsMessage {
                    to: row.address.clone(),
                    body: render_sms(alert, lang, link),
                    key: row.id.clone(),
                };
                self.sms.send(&sms).await.map(|a| a.provider_id)
            }
            _ => match secret.as_deref() {
                None => Err(ChannelError::Permanent(
                    "webhook disabled or removed".to_owned(),
                )),
                Some(secret) => self
                    .webhooks
                    .send(&row.address, secret.as_bytes(), &row.id, webhook)
                    .await
                    .map(|a| a.provider_id),
            },
        };
        match result {
            Ok(provider_id) => Outcome::Sent(Sent {
                id: row.id.clone(),
                provider_id,
            }),
            Err(e) => {
                let give_up = e.is_permanent() || row.attempts + 1 >= MAX_ATTEMPTS;
                if !give_up {
                    tracing::info!(delivery = %row.id, channel, error = %e, "delivery will be retried");
                }
                Outcome::Failed(Failed {
                    id: row.id.clone(),
                    error: e.to_string(),
                    retry_at: (!give_up).then(|| retry_at(row.attempts, &e)),
                })
            }
        }
    }
}

impl JobHandler for DeliverJob {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(self.run_job(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> AlertText {
        AlertText {
            id: "a1".into(),
            identifier: "urn:a1".into(),
            status: "sending".into(),
            msg_type: "Alert".into(),
            headline_ar: "فيضانات في الشمال".into(),
            headline_en: "Flooding in the north".into(),
            description_ar: "الأنهار ترتفع.".into(),
            description_en: "Rivers are rising.".into(),
            instruction_ar: "اتجهوا إلى مناطق مرتفعة.".into(),
            instruction_en: "Move to higher ground.".into(),
            area_desc: "North".into(),
            sent_at: None,
            expires: None,
        }
    }

    #[test]
    fn each_recipient_gets_their_language_and_link() {
        let link = "http://safir.test/crisis/checkin/abc.def";
        let ar = render_email(&alert(), "a@example.org", Lang::Ar, Some(link), None);
        assert_eq!(ar.lang, "ar");
        assert!(ar.subject.contains("فيضانات في الشمال"), "{}", ar.subject);
        assert!(ar.text.contains("اتجهوا إلى مناطق مرتفعة.") && ar.text.contains(link));
        let en = render_email(&alert(), "b@example.org", Lang::En, None, None);
        assert!(en.subject.contains("Flooding in the north"));
        assert!(!en.text.contains("/crisis/checkin/"));
        let sms = render_sms(&alert(), Lang::En, Some(link));
        assert!(
            sms.starts_with("Flooding in the north. Move to higher ground."),
            "{sms}"
        );
        assert!(sms.contains("SAFE") && sms.ends_with(link), "{sms}");
        assert!(!sms.contains('\u{2068}'));
    }

    #[test]
    fn a_long_instruction_is_cut_to_fit_an_sms_whose_link_stays_whole() {
        let link = "http://safir.test/crisis/checkin/abc.def";
        let mut long = alert();
        long.instruction_en = "Stay indoors and away from windows. ".repeat(110);
        long.instruction_ar = "ابقوا في الداخل بعيدًا عن النوافذ. ".repeat(110);
        for lang in [Lang::En, Lang::Ar] {
            let sms = render_sms(&long, lang, Some(link));
            assert!(sms.chars().count() <= SMS_MAX_CHARS, "{}", sms.len());
            assert!(
                sms.chars().count() > SMS_MAX_CHARS - 10,
                "cut no shorter than needed"
            );
            assert!(sms.ends_with(link) && sms.contains('…'), "{sms}");
        }
        // A short one is not touched.
        let sms = render_sms(&alert(), Lang::En, Some(link));
        assert!(!sms.contains('…'));
    }

    #[test]
    fn updates_and_cancellations_say_what_they_are() {
        let mut update = alert();
        update.msg_type = "Update".into();
        let email = render_email(&update, "a@example.org", Lang::En, None, None);
        assert_eq!(email.subject, "Update: Flooding in the north");
        let mut cancel = alert();
        cancel.msg_type = "Cancel".into();
        let email = render_email(&cancel, "a@example.org", Lang::En, None, None);
        assert!(
            email.subject.starts_with("Cancelled: "),
            "{}",
            email.subject
        );
        assert!(email.text.contains("is cancelled"), "{}", email.text);
        let sms = render_sms(&cancel, Lang::Ar, None);
        assert!(sms.starts_with("إلغاء: فيضانات في الشمال."), "{sms}");
        for msg in [update, cancel] {
            let templates = EmailTemplates::new(&msg);
            for lang in [Lang::Ar, Lang::En] {
                let a = templates.email("a@example.org", lang, None, None);
                let b = render_email(&msg, "a@example.org", lang, None, None);
                assert_eq!((&a.subject, &a.text), (&b.subject, &b.text));
            }
        }
    }

    #[test]
    fn templates_give_the_same_email_as_rendering_each() {
        let alert = alert();
        let templates = EmailTemplates::new(&alert);
        for lang in [Lang::Ar, Lang::En] {
            for link in [
                Some("http://safir.test/crisis/checkin/abc.def"),
                Some("http://safir.test/crisis/checkin/other.token"),
                None,
            ] {
                for unsubscribe in [None, Some("http://safir.test/unsubscribe/s1.abc")] {
                    let a = templates.email("a@example.org", lang, link, unsubscribe);
                    let b = render_email(&alert, "a@example.org", lang, link, unsubscribe);
                    assert_eq!(
                        (&a.to, &a.lang, &a.subject, &a.text, &a.headers),
                        (&b.to, &b.lang, &b.subject, &b.text, &b.headers),
                        "{lang:?} {link:?} {unsubscribe:?}"
                    );
                    assert!(!a.text.contains(LINK_SLOT));
                }
            }
        }
    }

    #[test]
    fn a_subscribers_email_carries_its_unsubscribe_link_and_headers() {
        let url = "http://safir.test/unsubscribe/s1.abc";
        let templates = EmailTemplates::new(&alert());
        for lang in [Lang::Ar, Lang::En] {
            let m = templates.email("a@example.org", lang, None, Some(url));
            assert!(m.text.ends_with(url), "{}", m.text);
            assert_eq!(
                m.headers,
                vec![
                    ("List-Unsubscribe".to_owned(), format!("<{url}>")),
                    (
                        "List-Unsubscribe-Post".to_owned(),
                        "List-Unsubscribe=One-Click".to_owned()
                    ),
                ]
            );
            let m = templates.email("a@example.org", lang, Some("http://safir.test/c/x"), None);
            assert!(m.headers.is_empty() && !m.text.contains("/unsubscribe/"));
        }
    }

    #[test]
    fn webhook_bodies_carry_both_languages() {
        let v = webhook_body(&alert(), "http://safir.test/");
        assert_eq!(v["headline"]["ar"], "فيضانات في الشمال");
        assert_eq!(v["cap"], "http://safir.test/cap/a1.xml");
    }

    #[test]
    fn retry_waits_for_retry_after_or_backs_off() {
        let e = ChannelError::Temporary {
            message: "429".into(),
            retry_after: Some(Duration::from_secs(30)),
        };
        let at = retry_at(0, &e) - now();
        assert!((29..=30).contains(&at.num_seconds()), "{at}");
        let e = ChannelError::Temporary {
            message: "503".into(),
            retry_after: None,
        };
        assert!((retry_at(3, &e) - now()).num_seconds() >= 15);
        assert!((retry_at(30, &e) - now()).num_seconds() <= 600);
    }
}
