//! Character classes shared by repair, normalization and tokenization.

use unicode_normalization::char::is_combining_mark;

pub const TATWEEL: char = '\u{0640}';
pub const ZWNJ: char = '\u{200C}';
pub const ZWJ: char = '\u{200D}';

/// Invisible format characters that extraction and copy-paste leave behind:
/// BOM, zero-width space, ZWNJ/ZWJ, LRM/RLM, the bidi embeddings and isolates,
/// the Arabic letter mark and the soft hyphen.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{FEFF}'
            | '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2060}'
    )
}

/// The invisible characters that join what is around them (the soft hyphen of a word
/// processor, the word joiner, the zero-width no-break space): inside a word they continue it,
/// as normalization drops them (`Minis\u{AD}try` is one word, found by `ministry`). The
/// zero-width space and the bidi controls stay between words: posts put them there
/// (`للعهد\u{200B}عقدت`, `#قانون_جاستا\u{2069}محمد`).
pub fn is_joining_format(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{2060}' | '\u{FEFF}')
}

/// The invisible characters that stand between words when they stand between letters (the
/// zero-width space, the marks and controls of direction): what is neither joining (above)
/// nor the (non-)joiner inside a word.
pub fn separates_words(c: char) -> bool {
    is_invisible_format(c) && !is_joining_format(c) && c != ZWNJ && c != ZWJ
}

/// Where a text read forward stands for the hashtag test of repair and normalization: in a
/// tag when, since the last whitespace (or the start), it holds `#` and then only characters
/// that continue a tag. Read character by character as the text grows, the test costs
/// nothing per character asked about, where searching back for the last whitespace each time
/// read a long tag again and again (`#` and many ﷺ, which expand inside the tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashtagState {
    AfterSpace,
    InTag,
    Other,
}

impl HashtagState {
    /// The state after `c`; `continues_tag` says whether `c` may stand in a tag's body.
    pub fn next(self, c: char, continues_tag: impl Fn(char) -> bool) -> Self {
        match self {
            _ if c.is_whitespace() => Self::AfterSpace,
            Self::AfterSpace if c == '#' => Self::InTag,
            Self::InTag if continues_tag(c) => Self::InTag,
            _ => Self::Other,
        }
    }
}

/// Arabic diacritics removed by normalization: harakat and tanween, shadda,
/// sukun, the extended marks up to U+065F, dagger alef and the Quranic
/// annotation marks.
pub const fn is_arabic_diacritic(c: char) -> bool {
    matches!(
        c,
        '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'..='\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
    )
}

/// Letters of the Arabic script (base block, supplement, extended-A), without
/// digits, punctuation and marks. Repair asks it of every character several
/// times: the Arabic block, where nearly all the letters it is asked about
/// are, answers from a bitmap of [`in_arabic_letter_ranges`], and what lies
/// below it without a test of the ranges.
pub const fn is_arabic_letter(c: char) -> bool {
    const BLOCK: [u64; 4] = {
        let mut bits = [0u64; 4];
        let mut k = 0;
        while k < 256 {
            if let Some(c) = char::from_u32(0x0600 + k)
                && in_arabic_letter_ranges(c)
            {
                bits[(k / 64) as usize] |= 1 << (k % 64);
            }
            k += 1;
        }
        bits
    };
    match c as u32 {
        ..0x0600 => false,
        cp @ 0x0600..=0x06FF => {
            let k = cp - 0x0600;
            BLOCK[(k / 64) as usize] & (1 << (k % 64)) != 0
        }
        _ => in_arabic_letter_ranges(c),
    }
}

/// [`is_arabic_letter`], range by range.
const fn in_arabic_letter_ranges(c: char) -> bool {
    matches!(
        c,
        '\u{0620}'..='\u{063F}'
            | '\u{0641}'..='\u{064A}'
            | '\u{066E}'..='\u{066F}'
            | '\u{0671}'..='\u{06D3}'
            | '\u{06D5}'
            | '\u{06E5}'..='\u{06E6}'
            | '\u{06EE}'..='\u{06EF}'
            | '\u{06FA}'..='\u{06FC}'
            | '\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{08A0}'..='\u{08C9}'
    )
}

/// `char::is_alphabetic` and `is_combining_mark` are table searches; text
/// here is mostly ASCII and Arabic, so those two answer from a range check.
#[inline]
pub fn is_mark(c: char) -> bool {
    match c {
        '\0'..='\u{02FF}' => false,
        '\u{0600}'..='\u{06FF}' => is_arabic_diacritic(c),
        _ => is_combining_mark(c),
    }
}

