//! The consular API: the public service catalogue, an applicant's own cases
//! (`/api/v1/cases`, scopes `cases:*`) and the officers' queues of a mission
//! (`/api/v1/missions/{mission}/cases`, scopes `consular:*`). Every state change goes through
//! [`crate::consular::workflow::act`], as on the web.

pub mod actions;
pub mod applicant_messages;
pub mod assign;
pub mod bulk;
pub mod catalogue;
pub mod create;
pub mod cursor;
pub mod documents;
pub mod evisa;
pub mod form;
pub mod my_cases;
pub mod notes;
pub mod officer_case;
pub mod officer_messages;
pub mod priority;
pub mod queue;
pub mod services;
pub mod sla;
pub mod submit;
pub mod travel_document;
pub mod views;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode};
use axum::routing::{delete, get, post, put};
use safir_domain::consular::case::{Actor, CaseAction};
use safir_domain::roles::{Permission, TokenScope};
use safir_store::StoreError;
use safir_store::consular::cases::{self, Case};
use safir_store::missions::Mission;

use crate::auth::{Access, CurrentUser, Routes};
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

pub use safir_domain::audit::actions::{CASE_ASSIGN, CASE_LIST, CASE_NOTE, CASE_READ};

/// The longest message or note, in characters.
pub const MESSAGE_MAX: usize = 4000;

const CASES_READ: Option<&str> = Some(TokenScope::CasesRead.as_str());
const CASES_WRITE: Option<&str> = Some(TokenScope::CasesWrite.as_str());
const CONSULAR_READ: Option<&str> = Some(TokenScope::ConsularRead.as_str());
const CONSULAR_WRITE: Option<&str> = Some(TokenScope::ConsularWrite.as_str());

pub fn routes(r: Routes) -> Routes {
    let officer = Access::Mission(Permission::ManageConsularCases);
    let editor = Access::Mission(Permission::ManageConsularServices);
    // Uploads take a larger body than the site-wide limit, on their route only.
    let upload_limit = DefaultBodyLimit::max(r.state().config.upload_body_limit);
    r.add(
        Method::GET,
        "/api/v1/consular/services",
        Access::Public,
        get(services::list_services),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/cases",
        Access::SignedIn,
        CASES_READ,
        get(my_cases::list_my_cases),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/cases",
        Access::SignedIn,
        CASES_WRITE,
        post(create::create_case),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/cases/{id}",
        Access::SignedIn,
        CASES_READ,
        get(my_cases::get_my_case),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/cases/{id}/decision.pdf",
        Access::SignedIn,
        CASES_READ,
        get(my_cases::get_my_case_decision),
    )
    .add_scoped(
        Method::DELETE,
        "/api/v1/cases/{id}",
        Access::SignedIn,
        CASES_WRITE,
        delete(submit::discard_draft),
    )
    .add_scoped(
        Method::PUT,
        "/api/v1/cases/{id}/form",
        Access::SignedIn,
        CASES_WRITE,
        put(form::save_case_form),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/cases/{id}/submit",
        Access::SignedIn,
        CASES_WRITE,
        post(submit::submit_case),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/cases/{id}/withdraw",
        Access::SignedIn,
        CASES_WRITE,
        post(submit::withdraw_case),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/cases/{id}/messages",
        Access::SignedIn,
        CASES_WRITE,
        post(applicant_messages::post_case_message),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/cases/{id}/documents",
        Access::SignedIn,
        CASES_WRITE,
        post(documents::upload_case_document).layer(upload_limit),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/cases/{id}/documents/{doc}",
        Access::SignedIn,
        CASES_READ,
        get(documents::get_case_document),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/me/documents",
        Access::SignedIn,
        CASES_READ,
        get(documents::list_my_documents),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/me/documents",
        Access::SignedIn,
        CASES_WRITE,
        post(documents::upload_my_document).layer(upload_limit),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/me/documents/{doc}",
        Access::SignedIn,
        CASES_READ,
        get(documents::get_my_document),
    )
    .add_scoped(
        Method::DELETE,
        "/api/v1/me/documents/{doc}",
        Access::SignedIn,
        CASES_WRITE,
        delete(documents::delete_my_document),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/cases/{id}/documents/{doc}",
        officer,
        CONSULAR_READ,
        get(documents::get_mission_case_document),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/cases",
        officer,
        CONSULAR_READ,
        get(queue::list_mission_cases),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/services",
        editor,
        CONSULAR_READ,
        get(catalogue::list_mission_services),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/services",
        editor,
        CONSULAR_WRITE,
        post(catalogue::create_mission_service),
    )
    .add_scoped(
        Method::PUT,
        "/api/v1/missions/{mission}/services/{id}",
        editor,
        CONSULAR_WRITE,
        put(catalogue::replace_mission_service),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/sla",
        officer,
        CONSULAR_READ,
        get(sla::get_mission_sla),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/bulk",
        officer,
        CONSULAR_WRITE,
        post(bulk::bulk_case_action),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/cases/{id}",
        officer,
        CONSULAR_READ,
        get(officer_case::get_mission_case),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/{id}/actions",
        officer,
        CONSULAR_WRITE,
        post(actions::act_on_case),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/{id}/assign",
        officer,
        CONSULAR_WRITE,
        post(assign::assign_case),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/{id}/priority",
        officer,
        CONSULAR_WRITE,
        post(priority::set_case_priority),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/{id}/travel-document",
        officer,
        CONSULAR_WRITE,
        post(travel_document::open_travel_document),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/cases/{id}/evisa.pdf",
        Access::SignedIn,
        CASES_READ,
        get(evisa::get_my_evisa_pdf),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/evisas/{id}/pdf",
        officer,
        CONSULAR_READ,
        get(evisa::get_mission_evisa_pdf),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/evisas/{id}/revoke",
        officer,
        CONSULAR_WRITE,
        post(evisa::revoke_evisa),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/{id}/notes",
        officer,
        CONSULAR_WRITE,
        post(notes::add_case_note),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/cases/{id}/messages",
        officer,
        CONSULAR_WRITE,
        post(officer_messages::send_case_message),
    )
}

