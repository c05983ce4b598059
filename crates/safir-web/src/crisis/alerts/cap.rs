//! CAP 1.2 in and out: importing another authority's alert as a draft, every published alert
//! as `/cap/{alert}.xml`, and the Atom feed of them at `/cap/feed.atom`.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use safir_domain::audit::actions::ALERT_IMPORT;
use safir_domain::crisis::alert::{AlertForm, CapMeta};
use safir_domain::crisis::cap::{self as capfmt, AtomEntry, CapReference, MsgType, Status};
use safir_domain::ids::{MissionId, UserId};
use safir_domain::roles::Permission;
use safir_store::StoreError;
use safir_store::crisis::alerts::{self, Alert, NewAlert};

use super::compose::{Ctx, Once, render_new, store_new_in};
use super::form::field_errors;
use super::{content_lang, missions_for};
use crate::admin::support::{Actor, FormData, SelectOption, error_summary, rejected};
use crate::auth::Viewer;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// Pasted CAP beyond this is refused (an alert with a 2,000-point polygon is far smaller).
const MAX_XML: usize = 512 * 1024;

#[derive(Template)]
#[template(path = "crisis/alerts/import.html")]
struct ImportPage {
    page: Page,
    csrf_token: String,
    missions: Vec<SelectOption>,
    xml: String,
    xml_error: Option<String>,
    mission_error: Option<String>,
    error_summary: Option<String>,
}

