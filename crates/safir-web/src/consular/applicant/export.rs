//! The applicant's consular data for the "download all my data" file: every case with what
//! they typed, its history and the messages exchanged (officers' internal notes are the
//! mission's working papers and are not part of it).

use safir_store::Db;
use safir_store::consular::cases;
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
        }));
    }
    Ok(Value::Array(out))
}
