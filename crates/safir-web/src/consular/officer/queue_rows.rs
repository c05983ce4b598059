//! The rows of the case queue's table, drawn as HTML once per view, language and stretch of
//! time in which they read the same (see `consular::read_cache::drawn_queue_rows`): a case's
//! age is shown in hours, then days, and its missed deadline from the instant it passes, so a
//! drawing stays exact until the next hour or day of one of its cases or the next deadline.

use std::collections::HashMap;

use askama::Template;
use chrono::{DateTime, Utc};
use safir_domain::consular::case::{CaseState, Priority};
use safir_store::consular::cases::QueueRow;

use super::filters::is_breached;
use super::{age_key, age_words, next_age_change, when};
use crate::consular::labels;
use crate::error::AppError;
use crate::i18n::{self, Lang};

struct RowView {
    id: String,
    href: String,
    reference: String,
    /// The mission's name for the service (a service has one kind: the kind is not repeated
    /// beside it, and the filters still choose by it).
    service: String,
    applicant: String,
    state: String,
    priority: String,
    priority_code: &'static str,
    assignee: Option<String>,
    /// Who works the case as the row shows it (an id, or `none`), sent back with a bulk
    /// action: a colleague's choice made since is not overridden unseen.
    seen_assignee: String,
    age: String,
    due: Option<String>,
    breached: bool,
    /// The applicant wrote, and the mission has not answered yet.
    new_message: bool,
}

#[derive(Template)]
#[template(path = "consular/officer/queue_rows.html")]
struct QueueRows {
    rows: Vec<RowView>,
    select_label: String,
    unassigned: String,
    overdue: String,
    new_message: String,
}

/// The translated words of a page of rows, each looked up once per page however many rows
/// repeat it (a page has a handful of states, priorities and ages across 50 rows).
#[derive(Default)]
struct RowWords {
    words: HashMap<(&'static str, String), String>,
    ages: HashMap<(bool, i64), String>,
}

impl RowWords {
    fn word(&mut self, what: &'static str, code: &str, look_up: impl FnOnce() -> String) -> String {
        if let Some(w) = self.words.get(&(what, code.to_owned())) {
            return w.clone();
        }
        let w = look_up();
        self.words.insert((what, code.to_owned()), w.clone());
        w
    }

