//! `GET /account/cases` (my applications), `GET /account/cases/{case}` (status, history,
//! messages), and the applicant's moves on it: a message (which answers a request for
//! information) and withdrawal.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState};
use safir_domain::consular::evisa::Verification;
use safir_store::consular::cases;
use safir_store::consular::services;

use super::form_view;
use super::own_case;
use crate::admin::support::{Actor as Acting, FormData};
use crate::auth::{CurrentUser, SignedIn, Viewer};
use crate::consular::appointments::labels as appointment_labels;
use crate::consular::case_documents::{self, CaseDocument, KindChoice};
use crate::consular::labels;
use crate::consular::read_cache;
use crate::consular::workflow::{self, By, Command};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, phone_to_dial, render};
use crate::state::AppState;

pub struct CaseRow {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub service: String,
    pub state: String,
    pub state_code: String,
    pub updated: String,
    pub draft: bool,
}

/// One of the person's e-visas: listed with the applications, and still there once the
/// application it was issued for is purged while the visa runs (it can run for years).
pub struct EvisaRow {
    pub id: String,
    pub number: String,
    pub validity: String,
    pub status: String,
    pub status_code: String,
}

#[derive(Template)]
#[template(path = "consular/applicant/my_cases.html")]
struct MyCasesPage {
    page: Page,
    rows: Vec<CaseRow>,
    evisas: Vec<EvisaRow>,
}

