//! What the consular API answers with: cases as the applicant and as officers see them,
//! their history and messages. Built from storage rows, never serialized from them directly.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState};
use safir_store::consular::cases::{self, Case, Event, Message};
use safir_store::consular::evisas::{self, Evisa};
use safir_store::consular::services;
use safir_store::missions;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// A case without its history and conversation, as lists show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryResponse {
    pub id: String,
    /// Given at submission: mission code, year, number (`PAR-2026-000123`).
    #[schema(example = "PAR-2026-000123")]
    pub reference: Option<String>,
    /// The mission's code.
    #[schema(example = "PAR")]
    pub mission: String,
    pub service_id: String,
    /// `passport_renewal`, `visa`, `emergency` or `emergency_travel_document`.
    #[schema(example = "passport_renewal")]
    pub kind: String,
    /// `draft`, `submitted`, `in_review`, `needs_info`, `approved`, `rejected`, `withdrawn`,
    /// `ready_for_collection` or `closed`.
    #[schema(example = "in_review")]
    pub state: String,
    pub applicant_name: String,
    /// The form's fields as saved (strings; dates as `YYYY-MM-DD`).
    #[schema(value_type = Object, example = json!({"surname": "Haddad", "collection": "mission"}))]
    pub form: BTreeMap<String, String>,
    /// Refusal reason code, or `approved`.
    pub decision_reason: Option<String>,
    /// What the caller's side may do next (`submit`, `withdraw`, `approve` …).
    #[schema(example = json!(["withdraw"]))]
    pub available_actions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The mission's target date for its next step.
    pub due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// A draft nobody submits is deleted at this time.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A case as its applicant sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseResponse {
    #[serde(flatten)]
    pub summary: CaseSummaryResponse,
    /// Every state change, oldest first.
    pub timeline: Vec<EventResponse>,
    /// The conversation with the mission, oldest first.
    pub messages: Vec<MessageResponse>,
    /// The e-visa issued when a visa application was approved; `null` otherwise.
    pub evisa: Option<EvisaLinkResponse>,
    /// For its applicant, once the mission has decided (approved or refused): where the
    /// decision letter downloads from as a PDF, in Arabic and English. `null` otherwise.
    #[schema(example = "/api/v1/cases/0193b0f2…/decision.pdf")]
    pub decision_url: Option<String>,
    /// The documents filed under the case, in upload order, each with the address it
    /// downloads from on the caller's side.
    pub documents: Vec<super::documents::DocumentResponse>,
}

/// Where an approved visa's e-visa is, and how anyone can check it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvisaLinkResponse {
    pub id: String,
    #[schema(example = "PAR-V-2026-000001")]
    pub visa_number: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// Revoked by the mission: the e-visa no longer verifies.
    pub revoked: bool,
    /// The printable page, for the holder and the mission's officers when signed in.
    #[schema(example = "https://safir.example/evisas/01a2…")]
    pub page_url: String,
    /// The same as a PDF.
    pub pdf_url: String,
    /// The PDF through the API, with the same token: the holder's
    /// `/api/v1/cases/{case}/evisa.pdf`, or the officers' `/api/v1/missions/{mission}/evisas/{id}/pdf`.
    #[schema(example = "/api/v1/cases/0193b0f2…/evisa.pdf")]
    pub download_url: String,
    /// What the QR code carries: anyone can check the e-visa at this address;
    /// `GET /api/v1/verify?v=…` answers the same in JSON.
    pub verify_url: String,
}

