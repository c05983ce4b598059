//! `GET /missions/{mission}/cases/{case}`: one case as an officer works it — what the
//! applicant declared, the history, the conversation with internal notes set apart, and a
//! form for each thing the officer may do now. Every showing is recorded as a read.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Html;
use fluent_bundle::FluentArgs;
use safir_domain::consular::case::{
    Actor as Side, CaseAction, CaseKind, Priority, REFUSAL_REASONS,
};
use safir_domain::consular::forms::{fields, position};
use safir_store::consular::appointments;
use safir_store::consular::cases::{self, Case};
use safir_store::consular::services;
use safir_store::missions::Mission;
use safir_store::{accounts, now};

use super::filters::is_breached;
use super::{CASE_READ, by, mission_case, officers, when};
use crate::admin::support::{Actor, SelectOption};
use crate::auth::{MissionParam, Viewer};
use crate::consular::appointments::labels as appointment_labels;
use crate::consular::labels;
use crate::consular::workflow;
use crate::error::{AppError, FieldErrors};
use crate::forms::Field;
use crate::i18n::{Lang, t};
use crate::page::{FlashKind, Page, render, tel_href};
use crate::state::AppState;

/// What the officer typed into the page's forms, shown again when one is refused.
#[derive(Debug, Default)]
pub(super) struct Typed {
    /// The decision chosen (`request_info`, `approve` or `reject`), its inputs shown.
    pub action: String,
    pub request: String,
    pub reject_reason: String,
    pub reject_message: String,
    pub approve_message: String,
    pub note: String,
    pub message: String,
    pub errors: FieldErrors,
}

struct Detail {
    label: String,
    value: String,
    /// A link for the value: a phone number to dial.
    href: Option<String>,
}

impl Detail {
    /// A value shown as text.
    fn new(label: String, value: String) -> Detail {
        Detail {
            label,
            value,
            href: None,
        }
    }
}

struct EventView {
    at: String,
    action: String,
    to: String,
    actor: String,
    reason: Option<String>,
}

struct MessageView {
    at: String,
    author: String,
    body: String,
    internal: bool,
}

/// One action the officer may take now, with the inputs it needs.
struct ActionForm {
    code: &'static str,
    label: String,
    /// The decision chosen when the form comes back refused.
    checked: bool,
}

/// Where the mission's word reaches an applicant without an account.
struct Reached {
    email: Option<String>,
    /// The number as given, and to dial.
    phone: Option<(String, Option<String>)>,
}

#[derive(Template)]
#[template(path = "consular/officer/case.html")]
struct CasePage {
    page: Page,
    base: String,
    href: String,
    csrf_token: String,
    reference: String,
    state_code: String,
    /// The case's version as the page shows it (`super::case_version`), sent back with a move
    /// so that one decided from a page older than the case's last move is refused.
    version: String,
    state: String,
    details: Vec<Detail>,
    breached: bool,
    declared: Vec<Detail>,
    /// Where an emergency's applicant said they are, on a public map (opened by the officer's
    /// choice; the page's address is not sent with it).
    map_href: Option<String>,
    /// The appointments booked for the case, on the mission's clock.
    appointments: Vec<appointment_labels::Moment>,
    events: Vec<EventView>,
    messages: Vec<MessageView>,
    /// An applicant without an account (a crisis check-in's call for help): where the
    /// mission's word reaches them, an address and a number to dial, if anywhere.
    reached: Option<Reached>,
    actions: Vec<ActionForm>,
    /// A move that takes a text or a reason is open (a case under review): one form, a
    /// choice among the moves, each choice's inputs beside it; otherwise the move is a button.
    decision: bool,
    action_error: Option<String>,
    reasons: Vec<SelectOption>,
    reason_error: Option<String>,
    request: Field,
    reject_message: Field,
    approve_message: Field,
    assignees: Vec<SelectOption>,
    /// Who works the case as the page shows it (`none`: nobody), sent back with a change of
    /// assignment so that one made by a colleague meanwhile is not overwritten unseen.
    seen_assignee: String,
    priorities: Vec<SelectOption>,
    /// The priority as the page shows it, sent back with a change of it (as `seen_assignee`).
    seen_priority: &'static str,
    note: Field,
    message: Field,
    /// The documents filed under the case (officers read, they do not upload here).
    case_documents: Vec<crate::consular::case_documents::CaseDocument>,
    upload_kinds: Vec<crate::consular::case_documents::KindChoice>,
    upload_kind: String,
    upload_error: Option<String>,
    /// The e-visa of an approved visa application.
    /// The e-visa's page, and whether it was revoked.
    evisa: Option<(String, bool)>,
    id: String,
    /// Still waiting for someone at the mission: it can be assigned and triaged.
    open: bool,
    /// A lost passport reported as an emergency can become a travel-document application.
    offers_etd: bool,
    /// The line naming the travel-document application this emergency already opened.
    etd_opened: Option<String>,
}

