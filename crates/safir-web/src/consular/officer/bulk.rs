//! `POST /missions/{mission}/cases/bulk`: one action on the cases ticked in the queue. Each
//! case goes alone through the same path as on its own page (the workflow for moves, the
//! audited assignment otherwise); the ones where the action is not possible are skipped
//! and the page says why, case by case. The API's `POST /api/v1/missions/{mission}/cases/bulk`
//! runs the same [`apply`] on each case.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentArgs;
use safir_domain::consular::case::{Actor as Side, CaseAction, CaseState};
use safir_store::consular::cases::{self, Case};
use safir_store::missions::Mission;

use super::{CASE_ASSIGN, by, mission_case};
use crate::admin::support::{Actor, FormData, rejected};
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::consular::workflow::By;
use crate::consular::workflow::own_last_move;
use crate::consular::workflow::{self, Command};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

/// More cases than one screen of the queue can tick is not a browser's request; the API
/// refuses more than this in one call.
pub const MAX_CASES: usize = 200;

/// The case ids sent, trimmed, each once, in the order sent, and no more than one past
/// [`MAX_CASES`] (enough to tell that there were too many): a 2 MiB body of ids costs a
/// look-up each, not a scan of those kept so far.
pub fn distinct_ids<'a>(sent: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::new();
    for id in sent {
        let id = id.trim();
        if !id.is_empty() && seen.insert(id) {
            ids.push(id);
            if ids.len() > MAX_CASES {
                break;
            }
        }
    }
    ids
}

/// What can be done to many cases at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    AssignMe,
    Unassign,
    Move(CaseAction),
}

impl BulkAction {
    pub fn parse(s: &str) -> Option<BulkAction> {
        match s.trim() {
            "assign_me" => Some(BulkAction::AssignMe),
            "unassign" => Some(BulkAction::Unassign),
            "start_review" => Some(BulkAction::Move(CaseAction::StartReview)),
            "close" => Some(BulkAction::Move(CaseAction::Close)),
            _ => None,
        }
    }

    /// The state a move leads to; a case already there is left as it is (a retried request,
    /// or another officer was quicker, see [`apply`]).
    fn leads_to(self) -> Option<CaseState> {
        match self {
            BulkAction::Move(CaseAction::StartReview) => Some(CaseState::InReview),
            BulkAction::Move(CaseAction::Close) => Some(CaseState::Closed),
            _ => None,
        }
    }
}

/// Why a case was left as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    NotFound,
    NotOpen,
    Already(CaseState),
    Illegal(CaseState),
    Changed,
    /// "Assign to me" on a case another officer works: taking it over is done from the
    /// case's page, where who works it is seen (the queue the ticks came from may be older).
    HeldByOther,
}

impl Skip {
    /// The API's name of the outcome.
    pub fn code(self) -> &'static str {
        match self {
            Skip::NotFound => "not_found",
            Skip::NotOpen => "case_not_open",
            Skip::Already(_) => "case_already_in_state",
            Skip::Illegal(_) => "case_transition_illegal",
            Skip::Changed => "conflict",
            Skip::HeldByOther => "case_assigned_to_other",
        }
    }
}

struct Line {
    reference: String,
    href: Option<String>,
    done: bool,
    outcome: String,
}

#[derive(Template)]
#[template(path = "consular/officer/bulk.html")]
struct BulkPage {
    page: Page,
    back: String,
    summary: String,
    lines: Vec<Line>,
}

/// Does `action` to `case` as `by`, through the same path as the case's own page (an actor
/// through the API marks every record as the API's). `Ok(Err(_))` says why the case was left
/// as it was; `Err` is a failure of the server.
pub async fn apply(
    state: &AppState,
    by: &By<'_>,
    case: &Case,
    action: BulkAction,
) -> Result<Result<(), Skip>, AppError> {
    apply_seen(state, by, case, action, None).await
}

