//! The staff workspace: the list of one's missions and each mission's dashboard.

mod dashboard;
pub(crate) mod labels;
mod workspace;

use axum::http::Method;
use axum::routing::get;
use safir_domain::roles::Permission;

use crate::auth::{Access, Routes};

pub fn routes(r: Routes) -> Routes {
    r.add(
        Method::GET,
        "/staff",
        Access::AnyMission(Permission::ViewDashboard),
        get(workspace::list_my_missions),
    )
    .add(
        Method::GET,
        "/missions/{mission}/dashboard",
        Access::Mission(Permission::ViewDashboard),
        get(dashboard::show_dashboard),
    )
}
