//! What happens when a case moves: the transition, the message that goes with it, the audit
//! record (whoever moved it), the email to the applicant in their language, and the jobs
//! that follow (emergency escalation) — all in one transaction, so none happens without the
//! others.

use fluent_bundle::FluentArgs;
use safir_domain::audit::AuditAction;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind};
use safir_domain::consular::forms;
use safir_domain::ids::{MissionId, UserId};
use safir_store::audit::NewAuditRecord;
use safir_store::consular::cases::{self, Case, Transition, TransitionError};
use safir_store::consular::services;
use safir_store::jobs::{self, NewJob};
use safir_store::{StoreError, Tx, missions};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::state::AppState;

/// The job that escalates an unacknowledged emergency.
pub const ESCALATION_JOB: &str = "consular.emergency_escalation";

/// Who acts, and from where (for the audit trail).
pub struct By<'a> {
    pub user: &'a CurrentUser,
    pub ip: Option<String>,
    /// Through the API rather than a page: every record made for this actor says so
    /// (`"via": "api"`).
    pub via_api: bool,
}

impl<'a> By<'a> {
    /// Someone acting on a page.
    pub fn web(user: &'a CurrentUser, ip: Option<String>) -> Self {
        Self {
            user,
            ip,
            via_api: false,
        }
    }

    /// Someone acting through the API.
    pub fn api(user: &'a CurrentUser, ip: Option<String>) -> Self {
        Self {
            user,
            ip,
            via_api: true,
        }
    }
}

/// One requested move with what goes with it.
pub struct Command<'a> {
    pub action: CaseAction,
    pub actor: Actor,
    /// Decision reason code (approve/reject) or the text of a request for information.
    pub reason: Option<&'a str>,
    /// A message to the applicant (from an officer) or to the mission (from the applicant).
    pub message: Option<&'a str>,
}

/// The audit action of an officer's move: `case.<action>`.
pub fn audit_action(action: CaseAction) -> AuditAction {
    AuditAction::new(match action {
        CaseAction::Submit => "case.submit",
        CaseAction::StartReview => "case.start_review",
        CaseAction::RequestInfo => "case.request_info",
        CaseAction::ProvideInfo => "case.provide_info",
        CaseAction::Approve => "case.approve",
        CaseAction::Reject => "case.reject",
        CaseAction::Withdraw => "case.withdraw",
        CaseAction::MarkReadyForCollection => "case.ready_for_collection",
        CaseAction::Close => "case.close",
    })
}

pub fn record(
    by: &By<'_>,
    action: AuditAction,
    case: &Case,
    mut summary: serde_json::Value,
) -> NewAuditRecord {
    if by.via_api
        && let Some(fields) = summary.as_object_mut()
    {
        fields.entry("via").or_insert_with(|| "api".into());
    }
    NewAuditRecord {
        actor_id: Some(UserId::from_trusted(by.user.user.id.clone())),
        actor_label: by.user.user.email.clone(),
        action,
        target_type: "case",
        target_id: Some(case.id.clone()),
        mission_id: Some(MissionId::from_trusted(case.mission_id.clone())),
        client_ip: by.ip.clone(),
        summary,
    }
}

/// The visa categories `case` may name: those its service offers now and, once it was sent,
/// the one it was sent with, which stays valid for it when the mission stops offering that
/// category to new applicants.
pub fn visa_types_for<'a>(service: &'a services::Service, case: &'a Case) -> Vec<&'a str> {
    let mut types = service.visa_types();
    if let Some(own) = case.submitted_visa_type.as_deref()
        && !types.contains(&own)
    {
        types.push(own);
    }
    types
}

fn map_transition(e: TransitionError) -> AppError {
    match e {
        // A submission to a disabled service: the callers say why (they read the service).
        TransitionError::Illegal(_) | TransitionError::Stale | TransitionError::ServiceDisabled => {
            AppError::Conflict
        }
        TransitionError::Store(StoreError::NotFound) => AppError::NotFound,
        TransitionError::Store(e) => AppError::internal(e),
    }
}

