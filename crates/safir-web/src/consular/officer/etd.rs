//! `POST /missions/{mission}/cases/{case}/etd`: from a lost or stolen passport reported as
//! an emergency, open an emergency travel document application for the same citizen,
//! prefilled with what the emergency already says; the citizen completes and submits it.
//! One report opens one application: once it exists the page says so instead of offering
//! another, and a second post (a stale page, another officer) is refused with a notice.

use std::collections::BTreeMap;

use axum::extract::Path;
use axum::response::Response;
use fluent_bundle::FluentArgs;
use safir_domain::audit::AuditAction;
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState, Priority};
use safir_store::consular::cases::{self, NewDraft};
use safir_store::consular::services;
use safir_store::missions::Mission;
use safir_store::{accounts, now};

use super::case_actions::Ctx;
use super::mission_case;
use crate::consular::workflow::{self, By, Command, case_lang, record};
use crate::email;
use crate::error::AppError;
use crate::state::AppState;

pub const CASE_OPEN_ETD: AuditAction = AuditAction::new("case.open_etd");

/// Whether an emergency case can lead to an emergency travel document.
pub fn offers_etd(case: &cases::Case) -> bool {
    case.kind == CaseKind::Emergency.as_str()
        && case.form().get("category").map(String::as_str) == Some("lost_passport")
        && !matches!(case.state.as_str(), "closed" | "withdrawn" | "rejected")
}

/// How the idempotency keys of applications opened from an emergency begin.
const ETD_KEY_PREFIX: &str = "etd-from:";

/// The idempotency key of the application opened from `emergency`.
fn etd_key(emergency: &cases::Case) -> String {
    format!("{ETD_KEY_PREFIX}{}", emergency.id)
}

/// Whether an applicant's idempotency key is one of those the officers' "open a travel
/// document" uses: taken by an application of the applicant's own, it would pass for the
/// one opened from their emergency, and no officer could open it.
pub fn reserved_key(key: &str) -> bool {
    key.starts_with(ETD_KEY_PREFIX)
}

/// The travel-document application already opened from `emergency`, while it exists (an
/// application the citizen discarded, or a draft expired unsubmitted, can be opened again).
pub async fn opened_etd(
    state: &AppState,
    emergency: &cases::Case,
) -> Result<Option<cases::Case>, AppError> {
    if emergency.kind != CaseKind::Emergency.as_str() {
        return Ok(None);
    }
    cases::find_by_key(&state.db, &emergency.applicant_id, &etd_key(emergency))
        .await
        .map_err(AppError::internal)
}

/// Why no travel-document application was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtdRefusal {
    /// One is already open from this report.
    AlreadyOpened,
    /// The case is not a lost-passport emergency still in hand.
    NotOffered,
    /// The mission offers no emergency travel document service.
    NoService,
}

impl EtdRefusal {
    /// The API's code for it.
    pub fn code(self) -> &'static str {
        match self {
            EtdRefusal::AlreadyOpened => "etd_already_opened",
            EtdRefusal::NotOffered => "etd_not_offered",
            EtdRefusal::NoService => "etd_service_missing",
        }
    }
}

