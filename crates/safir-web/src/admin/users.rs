//! Users admin: the searchable list, the staff-account form with its one-time password, and
//! a user's page (profile, grants and the actions on them). Opening a user's page is a read
//! of personal data and is audited.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use safir_domain::accounts::{AccountKind, Password};
use safir_domain::audit::actions;
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::directory::{self, UserSearch};
use safir_store::accounts::{self, grants, password};
use safir_store::missions::{self, Mission};
use safir_store::{StoreError, audit};

use super::support::{Actor, FormData, SelectOption, one_time_password, rejected};
use super::user_form::{GrantChoice, GrantFormView, NewStaffForm, NewStaffView};
use crate::auth::Viewer;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::staff::labels;
use crate::state::AppState;

const LIST_LIMIT: i64 = 200;

#[derive(Debug, Default, serde::Deserialize)]
pub struct UserListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    role: String,
}

struct UserRow {
    id: String,
    name: String,
    email: String,
    kind: String,
    grants: Vec<String>,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    page: Page,
    q: String,
    kinds: Vec<SelectOption>,
    roles: Vec<SelectOption>,
    users: Vec<UserRow>,
}

/// A grant as a line of text in the page language: "Consular officer — Embassy in Paris".
pub fn describe_grant(lang: Lang, role: &str, scope: &str, missions: &[Mission]) -> String {
    let place = match Scope::from_storage(scope) {
        Scope::Ministry => crate::i18n::t(lang, "admin-scope-ministry"),
        Scope::Mission(id) => missions
            .iter()
            .find(|m| m.id == id.as_str())
            .map(|m| m.name(labels::content_lang(lang)).to_owned())
            .unwrap_or_else(|| id.as_str().to_owned()),
    };
    format!("{} — {}", labels::role(lang, role), place)
}

pub async fn list_users(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Query(params): Query<UserListParams>,
) -> Result<Html<String>, AppError> {
    let search = UserSearch {
        text: Some(params.q.clone()),
        kind: AccountKind::parse(&params.kind).ok(),
        role: Role::parse(&params.role).ok(),
    };
    let all_missions = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let users = directory::search_users(&state.db, &search, LIST_LIMIT)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|u| UserRow {
            grants: u
                .grants
                .iter()
                .map(|(r, s)| describe_grant(lang, r, s, &all_missions))
                .collect(),
            kind: crate::i18n::t(lang, &format!("admin-kind-{}", u.kind)),
            disabled: u.disabled_at.is_some(),
            id: u.id,
            name: u.display_name,
            email: u.email,
        })
        .collect::<Vec<_>>();
    // The list shows people's names and addresses: a read of personal data.
    let summary = serde_json::json!({
        "search": { "q": params.q.trim(), "kind": params.kind, "role": params.role },
        "shown": users.len(),
    });
    let record = actor.audit(actions::USER_READ, "user_list", None, None, summary);
    audit::record(&state.db, &record)
        .await
        .map_err(AppError::internal)?;
    let page = state.page(lang, &uri, "admin-users-title", &viewer);
    let kinds = [AccountKind::Staff, AccountKind::Public]
        .iter()
        .map(|k| SelectOption {
            value: k.as_str().to_owned(),
            label: page.t(&format!("admin-kind-{}", k.as_str())),
            selected: params.kind == k.as_str(),
        })
        .collect();
    let roles = Role::ALL
        .iter()
        .map(|r| SelectOption {
            value: r.as_str().to_owned(),
            label: labels::role(lang, r.as_str()),
            selected: params.role == r.as_str(),
        })
        .collect();
    render(&UsersPage {
        page,
        q: params.q,
        kinds,
        roles,
        users,
    })
}

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
        },
    )
    .await;
    let id = match created {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::new();
            errors.add(FieldError::new("email", "admin_email_taken"));
            let html = new_user_page(&state, lang, &uri, &viewer, &form, &all, &errors)?;
            return Ok(rejected(html));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
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
        audit::append(&mut tx, &record)
            .await
            .map_err(AppError::internal)?;
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

struct GrantRow {
    role: String,
    scope: String,
    label: String,
}

#[derive(Template)]
#[template(path = "admin/user_show.html")]
struct UserPage {
    page: Page,
    csrf_token: String,
    id: String,
    name: String,
    email: String,
    kind: String,
    language: String,
    created_at: String,
    two_factor: bool,
    disabled: bool,
    grants: Vec<GrantRow>,
    grant_form: GrantFormView,
}

/// What a user's page shows besides the user: a message and the grant form's state.
#[derive(Default)]
pub struct UserPageState {
    pub flash: Option<(FlashKind, String)>,
    pub grant: GrantChoice,
    pub errors: FieldErrors,
}

/// Renders a user's page and records the read of their personal data.
pub async fn user_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    actor: &Actor,
    user_id: &str,
    extra: UserPageState,
) -> Result<Html<String>, AppError> {
    let user = match accounts::find_user(&state.db, user_id).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let rows = grants::list_for_user(&state.db, &user.id)
        .await
        .map_err(AppError::internal)?;
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let record = actor.audit(
        actions::USER_READ,
        "user",
        Some(&user.id),
        None,
        serde_json::json!({ "page": "admin.user" }),
    );
    audit::record(&state.db, &record)
        .await
        .map_err(AppError::internal)?;
    let mut page = state.page(lang, uri, "admin-user-title", viewer);
    page.title = format!("{} — {}", page.title, user.display_name);
    if let Some((kind, message)) = extra.flash {
        page = page.with_flash(kind, message);
    }
    render(&UserPage {
        csrf_token: state.csrf_token(viewer),
        kind: page.t(&format!("admin-kind-{}", user.kind)),
        language: labels::content_language(lang, &user.preferred_lang),
        created_at: user.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        two_factor: user.totp_enabled(),
        disabled: user.disabled_at.is_some(),
        grants: rows
            .iter()
            .map(|g| GrantRow {
                label: describe_grant(lang, &g.role, &g.scope, &all),
                role: g.role.clone(),
                scope: g.scope.clone(),
            })
            .collect(),
        grant_form: GrantFormView::new(lang, &extra.grant, &all, &extra.errors),
        page,
        id: user.id,
        name: user.display_name,
        email: user.email,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct UserPageParams {
    #[serde(default)]
    done: String,
}

pub async fn show_user(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(user_id): Path<String>,
    Query(params): Query<UserPageParams>,
) -> Result<Html<String>, AppError> {
    let flash = match params.done.as_str() {
        done @ ("granted" | "revoked" | "disabled" | "enabled") => Some((
            FlashKind::Success,
            crate::i18n::t(lang, &format!("admin-user-{done}")),
        )),
        _ => None,
    };
    let extra = UserPageState {
        flash,
        ..UserPageState::default()
    };
    user_page(&state, lang, &uri, &viewer, &actor, &user_id, extra).await
}

/// A user's page address, for the language switcher of pages answering a POST.
pub fn user_uri(user_id: &str) -> Uri {
    format!("/admin/users/{}", crate::auth::access::urlencode(user_id))
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/admin/users"))
}

/// A refused action: the user's page again with the reason, and `status`.
pub async fn refused(
    state: &AppState,
    lang: Lang,
    viewer: &Viewer,
    actor: &Actor,
    user_id: &str,
    status: StatusCode,
    extra: UserPageState,
) -> Result<Response, AppError> {
    let uri = user_uri(user_id);
    let html = user_page(state, lang, &uri, viewer, actor, user_id, extra).await?;
    Ok((status, axum::Extension(crate::error::OwnErrorPage), html).into_response())
}