/// A place on OpenStreetMap, marked, at street level.
fn map_href(lat: f64, lon: f64) -> String {
    format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}")
}

/// A stored reason: a decision code in words, or the text of a request as written.
fn shown_reason(lang: Lang, reason: &str) -> String {
    if REFUSAL_REASONS.contains(&reason) || reason == "approved" {
        labels::reason(lang, reason)
    } else {
        reason.to_owned()
    }
}

/// Names of the people in the history and the conversation.
async fn names(
    state: &AppState,
    lang: Lang,
    case: &Case,
    known: &[super::Officer],
    ids: impl Iterator<Item = String>,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let name = if id == case.applicant_id {
            t(lang, "officer-case-actor-applicant")
        } else if let Some(o) = known.iter().find(|o| o.id == id) {
            o.name.clone()
        } else {
            // Ministry staff without a grant at this mission (administrators).
            accounts::find_user(&state.db, &id)
                .await
                .map(|u| u.display_name)
                .unwrap_or_else(|_| t(lang, "officer-case-empty-value"))
        };
        out.insert(id, name);
    }
    out
}

/// Renders the case page and records the read.
#[allow(clippy::too_many_arguments)]
pub(super) async fn case_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    actor: &Actor,
    mission: &Mission,
    case: &Case,
    typed: &Typed,
    notice: Option<(FlashKind, String)>,
) -> Result<Html<String>, AppError> {
    let kind = case.kind().map_err(AppError::internal)?;
    let current = case.state().map_err(AppError::internal)?;
    let service = services::find(&state.db, &case.service_id)
        .await
        .map_err(AppError::internal)?;
    let events = cases::events(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    let messages = cases::list_messages(&state.db, &case.id, true)
        .await
        .map_err(AppError::internal)?;
    let reach = crate::consular::reach::reach(state, case).await?;
    let reached = reach.via_crisis.then(|| Reached {
        phone: crate::page::phone_to_dial(reach.sms.as_deref()),
        email: reach.email,
    });
    let staff = officers(state, mission).await?;
    let ids = events
        .iter()
        .filter_map(|e| e.actor_id.clone())
        .chain(messages.iter().filter_map(|m| m.author_id.clone()))
        .chain(case.assignee_id.clone());
    let names = names(state, lang, case, &staff, ids).await;

    let summary = serde_json::json!({ "reference": case.reference });
    state
        .audit
        .record(workflow::record(&by(actor), CASE_READ, case, summary))
        .await?;

    let reference = case.display_reference();
    let mut args = crate::i18n::FluentArgs::new();
    args.set("reference", reference.clone());
    let mut page = state.page(lang, uri, "officer-queue-title", viewer);
    page.title = page.t_args("officer-case-title", &args);
    if let Some((kind, message)) = notice {
        page = page.with_flash(kind, message);
    }
    let empty = page.t("officer-case-empty-value");
    let name_of = |id: &Option<String>| match id {
        Some(id) => names.get(id).cloned().unwrap_or_else(|| empty.clone()),
        None => page.t("officer-unassigned"),
    };
    let at = now();
    let mut details = vec![
        Detail::new(
            page.t("officer-col-kind"),
            labels::kind(lang, kind.as_str()),
        ),
        Detail::new(
            page.t("officer-col-service"),
            service.name(labels::content(lang)).to_owned(),
        ),
        Detail::new(page.t("officer-col-applicant"), case.applicant_name.clone()),
        Detail::new(
            page.t("officer-col-priority"),
            labels::priority(lang, case.priority().as_str()),
        ),
        Detail::new(page.t("officer-col-assignee"), name_of(&case.assignee_id)),
        Detail::new(
            page.t("officer-col-submitted"),
            case.submitted_at.map(when).unwrap_or_else(|| empty.clone()),
        ),
        Detail::new(
            page.t("officer-col-due"),
            case.due_at.map(when).unwrap_or_else(|| empty.clone()),
        ),
    ];
    if case.escalation_level > 0 {
        // Unacknowledged past its deadline: how many times the duty chain was called.
        let mut args = FluentArgs::new();
        args.set("level", case.escalation_level);
        details.push(Detail::new(
            page.t("officer-case-escalated"),
            crate::i18n::t_args(lang, "officer-case-escalated-level", &args),
        ));
    }
    if let Some(reason) = &case.decision_reason {
        details.push(Detail::new(
            page.t("officer-case-decision"),
            shown_reason(lang, reason),
        ));
    }
    let booked = appointments::list_for_case(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    let appointments = booked
        .iter()
        .map(|a| appointment_labels::moment_in_zone(lang, &mission.time_zone, a.starts_at))
        .collect();
    let form = case.form();
    let declared = fields(kind)
        .iter()
        .filter(|f| safir_domain::consular::forms::applies(&form, f))
        .map(|f| {
            let typed = form.get(*f).map(|v| v.trim()).filter(|v| !v.is_empty());
            Detail {
                label: t(lang, &format!("field-{}", f.replace('_', "-"))),
                value: typed.map_or_else(|| empty.clone(), |v| labels::declared(lang, f, v)),
                // The applicant's number, to call from the page (a duty officer's phone).
                href: typed.filter(|_| *f == "phone").and_then(tel_href),
            }
        })
        .collect();
    let courier = form
        .get("collection")
        .is_some_and(|c| c.trim() == "courier");
    let emergency = kind == CaseKind::Emergency;
    let events = events
        .into_iter()
        .map(|e| EventView {
            at: when(e.at),
            action: labels::action_for_officer(lang, &e.action, emergency, courier),
            to: labels::state_for_officer(lang, &e.to_state, courier),
            actor: name_of(&e.actor_id),
            reason: e.reason.as_deref().map(|r| shown_reason(lang, r)),
        })
        .collect();
    let messages = messages
        .into_iter()
        .map(|m| MessageView {
            at: when(m.created_at),
            author: if m.internal {
                format!(
                    "{} — {}",
                    page.t("officer-case-internal-note"),
                    name_of(&m.author_id)
                )
            } else if m.from_staff {
                format!(
                    "{} — {}",
                    page.t("officer-case-message-from-mission"),
                    name_of(&m.author_id)
                )
            } else {
                page.t("officer-case-message-from-applicant")
            },
            body: m.body,
            internal: m.internal,
        })
        .collect();
    let actions: Vec<ActionForm> = current
        .available(kind, Side::Officer)
        .into_iter()
        .map(|a: CaseAction| ActionForm {
            code: a.as_str(),
            label: labels::action_for_officer(lang, a.as_str(), emergency, courier),
            checked: typed.action == a.as_str(),
        })
        .collect();
    let mut reasons = vec![SelectOption {
        value: String::new(),
        label: page.t("officer-case-choose"),
        selected: typed.reject_reason.is_empty(),
    }];
    reasons.extend(REFUSAL_REASONS.iter().map(|r| SelectOption {
        value: (*r).to_owned(),
        label: labels::reason(lang, r),
        selected: typed.reject_reason == *r,
    }));
    let me = actor.id();
    let mut assignees = vec![
        SelectOption {
            value: "me".into(),
            label: page.t("officer-case-assign-me"),
            selected: case.assignee_id.as_deref() == Some(me),
        },
        SelectOption {
            value: "none".into(),
            label: page.t("officer-case-assign-nobody"),
            selected: case.assignee_id.is_none(),
        },
    ];
    assignees.extend(staff.iter().filter(|o| o.id != me).map(|o| SelectOption {
        value: o.id.clone(),
        label: o.name.clone(),
        selected: case.assignee_id.as_deref() == Some(o.id.as_str()),
    }));
    let priorities = Priority::ALL
        .iter()
        .map(|p| SelectOption {
            value: p.as_str().to_owned(),
            label: labels::priority(lang, p.as_str()),
            selected: *p == case.priority(),
        })
        .collect();
    let errors = &typed.errors;
    let text = |name: &str, label: &str, value: &str| {
        Field::new(lang, name, label)
            .value(value)
            .errors_from(lang, errors)
    };
    let base = format!("/missions/{}/cases", mission.code);
    // The e-visa an approval issued: its page prints it and lets the mission revoke it.
    let evisa = if kind == safir_domain::consular::case::CaseKind::Visa && current.is_decided() {
        safir_store::consular::evisas::find_for_case(&state.db, &case.applicant_id, &case.id)
            .await
            .map_err(AppError::internal)?
            .map(|v| (format!("/evisas/{}", v.id), v.is_revoked()))
    } else {
        None
    };
    let etd_opened = super::etd::opened_etd(state, case).await?.map(|etd| {
        let mut args = FluentArgs::new();
        args.set("reference", etd.display_reference());
        crate::i18n::t_args(lang, "officer-etd-opened", &args)
    });
    render(&CasePage {
        case_documents: crate::consular::case_documents::list(state, lang, &case.id).await?,
        upload_kinds: Vec::new(),
        upload_kind: String::new(),
        upload_error: None,
        evisa,
        id: case.id.clone(),
        open: case.state().is_ok_and(|s| s.is_open()),
        offers_etd: etd_opened.is_none() && super::etd::offers_etd(case),
        etd_opened,
        href: format!("{base}/{}", case.id),
        base,
        csrf_token: state.csrf_token(viewer),
        reference,
        state_code: current.as_str().to_owned(),
        version: super::case_version(case),
        state: labels::state_for_officer(lang, current.as_str(), courier),
        details,
        breached: is_breached(&case.state, case.due_at, at),
        declared,
        map_href: position(&form).map(|(lat, lon)| map_href(lat, lon)),
        appointments,
        events,
        messages,
        reached,
        decision: actions.iter().any(|a| {
            matches!(
                CaseAction::parse(a.code),
                Ok(CaseAction::RequestInfo | CaseAction::Approve | CaseAction::Reject)
            )
        }),
        actions,
        action_error: errors.for_field("action").map(|e| e.message(lang)),
        reasons,
        reason_error: errors.for_field("reject_reason").map(|e| e.message(lang)),
        request: text("request", "officer-case-request-text", &typed.request).required(),
        reject_message: text(
            "reject_message",
            "officer-case-message-optional",
            &typed.reject_message,
        ),
        approve_message: text(
            "approve_message",
            "officer-case-message-optional",
            &typed.approve_message,
        ),
        assignees,
        seen_assignee: case
            .assignee_id
            .clone()
            .unwrap_or_else(|| "none".to_owned()),
        priorities,
        seen_priority: case.priority().as_str(),
        note: text("note", "officer-case-note", &typed.note),
        message: text("message", "officer-case-message", &typed.message),
        page,
    })
}

pub async fn show_case(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
    Path((_, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let case = mission_case(&state, &mission, &id).await?;
    // What the redirect after an action says was done; other parameters (the language) may
    // come along.
    let done = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v.into_owned());
    // A message says where it went: by email, by SMS, both, or nowhere (an applicant through
    // a crisis registration that gives no way to write to them).
    let notice = match done.as_deref() {
        Some("1") => Some((FlashKind::Success, "officer-case-saved")),
        Some("note") => Some((FlashKind::Success, "officer-case-note-added")),
        Some("message") => Some((FlashKind::Success, "officer-case-message-sent")),
        Some("message-sms") => Some((FlashKind::Success, "officer-case-message-sent-sms")),
        Some("message-both") => Some((FlashKind::Success, "officer-case-message-sent-both")),
        Some("message-kept") => Some((FlashKind::Warning, "officer-case-message-kept")),
        Some("etd") => Some((FlashKind::Success, "officer-etd-opened-notice")),
        _ => None,
    }
    .map(|(kind, key)| (kind, t(lang, key)));
    case_page(
        &state,
        lang,
        &uri,
        &viewer,
        &actor,
        &mission,
        &case,
        &Typed::default(),
        notice,
    )
    .await
}
