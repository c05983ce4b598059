//! `/missions/{mission}/appointments/schedule`: the mission's weekly opening rules and
//! closures, for staff who manage consular services there. Every change is audited.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::consular::appointments::{self as domain, weekday_from_iso};
use safir_store::consular::appointments::schedule;
use safir_store::missions::Mission;

use super::labels;
use super::schedule_form::{
    closure_summary, parse_closure, parse_rule, removed_closure_summary, removed_rule_summary,
    rule_summary,
};
use crate::admin::support::{Actor, FormData, SelectOption, rejected};
use crate::auth::{MissionParam, Viewer};
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

struct RuleRowView {
    id: String,
    weekday: String,
    hours: String,
    slot_minutes: i32,
    capacity: i32,
    service: String,
    validity: String,
}

struct ClosureRowView {
    id: String,
    days: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "consular/appointments/schedule.html")]
struct SchedulePage {
    page: Page,
    code: String,
    csrf_token: String,
    rules: Vec<RuleRowView>,
    closures: Vec<ClosureRowView>,
    weekdays: Vec<SelectOption>,
    services: Vec<SelectOption>,
    rule_fields: Vec<Field>,
    closure_fields: Vec<Field>,
    /// The errors of the two lists, shown beside them (empty when none).
    weekday_error: String,
    service_error: String,
    /// Each form's own key (see [`FormData::request_key`]), kept through a rejected form.
    rule_key: String,
    closure_key: String,
}

const RULE_FIELDS: [(&str, &str, InputKind); 6] = [
    ("start_time", "appointments-field-start", InputKind::Text),
    ("end_time", "appointments-field-end", InputKind::Text),
    (
        "slot_minutes",
        "appointments-field-slot-minutes",
        InputKind::Number,
    ),
    ("capacity", "appointments-field-capacity", InputKind::Number),
    (
        "valid_from",
        "appointments-field-valid-from",
        InputKind::Date,
    ),
    (
        "valid_until",
        "appointments-field-valid-until",
        InputKind::Date,
    ),
];
const CLOSURE_FIELDS: [(&str, &str, InputKind); 4] = [
    ("first_day", "appointments-field-first-day", InputKind::Date),
    ("last_day", "appointments-field-last-day", InputKind::Date),
    ("reason_ar", "appointments-field-reason-ar", InputKind::Text),
    ("reason_en", "appointments-field-reason-en", InputKind::Text),
];

fn fields(
    lang: Lang,
    spec: &[(&str, &str, InputKind)],
    data: &FormData,
    errors: &FieldErrors,
) -> Vec<Field> {
    spec.iter()
        .map(|(name, label, kind)| {
            Field::new(lang, name, label)
                .kind(*kind)
                .value(data.get(name))
                .errors_from(lang, errors)
        })
        .collect()
}

