//! Appointment wording in the reader's language: service names, weekdays, and instants as
//! the mission's local wall-clock time.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Offset, Utc, Weekday};
use safir_domain::ValidationError;
use safir_store::StoreError;
use safir_store::missions::Mission;

use super::service::zone as mission_zone;
use crate::error::AppError;
use crate::error::FieldError;
use crate::i18n::{I18n, Lang};
use crate::state::AppState;

pub use crate::staff::labels::content_lang;

pub fn mission_name(lang: Lang, m: &Mission) -> String {
    m.name(content_lang(lang)).to_owned()
}

/// The names of a mission's services: those of its catalogue (what its booking page offers),
/// else the common ones of the message catalog ([`service`]).
#[derive(Debug, Clone, Default)]
pub struct ServiceNames(Arc<Vec<safir_store::consular::services::Service>>);

impl ServiceNames {
    /// Through the consular read cache, as the booking pages read the catalogue.
    pub async fn cached(state: &AppState, mission_id: &str) -> Result<Self, AppError> {
        crate::consular::read_cache::mission_services(state, mission_id)
            .await
            .map(ServiceNames)
    }

    /// From the database (a job, with no cache of its own).
    pub async fn of_mission(db: &safir_store::Db, mission_id: &str) -> Result<Self, StoreError> {
        safir_store::consular::services::list_for_mission(db, mission_id)
            .await
            .map(|s| ServiceNames(Arc::new(s)))
    }

    /// The name of service `code` in `lang`.
    pub fn name(&self, lang: Lang, code: &str) -> String {
        match self.0.iter().find(|s| s.code == code) {
            Some(s) => s.name(content_lang(lang)).to_owned(),
            None => service(lang, code),
        }
    }
}

/// The service's name from the message catalog, or its code when the catalog has none.
pub fn service(lang: Lang, code: &str) -> String {
    let key = format!("appointments-service-{}", code.replace('_', "-"));
    if I18n::global().has(lang, &key) {
        I18n::global().t(lang, &key)
    } else {
        code.to_owned()
    }
}

pub fn weekday(lang: Lang, day: Weekday) -> String {
    I18n::global().t(
        lang,
        &format!("appointments-weekday-{}", day.number_from_monday()),
    )
}

/// `الاثنين 2026-06-08 09:00`: the instant on the mission's clock.
pub fn when(lang: Lang, m: &Mission, t: DateTime<Utc>) -> String {
    match when_parts(lang, m, t) {
        (day, clock) if day.is_empty() => clock,
        (day, clock) => format!("{day} {clock}"),
    }
}

/// [`when`] in its two parts: the weekday (empty when the mission's zone is unknown) and the
/// date and time, which a page keeps on one line.
pub fn when_parts(lang: Lang, m: &Mission, t: DateTime<Utc>) -> (String, String) {
    parts_in(lang, mission_zone(m), t)
}

/// An instant on the clock of a mission's zone, in the parts a page sets apart: the weekday
/// (empty when the zone is unknown), the date and time (kept on one line, left to right), and
/// the zone's name (empty when unknown, the time then in UTC).
pub struct Moment {
    pub weekday: String,
    pub clock: String,
    pub zone: String,
}

/// `t` on the clock of the zone named `zone` (a mission's `time_zone`).
pub fn moment_in_zone(lang: Lang, zone: &str, t: DateTime<Utc>) -> Moment {
    let tz = zone.parse::<chrono_tz::Tz>().ok();
    let (weekday, clock) = parts_in(lang, tz, t);
    Moment {
        weekday,
        clock,
        zone: if tz.is_some() {
            zone.to_owned()
        } else {
            String::new()
        },
    }
}

fn parts_in(lang: Lang, tz: Option<chrono_tz::Tz>, t: DateTime<Utc>) -> (String, String) {
    match tz {
        Some(tz) => {
            let local = t.with_timezone(&tz);
            (
                weekday(lang, local.weekday()),
                crate::i18n::ltr(lang, local.format("%Y-%m-%d %H:%M")),
            )
        }
        None => (
            String::new(),
            crate::i18n::ltr(lang, t.format("%Y-%m-%d %H:%M UTC")),
        ),
    }
}

/// The mission's clock as an email names it: the zone and its offset from UTC at `t`
/// (`Europe/Paris, UTC+01:00`), so a reader in another zone can convert the time.
pub fn zone(lang: Lang, m: &Mission, t: DateTime<Utc>) -> String {
    match mission_zone(m) {
        Some(tz) => {
            let offset = t.with_timezone(&tz).offset().fix();
            crate::i18n::ltr(lang, format_args!("{}, UTC{offset}", m.time_zone))
        }
        None => m.time_zone.clone(),
    }
}

/// The local date heading of a day of slots.
pub fn day_heading(lang: Lang, date: chrono::NaiveDate) -> String {
    let (weekday, date) = day_parts(lang, date);
    format!("{weekday} {}", crate::i18n::ltr(lang, date))
}

/// [`day_heading`] in its two parts, the weekday and the date, for a page that sets the date
/// left to right and keeps it on one line.
pub fn day_parts(lang: Lang, date: chrono::NaiveDate) -> (String, String) {
    (
        weekday(lang, date.weekday()),
        date.format("%Y-%m-%d").to_string(),
    )
}

/// A field error for a domain validation code: the site-wide messages for `required` and
/// `too_long`, this context's catalog (`field-error-appointments-…`) for the rest.
pub fn field_error(field: &str, e: &ValidationError) -> FieldError {
    match e.code {
        "required" | "invalid_characters" => FieldError::new(field, e.code),
        "too_long" => FieldError::new(field, "too_long").with_arg("max", 200),
        other => FieldError::new(field, format!("appointments_{other}")),
    }
}
