//! The JSON API under `/api/v1` and its OpenAPI document.

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
