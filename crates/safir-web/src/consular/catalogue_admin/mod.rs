//! The service catalogue editor of one mission: the list of its services, the creation and
//! the edit forms. Every route needs `ManageConsularServices` on the mission in the path.

pub(crate) mod edit;
pub(crate) mod form;
mod list;

use axum::http::Method;
use axum::routing::{get, post};
use safir_domain::audit::AuditAction;
use safir_domain::roles::Permission;

use crate::auth::{Access, Routes};

pub const SERVICE_CREATE: AuditAction = AuditAction::new("service.create");
pub const SERVICE_UPDATE: AuditAction = AuditAction::new("service.update");

/// Who keeps a mission's service catalogue.
pub const EDITOR_ACCESS: Access = Access::Mission(Permission::ManageConsularServices);

pub fn routes(r: Routes) -> Routes {
    let editor = EDITOR_ACCESS;
    r.add(
        Method::GET,
        "/missions/{mission}/services",
        editor,
        get(list::list_services),
    )
    .add(
        Method::GET,
        "/missions/{mission}/services/new",
        editor,
        get(edit::new_service_form),
    )
    .add(
        Method::POST,
        "/missions/{mission}/services/new",
        editor,
        post(edit::create_service),
    )
    .add(
        Method::GET,
        "/missions/{mission}/services/{service}/edit",
        editor,
        get(edit::edit_service_form),
    )
    .add(
        Method::POST,
        "/missions/{mission}/services/{service}/edit",
        editor,
        post(edit::update_service),
    )
}
