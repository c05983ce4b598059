//! Safety check-ins on the web: the personal page behind each alert's signed link
//! (`/crisis/checkin/{token}`: I am safe / I need help / I am not in the area, a note and an
//! optional location), the SMS gateway's inbound replies (`/crisis/sms/inbound`), the
//! emergency case a "need help" opens, and reminders to people who have not answered.
//!
//! The token is the credential of the page: whoever holds the link answers for that person.
//! The form still carries the usual form token (bound to the visitor's anonymous cookie).

mod help;
mod reminders;
mod sms;
mod writer;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use safir_domain::consular::case::CaseState;
use safir_domain::crisis::checkin::{CheckinStatus, verify_token};
use safir_domain::crisis::geo::Point;
use safir_store::StoreError;
use safir_store::consular::cases;
use safir_store::crisis::checkins::{self, Checkin, CheckinContext, LinkedCheckin, NewAnswer};
use serde::Deserialize;

pub use help::{
    after_answer, forget_placeholder_names, open_emergency_case, placeholder_registration,
};
pub use reminders::{REMINDER_JOB, ReminderJob, remind, schedule_reminders};
pub use writer::{AnswerError, AnswerWriter, MAX_BATCH};

use crate::admin::support::rejected;
use crate::auth::{Access, Routes, Viewer};
use crate::consular::appointments::labels::{Moment, moment_in_zone};
use crate::error::AppError;
use crate::i18n::{Lang, chosen_lang};
use crate::page::{Page, render};
use crate::state::AppState;

pub fn routes(r: Routes) -> Routes {
    // The page names the person, their answer and their conversation with the mission, and
    // is opened from a message with no session: kept by no browser cache or proxy.
    let personal = || axum::middleware::map_response(crate::security::no_store);
    r.add(
        Method::GET,
        "/crisis/checkin/{token}",
        Access::Public,
        get(checkin_page).route_layer(personal()),
    )
    .add(
        Method::POST,
        "/crisis/checkin/{token}",
        Access::Public,
        post(checkin_answer).route_layer(personal()),
    )
    .add(
        Method::POST,
        "/crisis/sms/inbound",
        Access::Public,
        post(sms::inbound),
    )
}

/// The public link of a check-in.
pub fn link(state: &AppState, checkin_id: &str) -> String {
    format!(
        "{}/crisis/checkin/{}",
        state.config.public_url.trim_end_matches('/'),
        safir_domain::crisis::checkin::sign_token(&state.checkin_key, checkin_id)
    )
}

/// The language of the person's messages: the one they registered with.
pub fn person_lang(ctx: &CheckinContext) -> Lang {
    Lang::parse(&ctx.lang).unwrap_or(Lang::Ar)
}

/// The page's language: the person's, unless whoever holds the link chose another with the
/// switcher (a relative reading it for them, a phone set to the other language).
fn page_lang(chosen: Option<Lang>, ctx: &CheckinContext) -> Lang {
    chosen.unwrap_or_else(|| person_lang(ctx))
}

/// The check-in id a token names, or 404 for any token that does not verify.
fn token_id(state: &AppState, token: &str) -> Result<String, AppError> {
    verify_token(&state.checkin_key, token).ok_or(AppError::NotFound)
}

