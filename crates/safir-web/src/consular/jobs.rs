//! Consular background work, run by the job queue: escalating emergencies nobody
//! acknowledged, and the daily purge of finished files and abandoned drafts.

use std::sync::Arc;

use fluent_bundle::FluentArgs;
use safir_domain::audit::AuditAction;
use safir_domain::ids::MissionId;
use safir_domain::roles::Role;
use safir_store::accounts::directory;
use safir_store::audit::{self, NewAuditRecord};
use safir_store::consular::cases::{self, Case};
use safir_store::jobs::{self, ClaimedJob, HandlerFuture, JobError, JobHandler, NewJob};
use safir_store::{Db, StoreError, missions, now};

use super::workflow::ESCALATION_JOB;
use crate::email;
use crate::i18n::{I18n, Lang};
use crate::state::WebConfig;

/// The job that purges closed cases and expired drafts (enqueued once a day by the server).
pub const PURGE_JOB: &str = "consular.purge";

/// Escalation stops after the head of mission has been told this many times.
pub const MAX_ESCALATION: i32 = 3;

fn retry(e: StoreError) -> JobError {
    JobError::Retry(e.to_string())
}

#[derive(serde::Deserialize)]
struct EscalationPayload {
    case_id: String,
    level: i32,
}

pub struct Escalation {
    pub db: Db,
    pub config: Arc<WebConfig>,
}

impl JobHandler for Escalation {
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move {
            let p: EscalationPayload = job
                .payload_json()
                .map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
            escalate(&self.db, &self.config, &p.case_id, p.level).await
        })
    }
}

/// The officer after `current` in a stable order, so each escalation reaches someone new.
fn next_officer<'a>(
    officers: &'a [directory::MissionStaff],
    current: Option<&str>,
) -> Option<&'a directory::MissionStaff> {
    let pos = current.and_then(|c| officers.iter().position(|o| o.user_id == c));
    match pos {
        Some(i) => officers
            .get((i + 1) % officers.len())
            .filter(|o| Some(o.user_id.as_str()) != current),
        None => officers.first(),
    }
}

/// What an escalation mail tells its recipient (the `told` of `email-case-escalated-body`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Told {
    /// The officer the case was just handed to: it is theirs to act on now.
    NewHolder,
    /// The officer who holds it, with nobody else to hand it to: it stays theirs.
    StillHolder,
    /// The officer it was taken from: no longer theirs, and who has it now.
    MovedAway,
    /// A head of mission (or, at a mission with nobody to tell, an administrator): who holds
    /// it, if anyone; not that it is theirs.
    Informed,
}

impl Told {
    fn code(self) -> &'static str {
        match self {
            Told::NewHolder => "holder",
            Told::StillHolder => "kept",
            Told::MovedAway => "moved",
            Told::Informed => "informed",
        }
    }
}

/// Who an escalation tells, and what: the officer it moves the case to (or, with nobody else
/// to move it to, the officer who holds it, again), the officer it moves the case away from,
/// and the heads of mission; a mission with none of them reaches the ministry-wide
/// administrators, so that no level goes unheard. Each address once, in that order.
fn recipients<'a>(
    next: Option<&'a directory::MissionStaff>,
    holder: Option<&'a directory::MissionStaff>,
    heads: &[&'a directory::MissionStaff],
    admins: &'a [directory::MissionStaff],
) -> Vec<(&'a directory::MissionStaff, Told)> {
    fn tell<'a>(
        told: &mut Vec<(&'a directory::MissionStaff, Told)>,
        person: &'a directory::MissionStaff,
        what: Told,
    ) {
        if !told.iter().any(|(t, _)| t.email == person.email) {
            told.push((person, what));
        }
    }
    let mut told: Vec<(&directory::MissionStaff, Told)> = Vec::new();
    match (next, holder) {
        (Some(next), holder) => {
            tell(&mut told, next, Told::NewHolder);
            if let Some(holder) = holder.filter(|h| h.user_id != next.user_id) {
                tell(&mut told, holder, Told::MovedAway);
            }
        }
        (None, Some(holder)) => tell(&mut told, holder, Told::StillHolder),
        (None, None) => {}
    }
    for head in heads {
        tell(&mut told, head, Told::Informed);
    }
    if told.is_empty() {
        for admin in admins {
            tell(&mut told, admin, Told::Informed);
        }
    }
    told
}