/// Opens the emergency travel document application from `emergency`, a case of `mission`,
/// for its citizen (prefilled, high priority, mailed to them, audited with `via`: `web` or
/// `api`), and acknowledges the report if it was still waiting. Returns the new draft, or
/// why none was opened.
pub async fn open(
    state: &AppState,
    mission: &Mission,
    by: &By<'_>,
    emergency: &cases::Case,
    via: &str,
) -> Result<Result<cases::Case, EtdRefusal>, AppError> {
    if opened_etd(state, emergency).await?.is_some() {
        // The opening committed but its acknowledgement did not (a failure between the
        // two): the retry completes it.
        acknowledge(state, emergency, by).await?;
        return Ok(Err(EtdRefusal::AlreadyOpened));
    }
    if !offers_etd(emergency) {
        return Ok(Err(EtdRefusal::NotOffered));
    }
    let Some(service) =
        services::find_by_kind(&state.db, &mission.id, CaseKind::EmergencyTravelDocument)
            .await
            .map_err(AppError::internal)?
    else {
        return Ok(Err(EtdRefusal::NoService));
    };
    let from = emergency.form();
    let carried: BTreeMap<String, String> = ["surname", "given_names", "phone"]
        .into_iter()
        .filter_map(|k| from.get(k).map(|v| (k.to_owned(), v.clone())))
        .collect();
    let key = etd_key(emergency);
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // Two requests at once (two officers, a double click) both passed the check above: the
    // report's row is held, and the second, once the first is done, finds its draft.
    cases::hold(&mut tx, &emergency.id)
        .await
        .map_err(AppError::internal)?;
    if opened_etd(state, emergency).await?.is_some() {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(Err(EtdRefusal::AlreadyOpened));
    }
    let draft = cases::create_draft(
        &mut tx,
        &NewDraft {
            mission_id: &mission.id,
            service_id: &service.id,
            kind: CaseKind::EmergencyTravelDocument,
            applicant_id: &emergency.applicant_id,
            form: &carried,
            applicant_name: &emergency.applicant_name,
            lang: &emergency.lang,
            priority: Priority::High,
            idempotency_key: Some(&key),
            idempotency_fingerprint: None,
            expires_at: now() + state.config.consular.draft_ttl,
        },
    )
    .await
    .map_err(AppError::internal)?;
    let summary = serde_json::json!({
        "via": via,
        "reference": emergency.reference,
        "draft": draft.id,
    });
    crate::audit_log::append(&mut tx, &record(by, CASE_OPEN_ETD, emergency, summary)).await?;
    let applicant = accounts::find_user(&state.db, &emergency.applicant_id)
        .await
        .map_err(AppError::internal)?;
    let lang = case_lang(emergency);
    let mut args = FluentArgs::new();
    args.set("name", applicant.display_name.clone());
    args.set("reference", emergency.display_reference());
    args.set(
        "link",
        format!(
            "{}/account/cases/{}/edit",
            state.config.public_url, draft.id
        ),
    );
    let message = email::render(&applicant.email, lang, "case-etd-opened", &args);
    // Keyed by the application: one opened again after the first was discarded is mailed too.
    email::enqueue(&mut tx, &message, Some(format!("etd-mail:{}", draft.id)))
        .await
        .map_err(AppError::internal)?;
    tx.commit().await.map_err(AppError::internal)?;
    acknowledge(state, emergency, by).await?;
    Ok(Ok(draft))
}

/// Opening the document answers the report: an emergency still waiting counts as
/// acknowledged (its review starts, the citizen is told), which ends its escalation.
async fn acknowledge(
    state: &AppState,
    emergency: &cases::Case,
    by: &By<'_>,
) -> Result<(), AppError> {
    if emergency.state != CaseState::Submitted.as_str() {
        return Ok(());
    }
    let cmd = Command {
        action: CaseAction::StartReview,
        actor: Actor::Officer,
        reason: None,
        message: None,
    };
    match workflow::act(state, emergency, by, &cmd).await {
        // Another officer started it meanwhile: acknowledged all the same.
        Ok(_) | Err(AppError::Conflict) => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn open_etd(
    cx: Ctx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (state, actor, mission) = (&cx.state, &cx.actor, &cx.mission);
    let emergency = mission_case(state, mission, &id).await?;
    let by = By::web(&actor.user, actor.ip.clone());
    match open(state, mission, &by, &emergency, "web").await? {
        Ok(_) => Ok(cx.done(&emergency, "etd")),
        Err(EtdRefusal::AlreadyOpened) => {
            // Opened a moment ago, as by this very click's twin (a double click): done.
            let just_now = opened_etd(state, &emergency).await?.is_some_and(|etd| {
                safir_store::now() - etd.created_at < chrono::Duration::seconds(10)
            });
            if just_now {
                return Ok(cx.done(&emergency, "etd"));
            }
            cx.stale(&emergency, "officer-etd-already-opened").await
        }
        Err(EtdRefusal::NoService) => cx.stale(&emergency, "officer-etd-no-service").await,
        Err(EtdRefusal::NotOffered) => cx.stale(&emergency, "officer-etd-not-offered").await,
    }
}
