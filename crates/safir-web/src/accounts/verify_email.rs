//! `GET /verify-email?token=` confirms the address from the emailed link;
//! `POST /account/verify-email/resend` sends a new link.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use safir_store::accounts::{self, tokens};
use serde::Deserialize;

use super::common::{page_response, send_email};
use super::sign_up::VERIFY_TTL_HOURS;
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

pub async fn verify(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    let token = q.token.trim();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let user = if token.is_empty() {
        None
    } else {
        tokens::consume_email_token(&mut tx, token, tokens::EmailPurpose::VerifyEmail)
            .await
            .map_err(AppError::internal)?
    };
    if let Some(user_id) = &user {
        accounts::mark_email_verified(&mut tx, user_id)
            .await
            .map_err(AppError::internal)?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    let signed_in = viewer.user().is_some();
    let (title, body, status) = match user {
        Some(_) => (
            "accounts-verified-title",
            "accounts-verified-body",
            StatusCode::OK,
        ),
        None if signed_in => (
            "accounts-verify-failed-title",
            "accounts-verify-failed-body-signed-in",
            StatusCode::BAD_REQUEST,
        ),
        None => (
            "accounts-verify-failed-title",
            "accounts-verify-failed-body",
            StatusCode::BAD_REQUEST,
        ),
    };
    let page = state.page(lang, &uri, title, &viewer);
    let (link_href, link_key) = if signed_in {
        ("/account", "accounts-go-to-account")
    } else {
        ("/sign-in", "accounts-sign-in-link")
    };
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
