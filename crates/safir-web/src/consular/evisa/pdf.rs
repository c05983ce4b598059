//! The e-visa as an A4 PDF: every field in English (left) and Arabic (right), the QR code as
//! vector squares, the verify address spelled out. Text is shaped (see `pdf_text`) and the
//! font subset is embedded, so the file reads the same everywhere and its text extracts.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;

use super::pdf_text::{Line, Typesetter};
use super::view::{FieldRow, qr_code};
use crate::i18n::{Lang, t};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 48.0;
const RIGHT: f32 = PAGE_W - MARGIN;
const ROW_H: f32 = 40.0;
/// The width of each language's column of values: half the text area, less a gutter.
const COLUMN: f32 = (RIGHT - MARGIN) / 2.0 - 12.0;
const QR_SIZE: f32 = 150.0;
/// Characters of the verify address per printed line.
const URL_CHUNK: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("the page could not be created")]
    Page,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

fn fill(r: u8, g: u8, b: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

struct Pen<'a, 'b> {
    surface: &'a mut Surface<'b>,
    type_: &'a Typesetter,
}

impl Pen<'_, '_> {
    fn left(&mut self, text: &str, size: f32, x: f32, y: f32) {
        let line = self.type_.line(text, false, size);
        self.type_.draw(self.surface, &line, x, y);
    }

    /// Right-aligned on `x`, in a right-to-left paragraph.
    fn right(&mut self, text: &str, size: f32, x: f32, y: f32) {
        let line: Line = self.type_.line(text, true, size);
        let width = line.width();
        self.type_.draw(self.surface, &line, x - width, y);
    }

    fn colour(&mut self, f: Fill) {
        self.surface.set_fill(Some(f));
    }

    fn rule(&mut self, y: f32) {
        let mut pb = PathBuilder::new();
        if let Some(rect) = Rect::from_xywh(MARGIN, y, RIGHT - MARGIN, 0.6) {
            pb.push_rect(rect);
        }
        if let Some(path) = pb.finish() {
            self.surface.draw_path(&path);
        }
    }

    /// The QR code of `data` with its top-left corner at (`x`, `y`), dark runs of each row
    /// drawn as rectangles.
    fn qr(&mut self, data: &str, x: f32, y: f32, size: f32) {
        let Some(code) = qr_code(data) else {
            return;
        };
        let n = code.width();
        let quiet = 4;
        let module = size / (n + 2 * quiet) as f32;
        let colors = code.to_colors();
        let mut pb = PathBuilder::new();
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] == qrcode::Color::Dark {
                    let start = col;
                    while col < n && colors[row * n + col] == qrcode::Color::Dark {
                        col += 1;
                    }
                    let rect = Rect::from_xywh(
                        x + (quiet + start) as f32 * module,
                        y + (quiet + row) as f32 * module,
                        (col - start) as f32 * module,
                        module,
                    );
                    if let Some(rect) = rect {
                        pb.push_rect(rect);
                    }
                } else {
                    col += 1;
                }
            }
        }
        if let Some(path) = pb.finish() {
            self.surface.draw_path(&path);
        }
    }
}

/// The PDF of a visa with these `rows`, whose QR code opens `verify_url`.
/// `size`, or smaller so that `text` is no wider than `width`: a value stays on its line and
/// in its column (a long name in capitals would run into the other language's).
fn size_within(type_: &Typesetter, text: &str, rtl: bool, size: f32, width: f32) -> f32 {
    let measured = type_.line(text, rtl, size).width();
    if measured <= width {
        size
    } else {
        size * width / measured
    }
}

