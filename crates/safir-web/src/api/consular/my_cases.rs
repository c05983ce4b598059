//! `GET /api/v1/cases` and `GET /api/v1/cases/{id}`: the caller's own applications.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use safir_domain::consular::case::Actor;
use safir_store::consular::cases;
use safir_store::missions;
use serde::Serialize;
use utoipa::ToSchema;

use super::own_case;
use super::views::{
    CaseResponse, CaseSummaryResponse, case_view, drop_unsendable, summary, withdrawn_services,
};
use crate::api::doc::Problem;
use crate::api::input::NoQuery;
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseListResponse {
    /// Newest first, drafts included.
    pub items: Vec<CaseSummaryResponse>,
}

/// The caller's own cases, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    tag = "consular",
    operation_id = "list_my_cases",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The caller's cases", body = CaseListResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_my_cases(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _: NoQuery,
) -> Result<Json<CaseListResponse>, AppError> {
    let rows = cases::list_for_applicant(&state.db, user.id())
        .await
        .map_err(AppError::internal)?;
    let codes: HashMap<String, String> = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|m| (m.id, m.code))
        .collect();
    let withdrawn = withdrawn_services(&state, &rows).await?;
    let items = rows
        .iter()
        .map(|c| {
            let mut item = summary(c, codes.get(&c.mission_id).cloned().unwrap_or_default());
            drop_unsendable(&mut item, &withdrawn);
            item
        })
        .collect();
    Ok(Json(CaseListResponse { items }))
}

/// One of the caller's cases with its history and the conversation with the mission.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    tag = "consular",
    operation_id = "get_my_case",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = CaseResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_my_case(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    _: NoQuery,
) -> Result<Json<CaseResponse>, AppError> {
    let case = own_case(&state, &user, &id).await?;
    Ok(Json(case_view(&state, &case, Actor::Applicant).await?))
}

/// The mission's decision on one of the caller's applications, as a PDF letter in Arabic and
/// English, as "Download the decision" on its page.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/decision.pdf",
    tag = "consular",
    operation_id = "get_my_case_decision",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf"),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id, or the mission has not decided it (or it was withdrawn)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_my_case_decision(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    _: NoQuery,
) -> Result<axum::response::Response, AppError> {
    let case = own_case(&state, &user, &id).await?;
    crate::consular::applicant::decision::letter(&state, &case).await
}
