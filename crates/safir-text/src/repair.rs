//! Repair of extraction damage: what PDF text layers and copy-paste do to Arabic.
//!
//! Line by line (the line structure is kept):
//!
//! 1. drop BOM, bidi controls, LRM/RLM, ALM, ZWNJ and ZWJ (a ZWJ between
//!    emoji stays);
//! 2. detect a line stored in visual order (characters reversed: words that
//!    start with ة or ى, end with لا) and restore logical order; runs of
//!    digits and Latin stay left-to-right, brackets are mirrored back. This
//!    runs on glyphs, so a lam-alef ligature is still one unit;
//! 3. presentation forms and ligatures become base letters (NFKC of the
//!    glyph; ﷼ becomes ريال);
//! 4. words split by stray spaces are rejoined: a fragment that starts with
//!    tatweel joins the word before it (وجه  ـا → وجها), lam-alef joins a word
//!    that ends in tatweel (فاعـ لا → فاعلا), and so does a fragment of one or
//!    two letters when that word is a one-letter prefix (بـ أن → بأن), a single
//!    letter joins across a run of two or more spaces (خلا   ل → خلال), but
//!    not ع alone before the gap, the colloquial short form of على; words
//!    never join across punctuation between them (`ب:  مصرع`, `ل  #وسم`);
//!    diacritics floating between spaces are dropped, and so is a word of tatweel
//!    and marks;
//! 5. a final letter that the extraction moved to the front (كوكذلـــ, or
//!    حالعالمـي لصالــ, or ىتســمـ) goes back to the end of the word that
//!    lost it, before any punctuation after it (ذلـــ، → ذلك،): such a word
//!    ends in tatweel, which a logical Arabic word never does;
//! 6. tatweel is removed, runs of spaces collapse to one, lines are trimmed.

use crate::script::is_mark as is_combining_mark;
use crate::script::{
    HashtagState, TATWEEL, ZWJ, is_arabic_diacritic, is_arabic_letter, is_digit, is_emoji_modifier,
    is_invisible_format, is_pictographic, is_presentation_form, is_regional_indicator,
    separates_words,
};
use crate::swar::{HIGH, repeat, zero_bytes};
use unicode_normalization::UnicodeNormalization;

/// Repairs `text` (see the module documentation for the steps).
pub fn repair(text: &str) -> String {
    repair_with_offsets(text).text
}

/// The repaired text and, for each of its bytes, the byte span of the
/// original character it came from.
#[derive(Debug, Clone, Default)]
pub struct Repaired {
    pub text: String,
    origin: Vec<(u32, u32)>,
    /// The units of the line being repaired and the other working lists
    /// of [`repair_line`]: kept only so that [`repair_into`] reuses their
    /// room (a damaged line allocates nothing once they have grown).
    units: Vec<Unit>,
    scratch: Scratch,
}

impl Repaired {
    /// The span of the original text that produced `text[start..end]`.
    pub fn original_span(&self, start: usize, end: usize) -> (usize, usize) {
        let mut lo = u32::MAX;
        let mut hi = 0;
        for &(s, e) in &self.origin[start..end] {
            lo = lo.min(s);
            hi = hi.max(e);
        }
        if lo > hi {
            return (start, start);
        }
        (lo as usize, hi as usize)
    }

    fn push(&mut self, c: char, span: (u32, u32)) {
        self.text.push(c);
        self.origin.extend(std::iter::repeat_n(span, c.len_utf8()));
    }
}

pub fn repair_with_offsets(text: &str) -> Repaired {
    let mut out = Repaired::default();
    repair_into(text, &mut out);
    out
}

/// [`repair_with_offsets`] into `out`, replacing what it held and reusing
/// its buffers: the analyzer repairs line after line through one.
pub fn repair_into(text: &str, out: &mut Repaired) {
    out.text.clear();
    out.origin.clear();
    out.text.reserve(text.len());
    out.origin.reserve(text.len());
    let mut units = std::mem::take(&mut out.units);
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        units.clear();
        repair_line(body, at, &mut units, &mut out.scratch);
        for u in &units {
            out.push(u.c, (u.start, u.end));
        }
        for (k, c) in line[body.len()..].char_indices() {
            let s = (at + body.len() + k) as u32;
            out.push(c, (s, s + 1));
        }
        at += line.len();
    }
    out.units = units;
}

/// Whether [`repair`] would change more of this line than normalization
/// does anyway: split words, moved letters, visual order, presentation forms.
pub fn needs_repair(line: &str) -> bool {
    if line.is_ascii() {
        return false;
    }
    if stray_letter_at_wide_gap(line) {
        return true;
    }
    // Byte by byte, decoding only outside ASCII, U+0080–U+02FF and the
    // Arabic block; the same tests as [`tests::needs_repair_by_chars`].
    let bytes = line.as_bytes();
    // After a space or tab (or at the start): a mark there floats.
    let mut prev_space = true;
    // There, or after punctuation that follows it (`(ةرازولا)`, `.ةرازولا`): a word starts.
    let mut word_start = true;
    let mut edges = false;
    let mut i = 0;
    while i < bytes.len() {
        if !word_start {
            // Inside a word, skip what cannot matter there: a tatweel (D9 80)
            // is the only damage among ASCII, U+0080–U+02FF and the Arabic
            // block, and none of these is a space or tab.
            i = skip_inert(bytes, i);
            match bytes.get(i) {
                None => break,
                // A continuation byte: its lead was skipped.
                Some(0x80) => {
                    if bytes[i - 1] == 0xD9 {
                        return true;
                    }
                    i += 1;
                    continue;
                }
                Some(_) => {}
            }
        }
        let b = bytes[i];
        if b < 0x80 {
            prev_space = b == b' ' || b == b'\t';
            word_start = prev_space || (word_start && is_edge_punct(b as char));
            i += 1;
        } else if b < 0xCC {
            // U+0080–U+02FF: no tatweel, presentation form or mark; « and » (C2 AB, C2 BB).
            prev_space = false;
            word_start = word_start && b == 0xC2 && matches!(bytes.get(i + 1), Some(0xAB | 0xBB));
            i += 2;
        } else if (0xD8..=0xDB).contains(&b) {
            // U+0600–U+06FF, where the marks are the Arabic diacritics.
            let cp = (((b & 0x1F) as u32) << 6) | (bytes[i + 1] & 0x3F) as u32;
            let c = char::from_u32(cp).unwrap_or(TATWEEL);
            if c == TATWEEL || (prev_space && is_arabic_diacritic(c)) {
                return true;
            }
            edges |= word_start && matches!(c, 'ة' | 'ى');
            prev_space = false;
            word_start = word_start && is_edge_punct(c);
            i += 2;
        } else {
            let c = line[i..].chars().next().unwrap_or(TATWEEL);
            if is_presentation_form(c) || (prev_space && is_combining_mark(c)) {
                return true;
            }
            prev_space = c.is_whitespace();
            word_start = prev_space || (word_start && is_edge_punct(c));
            i += c.len_utf8();
        }
    }
    edges && looks_visual(line.chars())
}

