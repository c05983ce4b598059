//! The public home page: the crises whose "register your presence" form is open, first, then
//! the services a citizen or a visitor comes for.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use safir_domain::CountryCode;
use safir_store::crisis::crises;

use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::page::{Page, render};
use crate::read_cache::ReadCache;
use crate::staff::labels::content_lang;
use crate::state::AppState;

/// How long a process shows the list of crises it read: a crisis declared, closed, or whose
/// form is opened or closed in another process appears or goes within this time (at once in
/// this one, whose handlers empty the list).
pub const CRISES_TTL: Duration = Duration::from_secs(5);

/// The open crises with their presence form open, newest first, as last read.
pub type PublicCrises = ReadCache<(), Arc<Vec<crises::Crisis>>>;

pub fn public_crises() -> PublicCrises {
    ReadCache::new(CRISES_TTL, 1)
}

/// A crisis as the home page announces it.
struct CrisisNotice {
    href: String,
    title: String,
    country: String,
}

/// One of the services the home page leads to.
struct ServiceLink {
    href: &'static str,
    title: String,
    text: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    crises: Vec<CrisisNotice>,
    services: Vec<ServiceLink>,
}

/// The services, in the order a citizen abroad is likely to need them.
const SERVICES: [(&str, &str); 6] = [
    ("/consular", "consular"),
    ("/appointments", "appointments"),
    ("/travel-advice", "advice"),
    ("/abroad/new", "register"),
    ("/subscribe", "alerts"),
    ("/verify", "verify"),
];

fn services(lang: Lang) -> Vec<ServiceLink> {
    let i18n = I18n::global();
    SERVICES
        .iter()
        .map(|&(href, key)| ServiceLink {
            href,
            title: i18n.t(lang, &format!("home-service-{key}")),
            text: i18n.t(lang, &format!("home-service-{key}-text")),
        })
        .collect()
}

async fn open_crises(state: &AppState) -> Result<Arc<Vec<crises::Crisis>>, AppError> {
    if let Some(list) = state.public_crises.get(&()) {
        return Ok(list);
    }
    let ticket = state.public_crises.ticket();
    let list = Arc::new(
        crises::list_presence_open(&state.db)
            .await
            .map_err(AppError::internal)?,
    );
    state.public_crises.put(ticket, (), list.clone());
    Ok(list)
}

/// The home page without the database: the public frame and the services, no crises (for
/// routers built without the application's state).
pub async fn home(lang: Lang, uri: Uri) -> Result<Html<String>, AppError> {
    render(&HomePage {
        page: Page::new(lang, &uri, "home-title"),
        crises: Vec::new(),
        services: services(lang),
    })
}

/// The home page as the application serves it: the frame knows who is signed in.
pub async fn home_page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let content = content_lang(lang);
    let crises = open_crises(&state)
        .await?
        .iter()
        .map(|c| CrisisNotice {
            href: format!("/crisis/{}/presence", c.id),
            title: c.title(content).to_owned(),
            country: CountryCode::parse(&c.country)
                .map(|code| code.name(content).to_owned())
                .unwrap_or_else(|_| c.country.clone()),
        })
        .collect();
    render(&HomePage {
        page: state.page(lang, &uri, "home-title", &viewer),
        crises,
        services: services(lang),
    })
}