/// How many times an escalation reads the case again when its holder changed between the
/// read and the write, before the job is retried later.
const ESCALATION_ATTEMPTS: usize = 5;

/// Escalates `case_id` to `level` if it still waits for its acknowledgement. The case goes to
/// the officer after the one holding it when the update is written: an assignment made
/// between this job's read and its write (someone pressing "Assign to me" at the deadline)
/// makes the update change nothing, and the case is read again and the next officer chosen
/// from its new holder, as if the assignment had come just before. Only acknowledging receipt
/// stops an escalation; the officer the case is taken from is told, and can take it back.
pub async fn escalate(
    db: &Db,
    config: &WebConfig,
    case_id: &str,
    level: i32,
) -> Result<(), JobError> {
    for _ in 0..ESCALATION_ATTEMPTS {
        if escalate_once(db, config, case_id, level).await? {
            return Ok(());
        }
    }
    Err(JobError::Retry(
        "the case's holder kept changing while it was escalated".into(),
    ))
}

/// One attempt of [`escalate`]: false when the case's holder changed since it was read
/// (nothing written); true when done, or when there was nothing (left) to do.
async fn escalate_once(
    db: &Db,
    config: &WebConfig,
    case_id: &str,
    level: i32,
) -> Result<bool, JobError> {
    let case = match cases::find(db, case_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(true),
        Err(e) => return Err(retry(e)),
    };
    if case.state != "submitted" || case.acknowledged_at.is_some() || case.escalation_level >= level
    {
        return Ok(true);
    }
    let mission = missions::find(db, &case.mission_id).await.map_err(retry)?;
    let staff = directory::mission_staff(db, &case.mission_id)
        .await
        .map_err(retry)?;
    let mut officers: Vec<_> = staff
        .iter()
        .filter(|s| !s.disabled && s.role == Role::ConsularOfficer.as_str())
        .cloned()
        .collect();
    officers.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    officers.dedup_by(|a, b| a.user_id == b.user_id);
    let heads: Vec<_> = staff
        .iter()
        .filter(|s| !s.disabled && s.role == Role::HeadOfMission.as_str())
        .collect();
    let next = next_officer(&officers, case.assignee_id.as_deref());

    let mut tx = db.begin().await.map_err(retry)?;
    if !cases::escalate(
        &mut tx,
        &case.id,
        level,
        case.assignee_id.as_deref(),
        next.map(|o| o.user_id.as_str()),
    )
    .await
    .map_err(retry)?
    {
        // Acknowledged, moved on or escalated meanwhile (the next read says so and stops), or
        // given to someone else: read again.
        tx.rollback().await.map_err(retry)?;
        return Ok(false);
    }
    audit::append(
        &mut tx,
        &NewAuditRecord {
            actor_id: None,
            actor_label: "system".into(),
            action: AuditAction::new("case.escalate"),
            target_type: "case",
            target_id: Some(case.id.clone()),
            mission_id: Some(MissionId::from_trusted(case.mission_id.clone())),
            client_ip: None,
            summary: serde_json::json!({
                "reference": case.reference,
                "level": level,
                "assignee": next.map(|o| o.user_id.clone()),
                "previous_assignee": case.assignee_id,
            }),
        },
    )
    .await
    .map_err(retry)?;
    let link = format!(
        "{}/missions/{}/cases/{}",
        config.public_url, mission.code, case.id
    );
    // Whoever holds it (an officer of the mission, still active): told it is still theirs,
    // or that it was taken from them.
    let holder = staff.iter().find(|s| {
        !s.disabled
            && Some(s.user_id.as_str()) == case.assignee_id.as_deref()
            && (s.role == Role::ConsularOfficer.as_str() || s.role == Role::HeadOfMission.as_str())
    });
    let holder_now = next.or(holder);
    // The ministry-wide administrators are read only when nobody at the mission is told.
    let admins: Vec<_> = if holder_now.is_none() && heads.is_empty() {
        directory::mission_staff(db, "*")
            .await
            .map_err(retry)?
            .into_iter()
            .filter(|s| !s.disabled && s.role == Role::Admin.as_str())
            .collect()
    } else {
        Vec::new()
    };
    for (person, told) in recipients(next, holder, &heads, &admins) {
        let user = safir_store::accounts::find_user(db, &person.user_id)
            .await
            .map_err(retry)?;
        let lang = crate::accounts::user_lang(&user);
        let mail = EscalationMail {
            told,
            holder: holder_now.map(|h| h.display_name.as_str()),
            level,
            link: &link,
        };
        let message = escalation_email(&person.email, lang, &case, &mail);
        email::enqueue(
            &mut tx,
            &message,
            Some(format!(
                "escalation-mail:{}:{level}:{}",
                case.id, person.user_id
            )),
        )
        .await
        .map_err(retry)?;
    }
    if level < MAX_ESCALATION {
        let job = NewJob::new(
            ESCALATION_JOB,
            serde_json::json!({ "case_id": case.id, "level": level + 1 }),
        )
        .idempotency_key(format!("escalate:{}:{}", case.id, level + 1))
        .run_at(now() + config.consular.emergency_ack);
        jobs::enqueue(&mut tx, &job).await.map_err(retry)?;
    }
    tx.commit().await.map_err(retry)?;
    tracing::warn!(case = %case.id, level, "emergency request escalated: not acknowledged in time");
    Ok(true)
}

