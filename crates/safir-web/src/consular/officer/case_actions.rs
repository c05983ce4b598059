//! The case page's forms: a move through the workflow (with its reason or request), the
//! assignment, the priority, an internal note, a message to the applicant. Each is audited;
//! a refused form comes back with what was typed, and a case someone else moved meanwhile
//! comes back in its new state with a notice.

use axum::Form;
use axum::extract::{FromRequestParts, Path};
use axum::http::Uri;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use fluent_bundle::FluentArgs;
use safir_domain::audit::AuditAction;
use safir_domain::consular::case::{
    APPROVED, Actor as Side, CaseAction, CaseState, Priority, REASON_NEEDING_A_MESSAGE,
    REFUSAL_REASONS,
};
use safir_domain::consular::service::{optional_text, required_text};
use safir_store::audit::NewAuditRecord;
use safir_store::consular::cases::{self, Case};
use safir_store::missions::Mission;

use super::case_show::{Typed, case_page};
use super::{CASE_ASSIGN, CASE_NOTE, CASE_PRIORITY, by, mission_case, officers, seen_version};
use crate::admin::support::{Actor, FormData, rejected};
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::consular::workflow::{self, Command};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::{Lang, t, t_args};
use crate::page::FlashKind;
use crate::state::AppState;

const TEXT_MAX: usize = 4000;

/// The request as the handlers of this page share it: the officer, in the mission of the
/// address (the route's access rule has already checked they work there).
pub struct Ctx {
    pub(super) state: AppState,
    lang: Lang,
    viewer: Viewer,
    pub(super) actor: Actor,
    pub(super) mission: Mission,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Ok(lang) = Lang::from_request_parts(parts, state).await;
        let viewer = Viewer::from_request_parts(parts, state).await?;
        let actor = Actor::from_request_parts(parts, state).await?;
        let MissionParam(mission) = MissionParam::from_request_parts(parts, state).await?;
        Ok(Ctx {
            state: state.clone(),
            lang,
            viewer,
            actor,
            mission,
        })
    }
}

impl Ctx {
    /// The case `id` of this mission (404 for any other).
    async fn case(&self, id: &str) -> Result<Case, AppError> {
        mission_case(&self.state, &self.mission, id).await
    }

    /// The officer's audit record of `action` on `case`.
    fn record(
        &self,
        action: AuditAction,
        case: &Case,
        summary: serde_json::Value,
    ) -> NewAuditRecord {
        workflow::record(&by(&self.actor), action, case, summary)
    }

    fn case_href(&self, case: &Case) -> String {
        format!("/missions/{}/cases/{}", self.mission.code, case.id)
    }

    async fn page(
        &self,
        case: &Case,
        typed: &Typed,
        notice: Option<(FlashKind, String)>,
    ) -> Result<Html<String>, AppError> {
        // The page is shown at its own address, whatever form was posted.
        let uri: Uri = self
            .case_href(case)
            .parse()
            .unwrap_or_else(|_| Uri::from_static("/"));
        case_page(
            &self.state,
            self.lang,
            &uri,
            &self.viewer,
            &self.actor,
            &self.mission,
            case,
            typed,
            notice,
        )
        .await
    }

    /// The form again, with its errors and what was typed.
    async fn refused(&self, case: &Case, typed: &Typed) -> Result<Response, AppError> {
        Ok(rejected(self.page(case, typed, None).await?))
    }

    /// The case as it now is, with a notice saying why the action was not taken: the case
    /// moved since the page was drawn (by someone else, or by this officer in another tab or
    /// window), or it is as the page showed it and the action does not apply to it (a form
    /// the page never offered).
    /// What the officer typed in the action's form is kept (see [`kept_text`]).
    async fn conflict(
        &self,
        case_id: &str,
        action: CaseAction,
        data: &FormData,
    ) -> Result<Response, AppError> {
        let fresh = self.case(case_id).await?;
        let key = if moved_since_shown(&fresh, data) {
            self.moved_by(&fresh).await?
        } else {
            "officer-case-not-applicable"
        };
        let typed = kept_text(&fresh, action, data)?;
        self.stale_with(&fresh, key, &typed).await
    }

