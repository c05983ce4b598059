//! `GET /missions/{mission}/cases`: the mission's case queue, filtered from the query string
//! and keyset-paged, with the count of cases in each state. A filter value that cannot be
//! read is shown back with its error instead of being silently dropped.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Html;
use chrono::{DateTime, Duration, Utc};
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use safir_store::consular::cases::{self, AssigneeFilter, QueueFilter, QueueRow};
use safir_store::consular::services::{self, Service};
use safir_store::missions::Mission;
use safir_store::{audit, now};

use super::{CASE_LIST, Officer, age, officers, when};
use crate::admin::support::{Actor, SelectOption};
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

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
        self.per
            .trim()
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
            d => match d.parse::<i64>() {
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
            search: (!search.is_empty()).then(|| search.to_owned()),
            after: parse_cursor(&self.after),
            limit: self.page_size(),
        };
        (filter, errors)
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
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
    }
}

fn parse_cursor(s: &str) -> Option<(i32, DateTime<Utc>, String)> {
    let mut parts = s.trim().splitn(3, '_');
    let rank = parts.next()?.parse().ok()?;
    let at = DateTime::from_timestamp_micros(parts.next()?.parse().ok()?)?;
    let id = parts.next().filter(|id| !id.is_empty())?;
    Some((rank, at, id.to_owned()))
}

pub(super) fn cursor(row: &QueueRow) -> Option<String> {
    row.submitted_at
        .map(|at| format!("{}_{}_{}", row.priority, at.timestamp_micros(), row.id))
}

/// Whether an open case's deadline has passed.
pub(super) fn is_breached(state: &str, due: Option<DateTime<Utc>>, at: DateTime<Utc>) -> bool {
    let open = CaseState::parse(state).is_ok_and(CaseState::is_open);
    open && due.is_some_and(|d| d < at)
}

/// A `<select>` (or a group of checkboxes) of the filter form.
pub(super) struct Choice {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<SelectOption>,
    pub error: Option<String>,
}

struct StateCount {
    label: String,
    count: i64,
    href: String,
}

struct RowView {
    id: String,
    href: String,
    reference: String,
    kind: String,
    service: String,
    applicant: String,
    state: String,
    priority: String,
    priority_code: &'static str,
    assignee: Option<String>,
    age: String,
    due: Option<String>,
    breached: bool,
}

#[derive(Template)]
#[template(path = "consular/officer/queue.html")]
struct QueuePage {
    page: Page,
    base: String,
    csrf_token: String,
    counts: Vec<StateCount>,
    states: Choice,
    selects: Vec<Choice>,
    breached: bool,
    older_than: Field,
    search: Field,
    rows: Vec<RowView>,
    has_errors: bool,
    next_href: Option<String>,
    first_href: Option<String>,
    export_href: String,
    bulk_actions: Vec<SelectOption>,
}

fn option(value: &str, label: String, current: &str) -> SelectOption {
    SelectOption {
        value: value.to_owned(),
        label,
        selected: value == current.trim(),
    }
}

fn choice(
    page: &Page,
    errors: &FieldErrors,
    name: &'static str,
    label_key: &str,
    options: Vec<SelectOption>,
) -> Choice {
    Choice {
        name,
        label: page.t(label_key),
        options,
        error: errors.for_field(name).map(|e| e.message(page.lang)),
    }
}

fn selects(
    page: &Page,
    p: &QueueParams,
    cx: &FilterContext<'_>,
    errors: &FieldErrors,
) -> Vec<Choice> {
    let lang = page.lang;
    let any = || option("", page.t("officer-filter-any"), "");
    let mut kinds = vec![any()];
    kinds.extend(
        CaseKind::ALL
            .iter()
            .map(|k| option(k.as_str(), labels::kind(lang, k.as_str()), &p.kind)),
    );
    let mut services = vec![any()];
    services.extend(
        cx.services
            .iter()
            .map(|s| option(&s.id, s.name(labels::content(lang)).to_owned(), &p.service)),
    );
    let mut priorities = vec![any()];
    priorities.extend(
        Priority::ALL
            .iter()
            .map(|x| option(x.as_str(), labels::priority(lang, x.as_str()), &p.priority)),
    );
    let mut assignees = vec![
        option("", page.t("officer-filter-anyone"), &p.assignee),
        option("none", page.t("officer-filter-unassigned"), &p.assignee),
        option("me", page.t("officer-filter-me"), &p.assignee),
    ];
    assignees.extend(
        cx.officers
            .iter()
            .map(|o| option(&o.id, o.name.clone(), &p.assignee)),
    );
    vec![
        choice(page, errors, "kind", "officer-filter-kind", kinds),
        choice(page, errors, "service", "officer-filter-service", services),
        choice(
            page,
            errors,
            "priority",
            "officer-filter-priority",
            priorities,
        ),
        choice(
            page,
            errors,
            "assignee",
            "officer-filter-assignee",
            assignees,
        ),
    ]
}

