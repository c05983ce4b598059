//! Personal access tokens for the API: created with a name, scopes and an optional expiry,
//! the secret shown once; revocable. Both are recorded in the audit trail.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use safir_domain::audit::{AuditAction, actions};
use safir_domain::roles::TokenScope;
use safir_store::accounts::tokens;
use safir_store::audit::NewAuditRecord;
use serde::Deserialize;

use super::account_page::{AccountForm, refused_form};
use super::common::{ClientInfo, secret_page};
use crate::admin::support::request_key;
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// The scopes a token may carry.
pub const SCOPES: [TokenScope; 6] = TokenScope::ALL;
const NAME_MAX: usize = 80;

/// The checkbox of a scope on the settings page: `cases:read` → `scope_cases_read`.
pub fn scope_field(scope: TokenScope) -> String {
    format!("scope_{}", scope.as_str().replace(':', "_"))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
    pub scope_read: Option<String>,
    pub scope_write: Option<String>,
    pub scope_cases_read: Option<String>,
    pub scope_cases_write: Option<String>,
    pub scope_consular_read: Option<String>,
    pub scope_consular_write: Option<String>,
    pub expires: String,
    /// The form's own key (see [`crate::admin::support::FormData::request_key`]).
    pub request_key: String,
}

impl TokenForm {
    /// The scopes ticked, in the order of [`SCOPES`].
    fn chosen(&self) -> Vec<TokenScope> {
        SCOPES
            .into_iter()
            .filter(|s| {
                match s {
                    TokenScope::Read => &self.scope_read,
                    TokenScope::Write => &self.scope_write,
                    TokenScope::CasesRead => &self.scope_cases_read,
                    TokenScope::CasesWrite => &self.scope_cases_write,
                    TokenScope::ConsularRead => &self.scope_consular_read,
                    TokenScope::ConsularWrite => &self.scope_consular_write,
                }
                .is_some()
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "accounts/token_created.html")]
struct TokenCreatedPage {
    page: Page,
    name: String,
    scopes: String,
    secret: String,
    /// An earlier sending of the same form made a token, revoked by this one.
    replaced: bool,
}

fn audit_record(
    me: &CurrentUser,
    client: &ClientInfo,
    action: AuditAction,
    token_id: &str,
    summary: serde_json::Value,
) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: Some(me.user.user_id()),
        actor_label: me.user.email.clone(),
        action,
        target_type: "api_token",
        target_id: Some(token_id.to_owned()),
        mission_id: None,
        client_ip: client.ip_string(),
        summary,
    }
}

pub async fn create(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push("name", "required");
    } else if name.chars().count() > NAME_MAX {
        errors.add(FieldError::new("name", "too_long").with_arg("max", NAME_MAX));
    } else if name.chars().any(char::is_control) {
        errors.push("name", "accounts_invalid_characters");
    }
    let chosen = form.chosen();
    if chosen.is_empty() {
        errors.push("scopes", "accounts_scope_required");
    } else if !chosen.iter().all(|s| s.available_to(&me.grants)) {
        // The page does not offer them; a token must not promise what its owner lacks.
        errors.push("scopes", "accounts_scope_not_granted");
    }
    let scopes: Vec<&str> = chosen.iter().map(|s| s.as_str()).collect();
    let expires_at = match form.expires.trim() {
        "" => None,
        s => match safir_domain::iso_date(s).ok_or(()) {
            Ok(d) if d > Utc::now().date_naive() => d.and_hms_opt(23, 59, 59).map(|t| t.and_utc()),
            Ok(_) => {
                errors.push("expires", "accounts_date_not_future");
                None
            }
            Err(_) => {
                errors.push("expires", "accounts_date_invalid");
                None
            }
        },
    };
    if !errors.is_empty() {
        let again = AccountForm::Token {
            name: form.name.clone(),
            scopes: chosen,
            expires: form.expires.clone(),
            request_key: form.request_key.clone(),
        };
        return refused_form(&state, (lang, &uri, &viewer), &me, again, &errors).await;
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // A form sent again (a double click, a retried request) cannot be shown the first
    // sending's secret: only its hash is kept. It gets a token of its own, which replaces the
    // one no one saw.
    let made = match request_key(&form.request_key) {
        Some(key) => {
            tokens::create_api_token_keyed(&mut tx, &me.user.id, name, &scopes, expires_at, &key)
                .await
                .map_err(AppError::internal)?
        }
        None => {
            let (id, secret) =
                tokens::create_api_token(&mut tx, &me.user.id, name, &scopes, expires_at)
                    .await
                    .map_err(AppError::internal)?;
            tokens::KeyedToken {
                id,
                secret,
                replaced: Vec::new(),
            }
        }
    };
    for old in &made.replaced {
        let summary = serde_json::json!({ "replaced_by": made.id.as_str() });
        let record = audit_record(&me, &client, actions::TOKEN_REVOKE, old, summary);
        crate::audit_log::append(&mut tx, &record).await?;
    }
    let summary = serde_json::json!({
        "name": name,
        "scopes": scopes,
        "expires_at": expires_at,
        "replaces": made.replaced,
    });
    crate::audit_log::commit_with(
        tx,
        &audit_record(
            &me,
            &client,
            actions::TOKEN_CREATE,
            made.id.as_str(),
            summary,
        ),
    )
    .await?;
    let view = TokenCreatedPage {
        page: state.page(lang, &uri, "accounts-token-created-title", &viewer),
        name: name.to_owned(),
        scopes: scopes.join(" "),
        secret: made.secret,
        replaced: !made.replaced.is_empty(),
    };
    Ok(secret_page(render(&view)?))
}

pub async fn revoke(
    State(state): State<AppState>,
    client: ClientInfo,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let revoked = tokens::revoke_api_token(&mut tx, &me.user.id, &id)
        .await
        .map_err(AppError::internal)?;
    if !revoked {
        tx.rollback().await.map_err(AppError::internal)?;
        // Revoked already, by the same form sent just before (a double click): the token is
        // revoked as asked. Another's token, or none, is not found.
        let theirs = tokens::list_api_tokens(&state.db, &me.user.id)
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .any(|t| t.id == id && t.revoked_at.is_some());
        if theirs {
            return Ok(Redirect::to("/account?notice=token-revoked").into_response());
        }
        return Err(AppError::NotFound);
    }
    crate::audit_log::commit_with(
        tx,
        &audit_record(
            &me,
            &client,
            actions::TOKEN_REVOKE,
            &id,
            serde_json::json!({}),
        ),
    )
    .await?;
    Ok(Redirect::to("/account?notice=token-revoked").into_response())
}
