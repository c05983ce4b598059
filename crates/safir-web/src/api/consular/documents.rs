//! Documents filed under a case, through the API, as on the case pages: the applicant uploads
//! them (`POST /api/v1/cases/{id}/documents`, multipart) and downloads their own
//! (`GET /api/v1/cases/{id}/documents/{doc}`); the mission's officers download them
//! (`GET /api/v1/missions/{mission}/cases/{id}/documents/{doc}`), every read audited. Both
//! sides find the case's documents listed in the case (`documents`). An applicant's own list,
//! documents not filed under a case, is `/api/v1/me/documents`, as the "My documents" page.
//! The bytes are checked, sniffed, re-encoded and scanned exactly as a web upload is.

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use safir_domain::ids::DocumentId;
use safir_store::StoreError;
use safir_store::consular::cases::Case;
use safir_store::consular::documents::{self, Deleted, Document};
use serde::Serialize;
use utoipa::ToSchema;

use super::{conflict, mission_case, own_case};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::{NoBody, NoQuery};
use crate::auth::{MissionParam, SignedIn};
use crate::consular::documents::{file_response, read_record};
use crate::consular::my_documents::{store_from_form, takes_documents};
use crate::consular::upload::{MultipartForm, UploadLimits, read_multipart};
use crate::error::{AppError, ErrorInfo};
use crate::state::AppState;

/// A document filed under a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentResponse {
    pub id: String,
    /// `photo`, `passport_scan`, `supporting`, `invitation`, `decision` or `other`.
    #[schema(example = "photo")]
    pub kind: String,
    /// Sniffed from the bytes, never taken from the file's name or the request.
    #[schema(example = "image/jpeg")]
    pub media_type: String,
    /// Of the stored file (images are re-encoded without their metadata).
    pub size_bytes: i64,
    /// Of an image, in pixels.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The name the file was sent with, cleaned, for display only.
    #[schema(example = "photo.jpg")]
    pub file_name: String,
    /// `not_scanned` (no scanner is configured), `clean` or `failed` (the scanner gave no
    /// answer); infected files are refused and never stored.
    #[schema(example = "not_scanned")]
    pub scan_status: String,
    pub uploaded_at: DateTime<Utc>,
    /// The case it is filed under; `null` for a document of the caller's own list.
    pub case_id: Option<String>,
    /// Where to download it, with the same credentials.
    pub url: String,
}

/// The caller's documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentListResponse {
    /// Newest first.
    pub items: Vec<DocumentResponse>,
}

impl DocumentResponse {
    fn new(doc: &Document, url: String) -> Self {
        DocumentResponse {
            id: doc.id.to_string(),
            kind: doc.kind.as_str().to_owned(),
            media_type: doc.media_type.media_type().to_owned(),
            size_bytes: doc.size_bytes,
            width: doc.width,
            height: doc.height,
            file_name: doc.original_name.clone(),
            scan_status: doc.scan_status.as_str().to_owned(),
            uploaded_at: doc.created_at,
            case_id: doc.case_id.clone(),
            url,
        }
    }
}

