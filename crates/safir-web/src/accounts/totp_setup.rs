//! Two-factor setup (`/account/two-factor/setup`): a new secret shown as an `otpauth://` QR
//! code and as text, confirmed with a first code and the password, then ten recovery codes
//! shown once.
//! New recovery codes replace the old ones at any time (`/account/two-factor/recovery-codes`,
//! with the password): the way back for someone who used most of them, or who never saw
//! them. Public users may turn it off again (`/account/two-factor/disable`); staff may not.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use qrcode::QrCode;
use qrcode::render::svg;
use safir_domain::audit::AuditAction;
use safir_store::accounts::{self, secrets, sessions, totp};
use serde::Deserialize;

use super::account_page::{AccountForm, refused_form};
use super::common::{
    ClientInfo, Recipient, current_password_error, error_summary, own_account_record,
    page_response, secret_page, send_email,
};
use super::sign_in::keep_language_of_sign_in;
use super::two_factor::{current, normalize_recovery_code, unix_now};
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::{I18n, Lang, chosen_lang};
use crate::page::{Page, render};
use crate::state::AppState;

pub const TWO_FACTOR_ENABLE: AuditAction = AuditAction::new("user.two_factor_enable");
pub const RECOVERY_CODES_REPLACE: AuditAction = AuditAction::new("user.recovery_codes_replace");
const RECOVERY_CODES: usize = 10;

#[derive(Template)]
#[template(path = "accounts/totp_setup.html")]
struct SetupPage {
    page: Page,
    csrf_token: String,
    otpauth_uri: String,
    secret: String,
    qr_svg: String,
    code: Field,
    password: Field,
    error_summary: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/recovery_codes.html")]
struct RecoveryCodesPage {
    page: Page,
    codes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    pub code: String,
    /// Asked every time, a first sign-in included: otherwise whoever holds a session left open
    /// (a shared computer, a stolen cookie; at a first sign-in, the setup page itself, or a
    /// session that came to need the factor when its account was given a staff role) could
    /// tie the account to their own authenticator, and its owner, who knows the password,
    /// could no longer sign in.
    pub password: String,
}

/// The form that turns the factor off; its field is named as on the account page, which
/// holds other password fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DisableForm {
    pub disable_password: String,
}

/// The form that makes new recovery codes.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewCodesForm {
    pub codes_password: String,
}

/// Where a setup confirmed twice (a double click, a reload of the answer) leads: the second
/// request finds the factor on and cannot show the codes the first one made, so the account
/// page says how to make new ones.
const ALREADY_ON: &str = "/account?notice=two-factor-already-on";

/// The QR code as inline SVG (no script, no external image).
fn qr_svg(data: &str) -> String {
    match QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// `ABCDE-FGHIJ`: 50 random bits each, easy to type.
fn new_recovery_code() -> String {
    let raw = totp::generate_secret();
    format!("{}-{}", &raw[..5], &raw[5..10])
}

/// A new set of recovery codes, as shown once, and their hashes, as stored.
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes = codes
        .iter()
        .map(|c| secrets::hash_secret(&normalize_recovery_code(c)))
        .collect();
    (codes, hashes)
}

fn recovery_codes_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    codes: Vec<String>,
) -> Result<Response, AppError> {
    let view = RecoveryCodesPage {
        page: state.page(lang, uri, "accounts-recovery-codes-title", viewer),
        codes,
    };
    Ok(secret_page(render(&view)?))
}

