//! `GET /account`: the settings page — profile, password, two-factor, sessions, personal
//! access tokens — and the profile and password forms it posts.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::accounts::DisplayName;
use safir_domain::audit::actions;
use safir_store::accounts::{self, password, sessions, tokens};
use safir_store::audit::{self, NewAuditRecord};
use serde::Deserialize;

use super::common::error_summary;
use super::common::{
    ClientInfo, browser_label, format_time, page_response, push_domain_error, send_email,
};
use super::sign_up::validate_new_password;
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::{I18n, Lang};
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

/// Which form of the page is shown again, with what the user typed.
#[derive(Debug, Clone, Default)]
pub enum AccountForm {
    #[default]
    None,
    Profile {
        display_name: String,
        lang: String,
    },
    Password,
    Token {
        name: String,
        read: bool,
        write: bool,
        expires: String,
    },
    DisableTotp,
}

pub struct SessionRow {
    pub browser: String,
    pub ip: String,
    pub last_seen: String,
    pub current: bool,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub scopes: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    page: Page,
    csrf_token: String,
    email: String,
    email_verified: bool,
    is_staff: bool,
    display_name: Field,
    lang_choice: String,
    current_password: Field,
    new_password: Field,
    new_password_confirm: Field,
    totp_enabled: bool,
    recovery_codes_text: String,
    disable_password: Field,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    token_name: Field,
    token_read: bool,
    token_write: bool,
    token_scopes_error: Option<String>,
    token_expires: Field,
    error_summary: Option<String>,
}

fn notice_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "welcome" => "accounts-notice-welcome",
        "profile-saved" => "accounts-notice-profile-saved",
        "password-changed" => "accounts-notice-password-changed",
        "verification-sent" => "accounts-notice-verification-sent",
        "already-verified" => "accounts-notice-already-verified",
        "two-factor-off" => "accounts-notice-two-factor-off",
        "token-revoked" => "accounts-notice-token-revoked",
        _ => return None,
    })
}

