//! Actions on a user: grant and revoke roles, disable and enable the account, reset the
//! password or the second factor. Each change and its audit record commit together; the last enabled
//! ministry-wide administrator can be neither revoked nor disabled, and no administrator
//! disables their own account or revokes their own ministry-wide administrator role.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use safir_domain::accounts::Password;
use safir_domain::audit::{AuditAction, actions};
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::{self, directory, grants, password, sessions, tokens};
use safir_store::audit::{self, AuditFilter};
use safir_store::{StoreError, Tx, missions};

use super::support::{Actor, FormData, REQUEST_KEY, one_time_password};
use super::user_form::GrantChoice;
use super::user_new::show_password_once;
use super::user_page::{UserPageState, refused, user_page, user_uri};
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::FlashKind;
use crate::state::AppState;

/// Turning an account back on has no constant in the domain's list; it mirrors `user.disable`.
const USER_ENABLE: AuditAction = AuditAction::new("user.enable");
/// An administrator turned off an account's second factor (a lost authenticator and its
/// recovery codes), so that its owner can sign in and set it up again.
const USER_TWO_FACTOR_RESET: AuditAction = AuditAction::new("user.two_factor_reset");

fn done(user_id: &str, what: &str) -> Response {
    Redirect::to(&format!(
        "/admin/users/{}?done={what}",
        crate::auth::access::urlencode(user_id)
    ))
    .into_response()
}

