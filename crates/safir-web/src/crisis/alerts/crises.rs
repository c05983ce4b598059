//! `/staff/crises`: the crises of one's missions and the declaration form; one crisis with its
//! alerts, closing it, and opening or closing its "register your presence" form.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::CountryCode;
use safir_domain::audit::actions::{CRISIS_CLOSE, CRISIS_DECLARE, CRISIS_PRESENCE};
use safir_domain::crisis::alert::{AlertFormErrors, AreaFields, parse_area};
use safir_domain::ids::{MissionId, UserId};
use safir_domain::roles::Permission;
use safir_store::crisis::{alerts, crises as store};

use super::form::{FieldView, area_fields, field_errors};
use super::map::MapView;
use super::{CapCode, content_lang, missions_for, own_crisis, scope, shown_time, status_label};
use crate::admin::support::{
    Actor, FormData, SelectOption, error_summary, rejected, required_text,
};
use crate::auth::Viewer;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

const TITLE_MAX: usize = 200;

struct CrisisRow {
    id: String,
    title: String,
    country: String,
    open: bool,
    presence_open: bool,
    declared: String,
}

#[derive(Template)]
#[template(path = "crisis/alerts/crises.html")]
struct CrisesPage {
    page: Page,
    csrf_token: String,
    rows: Vec<CrisisRow>,
    missions: Vec<SelectOption>,
    mission_error: Option<String>,
    fields: Vec<FieldView>,
    area: Vec<FieldView>,
    presence_open: bool,
    error_summary: Option<String>,
    /// The declaration form's own key: sent twice, it declares one crisis.
    request_key: String,
}

fn declare_fields(lang: Lang, d: &FormData, errors: &FieldErrors) -> Vec<FieldView> {
    let t = |key: &str| crate::i18n::t(lang, key);
    let reminder = if d.0.is_empty() {
        String::new()
    } else {
        d.get("reminder_minutes").to_owned()
    };
    [
        ("title_ar", "text", d.get("title_ar").to_owned()),
        ("title_en", "text", d.get("title_en").to_owned()),
        ("country", "text", d.get("country").to_owned()),
        ("reminder_minutes", "number", reminder),
    ]
    .into_iter()
    .map(|(name, kind, value)| {
        let key = format!("crisis-field-{}", name.replace('_', "-"));
        let hint_key = format!("{key}-hint");
        FieldView {
            name,
            label: t(&key),
            hint: crate::i18n::I18n::global()
                .has(lang, &hint_key)
                .then(|| t(&hint_key)),
            value,
            error: errors.for_field(name).map(|e| e.message(lang)),
            kind,
            required: name != "reminder_minutes",
            options: Vec::new(),
        }
    })
    .collect()
}

async fn render_list(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    actor: &Actor,
    d: &FormData,
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
    let content = content_lang(lang);
    let rows = store::list(&state.db, scope(actor).as_deref())
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|c| CrisisRow {
            title: c.title(content).to_owned(),
            country: CountryCode::parse(&c.country)
                .map(|cc| cc.name(content).to_owned())
                .unwrap_or_else(|_| c.country.clone()),
            open: c.is_open(),
            presence_open: c.presence_open,
            declared: shown_time(c.declared_at),
            id: c.id,
        })
        .collect();
    let missions = missions_for(state, actor, Permission::ManageCrises)
        .await?
        .into_iter()
        .map(|m| SelectOption {
            selected: d.get("mission") == m.code,
            label: format!("{} — {}", m.code, m.name(content)),
            value: m.code,
        })
        .collect();
    let page = state.page(lang, uri, "crisis-crises-title", viewer);
    render(&CrisesPage {
        page,
        csrf_token: state.csrf_token(viewer),
        rows,
        missions,
        mission_error: errors.for_field("mission").map(|e| e.message(lang)),
        fields: declare_fields(lang, d, errors),
        area: area_fields(
            lang,
            errors,
            [
                d.get("countries"),
                d.get("regions"),
                d.get("circles"),
                d.get("polygons"),
                d.get("geojson"),
            ],
            None,
        ),
        presence_open: d.get("presence_open") == "on",
        error_summary: error_summary(lang, errors),
        request_key: d.request_key_or_new(),
    })
}

pub async fn list_crises(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
) -> Result<Response, AppError> {
    let html = render_list(
        &state,
        lang,
        &uri,
        &viewer,
        &actor,
        &FormData::default(),
        &FieldErrors::new(),
    )
    .await?;
    Ok(html.into_response())
}

