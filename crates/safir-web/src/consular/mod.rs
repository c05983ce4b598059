//! Consular services on the web: the public catalogue, the applicant's workspace, the
//! officers' queues, appointments, e-visas and their verification, travel advice.

pub mod evisa;

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    evisa::routes(r)
}
