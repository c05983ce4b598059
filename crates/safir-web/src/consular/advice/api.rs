//! `/api/v1/travel-advice`: the advice in force for every country and for one (public, in
//! both languages), and publishing a new version (ministry, `write` token).

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use safir_domain::CountryCode;
use safir_domain::Lang as ContentLang;
use safir_domain::consular::advice::{
    ADVICE_PUBLISH, AdviceLevel, AdviceSection, RawAdvice, RawAdviceText, TravelAdvice,
};
use safir_store::StoreError;
use safir_store::audit::NewAuditRecord;
use safir_store::consular::advice::{self, AdviceVersion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{country_param, field_errors, level_label};
use crate::api::ClientIp;
use crate::api::input::ApiJson;
use crate::api::input::NoQuery;
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

/// Text in Arabic and English.
#[derive(Debug, Serialize, ToSchema)]
pub struct BilingualText {
    pub ar: String,
    pub en: String,
}

impl BilingualText {
    fn of(f: impl Fn(ContentLang) -> String) -> BilingualText {
        BilingualText {
            ar: f(ContentLang::Ar),
            en: f(ContentLang::En),
        }
    }
}

/// An advice level.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdviceLevelResponse {
    /// 1 (exercise normal precautions) to 4 (do not travel).
    #[schema(example = 3)]
    pub number: u8,
    /// `exercise_normal_precautions`, `exercise_increased_caution`, `reconsider_travel` or
    /// `do_not_travel`.
    #[schema(example = "reconsider_travel")]
    pub key: String,
    pub label: BilingualText,
}

impl From<AdviceLevel> for AdviceLevelResponse {
    fn from(level: AdviceLevel) -> Self {
        AdviceLevelResponse {
            number: level.number(),
            key: level.key().to_owned(),
            label: BilingualText {
                ar: level_label(Lang::Ar, level),
                en: level_label(Lang::En, level),
            },
        }
    }
}

fn country_name(c: &CountryCode) -> BilingualText {
    BilingualText::of(|l| c.name(l).to_owned())
}

/// One country in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TravelAdviceSummaryResponse {
    /// ISO 3166-1 alpha-2 code.
    #[schema(example = "LB")]
    pub country: String,
    pub name: BilingualText,
    pub level: AdviceLevelResponse,
    /// The version in force (1 for the first publication).
    pub version: i32,
    pub updated_at: DateTime<Utc>,
    pub summary: BilingualText,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TravelAdviceListResponse {
    /// By country code.
    pub items: Vec<TravelAdviceSummaryResponse>,
}

/// The sections of the advice; an empty text means nothing particular to say.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdviceSectionsResponse {
    pub safety_and_security: BilingualText,
    pub entry_requirements: BilingualText,
    pub health: BilingualText,
    pub local_laws: BilingualText,
}

/// A country's advice in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct TravelAdviceResponse {
    #[schema(example = "LB")]
    pub country: String,
    pub name: BilingualText,
    pub level: AdviceLevelResponse,
    pub version: i32,
    pub version_id: String,
    pub published_at: DateTime<Utc>,
    pub summary: BilingualText,
    pub sections: AdviceSectionsResponse,
    /// What this version changed.
    pub change_summary: BilingualText,
}

impl From<AdviceVersion> for TravelAdviceResponse {
    fn from(v: AdviceVersion) -> Self {
        let section = |s: AdviceSection| BilingualText::of(|l| v.text(l).section(s).to_owned());
        TravelAdviceResponse {
            country: v.country.as_str().to_owned(),
            name: country_name(&v.country),
            level: v.level.into(),
            summary: BilingualText::of(|l| v.text(l).summary().to_owned()),
            sections: AdviceSectionsResponse {
                safety_and_security: section(AdviceSection::SafetyAndSecurity),
                entry_requirements: section(AdviceSection::EntryRequirements),
                health: section(AdviceSection::Health),
                local_laws: section(AdviceSection::LocalLaws),
            },
            change_summary: BilingualText::of(|l| v.change.get(l).to_owned()),
            version: v.version,
            version_id: v.id,
            published_at: v.published_at,
        }
    }
}

/// Text in Arabic and English; a missing language counts as empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BilingualTextInput {
    #[serde(default)]
    pub ar: String,
    #[serde(default)]
    pub en: String,
}

/// A new version of a country's advice.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishTravelAdviceRequest {
    /// 1 to 4.
    #[schema(example = 3)]
    pub level: i64,
    /// Required in both languages, at most 1,000 characters each.
    pub summary: BilingualTextInput,
    /// Optional sections, at most 20,000 characters per language; a line is a paragraph.
    pub safety_and_security: Option<BilingualTextInput>,
    pub entry_requirements: Option<BilingualTextInput>,
    pub health: Option<BilingualTextInput>,
    pub local_laws: Option<BilingualTextInput>,
    /// What this version changes, required in both languages, at most 300 characters each.
    pub change_summary: BilingualTextInput,
    /// The version this text was written against (0 when the country has no advice yet).
    /// When given and another version was published since, nothing is written and the
    /// answer is 409.
    pub base_version: Option<i32>,
}