    fn age(&mut self, lang: Lang, since: DateTime<Utc>, at: DateTime<Utc>) -> String {
        let key = age_key(since, at);
        self.ages
            .entry(key)
            .or_insert_with(|| age_words(lang, key))
            .clone()
    }
}

/// Age and missed deadline are worked out here, at `at`, never kept: a row read a moment
/// ago (see `consular::read_cache`) still shows its age now.
fn row_view(
    lang: Lang,
    words: &mut RowWords,
    base: &str,
    r: &QueueRow,
    at: DateTime<Utc>,
) -> RowView {
    let priority = Priority::from_rank(r.priority);
    RowView {
        href: format!("{base}/{}", r.id),
        reference: r.reference.clone().unwrap_or_else(|| r.id.clone()),
        service: match lang {
            Lang::Ar => r.service_name_ar.clone(),
            Lang::En => r.service_name_en.clone(),
        },
        applicant: r.applicant_name.clone(),
        state: if r.courier {
            words.word("state", "courier", || {
                labels::state_for_officer(lang, &r.state, true)
            })
        } else {
            words.word("state", &r.state, || labels::state(lang, &r.state))
        },
        priority: words.word("priority", priority.as_str(), || {
            labels::priority(lang, priority.as_str())
        }),
        priority_code: priority.as_str(),
        assignee: r.assignee_name.clone(),
        seen_assignee: r.assignee_id.clone().unwrap_or_else(|| "none".to_owned()),
        // A finished case (refused, withdrawn, closed) waits for no one.
        age: if is_open(r) {
            words.age(lang, since(r), at)
        } else {
            words.word("empty", "", || i18n::t(lang, "officer-case-empty-value"))
        },
        due: r.due_at.map(when),
        breached: is_breached(&r.state, r.due_at, at),
        new_message: r.awaiting_reply_since.is_some(),
        id: r.id.clone(),
    }
}

fn is_open(r: &QueueRow) -> bool {
    CaseState::parse(&r.state).is_ok_and(CaseState::is_open)
}

/// Where a case's wait is counted from.
fn since(r: &QueueRow) -> DateTime<Utc> {
    r.submitted_at.unwrap_or(r.state_changed_at)
}

/// The first instant after `at` at which `r` would be drawn differently: its age's next hour
/// or day, or, for an open case not yet late, the instant just after its deadline. `at`
/// itself when that cannot be worked out (a date at the end of the calendar): not kept.
fn next_change(r: &QueueRow, at: DateTime<Utc>) -> DateTime<Utc> {
    if !is_open(r) {
        // Neither a wait nor a deadline: drawn the same from now on.
        return DateTime::<Utc>::MAX_UTC;
    }
    let mut until = next_age_change(since(r), at).unwrap_or(at);
    let running = CaseState::parse(&r.state).is_ok_and(CaseState::counts_against_due_date);
    if let Some(due) = r.due_at
        && running
        && due >= at
    {
        // Late once `at` is past the deadline by any amount.
        let late = due
            .checked_add_signed(chrono::Duration::nanoseconds(1))
            .unwrap_or(at);
        until = until.min(late);
    }
    until
}

/// The rows as the queue's table body shows them at `at`, and the first instant at which
/// they would be drawn differently.
pub(super) fn draw(
    lang: Lang,
    base: &str,
    rows: &[QueueRow],
    at: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), AppError> {
    let mut words = RowWords::default();
    let view = QueueRows {
        rows: rows
            .iter()
            .map(|r| row_view(lang, &mut words, base, r, at))
            .collect(),
        select_label: i18n::t(lang, "officer-col-select"),
        unassigned: i18n::t(lang, "officer-unassigned"),
        overdue: i18n::t(lang, "officer-overdue"),
        new_message: i18n::t(lang, "officer-queue-new-message"),
    };
    // About 750 bytes a row.
    let mut html = String::with_capacity(1_024 * rows.len() + 64);
    view.render_into(&mut html).map_err(AppError::internal)?;
    let until = rows
        .iter()
        .map(|r| next_change(r, at))
        .min()
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    Ok((html, until))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn row(state: &str, since: DateTime<Utc>, due: Option<DateTime<Utc>>) -> QueueRow {
        QueueRow {
            id: format!("case-{state}-{}", since.timestamp()),
            reference: None,
            kind: "visa".into(),
            state: state.into(),
            priority: 2,
            applicant_name: "Amal <Hassan>".into(),
            assignee_id: None,
            assignee_name: None,
            service_name_ar: "تأشيرة".into(),
            service_name_en: "Visa".into(),
            submitted_at: Some(since),
            state_changed_at: since,
            due_at: due,
            escalation_level: 0,
            courier: false,
            awaiting_reply_since: None,
        }
    }

    fn drawn(lang: Lang, rows: &[QueueRow], at: DateTime<Utc>) -> (String, DateTime<Utc>) {
        draw(lang, "/missions/PAR/cases", rows, at).unwrap()
    }

    #[test]
    fn rows_are_drawn_the_same_until_the_instant_given_and_differently_from_it() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 123_456_000).unwrap();
        let m = Duration::minutes;
        let tick = Duration::nanoseconds(1);
        // Ages in hours and in days, a deadline ahead, one missed, a closed case past its
        // deadline (never marked), cases submitted "in the future" (a clock set back).
        let cases = [
            row("submitted", t0 - m(125), Some(t0 + m(50))),
            row("in_review", t0 - m(60 * 30 + 7), None),
            row("in_review", t0 - m(61), Some(t0 - m(1))),
            row("closed", t0 - m(20), Some(t0 + m(5))),
            row("submitted", t0 + m(10), None),
        ];
        for lang in [Lang::En, Lang::Ar] {
            for one in &cases {
                let rows = std::slice::from_ref(one);
                let mut at = t0;
                // Walk a row's drawings across three days, change by change.
                for _ in 0..80 {
                    let (html, until) = drawn(lang, rows, at);
                    assert!(until > at, "{until} after {at}");
                    if until == DateTime::<Utc>::MAX_UTC {
                        break;
                    }
                    for probe in [at + (until - at) / 2, until - tick] {
                        assert_eq!(drawn(lang, rows, probe).0, html, "{lang:?} at {probe}");
                    }
                    assert_ne!(drawn(lang, rows, until).0, html, "{lang:?} at {until}");
                    at = until;
                    if at > t0 + Duration::days(3) {
                        break;
                    }
                }
            }
            // A page changes when its first row does.
            let (_, until) = drawn(lang, &cases, t0);
            let first = cases
                .iter()
                .map(|r| drawn(lang, std::slice::from_ref(r), t0).1);
            assert_eq!(Some(until), first.min());
        }
    }

    #[test]
    fn a_missed_deadline_is_marked_from_just_after_it() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let rows = [row("submitted", t0 - Duration::minutes(30), Some(t0))];
        let (at_deadline, until) = drawn(Lang::En, &rows, t0);
        assert!(!at_deadline.contains("overdue"), "{at_deadline}");
        assert_eq!(until, t0 + Duration::nanoseconds(1));
        let (after, _) = drawn(Lang::En, &rows, until);
        assert!(after.contains("badge overdue"), "{after}");
    }

    #[test]
    fn a_finished_case_waits_for_no_one_and_one_ready_is_not_late() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let d = Duration::days;
        let closed = [row("closed", t0 - d(40), Some(t0 - d(30)))];
        let (html, until) = drawn(Lang::En, &closed, t0);
        assert!(
            !html.contains("40 days") && html.contains("<td>—</td>"),
            "{html}"
        );
        assert_eq!(until, DateTime::<Utc>::MAX_UTC);
        let ready = [row("ready_for_collection", t0 - d(16), Some(t0 - d(6)))];
        let (html, _) = drawn(Lang::En, &ready, t0);
        assert!(
            html.contains("16 days") && !html.contains("badge overdue"),
            "{html}"
        );
    }

    #[test]
    fn each_language_draws_its_own_words_and_names() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let rows = [row("submitted", t0 - Duration::hours(30), None)];
        let (en, _) = drawn(Lang::En, &rows, t0);
        let (ar, _) = drawn(Lang::Ar, &rows, t0);
        assert!(
            en.contains("<bdi>Visa</bdi>") && !en.contains("تأشيرة"),
            "{en}"
        );
        assert!(ar.contains("<bdi>تأشيرة</bdi>"), "{ar}");
        assert!(en.contains("Amal &#60;Hassan&#62;") || en.contains("Amal &lt;Hassan&gt;"));
    }
}
