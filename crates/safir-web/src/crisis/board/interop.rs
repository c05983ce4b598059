//! The board's exports and import: CSV of the list (as filtered), PFIF 1.4 of every person
//! and their answer as a note, GeoJSON of the answered check-ins that came with a location,
//! and PFIF import (a file or pasted XML) that adds the document's people as presence
//! registrations of the crisis, their latest answer-like note as their check-in status.

use std::collections::HashMap;

use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use fluent_bundle::FluentArgs;
use safir_domain::audit::actions;
use safir_domain::country::CountryCode;
use safir_domain::crisis::checkin::CheckinStatus;
use safir_domain::crisis::geo::Point;
use safir_domain::crisis::pfif::{
    self, CheckinNote, PfifDocument, PfifError, PfifNote, PfifPerson, checkin_status_for_note,
    note_for_checkin,
};
use safir_store::crisis::checkins::{self, BoardCrisis, BoardRow, Imported, ImportedPerson};
use safir_store::crisis::registrations;

use super::{BoardExtras, CaseCell, Params, allowed_crisis, board_view, record, status_label};
use crate::admin::support::{Actor, rejected};
use crate::auth::Viewer;
use crate::consular::upload::{UploadLimits, read_multipart};
use crate::csv_cells::line;
use crate::error::AppError;
use crate::i18n::{Lang, t, t_args};
use crate::state::AppState;

/// Exports stop at this many people (narrow the filters for the rest).
const EXPORT_MAX: usize = 200_000;
/// Largest PFIF document imported.
const IMPORT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// A time in the export, as the page shows it: in UTC, and saying so (a spreadsheet opened in
/// Beirut would otherwise read it as local time).
fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(crate::consular::officer::when).unwrap_or_default()
}

const CSV_COLUMNS: [&str; 13] = [
    "board-col-name",
    "board-col-status",
    "board-col-answered",
    "board-col-region",
    "board-col-vulnerability",
    "board-col-phone",
    "board-col-email",
    "board-col-note",
    "board-col-lat",
    "board-col-lon",
    "board-col-case",
    "board-col-case-state",
    "board-col-source",
];

fn attachment(content_type: &str, file_name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

async fn all_rows(
    state: &AppState,
    crisis: &BoardCrisis,
    params: &Params,
) -> Result<Vec<BoardRow>, AppError> {
    let mut filter = params.filter(0);
    filter.after = None;
    let mut rows = checkins::list(&state.db, &crisis.id, &filter)
        .await
        .map_err(AppError::internal)?;
    rows.truncate(EXPORT_MAX);
    Ok(rows)
}

pub async fn board_csv(
    State(state): State<AppState>,
    lang: Lang,
    actor: Actor,
    Path(crisis_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let crisis = allowed_crisis(&state, &actor, &crisis_id).await?;
    let params = Params::parse(raw.as_deref());
    let rows = all_rows(&state, &crisis, &params).await?;
    let mut out = String::from(safir_text::spreadsheet::BOM);
    out.push_str(&line(&CSV_COLUMNS.map(|k| t(lang, k))));
    for r in &rows {
        let case = CaseCell::of(lang, r);
        out.push_str(&line(&[
            r.full_name.clone(),
            status_label(lang, &r.status),
            when(r.answered_at),
            r.region.clone(),
            super::vulnerability_label(lang, r),
            r.phone.clone().unwrap_or_default(),
            r.email.clone().unwrap_or_default(),
            r.note.clone(),
            r.lat.map(|v| v.to_string()).unwrap_or_default(),
            r.lon.map(|v| v.to_string()).unwrap_or_default(),
            case.as_ref()
                .map(|c| c.reference.clone())
                .or_else(|| r.case_id.clone())
                .unwrap_or_default(),
            case.map(|c| c.standing(lang)).unwrap_or_default(),
            r.person_record_id.clone().unwrap_or_default(),
        ]));
    }
    record(
        &state,
        &actor,
        actions::CRISIS_BOARD_EXPORT,
        &crisis,
        serde_json::json!({ "rows": rows.len(), "filters": params.query() }),
    )
    .await?;
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("crisis-{}.csv", crisis.id),
        out,
    ))
}