/// The check-in of a link with its context (one read), or 404.
async fn linked(state: &AppState, id: &str) -> Result<LinkedCheckin, AppError> {
    match checkins::find_with_context(&state.db, id).await {
        Ok(l) => Ok(l),
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// One of the three big buttons.
struct Choice {
    value: &'static str,
    label: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "crisis/checkin/page.html")]
struct CheckinPage {
    page: Page,
    csrf_token: String,
    action: String,
    name: String,
    crisis_title: String,
    headline: String,
    choices: Vec<Choice>,
    note: String,
    lat: String,
    lon: String,
    current: Option<String>,
    answered_at: Option<String>,
    /// The zone of the page's times: the mission's (empty when unknown: the times say UTC).
    times_zone: String,
    thanks: bool,
    error: Option<String>,
    /// The answer is "I need help": the team was alerted; the mission's telephone as given,
    /// and as a number to dial.
    need_help: Option<Option<(String, Option<String>)>>,
    /// The emergency cases the person's "need help" answers opened.
    cases: Vec<CaseOnPage>,
}

/// An emergency case on the check-in page: where it stands and, for someone without an
/// account (who cannot open "My applications"), the conversation with the mission.
struct CaseOnPage {
    reference: String,
    state: String,
    messages: Vec<CaseLine>,
    /// The case's page under "My applications", for someone who has an account.
    account_link: Option<String>,
    /// Held by the check-in this page answers and still open: an answer here reaches it.
    answered_here: bool,
    /// Held by the check-in this page answers but finished (closed, withdrawn, refused): an
    /// answer here no longer reaches it, and a new "need help" opens a new request.
    finished_here: bool,
}

struct CaseLine {
    from_mission: bool,
    at: String,
    body: String,
}

/// `t` on the clock of the alert's mission, as the person is most likely where it serves.
fn clock(lang: Lang, ctx: &CheckinContext, t: chrono::DateTime<chrono::Utc>) -> Moment {
    moment_in_zone(lang, ctx.mission_time_zone.as_deref().unwrap_or(""), t)
}

/// The emergency cases opened from the person's check-ins, in `lang`; `answering` is the
/// check-in the page answers. The link is the credential of this page and of the answers it
/// sends; it shows the person's own case, which the mission's messages reach them about
/// (`consular::reach`), only in the messages they read (never officers' internal notes).
async fn cases_on_page(
    state: &AppState,
    ctx: &CheckinContext,
    answering: &Checkin,
    lang: Lang,
) -> Result<Vec<CaseOnPage>, AppError> {
    let mut out = Vec::new();
    let opened = checkins::cases_of_registration(&state.db, &ctx.registration_id)
        .await
        .map_err(AppError::internal)?;
    for (_, case_id) in opened {
        let case = match cases::find(&state.db, &case_id).await {
            Ok(c) => c,
            // Purged after it was closed.
            Err(StoreError::NotFound) => continue,
            Err(e) => return Err(AppError::internal(e)),
        };
        let account_link = ctx
            .user_id
            .is_some()
            .then(|| format!("/account/cases/{}", case.id));
        let messages = if account_link.is_some() {
            Vec::new()
        } else {
            let at = |t| clock(lang, ctx, t).clock;
            // What they said first (the case's description), then the conversation.
            let first = CaseLine {
                from_mission: false,
                at: at(case.submitted_at.unwrap_or(case.created_at)),
                body: case.form().get("description").cloned().unwrap_or_default(),
            };
            let rest = cases::list_messages(&state.db, &case.id, false)
                .await
                .map_err(AppError::internal)?
                .into_iter()
                .map(|m| CaseLine {
                    from_mission: m.from_staff,
                    at: at(m.created_at),
                    body: m.body,
                });
            std::iter::once(first).chain(rest).collect()
        };
        let held_here = answering.case_id.as_deref() == Some(case.id.as_str());
        let open = CaseState::parse(&case.state).is_ok_and(CaseState::is_open);
        out.push(CaseOnPage {
            reference: case.display_reference(),
            state: crate::consular::labels::state_for_applicant(lang, &case.state, &case.form),
            messages,
            account_link,
            answered_here: held_here && open,
            finished_here: held_here && !open,
        });
    }
    Ok(out)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub answered: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub answer: String,
    pub note: String,
    pub lat: String,
    pub lon: String,
}

/// Longest note kept with an answer.
pub const NOTE_MAX: usize = 1000;

#[allow(clippy::too_many_arguments)]
fn view(
    state: &AppState,
    uri: &Uri,
    viewer: &Viewer,
    token: &str,
    checkin: &Checkin,
    ctx: &CheckinContext,
    form: Option<&AnswerForm>,
    error: Option<String>,
    thanks: bool,
    chosen: Option<Lang>,
) -> CheckinPage {
    let lang = page_lang(chosen, ctx);
    let mut page = state.page(lang, uri, "checkin-title", viewer);
    page.nav.clear();
    let status = checkin.status().ok();
    let chosen = form
        .map(|f| f.answer.clone())
        .or_else(|| {
            status
                .filter(|s| s.is_answer())
                .map(|s| s.as_str().to_owned())
        })
        .unwrap_or_default();
    let choices = CheckinStatus::ANSWERS
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: page.t(&format!("checkin-answer-{}", s.as_str().replace('_', "-"))),
            chosen: chosen == s.as_str(),
        })
        .collect();
    let pick = |ar: &Option<String>, en: &Option<String>| {
        match lang {
            Lang::Ar => ar.clone().or_else(|| en.clone()),
            Lang::En => en.clone().or_else(|| ar.clone()),
        }
        .unwrap_or_default()
    };
    let current = status
        .filter(|s| s.is_answer())
        .map(|s| page.t(&format!("checkin-status-{}", s.as_str().replace('_', "-"))));
    CheckinPage {
        csrf_token: state.csrf_token(viewer),
        action: format!("/crisis/checkin/{token}"),
        name: ctx.full_name.clone(),
        crisis_title: pick(&ctx.crisis_title_ar, &ctx.crisis_title_en),
        headline: pick(&ctx.headline_ar, &ctx.headline_en),
        choices,
        note: form.map_or_else(|| checkin.note.clone(), |f| f.note.clone()),
        lat: form.map(|f| f.lat.clone()).unwrap_or_default(),
        lon: form.map(|f| f.lon.clone()).unwrap_or_default(),
        current,
        answered_at: checkin.answered_at.map(|t| clock(lang, ctx, t).clock),
        times_zone: clock(lang, ctx, checkin.created_at).zone,
        thanks,
        error,
        need_help: (status == Some(CheckinStatus::NeedHelp))
            .then(|| crate::page::phone_to_dial(ctx.mission_phone.as_deref())),
        cases: Vec::new(),
        page,
    }
}

