//! What staff do to an alert: count its audience, submit it (straight to sending at or below
//! the approval threshold, else to a second staff member), approve or send back, withdraw,
//! and follow a published alert with an Update or a Cancel that references it.
//!
//! Every change is a conditional UPDATE from the status the page showed: a double click, a
//! retried request or two approvers at once change it once, and only the winner enqueues the
//! fan-out (whose idempotency key would stop a second one anyway).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use safir_domain::audit::AuditAction;
use safir_domain::audit::actions::{
    ALERT_APPROVE, ALERT_CANCEL, ALERT_PREVIEW, ALERT_REJECT, ALERT_SUBMIT,
};
use safir_domain::crisis::alert::{AlertAction, AlertError, AlertStatus, needs_approval};
use safir_domain::crisis::cap::MsgType;
use safir_domain::ids::UserId;
use safir_domain::roles::Permission;
use safir_store::crisis::alerts::{self, Alert, NewAlert, Transition};
use safir_store::crisis::audience::{self, AudienceCounts};
use safir_store::jobs::{self, NewJob};
use safir_store::{Tx, now};

use super::compose::{Once, store_new_in};
use super::fanout::FANOUT_JOB;
use super::own_alert;
use crate::admin::support::{Actor, FormData};
use crate::error::AppError;
use crate::state::AppState;

fn to_alert(alert: &Alert) -> Response {
    Redirect::to(&format!("/staff/alerts/{}", alert.id)).into_response()
}

/// The version of the alert the acting page showed (its hidden `seen` field): `Err` when the
/// alert was changed since (sent back, edited and submitted again: the same status, not the
/// same alert). A form without the field checks the status only.
fn seen_version(d: &FormData, alert: &Alert) -> Result<Option<DateTime<Utc>>, Changed> {
    match crate::admin::support::seen_is(d, alert.updated_at) {
        None => Ok(None),
        Some(true) => Ok(Some(alert.updated_at)),
        Some(false) => Err(Changed),
    }
}

/// The alert changed since the acting page was drawn.
struct Changed;

fn changed(alert: &Alert) -> Response {
    Redirect::to(&format!("/staff/alerts/{}?problem=changed", alert.id)).into_response()
}

/// A Cancel of the alert's thread went out: the event is over.
fn thread_cancelled(alert: &Alert) -> Response {
    Redirect::to(&format!("/staff/alerts/{}?problem=cancelled", alert.id)).into_response()
}

/// The alert's crisis is closed: a new alert would ask its people to reply SAFE or HELP, and
/// nothing takes their answers any more.
fn crisis_closed(alert: &Alert) -> Response {
    Redirect::to(&format!("/staff/alerts/{}?problem=crisis-closed", alert.id)).into_response()
}

/// Whether `alert` is refused because its crisis is closed, read (and, on PostgreSQL, held
/// against a close) in `tx`, the transaction that moves it: a new alert goes out only while
/// its crisis is open. An Update or a Cancel of an alert already sent still goes out after
/// the close (an "all clear", a correction), for information only: the fan-out asks nobody
/// to check in for a closed crisis.
async fn refused_in_closed_crisis(tx: &mut Tx, alert: &Alert) -> Result<bool, AppError> {
    if alert.msg_type != MsgType::Alert.as_str() {
        return Ok(false);
    }
    let open = alerts::hold_alert_crisis_open(tx, &alert.id)
        .await
        .map_err(AppError::internal)?;
    Ok(open == Some(false))
}

/// The alert's expiry has passed: sent now, it would tell people what no longer holds (a
/// curfew until 06:00 read at noon). A Cancel is not held back: it says that nothing of the
/// thread applies any more.
fn expired(alert: &Alert) -> Option<Response> {
    let over =
        alert.msg_type != MsgType::Cancel.as_str() && alert.expires.is_some_and(|e| e <= now());
    over.then(|| {
        Redirect::to(&format!("/staff/alerts/{}?problem=expired", alert.id)).into_response()
    })
}

/// Whether `alert` follows an earlier one whose thread a Cancel has ended, holding the thread
/// for the rest of `tx` (see `alerts::hold_thread`): then it is not sent.
async fn follows_a_cancelled_thread(tx: &mut Tx, alert: &Alert) -> Result<bool, AppError> {
    if alert.references_id.is_none() {
        return Ok(false);
    }
    alerts::hold_thread(tx, &alert.id)
        .await
        .map_err(AppError::internal)
}

async fn count(state: &AppState, alert: &Alert) -> Result<AudienceCounts, AppError> {
    let target = alert.target().map_err(AppError::internal)?;
    let audience = audience::resolve(&state.db, &target, now())
        .await
        .map_err(AppError::internal)?;
    Ok(audience.counts)
}

