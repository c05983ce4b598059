//! The audit trail for administrators: filtered browsing, newest first with an "older" link
//! (keyset on `seq`), and a check of the hash chain.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Html;
use chrono::{DateTime, NaiveDate, Utc};
use fluent_bundle::FluentArgs;
use safir_store::audit::{self, AuditFilter, AuditRecord, ChainCheck, ChainHead};
use safir_store::missions::{self, Mission};

use safir_domain::audit::actions;

use super::support::{Actor, SelectOption};
use crate::auth::Viewer;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::forms::{Field, InputKind};
use crate::i18n::{I18n, Lang};
use crate::page::{Page, render};
use crate::state::AppState;

const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditParams {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    /// A mission code.
    #[serde(default)]
    mission: String,
    #[serde(default)]
    target: String,
    /// `YYYY-MM-DD`, inclusive, a day in UTC (the trail's times are UTC).
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// The page (or the export) starts below this record.
    pub(super) before: Option<i64>,
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn date(s: &str) -> Result<Option<NaiveDate>, ()> {
    match s.trim() {
        "" => Ok(None),
        d => safir_domain::iso_date(d).map(Some).ok_or(()),
    }
}

impl AuditParams {
    /// The store filter; unreadable dates, and a range whose end comes before its start, are
    /// reported and left out of the filter.
    pub fn filter(&self, all: &[Mission]) -> (AuditFilter, FieldErrors) {
        let mut errors = FieldErrors::new();
        let mut day = |field: &str, value: &str, end: bool| -> Option<DateTime<Utc>> {
            match date(value) {
                Ok(d) => d.and_then(|d| {
                    let t = if end {
                        d.and_hms_micro_opt(23, 59, 59, 999_999)
                    } else {
                        d.and_hms_opt(0, 0, 0)
                    };
                    t.map(|t| t.and_utc())
                }),
                Err(()) => {
                    errors.add(FieldError::new(field, "admin_date_invalid"));
                    None
                }
            }
        };
        let mut from = day("from", &self.from, false);
        let mut to = day("to", &self.to, true);
        // A reversed range matches nothing: said beside the end date, as the API does, rather
        // than an empty list that reads as "nothing happened".
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            errors.add(FieldError::new("to", "admin_date_before_from"));
            (from, to) = (None, None);
        }
        let mission_id = non_empty(&self.mission).map(|code| {
            all.iter()
                .find(|m| m.code.eq_ignore_ascii_case(&code))
                .map(|m| m.id.clone())
                // An unknown code matches nothing rather than everything.
                .unwrap_or(code)
        });
        let filter = AuditFilter {
            actor: non_empty(&self.actor).map(|a| safir_store::audit::actor_filter(&a)),
            action: non_empty(&self.action),
            mission_id,
            target_id: non_empty(&self.target),
            from,
            to,
            before_seq: self.before,
        };
        (filter, errors)
    }

    /// These filters as a query string, without the page position.
    pub fn query(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("mission", &self.mission),
            ("target", &self.target),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| {
            format!(
                "{k}={}",
                form_urlencoded::byte_serialize(v.trim().as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
    }
}

struct Row {
    seq: i64,
    /// When, as a day and a time: the trail's narrow column shows one above the other.
    day: String,
    time: String,
    actor: String,
    action: String,
    /// What the action is, in the page's language (absent for an action with no label yet).
    action_label: Option<String>,
    target: String,
    mission: String,
    client_ip: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    page: Page,
    csrf_token: String,
    actor: Field,
    actions: Vec<SelectOption>,
    target: Field,
    from: Field,
    to: Field,
    missions: Vec<SelectOption>,
    rows: Vec<Row>,
    export_href: String,
    older_href: Option<String>,
    newest_href: Option<String>,
    check: Option<String>,
    check_ok: bool,
    head: Option<HeadView>,
}

/// The chain's head as the check found it, to note down and compare with later.
struct HeadView {
    /// "The newest record is number 1234; its hash:"
    text: String,
    hash: String,
    /// Why it is worth noting: what the chain alone cannot show.
    note: String,
}

/// Every action the workspace records, by code (a test scans the code for them): the choices
/// of the page's action filter. The filter still takes any code in its address.
pub(crate) const ACTIONS: &[&str] = &[
    "alert.approve",
    "alert.cancel",
    "alert.create",
    "alert.edit",
    "alert.import",
    "alert.preview",
    "alert.reject",
    "alert.submit",
    "appointment.cancel",
    "appointment.read",
    "appointment_closure.create",
    "appointment_closure.remove",
    "appointment_rule.create",
    "appointment_rule.remove",
    "audit.export",
    "audit.read",
    "case.approve",
    "case.assign",
    "case.close",
    "case.escalate",
    "case.export",
    "case.list",
    "case.message",
    "case.note",
    "case.open_etd",
    "case.priority",
    "case.provide_info",
    "case.purge",
    "case.read",
    "case.ready_for_collection",
    "case.reject",
    "case.request_info",
    "case.start_review",
    "case.submit",
    "case.withdraw",
    "crisis.board_export",
    "crisis.board_read",
    "crisis.checkin_help",
    "crisis.close",
    "crisis.declare",
    "crisis.geojson_export",
    "crisis.my_data.delete",
    "crisis.my_data.export",
    "crisis.pfif_export",
    "crisis.pfif_import",
    "crisis.presence",
    "crisis_webhook.create",
    "crisis_webhook.disable",
    "document.read",
    "document.rescan",
    "evisa.issue",
    "evisa.key_rotate",
    "evisa.read",
    "evisa.revoke",
    "job.read",
    "job.retry",
    "listen_dataset.create",
    "listen_monitor.create",
    "listen_monitor.subscribe",
    "mission.create",
    "mission.update",
    "role.grant",
    "role.revoke",
    "service.create",
    "service.update",
    "token.create",
    "token.revoke",
    "travel_advice.publish",
    "user.create",
    "user.disable",
    "user.enable",
    "user.password_reset",
    "user.profile_update",
    "user.read",
    "user.recovery_code_used",
    "user.recovery_codes_replace",
    "user.two_factor_enable",
    "user.two_factor_reset",
];

/// The label of an audit action in `lang`: the message `audit-action-<code>`, the code's `.`
/// and `_` written `-`. `None` when the catalog has none, and the page shows the code alone.
pub(crate) fn action_label(lang: Lang, action: &str) -> Option<String> {
    let key = format!("audit-action-{}", action.replace(['.', '_'], "-"));
    let i18n = I18n::global();
    i18n.has(lang, &key).then(|| i18n.t(lang, &key))
}

fn row(r: AuditRecord, all: &[Mission], lang: Lang) -> Row {
    let mission = r
        .mission_id
        .as_deref()
        .map(|id| {
            all.iter()
                .find(|m| m.id == id)
                .map(|m| m.code.clone())
                .unwrap_or_else(|| id.to_owned())
        })
        .unwrap_or_default();
    Row {
        seq: r.seq,
        day: r.at.format("%Y-%m-%d").to_string(),
        time: r.at.format("%H:%M:%S UTC").to_string(),
        actor: r.actor_label,
        action_label: action_label(lang, &r.action),
        action: r.action,
        target: match r.target_id {
            Some(id) => format!("{} {id}", r.target_type),
            None => r.target_type,
        },
        mission,
        client_ip: r.client_ip.unwrap_or_default(),
        summary: r.summary,
    }
}

async fn audit_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    (viewer, actor): (&Viewer, &Actor),
    params: &AuditParams,
    check: Option<(ChainCheck, Option<ChainHead>)>,
) -> Result<Html<String>, AppError> {
    let all = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let (filter, errors) = params.filter(&all);
    // One record more than a page: whether there are older ones to link to.
    let (records, more) = page_of(
        audit::list(&state.db, &filter, PAGE_SIZE + 1)
            .await
            .map_err(AppError::internal)?,
        PAGE_SIZE,
    );
    // The trail names people and what they did: reading it is on record too.
    let summary = serde_json::json!({
        "filters": params.query(),
        "before": params.before,
        "records": records.len(),
    });
    let record = actor.audit(actions::AUDIT_READ, "audit_log", None, None, summary);
    state.audit.record(record).await?;
    let query = params.query();
    let sep = if query.is_empty() { "" } else { "&" };
    let older_href = more
        .then(|| {
            records
                .last()
                .map(|r| format!("/admin/audit?{query}{sep}before={}", r.seq))
        })
        .flatten();
    let newest_href = params.before.map(|_| format!("/admin/audit?{query}"));
    let page = state.page(lang, uri, "admin-audit-title", viewer);
    let field = |name: &str, label: &str, value: &str| {
        Field::new(lang, name, label)
            .value(value)
            .errors_from(lang, &errors)
    };
    // The head of an intact chain: deleting the newest records leaves a chain that is still
    // whole, and only this head compared with one noted earlier (or an earlier export's last
    // line) shows it.
    let head = match &check {
        Some((ChainCheck::Intact { .. }, Some(h))) => Some(HeadView {
            text: {
                let mut args = FluentArgs::new();
                args.set("seq", h.seq.to_string());
                page.t_args("admin-audit-chain-head", &args)
            },
            hash: h.hash.clone(),
            note: page.t("admin-audit-chain-head-note"),
        }),
        _ => None,
    };
    let (check, check_ok) = match check.map(|(c, _)| c) {
        None => (None, false),
        Some(ChainCheck::Intact { records }) => (
            Some(page.t_count("admin-audit-chain-intact", records as i64)),
            true,
        ),
        Some(ChainCheck::Broken { seq, reason }) => {
            let reason_key = match reason {
                "record missing" => "admin-audit-reason-missing",
                "link to previous record altered" => "admin-audit-reason-link",
                _ => "admin-audit-reason-content",
            };
            // "…broken at record 5: the record's content was altered." in both languages.
            let text = format!(
                "{} {seq}: {}.",
                page.t("admin-audit-chain-broken"),
                page.t(reason_key)
            );
            (Some(text), false)
        }
    };
    let chosen = params.action.trim();
    let mut actions: Vec<SelectOption> = ACTIONS
        .iter()
        .chain((!chosen.is_empty() && !ACTIONS.contains(&chosen)).then_some(&chosen))
        .map(|code| SelectOption {
            value: (*code).to_owned(),
            label: match action_label(lang, code) {
                Some(label) => format!("{label} ({code})"),
                None => (*code).to_owned(),
            },
            selected: *code == chosen,
        })
        .collect();
    actions.sort_by_cached_key(|o| crate::staff::labels::sort_key(&o.label));
    actions.insert(
        0,
        SelectOption {
            value: String::new(),
            label: page.t("admin-audit-any-action"),
            selected: chosen.is_empty(),
        },
    );
    let mut missions: Vec<SelectOption> = vec![SelectOption {
        value: String::new(),
        label: page.t("admin-audit-any-mission"),
        selected: params.mission.trim().is_empty(),
    }];
    missions.extend(all.iter().map(|m| SelectOption {
        value: m.code.clone(),
        label: format!(
            "{} ({})",
            m.name(crate::staff::labels::content_lang(lang)),
            m.code
        ),
        selected: m.code.eq_ignore_ascii_case(params.mission.trim()),
    }));
    render(&AuditPage {
        csrf_token: state.csrf_token(viewer),
        actor: field("actor", "admin-audit-actor", &params.actor),
        actions,
        target: field("target", "admin-audit-target", &params.target),
        from: field("from", "admin-audit-from", &params.from).kind(InputKind::Date),
        to: field("to", "admin-audit-to", &params.to).kind(InputKind::Date),
        missions,
        rows: records.into_iter().map(|r| row(r, &all, lang)).collect(),
        export_href: format!("/admin/audit/export.csv?{query}"),
        older_href,
        newest_href,
        check,
        check_ok,
        head,
        page,
    })
}

/// The first `size` of `rows` (fetched one more than a page), and whether there were more:
/// an "older" link only when an older page has something on it.
fn page_of<T>(mut rows: Vec<T>, size: i64) -> (Vec<T>, bool) {
    let size = usize::try_from(size).unwrap_or(0);
    let more = rows.len() > size;
    rows.truncate(size);
    (rows, more)
}

pub async fn list_audit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Query(params): Query<AuditParams>,
) -> Result<Html<String>, AppError> {
    audit_page(&state, lang, &uri, (&viewer, &actor), &params, None).await
}

pub async fn verify_chain(
    State(state): State<AppState>,
    lang: Lang,
    viewer: Viewer,
    actor: Actor,
) -> Result<Html<String>, AppError> {
    let check = audit::verify_with_head(&state.db)
        .await
        .map_err(AppError::internal)?;
    let uri = Uri::from_static("/admin/audit");
    audit_page(
        &state,
        lang,
        &uri,
        (&viewer, &actor),
        &AuditParams::default(),
        Some(check),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn older_records_are_linked_only_when_there_are_some() {
        assert_eq!(page_of(vec![1, 2, 3], 3), (vec![1, 2, 3], false));
        assert_eq!(page_of(vec![1, 2, 3, 4], 3), (vec![1, 2, 3], true));
        assert_eq!(page_of(Vec::<i32>::new(), 3), (vec![], false));
    }

    #[test]
    fn a_reversed_date_range_is_refused_beside_its_end() {
        let params = AuditParams {
            from: "2030-05-02".into(),
            to: "2030-05-01".into(),
            ..AuditParams::default()
        };
        let (filter, errors) = params.filter(&[]);
        let e = errors.for_field("to").unwrap();
        assert_eq!(e.code, "admin_date_before_from");
        assert_eq!(
            e.message(Lang::En),
            "The end date must not be before the start date."
        );
        assert!(filter.from.is_none() && filter.to.is_none());
        // One day is a range: from its start to its end.
        let params = AuditParams {
            to: "2030-05-02".into(),
            ..params
        };
        let (filter, errors) = params.filter(&[]);
        assert!(errors.is_empty());
        assert!(filter.from.unwrap() < filter.to.unwrap());
    }
}