/// [`apply`] for a case ticked in a queue that showed it worked by `seen` (`Some(None)`:
/// nobody): an assignment changed since is skipped as changed meanwhile, not overridden, so a
/// colleague's newer choice is not undone by a page that never showed it. `None`: the case's
/// assignment as read now.
pub async fn apply_seen(
    state: &AppState,
    by: &By<'_>,
    case: &Case,
    action: BulkAction,
    seen: Option<Option<&str>>,
) -> Result<Result<(), Skip>, AppError> {
    let current = case.state().map_err(AppError::internal)?;
    match action {
        BulkAction::AssignMe | BulkAction::Unassign => {
            if !current.is_open() {
                return Ok(Err(Skip::NotOpen));
            }
            let to = match action {
                BulkAction::AssignMe => Some(by.user.id()),
                _ => None,
            };
            if case.assignee_id.as_deref() == to {
                // Already so: this officer's, or in the pool (a retried request, a case nobody
                // took); done, as on the case's page, nothing to write again.
                return Ok(Ok(()));
            }
            let from = case.assignee_id.as_deref();
            if seen.is_some_and(|seen| seen != from) {
                // Taken or given on since the queue was shown: that choice stands until seen.
                return Ok(Err(Skip::Changed));
            }
            if action == BulkAction::AssignMe && case.assignee_id.is_some() {
                return Ok(Err(Skip::HeldByOther));
            }
            let mut tx = state.db.begin().await.map_err(AppError::internal)?;
            if !cases::assign(&mut tx, &case.id, &case.mission_id, from, to)
                .await
                .map_err(AppError::internal)?
            {
                // Someone changed the assignment since the case was read: theirs stands.
                tx.rollback().await.map_err(AppError::internal)?;
                return Ok(Err(Skip::Changed));
            }
            let summary = serde_json::json!({
                "reference": case.reference,
                "from": case.assignee_id,
                "to": to,
                "bulk": true,
            });
            let record = workflow::record(by, CASE_ASSIGN, case, summary);
            crate::audit_log::commit_with(tx, &record).await?;
            Ok(Ok(()))
        }
        BulkAction::Move(a) => {
            if action.leads_to() == Some(current) {
                // This officer's own move sent again (a double click, a retried call) is done,
                // as on the case's page; a case someone else moved there is said to be so.
                let own = own_last_move(state, case, a, by.user.id()).await?;
                return Ok(if own.is_some() {
                    Ok(())
                } else {
                    Err(Skip::Already(current))
                });
            }
            let kind = case.kind().map_err(AppError::internal)?;
            if current.apply(kind, a, Side::Officer).is_err() {
                return Ok(Err(Skip::Illegal(current)));
            }
            let cmd = Command {
                action: a,
                actor: Side::Officer,
                reason: None,
                message: None,
            };
            match workflow::act(state, case, by, &cmd).await {
                Ok(_) => Ok(Ok(())),
                Err(AppError::Conflict) => Ok(Err(Skip::Changed)),
                Err(e) => Err(e),
            }
        }
    }
}

fn outcome(page: &Page, r: &Result<(), Skip>) -> String {
    match r {
        Ok(()) => page.t("officer-bulk-done"),
        Err(Skip::NotFound) => page.t("officer-bulk-skip-not-found"),
        Err(Skip::NotOpen) => page.t("officer-bulk-skip-not-open"),
        Err(Skip::Changed) => page.t("officer-bulk-skip-changed"),
        Err(Skip::HeldByOther) => page.t("officer-bulk-skip-held"),
        Err(skip @ (Skip::Already(s) | Skip::Illegal(s))) => {
            let key = match skip {
                Skip::Already(_) => "officer-bulk-skip-already",
                _ => "officer-bulk-skip-illegal",
            };
            let mut args = FluentArgs::new();
            args.set("state", labels::state(page.lang, s.as_str()));
            page.t_args(key, &args)
        }
    }
}

/// A ticked row's value: the case's id, then (after `:`) who worked the case when the queue
/// showed it (an officer's id, or `none`). Carried by the checkbox itself, so that only the
/// ticked rows send it and a row adds a few bytes to the queue's page, not a field. `None`:
/// a value without it (a form from before).
fn ticked(value: &str) -> (&str, Option<Option<&str>>) {
    match value.split_once(':') {
        None => (value.trim(), None),
        Some((id, seen)) => match seen.trim() {
            "" => (id.trim(), None),
            "none" => (id.trim(), Some(None)),
            seen => (id.trim(), Some(Some(seen))),
        },
    }
}

