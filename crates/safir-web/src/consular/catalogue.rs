//! `GET /consular` and `GET /consular/services/{service}`: what each mission offers, public.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Html;
use safir_store::consular::services::{self, Service};
use safir_store::missions;

use super::labels;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// One service as the public sees it.
pub struct ServiceCard {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub fee: String,
    pub processing: String,
    pub instructions: String,
    pub documents: Vec<String>,
}

pub struct MissionServices {
    pub code: String,
    pub name: String,
    pub city: String,
    pub services: Vec<ServiceCard>,
}

pub fn card(page: &Page, s: &Service) -> ServiceCard {
    let content = labels::content(page.lang);
    let fee = match s.fee() {
        Some(f) if f.minor > 0 => f.display(),
        _ => page.t("consular-fee-free"),
    };
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("days", s.processing_days);
    ServiceCard {
        id: s.id.clone(),
        name: s.name(content).to_owned(),
        kind: labels::kind(page.lang, &s.kind),
        fee,
        processing: page.t_args("consular-processing-days", &args),
        instructions: s.instructions(content).to_owned(),
        documents: s.documents(content),
    }
}

#[derive(Template)]
#[template(path = "consular/catalogue.html")]
struct CataloguePage {
    page: Page,
    missions: Vec<MissionServices>,
}

pub async fn list_services(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let page = state.page(lang, &uri, "consular-title", &viewer);
    let content = labels::content(lang);
    let all = services::list_enabled(&state.db)
        .await
        .map_err(AppError::internal)?;
    let mut out: Vec<MissionServices> = Vec::new();
    for m in missions::list(&state.db)
        .await
        .map_err(AppError::internal)?
    {
        let services: Vec<ServiceCard> = all
            .iter()
            .filter(|s| s.mission_id == m.id)
            .map(|s| card(&page, s))
            .collect();
        if !services.is_empty() {
            out.push(MissionServices {
                code: m.code.clone(),
                name: m.name(content).to_owned(),
                city: m.city(content).to_owned(),
                services,
            });
        }
    }
    render(&CataloguePage {
        page,
        missions: out,
    })
}

#[derive(Template)]
#[template(path = "consular/service.html")]
struct ServicePage {
    page: Page,
    mission: String,
    service: ServiceCard,
    signed_in: bool,
    csrf_token: String,
    idempotency_key: String,
}

pub async fn show_service(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let service = services::find(&state.db, &id)
        .await
        .map_err(|_| AppError::NotFound)?;
    if !service.enabled {
        return Err(AppError::NotFound);
    }
    let mission = missions::find(&state.db, &service.mission_id)
        .await
        .map_err(AppError::internal)?;
    let mut page = state.page(lang, &uri, "consular-title", &viewer);
    let card = card(&page, &service);
    page.title = card.name.clone();
    render(&ServicePage {
        mission: mission.name(labels::content(lang)).to_owned(),
        service: card,
        signed_in: viewer.user().is_some(),
        csrf_token: state.csrf_token(&viewer),
        idempotency_key: uuid::Uuid::now_v7().as_simple().to_string(),
        page,
    })
}