    /// Which notice tells of a case that moved under the officer's page: the last move was
    /// their own, or someone else's.
    async fn moved_by(&self, case: &Case) -> Result<&'static str, AppError> {
        let events = cases::events(&self.state.db, &case.id)
            .await
            .map_err(AppError::internal)?;
        let own = events
            .last()
            .is_some_and(|e| e.actor_id.as_deref() == Some(self.actor.user.id()));
        Ok(if own {
            "officer-case-conflict-own"
        } else {
            "officer-case-conflict"
        })
    }

    /// A conditional write found the case changed between its read and the write: `tx` is
    /// ended, and the case page, read again, comes at 409 with the warning `key`.
    async fn changed_since_read(
        &self,
        tx: safir_store::Tx,
        case_id: &str,
        key: &str,
    ) -> Result<Response, AppError> {
        tx.rollback().await.map_err(AppError::internal)?;
        let fresh = self.case(case_id).await?;
        self.stale(&fresh, key).await
    }

    /// The case page at 409, with the warning `key` above it: a form that no longer applies.
    pub(super) async fn stale(&self, case: &Case, key: &str) -> Result<Response, AppError> {
        self.stale_with(case, key, &Typed::default()).await
    }

    /// [`Self::stale`] with what was typed in the forms.
    async fn stale_with(
        &self,
        case: &Case,
        key: &str,
        typed: &Typed,
    ) -> Result<Response, AppError> {
        let mut text = t(self.lang, key);
        if !typed.note.is_empty() {
            text = format!("{text} {}", t(self.lang, "officer-case-kept-in-note"));
        }
        let notice = (FlashKind::Warning, text);
        let html = self.page(case, typed, Some(notice)).await?;
        Ok(crate::admin::support::conflicted(html))
    }

    /// A flash error above the page, for choices without their own error line.
    async fn refused_choice(&self, case: &Case, key: &str) -> Result<Response, AppError> {
        let notice = (FlashKind::Error, t(self.lang, key));
        Ok(rejected(
            self.page(case, &Typed::default(), Some(notice)).await?,
        ))
    }

    fn saved(&self, case: &Case) -> Response {
        self.done(case, "1")
    }

    /// Back to the case's page, which says what was done (`done` is read by `show_case`).
    pub(super) fn done(&self, case: &Case, done: &str) -> Response {
        Redirect::to(&format!("{}?done={done}", self.case_href(case))).into_response()
    }

    /// Assignment and triage are for cases someone still has to act on.
    async fn refused_when_not_open(&self, case: &Case) -> Result<Option<Response>, AppError> {
        let open = case.state().map_err(AppError::internal)?.is_open();
        if open {
            return Ok(None);
        }
        let notice = (FlashKind::Error, t(self.lang, "officer-case-assign-closed"));
        let html = self.page(case, &Typed::default(), Some(notice)).await?;
        Ok(Some(crate::admin::support::conflicted(html)))
    }
}

fn text_error(
    errors: &mut FieldErrors,
    field: &str,
    r: &Result<String, safir_domain::ValidationError>,
) {
    if let Err(e) = r {
        errors.add(labels::field_error(field, e, TEXT_MAX));
    }
}

