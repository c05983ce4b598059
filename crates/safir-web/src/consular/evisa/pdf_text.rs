//! Lines of mixed Arabic and Latin text for the PDF: split into direction runs, each run
//! shaped by rustybuzz (so Arabic letters join), laid out in visual order, measured, drawn.
//!
//! The bidi resolution is the small subset the e-visa needs — strong Arabic or Latin
//! characters set a run's direction, numbers read left to right, neutrals between two runs of
//! one direction join them and otherwise take the paragraph's — not the full UAX #9.

use std::sync::Arc;

use krilla::geom::Point;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use rustybuzz::{BufferClusterLevel, Direction, Face, UnicodeBuffer};

/// Amiri (SIL OFL 1.1, see `assets/fonts/OFL.txt`): Arabic and Latin in one face, so a line
/// needs no font fallback.
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/Amiri-Regular.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Rtl,
    Ltr,
    Neutral,
}

fn class(c: char) -> Class {
    match u32::from(c) {
        // Arabic-Indic digits are numbers: they read left to right like Latin ones.
        0x0660..=0x0669 | 0x06F0..=0x06F9 => Class::Ltr,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF => Class::Rtl,
        _ if c.is_alphanumeric() => Class::Ltr,
        _ => Class::Neutral,
    }
}

/// `text` cut into runs of one direction, in logical order: `(right_to_left, run)`.
fn runs(text: &str, rtl_paragraph: bool) -> Vec<(bool, &str)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let strong: Vec<Option<bool>> = chars
        .iter()
        .map(|(_, c)| match class(*c) {
            Class::Rtl => Some(true),
            Class::Ltr => Some(false),
            Class::Neutral => None,
        })
        .collect();
    let mut resolved = Vec::with_capacity(chars.len());
    for i in 0..chars.len() {
        let dir = strong[i].unwrap_or_else(|| {
            let before = strong[..i].iter().rev().find_map(|s| *s);
            let after = strong[i + 1..].iter().find_map(|s| *s);
            match (before, after) {
                (Some(a), Some(b)) if a == b => a,
                _ => rtl_paragraph,
            }
        });
        resolved.push(dir);
    }
    let mut out: Vec<(bool, &str)> = Vec::new();
    let mut start = 0;
    for i in 1..=chars.len() {
        if i == chars.len() || resolved[i] != resolved[start] {
            let from = chars[start].0;
            let to = chars.get(i).map_or(text.len(), |(b, _)| *b);
            out.push((resolved[start], &text[from..to]));
            start = i;
        }
    }
    out
}

/// Harakat, tanween, shadda and sukun (U+064B–U+0652).
fn is_short_vowel_mark(c: char) -> bool {
    ('\u{064B}'..='\u{0652}').contains(&c)
}

/// `text` without Arabic short-vowel marks. Official letters are written without them, and a
/// mark drawn over its letter is placed by PDF text extractors where it is drawn, before or
/// after the letter or on a line of its own (poppler's `pdftotext` turns «تُقدَّم» into
/// "ُتقَّد م"): without them, what is copied from a PDF is the words as printed.
fn without_marks(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(is_short_vowel_mark) {
        text.chars().filter(|c| !is_short_vowel_mark(*c)).collect()
    } else {
        text.into()
    }
}

/// One shaped run: glyphs in visual order, their text, and the width at size 1.
struct Run {
    text: String,
    glyphs: Vec<KrillaGlyph>,
    width: f32,
}

/// A line ready to draw: its runs in visual (left-to-right) order.
pub struct Line {
    runs: Vec<Run>,
    size: f32,
}

impl Line {
    pub fn width(&self) -> f32 {
        self.runs.iter().map(|r| r.width).sum::<f32>() * self.size
    }
}

/// The embedded face, shaped with rustybuzz and drawn by krilla.
pub struct Typesetter {
    face: Face<'static>,
    font: Font,
    units_per_em: f32,
}

impl Typesetter {
    pub fn new() -> Option<Self> {
        let face = Face::from_slice(FONT_BYTES, 0)?;
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(FONT_BYTES);
        let font = Font::new(data.into(), 0)?;
        let units_per_em = face.units_per_em() as f32;
        Some(Self {
            face,
            font,
            units_per_em,
        })
    }

    /// Shapes `text` as one line of a paragraph that reads right to left when `rtl`, printed
    /// without Arabic short-vowel marks (see [`without_marks`]).
    pub fn line(&self, text: &str, rtl: bool, size: f32) -> Line {
        let text = without_marks(text);
        let mut shaped: Vec<Run> = runs(&text, rtl)
            .into_iter()
            .map(|(run_rtl, run)| self.shape(run, run_rtl))
            .collect();
        if rtl {
            shaped.reverse();
        }
        Line { runs: shaped, size }
    }

