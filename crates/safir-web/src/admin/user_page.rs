//! A user's page: profile, grants and the actions on them. Opening it is a read of personal
//! data and is audited; refused actions come back to it with the reason.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use safir_domain::audit::actions;
use safir_store::accounts::{self, grants};
use safir_store::{StoreError, missions};

use super::support::{Actor, new_request_key};
use super::user_form::{GrantChoice, GrantFormView};
use super::users::{describe_grant, describe_kind};
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::staff::labels;
use crate::state::AppState;

struct GrantRow {
    role: String,
    scope: String,
    label: String,
}

#[derive(Template)]
#[template(path = "admin/user_show.html")]
struct UserPage {
    page: Page,
    csrf_token: String,
    id: String,
    name: String,
    email: String,
    kind: String,
    language: String,
    created_at: String,
    two_factor: bool,
    /// The owner confirmed the address (an administrator's account is made confirmed): until
    /// then no role is granted to it.
    email_confirmed: bool,
    disabled: bool,
    grants: Vec<GrantRow>,
    grant_form: GrantFormView,
    /// The reset forms' own keys (see [`super::support::FormData::request_key`]).
    password_reset_key: String,
    two_factor_reset_key: String,
}

/// What a user's page shows besides the user: a message and the grant form's state.
#[derive(Default)]
pub struct UserPageState {
    pub flash: Option<(FlashKind, String)>,
    pub grant: GrantChoice,
    pub errors: FieldErrors,
}

/// Renders a user's page and records the read of their personal data.
pub async fn user_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    actor: &Actor,
    user_id: &str,
    extra: UserPageState,
) -> Result<Html<String>, AppError> {
    let user = match accounts::find_user(&state.db, user_id).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let rows = grants::list_for_user(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?;
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let record = actor.audit(
        actions::USER_READ,
        "user",
        Some(&user.id),
        None,
        serde_json::json!({ "page": "admin.user" }),
    );
    state.audit.record(record).await?;
    let mut page = state.page(lang, uri, "admin-user-title", viewer);
    page.title = format!("{} — {}", page.title, user.display_name);
    if let Some((kind, message)) = extra.flash {
        page = page.with_flash(kind, message);
    }
    render(&UserPage {
        csrf_token: state.csrf_token(viewer),
        kind: describe_kind(lang, &user.kind, !rows.is_empty()),
        language: labels::content_language(lang, &user.preferred_lang),
        created_at: user.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        two_factor: user.totp_enabled(),
        email_confirmed: user.email_verified_at.is_some(),
        disabled: user.disabled_at.is_some(),
        grants: rows
            .iter()
            .map(|g| GrantRow {
                label: describe_grant(lang, &g.role, &g.scope, &all),
                role: g.role.clone(),
                scope: g.scope.clone(),
            })
            .collect(),
        grant_form: GrantFormView::new(lang, &extra.grant, &all, &extra.errors),
        password_reset_key: new_request_key(),
        two_factor_reset_key: new_request_key(),
        page,
        id: user.id,
        name: user.display_name,
        email: user.email,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct UserPageParams {
    #[serde(default)]
    done: String,
}

pub async fn show_user(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
    Query(params): Query<UserPageParams>,
) -> Result<Html<String>, AppError> {
    let flash = match params.done.as_str() {
        done @ ("granted" | "revoked" | "disabled" | "enabled" | "two-factor-reset") => Some((
            FlashKind::Success,
            crate::i18n::t(lang, &format!("admin-user-{done}")),
        )),
        "created" => Some((
            FlashKind::Info,
            crate::i18n::t(lang, "admin-user-created-again"),
        )),
        "password-reset-again" => Some((
            FlashKind::Info,
            crate::i18n::t(lang, "admin-password-reset-again"),
        )),
        _ => None,
    };
    let extra = UserPageState {
        flash,
        ..UserPageState::default()
    };
    user_page(&state, lang, &uri, &viewer, &actor, &user_id, extra).await
}

/// A user's page address, for the language switcher of pages answering a POST.
pub fn user_uri(user_id: &str) -> Uri {
    format!("/admin/users/{}", crate::auth::access::urlencode(user_id))
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/admin/users"))
}

/// A refused action: the user's page again with the reason, and `status`.
pub async fn refused(
    state: &AppState,
    lang: Lang,
    viewer: &Viewer,
    actor: &Actor,
    user_id: &str,
    status: StatusCode,
    extra: UserPageState,
) -> Result<Response, AppError> {
    let uri = user_uri(user_id);
    let html = user_page(state, lang, &uri, viewer, actor, user_id, extra).await?;
    Ok((status, axum::Extension(crate::error::OwnErrorPage), html).into_response())
}
