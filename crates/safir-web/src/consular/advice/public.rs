//! `/travel-advice` and `/travel-advice/{country}`: every country with advice (searchable by
//! name in either language, filterable by level), and one country's advice in full.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Html;
use safir_domain::consular::advice::{AdviceLevel, AdviceSection};
use safir_store::consular::advice;

use super::{Date, LevelBadge, content_lang, country_param, level_label, paragraphs};
use crate::admin::support::SelectOption;
use crate::api::input::query_pairs;
use crate::auth::Viewer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::staff::labels;
use crate::state::AppState;

/// How many earlier versions the country page lists.
const HISTORY_SHOWN: i64 = 20;

struct CountryRow {
    code: String,
    name: String,
    level: LevelBadge,
    summary: String,
    updated: Date,
}

#[derive(Template)]
#[template(path = "consular/advice/index.html")]
struct AdviceIndexPage {
    page: Page,
    query: String,
    levels: Vec<SelectOption>,
    rows: Vec<CountryRow>,
    /// "12 countries"
    count_text: String,
    /// Whether any country has advice at all (an empty search result is not "none yet").
    any: bool,
    feed_href: String,
}

/// A name as the search compares it: folded as staff searches fold names (case, the Arabic
/// letter variants أ إ آ ٱ, ى and ة, diacritics, tatweel), so "الامارات" finds «الإمارات».
fn fold(s: &str) -> String {
    safir_store::name_key::name_key(s.trim())
}

pub async fn list_advice(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let params = query_pairs(uri.query());
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let query = param("q").trim().to_owned();
    let level = AdviceLevel::parse(param("level")).ok();
    let needle = fold(&query);
    let all = advice::list_current(&state.db)
        .await
        .map_err(AppError::internal)?;
    let any = !all.is_empty();
    let content = content_lang(lang);
    let mut rows: Vec<CountryRow> = all
        .into_iter()
        .filter(|a| level.is_none_or(|l| a.level == l))
        .filter(|a| {
            needle.is_empty()
                || [
                    a.country.name(safir_domain::Lang::Ar),
                    a.country.name(safir_domain::Lang::En),
                    a.country.as_str(),
                ]
                .iter()
                .any(|name| fold(name).contains(&needle))
        })
        .map(|a| CountryRow {
            code: a.country.as_str().to_owned(),
            name: a.country.name(content).to_owned(),
            level: LevelBadge::new(lang, a.level),
            summary: match lang {
                Lang::Ar => a.summary_ar,
                Lang::En => a.summary_en,
            },
            updated: Date::new(a.updated_at),
        })
        .collect();
    rows.sort_by_cached_key(|r| labels::sort_key(&r.name));
    let levels = AdviceLevel::ALL
        .iter()
        .map(|l| SelectOption {
            value: l.number().to_string(),
            label: format!("{} — {}", l.number(), level_label(lang, *l)),
            selected: level == Some(*l),
        })
        .collect();
    let page = state.page(lang, &uri, "advice-title", &viewer);
    render(&AdviceIndexPage {
        count_text: page.t_count("advice-countries-count", rows.len() as i64),
        page,
        query,
        levels,
        rows,
        any,
        feed_href: format!("/travel-advice/feed.atom?lang={}", lang.code()),
    })
}

struct SectionView {
    heading_key: String,
    paragraphs: Vec<String>,
}

struct HistoryRow {
    /// "Version 3"
    version: String,
    level: LevelBadge,
    change: String,
    published: Date,
}

#[derive(Template)]
#[template(path = "consular/advice/show.html")]
struct AdviceShowPage {
    page: Page,
    level: LevelBadge,
    summary: Vec<String>,
    sections: Vec<SectionView>,
    updated: Date,
    change: String,
    history: Vec<HistoryRow>,
    feed_href: String,
}

pub async fn show_advice(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Html<String>, AppError> {
    let country = country_param(&raw)?;
    let current = advice::find_current(&state.db, &country)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    let history = advice::history(&state.db, &country, HISTORY_SHOWN)
        .await
        .map_err(AppError::internal)?;
    let content = content_lang(lang);
    let text = current.text(content);
    let sections = AdviceSection::ALL
        .iter()
        .map(|s| SectionView {
            heading_key: format!("advice-section-{}", s.key().replace('_', "-")),
            paragraphs: paragraphs(text.section(*s)),
        })
        .filter(|s| !s.paragraphs.is_empty())
        .collect();
    let mut page = state.page(lang, &uri, "advice-title", &viewer);
    page.title = format!("{} — {}", country.name(content), page.title);
    let history = history
        .iter()
        .map(|v| HistoryRow {
            version: page.t_count("advice-version", i64::from(v.version)),
            level: LevelBadge::new(lang, v.level),
            change: v.change.get(content).to_owned(),
            published: Date::new(v.published_at),
        })
        .collect();
    render(&AdviceShowPage {
        page,
        level: LevelBadge::new(lang, current.level),
        summary: paragraphs(text.summary()),
        sections,
        updated: Date::new(current.published_at),
        change: current.change.get(content).to_owned(),
        history,
        feed_href: format!(
            "/travel-advice/{}/feed.atom?lang={}",
            country.as_str(),
            lang.code()
        ),
    })
}