/// The PFIF record domain of this site: the public URL's host.
fn record_domain(state: &AppState) -> String {
    let url = state.config.public_url.as_str();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', ':']).next().unwrap_or("safir").to_owned()
}

/// The board's people as a PFIF document: a person per registration, a note per answer.
pub(crate) fn pfif_document(domain: &str, crisis: &BoardCrisis, rows: &[BoardRow]) -> PfifDocument {
    let persons = rows
        .iter()
        .map(|r| {
            let person_record_id = r
                .person_record_id
                .clone()
                .unwrap_or_else(|| format!("{domain}/person.{}", r.registration_id));
            let note_id = format!("{domain}/note.{}", r.id);
            let location = match (r.lat, r.lon) {
                (Some(lat), Some(lon)) => Point::new(lat, lon).ok(),
                _ => None,
            };
            let note = r.answered_at.and_then(|answered_at| {
                note_for_checkin(
                    &r.status,
                    &CheckinNote {
                        note_record_id: &note_id,
                        person_record_id: &person_record_id,
                        author_name: &r.full_name,
                        author_email: r.email.as_deref(),
                        author_phone: r.phone.as_deref(),
                        answered_at,
                        note: Some(r.note.as_str()),
                        location,
                    },
                )
            });
            PfifPerson {
                person_record_id,
                entry_date: Some(r.created_at),
                source_date: Some(r.created_at),
                full_name: r.full_name.clone(),
                home_state: (!r.region.is_empty()).then(|| r.region.clone()),
                home_country: Some(crisis.country.clone()),
                notes: note.into_iter().collect(),
                ..PfifPerson::default()
            }
        })
        .collect();
    PfifDocument {
        persons,
        notes: Vec::new(),
    }
}

pub async fn pfif_export(
    State(state): State<AppState>,
    actor: Actor,
    Path(crisis_id): Path<String>,
) -> Result<Response, AppError> {
    let crisis = allowed_crisis(&state, &actor, &crisis_id).await?;
    let rows = all_rows(&state, &crisis, &Params::default()).await?;
    let doc = pfif_document(&record_domain(&state), &crisis, &rows);
    record(
        &state,
        &actor,
        actions::CRISIS_PFIF_EXPORT,
        &crisis,
        serde_json::json!({ "persons": rows.len() }),
    )
    .await?;
    Ok(attachment(
        "application/xml; charset=utf-8",
        &format!("crisis-{}.pfif.xml", crisis.id),
        pfif::to_xml(&doc),
    ))
}

pub async fn checkins_geojson(
    State(state): State<AppState>,
    actor: Actor,
    Path(crisis_id): Path<String>,
) -> Result<Response, AppError> {
    let crisis = allowed_crisis(&state, &actor, &crisis_id).await?;
    let rows = checkins::located(&state.db, &crisis.id)
        .await
        .map_err(AppError::internal)?;
    // The route requires ViewPersonalData, so names are included.
    let features: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| {
            let (lat, lon) = (r.lat?, r.lon?);
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": {
                    "checkin": r.id,
                    "status": r.status,
                    "answered_at": r.answered_at.map(|t| t.to_rfc3339()),
                    "region": r.region,
                    "name": r.full_name,
                    "case": r.case_id,
                },
            }))
        })
        .collect();
    record(
        &state,
        &actor,
        actions::CRISIS_GEOJSON_EXPORT,
        &crisis,
        serde_json::json!({ "features": features.len() }),
    )
    .await?;
    let body = serde_json::json!({ "type": "FeatureCollection", "features": features });
    Ok((
        [
            (header::CONTENT_TYPE, "application/geo+json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response())
}

/// The check-in status a person's notes give: the latest note (by date, then order) that is
/// a check-in answer; `None` when no note is one.
fn status_from_notes(notes: &[&PfifNote]) -> Option<(CheckinStatus, PfifNote)> {
    let mut answers: Vec<(usize, &PfifNote, CheckinStatus)> = notes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let s = checkin_status_for_note(n)?;
            CheckinStatus::parse(s).ok().map(|s| (i, *n, s))
        })
        .collect();
    answers.sort_by_key(|(i, n, _)| (n.source_date.or(n.entry_date), *i));
    answers.pop().map(|(_, n, s)| (s, n.clone()))
}

/// A PFIF "lat lon" location, when it is one.
fn parse_location(s: Option<&str>) -> Option<(f64, f64)> {
    let mut parts = s?
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty());
    let lat: f64 = parts.next()?.parse().ok()?;
    let lon: f64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Point::new(lat, lon).ok().map(|p| (p.lat, p.lon))
}