/// `char::is_alphabetic`, answered from a table for ASCII and the Arabic
/// block (letters and the marks Unicode counts as alphabetic).
pub fn is_alphabetic(c: char) -> bool {
    static ARABIC_BLOCK: std::sync::LazyLock<[u64; 4]> = std::sync::LazyLock::new(|| {
        let mut bits = [0u64; 4];
        for k in 0..256u32 {
            if char::from_u32(0x0600 + k).is_some_and(char::is_alphabetic) {
                bits[(k / 64) as usize] |= 1 << (k % 64);
            }
        }
        bits
    });
    match c {
        '\0'..='\u{7F}' => c.is_ascii_alphabetic(),
        '\u{0600}'..='\u{06FF}' => {
            let k = c as u32 - 0x0600;
            ARABIC_BLOCK[(k / 64) as usize] & (1 << (k % 64)) != 0
        }
        _ => c.is_alphabetic(),
    }
}

/// Letters of any script (marks excluded), fast for ASCII and Arabic.
pub fn is_letter(c: char) -> bool {
    match c {
        '\0'..='\u{7F}' => c.is_ascii_alphabetic(),
        '\u{0600}'..='\u{06FF}' => is_arabic_letter(c) || c == TATWEEL,
        _ => c.is_alphabetic() && !is_combining_mark(c),
    }
}

/// Letters, marks and digits of any script, fast for ASCII and Arabic.
pub fn is_letter_mark_or_digit(c: char) -> bool {
    match c {
        '\0'..='\u{7F}' => c.is_ascii_alphanumeric(),
        '\u{0600}'..='\u{06FF}' => is_arabic_letter(c) || c == TATWEEL || is_mark(c) || is_digit(c),
        _ => c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// Arabic presentation forms (A and B): contextual glyphs and ligatures that
/// PDF extraction emits instead of letters.
pub fn is_presentation_form(c: char) -> bool {
    matches!(c, '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Arabic-Indic (U+0660…) and Eastern Arabic-Indic (U+06F0…) digit values.
pub const fn arabic_digit_value(c: char) -> Option<u8> {
    match c {
        '\u{0660}'..='\u{0669}' => Some(c as u8 - 0x60),
        '\u{06F0}'..='\u{06F9}' => Some((c as u32 - 0x06F0) as u8),
        _ => None,
    }
}

pub fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || arabic_digit_value(c).is_some()
}

/// Emoji and pictographs (the Extended_Pictographic ranges that matter in
/// posts), regional indicators excluded. Repair asks it of every character
/// of a damaged line: ASCII and the letters up to U+203B, none of them a
/// pictograph, are answered without a test of the ranges.
#[inline]
pub fn is_pictographic(c: char) -> bool {
    !matches!(c, '\0'..='\u{00A8}' | '\u{00AF}'..='\u{203B}') && in_pictographic_ranges(c)
}

/// [`is_pictographic`], range by range.
fn in_pictographic_ranges(c: char) -> bool {
    matches!(
        c,
        '\u{00A9}'
            | '\u{00AE}'
            | '\u{203C}'
            | '\u{2049}'
            | '\u{2122}'
            | '\u{2139}'
            | '\u{2194}'..='\u{2199}'
            | '\u{21A9}'..='\u{21AA}'
            | '\u{231A}'..='\u{231B}'
            | '\u{2328}'
            | '\u{23CF}'
            | '\u{23E9}'..='\u{23F3}'
            | '\u{23F8}'..='\u{23FA}'
            | '\u{24C2}'
            | '\u{25AA}'..='\u{25AB}'
            | '\u{25B6}'
            | '\u{25C0}'
            | '\u{25FB}'..='\u{25FE}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2934}'..='\u{2935}'
            | '\u{2B05}'..='\u{2B07}'
            | '\u{2B1B}'..='\u{2B1C}'
            | '\u{2B50}'
            | '\u{2B55}'
            | '\u{3030}'
            | '\u{303D}'
            | '\u{3297}'
            | '\u{3299}'
            | '\u{1F000}'..='\u{1F1E5}'
            | '\u{1F200}'..='\u{1F3FA}'
            | '\u{1F400}'..='\u{1FAFF}'
    )
}

pub fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Characters that continue an emoji sequence: variation selectors, skin
/// tones, the keycap mark and tag characters (subdivision flags).
pub fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c,
        '\u{FE0E}' | '\u{FE0F}' | '\u{20E3}' | '\u{1F3FB}'..='\u{1F3FF}' | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortcuts_agree_with_the_ranges() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let cp = c as u32;
            assert_eq!(
                is_arabic_letter(c),
                in_arabic_letter_ranges(c),
                "U+{cp:04X}"
            );
            assert_eq!(is_pictographic(c), in_pictographic_ranges(c), "U+{cp:04X}");
        }
    }

    #[test]
    fn fast_classes_agree_with_unicode() {
        for cp in 0..0x2000u32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            assert_eq!(is_mark(c), is_combining_mark(c), "mark U+{cp:04X}");
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "alphabetic U+{cp:04X}");
            assert_eq!(
                is_letter(c),
                c.is_alphabetic() && !is_combining_mark(c),
                "letter U+{cp:04X}"
            );
            let word_like = c.is_alphanumeric() || is_combining_mark(c);
            assert_eq!(is_letter_mark_or_digit(c), word_like, "alnum U+{cp:04X}");
        }
    }
}
