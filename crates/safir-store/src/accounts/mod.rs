//! Accounts: users, their passwords and second factors, sessions, one-time email tokens,
//! role grants and personal access tokens.

pub mod directory;
pub mod grants;
pub mod password;
pub mod secrets;
pub mod sessions;
pub mod tokens;
pub mod totp;
mod users;

pub use users::*;
