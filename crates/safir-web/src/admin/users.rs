//! Users admin: the searchable list of users with their grants. The list shows names and
//! addresses, so each view is recorded as a read of personal data.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Html;
use safir_domain::accounts::AccountKind;
use safir_domain::audit::actions;
use safir_domain::roles::{Role, Scope};
use safir_store::accounts::directory::{self, UserSearch};
use safir_store::missions::{self, Mission};

use super::support::{Actor, SelectOption};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
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
    /// More accounts match than the list shows: the page says so, and to narrow the search.
    more: bool,
}

/// An account's kind in the page language. A citizen's account given a staff role is said
/// to hold roles: it is listed among the staff, and "Public" alone would hide what it may do.
pub fn describe_kind(lang: Lang, kind: &str, holds_roles: bool) -> String {
    if kind == AccountKind::Public.as_str() && holds_roles {
        return crate::i18n::t(lang, "admin-kind-public-with-roles");
    }
    crate::i18n::t(lang, &format!("admin-kind-{kind}"))
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
    let mut found = directory::search_users(&state.db, &search, LIST_LIMIT + 1)
        .await
        .map_err(AppError::internal)?;
    let more = found.len() as i64 > LIST_LIMIT;
    found.truncate(LIST_LIMIT as usize);
    let users = found
        .into_iter()
        .map(|u| UserRow {
            grants: u
                .grants
                .iter()
                .map(|(r, s)| describe_grant(lang, r, s, &all_missions))
                .collect(),
            kind: describe_kind(lang, &u.kind, !u.grants.is_empty()),
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
    state.audit.record(record).await?;
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
        more,
    })
}
