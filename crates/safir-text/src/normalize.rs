//! Normalization: the one folding pipeline, identical at index and at query time.
//!
//! Steps, in order (each sees the output of the previous one):
//!
//! 1. drop invisible format characters (BOM, bidi controls, ZWNJ, ZWJ except
//!    inside emoji sequences, soft hyphen, word joiner; a zero-width space or a
//!    direction control between two words becomes a space), tatweel and Arabic
//!    diacritics (harakat, tanween, shadda, sukun, dagger alef, Quranic marks
//!    with the small waw and yeh and the open tanween, and their presentation
//!    forms);
//! 2. NFKC, applied only around characters whose quick check is not "yes"
//!    (presentation forms, ligatures, full-width forms, composing marks), with
//!    explicit choices: ﷺ and ﷻ expand to their phrases as NFKC says (joined
//!    with underscores inside a hashtag, so the tag stays whole, and set apart
//!    by spaces from letters glued to them elsewhere), ﷼
//!    becomes the word ريال (with Arabic yeh);
//! 3. marks left over after composition are dropped again (step 1's set);
//! 4. Persian look-alikes: ی → ي, ک → ك, ۀ → ه;
//! 5. digits: Arabic-Indic and Eastern Arabic-Indic to ASCII, ٫ → `.`,
//!    ٬ → `,`, ٪ → `%`;
//! 6. alef variants أ إ آ ٱ to ا; alef maqsura ى to ي;
//! 7. teh marbuta ة to ه (on by default);
//! 8. hamza carriers ؤ → و, ئ → ي (off by default);
//! 9. lowercase (Greek final sigma folded to σ, as case folding does);
//! 10. letters repeated three times or more collapse (off by default, for
//!     social text): Arabic letters to one, other letters to two.
//!
//! The result is a fixed point: `normalize(normalize(x)) == normalize(x)`.

use crate::script::{
    HashtagState, TATWEEL, ZWJ, is_arabic_diacritic, is_invisible_format, is_letter,
    is_pictographic, separates_words,
};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Which optional foldings run. The default suits search over edited text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// ة → ه. On by default (users type either).
    pub fold_teh_marbuta: bool,
    /// ؤ → و and ئ → ي. Off by default.
    pub fold_hamza_carriers: bool,
    /// Collapse letters repeated three or more times (جمييييل → جميل,
    /// soooo → soo). Off by default; on for social text.
    pub collapse_repeats: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        Self {
            fold_teh_marbuta: true,
            fold_hamza_carriers: false,
            collapse_repeats: false,
        }
    }
}

impl NormalizeOptions {
    /// For posts and comments: the defaults plus repeated-letter collapse.
    pub fn social() -> Self {
        Self {
            collapse_repeats: true,
            ..Self::default()
        }
    }
}

/// Normalizes with the default options.
pub fn normalize(text: &str) -> String {
    normalize_with(text, &NormalizeOptions::default())
}

pub fn normalize_with(text: &str, opts: &NormalizeOptions) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, opts, &mut out);
    out
}

/// Appends the normalized form of `text` to `out` (reuse `out` across calls
/// to avoid allocation). What `out` already holds is not read: the appended
/// text is `normalize_with(text, opts)` whatever came before it.
pub fn normalize_into(text: &str, opts: &NormalizeOptions, out: &mut String) {
    let start = out.len();
    let mut n = Normalizer {
        opts,
        out,
        starter: None,
        rare: &mut RareState {
            start,
            ..RareState::default()
        },
    };
    n.run(text);
    if opts.collapse_repeats {
        collapse_repeats(out, start);
    }
}

/// Step 10, on the finished output: a run of three or more of the same
/// letter becomes one (Arabic) or two (other scripts). Removing a letter next
/// to its twin changes no neighbour, so the result stays normalized.
fn collapse_repeats(out: &mut String, start: usize) {
    let tail = &out[start..];
    let mut chars = tail.chars().peekable();
    let mut collapsed = String::with_capacity(tail.len());
    let mut changed = false;
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.peek() == Some(&c) {
            chars.next();
            run += 1;
        }
        let keep = match run {
            1 | 2 => run,
            _ if !is_letter(c) => run,
            _ if ('\u{0600}'..='\u{06FF}').contains(&c) => 1,
            _ => 2,
        };
        changed |= keep != run;
        collapsed.extend(std::iter::repeat_n(c, keep));
    }
    if changed {
        out.truncate(start);
        out.push_str(&collapsed);
    }
}

