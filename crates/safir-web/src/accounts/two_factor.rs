//! `GET/POST /sign-in/two-factor`: the second step of signing in, with a code from the
//! authenticator app (each time step accepted once) or a single-use recovery code.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use safir_store::accounts::{self, secrets, sessions, totp};
use serde::Deserialize;

use super::common::{ClientInfo, count_failed_sign_in, error_summary, page_response, safe_next};
use super::sign_in::{keep_language_of_sign_in, locked_message, throttled_message};
use crate::auth::{CurrentUser, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::Field;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "accounts/two_factor.html")]
struct TwoFactorPage {
    page: Page,
    csrf_token: String,
    code: Field,
    next: String,
    error_summary: Option<String>,
}

/// The signed-in user of a password-only route (the access layer guarantees one). These
/// pages are for the browser: an API token must not set up or pass a second factor.
pub fn current(viewer: &Viewer) -> Result<&CurrentUser, AppError> {
    let user = viewer.user().ok_or(AppError::Unauthenticated)?;
    if user.api_scopes.is_some() {
        return Err(AppError::Forbidden);
    }
    Ok(user)
}

pub fn unix_now() -> u64 {
    Utc::now().timestamp().max(0) as u64
}

/// Recovery codes are compared without case, spaces or dashes.
pub fn normalize_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks a TOTP code (refusing a time step already used) or a recovery code (used up).
/// `Ok(Err(code))` names the field error.
pub async fn check_code(
    state: &AppState,
    user: &accounts::User,
    code: &str,
) -> Result<Result<(), &'static str>, AppError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(Err("required"));
    }
    let Some(secret) = user.totp_secret.as_deref() else {
        return Ok(Err("accounts_code_invalid"));
    };
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let Some(step) = totp::verify(secret, &digits, unix_now()) else {
            return Ok(Err("accounts_code_invalid"));
        };
        let fresh = accounts::accept_totp_step(&state.db, &user.id, step as i64)
            .await
            .map_err(AppError::internal)?;
        return Ok(if fresh {
            Ok(())
        } else {
            Err("accounts_code_used")
        });
    }
    let normalized = normalize_recovery_code(code);
    if normalized.is_empty() {
        return Ok(Err("accounts_code_invalid"));
    }
    let used = accounts::use_recovery_code(&state.db, &user.id, &secrets::hash_secret(&normalized))
        .await
        .map_err(AppError::internal)?;
    Ok(if used {
        Ok(())
    } else {
        Err("accounts_code_invalid")
    })
}

fn view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    next: &str,
    errors: &FieldErrors,
) -> TwoFactorPage {
    TwoFactorPage {
        page: state.page(lang, uri, "accounts-two-factor-title", viewer),
        csrf_token: state.csrf_token(viewer),
        code: Field::new(lang, "code", "accounts-field-code")
            .hint(lang, "accounts-code-hint")
            .required()
            .autocomplete("one-time-code")
            .errors_from(lang, errors),
        next: next.to_owned(),
        error_summary: error_summary(lang, errors),
    }
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    let user = current(&viewer)?;
    let next = safe_next(q.next.as_deref());
    if user.mfa_passed {
        return Ok(Redirect::to(next.as_deref().unwrap_or("/account")).into_response());
    }
    if !user.user.totp_enabled() {
        // Staff who never set up an authenticator must do so before anything else.
        return Ok(Redirect::to("/account/two-factor/setup").into_response());
    }
    let view = view(
        &state,
        lang,
        &uri,
        &viewer,
        &next.unwrap_or_default(),
        &FieldErrors::new(),
    );
    Ok(render(&view)?.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    client: ClientInfo,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let user = current(&viewer)?;
    let next = safe_next(Some(&form.next));
    if user.mfa_passed {
        return Ok(Redirect::to(next.as_deref().unwrap_or("/account")).into_response());
    }
    if !user.user.totp_enabled() {
        return Ok(Redirect::to("/account/two-factor/setup").into_response());
    }
    let refuse = |status: StatusCode, errors: FieldErrors, flash: Option<String>| {
        let mut v = view(
            &state,
            lang,
            &uri,
            &viewer,
            next.as_deref().unwrap_or(""),
            &errors,
        );
        if let Some(message) = flash {
            v.page = v.page.with_flash(FlashKind::Error, message);
        }
        render(&v).map(|html| page_response(status, html))
    };
    if let Err(retry) = state.login_limiter.check(&client.limiter_key()) {
        let secs = (retry.0.as_secs() + u64::from(retry.0.subsec_nanos() > 0)).max(1);
        let mut response = refuse(
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::new(),
            Some(throttled_message(lang, secs)),
        )?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return Ok(response);
    }
    if let Some(until) = user.user.locked_until
        && until > Utc::now()
    {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            FieldErrors::new(),
            Some(locked_message(lang, until)),
        );
    }
    match check_code(&state, &user.user, &form.code).await? {
        Ok(()) => {
            if let Some(hash) = &user.session_id_hash {
                sessions::mark_mfa_passed(&state.db, hash)
                    .await
                    .map_err(AppError::internal)?;
            }
            accounts::reset_failed_logins(&state.db, &user.user.id)
                .await
                .map_err(AppError::internal)?;
            keep_language_of_sign_in(&state, &user.user, &uri, &headers, &client).await;
            Ok(Redirect::to(next.as_deref().unwrap_or("/account")).into_response())
        }
        Err(code) => {
            let mut errors = FieldErrors::new();
            errors.push("code", code);
            if code != "required" {
                let locked = count_failed_sign_in(&state, &user.user.id).await?;
                if let Some(until) = locked {
                    return refuse(
                        StatusCode::TOO_MANY_REQUESTS,
                        FieldErrors::new(),
                        Some(locked_message(lang, until)),
                    );
                }
            }
            refuse(StatusCode::UNPROCESSABLE_ENTITY, errors, None)
        }
    }
}
