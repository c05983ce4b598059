//! `GET/POST /sign-in/two-factor`: the second step of signing in, with a code from the
//! authenticator app (each time step accepted once) or a single-use recovery code.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use fluent_bundle::FluentArgs;
use safir_domain::audit::AuditAction;
use safir_store::Tx;
use safir_store::accounts::{self, secrets, sessions, totp};
use serde::Deserialize;

use super::common::{
    ClientInfo, Recipient, count_failed_sign_in, error_summary, own_account_record, page_response,
    safe_next,
};
use super::sign_in::{keep_language_of_sign_in, locked_message, throttled_message};
use crate::auth::{CurrentUser, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::Field;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

/// A sign-in completed with a recovery code: recorded for every account, as its owner is
/// told by email, since one used by someone else is the sign of a stolen password and codes.
pub const RECOVERY_CODE_USED: AuditAction = AuditAction::new("user.recovery_code_used");

/// The kind of second factor a sign-in passed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// A code of the authenticator app.
    Authenticator,
    /// A recovery code, with how many unused ones are left after it.
    RecoveryCode { left: i64 },
}

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

/// Checks a TOTP code (refusing a time step already used) or a recovery code (used up), in
/// `tx`: the request that passes with it marks its session in the same transaction, so the
/// same code sent twice at once finds, once the first commits, the code used and the session
/// passed. `Ok(Err(code))` names the field error.
pub async fn check_code(
    tx: &mut Tx,
    user: &accounts::User,
    code: &str,
) -> Result<Result<Passed, &'static str>, AppError> {
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
        let fresh = accounts::accept_totp_step_in(tx, &user.id, step as i64)
            .await
            .map_err(AppError::internal)?;
        return Ok(if fresh {
            Ok(Passed::Authenticator)
        } else {
            Err("accounts_code_used")
        });
    }
    let normalized = normalize_recovery_code(code);
    if normalized.is_empty() {
        return Ok(Err("accounts_code_invalid"));
    }
    let left = accounts::use_recovery_code_in(tx, &user.id, &secrets::hash_secret(&normalized))
        .await
        .map_err(AppError::internal)?;
    Ok(match left {
        Some(left) => Ok(Passed::RecoveryCode { left }),
        None => Err("accounts_code_invalid"),
    })
}

/// Tells the owner, in their language, that a recovery code signed in to their account and
/// how many are left, and records it, in `tx`.
async fn tell_recovery_code_used(
    tx: &mut Tx,
    user: &accounts::User,
    client: &ClientInfo,
    left: i64,
) -> Result<(), AppError> {
    let to: Recipient<'_> = user.into();
    let mut args = FluentArgs::new();
    args.set("name", to.name.to_owned());
    args.set("count", left);
    let message = crate::email::render(to.email, to.lang, "recovery-code-used", &args);
    crate::email::enqueue(tx, &message, None)
        .await
        .map_err(AppError::internal)?;
    let summary = serde_json::json!({ "recovery_codes_left": left });
    let record = own_account_record(user, RECOVERY_CODE_USED, client, summary);
    crate::audit_log::append(tx, &record).await?;
    Ok(())
}

/// Whether this request's session passed the second factor since it was read: a code sent
/// twice (a double click) is used by the first request, whose answer the browser replaces.
async fn passed_meanwhile(state: &AppState, user: &CurrentUser) -> Result<bool, AppError> {
    let Some(hash) = &user.session_id_hash else {
        return Ok(false);
    };
    let sessions = sessions::list_for_user(&state.db, &user.user.id)
        .await
        .map_err(AppError::internal)?;
    Ok(sessions.iter().any(|s| &s.id_hash == hash && s.mfa_passed))
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
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    match check_code(&mut tx, &user.user, &form.code).await? {
        Ok(passed) => {
            if let Some(hash) = &user.session_id_hash {
                sessions::mark_mfa_passed_in(&mut tx, hash)
                    .await
                    .map_err(AppError::internal)?;
            }
            accounts::reset_failed_logins_in(&mut tx, &user.user.id)
                .await
                .map_err(AppError::internal)?;
            if let Passed::RecoveryCode { left } = passed {
                tell_recovery_code_used(&mut tx, &user.user, &client, left).await?;
            }
            tx.commit().await.map_err(AppError::internal)?;
            keep_language_of_sign_in(&state, &user.user, &uri, &headers, &client).await;
            Ok(Redirect::to(next.as_deref().unwrap_or("/account")).into_response())
        }
        Err(code) => {
            drop(tx);
            let mut errors = FieldErrors::new();
            errors.push("code", code);
            if code != "required" {
                // The same code sent twice: the first request passed with it, and this one
                // leads where the first did, counting no failure.
                if passed_meanwhile(&state, user).await? {
                    return Ok(Redirect::to(next.as_deref().unwrap_or("/account")).into_response());
                }
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
