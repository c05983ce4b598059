//! Ministry administration: missions, users and roles, the audit trail, dead jobs.

mod audit_export;
pub(crate) mod audit_log;
mod home;
mod jobs;
mod mission_form;
mod mission_view;
mod missions;
pub(crate) mod support;
mod user_actions;
mod user_form;
mod user_new;
mod user_page;
mod users;

pub use jobs::{cursor_text as dead_cursor_text, parse_cursor as parse_dead_cursor};

use axum::http::Method;
use axum::routing::{get, post};
use safir_domain::roles::Permission;

use crate::auth::{Access, Routes};

pub const MISSIONS_ACCESS: Access = Access::Ministry(Permission::ManageMissions);
pub const USERS_ACCESS: Access = Access::Ministry(Permission::ManageUsers);
pub const AUDIT_ACCESS: Access = Access::Ministry(Permission::ViewAudit);
pub const JOBS_ACCESS: Access = Access::Ministry(Permission::ManageJobs);
/// The administration's home admits whoever may open one of its sections.
pub const ADMIN_ACCESS: Access = Access::AnyOf(&home::SECTION_ACCESS);

pub fn routes(r: Routes) -> Routes {
    r.add(Method::GET, "/admin", ADMIN_ACCESS, get(home::admin_home))
        .add(
            Method::GET,
            "/admin/missions",
            MISSIONS_ACCESS,
            get(missions::list_missions),
        )
        .add(
            Method::GET,
            "/admin/missions/new",
            MISSIONS_ACCESS,
            get(missions::new_mission_form),
        )
        .add(
            Method::POST,
            "/admin/missions/new",
            MISSIONS_ACCESS,
            post(missions::create_mission),
        )
        .add(
            Method::GET,
            "/admin/missions/{mission}/edit",
            MISSIONS_ACCESS,
            get(missions::edit_mission_form),
        )
        .add(
            Method::POST,
            "/admin/missions/{mission}/edit",
            MISSIONS_ACCESS,
            post(missions::update_mission),
        )
        .add(
            Method::GET,
            "/admin/users",
            USERS_ACCESS,
            get(users::list_users),
        )
        .add(
            Method::GET,
            "/admin/users/new",
            USERS_ACCESS,
            get(user_new::new_user_form),
        )
        .add(
            Method::POST,
            "/admin/users/new",
            USERS_ACCESS,
            post(user_new::create_user),
        )
        .add(
            Method::GET,
            "/admin/users/{user}",
            USERS_ACCESS,
            get(user_page::show_user),
        )
        .add(
            Method::POST,
            "/admin/users/{user}/grants",
            USERS_ACCESS,
            post(user_actions::grant_role),
        )
        .add(
            Method::POST,
            "/admin/users/{user}/grants/revoke",
            USERS_ACCESS,
            post(user_actions::revoke_role),
        )
        .add(
            Method::POST,
            "/admin/users/{user}/disable",
            USERS_ACCESS,
            post(user_actions::disable_user),
        )
        .add(
            Method::POST,
            "/admin/users/{user}/enable",
            USERS_ACCESS,
            post(user_actions::enable_user),
        )
        .add(
            Method::POST,
            "/admin/users/{user}/reset-password",
            USERS_ACCESS,
            post(user_actions::reset_password),
        )
        .add(
            Method::POST,
            "/admin/users/{user}/reset-two-factor",
            USERS_ACCESS,
            post(user_actions::reset_two_factor),
        )
        .add(
            Method::GET,
            "/admin/audit",
            AUDIT_ACCESS,
            get(audit_log::list_audit),
        )
        .add(
            Method::GET,
            "/admin/audit/export.csv",
            AUDIT_ACCESS,
            get(audit_export::export_csv),
        )
        .add(
            Method::POST,
            "/admin/audit/verify",
            AUDIT_ACCESS,
            post(audit_log::verify_chain),
        )
        .add(
            Method::GET,
            "/admin/jobs",
            JOBS_ACCESS,
            get(jobs::list_jobs),
        )
        .add(
            Method::POST,
            "/admin/jobs/{job}/retry",
            JOBS_ACCESS,
            post(jobs::retry_job),
        )
        .add(
            Method::POST,
            "/admin/jobs/retry-kind",
            JOBS_ACCESS,
            post(jobs::retry_kind),
        )
}
