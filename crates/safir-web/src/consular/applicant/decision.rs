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
/// The width of each column (points): half the text area, less a gutter between them.
const COLUMN: f32 = (RIGHT - MARGIN) / 2.0 - 12.0;

/// One labelled value in both languages.
pub struct Row {
    pub label: [String; 2],
    pub value: [String; 2],
}

/// `text` in lines that `fits` (a line's printed width within its column), broken between
/// words; a word wider than a line (a long name written without spaces) is broken inside.
/// The text's own line breaks are kept, and a blank line between paragraphs stays one.
fn wrap(text: &str, fits: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.lines() {
        if paragraph.trim().is_empty() {
            if lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let joined = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&joined) {
                line = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word on a line of its own, cut where it stops fitting.
            for c in word.chars() {
                line.push(c);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        lines.push(line);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if lines.is_empty() {
        lines.push(String::new());
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

/// One line of text on a page: its baseline `y`, its size and grey.
#[derive(Debug)]
struct Line {
    text: String,
    rtl: bool,
    size: f32,
    y: f32,
    grey: u8,
}

/// The lowest baseline on a page.
const BOTTOM: f32 = PAGE_H - MARGIN;
/// Where the rows go on, on a page after the first.
const TOP_OF_NEXT: f32 = MARGIN + 24.0;

/// The letter's lines, page by page: a row that does not fit goes on the next
/// page, and a value too long for one page goes on over as many as it needs.
/// `fits(text, rtl, size)`: whether a line is no wider than a column.
fn layout(
    title: [&str; 2],
    mission: [&str; 2],
    rows: &[Row],
    fits: &dyn Fn(&str, bool, f32) -> bool,
) -> Vec<Vec<Line>> {
    let line = |text: &str, rtl: bool, size: f32, y: f32, grey: u8| Line {
        text: text.to_owned(),
        rtl,
        size,
        y,
        grey,
    };
    let mut pages = vec![vec![
        line(title[0], false, 18.0, 80.0, 0),
        line(title[1], true, 20.0, 80.0, 0),
        line(mission[0], false, 11.0, 102.0, 90),
        line(mission[1], true, 12.0, 102.0, 90),
    ]];
    let mut y = 140.0;
    for row in rows {
        // A label is not left alone at the foot of a page.
        if y + 16.0 > BOTTOM {
            pages.push(Vec::new());
            y = TOP_OF_NEXT;
        }
        let page = pages.last_mut().expect("one page");
        page.push(line(&row.label[0], false, 8.5, y, 90));
        page.push(line(&row.label[1], true, 9.5, y, 90));
        let (en, ar) = (
            wrap(&row.value[0], &|l| fits(l, false, 11.5)),
            wrap(&row.value[1], &|l| fits(l, true, 12.0)),
        );
        for i in 0..en.len().max(ar.len()) {
            y += 16.0;
            if y > BOTTOM {
                pages.push(Vec::new());
                y = TOP_OF_NEXT;
            }
            let page = pages.last_mut().expect("one page");
            if let Some(l) = en.get(i) {
                page.push(line(l, false, 11.5, y, 0));
            }
            if let Some(l) = ar.get(i) {
                page.push(line(l, true, 12.0, y, 0));
            }
        }
        y += 26.0;
    }
    pages
}

/// Where a page's footer goes: below the lowest baseline, inside the sheet's margin.
const FOOTER: f32 = PAGE_H - MARGIN / 2.0;

/// A letter of more than one page says at the foot of each page which page it is, of how
/// many, and of which letter: `footer(page, pages)` in English and in Arabic (pages counted
/// from 1). A one-page letter has no footer.
fn number_pages(pages: &mut [Vec<Line>], footer: &dyn Fn(usize, usize) -> [String; 2]) {
    let count = pages.len();
    if count < 2 {
        return;
    }
    for (i, lines) in pages.iter_mut().enumerate() {
        let [en, ar] = footer(i + 1, count);
        for (text, rtl, size) in [(en, false, 8.5), (ar, true, 9.5)] {
            lines.push(Line {
                text,
                rtl,
                size,
                y: FOOTER,
                grey: 90,
            });
        }
    }
}

/// The letter with its `rows`, each page numbered by `footer` when there are several (see
/// [`number_pages`]); fails only if the embedded font cannot be read.
pub fn render(
    title: [&str; 2],
    mission: [&str; 2],
    rows: &[Row],
    footer: &dyn Fn(usize, usize) -> [String; 2],
) -> Result<Vec<u8>, AppError> {
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
    let fits = |text: &str, rtl: bool, size: f32| type_.line(text, rtl, size).width() <= COLUMN;
    let mut pages = layout(title, mission, rows, &fits);
    number_pages(&mut pages, footer);
    for lines in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for l in &lines {
            surface.set_fill(Some(fill(l.grey)));
            let shaped = type_.line(&l.text, l.rtl, l.size);
            let x = if l.rtl {
                RIGHT - shaped.width()
            } else {
                MARGIN
            };
            type_.draw(&mut surface, &shaped, x, l.y);
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| AppError::internal(format!("PDF: {e:?}")))
}

fn both(key: &str) -> [String; 2] {
    [t(Lang::En, key), t(Lang::Ar, key)]
}

/// The officer's words to the applicant written with the decision (required when the reason
/// is "other"), in the column of their script; `None` when there were none, and the letter
/// leaves the line out.
async fn decision_message(
    state: &AppState,
    case_id: &str,
    message_id: Option<&str>,
) -> Result<Option<[String; 2]>, AppError> {
    let Some(message_id) = message_id else {
        return Ok(None);
    };
    let messages = cases::list_messages(&state.db, case_id, false)
        .await
        .map_err(AppError::internal)?;
    Ok(messages
        .iter()
        .find(|m| m.id == message_id)
        .map(|m| match is_mostly_arabic(&m.body) {
            true => [String::new(), m.body.clone()],
            false => [m.body.clone(), String::new()],
        }))
}

/// Whether more of `text`'s letters are Arabic than not.
fn is_mostly_arabic(text: &str) -> bool {
    let (arabic, other) = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .fold((0, 0), |(a, o), c| {
            if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{08FF}').contains(&c) {
                (a + 1, o)
            } else {
                (a, o + 1)
            }
        });
    arabic > other
}

pub async fn download_decision(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
    Path(case_id): Path<String>,
) -> Result<Response, AppError> {
    let case = own_case(&state, &me, &case_id).await?;
    letter(&state, &case).await
}

/// The decision letter of `case` as a PDF download; `NotFound` while there is no decision
/// (undecided, or withdrawn). The caller has checked that the case is the viewer's.
pub(crate) async fn letter(
    state: &AppState,
    case: &safir_store::consular::cases::Case,
) -> Result<Response, AppError> {
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
    // The day the mission decided, on its own calendar (a refusal at 08:30 in Canberra is
    // the evening before in UTC).
    let zone = crate::consular::appointments::service::zone_or_utc(&mission);
    let decided_on = decided
        .at
        .with_timezone(&zone)
        .format("%Y-%m-%d")
        .to_string();
    let outcome = if decided.action == "approve" {
        "approved"
    } else {
        "rejected"
    };
    let reason_of = |lang: Lang| match decided.reason.as_deref() {
        Some(code) if decided.action == "reject" => labels::reason(lang, code),
        _ => labels::reason(lang, "approved"),
    };
    let message = decision_message(state, &case.id, decided.message_id.as_deref()).await?;
    let mut rows = vec![
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
            value: [decided_on.clone(), decided_on],
        },
    ];
    if let Some(value) = message {
        rows.insert(
            rows.len() - 1,
            Row {
                label: both("decision-message"),
                value,
            },
        );
    }
    let title = both("decision-title");
    let reference = case.display_reference();
    let footer = |page: usize, pages: usize| {
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("reference", reference.as_str());
        args.set("page", page.to_string());
        args.set("pages", pages.to_string());
        [
            crate::i18n::t_args(Lang::En, "decision-page", &args),
            crate::i18n::t_args(Lang::Ar, "decision-page", &args),
        ]
    };
    let pdf = render(
        [&title[0], &title[1]],
        [&mission.name_en, &mission.name_ar],
        &rows,
        &footer,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: &str) -> Row {
        Row {
            label: ["Label".to_owned(), "تسمية".to_owned()],
            value: [value.to_owned(), value.to_owned()],
        }
    }

    /// A line fits when it has at most 34 characters (the tests' stand-in for the width).
    fn by_chars(text: &str) -> bool {
        text.chars().count() <= 34
    }

    fn by_chars_3(text: &str, _: bool, _: f32) -> bool {
        by_chars(text)
    }

    #[test]
    fn long_words_are_broken_to_fit_a_line() {
        let name = "A".repeat(100);
        let lines = wrap(&format!("{name} B"), &by_chars);
        assert!(lines.iter().all(|l| by_chars(l)), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), format!("{name}B"));
        assert_eq!(wrap("two words", &by_chars), ["two words"]);
        assert_eq!(wrap("", &by_chars), [""]);
    }

    #[test]
    fn line_breaks_and_paragraphs_are_kept() {
        let text = "Please note:\n1. Bring your passport.\n\n\n2. Pay the fee.\n";
        assert_eq!(
            wrap(text, &by_chars),
            [
                "Please note:",
                "1. Bring your passport.",
                "",
                "2. Pay the fee."
            ]
        );
    }

    #[test]
    fn lines_are_as_wide_as_the_measure_allows() {
        // Wide letters fill a line sooner than narrow ones.
        let wide = |l: &str| {
            l.chars()
                .map(|c| if c == 'W' { 3 } else { 1 })
                .sum::<usize>()
                <= 12
        };
        assert_eq!(wrap("WWW WWW iii iii", &wide), ["WWW", "WWW", "iii iii"]);
    }

    #[test]
    fn a_long_message_goes_on_over_the_next_pages() {
        let message = "كلمة ".repeat(1500);
        let rows = [row("PAR-2026-000001"), row(&message), row("2026-12-02")];
        let pages = layout(
            ["Decision", "القرار"],
            ["Paris", "باريس"],
            &rows,
            &by_chars_3,
        );
        assert!(pages.len() > 1, "{} pages", pages.len());
        for lines in &pages {
            assert!(lines.iter().all(|l| l.y <= BOTTOM && l.y >= MARGIN));
        }
        // Every word is on some page, and the last row comes last.
        let words: usize = pages
            .iter()
            .flatten()
            .filter(|l| !l.rtl && l.size > 11.0)
            .map(|l| l.text.matches("كلمة").count())
            .sum();
        assert_eq!(words, 1500);
        let last = pages.last().unwrap().last().unwrap();
        assert_eq!(last.text, "2026-12-02");
        // One short letter is one page.
        assert_eq!(
            layout(["D", "ق"], ["P", "ب"], &rows[..1], &by_chars_3).len(),
            1
        );
    }

    #[test]
    fn each_page_of_a_longer_letter_says_which_it_is() {
        let footer = |page: usize, pages: usize| {
            [format!("Page {page} of {pages}"), format!("{page}/{pages}")]
        };
        let message = "كلمة ".repeat(1500);
        let rows = [row("PAR-2026-000001"), row(&message)];
        let mut pages = layout(["D", "ق"], ["P", "ب"], &rows, &by_chars_3);
        let count = pages.len();
        number_pages(&mut pages, &footer);
        for (i, lines) in pages.iter().enumerate() {
            let feet: Vec<&str> = lines
                .iter()
                .filter(|l| l.y == FOOTER)
                .map(|l| l.text.as_str())
                .collect();
            assert_eq!(
                feet,
                [
                    format!("Page {} of {count}", i + 1),
                    format!("{}/{count}", i + 1)
                ]
            );
            assert!(lines.iter().all(|l| l.y == FOOTER || l.y <= BOTTOM));
        }
        const { assert!(FOOTER > BOTTOM && FOOTER < PAGE_H) };
        let mut one = layout(["D", "ق"], ["P", "ب"], &rows[..1], &by_chars_3);
        number_pages(&mut one, &footer);
        assert!(one[0].iter().all(|l| l.y != FOOTER), "one page, no footer");
    }

    /// With the embedded font, the widest capitals of a long name stay in their column.
    #[test]
    fn the_printed_lines_fit_their_column() {
        let type_ = Typesetter::new().expect("embedded font");
        let fits = |text: &str, rtl: bool, size: f32| type_.line(text, rtl, size).width() <= COLUMN;
        let name = "WILHELMINA MARGARETHA VANDERWOUDE-WAGEMAKERS MONTGOMERY WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW";
        let rows = [row(name)];
        for line in layout(["D", "ق"], ["P", "ب"], &rows, &fits)
            .iter()
            .flatten()
        {
            let size = line.size;
            assert!(
                type_.line(&line.text, line.rtl, size).width() <= COLUMN,
                "{:?} is too wide",
                line.text
            );
        }
    }

    #[test]
    fn the_message_goes_in_the_column_of_its_script() {
        assert!(is_mostly_arabic("يرجى مراجعة القنصلية (Paris)"));
        assert!(!is_mostly_arabic(
            "Please contact the consulate (القنصلية)."
        ));
        assert!(!is_mostly_arabic("123"));
    }
}