/// The person's e-visas, newest first, with where each stands today: the public check's
/// verdict on the day of the e-visas' clock, in its words.
async fn my_evisas(state: &AppState, lang: Lang, me: &str) -> Result<Vec<EvisaRow>, AppError> {
    let today = state.config.consular.evisa_today();
    let mut rows = Vec::new();
    for v in safir_store::consular::evisas::list_for_holder(&state.db, me)
        .await
        .map_err(AppError::internal)?
    {
        let payload = v.signed_payload().map_err(AppError::internal)?;
        let verdict = Verification::dated(payload, today).with_revocation(v.is_revoked());
        let key = verdict.code().replace('_', "-");
        rows.push(EvisaRow {
            status: crate::i18n::t(lang, &format!("verify-{key}-title")),
            status_code: key,
            validity: format!("{} – {}", v.valid_from, v.valid_until),
            number: v.visa_number,
            id: v.id,
        });
    }
    Ok(rows)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

/// Whether a case in `state` can be one of which `notice` was just said.
fn notice_agrees(notice: &str, state: CaseState) -> bool {
    match notice {
        "submitted" | "answered" => state != CaseState::Draft,
        "withdrawn" => state == CaseState::Withdrawn,
        "decided-first" => !matches!(
            state,
            CaseState::Draft
                | CaseState::Submitted
                | CaseState::InReview
                | CaseState::NeedsInfo
                | CaseState::Withdrawn
        ),
        _ => true,
    }
}

fn notice(page: Page, q: &NoticeQuery) -> Page {
    let (key, kind) = match q.notice.as_deref() {
        Some("submitted") => ("case-notice-submitted", FlashKind::Success),
        Some("answered") => ("case-notice-answered", FlashKind::Success),
        Some("discarded") => ("case-notice-discarded", FlashKind::Success),
        Some("withdrawn") => ("case-notice-withdrawn", FlashKind::Success),
        Some("sent") => ("case-notice-sent", FlashKind::Success),
        Some("uploaded") => ("documents-uploaded", FlashKind::Success),
        Some("decided-first") => ("case-notice-decided-first", FlashKind::Warning),
        _ => return page,
    };
    let msg = page.t(key);
    page.with_flash(kind, msg)
}

pub async fn list_my_cases(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    let page = notice(state.page(lang, &uri, "my-cases-title", &viewer), &q);
    let content = labels::content(lang);
    let mut rows = Vec::new();
    // Each service's name read once, however many applications use it.
    let mut names: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let cases = cases::list_for_applicant(&state.db, me.id())
        .await
        .map_err(AppError::internal)?;
    let messages: std::collections::HashMap<String, chrono::DateTime<chrono::Utc>> =
        cases::last_messages_for_applicant(&state.db, me.id())
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .collect();
    // The last change the applicant can see: a move of the case or a message (an officer's
    // assignment, triage or internal note is none of theirs); a draft's, their own last save.
    let mut mine: Vec<(cases::Case, chrono::DateTime<chrono::Utc>)> = cases
        .into_iter()
        .map(|c| {
            let moved = if c.state == CaseState::Draft.as_str() {
                c.updated_at
            } else {
                c.state_changed_at
            };
            let seen = messages.get(&c.id).map_or(moved, |m| moved.max(*m));
            (c, seen)
        })
        .collect();
    // What waits for the applicant's answer first, then the latest change first, as the
    // list's last column reads.
    mine.sort_by(|(a, a_seen), (b, b_seen)| {
        let waits = |c: &cases::Case| c.state == CaseState::NeedsInfo.as_str();
        waits(b)
            .cmp(&waits(a))
            .then(b_seen.cmp(a_seen))
            .then(b.id.cmp(&a.id))
    });
    // Each mission's clock, read once: a change is dated as the mission's case page dates it.
    let mut zones: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (c, seen) in mine {
        if !zones.contains_key(&c.mission_id) {
            let mission = safir_store::missions::find(&state.db, &c.mission_id)
                .await
                .map_err(AppError::internal)?;
            zones.insert(c.mission_id.clone(), mission.time_zone);
        }
        if !names.contains_key(&c.service_id) {
            let service = services::find(&state.db, &c.service_id)
                .await
                .map_err(AppError::internal)?;
            names.insert(c.service_id.clone(), service.name(content).to_owned());
        }
        rows.push(CaseRow {
            reference: c.display_reference(),
            kind: labels::kind(lang, &c.kind),
            service: names.get(&c.service_id).cloned().unwrap_or_default(),
            state: labels::state_for_applicant(lang, &c.state, &c.form),
            draft: c.state == CaseState::Draft.as_str(),
            updated: appointment_labels::moment_in_zone(
                lang,
                zones.get(&c.mission_id).map_or("", String::as_str),
                seen,
            )
            .clock,
            state_code: c.state.clone(),
            id: c.id,
        });
    }
    let evisas = my_evisas(&state, lang, me.id()).await?;
    render(&MyCasesPage { page, rows, evisas })
}

pub struct TimelineItem {
    pub at: String,
    pub state: String,
    pub reason: Option<String>,
}

pub struct MessageItem {
    pub at: String,
    pub from_mission: bool,
    pub body: String,
}

#[derive(Template)]
#[template(path = "consular/applicant/case.html")]
struct CasePage {
    page: Page,
    id: String,
    reference: String,
    kind: String,
    service: String,
    mission: String,
    state: String,
    state_code: String,
    decision: Option<String>,
    /// The appointments booked for the case, on the mission's clock.
    appointments: Vec<appointment_labels::Moment>,
    /// The e-visa of an approved visa application.
    evisa: Option<String>,
    /// The e-visa was revoked after the approval.
    evisa_revoked: bool,
    /// The decision letter, once the mission decided.
    decision_pdf: Option<String>,
    fields: Vec<(String, String)>,
    timeline: Vec<TimelineItem>,
    messages: Vec<MessageItem>,
    /// The zone the history's and the messages' times are in (empty: UTC, said with each).
    times_zone: String,
    can_edit: bool,
    can_withdraw: bool,
    needs_info: bool,
    /// What the mission asked for, while it waits for the answer: shown at the top of the
    /// page, not only among the messages below.
    request: Option<String>,
    /// An emergency request not yet acknowledged: what happens next and whom to call.
    emergency: Option<EmergencyWait>,
    message_error: Option<String>,
    message_value: String,
    case_documents: Vec<CaseDocument>,
    upload_kinds: Vec<KindChoice>,
    upload_kind: String,
    upload_error: Option<String>,
    csrf_token: String,
}

/// What someone waiting for an emergency request to be acknowledged reads: by when (or
/// that the time has passed and more officers were called), and the mission's telephone.
struct EmergencyWait {
    /// The acknowledgement's deadline on the mission's clock, while it is ahead and the
    /// request was not yet passed on to more officers.
    ack_by: Option<appointment_labels::Moment>,
    /// The deadline passed: the escalation job passes it on (it may be a moment late).
    escalated: bool,
    /// The mission's telephone as given, and as a number to dial.
    phone: Option<(String, Option<String>)>,
}

/// What was typed on the case page: the message, and the kind of a refused upload.
#[derive(Default)]
pub struct CaseTyped<'a> {
    pub message: &'a str,
    pub upload_kind: &'a str,
}

