//! Who is asking: the session cookie (or an API bearer token) resolved to a user and their
//! grants, the CSRF form-token check, and the per-route access rules.

pub mod access;
pub mod cache;
pub mod csrf_form;
pub mod session;

pub use access::{Access, MissionParam, RouteInfo, Routes};
pub use session::{Anonymous, CurrentUser, SESSION_COOKIE, SignedIn, Viewer};
