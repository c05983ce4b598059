//! Consular services on the web: the public catalogue, the applicant's workspace, the
//! officers' queues, appointments, e-visas and their verification, travel advice.

mod catalogue_admin;
pub mod labels;
pub mod officer;
pub mod workflow;

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    officer::routes(catalogue_admin::routes(r))
}