fn row_view(page: &Page, base: &str, r: QueueRow, at: DateTime<Utc>) -> RowView {
    let lang = page.lang;
    let priority = Priority::from_rank(r.priority);
    RowView {
        href: format!("{base}/{}", r.id),
        reference: r.reference.clone().unwrap_or_else(|| r.id.clone()),
        kind: labels::kind(lang, &r.kind),
        service: match lang {
            Lang::Ar => r.service_name_ar.clone(),
            Lang::En => r.service_name_en.clone(),
        },
        applicant: r.applicant_name.clone(),
        state: labels::state(lang, &r.state),
        priority: labels::priority(lang, priority.as_str()),
        priority_code: priority.as_str(),
        assignee: r.assignee_name.clone(),
        age: age(page, r.submitted_at.unwrap_or(r.state_changed_at), at),
        due: r.due_at.map(when),
        breached: is_breached(&r.state, r.due_at, at),
        id: r.id,
    }
}

pub async fn list_cases(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, AppError> {
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
    let per = filter.limit;
    let mut rows = Vec::new();
    if errors.is_empty() {
        // One row more than shown tells whether a next page exists.
        filter.limit = per + 1;
        rows = cases::queue(&state.db, &filter)
            .await
            .map_err(AppError::internal)?;
    }
    let has_next = rows.len() as i64 > per;
    rows.truncate(per as usize);
    let counts = cases::queue_counts(&state.db, &mission.id)
        .await
        .map_err(AppError::internal)?;
    let query = params.query();
    let summary = serde_json::json!({
        "filter": query,
        "page_after": (!params.after.is_empty()).then_some(&params.after),
        "rows": rows.len(),
    });
    let record = actor.audit(CASE_LIST, "case", None, Some(&mission.id), summary);
    audit::record(&state.db, &record)
        .await
        .map_err(AppError::internal)?;

    let base = format!("/missions/{}/cases", mission.code);
    let mut page = state.page(lang, &uri, "officer-queue-title", &viewer);
    page.title = format!("{} — {}", page.title, mission.name(labels::content(lang)));
    if !errors.is_empty() {
        let message = page.t("officer-filter-error");
        page = page.with_flash(FlashKind::Error, message);
    }
    let sep = if query.is_empty() { "" } else { "&" };
    let next_href = if has_next {
        rows.last()
            .and_then(cursor)
            .map(|c| format!("{base}?{query}{sep}after={c}"))
    } else {
        None
    };
    let first_href = (!params.after.is_empty()).then(|| format!("{base}?{query}"));
    let counts = CaseState::ALL
        .iter()
        .filter(|s| **s != CaseState::Draft)
        .map(|s| StateCount {
            label: labels::state(lang, s.as_str()),
            count: counts.get(s.as_str()).copied().unwrap_or(0),
            href: format!("{base}?state={}", s.as_str()),
        })
        .collect();
    let states = Choice {
        name: "state",
        label: page.t("officer-filter-state"),
        options: CaseState::ALL
            .iter()
            .filter(|s| **s != CaseState::Draft)
            .map(|s| SelectOption {
                value: s.as_str().to_owned(),
                label: labels::state(lang, s.as_str()),
                selected: params.states.iter().any(|x| x.trim() == s.as_str()),
            })
            .collect(),
        error: errors.for_field("state").map(|e| e.message(lang)),
    };
    let bulk_actions = ["assign_me", "unassign", "start_review", "close"]
        .iter()
        .map(|a| SelectOption {
            value: (*a).to_owned(),
            label: page.t(&format!("officer-bulk-{}", a.replace('_', "-"))),
            selected: false,
        })
        .collect();
    render(&QueuePage {
        csrf_token: state.csrf_token(&viewer),
        counts,
        states,
        selects: selects(&page, &params, &cx, &errors),
        breached: params.breached,
        older_than: Field::new(lang, "older_than", "officer-filter-older-than")
            .kind(InputKind::Number)
            .value(params.older_than.clone())
            .errors_from(lang, &errors),
        search: Field::new(lang, "q", "officer-filter-search")
            .kind(InputKind::Search)
            .value(params.q.clone())
            .errors_from(lang, &errors),
        rows: rows
            .into_iter()
            .map(|r| row_view(&page, &base, r, at))
            .collect(),
        has_errors: !errors.is_empty(),
        next_href,
        first_href,
        export_href: format!("/missions/{}/cases.csv?{query}", mission.code),
        bulk_actions,
        base,
        page,
    })
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
        };
        let c = cursor(&row).unwrap();
        assert_eq!(parse_cursor(&c), Some((2, at, "0190-ab_cd".to_owned())));
        for bad in ["", "x_1_a", "1_x_a", "1_2_", "1_99999999999999999999_a"] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_query_string_keeps_every_filter_but_the_position() {
        let p = QueueParams::parse(Some(
            "state=submitted&state=in_review&q=%D8%A3%D9%85%D9%84&breached=1&after=1_2_x&assignee=me",
        ));
        assert_eq!(p.states, ["submitted", "in_review"]);
        assert_eq!(p.q, "أمل");
        assert!(p.breached);
        let again = QueueParams::parse(Some(&p.query()));
        assert_eq!(again.states, p.states);
        assert_eq!(again.q, p.q);
        assert_eq!(again.assignee, "me");
        assert!(again.after.is_empty());
    }
}
