//! The staff-account form and its one-time password, shown once.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::accounts::{AccountKind, Password};
use safir_domain::audit::actions;
use safir_domain::roles::Scope;
use safir_store::StoreError;
use safir_store::accounts::{self, grants, password};
use safir_store::missions::{self, Mission};

use super::support::{Actor, FormData, new_request_key, one_time_password, rejected};
use super::user_form::{NewStaffForm, NewStaffView};
use crate::auth::Viewer;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/user_new.html")]
struct NewUserPage {
    page: Page,
    csrf_token: String,
    form: NewStaffView,
}

fn new_user_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    form: &NewStaffForm,
    missions: &[Mission],
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
    render(&NewUserPage {
        page: state.page(lang, uri, "admin-user-new-title", viewer),
        csrf_token: state.csrf_token(viewer),
        form: NewStaffView::new(lang, form, missions, errors),
    })
}

pub async fn new_user_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let form = NewStaffForm {
        language: lang.code().to_owned(),
        request_key: new_request_key(),
        ..NewStaffForm::default()
    };
    new_user_page(
        &state,
        lang,
        &uri,
        &viewer,
        &form,
        &all,
        &FieldErrors::new(),
    )
}

/// The page that shows a one-time password, once: never cached, never stored in clear.
#[derive(Template)]
#[template(path = "admin/one_time_password.html")]
struct OneTimePasswordPage {
    page: Page,
    user_id: String,
    name: String,
    email: String,
    password: String,
}

pub fn show_password_once(
    page: Page,
    user: &accounts::User,
    password: String,
) -> Result<Response, AppError> {
    let html = render(&OneTimePasswordPage {
        page,
        user_id: user.id.clone(),
        name: user.display_name.clone(),
        email: user.email.clone(),
        password,
    })?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}

pub async fn create_user(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let form = NewStaffForm::from_data(&data);
    let staff = match form.validate(&all) {
        Ok(s) => s,
        Err(errors) => {
            let html = new_user_page(&state, lang, &uri, &viewer, &form, &all, &errors)?;
            return Ok(rejected(html));
        }
    };
    let secret = one_time_password();
    let parsed = Password::parse(&secret).map_err(AppError::internal)?;
    let hash = password::hash(&parsed).await;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let created = accounts::create_user(
        &mut tx,
        &accounts::NewUser {
            email: &staff.email,
            display_name: &staff.name,
            password_hash: &hash,
            kind: AccountKind::Staff,
            lang: staff.language,
            email_verified: true,
            request_key: Some(&form.request_key),
        },
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            // The same form sent again (a double click, a retried request): the account is the
            // one it made, whose one-time password went in the answer to the first sending.
            // Its page says so and offers a new one, rather than "address taken".
            // (The transaction ends first: on SQLite it holds the one writing connection.)
            drop(tx);
            if let Some(id) = accounts::created_with_key(&state.db, &staff.email, &form.request_key)
                .await
                .map_err(AppError::internal)?
            {
                return Ok(Redirect::to(&format!(
                    "/admin/users/{}?done=created",
                    crate::auth::access::urlencode(&id)
                ))
                .into_response());
            }
            let mut errors = FieldErrors::new();
            errors.add(FieldError::new("email", "admin_email_taken"));
            let html = new_user_page(&state, lang, &uri, &viewer, &form, &all, &errors)?;
            return Ok(rejected(html));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    // The one-time password is the administrator's, not the owner's: they choose their own
    // at their first sign-in, and it stops signing in after a few days.
    accounts::mark_password_set_by_admin(&mut tx, id.as_str())
        .await
        .map_err(AppError::internal)?;
    grants::grant(
        &mut tx,
        id.as_str(),
        staff.role,
        &staff.scope,
        Some(actor.id()),
    )
    .await
    .map_err(AppError::internal)?;
    let mission = match &staff.scope {
        Scope::Ministry => None,
        Scope::Mission(m) => Some(m.as_str()),
    };
    let summary = serde_json::json!({
        "kind": "staff",
        "language": staff.language.code(),
    });
    let grant_summary = serde_json::json!({
        "role": staff.role.as_str(),
        "scope": staff.scope.to_storage(),
    });
    for (action, summary, target_mission) in [
        (actions::USER_CREATE, summary, None),
        (actions::ROLE_GRANT, grant_summary, mission),
    ] {
        let record = actor.audit(action, "user", Some(id.as_str()), target_mission, summary);
        crate::audit_log::append(&mut tx, &record).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    let user = accounts::find_user(&state.db, id.as_str())
        .await
        .map_err(AppError::internal)?;
    let page = state
        .page(lang, &uri, "admin-user-created-title", &viewer)
        .with_flash(
            FlashKind::Success,
            crate::i18n::t(lang, "admin-user-created"),
        );
    show_password_once(page, &user, secret)
}