impl EvisaLinkResponse {
    /// `mission_code` for the officers' view, `None` for the holder's.
    pub(crate) fn new(evisa: &Evisa, public_url: &str, mission_code: Option<&str>) -> Self {
        let page_url = format!("{}/evisas/{}", public_url.trim_end_matches('/'), evisa.id);
        EvisaLinkResponse {
            id: evisa.id.clone(),
            visa_number: evisa.visa_number.clone(),
            valid_from: evisa.valid_from,
            valid_until: evisa.valid_until,
            revoked: evisa.is_revoked(),
            pdf_url: format!("{page_url}/pdf"),
            download_url: match (mission_code, &evisa.case_id) {
                (None, Some(case)) => format!("/api/v1/cases/{case}/evisa.pdf"),
                (Some(code), _) => format!("/api/v1/missions/{code}/evisas/{}/pdf", evisa.id),
                // An e-visa issued outside an application: its holder reads it on its page.
                (None, None) => format!("{page_url}/pdf"),
            },
            page_url,
            verify_url: evisa.verify_url(public_url),
        }
    }
}

/// A case as officers of its mission see it: the applicant's view plus its triage priority,
/// who works it and the internal notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficerCaseResponse {
    #[serde(flatten)]
    pub case: CaseResponse,
    /// The mission's triage: `critical`, `high`, `normal` or `low` (not shown to the
    /// applicant).
    #[schema(example = "normal")]
    pub priority: String,
    pub applicant_id: String,
    pub assignee_id: Option<String>,
    /// How many times an unacknowledged emergency was escalated.
    pub escalation_level: i32,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// When the applicant wrote the first message the mission has not yet answered; `null`
    /// when nothing waits (as the queue's `awaiting_reply_since`).
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    /// Officers' internal notes, oldest first; never shown to the applicant.
    pub notes: Vec<MessageResponse>,
}

/// One state change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResponse {
    pub at: DateTime<Utc>,
    #[schema(example = "request_info")]
    pub action: String,
    /// `applicant` or `mission`.
    #[schema(example = "mission")]
    pub by: String,
    /// The officer or applicant who acted (officers' view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    pub from: String,
    pub to: String,
    /// A decision's reason code, or the text of a request for information.
    pub reason: Option<String>,
}

/// A message of the conversation, or an internal note.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageResponse {
    pub id: String,
    pub at: DateTime<Utc>,
    /// `applicant` or `mission`.
    #[schema(example = "mission")]
    pub from: String,
    /// The author's account (officers' view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    pub body: String,
}

fn side(staff: bool) -> String {
    if staff { "mission" } else { "applicant" }.to_owned()
}

impl MessageResponse {
    pub fn new(m: Message, officer: bool) -> Self {
        MessageResponse {
            from: side(m.from_staff),
            author_id: if officer { m.author_id } else { None },
            id: m.id,
            at: m.created_at,
            body: m.body,
        }
    }
}

impl EventResponse {
    fn new(e: Event, officer: bool) -> Self {
        let by = CaseAction::parse(&e.action)
            .map(|a| side(a.actor() == Actor::Officer))
            .unwrap_or_else(|_| side(true));
        EventResponse {
            at: e.at,
            action: e.action,
            by,
            actor_id: if officer { e.actor_id } else { None },
            from: e.from_state,
            to: e.to_state,
            reason: e.reason,
        }
    }
}

/// The case with its history and conversation, for `actor`'s side.
pub async fn case_view(
    state: &AppState,
    case: &Case,
    actor: Actor,
) -> Result<CaseResponse, AppError> {
    let officer = actor == Actor::Officer;
    let mission = missions::find(&state.db, &case.mission_id)
        .await
        .map_err(AppError::internal)?;
    let events = cases::events(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    let st = case.state().map_err(AppError::internal)?;
    // The letter of a decision the case still stands on (not withdrawn since), for its
    // applicant.
    let decision_url = (!officer
        && st.is_decided()
        && st != CaseState::Withdrawn
        && events
            .iter()
            .any(|e| matches!(e.action.as_str(), "approve" | "reject")))
    .then(|| format!("/api/v1/cases/{}/decision.pdf", case.id));
    let timeline = events
        .into_iter()
        .map(|e| EventResponse::new(e, officer))
        .collect();
    let messages = cases::list_messages(&state.db, &case.id, false)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|m| MessageResponse::new(m, officer))
        .collect();
    let decided = st.is_decided();
    let evisa = if case.kind == CaseKind::Visa.as_str() && decided {
        evisas::find_for_case(&state.db, &case.applicant_id, &case.id)
            .await
            .map_err(AppError::internal)?
            .map(|v| {
                EvisaLinkResponse::new(
                    &v,
                    &state.config.public_url,
                    officer.then_some(mission.code.as_str()),
                )
            })
    } else {
        None
    };
    let documents =
        super::documents::case_documents(state, case, officer.then_some(mission.code.as_str()))
            .await?;
    let mut summary = CaseSummaryResponse {
        available_actions: available(case, actor)?,
        ..summary(case, mission.code)
    };
    drop_unsendable(&mut summary, &withdrawn_services(state, [case]).await?);
    Ok(CaseResponse {
        summary,
        timeline,
        messages,
        evisa,
        decision_url,
        documents,
    })
}

