//! A signed-in user's own documents: the list with each one's virus-check state, and the
//! upload form (the same multipart helper the case forms use).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use fluent_bundle::FluentArgs;
use safir_domain::ValidationError;
use safir_domain::consular::case::CaseState;
use safir_domain::consular::documents::{DetectedType, DocumentKind, ScanStatus};
use safir_store::consular::cases::Case;
use safir_store::consular::documents::{self, Deleted, Document, NewUpload};

use super::upload::{MultipartForm, UploadLimits, read_multipart};
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::error::{AppError, FieldError, FieldErrors, OwnErrorPage};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

struct KindOption {
    value: &'static str,
    label: String,
    selected: bool,
}

struct DocumentView {
    href: String,
    /// Found infected: served to nobody, so listed without a link.
    withheld: bool,
    /// Where its "Delete" button posts, for a document filed with no application.
    delete: Option<String>,
    kind: String,
    name: String,
    media_type: String,
    size: String,
    created: String,
    scan: String,
    scan_class: &'static str,
}

#[derive(Template)]
#[template(path = "consular/my_documents.html")]
struct MyDocumentsPage {
    page: Page,
    csrf_token: String,
    error_summary: Option<String>,
    kinds: Vec<KindOption>,
    kind_error: Option<String>,
    file_error: Option<String>,
    scanner_on: bool,
    documents: Vec<DocumentView>,
    /// The application the upload is for, kept when the page comes back with an error.
    case_id: String,
}

/// A file's size in the reader's language: «120 كيلوبايت», "1.5 MB".
fn size_label(page: &Page, bytes: i64) -> String {
    let mut args = FluentArgs::new();
    if bytes >= 1024 * 1024 {
        let mb = format!("{:.1}", bytes as f64 / (1024.0 * 1024.0));
        args.set("size", mb);
        page.t_args("documents-size-mb", &args)
    } else {
        args.set("size", (bytes + 1023) / 1024);
        page.t_args("documents-size-kb", &args)
    }
}

/// A file's type in the reader's language: «صورة JPEG», "PDF document".
fn type_label(page: &Page, media_type: DetectedType) -> String {
    let (key, format) = match media_type {
        DetectedType::Jpeg => ("documents-type-image", "JPEG"),
        DetectedType::Png => ("documents-type-image", "PNG"),
        DetectedType::Webp => ("documents-type-image", "WebP"),
        DetectedType::Gif => ("documents-type-image", "GIF"),
        DetectedType::Heic => ("documents-type-image", "HEIC"),
        DetectedType::Pdf => ("documents-type-document", "PDF"),
    };
    let mut args = FluentArgs::new();
    args.set("format", format);
    page.t_args(key, &args)
}

fn scan_view(status: ScanStatus) -> (&'static str, &'static str) {
    match status {
        ScanStatus::NotScanned => ("documents-scan-not-scanned", "scan scan-none"),
        ScanStatus::Clean => ("documents-scan-clean", "scan scan-clean"),
        ScanStatus::Infected => ("documents-scan-infected", "scan scan-bad"),
        ScanStatus::Failed => ("documents-scan-failed", "scan scan-bad"),
    }
}

