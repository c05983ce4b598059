//! `GET /account` (the settings page) and the profile and password forms it posts.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use safir_domain::accounts::DisplayName;
use safir_domain::audit::actions;
use safir_store::accounts::{self, password, sessions, tokens};
use serde::Deserialize;

use super::account_page::{AccountForm, account_page, refused_form};
use super::common::{
    ClientInfo, current_password_error, error_summary, new_password_fields, own_account_record,
    page_response, push_domain_error, tell_password_changed,
};
use super::sign_up::validate_new_password;
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::Field;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let html = account_page(
        &state,
        lang,
        &uri,
        &viewer,
        &me,
        AccountForm::None,
        &FieldErrors::new(),
        q.notice.as_deref(),
    )
    .await?;
    Ok(html.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub lang: String,
}

pub async fn save_profile(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Form(form): Form<ProfileForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let name = DisplayName::parse(&form.display_name)
        .map_err(|e| push_domain_error(&mut errors, "display_name", e.code))
        .ok();
    let chosen = match form.lang.as_str() {
        "ar" => Some(safir_domain::Lang::Ar),
        "en" => Some(safir_domain::Lang::En),
        _ => {
            errors.push("lang", "invalid");
            None
        }
    };
    let (Some(name), Some(chosen)) = (name, chosen) else {
        let again = AccountForm::Profile {
            display_name: form.display_name,
            lang: form.lang,
        };
        return refused_form(&state, (lang, &uri, &viewer), &me, again, &errors).await;
    };
    // Name and language change together or not at all.
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    accounts::update_profile(&mut tx, &me.user.id, Some(&name), Some(chosen))
        .await
        .map_err(AppError::internal)?;
    crate::api::me::record_profile_update(
        &mut tx,
        (&me.user, me.is_staff()),
        Some(name.as_str()),
        Lang::parse(chosen.code()),
        "form",
        client.ip_string(),
    )
    .await
    .map_err(AppError::internal)?;
    tx.commit().await.map_err(AppError::internal)?;
    // The saved language wins over the cookie, but not over an explicit `?lang=`.
    Ok(Redirect::to("/account?notice=profile-saved").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
    /// Ticked: the account's API tokens are revoked with the change (see the account page).
    pub revoke_tokens: Option<String>,
}

pub async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    if let Some(code) =
        current_password_error(&state, &client, &me.user, &form.current_password).await?
    {
        errors.push("current_password", code);
    }
    let new = validate_new_password(
        &mut errors,
        "new_password",
        &form.new_password,
        "new_password_confirm",
        &form.new_password_confirm,
    );
    let (Some(new), true) = (new, errors.is_empty()) else {
        let page = (lang, &uri, &viewer);
        let again = AccountForm::Password {
            revoke_tokens: form.revoke_tokens.is_some(),
        };
        return refused_form(&state, page, &me, again, &errors).await;
    };
    let hash = password::hash(&new).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // A password changed because it may have leaked: a token made by whoever knew it would
    // outlive the change, so the form offers to revoke them all (ticked by default).
    let tokens_revoked = if form.revoke_tokens.is_some() {
        tokens::revoke_all_api_tokens(&mut tx, &me.user.id)
            .await
            .map_err(AppError::internal)?
    } else {
        0
    };
    let summary = serde_json::json!({
        "by": "self",
        "via": "settings",
        "api_tokens_revoked": tokens_revoked,
    });
    set_own_password(&mut tx, &me, &hash, &client, summary).await?;
    tx.commit().await.map_err(AppError::internal)?;
    let notice = if tokens_revoked > 0 {
        "password-changed-tokens"
    } else {
        "password-changed"
    };
    Ok(Redirect::to(&format!("/account?notice={notice}")).into_response())
}

/// Sets `hash` as the signed-in owner's own password, in `tx`: the owner is told by email,
/// a staff account's change is recorded (`summary`), and every other session ends with the
/// old password, in the same transaction: none of them can make a token between the change
/// and their end, and a failure changes nothing.
async fn set_own_password(
    tx: &mut safir_store::Tx,
    me: &CurrentUser,
    hash: &str,
    client: &ClientInfo,
    summary: serde_json::Value,
) -> Result<(), AppError> {
    accounts::set_password_hash(tx, &me.user.id, hash)
        .await
        .map_err(AppError::internal)?;
    tell_password_changed(tx, &me.user).await?;
    if me.is_staff() {
        let record = own_account_record(&me.user, actions::USER_PASSWORD_RESET, client, summary);
        crate::audit_log::append(tx, &record).await?;
    }
    if let Some(keep) = &me.session_id_hash {
        sessions::delete_others_for_user(tx, &me.user.id, keep)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(())
}

/// The page a person signed in with a password an administrator set is kept on until they
/// choose their own (see `auth::access::CHOOSE_PASSWORD`).
#[derive(Template)]
#[template(path = "accounts/choose_password.html")]
struct ChoosePasswordPage {
    page: Page,
    csrf_token: String,
    password: Field,
    password_confirm: Field,
    error_summary: Option<String>,
}

fn choose_view(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    errors: &FieldErrors,
) -> ChoosePasswordPage {
    let (password, password_confirm) = new_password_fields(
        lang,
        ("new_password", "new_password_confirm"),
        "accounts-field-new-password",
        errors,
    );
    ChoosePasswordPage {
        page: state.page(lang, uri, "accounts-choose-password-title", viewer),
        csrf_token: state.csrf_token(viewer),
        password,
        password_confirm,
        error_summary: error_summary(lang, errors),
    }
}

/// `GET /account/password/choose`: the form, for whoever must replace a password an
/// administrator set; anyone else has nothing to do here and goes to their account.
pub async fn choose_password_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
) -> Result<Response, AppError> {
    if !me.must_change_password() {
        return Ok(Redirect::to("/account").into_response());
    }
    let view = choose_view(&state, (lang, &uri, &viewer), &FieldErrors::new());
    Ok(render(&view)?.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChoosePasswordForm {
    pub new_password: String,
    pub new_password_confirm: String,
}

/// `POST /account/password/choose`: sets the owner's own password in place of the one an
/// administrator set. No current password is asked: it was typed to sign in a moment ago,
/// and the administrator who set it knows it anyway. The new one must differ from it.
pub async fn choose_password(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Form(form): Form<ChoosePasswordForm>,
) -> Result<Response, AppError> {
    if !me.must_change_password() {
        return Ok(Redirect::to("/account").into_response());
    }
    let mut errors = FieldErrors::new();
    let new = validate_new_password(
        &mut errors,
        "new_password",
        &form.new_password,
        "new_password_confirm",
        &form.new_password_confirm,
    );
    if new.is_some() && password::verify(&form.new_password, &me.user.password_hash).await {
        errors.push("new_password", "accounts_password_same");
    }
    let (Some(new), true) = (new, errors.is_empty()) else {
        let view = choose_view(&state, (lang, &uri, &viewer), &errors);
        return Ok(page_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&view)?,
        ));
    };
    let hash = password::hash(&new).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // The owner's own password: the administrator's mark goes with it, and any other session
    // opened with the administrator's password ends.
    let summary = serde_json::json!({
        "by": "self",
        "via": "replaced_admin_password",
    });
    set_own_password(&mut tx, &me, &hash, &client, summary).await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to("/account?notice=password-changed").into_response())
}