pub async fn preview_audience(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let alert = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
    if alert.status != AlertStatus::Draft.as_str() {
        return Ok(to_alert(&alert));
    }
    let counts = count(&state, &alert).await?;
    alerts::set_audience(&state.db, &alert.id, &counts)
        .await
        .map_err(AppError::internal)?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    audit_alert(
        &mut tx,
        &actor,
        ALERT_PREVIEW,
        &alert,
        serde_json::to_value(counts).unwrap_or_default(),
    )
    .await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(to_alert(&alert))
}

/// The alert's fan-out job, and the stop of what the rest of its thread still has queued: for
/// a Cancel message (the original and every Update of it stop), and for an Update, which
/// supersedes them (nobody should get an earlier text after the update, the original's or a
/// first Update's). Runs in the transaction that moved the alert to sending.
async fn start_sending(tx: &mut Tx, alert: &Alert) -> Result<(), AppError> {
    let job = NewJob::new(FANOUT_JOB, serde_json::json!({ "alert_id": alert.id }))
        .idempotency_key(format!("fanout:{}", alert.id));
    jobs::enqueue(tx, &job).await.map_err(AppError::internal)?;
    if alert.references_id.is_some() {
        if alert.msg_type == MsgType::Cancel.as_str() {
            alerts::stop_thread(tx, &alert.id)
                .await
                .map_err(AppError::internal)?;
        } else if alert.msg_type == MsgType::Update.as_str() {
            alerts::supersede_thread(tx, &alert.id)
                .await
                .map_err(AppError::internal)?;
        }
    }
    Ok(())
}

pub async fn submit_alert(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let alert = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
    let status = alert.status().map_err(AppError::internal)?;
    if status != AlertStatus::Draft {
        // Already submitted (a double click): nothing more to do.
        return Ok(to_alert(&alert));
    }
    // Another member of staff saved a new text meanwhile: it would go out under this one's
    // name unread.
    let Ok(seen) = seen_version(&d, &alert) else {
        return Ok(changed(&alert));
    };
    if let Some(refused) = expired(&alert) {
        return Ok(refused);
    }
    let counts = count(&state, &alert).await?;
    let threshold = u64::from(state.config.crisis.approval_threshold);
    let wait = needs_approval(counts.size(), threshold);
    let next = status
        .apply(AlertAction::Submit {
            needs_approval: wait,
        })
        .map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if follows_a_cancelled_thread(&mut tx, &alert).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(thread_cancelled(&alert));
    }
    if refused_in_closed_crisis(&mut tx, &alert).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(crisis_closed(&alert));
    }
    let moved = alerts::transition(
        &mut tx,
        &alert.id,
        &Transition {
            from: status,
            to: next,
            by: None,
            audience: Some(&counts),
            counted_area: Some(&alert.target),
            seen,
        },
    )
    .await
    .map_err(AppError::internal)?;
    if !moved {
        tx.rollback().await.map_err(AppError::internal)?;
        // Submitted already (a double click), or its area saved again since it was counted:
        // then it is still a draft, shown as it is now, to submit anew.
        let now = alerts::find(&state.db, &alert.id)
            .await
            .map_err(AppError::internal)?;
        if now.status == AlertStatus::Draft.as_str() {
            return Ok(changed(&alert));
        }
        return Ok(to_alert(&alert));
    }
    if next == AlertStatus::Sending {
        start_sending(&mut tx, &alert).await?;
    }
    audit_alert(
        &mut tx,
        &actor,
        ALERT_SUBMIT,
        &alert,
        serde_json::json!({ "to": next.as_str(), "audience": counts, "threshold": threshold }),
    )
    .await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(to_alert(&alert))
}

pub async fn approve_alert(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let alert = own_alert(&state, &actor, &id, Permission::ApproveAlerts).await?;
    let status = alert.status().map_err(AppError::internal)?;
    let by_author = super::wrote_or_sent(&state, &alert, &actor).await?;
    let next = match status.apply(AlertAction::Approve { by_author }) {
        Ok(next) => next,
        Err(AlertError::SelfApproval) => return Err(AppError::Forbidden),
        Err(AlertError::NotAllowed { .. }) => return Ok(changed(&alert)),
    };
    // The approval is of the text and audience the approver read.
    let Ok(seen) = seen_version(&d, &alert) else {
        return Ok(changed(&alert));
    };
    if let Some(refused) = expired(&alert) {
        return Ok(refused);
    }
    let by = UserId::from_trusted(actor.id().to_owned());
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if follows_a_cancelled_thread(&mut tx, &alert).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(thread_cancelled(&alert));
    }
    if refused_in_closed_crisis(&mut tx, &alert).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(crisis_closed(&alert));
    }
    let moved = alerts::transition(
        &mut tx,
        &alert.id,
        &Transition {
            from: status,
            to: next,
            by: Some(&by),
            audience: None,
            counted_area: None,
            seen,
        },
    )
    .await
    .map_err(AppError::internal)?;
    if !moved {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(changed(&alert));
    }
    start_sending(&mut tx, &alert).await?;
    audit_alert(
        &mut tx,
        &actor,
        ALERT_APPROVE,
        &alert,
        serde_json::json!({ "author": alert.created_by }),
    )
    .await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(to_alert(&alert))
}

