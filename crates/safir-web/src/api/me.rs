//! `/api/v1/me`: the caller's own account, and changing its name and language.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use safir_domain::accounts::DisplayName;
use safir_domain::audit::AuditAction;
use safir_domain::roles::{Scope, TokenScope};
use safir_store::accounts;
use safir_store::audit::{self, NewAuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ClientIp;
use super::input::ApiJson;
use crate::api::input::NoQuery;
use crate::auth::{CurrentUser, SignedIn};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::state::AppState;

/// A staff member changed their own name or language (audited like every staff change).
pub const PROFILE_UPDATE: AuditAction = AuditAction::new("user.profile_update");

/// Audits, inside the transaction that makes it, a staff member's change of their own name
/// or language (`via`: `api`, `form`, `switcher`), with what each was before; a value saved
/// again unchanged is not a change, and the change of an account that is not staff (`staff`:
/// a staff account or one granted a staff role, [`CurrentUser::is_staff`]) is not audited.
///
/// [`CurrentUser::is_staff`]: crate::auth::CurrentUser::is_staff
pub(crate) async fn record_profile_update(
    tx: &mut safir_store::Tx,
    (user, staff): (&accounts::User, bool),
    name: Option<&str>,
    lang: Option<Lang>,
    via: &str,
    client_ip: Option<String>,
) -> Result<(), safir_store::StoreError> {
    if !staff {
        return Ok(());
    }
    let mut changed = serde_json::Map::new();
    for (field, from, to) in [
        ("display_name", user.display_name.as_str(), name),
        (
            "language",
            user.preferred_lang.as_str(),
            lang.map(Lang::code),
        ),
    ] {
        if let Some(to) = to.filter(|to| *to != from) {
            changed.insert(field.into(), serde_json::json!({ "from": from, "to": to }));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    changed.insert("via".into(), via.into());
    audit::append(
        tx,
        &NewAuditRecord {
            actor_id: Some(user.user_id()),
            actor_label: user.email.clone(),
            action: PROFILE_UPDATE,
            target_type: "user",
            target_id: Some(user.id.clone()),
            mission_id: None,
            client_ip,
            summary: serde_json::Value::Object(changed),
        },
    )
    .await?;
    Ok(())
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `public` (citizens, applicants) or `staff`.
    #[schema(example = "staff")]
    pub kind: String,
    /// Interface language: `ar` or `en`.
    #[schema(example = "ar")]
    pub language: String,
    /// Roles with where each applies.
    pub roles: Vec<RoleResponse>,
    /// Scopes of the token this request used; absent for a browser session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_scopes: Option<Vec<String>>,
}

/// One role grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleResponse {
    #[schema(example = "consular_officer")]
    pub role: String,
    /// `ministry` (everywhere) or `mission` (one mission, named by `mission`).
    #[schema(example = "mission")]
    pub scope: String,
    /// The mission's code when `scope` is `mission`.
    #[schema(example = "PAR")]
    pub mission: Option<String>,
}

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    /// 1 to 120 characters.
    #[schema(example = "Layla Haddad")]
    pub display_name: Option<String>,
    /// `ar` or `en`.
    #[schema(example = "en")]
    pub language: Option<String>,
}

async fn me_response(state: &AppState, user: &CurrentUser) -> Result<MeResponse, AppError> {
    let codes: HashMap<String, String> = if user.grants.0.is_empty() {
        HashMap::new()
    } else {
        crate::auth::cache::all_missions(state)
            .await?
            .iter()
            .map(|m| (m.id.clone(), m.code.clone()))
            .collect()
    };
    let roles = user
        .grants
        .0
        .iter()
        .map(|g| match &g.scope {
            Scope::Ministry => RoleResponse {
                role: g.role.as_str().to_owned(),
                scope: "ministry".to_owned(),
                mission: None,
            },
            Scope::Mission(id) => RoleResponse {
                role: g.role.as_str().to_owned(),
                scope: "mission".to_owned(),
                mission: codes.get(id.as_str()).cloned(),
            },
        })
        .collect();
    Ok(MeResponse {
        id: user.user.id.clone(),
        email: user.user.email.clone(),
        display_name: user.user.display_name.clone(),
        kind: user.user.kind.clone(),
        language: Lang::parse(&user.user.preferred_lang)
            .unwrap_or_default()
            .code()
            .to_owned(),
        roles,
        token_scopes: user.api_scopes.clone(),
    })
}

/// The signed-in account: identity, language and roles.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    operation_id = "get_me",
    security(("bearer" = ["read"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The account", body = MeResponse),
        (status = 401, description = "No valid token or session", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `read` scope", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_me(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _: NoQuery,
) -> Result<Json<MeResponse>, AppError> {
    Ok(Json(me_response(&state, &user).await?))
}

/// Changes the display name and/or the interface language.
///
/// Both change or neither. For staff accounts the change is recorded in the audit trail
/// (`user.profile_update`).
#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "account",
    operation_id = "update_me",
    security(("bearer" = ["write"])),
    request_body(content = UpdateMeRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The updated account", body = MeResponse),
        (status = 400, description = "The body is not valid JSON", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `write` scope", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `application/json`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is unknown, of the wrong type or invalid", body = super::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    SignedIn(mut user): SignedIn,
    ClientIp(client_ip): ClientIp,
    ApiJson(body): ApiJson<UpdateMeRequest>,
) -> Result<Json<MeResponse>, AppError> {
    let mut errors = FieldErrors::new();
    let name = match body.display_name.as_deref().map(DisplayName::parse) {
        None => None,
        Some(Ok(name)) => Some(name),
        Some(Err(e)) => {
            let mut error = FieldError::new("display_name", e.code);
            if e.code == "too_long" {
                error = error.with_arg("max", 120);
            }
            errors.add(error);
            None
        }
    };
    let lang = match body.language.as_deref() {
        None => None,
        Some(code) => match code {
            "ar" | "en" => Lang::parse(code),
            _ => {
                errors.push("language", "unsupported_language");
                None
            }
        },
    };
    errors.into_result()?;
    if name.is_none() && lang.is_none() {
        return Ok(Json(me_response(&state, &user).await?));
    }
    let stored_lang = lang.map(crate::staff::labels::content_lang);
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    accounts::update_profile(&mut tx, &user.user.id, name.as_ref(), stored_lang)
        .await
        .map_err(AppError::internal)?;
    record_profile_update(
        &mut tx,
        (&user.user, user.is_staff()),
        name.as_ref().map(DisplayName::as_str),
        lang,
        "api",
        client_ip,
    )
    .await
    .map_err(AppError::internal)?;
    tx.commit().await.map_err(AppError::internal)?;
    // The answer shows the account as saved; the shared copy of this request is left alone.
    let saved = std::sync::Arc::make_mut(&mut user);
    if let Some(name) = &name {
        saved.user.display_name = name.as_str().to_owned();
    }
    if let Some(lang) = lang {
        saved.user.preferred_lang = lang.code().to_owned();
    }
    Ok(Json(me_response(&state, saved).await?))
}

/// Everything Safir holds about the caller, as the account page's download gives it.
///
/// The profile, roles, sessions, API tokens (never their secrets), the audit records of what
/// the caller did and of what was done to their account, their consular cases with history
/// and messages, documents, appointments, e-visas, and registrations abroad. A token needs
/// `cases:read` as well as `read`: the answer holds the consular applications.
#[utoipa::path(
    get,
    path = "/api/v1/me/data",
    tag = "account",
    operation_id = "get_my_data",
    security(("bearer" = ["read", "cases:read"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Everything about the caller, as one JSON object", content_type = "application/json"),
        (status = 401, description = "No valid token or session", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the `read` or the `cases:read` scope", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = crate::api::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_my_data(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _: NoQuery,
) -> Result<axum::response::Response, AppError> {
    // The route admits `read`; the consular applications in the answer need their own scope
    // too, or a token made to read the profile would carry the passport on file.
    if let Some(scopes) = &user.api_scopes
        && !scopes.iter().any(|s| s == TokenScope::CasesRead.as_str())
    {
        return Err(AppError::Forbidden);
    }
    let mut response = crate::accounts::data::response(&state, &user).await?;
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
