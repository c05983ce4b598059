//! The settings page as one view: each of its forms can come back with the user's input
//! and a message beside each field, while the rest of the page shows the current state.

use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, Response};
use fluent_bundle::FluentArgs;
use safir_domain::roles::TokenScope;
use safir_store::accounts::{self, sessions, tokens};

use super::common::{browser_label, error_summary, format_time, new_password_fields};
use crate::admin::support::new_request_key;
use crate::auth::{CurrentUser, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::{I18n, Lang};
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

/// Which form of the page is shown again, with what the user typed.
#[derive(Debug, Clone, Default)]
pub enum AccountForm {
    #[default]
    None,
    Profile {
        display_name: String,
        lang: String,
    },
    Password {
        revoke_tokens: bool,
    },
    Token {
        name: String,
        scopes: Vec<TokenScope>,
        expires: String,
        request_key: String,
    },
    DisableTotp,
    NewRecoveryCodes,
}

pub struct SessionRow {
    pub browser: String,
    pub ip: String,
    pub last_seen: String,
    pub current: bool,
}

/// A scope's checkbox on the new-token form.
pub struct ScopeOption {
    pub field: String,
    pub label: String,
    pub checked: bool,
}

/// A scope of a token in the list: its name in the reader's language and its code, which the
/// API documentation uses.
pub struct ScopeName {
    pub label: String,
    pub code: String,
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub scopes: Vec<ScopeName>,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub active: bool,
}

/// What waits for the person, at the top of their account: the applications the mission
/// asked them about (reference and page), and their next appointment (when, on the mission's
/// clock, and where).
struct Waiting {
    answers: Vec<(String, String)>,
    appointment: Option<(crate::consular::appointments::labels::Moment, String)>,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.answers.is_empty() && self.appointment.is_none()
    }
}

async fn waiting_for(state: &AppState, lang: Lang, user_id: &str) -> Result<Waiting, AppError> {
    use safir_domain::consular::case::CaseState;
    use safir_store::consular::{appointments, cases};

    let answers = cases::list_for_applicant(&state.db, user_id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .filter(|c| c.state == CaseState::NeedsInfo.as_str())
        .map(|c| (c.display_reference(), format!("/account/cases/{}", c.id)))
        .collect();
    let now = chrono::Utc::now();
    // Live bookings come first, the soonest first.
    let next = appointments::list_for_user(&state.db, user_id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .find(|a| a.is_booked() && a.starts_at > now);
    let appointment = match next {
        Some(a) => {
            let mission = safir_store::missions::find(&state.db, &a.mission_id)
                .await
                .map_err(AppError::internal)?;
            let when = crate::consular::appointments::labels::moment_in_zone(
                lang,
                &mission.time_zone,
                a.starts_at,
            );
            let name = crate::consular::appointments::labels::mission_name(lang, &mission);
            Some((when, name))
        }
        None => None,
    };
    Ok(Waiting {
        answers,
        appointment,
    })
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    page: Page,
    waiting: Waiting,
    csrf_token: String,
    email: String,
    email_verified: bool,
    is_staff: bool,
    display_name: Field,
    lang_choice: String,
    lang_error: Option<String>,
    current_password: Field,
    new_password: Field,
    new_password_confirm: Field,
    /// The box that revokes the API tokens with a password change: its label (saying how many
    /// are live) and whether it is ticked; none without a live token.
    revoke_tokens: Option<(String, bool)>,
    totp_enabled: bool,
    recovery_codes_text: String,
    disable_password: Field,
    codes_password: Field,
    sessions: Vec<SessionRow>,
    tokens: Vec<TokenRow>,
    token_name: Field,
    token_scopes: Vec<ScopeOption>,
    token_scopes_error: Option<String>,
    token_expires: Field,
    /// The new-token form's own key, kept through a rejected form.
    token_request_key: String,
    error_summary: Option<String>,
}

fn scope_label(lang: Lang, scope: TokenScope) -> String {
    let key = format!("accounts-scope-{}", scope.as_str().replace([':', '_'], "-"));
    I18n::global().t(lang, &key)
}

fn notice_key(code: &str) -> Option<&'static str> {
    Some(match code {
        "welcome" => "accounts-notice-welcome",
        "profile-saved" => "accounts-notice-profile-saved",
        "password-changed" => "accounts-notice-password-changed",
        "password-changed-tokens" => "accounts-notice-password-changed-tokens",
        "verification-sent" => "accounts-notice-verification-sent",
        "already-verified" => "accounts-notice-already-verified",
        "verified" => "accounts-notice-verified",
        "two-factor-off" => "accounts-notice-two-factor-off",
        "two-factor-already-on" => "accounts-notice-two-factor-already-on",
        "token-revoked" => "accounts-notice-token-revoked",
        _ => return None,
    })
}

/// The settings page again, as `422`, with `form` as typed and its `errors`.
pub async fn refused_form(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    me: &CurrentUser,
    form: AccountForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let html = account_page(state, lang, uri, viewer, me, form, errors, None).await?;
    Ok(super::common::page_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        html,
    ))
}

