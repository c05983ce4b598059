//! `GET/POST /sign-in`: email and password, throttled per client address and locked per
//! account after repeated failures; a fresh session id on success.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use fluent_bundle::FluentArgs;
use safir_domain::accounts::Email;
use safir_store::accounts::{self, grants, password};
use serde::Deserialize;

use super::common::{
    ClientInfo, count_failed_sign_in, error_summary, page_response, redirect_with_cookie,
    safe_next, start_session,
};
use crate::auth::Viewer;
use crate::auth::access::{CHOOSE_PASSWORD, urlencode};
use crate::auth::session::save_chosen_language;
use crate::error::AppError;
use crate::error::FieldErrors;
use crate::forms::{Field, InputKind};
use crate::i18n::{I18n, Lang, chosen_lang};
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInQuery {
    pub next: Option<String>,
    pub notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/sign_in.html")]
struct SignInPage {
    page: Page,
    csrf_token: String,
    email: Field,
    password: Field,
    next: String,
    error_summary: Option<String>,
}

/// Why the form comes back.
enum Refusal {
    Fields(FieldErrors),
    /// Too many attempts from this address; seconds to wait.
    Throttled(u64),
    Locked(DateTime<Utc>),
    Disabled,
    /// The right password, but one an administrator set more than
    /// `accounts::ADMIN_PASSWORD_DAYS` ago and its owner never replaced.
    AdminPasswordExpired,
}

fn view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    email: &str,
    next: &str,
    errors: &FieldErrors,
) -> SignInPage {
    SignInPage {
        page: state.page(lang, uri, "accounts-sign-in-title", viewer),
        csrf_token: state.csrf_token(viewer),
        email: Field::new(lang, "email", "accounts-field-email")
            .kind(InputKind::Email)
            .value(email)
            .required()
            .autocomplete("username")
            .errors_from(lang, errors),
        password: Field::new(lang, "password", "accounts-field-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        next: next.to_owned(),
        error_summary: error_summary(lang, errors),
    }
}

/// The message for a locked account: when it opens again, and in how many minutes.
pub fn locked_message(lang: Lang, until: DateTime<Utc>) -> String {
    let minutes = ((until - Utc::now()).num_seconds().max(1) + 59) / 60;
    let mut args = FluentArgs::new();
    args.set("minutes", minutes);
    args.set("time", crate::i18n::ltr(lang, until.format("%H:%M UTC")));
    I18n::global().t_args(lang, "accounts-locked", &args)
}

pub fn throttled_message(lang: Lang, seconds: u64) -> String {
    let mut args = FluentArgs::new();
    args.set("seconds", seconds);
    I18n::global().t_args(lang, "accounts-throttled", &args)
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<SignInQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref()).unwrap_or_default();
    let mut view = view(&state, lang, &uri, &viewer, "", &next, &FieldErrors::new());
    if let Some(key) = q.notice.as_deref().and_then(notice_key) {
        view.page = view
            .page
            .with_flash(FlashKind::Success, I18n::global().t(lang, key));
    }
    Ok(render(&view)?.into_response())
}