/// What the Arabic block table says about a code point U+0600–U+06FF.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Arabic {
    Keep,
    Drop,
    /// The Arabic letter mark, a direction mark like U+200F: dropped, but between two
    /// words it is their space, as the main loop decides for the other invisible formats.
    Format,
    /// Composes with what precedes it, or has a compatibility decomposition.
    Nfkc,
    TehMarbuta,
    WawHamza,
    YehHamza,
    Map(char),
}

const fn arabic_action(cp: u32) -> Arabic {
    match cp {
        0x0653..=0x0655 | 0x0675..=0x0678 => Arabic::Nfkc,
        0x061C => Arabic::Format,
        0x0610..=0x061A
        | 0x0640
        | 0x064B..=0x0652
        | 0x0656..=0x065F
        | 0x0670
        | 0x06D6..=0x06DC
        // The small waw and yeh (U+06E5, U+06E6) among the Quranic marks: letters to
        // Unicode, but they only annotate the word, as the marks around them do.
        | 0x06DF..=0x06E8
        | 0x06EA..=0x06ED => Arabic::Drop,
        0x0622 | 0x0623 | 0x0625 | 0x0671 => Arabic::Map('ا'),
        0x0649 | 0x06CC => Arabic::Map('ي'),
        0x06A9 => Arabic::Map('ك'),
        0x06C0 => Arabic::Map('ه'),
        0x0629 => Arabic::TehMarbuta,
        0x0624 => Arabic::WawHamza,
        0x0626 => Arabic::YehHamza,
        0x0660..=0x0669 => Arabic::Map(digit(cp - 0x0660)),
        0x06F0..=0x06F9 => Arabic::Map(digit(cp - 0x06F0)),
        0x066A => Arabic::Map('%'),
        0x066B => Arabic::Map('.'),
        0x066C => Arabic::Map(','),
        _ => Arabic::Keep,
    }
}

const fn digit(v: u32) -> char {
    (b'0' + v as u8) as char
}

const ARABIC: [Arabic; 256] = {
    let mut t = [Arabic::Keep; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = arabic_action(0x0600 + i as u32);
        i += 1;
    }
    t
};

/// The table entry of the U+0600–U+06FF character at `bytes[i]`, whose lead
/// byte is D8–DB (these are the two-byte sequences D8 80 … DB BF).
#[inline]
fn arabic_at(bytes: &[u8], i: usize) -> Arabic {
    let cp = (((bytes[i] & 0x1F) as u32) << 6) | (bytes[i + 1] & 0x3F) as u32;
    ARABIC[(cp - 0x0600) as usize]
}

/// Where the last stable starter began, so that a following composing
/// character can re-run NFKC from there.
#[derive(Clone, Copy)]
struct Starter {
    input: usize,
    output: usize,
}

struct Normalizer<'a> {
    opts: &'a NormalizeOptions,
    out: &'a mut String,
    starter: Option<Starter>,
    /// What the steps for rare characters keep between calls: held outside, the state the
    /// main loop carries stays as small as it was (with it in line, normalization of text
    /// without such characters ran about 7% slower).
    rare: &'a mut RareState,
}

/// See [`Normalizer::rare`].
#[derive(Default)]
struct RareState {
    /// Where this text's output begins in `out`: the steps that look back (a space before
    /// ﷺ, a hashtag, a ZWJ after a pictograph) read no further, so what `out` held before
    /// (the analyzer appends term after term) changes nothing.
    start: usize,
    /// How much of the output [`Normalizer::in_hashtag`] has read, and where it left the test.
    tag_read: Option<(usize, HashtagState)>,
    /// Where the run of invisible format characters that
    /// [`Normalizer::word_after_invisibles`] last read ends in the input, and whether a word
    /// starts there.
    invisible_run: (usize, bool),
}