/// Punctuation that may stand between a space and a word: brackets, quotes, the full stop
/// or comma that visual order moves from a word's end to its front. Not `@`, `#` or `_`,
/// which start or join tokens of their own.
fn is_edge_punct(c: char) -> bool {
    (c.is_ascii_punctuation() && !matches!(c, '@' | '#' | '_'))
        || matches!(
            c,
            '«' | '»' | '،' | '؛' | '؟' | '\u{2018}'..='\u{201F}' | '…'
        )
}

/// Bytes [`needs_repair`] may skip after a character that is not a space
/// or tab: ASCII other than those two, continuation bytes but 80 (which ends
/// a tatweel), the leads of U+0080–U+02FF and of the Arabic block.
const INERT_IN_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b' ' | b'\t' => false,
            0x00..=0x7F | 0x81..=0xBF | 0xC2..=0xCB | 0xD8..=0xDB => true,
            _ => false,
        };
        b += 1;
    }
    t
};

/// The first byte from `i` on that [`needs_repair`] must look at inside a
/// word (or the end), eight bytes at a time where it can: [`INERT_IN_WORD`]
/// says which. It may stop earlier, at a byte the careful loop handles the
/// same.
fn skip_inert(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // Spaces and tabs, 80 bytes, leads outside D8–DB (U+0080–U+02FF's
        // too: they go the careful way, which is only slower).
        let lead = x & (x << 1) & HIGH;
        let space = zero_bytes(x ^ repeat(b' ')) | zero_bytes(x ^ repeat(b'\t'));
        let special = space
            | zero_bytes(x ^ repeat(0x80))
            | (lead & !zero_bytes((x & repeat(0xFC)) ^ repeat(0xD8)));
        if special != 0 {
            return i + special.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + bytes[i..]
        .iter()
        .position(|&b| !INERT_IN_WORD[b as usize])
        .unwrap_or(bytes.len() - i)
}

/// The first of two spaces in a row from `from` on: `str::find` would run a
/// general substring search, this reads eight bytes at a time.
fn find_two_spaces(bytes: &[u8], mut from: usize) -> Option<usize> {
    while let Some(chunk) = bytes.get(from..from + 8) {
        let spaces =
            zero_bytes(u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ repeat(b' '));
        let pairs = spaces & (spaces >> 8);
        if pairs != 0 {
            return Some(from + pairs.trailing_zeros() as usize / 8);
        }
        // The last byte again: a pair may straddle two windows.
        from += 7;
    }
    let rest = bytes.get(from..)?;
    rest.windows(2).position(|w| w == b"  ").map(|k| from + k)
}

/// A lone letter next to two or more spaces: the one joining rule that
/// needs neither tatweel nor a mark to show the damage.
fn stray_letter_at_wide_gap(line: &str) -> bool {
    let is_stray = |w: &str| {
        let mut letters = w.chars().filter(|&c| !is_combining_mark(c));
        matches!((letters.next(), letters.next()), (Some(c), None) if is_arabic_letter(c) && c != 'و')
    };
    let mut from = 0;
    while let Some(start) = find_two_spaces(line.as_bytes(), from) {
        let end = line.len() - line[start..].trim_start_matches(' ').len();
        let before = line[..start]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("");
        let after = line[end..].split(char::is_whitespace).next().unwrap_or("");
        if is_stray(before) || is_stray(after) {
            return true;
        }
        from = end;
    }
    false
}

#[derive(Debug, Clone, Copy)]
struct Unit {
    c: char,
    start: u32,
    end: u32,
}

/// Working lists of [`repair_line`].
#[derive(Debug, Clone, Default)]
struct Scratch {
    /// The units of the line's words, one word after the other (the
    /// whitespace left out), which [`Word`]s are ranges of: no list a word.
    word_units: Vec<Unit>,
    words: Vec<Word>,
    /// Which words gave up their first letter (see [`restore_moved_letters`]).
    used: Vec<bool>,
}

fn repair_line(line: &str, base: usize, units: &mut Vec<Unit>, scratch: &mut Scratch) {
    // A dropped zero-width space or direction control after a letter or digit, where a
    // space goes if the next character is one too (`#وسم\u{2069}كلمة` is a tag and a word).
    let mut gap: Option<u32> = None;
    for (i, c) in line.char_indices() {
        if is_invisible_format(c) {
            if separates_words(c)
                && units
                    .last()
                    .is_some_and(|u| u.c.is_alphanumeric() || is_combining_mark(u.c))
            {
                gap.get_or_insert((base + i) as u32);
            }
            let between_emoji = c == ZWJ
                && units.last().is_some_and(|u: &Unit| is_emoji_part(u.c))
                && line[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(is_pictographic);
            if !between_emoji {
                continue;
            }
        }
        if let Some(at) = gap.take()
            && (c.is_alphanumeric() || c == '#' || c == '@')
        {
            units.push(Unit {
                c: ' ',
                start: at,
                end: at,
            });
        }
        let start = (base + i) as u32;
        units.push(Unit {
            c,
            start,
            end: start + c.len_utf8() as u32,
        });
    }
    if looks_visual(units.iter().map(|u| u.c)) {
        to_logical_order(units);
    }
    expand_presentation_forms(units);
    let Scratch {
        word_units,
        words,
        used,
    } = scratch;
    split_words(units, word_units, words);
    let post = is_post(word_units);
    rejoin_split_words(word_units, words, post);
    restore_moved_letters(word_units, words, used, post);
    units.clear();
    // A word of tatweel alone (the dateline's `الرياض ـ واس`) is dropped with its space, as is
    // one of tatweel and marks (`ـَ`): without the tatweel its marks would float alone, on
    // no letter, and a second repair would drop them (repair would not be idempotent).
    let spells = |w: &&Word| {
        word_units[w.start..w.end]
            .iter()
            .any(|u| u.c != TATWEEL && !is_combining_mark(u.c))
            || !word_units[w.start..w.end].iter().any(|u| u.c == TATWEEL)
    };
    for w in words.iter().filter(spells) {
        if !units.is_empty() {
            let prev = units[units.len() - 1];
            units.push(Unit {
                c: ' ',
                start: prev.end,
                end: prev.end,
            });
        }
        units.extend(
            word_units[w.start..w.end]
                .iter()
                .filter(|u| u.c != TATWEEL)
                .copied(),
        );
    }
}

fn is_emoji_part(c: char) -> bool {
    is_pictographic(c) || is_emoji_modifier(c)
}

/// The letter a glyph stands for, for order detection.
#[inline]
fn letter(c: char) -> char {
    if is_presentation_form(c) {
        c.nfkc().next().unwrap_or(c)
    } else {
        c
    }
}

/// Scores word edges: ة and ى end Arabic words and ال starts them; in a line
/// stored in visual order they show up at the other end. A word starting with
/// ة or ى is needed: many words end in لا in logical order too (فعلا، مثلا،
/// أهلا وسهلا), so a line of them alone stays as it is. And two signs of visual
/// order are needed, not one: a single word starting with ة or ى in a line with
/// nothing else to tell is more likely a typo (`ةاليوم`) or a path in a link than
/// a line turned around, while a reversed heading shows both ends (`ةمدقملا`).
fn looks_visual(chars: impl Iterator<Item = char>) -> bool {
    let (mut visual, mut logical, mut strong, mut signs) = (0u32, 0u32, false, 0u32);
    // Of the current word, only its length, its first two letters and its
    // last two matter: no list of its letters.
    let (mut len, mut first, mut second, mut before_last, mut last) = (0usize, ' ', ' ', ' ', ' ');
    let mut score = |len: usize, first: char, second: char, before_last: char, last: char| {
        if len < 2 {
            return;
        }
        if matches!(first, 'ة' | 'ى') {
            visual += 2;
            strong = true;
            signs += 1;
        }
        if matches!(last, 'ة' | 'ى') {
            logical += 2;
        }
        if len >= 4 {
            if first == 'ا' && second == 'ل' {
                logical += 1;
            }
            if before_last == 'ل' && last == 'ا' {
                visual += 1;
                signs += 1;
            }
        }
    };
    for c in chars {
        let l = letter(c);
        if is_arabic_letter(l) {
            match len {
                0 => first = l,
                1 => second = l,
                _ => {}
            }
            before_last = last;
            last = l;
            len += 1;
        } else if !(is_combining_mark(c) || c == TATWEEL) {
            score(len, first, second, before_last, last);
            len = 0;
        }
    }
    score(len, first, second, before_last, last);
    strong && signs >= 2 && visual > logical
}

/// Reverses a line stored in visual order, then puts back in reading order what the
/// reversal turned around but was displayed left to right: runs of Latin letters and digits
/// with the punctuation between them (`info@mofa.gov.sa`, `https://mofa.gov.sa/ar/page_1`),
/// a handle's `@` or `#`, a number's `%`; and emoji, each kept whole (a flag's two letters,
/// a skin tone after its hand, a family joined by ZWJ). Brackets are mirrored back.
fn to_logical_order(units: &mut [Unit]) {
    units.reverse();
    let mut i = 0;
    while i < units.len() {
        let c = units[i].c;
        if is_ltr(c) {
            // Through punctuation between two left-to-right characters, not after the last.
            let (mut j, mut end) = (i + 1, i + 1);
            while j < units.len() {
                let c = units[j].c;
                if is_ltr(c) {
                    j += 1;
                    end = j;
                } else if joins_ltr_run(c) {
                    j += 1;
                } else {
                    break;
                }
            }
            // A handle's `@` or `#`, before the name when read.
            if units.get(end).is_some_and(|u| matches!(u.c, '@' | '#')) {
                end += 1;
            }
            // A number's `%`, after it when read (before it here, passed over already).
            let start = if is_digit(c) && i > 0 && matches!(units[i - 1].c, '%' | '٪' | '‰') {
                i - 1
            } else {
                i
            };
            units[start..end].reverse();
            i = end;
        } else if is_emoji_part(c) || is_regional_indicator(c) || c == ZWJ {
            i = restore_emoji(units, i);
        } else {
            units[i].c = mirror(c);
            i += 1;
        }
    }
}

/// A space or punctuation that a left-to-right run keeps when a left-to-right character
/// follows it (`Ministry of Foreign Affairs` stays in that order).
fn joins_ltr_run(c: char) -> bool {
    c == ' '
        || !c.is_whitespace()
            && !is_arabic_letter(letter(c))
            && !is_combining_mark(c)
            && !is_emoji_part(c)
            && mirror(c) == c
            && !matches!(c, '"' | '\'' | '،' | '؛' | '؟' | '\u{2018}'..='\u{201F}')
}

/// The emoji from `i` on, in an order the reversal turned around: put back emoji by emoji,
/// the emoji themselves in the reversed order (they are read right to left like the words
/// around them). Returns where they end.
fn restore_emoji(units: &mut [Unit], i: usize) -> usize {
    let part = |c: char| is_emoji_part(c) || is_regional_indicator(c) || c == ZWJ;
    let mut end = i;
    while end < units.len() && part(units[end].c) {
        end += 1;
    }
    // A keycap (`1️⃣`): its digit, # or * comes after its marks here.
    if end > i
        && matches!(units[end - 1].c, '\u{FE0F}' | '\u{20E3}')
        && units
            .get(end)
            .is_some_and(|u| matches!(u.c, '0'..='9' | '#' | '*'))
    {
        end += 1;
    }
    let run = &mut units[i..end];
    // In display order, where each emoji's own characters are in order.
    run.reverse();
    let mut starts = Vec::new();
    let mut k = 0;
    while k < run.len() {
        starts.push(k);
        let pair = is_regional_indicator(run[k].c)
            && run.get(k + 1).is_some_and(|u| is_regional_indicator(u.c));
        k += if pair { 2 } else { 1 };
        // Modifiers, variation selectors, keycap marks and what a ZWJ joins stay on.
        while k < run.len()
            && (is_emoji_modifier(run[k].c) || run[k].c == ZWJ || run[k - 1].c == ZWJ)
        {
            k += 1;
        }
    }
    // The emoji in reversed order, each whole: reverse each, then all.
    starts.push(run.len());
    for w in starts.windows(2) {
        run[w[0]..w[1]].reverse();
    }
    run.reverse();
    end
}

fn is_ltr(c: char) -> bool {
    is_digit(c) || (c.is_alphabetic() && !is_arabic_letter(letter(c)))
}

fn mirror(c: char) -> char {
    match c {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        _ => c,
    }
}

/// Whether `units` end inside a hashtag: since the last whitespace, `#` and then letters,
/// digits, marks or underscores only. `read` is how many units an earlier call read and
/// where they left the test: `units` only grow between calls, so only the new ones are read.
fn ends_in_hashtag(units: &[Unit], read: &mut (usize, HashtagState)) -> bool {
    let continues_tag = |c: char| c == '_' || c.is_alphanumeric() || is_combining_mark(c);
    for u in &units[read.0..] {
        read.1 = read.1.next(u.c, continues_tag);
    }
    read.0 = units.len();
    read.1 == HashtagState::InTag
}

fn expand_presentation_forms(units: &mut Vec<Unit>) {
    if !units.iter().any(|u| is_presentation_form(u.c)) {
        return;
    }
    let mut expanded = Vec::with_capacity(units.len() + 8);
    let mut tag_read = (0, HashtagState::AfterSpace);
    for &u in units.iter() {
        match u.c {
            // A phrase or a word in one glyph (ﷺ, ﷻ, ﷼) is a word of its own: outside a
            // tag, spaces around it keep it from the letters it was glued to
            // (`رأيتهﷺيتحرى`, `30﷼اول`); in a tag, underscores join it to the tag.
            '\u{FDFA}' | '\u{FDFB}' | '\u{FDFC}' => {
                let in_tag = ends_in_hashtag(&expanded, &mut tag_read);
                let space = Unit { c: ' ', ..u };
                if !in_tag {
                    expanded.push(space);
                }
                let joined = |c: char| Unit {
                    c: if in_tag && c == ' ' { '_' } else { c },
                    ..u
                };
                if u.c == '\u{FDFC}' {
                    expanded.extend("ريال".chars().map(joined));
                } else {
                    expanded.extend(std::iter::once(u.c).nfkc().map(joined));
                }
                if !in_tag {
                    expanded.push(space);
                }
            }
            c if is_presentation_form(c) => {
                // Isolated forms of harakat decompose to space + mark: keep the mark.
                let mark_form = matches!(c, '\u{FE70}'..='\u{FE7F}' | '\u{FC5E}'..='\u{FC63}');
                expanded.extend(
                    std::iter::once(c)
                        .nfkc()
                        .filter(|&c| !(mark_form && c == ' '))
                        .map(|c| Unit { c, ..u }),
                );
            }
            _ => expanded.push(u),
        }
    }
    *units = expanded;
}

/// A word: the range `start..end` of [`Scratch::word_units`] that holds
/// its units, the whitespace before it and what the joining rules ask of it
/// (kept up to date as words are joined, so joining stays linear).
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    gap_before: usize,
    arabic: bool,
    letters: usize,
}

impl Word {
    /// A lone Arabic letter that is not a word on its own (و is);
    /// `word_units` is [`Scratch::word_units`].
    fn is_stray_letter(&self, word_units: &[Unit]) -> bool {
        self.arabic
            && self.letters == 1
            && !word_units[self.start..self.end].iter().any(|u| u.c == 'و')
    }
}

/// The words of the line's units into `words`, their units one after the
/// other into `word_units`. Words of diacritics alone, with no letter to sit
/// on, are dropped (the next word's gap counts only the whitespace after
/// them, as before they were dropped).
fn split_words(units: &[Unit], word_units: &mut Vec<Unit>, words: &mut Vec<Word>) {
    word_units.clear();
    words.clear();
    let mut push = |w: &[Unit], gap_before: usize| {
        if w.iter().all(|u| is_combining_mark(u.c)) {
            return;
        }
        let letters = arabic_letters(w);
        let start = word_units.len();
        word_units.extend_from_slice(w);
        words.push(Word {
            start,
            end: word_units.len(),
            gap_before,
            arabic: letters > 0 && is_arabic_word(w),
            letters,
        });
    };
    let mut gap = 0;
    let mut start = 0;
    for (k, u) in units.iter().enumerate() {
        if u.c.is_whitespace() {
            if k > start {
                push(&units[start..k], gap);
                gap = 0;
            }
            gap += 1;
            start = k + 1;
        }
    }
    if units.len() > start {
        push(&units[start..], gap);
    }
}

fn arabic_letters(w: &[Unit]) -> usize {
    w.iter().filter(|u| is_arabic_letter(u.c)).count()
}

fn is_word_part(c: char) -> bool {
    is_arabic_letter(c) || is_combining_mark(c) || c == TATWEEL
}

/// Arabic letters (with marks and tatweel), punctuation around them allowed;
/// [`split_words`] also wants at least one letter, which it counts anyway.
fn is_arabic_word(w: &[Unit]) -> bool {
    let Some(first) = w.iter().position(|u| is_word_part(u.c)) else {
        return false;
    };
    let last = w.iter().rposition(|u| is_word_part(u.c)).unwrap_or(first);
    w[first..=last].iter().all(|u| is_word_part(u.c))
        && w[..first].iter().all(|u| !u.c.is_alphanumeric())
        && w[last + 1..].iter().all(|u| !u.c.is_alphanumeric())
}

fn ends_with_tatweel(w: &[Unit]) -> bool {
    w.iter()
        .rev()
        .find(|u| !is_combining_mark(u.c))
        .is_some_and(|u| u.c == TATWEEL)
}

fn starts_with_tatweel(w: &[Unit]) -> bool {
    w.first().is_some_and(|u| u.c == TATWEEL)
}

/// Joins words split by stray spaces, in place: a word joined to the one
/// before it follows it in `word_units` (words are kept in order and
/// nothing lies between them there), so joining extends a range.
/// `post`: the line reads as a post (see [`is_post`]).
fn rejoin_split_words(word_units: &[Unit], words: &mut Vec<Word>, post: bool) {
    // `words[..kept]` are the words so far, joined.
    let mut kept = 0;
    for k in 0..words.len() {
        let w = words[k];
        let join = kept > 0 && {
            let prev = &words[kept - 1];
            let (prev_units, units) = (
                &word_units[prev.start..prev.end],
                &word_units[w.start..w.end],
            );
            let wide_gap = w.gap_before >= 2;
            let (prev_stray, stray) = (
                prev.is_stray_letter(word_units),
                w.is_stray_letter(word_units),
            );
            // A letter before a tag or a mention is a preposition written apart (`ل  #وسم`).
            let before_a_tag = words
                .get(k + 1)
                .is_some_and(|n| matches!(word_units[n.start].c, '#' | '@'));
            // A letter and a full stop before a word is an abbreviation (`قال  د. أحمد`, Dr.
            // Ahmed), a word of its own; at the end of the line it is a split word's last
            // letter before the sentence's full stop (`خلا   ل.`).
            let abbreviation = is_abbreviation(units) && k + 1 < words.len();
            prev.arabic
                && w.arabic
                && !abbreviation
                && meet_without_punctuation(prev_units, units)
                // In a post, a word that starts with tatweel is stretched for emphasis
                // (`عن ـجامعة`): it joins a word stretched at its end (`فولـ ـو`), or the word
                // before when it is too short to be a word (`مِـجَ ـلَة`).
                && ((starts_with_tatweel(units)
                    && (!post || ends_with_tatweel(prev_units) || w.letters <= 2))
                    || (ends_with_tatweel(prev_units)
                        && w.letters <= 2
                        && (prev.letters == 1 || is_lam_alef(units)))
                    // Letters spelled out one by one (`ا  ف  ب`) stay apart; ع alone is
                    // the colloquial على, and a letter stretched at its end is a prefix of
                    // the word after it (`الخير  لـ العواصف`), not the end of the one before.
                    || (wide_gap
                        && !(prev_stray && stray)
                        && ((stray
                            && !is_colloquial_ala(units)
                            && !ends_with_tatweel(units)
                            && !before_a_tag)
                            || (prev_stray && !is_colloquial_ala(prev_units)))))
        };
        if join {
            let prev = &mut words[kept - 1];
            debug_assert_eq!(prev.end, w.start, "joined words are adjacent");
            prev.letters += w.letters;
            prev.end = w.end;
        } else {
            words[kept] = w;
            kept += 1;
        }
    }
    words.truncate(kept);
}

/// Whether two words meet letter to letter: a word split by a stray space has no
/// punctuation where it was split, while `ب: مصرع` or `ل #اليسا` are words apart.
fn meet_without_punctuation(before: &[Unit], after: &[Unit]) -> bool {
    before.last().is_some_and(|u| is_word_part(u.c))
        && after.first().is_some_and(|u| is_word_part(u.c))
}

/// Whether a fragment is lam-alef, the ligature a stretched word loses to the
/// next "word" in extracted text (`فاعـ لا`, `مثـ لا`). After a stretched word
/// of two letters or more, no other short word joins it: in social text a
/// word stretched at its end stays one (`احبكـ يا`); a stretched prefix of one
/// letter takes any short word (`بـ أن`).
fn is_lam_alef(units: &[Unit]) -> bool {
    let mut letters = units.iter().map(|u| u.c).filter(|&c| is_arabic_letter(c));
    letters.next() == Some('ل')
        && letters
            .next()
            .is_some_and(|c| matches!(c, 'ا' | 'أ' | 'إ' | 'آ'))
        && letters.next().is_none()
}

/// Whether a word is one Arabic letter and a full stop (`د.`, `م.`, `أ.`), as titles and
/// units are abbreviated; the letter may be stretched (`دـ.`), but a word starting with
/// tatweel is the end of a split word.
fn is_abbreviation(units: &[Unit]) -> bool {
    let mut chars = units.iter().map(|u| u.c).filter(|&c| !is_combining_mark(c));
    chars.next().is_some_and(is_arabic_letter)
        && chars.skip_while(|&c| c == TATWEEL).eq(std::iter::once('.'))
}

/// Whether a word is ع alone: in social text the colloquial short form of على
/// (`ع  عيشتكم`), a word of its own, not a letter split from the next word.
fn is_colloquial_ala(units: &[Unit]) -> bool {
    let mut letters = units.iter().filter(|u| !is_combining_mark(u.c));
    letters.next().is_some_and(|u| u.c == 'ع') && letters.next().is_none()
}

/// Letters whose final glyph PDF extraction tends to move to the front of a word: ى begins
/// no Arabic word, the others begin many.
fn is_movable_final(c: char) -> bool {
    matches!(c, 'ك' | 'ح' | 'ج' | 'ى')
}

/// Whether a word begins with a final letter moved to its front: the letter, and enough
/// after it: three letters in all with ى (`ىتسمـ` for تسمى), four with the others, which
/// begin short words of their own (كل, حق, جو).
fn begins_with_moved_final(units: &[Unit], letters: usize) -> bool {
    match units.first().map(|u| u.c) {
        Some('ى') => letters >= 3,
        Some(c) => is_movable_final(c) && letters >= 4,
        None => false,
    }
}

/// The one letter a word that lost its last letter can have lost, when its letters tell: a
/// word ending in ذل lost ك (ذلك, وكذلك, لذلك), never ح or ج (`وكذلح`). `end`: see
/// [`tatweel_end`].
fn lost_letter(units: &[Unit], end: usize) -> Option<char> {
    let mut letters = units[..end]
        .iter()
        .rev()
        .map(|u| u.c)
        .filter(|&c| is_arabic_letter(c));
    (letters.next() == Some('ل') && letters.next() == Some('ذ')).then_some('ك')
}

/// Whether a line reads as a post (a tag, a mention, a link, an emoji): a word there ends in
/// tatweel for emphasis (`احبكـ`), not because extraction moved its last letter away.
fn is_post(units: &[Unit]) -> bool {
    units.iter().enumerate().any(|(k, u)| {
        matches!(u.c, '#' | '@')
            || is_pictographic(u.c)
            || (u.c == ':' && units.get(k + 1).is_some_and(|n| n.c == '/'))
    })
}

/// Whether the letters before a word's final tatweel end as a whole word does: with the
/// pronoun ك or ه (or ة), which posts stretch for emphasis (`كيفكـ`, `حلوهـ`, `لكـ`); a word
/// that lost its last letter to extraction seldom ends there (`ذلـ`, `مصطلـ`, `برامـ`).
fn ends_as_a_whole_word(units: &[Unit], tatweel_end: usize) -> bool {
    units[..tatweel_end]
        .iter()
        .rev()
        .find(|u| is_arabic_letter(u.c))
        .is_some_and(|u| matches!(u.c, 'ك' | 'ه' | 'ة'))
}

/// Where a word that lost its final letter ends: a word ending in tatweel,
/// or in tatweel and then punctuation (`ذلــ،`), gives the index after its
/// tatweel (and the marks on it), where the letter goes back; any other
/// word gives `None`.
fn tatweel_end(w: &[Unit]) -> Option<usize> {
    let end = w.iter().rposition(|u| is_word_part(u.c))? + 1;
    if !w[end..].iter().all(|u| !u.c.is_alphanumeric()) {
        return None;
    }
    ends_with_tatweel(&w[..end]).then_some(end)
}

/// Whether a word is the article ال alone (with its tatweel and any marks).
fn is_article(units: &[Unit]) -> bool {
    let mut letters = units
        .iter()
        .map(|u| u.c)
        .filter(|&c| c != TATWEEL && !is_combining_mark(c));
    letters.next() == Some('ا') && letters.next() == Some('ل') && letters.next().is_none()
}

/// Whether a word is stretched inside, a tatweel before one of its letters (`الدبلوماسـية`),
/// as extraction stretches words all along a line; a post stretches a word's end for
/// emphasis (`جميلـ`).
fn stretched_inside(units: &[Unit]) -> bool {
    let mut after_tatweel = false;
    for u in units {
        if u.c == TATWEEL {
            after_tatweel = true;
        } else if !is_combining_mark(u.c) {
            if after_tatweel && is_arabic_letter(u.c) {
                return true;
            }
            after_tatweel = false;
        }
    }
    false
}

/// Whether a line shows the damage extraction leaves where it moves letters: a word stretched
/// inside, the sentence's last punctuation at the line's start (`.الهدف كالقوة … ذلـ`), or a
/// word alone on its line (a heading, a word the layout cut from its line). A line of plain
/// text whose only stretch is at a word's end (`جميلـ جدا`) moves nothing, but for ى, which
/// begins no Arabic word.
fn shows_extraction(word_units: &[Unit], words: &[Word]) -> bool {
    words.len() == 1
        || word_units
            .first()
            .is_some_and(|u| matches!(u.c, '.' | '،' | '؛' | ':'))
        || words
            .iter()
            .any(|w| stretched_inside(&word_units[w.start..w.end]))
}

/// `post`: the line reads as a post (see [`is_post`]), where nothing moves.
fn restore_moved_letters(
    word_units: &mut [Unit],
    words: &mut [Word],
    used: &mut Vec<bool>,
    post: bool,
) {
    used.clear();
    used.resize(words.len(), false);
    if post {
        return;
    }
    let extracted = shows_extraction(word_units, words);
    // Alone on its line, a word gave its last letter away only if it is longer than a whole
    // word of four letters stretched at its end (`حبيبـ`, `جميلـ`).
    let alone = words.len() == 1;
    for k in 0..words.len() {
        let own = words[k];
        if !own.arabic {
            continue;
        }
        let Some(end) = tatweel_end(&word_units[own.start..own.end]) else {
            continue;
        };
        if ends_as_a_whole_word(&word_units[own.start..own.end], end) {
            continue;
        }
        let first = word_units[own.start].c;
        if !used[k]
            && begins_with_moved_final(&word_units[own.start..own.end], own.letters)
            && (first == 'ى' || (extracted && (!alone || own.letters >= 5)))
        {
            // The word's first unit to its end, before any punctuation after it.
            word_units[own.start..own.start + end].rotate_left(1);
            used[k] = true;
            continue;
        }
        if !extracted
            || own.letters < 2
            || end < own.end - own.start
            || is_article(&word_units[own.start..own.end])
        {
            // A prefix written apart with tatweel (`بـ الرياض`, `لـ @name`, the article
            // before a number in `الـ 10 دقائق`): not a word that lost its last letter
            // (`ذلـ` for ذلك has two letters too). Nor a word followed by punctuation
            // (`ذلـــ،`): in extracted text its letter is seldom in a word before it on
            // the line, whose first letter, taken, would break a whole word (جديد).
            continue;
        }
        let lost = lost_letter(&word_units[own.start..own.end], end);
        for j in (0..k).rev() {
            let w = words[j];
            let units = &word_units[w.start..w.end];
            if tatweel_end(units).is_some() {
                break;
            }
            if !used[j]
                && w.arabic
                && units[0].c != 'ى'
                && lost.is_none_or(|c| units[0].c == c)
                && begins_with_moved_final(units, w.letters)
            {
                // Word j's first unit to the end of word k: the units between move back
                // by one, and the words' ranges with them.
                word_units[w.start..own.end].rotate_left(1);
                words[j].end -= 1;
                for between in &mut words[j + 1..k] {
                    between.start -= 1;
                    between.end -= 1;
                }
                words[k].start -= 1;
                used[j] = true;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain form of [`needs_repair`]'s loop, which the byte loop must
    /// agree with.
    pub(super) fn needs_repair_by_chars(line: &str) -> bool {
        if line.is_ascii() {
            return false;
        }
        if stray_letter_at_wide_gap(line) {
            return true;
        }
        let mut prev_space = true;
        let mut word_start = true;
        let mut edges = false;
        for c in line.chars() {
            if c < '\u{0300}' {
                prev_space = c == ' ' || c == '\t';
                word_start = prev_space || (word_start && is_edge_punct(c));
                continue;
            }
            if c == TATWEEL || is_presentation_form(c) || (prev_space && is_combining_mark(c)) {
                return true;
            }
            // ة and ى end Arabic words; one starting a word hints at visual order.
            edges |= word_start && matches!(c, 'ة' | 'ى');
            prev_space = c.is_whitespace();
            word_start = prev_space || (word_start && is_edge_punct(c));
        }
        edges && looks_visual(line.chars())
    }

    #[test]
    fn repair_check_agrees_with_the_plain_loop_on_the_samples() {
        // The PDF sample of the shared data folder, when it is there.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/samples/pdf-extracted-ar.txt"
        );
        if let Ok(pdf) = std::fs::read_to_string(path) {
            let mut needing = 0;
            for line in pdf.lines() {
                assert_eq!(needs_repair(line), needs_repair_by_chars(line), "{line}");
                needing += needs_repair(line) as usize;
            }
            assert!(needing > 0);
        }
        for line in [
            "ةيبرعلا ةغللا ىلع",
            "\u{064E}سلام",
            "سلام \u{0301}x",
            "café ةمدقم",
            "(ةرازولا) ماع",
            "\"ةرازولا\" ماع",
            "«ةرازولا» ماع",
            ".ةسردملا يف",
            "@ةرازولا ماع",
            "\u{00A0}\u{064B}",
            "ﻻ",
        ] {
            assert_eq!(needs_repair(line), needs_repair_by_chars(line), "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn repair_check_agrees_with_the_plain_loop(
            line in "[\\u0600-\\u06FF\\uFB50-\\uFDFF\\uFE70-\\uFEFF a-z\\t\\u00A0-\\u036F\\u2000-\\u200F().,\"@#_«»]{0,30}"
        ) {
            proptest::prop_assert_eq!(needs_repair(&line), needs_repair_by_chars(&line));
        }

        #[test]
        fn two_spaces_found_as_the_plain_search_does(
            line in "[ a\\u0627]{0,40}",
            from in 0usize..40,
        ) {
            let from = from.min(line.len());
            let plain = line.as_bytes()[from..].windows(2).position(|w| w == b"  ").map(|k| from + k);
            proptest::prop_assert_eq!(find_two_spaces(line.as_bytes(), from), plain);
        }

        #[test]
        fn the_word_skip_stops_where_it_must(
            line in "[\\u0600-\\u06FF a-z\\t\\u00A0-\\u036F\\u2000-\\u200F\\u{1F44D}]{0,30}",
            from in 0usize..60,
        ) {
            let bytes = line.as_bytes();
            let from = from.min(bytes.len());
            // What the careful loop must see, and what it may see at no cost.
            let must = |k: usize| !INERT_IN_WORD[bytes[k] as usize];
            let may = |k: usize| must(k) || !INERT_IN_WORD[bytes[k] as usize] || (0xC2..=0xCB).contains(&bytes[k]);
            let skipped = skip_inert(bytes, from);
            proptest::prop_assert!((from..skipped).all(|k| !must(k)), "{:?} skips past a byte that matters", line);
            proptest::prop_assert!(skipped == bytes.len() || may(skipped), "{:?} stops at {}", line, skipped);
        }

        #[test]
        fn repair_check_agrees_on_any_text(line in "\\PC{0,30}") {
            proptest::prop_assert_eq!(needs_repair(&line), needs_repair_by_chars(&line));
        }
    }

    #[test]
    fn strips_controls_and_tatweel() {
        assert_eq!(
            repair("\u{FEFF}\u{200F}الدبلوماسـية\u{200C}"),
            "الدبلوماسية"
        );
        assert_eq!(repair("تحقيـق أهـداف"), "تحقيق أهداف");
    }

    #[test]
    fn a_word_of_tatweel_and_marks_goes_with_its_space() {
        // Its marks used to stay, floating on no letter (`الرياض َ واس`), and a second
        // repair then dropped them.
        for (text, repaired) in [
            ("الرياض ـَ واس", "الرياض واس"),
            ("جاء ـٌ اليوم", "جاء اليوم"),
            ("الرياض ـ واس", "الرياض واس"),
        ] {
            assert_eq!(repair(text), repaired, "{text}");
            assert_eq!(repair(&repair(text)), repaired, "{text}");
        }
        // A letter with marks after a tatweel is a word.
        assert_eq!(repair("ـبَ"), "بَ");
    }

    #[test]
    fn a_phrase_ligature_in_a_hashtag_keeps_the_tag_whole() {
        assert_eq!(
            repair("#محمد_\u{FDFA} اليوم"),
            "#محمد_صلى_الله_عليه_وسلم اليوم"
        );
        assert_eq!(repair("محمد \u{FDFA}"), "محمد صلى الله عليه وسلم");
        // Glued to letters, it is set apart from them.
        assert_eq!(
            repair("مارأيته\u{FDFA}يتحرى"),
            "مارأيته صلى الله عليه وسلم يتحرى"
        );
        assert_eq!(repair("30\u{FDFC}اول"), "30 ريال اول");
    }

    /// A tag of many phrase ligatures is read once: each ﷺ used to search back through the
    /// whole tag written so far (no whitespace is written inside it), minutes for this line.
    #[test]
    fn a_long_tag_of_phrase_ligatures_is_read_once() {
        let line = format!("#{}", "\u{FDFA}".repeat(200_000));
        let phrase = "صلى_الله_عليه_وسلم";
        assert_eq!(repair(&line), format!("#{}", phrase.repeat(200_000)));
        // After the tag, outside it again.
        assert_eq!(
            repair("#\u{FDFA}\u{FDFA} \u{FDFA}"),
            format!("#{phrase}{phrase} صلى الله عليه وسلم")
        );
    }

    #[test]
    fn maps_presentation_forms_and_lam_alef() {
        assert_eq!(repair("\u{FEDF}\u{FEFC}\u{FEE3}"), "للام");
        assert_eq!(repair("\u{FE8D}\u{FEDF}\u{FEB4}\u{FEFC}\u{FEE1}"), "السلام");
        assert_eq!(repair("١٠٠ \u{FDFC}"), "١٠٠ ريال");
    }

    #[test]
    fn rejoins_split_words() {
        assert_eq!(repair("فاعـ لا مهمـا"), "فاعلا مهما");
        assert_eq!(repair("التفـاوض وجه  ـا لوجـه"), "التفاوض وجها لوجه");
        assert_eq!(repair("مـن خـلا   ل الإنترنـت"), "من خلال الإنترنت");
        assert_eq!(repair("المجتمع ا  لمدني"), "المجتمع المدني");
        assert_eq!(repair("لقــد بــ   ات ضروريــا"), "لقد بات ضروريا");
        assert_eq!(repair("ً  دائمـا"), "دائما");
        assert_eq!(repair("مشتركة و الحكومات"), "مشتركة و الحكومات");
    }

    #[test]
    fn words_apart_by_punctuation_or_colloquial_ala_stay_apart() {
        assert_eq!(repair("ا ف ب:  مصرع"), "ا ف ب: مصرع");
        assert_eq!(repair("ل  #اليسا"), "ل #اليسا");
        // A zero-width space or a direction control between words was their space.
        assert_eq!(repair("#قانون_جاستا\u{2069}محمد"), "#قانون_جاستا محمد");
        assert_eq!(repair("للعهد\u{200B}عقدت"), "للعهد عقدت");
        assert_eq!(repair("\u{2067}#وسم\u{2069} كلمة"), "#وسم كلمة");
        assert_eq!(repair("(\u{200F}5)"), "(5)");
        // Joining ones are dropped inside the word.
        assert_eq!(repair("وزا\u{00AD}رة"), "وزارة");
        assert_eq!(repair("سلام ع  عيشتكم"), "سلام ع عيشتكم");
        assert_eq!(repair("بخطر  ع بالك"), "بخطر ع بالك");
        assert_eq!(repair("سلام  ع  عيشتكم"), "سلام ع عيشتكم");
        assert_eq!(repair("مساء الخير  لـ العواصف"), "مساء الخير ل العواصف");
        assert_eq!(repair("يقول  ل #اليسا"), "يقول ل #اليسا");
        assert_eq!(repair("ا  ف  ب -"), "ا ف ب -");
        // A word stretched at its start in a post is whole; one split in two still joins.
        assert_eq!(repair("عن ـجامعة #وسم"), "عن جامعة #وسم");
        assert_eq!(repair("فولـ ـو #وسم"), "فولو #وسم");
        assert_eq!(repair("مِـجَ ـلَة #وسم"), "مِجَلَة #وسم");
        // A stretched pronoun is emphasis, not a lost letter.
        assert_eq!(repair("كيفكـ يا عمري"), "كيفك يا عمري");
        assert_eq!(repair("مشتاقين كثير ليكـ"), "مشتاقين كثير ليك");
        assert_eq!(repair("حلوهـ"), "حلوه");
        // A word stretched at its end in a post is whole; a stretched prefix joins.
        assert_eq!(repair("احبكـ يا"), "احبك يا");
        assert_eq!(repair("بـ أن"), "بأن");
        assert_eq!(repair("مثـ لا"), "مثلا");
        // A split word still joins, whatever punctuation is around it.
        assert_eq!(repair("(خلا   ل)."), "(خلال).");
        assert_eq!(repair("«وجه  ـا»"), "«وجها»");
    }

    /// A letter and a full stop before a word is an abbreviation (`د.` for Dr.), a word of its
    /// own: after a double space it was glued to the word before (`قال  د. أحمد` became
    /// `قالد. أحمد`), as a letter split from that word is. At the end of the line it is still
    /// such a letter, before the sentence's full stop.
    #[test]
    fn an_abbreviation_after_a_wide_gap_stays_a_word() {
        for (line, repaired) in [
            ("قال  د. أحمد", "قال د. أحمد"),
            ("قال   د. أحمد", "قال د. أحمد"),
            ("قال د. أحمد", "قال د. أحمد"),
            ("قالـ  د. أحمد", "قال د. أحمد"),
            ("قال  دـ. أحمد", "قال د. أحمد"),
            ("المهندسـة  م. سارة", "المهندسة م. سارة"),
            ("لـ  د. أحمد", "ل د. أحمد"),
            ("بـ د. أحمد", "ب د. أحمد"),
            ("حاضر  أ. د. محمد", "حاضر أ. د. محمد"),
            ("قال  د.أحمد", "قال د.أحمد"),
            // A fragment starting with tatweel is a split word's end, whatever follows it.
            ("قال  ـد. أحمد", "قالد. أحمد"),
            ("مـن خـلا   ل.", "من خلال."),
        ] {
            assert_eq!(repair(line), repaired, "{line}");
        }
    }

    #[test]
    fn moves_final_letters_back() {
        assert_eq!(repair("دبلومـاسية كوكذلـــ"), "دبلوماسية وكذلك");
        assert_eq!(
            repair(".الهدف كالقوة الناعمة من أجل ذلـ"),
            ".الهدف القوة الناعمة من أجل ذلك"
        );
        assert_eq!(
            repair("حالعالمـي لصالــ إلـى معالجـة كوتهـدف الدبلوماسـية بذلــ"),
            "العالمي لصالح إلى معالجة وتهدف الدبلوماسية بذلك"
        );
        assert_eq!(repair("كان كبيرا"), "كان كبيرا");
        // Punctuation after the word that lost its letter stays after it.
        assert_eq!(repair("كوكذلـــ،"), "وكذلك،");
        // A word ending in ذل lost ك: a whole word beginning with ح nearer to it keeps its
        // letter, and the ك comes from the word that begins with one.
        assert_eq!(
            repair(".الأنظمة كحرية الإنترنت، وتعزيز حرية الكلام وكذلـ"),
            ".الأنظمة حرية الإنترنت، وتعزيز حرية الكلام وكذلك"
        );
        // Only a word before it gave the letter away.
        assert_eq!(repair("مصطلـــ) حالمن"), "مصطل) حالمن");
        // ى starts no word: one in front of a word ending in tatweel is its last letter.
        assert_eq!(
            repair("ىتســمـ بالطرق الأخرى تجعلها أداة جذابة للعديد من السفارات"),
            "تسمى بالطرق الأخرى تجعلها أداة جذابة للعديد من السفارات"
        );
        // Without tatweel the word is whole, whatever its first letter.
        assert_eq!(repair("حالة ذلك،"), "حالة ذلك،");
        // Before punctuation the lost letter is not looked for in the words before.
        assert_eq!(
            repair("شكل جديد وبناء على ذلـــ،"),
            "شكل جديد وبناء على ذل،"
        );
        assert_eq!(
            repair("قنوات كالمحاضرات، بالإضافة إلى ذلــ،"),
            "قنوات كالمحاضرات، بالإضافة إلى ذل،"
        );
        assert_eq!(repair("جوجل مثـ لا،"), "جوجل مثلا،");
        // In a post, a word stretched at its end is emphasis.
        assert_eq!(
            repair("قالها جستن بيبر 😪احبكـ يا نظر عيني"),
            "قالها جستن بيبر 😪احبك يا نظر عيني"
        );
    }

    #[test]
    fn restores_visual_order() {
        let logical = "زارت الوزيرة المدرسة الثانوية في عام 2024 مع ABC";
        let visual: String = "ABC عم 2024 ماع يف ةيوناثلا ةسردملا ةريزولا تراز".into();
        assert_eq!(repair(&visual), logical);
        assert_eq!(repair(logical), logical);
        assert_eq!(repair("(ةملك) ةيسامولبدلا"), "الدبلوماسية (كلمة)");
    }

    #[test]
    fn logical_lines_of_words_ending_in_la_stay_as_they_are() {
        // Accusatives and greetings end in لا in logical order; with no word starting
        // with ة or ى nothing says the line is reversed.
        for line in [
            "كان يوما جميلا فعلا",
            "نريد حلا عاجلا وشاملا",
            "أولا، مثلا",
            "@AbdulAzizALQa11 اهلا وسهلا آيفون 7",
        ] {
            assert_eq!(repair(line), line, "{line}");
            assert!(!needs_repair(line), "{line}");
        }
        // A reversed line still has its feminine endings at the front.
        assert_eq!(repair("ةديدج ةلحرم الهأ"), "أهلا مرحلة جديدة");
    }

    #[test]
    fn one_word_starting_with_ta_marbuta_does_not_turn_a_line_around() {
        // A typo or an Arabic path in a link is one sign; a reversed line has more.
        for line in [
            "ةاليوم جميل جدا",
            "شوفوا الرابط mofa.gov.sa/ةخدمات هنا",
            "ىنا رايح بكره",
        ] {
            assert_eq!(repair(line), line, "{line}");
        }
        // A reversed heading of one word shows both of its ends.
        assert_eq!(repair("ةمدقملا"), "المقدمة");
        assert_eq!(repair("ةيجراخلا ةرازو"), "وزارة الخارجية");
    }

    #[test]
    fn a_prefix_written_apart_keeps_its_letters() {
        // `بـ` and `لـ` are prefixes of social text written apart with tatweel, not words
        // that lost their last letter to a word before them.
        assert_eq!(repair("جميل جدا بـ الرياض"), "جميل جدا ب الرياض");
        assert_eq!(
            repair("كتاب رائع جداً لـ @author"),
            "كتاب رائع جداً ل @author"
        );
        // A word of two letters or more that ends in tatweel still takes back its letter.
        assert_eq!(repair("حالعالمـي لصالــ"), "العالمي لصالح");
        assert_eq!(repair("خد كوعلاوة علـى ذلـ"), "خد وعلاوة على ذلك");
    }

    /// Plain text stretched only at a word's end, for emphasis, keeps its letters where they
    /// are: only a line that shows extraction's other damage gives a letter back, or a word
    /// alone on its line long enough not to be a whole word of four letters.
    #[test]
    fn a_word_stretched_at_its_end_in_plain_text_stays_whole() {
        for line in [
            "جميلـ جدا",
            "حبيبـ قلبي",
            "كبيرـ جدا",
            "يا جماعة كلامكم حلوـ",
        ] {
            assert_eq!(repair(line), line.replace('ـ', ""), "{line}");
        }
        assert_eq!(repair("حبيبـ"), "حبيب");
        assert_eq!(repair("حمصطلـ"), "مصطلح");
        // The same words on a line stretched inside, as extraction leaves it, move.
        assert_eq!(repair("حمصطلـ الدبلوماسـية"), "مصطلح الدبلوماسية");
        // ى begins no word: it moves back wherever it is.
        assert_eq!(repair("ىتسمـ كذلك"), "تسمى كذلك");
    }

    /// What is displayed left to right inside a visual line comes back as it was read:
    /// addresses, links, handles, percentages, several Latin words, and emoji whole.
    #[test]
    fn visual_order_keeps_left_to_right_runs_and_emoji_whole() {
        for (visual, logical) in [
            (
                "ةرازولا ديرب info@mofa.gov.sa",
                "info@mofa.gov.sa بريد الوزارة",
            ),
            (
                "ةرازولا عقوم https://mofa.gov.sa/ar/page_1",
                "https://mofa.gov.sa/ar/page_1 موقع الوزارة",
            ),
            (
                "ةرازولا باسح @Safir_Ministry",
                "@Safir_Ministry حساب الوزارة",
            ),
            ("ةسردملا ةبسن 50%", "50% نسبة المدرسة"),
            (
                "ةرازولا Ministry of Foreign Affairs",
                "Ministry of Foreign Affairs الوزارة",
            ),
            ("ةرازولا 🇸🇦 ماع", "عام 🇸🇦 الوزارة"),
            ("ةسردملا 👍🏽 ماع", "عام 👍🏽 المدرسة"),
            ("ةسردملا 1️⃣ ماع", "عام 1️⃣ المدرسة"),
            (
                "ةسردملا 👨\u{200D}👩\u{200D}👧 ماع",
                "عام 👨\u{200D}👩\u{200D}👧 المدرسة",
            ),
            ("ةسردملا 😀👍🏽 ماع", "عام 👍🏽😀 المدرسة"),
        ] {
            assert_eq!(repair(visual), logical, "{visual}");
        }
    }

    #[test]
    fn keeps_line_structure_and_offsets() {
        let text = "سـلام\r\n\nمرحبـا  بكم\n";
        let r = repair_with_offsets(text);
        assert_eq!(r.text, "سلام\r\n\nمرحبا بكم\n");
        assert_eq!(r.text.lines().count(), text.lines().count());
        let at = r.text.find("بكم").unwrap_or_default();
        let (s, e) = r.original_span(at, at + "بكم".len());
        assert_eq!(&text[s..e], "بكم");
    }

    #[test]
    fn edge_inputs() {
        assert_eq!(repair(""), "");
        assert_eq!(repair("\u{064E}"), "");
        assert_eq!(repair("ـ"), "");
        assert_eq!(repair("\n\n"), "\n\n");
        let long = "كلمـة ".repeat(200_000);
        assert!(!repair(&long).contains(TATWEEL));
    }

    #[test]
    fn needs_repair_spots_damage() {
        assert!(!needs_repair("plain text"));
        assert!(!needs_repair("الدبلوماسية الرقمية"));
        assert!(needs_repair("الدبلوماسـية"));
        assert!(needs_repair("ةيسامولبدلا ةيمقرلا"));
        assert!(needs_repair("مـن خلا   ل الإنترنت"));
        assert!(needs_repair("المجتمع ا  لمدني"));
        assert!(!needs_repair("كلمة  كلمة و  كلمة"));
    }
}