fn document_view(page: &Page, d: &Document) -> DocumentView {
    let (scan_key, scan_class) = scan_view(d.scan_status);
    DocumentView {
        href: format!("/documents/{}", d.id),
        withheld: d.scan_status == ScanStatus::Infected,
        delete: d
            .case_id
            .is_none()
            .then(|| format!("/account/documents/{}/delete", d.id)),
        kind: page.t(&format!(
            "documents-kind-{}",
            d.kind.as_str().replace('_', "-")
        )),
        name: d.original_name.clone(),
        media_type: type_label(page, d.media_type),
        size: size_label(page, d.size_bytes),
        created: d.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        scan: page.t(scan_key),
        scan_class,
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    me: &CurrentUser,
    kind: &str,
    case_id: &str,
    errors: &FieldErrors,
    flash: Option<(FlashKind, String)>,
) -> Result<Html<String>, AppError> {
    let mine = documents::list_for_owner(&state.db, me.id())
        .await
        .map_err(AppError::internal)?;
    let mut page = state.page(lang, uri, "documents-title", viewer);
    if let Some((k, message)) = flash {
        page = page.with_flash(k, message);
    }
    let kinds = DocumentKind::ALL
        .iter()
        .filter(|k| k.filed_by_applicant())
        .map(|k| KindOption {
            value: k.as_str(),
            label: page.t(&format!("documents-kind-{}", k.as_str().replace('_', "-"))),
            selected: k.as_str() == kind,
        })
        .collect();
    let error_of = |field: &str| errors.for_field(field).map(|e| e.message(lang));
    render(&MyDocumentsPage {
        csrf_token: state.csrf_token(viewer),
        error_summary: (!errors.is_empty())
            .then(|| page.t_count("form-errors-summary", errors.len() as i64)),
        kinds,
        kind_error: error_of("kind"),
        file_error: error_of("file"),
        scanner_on: state.config.scan.is_enabled(),
        documents: mine.iter().map(|d| document_view(&page, d)).collect(),
        case_id: case_id.to_owned(),
        page,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ShowParams {
    #[serde(default)]
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Query(params): Query<ShowParams>,
) -> Result<Html<String>, AppError> {
    let flash = match params.done.as_str() {
        "uploaded" => Some("documents-uploaded"),
        "deleted" => Some("documents-deleted"),
        _ => None,
    }
    .map(|key| (FlashKind::Success, crate::i18n::t(lang, key)));
    page(
        &state,
        lang,
        &uri,
        &viewer,
        &me,
        "",
        "",
        &FieldErrors::new(),
        flash,
    )
    .await
}

/// The field error for a refused upload, with the kind's size limit where it helps, and the
/// limit the refusal names (an account's quota).
fn upload_error(refusal: &ValidationError, kind: DocumentKind) -> FieldError {
    let mut error = FieldError::new("file", refusal.code);
    if refusal.code == "document_too_large" {
        error = error.with_arg("max", kind.max_bytes() / (1024 * 1024));
    }
    for (name, value) in &refusal.counts {
        error = error.with_arg(*name, value);
    }
    error
}

/// Whether documents can still be filed under `case`: from its draft until the mission
/// decides (the pages and the API alike).
pub(crate) fn takes_documents(case: &Case) -> bool {
    case.state().is_ok_and(CaseState::takes_documents)
}

/// Checks a form's `kind` and `file` and stores the upload as `me`'s, filed under `case` if
/// any: the stored document, or `None` with every refusal added to `errors` and nothing
/// stored (the pages and the API alike).
pub(crate) async fn store_from_form(
    state: &AppState,
    me: &CurrentUser,
    case: Option<&Case>,
    form: &mut MultipartForm,
    errors: &mut FieldErrors,
) -> Result<Option<Document>, AppError> {
    let kind = match DocumentKind::parse_for_applicant(form.text("kind")) {
        Ok(k) => Some(k),
        Err(e) => {
            errors.push("kind", e.code);
            None
        }
    };
    let file = form.take_file("file");
    if file.is_none() && errors.for_field("file").is_none() {
        errors.push("file", "required");
    }
    let (Some(kind), Some(file), true) = (kind, file, errors.is_empty()) else {
        return Ok(None);
    };
    let new = NewUpload {
        owner_id: me.user.user_id(),
        mission_id: case.map(|c| safir_domain::ids::MissionId::from_trusted(c.mission_id.clone())),
        case_id: case.map(|c| c.id.clone()),
        kind,
        original_name: file.file_name,
        bytes: file.bytes,
    };
    // Everything an account uploads counts towards its quota, whether filed under one of its
    // applications or not (the pages and the API alike).
    let stored = documents::store_upload_within(
        &state.db,
        &state.config.uploads,
        new,
        &state.config.scan,
        &state.config.consular.document_quota,
    )
    .await;
    match stored {
        Ok(doc) => {
            if let Some(case) = case.filter(|c| c.state == "draft") {
                keep_draft(state, case).await?;
            }
            Ok(Some(doc))
        }
        Err(e) => match e.user_error() {
            Some(v) => {
                errors.add(upload_error(&v, kind));
                Ok(None)
            }
            None => Err(AppError::internal(e)),
        },
    }
}

/// A document filed under a draft keeps the draft as saving its form does: one that only
/// received documents was purged at its expiry, and sent later without them. Only once the
/// document is accepted: a refused upload leaves the draft's expiry as it was. A draft gone
/// since it was read (discarded, or purged while the upload was checked) is not found: the
/// document went back to its owner's own list, and the draft's form sent again from a page
/// still open takes it back.
async fn keep_draft(state: &AppState, case: &Case) -> Result<(), AppError> {
    let until = safir_store::now() + state.config.consular.draft_ttl;
    if safir_store::consular::cases::extend_draft(&state.db, &case.id, until)
        .await
        .map_err(AppError::internal)?
    {
        return Ok(());
    }
    // No longer a draft since it was read: submitted, it still takes documents.
    match safir_store::consular::cases::find(&state.db, &case.id).await {
        Ok(now) if takes_documents(&now) => Ok(()),
        Ok(_) => Err(AppError::Conflict),
        Err(safir_store::StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let mut form = read_multipart(multipart, &UploadLimits::documents()).await?;
    let mut errors = std::mem::take(&mut form.errors);
    let kind_text = form.text("kind").to_owned();
    // An upload for one of the user's applications is filed under it (and its mission), so
    // the officers working it can open it.
    let case_text = form.text("case").trim().to_owned();
    let case = if case_text.is_empty() {
        None
    } else {
        let case = super::applicant::own_case(&state, &me, &case_text).await?;
        if !takes_documents(&case) {
            return Err(AppError::Conflict);
        }
        Some(case)
    };
    if store_from_form(&state, &me, case.as_ref(), &mut form, &mut errors)
        .await?
        .is_some()
    {
        let to = match &case {
            Some(c) if c.state == "draft" => format!("/account/cases/{}/edit", c.id),
            Some(c) => format!("/account/cases/{}?notice=uploaded", c.id),
            None => "/account/documents?done=uploaded".to_owned(),
        };
        return Ok(Redirect::to(&to).into_response());
    }
    // Sent from a draft's page: the draft again, the error beside its documents box.
    if let Some(case) = case.as_ref().filter(|c| c.state == "draft") {
        let html = super::applicant::apply::upload_refused_page(
            &state,
            (lang, &uri, &viewer),
            case,
            &kind_text,
            &errors,
        )
        .await?;
        let mut response = (StatusCode::UNPROCESSABLE_ENTITY, html).into_response();
        response.extensions_mut().insert(OwnErrorPage);
        return Ok(response);
    }
    // Sent from a case's page: that page again, the error beside its upload box.
    if let Some(case) = case {
        let at = state.page(lang, &uri, "my-cases-title", &viewer);
        let typed = super::applicant::cases::CaseTyped {
            upload_kind: &kind_text,
            ..Default::default()
        };
        let html =
            super::applicant::cases::case_page(&state, &viewer, &me, &case.id, at, &errors, &typed)
                .await?;
        let mut response = (StatusCode::UNPROCESSABLE_ENTITY, html).into_response();
        response.extensions_mut().insert(OwnErrorPage);
        return Ok(response);
    }
    let html = page(
        &state, lang, &uri, &viewer, &me, &kind_text, &case_text, &errors, None,
    )
    .await?;
    let mut response = (StatusCode::UNPROCESSABLE_ENTITY, html).into_response();
    response.extensions_mut().insert(OwnErrorPage);
    Ok(response)
}

/// Deletes one of the user's documents that no application holds. A document already gone
/// (a second click) leads to the same page; someone else's, or one an application holds, is
/// "not found".
pub async fn delete(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    match documents::delete_unfiled(&state.db, &state.config.uploads, me.id(), &id)
        .await
        .map_err(AppError::internal)?
    {
        Deleted::Yes | Deleted::Gone => {
            Ok(Redirect::to("/account/documents?done=deleted").into_response())
        }
        Deleted::Filed | Deleted::NotTheirs => Err(AppError::NotFound),
    }
}
