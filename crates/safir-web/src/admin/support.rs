//! What the admin pages share: the acting staff member with their address (for the audit
//! trail), submitted forms with repeated fields, and field errors named after domain codes.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use safir_domain::ValidationError;
use safir_domain::audit::AuditAction;
use safir_domain::ids::{MissionId, UserId};
use safir_store::audit::NewAuditRecord;

use crate::auth::{CurrentUser, SignedIn};
use crate::error::{AppError, FieldError};
use crate::security::client_ip;
use crate::state::AppState;

/// The signed-in staff member acting, and where the request came from.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: Arc<CurrentUser>,
    pub ip: Option<String>,
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SignedIn(user) = SignedIn::from_request_parts(parts, state).await?;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let ip = client_ip(&parts.headers, peer, state.config.trusted_proxy).map(|a| a.to_string());
        Ok(Actor { user, ip })
    }
}

impl Actor {
    pub fn id(&self) -> &str {
        self.user.id()
    }

    /// An audit record of `action` by this actor on `target_type`/`target_id`.
    pub fn audit(
        &self,
        action: AuditAction,
        target_type: &'static str,
        target_id: Option<&str>,
        mission_id: Option<&str>,
        summary: serde_json::Value,
    ) -> NewAuditRecord {
        NewAuditRecord {
            actor_id: Some(UserId::from_trusted(self.user.user.id.clone())),
            actor_label: self.user.user.email.clone(),
            action,
            target_type,
            target_id: target_id.map(str::to_owned),
            mission_id: mission_id.map(|m| MissionId::from_trusted(m.to_owned())),
            client_ip: self.ip.clone(),
            summary,
        }
    }
}

/// A submitted form as name/value pairs, so repeated names (checkboxes) survive.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, or "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The key the form was sent with ([`REQUEST_KEY`]): the same form sent twice (a double
    /// click, a retried request) makes one record. `None` for a form without one, or with a
    /// key this server never gives (it is trusted no further than that: it only finds what
    /// the same account or scope stored with it).
    pub fn request_key(&self) -> Option<String> {
        request_key(self.get(REQUEST_KEY))
    }

    /// The form's key to draw it with: the one it was sent with (a rejected form shown again
    /// is the same form), else a new one.
    pub fn request_key_or_new(&self) -> String {
        self.request_key().unwrap_or_else(new_request_key)
    }
}

/// The hidden field holding a form's own key (see [`FormData::request_key`]).
pub const REQUEST_KEY: &str = "request_key";

/// A form's key as sent, if it is one this server could have given (see
/// [`FormData::request_key`]).
pub fn request_key(sent: &str) -> Option<String> {
    let key = sent.trim();
    (!key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| key.to_owned())
}

/// A new key for a form as it is first shown.
pub fn new_request_key() -> String {
    uuid::Uuid::now_v7().as_simple().to_string()
}

/// A field error from a domain validation code. Codes the site-wide catalog already
/// explains keep their message there; the rest are explained in the admin catalog under
/// `field-error-admin-<code>`.
pub fn field_error(field: &str, e: &ValidationError, max_len: usize) -> FieldError {
    match e.code {
        code if FieldError::is_site_wide(code) => FieldError::new(field, code),
        "too_long" => FieldError::new(field, "too_long").with_arg("max", max_len),
        "email_invalid" | "email_too_long" => FieldError::new(field, "invalid_email"),
        other => FieldError::new(field, format!("admin_{other}")),
    }
}

/// Trimmed required text of at most `max` characters.
pub fn required_text(value: &str, max: usize) -> Result<String, ValidationError> {
    let v = safir_domain::trim_blank(value);
    if v.is_empty() {
        Err(ValidationError::new("required"))
    } else if v.chars().count() > max {
        Err(ValidationError::new("too_long"))
    } else {
        Ok(v.to_owned())
    }
}

/// Trimmed optional text of at most `max` characters.
pub fn optional_text(value: &str, max: usize) -> Result<Option<String>, ValidationError> {
    let v = safir_domain::trim_blank(value);
    if v.is_empty() {
        Ok(None)
    } else if v.chars().count() > max {
        Err(ValidationError::new("too_long"))
    } else {
        Ok(Some(v.to_owned()))
    }
}

/// An option of a `<select>`, already labelled in the page language.
#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A new random one-time password: 20 letters and digits without look-alikes (0/O, 1/l/I),
/// grouped by four for reading aloud; always accepted by the password rules.
pub fn one_time_password() -> String {
    const LOOK_ALIKES: &str = "0O1lI";
    let mut chars = Vec::with_capacity(20);
    while chars.len() < 20 {
        let secret = safir_store::accounts::secrets::new_secret();
        chars.extend(
            secret
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() && !LOOK_ALIKES.contains(*c)),
        );
    }
    chars.truncate(20);
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The version of a record a form is drawn from, for its hidden `seen` field: the record's
/// `updated_at`, to the microsecond it is stored to.
pub fn version_mark(updated_at: chrono::DateTime<chrono::Utc>) -> String {
    updated_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Whether the form `d` was drawn from the version `current` of its record (see
/// [`version_mark`]): `None` when it carries no `seen` field (a page drawn before the field
/// existed, or a client that does not send it), which checks nothing.
pub fn seen_is(d: &FormData, current: chrono::DateTime<chrono::Utc>) -> Option<bool> {
    let seen = d.get("seen").trim();
    (!seen.is_empty())
        .then(|| chrono::DateTime::parse_from_rfc3339(seen).is_ok_and(|t| t.to_utc() == current))
}

/// A form drawn from an earlier version of its record (another member of staff saved it
/// meanwhile) shown again with what was typed and status 409.
pub fn conflicted(html: axum::response::Html<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::CONFLICT,
        axum::Extension(crate::error::OwnErrorPage),
        html,
    )
        .into_response()
}

/// A rejected form shown again with status 422; the error layer leaves the page as it is.
pub fn rejected(html: axum::response::Html<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        axum::Extension(crate::error::OwnErrorPage),
        html,
    )
        .into_response()
}

/// The line above a rejected form: how many fields need attention.
pub fn error_summary(
    lang: crate::i18n::Lang,
    errors: &crate::error::FieldErrors,
) -> Option<String> {
    let fields: std::collections::BTreeSet<&str> =
        errors.iter().map(|e| e.field.as_str()).collect();
    (!fields.is_empty()).then(|| {
        let mut args = crate::i18n::FluentArgs::new();
        args.set("count", fields.len() as i64);
        crate::i18n::t_args(lang, "form-errors-summary", &args)
    })
}
