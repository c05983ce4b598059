//! The consular officers' workspace at one mission: the case queue and its CSV export, bulk
//! actions, the case page with its actions, and the SLA board. Every route needs
//! `ManageConsularCases` on the mission named in the path.

pub mod bulk;
mod case_actions;
mod case_show;
pub mod etd;
mod export;
mod filters;
mod queue;
mod queue_rows;
pub mod sla;

use std::collections::BTreeMap;

use axum::http::Method;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use safir_domain::consular::case::CaseAction;
use safir_domain::roles::{Permission, Role};
use safir_store::StoreError;
use safir_store::consular::cases::{self, Case};
use safir_store::missions::Mission;

use super::workflow::{By, own_last_move};
use crate::admin::support::Actor;
use crate::auth::{Access, Routes};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;

pub use safir_domain::audit::actions::{
    CASE_ASSIGN, CASE_EXPORT, CASE_LIST, CASE_MESSAGE, CASE_NOTE, CASE_PRIORITY, CASE_READ,
};

/// Who works a mission's cases: its queue, each case's page and moves.
pub const CASE_ACCESS: Access = Access::Mission(Permission::ManageConsularCases);

pub fn routes(r: Routes) -> Routes {
    let officer = CASE_ACCESS;
    r.add(
        Method::GET,
        "/missions/{mission}/cases",
        officer,
        get(queue::list_cases),
    )
    .add(
        Method::GET,
        "/missions/{mission}/cases.csv",
        officer,
        get(export::export_cases),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/bulk",
        officer,
        post(bulk::bulk_action),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/{case}/etd",
        officer,
        post(etd::open_etd),
    )
    .add(
        Method::GET,
        "/missions/{mission}/cases/sla",
        officer,
        get(sla::show_sla_board),
    )
    .add(
        Method::GET,
        "/missions/{mission}/cases/{case}",
        officer,
        get(case_show::show_case),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/{case}/act",
        officer,
        post(case_actions::act_on_case),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/{case}/assign",
        officer,
        post(case_actions::assign_case),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/{case}/priority",
        officer,
        post(case_actions::change_priority),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/{case}/notes",
        officer,
        post(case_actions::add_note),
    )
    .add(
        Method::POST,
        "/missions/{mission}/cases/{case}/messages",
        officer,
        post(case_actions::send_message),
    )
}

/// A case of this mission as officers see it: another mission's case, an unknown id or an
/// applicant's unsubmitted draft are all "not found".
pub(super) async fn mission_case(
    state: &AppState,
    mission: &Mission,
    id: &str,
) -> Result<Case, AppError> {
    match cases::find(&state.db, id).await {
        Ok(c) if c.mission_id == mission.id && c.state != "draft" => Ok(c),
        Ok(_) | Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// Whether the case's last move is this very one, made by this officer: a second click or a
/// retried request, whose outcome is already there, not someone else's change. Moves that
/// carry no text of their own; a request for information with the same text (`request`, as
/// stored); a decision with the same reason code (`request`) and the same message to the
/// applicant (`message`, as stored; `None` or empty for none), made within
/// [`cases::REPEAT_WINDOW`]. A decision sent again with another message is still told the
/// case moved: that message would otherwise be lost.
pub(crate) async fn made_just_now(
    state: &AppState,
    case: &Case,
    action: CaseAction,
    user_id: &str,
    request: Option<&str>,
    message: Option<&str>,
) -> Result<bool, AppError> {
    let plain = matches!(
        action,
        CaseAction::StartReview | CaseAction::MarkReadyForCollection | CaseAction::Close
    );
    let decision = matches!(action, CaseAction::Approve | CaseAction::Reject);
    if !plain && !decision && action != CaseAction::RequestInfo {
        return Ok(false);
    }
    let Some(own) = own_last_move(state, case, action, user_id).await? else {
        return Ok(false);
    };
    if plain {
        return Ok(true);
    }
    if own.reason.as_deref() != request {
        return Ok(false);
    }
    if !decision {
        return Ok(true);
    }
    if own.at < safir_store::now() - cases::REPEAT_WINDOW {
        return Ok(false);
    }
    let sent = message.map(str::trim).filter(|m| !m.is_empty());
    let linked = match own.message_id.as_deref() {
        None => None,
        Some(id) => {
            let messages = cases::list_messages(&state.db, &case.id, false)
                .await
                .map_err(AppError::internal)?;
            match messages.into_iter().find(|m| m.id == id) {
                Some(m) => Some(m.body),
                // The decision's message is gone: nothing to compare with, so not the same.
                None => return Ok(false),
            }
        }
    };
    Ok(linked.as_deref() == sent)
}

/// The version of a case its page's action forms carry (`expected_version`): the instant of
/// its last move, in microseconds, which every move sets anew, so a case that came back to the
/// state a page showed (in review, waiting for information, answered, in review again) is not
/// taken for the case the page showed.
pub(crate) fn case_version(case: &Case) -> String {
    case.state_changed_at.timestamp_micros().to_string()
}

/// The last move's instant a form's `expected_version` names: `None` when the form has none
/// (a page drawn before the field), `Some(None)` when it cannot be read (no case has it).
pub(crate) fn seen_version(sent: &str) -> Option<Option<DateTime<Utc>>> {
    let sent = sent.trim();
    if sent.is_empty() {
        return None;
    }
    Some(
        sent.parse::<i64>()
            .ok()
            .and_then(DateTime::from_timestamp_micros),
    )
}

pub(super) fn by(actor: &Actor) -> By<'_> {
    By::web(&actor.user, actor.ip.clone())
}

/// Someone who may be given cases at this mission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Officer {
    pub id: String,
    pub name: String,
}