/// The applicant's case page; `errors` are shown beside the message (`message`) or the
/// upload (`file`, `kind`).
pub async fn case_page(
    state: &AppState,
    viewer: &Viewer,
    me: &CurrentUser,
    case_id: &str,
    mut page: Page,
    errors: &FieldErrors,
    typed: &CaseTyped<'_>,
) -> Result<Html<String>, AppError> {
    let lang = page.lang;
    // Kept a moment for everyone who asks (see `consular::read_cache`); whether it is this
    // viewer's to see is checked here on every request.
    let status = read_cache::case_status(state, case_id).await?;
    if status.case.applicant_id != me.id() {
        return Err(AppError::NotFound);
    }
    let case = &status.case;
    let names = &status.names;
    page.title = case.display_reference();
    let kind = case.kind().map_err(AppError::internal)?;
    let st = case.state().map_err(AppError::internal)?;
    let evisa = status.evisa.as_ref().map(|(id, _)| format!("/evisas/{id}"));
    let evisa_revoked = status.evisa.as_ref().is_some_and(|&(_, revoked)| revoked);
    let (service, mission) = match lang {
        Lang::Ar => (&names.service_name_ar, &names.mission_name_ar),
        _ => (&names.service_name_en, &names.mission_name_en),
    };
    let decided = status
        .events
        .iter()
        .any(|e| matches!(e.action.as_str(), "approve" | "reject"));
    // The page's times are on the mission's clock, as its appointments and an emergency's
    // deadline are: one clock on the page, named under the history.
    let clock = |t| appointment_labels::moment_in_zone(lang, &names.mission_time_zone, t);
    let times_zone = clock(case.created_at).zone;
    let timeline = status
        .events
        .iter()
        .map(|e| TimelineItem {
            at: clock(e.at).clock,
            state: labels::state_for_applicant(lang, &e.to_state, &case.form),
            reason: match e.action.as_str() {
                "approve" | "reject" => e.reason.as_deref().map(|r| labels::reason(lang, r)),
                _ => None,
            },
        })
        .collect();
    let messages = status
        .messages
        .iter()
        .map(|m| MessageItem {
            at: clock(m.created_at).clock,
            from_mission: m.from_staff,
            body: m.body.clone(),
        })
        .collect();
    let appointments = status
        .appointments
        .iter()
        .map(|a| appointment_labels::moment_in_zone(lang, &names.mission_time_zone, a.starts_at))
        .collect();
    let emergency = (kind == CaseKind::Emergency && st == CaseState::Submitted).then(|| {
        let escalated =
            case.escalation_level > 0 || case.due_at.is_some_and(|due| due <= safir_store::now());
        EmergencyWait {
            ack_by: case
                .due_at
                .filter(|_| !escalated)
                .map(|due| appointment_labels::moment_in_zone(lang, &names.mission_time_zone, due)),
            escalated,
            phone: phone_to_dial(names.mission_phone.as_deref()),
        }
    });
    render(&CasePage {
        times_zone,
        emergency,
        appointments,
        id: case.id.clone(),
        reference: case.display_reference(),
        kind: labels::kind(lang, &case.kind),
        service: service.clone(),
        mission: mission.clone(),
        state: labels::state_for_applicant(lang, &case.state, &case.form),
        state_code: case.state.clone(),
        decision: case
            .decision_reason
            .as_deref()
            .map(|r| labels::reason(lang, r)),
        evisa,
        evisa_revoked,
        decision_pdf: (decided && st.is_decided() && st != CaseState::Withdrawn)
            .then(|| format!("/account/cases/{}/decision.pdf", case.id)),
        fields: form_view::summary(lang, kind, &case.form()),
        timeline,
        messages,
        can_edit: matches!(st, CaseState::Draft | CaseState::NeedsInfo),
        can_withdraw: st
            .apply(kind, CaseAction::Withdraw, Actor::Applicant)
            .is_ok(),
        needs_info: st == CaseState::NeedsInfo,
        request: (st == CaseState::NeedsInfo)
            .then(|| {
                status
                    .events
                    .iter()
                    .rev()
                    .find(|e| e.action == CaseAction::RequestInfo.as_str())
                    .and_then(|e| e.reason.clone())
            })
            .flatten(),
        message_error: errors.for_field("message").map(|e| e.message(lang)),
        message_value: typed.message.to_owned(),
        case_documents: case_documents::views(lang, &status.documents),
        upload_kinds: if matches!(
            st,
            CaseState::Submitted | CaseState::InReview | CaseState::NeedsInfo
        ) {
            case_documents::applicant_kinds(lang)
        } else {
            Vec::new()
        },
        upload_kind: typed.upload_kind.to_owned(),
        upload_error: errors
            .for_field("file")
            .or_else(|| errors.for_field("kind"))
            .map(|e| e.message(lang)),
        csrf_token: state.csrf_token(viewer),
        page,
    })
}

