//! `GET /admin/travel-advice`: every country with advice and its version in force, and a
//! country picker that opens the editing form for any country.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use safir_domain::CountryCode;
use safir_store::consular::advice;

use super::{Date, LevelBadge, content_lang};
use crate::admin::support::SelectOption;
use crate::api::input::query_pairs;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::{FluentArgs, Lang};
use crate::page::{FlashKind, Page, render};
use crate::staff::labels;
use crate::state::AppState;

struct Row {
    code: String,
    name: String,
    level: LevelBadge,
    version: i32,
    updated: Date,
}

#[derive(Template)]
#[template(path = "consular/advice/admin_list.html")]
struct AdminListPage {
    page: Page,
    rows: Vec<Row>,
    countries: Vec<SelectOption>,
}

pub async fn list_advice_admin(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let params = query_pairs(uri.query());
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // The picker is a GET form, so it works without JavaScript.
    if let Some(Ok(country)) = param("country").map(CountryCode::parse) {
        return Ok(Redirect::to(&format!("/admin/travel-advice/{country}")).into_response());
    }
    let content = content_lang(lang);
    let mut rows: Vec<Row> = advice::list_current(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|a| Row {
            code: a.country.as_str().to_owned(),
            name: a.country.name(content).to_owned(),
            level: LevelBadge::new(lang, a.level),
            version: a.version,
            updated: Date::new(a.updated_at),
        })
        .collect();
    rows.sort_by_cached_key(|r| labels::sort_key(&r.name));
    let countries: Vec<SelectOption> = labels::countries_by_name(lang)
        .into_iter()
        .map(|(c, name)| SelectOption {
            value: c.as_str().to_owned(),
            label: name.to_owned(),
            selected: false,
        })
        .collect();
    let mut page = state.page(lang, &uri, "admin-travel-advice-title", &viewer);
    if let Some(country) = param("published").and_then(|c| CountryCode::parse(c).ok()) {
        let mut args = FluentArgs::new();
        args.set("name", country.name(content));
        let mut message = page.t_args("advice-admin-published", &args);
        if param("level_changed") == Some("1") {
            message = format!("{message} {}", page.t("advice-admin-level-changed"));
        }
        page = page.with_flash(FlashKind::Success, message);
    }
    Ok(render(&AdminListPage {
        page,
        rows,
        countries,
    })?
    .into_response())
}
