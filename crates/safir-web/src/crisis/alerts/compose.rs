//! Composing alerts: the list, the new-alert form, one alert's page (the editing form while
//! it is a draft, its audience preview, its map, and the actions its status allows), and
//! saving a draft.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::audit::actions::{ALERT_CREATE, ALERT_EDIT, ALERT_IMPORT};
use safir_domain::crisis::alert::{AlertForm, AlertStatus};
use safir_domain::crisis::cap::MsgType;
use safir_domain::ids::{MissionId, UserId};
use safir_domain::roles::Permission;
use safir_store::crisis::alerts::{self, Alert, NewAlert};
use safir_store::crisis::crises;

use super::form::{AlertFormView, field_errors, from_data};
use super::map::MapView;
use super::{
    CapCode, allowed, content_lang, missions_for, own_alert, scope, shown_time, status_label,
};
use crate::admin::support::{Actor, FormData, SelectOption, rejected};
use crate::api::input::query_pairs;
use crate::auth::Viewer;
use crate::error::{AppError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{FlashKind, Page, render};
use crate::state::AppState;

struct AlertRow {
    id: String,
    headline: String,
    msg_type: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "crisis/alerts/list.html")]
struct ListPage {
    page: Page,
    rows: Vec<AlertRow>,
}

pub async fn list_alerts(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
) -> Result<Response, AppError> {
    let content = content_lang(lang);
    let rows = alerts::list(&state.db, scope(&actor).as_deref(), 200)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|a| AlertRow {
            headline: a.headline(content).to_owned(),
            msg_type: CapCode::MsgType.label(lang, &a.msg_type),
            status: status_label(lang, &a.status),
            created: shown_time(a.created_at),
            id: a.id,
        })
        .collect();
    let page = state.page(lang, &uri, "crisis-alerts-title", &viewer);
    Ok(render(&ListPage { page, rows })?.into_response())
}

#[derive(Template)]
#[template(path = "crisis/alerts/new.html")]
struct NewPage {
    page: Page,
    csrf_token: String,
    missions: Vec<SelectOption>,
    mission_error: Option<String>,
    crisis_error: Option<String>,
    crises: Vec<SelectOption>,
    form: AlertFormView,
    /// The sender and identifier of the CAP message being completed (an import that lacked
    /// fields), carried to the draft it becomes; empty for a new alert.
    source: String,
    /// The form's own key: sent twice, it opens one draft.
    request_key: String,
}

/// The `source` field of a form completing a CAP import, when it holds one: the sender and
/// identifier the import read, at most 500 characters of printable text (anything else is
/// not what the import wrote, and is dropped).
pub(super) fn import_source(d: &FormData) -> Option<String> {
    let source = d.get("source").trim();
    (!source.is_empty() && source.chars().count() <= 500 && !source.chars().any(char::is_control))
        .then(|| source.to_owned())
}

/// What every rendering of a page needs about the request.
pub(super) struct Ctx<'a> {
    pub state: &'a AppState,
    pub lang: Lang,
    pub uri: &'a Uri,
    pub viewer: &'a Viewer,
    pub actor: &'a Actor,
}

pub(super) async fn render_new(
    ctx: &Ctx<'_>,
    d: &FormData,
    form: &AlertForm,
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
    let Ctx {
        state,
        lang,
        uri,
        viewer,
        actor,
    } = *ctx;
    let content = content_lang(lang);
    let missions = missions_for(state, actor, Permission::ManageCrises)
        .await?
        .into_iter()
        .map(|m| SelectOption {
            selected: d.get("mission") == m.code,
            label: format!("{} — {}", m.code, m.name(content)),
            value: m.code,
        })
        .collect();
    let mut open_crises = vec![SelectOption {
        value: String::new(),
        label: crate::i18n::t(lang, "crisis-no-crisis"),
        selected: d.get("crisis").is_empty(),
    }];
    open_crises.extend(
        crises::list(&state.db, scope(actor).as_deref())
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .filter(|c| c.is_open())
            .map(|c| SelectOption {
                selected: d.get("crisis") == c.id,
                label: c.title(content).to_owned(),
                value: c.id,
            }),
    );
    let page = state.page(lang, uri, "crisis-alert-new-title", viewer);
    render(&NewPage {
        page,
        csrf_token: state.csrf_token(viewer),
        missions,
        mission_error: errors.for_field("mission").map(|e| e.message(lang)),
        crisis_error: errors.for_field("crisis").map(|e| e.message(lang)),
        crises: open_crises,
        form: AlertFormView::new(lang, form, errors),
        source: import_source(d).unwrap_or_default(),
        request_key: d.request_key_or_new(),
    })
}