/// The people of a PFIF document as imports into `crisis`.
pub(crate) fn imported_people(doc: &PfifDocument, crisis: &BoardCrisis) -> Vec<ImportedPerson> {
    // The notes of each person, in document order, gathered in one pass: a document of the
    // size the form takes holds tens of thousands of people and notes.
    let mut notes_of: HashMap<&str, Vec<&PfifNote>> = HashMap::new();
    for n in doc.all_notes() {
        notes_of
            .entry(n.person_record_id.as_str())
            .or_default()
            .push(n);
    }
    doc.persons
        .iter()
        .map(|p| {
            let notes = notes_of
                .get(p.person_record_id.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let answer = status_from_notes(notes);
            let country = p
                .home_country
                .as_deref()
                .and_then(|c| CountryCode::parse(c).ok())
                .map(|c| c.as_str().to_owned())
                .unwrap_or_else(|| crisis.country.clone());
            ImportedPerson {
                person_record_id: p.person_record_id.clone(),
                source_url: String::new(),
                // The reader gives a name with a letter and at most `pfif::MAX_FULL_NAME`
                // characters; a line break in it becomes a space.
                full_name: p.full_name.replace(['\r', '\n'], " "),
                email: None,
                phone: None,
                lang: "en".to_owned(),
                country,
                region: p.home_state.clone().unwrap_or_default(),
                city: p.home_city.clone().unwrap_or_default(),
                status: answer.as_ref().map(|(s, _)| *s),
                note: answer
                    .as_ref()
                    .map(|(_, n)| n.text.chars().take(1000).collect())
                    .unwrap_or_default(),
                point: answer
                    .as_ref()
                    .and_then(|(_, n)| parse_location(n.last_known_location.as_deref())),
                answered_at: answer
                    .as_ref()
                    .and_then(|(_, n)| n.source_date.or(n.entry_date)),
            }
        })
        .collect()
}

/// A PFIF error in the page language, naming the element and line.
fn pfif_error_message(lang: Lang, e: &PfifError) -> String {
    let mut args = FluentArgs::new();
    args.set("line", e.line() as i64);
    args.set("element", e.element().unwrap_or("").to_owned());
    // The parser's own words only: the message already names the problem and its line.
    let detail = match e {
        PfifError::Xml { message, .. } => message.clone(),
        other => other.to_string(),
    };
    args.set("detail", detail);
    t_args(lang, &format!("board-pfif-{}", e.code()), &args)
}

/// The board shown with an import's outcome: the people on it are read, and recorded so, as
/// on the board's own page, whether the import was taken or refused.
async fn import_answer(
    state: &AppState,
    (lang, uri, viewer): (Lang, &Uri, &Viewer),
    actor: &Actor,
    crisis: &BoardCrisis,
    extras: BoardExtras,
) -> Result<axum::response::Html<String>, AppError> {
    let params = Params::default();
    let html = board_view(state, lang, uri, viewer, crisis, &params, extras).await?;
    let summary = serde_json::json!({ "filters": params.query(), "after": "pfif_import" });
    record(state, actor, actions::CRISIS_BOARD_READ, crisis, summary).await?;
    Ok(html)
}

#[allow(clippy::too_many_arguments)]
pub async fn pfif_import(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(crisis_id): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let crisis = allowed_crisis(&state, &actor, &crisis_id).await?;
    let limits = UploadLimits {
        max_file_bytes: IMPORT_MAX_BYTES,
        max_files: 1,
        max_text_bytes: IMPORT_MAX_BYTES,
    };
    let mut form = read_multipart(multipart, &limits).await?;
    let pasted = form.text("xml").to_owned();
    let file = form.take_file("file");
    // A file that is not UTF-8 is named as such (with where it stops being so), not taken
    // for an empty one.
    let (xml, not_utf8) = match (file, pasted.trim().is_empty()) {
        (Some(f), _) => match String::from_utf8(f.bytes) {
            Ok(text) => (text, None),
            Err(e) => (String::new(), Some(e.utf8_error().valid_up_to())),
        },
        (None, false) => (pasted.clone(), None),
        (None, true) => (String::new(), None),
    };
    let fail = |message: String, keep: String| BoardExtras {
        import_error: Some(message),
        import_done: None,
        xml: keep,
    };
    let extras = if !form.errors.is_empty() {
        Some(fail(t(lang, "board-import-too-large"), pasted.clone()))
    } else if let Some(offset) = not_utf8 {
        let mut args = FluentArgs::new();
        args.set("offset", offset);
        Some(fail(
            t_args(lang, "board-import-not-utf8", &args),
            pasted.clone(),
        ))
    } else if xml.trim().is_empty() {
        Some(fail(t(lang, "board-import-empty"), pasted.clone()))
    } else {
        None
    };
    if let Some(extras) = extras {
        let html = import_answer(&state, (lang, &uri, &viewer), &actor, &crisis, extras).await?;
        return Ok(rejected(html));
    }
    let doc = match pfif::parse(&xml) {
        Ok(doc) => doc,
        Err(e) => {
            let extras = fail(pfif_error_message(lang, &e), pasted.clone());
            let html =
                import_answer(&state, (lang, &uri, &viewer), &actor, &crisis, extras).await?;
            return Ok(rejected(html));
        }
    };
    let people = imported_people(&doc, &crisis);
    let (mut added, mut updated) = (0i64, 0i64);
    // Kept as long as a presence registration without dates made today.
    let purge_after = registrations::purge_time(
        Some(safir_store::now().date_naive()),
        state.config.crisis.registration_retention,
    );
    let own_records = format!("{}/person.", record_domain(&state));
    let mut tx = state.db.begin().await.map_err(AppError::internal)?;
    checkins::lock_imports(&mut tx, &crisis.id)
        .await
        .map_err(AppError::internal)?;
    for p in &people {
        // Someone of this board, as this site exports them (the round trip through a people
        // finder brings them back): already here.
        if let Some(registration) = p.person_record_id.strip_prefix(&own_records)
            && checkins::on_board(&mut tx, &crisis.id, registration)
                .await
                .map_err(AppError::internal)?
        {
            continue;
        }
        match checkins::import_person(&mut tx, &crisis.id, Some(actor.id()), p, purge_after)
            .await
            .map_err(AppError::internal)?
        {
            Imported::Added => added += 1,
            Imported::Updated => updated += 1,
            Imported::Unchanged => {}
        }
    }
    crate::audit_log::commit_with(
        tx,
        &actor.audit(
            actions::CRISIS_PFIF_IMPORT,
            "crisis",
            Some(&crisis.id),
            Some(&crisis.mission_id),
            serde_json::json!({ "persons": people.len(), "added": added, "updated": updated }),
        ),
    )
    .await?;
    let mut args = FluentArgs::new();
    args.set("added", added);
    args.set("skipped", people.len() as i64 - added);
    args.set("updated", updated);
    let extras = BoardExtras {
        import_error: None,
        import_done: Some(t_args(lang, "board-import-done", &args)),
        xml: String::new(),
    };
    let html = import_answer(&state, (lang, &uri, &viewer), &actor, &crisis, extras).await?;
    Ok((StatusCode::OK, html).into_response())
}
