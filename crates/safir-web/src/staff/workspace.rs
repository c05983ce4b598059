//! `GET /staff`: the missions whose dashboard the user may open, and the crisis pages for
//! those who work crises.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use safir_domain::roles::Permission;
use safir_store::missions;

use super::labels;
use crate::auth::{SignedIn, Viewer};
use crate::crisis::alerts::CRISIS_ACCESS;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

struct MissionLink {
    code: String,
    name: String,
    kind: String,
    place: String,
}

#[derive(Template)]
#[template(path = "staff/workspace.html")]
struct WorkspacePage {
    page: Page,
    missions: Vec<MissionLink>,
    count_text: String,
    /// The ministry's crisis pages, for those who declare crises and compose alerts.
    crisis_links: Vec<(&'static str, String)>,
}

pub async fn list_my_missions(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(user): SignedIn,
) -> Result<Html<String>, AppError> {
    let allowed = user.grants.missions_for(Permission::ViewDashboard);
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let missions = all
        .into_iter()
        .filter(|m| {
            allowed
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|id| id.as_str() == m.id))
        })
        .map(|m| MissionLink {
            name: m.name(labels::content_lang(lang)).to_owned(),
            kind: labels::mission_kind(lang, &m.kind),
            place: format!(
                "{} — {}",
                m.city(labels::content_lang(lang)),
                labels::country(lang, &m.country)
            ),
            code: m.code,
        })
        .collect::<Vec<_>>();
    let page = state.page(lang, &uri, "staff-title", &viewer);
    let crisis_links = if CRISIS_ACCESS.admits(&user.grants, None) {
        vec![
            ("/staff/crises", page.t("crisis-crises-title")),
            ("/staff/alerts", page.t("crisis-alerts-title")),
        ]
    } else {
        Vec::new()
    };
    render(&WorkspacePage {
        crisis_links,
        count_text: page.t_count("staff-missions-count", missions.len() as i64),
        page,
        missions,
    })
}
