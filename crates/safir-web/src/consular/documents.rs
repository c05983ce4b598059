//! Downloading a stored document: to its owner, or to staff who may read personal data of
//! the document's mission (every such read audited), unless it is filed under a draft or
//! under no mission. Anyone else is told it does not exist.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use safir_domain::audit::actions;
use safir_domain::consular::case::CaseState;
use safir_domain::consular::documents::ScanStatus;
use safir_domain::ids::DocumentId;
use safir_domain::roles::{Permission, Target};
use safir_store::StoreError;
use safir_store::audit::NewAuditRecord;
use safir_store::consular::cases;
use safir_store::consular::documents::{self, Document};

use crate::auth::{CurrentUser, SignedIn};
use crate::error::AppError;
use crate::security::client_ip;
use crate::state::AppState;

/// Whether `me` may read `doc`, and whether that read must be audited (staff reading
/// someone else's document).
fn may_read(me: &CurrentUser, doc: &Document) -> Option<bool> {
    if doc.owner_id.as_str() == me.id() {
        return Some(false);
    }
    // A document filed with no mission (the applicant's own documents, or those a discarded
    // draft gave back) is its owner's alone: no mission was given it, so no staff may read it.
    let mission = doc.mission_id.as_ref()?;
    me.grants
        .can(Permission::ViewPersonalData, Target::Mission(mission))
        .then_some(true)
}

/// RFC 8187 `attr-char`s pass; everything else is percent-encoded as UTF-8.
fn ext_value(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Content-Disposition` naming the file after the user's name for it but with the
/// extension of its real type; an ASCII fallback for old clients. Images open in the
/// browser (they were re-encoded); PDFs are downloaded.
pub fn content_disposition(doc: &Document) -> String {
    let ext = doc.media_type.extension();
    let stem = match doc.original_name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem,
        _ => doc.original_name.as_str(),
    };
    let ascii: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .collect();
    let ascii = match ascii.trim() {
        "" => "document",
        s => s,
    };
    let disposition = if doc.media_type.is_raster() {
        "inline"
    } else {
        "attachment"
    };
    format!(
        "{disposition}; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}",
        ext_value(stem)
    )
}

pub async fn download(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = DocumentId::parse(&id).ok_or(AppError::NotFound)?;
    let doc = match documents::find(&state.db, id.as_str()).await {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let audited = may_read(&me, &doc).ok_or(AppError::NotFound)?;
    // A draft is the applicant's until it is submitted: staff see neither it nor what is
    // filed under it, as for a case of another mission.
    if audited && let Some(case_id) = &doc.case_id {
        match cases::find(&state.db, case_id).await {
            Ok(case) if case.state == CaseState::Draft.as_str() => return Err(AppError::NotFound),
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => return Err(AppError::internal(e)),
        }
    }
    if audited {
        let ip = client_ip(
            &headers,
            peer.map(|Extension(ConnectInfo(addr))| addr),
            state.config.trusted_proxy,
        );
        let record = read_record(&me, &doc, ip.map(|a| a.to_string()), "web");
        state.audit.record(record).await?;
    }
    file_response(&state, &doc).await
}

/// The audit record of a staff member's read of someone else's document, `via` the web
/// pages or the API.
pub fn read_record(
    me: &CurrentUser,
    doc: &Document,
    client_ip: Option<String>,
    via: &str,
) -> NewAuditRecord {
    NewAuditRecord {
        actor_id: Some(me.user.user_id()),
        actor_label: me.user.email.clone(),
        action: actions::DOCUMENT_READ,
        target_type: "document",
        target_id: Some(doc.id.to_string()),
        mission_id: doc.mission_id.clone(),
        client_ip,
        summary: serde_json::json!({
            "kind": doc.kind.as_str(),
            "case_id": doc.case_id,
            "owner_id": doc.owner_id.as_str(),
            "via": via,
        }),
    }
}

/// The document's bytes with its sniffed type, its name and headers that keep it out of
/// caches and stop a browser from guessing another type. A document found infected (its
/// bytes, sent again, or scanned again) is not served to anyone: "not found", as on every
/// route that downloads one.
pub async fn file_response(state: &AppState, doc: &Document) -> Result<Response, AppError> {
    if doc.scan_status == ScanStatus::Infected {
        tracing::warn!(document = %doc.id, "a document found infected was asked for");
        return Err(AppError::NotFound);
    }
    let bytes = documents::read_bytes(&state.config.uploads, doc)
        .await
        .map_err(AppError::internal)?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(doc.media_type.media_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&content_disposition(doc)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
