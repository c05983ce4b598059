//! `/admin/crisis/webhooks`: partner systems that receive alerts as signed webhooks.

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
