//! `GET/POST /sign-up`: a public account for citizens and foreign applicants, signed in at
//! once, with a link to verify the email address.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safir_domain::accounts::{AccountKind, DisplayName, Email, Password};
use safir_store::StoreError;
use safir_store::accounts::{self, password, tokens};
use serde::Deserialize;

use super::common::{
    ClientInfo, Recipient, error_summary, new_password_fields, page_response, push_domain_error,
    redirect_with_cookie, send_email, start_session,
};
use crate::admin::support::{new_request_key, request_key};
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// How long a verification link stays valid.
pub const VERIFY_TTL_HOURS: i64 = 24;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
    pub lang: String,
    /// The form's own key: the same form sent twice finds the account its first sending made.
    pub request_key: String,
}

#[derive(Template)]
#[template(path = "accounts/sign_up.html")]
struct SignUpPage {
    page: Page,
    csrf_token: String,
    display_name: Field,
    email: Field,
    password: Field,
    password_confirm: Field,
    lang_choice: String,
    lang_error: Option<String>,
    error_summary: Option<String>,
    request_key: String,
}

fn view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    form: &SignUpForm,
    errors: &FieldErrors,
) -> SignUpPage {
    let chosen = if form.lang.is_empty() {
        lang.code().to_owned()
    } else {
        form.lang.clone()
    };
    let (password, password_confirm) = new_password_fields(
        lang,
        ("password", "password_confirm"),
        "accounts-field-password",
        errors,
    );
    SignUpPage {
        page: state.page(lang, uri, "accounts-sign-up-title", viewer),
        csrf_token: state.csrf_token(viewer),
        display_name: Field::new(lang, "display_name", "accounts-field-display-name")
            .value(&form.display_name)
            .required()
            .autocomplete("name")
            .errors_from(lang, errors),
        email: Field::new(lang, "email", "accounts-field-email")
            .kind(InputKind::Email)
            .value(&form.email)
            .required()
            .autocomplete("email")
            .errors_from(lang, errors),
        password,
        password_confirm,
        lang_choice: chosen,
        lang_error: errors.for_field("lang").map(|e| e.message(lang)),
        error_summary: error_summary(lang, errors),
        // A rejected form shown again is the same form: it keeps its key.
        request_key: request_key(&form.request_key).unwrap_or_else(new_request_key),
    }
}

/// How long after an account was made the same form sent again signs in to it.
const SENT_AGAIN_MINUTES: i64 = 15;

/// The same form sent again (a double click, a request retried after its answer was lost):
/// the account its first sending made, as the key and the password typed show, signed in as
/// that sending would have been. `None` when the address belongs to another form's account
/// (or the password is not the one set, or the account was made a while ago, or is locked or
/// disabled since): then the address is taken.
async fn sent_again(
    state: &AppState,
    client: &ClientInfo,
    email: &Email,
    key: Option<&str>,
    typed: &str,
) -> Result<Option<Response>, AppError> {
    let Some(key) = key else {
        return Ok(None);
    };
    let Some(id) = accounts::created_with_key(&state.db, email, key)
        .await
        .map_err(AppError::internal)?
    else {
        return Ok(None);
    };
    let user = accounts::find_user(&state.db, &id)
        .await
        .map_err(AppError::internal)?;
    let now = chrono::Utc::now();
    let usable = user.disabled_at.is_none()
        && user.locked_until.is_none_or(|until| until <= now)
        && now - user.created_at <= chrono::Duration::minutes(SENT_AGAIN_MINUTES);
    if !usable || !password::verify(typed, &user.password_hash).await {
        return Ok(None);
    }
    let cookie = start_session(state, &user.id, client).await?;
    Ok(Some(redirect_with_cookie(
        "/account?notice=welcome",
        cookie,
    )))
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, AppError> {
    if viewer.user().is_some() {
        return Ok(axum::response::Redirect::to("/account").into_response());
    }
    let form = SignUpForm::default();
    let html = render(&view(
        &state,
        lang,
        &uri,
        &viewer,
        &form,
        &FieldErrors::new(),
    ))?;
    Ok(html.into_response())
}

/// Checks every field, collecting one message per field.
pub fn validate_new_password(
    errors: &mut FieldErrors,
    field: &str,
    pw: &str,
    confirm_field: &str,
    confirm: &str,
) -> Option<Password> {
    match Password::parse(pw) {
        Ok(p) => {
            if pw != confirm {
                errors.push(confirm_field, "accounts_password_mismatch");
                None
            } else {
                Some(p)
            }
        }
        Err(e) => {
            push_domain_error(errors, field, e.code);
            None
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    client: ClientInfo,
    Form(form): Form<SignUpForm>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let name = DisplayName::parse(&form.display_name)
        .map_err(|e| push_domain_error(&mut errors, "display_name", e.code))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|e| push_domain_error(&mut errors, "email", e.code))
        .ok();
    let pw = validate_new_password(
        &mut errors,
        "password",
        &form.password,
        "password_confirm",
        &form.password_confirm,
    );
    let account_lang = match form.lang.as_str() {
        "ar" => Some(safir_domain::Lang::Ar),
        "en" => Some(safir_domain::Lang::En),
        _ => {
            errors.push("lang", "invalid");
            None
        }
    };
    let key = request_key(&form.request_key);
    if let Some(email) = &email
        && accounts::find_user_by_email(&state.db, email)
            .await
            .map_err(AppError::internal)?
            .is_some()
    {
        // Only a form with nothing else wrong can be the one that made the account.
        let whole = errors.is_empty() && name.is_some() && pw.is_some() && account_lang.is_some();
        if whole
            && let Some(done) =
                sent_again(&state, &client, email, key.as_deref(), &form.password).await?
        {
            return Ok(done);
        }
        errors.push("email", "accounts_email_taken");
    }
    let (Some(name), Some(email), Some(pw), Some(account_lang), true) =
        (name, email, pw, account_lang, errors.is_empty())
    else {
        let html = render(&view(&state, lang, &uri, &viewer, &form, &errors))?;
        return Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html));
    };

    let hash = password::hash(&pw).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let created = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &email,
            display_name: &name,
            password_hash: &hash,
            kind: AccountKind::Public,
            lang: account_lang,
            email_verified: false,
            request_key: key.as_deref(),
        },
    )
    .await;
    let user_id = match created {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            // Someone registered the address between the check and the insert: this form's
            // other sending, or another person. (The transaction ends first: on SQLite it
            // holds the one writing connection.)
            tx.rollback().await.map_err(AppError::internal)?;
            if let Some(done) =
                sent_again(&state, &client, &email, key.as_deref(), &form.password).await?
            {
                return Ok(done);
            }
            errors.push("email", "accounts_email_taken");
            let html = render(&view(&state, lang, &uri, &viewer, &form, &errors))?;
            return Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, html));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let secret = tokens::issue_email_token(
        &mut tx,
        user_id.as_str(),
        tokens::EmailPurpose::VerifyEmail,
        chrono::Duration::hours(VERIFY_TTL_HOURS),
    )
    .await
    .map_err(AppError::internal)?;
    let link = format!("{}/verify-email?token={secret}", state.config.public_url);
    let to = Recipient {
        email: email.as_str(),
        name: name.as_str(),
        lang: Lang::parse(account_lang.code()).unwrap_or(lang),
    };
    send_email(&mut tx, to, "verify", Some(link)).await?;
    tx.commit().await.map_err(AppError::internal)?;

    let cookie = start_session(&state, user_id.as_str(), &client).await?;
    Ok(redirect_with_cookie("/account?notice=welcome", cookie))
}
