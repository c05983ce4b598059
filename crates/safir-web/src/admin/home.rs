//! `GET /admin`: the sections of the administration this user may open.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;

use crate::auth::{Access, SignedIn, Viewer};
use crate::consular::advice::ADVICE_ACCESS;
use crate::crisis::delivery::webhooks::WEBHOOKS_ACCESS;
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

/// The sections, each with the rule of the route it leads to: shown to those it admits.
const SECTIONS: [(&str, Access, &str); 6] = [
    ("/admin/missions", super::MISSIONS_ACCESS, "missions"),
    ("/admin/users", super::USERS_ACCESS, "users"),
    ("/admin/audit", super::AUDIT_ACCESS, "audit"),
    ("/admin/jobs", super::JOBS_ACCESS, "jobs"),
    ("/admin/travel-advice", ADVICE_ACCESS, "travel-advice"),
    ("/admin/crisis/webhooks", WEBHOOKS_ACCESS, "webhooks"),
];

/// The rules of the sections, for the home's own rule ([`super::ADMIN_ACCESS`]).
pub const SECTION_ACCESS: [Access; 6] = {
    let mut out = [Access::Public; 6];
    let mut i = 0;
    while i < SECTIONS.len() {
        out[i] = SECTIONS[i].1;
        i += 1;
    }
    out
};

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
        .filter(|(_, access, _)| access.admits(&user.grants, None))
        .map(|(href, _, key)| Section {
            href,
            title: page.t(&format!("admin-{key}-title")),
            description: page.t(&format!("admin-{key}-description")),
        })
        .collect();
    render(&AdminHome { page, sections })
}