/// Renders the settings page; `form` and `errors` say which form failed and why.
#[allow(clippy::too_many_arguments)]
pub async fn account_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    me: &CurrentUser,
    form: AccountForm,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let user = &me.user;
    let session_rows = sessions::list_for_user(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|s| SessionRow {
            browser: browser_label(s.user_agent.as_deref()),
            ip: s.client_ip.clone().unwrap_or_else(|| "—".to_owned()),
            last_seen: format_time(s.last_seen_at),
            current: me.session_id_hash.as_deref() == Some(s.id_hash.as_str()),
        })
        .collect();
    let now = chrono::Utc::now();
    let token_rows = tokens::list_api_tokens(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|t| TokenRow {
            active: t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now),
            id: t.id.clone(),
            name: t.name.clone(),
            scopes: t.scopes.clone(),
            created: format_time(t.created_at),
            expires: t.expires_at.map(format_time).unwrap_or_else(|| "—".into()),
            last_used: t
                .last_used_at
                .map(format_time)
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let recovery_codes_left = if user.totp_enabled() {
        accounts::remaining_recovery_codes(&state.db, &user.id)
            .await
            .map_err(AppError::internal)?
    } else {
        0
    };
    let (profile_name, profile_lang) = match &form {
        AccountForm::Profile { display_name, lang } => (display_name.clone(), lang.clone()),
        _ => (user.display_name.clone(), user.preferred_lang.clone()),
    };
    let (token_name, token_read, token_write, token_expires) = match &form {
        AccountForm::Token {
            name,
            read,
            write,
            expires,
        } => (name.clone(), *read, *write, expires.clone()),
        _ => (String::new(), true, false, String::new()),
    };
    let mut page = state.page(lang, uri, "accounts-settings-title", viewer);
    if let Some(key) = notice.and_then(notice_key) {
        page = page.with_flash(FlashKind::Success, I18n::global().t(lang, key));
    }
    let view = AccountPage {
        page,
        csrf_token: state.csrf_token(viewer),
        email: user.email.clone(),
        email_verified: user.email_verified_at.is_some(),
        is_staff: user.is_staff() || me.grants.is_staff(),
        display_name: Field::new(lang, "display_name", "accounts-field-display-name")
            .value(profile_name)
            .required()
            .autocomplete("name")
            .errors_from(lang, errors),
        lang_choice: profile_lang,
        current_password: Field::new(lang, "current_password", "accounts-field-current-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        new_password: Field::new(lang, "new_password", "accounts-field-new-password")
            .kind(InputKind::Password)
            .hint(lang, "accounts-password-hint")
            .required()
            .autocomplete("new-password")
            .errors_from(lang, errors),
        new_password_confirm: Field::new(
            lang,
            "new_password_confirm",
            "accounts-field-password-confirm",
        )
        .kind(InputKind::Password)
        .required()
        .autocomplete("new-password")
        .errors_from(lang, errors),
        totp_enabled: user.totp_enabled(),
        recovery_codes_text: I18n::global().t_args(lang, "accounts-recovery-codes-left", &{
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("count", recovery_codes_left);
            args
        }),
        disable_password: Field::new(lang, "disable_password", "accounts-field-current-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        sessions: session_rows,
        tokens: token_rows,
        token_name: Field::new(lang, "name", "accounts-field-token-name")
            .value(token_name)
            .required()
            .errors_from(lang, errors),
        token_read,
        token_write,
        token_scopes_error: errors.for_field("scopes").map(|e| e.message(lang)),
        token_expires: Field::new(lang, "expires", "accounts-field-token-expires")
            .kind(InputKind::Date)
            .value(token_expires)
            .hint(lang, "accounts-token-expires-hint")
            .errors_from(lang, errors),
        error_summary: error_summary(lang, errors),
    };
    render(&view)
}

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
        let html = account_page(&state, lang, &uri, &viewer, &me, again, &errors, None).await?;
        return Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html));
    };
    accounts::set_display_name(&state.db, &me.user.id, &name)
        .await
        .map_err(AppError::internal)?;
    accounts::set_preferred_lang(&state.db, &me.user.id, chosen)
        .await
        .map_err(AppError::internal)?;
    // The saved language wins over the cookie, but not over an explicit `?lang=`.
    Ok(Redirect::to("/account?notice=profile-saved").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
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
    if form.current_password.is_empty() {
        errors.push("current_password", "required");
    } else if !password::verify(&form.current_password, &me.user.password_hash).await {
        errors.push("current_password", "accounts_password_wrong");
    }
    let new = validate_new_password(
        &mut errors,
        "new_password",
        &form.new_password,
        "new_password_confirm",
        &form.new_password_confirm,
    );
    let (Some(new), true) = (new, errors.is_empty()) else {
        let html = account_page(
            &state,
            lang,
            &uri,
            &viewer,
            &me,
            AccountForm::Password,
            &errors,
            None,
        )
        .await?;
        return Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html));
    };
    let hash = password::hash(&new).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    accounts::set_password_hash(&mut tx, &me.user.id, &hash)
        .await
        .map_err(AppError::internal)?;
    send_email(&mut tx, (&me.user).into(), "password-changed", None).await?;
    if me.user.is_staff() || me.grants.is_staff() {
        audit::append(
            &mut tx,
            &NewAuditRecord {
                actor_id: Some(me.user.user_id()),
                actor_label: me.user.email.clone(),
                action: actions::USER_PASSWORD_RESET,
                target_type: "user",
                target_id: Some(me.user.id.clone()),
                mission_id: None,
                client_ip: client.ip_string(),
                summary: serde_json::json!({ "by": "self", "via": "settings" }),
            },
        )
        .await
        .map_err(AppError::internal)?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    if let Some(keep) = &me.session_id_hash {
        sessions::delete_others_for_user(&state.db, &me.user.id, keep)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(Redirect::to("/account?notice=password-changed").into_response())
}
