//! Public accounts and authentication: sign-up, email verification, sign-in with a second
//! factor, password reset, account settings, personal access tokens.

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    r
}