/// What one escalation mail says beyond the case itself.
struct EscalationMail<'a> {
    told: Told,
    /// The name of the officer holding the case after the escalation, if anyone does.
    holder: Option<&'a str>,
    level: i32,
    link: &'a str,
}

fn escalation_email(
    to: &str,
    lang: Lang,
    case: &Case,
    mail: &EscalationMail<'_>,
) -> email::OutgoingEmail {
    let form = case.form();
    let mut args = FluentArgs::new();
    args.set("reference", case.display_reference());
    args.set("level", mail.level);
    args.set("told", mail.told.code());
    args.set("held", if mail.holder.is_some() { "yes" } else { "no" });
    args.set("officer", mail.holder.unwrap_or_default().to_owned());
    args.set(
        "category",
        I18n::global().t(
            lang,
            &format!(
                "emergency-category-{}",
                form.get("category")
                    .map(String::as_str)
                    .unwrap_or("other")
                    .replace('_', "-")
            ),
        ),
    );
    args.set(
        "location",
        form.get("location").cloned().unwrap_or_default(),
    );
    // The number to call, from the mail on a duty officer's phone.
    // One left-to-right run, or an Arabic mail shows its digit groups in reverse order.
    let phone = form.get("phone").map(|p| p.trim()).unwrap_or_default();
    args.set(
        "phone",
        if phone.is_empty() {
            String::new()
        } else {
            crate::i18n::ltr(lang, phone)
        },
    );
    args.set("link", mail.link.to_owned());
    email::render(to, lang, "case-escalated", &args)
}

pub struct Purge {
    pub db: Db,
    pub config: Arc<WebConfig>,
}

impl JobHandler for Purge {
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> HandlerFuture<'a> {
        Box::pin(async move { purge(&self.db, &self.config).await.map(drop).map_err(retry) })
    }
}

