//! `GET /missions/{mission}/cases`: the mission's case queue, filtered from the query string
//! and keyset-paged, with the count of cases in each state. A filter value that cannot be
//! read is shown back with its error instead of being silently dropped.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Html;
use chrono::{DateTime, Utc};
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use safir_store::consular::cases::QueueRow;
use safir_store::now;

use super::filters::{FilterContext, QueueParams, cursor, is_breached};
use super::{CASE_LIST, age_key, age_words, officers, when};
use crate::admin::support::{Actor, SelectOption};
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::consular::read_cache::{self, QueueKey};
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

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

/// The translated words of a page of rows, each looked up once per page however many rows
/// repeat it (a page has a handful of states, kinds, priorities and ages across 50 rows).
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

    fn age(&mut self, page: &Page, since: DateTime<Utc>, at: DateTime<Utc>) -> String {
        let key = age_key(since, at);
        self.ages
            .entry(key)
            .or_insert_with(|| age_words(page, key))
            .clone()
    }
}

/// Age and missed deadline are worked out here, at `at`, never kept: a row read a moment
/// ago (see `consular::read_cache`) still shows its age now.
fn row_view(
    page: &Page,
    words: &mut RowWords,
    base: &str,
    r: &QueueRow,
    at: DateTime<Utc>,
) -> RowView {
    let lang = page.lang;
    let priority = Priority::from_rank(r.priority);
    RowView {
        href: format!("{base}/{}", r.id),
        reference: r.reference.clone().unwrap_or_else(|| r.id.clone()),
        kind: words.word("kind", &r.kind, || labels::kind(lang, &r.kind)),
        service: match lang {
            Lang::Ar => r.service_name_ar.clone(),
            Lang::En => r.service_name_en.clone(),
        },
        applicant: r.applicant_name.clone(),
        state: words.word("state", &r.state, || labels::state(lang, &r.state)),
        priority: words.word("priority", priority.as_str(), || {
            labels::priority(lang, priority.as_str())
        }),
        priority_code: priority.as_str(),
        assignee: r.assignee_name.clone(),
        age: words.age(page, r.submitted_at.unwrap_or(r.state_changed_at), at),
        due: r.due_at.map(when),
        breached: is_breached(&r.state, r.due_at, at),
        id: r.id.clone(),
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
    let services = read_cache::mission_services(&state, &mission.id).await?;
    let officers = officers(&state, &mission).await?;
    let at = now();
    let cx = FilterContext {
        mission: &mission,
        services: &services[..],
        officers: &officers,
        me: actor.id(),
        now: at,
    };
    let (mut filter, errors) = params.filter(&cx);
    let per = filter.limit;
    let mut found = Arc::default();
    if errors.is_empty() {
        // One row more than shown tells whether a next page exists.
        filter.limit = per + 1;
        let key = QueueKey {
            mission_id: mission.id.clone(),
            view: params.view_key(actor.id()),
        };
        found = read_cache::queue_rows(&state, key, &filter).await?;
    }
    let found: &[QueueRow] = &found;
    let has_next = found.len() as i64 > per;
    let rows = &found[..found.len().min(per as usize)];
    let counts = crate::consular::counts::case_counts(&state, &mission.id).await?;
    let query = params.query();
    let summary = serde_json::json!({
        "filter": query,
        "page_after": (!params.after.is_empty()).then_some(&params.after),
        "rows": rows.len(),
    });
    let record = actor.audit(CASE_LIST, "case", None, Some(&mission.id), summary);
    state.audit.record(record).await?;

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
    let mut words = RowWords::default();
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
            .iter()
            .map(|r| row_view(&page, &mut words, &base, r, at))
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
