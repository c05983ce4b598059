//! A mission's service catalogue through the API, as its editor pages keep it
//! (`/missions/{mission}/services`): every service, enabled or not
//! (`GET /api/v1/missions/{mission}/services`), a new one (`POST`) and a whole replacement of
//! one (`PUT …/{id}`). The same checks as the form, every failure named at once; every change
//! audited (`service.create`, `service.update`, with `"via": "api"`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use safir_domain::consular::case::CaseKind;
use safir_domain::consular::service::{Currency, Fee, check_characters};
use safir_store::StoreError;
use safir_store::consular::services::{self, ServiceInput};
use serde::Deserialize;
use utoipa::ToSchema;

use super::services::{ServiceListResponse, ServiceResponse, service_response};
use crate::admin::support::Actor;
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::{ApiJson, NoQuery};
use crate::auth::{MissionParam, SignedIn};
use crate::consular::catalogue_admin::edit::{
    changed_fields, code_refused, code_taken, mission_service, snapshot,
};
use crate::consular::catalogue_admin::form::ServiceForm;
use crate::consular::catalogue_admin::{SERVICE_CREATE, SERVICE_UPDATE};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::state::AppState;

/// One document to prepare, in both languages.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentLine {
    #[schema(example = "صورة شخصية حديثة")]
    pub ar: String,
    #[schema(example = "A recent photo")]
    pub en: String,
}

/// A service as an editor describes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    /// The application form it uses: `passport_renewal`, `visa`, `emergency` or
    /// `emergency_travel_document`. Required to create; a service's kind never changes (its
    /// cases depend on it), so on a replacement it may be left out or repeated, not changed.
    #[schema(example = "passport_renewal")]
    pub kind: Option<String>,
    /// The mission's own short name for it: 2 to 40 lowercase Latin letters, digits, `-` or
    /// `_`, unique at the mission.
    #[schema(example = "passport_renewal")]
    pub code: String,
    #[schema(example = "تجديد جواز السفر")]
    pub name_ar: String,
    #[schema(example = "Passport renewal")]
    pub name_en: String,
    #[serde(default)]
    pub instructions_ar: String,
    #[serde(default)]
    pub instructions_en: String,
    /// Documents to prepare, each in both languages (neither side may contain `|`).
    #[serde(default)]
    pub documents: Vec<DocumentLine>,
    /// The fee in the currency's minor unit (cents, fils …): 7550 is 75.50 EUR; 0 is free.
    #[schema(example = 7500)]
    pub fee_minor: i64,
    /// ISO 4217 code of one of the currencies Safir knows.
    #[schema(example = "EUR")]
    pub currency: String,
    /// The mission's target, in days from submission.
    #[schema(example = 10)]
    pub processing_days: i64,
    /// For a visa service, the categories offered (at least one): `tourist`, `business`,
    /// `study`, `transit` …; none for other kinds.
    #[serde(default)]
    pub visa_types: Vec<String>,
    /// Offered to applicants. Left out, a new service is offered and a replaced one keeps its
    /// current setting.
    pub enabled: Option<bool>,
    /// On a replacement, the `updated_at` of the service as the client read it: when given and
    /// the service was changed since, nothing is written and the answer is 409, unless the
    /// service already holds what the request asks (a retry of a request whose answer was
    /// lost), answered 200 with the service.
    pub base_updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ServiceRequest {
    /// The form the editor pages check, filled from the request; `kind` as given, or the
    /// stored one on a replacement; `enabled` when the request leaves it out.
    fn form(&self, kind: &str, enabled: bool) -> ServiceForm {
        // The fee as the form's amount in major units, so that the form's own check reads it;
        // a currency Safir does not know is named by that check.
        let fee = match Currency::parse(&self.currency) {
            Ok(c) if self.fee_minor >= 0 => Fee::from_minor(self.fee_minor, c).amount_text(),
            _ => self.fee_minor.to_string(),
        };
        ServiceForm {
            kind: kind.to_owned(),
            code: self.code.clone(),
            name_ar: self.name_ar.clone(),
            name_en: self.name_en.clone(),
            instructions_ar: self.instructions_ar.clone(),
            instructions_en: self.instructions_en.clone(),
            documents: self
                .documents
                .iter()
                .map(|d| format!("{} | {}", d.ar, d.en))
                .collect::<Vec<_>>()
                .join("\n"),
            fee,
            currency: self.currency.clone(),
            processing_days: self.processing_days.to_string(),
            visa_types: self.visa_types.clone(),
            enabled: self.enabled.unwrap_or(enabled),
        }
    }
}

