//! The audit trail as CSV: the browsing filters, every matching record newest first, one
//! header line; the export itself is recorded.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use safir_domain::audit::actions;
use safir_store::audit::{self, AuditRecord};
use safir_store::missions;

use super::audit_log::AuditParams;
use super::support::Actor;
use crate::error::AppError;
use crate::state::AppState;

const EXPORT_BATCH: i64 = 1000;
/// An export larger than this is cut; narrow the filters to get the rest.
const EXPORT_MAX: usize = 200_000;

pub const CSV_HEADER: &str = "seq,at,actor_id,actor,action,target_type,target_id,mission_id,client_ip,summary,prev_hash,hash";

fn csv_line(r: &AuditRecord) -> String {
    let at = r.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let fields = [
        r.seq.to_string(),
        at,
        r.actor_id.clone().unwrap_or_default(),
        r.actor_label.clone(),
        r.action.clone(),
        r.target_type.clone(),
        r.target_id.clone().unwrap_or_default(),
        r.mission_id.clone().unwrap_or_default(),
        r.client_ip.clone().unwrap_or_default(),
        r.summary.clone(),
        r.prev_hash.clone(),
        r.hash.clone(),
    ];
    crate::csv_cells::line(&fields)
}

/// The file's `Content-Disposition`. A cut file says so in its name, with the record to
/// continue before (the filters' "before" field), rather than passing for the whole trail.
fn disposition(cut_at: Option<i64>) -> String {
    match cut_at {
        Some(seq) => format!("attachment; filename=\"audit-cut-before-{seq}.csv\""),
        None => "attachment; filename=\"audit.csv\"".to_owned(),
    }
}

pub async fn export_csv(
    State(state): State<AppState>,
    actor: Actor,
    Query(params): Query<AuditParams>,
) -> Result<Response, AppError> {
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let (mut filter, errors) = params.filter(&all);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    // A byte-order mark first, as the other exports, so that spreadsheet programs read the
    // Arabic of actors and summaries as UTF-8 (not the machine's code page).
    let mut out = String::from("\u{feff}");
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    let mut count = 0usize;
    // Where a cut export stops: the oldest record it holds, when older ones match too.
    let mut cut_at = None;
    loop {
        let batch = audit::list(&state.db, &filter, EXPORT_BATCH)
            .await
            .map_err(AppError::internal)?;
        let Some(last) = batch.last() else { break };
        filter.before_seq = Some(last.seq);
        let full = batch.len() as i64 == EXPORT_BATCH;
        for r in &batch {
            out.push_str(&csv_line(r));
        }
        count += batch.len();
        if !full {
            break;
        }
        if count >= EXPORT_MAX {
            cut_at = Some(last.seq);
            break;
        }
    }
    let filename = disposition(cut_at);
    // Where the export began, when it did not begin at the newest record: a second part of a
    // long export (`before`) is told apart from the whole of what the filters match.
    let summary = serde_json::json!({
        "filters": params.query(),
        "starts_before": params.before,
        "records": count,
        "cut_before": cut_at,
    });
    let record = actor.audit(actions::AUDIT_EXPORT, "audit_log", None, None, summary);
    state.audit.record(record).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, filename.as_str()),
            (header::CACHE_CONTROL, "no-store"),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_export_is_named_so() {
        assert_eq!(disposition(None), "attachment; filename=\"audit.csv\"");
        assert_eq!(
            disposition(Some(1234)),
            "attachment; filename=\"audit-cut-before-1234.csv\""
        );
    }
}