/// The officers' view: [`case_view`] plus assignment and internal notes.
pub async fn officer_view(state: &AppState, case: &Case) -> Result<OfficerCaseResponse, AppError> {
    let notes = cases::list_messages(&state.db, &case.id, true)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .filter(|m| m.internal)
        .map(|m| MessageResponse::new(m, true))
        .collect();
    Ok(OfficerCaseResponse {
        case: case_view(state, case, Actor::Officer).await?,
        priority: case.priority().as_str().to_owned(),
        applicant_id: case.applicant_id.clone(),
        assignee_id: case.assignee_id.clone(),
        escalation_level: case.escalation_level,
        acknowledged_at: case.acknowledged_at,
        awaiting_reply_since: case.awaiting_reply_since,
        notes,
    })
}

/// The services of the drafts among `cases` that their missions no longer offer: such a draft
/// cannot be submitted (`case_service_disabled`), so `submit` is not among its actions.
pub async fn withdrawn_services<'a>(
    state: &AppState,
    cases: impl IntoIterator<Item = &'a Case>,
) -> Result<HashSet<String>, AppError> {
    let drafts: HashSet<&str> = cases
        .into_iter()
        .filter(|c| c.state == CaseState::Draft.as_str())
        .map(|c| c.service_id.as_str())
        .collect();
    let mut out = HashSet::new();
    for id in drafts {
        let service = services::find(&state.db, id)
            .await
            .map_err(AppError::internal)?;
        if !service.enabled {
            out.insert(service.id);
        }
    }
    Ok(out)
}

/// `summary`'s actions less `submit` for a draft of a service in `withdrawn` (see
/// [`withdrawn_services`]).
pub fn drop_unsendable(summary: &mut CaseSummaryResponse, withdrawn: &HashSet<String>) {
    if summary.state == CaseState::Draft.as_str() && withdrawn.contains(&summary.service_id) {
        summary
            .available_actions
            .retain(|a| a != CaseAction::Submit.as_str());
    }
}

fn available(case: &Case, actor: Actor) -> Result<Vec<String>, AppError> {
    let kind = case.kind().map_err(AppError::internal)?;
    let state = case.state().map_err(AppError::internal)?;
    Ok(state
        .available(kind, actor)
        .into_iter()
        .map(|a| a.as_str().to_owned())
        .collect())
}

/// The case without history or messages, with the applicant's next actions.
pub fn summary(case: &Case, mission_code: String) -> CaseSummaryResponse {
    CaseSummaryResponse {
        id: case.id.clone(),
        reference: case.reference.clone(),
        mission: mission_code,
        service_id: case.service_id.clone(),
        kind: case.kind.clone(),
        state: case.state.clone(),
        applicant_name: case.applicant_name.clone(),
        form: case.form(),
        decision_reason: case.decision_reason.clone(),
        available_actions: available(case, Actor::Applicant).unwrap_or_default(),
        created_at: case.created_at,
        updated_at: case.updated_at,
        submitted_at: case.submitted_at,
        due_at: case.due_at,
        closed_at: case.closed_at,
        expires_at: case.expires_at,
    }
}