pub async fn checkin_page(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    Path(token): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let LinkedCheckin {
        checkin,
        context: ctx,
    } = linked(&state, &token_id(&state, &token)?).await?;
    // An older link shows the person's current check-in (where its answer goes).
    let checkin = checkins::current_of(&state.db, checkin)
        .await
        .map_err(AppError::internal)?;
    let chosen = chosen_lang(&uri, &headers);
    let mut v = view(
        &state,
        &uri,
        &viewer,
        &token,
        &checkin,
        &ctx,
        None,
        None,
        q.answered.is_some(),
        chosen,
    );
    v.cases = cases_on_page(&state, &ctx, &checkin, page_lang(chosen, &ctx)).await?;
    // With a case to answer, the note is the person's next words to the mission (what they
    // said is above, in the conversation): sent again, their last words would reach the case
    // as new ones.
    if v.cases.iter().any(|c| c.answered_here) {
        v.note.clear();
    }
    Ok(render(&v)?.into_response())
}

/// The location the page's script filled in: both or neither, in range.
fn parse_point(lat: &str, lon: &str) -> Result<Option<Point>, ()> {
    let (lat, lon) = (lat.trim(), lon.trim());
    if lat.is_empty() && lon.is_empty() {
        return Ok(None);
    }
    let lat: f64 = lat.parse().map_err(|_| ())?;
    let lon: f64 = lon.parse().map_err(|_| ())?;
    Point::new(lat, lon).map(Some).map_err(|_| ())
}

pub async fn checkin_answer(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let id = token_id(&state, &token)?;
    let status = CheckinStatus::parse(&form.answer)
        .ok()
        .filter(|s| s.is_answer());
    let point = parse_point(&form.lat, &form.lon);
    let note = form.note.trim();
    let error = match (&status, &point) {
        (None, _) => Some("checkin-error-answer"),
        (_, Err(())) => Some("checkin-error-location"),
        _ if note.chars().count() > NOTE_MAX => Some("checkin-error-note"),
        _ => None,
    };
    let (Some(status), Ok(point), None) = (status, point, error) else {
        let LinkedCheckin {
            checkin,
            context: ctx,
        } = linked(&state, &id).await?;
        // As the page showed it: an older alert's link shows the person's current check-in.
        let checkin = checkins::current_of(&state.db, checkin)
            .await
            .map_err(AppError::internal)?;
        let chosen = chosen_lang(&uri, &headers);
        let message = error.map(|k| crate::i18n::I18n::global().t(page_lang(chosen, &ctx), k));
        let mut v = view(
            &state,
            &uri,
            &viewer,
            &token,
            &checkin,
            &ctx,
            Some(&form),
            message,
            false,
            chosen,
        );
        v.cases = cases_on_page(&state, &ctx, &checkin, page_lang(chosen, &ctx)).await?;
        return Ok(rejected(render(&v)?));
    };
    // A valid answer needs no read first: the writer's UPDATE finds the check-in (or not).
    let answered = state
        .checkin_writer
        .answer(NewAnswer {
            id: id.clone(),
            status,
            note: note.to_owned(),
            point: point.map(|p| (p.lat, p.lon)),
        })
        .await
        .map_err(|e| match e {
            AnswerError::Store(StoreError::NotFound) => AppError::NotFound,
            e => AppError::internal(e),
        })?;
    // Its context is read only when the answer goes further (a case to open or to tell): in a
    // rush most answers are "safe" with no case.
    if status == CheckinStatus::NeedHelp || answered.checkin.case_id.is_some() {
        let ctx = linked(&state, &id).await?.context;
        after_answer(&state, &answered.checkin, &ctx).await?;
    }
    Ok(Redirect::to(&format!("/crisis/checkin/{token}?answered=1")).into_response())
}