/// Renders the settings page; `form` and `errors` say which form failed and why.
#[allow(clippy::too_many_arguments)]
pub async fn account_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    me: &CurrentUser,
    form: AccountForm,
    errors: &FieldErrors,
    notice: Option<&str>,
) -> Result<Html<String>, AppError> {
    let user = &me.user;
    let session_rows = sessions::list_for_user(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|s| SessionRow {
            browser: browser_label(s.user_agent.as_deref()),
            ip: s.client_ip.clone().unwrap_or_else(|| "—".to_owned()),
            last_seen: format_time(s.last_seen_at),
            current: me.session_id_hash.as_deref() == Some(s.id_hash.as_str()),
        })
        .collect();
    let now = chrono::Utc::now();
    let token_rows: Vec<TokenRow> = tokens::list_api_tokens(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|t| TokenRow {
            active: t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now),
            id: t.id.clone(),
            name: t.name.clone(),
            scopes: t
                .scopes
                .split_whitespace()
                .map(|code| ScopeName {
                    label: TokenScope::parse(code)
                        .map(|s| scope_label(lang, s))
                        .unwrap_or_default(),
                    code: code.to_owned(),
                })
                .collect(),
            created: format_time(t.created_at),
            expires: t.expires_at.map(format_time).unwrap_or_else(|| "—".into()),
            last_used: t
                .last_used_at
                .map(format_time)
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let recovery_codes_left = if user.totp_enabled() {
        accounts::remaining_recovery_codes(&state.db, &user.id)
            .await
            .map_err(AppError::internal)?
    } else {
        0
    };
    let (profile_name, profile_lang) = match &form {
        AccountForm::Profile { display_name, lang } => (display_name.clone(), lang.clone()),
        _ => (user.display_name.clone(), user.preferred_lang.clone()),
    };
    let (token_name, token_checked, token_expires, token_request_key) = match &form {
        AccountForm::Token {
            name,
            scopes,
            expires,
            request_key,
        } => (
            name.clone(),
            scopes.clone(),
            expires.clone(),
            crate::admin::support::request_key(request_key).unwrap_or_else(new_request_key),
        ),
        _ => (
            String::new(),
            vec![TokenScope::Read],
            String::new(),
            new_request_key(),
        ),
    };
    // Only the scopes the owner's grants give meaning to are offered.
    let token_scopes = super::tokens::SCOPES
        .into_iter()
        .filter(|s| s.available_to(&me.grants))
        .map(|s| ScopeOption {
            field: super::tokens::scope_field(s),
            label: scope_label(lang, s),
            checked: token_checked.contains(&s),
        })
        .collect();
    let mut page = state.page(lang, uri, "accounts-settings-title", viewer);
    if let Some(key) = notice.and_then(notice_key) {
        page = page.with_flash(FlashKind::Success, I18n::global().t(lang, key));
    }
    let (new_password, new_password_confirm) = new_password_fields(
        lang,
        ("new_password", "new_password_confirm"),
        "accounts-field-new-password",
        errors,
    );
    let live_tokens = token_rows.iter().filter(|t| t.active).count();
    let revoke_tokens = (live_tokens > 0).then(|| {
        let mut args = FluentArgs::new();
        args.set("count", live_tokens);
        let label = I18n::global().t_args(lang, "accounts-password-revoke-tokens", &args);
        // Ticked unless the person untied it on a form sent back with an error.
        let ticked = match &form {
            AccountForm::Password { revoke_tokens } => *revoke_tokens,
            _ => true,
        };
        (label, ticked)
    });
    let waiting = waiting_for(state, lang, &user.id).await?;
    let view = AccountPage {
        page,
        waiting,
        csrf_token: state.csrf_token(viewer),
        email: user.email.clone(),
        email_verified: user.email_verified_at.is_some(),
        is_staff: me.is_staff(),
        display_name: Field::new(lang, "display_name", "accounts-field-display-name")
            .value(profile_name)
            .required()
            .autocomplete("name")
            .errors_from(lang, errors),
        lang_choice: profile_lang,
        lang_error: errors.for_field("lang").map(|e| e.message(lang)),
        current_password: Field::new(lang, "current_password", "accounts-field-current-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        new_password,
        new_password_confirm,
        revoke_tokens,
        totp_enabled: user.totp_enabled(),
        recovery_codes_text: {
            let mut args = FluentArgs::new();
            args.set("count", recovery_codes_left);
            I18n::global().t_args(lang, "accounts-recovery-codes-left", &args)
        },
        disable_password: Field::new(lang, "disable_password", "accounts-field-current-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        codes_password: Field::new(lang, "codes_password", "accounts-field-current-password")
            .kind(InputKind::Password)
            .required()
            .autocomplete("current-password")
            .errors_from(lang, errors),
        sessions: session_rows,
        tokens: token_rows,
        token_name: Field::new(lang, "name", "accounts-field-token-name")
            .value(token_name)
            .required()
            .errors_from(lang, errors),
        token_scopes,
        token_scopes_error: errors.for_field("scopes").map(|e| e.message(lang)),
        token_expires: Field::new(lang, "expires", "accounts-field-token-expires")
            .kind(InputKind::Date)
            .value(token_expires)
            .hint(lang, "accounts-token-expires-hint")
            .errors_from(lang, errors),
        token_request_key,
        error_summary: error_summary(lang, errors),
    };
    render(&view)
}
