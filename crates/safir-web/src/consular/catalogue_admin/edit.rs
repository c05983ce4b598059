//! Creating and editing a service of the mission. A refused form comes back with what was
//! typed and each error beside its field; a saved one is audited with what changed.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_store::StoreError;
use safir_store::consular::services::{self, Service, ServiceInput};
use safir_store::missions::Mission;

use super::form::{ServiceForm, ServiceFormView};
use super::{SERVICE_CREATE, SERVICE_UPDATE};
use crate::admin::support::{Actor, FormData, conflicted, rejected, seen_is, version_mark};
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "consular/catalogue_admin/form.html")]
struct ServiceFormPage {
    page: Page,
    back: String,
    action: String,
    csrf_token: String,
    form: ServiceFormView,
    /// The version of the service the form is drawn from (see `version_mark`).
    seen: Option<String>,
}

struct Screen<'a> {
    state: &'a AppState,
    lang: Lang,
    uri: &'a Uri,
    viewer: &'a Viewer,
    mission: &'a Mission,
}

impl Screen<'_> {
    fn base(&self) -> String {
        format!("/missions/{}/services", self.mission.code)
    }

    /// The form, of `existing` when editing; `problem` names a message for the whole form.
    fn form(
        &self,
        existing: Option<&Service>,
        form: &ServiceForm,
        errors: &FieldErrors,
        problem: Option<&str>,
    ) -> Result<Html<String>, AppError> {
        let base = self.base();
        let (title, action) = match existing {
            Some(s) => ("catalogue-edit-title", format!("{base}/{}/edit", s.id)),
            None => ("catalogue-new-title", format!("{base}/new")),
        };
        let mut page = self.state.page(self.lang, self.uri, title, self.viewer);
        if let Some(s) = existing {
            page.title = format!("{} — {}", page.title, s.name(labels::content(self.lang)));
        }
        if let Some(key) = problem {
            let message = page.t(key);
            page = page.with_flash(FlashKind::Error, message);
        }
        render(&ServiceFormPage {
            back: base,
            action,
            csrf_token: self.state.csrf_token(self.viewer),
            form: ServiceFormView::new(self.lang, form, existing.is_some(), errors),
            seen: existing.map(|s| version_mark(s.updated_at)),
            page,
        })
    }
}

pub(crate) fn code_taken() -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(FieldError::new("code", "consular_service_code_taken"));
    errors
}

/// Why the store refused a service's code: another service has it, or the mission's opening
/// hours or bookings name the code it has.
pub(crate) fn code_refused(what: &str) -> FieldErrors {
    if what == "code_in_use" {
        let mut errors = FieldErrors::new();
        errors.add(FieldError::new("code", "consular_service_code_in_use"));
        errors
    } else {
        code_taken()
    }
}

/// The stored form of each field, for comparing and for the audit summary.
pub(crate) fn snapshot(s: &ServiceInput) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (k, v) in [
        ("code", serde_json::json!(s.code)),
        ("kind", serde_json::json!(s.kind.as_str())),
        ("name_ar", serde_json::json!(s.name_ar)),
        ("name_en", serde_json::json!(s.name_en)),
        ("instructions_ar", serde_json::json!(s.instructions_ar)),
        ("instructions_en", serde_json::json!(s.instructions_en)),
        ("documents", serde_json::json!(s.documents)),
        ("fee_minor", serde_json::json!(s.fee.minor)),
        ("currency", serde_json::json!(s.fee.currency.code())),
        ("processing_days", serde_json::json!(s.processing_days)),
        ("visa_types", serde_json::json!(s.visa_types.join(" "))),
        ("enabled", serde_json::json!(s.enabled)),
    ] {
        out.insert(k.to_owned(), v);
    }
    out
}

/// `{field: {"from": old, "to": new}}` for each field the edit changes.
pub(crate) fn changed_fields(
    old: &Service,
    new: &ServiceInput,
) -> serde_json::Map<String, serde_json::Value> {
    let before = serde_json::to_value(old).unwrap_or_default();
    let mut changes = serde_json::Map::new();
    for (k, to) in snapshot(new) {
        let from = before.get(&k).cloned().unwrap_or_default();
        if from != to {
            changes.insert(k, serde_json::json!({ "from": from, "to": to }));
        }
    }
    changes
}

