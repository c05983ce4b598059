//! Actions on a user: grant and revoke roles, disable and enable the account, reset the
//! password. Each change and its audit record commit together; the last enabled
//! ministry-wide administrator can be neither revoked nor disabled.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use safir_domain::accounts::Password;
use safir_domain::audit::{AuditAction, actions};
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::{self, directory, grants, password};
use safir_store::{StoreError, Tx, missions};

use super::support::{Actor, FormData, one_time_password};
use super::user_form::GrantChoice;
use super::user_new::show_password_once;
use super::user_page::{UserPageState, refused, user_uri};
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::FlashKind;
use crate::state::AppState;

/// Turning an account back on has no constant in the domain's list; it mirrors `user.disable`.
const USER_ENABLE: AuditAction = AuditAction::new("user.enable");

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
    UserPageState {
        flash: Some((FlashKind::Error, crate::i18n::t(lang, "admin-last-admin"))),
        ..UserPageState::default()
    }
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
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let choice = GrantChoice::from_data(&data);
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
    let added = grants::grant(&mut tx, &user.id, role, &scope, Some(actor.id()))
        .await
        .map_err(AppError::internal)?;
    if added {
        let record = actor.audit(
            actions::ROLE_GRANT,
            "user",
            Some(&user.id),
            mission_of(&scope),
            serde_json::json!({ "role": role.as_str(), "scope": scope.to_storage() }),
        );
        crate::audit_log::append(&mut tx, &record).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(done(&user.id, "granted"))
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
    if user.disabled_at.is_some() == disable {
        return Ok(done(&user.id, outcome));
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let action = if disable {
        actions::USER_DISABLE
    } else {
        USER_ENABLE
    };
    let record = actor.audit(action, "user", Some(&user.id), None, serde_json::json!({}));
    crate::audit_log::append(&mut tx, &record).await?;
    // Disabling also deletes the account's sessions, in the same transaction. Already so (a
    // second click that read the page before the first committed): nothing to record.
    let changed = accounts::set_disabled(&mut tx, &user.id, disable)
        .await
        .map_err(AppError::internal)?;
    if !changed {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(done(&user.id, outcome));
    }
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

pub async fn reset_password(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
) -> Result<Response, AppError> {
    let user = existing_user(&state, &user_id).await?;
    let secret = one_time_password();
    let parsed = Password::parse(&secret).map_err(AppError::internal)?;
    let hash = password::hash(&parsed).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // Whoever knew the old password is signed out everywhere, and the API tokens made with
    // it stop, with the reset itself.
    let tokens_revoked = accounts::reset_password(&mut tx, &user.id, &hash)
        .await
        .map_err(AppError::internal)?;
    let record = actor.audit(
        actions::USER_PASSWORD_RESET,
        "user",
        Some(&user.id),
        None,
        serde_json::json!({ "sessions_ended": true, "api_tokens_revoked": tokens_revoked }),
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
