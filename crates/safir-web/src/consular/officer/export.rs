//! `GET /missions/{mission}/cases.csv`: every case the queue's filters match, in pages of
//! 500, as UTF-8 CSV with a byte-order mark (so spreadsheet programs read Arabic right) and
//! headers and values in the page language. The export is recorded with the cases it holds
//! (in several records, written together, for a large one). Filters that cannot be
//! read send the officer back to the queue, which names each beside its field. An export of
//! more than `consular.export_max_rows` cases holds that many and ends with a line saying so.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use fluent_bundle::FluentArgs;
use safir_domain::consular::case::Priority;
use safir_store::audit;
use safir_store::consular::cases;
use safir_store::consular::services;
use safir_store::now;

use super::filters::{FilterContext, QueueParams, is_breached};
use super::{CASE_EXPORT, officers, when};
use crate::admin::support::Actor;
use crate::auth::MissionParam;
use crate::consular::labels;
use crate::csv_cells::line;
use crate::error::AppError;
use crate::i18n::{Lang, t, t_args};
use crate::state::AppState;

const BATCH: i64 = 500;

/// Most cases one audit record of an export names: their ids fill about 20,000 characters of
/// its summary, which the trail's own CSV export then holds in one cell, below the 32,767
/// characters a spreadsheet cell takes. A larger export is recorded in several records,
/// written together.
const AUDIT_CASES: usize = 500;

const COLUMNS: [&str; 11] = [
    "officer-col-reference",
    "officer-col-kind",
    "officer-col-service",
    "officer-col-applicant",
    "officer-col-state",
    "officer-col-priority",
    "officer-col-assignee",
    "officer-col-submitted",
    "officer-col-due",
    "officer-col-overdue",
    "officer-col-new-message-since",
];

pub async fn export_cases(
    State(state): State<AppState>,
    lang: Lang,
    actor: Actor,
    MissionParam(mission): MissionParam,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let params = QueueParams::parse(raw.as_deref());
    let services = services::list_for_mission(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?;
    let officers = officers(&state, &mission).await?;
    let at = now();
    let cx = FilterContext {
        mission: &mission,
        services: &services,
        officers: &officers,
        me: actor.id(),
        now: at,
    };
    let (mut filter, errors) = params.filter(&cx);
    if !errors.is_empty() {
        // The queue with the same filters names each one that cannot be read, beside it.
        let query = params.query();
        let sep = if query.is_empty() { "" } else { "?" };
        let queue = format!("/missions/{}/cases{sep}{query}", mission.code);
        return Ok(Redirect::to(&queue).into_response());
    }
    filter.limit = BATCH;
    filter.after = None;
    let mut out = String::from(safir_text::spreadsheet::BOM);
    out.push_str(&line(&COLUMNS.map(|k| t(lang, k))));
    let (yes, no) = (t(lang, "officer-yes"), t(lang, "officer-no"));
    let max = state.config.consular.export_max_rows.max(1);
    let mut count = 0usize;
    let mut cut = false;
    // The cases the file holds, for the record of who exported whose data.
    let mut ids: Vec<String> = Vec::new();
    loop {
        // One row more than there is room for tells whether the export must be cut.
        let room = max - count;
        filter.limit = BATCH.min(room as i64 + 1);
        let batch = cases::queue(&state.db, &filter)
            .await
            .map_err(AppError::internal)?;
        let take = batch.len().min(room);
        for r in &batch[..take] {
            let service = match lang {
                Lang::Ar => &r.service_name_ar,
                Lang::En => &r.service_name_en,
            };
            out.push_str(&line(&[
                r.reference.clone().unwrap_or_else(|| r.id.clone()),
                labels::kind(lang, &r.kind),
                service.clone(),
                r.applicant_name.clone(),
                labels::state_for_officer(lang, &r.state, r.courier),
                labels::priority(lang, Priority::from_rank(r.priority).as_str()),
                r.assignee_name.clone().unwrap_or_default(),
                r.submitted_at.map(when).unwrap_or_default(),
                r.due_at.map(when).unwrap_or_default(),
                if is_breached(&r.state, r.due_at, at) {
                    yes.clone()
                } else {
                    no.clone()
                },
                r.awaiting_reply_since.map(when).unwrap_or_default(),
            ]));
            ids.push(r.id.clone());
        }
        count += take;
        if batch.len() > take {
            cut = true;
            break;
        }
        let next = (batch.len() as i64 == filter.limit)
            .then(|| batch.last())
            .flatten()
            .and_then(|r| r.submitted_at.map(|at| (r.priority, at, r.id.clone())));
        match next {
            Some(after) => filter.after = Some(after),
            None => break,
        }
    }
    if cut {
        // Said in the file itself, where the officer reads the rows: not silently short.
        let mut args = FluentArgs::new();
        args.set("rows", count);
        out.push_str(&line(&[t_args(lang, "officer-export-cut", &args)]));
    }
    // Each record names the cases of its part of the file, so that whether an officer
    // exported someone's case can be told from the trail whatever the filters meant then.
    let filter = params.query();
    let mut chunks: Vec<&[String]> = ids.chunks(AUDIT_CASES).collect();
    if chunks.is_empty() {
        // An export of no case is recorded too.
        chunks.push(&[]);
    }
    let parts = chunks.len();
    let records: Vec<_> = chunks
        .iter()
        .enumerate()
        .map(|(part, cases)| {
            let summary = serde_json::json!({
                "filter": filter,
                "rows": count,
                "cut": cut,
                "part": part + 1,
                "parts": parts,
                "cases": cases,
            });
            actor.audit(CASE_EXPORT, "case", None, Some(&mission.id), summary)
        })
        .collect();
    if records.len() > 1 {
        // Committed in one transaction: all on record, or none and no file.
        audit::record_all(&state.db, &records)
            .await
            .map_err(AppError::internal)?;
    } else {
        // One record goes the way of every other read's, through the group commit.
        for record in records {
            state.audit.record(record).await?;
        }
    }
    let disposition = format!(
        "attachment; filename=\"cases-{}.csv\"",
        mission.code.to_ascii_lowercase()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        out,
    )
        .into_response())
}