fn setup_view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    user: &accounts::User,
    secret: &str,
    (typed_code, errors): (&str, &FieldErrors),
) -> SetupPage {
    let issuer = I18n::global().t(Lang::En, "site-name");
    let otpauth_uri = totp::otpauth_uri(secret, &user.email, &issuer);
    SetupPage {
        page: state.page(lang, uri, "accounts-totp-setup-title", viewer),
        csrf_token: state.csrf_token(viewer),
        qr_svg: qr_svg(&otpauth_uri),
        otpauth_uri,
        secret: secret.to_owned(),
        code: Field::new(lang, "code", "accounts-field-code")
            .hint(lang, "accounts-totp-code-hint")
            .required()
            .autocomplete("one-time-code")
            .value(typed_code)
            .errors_from(lang, errors),
        password: Field::new(lang, "password", "accounts-field-current-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        error_summary: error_summary(lang, errors),
    }
}

/// The page for an account whose email address is not confirmed yet: the factor cannot be
/// turned on, and a button sends a new confirmation link.
#[derive(Template)]
#[template(path = "accounts/totp_unverified.html")]
struct UnverifiedPage {
    page: Page,
    csrf_token: String,
}

/// Whether the account may turn the factor on: once its address is confirmed, as someone
/// else's address could otherwise be locked under a stranger's authenticator by an account
/// opened with it. A role does not let an account through: one given to an account opened
/// with a colleague's address before theirs existed would hand its holder, the stranger,
/// the factor and with it the role's pages. A staff account is let through: an administrator
/// made it with the address they chose (and made it confirmed), and it sets the factor up at
/// its first sign-in.
fn may_turn_on(me: &CurrentUser) -> bool {
    me.user.email_verified_at.is_some() || me.user.is_staff()
}

fn unverified_page(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    status: StatusCode,
) -> Result<Response, AppError> {
    let view = UnverifiedPage {
        page: state.page(lang, uri, "accounts-totp-setup-title", viewer),
        csrf_token: state.csrf_token(viewer),
    };
    Ok(page_response(status, render(&view)?))
}

/// The session's stored id hash: the pending secret belongs to it.
fn session_of(me: &CurrentUser) -> Result<&str, AppError> {
    me.session_id_hash.as_deref().ok_or(AppError::Forbidden)
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let me = current(&viewer)?;
    let user = &me.user;
    if user.totp_enabled() {
        return Ok(Redirect::to("/account").into_response());
    }
    if !may_turn_on(me) {
        return unverified_page(&state, (lang, &uri, &viewer), StatusCode::OK);
    }
    let session = session_of(me)?;
    let setup = accounts::totp_setup(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?;
    if setup.enabled() {
        return Ok(Redirect::to("/account").into_response());
    }
    // The secret shown to this session stays across reloads, so an app that already scanned
    // it stays valid; any other session (an administrator's at a first sign-in, a shared
    // computer) gets a new one, and the one it saw stops counting.
    let secret = match setup.pending_for(session) {
        Some(s) => s.to_owned(),
        None => {
            let s = totp::generate_secret();
            let stored = accounts::set_pending_totp_for_session(&state.db, &user.id, &s, session)
                .await
                .map_err(AppError::internal)?;
            if !stored {
                return Ok(Redirect::to("/account").into_response());
            }
            s
        }
    };
    let view = setup_view(
        &state,
        lang,
        &uri,
        &viewer,
        user,
        &secret,
        ("", &FieldErrors::new()),
    );
    Ok(secret_page(render(&view)?))
}

pub async fn confirm(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    client: ClientInfo,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let current_user = current(&viewer)?;
    let user = &current_user.user;
    if user.totp_enabled() {
        return Ok(Redirect::to(ALREADY_ON).into_response());
    }
    if !may_turn_on(current_user) {
        return unverified_page(&state, (lang, &uri, &viewer), StatusCode::FORBIDDEN);
    }
    let session = session_of(current_user)?;
    let setup = accounts::totp_setup(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?;
    if setup.enabled() {
        return Ok(Redirect::to(ALREADY_ON).into_response());
    }
    // Only the secret shown to this session is confirmed here: one shown elsewhere, or
    // forgotten with a new password, leads back to the page, which shows a new one.
    let Some(secret) = setup.pending_for(session).map(str::to_owned) else {
        return Ok(Redirect::to("/account/two-factor/setup").into_response());
    };
    // The form again, as typed (but the password), with what is wrong.
    let refused = |errors: &FieldErrors| -> Result<Response, AppError> {
        let typed = (form.code.as_str(), errors);
        let view = setup_view(&state, lang, &uri, &viewer, user, &secret, typed);
        Ok(page_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&view)?,
        ))
    };
    let code: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let mut errors = FieldErrors::new();
    // The password first: a wrong one spends no code.
    if let Some(wrong) = current_password_error(&state, &client, user, &form.password).await? {
        errors.push("password", wrong);
        return refused(&errors);
    }
    let step = if code.is_empty() {
        errors.push("code", "required");
        None
    } else {
        let step = totp::verify(&secret, &code, unix_now());
        if step.is_none() {
            errors.push("code", "accounts_code_invalid");
        }
        step
    };
    // The code's time step is taken in the transaction that turns the factor on, so the same
    // code sent twice at once (a double click) waits for the first, then finds it used.
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if let Some(step) = step
        && !accounts::accept_totp_step_in(&mut tx, &user.id, step as i64)
            .await
            .map_err(AppError::internal)?
    {
        errors.push("code", "accounts_code_used");
    }
    if !errors.is_empty() {
        drop(tx);
        // Used by the request sent just before this one, which turned the factor on and
        // showed its codes where this answer now replaces them: no mistake of the user's.
        if step.is_some()
            && accounts::find_user(&state.db, &user.id)
                .await
                .map_err(AppError::internal)?
                .totp_enabled()
        {
            return Ok(Redirect::to(ALREADY_ON).into_response());
        }
        return refused(&errors);
    }

    let (codes, hashes) = new_recovery_codes();
    let enabled = accounts::enable_pending_totp(&mut tx, &user.id, &secret, session, &hashes)
        .await
        .map_err(AppError::internal)?;
    if !enabled {
        // Another session opened the setup page since this one showed its secret, or the
        // password changed: that secret is no longer the one to turn on.
        drop(tx);
        return Ok(Redirect::to("/account/two-factor/setup").into_response());
    }
    // A first sign-in's choice of language on this device becomes the account's below: the
    // email goes in it already, as every one after it will.
    let mut to: Recipient<'_> = user.into();
    if current_user.needs_second_factor()
        && let Some(chosen) = chosen_lang(&uri, &headers)
    {
        to.lang = chosen;
    }
    send_email(&mut tx, to, "two-factor-on", None).await?;
    if current_user.is_staff() {
        let record = own_account_record(user, TWO_FACTOR_ENABLE, &client, codes_summary());
        crate::audit_log::append(&mut tx, &record).await?;
    }
    if current_user.needs_second_factor() {
        // The sign-in this setup ends is complete: as after a code on the second-step page,
        // the failures before it stop counting.
        accounts::reset_failed_logins_in(&mut tx, &user.id)
            .await
            .map_err(AppError::internal)?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    if let Some(hash) = &current_user.session_id_hash {
        sessions::mark_mfa_passed(&state.db, hash)
            .await
            .map_err(AppError::internal)?;
    }
    // A first sign-in that had to set up the second factor ends here.
    if current_user.needs_second_factor() {
        keep_language_of_sign_in(&state, user, &uri, &headers, &client).await;
    }
    recovery_codes_page(&state, lang, &uri, &viewer, codes)
}

/// What a staff account's record of its second factor says: how many recovery codes it holds.
fn codes_summary() -> serde_json::Value {
    serde_json::json!({ "recovery_codes": RECOVERY_CODES })
}

/// The account page refusing `form`, its password field `field` marked, when `typed` is not
/// the account's current password (counted as a failed sign-in, see
/// [`current_password_error`]).
async fn wrong_password(
    state: &AppState,
    page: (Lang, &Uri, &Viewer),
    client: &ClientInfo,
    me: &CurrentUser,
    typed: &str,
    (field, form): (&'static str, AccountForm),
) -> Result<Option<Response>, AppError> {
    let Some(code) = current_password_error(state, client, &me.user, typed).await? else {
        return Ok(None);
    };
    let mut errors = FieldErrors::new();
    errors.push(field, code);
    refused_form(state, page, me, form, &errors).await.map(Some)
}

/// `POST /account/two-factor/recovery-codes`: ten new recovery codes, shown once, in place of
/// all the old ones; asks for the password, as turning the factor off does, and tells the
/// account's owner by email.
pub async fn replace_recovery_codes(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Form(form): Form<NewCodesForm>,
) -> Result<Response, AppError> {
    if !me.user.totp_enabled() {
        return Ok(Redirect::to("/account").into_response());
    }
    let page = (lang, &uri, &viewer);
    let field = ("codes_password", AccountForm::NewRecoveryCodes);
    if let Some(refused) =
        wrong_password(&state, page, &client, &me, &form.codes_password, field).await?
    {
        return Ok(refused);
    }
    let (codes, hashes) = new_recovery_codes();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    accounts::replace_recovery_codes(&mut tx, &me.user.id, &hashes)
        .await
        .map_err(AppError::internal)?;
    send_email(&mut tx, (&me.user).into(), "recovery-codes-new", None).await?;
    if me.is_staff() {
        let record = own_account_record(&me.user, RECOVERY_CODES_REPLACE, &client, codes_summary());
        crate::audit_log::append(&mut tx, &record).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    recovery_codes_page(&state, lang, &uri, &viewer, codes)
}

pub async fn disable(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Form(form): Form<DisableForm>,
) -> Result<Response, AppError> {
    if me.is_staff() {
        return Err(AppError::Forbidden);
    }
    if !me.user.totp_enabled() {
        return Ok(Redirect::to("/account").into_response());
    }
    let page = (lang, &uri, &viewer);
    let field = ("disable_password", AccountForm::DisableTotp);
    if let Some(refused) =
        wrong_password(&state, page, &client, &me, &form.disable_password, field).await?
    {
        return Ok(refused);
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    accounts::disable_totp(&mut tx, &me.user.id)
        .await
        .map_err(AppError::internal)?;
    send_email(&mut tx, (&me.user).into(), "two-factor-off", None).await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to("/account?notice=two-factor-off").into_response())
}
