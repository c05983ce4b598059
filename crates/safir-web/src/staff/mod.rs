//! The staff workspace: the list of one's missions and each mission's dashboard.

mod dashboard;
pub(crate) mod labels;
mod workspace;

use axum::http::Method;
use axum::routing::get;
use safir_domain::roles::Permission;

use crate::auth::{Access, Routes};

/// The staff workspace: whoever may see a mission's dashboard somewhere.
pub const WORKSPACE_ACCESS: Access = Access::AnyMission(Permission::ViewDashboard);

pub fn routes(r: Routes) -> Routes {
    r.add(
        Method::GET,
        "/staff",
        WORKSPACE_ACCESS,
        get(workspace::list_my_missions),
    )
    .add(
        Method::GET,
        "/missions/{mission}/dashboard",
        Access::Mission(Permission::ViewDashboard),
        get(dashboard::show_dashboard),
    )
}