/// The case's documents for its applicant (`mission_code` `None`) or for the officers of its
/// mission, each with the address it downloads from on that side.
pub async fn case_documents(
    state: &AppState,
    case: &Case,
    mission_code: Option<&str>,
) -> Result<Vec<DocumentResponse>, AppError> {
    let docs = documents::list_for_case(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    Ok(docs
        .iter()
        .map(|d| {
            let url = match mission_code {
                None => format!("/api/v1/cases/{}/documents/{}", case.id, d.id),
                Some(code) => format!(
                    "/api/v1/missions/{code}/cases/{}/documents/{}",
                    case.id, d.id
                ),
            };
            DocumentResponse::new(d, url)
        })
        .collect())
}

/// Uploads a document and files it under the case.
///
/// A `multipart/form-data` body with `kind` (`photo`, `passport_scan`, `supporting`,
/// `invitation` or `other`) and `file`. The type is sniffed from the bytes (JPEG, PNG or
/// PDF); each kind has its size limit and a photo its pixel dimensions; images are
/// re-encoded without their metadata; a configured virus scanner checks the file first.
/// Documents can be filed while the case is a draft, submitted, in review or waiting for
/// information.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/documents",
    tag = "consular",
    operation_id = "upload_case_document",
    security(("bearer" = ["cases:write"])),
    params(("id" = String, Path, description = "The case's id")),
    request_body(content_type = "multipart/form-data", description = "`kind` and `file`"),
    responses(
        (status = 201, description = "The document, filed under the case", body = DocumentResponse),
        (status = 400, description = "The multipart body cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`case_documents_closed`: the case is decided, withdrawn or closed", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `multipart/form-data`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`kind` or `file` refused: missing, unknown kind, unsupported type, too large (also a body over the server's 32 MiB: `document_too_large` on the field being read when it was cut, `file` if between fields), wrong dimensions, infected; each field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_case_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentResponse>), ErrorInfo> {
    let case = own_case(&state, &user, &id).await?;
    if !takes_documents(&case) {
        return Err(conflict("case_documents_closed"));
    }
    let (mut form, mut errors) = upload_form(multipart).await?;
    match store_from_form(&state, &user, Some(&case), &mut form, &mut errors).await? {
        Some(doc) => {
            let url = format!("/api/v1/cases/{}/documents/{}", case.id, doc.id);
            Ok((StatusCode::CREATED, Json(DocumentResponse::new(&doc, url))))
        }
        None => Err(AppError::Validation(errors).into()),
    }
}

/// Reads an upload's `kind` and `file`; a typo or a second value is never silently ignored:
/// each part once, no other part.
async fn upload_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(MultipartForm, crate::error::FieldErrors), AppError> {
    let multipart = multipart.map_err(|_| AppError::UnsupportedMediaType)?;
    let mut form = read_multipart(multipart, &UploadLimits::documents()).await?;
    let mut errors = std::mem::take(&mut form.errors);
    for (name, count) in parts(&form) {
        if !matches!(name.as_str(), "kind" | "file") {
            errors.push(&name, "unknown_field");
        } else if count > 1 {
            errors.push(&name, "sent_twice");
        }
    }
    Ok((form, errors))
}

/// Each part's name with the number of times it was sent, text fields and files alike.
fn parts(form: &MultipartForm) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let names = form
        .fields
        .iter()
        .map(|(k, _)| k)
        .chain(form.files.iter().map(|f| &f.field));
    for name in names {
        match counts.iter_mut().find(|(n, _)| n == name) {
            Some((_, c)) => *c += 1,
            None => counts.push((name.clone(), 1)),
        }
    }
    counts
}

/// A live document filed under `case`; any other id answers 404.
async fn document_of(state: &AppState, case: &Case, doc: &str) -> Result<Document, AppError> {
    live_document(state, doc, |d| {
        d.case_id.as_deref() == Some(case.id.as_str())
    })
    .await
}

/// The live document `doc` if `reachable` says the caller may have it; any other id, or a
/// document they may not have, answers 404 alike.
async fn live_document(
    state: &AppState,
    doc: &str,
    reachable: impl Fn(&Document) -> bool,
) -> Result<Document, AppError> {
    let id = DocumentId::parse(doc).ok_or(AppError::NotFound)?;
    match documents::find(&state.db, id.as_str()).await {
        Ok(d) if reachable(&d) => Ok(d),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Downloads one of the case's documents.
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/documents/{doc}",
    tag = "consular",
    operation_id = "get_case_document",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    params(
        ("id" = String, Path, description = "The case's id"),
        ("doc" = String, Path, description = "The document's id"),
    ),
    responses(
        (status = 200, description = "The file, with its sniffed type", content(("image/jpeg"), ("image/png"), ("application/pdf"))),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No case of the caller has this id, or no document of the case has that one", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_case_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path((id, doc)): Path<(String, String)>,
    _: NoQuery,
) -> Result<Response, AppError> {
    let case = own_case(&state, &user, &id).await?;
    let doc = document_of(&state, &case, &doc).await?;
    file_response(&state, &doc).await
}

/// Downloads a document of one of the mission's cases.
///
/// This is personal data: each call is recorded in the audit trail (`document.read`).
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/cases/{id}/documents/{doc}",
    tag = "consular",
    operation_id = "get_mission_case_document",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(
        ("mission" = String, Path, description = "Mission code, e.g. `PAR`"),
        ("id" = String, Path, description = "The case's id"),
        ("doc" = String, Path, description = "The document's id"),
    ),
    responses(
        (status = 200, description = "The file, with its sniffed type", content(("image/jpeg"), ("image/png"), ("application/pdf"))),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No submitted case of this mission has this id, or no document of the case has that one", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_mission_case_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(ip): ClientIp,
    Path((_, id, doc)): Path<(String, String, String)>,
    _: NoQuery,
) -> Result<Response, AppError> {
    let case = mission_case(&state, &mission, &id).await?;
    let doc = document_of(&state, &case, &doc).await?;
    state
        .audit
        .record(read_record(&user, &doc, ip, "api"))
        .await?;
    file_response(&state, &doc).await
}

/// Where the owner downloads a document through the API.
fn own_url(doc: &Document) -> String {
    format!("/api/v1/me/documents/{}", doc.id)
}

/// The caller's documents: those of their own list and those filed under their applications,
/// newest first.
#[utoipa::path(
    get,
    path = "/api/v1/me/documents",
    tag = "consular",
    operation_id = "list_my_documents",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The caller's documents", body = DocumentListResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_my_documents(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    _: NoQuery,
) -> Result<Json<DocumentListResponse>, AppError> {
    let mine = documents::list_for_owner(&state.db, user.id())
        .await
        .map_err(AppError::internal)?;
    let items = mine
        .iter()
        .map(|d| DocumentResponse::new(d, own_url(d)))
        .collect();
    Ok(Json(DocumentListResponse { items }))
}

/// Uploads a document to the caller's own list, as the "My documents" page does.
///
/// A `multipart/form-data` body with `kind` (`photo`, `passport_scan`, `supporting`,
/// `invitation` or `other`) and `file`, checked, re-encoded and scanned as an upload under a
/// case is; to file it under an application, use `POST /api/v1/cases/{id}/documents`.
#[utoipa::path(
    post,
    path = "/api/v1/me/documents",
    tag = "consular",
    operation_id = "upload_my_document",
    security(("bearer" = ["cases:write"])),
    request_body(content_type = "multipart/form-data", description = "`kind` and `file`"),
    responses(
        (status = 201, description = "The document, in the caller's own list", body = DocumentResponse),
        (status = 400, description = "The multipart body cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not `multipart/form-data`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`kind` or `file` refused: missing, unknown kind, unsupported type, too large (also a body over the server's 32 MiB: `document_too_large` on the field being read when it was cut, `file` if between fields), wrong dimensions, infected; each field is named", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn upload_my_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentResponse>), ErrorInfo> {
    let (mut form, mut errors) = upload_form(multipart).await?;
    match store_from_form(&state, &user, None, &mut form, &mut errors).await? {
        Some(doc) => Ok((
            StatusCode::CREATED,
            Json(DocumentResponse::new(&doc, own_url(&doc))),
        )),
        None => Err(AppError::Validation(errors).into()),
    }
}

/// Deletes one of the caller's documents that no application holds, with its file when no
/// other document uses the same bytes. Deleting a document already gone succeeds again.
#[utoipa::path(
    delete,
    path = "/api/v1/me/documents/{doc}",
    tag = "consular",
    operation_id = "delete_my_document",
    security(("bearer" = ["cases:write"]), ("session_cookie" = [])),
    params(("doc" = String, Path, description = "The document's id")),
    responses(
        (status = 204, description = "Deleted, or already gone"),
        (status = 400, description = "A body that is not valid JSON (the route takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:write`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The document is someone else's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The document is filed with one of the caller's applications, which keeps it (`document_filed`)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body that is not `application/json` (the route takes none)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter or body member the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_my_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(doc): Path<String>,
    _: NoQuery,
    _: NoBody,
) -> Result<StatusCode, ErrorInfo> {
    match documents::delete_unfiled(&state.db, &state.config.uploads, user.id(), &doc)
        .await
        .map_err(AppError::internal)?
    {
        Deleted::Yes | Deleted::Gone => Ok(StatusCode::NO_CONTENT),
        Deleted::Filed => Err(conflict("document_filed")),
        Deleted::NotTheirs => Err(AppError::NotFound.into()),
    }
}

/// Downloads one of the caller's documents.
#[utoipa::path(
    get,
    path = "/api/v1/me/documents/{doc}",
    tag = "consular",
    operation_id = "get_my_document",
    security(("bearer" = ["cases:read"]), ("session_cookie" = [])),
    params(("doc" = String, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The file, with its sniffed type", content(("image/jpeg"), ("image/png"), ("application/pdf"))),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `cases:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No document of the caller has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter the route does not take (`unknown_field`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_my_document(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(doc): Path<String>,
    _: NoQuery,
) -> Result<Response, AppError> {
    let doc = live_document(&state, &doc, |d| d.owner_id.as_str() == user.id()).await?;
    file_response(&state, &doc).await
}
