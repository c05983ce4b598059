//! The queue's filters: read from the query string without ever failing, checked against the
//! mission's services and officers into the store's `QueueFilter`, with a field error for
//! each value that cannot be read; and the keyset cursor of the next page.

use chrono::{DateTime, Duration, Utc};
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use safir_store::consular::cases::{AssigneeFilter, QueueFilter, QueueRow};
use safir_store::consular::services::Service;
use safir_store::missions::Mission;

use super::Officer;
use crate::error::{FieldError, FieldErrors};

const PAGE_SIZE: i64 = 50;
const SEARCH_MAX: usize = 100;

/// The queue's filters as typed in the query string.
#[derive(Debug, Clone, Default)]
pub(super) struct QueueParams {
    pub states: Vec<String>,
    pub kind: String,
    pub service: String,
    pub priority: String,
    pub assignee: String,
    pub breached: bool,
    /// Only cases where the applicant's message waits for the mission's reply.
    pub new_message: bool,
    pub older_than: String,
    pub q: String,
    /// Keyset cursor `rank_micros_id` of the previous page's last row.
    pub after: String,
    pub per: String,
}

/// What the filters are checked against.
pub(super) struct FilterContext<'a> {
    pub mission: &'a Mission,
    pub services: &'a [Service],
    pub officers: &'a [Officer],
    pub me: &'a str,
    pub now: DateTime<Utc>,
}

impl QueueParams {
    /// Reads the query string; never fails (undecodable bytes become U+FFFD and are then
    /// refused by the checks like any other unknown value).
    pub fn parse(raw: Option<&str>) -> QueueParams {
        let mut p = QueueParams::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "state" if !v.trim().is_empty() => p.states.push(v),
                "kind" => p.kind = v,
                "service" => p.service = v,
                "priority" => p.priority = v,
                "assignee" => p.assignee = v,
                "breached" => p.breached = matches!(v.trim(), "1" | "on" | "true"),
                "new_message" => p.new_message = matches!(v.trim(), "1" | "on" | "true"),
                "older_than" => p.older_than = v,
                "q" => p.q = v,
                "after" => p.after = v,
                "per" => p.per = v,
                _ => {}
            }
        }
        p
    }

    pub fn page_size(&self) -> i64 {
        safir_domain::ascii_number(self.per.trim())
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .unwrap_or(PAGE_SIZE)
    }

    /// The store filter and the fields that could not be read.
    pub fn filter(&self, cx: &FilterContext<'_>) -> (QueueFilter, FieldErrors) {
        let mut bad: Vec<&str> = Vec::new();
        let mut states = Vec::new();
        for s in &self.states {
            match CaseState::parse(s) {
                // Drafts are the applicant's until submitted.
                Ok(st) if st != CaseState::Draft => {
                    if !states.contains(&st) {
                        states.push(st);
                    }
                }
                _ => bad.push("state"),
            }
        }
        let kind = match self.kind.trim() {
            "" => None,
            k => CaseKind::parse(k).map_err(|_| bad.push("kind")).ok(),
        };
        let service_id = match self.service.trim() {
            "" => None,
            s => match cx.services.iter().find(|x| x.id == s) {
                Some(x) => Some(x.id.clone()),
                None => {
                    bad.push("service");
                    None
                }
            },
        };
        let priority = match self.priority.trim() {
            "" => None,
            p => Priority::parse(p).map_err(|_| bad.push("priority")).ok(),
        };
        let assignee = match self.assignee.trim() {
            "" | "any" => AssigneeFilter::Any,
            "none" => AssigneeFilter::Unassigned,
            "me" => AssigneeFilter::User(cx.me.to_owned()),
            id => match cx.officers.iter().find(|o| o.id == id) {
                Some(o) => AssigneeFilter::User(o.id.clone()),
                None => {
                    bad.push("assignee");
                    AssigneeFilter::Any
                }
            },
        };
        let mut errors = FieldErrors::new();
        let mut seen = Vec::new();
        for field in bad {
            if !seen.contains(&field) {
                seen.push(field);
                errors.add(FieldError::new(field, "consular_filter_choice"));
            }
        }
        let submitted_before = match self.older_than.trim() {
            "" => None,
            d => match safir_domain::ascii_number(d).parse::<i64>() {
                Ok(n) if (1..=3650).contains(&n) => Some(cx.now - Duration::days(n)),
                _ => {
                    errors.add(FieldError::new("older_than", "consular_filter_days"));
                    None
                }
            },
        };
        let search = self.q.trim();
        if search.chars().count() > SEARCH_MAX {
            errors.add(FieldError::new("q", "too_long").with_arg("max", SEARCH_MAX));
        }
        let filter = QueueFilter {
            mission_id: cx.mission.id.clone(),
            states,
            kind,
            service_id,
            priority,
            assignee,
            breached_at: self.breached.then_some(cx.now),
            submitted_before,
            awaiting_reply: self.new_message,
            search: (!search.is_empty()).then(|| search.to_owned()),
            after: parse_cursor(&self.after),
            limit: self.page_size(),
        };
        (filter, errors)
    }

    /// Names everything the store filter is made from but the time, the mission's services
    /// and its officers: the filters, the page position and, when the filter says "me", who
    /// "me" is.
    pub fn view_key(&self, me: &str) -> String {
        let me = if self.assignee.trim() == "me" { me } else { "" };
        format!("{}\n{}\n{}", self.query(), self.after.trim(), me)
    }

    /// The filters exactly as typed, without the page position: what the filter form shows
    /// back.
    pub fn typed(&self) -> String {
        let QueueParams {
            states,
            kind,
            service,
            priority,
            assignee,
            breached,
            new_message,
            older_than,
            q,
            after: _,
            per,
        } = self;
        format!(
            "{:?}",
            (
                states,
                kind,
                service,
                priority,
                assignee,
                breached,
                new_message,
                older_than,
                q,
                per
            )
        )
    }

    /// The filters as a query string, without the page position.
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, &str)> =
            self.states.iter().map(|s| ("state", s.as_str())).collect();
        for (k, v) in [
            ("kind", &self.kind),
            ("service", &self.service),
            ("priority", &self.priority),
            ("assignee", &self.assignee),
            ("older_than", &self.older_than),
            ("q", &self.q),
            ("per", &self.per),
        ] {
            if !v.trim().is_empty() {
                pairs.push((k, v.trim()));
            }
        }
        if self.breached {
            pairs.push(("breached", "1"));
        }
        if self.new_message {
            pairs.push(("new_message", "1"));
        }
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }
}

