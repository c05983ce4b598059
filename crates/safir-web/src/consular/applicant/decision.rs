//! `GET /account/cases/{case}/decision.pdf`: the mission's decision on an application as a
//! bilingual A4 letter (English on the left, Arabic on the right, shaped and joined), for the
//! applicant to download and keep.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use krilla::Document;
use krilla::color::rgb;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use safir_domain::consular::case::CaseState;
use safir_store::consular::{cases, services};
use safir_store::missions;

use super::own_case;
use crate::auth::SignedIn;
use crate::consular::evisa::pdf_text::Typesetter;
use crate::consular::labels;
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::state::AppState;

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const RIGHT: f32 = PAGE_W - MARGIN;
/// Characters per printed line of a long value, in each column.
const WRAP: usize = 34;

/// One labelled value in both languages.
pub struct Row {
    pub label: [String; 2],
    pub value: [String; 2],
}

fn wrap(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > WRAP {
            lines.push(word.to_owned());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

fn fill(v: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(v, v, v).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The letter with its `rows`; fails only if the embedded font cannot be read.
pub fn render(title: [&str; 2], mission: [&str; 2], rows: &[Row]) -> Result<Vec<u8>, AppError> {
    let type_ = Typesetter::new()
        .ok_or_else(|| AppError::internal("the embedded font could not be read"))?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title[0].to_owned())
            .language("ar".to_owned()),
    );
    let settings =
        PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| AppError::internal("page size"))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let put =
        |surface: &mut krilla::surface::Surface<'_>, text: &str, rtl: bool, size: f32, y: f32| {
            let line = type_.line(text, rtl, size);
            let x = if rtl { RIGHT - line.width() } else { MARGIN };
            type_.draw(surface, &line, x, y);
        };
    surface.set_fill(Some(fill(0)));
    put(&mut surface, title[0], false, 18.0, 80.0);
    put(&mut surface, title[1], true, 20.0, 80.0);
    surface.set_fill(Some(fill(90)));
    put(&mut surface, mission[0], false, 11.0, 102.0);
    put(&mut surface, mission[1], true, 12.0, 102.0);
    let mut y = 140.0;
    for row in rows {
        surface.set_fill(Some(fill(90)));
        put(&mut surface, &row.label[0], false, 8.5, y);
        put(&mut surface, &row.label[1], true, 9.5, y);
        surface.set_fill(Some(fill(0)));
        let (en, ar) = (wrap(&row.value[0]), wrap(&row.value[1]));
        for i in 0..en.len().max(ar.len()) {
            y += 16.0;
            if let Some(l) = en.get(i) {
                put(&mut surface, l, false, 11.5, y);
            }
            if let Some(l) = ar.get(i) {
                put(&mut surface, l, true, 12.0, y);
            }
        }
        y += 26.0;
    }
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| AppError::internal(format!("PDF: {e:?}")))
}

fn both(key: &str) -> [String; 2] {
    [t(Lang::En, key), t(Lang::Ar, key)]
}

pub async fn download_decision(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(case_id): Path<String>,
) -> Result<Response, AppError> {
    let case = own_case(&state, &me, &case_id).await?;
    let decided = cases::events(&state.db, &case.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .rev()
        .find(|e| matches!(e.action.as_str(), "approve" | "reject"))
        .ok_or(AppError::NotFound)?;
    let st = case.state().map_err(AppError::internal)?;
    if !st.is_decided() || st == CaseState::Withdrawn {
        return Err(AppError::NotFound);
    }
    let service = services::find(&state.db, &case.service_id)
        .await
        .map_err(AppError::internal)?;
    let mission = missions::find(&state.db, &case.mission_id)
        .await
        .map_err(AppError::internal)?;
    let outcome = if decided.action == "approve" {
        "approved"
    } else {
        "rejected"
    };
    let reason_of = |lang: Lang| match decided.reason.as_deref() {
        Some(code) if decided.action == "reject" => labels::reason(lang, code),
        _ => labels::reason(lang, "approved"),
    };
    let rows = vec![
        Row {
            label: both("case-reference"),
            value: [case.display_reference(), case.display_reference()],
        },
        Row {
            label: both("case-service"),
            value: [service.name_en.clone(), service.name_ar.clone()],
        },
        Row {
            label: both("decision-applicant"),
            value: [case.applicant_name.clone(), case.applicant_name.clone()],
        },
        Row {
            label: both("case-decision"),
            value: [
                labels::state(Lang::En, outcome),
                labels::state(Lang::Ar, outcome),
            ],
        },
        Row {
            label: both("decision-reason"),
            value: [reason_of(Lang::En), reason_of(Lang::Ar)],
        },
        Row {
            label: both("decision-date"),
            value: [
                decided.at.format("%Y-%m-%d").to_string(),
                decided.at.format("%Y-%m-%d").to_string(),
            ],
        },
    ];
    let title = both("decision-title");
    let pdf = render(
        [&title[0], &title[1]],
        [&mission.name_en, &mission.name_ar],
        &rows,
    )?;
    let mut response = pdf.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let name = format!(
        "attachment; filename=\"decision-{}.pdf\"",
        case.display_reference().replace('#', "")
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
