//! The JSON API under `/api/v1` and its OpenAPI document.
//!
//! Callers authenticate with a personal access token (`Authorization: Bearer safir_…`) whose
//! scopes (`read`, `write`, `cases:*`, `consular:*`) the access layer checks per route; a
//! browser session may call the read routes. Errors are problem+json, rendered by the error layer for every `/api/` path.

mod appointments;
mod audit;
pub mod consular;
pub mod doc;
pub mod input;
mod jobs;
pub(crate) mod me;
mod missions;
mod schedule;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::Method;
use axum::http::request::Parts;
use axum::routing::{delete, get, patch, post};
use safir_domain::roles::{Permission, TokenScope};

use crate::auth::{Access, Routes};
use crate::security::client_ip;
use crate::state::AppState;

pub use doc::document;

pub fn routes(r: Routes) -> Routes {
    consular::routes(schedule_routes(account_and_admin(r)))
}

/// A mission's day of bookings and its schedule, for its staff.
fn schedule_routes(r: Routes) -> Routes {
    const CONSULAR_READ: Option<&str> = Some(TokenScope::ConsularRead.as_str());
    const CONSULAR_WRITE: Option<&str> = Some(TokenScope::ConsularWrite.as_str());
    let manage = Access::Mission(Permission::ManageConsularServices);
    r.add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/appointments",
        Access::Mission(Permission::ViewPersonalData),
        CONSULAR_READ,
        get(schedule::list_mission_appointments),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/appointments/schedule",
        manage,
        CONSULAR_READ,
        get(schedule::get_mission_schedule),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/appointments/schedule/rules",
        manage,
        CONSULAR_WRITE,
        post(schedule::add_schedule_rule),
    )
    .add_scoped(
        Method::DELETE,
        "/api/v1/missions/{mission}/appointments/schedule/rules/{id}",
        manage,
        CONSULAR_WRITE,
        delete(schedule::remove_schedule_rule),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/missions/{mission}/appointments/schedule/closures",
        manage,
        CONSULAR_WRITE,
        post(schedule::add_schedule_closure),
    )
    .add_scoped(
        Method::DELETE,
        "/api/v1/missions/{mission}/appointments/schedule/closures/{id}",
        manage,
        CONSULAR_WRITE,
        delete(schedule::remove_schedule_closure),
    )
}

fn account_and_admin(r: Routes) -> Routes {
    const READ: Option<&str> = Some(TokenScope::Read.as_str());
    const WRITE: Option<&str> = Some(TokenScope::Write.as_str());
    r.add(
        Method::GET,
        "/api/v1/openapi.json",
        Access::Public,
        get(doc::openapi_json),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/me",
        Access::SignedIn,
        READ,
        get(me::get_me),
    )
    .add_scoped(
        Method::PATCH,
        "/api/v1/me",
        Access::SignedIn,
        WRITE,
        patch(me::update_me),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/me/data",
        Access::SignedIn,
        READ,
        get(me::get_my_data),
    )
    .add(
        Method::GET,
        "/api/v1/missions",
        Access::Public,
        get(missions::list_missions),
    )
    .add(
        Method::GET,
        "/api/v1/missions/{mission}",
        Access::Public,
        get(missions::get_mission),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/missions/{mission}/staff",
        Access::Mission(Permission::ViewDashboard),
        READ,
        get(missions::list_mission_staff),
    )
    .add(
        Method::GET,
        "/api/v1/missions/{mission}/appointments/slots",
        Access::Public,
        get(appointments::list_slots),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/appointments",
        Access::SignedIn,
        WRITE,
        post(appointments::book_appointment),
    )
    .add_scoped(
        Method::DELETE,
        "/api/v1/appointments/{id}",
        Access::SignedIn,
        WRITE,
        delete(appointments::cancel_appointment),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/appointments/{id}/reschedule",
        Access::SignedIn,
        WRITE,
        post(appointments::reschedule_appointment),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/me/appointments",
        Access::SignedIn,
        READ,
        get(appointments::list_my_appointments),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/admin/audit",
        Access::Ministry(Permission::ViewAudit),
        READ,
        get(audit::list_audit_records),
    )
    .add_scoped(
        Method::GET,
        "/api/v1/admin/jobs",
        Access::Ministry(Permission::ManageJobs),
        READ,
        get(jobs::get_jobs_overview),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/admin/jobs/{job}/retry",
        Access::Ministry(Permission::ManageJobs),
        WRITE,
        post(jobs::retry_job),
    )
    .add_scoped(
        Method::POST,
        "/api/v1/admin/jobs/retry-dead",
        Access::Ministry(Permission::ManageJobs),
        WRITE,
        post(jobs::retry_dead_jobs),
    )
}

/// The client's address for the audit trail (absent in in-process tests).
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0);
        let ip = client_ip(&parts.headers, peer, state.config.trusted_proxy);
        Ok(ClientIp(ip.map(|ip| ip.to_string())))
    }
}
