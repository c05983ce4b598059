//! Consular services on the web: the public catalogue, the applicant's workspace, the
//! officers' queues, appointments, e-visas and their verification, travel advice.

pub mod advice;
pub mod applicant;
pub mod applicant_wrote;
pub mod appointments;
pub mod approval;
pub mod case_documents;
pub mod catalogue;
pub(crate) mod catalogue_admin;
pub mod counts;
pub mod documents;
pub mod evisa;
pub mod jobs;
pub mod labels;
pub(crate) mod my_documents;
pub mod officer;
pub mod officer_mail;
pub mod reach;
pub mod read_cache;
pub mod upload;
pub mod workflow;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};

use crate::auth::{Access, Routes};

pub fn routes(r: Routes) -> Routes {
    let upload_limit = DefaultBodyLimit::max(r.state().config.upload_body_limit);
    use Access::{Public, SignedIn};
    let r = officer::routes(catalogue_admin::routes(r));
    evisa::routes(appointments::routes(advice::routes(r)))
        .add(
            Method::GET,
            "/consular",
            Public,
            get(catalogue::list_services),
        )
        .add(
            Method::GET,
            "/consular/services/{service}",
            Public,
            get(catalogue::show_service),
        )
        .add(
            Method::POST,
            "/consular/services/{service}/apply",
            SignedIn,
            post(applicant::apply::start),
        )
        .add(
            Method::GET,
            "/account/cases",
            SignedIn,
            get(applicant::cases::list_my_cases),
        )
        .add(
            Method::GET,
            "/account/cases/{case}",
            SignedIn,
            get(applicant::cases::show_my_case),
        )
        .add(
            Method::GET,
            "/account/cases/{case}/edit",
            SignedIn,
            get(applicant::apply::edit),
        )
        .add(
            Method::POST,
            "/account/cases/{case}/edit",
            SignedIn,
            post(applicant::apply::save),
        )
        .add(
            Method::POST,
            "/account/cases/{case}/autosave",
            SignedIn,
            post(applicant::apply::autosave),
        )
        .add(
            Method::POST,
            "/account/cases/{case}/discard",
            SignedIn,
            post(applicant::apply::discard),
        )
        .add(
            Method::POST,
            "/account/cases/{case}/messages",
            SignedIn,
            post(applicant::cases::send_message),
        )
        .add(
            Method::GET,
            "/account/cases/{case}/decision.pdf",
            SignedIn,
            get(applicant::decision::download_decision),
        )
        .add(
            Method::POST,
            "/account/cases/{case}/withdraw",
            SignedIn,
            post(applicant::cases::withdraw),
        )
        .add(
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
        .add(
            Method::POST,
            "/account/documents/{id}/delete",
            Access::SignedIn,
            post(my_documents::delete),
        )
}

/// Today on the calendar of `case`'s mission, against which the dates of its form are judged
/// (a trip today in Los Angeles, a child born yesterday in Tokyo, whatever the day is in UTC).
pub async fn case_today(
    state: &crate::state::AppState,
    case: &safir_store::consular::cases::Case,
) -> Result<chrono::NaiveDate, crate::error::AppError> {
    let mission = safir_store::missions::find(&state.db, &case.mission_id)
        .await
        .map_err(crate::error::AppError::internal)?;
    Ok(appointments::service::mission_today(&mission))
}
