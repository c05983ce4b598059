//! The `crisis.reminders` job: some time after an alert (the crisis's `reminder_minutes`),
//! people who have not answered their current check-in get one reminder with their link, by
//! SMS and/or email as they chose. Each check-in is reminded once (`reminded_at`, and the
//! message jobs are keyed by check-in).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use fluent_bundle::FluentArgs;
use safir_domain::crisis::checkin::sign_token;
use safir_store::crisis::checkins;
use safir_store::jobs::{self, ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::{Db, StoreError, Tx, now};

use crate::email;
use crate::i18n::{I18n, Lang};
use crate::state::WebConfig;

pub const REMINDER_JOB: &str = "crisis.reminders";

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Payload {
    crisis_id: String,
    alert_id: String,
}

/// Schedules the reminder round of an alert of `crisis_id` at `at` (once per alert). Called by
/// the fan-out in its transaction.
pub async fn schedule_reminders(
    tx: &mut Tx,
    crisis_id: &str,
    alert_id: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let job = NewJob::new(
        REMINDER_JOB,
        serde_json::to_value(Payload {
            crisis_id: crisis_id.to_owned(),
            alert_id: alert_id.to_owned(),
        })
        .unwrap_or_default(),
    )
    .idempotency_key(format!("crisis-reminders:{alert_id}"))
    .run_at(at);
    jobs::enqueue(tx, &job).await.map(|_| ())
}

pub struct ReminderJob {
    pub db: Db,
    pub config: Arc<WebConfig>,
}

impl JobHandler for ReminderJob {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let p: Payload = job
                .payload_json()
                .map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
            remind(&self.db, &self.config, &p.crisis_id, &p.alert_id)
                .await
                .map(|_| ())
                .map_err(|e| JobError::Retry(e.to_string()))
        })
    }
}

/// Sends the reminders of `alert_id`'s round in an open crisis; returns how many people were
/// reminded.
pub async fn remind(
    db: &Db,
    config: &WebConfig,
    crisis_id: &str,
    alert_id: &str,
) -> Result<usize, StoreError> {
    let key = checkins::checkin_key(db).await?;
    let due = checkins::non_responders(db, crisis_id, alert_id, now()).await?;
    let i18n = I18n::global();
    let mut reminded = 0;
    for person in due {
        let lang = Lang::parse(&person.lang).unwrap_or(Lang::Ar);
        let link = format!(
            "{}/crisis/checkin/{}",
            config.public_url.trim_end_matches('/'),
            sign_token(&key, &person.checkin_id)
        );
        let mut args = FluentArgs::new();
        args.set("name", person.full_name.clone());
        args.set("link", link);
        let mut tx = db.begin().await?;
        if !checkins::mark_reminded(&mut tx, &person.checkin_id).await? {
            // Reminded meanwhile (another run of the job): nothing to write. End the
            // transaction now rather than when its connection is next taken from the pool.
            tx.rollback().await?;
            continue;
        }
        let channels: Vec<&str> = person.channels.split(',').map(str::trim).collect();
        if let Some(phone) = person
            .phone
            .as_deref()
            .filter(|_| channels.contains(&"sms"))
        {
            let body = i18n.t_args(lang, "checkin-reminder-sms", &args);
            let sms_key = format!("crisis-reminder-sms:{}", person.checkin_id);
            crate::sms::enqueue(&mut tx, phone, &body, &sms_key).await?;
        }
        if let Some(address) = person
            .email
            .as_deref()
            .filter(|_| channels.contains(&"email"))
        {
            let message = email::render(address, lang, "crisis-checkin-reminder", &args);
            email::enqueue(
                &mut tx,
                &message,
                Some(format!("crisis-reminder-mail:{}", person.checkin_id)),
            )
            .await?;
        }
        tx.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}