pub async fn act_on_case(
    cx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let case = cx.case(&id).await?;
    if data.get("action").trim().is_empty() {
        return no_choice(&cx, &case, &data).await;
    }
    let action = CaseAction::parse(data.get("action")).map_err(|_| AppError::BadRequest)?;
    let current = case.state().map_err(AppError::internal)?;
    let kind = case.kind().map_err(AppError::internal)?;
    if moved_since_shown(&case, &data) || current.apply(kind, action, Side::Officer).is_err() {
        if made_just_now(&cx, &case, action, &data).await? {
            return Ok(cx.saved(&case));
        }
        return cx.conflict(&case.id, action, &data).await;
    }
    let mut typed = typed_decision(&data, action.as_str());
    let (reason, message) = match action {
        CaseAction::Reject => {
            let message = optional_text(&typed.reject_message, TEXT_MAX);
            text_error(&mut typed.errors, "reject_message", &message);
            if !REFUSAL_REASONS.contains(&typed.reject_reason.as_str()) {
                typed
                    .errors
                    .add(FieldError::new("reject_reason", "consular_reason_required"));
            } else if typed.reject_reason == REASON_NEEDING_A_MESSAGE
                && message.as_deref().is_ok_and(str::is_empty)
            {
                typed.errors.add(FieldError::new(
                    "reject_message",
                    "consular_reason_needs_message",
                ));
            }
            (Some(typed.reject_reason.clone()), message.ok())
        }
        CaseAction::RequestInfo => {
            let request = required_text(&typed.request, TEXT_MAX);
            text_error(&mut typed.errors, "request", &request);
            (request.clone().ok(), request.ok())
        }
        CaseAction::Approve => {
            let message = optional_text(&typed.approve_message, TEXT_MAX);
            text_error(&mut typed.errors, "approve_message", &message);
            // The decision's reason, as the API records it: the applicant's page and the
            // data file say "approved" whichever way the officer decided.
            (Some(APPROVED.to_owned()), message.ok())
        }
        _ => (None, None),
    };
    if !typed.errors.is_empty() {
        return cx.refused(&case, &typed).await;
    }
    let cmd = Command {
        action,
        actor: Side::Officer,
        reason: reason.as_deref(),
        message: message.as_deref().filter(|m| !m.is_empty()),
    };
    // The case must still be the one the page showed when the move is written, not only
    // when it was read above (a form without the field: the case as read above).
    let seen = match seen_version(data.get("expected_version")) {
        Some(seen) => seen,
        None => Some(case.state_changed_at),
    };
    match workflow::act_seen(&cx.state, &case, &by(&cx.actor), &cmd, seen).await {
        Ok(updated) => Ok(cx.saved(&updated)),
        Err(AppError::Conflict) => {
            let fresh = cx.case(&case.id).await?;
            if made_just_now(&cx, &fresh, action, &data).await? {
                return Ok(cx.saved(&fresh));
            }
            let key = cx.moved_by(&fresh).await?;
            let typed = kept_text(&fresh, action, &data)?;
            cx.stale_with(&fresh, key, &typed).await
        }
        // The e-visa's checks refuse the application's answers (a form sent before one of
        // their rules): the page again, saying why, with what the officer typed.
        Err(AppError::Validation(errors)) => {
            let why: Vec<String> = errors.iter().map(|e| e.message(cx.lang)).collect();
            let mut args = FluentArgs::new();
            args.set("why", why.join(" "));
            let notice = (
                FlashKind::Error,
                t_args(cx.lang, "officer-case-evisa-refused", &args),
            );
            let typed = kept_text(&case, action, &data)?;
            Ok(rejected(cx.page(&case, &typed, Some(notice)).await?))
        }
        Err(e) => Err(e),
    }
}

/// The decision form sent without a move chosen: the choices again, with what was typed.
/// If the case has moved meanwhile, its page as it now is says so, and any text typed
/// waits in the internal note box (no move was chosen for it to go with).
async fn no_choice(cx: &Ctx, case: &Case, data: &FormData) -> Result<Response, AppError> {
    if moved_since_shown(case, data) {
        let key = cx.moved_by(case).await?;
        let note = ["request", "approve_message", "reject_message"]
            .into_iter()
            .map(|f| data.get(f))
            .find(|t| !t.trim().is_empty())
            .unwrap_or_default();
        let typed = Typed {
            note: note.to_owned(),
            ..Typed::default()
        };
        return cx.stale_with(case, key, &typed).await;
    }
    let mut typed = typed_decision(data, "");
    typed
        .errors
        .add(FieldError::new("action", "consular_action_required"));
    cx.refused(case, &typed).await
}

/// What the decision form carries, as typed, with the move chosen (`action`).
fn typed_decision(data: &FormData, action: &str) -> Typed {
    Typed {
        action: action.to_owned(),
        request: data.get("request").to_owned(),
        reject_reason: data.get("reject_reason").trim().to_owned(),
        reject_message: data.get("reject_message").to_owned(),
        approve_message: data.get("approve_message").to_owned(),
        ..Typed::default()
    }
}