pub(crate) async fn mission_service(
    state: &AppState,
    mission: &Mission,
    id: &str,
) -> Result<Service, AppError> {
    match services::find(&state.db, id).await {
        Ok(s) if s.mission_id == mission.id => Ok(s),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn new_service_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    MissionParam(mission): MissionParam,
) -> Result<Html<String>, AppError> {
    let screen = Screen {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        mission: &mission,
    };
    screen.form(None, &ServiceForm::blank(), &FieldErrors::new(), None)
}

pub async fn create_service(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let screen = Screen {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        mission: &mission,
    };
    let form = ServiceForm::from_data(&data, None);
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => return Ok(rejected(screen.form(None, &form, &errors, None)?)),
    };
    let created = Redirect::to(&format!("{}?created=1", screen.base())).into_response();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let id = match services::create(&mut tx, &mission.id, &input).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => {
            // The transaction ends first: on SQLite it holds the one writing connection.
            drop(tx);
            if created_by_first_sending(&state, &mission, &actor, &input).await? {
                return Ok(created);
            }
            return Ok(rejected(screen.form(None, &form, &code_taken(), None)?));
        }
        Err(e) => return Err(AppError::internal(e)),
    };
    let summary = serde_json::json!({ "created": snapshot(&input) });
    let record = actor.audit(
        SERVICE_CREATE,
        "service",
        Some(id.as_str()),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(created)
}

/// How long after a service is created the same form sent again (a double click on "Save",
/// a retried request) is taken for the first sending rather than a second service.
const RESENT_WITHIN: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// Whether the service `input` names by code was made by this same form sent before: created
/// moments ago by this same staff member, with exactly these details, and unchanged since.
/// The catalogue keeps no form key to tell a second sending from a second service, so this
/// is what is known of it; anything else is a code already in use, for the editor to fix.
async fn created_by_first_sending(
    state: &AppState,
    mission: &Mission,
    actor: &Actor,
    input: &ServiceInput,
) -> Result<bool, AppError> {
    let list = services::list_for_mission(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?;
    let Some(existing) = list.into_iter().find(|s| s.code == input.code) else {
        return Ok(false);
    };
    let recent = safir_store::now() - existing.created_at <= RESENT_WITHIN;
    let same =
        existing.updated_at == existing.created_at && changed_fields(&existing, input).is_empty();
    if !(recent && same) {
        return Ok(false);
    }
    safir_store::audit::acted_on(
        &state.db,
        ("service", &existing.id),
        actor.id(),
        &[SERVICE_CREATE],
    )
    .await
    .map_err(AppError::internal)
}

pub async fn edit_service_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    MissionParam(mission): MissionParam,
    Path((_, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let service = mission_service(&state, &mission, &id).await?;
    let screen = Screen {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        mission: &mission,
    };
    screen.form(
        Some(&service),
        &ServiceForm::from_service(&service),
        &FieldErrors::new(),
        None,
    )
}

pub async fn update_service(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Path((_, id)): Path<(String, String)>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let service = mission_service(&state, &mission, &id).await?;
    // A refused form is shown at the edit page's own address.
    let uri: Uri = format!("/missions/{}/services/{}/edit", mission.code, service.id)
        .parse()
        .unwrap_or_else(|_| Uri::from_static("/"));
    let screen = Screen {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        mission: &mission,
    };
    // Cases point at the service: its kind, and so their form, never changes.
    let form = ServiceForm::from_data(&data, Some(&service.kind));
    // Saved by someone else since this form was drawn: what was typed comes back beside the
    // service as it now is (the next save is of that version).
    let changed_meanwhile = |service: &Service| {
        let errors = FieldErrors::new();
        let html = screen.form(Some(service), &form, &errors, Some("catalogue-changed"));
        html.map(conflicted)
    };
    // The service as stored already says what was typed: this form's own earlier sending (a
    // double click on "Save"), or the same edit made by another. Nothing is lost either way.
    let already_saved = |service: &Service| {
        form.validate()
            .is_ok_and(|input| changed_fields(service, &input).is_empty())
    };
    let done = || Redirect::to(&format!("{}?saved=1", screen.base())).into_response();
    if seen_is(&data, service.updated_at) == Some(false) {
        if already_saved(&service) {
            return Ok(done());
        }
        return changed_meanwhile(&service);
    }
    let input = match form.validate() {
        Ok(input) => input,
        Err(errors) => {
            return Ok(rejected(screen.form(
                Some(&service),
                &form,
                &errors,
                None,
            )?));
        }
    };
    let changes = changed_fields(&service, &input);
    if changes.is_empty() {
        return Ok(done());
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let saved = match services::ensure_unchanged(&mut tx, &service.id, service.updated_at).await {
        Ok(()) => services::update(&mut tx, &mission.id, &service.id, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => {}
        Err(StoreError::Conflict("changed")) => {
            tx.rollback().await.map_err(AppError::internal)?;
            let now = mission_service(&state, &mission, &service.id).await?;
            if already_saved(&now) {
                return Ok(done());
            }
            return changed_meanwhile(&now);
        }
        Err(StoreError::Conflict(what)) => {
            return Ok(rejected(screen.form(
                Some(&service),
                &form,
                &code_refused(what),
                None,
            )?));
        }
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    }
    let record = actor.audit(
        SERVICE_UPDATE,
        "service",
        Some(&service.id),
        Some(&mission.id),
        serde_json::json!({ "changed": changes }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(done())
}