async fn schedule_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    mission: &Mission,
    (rule_data, rule_errors): (&FormData, &FieldErrors),
    (closure_data, closure_errors): (&FormData, &FieldErrors),
) -> Result<Html<String>, AppError> {
    let rows = schedule::list_rules(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?;
    let all = lang_text(lang, "appointments-all-services");
    let services = labels::ServiceNames::cached(state, &mission.id).await?;
    let rules = rows
        .into_iter()
        .map(|r| RuleRowView {
            weekday: u8::try_from(r.weekday)
                .map(|n| labels::weekday(lang, weekday_from_iso(n)))
                .unwrap_or_default(),
            hours: format!("{}–{}", r.start_time, r.end_time),
            slot_minutes: r.slot_minutes,
            capacity: r.capacity,
            service: r
                .service
                .as_deref()
                .map_or(all.clone(), |s| services.name(lang, s)),
            validity: format!(
                "{} → {}",
                r.valid_from,
                r.valid_until.as_deref().unwrap_or("…")
            ),
            id: r.id,
        })
        .collect();
    let closures = schedule::list_closures(
        &state.db,
        &mission.id,
        super::service::mission_today(mission),
    )
    .await
    .map_err(AppError::internal)?
    .into_iter()
    .map(|c| ClosureRowView {
        id: c.id,
        days: format!("{} → {}", c.first_day, c.last_day),
        reason: match lang {
            Lang::Ar => c.reason_ar,
            Lang::En => c.reason_en,
        },
    })
    .collect();
    let weekday_value = rule_data.get("weekday");
    let weekdays = (1..=7u8)
        .map(|n| SelectOption {
            value: n.to_string(),
            label: labels::weekday(lang, weekday_from_iso(n)),
            selected: weekday_value == n.to_string(),
        })
        .collect();
    let service_value = rule_data.get("service");
    let mut services = vec![SelectOption {
        value: String::new(),
        label: all,
        selected: service_value.is_empty(),
    }];
    let offered = super::book::offered_services(state, lang, mission).await?;
    services.extend(super::book::service_options(&offered, service_value));
    let mut page = state.page(lang, uri, "appointments-schedule-title", viewer);
    page.title = format!("{} — {}", page.title, labels::mission_name(lang, mission));
    let flash = match uri.query().unwrap_or("") {
        "saved=1" => Some("appointments-schedule-saved"),
        _ => None,
    };
    if let Some(key) = flash {
        let message = page.t(key);
        page = page.with_flash(FlashKind::Success, message);
    }
    render(&SchedulePage {
        code: mission.code.clone(),
        csrf_token: state.csrf_token(viewer),
        rules,
        closures,
        weekdays,
        services,
        rule_fields: fields(lang, &RULE_FIELDS, rule_data, rule_errors),
        closure_fields: fields(lang, &CLOSURE_FIELDS, closure_data, closure_errors),
        weekday_error: list_error(lang, rule_errors, "weekday"),
        service_error: list_error(lang, rule_errors, "service"),
        rule_key: rule_data.request_key_or_new(),
        closure_key: closure_data.request_key_or_new(),
        page,
    })
}

fn list_error(lang: Lang, errors: &FieldErrors, field: &str) -> String {
    errors
        .for_field(field)
        .map(|e| e.message(lang))
        .unwrap_or_default()
}

fn lang_text(lang: Lang, key: &str) -> String {
    crate::i18n::t(lang, key)
}

pub async fn show_schedule(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    MissionParam(mission): MissionParam,
) -> Result<Html<String>, AppError> {
    let none = (&FormData::default(), &FieldErrors::new());
    schedule_page(&state, lang, &uri, &viewer, &mission, none, none).await
}

fn back(mission: &Mission) -> Response {
    Redirect::to(&format!(
        "/missions/{}/appointments/schedule?saved=1",
        mission.code
    ))
    .into_response()
}

pub async fn add_rule(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    // Hours for one service are for a service the mission offers (the form's list): another
    // code would open slots nobody can book.
    let parsed = match parse_rule(&data) {
        Ok(rule) => match rule.service() {
            Some(s) if !super::service::offers(&state, &mission, s).await? => {
                let mut errors = FieldErrors::new();
                errors.push("service", "appointments_service_not_offered");
                Err(errors)
            }
            _ => Ok(rule),
        },
        Err(errors) => Err(errors),
    };
    let rule = match parsed {
        Ok(rule) => rule,
        Err(errors) => {
            let none = (&FormData::default(), &FieldErrors::new());
            return Ok(rejected(
                schedule_page(
                    &state,
                    lang,
                    &uri,
                    &viewer,
                    &mission,
                    (&data, &errors),
                    none,
                )
                .await?,
            ));
        }
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let key = data.request_key_or_new();
    let Some(id) = schedule::add_rule_keyed(&mut tx, &mission.id, &rule, &key)
        .await
        .map_err(AppError::internal)?
    else {
        // The same form sent again: its hours are in, once (two equal rules would add up).
        return Ok(back(&mission));
    };
    let summary = serde_json::json!({ "created": rule_summary(&rule) });
    let record = actor.audit(
        domain::RULE_CREATE,
        "appointment_rule",
        Some(&id),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(back(&mission))
}

/// The answer to a removal that found nothing left to remove: back to the schedule, as if
/// done (the API's `DELETE` still answers `404`).
async fn already_gone(tx: safir_store::Tx, mission: &Mission) -> Result<Response, AppError> {
    tx.rollback().await.map_err(AppError::internal)?;
    Ok(back(mission))
}

pub async fn remove_rule(
    State(state): State<AppState>,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let removed = match schedule::remove_rule(&mut tx, &mission.id, &id).await {
        Ok(r) => r,
        // Removed a moment ago (the second request of a double click, a retried request, a
        // colleague at the same time): the same outcome, the schedule without it, rather than
        // "page not found". Nothing is written or audited again.
        Err(safir_store::StoreError::NotFound) => return already_gone(tx, &mission).await,
        Err(e) => return Err(AppError::internal(e)),
    };
    let summary = serde_json::json!({ "removed": removed_rule_summary(&removed) });
    let record = actor.audit(
        domain::RULE_REMOVE,
        "appointment_rule",
        Some(&id),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(back(&mission))
}

pub async fn remove_closure(
    State(state): State<AppState>,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let removed = match schedule::remove_closure(&mut tx, &mission.id, &id).await {
        Ok(r) => r,
        // Removed a moment ago: as for opening hours above.
        Err(safir_store::StoreError::NotFound) => return already_gone(tx, &mission).await,
        Err(e) => return Err(AppError::internal(e)),
    };
    let summary = serde_json::json!({ "removed": removed_closure_summary(&removed) });
    let record = actor.audit(
        domain::CLOSURE_REMOVE,
        "appointment_closure",
        Some(&id),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(back(&mission))
}

pub async fn add_closure(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let closure = match parse_closure(&data, super::service::mission_today(&mission)) {
        Ok(c) => c,
        Err(errors) => {
            let none = (&FormData::default(), &FieldErrors::new());
            return Ok(rejected(
                schedule_page(
                    &state,
                    lang,
                    &uri,
                    &viewer,
                    &mission,
                    none,
                    (&data, &errors),
                )
                .await?,
            ));
        }
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let key = data.request_key_or_new();
    let Some(id) = schedule::add_closure_keyed(&mut tx, &mission.id, &closure, &key)
        .await
        .map_err(AppError::internal)?
    else {
        // The same form sent again: the closure is in, and its bookings were cancelled once.
        return Ok(back(&mission));
    };
    let cancelled = super::service::cancel_for_closure(&state, &mut tx, &mission, &closure).await?;
    let summary = serde_json::json!({
        "created": closure_summary(&closure),
        "bookings_cancelled": cancelled,
    });
    let record = actor.audit(
        domain::CLOSURE_CREATE,
        "appointment_closure",
        Some(&id),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(back(&mission))
}
