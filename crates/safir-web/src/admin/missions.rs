//! Missions admin: the list, the creation form and the edit form. `{mission}` is the code;
//! these routes are ministry-wide, so the mission is looked up here, not by the access layer.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::audit::actions;
use safir_store::StoreError;
use safir_store::missions::{self, Mission, MissionInput};

use super::mission_form::MissionForm;
use super::mission_view::MissionFormView;
use super::support::{Actor, FormData, conflicted, rejected, seen_is, version_mark};
use crate::auth::Viewer;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::staff::labels;
use crate::state::AppState;

struct MissionRow {
    code: String,
    name: String,
    kind: String,
    country: String,
    city: String,
}

#[derive(Template)]
#[template(path = "admin/missions.html")]
struct MissionsPage {
    page: Page,
    missions: Vec<MissionRow>,
}

#[derive(Template)]
#[template(path = "admin/mission_form.html")]
struct MissionFormPage {
    page: Page,
    heading: String,
    action: String,
    csrf_token: String,
    form: MissionFormView,
    /// The version of the mission the form is drawn from (see `version_mark`).
    seen: Option<String>,
    /// The id of the mission the form edits: its code may change while the form is open.
    mission_id: Option<String>,
}

pub async fn list_missions(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    let content = labels::content_lang(lang);
    let missions = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|m| MissionRow {
            name: m.name(content).to_owned(),
            kind: labels::mission_kind(lang, &m.kind),
            country: labels::country(lang, &m.country),
            city: m.city(content).to_owned(),
            code: m.code,
        })
        .collect();
    let mut page = state.page(lang, &uri, "admin-missions-title", &viewer);
    let flash = match uri.query().unwrap_or("") {
        "saved=1" => Some("admin-mission-saved"),
        "created=1" => Some("admin-mission-created"),
        _ => None,
    };
    if let Some(key) = flash {
        let message = page.t(key);
        page = page.with_flash(FlashKind::Success, message);
    }
    render(&MissionsPage { page, missions })
}

/// The mission form, of `existing` when editing; `problem` names a message for the whole form.
fn form_page(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    existing: Option<&Mission>,
    form: &MissionForm,
    errors: &FieldErrors,
    problem: Option<&str>,
) -> Result<Html<String>, AppError> {
    let (title, action) = match existing {
        Some(m) => (
            "admin-mission-edit-title",
            format!("/admin/missions/{}/edit", m.code),
        ),
        None => ("admin-mission-new-title", "/admin/missions/new".to_owned()),
    };
    let mut page = state.page(lang, uri, title, viewer);
    let heading = match existing {
        Some(m) => format!("{} — {}", page.title, m.name(labels::content_lang(lang))),
        None => page.title.clone(),
    };
    page.title = heading.clone();
    if let Some(key) = problem {
        let message = page.t(key);
        page = page.with_flash(FlashKind::Error, message);
    }
    render(&MissionFormPage {
        page,
        heading,
        action,
        csrf_token: state.csrf_token(viewer),
        form: MissionFormView::new(lang, form, errors),
        seen: existing.map(|m| version_mark(m.updated_at)),
        mission_id: existing.map(|m| m.id.clone()),
    })
}

pub async fn new_mission_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Html<String>, AppError> {
    form_page(
        &state,
        (lang, &uri, &viewer),
        None,
        &MissionForm::blank(),
        &FieldErrors::new(),
        None,
    )
}

/// A duplicate code is the admin's to fix, beside the code field; so is the code of another
/// mission's cases and e-visas (`code_used`), and a time zone change while bookings still to
/// come stand (`time_zone_in_use`), beside the time zone.
fn refused(what: &str) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let (field, key) = match what {
        "code_used" => ("code", "admin_mission_code_used"),
        "time_zone_in_use" => ("time_zone", "admin_mission_time_zone_in_use"),
        _ => ("code", "admin_mission_code_taken"),
    };
    errors.add(FieldError::new(field, key));
    errors
}

pub async fn create_mission(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let form = MissionForm::from_data(&data);
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => {
            return Ok(rejected(form_page(
                &state,
                (lang, &uri, &viewer),
                None,
                &form,
                &errors,
                None,
            )?));
        }
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let id = match missions::create(&mut tx, &input).await {
        Ok(id) => id,
        Err(StoreError::Conflict(what)) => {
            tx.rollback().await.map_err(AppError::internal)?;
            // The same form sent again (a double click, a retried request): the code is taken
            // by the mission its first sending made a moment ago, just as the form describes
            // it. Created, not "code taken": the admin would change the code and make a
            // second mission.
            if made_just_now(&state, &input).await? {
                return Ok(Redirect::to("/admin/missions?created=1").into_response());
            }
            return Ok(rejected(form_page(
                &state,
                (lang, &uri, &viewer),
                None,
                &form,
                &refused(what),
                None,
            )?));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let summary = serde_json::json!({ "created": snapshot(&input) });
    let record = actor.audit(
        actions::MISSION_CREATE,
        "mission",
        Some(id.as_str()),
        Some(id.as_str()),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Redirect::to("/admin/missions?created=1").into_response())
}

/// How long after a mission was made the same form sent again is taken for a second sending.
const RESENT_WITHIN: chrono::Duration = chrono::Duration::minutes(2);

/// Whether the mission holding `input`'s code was made moments ago with just these details.
async fn made_just_now(state: &AppState, input: &MissionInput) -> Result<bool, AppError> {
    let existing = missions::find_by_code(&state.db, input.code.as_str())
        .await
        .map_err(AppError::internal)?;
    Ok(existing.is_some_and(|m| {
        safir_store::now() - m.created_at < RESENT_WITHIN
            && changed_fields(&m, input)
                .as_object()
                .is_some_and(|changes| changes.is_empty())
    }))
}

async fn find_mission(state: &AppState, code: &str) -> Result<Mission, AppError> {
    missions::find_by_code(&state.db, code)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)
}

pub async fn edit_mission_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    Path(code): Path<String>,
) -> Result<Html<String>, AppError> {
    let mission = find_mission(&state, &code).await?;
    form_page(
        &state,
        (lang, &uri, &viewer),
        Some(&mission),
        &MissionForm::from_mission(&mission),
        &FieldErrors::new(),
        None,
    )
}