pub fn render_pdf(rows: &[FieldRow], verify_url: &str, revoked: bool) -> Result<Vec<u8>, PdfError> {
    let type_ = Typesetter::new().ok_or(PdfError::Font)?;
    let mut document = Document::new();
    let number = rows
        .first()
        .map(|r| r.value_en.as_str())
        .unwrap_or_default();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {number}", t(Lang::En, "evisa-doc-title")))
            .language("ar".to_owned()),
    );
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(PdfError::Page)?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        type_: &type_,
    };
    let black = || fill(0, 0, 0);
    let grey = || fill(90, 90, 90);

    pen.colour(black());
    pen.left(&t(Lang::En, "evisa-doc-title"), 20.0, MARGIN, 70.0);
    pen.right(&t(Lang::Ar, "evisa-doc-title"), 22.0, RIGHT, 70.0);
    pen.colour(grey());
    pen.left(&t(Lang::En, "evisa-doc-issuer"), 11.0, MARGIN, 92.0);
    pen.right(&t(Lang::Ar, "evisa-doc-issuer"), 12.0, RIGHT, 92.0);
    pen.rule(104.0);

    let mut y = 112.0;
    if revoked {
        pen.colour(fill(170, 20, 20));
        pen.left(&t(Lang::En, "evisa-revoked-banner"), 13.0, MARGIN, y + 16.0);
        pen.right(&t(Lang::Ar, "evisa-revoked-banner"), 14.0, RIGHT, y + 16.0);
        y += 28.0;
    }
    for row in rows {
        pen.colour(grey());
        pen.left(&row.label_en, 8.0, MARGIN, y + 10.0);
        pen.right(&row.label_ar, 9.0, RIGHT, y + 10.0);
        pen.colour(black());
        let en = size_within(pen.type_, &row.value_en, false, 12.0, COLUMN);
        pen.left(&row.value_en, en, MARGIN, y + 27.0);
        let ar = size_within(pen.type_, &row.value_ar, true, 12.0, COLUMN);
        pen.right(&row.value_ar, ar, RIGHT, y + 27.0);
        y += ROW_H;
    }
    pen.rule(y + 4.0);

    let qr_top = y + 16.0;
    pen.colour(black());
    pen.qr(verify_url, MARGIN, qr_top, QR_SIZE);
    let text_x = MARGIN + QR_SIZE + 16.0;
    pen.colour(grey());
    pen.left(&t(Lang::En, "evisa-qr-caption"), 9.0, text_x, qr_top + 24.0);
    pen.right(&t(Lang::Ar, "evisa-qr-caption"), 10.0, RIGHT, qr_top + 42.0);
    let chars: Vec<char> = verify_url.chars().collect();
    let mut line_y = qr_top + 64.0;
    for chunk in chars.chunks(URL_CHUNK) {
        let chunk: String = chunk.iter().collect();
        pen.left(&chunk, 7.5, text_x, line_y);
        line_y += 10.0;
    }
    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<FieldRow> {
        let row = |key: &str, ar: &str, en: &str| FieldRow {
            label_ar: t(Lang::Ar, &format!("evisa-field-{key}")),
            label_en: t(Lang::En, &format!("evisa-field-{key}")),
            value_ar: ar.to_owned(),
            value_en: en.to_owned(),
        };
        vec![
            row("number", "PAR-V-2026-000123", "PAR-V-2026-000123"),
            row("holder", "ERIKSSON ANNA MARIA", "ERIKSSON ANNA MARIA"),
            row("passport", "L898902C3", "L898902C3"),
            row("nationality", "السويد", "Sweden"),
            row(
                "mission",
                "السفارة في باريس (PAR)",
                "Embassy in Paris (PAR)",
            ),
        ]
    }

    /// The text of a PDF as poppler's `pdftotext` extracts it, or `None` when the tool is
    /// not installed (and the environment does not demand it).
    pub fn pdftotext(pdf: &[u8]) -> Option<String> {
        let dir = std::env::temp_dir().join(format!("safir-pdf-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).ok()?;
        let path = dir.join("evisa.pdf");
        std::fs::write(&path, pdf).ok()?;
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match out {
            Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
            Ok(o) => panic!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr)),
            Err(_) => {
                let required = std::env::var("SAFIR_TEST_REQUIRE")
                    .is_ok_and(|v| v.split(',').any(|s| s.trim() == "pdftotext"));
                assert!(
                    !required,
                    "SAFIR_TEST_REQUIRE includes pdftotext but it is not installed"
                );
                eprintln!("skipping the text extraction check: pdftotext is not installed");
                None
            }
        }
    }

    #[test]
    fn the_pdf_carries_joined_arabic_and_the_latin_fields() {
        let pdf = render_pdf(&rows(), "http://safir.test/verify?v=AQ.AQ", true).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let Some(text) = pdftotext(&pdf) else {
            return;
        };
        for latin in [
            "PAR-V-2026-000123",
            "ERIKSSON ANNA MARIA",
            "L898902C3",
            "Name as in passport",
            "Embassy in Paris (PAR)",
        ] {
            assert!(text.contains(latin), "{latin:?} missing from:\n{text}");
        }
        // Logical order and whole words: what a reader would search for.
        for arabic in [
            "الاسم كما في جواز السفر",
            "الجنسية",
            "السويد",
            "تأشيرة إلكترونية",
        ] {
            assert!(text.contains(arabic), "{arabic:?} missing from:\n{text}");
        }
    }

    #[test]
    fn a_long_value_is_set_smaller_to_stay_in_its_column() {
        let type_ = Typesetter::new().expect("embedded font");
        let name = "VANDERWOUDE-WAGEMAKERS MONTGOMERY WILHELMINA MARGARETHA";
        let size = size_within(&type_, name, false, 12.0, COLUMN);
        assert!(size < 12.0);
        assert!(type_.line(name, false, size).width() <= COLUMN + 0.01);
        assert_eq!(
            size_within(&type_, "ERIKSSON ANNA", false, 12.0, COLUMN),
            12.0
        );
    }

    #[test]
    fn arabic_with_marks_extracts_as_written() {
        let mut rows = rows();
        rows[1].value_ar = "مقدّم الطلب لم تُقدَّم المستندات خلال يومًا واحدًا".to_owned();
        let pdf = render_pdf(&rows, "http://safir.test/verify?v=AQ.AQ", false).unwrap();
        let Some(text) = pdftotext(&pdf) else {
            return;
        };
        // Printed without short-vowel marks, the words extract as printed, in order: with
        // them, the marks came out before their letters or on a line of their own ("مقّدم",
        // "لم ُتقَّد م", "يوًما").
        assert!(
            text.contains("مقدم الطلب لم تقدم المستندات خلال يوما واحدا"),
            "missing from:\n{text}"
        );
    }
}
