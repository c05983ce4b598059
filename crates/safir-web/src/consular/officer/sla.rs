//! `GET /missions/{mission}/cases/sla`: how long cases stay in each state (median and 90th
//! percentile over the last 30, 90 or 365 days) and how many open cases of each service are
//! past their deadline.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Html;
use chrono::Duration;
use fluent_bundle::{FluentArgs, FluentValue};
use safir_store::consular::cases;
use safir_store::now;

use crate::admin::support::SelectOption;
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::error::AppError;
use crate::error::FieldError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// The spans, in days, the board can look back over; the first is the default.
pub const WINDOWS: [i64; 3] = [30, 90, 365];

struct StateRow {
    state: String,
    count: usize,
    median: String,
    p90: String,
}

struct ServiceRow {
    name: String,
    overdue: i64,
    href: String,
}

#[derive(Template)]
#[template(path = "consular/officer/sla.html")]
struct SlaPage {
    page: Page,
    base: String,
    windows: Vec<SelectOption>,
    window_error: Option<String>,
    states: Vec<StateRow>,
    services: Vec<ServiceRow>,
}

/// A duration in whole minutes below an hour (an emergency acknowledged in 12 minutes is not
/// "0 hours"), in hours below two days and in days beyond, to one decimal.
///
/// A value with a decimal has messages of its own (`…-decimal`): Arabic counts it with the
/// singular noun (CLDR's "other": «5.3 ساعة»), but the plural rules the messages are selected
/// with look only at the whole part, so 5.3 would take the form of 5 («5.3 ساعات»).
fn duration(page: &Page, hours: f64) -> String {
    let minutes = (hours * 60.0).round();
    if minutes < 1.0 {
        return page.t("officer-sla-under-a-minute");
    }
    let (key, value) = if minutes < 60.0 {
        ("officer-sla-minutes", minutes)
    } else if hours < 48.0 {
        ("officer-sla-hours", (hours * 10.0).round() / 10.0)
    } else {
        ("officer-sla-days", (hours / 24.0 * 10.0).round() / 10.0)
    };
    let mut args = FluentArgs::new();
    args.set("count", FluentValue::from(value));
    if value.fract() == 0.0 {
        page.t_args(key, &args)
    } else {
        page.t_args(&format!("{key}-decimal"), &args)
    }
}

pub async fn show_sla_board(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    MissionParam(mission): MissionParam,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
    let asked = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "window")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let window = match asked.as_str() {
        "" => Some(WINDOWS[0]),
        v => safir_domain::ascii_number(v)
            .parse::<i64>()
            .ok()
            .filter(|d| WINDOWS.contains(d)),
    };
    let mut page = state.page(lang, &uri, "officer-sla-title", &viewer);
    page.title = format!("{} — {}", page.title, mission.name(labels::content(lang)));
    let window_error = window
        .is_none()
        .then(|| FieldError::new("window", "consular_window_invalid").message(lang));
    let days = window.unwrap_or(WINDOWS[0]);
    let at = now();
    let board = cases::sla_board(&state.db, &mission.id, at - Duration::days(days), at)
        .await
        .map_err(AppError::internal)?;
    let overdue = cases::overdue_by_service(&state.db, &mission.id, at)
        .await
        .map_err(AppError::internal)?;
    let base = format!("/missions/{}/cases", mission.code);
    let states = board
        .iter()
        .map(|r| StateRow {
            state: labels::state(lang, r.state.as_str()),
            count: r.count,
            median: duration(&page, r.median_hours),
            p90: duration(&page, r.p90_hours),
        })
        .collect();
    let services = overdue
        .into_iter()
        .map(|r| ServiceRow {
            name: match lang {
                Lang::Ar => r.name_ar,
                Lang::En => r.name_en,
            },
            overdue: r.overdue,
            href: format!("{base}?service={}&breached=1", r.service_id),
        })
        .collect();
    let windows = WINDOWS
        .iter()
        .map(|d| SelectOption {
            value: d.to_string(),
            label: page.t_count("officer-sla-window-days", *d),
            selected: *d == days,
        })
        .collect();
    render(&SlaPage {
        page,
        base,
        windows,
        window_error,
        states,
        services,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn waits_are_told_in_minutes_hours_or_days_with_the_right_noun() {
        let uri: Uri = "/".parse().unwrap();
        let en = Page::new(Lang::En, &uri, "home-title");
        let ar = Page::new(Lang::Ar, &uri, "home-title");
        for (hours, english, arabic) in [
            (0.0, "under a minute", "أقل من دقيقة"),
            (0.004, "under a minute", "أقل من دقيقة"),
            (1.0 / 60.0, "1 minute", "دقيقة واحدة"),
            (0.2, "12 minutes", "12 دقيقة"),
            (0.99, "59 minutes", "59 دقيقة"),
            (1.0, "1 hour", "ساعة واحدة"),
            (5.0, "5 hours", "5 ساعات"),
            (5.25, "5.3 hours", "5.3 ساعة"),
            (1.04, "1 hour", "ساعة واحدة"),
            (1.5, "1.5 hours", "1.5 ساعة"),
            (2.0, "2 hours", "ساعتان"),
            (10.2, "10.2 hours", "10.2 ساعة"),
            (72.0, "3 days", "3 أيام"),
            (60.0, "2.5 days", "2.5 يوم"),
            (24.0 * 4.3, "4.3 days", "4.3 يوم"),
        ] {
            assert_eq!(duration(&en, hours), english, "{hours}");
            assert_eq!(duration(&ar, hours), arabic, "{hours}");
        }
    }
}
