//! What the account handlers share: the client's address and browser, session cookies,
//! safe `next` targets, form pages returned with an error status, and account emails.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fluent_bundle::FluentArgs;
use safir_domain::audit::AuditAction;
use safir_store::Tx;
use safir_store::accounts::{self, User, password, secrets, sessions};
use safir_store::audit::NewAuditRecord;

use crate::auth::SESSION_COOKIE;
use crate::auth::session::{cookie_header, cookie_value};
use crate::email;
use crate::error::{AppError, FieldError, FieldErrors, OwnErrorPage};
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::security::{client_ip, limit_key};
use crate::state::AppState;

/// Where a request comes from: its address (for throttling and the session list) and
/// browser, and the session cookie it carried, if any.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_cookie: Option<String>,
}

impl ClientInfo {
    /// The rate-limiter key ([`limit_key`]); requests without a known address share one
    /// bucket.
    pub fn limiter_key(&self) -> String {
        self.ip
            .map(|ip| limit_key(ip).to_string())
            .unwrap_or_else(|| "unknown".to_owned())
    }

    pub fn ip_string(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr);
        Ok(ClientInfo {
            ip: client_ip(&parts.headers, peer, state.config.trusted_proxy),
            user_agent: parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            session_cookie: cookie_value(&parts.headers, SESSION_COOKIE).map(str::to_owned),
        })
    }
}

/// Counts a wrong password or code against the account (`security.login_max_failures` in a
/// row lock it for `login_lockout_minutes`); the end of the lock when this one locked it.
pub async fn count_failed_sign_in(
    state: &AppState,
    user_id: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, AppError> {
    accounts::record_failed_login(
        &state.db,
        user_id,
        state.config.login_max_failures,
        state.config.login_lockout,
    )
    .await
    .map_err(AppError::internal)
}

/// The audit record of a change someone made to their own account (a staff account's: the
/// public's own changes are not recorded).
pub fn own_account_record(
    user: &User,
    action: AuditAction,
    client: &ClientInfo,
    summary: serde_json::Value,
) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: Some(user.user_id()),
        actor_label: user.email.clone(),
        action,
        target_type: "user",
        target_id: Some(user.id.clone()),
        mission_id: None,
        client_ip: client.ip_string(),
        summary,
    }
}

/// Checks the current password typed to change a setting (the password, the second
/// factor): the error code for its field, or `None` when it is right. It is guarded as the
/// sign-in page is, so a session left open is no place to guess it: the tries per address
/// are limited, a wrong one counts towards the account's lock, and a locked account takes no
/// password until the lock ends.
pub async fn current_password_error(
    state: &AppState,
    client: &ClientInfo,
    user: &User,
    typed: &str,
) -> Result<Option<&'static str>, AppError> {
    if typed.is_empty() {
        return Ok(Some("required"));
    }
    let locked = user
        .locked_until
        .is_some_and(|until| until > chrono::Utc::now());
    if locked || state.login_limiter.check(&client.limiter_key()).is_err() {
        return Ok(Some("accounts_password_tries"));
    }
    if password::verify(typed, &user.password_hash).await {
        return Ok(None);
    }
    let locked = count_failed_sign_in(state, &user.id).await?;
    Ok(Some(if locked.is_some() {
        "accounts_password_tries"
    } else {
        "accounts_password_wrong"
    }))
}

/// A new password and its confirmation, as every form that sets one shows them: the policy
/// hint on the first, `new-password` autocomplete on both, never the typed value.
pub fn new_password_fields(
    lang: Lang,
    (name, confirm_name): (&str, &str),
    label_key: &str,
    errors: &FieldErrors,
) -> (Field, Field) {
    let password = Field::new(lang, name, label_key)
        .kind(InputKind::Password)
        .hint(lang, "accounts-password-hint")
        .required()
        .autocomplete("new-password")
        .errors_from(lang, errors);
    let confirm = Field::new(lang, confirm_name, "accounts-field-password-confirm")
        .kind(InputKind::Password)
        .required()
        .autocomplete("new-password")
        .errors_from(lang, errors);
    (password, confirm)
}

pub fn page_response(status: StatusCode, html: Html<String>) -> Response {
    let mut response = (status, html).into_response();
    if status.is_client_error() {
        response.extensions_mut().insert(OwnErrorPage);
    }
    response
}