async fn existing_user(state: &AppState, user_id: &str) -> Result<accounts::User, AppError> {
    match accounts::find_user(&state.db, user_id).await {
        Ok(u) => Ok(u),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// How many of an account's newest records of one action are searched for the key of the
/// form sent again: the same form comes back within moments, not after this many more.
const FORM_RECORDS: i64 = 20;

/// Whether the form sent with `key` already did `action` to this account: each reset is
/// recorded with the key of the form that asked for it, so that the same form sent twice (a
/// double click, a retried request) acts once. Reads what is committed: asked before the
/// change, to spare its work, and again after the change's write to the account in the
/// caller's transaction, which waits for another sending's transaction to end.
async fn done_by_form(
    state: &AppState,
    user_id: &str,
    action: &AuditAction,
    key: &str,
) -> Result<bool, AppError> {
    let filter = AuditFilter {
        action: Some(action.as_str().to_owned()),
        target_id: Some(user_id.to_owned()),
        ..AuditFilter::default()
    };
    let records = audit::list(&state.db, &filter, FORM_RECORDS)
        .await
        .map_err(AppError::internal)?;
    Ok(records.iter().any(|r| {
        serde_json::from_str::<serde_json::Value>(&r.summary)
            .is_ok_and(|s| s[REQUEST_KEY].as_str() == Some(key))
    }))
}

/// Whether `key` (the form's, if it came with one) already did `action` to this account.
async fn done_by(
    state: &AppState,
    user_id: &str,
    action: &AuditAction,
    key: Option<&str>,
) -> Result<bool, AppError> {
    match key {
        Some(key) => done_by_form(state, user_id, action, key).await,
        None => Ok(false),
    }
}

/// A summary with the key of the form that asked for the change, where it came with one.
fn with_key(mut summary: serde_json::Value, key: Option<&str>) -> serde_json::Value {
    if let Some(key) = key {
        summary[REQUEST_KEY] = key.into();
    }
    summary
}

fn mission_of(scope: &Scope) -> Option<&str> {
    match scope {
        Scope::Ministry => None,
        Scope::Mission(m) => Some(m.as_str()),
    }
}

/// Whether a change made in this transaction, to an account that held the ministry-wide
/// administrator role (revoking that role, disabling the account), left no enabled account
/// with it. Asked after the change, inside its transaction (whose audit append serialises it
/// with every other staff change), so that two administrators removing each other at once
/// cannot both pass.
async fn no_admin_left(tx: &mut Tx) -> Result<bool, AppError> {
    let active = directory::count_active_ministry_admins(tx)
        .await
        .map_err(AppError::internal)?;
    Ok(active == 0)
}

fn last_admin_message(lang: Lang) -> UserPageState {
    error_message(lang, "admin-last-admin")
}

fn error_message(lang: Lang, key: &str) -> UserPageState {
    UserPageState {
        flash: Some((FlashKind::Error, crate::i18n::t(lang, key))),
        ..UserPageState::default()
    }
}

/// An administrator's own access is changed by another administrator, never by themselves:
/// a slip (the wrong row, a page left open) would lock them out with no way back of their
/// own. Refused before anything is written.
async fn refused_for_oneself(
    state: &AppState,
    lang: Lang,
    (viewer, actor): (&Viewer, &Actor),
    user_id: &str,
    key: &str,
) -> Result<Response, AppError> {
    let extra = error_message(lang, key);
    refused(
        state,
        lang,
        viewer,
        actor,
        user_id,
        StatusCode::CONFLICT,
        extra,
    )
    .await
}

pub async fn grant_role(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let user = existing_user(&state, &user_id).await?;
    let choice = GrantChoice::from_data(&data);
    // Anyone can open an account with someone else's address: one whose owner never
    // confirmed it may be a stranger's, waiting for the colleague it names to be given a
    // role. Its owner confirms it first. An account an administrator made has the address
    // they set, confirmed as it is made, and takes roles at once. (An address once confirmed
    // stays so: read before the transaction, it cannot change under the grant.)
    if user.email_verified_at.is_none() {
        let extra = UserPageState {
            grant: choice,
            ..error_message(lang, "admin-grant-unconfirmed")
        };
        let status = StatusCode::CONFLICT;
        return refused(&state, lang, &viewer, &actor, &user.id, status, extra).await;
    }
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let mut errors = FieldErrors::new();
    let Some((role, scope)) = choice.parse(&all, &mut errors) else {
        let extra = UserPageState {
            grant: choice,
            errors,
            ..UserPageState::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return refused(&state, lang, &viewer, &actor, &user.id, status, extra).await;
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let first_role = !accounts::holds_a_role(&mut tx, &user.id)
        .await
        .map_err(AppError::internal)?;
    let added = grants::grant(&mut tx, &user.id, role, &scope, Some(actor.id()))
        .await
        .map_err(AppError::internal)?;
    if !added {
        // Already held (a second click, or a stale page): nothing to record.
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(done(&user.id, "granted"));
    }
    let mut summary = serde_json::json!({ "role": role.as_str(), "scope": scope.to_storage() });
    // An account's first role: its API tokens may have been made with its password alone (the
    // second factor is required once an account holds a role), and a token is taken as past
    // the second factor. Kept, they would carry the role's powers; they stop with the grant.
    let mut tokens_revoked = 0;
    if first_role {
        tokens_revoked = tokens::revoke_all_api_tokens(&mut tx, &user.id)
            .await
            .map_err(AppError::internal)?;
        summary["api_tokens_revoked"] = tokens_revoked.into();
    }
    let record = actor.audit(
        actions::ROLE_GRANT,
        "user",
        Some(&user.id),
        mission_of(&scope),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    if tokens_revoked == 0 {
        return Ok(done(&user.id, "granted"));
    }
    // The page's usual notice says only that the role was granted: the revoked tokens are
    // told here, on the page itself.
    let mut args = crate::i18n::FluentArgs::new();
    args.set("count", tokens_revoked);
    let notice = crate::i18n::t_args(lang, "admin-user-granted-tokens-revoked", &args);
    let extra = UserPageState {
        flash: Some((FlashKind::Success, notice)),
        ..UserPageState::default()
    };
    let uri = user_uri(&user.id);
    let html = user_page(&state, lang, &uri, &viewer, &actor, &user.id, extra).await?;
    Ok(html.into_response())
}

pub async fn revoke_role(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let user = existing_user(&state, &user_id).await?;
    let role = Role::parse(data.get("role")).map_err(|_| AppError::BadRequest)?;
    let scope = Scope::from_storage(data.get("scope").trim());
    if role == Role::Admin && scope == Scope::Ministry && user.id == actor.id() {
        let key = "admin-own-admin-role";
        return refused_for_oneself(&state, lang, (&viewer, &actor), &user.id, key).await;
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let record = actor.audit(
        actions::ROLE_REVOKE,
        "user",
        Some(&user.id),
        mission_of(&scope),
        serde_json::json!({ "role": role.as_str(), "scope": scope.to_storage() }),
    );
    crate::audit_log::append(&mut tx, &record).await?;
    let removed = grants::revoke(&mut tx, &user.id, role, &scope)
        .await
        .map_err(AppError::internal)?;
    if !removed {
        // Nothing changed (a second click, or a stale page): nothing to record.
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(done(&user.id, "revoked"));
    }
    let guarded = role == Role::Admin && scope == Scope::Ministry && user.disabled_at.is_none();
    if guarded && no_admin_left(&mut tx).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        let extra = last_admin_message(lang);
        return refused(
            &state,
            lang,
            &viewer,
            &actor,
            &user.id,
            StatusCode::CONFLICT,
            extra,
        )
        .await;
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(done(&user.id, "revoked"))
}

async fn set_disabled(
    state: AppState,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    user_id: String,
    disable: bool,
) -> Result<Response, AppError> {
    let outcome = if disable { "disabled" } else { "enabled" };
    let user = existing_user(&state, &user_id).await?;
    if disable && user.id == actor.id() {
        let key = "admin-own-account-disable";
        return refused_for_oneself(&state, lang, (&viewer, &actor), &user.id, key).await;
    }
    if user.disabled_at.is_some() == disable {
        return Ok(done(&user.id, outcome));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // Disabling also deletes the account's sessions and revokes its API tokens, in the same
    // transaction: a token is refused only while the account is disabled, and would work
    // again once it is enabled. Already so (a second click that read the page before the
    // first committed): nothing to record.
    let Some(tokens_revoked) = accounts::set_disabled_counting(&mut tx, &user.id, disable)
        .await
        .map_err(AppError::internal)?
    else {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(done(&user.id, outcome));
    };
    let (action, summary) = if disable {
        let summary = serde_json::json!({ "api_tokens_revoked": tokens_revoked });
        (actions::USER_DISABLE, summary)
    } else {
        (USER_ENABLE, serde_json::json!({}))
    };
    // Appended before the administrators left are counted: the append serialises this change
    // with every other staff change (see `no_admin_left`).
    let record = actor.audit(action, "user", Some(&user.id), None, summary);
    crate::audit_log::append(&mut tx, &record).await?;
    let was_admin = disable
        && directory::is_ministry_admin(&mut tx, &user.id)
            .await
            .map_err(AppError::internal)?;
    if was_admin && no_admin_left(&mut tx).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        let extra = last_admin_message(lang);
        return refused(
            &state,
            lang,
            &viewer,
            &actor,
            &user.id,
            StatusCode::CONFLICT,
            extra,
        )
        .await;
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(done(&user.id, outcome))
}

pub async fn disable_user(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    set_disabled(state, lang, viewer, actor, user_id, true).await
}

pub async fn enable_user(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    set_disabled(state, lang, viewer, actor, user_id, false).await
}

/// The answer to a reset form sent again (a double click, a retried request): the reset its
/// first sending made stands, and its one-time password was in that sending's answer. No
/// second password: one shown now would replace the first, which the browser may be showing.
fn reset_already(user_id: &str) -> Response {
    done(user_id, "password-reset-again")
}

pub async fn reset_password(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let user = existing_user(&state, &user_id).await?;
    let key = data.request_key();
    let action = actions::USER_PASSWORD_RESET;
    if done_by(&state, &user.id, &action, key.as_deref()).await? {
        return Ok(reset_already(&user.id));
    }
    let secret = one_time_password();
    let parsed = Password::parse(&secret).map_err(AppError::internal)?;
    let hash = password::hash(&parsed).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // Whoever knew the old password is signed out everywhere, and the API tokens made with
    // it stop, with the reset itself. The new one is the administrator's: its owner replaces
    // it at their next sign-in.
    let tokens_revoked = accounts::reset_password_by_admin(&mut tx, &user.id, &hash)
        .await
        .map_err(AppError::internal)?;
    // The same form sent twice at once: the write above waited for the other sending's
    // transaction, whose record is now there to find. (On SQLite the transactions run one
    // after the other from their start.)
    if done_by(&state, &user.id, &action, key.as_deref()).await? {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(reset_already(&user.id));
    }
    // The owner is told, as of a change of their own or a reset by the emailed link: a reset
    // they did not ask for (someone posing as them to an administrator, say) is theirs to
    // report at once.
    crate::accounts::tell_password_reset_by_admin(&mut tx, &user).await?;
    let summary =
        serde_json::json!({ "sessions_ended": true, "api_tokens_revoked": tokens_revoked });
    let record = actor.audit(
        action,
        "user",
        Some(&user.id),
        None,
        with_key(summary, key.as_deref()),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    let uri = user_uri(&user.id);
    let page = state
        .page(lang, &uri, "admin-password-reset-title", &viewer)
        .with_flash(
            FlashKind::Success,
            crate::i18n::t(lang, "admin-password-reset-done"),
        );
    show_password_once(page, &user, secret)
}

/// Turns off the account's second factor for its owner, who lost both their authenticator
/// and their recovery codes: the secret and the codes are forgotten, every session ends (one
/// opened with a code must not outlive the authenticator it was opened with), the owner is
/// told by mail in their language (a reset they did not ask for is theirs to report), and
/// the trail records it. An account that needs a second factor is asked to set one up again
/// at its next sign-in. Never on one's own account: another administrator checks who asks.
pub async fn reset_two_factor(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let user = existing_user(&state, &user_id).await?;
    if user.id == actor.id() {
        let key = "admin-own-two-factor-reset";
        return refused_for_oneself(&state, lang, (&viewer, &actor), &user.id, key).await;
    }
    let key = data.request_key();
    let already = done_by(&state, &user.id, &USER_TWO_FACTOR_RESET, key.as_deref()).await?;
    if already || !user.totp_enabled() {
        // Nothing turned on, or turned off by this same form (a second click, a stale page):
        // nothing to record.
        return Ok(done(&user.id, "two-factor-reset"));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    accounts::disable_totp(&mut tx, &user.id)
        .await
        .map_err(AppError::internal)?;
    // Asked again once the write above holds the account: it waited for any other reset's
    // transaction (on SQLite every transaction waits from its start), so what is committed
    // now is what this one changes. Already off (another click, another administrator), or
    // this form's reset already done (and a new factor set up since, which stays): the
    // change is undone, and no mail goes and nothing is recorded.
    let committed = existing_user(&state, &user.id).await?;
    if !committed.totp_enabled()
        || done_by(&state, &user.id, &USER_TWO_FACTOR_RESET, key.as_deref()).await?
    {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(done(&user.id, "two-factor-reset"));
    }
    let sessions_ended = sessions::delete_all_for_user_in(&mut tx, &user.id)
        .await
        .map_err(AppError::internal)?;
    let mut args = crate::i18n::FluentArgs::new();
    args.set("name", user.display_name.clone());
    let to_lang = crate::accounts::user_lang(&user);
    let message = crate::email::render(&user.email, to_lang, "two-factor-reset-by-admin", &args);
    crate::email::enqueue(&mut tx, &message, None)
        .await
        .map_err(AppError::internal)?;
    let record = actor.audit(
        USER_TWO_FACTOR_RESET,
        "user",
        Some(&user.id),
        None,
        with_key(
            serde_json::json!({ "sessions_ended": sessions_ended }),
            key.as_deref(),
        ),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(done(&user.id, "two-factor-reset"))
}
