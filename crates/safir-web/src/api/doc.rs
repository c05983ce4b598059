//! The OpenAPI 3.1 document, generated from the handlers' annotations, and the schema of
//! the problem+json errors every endpoint can answer with.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use super::consular::{
    actions, applicant_messages, assign, bulk, catalogue, create, documents, evisa, form, my_cases,
    notes, officer_case, officer_messages, priority, queue, services, sla, submit, travel_document,
};
use super::{appointments, audit, jobs, me, missions};

/// An error, as RFC 9457 `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem: `/problems/<code>`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation")]
    pub kind: String,
    /// Short summary in the client's language.
    pub title: String,
    /// The HTTP status.
    #[schema(example = 422)]
    pub status: u16,
    /// What happened and what to do, in the client's language.
    pub detail: String,
    /// Stable snake_case code for programs to branch on.
    #[schema(example = "validation")]
    pub code: String,
    /// The request path.
    pub instance: String,
    /// One entry per failing field (empty when the problem is not about fields).
    pub errors: Vec<ProblemFieldError>,
    /// Reference of an internal error, to quote to support.
    pub reference: Option<String>,
}

/// One field's failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemFieldError {
    /// The field: a body member (`display_name`), a query parameter, or `body` for the
    /// body as a whole.
    #[schema(example = "display_name")]
    pub field: String,
    /// Stable snake_case code (`required`, `too_long`, `unknown_field`, …).
    #[schema(example = "too_long")]
    pub code: String,
    /// The message in the client's language.
    pub message: String,
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("safir_…")
                    .description(Some(
                        "A personal access token created in account settings. Scopes: `read` \
                         and `write` (the account, administration), `cases:read` and \
                         `cases:write` (the owner's consular applications), `consular:read` \
                         and `consular:write` (case queues of the missions where the owner \
                         works consular cases).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The browser session (the site's own pages): reads, and changes that carry the \
                 session's CSRF token in `X-CSRF-Token`.",
            ))),
        );
    }
}

/// Every operation that reads a JSON body lists the answers any such body can get, so that
/// no route's document forgets them: malformed JSON (`400`), a body over the size limit
/// (`413`), another content type (`415`). A change that takes no body lists `413` too: the
/// size limit applies to every request before its route reads anything. Every change lists
/// `429`: changes are counted per account (`security.api_writes_per_minute`); so do the reads
/// of staff routes, as served ([`served`]).
struct BodyAnswers;

impl Modify for BodyAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let answers = [
            ("400", "The body is not valid JSON"),
            ("413", "The body is larger than the server takes"),
            ("415", "The body is not `application/json`"),
        ];
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let takes_json = operation
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/json"));
                let applies: &[(&str, &str)] = if takes_json {
                    &answers
                } else if operation.request_body.is_none() {
                    &answers[1..2]
                } else {
                    &[]
                };
                let limited = [(
                    "429",
                    "Too many changes from this account (`rate_limited`); `Retry-After` says when to try again",
                )];
                for &(status, description) in applies.iter().chain(&limited) {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem_answer(description));
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Safir API",
        description = "The JSON API of Safir, the ministry's digital diplomacy platform. \
                       Errors are `application/problem+json` (RFC 9457) with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(
        me::get_me,
        me::update_me,
        me::get_my_data,
        missions::list_missions,
        missions::get_mission,
        missions::list_mission_staff,
        appointments::list_slots,
        appointments::book_appointment,
        appointments::cancel_appointment,
        appointments::reschedule_appointment,
        appointments::list_my_appointments,
        super::schedule::list_mission_appointments,
        super::schedule::get_mission_schedule,
        super::schedule::add_schedule_rule,
        super::schedule::remove_schedule_rule,
        super::schedule::remove_schedule_closure,
        super::schedule::add_schedule_closure,
        audit::list_audit_records,
        jobs::get_jobs_overview,
        jobs::retry_job,
        jobs::retry_dead_jobs,
        crate::consular::advice::api::list_travel_advice,
        crate::consular::advice::api::get_travel_advice,
        crate::consular::advice::api::publish_travel_advice,
        crate::consular::evisa::api::verify_evisa,
        services::list_services,
        catalogue::list_mission_services,
        catalogue::create_mission_service,
        catalogue::replace_mission_service,
        my_cases::list_my_cases,
        create::create_case,
        my_cases::get_my_case,
        my_cases::get_my_case_decision,
        form::save_case_form,
        submit::submit_case,
        submit::withdraw_case,
        submit::discard_draft,
        applicant_messages::post_case_message,
        documents::upload_case_document,
        documents::get_case_document,
        queue::list_mission_cases,
        sla::get_mission_sla,
        officer_case::get_mission_case,
        documents::get_mission_case_document,
        documents::list_my_documents,
        documents::upload_my_document,
        documents::get_my_document,
        documents::delete_my_document,
        actions::act_on_case,
        assign::assign_case,
        bulk::bulk_case_action,
        priority::set_case_priority,
        travel_document::open_travel_document,
        notes::add_case_note,
        officer_messages::send_case_message,
        evisa::revoke_evisa,
        evisa::get_my_evisa_pdf,
        evisa::get_mission_evisa_pdf,
        openapi_json,
    ),
    components(schemas(Problem, ProblemFieldError)),
    modifiers(&SecuritySchemes, &BodyAnswers),
    tags(
        (name = "account", description = "The caller's own account"),
        (name = "missions", description = "The ministry and its missions"),
        (name = "appointments", description = "Consular appointments: free slots, booking, cancelling"),
        (name = "admin", description = "Ministry administration"),
        (name = "travel-advice", description = "The ministry's travel advice per country"),
        (name = "evisas", description = "Checking e-visas"),
        (name = "consular", description = "Consular services: the catalogue, applicants' own cases, and the missions' case queues"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// An answer of `description` whose body is a `Problem`.
fn problem_answer(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// The document, with the version of this build.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// [`document`] as served: the reads of `staff_reads` (the staff routes, counted per account)
/// list their `429`.
pub fn served(staff_reads: &[&str]) -> utoipa::openapi::OpenApi {
    let mut doc = document();
    for (path, item) in doc.paths.paths.iter_mut() {
        if let Some(read) = &mut item.get
            && staff_reads.contains(&path.as_str())
        {
            read.responses
                .responses
                .entry("429".to_owned())
                .or_insert_with(|| {
                    problem_answer(
                        "Too many reads of staff routes from this account (`rate_limited`); `Retry-After` says when to try again",
                    )
                });
        }
    }
    doc
}

/// This OpenAPI 3.1 document.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    operation_id = "get_openapi_document",
    security(()),
    responses(
        (status = 200, description = "The OpenAPI document", content_type = "application/json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn openapi_json(
    State(state): State<crate::state::AppState>,
    _: super::input::NoQuery,
) -> Json<utoipa::openapi::OpenApi> {
    let staff_reads = state.staff_api_reads.get().map_or(&[][..], Vec::as_slice);
    Json(served(staff_reads))
}