/// The case's last move when it is `action` by `user_id` and left the case as it is now: the
/// same move sent again (a second click, a retried request, a twin sent at the same moment)
/// finds its outcome already there.
pub async fn own_last_move(
    state: &AppState,
    case: &Case,
    action: CaseAction,
    user_id: &str,
) -> Result<Option<cases::Event>, AppError> {
    let mut events = cases::events(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    Ok(events.pop().filter(|e| {
        e.action == action.as_str()
            && e.to_state == case.state
            && e.actor_id.as_deref() == Some(user_id)
    }))
}

/// Applies `cmd` to `case` and returns the case as it now is.
pub async fn act(
    state: &AppState,
    case: &Case,
    by: &By<'_>,
    cmd: &Command<'_>,
) -> Result<Case, AppError> {
    act_seen(state, case, by, cmd, None).await
}

/// [`act`] only if the case's last move is still the one the caller was shown (`seen`, its
/// `state_changed_at`; see `cases::transition_seen`): `Conflict` otherwise.
pub async fn act_seen(
    state: &AppState,
    case: &Case,
    by: &By<'_>,
    cmd: &Command<'_>,
    seen: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Case, AppError> {
    let kind = case.kind().map_err(AppError::internal)?;
    let mission = missions::find(&state.db, &case.mission_id)
        .await
        .map_err(AppError::internal)?;
    // The applicant hands the form to the mission (a submission, or the answer to a request
    // for information): the service's rules check it below.
    let hands_over_form = matches!(cmd.action, CaseAction::Submit | CaseAction::ProvideInfo);
    // An emergency is due for its acknowledgement first; acknowledged, it runs against the
    // service's processing target from then, so one answered in time is never past due.
    let acknowledges_emergency = cmd.action == CaseAction::StartReview
        && kind == CaseKind::Emergency
        && case.acknowledged_at.is_none();
    let service = if hands_over_form || acknowledges_emergency {
        Some(
            services::find(&state.db, &case.service_id)
                .await
                .map_err(AppError::internal)?,
        )
    } else {
        None
    };
    let due_in = match (cmd.action, &service) {
        (CaseAction::Submit, _) if kind == CaseKind::Emergency => {
            Some(state.config.consular.emergency_ack)
        }
        (CaseAction::Submit | CaseAction::StartReview, Some(service)) => {
            Some(chrono::Duration::days(i64::from(service.processing_days)))
        }
        _ => None,
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let (updated, from) = cases::transition_seen(
        &mut tx,
        &case.id,
        &Transition {
            action: cmd.action,
            actor: cmd.actor,
            actor_id: Some(by.user.id()),
            reason: cmd.reason,
            mission_code: &mission.code,
            due_in,
        },
        seen,
    )
    .await
    .map_err(map_transition)?;
    // The form as the transaction sees it, after the move: a save that came between the
    // caller's own check and this point is in it, and none can come after (saving needs a
    // draft or a case waiting for information). So what reaches the mission has passed every
    // check of the form, however the applicant got there (the form's page, a message
    // answering the mission, the API).
    if hands_over_form && let Some(service) = &service {
        // Dates are judged on the mission's calendar (a trip "today" in Los Angeles is
        // tomorrow in UTC by the evening).
        let today = super::appointments::service::mission_today(&mission);
        let visa_types = visa_types_for(service, case);
        forms::check(kind, &updated.form(), today, &visa_types)
            .map_err(|e| AppError::Validation(super::labels::field_errors(&e)))?;
    }
    let from_staff = cmd.actor == Actor::Officer;
    if let Some(body) = cmd.message.map(str::trim).filter(|b| !b.is_empty()) {
        let message_id = cases::add_message(
            &mut tx,
            &case.id,
            Some(by.user.id()),
            from_staff,
            false,
            body,
        )
        .await
        .map_err(AppError::internal)?;
        if !from_staff {
            super::applicant_wrote::tell_assignee(state, &mut tx, &case.id).await?;
        }
        if matches!(cmd.action, CaseAction::Approve | CaseAction::Reject) {
            // The decision letter quotes it.
            cases::link_message_to_last_event(&mut tx, &case.id, &message_id)
                .await
                .map_err(AppError::internal)?;
        }
    } else if cmd.action == CaseAction::ProvideInfo && !from_staff {
        // An answer through the form, without a message, is the applicant's word all the
        // same: the case waits for the mission and its officer is told, as for a message.
        cases::start_wait(&mut tx, &case.id)
            .await
            .map_err(AppError::internal)?;
        super::applicant_wrote::tell_assignee(state, &mut tx, &case.id).await?;
    }
    // Every move is in the audit trail, the applicant's as well as the officers'. A decision's
    // reason is a code; a request for information is the officer's own text, which stays on
    // the case like a message: the trail records its length.
    let (reason, request_chars) = match cmd.action {
        CaseAction::RequestInfo => (None, cmd.reason.map(|t| t.chars().count())),
        _ => (cmd.reason, None),
    };
    let mut summary = serde_json::json!({
        "reference": updated.reference,
        "from": from.as_str(),
        "to": updated.state,
        "reason": reason,
        "request_chars": request_chars,
        "by": if from_staff { "officer" } else { "applicant" },
    });
    if matches!(
        cmd.action,
        CaseAction::Withdraw | CaseAction::Reject | CaseAction::Close
    ) {
        // A case the mission is done with (withdrawn by its applicant, refused, closed) takes
        // its appointments still to come with it: left booked, the seat stayed taken, the
        // booking stood on the day's list and its reminder still said "tomorrow". Each
        // applicant is told once, by the booking's own cancellation email beside this move's.
        let cancelled =
            super::appointments::service::cancel_for_case(state, &mut tx, &updated).await?;
        if cancelled > 0 {
            summary["appointments_cancelled"] = cancelled.into();
        }
    }
    let rec = record(by, audit_action(cmd.action), &updated, summary);
    crate::audit_log::append(&mut tx, &rec).await?;
    if cmd.action == CaseAction::Submit && kind == CaseKind::Emergency {
        // Counted with this one in, after any sent at the same moment by the same account
        // (their callers checked before, each without seeing the other).
        let limit = super::applicant::apply::emergency_limit;
        if let Some(refusal) = limit(state, &mut tx, &updated.applicant_id, true).await? {
            return Err(refusal.into());
        }
        schedule_escalation(&mut tx, &updated, 1).await?;
    }
    // What the mail adds for this move, in the applicant's language: where the e-visa is; for
    // an emergency just sent, that a life in danger is for the local emergency services, and
    // the mission's telephone.
    let lang = case_lang(&updated);
    let i18n = I18n::global();
    let mut extra = None;
    if cmd.action == CaseAction::Approve && kind == CaseKind::Visa {
        let evisa = super::approval::issue_evisa(state, &mut tx, &updated, by).await?;
        extra = Some(format!(
            "{}\n{}/evisas/{}",
            i18n.t(lang, "case-evisa-ready"),
            state.config.public_url,
            evisa.id
        ));
    }
    if cmd.action == CaseAction::Submit && kind == CaseKind::Emergency {
        let mut lines = vec![i18n.t(lang, "case-emergency-danger")];
        if let Some((phone, _)) = crate::page::phone_to_dial(mission.phone.as_deref()) {
            // One left-to-right run: in Arabic its digit groups would read in reverse order.
            let phone = crate::i18n::ltr(lang, phone);
            lines.push(format!("{} {phone}", i18n.t(lang, "case-emergency-phone")));
        }
        extra = Some(lines.join("\n"));
    }
    notify_applicant(state, &mut tx, &updated, cmd, extra).await?;
    tx.commit().await.map_err(AppError::internal)?;
    state.case_counts.invalidate(&updated.mission_id);
    Ok(updated)
}

/// An officer's message to the applicant of `case` (`body`, checked by the caller): kept once
/// when sent again within moments (a double click, a retried request), audited as
/// `case.message` (its length, not its text) and sent where the applicant is reached, in the
/// language they applied in.
pub async fn message_applicant(
    state: &AppState,
    case: &Case,
    by: &By<'_>,
    body: &str,
) -> Result<MessageSent, AppError> {
    let reach = super::reach::reach(state, case).await?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let (message_id, new) =
        cases::add_message_once(&mut tx, &case.id, by.user.id(), true, false, body)
            .await
            .map_err(AppError::internal)?;
    let sent = MessageSent {
        id: message_id,
        by_email: reach.email.is_some(),
        by_sms: reach.sms.is_some(),
    };
    if !new {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(sent);
    }
    let message_id = sent.id.as_str();
    let summary = serde_json::json!({ "reference": case.reference, "chars": body.chars().count() });
    let rec = record(
        by,
        safir_domain::audit::actions::CASE_MESSAGE,
        case,
        summary,
    );
    crate::audit_log::append(&mut tx, &rec).await?;
    let mut args = FluentArgs::new();
    args.set("reference", case.display_reference());
    args.set("message", body.to_owned());
    reach
        .send(
            &mut tx,
            case_lang(case),
            "case-message",
            args,
            &format!("case-message:{message_id}"),
        )
        .await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(sent)
}

/// What `message_applicant` did: the message's id (the first sending's, for a double click's
/// second), and where it went (an applicant through a crisis registration may have no
/// address, no number, or neither).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSent {
    pub id: String,
    pub by_email: bool,
    pub by_sms: bool,
}

impl MessageSent {
    /// The `done` value of the case page's address that says so.
    pub fn done(&self) -> &'static str {
        match (self.by_email, self.by_sms) {
            (true, false) => "message",
            (true, true) => "message-both",
            (false, true) => "message-sms",
            (false, false) => "message-kept",
        }
    }
}

/// Enqueues the check that escalates `case` to `level` if nobody acknowledged it by its
/// deadline. Keyed per case and level, so a retried submission schedules it once.
pub async fn schedule_escalation(tx: &mut Tx, case: &Case, level: i32) -> Result<(), AppError> {
    let Some(due) = case.due_at else {
        return Ok(());
    };
    let job = NewJob::new(
        ESCALATION_JOB,
        serde_json::json!({ "case_id": case.id, "level": level }),
    )
    .idempotency_key(format!("escalate:{}:{level}", case.id))
    .run_at(due);
    jobs::enqueue(tx, &job).await.map_err(AppError::internal)?;
    Ok(())
}

/// The applicant's language for messages about this case.
pub fn case_lang(case: &Case) -> Lang {
    Lang::parse(&case.lang).unwrap_or(Lang::Ar)
}

/// Tells the applicant that their case moved (by mail, or as their crisis registration asked:
/// `reach`), in the language they applied in; `extra` is a paragraph the move adds (already in
/// that language).
async fn notify_applicant(
    state: &AppState,
    tx: &mut Tx,
    case: &Case,
    cmd: &Command<'_>,
    extra: Option<String>,
) -> Result<(), AppError> {
    let lang = case_lang(case);
    let i18n = I18n::global();
    let mut args = FluentArgs::new();
    args.set("reference", case.display_reference());
    args.set(
        "state",
        super::labels::state_for_applicant(lang, &case.state, &case.form),
    );
    let message = cmd.message.map(str::trim).unwrap_or_default();
    let note = match (cmd.action, cmd.reason) {
        // The decision's reason, then the officer's own words to the applicant, if any.
        (CaseAction::Approve | CaseAction::Reject, Some(code)) => {
            let reason = i18n.t(lang, &format!("case-reason-{}", code.replace('_', "-")));
            if message.is_empty() {
                reason
            } else {
                format!("{reason}\n\n{message}")
            }
        }
        (CaseAction::RequestInfo, Some(text)) => text.to_owned(),
        // The applicant's own words (an answer) are not quoted back as the mission's.
        _ if cmd.actor == Actor::Applicant => String::new(),
        _ => message.to_owned(),
    };
    let note = match extra {
        Some(extra) => format!("{note}\n\n{extra}"),
        None => note,
    };
    args.set("note", note);
    let key = format!(
        "case-mail:{}:{}:{}",
        case.id,
        case.state,
        case.state_changed_at.timestamp_micros()
    );
    super::reach::reach(state, case)
        .await?
        .send(tx, lang, "case-update", args, &key)
        .await
}