async fn render_import(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    actor: &Actor,
    d: &FormData,
    errors: &FieldErrors,
) -> Result<Html<String>, AppError> {
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
    let page = state.page(lang, uri, "crisis-import-title", viewer);
    render(&ImportPage {
        page,
        csrf_token: state.csrf_token(viewer),
        missions,
        xml: d.get("xml").to_owned(),
        xml_error: errors.for_field("xml").map(|e| e.message(lang)),
        mission_error: errors.for_field("mission").map(|e| e.message(lang)),
        error_summary: error_summary(lang, errors),
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
) -> Result<Response, AppError> {
    let html = render_import(
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

pub async fn import_cap(
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
    let mut errors = FieldErrors::new();
    let mission = missions_for(&state, &actor, Permission::ManageCrises)
        .await?
        .into_iter()
        .find(|m| m.code == d.get("mission").trim());
    if mission.is_none() {
        errors.push("mission", "crisis_choose");
    }
    let xml = d.get("xml");
    let parsed = if xml.trim().is_empty() {
        errors.push("xml", "required");
        None
    } else if xml.len() > MAX_XML {
        errors.add(FieldError::new("xml", "too_long").with_arg("max", MAX_XML));
        None
    } else {
        match capfmt::parse(xml) {
            // An exercise, a test or a system message must not reach citizens as a real alert,
            // nor an update or a cancellation as a new one: those are written from the alert
            // they refer to, with its own buttons.
            Ok(cap) if cap.status != Status::Actual => {
                errors.add(
                    FieldError::new("xml", "crisis_cap_not_actual")
                        .with_arg("status", cap.status.as_str()),
                );
                None
            }
            Ok(cap) if cap.msg_type != MsgType::Alert => {
                errors.add(
                    FieldError::new("xml", "crisis_cap_not_alert")
                        .with_arg("type", cap.msg_type.as_str()),
                );
                None
            }
            Ok(cap) => Some(cap),
            Err(e) => {
                errors.add(FieldError::new("xml", "crisis_cap").with_arg("message", e.to_string()));
                None
            }
        }
    };
    let (Some(mission), Some(cap)) = (mission, parsed) else {
        let html = render_import(&state, lang, &uri, &viewer, &actor, &d, &errors).await?;
        return Ok(rejected(html));
    };
    let form = AlertForm::from_cap(&cap);
    let input = match form.validate() {
        Ok(input) => input,
        Err(e) => {
            // What the message lacks (a headline in Arabic, a known category …) is for staff
            // to complete: the compose form, filled in, with the gaps marked.
            let errors = field_errors(lang, &e);
            let chosen = FormData(vec![
                ("mission".to_owned(), mission.code.clone()),
                (
                    "source".to_owned(),
                    format!("{} {}", cap.sender, cap.identifier),
                ),
            ]);
            let html = render_new(&ctx, &chosen, &form, &errors).await?;
            return Ok(rejected(html));
        }
    };
    let new = NewAlert {
        crisis_id: None,
        mission_id: MissionId::from_trusted(mission.id.clone()),
        msg_type: MsgType::Alert,
        references_id: None,
        input,
        source: format!("{} {}", cap.sender, cap.identifier),
        created_by: Some(UserId::from_trusted(actor.id().to_owned())),
    };
    let key = message_key(&cap.sender, &cap.identifier);
    let (alert, made) = store_new_in(
        state.db.begin().await.map_err(AppError::internal)?,
        &actor,
        &new,
        ALERT_IMPORT,
        Once::Message(&key),
    )
    .await?;
    let again = if made { "" } else { "?problem=imported" };
    Ok(Redirect::to(&format!("/staff/alerts/{}{again}", alert.id)).into_response())
}

/// The key of an imported CAP message: its sender and identifier name it for good (CAP 1.2,
/// 3.2.1), so the same message imported twice, by a double click or a week apart, makes one
/// alert in a mission.
fn message_key(sender: &str, identifier: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in ["cap", sender, identifier] {
        digest.update((part.len() as u64).to_be_bytes());
        digest.update(part.as_bytes());
    }
    hex::encode(digest.finalize())
}

/// The sender of our CAP messages: the site's host name.
fn sender(state: &AppState) -> String {
    let url = state.config.public_url.trim_end_matches('/');
    url.split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("safir")
        .to_owned()
}

fn cap_url(state: &AppState, alert: &Alert) -> String {
    format!(
        "{}/cap/{}.xml",
        state.config.public_url.trim_end_matches('/'),
        alert.id
    )
}

/// Whether an alert is public: it went out (sending, completed, or cancelled after going out).
fn is_public(alert: &Alert) -> bool {
    alert.sent_at.is_some()
        && matches!(alert.status.as_str(), "sending" | "completed" | "cancelled")
}

/// The CAP message of a published alert.
async fn to_cap_xml(state: &AppState, alert: &Alert) -> Result<String, AppError> {
    let input = alert.input().map_err(AppError::internal)?;
    let sender = sender(state);
    let mut references = Vec::new();
    if let Some(original) = &alert.references_id {
        match alerts::find(&state.db, original).await {
            Ok(o) => references.push(CapReference {
                sender: sender.clone(),
                identifier: o.identifier.clone(),
                sent: o.sent_at.unwrap_or(o.created_at),
            }),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(AppError::internal(e)),
        }
    }
    let meta = CapMeta {
        identifier: alert.identifier.clone(),
        sender,
        sent: alert.sent_at.unwrap_or(alert.created_at),
        msg_type: alert.msg_type().map_err(AppError::internal)?,
        references,
        web: Some(cap_url(state, alert)),
        sender_name: [
            crate::i18n::t(Lang::Ar, "crisis-cap-sender-name"),
            crate::i18n::t(Lang::En, "crisis-cap-sender-name"),
        ],
    };
    Ok(input.to_cap(&meta).to_xml())
}

/// `GET /cap/{alert}.xml`
pub async fn cap_xml(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let id = file.strip_suffix(".xml").ok_or(AppError::NotFound)?;
    let alert = match alerts::find(&state.db, id).await {
        Ok(a) if is_public(&a) => a,
        Ok(_) | Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let xml = to_cap_xml(&state, &alert).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}

/// `GET /cap/feed.atom`: the latest published alerts, each linking to its CAP message.
pub async fn atom_feed(State(state): State<AppState>) -> Result<Response, AppError> {
    let published = alerts::list_published(&state.db, 50)
        .await
        .map_err(AppError::internal)?;
    let entries: Vec<AtomEntry> = published
        .iter()
        .map(|a| {
            let url = cap_url(&state, a);
            AtomEntry {
                id: url.clone(),
                title: format!("{} — {}", a.headline_en, a.headline_ar),
                updated: a
                    .cancelled_at
                    .or(a.completed_at)
                    .or(a.sent_at)
                    .unwrap_or(a.updated_at),
                summary: format!("{}: {}", a.msg_type, a.description_en),
                link: url,
            }
        })
        .collect();
    let self_url = format!(
        "{}/cap/feed.atom",
        state.config.public_url.trim_end_matches('/')
    );
    let title = format!(
        "{} — {}",
        crate::i18n::t(Lang::En, "crisis-cap-feed-title"),
        crate::i18n::t(Lang::Ar, "crisis-cap-feed-title")
    );
    let xml = capfmt::atom_feed(&title, &self_url, &entries);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}
