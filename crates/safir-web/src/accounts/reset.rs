//! Password reset by emailed one-time link: `/password/forgot` answers the same whether or
//! not the address has an account; `/password/reset?token=` sets a new password once and
//! signs the account out everywhere.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use safir_domain::accounts::Email;
use safir_domain::audit::actions;
use safir_store::accounts::{self, grants, password, tokens};
use serde::Deserialize;

use super::common::{
    ClientInfo, error_summary, new_password_fields, own_account_record, page_response,
    push_domain_error, send_email, tell_password_changed,
};
use super::sign_up::validate_new_password;
use super::verify_email::{MessagePage, TokenQuery};
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::security::RateLimiter;
use crate::state::AppState;

/// How long a reset link stays valid.
pub const RESET_TTL_HOURS: i64 = 1;

/// How many reset links go to one account, whoever asks and from wherever: three in a row
/// (a mail that seemed lost, asked for again), then one every twenty minutes. The limit per
/// client address stops one sender; this one stops many senders filling one person's mailbox.
/// Beyond it the page answers as always and nothing is sent.
#[derive(Clone)]
pub struct ResetMailLimit(pub Arc<RateLimiter>);

impl Default for ResetMailLimit {
    fn default() -> ResetMailLimit {
        ResetMailLimit(Arc::new(
            RateLimiter::new(3, Duration::from_secs(20 * 60)).max_keys(100_000),
        ))
    }
}

#[derive(Template)]
#[template(path = "accounts/forgot.html")]
struct ForgotPage {
    page: Page,
    csrf_token: String,
    email: Field,
    error_summary: Option<String>,
}

#[derive(Template)]
#[template(path = "accounts/reset.html")]
struct ResetPage {
    page: Page,
    csrf_token: String,
    token: String,
    password: Field,
    password_confirm: Field,
    error_summary: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    pub email: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub token: String,
    pub password: String,
    pub password_confirm: String,
}

fn forgot_view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    email: &str,
    errors: &FieldErrors,
) -> ForgotPage {
    ForgotPage {
        page: state.page(lang, uri, "accounts-forgot-title", viewer),
        csrf_token: state.csrf_token(viewer),
        email: Field::new(lang, "email", "accounts-field-email")
            .kind(InputKind::Email)
            .value(email)
            .required()
            .autocomplete("email")
            .errors_from(lang, errors),
        error_summary: error_summary(lang, errors),
    }
}

pub async fn forgot_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let view = forgot_view(&state, lang, &uri, &viewer, "", &FieldErrors::new());
    Ok(render(&view)?.into_response())
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Extension(per_account): Extension<ResetMailLimit>,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(e) => {
            let mut errors = FieldErrors::new();
            push_domain_error(&mut errors, "email", e.code);
            let view = forgot_view(&state, lang, &uri, &viewer, &form.email, &errors);
            return Ok(page_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                render(&view)?,
            ));
        }
    };
    let user = accounts::find_user_by_email(&state.db, &email)
        .await
        .map_err(AppError::internal)?;
    // Counted by account, not by the address typed: an account has one address, however it
    // is written.
    let user =
        user.filter(|u| u.disabled_at.is_none())
            .filter(|u| match per_account.0.check(&u.id) {
                Ok(()) => true,
                Err(_) => {
                    tracing::info!("reset link held back: too many to one account");
                    false
                }
            });
    if let Some(user) = user {
        let mut tx = state.db.begin().await.map_err(AppError::internal)?;
        let secret = tokens::issue_email_token(
            &mut tx,
            &user.id,
            tokens::EmailPurpose::ResetPassword,
            chrono::Duration::hours(RESET_TTL_HOURS),
        )
        .await
        .map_err(AppError::internal)?;
        let link = format!("{}/password/reset?token={secret}", state.config.public_url);
        send_email(&mut tx, (&user).into(), "reset", Some(link)).await?;
        tx.commit().await.map_err(AppError::internal)?;
    }
    let page = state.page(lang, &uri, "accounts-forgot-sent-title", &viewer);
    let view = MessagePage {
        heading: page.title.clone(),
        body: page.t("accounts-forgot-sent-body"),
        link_href: "/sign-in".to_owned(),
        link_label: page.t("accounts-sign-in-link"),
        page,
    };
    Ok(render(&view)?.into_response())
}