impl BilingualTextInput {
    fn get(&self, lang: ContentLang) -> String {
        match lang {
            ContentLang::Ar => self.ar.clone(),
            _ => self.en.clone(),
        }
    }
}

impl PublishTravelAdviceRequest {
    fn raw(self) -> RawAdvice {
        let sections = [
            self.safety_and_security,
            self.entry_requirements,
            self.health,
            self.local_laws,
        ]
        .map(Option::unwrap_or_default);
        let text = |lang: ContentLang| RawAdviceText {
            summary: self.summary.get(lang),
            sections: sections.each_ref().map(|s| s.get(lang)),
        };
        RawAdvice {
            level: self.level.to_string(),
            ar: text(ContentLang::Ar),
            en: text(ContentLang::En),
            change_ar: self.change_summary.ar,
            change_en: self.change_summary.en,
        }
    }
}

/// Every country with travel advice, with its level and summary.
#[utoipa::path(
    get,
    path = "/api/v1/travel-advice",
    tag = "travel-advice",
    operation_id = "list_travel_advice",
    security(()),
    responses(
        (status = 200, description = "Every country with advice", body = TravelAdviceListResponse),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_travel_advice(
    State(state): State<AppState>,
    _: NoQuery,
) -> Result<Json<TravelAdviceListResponse>, AppError> {
    let items = advice::list_current(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|a| TravelAdviceSummaryResponse {
            country: a.country.as_str().to_owned(),
            name: country_name(&a.country),
            level: a.level.into(),
            version: a.version,
            updated_at: a.updated_at,
            summary: BilingualText {
                ar: a.summary_ar,
                en: a.summary_en,
            },
        })
        .collect();
    Ok(Json(TravelAdviceListResponse { items }))
}

/// One country's advice in force, in full.
#[utoipa::path(
    get,
    path = "/api/v1/travel-advice/{country}",
    tag = "travel-advice",
    operation_id = "get_travel_advice",
    security(()),
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code, any case, e.g. `LB`")),
    responses(
        (status = 200, description = "The advice in force", body = TravelAdviceResponse),
        (status = 404, description = "Unknown country, or no advice published for it", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_travel_advice(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    _: NoQuery,
) -> Result<Json<TravelAdviceResponse>, AppError> {
    let country = country_param(&raw)?;
    let current = advice::find_current(&state.db, &country)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    Ok(Json(current.into()))
}

/// Publishes a new version of a country's advice.
///
/// Every version is kept. When the level changes, subscribers of the country are told
/// (through the job queue). Recorded in the audit trail (`travel_advice.publish`).
#[utoipa::path(
    put,
    path = "/api/v1/travel-advice/{country}",
    tag = "travel-advice",
    operation_id = "publish_travel_advice",
    security(("bearer" = ["write"])),
    params(("country" = String, Path, description = "ISO 3166-1 alpha-2 code, any case, e.g. `LB`")),
    request_body(content = PublishTravelAdviceRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The advice now in force", body = TravelAdviceResponse),
        (status = 400, description = "The body is not valid JSON", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to manage consular services ministry-wide, or the token lacks `write`", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown country code", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another version was published after `base_version`", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = crate::api::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown, of the wrong type or invalid", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn publish_travel_advice(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    ClientIp(client_ip): ClientIp,
    Path(raw): Path<String>,
    ApiJson(body): ApiJson<PublishTravelAdviceRequest>,
) -> Result<Json<TravelAdviceResponse>, AppError> {
    let country = country_param(&raw)?;
    let base_version = body.base_version;
    let input = TravelAdvice::parse(country, &body.raw())
        .map_err(|errors| AppError::Validation(field_errors(&errors, true)))?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let published =
        match advice::publish(&mut tx, &input, Some(&user.user.user_id()), base_version).await {
            Ok(p) => p,
            Err(StoreError::Conflict(_)) => {
                tx.rollback().await.map_err(AppError::internal)?;
                let now_in_force = advice::find_current(&state.db, &country)
                    .await
                    .map_err(AppError::internal)?;
                // The same request sent again (a retry after a lost answer): the version in
                // force is the one it published. Answered as published, as the first sending
                // was, not 409: the client would publish the same version twice.
                return match now_in_force {
                    Some(v)
                        if base_version.is_some_and(|base| {
                            v.published_from(base, user.user.id.as_str(), &input)
                        }) =>
                    {
                        Ok(Json(v.into()))
                    }
                    _ => Err(AppError::Conflict),
                };
            }
            Err(e) => return Err(AppError::internal(e)),
        };
    crate::audit_log::commit_with(
        tx,
        &NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: ADVICE_PUBLISH,
            target_type: "travel_advice",
            target_id: Some(published.version_id.clone()),
            mission_id: None,
            client_ip,
            summary: serde_json::json!({
                "country": country.as_str(),
                "version": published.version,
                "level": {
                    "from": published.old_level.map(|l| l.number()),
                    "to": input.level.number(),
                },
                "via": "api",
            }),
        },
    )
    .await?;
    let current = advice::find_current(&state.db, &country)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| AppError::internal("published advice not found"))?;
    Ok(Json(current.into()))
}