/// What an officer typed with an action that could not be taken (a request, a refusal's or
/// an approval's message), for the case page shown instead: in its own box when the case as
/// it now is still offers that action, otherwise in the internal note box, from which the
/// officer keeps it, sends it otherwise or drops it. Nothing typed is lost without a word.
fn kept_text(fresh: &Case, action: CaseAction, data: &FormData) -> Result<Typed, AppError> {
    let text = match action {
        CaseAction::RequestInfo => data.get("request"),
        CaseAction::Reject => data.get("reject_message"),
        CaseAction::Approve => data.get("approve_message"),
        _ => "",
    };
    let mut typed = Typed::default();
    if text.trim().is_empty() {
        return Ok(typed);
    }
    let kind = fresh.kind().map_err(AppError::internal)?;
    let still_offered = fresh
        .state()
        .map_err(AppError::internal)?
        .available(kind, Side::Officer)
        .contains(&action);
    if !still_offered {
        typed.note = text.to_owned();
        return Ok(typed);
    }
    typed.action = action.as_str().to_owned();
    match action {
        CaseAction::RequestInfo => typed.request = text.to_owned(),
        CaseAction::Reject => {
            typed.reject_message = text.to_owned();
            typed.reject_reason = data.get("reject_reason").trim().to_owned();
        }
        _ => typed.approve_message = text.to_owned(),
    }
    Ok(typed)
}

/// Whether the case moved since the page the form came from was drawn: its state is another
/// (`expected_state`), or it is the same state reached again by later moves
/// (`expected_version`, see [`super::case_version`]). A form without these fields (drawn
/// before them) is taken as sent from the case as it is.
fn moved_since_shown(case: &Case, data: &FormData) -> bool {
    let expected = data.get("expected_state").trim();
    let other_state = !expected.is_empty() && expected != case.state;
    let other_move = seen_version(data.get("expected_version"))
        .is_some_and(|seen| seen != Some(case.state_changed_at));
    other_state || other_move
}

/// [`super::made_just_now`] with what the decision form carries for `action`, as stored:
/// without the direction marks and invisible spaces pasted text often ends with, or the same
/// request or decision sent twice would not be recognised.
async fn made_just_now(
    cx: &Ctx,
    case: &Case,
    action: CaseAction,
    data: &FormData,
) -> Result<bool, AppError> {
    let trimmed = |field: &str| safir_domain::trim_blank(data.get(field));
    let (request, message) = match action {
        CaseAction::Approve => (APPROVED, Some(trimmed("approve_message"))),
        CaseAction::Reject => (
            data.get("reject_reason").trim(),
            Some(trimmed("reject_message")),
        ),
        _ => (trimmed("request"), None),
    };
    let user = cx.actor.user.id();
    super::made_just_now(&cx.state, case, action, user, Some(request), message).await
}

pub async fn assign_case(
    cx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let case = cx.case(&id).await?;
    if let Some(refused) = cx.refused_when_not_open(&case).await? {
        return Ok(refused);
    }
    let staff = officers(&cx.state, &cx.mission).await?;
    let to: Option<String> = match data.get("assignee").trim() {
        "me" => Some(cx.actor.id().to_owned()),
        "none" => None,
        other => match staff.iter().find(|o| o.id == other) {
            Some(o) => Some(o.id.clone()),
            None => {
                return cx
                    .refused_choice(&case, "field-error-consular-assignee-unknown")
                    .await;
            }
        },
    };
    if case.assignee_id == to {
        // Already so (a second click): nothing written, nothing to audit.
        return Ok(cx.saved(&case));
    }
    // Who worked the case when the page was shown (a form from before this field: now).
    let seen = match data.get("seen_assignee").trim() {
        "" => case.assignee_id.clone(),
        "none" => None,
        id => Some(id.to_owned()),
    };
    if seen != case.assignee_id {
        // A colleague took the case, or gave it on, since the page was shown: their choice
        // stands until this officer has seen it.
        return cx.stale(&case, "officer-case-assign-changed").await;
    }
    let mut tx = cx.state.db.begin().await.map_err(AppError::internal)?;
    let assigned = cases::assign(
        &mut tx,
        &case.id,
        &cx.mission.id,
        case.assignee_id.as_deref(),
        to.as_deref(),
    )
    .await
    .map_err(AppError::internal)?;
    if !assigned {
        return cx
            .changed_since_read(tx, &case.id, "officer-case-assign-changed")
            .await;
    }
    crate::consular::officer_mail::assigned(
        &cx.state,
        &mut tx,
        &case,
        to.as_deref(),
        &cx.actor.user.user,
    )
    .await?;
    let summary = serde_json::json!({
        "reference": case.reference,
        "from": case.assignee_id,
        "to": to,
    });
    crate::audit_log::commit_with(tx, &cx.record(CASE_ASSIGN, &case, summary)).await?;
    Ok(cx.saved(&case))
}

