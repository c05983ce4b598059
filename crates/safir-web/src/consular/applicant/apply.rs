//! Starting and filling an application: `POST /consular/services/{service}/apply` opens a
//! draft (once per idempotency key), `GET/POST /account/cases/{case}/edit` shows and saves it
//! or submits it, `POST /account/cases/{case}/discard` deletes an unsubmitted draft.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::consular::case::{Actor, CaseAction, CaseKind, CaseState};
use safir_domain::consular::forms;
use safir_store::consular::cases::{self, Case, NewDraft};
use safir_store::consular::services::{self, Service};
use safir_store::{StoreError, missions, now};

use super::form_view::{self, Input, Section};
use super::own_case;
use crate::admin::support::{Actor as Acting, FormData};
use crate::auth::{SignedIn, Viewer};
use crate::consular::case_documents::{self, CaseDocument, KindChoice};
use crate::consular::labels;
use crate::consular::workflow::{self, By, Command};
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

pub async fn start(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(service_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let service = services::find(&state.db, &service_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    if !service.enabled {
        return Err(AppError::NotFound);
    }
    let kind = service.kind().map_err(AppError::internal)?;
    let key = data.get("idempotency_key").trim();
    let key =
        (!key.is_empty() && key.len() <= 64 && !crate::consular::officer::etd::reserved_key(key))
            .then_some(key);
    let case = open_draft(&state, &me, &service, kind, &BTreeMap::new(), key).await?;
    Ok(Redirect::to(&format!("/account/cases/{}/edit", case.id)).into_response())
}

/// Opens a draft of `service` for `me` holding `form`; a second request with the same
/// idempotency `key` finds the draft the first opened.
async fn open_draft(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    service: &Service,
    kind: safir_domain::consular::case::CaseKind,
    form: &BTreeMap<String, String>,
    key: Option<&str>,
) -> Result<Case, AppError> {
    let name = forms::applicant_name(form, &me.user.display_name);
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let case = cases::create_draft(
        &mut tx,
        &NewDraft {
            mission_id: &service.mission_id,
            service_id: &service.id,
            kind,
            applicant_id: me.id(),
            form,
            applicant_name: &name,
            lang: &me.user.preferred_lang,
            priority: safir_domain::consular::case::Priority::Normal,
            idempotency_key: key,
            idempotency_fingerprint: None,
            expires_at: now() + state.config.consular.draft_ttl,
        },
    )
    .await
    .map_err(AppError::internal)?;
    tx.commit().await.map_err(AppError::internal)?;
    Ok(case)
}

#[derive(Template)]
#[template(path = "consular/applicant/apply.html")]
struct ApplyPage {
    page: Page,
    case_id: String,
    /// Sent back with the form: should the draft be gone by then (expired, discarded in
    /// another tab), what was typed goes into a new one of the same service.
    service_id: String,
    mission: String,
    needs_info: bool,
    /// A draft of a service the mission no longer offers: it can be kept, not sent.
    service_disabled: bool,
    expires: Option<String>,
    sections: Vec<Section>,
    error_summary: Option<String>,
    case_documents: Vec<CaseDocument>,
    upload_kinds: Vec<KindChoice>,
    upload_kind: String,
    upload_error: Option<String>,
    /// The case id, under the name the shared documents box reads.
    id: String,
    csrf_token: String,
    /// The revision of the form this page is drawn with, and the page's own key: a save from
    /// it after another page's save is refused (`cases::save_form_from`).
    form_rev: i64,
    editor: String,
}

#[allow(clippy::too_many_arguments)]
async fn apply_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    case: &Case,
    service: &Service,
    form: &BTreeMap<String, String>,
    errors: &FieldErrors,
    notice: Option<(crate::page::FlashKind, String)>,
) -> Result<Html<String>, AppError> {
    let drawn = Drawn {
        form,
        errors,
        notice,
        upload: Upload::default(),
    };
    draw(state, (lang, uri, viewer), case, service, drawn).await
}

/// What a draft's page is drawn with besides its case and service.
struct Drawn<'a> {
    form: &'a BTreeMap<String, String>,
    errors: &'a FieldErrors,
    notice: Option<(crate::page::FlashKind, String)>,
    upload: Upload,
}