fn notice_key(code: &str) -> Option<&'static str> {
    match code {
        "password-reset" => Some("accounts-notice-password-reset"),
        "signed-out-everywhere" => Some("accounts-notice-signed-out-everywhere"),
        _ => None,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    client: ClientInfo,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    match attempt(&state, &client, &form).await? {
        Ok(user) => {
            let grants = grants::grants_for_user(&state.db, &user.id)
                .await
                .map_err(AppError::internal)?;
            let second_factor = grants.requires_two_factor() || user.totp_enabled();
            let cookie = start_session(&state, &user.id, &client).await?;
            if !second_factor {
                // Signed in. With a code still to give, the failures count on: a right
                // password must not wipe the wrong codes before it.
                accounts::reset_failed_logins(&state.db, &user.id)
                    .await
                    .map_err(AppError::internal)?;
                keep_language_of_sign_in(&state, &user, &uri, &headers, &client).await;
            }
            let target = match (second_factor, &next) {
                (true, Some(n)) => format!("/sign-in/two-factor?next={}", urlencode(n)),
                (true, None) => "/sign-in/two-factor".to_owned(),
                // A password an administrator set is replaced before anything else (every
                // other page leads there too, after the second factor where there is one).
                (false, _) if user.must_change_password() => CHOOSE_PASSWORD.to_owned(),
                (false, Some(n)) => n.clone(),
                (false, None) => "/account".to_owned(),
            };
            Ok(redirect_with_cookie(&target, cookie))
        }
        Err(refusal) => {
            let next = next.unwrap_or_default();
            let (status, errors, flash, retry) = match refusal {
                Refusal::Fields(e) => (StatusCode::UNPROCESSABLE_ENTITY, e, None, None),
                Refusal::Throttled(s) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    FieldErrors::new(),
                    Some(throttled_message(lang, s)),
                    Some(s),
                ),
                Refusal::Locked(until) => (
                    StatusCode::TOO_MANY_REQUESTS,
                    FieldErrors::new(),
                    Some(locked_message(lang, until)),
                    Some((until - Utc::now()).num_seconds().max(1) as u64),
                ),
                Refusal::Disabled => (
                    StatusCode::FORBIDDEN,
                    FieldErrors::new(),
                    Some(I18n::global().t(lang, "accounts-disabled")),
                    None,
                ),
                // The message says seven days: `accounts::ADMIN_PASSWORD_DAYS`.
                Refusal::AdminPasswordExpired => (
                    StatusCode::FORBIDDEN,
                    FieldErrors::new(),
                    Some(I18n::global().t(lang, "accounts-admin-password-expired")),
                    None,
                ),
            };
            let mut view = view(&state, lang, &uri, &viewer, &form.email, &next, &errors);
            if let Some(message) = flash {
                view.page = view.page.with_flash(FlashKind::Error, message);
            }
            let mut response = page_response(status, render(&view)?);
            if let Some(secs) = retry {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            Ok(response)
        }
    }
}

/// The language this device chose with the switcher before signing in (the sign-in page's
/// own switch included) is kept once the person is signed in: it is saved as their language,
/// as a switch made signed in is, rather than undone by the language saved before. A device
/// that never chose follows the saved language.
pub(super) async fn keep_language_of_sign_in(
    state: &AppState,
    user: &accounts::User,
    uri: &Uri,
    headers: &HeaderMap,
    client: &ClientInfo,
) {
    let Some(lang) = chosen_lang(uri, headers) else {
        return;
    };
    // A public account granted a staff role is audited as staff: its grants are read.
    let staff = user.is_staff()
        || match safir_store::accounts::grants::grants_for_user(&state.db, &user.id).await {
            Ok(grants) => grants.is_staff(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the grants to save the chosen language");
                return;
            }
        };
    save_chosen_language(state, (user, staff), lang, "sign-in", client.ip_string()).await;
}

async fn attempt(
    state: &AppState,
    client: &ClientInfo,
    form: &SignInForm,
) -> Result<Result<accounts::User, Refusal>, AppError> {
    if let Err(retry) = state.login_limiter.check(&client.limiter_key()) {
        let secs = retry.0.as_secs() + u64::from(retry.0.subsec_nanos() > 0);
        return Ok(Err(Refusal::Throttled(secs.max(1))));
    }
    let mut errors = FieldErrors::new();
    if form.email.trim().is_empty() {
        errors.push("email", "required");
    }
    if form.password.is_empty() {
        errors.push("password", "required");
    }
    if !errors.is_empty() {
        return Ok(Err(Refusal::Fields(errors)));
    }
    let user = match Email::parse(&form.email) {
        Ok(email) => accounts::find_user_by_email(&state.db, &email)
            .await
            .map_err(AppError::internal)?,
        Err(_) => None,
    };
    let Some(user) = user else {
        // Same work as for a real account, so timing does not tell which emails exist.
        password::verify(&form.password, password::dummy_hash()).await;
        errors.push("password", "accounts_credentials_invalid");
        return Ok(Err(Refusal::Fields(errors)));
    };
    if let Some(until) = user.locked_until
        && until > Utc::now()
    {
        return Ok(Err(Refusal::Locked(until)));
    }
    if !password::verify(&form.password, &user.password_hash).await {
        let locked = count_failed_sign_in(state, &user.id).await?;
        if let Some(until) = locked {
            return Ok(Err(Refusal::Locked(until)));
        }
        errors.push("password", "accounts_credentials_invalid");
        return Ok(Err(Refusal::Fields(errors)));
    }
    if user.disabled_at.is_some() {
        return Ok(Err(Refusal::Disabled));
    }
    // Told only to whoever knows the password: an administrator's, left unused too long.
    if user.admin_password_expired(Utc::now()) {
        return Ok(Err(Refusal::AdminPasswordExpired));
    }
    Ok(Ok(user))
}
