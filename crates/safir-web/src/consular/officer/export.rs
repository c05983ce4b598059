//! `GET /missions/{mission}/cases.csv`: every case the queue's filters match, in pages of
//! 500, as UTF-8 CSV with a byte-order mark (so spreadsheet programs read Arabic right) and
//! headers and values in the page language. The export is recorded. Filters that cannot be
//! read send the officer back to the queue, which names each beside its field.

use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use safir_domain::consular::case::Priority;
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
use crate::i18n::{Lang, t};
use crate::state::AppState;

const BATCH: i64 = 500;
/// An export larger than this is cut; narrow the filters to get the rest.
const EXPORT_MAX: usize = 100_000;

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
    let mut out = String::from("\u{feff}");
    out.push_str(&line(&COLUMNS.map(|k| t(lang, k))));
    let (yes, no) = (t(lang, "officer-yes"), t(lang, "officer-no"));
    let mut count = 0usize;
    loop {
        let batch = cases::queue(&state.db, &filter)
            .await
            .map_err(AppError::internal)?;
        for r in &batch {
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
        }
        count += batch.len();
        let next = (batch.len() as i64 == BATCH)
            .then(|| batch.last())
            .flatten()
            .and_then(|r| r.submitted_at.map(|at| (r.priority, at, r.id.clone())));
        match next {
            Some(after) if count < EXPORT_MAX => filter.after = Some(after),
            _ => break,
        }
    }
    let summary = serde_json::json!({ "filter": params.query(), "rows": count });
    let record = actor.audit(CASE_EXPORT, "case", None, Some(&mission.id), summary);
    state.audit.record(record).await?;
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