pub async fn declare_crisis(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let mut errors = FieldErrors::new();
    let missions = missions_for(&state, &actor, Permission::ManageCrises).await?;
    let mission = missions.iter().find(|m| m.code == d.get("mission").trim());
    if mission.is_none() {
        errors.push("mission", "crisis_choose");
    }
    let mut text = |name: &str| match required_text(d.get(name), TITLE_MAX) {
        Ok(v) => Some(v),
        Err(e) => {
            errors.add(match e.code {
                "too_long" => FieldError::new(name, "too_long").with_arg("max", TITLE_MAX),
                code => FieldError::new(name, code),
            });
            None
        }
    };
    let title_ar = text("title_ar");
    let title_en = text("title_en");
    let country = CountryCode::parse(d.get("country").trim()).ok();
    if country.is_none() {
        errors.push("country", "crisis_alert_country_unknown");
    }
    let reminder = d.get("reminder_minutes").trim();
    let reminder_minutes = if reminder.is_empty() {
        Some(state.config.crisis.reminder.num_minutes().clamp(1, 10_080) as i32)
    } else {
        safir_domain::ascii_number(reminder)
            .parse::<i32>()
            .ok()
            .filter(|m| (1..=10_080).contains(m))
    };
    if reminder_minutes.is_none() {
        errors.push("reminder_minutes", "crisis_reminder_invalid");
    }
    let mut area_errors = AlertFormErrors::default();
    let mut area = parse_area(
        AreaFields {
            countries: d.get("countries"),
            regions: d.get("regions"),
            circles: d.get("circles"),
            polygons: d.get("polygons"),
            geojson: d.get("geojson"),
        },
        &mut area_errors,
    );
    for e in field_errors(lang, &area_errors).iter() {
        errors.add(e.clone());
    }
    let (Some(mission), Some(title_ar), Some(title_en), Some(country), Some(reminder_minutes)) =
        (mission, title_ar, title_en, country, reminder_minutes)
    else {
        let html = render_list(&state, lang, &uri, &viewer, &actor, &d, &errors).await?;
        return Ok(rejected(html));
    };
    if !errors.is_empty() {
        let html = render_list(&state, lang, &uri, &viewer, &actor, &d, &errors).await?;
        return Ok(rejected(html));
    }
    // A crisis without a drawn area covers its country.
    if area.is_empty() {
        area.countries.push(country);
    }
    let input = store::NewCrisis {
        mission_id: MissionId::from_trusted(mission.id.clone()),
        title_ar,
        title_en,
        country,
        area,
        presence_open: d.get("presence_open") == "on",
        reminder_minutes,
        declared_by: Some(UserId::from_trusted(actor.id().to_owned())),
    };
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    let (crisis, declared) = store::declare_keyed(&mut tx, &input, d.request_key().as_deref())
        .await
        .map_err(AppError::internal)?;
    if !declared {
        // The form sent again (a double click, a retried request): the crisis the first
        // sending declared; nothing new to record.
        tx.rollback().await.map_err(AppError::internal)?;
        return Ok(Redirect::to(&format!("/staff/crises/{}", crisis.id)).into_response());
    }
    let record = actor.audit(
        CRISIS_DECLARE,
        "crisis",
        Some(&crisis.id),
        Some(&crisis.mission_id),
        serde_json::json!({
            "country": crisis.country,
            "presence_open": crisis.presence_open,
            "title_en": crisis.title_en,
        }),
    );
    crate::audit_log::commit_with(tx, &record).await?;
    state.public_crises.clear();
    Ok(Redirect::to(&format!("/staff/crises/{}", crisis.id)).into_response())
}

struct AlertRow {
    id: String,
    headline: String,
    msg_type: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "crisis/alerts/crisis.html")]
struct CrisisPage {
    page: Page,
    csrf_token: String,
    id: String,
    open: bool,
    presence_open: bool,
    status: String,
    country: String,
    reminder_minutes: i32,
    declared: String,
    area: String,
    map: MapView,
    alerts: Vec<AlertRow>,
    /// Whether the viewer may open the crisis's welfare board (it shows personal data).
    board: bool,
    /// The public "register your presence" form, to share (also linked from the home page).
    presence_url: String,
}

pub async fn show_crisis(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let crisis = own_crisis(&state, &actor, &id).await?;
    let content = content_lang(lang);
    let area = crisis.area().map_err(AppError::internal)?;
    let alerts = alerts::list_for_crisis(&state.db, &crisis.id)
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
    let board = crate::crisis::board::may_open(&actor, &crisis.mission_id);
    let mut page = state.page(lang, &uri, "crisis-crises-title", &viewer);
    page.title = crisis.title(content).to_owned();
    let html = render(&CrisisPage {
        page,
        csrf_token: state.csrf_token(&viewer),
        open: crisis.is_open(),
        presence_open: crisis.presence_open,
        status: crate::i18n::t(lang, &format!("crisis-status-{}", crisis.status)),
        country: CountryCode::parse(&crisis.country)
            .map(|c| c.name(content).to_owned())
            .unwrap_or_else(|_| crisis.country.clone()),
        reminder_minutes: crisis.reminder_minutes,
        declared: shown_time(crisis.declared_at),
        area: area.describe(content),
        map: MapView::new(&area),
        alerts,
        board,
        presence_url: format!(
            "{}/crisis/{}/presence",
            state.config.public_url.trim_end_matches('/'),
            crisis.id
        ),
        id: crisis.id,
    })?;
    Ok(html.into_response())
}

pub async fn close_crisis(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let crisis = own_crisis(&state, &actor, &id).await?;
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if store::close(&mut tx, &crisis.id)
        .await
        .map_err(AppError::internal)?
    {
        let record = actor.audit(
            CRISIS_CLOSE,
            "crisis",
            Some(&crisis.id),
            Some(&crisis.mission_id),
            serde_json::json!({}),
        );
        crate::audit_log::append(&mut tx, &record).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    state.public_crises.clear();
    Ok(Redirect::to(&format!("/staff/crises/{}", crisis.id)).into_response())
}

pub async fn set_presence(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    Form(d): Form<FormData>,
) -> Result<Response, AppError> {
    let crisis = own_crisis(&state, &actor, &id).await?;
    let open = d.get("open") == "1";
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    if store::set_presence_open(&mut tx, &crisis.id, open)
        .await
        .map_err(AppError::internal)?
    {
        let record = actor.audit(
            CRISIS_PRESENCE,
            "crisis",
            Some(&crisis.id),
            Some(&crisis.mission_id),
            serde_json::json!({ "open": open }),
        );
        crate::audit_log::append(&mut tx, &record).await?;
    }
    tx.commit().await.map_err(AppError::internal)?;
    state.public_crises.clear();
    Ok(Redirect::to(&format!("/staff/crises/{}", crisis.id)).into_response())
}