impl Normalizer<'_> {
    fn run(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // The longest run that maps to itself but for ASCII case (ASCII,
            // Arabic letters kept as they are): one copy.
            let (start, mut last) = (i, i);
            while i < bytes.len() {
                let b = bytes[i];
                if b < 0x80 {
                    last = i;
                    i += 1;
                } else if (0xD8..=0xDB).contains(&b) && arabic_at(bytes, i) == Arabic::Keep {
                    last = i;
                    i += 2;
                } else {
                    break;
                }
            }
            if i > start {
                let from = self.out.len();
                self.out.push_str(&text[start..i]);
                self.out[from..].make_ascii_lowercase();
                self.starter = Some(Starter {
                    input: last,
                    output: self.out.len() - (i - last),
                });
                continue;
            }
            let b = bytes[i];
            if (0xD8..=0xDB).contains(&b) {
                let action = arabic_at(bytes, i);
                match action {
                    Arabic::Nfkc => {
                        i = self.unstable(text, i);
                        continue;
                    }
                    Arabic::Drop => {}
                    // The Arabic letter mark is a direction mark like the formats below.
                    Arabic::Format => self.invisible_format('\u{061C}', text, i),
                    _ => {
                        self.mark_starter(i);
                        self.arabic(action, &text[i..i + 2]);
                    }
                }
                i += 2;
                continue;
            }
            let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
            let len = c.len_utf8();
            if is_invisible_format(c) {
                self.invisible_format(c, text, i);
                i += len;
                continue;
            }
            match c {
                // A phrase or a word in one glyph is a word of its own: spaces set it apart
                // from letters it was glued to (`رأيتهﷺيتحرى`, `30﷼اول`). In a hashtag its
                // words are joined with underscores, as a tag is written: with spaces the tag
                // would end after the first.
                '\u{FDFA}' | '\u{FDFB}' | '\u{FDFC}' => {
                    let in_tag = self.in_hashtag();
                    if !in_tag && self.after_word() {
                        self.push(' ');
                    }
                    self.starter = None;
                    if c == '\u{FDFC}' {
                        for c in "ريال".chars() {
                            self.push(c);
                        }
                    } else {
                        for c in std::iter::once(c).nfkc() {
                            self.mapped(if in_tag && c == ' ' { '_' } else { c });
                        }
                    }
                    i += len;
                    if !in_tag && text[i..].chars().next().is_some_and(starts_word) {
                        self.push(' ');
                    }
                    continue;
                }
                _ if is_stable(c) => {
                    // A dropped character (U+FE75, unassigned among the harakat's forms) is no
                    // starter: a mark after it composes with what stands before it (`b`,
                    // U+FE75, U+0331 is `ḇ`, as the output read again would give).
                    if !is_dropped(c) {
                        self.mark_starter(i);
                    }
                    self.mapped(c);
                    i += len;
                }
                _ => i = self.unstable(text, i),
            }
        }
    }

    fn mark_starter(&mut self, input: usize) {
        self.starter = Some(Starter {
            input,
            output: self.out.len(),
        });
    }

    /// Re-runs NFKC from the last stable starter to the next one, then maps
    /// the result. Returns where scanning resumes.
    fn unstable(&mut self, text: &str, at: usize) -> usize {
        let from = match self.starter.take() {
            Some(s) => {
                self.out.truncate(s.output);
                s.input
            }
            None => at,
        };
        let mut end = at + text[at..].chars().next().map_or(1, char::len_utf8);
        // What will be dropped stays in the span, so marks on either side of it are put in
        // order together; a ZWJ too, kept or dropped once the span is composed. But a
        // zero-width space or a direction mark before a word ends the span: it was the
        // words' space, as the main loop decides (`e\u{301}\u{200B}x`, `ﺳﻼﻡ\u{200B}ﻋﻠﻴﻜﻢ`),
        // and nothing after it composes with what stands before it (a word starts with no
        // mark).
        while let Some(c) = text[end..].chars().next() {
            if is_stable(c) && !is_dropped(c) && c != ZWJ {
                break;
            }
            if separates_words(c) {
                let (run_end, word) = self.word_after_invisibles(text, end + c.len_utf8());
                if word {
                    break;
                }
                // The whole run is dropped, or joiners: it stays in the span.
                end = run_end;
                continue;
            }
            end += c.len_utf8();
        }
        let span = &text[from..end];
        let mark = self.out.len();
        for c in span.chars().filter(|&c| !is_dropped(c)).nfkc() {
            self.mapped(c);
        }
        // A ZWJ survives only right after a pictograph of the output, as in the main loop
        // (NFKC can turn a pictograph into a letter: U+2139 becomes i).
        self.drop_stray_joiners(mark);
        // Mapping can undo NFKC: dropping marks or tatweel that NFKC produced
        // (U+FE7D is tatweel + shadda), lowercasing (T + U+0308 becomes t + U+0308,
        // which composes to U+1E97), or dropping a joiner between two marks.
        // Compose again until nothing changes.
        for _ in 0..3 {
            if is_nfkc_quick(self.out[mark..].chars()) == IsNormalized::Yes {
                break;
            }
            let segment = self.out.split_off(mark);
            for c in segment.nfkc() {
                self.mapped(c);
            }
        }
        end
    }

    /// Steps 3–10 for one character that NFKC left alone.
    fn mapped(&mut self, c: char) {
        if ('\u{0600}'..='\u{06FF}').contains(&c) {
            let action = ARABIC[(c as u32 - 0x0600) as usize];
            match action {
                Arabic::Drop | Arabic::Format | Arabic::Nfkc => {}
                _ => {
                    let mut buf = [0u8; 4];
                    self.arabic(action, c.encode_utf8(&mut buf));
                }
            }
        } else if is_dropped(c) {
        } else if c.is_ascii() {
            self.push(c.to_ascii_lowercase());
        } else {
            for l in c.to_lowercase() {
                // Greek final sigma folds to sigma, as case folding does: lowercasing a
                // capital Σ cannot know the word ends there (ΟΔΥΣΣΕΥΣ, Οδυσσευς).
                self.push(if l == 'ς' { 'σ' } else { l });
            }
        }
    }

    fn arabic(&mut self, action: Arabic, original: &str) {
        let o = self.opts;
        let c = match action {
            Arabic::Keep => {
                self.out.push_str(original);
                return;
            }
            Arabic::Map(m) => m,
            Arabic::TehMarbuta if o.fold_teh_marbuta => 'ه',
            Arabic::TehMarbuta => 'ة',
            Arabic::WawHamza if o.fold_hamza_carriers => 'و',
            Arabic::WawHamza => 'ؤ',
            Arabic::YehHamza if o.fold_hamza_carriers => 'ي',
            Arabic::YehHamza => 'ئ',
            Arabic::Drop | Arabic::Format | Arabic::Nfkc => return,
        };
        self.push(c);
    }

    /// Removes from the output after `mark` every ZWJ that does not follow a pictograph.
    fn drop_stray_joiners(&mut self, mark: usize) {
        if !self.out[mark..].contains(ZWJ) {
            return;
        }
        let mut prev = self.out[self.rare.start..mark].chars().next_back();
        let segment = self.out.split_off(mark);
        for c in segment.chars() {
            if c == ZWJ && !prev.is_some_and(continues_emoji) {
                continue;
            }
            self.out.push(c);
            prev = Some(c);
        }
    }

    /// Whether the output ends with a letter, a digit or a mark on one.
    fn after_word(&self) -> bool {
        self.out[self.rare.start..]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || canonical_combining_class(c) != 0)
    }

    /// An invisible format character `c` at `at` in `text`: a ZWJ after a pictograph stays
    /// (it joins an emoji sequence); between two words a zero-width space or a direction mark
    /// was their space (`الخدمة\u{200B}ممتازة`) and becomes one, as the tokenizer reads it;
    /// otherwise it goes.
    #[inline(never)]
    fn invisible_format(&mut self, c: char, text: &str, at: usize) {
        if c == ZWJ && self.after_pictograph() {
            self.mark_starter(at);
            self.push(c);
        } else if separates_words(c)
            && self.after_word()
            && self.word_after_invisibles(text, at + c.len_utf8()).1
        {
            self.starter = None;
            self.push(' ');
        }
    }

    /// Whether the output ends inside a hashtag: since the last whitespace, `#` and then
    /// letters, digits, marks or underscores only.
    ///
    /// The output before the last starter (all of it when there is none) never changes
    /// again: it is only cut back to the starter, to compose again from there. The test's
    /// state there is kept, so each call reads only what was written since (a tag of many
    /// ﷺ, `#ﷺﷺ…`, is read once, not once per ﷺ).
    fn in_hashtag(&mut self) -> bool {
        let continues_tag =
            |c: char| c == '_' || c.is_alphanumeric() || canonical_combining_class(c) != 0;
        let settled = self.starter.map_or(self.out.len(), |s| s.output);
        let rare = &mut *self.rare;
        let (at, mut state) = match rare.tag_read {
            Some((at, state)) if at <= settled => (at, state),
            // The first time, from the last whitespace of this text's output (its start
            // reads as one).
            _ => {
                let word = self.out[rare.start..settled]
                    .rsplit(char::is_whitespace)
                    .next();
                (settled - word.map_or(0, str::len), HashtagState::AfterSpace)
            }
        };
        for c in self.out[at..settled].chars() {
            state = state.next(c, continues_tag);
        }
        rare.tag_read = Some((settled, state));
        for c in self.out[settled..].chars() {
            state = state.next(c, continues_tag);
        }
        state == HashtagState::InTag
    }

    /// Where the run of invisible format characters at `from` in `text` ends (`from` when
    /// there is none), and whether a letter or a digit starting a word follows it. Every
    /// character of a run has the same answer, which is kept: asked for each zero-width space
    /// of a long run (`a` and many U+200B, with no word after them), reading the rest of
    /// the run each time made the run quadratic. `from` never moves back, so a position
    /// up to the end of the run read last is inside that run.
    fn word_after_invisibles(&mut self, text: &str, from: usize) -> (usize, bool) {
        let rare = &mut *self.rare;
        if from <= rare.invisible_run.0 {
            return rare.invisible_run;
        }
        let end = text[from..]
            .char_indices()
            .find(|&(_, n)| !is_invisible_format(n))
            .map_or(text.len(), |(k, _)| from + k);
        rare.invisible_run = (end, text[end..].chars().next().is_some_and(starts_word));
        rare.invisible_run
    }

    fn after_pictograph(&self) -> bool {
        self.out[self.rare.start..]
            .chars()
            .next_back()
            .is_some_and(continues_emoji)
    }

    fn push(&mut self, c: char) {
        self.out.push(c);
    }
}