pub async fn change_priority(
    cx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let case = cx.case(&id).await?;
    if let Some(refused) = cx.refused_when_not_open(&case).await? {
        return Ok(refused);
    }
    let Ok(priority) = Priority::parse(data.get("priority")) else {
        return cx
            .refused_choice(&case, "field-error-consular-filter-choice")
            .await;
    };
    if priority == case.priority() {
        // Nothing changes: nothing written, nothing to audit.
        return Ok(cx.saved(&case));
    }
    // The priority the page showed (a form from before this field: the one read now).
    let seen = match data.get("seen_priority").trim() {
        "" => Ok(case.priority()),
        shown => Priority::parse(shown),
    };
    if seen != Ok(case.priority()) {
        // A colleague changed it since the page was shown: theirs stands until seen.
        return cx.stale(&case, "officer-case-priority-changed").await;
    }
    let mut tx = cx.state.db.begin().await.map_err(AppError::internal)?;
    if !cases::reprioritise(&mut tx, &case.id, &cx.mission.id, case.priority(), priority)
        .await
        .map_err(AppError::internal)?
    {
        return cx
            .changed_since_read(tx, &case.id, "officer-case-priority-changed")
            .await;
    }
    let summary = serde_json::json!({
        "reference": case.reference,
        "from": case.priority().as_str(),
        "to": priority.as_str(),
    });
    crate::audit_log::commit_with(tx, &cx.record(CASE_PRIORITY, &case, summary)).await?;
    Ok(cx.saved(&case))
}

pub async fn add_note(
    cx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let case = cx.case(&id).await?;
    let mut typed = Typed {
        note: data.get("note").to_owned(),
        ..Typed::default()
    };
    let body = required_text(&typed.note, TEXT_MAX);
    text_error(&mut typed.errors, "note", &body);
    let Ok(body) = body else {
        return cx.refused(&case, &typed).await;
    };
    let mut tx = cx.state.db.begin().await.map_err(AppError::internal)?;
    let (_, new) = cases::add_message_once(&mut tx, &case.id, cx.actor.id(), true, true, &body)
        .await
        .map_err(AppError::internal)?;
    if !new {
        // The same note sent again a moment ago (a double click): already there.
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(cx.done(&case, "note"));
    }
    // The note itself stays on the case; the trail records that one was written.
    let summary = serde_json::json!({ "reference": case.reference, "chars": body.chars().count() });
    crate::audit_log::commit_with(tx, &cx.record(CASE_NOTE, &case, summary)).await?;
    Ok(cx.done(&case, "note"))
}

pub async fn send_message(
    cx: Ctx,
    Path((_, id)): Path<(String, String)>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let case = cx.case(&id).await?;
    let mut typed = Typed {
        message: data.get("message").to_owned(),
        ..Typed::default()
    };
    let body = required_text(&typed.message, TEXT_MAX);
    text_error(&mut typed.errors, "message", &body);
    let Ok(body) = body else {
        return cx.refused(&case, &typed).await;
    };
    // A closed case takes no more messages: its applicant could not answer (their page has
    // no form), though the mail would tell them to. What was typed stays in the box.
    if case.state == CaseState::Closed.as_str() {
        typed.note = std::mem::take(&mut typed.message);
        return cx
            .stale_with(&case, "officer-case-messages-closed", &typed)
            .await;
    }
    // Sent again a moment ago (a double click), it is already sent: the same page either way.
    let sent = workflow::message_applicant(&cx.state, &case, &by(&cx.actor), &body).await?;
    Ok(cx.done(&case, sent.done()))
}