fn reset_view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    token: &str,
    errors: &FieldErrors,
) -> ResetPage {
    let (password, password_confirm) = new_password_fields(
        lang,
        ("password", "password_confirm"),
        "accounts-field-new-password",
        errors,
    );
    ResetPage {
        page: state.page(lang, uri, "accounts-reset-title", viewer),
        csrf_token: state.csrf_token(viewer),
        token: token.to_owned(),
        password,
        password_confirm,
        error_summary: error_summary(lang, errors),
    }
}

pub async fn reset_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    if q.token.trim().is_empty() {
        return Ok(Redirect::to("/password/forgot").into_response());
    }
    let view = reset_view(
        &state,
        lang,
        &uri,
        &viewer,
        q.token.trim(),
        &FieldErrors::new(),
    );
    Ok(render(&view)?.into_response())
}

pub async fn reset_submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    Form(form): Form<ResetForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let new = validate_new_password(
        &mut errors,
        "password",
        &form.password,
        "password_confirm",
        &form.password_confirm,
    );
    let Some(new) = new else {
        let view = reset_view(&state, lang, &uri, &viewer, form.token.trim(), &errors);
        return Ok(page_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&view)?,
        ));
    };
    let token = form.token.trim();
    let purpose = tokens::EmailPurpose::ResetPassword;
    // A password is hashed only for a link that can still set it: a hash costs memory and a
    // core for a while, which anyone could otherwise ask for with any link.
    let usable = !token.is_empty()
        && tokens::email_token_usable(&state.db, token, purpose)
            .await
            .map_err(AppError::internal)?;
    let user_id = if usable {
        let hash = password::hash(&new).await;
        let mut tx = state.db.begin().await.map_err(AppError::internal)?;
        tokens::consume_email_token(&mut tx, token, purpose)
            .await
            .map_err(AppError::internal)?
            .map(|user_id| (user_id, hash, tx))
    } else {
        None
    };
    let Some((user_id, hash, mut tx)) = user_id else {
        let page = state.page(lang, &uri, "accounts-reset-failed-title", &viewer);
        let view = MessagePage {
            heading: page.title.clone(),
            body: page.t("accounts-reset-failed-body"),
            link_href: "/password/forgot".to_owned(),
            link_label: page.t("accounts-forgot-link"),
            page,
        };
        return Ok(page_response(StatusCode::BAD_REQUEST, render(&view)?));
    };
    let user = accounts::find_user(&state.db, &user_id)
        .await
        .map_err(AppError::internal)?;
    // A reset by email is how someone whose password was taken gets their account back:
    // whoever knew the old one is signed out everywhere, and the API tokens they could have
    // made with it stop, with the reset itself (as an administrator's reset does). The link
    // came to the account's address, so the address is proved; and on an account whose
    // address was not, a second factor goes too: a stranger who opened it with this address
    // may have set one to keep its owner out.
    let done = accounts::reset_password_by_email_link(&mut tx, &user.id, &hash)
        .await
        .map_err(AppError::internal)?;
    tell_password_changed(&mut tx, &user).await?;
    if done.two_factor_cleared {
        send_email(&mut tx, (&user).into(), "two-factor-off", None).await?;
    }
    let is_staff = user.is_staff()
        || grants::grants_for_user(&state.db, &user.id)
            .await
            .map_err(AppError::internal)?
            .is_staff();
    // A second factor taken off is recorded for every account: the trail is where its owner
    // (and the ministry) can see what happened to it.
    if is_staff || done.two_factor_cleared {
        let mut summary = serde_json::json!({
            "by": "self",
            "via": "email_link",
            "sessions_ended": true,
            "api_tokens_revoked": done.tokens_revoked,
        });
        if done.email_verified {
            summary["email_verified"] = true.into();
        }
        if done.two_factor_cleared {
            summary["two_factor_cleared"] = true.into();
        }
        let record = own_account_record(&user, actions::USER_PASSWORD_RESET, &client, summary);
        crate::audit_log::append(&mut tx, &record).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to("/sign-in?notice=password-reset").into_response())
}