/// Control characters in text: PostgreSQL refuses NUL outright, and none belongs in a form,
/// an id or a search. Line breaks and tabs are text when `multiline` (addresses, the MRZ).
pub fn has_control(s: &str, multiline: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// The caller's own case; someone else's answers 404, exactly like a case that does not exist.
pub async fn own_case(state: &AppState, user: &CurrentUser, id: &str) -> Result<Case, AppError> {
    if has_control(id, false) {
        return Err(AppError::NotFound);
    }
    match cases::find(&state.db, id).await {
        Ok(case) if case.applicant_id == user.id() => Ok(case),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// A case of `mission` that reached the mission; drafts and other missions' cases answer 404.
pub async fn mission_case(state: &AppState, mission: &Mission, id: &str) -> Result<Case, AppError> {
    if has_control(id, false) {
        return Err(AppError::NotFound);
    }
    match cases::find(&state.db, id).await {
        Ok(case) if case.mission_id == mission.id && case.state != "draft" => Ok(case),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// A 409 with a precise code, e.g. `case_not_editable`.
pub fn conflict(code: &'static str) -> ErrorInfo {
    ErrorInfo::new(code, StatusCode::CONFLICT)
}

/// Refuses a move the state machine refuses, with the domain's code, before anything is
/// written; the workflow would refuse it too, but only as a bare `conflict`.
pub fn check_move(case: &Case, action: CaseAction, actor: Actor) -> Result<(), ErrorInfo> {
    let kind = case.kind().map_err(AppError::internal)?;
    let from = case.state().map_err(AppError::internal)?;
    from.apply(kind, action, actor)
        .map(|_| ())
        .map_err(|e| conflict(e.code()))
}

/// Assignment and triage are for cases someone at the mission still has to act on: a refused,
/// withdrawn or closed case answers `409 case_not_open`.
pub fn check_open(case: &Case) -> Result<(), ErrorInfo> {
    if case.state().map_err(AppError::internal)?.is_open() {
        Ok(())
    } else {
        Err(conflict("case_not_open"))
    }
}

/// The officers' answer for a message or note of `case_id` just written (`internal`: a note).
pub async fn officer_view_of_message(
    state: &AppState,
    case_id: &str,
    id: &str,
    internal: bool,
) -> Result<views::MessageResponse, AppError> {
    let message = cases::list_messages(&state.db, case_id, internal)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or(AppError::NotFound)?;
    Ok(views::MessageResponse::new(message, true))
}

/// A message or note body: required, at most [`MESSAGE_MAX`] characters.
pub fn message_body(field: &str, raw: &str) -> Result<String, AppError> {
    let body = safir_domain::trim_blank(raw);
    let mut errors = crate::error::FieldErrors::new();
    if body.is_empty() {
        errors.push(field, "required");
    } else if has_control(body, true) {
        errors.push(field, "invalid_characters");
    } else if body.chars().count() > MESSAGE_MAX {
        errors.add(crate::error::FieldError::new(field, "too_long").with_arg("max", MESSAGE_MAX));
    }
    errors.into_result()?;
    Ok(body.to_owned())
}
