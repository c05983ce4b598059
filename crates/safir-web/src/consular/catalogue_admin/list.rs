//! `GET /missions/{mission}/services`: the mission's services with their fee, processing
//! target and whether they are offered online.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use safir_store::consular::services;

use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

struct ServiceRow {
    code: String,
    kind: String,
    name: String,
    fee: String,
    days: String,
    enabled: bool,
    edit_href: String,
}

#[derive(Template)]
#[template(path = "consular/catalogue_admin/list.html")]
struct ServicesPage {
    page: Page,
    new_href: String,
    services: Vec<ServiceRow>,
}

pub async fn list_services(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    MissionParam(mission): MissionParam,
) -> Result<Html<String>, AppError> {
    let base = format!("/missions/{}/services", mission.code);
    let mut page = state.page(lang, &uri, "catalogue-title", &viewer);
    page.title = format!("{} — {}", page.title, mission.name(labels::content(lang)));
    let flash = match uri.query().unwrap_or("") {
        "created=1" => Some("catalogue-created"),
        "saved=1" => Some("catalogue-saved"),
        _ => None,
    };
    if let Some(key) = flash {
        let message = page.t(key);
        page = page.with_flash(FlashKind::Success, message);
    }
    let services = services::list_for_mission(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|s| ServiceRow {
            kind: labels::kind(lang, &s.kind),
            name: s.name(labels::content(lang)).to_owned(),
            fee: match s.fee() {
                Some(f) if f.minor == 0 => page.t("consular-fee-free"),
                Some(f) => f.display(),
                None => String::new(),
            },
            days: page.t_count("catalogue-days", i64::from(s.processing_days)),
            enabled: s.enabled,
            edit_href: format!("{base}/{}/edit", s.id),
            code: s.code,
        })
        .collect();
    render(&ServicesPage {
        new_href: format!("{base}/new"),
        services,
        page,
    })
}