/// Who worked the case `id` when the queue showed it, as its ticked row says ([`ticked`]).
fn seen_assignee<'a>(
    rows: &[(&'a str, Option<Option<&'a str>>)],
    id: &str,
) -> Option<Option<&'a str>> {
    rows.iter()
        .find(|(row, _)| *row == id)
        .and_then(|(_, seen)| *seen)
}

async fn run(
    state: &AppState,
    actor: &Actor,
    mission: &Mission,
    page: &Page,
    rows: &[(&str, Option<Option<&str>>)],
    ids: &[&str],
    action: BulkAction,
) -> Result<Vec<Line>, AppError> {
    let base = format!("/missions/{}/cases", mission.code);
    let mut lines = Vec::new();
    for id in ids {
        let (reference, href, result) = match mission_case(state, mission, id).await {
            Ok(case) => (
                case.display_reference(),
                Some(format!("{base}/{}", case.id)),
                apply_seen(state, &by(actor), &case, action, seen_assignee(rows, id)).await?,
            ),
            Err(AppError::NotFound) => (id.chars().take(40).collect(), None, Err(Skip::NotFound)),
            Err(e) => return Err(e),
        };
        lines.push(Line {
            reference,
            href,
            done: result.is_ok(),
            outcome: outcome(page, &result),
        });
    }
    Ok(lines)
}

pub async fn bulk_action(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let mut page = state.page(lang, &uri, "officer-bulk-title", &viewer);
    let back = format!("/missions/{}/cases", mission.code);
    let rows: Vec<(&str, Option<Option<&str>>)> =
        data.all("case").into_iter().map(ticked).collect();
    let mut ids = distinct_ids(rows.iter().map(|(id, _)| *id));
    ids.truncate(MAX_CASES);
    let action = BulkAction::parse(data.get("action"));
    let problem = match action {
        None => Some("officer-bulk-no-action"),
        Some(_) if ids.is_empty() => Some("officer-bulk-no-cases"),
        Some(_) => None,
    };
    let (Some(action), None) = (action, problem) else {
        let message = page.t(problem.unwrap_or("officer-bulk-no-action"));
        page = page.with_flash(FlashKind::Error, message);
        return Ok(rejected(render(&BulkPage {
            page,
            back,
            summary: String::new(),
            lines: Vec::new(),
        })?));
    };
    let lines = run(&state, &actor, &mission, &page, &rows, &ids, action).await?;
    let done = lines.iter().filter(|l| l.done).count() as i64;
    let mut args = FluentArgs::new();
    args.set("done", done);
    args.set("skipped", lines.len() as i64 - done);
    let summary = page.t_args("officer-bulk-summary", &args);
    let kind = if done > 0 {
        FlashKind::Success
    } else {
        FlashKind::Warning
    };
    page = page.with_flash(kind, summary.clone());
    Ok(render(&BulkPage {
        page,
        back,
        summary,
        lines,
    })?
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_once_each_and_no_further_than_one_too_many() {
        assert_eq!(
            distinct_ids([" 7 ", "3", "", "7", "3 ", "9"]),
            ["7", "3", "9"]
        );
        // A body of thousands of ids is read no further than it takes to know it is too many.
        let many: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
        let ids = distinct_ids(many.iter().map(String::as_str));
        assert_eq!(ids.len(), MAX_CASES + 1);
        assert_eq!((ids[0], ids[MAX_CASES]), ("0", "200"));
    }

    #[test]
    fn a_ticked_row_says_who_worked_the_case_or_nothing() {
        assert_eq!(ticked("c1:u7"), ("c1", Some(Some("u7"))));
        assert_eq!(ticked(" c1 :none"), ("c1", Some(None)));
        assert_eq!(ticked("c1"), ("c1", None), "a form from before");
        assert_eq!(ticked("c1: "), ("c1", None));
        let rows = [ticked("c1:u7"), ticked("c2:none")];
        assert_eq!(seen_assignee(&rows, "c2"), Some(None));
        assert_eq!(seen_assignee(&rows, "c3"), None);
    }
}
