//! `GET /missions/{mission}/cases`: the mission's case queue, filtered from the query string
//! and keyset-paged, with the count of cases in each state. A filter value that cannot be
//! read is shown back with its error instead of being silently dropped.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::Uri;
use axum::response::Html;
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use safir_store::consular::services::Service;
use safir_store::now;

use super::filters::{FilterContext, QueueParams, cursor};
use super::{CASE_LIST, Officer, officers, queue_rows};
use crate::admin::support::{Actor, SelectOption};
use crate::auth::{MissionParam, Viewer};
use crate::consular::labels;
use crate::consular::read_cache::{self, DrawnKey, FiltersKey, QueueKey};
use crate::error::{AppError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::{Lang, t};
use crate::page::{FlashKind, Page, render_sized};
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

/// The state counts and the filter form above the table (kept drawn by `read_cache`).
#[derive(Template)]
#[template(path = "consular/officer/queue_filters.html")]
struct QueueFilters {
    lang: Lang,
    base: String,
    export_href: String,
    counts: Vec<StateCount>,
    states: Choice,
    selects: Vec<Choice>,
    breached: bool,
    new_message: bool,
    older_than: Field,
    search: Field,
}

impl QueueFilters {
    fn t(&self, key: &str) -> String {
        crate::i18n::t(self.lang, key)
    }
}

#[derive(Template)]
#[template(path = "consular/officer/queue.html")]
struct QueuePage {
    page: Page,
    base: String,
    csrf_token: String,
    /// Drawn by [`QueueFilters`], or kept drawn.
    filters_html: Arc<str>,
    has_rows: bool,
    /// The table's rows, drawn (or kept drawn) by `queue_rows`.
    rows_html: Arc<str>,
    has_errors: bool,
    next_href: Option<String>,
    first_href: Option<String>,
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
    lang: Lang,
    errors: &FieldErrors,
    name: &'static str,
    label_key: &str,
    options: Vec<SelectOption>,
) -> Choice {
    Choice {
        name,
        label: t(lang, label_key),
        options,
        error: errors.for_field(name).map(|e| e.message(lang)),
    }
}

fn selects(
    lang: Lang,
    p: &QueueParams,
    services: &[Service],
    officers: &[Officer],
    errors: &FieldErrors,
) -> Vec<Choice> {
    let any = || option("", t(lang, "officer-filter-any"), "");
    let mut kinds = vec![any()];
    kinds.extend(
        CaseKind::ALL
            .iter()
            .map(|k| option(k.as_str(), labels::kind(lang, k.as_str()), &p.kind)),
    );
    let mut service_options = vec![any()];
    service_options.extend(
        services
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
        option("", t(lang, "officer-filter-anyone"), &p.assignee),
        option("none", t(lang, "officer-filter-unassigned"), &p.assignee),
        option("me", t(lang, "officer-filter-me"), &p.assignee),
    ];
    assignees.extend(
        officers
            .iter()
            .map(|o| option(&o.id, o.name.clone(), &p.assignee)),
    );
    vec![
        choice(lang, errors, "kind", "officer-filter-kind", kinds),
        choice(
            lang,
            errors,
            "service",
            "officer-filter-service",
            service_options,
        ),
        choice(
            lang,
            errors,
            "priority",
            "officer-filter-priority",
            priorities,
        ),
        choice(
            lang,
            errors,
            "assignee",
            "officer-filter-assignee",
            assignees,
        ),
    ]
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
    let key = QueueKey {
        mission_id: mission.id.clone(),
        view: params.view_key(actor.id()),
    };
    if errors.is_empty() {
        // One row more than shown tells whether a next page exists.
        filter.limit = per + 1;
        found = read_cache::queue_rows(&state, key.clone(), &filter).await?;
    }
    let has_next = found.len() as i64 > per;
    let rows = &found[..found.len().min(per as usize)];
    let counts = crate::consular::counts::case_counts(&state, &mission.id).await?;
    let query = params.query();
    // The cases shown, by id as the API's record of a page names them: whose data an officer
    // read is told by the trail, whatever the filters matched at the time.
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let summary = serde_json::json!({
        "filter": query,
        "page_after": (!params.after.is_empty()).then_some(&params.after),
        "rows": rows.len(),
        "cases": ids,
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
    let export_href = format!("/missions/{}/cases.csv?{query}", mission.code);
    let draw_filters = |counts: &BTreeMap<String, i64>, officers: &[Officer]| {
        QueueFilters {
            lang,
            base: base.clone(),
            export_href,
            counts: CaseState::ALL
                .iter()
                .filter(|s| **s != CaseState::Draft)
                .map(|s| StateCount {
                    label: labels::state(lang, s.as_str()),
                    count: counts.get(s.as_str()).copied().unwrap_or(0),
                    href: format!("{base}?state={}", s.as_str()),
                })
                .collect(),
            states: Choice {
                name: "state",
                label: t(lang, "officer-filter-state"),
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
            },
            selects: selects(lang, &params, &services, officers, &errors),
            breached: params.breached,
            new_message: params.new_message,
            older_than: Field::new(lang, "older_than", "officer-filter-older-than")
                .kind(InputKind::Number)
                .value(params.older_than.clone())
                .errors_from(lang, &errors),
            search: Field::new(lang, "q", "officer-filter-search")
                .kind(InputKind::Search)
                .hint(lang, "officer-filter-search-hint")
                .value(params.q.clone())
                .errors_from(lang, &errors),
        }
        .render()
        .map_err(AppError::internal)
    };
    let filters_html = if errors.is_empty() {
        let key = FiltersKey {
            mission_id: mission.id.clone(),
            lang,
            typed: params.typed(),
        };
        read_cache::drawn_queue_filters(&state, key, counts, &services, officers, draw_filters)?
    } else {
        Arc::from(draw_filters(&counts, &officers)?)
    };
    let bulk_actions = ["assign_me", "unassign", "start_review", "close"]
        .iter()
        .map(|a| SelectOption {
            value: (*a).to_owned(),
            label: page.t(&format!("officer-bulk-{}", a.replace('_', "-"))),
            selected: false,
        })
        .collect();
    let rows_html = if rows.is_empty() {
        Arc::from("")
    } else {
        let key = DrawnKey { queue: key, lang };
        read_cache::drawn_queue_rows(&state, key, &found, &base, at, || {
            queue_rows::draw(lang, &base, rows, at)
        })?
    };
    let size = rows_html.len() + filters_html.len() + 8 * 1_024;
    render_sized(
        &QueuePage {
            csrf_token: state.csrf_token(&viewer),
            filters_html,
            has_rows: !rows.is_empty(),
            has_errors: !errors.is_empty(),
            next_href,
            first_href,
            bulk_actions,
            base,
            page,
            rows_html,
        },
        // The rest of the page (navigation, table head, bulk actions) is under 8 KB.
        size,
    )
}