/// A page that shows a secret once (a new token, recovery codes, a TOTP key): never cached.
pub fn secret_page(html: Html<String>) -> Response {
    let mut response = html.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Only paths on this site: `/…`, never `//host` or `/\host` (which browsers treat as another
/// site), never absolute URLs.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let n = next?.trim();
    let ok = n.starts_with('/')
        && !n.starts_with("//")
        && !n.contains('\\')
        && !n.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then(|| n.to_owned())
}

/// Opens a new session (a fresh id: the old cookie's session, if any, is deleted) and returns
/// the `Set-Cookie` value. The session records no second factor passed, even where none is
/// due: one is due as soon as a role that needs it is granted or the authenticator turned on,
/// and then this session must ask for it too; a code given marks it passed.
pub async fn start_session(
    state: &AppState,
    user_id: &str,
    client: &ClientInfo,
) -> Result<HeaderValue, AppError> {
    if let Some(old) = &client.session_cookie {
        sessions::delete(&state.db, &secrets::hash_secret(old))
            .await
            .map_err(AppError::internal)?;
    }
    let ip = client.ip_string();
    let secret = sessions::create(
        &state.db,
        user_id,
        false,
        ip.as_deref(),
        client.user_agent.as_deref(),
        state.config.session_ttl,
    )
    .await
    .map_err(AppError::internal)?;
    let max_age = state.config.session_ttl.num_seconds();
    let cookie = cookie_header(
        SESSION_COOKIE,
        &secret,
        Some(max_age),
        state.config.behind_tls,
    );
    HeaderValue::from_str(&cookie).map_err(AppError::internal)
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(state: &AppState) -> HeaderValue {
    let cookie = cookie_header(SESSION_COOKIE, "", Some(0), state.config.behind_tls);
    HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static(
        "safir_session=; Path=/; Max-Age=0",
    ))
}

/// A redirect (303, so the browser follows with GET) that also sets a cookie.
pub fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The interface language to write to a user in.
pub fn user_lang(user: &User) -> Lang {
    Lang::parse(&user.preferred_lang).unwrap_or_default()
}

/// Who an account email goes to.
pub struct Recipient<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub lang: Lang,
}

impl<'a> From<&'a User> for Recipient<'a> {
    fn from(user: &'a User) -> Self {
        Recipient {
            email: &user.email,
            name: &user.display_name,
            lang: user_lang(user),
        }
    }
}

/// Renders `email-<template>-*` in the recipient's language and enqueues it in `tx`.
pub async fn send_email(
    tx: &mut Tx,
    to: Recipient<'_>,
    template: &str,
    link: Option<String>,
) -> Result<(), AppError> {
    let mut args = FluentArgs::new();
    args.set("name", to.name.to_owned());
    if let Some(link) = link {
        args.set("link", link);
    }
    let message = email::render(to.email, to.lang, template, &args);
    email::enqueue(tx, &message, None)
        .await
        .map_err(AppError::internal)
}

/// Tells `user` their password was changed (by them, or by the emailed link), in their
/// language, in `tx`: a change they did not make is theirs to report at once.
pub async fn tell_password_changed(tx: &mut Tx, user: &User) -> Result<(), AppError> {
    send_email(tx, user.into(), "password-changed", None).await
}

/// Tells `user` an administrator reset their password (on the admin pages or from the shell):
/// every session of theirs ended and their API tokens were revoked, and the one-time
/// password comes from the administrator, not by mail.
pub async fn tell_password_reset_by_admin(tx: &mut Tx, user: &User) -> Result<(), AppError> {
    send_email(tx, user.into(), "password-reset-by-admin", None).await
}

/// The line above a rejected form: how many fields need attention.
pub fn error_summary(lang: Lang, errors: &FieldErrors) -> Option<String> {
    if errors.is_empty() {
        return None;
    }
    let mut args = FluentArgs::new();
    args.set("count", errors.len());
    Some(crate::i18n::t_args(lang, "form-errors-summary", &args))
}

/// Adds a domain validation failure under this context's message keys: the shared
/// messages where they exist, `field-error-accounts-*` otherwise.
pub fn push_domain_error(errors: &mut FieldErrors, field: &str, code: &str) {
    match code {
        code if FieldError::is_site_wide(code) => errors.push(field, code),
        "email_invalid" => errors.push(field, "invalid_email"),
        "too_long" if field == "display_name" => {
            errors.add(FieldError::new(field, "too_long").with_arg("max", 120))
        }
        other => errors.push(field, &format!("accounts_{other}")),
    }
}

/// A short label for a browser from its user agent, such as `Firefox · Linux`.
pub fn browser_label(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent else {
        return "—".to_owned();
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| ua.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} · {o}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(o)) => o.to_owned(),
        (None, None) => ua.chars().take(60).collect(),
    }
}

/// Times as users read them in lists: `2026-11-28 14:05 UTC`.
pub fn format_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_local_paths_only() {
        assert_eq!(
            safe_next(Some("/account?tab=1")).as_deref(),
            Some("/account?tab=1")
        );
        for bad in [
            "//evil.example/x",
            "https://evil.example/",
            "/\\evil.example",
            "evil",
            "/a b",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn browser_labels() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(browser_label(Some(firefox)), "Firefox · Linux");
        let edge =
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 Safari/537.36 Edg/120";
        assert_eq!(browser_label(Some(edge)), "Edge · Windows");
        assert_eq!(browser_label(None), "—");
    }
}
