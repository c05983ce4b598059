//! `GET /api/v1/consular/services`: the public catalogue of what each mission offers online.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use safir_store::consular::services::{self as store, Service};
use safir_store::missions;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::input::query_once;
use crate::api::missions::Bilingual;
use crate::error::{AppError, FieldErrors};
use crate::i18n::{Lang, t};
use crate::state::AppState;

/// A fee as stored (minor units) and as shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeResponse {
    /// In the currency's minor unit (cents, fils …): 7550 is 75.50 EUR.
    #[schema(example = 7500)]
    pub minor: i64,
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    pub currency: String,
    /// For people, in the client's language ("75.00 EUR", or "Free").
    #[schema(example = "75.00 EUR")]
    pub display: String,
}

/// One service of one mission.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceResponse {
    /// Give this as `service_id` to apply.
    pub id: String,
    /// The mission's code.
    #[schema(example = "PAR")]
    pub mission: String,
    /// The mission's own short name for the service.
    #[schema(example = "passport_renewal")]
    pub code: String,
    /// The application form it uses: `passport_renewal`, `visa`, `emergency` or
    /// `emergency_travel_document`.
    #[schema(example = "passport_renewal")]
    pub kind: String,
    pub name: Bilingual,
    pub instructions: Bilingual,
    /// Documents to prepare, each in both languages.
    pub documents: Vec<Bilingual>,
    pub fee: FeeResponse,
    /// The mission's target, in days from submission.
    #[schema(example = 10)]
    pub processing_days: i32,
    /// Visa categories offered (visa services only).
    #[schema(example = json!(["tourist", "business"]))]
    pub visa_types: Vec<String>,
    /// Offered to applicants; the public catalogue lists enabled services only.
    pub enabled: bool,
    /// When the service was last changed: give it back as `base_updated_at` in a replacement
    /// so as not to save over a change made since.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceListResponse {
    /// By mission, then form, then code.
    pub items: Vec<ServiceResponse>,
}

pub(crate) fn service_response(s: Service, mission: String, lang: Lang) -> ServiceResponse {
    let display = match s.fee() {
        Some(fee) if fee.minor == 0 => t(lang, "consular-fee-free"),
        Some(fee) => fee.display(),
        None => format!("{} {}", s.fee_minor, s.currency),
    };
    let documents = s
        .documents(safir_domain::Lang::Ar)
        .into_iter()
        .zip(s.documents(safir_domain::Lang::En))
        .map(|(ar, en)| Bilingual { ar, en })
        .collect();
    ServiceResponse {
        visa_types: s.visa_types().into_iter().map(str::to_owned).collect(),
        documents,
        fee: FeeResponse {
            minor: s.fee_minor,
            currency: s.currency.clone(),
            display,
        },
        id: s.id,
        mission,
        code: s.code,
        kind: s.kind,
        name: Bilingual {
            ar: s.name_ar,
            en: s.name_en,
        },
        instructions: Bilingual {
            ar: s.instructions_ar,
            en: s.instructions_en,
        },
        processing_days: s.processing_days,
        enabled: s.enabled,
        updated_at: s.updated_at,
    }
}

/// Every enabled service of every mission, or of one mission with `?mission=PAR`.
#[utoipa::path(
    get,
    path = "/api/v1/consular/services",
    tag = "consular",
    operation_id = "list_consular_services",
    security(()),
    params(("mission" = Option<String>, Query, description = "Only this mission's services (its code, e.g. `PAR`)")),
    responses(
        (status = 200, description = "The catalogue", body = ServiceListResponse),
        (status = 422, description = "Unknown parameter or mission", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_services(
    State(state): State<AppState>,
    lang: Lang,
    RawQuery(raw): RawQuery,
) -> Result<Json<ServiceListResponse>, AppError> {
    let mut only = None;
    let mut errors = FieldErrors::new();
    for (key, value) in query_once(raw.as_deref(), &[], &mut errors) {
        match key.as_str() {
            "mission" if !value.trim().is_empty() => {
                only = Some(value.trim().to_ascii_uppercase());
            }
            "mission" | "lang" => {}
            _ => errors.push(&key, "unknown_field"),
        }
    }
    errors.into_result()?;
    let codes: HashMap<String, String> = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect();
    if let Some(code) = &only
        && !codes.values().any(|c| c == code)
    {
        let mut errors = FieldErrors::new();
        errors.push("mission", "unknown_mission");
        return Err(AppError::Validation(errors));
    }
    let mut items: Vec<ServiceResponse> = store::list_enabled(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .filter_map(|s| {
            let code = codes.get(&s.mission_id)?.clone();
            only.as_ref()
                .is_none_or(|o| *o == code)
                .then(|| service_response(s, code, lang))
        })
        .collect();
    // Storage orders by mission id; people look missions up by code.
    items.sort_by(|a, b| (&a.mission, &a.kind, &a.code).cmp(&(&b.mission, &b.kind, &b.code)));
    Ok(Json(ServiceListResponse { items }))
}