/// The form's checks on the body, with what the API shape adds: the fee named as the body
/// gives it (`fee_minor`, a whole number of minor units) rather than as the form's amount,
/// each document named by its place (`documents[2].en`) rather than by a line of text, and
/// `visa_types` refused on a service that is not a visa (the form drops them silently, as
/// its boxes stay ticked when the kind changes).
fn checked(body: &ServiceRequest, kind: &str, enabled: bool) -> Result<ServiceInput, FieldErrors> {
    let mut out = FieldErrors::new();
    for (i, d) in body.documents.iter().enumerate() {
        for (side, text) in [("ar", &d.ar), ("en", &d.en)] {
            let t = text.trim();
            let code = if t.is_empty() {
                "required"
            } else if t.contains(['|', '\n', '\r']) || check_characters(t).is_err() {
                "consular_document_invalid"
            } else {
                continue;
            };
            out.push(&format!("documents[{i}].{side}"), code);
        }
    }
    let documents_named = !out.is_empty();
    if !body.visa_types.is_empty() && CaseKind::parse(kind).is_ok_and(|k| k != CaseKind::Visa) {
        out.push("visa_types", "consular_visa_types_not_visa");
    }
    match body.form(kind, enabled).validate() {
        Ok(input) if out.is_empty() => Ok(input),
        Ok(_) => Err(out),
        Err(errors) => {
            for e in errors.iter() {
                match (e.field.as_str(), e.code.as_str()) {
                    ("fee", "consular_fee_too_large") => {
                        out.push("fee_minor", "consular_fee_too_large");
                    }
                    ("fee", _) => out.push("fee_minor", "consular_fee_minor_invalid"),
                    ("documents", "consular_documents_format") if documents_named => {}
                    _ => out.add(e.clone()),
                }
            }
            Err(out)
        }
    }
}

/// The mission's services as the API lists them.
async fn listed(
    state: &AppState,
    mission: &safir_store::missions::Mission,
    lang: Lang,
    id: &str,
) -> Result<ServiceResponse, AppError> {
    let service = mission_service(state, mission, id).await?;
    Ok(service_response(service, mission.code.clone(), lang))
}