pub async fn new_alert_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        actor: &actor,
    };
    let params = query_pairs(uri.query());
    let d = FormData(params);
    let mut form = AlertForm::default();
    // A crisis's page links here with its area filled in.
    if let Ok(c) = crises::find(&state.db, d.get("crisis")).await
        && allowed(&actor, Permission::ManageCrises, &c.mission_id)
        && let Ok(area) = c.area()
    {
        let prefill = AlertForm::from_input(&safir_domain::crisis::alert::AlertInput {
            target: area,
            ..placeholder_input()
        });
        form.countries = prefill.countries;
        form.regions = prefill.regions;
        form.geojson = prefill.geojson;
    }
    let html = render_new(&ctx, &d, &form, &FieldErrors::new()).await?;
    Ok(html.into_response())
}

/// An input whose only purpose is carrying an area into a form.
fn placeholder_input() -> safir_domain::crisis::alert::AlertInput {
    use safir_domain::crisis::cap::*;
    safir_domain::crisis::alert::AlertInput {
        headline_ar: String::new(),
        headline_en: String::new(),
        description_ar: String::new(),
        description_en: String::new(),
        instruction_ar: String::new(),
        instruction_en: String::new(),
        category: Category::Safety,
        event: String::new(),
        response_type: ResponseType::Monitor,
        urgency: Urgency::Unknown,
        severity: Severity::Unknown,
        certainty: Certainty::Unknown,
        onset: None,
        expires: None,
        target: Default::default(),
        area_desc: String::new(),
    }
}

pub async fn create_alert(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        actor: &actor,
    };
    let form = from_data(&d);
    let mut errors = FieldErrors::new();
    // The crisis decides the mission; without one, the mission picked.
    let crisis = match d.get("crisis").trim() {
        "" => None,
        id => match crises::find(&state.db, id).await {
            Ok(c) if allowed(&actor, Permission::ManageCrises, &c.mission_id) => Some(c),
            _ => {
                errors.push("crisis", "crisis_choose");
                None
            }
        },
    };
    let mission_id = match &crisis {
        Some(c) => Some(c.mission_id.clone()),
        None => missions_for(&state, &actor, Permission::ManageCrises)
            .await?
            .into_iter()
            .find(|m| m.code == d.get("mission").trim())
            .map(|m| m.id),
    };
    if mission_id.is_none() && errors.is_empty() {
        errors.push("mission", "crisis_choose");
    }
    let input = match form.validate() {
        Ok(input) if errors.is_empty() => input,
        Ok(_) => {
            let html = render_new(&ctx, &d, &form, &errors).await?;
            return Ok(rejected(html));
        }
        Err(e) => {
            for fe in field_errors(lang, &e).iter() {
                errors.add(fe.clone());
            }
            let html = render_new(&ctx, &d, &form, &errors).await?;
            return Ok(rejected(html));
        }
    };
    let Some(mission_id) = mission_id else {
        return Err(AppError::NotFound);
    };
    // A CAP import completed on this form keeps where it came from, and is recorded as the
    // import it is.
    let source = import_source(&d);
    let action = if source.is_some() {
        ALERT_IMPORT
    } else {
        ALERT_CREATE
    };
    let new = NewAlert {
        crisis_id: crisis.map(|c| c.id),
        mission_id: MissionId::from_trusted(mission_id),
        msg_type: MsgType::Alert,
        references_id: None,
        input,
        source: source.unwrap_or_default(),
        created_by: Some(UserId::from_trusted(actor.id().to_owned())),
    };
    let key = d.request_key();
    let once = key.as_deref().map_or(Once::No, Once::Form);
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    // Read again where the draft is written (and held there against a close): a crisis
    // closed since the form was drawn takes no new alert. Its people could no longer answer
    // one.
    if let Some(crisis_id) = new.crisis_id.as_deref()
        && !alerts::hold_crisis_open(&mut tx, crisis_id)
            .await
            .map_err(AppError::internal)?
    {
        tx.rollback().await.map_err(AppError::internal)?;
        errors.push("crisis", "crisis_closed");
        let html = render_new(&ctx, &d, &form, &errors).await?;
        return Ok(rejected(html));
    }
    let (alert, _) = store_new_in(tx, &actor, &new, action, once).await?;
    Ok(Redirect::to(&format!("/staff/alerts/{}", alert.id)).into_response())
}

