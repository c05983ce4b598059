//! The audit trail as CSV: the browsing filters, every matching record newest first, one
//! header line; the export itself is recorded.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use safir_domain::audit::actions;
use safir_store::audit::{self, AuditFilter, AuditRecord};
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

/// Reads the records `filter` matches, newest first and `batch` at a time through `fetch`
/// (the filter and a limit), handing each to `emit`, at most `max` of them. Returns how many
/// were read and, when more match than `max`, the oldest record read: where a cut export
/// stops. The last fetch asks for one record more than there is room for, so an export of
/// exactly `max` records is whole, not cut.
async fn read_capped<E, F, Fut>(
    filter: &mut AuditFilter,
    (batch, max): (i64, usize),
    mut fetch: F,
    mut emit: impl FnMut(&AuditRecord),
) -> Result<(usize, Option<i64>), E>
where
    F: FnMut(AuditFilter, i64) -> Fut,
    Fut: Future<Output = Result<Vec<AuditRecord>, E>>,
{
    let mut count = 0usize;
    let mut oldest = None;
    loop {
        let room = max - count;
        let want = batch.min(i64::try_from(room).unwrap_or(i64::MAX).saturating_add(1));
        let rows = fetch(filter.clone(), want).await?;
        let kept = &rows[..rows.len().min(room)];
        for r in kept {
            emit(r);
        }
        count += kept.len();
        if let Some(last) = kept.last() {
            oldest = Some(last.seq);
            filter.before_seq = Some(last.seq);
        }
        if rows.len() > room {
            return Ok((count, oldest));
        }
        if (rows.len() as i64) < want {
            return Ok((count, None));
        }
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
    let mut out = String::from(safir_text::spreadsheet::BOM);
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    let db = &state.db;
    let (count, cut_at) = read_capped(
        &mut filter,
        (EXPORT_BATCH, EXPORT_MAX),
        |f, limit| async move { audit::list(db, &f, limit).await },
        |r| out.push_str(&csv_line(r)),
    )
    .await
    .map_err(AppError::internal)?;
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

    /// A trail of `n` records, numbered 1 to `n`.
    fn trail(n: i64) -> Vec<AuditRecord> {
        (1..=n)
            .map(|seq| AuditRecord {
                seq,
                at: chrono::Utc::now(),
                actor_id: None,
                actor_label: "cli".into(),
                action: "user.read".into(),
                target_type: "user".into(),
                target_id: None,
                mission_id: None,
                client_ip: None,
                summary: "{}".into(),
                prev_hash: String::new(),
                hash: String::new(),
            })
            .collect()
    }

    /// What the export reads of `n` records, `batch` at a time, at most `max`: the numbers
    /// read and where it was cut.
    async fn read(n: i64, batch: i64, max: usize) -> (Vec<i64>, Option<i64>) {
        let all = trail(n);
        let mut seen = Vec::new();
        let (count, cut) = read_capped(
            &mut AuditFilter::default(),
            (batch, max),
            |f, limit| {
                let rows: Vec<AuditRecord> = all
                    .iter()
                    .rev()
                    .filter(|r| f.before_seq.is_none_or(|b| r.seq < b))
                    .take(usize::try_from(limit).unwrap())
                    .cloned()
                    .collect();
                async move { Ok::<_, ()>(rows) }
            },
            |r| seen.push(r.seq),
        )
        .await
        .unwrap();
        assert_eq!(count, seen.len());
        (seen, cut)
    }

    #[tokio::test]
    async fn an_export_of_exactly_the_cap_is_whole() {
        for batch in [1, 2, 3, 5, 10] {
            let (seen, cut) = read(6, batch, 6).await;
            assert_eq!(seen, [6, 5, 4, 3, 2, 1], "batch {batch}");
            assert_eq!(cut, None, "batch {batch}: nothing left out");

            let (seen, cut) = read(7, batch, 6).await;
            assert_eq!(seen, [7, 6, 5, 4, 3, 2], "batch {batch}");
            assert_eq!(cut, Some(2), "batch {batch}: record 1 left out");

            let (seen, cut) = read(4, batch, 6).await;
            assert_eq!(seen, [4, 3, 2, 1], "batch {batch}");
            assert_eq!(cut, None);
        }
        assert_eq!(read(0, 3, 6).await, (vec![], None));
    }

    #[test]
    fn a_cut_export_is_named_so() {
        assert_eq!(disposition(None), "attachment; filename=\"audit.csv\"");
        assert_eq!(
            disposition(Some(1234)),
            "attachment; filename=\"audit-cut-before-1234.csv\""
        );
    }
}
