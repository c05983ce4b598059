//! Ministry administration: missions, users and roles, the audit trail, dead jobs.

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
