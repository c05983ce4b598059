//! Consular services on the web: the public catalogue, the applicant's workspace, the
//! officers' queues, appointments, e-visas and their verification, travel advice.

pub mod documents;
mod my_documents;
pub mod upload;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};

use crate::auth::{Access, Routes};

pub fn routes(r: Routes) -> Routes {
    let upload_limit = DefaultBodyLimit::max(r.state().config.upload_body_limit);
    r.add(
        Method::GET,
        "/documents/{id}",
        Access::SignedIn,
        get(documents::download),
    )
    .add(
        Method::GET,
        "/account/documents",
        Access::SignedIn,
        get(my_documents::show),
    )
    // Uploads take a larger body than the site-wide limit, on this route only.
    .add(
        Method::POST,
        "/account/documents",
        Access::SignedIn,
        post(my_documents::upload).layer(upload_limit),
    )
}
