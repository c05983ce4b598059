//! Mail to the officer who works a case: that it was given to them by a colleague, or that its
//! applicant wrote. Each names the case and links its page; the applicant's details and words
//! stay there, behind the officer's sign-in.

use fluent_bundle::FluentArgs;
use safir_store::consular::cases::Case;
use safir_store::{Tx, accounts, missions};

use crate::email::{self, OutgoingEmail};
use crate::error::AppError;
use crate::state::AppState;

/// Enqueues the mail `template` (`email-{template}-subject` and `-body`) to `officer_id` in
/// their language, with `reference` and `link` set besides `args`; `key`, when given, makes a
/// second mail with the same key a no-op.
pub async fn send(
    state: &AppState,
    tx: &mut Tx,
    case: &Case,
    officer_id: &str,
    template: &str,
    args: FluentArgs<'_>,
    key: Option<String>,
) -> Result<(), AppError> {
    let message = render(state, case, officer_id, template, args).await?;
    email::enqueue(tx, &message, key)
        .await
        .map_err(AppError::internal)
}

/// The mail `template` to `officer_id`, as [`send`] enqueues it.
async fn render(
    state: &AppState,
    case: &Case,
    officer_id: &str,
    template: &str,
    mut args: FluentArgs<'_>,
) -> Result<OutgoingEmail, AppError> {
    let officer = accounts::find_user(&state.db, officer_id)
        .await
        .map_err(AppError::internal)?;
    let mission = missions::find(&state.db, &case.mission_id)
        .await
        .map_err(AppError::internal)?;
    args.set("reference", case.display_reference());
    args.set(
        "link",
        format!(
            "{}/missions/{}/cases/{}",
            state.config.public_url.trim_end_matches('/'),
            mission.code,
            case.id
        ),
    );
    let lang = crate::accounts::user_lang(&officer);
    Ok(email::render(&officer.email, lang, template, &args))
}

/// Tells the officer a colleague (`by`) gave `case` to, in the same transaction as the
/// assignment; `case` is the case as it was read before it. Nothing is sent when the case
/// goes back to the pool or an officer takes it themselves. When its applicant waits for an
/// answer the mail says so, since the applicant's earlier mail went to whoever worked the case
/// then, or to nobody; it then stands for the mail of that wait (its key is the wait's), so a
/// further message of the applicant before the mission answers sends nothing more. An officer
/// told of this wait before, and given the case again, is still told they were given it.
pub async fn assigned(
    state: &AppState,
    tx: &mut Tx,
    case: &Case,
    to: Option<&str>,
    by: &accounts::User,
) -> Result<(), AppError> {
    let Some(to) = to.filter(|to| *to != by.id) else {
        return Ok(());
    };
    let mut args = FluentArgs::new();
    args.set("by", by.display_name.clone());
    args.set(
        "waiting",
        if case.awaiting_reply_since.is_some() {
            "yes"
        } else {
            "no"
        },
    );
    let message = render(state, case, to, "case-assigned", args).await?;
    // The wait's key when it is still free; taken (this officer was told of this wait before
    // and is given the case back), the mail goes without one. A mail without a key is always
    // queued, so only a taken key reaches the second enqueue.
    let key = case
        .awaiting_reply_since
        .map(|since| super::applicant_wrote::wait_key(&case.id, to, since));
    if !email::enqueue_new(tx, &message, key)
        .await
        .map_err(AppError::internal)?
    {
        email::enqueue(tx, &message, None)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(())
}