pub async fn update_mission(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(code): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    // By the id the form carries: another admin may have changed the code since the form was
    // drawn (the path's code then names no mission, or another one).
    let mission = match data.get("mission").trim() {
        "" => find_mission(&state, &code).await?,
        id => match missions::find(&state.db, id).await {
            Ok(m) => m,
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(AppError::internal(e)),
        },
    };
    let form = MissionForm::from_data(&data);
    // Saved by another admin since this form was drawn: what was typed comes back beside the
    // mission as it now is (the next save is of that version).
    let changed_meanwhile = |mission: &Mission| {
        let errors = FieldErrors::new();
        let screen = (lang, &uri, &viewer);
        let problem = Some("admin-mission-changed");
        form_page(&state, screen, Some(mission), &form, &errors, problem).map(conflicted)
    };
    if seen_is(&data, mission.updated_at) == Some(false) {
        return changed_meanwhile(&mission);
    }
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => {
            return Ok(rejected(form_page(
                &state,
                (lang, &uri, &viewer),
                Some(&mission),
                &form,
                &errors,
                None,
            )?));
        }
    };
    let changes = changed_fields(&mission, &input);
    if changes.as_object().is_some_and(|c| c.is_empty()) {
        return Ok(Redirect::to("/admin/missions?saved=1").into_response());
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let saved = match missions::ensure_unchanged(&mut tx, &mission.id, mission.updated_at).await {
        Ok(()) => missions::update(&mut tx, &mission.id, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => {}
        Err(StoreError::Conflict("changed")) => {
            tx.rollback().await.map_err(AppError::internal)?;
            // By its id: the other save may have changed its code.
            let now = match missions::find(&state.db, &mission.id).await {
                Ok(now) => now,
                Err(StoreError::NotFound) => return Err(AppError::NotFound),
                Err(e) => return Err(AppError::internal(e)),
            };
            return changed_meanwhile(&now);
        }
        Err(StoreError::Conflict(what)) => {
            return Ok(rejected(form_page(
                &state,
                (lang, &uri, &viewer),
                Some(&mission),
                &form,
                &refused(what),
                None,
            )?));
        }
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    }
    let record = actor.audit(
        actions::MISSION_UPDATE,
        "mission",
        Some(&mission.id),
        Some(&mission.id),
        serde_json::json!({ "changed": changes }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Redirect::to("/admin/missions?saved=1").into_response())
}

/// The stored form of each field, for comparing and for the audit summary.
fn snapshot(m: &MissionInput) -> serde_json::Map<String, serde_json::Value> {
    let langs: Vec<&str> = m.languages.iter().map(|l| l.code()).collect();
    let mut out = serde_json::Map::new();
    for (k, v) in [
        ("code", Some(m.code.as_str().to_owned())),
        ("kind", Some(m.kind.as_str().to_owned())),
        ("name_ar", Some(m.name_ar.clone())),
        ("name_en", Some(m.name_en.clone())),
        ("country", Some(m.country.as_str().to_owned())),
        ("city_ar", Some(m.city_ar.clone())),
        ("city_en", Some(m.city_en.clone())),
        ("languages", Some(langs.join(" "))),
        ("time_zone", Some(m.time_zone.as_str().to_owned())),
        ("email", m.email.clone()),
        ("phone", m.phone.clone()),
        ("address", m.address.clone()),
    ] {
        out.insert(k.to_owned(), v.into());
    }
    out
}

/// `{field: {"from": old, "to": new}}` for each field the edit changes.
fn changed_fields(old: &Mission, new: &MissionInput) -> serde_json::Value {
    let before: serde_json::Value = serde_json::to_value(old).unwrap_or_default();
    let mut changes = serde_json::Map::new();
    for (k, to) in snapshot(new) {
        let from = before.get(&k).cloned().unwrap_or_default();
        if from != to {
            changes.insert(k, serde_json::json!({ "from": from, "to": to }));
        }
    }
    serde_json::Value::Object(changes)
}
