//! The staff workspace: the list of one's missions and each mission's dashboard.

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