/// The documents box as an upload left it: the kind chosen and why the file was refused.
#[derive(Default)]
struct Upload {
    kind: String,
    error: Option<String>,
}

async fn draw(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    case: &Case,
    service: &Service,
    Drawn {
        form,
        errors,
        notice,
        upload,
    }: Drawn<'_>,
) -> Result<Html<String>, AppError> {
    let content = labels::content(lang);
    let mission = missions::find(&state.db, &case.mission_id)
        .await
        .map_err(AppError::internal)?;
    let mut page = state.page(lang, uri, "consular-title", viewer);
    let mut args = fluent_bundle::FluentArgs::new();
    args.set("service", service.name(content).to_owned());
    page.title = page.t_args("apply-title", &args);
    if let Some((kind, n)) = notice {
        page = page.with_flash(kind, n);
    }
    let kind = case.kind().map_err(AppError::internal)?;
    let expires = case.expires_at.map(|d| {
        let mut a = fluent_bundle::FluentArgs::new();
        a.set("date", crate::i18n::ltr(lang, d.format("%Y-%m-%d")));
        page.t_args("apply-draft-expires", &a)
    });
    render(&ApplyPage {
        case_id: case.id.clone(),
        service_id: service.id.clone(),
        mission: mission.name(content).to_owned(),
        needs_info: case.state == CaseState::NeedsInfo.as_str(),
        service_disabled: case.state == CaseState::Draft.as_str() && !service.enabled,
        expires,
        sections: form_view::sections(
            lang,
            kind,
            form,
            errors,
            &workflow::visa_types_for(service, case),
        ),
        error_summary: labels::error_summary(lang, errors),
        case_documents: case_documents::list(state, lang, &case.id).await?,
        upload_kinds: case_documents::applicant_kinds(lang),
        upload_kind: upload.kind,
        upload_error: upload.error,
        id: case.id.clone(),
        csrf_token: state.csrf_token(viewer),
        form_rev: cases::form_revision(&state.db, &case.id)
            .await
            .map_err(AppError::internal)?,
        editor: crate::admin::support::new_request_key(),
        page,
    })
}

fn editable(case: &Case) -> bool {
    case.state == CaseState::Draft.as_str() || case.state == CaseState::NeedsInfo.as_str()
}

pub async fn edit(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    SignedIn(me): SignedIn,
    Path(case_id): Path<String>,
) -> Result<Response, AppError> {
    let case = own_case(&state, &me, &case_id).await?;
    if !editable(&case) {
        return Ok(Redirect::to(&format!("/account/cases/{}", case.id)).into_response());
    }
    let service = services::find(&state.db, &case.service_id)
        .await
        .map_err(AppError::internal)?;
    let html = apply_page(
        &state,
        lang,
        &uri,
        &viewer,
        &case,
        &service,
        &case.form(),
        &FieldErrors::new(),
        None,
    )
    .await?;
    Ok(html.into_response())
}