/// The mission's enabled staff whose role there lets them work cases, by name.
pub(super) async fn officers(
    state: &AppState,
    mission: &Mission,
) -> Result<Vec<Officer>, AppError> {
    let rows = crate::auth::cache::mission_staff(state, &mission.id).await?;
    let mut out: Vec<Officer> = Vec::new();
    for row in rows.iter() {
        let works_cases =
            Role::parse(&row.role).is_ok_and(|r| r.grants(Permission::ManageConsularCases));
        if works_cases && !row.disabled && !out.iter().any(|o| o.id == row.user_id) {
            out.push(Officer {
                id: row.user_id.clone(),
                name: row.display_name.clone(),
            });
        }
    }
    Ok(out)
}

/// An instant as officers read it everywhere in the workspace (UTC, unambiguous in both
/// languages): `2026-11-29 04:30 UTC`.
pub(crate) fn when(t: DateTime<Utc>) -> String {
    use chrono::{Datelike, Timelike};
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// How long a case has waited: whether it is counted in days (after its first day) or hours,
/// and how many.
pub(super) fn age_key(since: DateTime<Utc>, at: DateTime<Utc>) -> (bool, i64) {
    let hours = (at - since).num_hours().max(0);
    if hours < 24 {
        (false, hours)
    } else {
        (true, hours / 24)
    }
}

/// The wait of [`age_key`] in words.
pub(super) fn age_words(lang: Lang, (in_days, n): (bool, i64)) -> String {
    let key = if in_days {
        "officer-age-days"
    } else {
        "officer-age-hours"
    };
    crate::i18n::t_count(lang, key, n)
}

/// When the wait of [`age_key`] at `at` next changes: the start of the next hour of its
/// first day, then of the next day.
pub(super) fn next_age_change(since: DateTime<Utc>, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let (in_days, n) = age_key(since, at);
    let hours = if in_days { (n + 1) * 24 } else { n + 1 };
    since.checked_add_signed(chrono::Duration::try_hours(hours)?)
}

/// What the staff dashboard shows of the mission's cases.
pub struct CaseCounts {
    /// Open states in queue order: the state's code, its translated name and its count.
    pub by_state: Vec<(&'static str, String, i64)>,
    /// Open cases past their deadline.
    pub overdue: i64,
    /// Open cases whose applicant waits for the mission's reply.
    pub awaiting_reply: i64,
}

/// The counters of the dashboard's consular panel.
pub async fn case_counts(
    state: &AppState,
    lang: Lang,
    mission: &Mission,
) -> Result<CaseCounts, AppError> {
    let counts: BTreeMap<String, i64> =
        crate::consular::counts::case_counts(state, &mission.id).await?;
    let by_state = safir_domain::consular::case::CaseState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| {
            (
                s.as_str(),
                super::labels::state(lang, s.as_str()),
                counts.get(s.as_str()).copied().unwrap_or(0),
            )
        })
        .collect();
    let overdue = crate::consular::counts::overdue_total(state, &mission.id).await?;
    let awaiting_reply = crate::consular::counts::awaiting_reply_total(state, &mission.id).await?;
    Ok(CaseCounts {
        by_state,
        overdue,
        awaiting_reply,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_read_the_same_as_with_a_format_string() {
        for micros in [0_i64, 1_700_000_000_123_456, 253_402_300_799_000_000] {
            let t = DateTime::from_timestamp_micros(micros).unwrap();
            assert_eq!(when(t), t.format("%Y-%m-%d %H:%M UTC").to_string());
        }
    }

    #[test]
    fn a_wait_counts_hours_on_its_first_day_then_days() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let h = chrono::Duration::hours;
        assert_eq!(age_key(at - h(5), at), (false, 5));
        assert_eq!(age_key(at - h(49), at), (true, 2));
        assert_eq!(age_key(at + h(1), at), (false, 0));
        // Under an hour is said so, in both languages, not "0 hours".
        assert_eq!(age_words(Lang::En, (false, 0)), "under an hour");
        assert_eq!(age_words(Lang::Ar, (false, 0)), "أقل من ساعة");
        assert_eq!(age_words(Lang::En, (false, 5)), "5 hours");
    }

    #[test]
    fn a_wait_keeps_its_words_until_its_next_change() {
        let since = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let h = chrono::Duration::hours;
        let tick = chrono::Duration::nanoseconds(1);
        for at in [
            since - h(3),
            since,
            since + h(5),
            since + h(23),
            since + h(49),
        ] {
            let next = next_age_change(since, at).unwrap();
            assert!(next > at);
            assert_eq!(age_key(since, next - tick), age_key(since, at), "{at}");
            assert_ne!(age_key(since, next), age_key(since, at), "{at}");
        }
    }
}