/// How a new draft is told from one already stored (the key is unique per mission).
#[derive(Clone, Copy)]
pub(super) enum Once<'a> {
    /// Not at all: each call opens a draft.
    No,
    /// By the key of the form it was written on: the same form sent again finds the first
    /// draft, and other words sent with it are saved into that draft.
    Form(&'a str),
    /// By the message it was imported from: imported again, it is the alert the first import
    /// made, as it now is (edited, sent), and nothing is stored.
    Message(&'a str),
}

/// Stores a new draft with its audit record, once as `once` says (recorded once), in a
/// transaction the caller began (and checked things in).
pub(super) async fn store_new_in(
    mut tx: safir_store::Tx,
    actor: &Actor,
    new: &NewAlert,
    action: safir_domain::audit::AuditAction,
    once: Once<'_>,
) -> Result<(Alert, bool), AppError> {
    let key = match once {
        Once::No => None,
        Once::Form(key) | Once::Message(key) => Some(key),
    };
    let (alert, made) = alerts::create_draft_keyed(&mut tx, new, key)
        .await
        .map_err(AppError::internal)?;
    if !made && matches!(once, Once::Message(_)) {
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok((alert, false));
    }
    if !made {
        // The form sent again: the draft the first sending opened. Sent with other words (a
        // correction typed while the first was answered), the later ones are kept, as a save
        // of the draft; unchanged, nothing new to record.
        let same = alert.input().map_err(AppError::internal)? == new.input;
        if same
            || !alerts::update_draft(&mut tx, &alert.id, &new.input, Some(alert.updated_at))
                .await
                .map_err(AppError::internal)?
        {
            tx.rollback().await.map_err(AppError::internal)?;
            return Ok((alert, false));
        }
        let record = actor.audit(
            ALERT_EDIT,
            "crisis_alert",
            Some(&alert.id),
            Some(&alert.mission_id),
            serde_json::json!({ "headline_en": new.input.headline_en }),
        );
        crate::audit_log::commit_with(tx, &record).await?;
        return Ok((alert, false));
    }
    let record = actor.audit(
        action,
        "crisis_alert",
        Some(&alert.id),
        Some(&alert.mission_id),
        serde_json::json!({
            "msg_type": alert.msg_type,
            "references": alert.references_id,
            "headline_en": alert.headline_en,
            "source": alert.source,
        }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok((alert, true))
}

/// One of the actions a status allows, as a button.
pub(super) struct ActionButton {
    pub path: String,
    pub label: String,
    pub danger: bool,
}

#[derive(Template)]
#[template(path = "crisis/alerts/alert.html")]
struct AlertPage {
    page: Page,
    csrf_token: String,
    id: String,
    identifier: String,
    status: String,
    msg_type: String,
    references: Option<String>,
    /// Imported CAP: the original's sender and identifier.
    source: Option<String>,
    editable: bool,
    form: AlertFormView,
    /// A save refused because the alert changed since its page was shown: the draft as it
    /// now is shown above the form, which holds what was typed.
    saved_meanwhile: bool,
    /// The same, when the alert is no longer a draft: what was typed, not saved, to copy.
    unsaved: Vec<(String, String)>,
    /// Read-only view: label/value pairs.
    details: Vec<(String, String)>,
    area: String,
    map: MapView,
    counts: Option<safir_store::crisis::audience::AudienceCounts>,
    needs_approval: bool,
    actions: Vec<ActionButton>,
    /// The version shown (`updated_at`), sent back with each action: an alert changed since
    /// is not acted on.
    seen: String,
    cap_link: Option<String>,
}

/// Renders an alert's page; `form`/`errors` when a save was rejected, `problem` for a
/// message above it. `not_saved`: the typed form was not saved because the alert changed
/// since it was shown; the page shows the alert as it now is beside what was typed.
pub(super) async fn render_alert(
    ctx: &Ctx<'_>,
    alert: &Alert,
    typed: Option<(&AlertForm, &FieldErrors)>,
    problem: Option<&str>,
    not_saved: bool,
) -> Result<Html<String>, AppError> {
    let Ctx {
        state,
        lang,
        uri,
        viewer,
        actor,
    } = *ctx;
    let content = content_lang(lang);
    let status = alert.status().map_err(AppError::internal)?;
    let input = alert.input().map_err(AppError::internal)?;
    let stored_form = AlertForm::from_input(&input);
    let empty = FieldErrors::new();
    let (form, errors) = typed.unwrap_or((&stored_form, &empty));
    let t = |key: &str| crate::i18n::t(lang, key);
    let mut details = vec![
        (t("crisis-field-headline-ar"), alert.headline_ar.clone()),
        (t("crisis-field-headline-en"), alert.headline_en.clone()),
        (
            t("crisis-field-description-ar"),
            alert.description_ar.clone(),
        ),
        (
            t("crisis-field-description-en"),
            alert.description_en.clone(),
        ),
    ];
    for (key, v) in [
        ("crisis-field-instruction-ar", &alert.instruction_ar),
        ("crisis-field-instruction-en", &alert.instruction_en),
    ] {
        if !v.is_empty() {
            details.push((t(key), v.clone()));
        }
    }
    details.extend([
        (t("crisis-field-event"), alert.event.clone()),
        (
            t("crisis-field-category"),
            CapCode::Category.label(lang, &alert.category),
        ),
        (
            t("crisis-field-response-type"),
            CapCode::ResponseType.label(lang, &alert.response_type),
        ),
        (
            t("crisis-field-urgency"),
            CapCode::Urgency.label(lang, &alert.urgency),
        ),
        (
            t("crisis-field-severity"),
            CapCode::Severity.label(lang, &alert.severity),
        ),
        (
            t("crisis-field-certainty"),
            CapCode::Certainty.label(lang, &alert.certainty),
        ),
    ]);
    if let Some(o) = alert.onset {
        details.push((t("crisis-field-onset"), shown_time(o)));
    }
    if let Some(e) = alert.expires {
        details.push((t("crisis-field-expires"), shown_time(e)));
    }
    if let Some(s) = alert.sent_at {
        details.push((t("crisis-alert-sent-at"), shown_time(s)));
    }
    let counts = alert.audience();
    let has_counts = alert.audience != "{}";
    let threshold = u64::from(state.config.crisis.approval_threshold);
    let can_approve = allowed(actor, Permission::ApproveAlerts, &alert.mission_id)
        && status == AlertStatus::PendingApproval
        && !super::wrote_or_sent(state, alert, actor).await?;
    let button = |action: &str, key: &str, danger: bool| ActionButton {
        path: format!("/staff/alerts/{}/{action}", alert.id),
        label: t(key),
        danger,
    };
    let mut actions = Vec::new();
    match status {
        AlertStatus::Draft => {
            actions.push(button("preview", "crisis-action-preview", false));
            actions.push(button("submit", "crisis-action-submit", false));
            actions.push(button("cancel", "crisis-action-withdraw", true));
        }
        AlertStatus::PendingApproval => {
            if can_approve {
                actions.push(button("approve", "crisis-action-approve", false));
                actions.push(button("reject", "crisis-action-reject", true));
            }
            actions.push(button("cancel", "crisis-action-withdraw", true));
        }
        // Not once the event is over: a Cancel of its thread went out.
        AlertStatus::Sending | AlertStatus::Completed
            if alert.msg_type != MsgType::Cancel.as_str()
                && !alerts::thread_cancelled(&state.db, &alert.id)
                    .await
                    .map_err(AppError::internal)? =>
        {
            actions.push(button("update", "crisis-action-update", false));
            actions.push(button("cancel", "crisis-action-cancel", true));
        }
        _ => {}
    }
    let mut page = state.page(lang, uri, "crisis-alerts-title", viewer);
    page.title = alert.headline(content).to_owned();
    if let Some(key) = problem {
        let message = page.t(key);
        page = page.with_flash(FlashKind::Error, message);
    } else if let Some(crisis_id) = alert.crisis_id.as_deref()
        && alert.msg_type != MsgType::Alert.as_str()
        && matches!(status, AlertStatus::Draft | AlertStatus::PendingApproval)
        && !crises::find(&state.db, crisis_id)
            .await
            .map_err(AppError::internal)?
            .is_open()
    {
        // An update or cancellation still to be sent in a crisis closed since: said before it
        // is sent that nobody will be asked to check in.
        let message = page.t("crisis-alert-closed-information-only");
        page = page.with_flash(FlashKind::Info, message);
    }
    let editable = status.is_editable();
    let form = AlertFormView::new(lang, form, errors);
    let unsaved = if not_saved && !editable {
        form.filled()
    } else {
        Vec::new()
    };
    render(&AlertPage {
        page,
        csrf_token: state.csrf_token(viewer),
        id: alert.id.clone(),
        identifier: alert.identifier.clone(),
        status: status_label(lang, &alert.status),
        msg_type: CapCode::MsgType.label(lang, &alert.msg_type),
        references: alert.references_id.clone(),
        source: (!alert.source.is_empty()).then(|| alert.source.clone()),
        editable,
        form,
        saved_meanwhile: not_saved && editable,
        unsaved,
        details,
        area: input.target.describe(content),
        map: MapView::new(&input.target),
        counts: has_counts.then_some(counts),
        needs_approval: has_counts && counts.size() > threshold,
        actions,
        seen: crate::admin::support::version_mark(alert.updated_at),
        cap_link: status
            .is_published()
            .then(|| format!("/cap/{}.xml", alert.id)),
    })
}

pub async fn show_alert(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        actor: &actor,
    };
    let alert = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
    let problem = query_pairs(uri.query())
        .into_iter()
        .find(|(k, _)| k == "problem")
        .and_then(|(_, v)| match v.as_str() {
            "changed" => Some("crisis-alert-problem-changed"),
            "cancelled" => Some("crisis-alert-problem-cancelled"),
            "self" => Some("crisis-alert-problem-self-approval"),
            "imported" => Some("crisis-alert-problem-imported"),
            "expired" => Some("crisis-alert-problem-expired"),
            "crisis-closed" => Some("crisis-alert-problem-crisis-closed"),
            _ => None,
        });
    let html = render_alert(&ctx, &alert, None, problem, false).await?;
    Ok(html.into_response())
}

/// The alert's page at 409 after a save that did not happen because the alert changed since
/// its form was shown (a colleague saved it, submitted or withdrew it): nothing typed is lost,
/// and saving again (from this page, drawn from the alert as it now is) replaces the
/// colleague's version knowingly.
async fn not_saved(
    ctx: &Ctx<'_>,
    alert: &Alert,
    form: &AlertForm,
    errors: &FieldErrors,
) -> Result<Response, AppError> {
    let html = render_alert(
        ctx,
        alert,
        Some((form, errors)),
        Some("crisis-alert-draft-changed"),
        true,
    )
    .await?;
    Ok(crate::admin::support::conflicted(html))
}

pub async fn save_alert(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(id): Path<String>,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let ctx = Ctx {
        state: &state,
        lang,
        uri: &uri,
        viewer: &viewer,
        actor: &actor,
    };
    let alert = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
    let form = from_data(&d);
    let checked = form.validate();
    // The version the form was drawn from (a form without it, from before the field: none),
    // checked first: a form shown again for a mistake carries the version it is drawn from,
    // so a stale one must not pass for current by way of a 422.
    let seen = match crate::admin::support::seen_is(&d, alert.updated_at) {
        Some(false) => {
            let errors = checked
                .err()
                .map(|e| field_errors(lang, &e))
                .unwrap_or_default();
            return not_saved(&ctx, &alert, &form, &errors).await;
        }
        Some(true) => Some(alert.updated_at),
        None => None,
    };
    let input = match checked {
        Ok(input) => input,
        Err(e) => {
            let errors = field_errors(lang, &e);
            let html = render_alert(&ctx, &alert, Some((&form, &errors)), None, false).await?;
            return Ok(rejected(html));
        }
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if !alerts::update_draft(&mut tx, &alert.id, &input, seen)
        .await
        .map_err(AppError::internal)?
    {
        // Saved by someone else, submitted or withdrawn since the read above.
        tx.rollback().await.map_err(AppError::internal)?;
        let fresh = own_alert(&state, &actor, &id, Permission::ManageCrises).await?;
        return not_saved(&ctx, &fresh, &form, &FieldErrors::new()).await;
    }
    let record = actor.audit(
        ALERT_EDIT,
        "crisis_alert",
        Some(&alert.id),
        Some(&alert.mission_id),
        serde_json::json!({ "headline_en": input.headline_en }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    Ok(Redirect::to(&format!("/staff/alerts/{}", alert.id)).into_response())
}