/// Every service of the mission, enabled or not, by form then code.
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/services",
    tag = "consular",
    operation_id = "list_mission_services",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`")),
    responses(
        (status = 200, description = "The mission's services", body = ServiceListResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this mission's services (heads of mission, administrators), or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_mission_services(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(_user): SignedIn,
    MissionParam(mission): MissionParam,
    _: NoQuery,
) -> Result<Json<ServiceListResponse>, AppError> {
    let mut items: Vec<ServiceResponse> = services::list_for_mission(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|s| service_response(s, mission.code.clone(), lang))
        .collect();
    items.sort_by(|a, b| (&a.kind, &a.code).cmp(&(&b.kind, &b.code)));
    Ok(Json(ServiceListResponse { items }))
}

/// Adds a service to the mission's catalogue.
#[utoipa::path(
    post,
    path = "/api/v1/missions/{mission}/services",
    tag = "consular",
    operation_id = "create_mission_service",
    security(("bearer" = ["consular:write"])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`")),
    request_body(content = ServiceRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The new service", body = ServiceResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this mission's services, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every field refused, named (`code` taken: `consular_service_code_taken`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_mission_service(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<ServiceRequest>,
) -> Result<(StatusCode, Json<ServiceResponse>), AppError> {
    let Some(kind) = body.kind.as_deref() else {
        // Checked with the rest, so that every failure is named at once.
        let mut errors = FieldErrors::new();
        errors.push("kind", "required");
        let others = checked(&body, "", true).err().unwrap_or_default();
        others
            .iter()
            .filter(|e| e.field != "kind")
            .for_each(|e| errors.add(e.clone()));
        return Err(AppError::Validation(errors));
    };
    let input: ServiceInput = checked(&body, kind, true).map_err(AppError::Validation)?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let id = match services::create(&mut tx, &mission.id, &input).await {
        Ok(id) => id,
        Err(StoreError::Conflict(_)) => return Err(AppError::Validation(code_taken())),
        Err(e) => return Err(AppError::internal(e)),
    };
    let actor = Actor { user, ip };
    let summary = serde_json::json!({ "created": snapshot(&input), "via": "api" });
    let record = actor.audit(
        SERVICE_CREATE,
        "service",
        Some(id.as_str()),
        Some(&mission.id),
        summary,
    );
    crate::audit_log::commit_with(tx, &record).await?;
    let created = listed(&state, &mission, lang, id.as_str()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Replaces one of the mission's services with the body, as saving its edit form does.
///
/// Only what changed is written and audited (`service.update`, with each field before and
/// after); a body that changes nothing writes nothing. Applications already filed keep
/// their form.
#[utoipa::path(
    put,
    path = "/api/v1/missions/{mission}/services/{id}",
    tag = "consular",
    operation_id = "replace_mission_service",
    security(("bearer" = ["consular:write"])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The service's id"),
    ),
    request_body(content = ServiceRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The service as saved", body = ServiceResponse),
        (status = 400, description = "The body is not valid JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this mission's services, or the token lacks `consular:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No service of this mission has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The service was changed after `base_updated_at` into something other than the request asks", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every field refused, named (a changed `kind`: `consular_service_kind_fixed`; `code` taken: `consular_service_code_taken`; a changed `code` that opening hours or bookings name: `consular_service_code_in_use`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn replace_mission_service(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ServiceRequest>,
) -> Result<Json<ServiceResponse>, AppError> {
    let service = mission_service(&state, &mission, &id).await?;
    let checked = checked(&body, &service.kind, service.enabled);
    let changed_kind = body
        .kind
        .as_deref()
        .is_some_and(|k| k.trim() != service.kind);
    if body
        .base_updated_at
        .is_some_and(|t| t != service.updated_at)
    {
        // The service as stored already says what the body asks: the same replacement sent
        // again after its answer was lost, or the same edit made by another. Nothing is lost.
        let already_saved = !changed_kind
            && checked
                .as_ref()
                .is_ok_and(|input| changed_fields(&service, input).is_empty());
        if already_saved {
            return Ok(Json(service_response(service, mission.code.clone(), lang)));
        }
        return Err(AppError::Conflict);
    }
    let input = match (checked, changed_kind) {
        (Ok(input), false) => input,
        (checked, _) => {
            let mut errors = FieldErrors::new();
            for e in checked.err().unwrap_or_default().iter() {
                // Visa types checked against the stored kind say nothing more than this.
                if !(changed_kind && e.code == "consular_visa_types_not_visa") {
                    errors.add(e.clone());
                }
            }
            if changed_kind {
                errors.push("kind", "consular_service_kind_fixed");
            }
            return Err(AppError::Validation(errors));
        }
    };
    let changes = changed_fields(&service, &input);
    if !changes.is_empty() {
        let mut tx = state.db.begin().await.map_err(AppError::internal)?;
        let saved = match services::ensure_unchanged(&mut tx, &service.id, service.updated_at).await
        {
            Ok(()) => services::update(&mut tx, &mission.id, &service.id, &input).await,
            Err(e) => Err(e),
        };
        match saved {
            Ok(()) => {}
            Err(StoreError::Conflict("changed")) => {
                tx.rollback().await.map_err(AppError::internal)?;
                let now = mission_service(&state, &mission, &service.id).await?;
                if changed_fields(&now, &input).is_empty() {
                    return Ok(Json(service_response(now, mission.code.clone(), lang)));
                }
                return Err(AppError::Conflict);
            }
            Err(StoreError::Conflict(what)) => {
                return Err(AppError::Validation(code_refused(what)));
            }
            Err(StoreError::NotFound) => return Err(AppError::NotFound),
            Err(e) => return Err(AppError::internal(e)),
        }
        let actor = Actor { user, ip };
        let record = actor.audit(
            SERVICE_UPDATE,
            "service",
            Some(&service.id),
            Some(&mission.id),
            serde_json::json!({ "changed": changes, "via": "api" }),
        );
        crate::audit_log::commit_with(tx, &record).await?;
    }
    Ok(Json(listed(&state, &mission, lang, &service.id).await?))
}
