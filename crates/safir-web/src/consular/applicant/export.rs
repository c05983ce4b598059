//! The applicant's consular data for the "download all my data" file: every case with what
//! they typed, its history, the messages exchanged and its documents (officers' internal
//! notes are the mission's working papers and are not part of it); their uploads, bookings
//! and e-visas.

use safir_store::Db;
use safir_store::consular::documents::{self, Document};
use safir_store::consular::{appointments, cases, evisas};
use serde_json::{Value, json};

use crate::error::AppError;

pub async fn cases_of(db: &Db, applicant_id: &str) -> Result<Value, AppError> {
    let mut out = Vec::new();
    for c in cases::list_for_applicant(db, applicant_id)
        .await
        .map_err(AppError::internal)?
    {
        let events = cases::events(db, &c.id).await.map_err(AppError::internal)?;
        let messages = cases::list_messages(db, &c.id, false)
            .await
            .map_err(AppError::internal)?;
        // What the case page lists: the applicant's uploads and the mission's decisions.
        let documents = documents::list_for_case(db, &c.id)
            .await
            .map_err(AppError::internal)?;
        out.push(json!({
            "id": c.id,
            "reference": c.reference,
            "kind": c.kind,
            "state": c.state,
            "mission_id": c.mission_id,
            "service_id": c.service_id,
            "form": c.form(),
            "decision_reason": c.decision_reason,
            "created_at": c.created_at,
            "submitted_at": c.submitted_at,
            "closed_at": c.closed_at,
            "history": events.iter().map(|e| json!({
                "at": e.at, "action": e.action, "from": e.from_state, "to": e.to_state, "reason": e.reason,
            })).collect::<Vec<_>>(),
            "messages": messages.iter().map(|m| json!({
                "at": m.created_at, "from_mission": m.from_staff, "body": m.body,
            })).collect::<Vec<_>>(),
            "documents": documents.iter().map(document).collect::<Vec<_>>(),
        }));
    }
    Ok(Value::Array(out))
}

/// A document's description (its content is downloaded from its page, `/documents/{id}`).
pub fn document(d: &Document) -> Value {
    json!({
        "id": d.id.to_string(),
        "kind": d.kind.as_str(),
        "name": d.original_name,
        "media_type": d.media_type.media_type(),
        "size_bytes": d.size_bytes,
        "sha256": d.sha256,
        "case_id": d.case_id,
        "scan_status": d.scan_status.as_str(),
        "uploaded_at": d.created_at,
    })
}

/// The applicant's own uploads, bookings and e-visas.
pub async fn records_of(db: &Db, user_id: &str) -> Result<Value, AppError> {
    let uploads = documents::list_for_owner(db, user_id)
        .await
        .map_err(AppError::internal)?;
    let bookings = appointments::list_for_user(db, user_id)
        .await
        .map_err(AppError::internal)?;
    let visas = evisas::list_for_holder(db, user_id)
        .await
        .map_err(AppError::internal)?;
    Ok(json!({
        "documents": uploads.iter().map(document).collect::<Vec<_>>(),
        "appointments": bookings.iter().map(|a| json!({
            "id": a.id,
            "mission_id": a.mission_id,
            "service": a.service,
            "case_id": a.case_id,
            "starts_at": a.starts_at,
            "ends_at": a.ends_at,
            "status": a.status,
            "rescheduled_to": a.rescheduled_to,
            "booked_at": a.created_at,
        })).collect::<Vec<_>>(),
        "evisas": visas.iter().map(|v| json!({
            "id": v.id,
            "visa_number": v.visa_number,
            "case_id": v.case_id,
            "mission_code": v.mission_code,
            "holder_name": v.holder_name,
            "passport_number": v.passport_number,
            "nationality": v.nationality,
            "birth_date": v.birth_date,
            "visa_type": v.visa_type,
            "entries": v.entries,
            "valid_from": v.valid_from,
            "valid_until": v.valid_until,
            "max_stay_days": v.max_stay_days,
            "issued_at": v.issued_at,
            "revoked_at": v.revoked_at,
            "code": v.code(),
        })).collect::<Vec<_>>(),
    }))
}