    fn shape(&self, text: &str, rtl: bool) -> Run {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        // A glyph's text range becomes its entry in the font's one ToUnicode map, shared by the
        // whole document. With the default grapheme clusters a letter and its marks (shadda,
        // harakat, tanween) form one cluster, the mark glyph comes first in visual order and
        // so is mapped to the letter and the mark together: every later use of that mark then
        // repeats the letter, and the letter itself is left to an /ActualText span that
        // extractors lay out left to right, mark before letter. Per-character clusters map
        // each glyph to the characters it draws; the glyphs and positions are the same.
        buffer.set_cluster_level(BufferClusterLevel::MonotoneCharacters);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        let output = rustybuzz::shape(&self.face, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let upem = self.units_per_em;
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // The cluster's text ends where the next cluster in logical order begins; in a
            // right-to-left run that is the glyph before this one.
            let neighbours: Box<dyn Iterator<Item = &rustybuzz::GlyphInfo>> = if rtl {
                Box::new(infos[..i].iter().rev())
            } else {
                Box::new(infos[i + 1..].iter())
            };
            let end = neighbours
                .map(|g| g.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let advance = pos.x_advance as f32 / upem;
            width += advance;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                advance,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end.max(start),
                None,
            ));
        }
        Run {
            text: text.to_owned(),
            glyphs,
            width,
        }
    }

    /// Draws `line` with its left edge at `x` and its baseline at `y`.
    pub fn draw(&self, surface: &mut Surface<'_>, line: &Line, x: f32, y: f32) {
        let mut x = x;
        for run in &line.runs {
            surface.draw_glyphs(
                Point::from_xy(x, y),
                &run.glyphs,
                self.font.clone(),
                &run.text,
                line.size,
                false,
            );
            x += run.width * line.size;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_text_is_cut_by_direction() {
        assert_eq!(
            runs("الاسم: ERIKSSON ANNA", true),
            vec![(true, "الاسم: "), (false, "ERIKSSON ANNA")]
        );
        assert_eq!(
            runs("بعثة PAR في باريس", true),
            vec![(true, "بعثة "), (false, "PAR"), (true, " في باريس")]
        );
        assert_eq!(runs("2026-03-01", true), vec![(false, "2026-03-01")]);
        assert_eq!(
            runs("Holder (الاسم)", false),
            vec![(false, "Holder ("), (true, "الاسم"), (false, ")")]
        );
        assert!(runs("", true).is_empty());
    }

    /// The text of each distinct glyph range of `line`, in logical order.
    fn glyph_texts(line: &Line) -> Vec<String> {
        let mut texts = Vec::new();
        for run in &line.runs {
            let mut ranges: Vec<_> = run.glyphs.iter().map(|g| g.text_range.clone()).collect();
            ranges.sort_by_key(|r| r.start);
            ranges.dedup();
            texts.extend(ranges.into_iter().map(|r| run.text[r].to_owned()));
        }
        texts
    }

    #[test]
    fn a_letter_and_its_mark_map_to_their_own_characters() {
        let t = Typesetter::new().unwrap();
        // Shadda on dal: the mark's glyph must not claim the dal as well, or every later
        // shadda in the document would extract as a second dal.
        let shaped = |text: &str| Line {
            runs: vec![t.shape(text, true)],
            size: 12.0,
        };
        assert_eq!(
            glyph_texts(&shaped("مقدّم")),
            ["م", "ق", "د", "\u{651}", "م"]
        );
        // Tanween after meem, then alef.
        assert_eq!(
            glyph_texts(&shaped("يومًا")),
            ["ي", "و", "م", "\u{64b}", "ا"]
        );
        // A line is printed without the marks.
        assert_eq!(
            glyph_texts(&t.line("لم تُقدَّم", true, 12.0)),
            ["ل", "م", " ", "ت", "ق", "د", "م"]
        );
        // Lam-alef stays two glyphs, each with its letter.
        assert_eq!(glyph_texts(&t.line("لا", true, 12.0)), ["ل", "ا"]);
    }

    #[test]
    fn arabic_is_shaped_into_joined_forms() {
        let t = Typesetter::new().unwrap();
        // Joined letters take contextual glyphs: the same letter differs by position.
        let isolated = t.line("ب", true, 10.0);
        let joined = t.line("ببب", true, 10.0);
        let ids = |l: &Line| -> Vec<u32> {
            l.runs[0]
                .glyphs
                .iter()
                .map(|g| g.glyph_id.to_u32())
                .collect()
        };
        let joined_ids = ids(&joined);
        assert_eq!(joined_ids.len(), 3);
        assert_ne!(
            joined_ids[0], joined_ids[1],
            "final and medial forms differ"
        );
        assert!(!joined_ids.contains(&ids(&isolated)[0]));
        assert!(joined.width() > 0.0);
    }
}