/// Microseconds of 0001-01-01 and of 9999-12-31, UTC: the instants a cursor may name. A
/// submission time is within them; PostgreSQL refuses a timestamp far outside them (before
/// 4713 BC), which the date library takes.
const CURSOR_RANGE: std::ops::RangeInclusive<i64> =
    -62_135_596_800_000_000..=253_402_300_799_999_999;

fn parse_cursor(s: &str) -> Option<(i32, DateTime<Utc>, String)> {
    let mut parts = s.trim().splitn(3, '_');
    let rank = parts.next()?.parse().ok()?;
    let micros = parts
        .next()?
        .parse()
        .ok()
        .filter(|m| CURSOR_RANGE.contains(m))?;
    let at = DateTime::from_timestamp_micros(micros)?;
    let id = parts.next().filter(|id| !id.is_empty())?;
    Some((rank, at, id.to_owned()))
}

pub(super) fn cursor(row: &QueueRow) -> Option<String> {
    row.submitted_at
        .map(|at| format!("{}_{}_{}", row.priority, at.timestamp_micros(), row.id))
}

/// Whether an open case's deadline has passed.
pub(super) fn is_breached(state: &str, due: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    let running = CaseState::parse(state).is_ok_and(CaseState::counts_against_due_date);
    running && due.is_some_and(|d| d < at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_ignored() {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        let row = QueueRow {
            id: "0190-ab_cd".into(),
            reference: None,
            kind: "visa".into(),
            state: "submitted".into(),
            priority: 2,
            applicant_name: String::new(),
            assignee_id: None,
            assignee_name: None,
            service_name_ar: String::new(),
            service_name_en: String::new(),
            submitted_at: Some(at),
            state_changed_at: at,
            due_at: None,
            escalation_level: 0,
            courier: false,
            awaiting_reply_since: None,
        };
        let c = cursor(&row).unwrap();
        assert_eq!(parse_cursor(&c), Some((2, at, "0190-ab_cd".to_owned())));
        // Far outside any submission time, as PostgreSQL refuses (it was a 500 there).
        let far = "2_-300000000000000000_x";
        for bad in [
            "",
            "x_1_a",
            "1_x_a",
            "1_2_",
            "1_99999999999999999999_a",
            far,
        ] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_query_string_keeps_every_filter_but_the_position() {
        let p = QueueParams::parse(Some(
            "state=submitted&state=in_review&q=%D8%A3%D9%85%D9%84&breached=1&new_message=on&after=1_2_x&assignee=me",
        ));
        assert_eq!(p.states, ["submitted", "in_review"]);
        assert_eq!(p.q, "أمل");
        assert!(p.breached);
        let again = QueueParams::parse(Some(&p.query()));
        assert_eq!(again.states, p.states);
        assert_eq!(again.q, p.q);
        assert_eq!(again.assignee, "me");
        assert!(again.breached && again.new_message);
        assert!(again.after.is_empty());
    }
}
