//! Emails about a booking: the confirmation with its calendar file, and the reminder job
//! (`consular.appointment_reminder`) that sends a reminder a day before, if the booking is
//! still live when it runs.

use chrono::Duration;
use fluent_bundle::FluentArgs;
use safir_store::accounts::{self, User};
use safir_store::consular::appointments::{self as store, Appointment};
use safir_store::jobs::{ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::missions::{self, Mission};
use safir_store::{Db, StoreError, Tx, jobs, now};

use super::ics::{self, CalendarEvent};
use super::labels;
use crate::email::{self, Attachment, OutgoingEmail};
use crate::i18n::Lang;

/// The job kind of reminders.
pub const REMINDER_JOB: &str = "consular.appointment_reminder";
/// How long before the appointment the reminder goes out.
pub fn reminder_lead() -> Duration {
    Duration::hours(24)
}

fn booking_lang(a: &Appointment) -> Lang {
    Lang::parse(&a.lang).unwrap_or(Lang::Ar)
}

/// The message `template` about `a`, in the language it was booked in.
fn message(template: &str, user: &User, mission: &Mission, a: &Appointment) -> OutgoingEmail {
    let lang = booking_lang(a);
    let mut args = FluentArgs::new();
    args.set("name", user.display_name.clone());
    args.set("mission", labels::mission_name(lang, mission));
    args.set("service", labels::service(lang, &a.service));
    args.set("when", labels::when(lang, mission, a.starts_at));
    args.set("zone", mission.time_zone.clone());
    email::render(&user.email, lang, template, &args)
}

/// Enqueues the confirmation of a new (or moved) booking and its reminder.
pub async fn booked(
    tx: &mut Tx,
    user: &User,
    mission: &Mission,
    a: &Appointment,
) -> Result<(), StoreError> {
    let lang = booking_lang(a);
    let mut mail = message("appointment-confirmed", user, mission, a);
    let summary = format!(
        "{} — {}",
        labels::service(lang, &a.service),
        labels::mission_name(lang, mission)
    );
    let location = [
        Some(labels::mission_name(lang, mission)),
        mission.address.clone(),
        Some(mission.city(labels::content_lang(lang)).to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let uid = format!("appointment-{}@safir", a.id);
    let calendar = ics::calendar(&CalendarEvent {
        uid: &uid,
        stamp: now(),
        start: a.starts_at,
        end: a.ends_at,
        summary: &summary,
        location: &location,
        description: &mail.subject,
    });
    mail.attachments.push(Attachment::new(
        "appointment.ics",
        ics::MEDIA_TYPE,
        calendar.as_bytes(),
    ));
    email::enqueue(tx, &mail, Some(format!("appointment-confirmed:{}", a.id))).await?;
    let remind_at = a.starts_at - reminder_lead();
    if remind_at > now() {
        let job = NewJob::new(REMINDER_JOB, serde_json::json!({ "appointment_id": a.id }))
            .idempotency_key(format!("appointment-reminder:{}", a.id))
            .run_at(remind_at);
        jobs::enqueue(tx, &job).await?;
    }
    Ok(())
}

/// Sends the reminder of one booking. Cancelled, moved or past bookings get none; the
/// email's idempotency key makes a re-run of this job send it once.
#[derive(Debug, Clone)]
pub struct ReminderJob {
    db: Db,
}

#[derive(serde::Deserialize)]
struct ReminderPayload {
    appointment_id: String,
}

impl ReminderJob {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    async fn remind(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let retry = |e: StoreError| JobError::Retry(e.to_string());
        let payload: ReminderPayload = job
            .payload_json()
            .map_err(|e| JobError::Permanent(format!("bad {REMINDER_JOB} payload: {e}")))?;
        let a = match store::find(&self.db, &payload.appointment_id).await {
            Ok(a) => a,
            Err(StoreError::NotFound) => return Ok(()),
            Err(e) => return Err(retry(e)),
        };
        if !a.is_booked() || a.starts_at <= now() {
            return Ok(());
        }
        let user = accounts::find_user(&self.db, &a.user_id)
            .await
            .map_err(retry)?;
        let mission = missions::find(&self.db, &a.mission_id)
            .await
            .map_err(retry)?;
        let mail = message("appointment-reminder", &user, &mission, &a);
        let mut tx = self.db.begin().await.map_err(retry)?;
        email::enqueue(
            &mut tx,
            &mail,
            Some(format!("appointment-reminder-email:{}", a.id)),
        )
        .await
        .map_err(retry)?;
        tx.commit().await.map_err(retry)
    }
}

impl JobHandler for ReminderJob {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(self.remind(job))
    }
}