/// How old a file no document names must be before the purge removes it.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes cases closed longer ago than the retention period (with their history and
/// messages), drafts past their expiry, and, after the same period, the bookings that ended
/// and the e-visas that expired (with or without a case). Returns (cases, drafts) removed.
pub async fn purge(db: &Db, config: &WebConfig) -> Result<(u64, u64), StoreError> {
    let cutoff = now() - config.consular.closed_retention;
    let mut removed = 0;
    loop {
        let ids = cases::closed_before(db, cutoff, 200).await?;
        if ids.is_empty() {
            break;
        }
        // The files go first: a crash between the two leaves a case without documents
        // (purged anyway next run), never documents nobody can reach.
        for id in &ids {
            safir_store::consular::documents::purge_for_case(db, &config.uploads, id).await?;
        }
        // Each batch's cases go with their own audit record, in one transaction: a run
        // stopped half-way (a restart, its time running out over a backlog) leaves every case
        // it deleted accounted for.
        let mut tx = db.begin().await?;
        let mut batch = 0;
        for id in &ids {
            if cases::delete_closed(&mut tx, id).await? {
                batch += 1;
            }
        }
        if batch > 0 {
            audit::append(
                &mut tx,
                &purge_record(serde_json::json!({ "closed_cases": batch })),
            )
            .await?;
        }
        tx.commit().await?;
        removed += batch;
    }
    let drafts = cases::purge_expired_drafts(db, now()).await?;
    let appointments = safir_store::consular::appointments::purge_ended_before(db, cutoff).await?;
    let evisas =
        safir_store::consular::evisas::purge_expired_before(db, cutoff.date_naive()).await?;
    // Files whose record went while their removal failed (a crash, storage that answered an
    // error): a day old at least, so an upload being recorded keeps its file.
    let orphans =
        match safir_store::consular::documents::sweep_unreferenced(db, &config.uploads, ORPHAN_AGE)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "sweeping files no document names failed");
                0
            }
        };
    // The accounts made for a crisis registrant's call for help keep the person's name until
    // their last case is purged.
    let names = crate::crisis::checkin::forget_placeholder_names(db).await?;
    if drafts + appointments + evisas + orphans + names > 0 {
        let summary = serde_json::json!({
            "expired_drafts": drafts,
            "ended_appointments": appointments,
            "expired_evisas": evisas,
            "orphaned_files": orphans,
            "placeholder_names": names,
        });
        audit::record(db, &purge_record(summary)).await?;
    }
    Ok((removed, drafts))
}

/// The purge's record in the audit trail, made by the system.
fn purge_record(summary: serde_json::Value) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: None,
        actor_label: "system".into(),
        action: AuditAction::new("case.purge"),
        target_type: "case",
        target_id: None,
        mission_id: None,
        client_ip: None,
        summary,
    }
}

/// Enqueues today's purge once, whichever process asks first.
pub async fn enqueue_daily_purge(db: &Db) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let job = NewJob::new(PURGE_JOB, serde_json::json!({}))
        .idempotency_key(format!("consular-purge:{}", now().format("%Y-%m-%d")));
    jobs::enqueue(&mut tx, &job).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn officer(id: &str) -> directory::MissionStaff {
        directory::MissionStaff {
            user_id: id.into(),
            display_name: id.into(),
            email: format!("{id}@m.example"),
            role: "consular_officer".into(),
            disabled: false,
        }
    }

    #[test]
    fn escalation_moves_to_the_next_officer_in_turn() {
        let all = [officer("a"), officer("b"), officer("c")];
        assert_eq!(next_officer(&all, None).unwrap().user_id, "a");
        assert_eq!(next_officer(&all, Some("a")).unwrap().user_id, "b");
        assert_eq!(next_officer(&all, Some("c")).unwrap().user_id, "a");
        assert_eq!(next_officer(&all, Some("gone")).unwrap().user_id, "a");
        assert!(
            next_officer(&all[..1], Some("a")).is_none(),
            "nobody else to hand it to"
        );
        assert!(next_officer(&[], None).is_none());
    }

    /// Every level reaches someone: the new holder, the officer it was taken from and the
    /// heads; with nobody else to hand the case to, its holder again; at a mission with nobody
    /// at all, the administrators. Only the new holder is told the case is now theirs.
    #[test]
    fn every_escalation_tells_someone() {
        let (a, b, head, admin) = (
            officer("a"),
            officer("b"),
            officer("head"),
            officer("admin"),
        );
        let admins = [admin];
        let ids = |people: Vec<(&directory::MissionStaff, Told)>| {
            people
                .iter()
                .map(|(p, t)| format!("{}:{}", p.user_id, t.code()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(recipients(Some(&b), Some(&a), &[&head], &admins)),
            ["b:holder", "a:moved", "head:informed"]
        );
        assert_eq!(
            ids(recipients(Some(&b), None, &[&head], &admins)),
            ["b:holder", "head:informed"]
        );
        assert_eq!(
            ids(recipients(None, Some(&a), &[&head], &admins)),
            ["a:kept", "head:informed"]
        );
        assert_eq!(ids(recipients(None, Some(&a), &[], &admins)), ["a:kept"]);
        assert_eq!(
            ids(recipients(None, None, &[], &admins)),
            ["admin:informed"]
        );
        assert_eq!(
            ids(recipients(Some(&a), None, &[&a], &admins)),
            ["a:holder"]
        );
    }
}