pub async fn show_my_case(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Path(case_id): Path<String>,
    Query(mut q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    // A notice the case's state contradicts was not just done: an address kept from an
    // earlier visit, or passed on. Not said.
    if let Some(n) = q.notice.as_deref() {
        let st = read_cache::case_status(&state, &case_id)
            .await?
            .case
            .state()
            .map_err(AppError::internal)?;
        if !notice_agrees(n, st) {
            q.notice = None;
        }
    }
    let page = notice(state.page(lang, &uri, "my-cases-title", &viewer), &q);
    case_page(
        &state,
        &viewer,
        &me,
        &case_id,
        page,
        &FieldErrors::new(),
        &CaseTyped::default(),
    )
    .await
}

/// A message to the mission. On a case waiting for information, it is the answer: the case
/// goes back to review.
pub async fn send_message(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    acting: Acting,
    Path(case_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let me = &acting.user;
    let case = own_case(&state, me, &case_id).await?;
    let body = safir_domain::trim_blank(data.get("message"));
    // The case page again, the message as typed and `error` under it.
    let refused = |error: FieldError| async {
        let mut errors = FieldErrors::new();
        errors.add(error);
        let page = state.page(lang, &uri, "my-cases-title", &viewer);
        let html = case_page(
            &state,
            &viewer,
            me,
            &case.id,
            page,
            &errors,
            &CaseTyped {
                message: data.get("message"),
                ..CaseTyped::default()
            },
        )
        .await?;
        Ok::<_, AppError>(labels::rejected(html))
    };
    if body.is_empty() {
        return refused(FieldError::new("message", "consular_message_required")).await;
    }
    if body.chars().count() > 4000 {
        return refused(FieldError::new("message", "too_long").with_arg("max", 4000)).await;
    }
    let by = By::web(me, acting.ip.clone());
    if case.state == CaseState::NeedsInfo.as_str() {
        let cmd = Command {
            action: CaseAction::ProvideInfo,
            actor: Actor::Applicant,
            reason: None,
            message: Some(body),
        };
        match workflow::act(&state, &case, &by, &cmd).await {
            Ok(_) => {}
            // The case moved since it was read: this same message sent twice (it is then
            // stored once), or the form answered from another tab. Either way the case
            // takes messages as any other now, unless it was closed meanwhile; the same text
            // is not stored twice.
            Err(AppError::Conflict) => {
                let now_case = cases::find(&state.db, &case.id)
                    .await
                    .map_err(AppError::internal)?;
                if now_case.state == CaseState::Closed.as_str()
                    || now_case.state == CaseState::Draft.as_str()
                {
                    return Err(AppError::Conflict);
                }
                let mut tx = state.db.begin().await.map_err(AppError::internal)?;
                crate::consular::applicant_wrote::add(&state, &mut tx, &case.id, me.id(), body)
                    .await?;
                tx.commit().await.map_err(AppError::internal)?;
            }
            // The form was changed since it was sent and no longer passes its checks: the
            // answer waits until the form is corrected (its page names each field).
            Err(AppError::Validation(_)) => {
                return refused(FieldError::new("message", "consular_form_fails_checks")).await;
            }
            Err(e) => return Err(e),
        }
    } else if case.state == CaseState::Draft.as_str() || case.state == CaseState::Closed.as_str() {
        return Err(AppError::Conflict);
    } else {
        let mut tx = state.db.begin().await.map_err(AppError::internal)?;
        crate::consular::applicant_wrote::add(&state, &mut tx, &case.id, me.id(), body).await?;
        tx.commit().await.map_err(AppError::internal)?;
    }
    Ok(Redirect::to(&format!("/account/cases/{}?notice=sent", case.id)).into_response())
}

pub async fn withdraw(
    State(state): State<AppState>,
    acting: Acting,
    Path(case_id): Path<String>,
) -> Result<Response, AppError> {
    let me = &acting.user;
    let case = own_case(&state, me, &case_id).await?;
    let by = By::web(me, acting.ip.clone());
    let cmd = Command {
        action: CaseAction::Withdraw,
        actor: Actor::Applicant,
        reason: None,
        message: None,
    };
    match workflow::act(&state, &case, &by, &cmd).await {
        Ok(_) => {}
        Err(AppError::Conflict) => {
            let now_case = cases::find(&state.db, &case.id)
                .await
                .map_err(AppError::internal)?;
            // Withdrawn a moment ago (a second click): the same outcome.
            if now_case.state == CaseState::Withdrawn.as_str() {
            } else if now_case.state().is_ok_and(|s| {
                !matches!(
                    s,
                    CaseState::Submitted | CaseState::InReview | CaseState::NeedsInfo
                )
            }) {
                // The mission decided (or closed it) before the withdrawal arrived: its page
                // says so and shows the decision, rather than "conflicting change".
                return Ok(Redirect::to(&format!(
                    "/account/cases/{}?notice=decided-first",
                    case.id
                ))
                .into_response());
            } else {
                return Err(AppError::Conflict);
            }
        }
        Err(e) => return Err(e),
    }
    Ok(Redirect::to(&format!("/account/cases/{}?notice=withdrawn", case.id)).into_response())
}
