//! Travel advice on the web: the public list and country pages, their Atom feeds, the
//! ministry's editing pages and the JSON API. Shared here: reading `{country}`, level labels,
//! dates, paragraphs, and turning the domain's validation codes into field errors.

mod admin_edit;
mod admin_list;
pub mod api;
mod feed;
mod form;
mod public;

use axum::http::Method;
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use safir_domain::CountryCode;
use safir_domain::consular::advice::{AdviceLevel, max_len};
use safir_domain::roles::Permission;

use crate::auth::{Access, Routes};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::{I18n, Lang};

/// Advice is the ministry's voice for every country, so headquarters edits it, not a
/// mission for its host country.
pub const ADVICE_ACCESS: Access = Access::Ministry(Permission::ManageConsularServices);

pub fn routes(r: Routes) -> Routes {
    r.add(
        Method::GET,
        "/travel-advice",
        Access::Public,
        get(public::list_advice),
    )
    .add(
        Method::GET,
        "/travel-advice/feed.atom",
        Access::Public,
        get(feed::all_countries_feed),
    )
    .add(
        Method::GET,
        "/travel-advice/{country}",
        Access::Public,
        get(public::show_advice),
    )
    .add(
        Method::GET,
        "/travel-advice/{country}/feed.atom",
        Access::Public,
        get(feed::country_feed),
    )
    .add(
        Method::GET,
        "/admin/travel-advice",
        ADVICE_ACCESS,
        get(admin_list::list_advice_admin),
    )
    .add(
        Method::GET,
        "/admin/travel-advice/{country}",
        ADVICE_ACCESS,
        get(admin_edit::edit_advice_form),
    )
    .add(
        Method::POST,
        "/admin/travel-advice/{country}",
        ADVICE_ACCESS,
        post(admin_edit::publish_advice),
    )
    .add(
        Method::GET,
        "/api/v1/travel-advice",
        Access::Public,
        get(api::list_travel_advice),
    )
    .add(
        Method::GET,
        "/api/v1/travel-advice/{country}",
        Access::Public,
        get(api::get_travel_advice),
    )
    .add_scoped(
        Method::PUT,
        "/api/v1/travel-advice/{country}",
        ADVICE_ACCESS,
        Some("write"),
        put(api::publish_travel_advice),
    )
}

/// The `{country}` of a path, in any case; anything else is a page that does not exist.
fn country_param(raw: &str) -> Result<CountryCode, AppError> {
    CountryCode::parse(raw).map_err(|_| AppError::NotFound)
}

fn content_lang(lang: Lang) -> safir_domain::Lang {
    crate::staff::labels::content_lang(lang)
}

/// "Do not travel", in the interface language.
fn level_label(lang: Lang, level: AdviceLevel) -> String {
    I18n::global().t(lang, &format!("advice-level-{}", level.number()))
}

/// "Level 4", in the interface language.
fn level_number(lang: Lang, level: AdviceLevel) -> String {
    crate::i18n::t_count(lang, "advice-level-number", i64::from(level.number()))
}

/// A level as badges show it.
#[derive(Debug, Clone)]
struct LevelBadge {
    number: u8,
    text: String,
}

impl LevelBadge {
    fn new(lang: Lang, level: AdviceLevel) -> LevelBadge {
        LevelBadge {
            number: level.number(),
            text: format!(
                "{}: {}",
                level_number(lang, level),
                level_label(lang, level)
            ),
        }
    }
}

/// A calendar date for people (`2026-03-01`) and its machine form for `<time datetime>`.
#[derive(Debug, Clone)]
struct Date {
    iso: String,
    shown: String,
}

impl Date {
    fn new(at: DateTime<Utc>) -> Date {
        Date {
            iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            shown: at.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Stored text as paragraphs: one per non-empty line.
fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The domain's validation failures as field errors. The API names a language's member
/// `summary.ar` (its JSON path); forms name it `summary_ar`.
fn field_errors(errors: &safir_domain::FieldErrors, json_paths: bool) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, e) in &errors.0 {
        let name = match (json_paths, field.rsplit_once('_')) {
            (true, Some((stem, lang @ ("ar" | "en")))) => format!("{stem}.{lang}"),
            _ => field.clone(),
        };
        out.add(match e.code {
            "too_long" => FieldError::new(name, "too_long").with_arg("max", max_len(field)),
            "required" | "invalid_characters" | "advice_level_unknown" => {
                FieldError::new(name, e.code)
            }
            other => FieldError::new(name, format!("advice_{other}")),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use safir_domain::ValidationError;

    use super::*;

    #[test]
    fn domain_codes_become_messages_in_both_languages() {
        let mut domain = safir_domain::FieldErrors::new();
        domain.add("level", ValidationError::new("advice_level_unknown"));
        domain.add("summary_ar", ValidationError::new("too_long"));
        domain.add("health_en", ValidationError::new("invalid_characters"));
        domain.add("change_summary_en", ValidationError::new("required"));
        let form = field_errors(&domain, false);
        let names: Vec<&str> = form.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            ["level", "summary_ar", "health_en", "change_summary_en"]
        );
        let api = field_errors(&domain, true);
        let names: Vec<&str> = api.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            names,
            ["level", "summary.ar", "health.en", "change_summary.en"]
        );
        assert_eq!(
            form.for_field("summary_ar").unwrap().message(Lang::En),
            "Enter at most 1000 characters."
        );
        for e in form.iter() {
            for lang in Lang::ALL {
                let key = format!("field-error-{}", e.code.replace('_', "-"));
                assert!(I18n::global().has(lang, &key), "{} {key}", lang.code());
            }
        }
    }

    #[test]
    fn every_level_and_section_has_a_name_in_both_languages() {
        for lang in Lang::ALL {
            for level in AdviceLevel::ALL {
                let key = format!("advice-level-{}", level.number());
                assert!(I18n::global().has(lang, &key), "{key}");
            }
            for section in safir_domain::consular::advice::AdviceSection::ALL {
                let key = format!("advice-section-{}", section.key().replace('_', "-"));
                assert!(I18n::global().has(lang, &key), "{key}");
            }
        }
        assert_eq!(
            LevelBadge::new(Lang::En, AdviceLevel::DoNotTravel).text,
            "Level 4: Do not travel"
        );
        assert_eq!(paragraphs(" one \n\n two\n"), ["one", "two"]);
    }
}
