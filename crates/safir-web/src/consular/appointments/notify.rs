//! Emails about a booking: the confirmation of a booking or a move and the notice of a
//! cancellation, each with its calendar file (one entry per booking through its moves, see
//! `ics`), and the reminder job (`consular.appointment_reminder`) that sends a reminder a day
//! before, if the booking is still live when it runs. Each links to the applicant's list.

use chrono::Duration;
use fluent_bundle::FluentArgs;
use safir_store::accounts::{self, User};
use safir_store::consular::appointments::{self as store, Appointment};
use safir_store::jobs::{ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::missions::{self, Mission};
use safir_store::{Db, StoreError, Tx, jobs, now};

use super::ics::{self, CalendarEvent, Method, Person};
use super::labels::{self, ServiceNames};
use crate::accounts::user_lang;
use crate::email::{self, Attachment, OutgoingEmail};
use crate::state::WebConfig;

/// The job kind of reminders.
pub const REMINDER_JOB: &str = "consular.appointment_reminder";
/// How long before the appointment the reminder goes out.
pub fn reminder_lead() -> Duration {
    Duration::hours(24)
}

/// The message `template` about `a`, in the applicant's language as their account has it
/// now (as for the emails about their cases: a reminder follows a change made since booking).
fn message(
    template: &str,
    public_url: &str,
    user: &User,
    (mission, services): (&Mission, &ServiceNames),
    a: &Appointment,
    reason: Option<&str>,
) -> OutgoingEmail {
    let lang = user_lang(user);
    let mut args = FluentArgs::new();
    if let Some(reason) = reason {
        args.set("reason", reason.to_owned());
    }
    args.set("link", format!("{public_url}/account/appointments"));
    args.set("name", user.display_name.clone());
    args.set("mission", labels::mission_name(lang, mission));
    args.set("service", services.name(lang, &a.service));
    args.set("when", labels::when(lang, mission, a.starts_at));
    args.set("zone", labels::zone(lang, mission, a.starts_at));
    email::render(&user.email, lang, template, &args)
}

/// What happened to a booking, for its e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change<'a> {
    Booked,
    /// `a` is the booking the old one became.
    Moved,
    Cancelled,
    /// Cancelled by the mission, which closed on the booking's day (the reason in both
    /// languages).
    Closed {
        reason_ar: &'a str,
        reason_en: &'a str,
    },
    /// Cancelled by the mission's staff, with what they wrote (in their own words).
    CancelledByMission {
        reason: &'a str,
    },
}

/// Enqueues the e-mail about `change` to booking `a` with its calendar file and, for a live
/// booking, its reminder; `services` names the mission's services.
pub async fn changed(
    tx: &mut Tx,
    web: &WebConfig,
    user: &User,
    (mission, services): (&Mission, &ServiceNames),
    a: &Appointment,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let lang = user_lang(user);
    let (template, method) = match change {
        Change::Booked => ("appointment-confirmed", Method::Publish),
        Change::Moved => ("appointment-moved", Method::Publish),
        Change::Cancelled => ("appointment-cancelled", Method::Cancel),
        Change::Closed { .. } => ("appointment-closed", Method::Cancel),
        Change::CancelledByMission { .. } => ("appointment-cancelled-by-mission", Method::Cancel),
    };
    let reason = match change {
        Change::Closed {
            reason_ar,
            reason_en,
        } => Some(match labels::content_lang(lang) {
            safir_domain::Lang::Ar => reason_ar,
            _ => reason_en,
        }),
        Change::CancelledByMission { reason } => Some(reason),
        _ => None,
    };
    let mut mail = message(
        template,
        &web.public_url,
        user,
        (mission, services),
        a,
        reason,
    );
    let summary = format!(
        "{} — {}",
        services.name(lang, &a.service),
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
    let mission_name = labels::mission_name(lang, mission);
    // One entry in the applicant's calendar from booking to cancellation: named after the
    // first booking of the chain, a revision more at each move and at the cancellation.
    let (first, moves) = store::chain_start(tx, &a.id).await?;
    let uid = format!("appointment-{first}@safir");
    let cancels = method == Method::Cancel;
    let sequence = moves + u32::from(cancels);
    let calendar = ics::calendar(&CalendarEvent {
        uid: &uid,
        sequence,
        method,
        stamp: now(),
        start: a.starts_at,
        end: a.ends_at,
        summary: &summary,
        location: &location,
        description: &mail.subject,
        // The mission, at its address, or at the one the mail comes from: calendars expect an
        // organizer on a published or cancelled event (RFC 5546).
        organizer: mission
            .email
            .as_deref()
            .or(web.calendar_organizer.as_deref())
            .map(|email| Person {
                name: &mission_name,
                email,
            }),
        attendee: Person {
            name: user.display_name.as_str(),
            email: user.email.as_str(),
        },
    });
    mail.attachments.push(Attachment::new(
        "appointment.ics",
        method.media_type(),
        calendar.as_bytes(),
    ));
    let key = if cancels {
        format!("appointment-cancelled:{}", a.id)
    } else {
        format!("appointment-confirmed:{}", a.id)
    };
    email::enqueue(tx, &mail, Some(key)).await?;
    let remind_at = a.starts_at - reminder_lead();
    if !cancels && remind_at > now() {
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
    /// The site's address, for the link to the applicant's appointments.
    public_url: String,
}

#[derive(serde::Deserialize)]
struct ReminderPayload {
    appointment_id: String,
}

impl ReminderJob {
    pub fn new(db: Db, public_url: impl Into<String>) -> Self {
        Self {
            db,
            public_url: public_url.into(),
        }
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
        // The reminder says "tomorrow": run late (the workers down, a backlog) on the
        // appointment's own day, it would be wrong, and too late to be of use.
        let zone = super::service::zone_or_utc(&mission);
        if a.starts_at.with_timezone(&zone).date_naive() <= super::service::local_today(zone) {
            tracing::info!(appointment = %a.id, "reminder not sent: it is the appointment's day");
            return Ok(());
        }
        let services = ServiceNames::of_mission(&self.db, &a.mission_id)
            .await
            .map_err(retry)?;
        let mail = message(
            "appointment-reminder",
            &self.public_url,
            &user,
            (&mission, &services),
            &a,
            None,
        );
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