pub async fn reject_alert(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let alert = own_alert(&state, &actor, &id, Permission::ApproveAlerts).await?;
    let status = alert.status().map_err(AppError::internal)?;
    let Ok(next) = status.apply(AlertAction::Reject) else {
        return Ok(changed(&alert));
    };
    let Ok(seen) = seen_version(&d, &alert) else {
        return Ok(changed(&alert));
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let moved = alerts::transition(
        &mut tx,
        &alert.id,
        &Transition {
            from: status,
            to: next,
            by: None,
            audience: None,
            counted_area: None,
            seen,
        },
    )
    .await
    .map_err(AppError::internal)?;
    if moved {
        audit_alert(&mut tx, &actor, ALERT_REJECT, &alert, serde_json::json!({})).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(to_alert(&alert))
}

/// A new draft of `msg_type` referencing a published alert, with its text and area; the one
/// already open when there is one (a double click, a second tab), and none once a Cancel of
/// the alert's thread went out.
async fn follow_up(
    state: &AppState,
    actor: &Actor,
    alert: &Alert,
    msg_type: MsgType,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if alerts::hold_thread(&mut tx, &alert.id)
        .await
        .map_err(AppError::internal)?
    {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(thread_cancelled(alert));
    }
    if let Some(open) = alerts::open_follow_up(&mut tx, &alert.id, msg_type)
        .await
        .map_err(AppError::internal)?
    {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(Redirect::to(&format!("/staff/alerts/{open}")).into_response());
    }
    let new = NewAlert {
        crisis_id: alert.crisis_id.clone(),
        mission_id: alert.mission(),
        msg_type,
        references_id: Some(alert.id.clone()),
        input: alert.input().map_err(AppError::internal)?,
        source: String::new(),
        created_by: Some(UserId::from_trusted(actor.id().to_owned())),
    };
    let action = match msg_type {
        MsgType::Cancel => ALERT_CANCEL,
        _ => safir_domain::audit::actions::ALERT_CREATE,
    };
    let (draft, _) = store_new_in(tx, actor, &new, action, Once::No).await?;
    Ok(to_alert(&draft))
}

pub async fn update_alert(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let alert = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
    let status = alert.status().map_err(AppError::internal)?;
    // A Cancel message is not updated: the event it ended is over.
    if !matches!(status, AlertStatus::Sending | AlertStatus::Completed)
        || alert.msg_type == MsgType::Cancel.as_str()
    {
        return Ok(changed(&alert));
    }
    follow_up(&state, &actor, &alert, MsgType::Update).await
}

/// Withdraws a draft or an alert waiting for approval; for an alert already out, opens a
/// Cancel message referencing it (sending that stops what is still queued).
pub async fn cancel_alert(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let alert = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
    let status = alert.status().map_err(AppError::internal)?;
    match status {
        AlertStatus::Draft | AlertStatus::PendingApproval => {
            let mut tx = state.db.begin().await.map_err(AppError::internal)?;
            let moved = alerts::transition(
                &mut tx,
                &alert.id,
                &Transition {
                    from: status,
                    to: AlertStatus::Cancelled,
                    by: None,
                    audience: None,
                    counted_area: None,
                    seen: None,
                },
            )
            .await
            .map_err(AppError::internal)?;
            if moved {
                audit_alert(
                    &mut tx,
                    &actor,
                    ALERT_CANCEL,
                    &alert,
                    serde_json::json!({ "from": status.as_str() }),
                )
                .await?;
            }
            tx.commit().await.map_err(AppError::internal)?;
            Ok(to_alert(&alert))
        }
        AlertStatus::Sending | AlertStatus::Completed
            if alert.msg_type != MsgType::Cancel.as_str() =>
        {
            follow_up(&state, &actor, &alert, MsgType::Cancel).await
        }
        _ => Ok(changed(&alert)),
    }
}

/// The audit record of a staff action on an alert, in the action's transaction.
async fn audit_alert(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    alert: &Alert,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let record = actor.audit(
        action,
        "crisis_alert",
        Some(&alert.id),
        Some(&alert.mission_id),
        detail,
    );
    crate::audit_log::append(tx, &record).await
}