/// Saves what was typed; with `intent=submit`, checks it and submits the application.
pub async fn save(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    acting: Acting,
    Path(case_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let me = &acting.user;
    let case = match own_case(&state, me, &case_id).await {
        Ok(case) => case,
        Err(AppError::NotFound) => {
            return lost_draft(&state, (lang, &uri, &viewer), me, &case_id, &data).await;
        }
        Err(e) => return Err(e),
    };
    if !editable(&case) {
        return gone_past_editing(&state, lang, &uri, &viewer, me, &case, &data).await;
    }
    let kind = case.kind().map_err(AppError::internal)?;
    let service = services::find(&state.db, &case.service_id)
        .await
        .map_err(AppError::internal)?;
    // Whatever happens next, what the applicant typed is kept. A request sent twice at once
    // (a double click) finds the case submitted by its twin: it shows the case.
    let form = match keep_typed(&state, me, &case, &data).await {
        Ok(Kept::Saved(form)) => form,
        // Another page saved the form after this one was drawn: shown again with what this
        // page held, beside a word that saving it again replaces the other page's values.
        // Drawn anew, its next save goes through.
        Ok(Kept::SavedElsewhere(form)) => {
            let now_case = cases::find(&state.db, &case.id)
                .await
                .map_err(AppError::internal)?;
            let notice = crate::i18n::t(lang, "apply-saved-elsewhere");
            let html = apply_page(
                &state,
                lang,
                &uri,
                &viewer,
                &now_case,
                &service,
                &form,
                &FieldErrors::new(),
                Some((crate::page::FlashKind::Warning, notice)),
            )
            .await?;
            return Ok(crate::admin::support::conflicted(html));
        }
        Err(AppError::Conflict) => {
            let now_case = match cases::find(&state.db, &case.id).await {
                Ok(c) => c,
                // Discarded (or expired) since it was read.
                Err(StoreError::NotFound) => {
                    return lost_draft(&state, (lang, &uri, &viewer), me, &case.id, &data).await;
                }
                Err(e) => return Err(AppError::internal(e)),
            };
            return gone_past_editing(&state, lang, &uri, &viewer, me, &now_case, &data).await;
        }
        Err(e) => return Err(e),
    };

    if data.get("intent") != "submit" {
        let saved = cases::find(&state.db, &case.id)
            .await
            .map_err(AppError::internal)?;
        // A draft is kept until it expires; a case waiting for information has no such date.
        let notice = match saved.expires_at {
            Some(d) => {
                let mut args = fluent_bundle::FluentArgs::new();
                args.set("date", crate::i18n::ltr(lang, d.format("%Y-%m-%d")));
                crate::i18n::t_args(lang, "apply-saved", &args)
            }
            None => crate::i18n::t(lang, "apply-saved-answer"),
        };
        let html = apply_page(
            &state,
            lang,
            &uri,
            &viewer,
            &saved,
            &service,
            &form,
            &FieldErrors::new(),
            Some((crate::page::FlashKind::Success, notice)),
        )
        .await?;
        return Ok(html.into_response());
    }

    if case.state == CaseState::Draft.as_str() && !service.enabled {
        return not_offered(&state, (lang, &uri, &viewer), &case, &service, &form).await;
    }
    let today = super::super::case_today(&state, &case).await?;
    let visa_types = workflow::visa_types_for(&service, &case);
    let checked = match forms::check(kind, &form, today, &visa_types) {
        Ok(c) => c,
        Err(domain_errors) => {
            let errors = labels::field_errors(&domain_errors);
            let html = apply_page(
                &state, lang, &uri, &viewer, &case, &service, &form, &errors, None,
            )
            .await?;
            return Ok(labels::rejected(html));
        }
    };
    let state_now = case.state().map_err(AppError::internal)?;
    if let Some(priority) = checked
        .priority_for(kind, state_now)
        .filter(|p| *p != case.priority())
    {
        let mut tx = state.db.begin().await.map_err(AppError::internal)?;
        cases::set_priority(&mut tx, &case.id, &case.mission_id, priority)
            .await
            .map_err(AppError::internal)?;
        tx.commit().await.map_err(AppError::internal)?;
    }
    let fresh = cases::find(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?;
    let by = By::web(me, acting.ip.clone());
    let action = if fresh.state == CaseState::NeedsInfo.as_str() {
        CaseAction::ProvideInfo
    } else {
        CaseAction::Submit
    };
    let cmd = Command {
        action,
        actor: Actor::Applicant,
        reason: None,
        message: None,
    };
    let notice = if action == CaseAction::ProvideInfo {
        "answered"
    } else {
        "submitted"
    };
    let emergency = action == CaseAction::Submit && kind == CaseKind::Emergency;
    if emergency && let Some(refusal) = emergency_refusal(&state, me.id()).await? {
        // The same request sent twice at once (a double click, a retry): its twin sent the
        // case and is counted here. Answered as the twin was.
        if let Some(sent) = sent_by_twin(&state, &case.id, me.id()).await? {
            return Ok(submitted(&sent));
        }
        return refused_emergency(
            &state,
            (lang, &uri, &viewer),
            &fresh,
            &service,
            &form,
            refusal,
        )
        .await;
    }
    match workflow::act(&state, &fresh, &by, &cmd).await {
        Ok(done) => Ok(
            Redirect::to(&format!("/account/cases/{}?notice={notice}", done.id)).into_response(),
        ),
        Err(AppError::Conflict) => {
            // Disabled between the check above and the submission (and not sent meanwhile by
            // a twin request): said as above.
            let now_case = cases::find(&state.db, &case.id).await;
            let service = services::find(&state.db, &case.service_id)
                .await
                .map_err(AppError::internal)?;
            if let Ok(now_case) = now_case
                && now_case.state == CaseState::Draft.as_str()
                && !service.enabled
            {
                return not_offered(&state, (lang, &uri, &viewer), &now_case, &service, &form)
                    .await;
            }
            Ok(Redirect::to(&format!("/account/cases/{}", case.id)).into_response())
        }
        // Another request of the applicant's sent at the same moment took the last place: said
        // as above.
        Err(AppError::RateLimited { retry_after }) if emergency => {
            if let Some(sent) = sent_by_twin(&state, &case.id, me.id()).await? {
                return Ok(submitted(&sent));
            }
            let refusal = emergency_refusal(&state, me.id())
                .await?
                .unwrap_or(EmergencyRefusal::Hourly { retry_after });
            refused_emergency(
                &state,
                (lang, &uri, &viewer),
                &fresh,
                &service,
                &form,
                refusal,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// Where a sent application's form leads: its case page, saying it was sent.
fn submitted(case: &Case) -> Response {
    Redirect::to(&format!("/account/cases/{}?notice=submitted", case.id)).into_response()
}

/// The case `case_id`, read again, when it is no longer a draft because `applicant_id`
/// sent it: the same request sent twice at once, whose twin went through first (and is
/// counted against the account's emergency limits when this one is checked).
pub async fn sent_by_twin(
    state: &AppState,
    case_id: &str,
    applicant_id: &str,
) -> Result<Option<Case>, AppError> {
    let case = match cases::find(&state.db, case_id).await {
        Ok(case) => case,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(AppError::internal(e)),
    };
    if case.state == CaseState::Draft.as_str() {
        return Ok(None);
    }
    let sent = workflow::own_last_move(state, &case, CaseAction::Submit, applicant_id).await?;
    Ok(sent.map(|_| case))
}

/// Why an emergency request may not be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmergencyRefusal {
    /// The account sent as many as it may in an hour; the next may go after `retry_after`.
    Hourly { retry_after: std::time::Duration },
    /// As many of the account's emergency requests as it may have wait for their
    /// acknowledgement.
    Open,
}

impl EmergencyRefusal {
    /// The API's problem: `429 emergency_limit_hourly` with `Retry-After`, or
    /// `409 emergency_limit_open`.
    pub fn problem(self) -> crate::error::ErrorInfo {
        use axum::http::StatusCode;
        match self {
            EmergencyRefusal::Hourly { retry_after } => {
                let mut info = crate::error::ErrorInfo::new(
                    "emergency_limit_hourly",
                    StatusCode::TOO_MANY_REQUESTS,
                );
                info.retry_after = Some(retry_after.as_secs().max(1));
                info
            }
            EmergencyRefusal::Open => {
                crate::error::ErrorInfo::new("emergency_limit_open", StatusCode::CONFLICT)
            }
        }
    }
}

/// Refused inside the submission's transaction ([`crate::consular::workflow::act`]): its
/// callers check again outside it to say which limit.
impl From<EmergencyRefusal> for AppError {
    fn from(refusal: EmergencyRefusal) -> AppError {
        AppError::RateLimited {
            retry_after: match refusal {
                EmergencyRefusal::Hourly { retry_after } => retry_after,
                EmergencyRefusal::Open => std::time::Duration::from_secs(60),
            },
        }
    }
}

/// Whether `applicant_id` may send an emergency request now, from the form or the API: at
/// most `emergency_requests_per_hour` sent in an hour, and at most `emergency_requests_open`
/// waiting for their acknowledgement at once (each goes to the top of every officer's queue
/// and, unanswered, to the heads of mission). `sent`: the request is already submitted in
/// `tx` and counted, so it is let through at the limit and refused beyond it. A crisis
/// check-in's "need help" opens its case without asking (it is not sent from here).
pub async fn emergency_limit(
    state: &AppState,
    tx: &mut safir_store::Tx,
    applicant_id: &str,
    sent: bool,
) -> Result<Option<EmergencyRefusal>, AppError> {
    let hour = chrono::Duration::hours(1);
    let at = now();
    let load = cases::emergency_load(tx, applicant_id, at - hour)
        .await
        .map_err(AppError::internal)?;
    let config = &state.config.consular;
    let own = usize::from(sent);
    let per_hour = config.emergency_requests_per_hour.max(1) as usize;
    let others = load.submitted.len().saturating_sub(own);
    if others >= per_hour {
        // The next may go once enough of those sent in the past hour are an hour old.
        let frees_at = load.submitted[others - per_hour] + hour;
        let retry_after = (frees_at - at)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(1));
        return Ok(Some(EmergencyRefusal::Hourly { retry_after }));
    }
    let open = usize::try_from(load.unacknowledged)
        .unwrap_or(usize::MAX)
        .saturating_sub(own);
    if open >= config.emergency_requests_open.max(1) as usize {
        return Ok(Some(EmergencyRefusal::Open));
    }
    Ok(None)
}

/// [`emergency_limit`] for a request not sent yet, in a transaction of its own.
pub async fn emergency_refusal(
    state: &AppState,
    applicant_id: &str,
) -> Result<Option<EmergencyRefusal>, AppError> {
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let refusal = emergency_limit(state, &mut tx, applicant_id, false).await?;
    tx.rollback().await.map_err(AppError::internal)?;
    Ok(refusal)
}

/// An emergency request over the limits: its form (saved with what was typed) is shown
/// again, saying which limit and what to do meanwhile, and it is not sent.
async fn refused_emergency(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    case: &Case,
    service: &Service,
    form: &BTreeMap<String, String>,
    refusal: EmergencyRefusal,
) -> Result<Response, AppError> {
    let mut args = fluent_bundle::FluentArgs::new();
    let key = match refusal {
        EmergencyRefusal::Hourly { retry_after } => {
            args.set("count", state.config.consular.emergency_requests_per_hour);
            args.set("minutes", retry_after.as_secs().div_ceil(60).max(1));
            "apply-emergency-limit-hourly"
        }
        EmergencyRefusal::Open => {
            args.set("count", state.config.consular.emergency_requests_open);
            "apply-emergency-limit-open"
        }
    };
    let notice = crate::i18n::t_args(lang, key, &args);
    let html = apply_page(
        state,
        lang,
        uri,
        viewer,
        case,
        service,
        form,
        &FieldErrors::new(),
        Some((crate::page::FlashKind::Error, notice)),
    )
    .await?;
    let info = refusal.problem();
    let mut response = (
        info.status,
        axum::Extension(crate::error::OwnErrorPage),
        html,
    )
        .into_response();
    if let Some(secs) = info.retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(secs),
        );
    }
    Ok(response)
}

/// The answer to "send" on a draft of a service the mission has stopped offering: the draft
/// (saved with what was typed) is shown again, saying why (the page's notice of a draft of
/// such a service), and it is not sent.
async fn not_offered(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    case: &Case,
    service: &Service,
    form: &BTreeMap<String, String>,
) -> Result<Response, AppError> {
    let html = apply_page(
        state,
        lang,
        uri,
        viewer,
        case,
        service,
        form,
        &FieldErrors::new(),
        None,
    )
    .await?;
    Ok(crate::admin::support::conflicted(html))
}

/// The form of a case that is no longer editable was sent: a second click on "submit" once
/// the first went through, or a page kept open (or brought back) after the application went.
/// Sent as stored, the case page is shown. Sent with changes, they are not saved, and the
/// applicant is told so on the case page, with the changed fields copied into the message to
/// the mission, so that nothing they typed is lost without a word.
async fn gone_past_editing(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    me: &crate::auth::CurrentUser,
    case: &Case,
    data: &FormData,
) -> Result<Response, AppError> {
    let kind = case.kind().map_err(AppError::internal)?;
    let typed: BTreeMap<String, String> = data.0.iter().cloned().collect();
    let typed = forms::clean(kind, &typed);
    let stored = case.form();
    let changed: BTreeMap<String, String> = typed
        .into_iter()
        .filter(|(k, v)| stored.get(k).map_or("", |s| s.trim()) != v.as_str())
        .collect();
    if changed.is_empty() {
        return Ok(Redirect::to(&format!("/account/cases/{}", case.id)).into_response());
    }
    let can_write = case.state != CaseState::Closed.as_str();
    let message: String = form_view::summary(lang, kind, &changed)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect::<Vec<_>>()
        .join("\n");
    let key = if can_write {
        "apply-not-saved-copied"
    } else {
        "apply-not-saved"
    };
    let page = state.page(lang, uri, "my-cases-title", viewer);
    let text = page.t(key);
    let page = page.with_flash(crate::page::FlashKind::Warning, text);
    let html = super::cases::case_page(
        state,
        viewer,
        me,
        &case.id,
        page,
        &FieldErrors::new(),
        &super::cases::CaseTyped {
            message: if can_write { &message } else { "" },
            upload_kind: "",
        },
    )
    .await?;
    Ok(crate::admin::support::conflicted(html))
}

/// The draft a form was sent to is gone (expired and purged while its page stood open, or
/// discarded in another tab): what was typed goes into a new draft of the same service,
/// shown with a warning, so that nothing typed is lost. Without the service (an old page, an
/// address typed by hand) or with the service withdrawn, the answer stays "not found". The
/// same form sent again (a second click) finds the draft the first made, keyed by the lost
/// one.
async fn lost_draft(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    me: &crate::auth::CurrentUser,
    lost_id: &str,
    data: &FormData,
) -> Result<Response, AppError> {
    let service = match services::find(&state.db, data.get("service_id").trim()).await {
        Ok(s) if s.enabled => s,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let kind = service.kind().map_err(AppError::internal)?;
    let typed: BTreeMap<String, String> = data.0.iter().cloned().collect();
    let form = forms::clean(kind, &typed);
    let key = format!("lost:{lost_id}");
    let case = open_draft(state, me, &service, kind, &form, Some(&key)).await?;
    // The lost draft's documents went back to the applicant's own list when it expired or
    // was discarded, each naming it: the new draft takes them back (on a second sending of
    // the same form, the first already did). Documents kept there for other reasons stay.
    safir_store::consular::documents::refile_from_lost_draft(
        &state.db,
        me.id(),
        lost_id,
        &case.id,
        &safir_domain::ids::MissionId::from_trusted(case.mission_id.clone()),
    )
    .await
    .map_err(AppError::internal)?;
    let notice = crate::i18n::t(lang, "apply-draft-lost");
    let html = apply_page(
        state,
        lang,
        uri,
        viewer,
        &case,
        &service,
        &form,
        &FieldErrors::new(),
        Some((crate::page::FlashKind::Warning, notice)),
    )
    .await?;
    Ok(crate::admin::support::conflicted(html))
}

/// What became of the fields a page sent, cleaned.
enum Kept {
    Saved(BTreeMap<String, String>),
    /// Not saved: another page (another tab or window) saved the form after this one was
    /// drawn, and these older values would have written over it.
    SavedElsewhere(BTreeMap<String, String>),
}

/// Stores the form's fields as typed (and extends a draft's life); returns them cleaned.
/// [`AppError::Conflict`] when the case stopped being editable since it was read.
async fn keep_typed(
    state: &AppState,
    me: &crate::auth::CurrentUser,
    case: &Case,
    data: &FormData,
) -> Result<Kept, AppError> {
    let kind = case.kind().map_err(AppError::internal)?;
    let typed: BTreeMap<String, String> = data.0.iter().cloned().collect();
    let form = forms::clean(kind, &typed);
    let name = forms::applicant_name(&form, &me.user.display_name);
    let expires =
        (case.state == CaseState::Draft.as_str()).then(|| now() + state.config.consular.draft_ttl);
    // A page drawn with its revision and key saves only over what it was drawn with or saved
    // itself; a form without them (a page from before they were drawn) saves as it always did.
    let key = crate::admin::support::request_key(data.get("editor"));
    let drawn_at = data.get("form_rev").trim().parse::<i64>().ok();
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let saved = match (&key, drawn_at) {
        (Some(key), Some(drawn_at)) => {
            let tab = cases::FormTab { key, drawn_at };
            cases::save_form_from(&mut tx, &case.id, &form, &name, expires, tab).await
        }
        _ => cases::save_form(&mut tx, &case.id, &form, &name, expires).await,
    };
    match saved {
        Ok(()) => {}
        Err(e) if cases::saved_elsewhere(&e) => {
            tx.rollback().await.map_err(AppError::internal)?;
            return Ok(Kept::SavedElsewhere(form));
        }
        Err(StoreError::NotFound) => return Err(AppError::Conflict),
        Err(e) => return Err(AppError::internal(e)),
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Kept::Saved(form))
}

/// `POST /account/cases/{case}/autosave`: the form saves itself as the applicant types (the
/// page posts it a moment after each change); answers a short status line for the page.
pub async fn autosave(
    State(state): State<AppState>,
    lang: Lang,
    acting: Acting,
    Path(case_id): Path<String>,
    Form(data): Form<FormData>,
) -> Result<Response, AppError> {
    let me = &acting.user;
    let case = own_case(&state, me, &case_id).await?;
    if !editable(&case) {
        return Err(AppError::Conflict);
    }
    let line = match keep_typed(&state, me, &case, &data).await? {
        Kept::Saved(_) => {
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("time", crate::i18n::ltr(lang, now().format("%H:%M UTC")));
            crate::i18n::t_args(lang, "apply-autosaved", &args)
        }
        // What this page holds stays on it; saving it over the newer values is the
        // applicant's choice, with the save button (which says what happened).
        Kept::SavedElsewhere(_) => crate::i18n::t(lang, "apply-autosave-elsewhere"),
    };
    let html = format!(
        "<span>{}</span>",
        askama::filters::escape(&line, askama::filters::Html).map_err(AppError::internal)?
    );
    Ok(axum::response::Html(html).into_response())
}

pub async fn discard(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(case_id): Path<String>,
) -> Result<Response, AppError> {
    let case = match own_case(&state, &me, &case_id).await {
        Ok(case) => case,
        // Already gone (a second click once the first discarded it): gone is what was asked.
        // An id that is someone else's looks the same, so nothing is told about it.
        Err(AppError::NotFound) => {
            return Ok(Redirect::to("/account/cases?notice=discarded").into_response());
        }
        Err(e) => return Err(e),
    };
    if case.state != CaseState::Draft.as_str() {
        return Err(AppError::Conflict);
    }
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    match cases::discard_draft(&mut tx, &case.id, me.id()).await {
        Ok(()) => {}
        // Another request (a double click, another tab) discarded or submitted it since it
        // was read: gone is what was asked; submitted is a conflict, as above.
        Err(StoreError::NotFound) => {
            return match cases::find(&state.db, &case.id).await {
                Err(StoreError::NotFound) => {
                    Ok(Redirect::to("/account/cases?notice=discarded").into_response())
                }
                Ok(_) => Err(AppError::Conflict),
                Err(e) => Err(AppError::internal(e)),
            };
        }
        Err(e) => return Err(AppError::internal(e)),
    }
    tx.commit().await.map_err(AppError::internal)?;
    Ok(Redirect::to("/account/cases?notice=discarded").into_response())
}

/// A draft's page after an upload from its documents box was refused: the form as saved,
/// the kind that was chosen, and the refusal beside the box (`file` or `kind`).
pub(crate) async fn upload_refused_page(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    case: &Case,
    upload_kind: &str,
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
    let service = services::find(&state.db, &case.service_id)
        .await
        .map_err(AppError::internal)?;
    let drawn = Drawn {
        form: &case.form(),
        errors: &FieldErrors::new(),
        notice: None,
        upload: Upload {
            kind: upload_kind.to_owned(),
            error: errors
                .for_field("file")
                .or_else(|| errors.for_field("kind"))
                .map(|e| e.message(lang)),
        },
    };
    draw(state, (lang, uri, viewer), case, &service, drawn).await
}
