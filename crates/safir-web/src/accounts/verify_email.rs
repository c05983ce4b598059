//! `GET /verify-email?token=` opens the emailed link, whose page confirms the address with
//! `POST /verify-email` from the account's own session; `POST /account/verify-email/resend`
//! sends a new link.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use safir_store::accounts::{self, tokens};
use serde::Deserialize;

use super::common::{page_response, send_email};
use super::sign_up::VERIFY_TTL_HOURS;
use crate::auth::access::urlencode;
use crate::auth::{SignedIn, Viewer};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenQuery {
    pub token: String,
}

/// A short page with a heading, one paragraph and a link onward.
#[derive(Template)]
#[template(path = "accounts/message.html")]
pub struct MessagePage {
    pub page: Page,
    pub heading: String,
    pub body: String,
    pub link_href: String,
    pub link_label: String,
}

/// The page asking to confirm the address, with the link's token in its form.
#[derive(Template)]
#[template(path = "accounts/verify_email.html")]
struct ConfirmPage {
    page: Page,
    csrf_token: String,
    token: String,
}

/// `GET /verify-email?token=`: opening the link confirms nothing by itself. A mail scanner or
/// a preview fetches the links of incoming mail, so an account someone else made with this
/// address would be confirmed as theirs, and with it what was filed under the address
/// without an account (crisis registrations). The address is confirmed by its account's own
/// session pressing the page's button; anyone else is asked to sign in to it first.
pub async fn verify(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let token = q.token.trim();
    let owner = if token.is_empty() {
        None
    } else {
        tokens::email_token_owner(&state.db, token, tokens::EmailPurpose::VerifyEmail)
            .await
            .map_err(AppError::internal)?
    };
    let Some(owner) = owner else {
        return failed(&state, lang, &uri, &viewer);
    };
    match viewer.user() {
        Some(me) if me.user.id == owner => {
            let view = ConfirmPage {
                page: state.page(lang, &uri, "accounts-verify-confirm-title", &viewer),
                csrf_token: state.csrf_token(&viewer),
                token: token.to_owned(),
            };
            Ok(page_response(StatusCode::OK, render(&view)?))
        }
        Some(_) => message(
            (&state, lang, &uri, &viewer),
            StatusCode::FORBIDDEN,
            ("accounts-verify-other-title", "accounts-verify-other-body"),
            ("/account", "accounts-go-to-account"),
        ),
        None => {
            let next = format!("/verify-email?token={}", urlencode(token));
            let href = format!("/sign-in?next={}", urlencode(&next));
            message(
                (&state, lang, &uri, &viewer),
                StatusCode::OK,
                (
                    "accounts-verify-sign-in-title",
                    "accounts-verify-sign-in-body",
                ),
                (&href, "accounts-sign-in-link"),
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub token: String,
}

/// `POST /verify-email`: the account's own session confirms its address with the link's token.
pub async fn confirm(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, AppError> {
    let token = form.token.trim();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let used = !token.is_empty()
        && tokens::consume_email_token_of(
            &mut tx,
            token,
            tokens::EmailPurpose::VerifyEmail,
            &me.user.id,
        )
        .await
        .map_err(AppError::internal)?;
    if !used {
        tx.rollback().await.map_err(AppError::internal)?;
        let anothers = !token.is_empty()
            && tokens::email_token_owner(&state.db, token, tokens::EmailPurpose::VerifyEmail)
                .await
                .map_err(AppError::internal)?
                .is_some();
        if anothers {
            return message(
                (&state, lang, &uri, &viewer),
                StatusCode::FORBIDDEN,
                ("accounts-verify-other-title", "accounts-verify-other-body"),
                ("/account", "accounts-go-to-account"),
            );
        }
        // Pressed twice, or in two tabs: the address is confirmed all the same.
        if me.user.email_verified_at.is_some() {
            return Ok(Redirect::to("/account?notice=already-verified").into_response());
        }
        return failed(&state, lang, &uri, &viewer);
    }
    accounts::mark_email_verified(&mut tx, &me.user.id)
        .await
        .map_err(AppError::internal)?;
    // The registrations abroad made before the address was confirmed count from now.
    safir_store::crisis::registrations::confirm_for_account(&mut tx, &me.user.id)
        .await
        .map_err(AppError::internal)?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to("/account?notice=verified").into_response())
}

/// The page for a link that does not work (unknown, used, expired).
fn failed(state: &AppState, lang: Lang, uri: &Uri, viewer: &Viewer) -> Result<Response, AppError> {
    let signed_in = viewer.user().is_some();
    let (body, link) = if signed_in {
        (
            "accounts-verify-failed-body-signed-in",
            ("/account", "accounts-go-to-account"),
        )
    } else {
        (
            "accounts-verify-failed-body",
            ("/sign-in", "accounts-sign-in-link"),
        )
    };
    message(
        (state, lang, uri, viewer),
        StatusCode::BAD_REQUEST,
        ("accounts-verify-failed-title", body),
        link,
    )
}

fn message(
    (state, lang, uri, viewer): (&AppState, Lang, &Uri, &Viewer),
    status: StatusCode,
    (title, body): (&str, &str),
    (link_href, link_key): (&str, &str),
) -> Result<Response, AppError> {
    let page = state.page(lang, uri, title, viewer);
    let view = MessagePage {
        heading: page.title.clone(),
        body: page.t(body),
        link_href: link_href.to_owned(),
        link_label: page.t(link_key),
        page,
    };
    Ok(page_response(status, render(&view)?))
}

pub async fn resend(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Response, AppError> {
    if me.user.email_verified_at.is_some() {
        return Ok(Redirect::to("/account?notice=already-verified").into_response());
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let secret = tokens::issue_email_token(
        &mut tx,
        &me.user.id,
        tokens::EmailPurpose::VerifyEmail,
        chrono::Duration::hours(VERIFY_TTL_HOURS),
    )
    .await
    .map_err(AppError::internal)?;
    let link = format!("{}/verify-email?token={secret}", state.config.public_url);
    send_email(&mut tx, (&me.user).into(), "verify", Some(link)).await?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to("/account?notice=verification-sent").into_response())
}