/// A letter or a digit that begins a word (not a mark, which sits on the one before).
fn starts_word(c: char) -> bool {
    c.is_alphanumeric() && canonical_combining_class(c) == 0
}

fn continues_emoji(p: char) -> bool {
    is_pictographic(p) || matches!(p, '\u{FE0F}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// Removed before NFKC (step 1).
fn is_dropped(c: char) -> bool {
    // Madda and hamza above/below compose with alef, waw and yeh: NFKC sees them.
    let composing = matches!(c, '\u{0653}'..='\u{0655}');
    // The presentation forms of the harakat (U+FE70–FE7F but the tail fragment, and the
    // shadda ligatures U+FC5E–FC63): NFKC writes the isolated ones as a space and the mark,
    // which would cut the word they sit in (`مح\u{FE7C}مد`).
    let harakat_form =
        matches!(c, '\u{FE70}'..='\u{FE72}' | '\u{FE74}'..='\u{FE7F}' | '\u{FC5E}'..='\u{FC63}');
    // Quranic marks beyond `is_arabic_diacritic`: the small waw and yeh, letters to Unicode
    // (the Arabic block's table drops them too), and the open tanween of Arabic Extended-A,
    // composing marks that reach only the composing span.
    let quranic = matches!(c, '\u{06E5}' | '\u{06E6}' | '\u{08F0}'..='\u{08F2}');
    c == TATWEEL
        || (is_arabic_diacritic(c) && !composing)
        || (is_invisible_format(c) && c != ZWJ)
        || harakat_form
        || quranic
}

/// A character NFKC leaves as is and that nothing before it can combine with.
fn is_stable(c: char) -> bool {
    canonical_combining_class(c) == 0 && is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize(s)
    }

    #[test]
    fn folds_arabic_letter_variants() {
        assert_eq!(n("أحمد إلى آخر ٱلرحمن"), "احمد الي اخر الرحمن");
        assert_eq!(n("مدرسة"), "مدرسه");
        assert_eq!(n("کتاب فارسی"), "كتاب فارسي");
        assert_eq!(n("خانۀ"), "خانه");
    }

    #[test]
    fn marks_on_both_sides_of_a_dropped_joiner_are_put_in_order() {
        // U+0741 (class 230) and U+0335 (class 1) are reordered once the ZWJ between them
        // is gone, so that a second pass finds nothing to change.
        for s in ["\u{741}\u{200D}\u{335}J", "a\u{741}\u{200D}\u{200D}\u{335}"] {
            let once = n(s);
            assert_eq!(n(&once), once, "{s:?}");
            assert!(once.contains("\u{335}\u{741}"), "{once:?}");
        }
    }

    #[test]
    fn a_joiner_after_what_nfkc_turns_into_a_letter_is_dropped() {
        // U+2139 (a pictograph) becomes i under NFKC: the joiner after it no longer joins
        // emoji.
        for s in ["x\u{2139}\u{200D}y", "\u{2139}\u{200D}\u{301}"] {
            let once = n(s);
            assert_eq!(n(&once), once, "{s:?}");
            assert!(!once.contains('\u{200D}'), "{once:?}");
        }
        // A joiner inside an emoji sequence stays.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(n(family), family);
    }

    #[test]
    fn strips_diacritics_tatweel_and_controls() {
        assert_eq!(n("مُحَمَّدٌ"), "محمد");
        assert_eq!(n("هٰذا"), "هذا");
        assert_eq!(n("الدبلوماسـية"), "الدبلوماسيه");
        assert_eq!(n("\u{FEFF}\u{200F}سلام\u{200C}\u{202B}"), "سلام");
    }

    /// The Quranic marks outside the ranges of the other diacritics go as they do: the small
    /// waw and yeh (U+06E5, U+06E6), letters to Unicode, and the open tanween (U+08F0–U+08F2)
    /// of Arabic Extended-A.
    #[test]
    fn quranic_small_letters_and_open_tanween_are_dropped() {
        for mark in ['\u{06E5}', '\u{06E6}', '\u{08F0}', '\u{08F1}', '\u{08F2}'] {
            assert_eq!(n(&format!("مح{mark}مد")), "محمد", "{mark:?}");
            assert_eq!(n(&format!("عليم{mark}")), "عليم", "{mark:?}");
            assert_eq!(n(&mark.to_string()), "", "{mark:?}");
            assert_eq!(n(&format!("Abc{mark} x")), "abc x", "{mark:?}");
            // Dropped before composition, as the other marks: a mark after it meets the
            // letter before it.
            assert_eq!(n(&format!("\u{0627}{mark}\u{0653}")), "ا", "{mark:?}");
            assert_eq!(n(&format!("e{mark}\u{0301}")), "\u{E9}", "{mark:?}");
        }
        assert_eq!(n("إِنَّهُۥ كَانَ"), "انه كان");
        assert_eq!(n("فِيهِۦ هُدًى"), "فيه هدي");
        assert_eq!(n("عَلِيمࣱ حَكِيمࣰا"), "عليم حكيما");
    }

    #[test]
    fn digits_and_arabic_number_punctuation() {
        assert_eq!(n("٢٠٢٦ و ۱۴۰۵"), "2026 و 1405");
        assert_eq!(n("٣٫٥٪ من ١٬٠٠٠"), "3.5% من 1,000");
    }

    #[test]
    fn nfkc_on_presentation_forms_and_ligatures() {
        // Lam-alef ligature and isolated/final glyphs from PDF extraction.
        assert_eq!(n("\u{FEFB}"), "لا");
        assert_eq!(
            n("\u{FE8D}\u{FEDF}\u{FEE4}\u{FEAE}\u{FE83}\u{FE93}"),
            "المراه"
        );
        assert_eq!(n("ＡＢＣ１２３"), "abc123");
        assert_eq!(n("\u{FDF2}"), "الله");
        // The harakat's own presentation forms go as the harakat do, isolated ones too
        // (NFKC would leave a space in the word).
        for mark in [
            '\u{FE70}', '\u{FE72}', '\u{FE7C}', '\u{FE7D}', '\u{FE7E}', '\u{FC5E}', '\u{FC63}',
        ] {
            assert_eq!(n(&format!("مح{mark}مد")), "محمد", "{mark:?}");
        }
    }

    #[test]
    fn explicit_symbols() {
        assert_eq!(n("محمد \u{FDFA}"), "محمد صلي الله عليه وسلم");
        assert_eq!(n("ΟΔΥΣΣΕΥΣ"), n("Οδυσσευς"));
        assert_eq!(n("Οδυσσευς"), "οδυσσευσ");
        // Inside a hashtag the phrase keeps the tag whole.
        assert_eq!(n("#محمد_\u{FDFA} اليوم"), "#محمد_صلي_الله_عليه_وسلم اليوم");
        assert_eq!(n("#\u{FDFA}"), "#صلي_الله_عليه_وسلم");
        assert_eq!(n("#وسم، \u{FDFA}"), "#وسم، صلي الله عليه وسلم");
        // Glued to letters, the phrase is set apart from them.
        assert_eq!(n("رأيته\u{FDFA}يتحرى"), "رايته صلي الله عليه وسلم يتحري");
        assert_eq!(n("30\u{FDFC}اول"), "30 ريال اول");
        assert_eq!(n("\u{FDFC}"), "ريال");
        // A zero-width space or a direction mark between words is their space; inside a
        // word, or next to punctuation, it goes.
        assert_eq!(n("الخدمة\u{200B}ممتازة"), "الخدمه ممتازه");
        assert_eq!(n("الخدمة\u{200F}\u{2069}ممتازة"), "الخدمه ممتازه");
        assert_eq!(n("(\u{200F}5)"), "(5)");
        assert_eq!(n("Minis\u{AD}try"), "ministry");
        assert_eq!(n("100 \u{FDFC}"), "100 ريال");
    }

    /// The Arabic letter mark is a direction mark: between two words it is their space, as
    /// U+200B and U+200F are; inside a word or next to punctuation it goes.
    #[test]
    fn the_arabic_letter_mark_between_words_is_their_space() {
        assert_eq!(n("الخدمة\u{061C}ممتازة"), "الخدمه ممتازه");
        assert_eq!(n("الخدمة\u{061C}\u{200B}ممتازة"), "الخدمه ممتازه");
        assert_eq!(n("abc\u{061C}12"), "abc 12");
        assert_eq!(n("(\u{061C}5)"), "(5)");
        assert_eq!(n("سلام\u{061C}"), "سلام");
        assert_eq!(n("\u{061C}سلام"), "سلام");
        // In a span composed again, as after a composing mark, it goes with the others.
        assert_eq!(
            n("\u{0627}\u{0653}\u{061C}\u{0654}"),
            n("\u{0627}\u{0653}\u{0654}")
        );
    }

    /// A zero-width space or a direction mark before a word is the words' space after a
    /// composing character too (a mark, a presentation form), which the composition of the
    /// characters around it used to swallow.
    #[test]
    fn a_zero_width_space_after_a_composing_character_is_a_space() {
        assert_eq!(n("e\u{301}\u{200B}x"), "\u{E9} x");
        assert_eq!(n("e\u{301}\u{200F}\u{200B}x"), "\u{E9} x");
        assert_eq!(n("ﺳﻼﻡ\u{200B}ﻋﻠﻴﻜﻢ"), "سلام عليكم");
        assert_eq!(n("ﺳﻼﻡ\u{061C}ﻋﻠﻴﻜﻢ"), "سلام عليكم");
        // Before a mark or punctuation it goes, and marks on either side of it compose.
        assert_eq!(n("e\u{200B}\u{301}x"), "\u{E9}x");
        assert_eq!(n("e\u{301}\u{200B}."), "\u{E9}.");
        assert_eq!(n("a\u{741}\u{200B}\u{335}"), "a\u{335}\u{741}");
        for s in [
            "e\u{301}\u{200B}x",
            "\u{FF0E}\u{200B}\u{FF21}",
            "ﻻ\u{200E}ﻻ",
        ] {
            let once = n(s);
            assert_eq!(n(&once), once, "{s:?}");
        }
    }

    /// Long runs are read once: a tag of many ﷺ used to search back through the whole tag
    /// for each one (no whitespace is written inside a tag), and each zero-width space of a
    /// run with no word after it read the rest of the run; minutes for these inputs.
    #[test]
    fn long_runs_are_read_once() {
        let phrase = "صلي_الله_عليه_وسلم";
        let tag = format!("#{}", "\u{FDFA}".repeat(200_000));
        assert_eq!(n(&tag), format!("#{}", phrase.repeat(200_000)));
        assert_eq!(
            n("#\u{FDFA}\u{FDFA} \u{FDFA}"),
            format!("#{phrase}{phrase} صلي الله عليه وسلم")
        );
        for (before, run, after, expected) in [
            ("a", "\u{200B}", "", "a"),
            ("a", "\u{200E}", ".", "a."),
            ("a", "\u{200B}\u{061C}", "!", "a!"),
            ("a", "\u{200F}", "b", "a b"),
            ("e\u{301}", "\u{200B}", ".", "\u{E9}."),
            ("e\u{301}", "\u{200B}", "x", "\u{E9} x"),
        ] {
            let text = format!("{before}{}{after}", run.repeat(200_000));
            assert_eq!(n(&text), expected, "{run:?}{after:?}");
        }
    }

    #[test]
    fn composing_marks_meet_their_base() {
        // alef + madda above composes to آ, which folds to ا
        assert_eq!(n("\u{0627}\u{0653}"), "ا");
        // waw + hamza above composes to ؤ, kept unless carriers fold
        assert_eq!(n("\u{0648}\u{0654}"), "ؤ");
        let carriers = NormalizeOptions {
            fold_hamza_carriers: true,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize_with("\u{0648}\u{0654}ئ", &carriers), "وي");
        assert_eq!(n("Cafe\u{0301}"), "café");
        assert_eq!(n("\u{0301}"), "\u{0301}");
    }

    #[test]
    fn teh_marbuta_folding_can_be_turned_off() {
        let keep = NormalizeOptions {
            fold_teh_marbuta: false,
            ..NormalizeOptions::default()
        };
        assert_eq!(normalize_with("مدرسة", &keep), "مدرسة");
    }

    #[test]
    fn lowercases_latin_and_other_cased_scripts() {
        assert_eq!(n("Hello WORLD ΑΘΗΝΑ"), "hello world αθηνα");
    }

    #[test]
    fn collapses_repeats_for_social_text() {
        let s = NormalizeOptions::social();
        assert_eq!(normalize_with("جمييييل", &s), "جميل");
        assert_eq!(normalize_with("ههههههه", &s), "ه");
        assert_eq!(normalize_with("الله", &s), "الله");
        assert_eq!(normalize_with("Sooooo goood", &s), "soo good");
        assert_eq!(normalize_with("1000", &s), "1000");
        assert_eq!(n("جمييييل"), "جمييييل");
        // Found by the fuzzer: a collapsed run right before a composing span.
        let text = "ههه\u{037A}\u{037A}";
        let once = normalize_with(text, &s);
        assert_eq!(once, "ه \u{0345} \u{0345}");
        assert_eq!(normalize_with(&once, &s), once);
    }

    #[test]
    fn keeps_emoji_sequences() {
        assert_eq!(n("👨\u{200D}👩\u{200D}👧 ok"), "👨\u{200D}👩\u{200D}👧 ok");
        assert_eq!(n("a\u{200D}b"), "ab");
    }

    #[test]
    fn table_agrees_with_unicode_quick_check() {
        for cp in 0x0600u32..0x0700 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let action = ARABIC[(cp - 0x0600) as usize];
            if action != Arabic::Nfkc {
                assert!(
                    is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes,
                    "U+{cp:04X} needs NFKC"
                );
            }
            if !matches!(action, Arabic::Drop | Arabic::Format | Arabic::Nfkc) {
                assert_eq!(canonical_combining_class(c), 0, "U+{cp:04X} is a mark");
            }
        }
    }

    /// A mark after a dropped character composes with the letter before it in one pass
    /// (found by `idempotent_on_arabic`).
    #[test]
    fn a_mark_after_a_dropped_character_composes_at_once() {
        for s in ["b\u{FE75}\u{331}", "B\u{FE75}\u{331}", "ا\u{FE75}\u{654}"] {
            let once = n(s);
            assert_eq!(n(&once), once, "{s:?}");
        }
        assert_eq!(n("b\u{FE75}\u{331}"), "\u{1E07}");
    }

    /// Normalizing into a buffer appends what normalizing alone gives: what the buffer held
    /// before (the analyzer's earlier terms) is no context. It used to be read back: after
    /// a word, ﷺ and a zero-width space started with a space; after `#`, ﷺ joined a tag; after
    /// a pictograph, a ZWJ stayed.
    #[test]
    fn what_the_buffer_holds_is_no_context() {
        let priors = [
            "",
            "abc",
            "abc ",
            "كلمة",
            "سلامِ",
            "#",
            "#وسم",
            "#وسم_",
            "aa",
            "هه",
            "ههه",
            "👨",
            "👨\u{FE0F}",
            "e\u{301}",
            "x\u{200B}",
        ];
        let texts = [
            "x",
            "\u{FDFA}",
            "\u{FDFC}اول",
            "\u{200D}👩",
            "\u{200B}x",
            "\u{200F}ممتازة",
            "aaaa",
            "هههه",
            "ه",
            "a",
            "\u{0301}b",
            "\u{0654}\u{200D}",
            "\u{FE7C}مد",
            "ﻻ",
        ];
        for opts in [NormalizeOptions::default(), NormalizeOptions::social()] {
            for text in texts {
                let alone = normalize_with(text, &opts);
                for prior in priors {
                    let mut out = prior.to_string();
                    normalize_into(text, &opts, &mut out);
                    assert_eq!(out, format!("{prior}{alone}"), "{prior:?} then {text:?}");
                }
            }
        }
    }

    #[test]
    fn edge_inputs() {
        assert_eq!(n(""), "");
        assert_eq!(n("\u{064E}"), "");
        assert_eq!(n("ـــ"), "");
        let long = "ب".repeat(1 << 20);
        assert_eq!(n(&long).len(), long.len());
    }

    proptest::proptest! {
        #[test]
        fn idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            proptest::prop_assert_eq!(normalize(&once), once.clone());
            let social = NormalizeOptions::social();
            let once = normalize_with(&s, &social);
            proptest::prop_assert_eq!(normalize_with(&once, &social), once);
        }

        #[test]
        fn idempotent_on_arabic(s in "[\\u0600-\\u06FF\\u08F0-\\u08F2\\uFB50-\\uFDFF\\uFE70-\\uFEFF a-zA-Z\\u0300-\\u0345]{0,40}") {
            let once = normalize(&s);
            proptest::prop_assert_eq!(normalize(&once), once);
        }
    }
}
