//! The applicant wrote: their message goes on the case, and the officer who works it is told
//! by mail, once for each stretch of the applicant's messages the mission has not answered
//! (the queue marks the same stretch "New message"). The mail names the case and links its
//! page; the words stay there, behind the officer's sign-in.

use chrono::{DateTime, Utc};
use fluent_bundle::FluentArgs;
use safir_domain::roles::{Permission, Role};
use safir_store::Tx;
use safir_store::accounts::directory::MissionStaff;
use safir_store::consular::cases;

use crate::error::AppError;
use crate::state::AppState;

/// Adds the applicant's (non-internal) message `body` to the case and tells its officer;
/// the same text sent again a moment later (a double click, a retried request) adds nothing.
pub async fn add(
    state: &AppState,
    tx: &mut Tx,
    case_id: &str,
    author_id: &str,
    body: &str,
) -> Result<(), AppError> {
    let (_, new) = cases::add_message_once(tx, case_id, author_id, false, false, body)
        .await
        .map_err(AppError::internal)?;
    if new {
        tell_assignee(state, tx, case_id).await?;
    }
    Ok(())
}

/// Mails the officer the case is assigned to that a message of its applicant waits for an
/// answer. Nobody is told of an unassigned case (the queue shows it to every officer), nor an
/// assignee who no longer works the mission's cases (role withdrawn, account disabled): the
/// link would not open for them. A second message before the mission answers sends nothing
/// more: the mail's key is the start of the wait.
pub async fn tell_assignee(state: &AppState, tx: &mut Tx, case_id: &str) -> Result<(), AppError> {
    let case = cases::find_in_tx(tx, case_id)
        .await
        .map_err(AppError::internal)?;
    let (Some(assignee), Some(since)) = (&case.assignee_id, case.awaiting_reply_since) else {
        return Ok(());
    };
    let works_cases = |staff: &[MissionStaff]| {
        staff.iter().any(|s| {
            s.user_id == *assignee
                && !s.disabled
                && Role::parse(&s.role).is_ok_and(|r| r.grants(Permission::ManageConsularCases))
        })
    };
    let here = crate::auth::cache::mission_staff(state, &case.mission_id).await?;
    if !works_cases(&here) && !works_cases(&crate::auth::cache::mission_staff(state, "*").await?) {
        return Ok(());
    }
    let key = wait_key(&case.id, assignee, since);
    super::officer_mail::send(
        state,
        tx,
        &case,
        assignee,
        "case-applicant-wrote",
        FluentArgs::new(),
        Some(key),
    )
    .await
}

/// The key of the one mail telling `officer` that the applicant of `case_id` waits for an
/// answer since `since`: this module's, or the assignment's when the case is given to them
/// during the wait.
pub(super) fn wait_key(case_id: &str, officer: &str, since: DateTime<Utc>) -> String {
    format!(
        "case-wrote:{case_id}:{officer}:{}",
        since.timestamp_micros()
    )
}
