//! `GET /admin`: the sections of the administration this user may open.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use safir_domain::roles::{Permission, Target};

use crate::auth::{SignedIn, Viewer};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

struct Section {
    href: &'static str,
    title: String,
    description: String,
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct AdminHome {
    page: Page,
    sections: Vec<Section>,
}

const SECTIONS: [(&str, Permission, &str); 6] = [
    ("/admin/missions", Permission::ManageMissions, "missions"),
    ("/admin/users", Permission::ManageUsers, "users"),
    ("/admin/audit", Permission::ViewAudit, "audit"),
    ("/admin/jobs", Permission::ManageJobs, "jobs"),
    (
        "/admin/travel-advice",
        Permission::ManageConsularServices,
        "travel-advice",
    ),
    (
        "/admin/crisis/webhooks",
        Permission::ManageMissions,
        "webhooks",
    ),
];

pub async fn admin_home(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
) -> Result<Html<String>, AppError> {
    let page = state.page(lang, &uri, "admin-title", &viewer);
    let sections = SECTIONS
        .iter()
        .filter(|(_, p, _)| user.grants.can(*p, Target::Ministry))
        .map(|(href, _, key)| Section {
            href,
            title: page.t(&format!("admin-{key}-title")),
            description: page.t(&format!("admin-{key}-description")),
        })
        .collect();
    render(&AdminHome { page, sections })
}
