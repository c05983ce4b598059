//! Tokenization of posts and documents: URLs, e-mail addresses, @mentions,
//! #hashtags (whole, then their parts split on `_`), emoji, numbers, words
//! and punctuation. Every token is a byte range of the text it was cut from.

use crate::script::{
    TATWEEL, ZWJ, ZWNJ, arabic_digit_value, is_arabic_diacritic, is_arabic_letter, is_digit,
    is_emoji_modifier, is_joining_format, is_letter, is_letter_mark_or_digit,
    is_mark as is_combining_mark, is_pictographic, is_presentation_form, is_regional_indicator,
    separates_words,
};
use crate::swar::{HIGH, repeat, u32_at, u64_at};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    Word,
    Number,
    Url,
    Email,
    Mention,
    /// The whole hashtag, `#` included.
    Hashtag,
    /// A part of a hashtag's body, split on `_`; always follows its hashtag.
    HashtagPart,
    Emoji,
    /// One punctuation or symbol character (Arabic ، ؛ ؟ ٪ ٫ ٬ included).
    Punct,
}

/// A token: its kind and its byte range `start..end` in the tokenized text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }
}

pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    tokenize_into(text, &mut tokens);
    tokens
}

/// Appends the tokens of `text` to `tokens`.
pub fn tokenize_into(text: &str, tokens: &mut Vec<Token>) {
    let mut at = 0;
    while at < text.len() {
        at = tokenize_line(text, at, |t| tokens.push(t)).end;
    }
}

/// What [`tokenize_line`] found besides the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    /// Where the line ends: after its `\n`, or the end of the text.
    pub end: usize,
    /// Whether [`crate::repair::needs_repair`] may hold for the line. When
    /// false it does not, so the analyzer skips that check, a second pass
    /// over the line; when true the check decides.
    pub may_need_repair: bool,
}

/// Hands the tokens of `text[from..]` up to its first `\n` (included) to
/// `push` as it finds them, with offsets into `text`: the analyzer starts
/// fetching what its memo holds for a word while the rest of the line is
/// tokenized. No token crosses a line (they all
/// stop at whitespace), so the lines' tokens are the text's.
///
/// On the way it notes what could make the line need repair, which a scan
/// of every character sees anyway: two spaces in a row, a tatweel or a
/// presentation form anywhere, and a token that starts with a mark, ة or ى
/// (every character [`crate::repair::needs_repair`] finds after a space, a
/// tab or the start of the line starts a token). A test checks that no line
/// the check takes goes unnoted.
pub(crate) fn tokenize_line(text: &str, from: usize, push: impl FnMut(Token)) -> Line {
    tokenize_with::<true>(text, from, push)
}

/// Bytes that may follow the first word of an e-mail address's local part
/// (its other characters, and the `@`).
fn may_continue_local_part(b: Option<&u8>) -> bool {
    matches!(b, Some(b'.' | b'_' | b'%' | b'+' | b'-' | b'@'))
}

/// Whether `token` holds a tatweel or a presentation form, which the repair
/// check looks for everywhere. Tatweel is D9 80 and every presentation form
/// (U+FB50–U+FDFF, U+FE70–U+FEFF) starts with EF: a token with neither
/// byte, as most tokens that reach this (punctuation, emoji, URLs, Latin
/// numbers) are, holds neither, and its characters are not decoded.
fn has_repair_sign(token: &str) -> bool {
    token.bytes().any(|b| b == 0xD9 || b == 0xEF)
        && token
            .chars()
            .any(|c| c == TATWEEL || is_presentation_form(c))
}

/// [`tokenize_line`]; `WORDS_FIRST` takes the shortcut for words, which a
/// test checks against the full chain of tests.
fn tokenize_with<const WORDS_FIRST: bool>(
    text: &str,
    from: usize,
    mut push: impl FnMut(Token),
) -> Line {
    let bytes = text.as_bytes();
    let mut may_need_repair = false;
    // No e-mail address starts before this offset: the run of local-part characters around
    // it was read to its end without finding one. Every word of a long run such as
    // `a-b-c-…` would otherwise read the rest of the run again, time quadratic in its length.
    let mut no_email_until = 0;
    // Where the last link, mention or hashtag ended: a hashtag may follow any of them
    // without a space (`https://t.co/x#السفارة`, the link stopping before it, see `url_len`;
    // `@name#وسم`, a handle ending at `#`; and tags glued together, `#السعودية#الرياض`).
    let mut link_end = usize::MAX;
    let mut i = from;
    while i < text.len() {
        let (c, class) = char_at(text, i);
        if class.has(Class::SPACE) {
            i += c.len_utf8();
            match c {
                '\n' => {
                    return Line {
                        end: i,
                        may_need_repair,
                    };
                }
                ' ' => may_need_repair |= bytes.get(i) == Some(&b' '),
                _ => {}
            }
            continue;
        }
        // Most tokens are words. A letter starts one unless it starts a
        // URL's scheme: every other branch below wants a character that is
        // not a letter, but for an e-mail address, whose local part starts
        // with an ASCII word that one of `._%+-@` follows (the full chain
        // decides those).
        if WORDS_FIRST && class.has(Class::START) && url_scheme(&text[i..]).is_none() {
            let (len, sign) = word_scan(&text[i..], false);
            if !(c.is_ascii() && i >= no_email_until && may_continue_local_part(bytes.get(i + len)))
            {
                may_need_repair |= sign || matches!(c, 'ة' | 'ى');
                push(Token {
                    kind: TokenKind::Word,
                    start: i,
                    end: i + len,
                });
                i += len;
                continue;
            }
        }
        // A token starting with a mark (or tatweel), ة or ى.
        may_need_repair |= class.has(Class::KEEPS_PREV) || matches!(c, 'ة' | 'ى');
        // Punctuation of ASCII or the Arabic block (`.` `,` `!` `)` `،` `؟`) with an ASCII
        // character or nothing after it: one punctuation token of that character, which is
        // what the tests below come to after all of them (no link, mention, tag, keycap,
        // number, word or emoji starts with it, and no mark or joiner follows to ride
        // along), without running them. Every such character has no class bit; other
        // characters without one (emoji, © ®) are outside these two blocks.
        if WORDS_FIRST
            && class == Class::NONE
            && (c.is_ascii() || ('\u{0600}'..='\u{06FF}').contains(&c))
            && !matches!(c, '@' | '#' | '*')
            && bytes.get(i + c.len_utf8()).is_none_or(u8::is_ascii)
        {
            push(Token {
                kind: TokenKind::Punct,
                start: i,
                end: i + c.len_utf8(),
            });
            i += c.len_utf8();
            continue;
        }
        let rest = &text[i..];
        let prev_is_word = || text[..i].chars().next_back().is_some_and(is_word_char);
        let link_may_start = || link_may_start_after(&text[..i]);
        // The scheme and the character before it first: `url_len` reads to the end of the
        // link, and in `_http://_http://…` (no space) each `http` would read the rest of the
        // line for a link that may not start there.
        let link = if url_scheme(rest).is_some() && link_may_start() {
            url_len(rest)
        } else {
            None
        };
        let (kind, len) = if let Some(len) = link {
            (TokenKind::Url, len)
        } else if c == '@' && !prev_is_word() {
            match mention_len(rest) {
                Some(len) => (TokenKind::Mention, len),
                None => (TokenKind::Punct, 1),
            }
        } else if c == '#' && (!prev_is_word() || i == link_end) && !is_keycap_start(rest) {
            match word_len(&rest[1..], true) {
                0 => (TokenKind::Punct, 1),
                body => {
                    push(Token {
                        kind: TokenKind::Hashtag,
                        start: i,
                        end: i + 1 + body,
                    });
                    push_hashtag_parts(&text[i + 1..i + 1 + body], i + 1, &mut push);
                    may_need_repair |= has_repair_sign(&rest[..1 + body]);
                    i += 1 + body;
                    link_end = i;
                    continue;
                }
            }
        } else if is_keycap_start(rest) {
            (TokenKind::Emoji, emoji_len(rest))
        } else if class.has(Class::DIGIT) {
            number_or_word(rest)
        } else if class.has(Class::START) {
            // `email_len` wants an `@` after the local part.
            let email = if i < no_email_until {
                None
            } else {
                let (email, local) = email_len(rest);
                if email.is_none() {
                    no_email_until = i + local;
                }
                email
            };
            match email {
                Some(len) => (TokenKind::Email, len),
                None => (TokenKind::Word, word_len(rest, false)),
            }
        } else if is_pictographic(c) || is_regional_indicator(c) {
            (TokenKind::Emoji, emoji_len(rest))
        } else {
            // Stray marks and joiners ride along with the punctuation they follow.
            let mut len = c.len_utf8();
            for n in rest[len..].chars() {
                if !(is_combining_mark(n) || is_emoji_modifier(n) || n == ZWJ || n == ZWNJ) {
                    break;
                }
                len += n.len_utf8();
            }
            (TokenKind::Punct, len)
        };
        may_need_repair |= has_repair_sign(&rest[..len]);
        push(Token {
            kind,
            start: i,
            end: i + len,
        });
        i += len;
        if matches!(kind, TokenKind::Url | TokenKind::Mention) {
            link_end = i;
        }
    }
    Line {
        end: i,
        may_need_repair,
    }
}

fn is_word_start(c: char) -> bool {
    is_letter(c) && c != TATWEEL
}

/// Characters that may continue a word: letters, digits, marks, tatweel and
/// the joiners.
/// Whether a link may start right after `before`: at its start, after a character that is
/// not part of a word, or after an Arabic word without a space (the word stops before it, see
/// `word_scan`), but not after a Latin word or a number (`foohttp://` is one word).
pub(crate) fn link_may_start_after(before: &str) -> bool {
    before
        .chars()
        .rev()
        .find(|&c| !(is_combining_mark(c) || c == TATWEEL))
        .is_none_or(|c| !is_word_char(c) || is_arabic_letter(c))
}

fn is_word_char(c: char) -> bool {
    is_letter_mark_or_digit(c) || c == '_' || c == ZWNJ || c == ZWJ
}

/// Length of a word: letters with their marks; digits join Latin letters
/// (mp3, covid19) but not Arabic ones (1965والذي is a number and a word);
/// an apostrophe between Latin letters stays (don't, l'état). In hashtags
/// the underscore belongs to the word.
fn word_len(s: &str, hashtag: bool) -> usize {
    word_scan(s, hashtag).0
}

/// [`word_len`], and whether the word holds a tatweel or a presentation
/// form (see [`Line::may_need_repair`]).
#[inline(always)]
fn word_scan(s: &str, hashtag: bool) -> (usize, bool) {
    let bytes = s.as_bytes();
    let mut sign = false;
    let mut k = 0;
    // The class of the last character that is neither a mark nor tatweel.
    let mut prev = Class::NONE;
    while k < bytes.len() {
        // Runs of ASCII letters, and of Arabic letters and marks not after a
        // digit, pass every test below: they skip decoding.
        let b = bytes[k];
        if b.is_ascii_alphabetic() {
            // A link or an address pasted right after an Arabic word (`العالمhttps://t.co/…`,
            // `راسلوناinfo@mofa.gov.sa`, common in posts whose spaces were lost) starts a
            // token of its own.
            if prev.has(Class::ARABIC) && link_or_address_starts(&s[k..]) {
                return (k, sign);
            }
            k += 1 + ascii_letters(&bytes[k + 1..]);
            prev = LATIN_LETTER;
            continue;
        }
        if (0xD8..=0xDB).contains(&b) && !prev.has(Class::DIGIT) {
            // Four characters at a time while they are common letters and
            // diacritics, then the one that is not (or the end) as below.
            let (run, letter) = arabic_letters_and_marks(&bytes[k..]);
            k += run;
            if letter {
                prev = ARABIC_LETTER;
            }
            let Some(&b) = bytes.get(k) else { break };
            if !(0xD8..=0xDB).contains(&b) {
                continue;
            }
            let class = CLASSES[arabic_block_index(b, bytes[k + 1])];
            if class.has(Class::ARABIC | Class::KEEPS_PREV) && !class.has(Class::DIGIT) {
                k += 2;
                if class.has(Class::KEEPS_PREV) {
                    // Tatweel is D9 80; the other marks here are diacritics.
                    sign |= b == 0xD9 && bytes[k - 1] == 0x80;
                } else {
                    prev = class;
                }
                continue;
            }
        }
        let (c, class) = char_at(s, k);
        let ok = match c {
            '_' => hashtag,
            '\'' | '’' => {
                let next = bytes
                    .get(k + c.len_utf8())
                    .map(|_| char_at(s, k + c.len_utf8()).1);
                prev.has(Class::LATIN) && next.is_some_and(|n| n.has(Class::LATIN))
            }
            _ if class.has(Class::DIGIT) => !prev.has(Class::ARABIC) || hashtag,
            _ if class.has(Class::ARABIC) => !prev.has(Class::DIGIT) || hashtag,
            _ => class.has(Class::WORD),
        };
        if !ok {
            return (k, sign);
        }
        sign |= c == TATWEEL || is_presentation_form(c);
        k += c.len_utf8();
        if !class.has(Class::KEEPS_PREV) {
            prev = class;
        }
    }
    (k, sign)
}

/// The class of every ASCII letter.
const LATIN_LETTER: Class = Class(Class::LATIN | Class::WORD | Class::START);
/// The class of every letter [`arabic_letters_and_marks`] passes.
const ARABIC_LETTER: Class = Class(Class::ARABIC | Class::WORD | Class::START);

/// How many ASCII letters `bytes` starts with, eight bytes at a time: most
/// Latin words end within the first eight.
#[inline(always)]
fn ascii_letters(bytes: &[u8]) -> usize {
    let mut k = 0;
    while let Some(chunk) = bytes.get(k..k + 8) {
        let x = u64_at(chunk, 0);
        // Lowercased, without the high bit: a letter is 61–7A and had no
        // high bit. Each sum stays within its byte.
        let low = (x | repeat(0x20)) & repeat(0x7F);
        let from_a = low + repeat(0x80 - 0x61);
        let past_z = low + repeat(0x80 - 0x7B);
        let letters = from_a & !past_z & !x & HIGH;
        if letters != HIGH {
            return k + (!letters & HIGH).trailing_zeros() as usize / 8;
        }
        k += 8;
    }
    k + bytes[k..]
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(bytes.len() - k)
}

/// How many bytes of `bytes` (which starts with a character) are U+0620–
/// U+063F and U+0641–U+065F, the common Arabic letters and the diacritics,
/// four two-byte characters at a time; and whether one of them is a letter
/// (below U+064B). A whole word of them passes [`word_scan`]'s tests, as
/// long as no digit comes before, the letters all have [`ARABIC_LETTER`]'s
/// class and the marks do not change the previous letter. Tatweel (U+0640)
/// is left to the careful loop, which notes it.
#[inline(always)]
fn arabic_letters_and_marks(bytes: &[u8]) -> (usize, bool) {
    const LANES: u64 = 0x00FF_00FF_00FF_00FF;
    let lanes = |b: u64| b * 0x0001_0001_0001_0001;
    let mut k = 0;
    let mut letter = false;
    while let Some(chunk) = bytes.get(k..k + 8) {
        // In each 16-bit lane, a lead byte and the byte after it (which is
        // a continuation byte when the lead is D8 or D9).
        let x = u64_at(chunk, 0);
        let leads = x & LANES;
        let conts = (x >> 8) & LANES;
        // The high bit of a lane's low byte set when its lead is not D8 or
        // D9 (a non-zero difference carries into bit 8).
        let other_lead = ((((leads & lanes(0xFE)) ^ lanes(0xD8)) + lanes(0xFF)) >> 1) & lanes(0x80);
        // The code point less U+0600 (0–7F), then the ranges, high bit set:
        // at least 20, at least 60, not 40 (tatweel), below 4B (a letter).
        let cp = (conts & lanes(0x3F)) | ((leads & lanes(0x01)) << 6);
        let from_20 = cp + lanes(0x80 - 0x20);
        let from_60 = cp + lanes(0x80 - 0x60);
        let not_40 = (cp ^ lanes(0x40)) + lanes(0x7F);
        let from_4b = cp + lanes(0x80 - 0x4B);
        let ok = from_20 & !from_60 & not_40 & !other_lead & lanes(0x80);
        if ok != lanes(0x80) {
            // The lanes before the first that fails.
            let run = (!ok & lanes(0x80)).trailing_zeros() as usize / 16;
            let before = (1u64 << (16 * run)) - 1;
            letter |= !from_4b & ok & before & lanes(0x80) != 0;
            return (k + 2 * run, letter);
        }
        letter |= !from_4b & lanes(0x80) != 0;
        k += 8;
    }
    (k, letter)
}

/// What [`word_len`] asks of a character, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Class(u8);

impl Class {
    const NONE: Class = Class(0);
    /// [`is_digit`].
    const DIGIT: u8 = 1;
    /// [`is_arabic_letter`].
    const ARABIC: u8 = 2;
    /// [`is_latin_letter`].
    const LATIN: u8 = 4;
    /// [`is_word_char`].
    const WORD: u8 = 8;
    /// A mark or tatweel: the letter before it stays the previous one.
    const KEEPS_PREV: u8 = 16;
    /// `char::is_whitespace`.
    const SPACE: u8 = 32;
    /// [`is_word_start`].
    const START: u8 = 64;

    fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }

    fn of(c: char) -> Class {
        let bits = [
            (is_digit(c), Self::DIGIT),
            (is_arabic_letter(c), Self::ARABIC),
            (is_latin_letter(c), Self::LATIN),
            (is_word_char(c) || is_joining_format(c), Self::WORD),
            (
                is_combining_mark(c) || c == TATWEEL || is_joining_format(c),
                Self::KEEPS_PREV,
            ),
            (c.is_whitespace(), Self::SPACE),
            (is_word_start(c), Self::START),
        ];
        Class(bits.iter().filter(|(on, _)| *on).fold(0, |a, (_, b)| a | b))
    }
}

/// [`Class::of`] for ASCII (0–127) and the Arabic block (U+0600–U+06FF,
/// 128–383), where nearly all characters of the text are; a test checks the
/// two agree.
const CLASSES: [Class; 384] = {
    let mut t = [Class::NONE; 384];
    let mut k = 0;
    while k < 384 {
        let bits = if k < 128 {
            let b = k as u8;
            if b.is_ascii_digit() {
                Class::DIGIT | Class::WORD
            } else if b.is_ascii_alphabetic() {
                Class::LATIN | Class::WORD | Class::START
            } else if b == b'_' {
                Class::WORD
            } else if (b as char).is_ascii_whitespace() || b == 0x0B {
                Class::SPACE
            } else {
                0
            }
        } else {
            // In this block every letter is Arabic, and tatweel and the
            // diacritics are the only marks.
            let c = char::from_u32(0x0600 + k as u32 - 128).expect("U+0600–U+06FF");
            if arabic_digit_value(c).is_some() {
                Class::DIGIT | Class::WORD
            } else if is_arabic_letter(c) {
                Class::ARABIC | Class::WORD | Class::START
            } else if c == TATWEEL || is_arabic_diacritic(c) {
                Class::KEEPS_PREV | Class::WORD
            } else {
                0
            }
        };
        t[k] = Class(bits);
        k += 1;
    }
    t
};

/// The character at byte `k` of `s` and its class.
#[inline(always)]
fn char_at(s: &str, k: usize) -> (char, Class) {
    let bytes = s.as_bytes();
    let b = bytes[k];
    if b < 0x80 {
        return (b as char, CLASSES[b as usize]);
    }
    if (0xD8..=0xDB).contains(&b) && k + 1 < bytes.len() {
        // Two-byte sequences D8 80 … DB BF are U+0600–U+06FF.
        let cp = (((b & 0x1F) as u32) << 6) | (bytes[k + 1] & 0x3F) as u32;
        if let Some(c) = char::from_u32(cp) {
            return (c, CLASSES[arabic_block_index(b, bytes[k + 1])]);
        }
    }
    let c = s[k..].chars().next().unwrap_or('\u{FFFD}');
    (c, class_outside_table(c))
}

/// [`Class::of`] for a character outside [`CLASSES`]: emoji and flags, the
/// most frequent of these in posts, and punctuation such as … – “ ” skip
/// the Unicode table searches (a test checks every character).
fn class_outside_table(c: char) -> Class {
    match c {
        '\u{1F1E6}'..='\u{1F1FF}' | '\u{1F300}'..='\u{1FAFF}' => Class::NONE,
        // Dashes, quotes, the ellipsis and the other punctuation of the
        // General Punctuation block (neither spaces nor format characters).
        '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' => Class::NONE,
        // Variation selector 16, after most emoji: a mark.
        '\u{FE0F}' => Class(Class::WORD | Class::KEEPS_PREV),
        _ => Class::of(c),
    }
}

/// The [`CLASSES`] index of the Arabic-block character encoded `lead`
/// (D8–DB) `next`.
#[inline(always)]
fn arabic_block_index(lead: u8, next: u8) -> usize {
    128 + (((lead & 0x03) as usize) << 6 | (next & 0x3F) as usize)
}

fn is_latin_letter(c: char) -> bool {
    is_letter(c) && c != TATWEEL && !is_arabic_letter(c)
}

/// Digits with inner separators (1,000.5, ١٢٫٥). A number running into Latin
/// letters is a word (19th, 3d).
fn number_or_word(s: &str) -> (TokenKind, usize) {
    let mut len = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        if is_digit(c) {
            len = k + c.len_utf8();
        } else if matches!(c, '.' | ',' | '٫' | '٬')
            && chars.peek().is_some_and(|&(_, n)| is_digit(n))
        {
            continue;
        } else {
            break;
        }
    }
    match s[len..].chars().next() {
        Some(c) if is_latin_letter(c) => {
            let word = word_len(s, false);
            (TokenKind::Word, word.max(len))
        }
        _ => (TokenKind::Number, len),
    }
}

/// The parts of a hashtag's body between underscores. A loop over the
/// bytes: `str::split` searches for each `_` with a general character
/// search, whose set-up costs more than these few bytes.
fn push_hashtag_parts(body: &str, at: usize, push: &mut impl FnMut(Token)) {
    let mut start = at;
    for (k, &b) in body.as_bytes().iter().enumerate() {
        if b == b'_' {
            if at + k > start {
                push(Token {
                    kind: TokenKind::HashtagPart,
                    start,
                    end: at + k,
                });
            }
            start = at + k + 1;
        }
    }
    if at + body.len() > start {
        push(Token {
            kind: TokenKind::HashtagPart,
            start,
            end: at + body.len(),
        });
    }
}

fn starts_with_ignore_ascii_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The `http://`, `https://` or `www.` that `s` starts with (any case).
#[inline(always)]
pub(crate) fn url_scheme(s: &str) -> Option<&'static str> {
    // Every word starting with h or w comes here (the, with, which...):
    // one test of the first four bytes rules most of them out. Setting bit
    // 0x20 lowercases ASCII letters and leaves `.`, `:` and `/` as they are,
    // so a text starting with a scheme in any case passes (other bytes
    // may pass too: the exact test below decides).
    let head = u32_at(s.as_bytes().get(..4)?, 0) | 0x2020_2020;
    if head != u32::from_le_bytes(*b"http") && head != u32::from_le_bytes(*b"www.") {
        return None;
    }
    ["https://", "http://", "www."]
        .into_iter()
        .find(|p| starts_with_ignore_ascii_case(s, p))
}

/// `http://`, `https://` or `www.` up to whitespace; trailing punctuation and closing
/// quotes (and a closing bracket the URL did not open) are left out. In posts whose spaces
/// were lost, an Arabic letter right after a Latin letter or digit of the link, or a `#`
/// between them, ends it (`https://t.co/x1فيسبوك`, `https://t.co/x1#السفارة`); an
/// Arabic path (`https://ar.wikipedia.org/wiki/مصر#التاريخ`) does not.
fn url_len(s: &str) -> Option<usize> {
    let scheme = url_scheme(s)?;
    // ASCII but whitespace, `<`, `>`, `"` and `#` passes every test below whatever stands
    // before it (the characters that glue Arabic to a link and those that separate words are
    // not ASCII): most links are such characters alone, read here a byte at a time without
    // decoding.
    let plain = s
        .bytes()
        .position(|b| {
            !b.is_ascii() || matches!(b, b'\t'..=b'\r' | b' ' | b'<' | b'>' | b'"' | b'#')
        })
        .unwrap_or(s.len());
    let mut prev = s[..plain].chars().next_back().unwrap_or(' ');
    let mut chars = s[plain..]
        .char_indices()
        .map(|(k, c)| (plain + k, c))
        .peekable();
    let mut end = s.len();
    while let Some((k, c)) = chars.next() {
        let glued_arabic = prev.is_ascii_alphanumeric()
            && (is_arabic_letter(c)
                || (c == '#' && chars.peek().is_some_and(|&(_, n)| is_arabic_letter(n))));
        // A zero-width space or a direction mark ends a link: posts put them after one
        // (`https://t.co/x\u{200F}شكرا`), and no address holds them.
        if c.is_whitespace()
            || matches!(c, '<' | '>' | '"' | '«' | '»')
            || glued_arabic
            || separates_words(c)
        {
            end = k;
            break;
        }
        prev = c;
    }
    // How many more closing brackets than opening ones the link holds, counted once and
    // kept up to date as its end is dropped: counting them again for each character dropped
    // made a link followed by many `)` quadratic in their number.
    let excess = |open: u8, close: u8| {
        s.as_bytes()[..end].iter().fold(0isize, |n, &b| {
            n + isize::from(b == close) - isize::from(b == open)
        })
    };
    let (mut parens, mut squares) = (excess(b'(', b')'), excess(b'[', b']'));
    while let Some(last) = s[..end].chars().next_back() {
        let unbalanced = match last {
            ')' => parens > 0,
            ']' => squares > 0,
            _ => false,
        };
        let trailing = matches!(
            last,
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '،' | '؛' | '؟' | '…' | '}'
        );
        // A closing quote too (`“https://x.org/a”`): `»` and `"` end a link anyway.
        let closing_quote = matches!(last, '’' | '”' | '›');
        if trailing || closing_quote || unbalanced {
            end -= last.len_utf8();
            match last {
                ')' => parens -= 1,
                ']' => squares -= 1,
                _ => {}
            }
        } else {
            break;
        }
    }
    (end > scheme.len()).then_some(end)
}

/// `@name` (letters, digits, `_`), or a fediverse `@name@host.tld`.
fn mention_len(s: &str) -> Option<usize> {
    let name = handle_len(&s[1..]);
    if name == 0 {
        return None;
    }
    let mut len = 1 + name;
    if s[len..].starts_with('@')
        && let Some(host) = host_len(&s[len + 1..])
    {
        len += 1 + host;
    }
    Some(len)
}

fn handle_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| !(is_letter_mark_or_digit(c) || c == '_'))
        .map_or(s.len(), |(k, _)| k)
}

/// A domain name with at least one dot, not ending in a dot or hyphen.
fn host_len(s: &str) -> Option<usize> {
    // Byte by byte: a non-ASCII character's bytes all fail the test, as the
    // character would.
    let raw = s
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
        .unwrap_or(s.len());
    let host = s[..raw].trim_end_matches(['.', '-']);
    let dot = host.find('.')?;
    (dot > 0 && dot + 1 < host.len()).then_some(host.len())
}

/// The e-mail address `s` starts with, and the length of the run of local-part characters
/// it starts with, address or not. An address starting later inside that run would end the
/// same run at the same place, so it is not one either.
/// Whether `s` starts with a link's scheme or a whole email address.
fn link_or_address_starts(s: &str) -> bool {
    url_scheme(s).is_some() || email_len(s).0.is_some()
}

fn email_len(s: &str) -> (Option<usize>, usize) {
    let local = s
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')))
        .unwrap_or(s.len());
    if local == 0 || !s[local..].starts_with('@') {
        return (None, local);
    }
    (host_len(&s[local + 1..]).map(|h| local + 1 + h), local)
}

fn is_keycap_start(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('0'..='9' | '#' | '*'))
        && matches!(
            (chars.next(), chars.next()),
            (Some('\u{20E3}'), _) | (Some('\u{FE0F}'), Some('\u{20E3}'))
        )
}

/// One emoji: a pictograph with its modifiers and ZWJ continuations, a flag
/// (two regional indicators) or a keycap.
fn emoji_len(s: &str) -> usize {
    let mut chars = s.char_indices().peekable();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    let mut len = first.len_utf8();
    if !(is_pictographic(first) || is_regional_indicator(first)) {
        // A keycap: the key, then FE0F and/or 20E3.
        return s[len..]
            .char_indices()
            .find(|&(_, c)| !matches!(c, '\u{FE0F}' | '\u{20E3}'))
            .map_or(s.len(), |(k, _)| len + k);
    }
    if is_regional_indicator(first) {
        if let Some(&(k, c)) = chars.peek()
            && is_regional_indicator(c)
        {
            len = k + c.len_utf8();
        }
        return len;
    }
    while let Some((k, c)) = chars.next() {
        if is_emoji_modifier(c) {
            len = k + c.len_utf8();
        } else if c == ZWJ {
            match chars.peek() {
                Some(&(n, p)) if is_pictographic(p) => {
                    chars.next();
                    len = n + p.len_utf8();
                }
                _ => break,
            }
        } else {
            break;
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;
    use TokenKind::*;

    fn toks(s: &str) -> Vec<(TokenKind, &str)> {
        tokenize(s).iter().map(|t| (t.kind, t.text(s))).collect()
    }

    /// A run of words joined by characters an e-mail address's local part may hold, with
    /// or without an `@` at its end, is read once: each of its words used to read the rest
    /// of the run again looking for an address, hours for these lines. Addresses inside
    /// and after such a run are still found.
    #[test]
    fn long_runs_of_joined_words_are_read_once() {
        for (unit, tail, words) in [
            ("word-", "", 200_000),
            ("word_", "", 200_000),
            ("a.", "@b", 500_000),
            ("a+", "@b.", 500_000),
        ] {
            let line = format!("{}{tail}", unit.repeat(words));
            let found = tokenize(&line);
            let counted = found.iter().filter(|t| t.kind == Word).count();
            assert_eq!(counted, words, "{unit}");
            assert!(found.iter().all(|t| t.kind != Email), "{unit}");
        }
        assert_eq!(
            toks("a-b-c x.y@example.org a_b-c@example.org"),
            vec![
                (Word, "a"),
                (Punct, "-"),
                (Word, "b"),
                (Punct, "-"),
                (Word, "c"),
                (Email, "x.y@example.org"),
                (Email, "a_b-c@example.org"),
            ]
        );
    }

    /// A link followed by many closing brackets is read once: each bracket left out used to
    /// count the brackets of the whole link again, minutes for these lines.
    #[test]
    fn closing_brackets_after_a_link_are_counted_once() {
        for close in [")", "]", ").", "]!"] {
            let line = format!("https://x.org/(a) {}", close.repeat(200_000));
            let glued = format!("https://x.org/(a){}", close.repeat(200_000));
            assert_eq!(url_len(&line), Some("https://x.org/(a)".len()), "{close}");
            assert_eq!(url_len(&glued), Some("https://x.org/(a)".len()), "{close}");
            let found = tokenize(&glued);
            assert_eq!(found.len(), 1 + close.chars().count() * 200_000, "{close}");
            assert_eq!(found[0].text(&glued), "https://x.org/(a)", "{close}");
            assert!(found[1..].iter().all(|t| t.kind == Punct), "{close}");
        }
    }

    /// `http` glued to a word after a word character starts no link, and is seen not to
    /// before the rest of the line is read as one: each `http` of a line without spaces
    /// used to read the rest of it, minutes for these lines.
    #[test]
    fn schemes_that_start_no_link_do_not_read_the_line() {
        for unit in ["_http://", "\u{200C}http://", "a_www.", "\u{200C}https://x"] {
            let line = unit.repeat(200_000);
            let one = tokenize(unit);
            // Each unit's tokens are those of the first, but for what it starts with: a
            // link cannot start after the first unit's word character either.
            let found = tokenize(&line);
            let tail = tokenize(&unit.repeat(2));
            let per_unit = tail.len() - one.len();
            assert_eq!(found.len(), one.len() + per_unit * 199_999, "{unit:?}");
            assert!(found.iter().all(|t| t.kind != Url), "{unit:?}");
        }
    }

    #[test]
    fn post_with_everything() {
        let s = "زار @Safir_Ministry سفارتنا 🇫🇷 #الدبلوماسية_الرقمية https://example.org/a?b=1، ١٢٫٥٪ 👍🏽!";
        assert_eq!(
            toks(s),
            vec![
                (Word, "زار"),
                (Mention, "@Safir_Ministry"),
                (Word, "سفارتنا"),
                (Emoji, "🇫🇷"),
                (Hashtag, "#الدبلوماسية_الرقمية"),
                (HashtagPart, "الدبلوماسية"),
                (HashtagPart, "الرقمية"),
                (Url, "https://example.org/a?b=1"),
                (Punct, "،"),
                (Number, "١٢٫٥"),
                (Punct, "٪"),
                (Emoji, "👍🏽"),
                (Punct, "!"),
            ]
        );
    }

    /// Tags glued together, as trending lists are pasted: each is a hashtag. A `#` after a
    /// word is not one (`C#`, `no#1`).
    #[test]
    fn hashtags_glued_together_are_each_a_hashtag() {
        assert_eq!(
            toks("#السعودية#الرياض #a_b#c"),
            vec![
                (Hashtag, "#السعودية"),
                (HashtagPart, "السعودية"),
                (Hashtag, "#الرياض"),
                (HashtagPart, "الرياض"),
                (Hashtag, "#a_b"),
                (HashtagPart, "a"),
                (HashtagPart, "b"),
                (Hashtag, "#c"),
                (HashtagPart, "c"),
            ]
        );
        assert_eq!(
            toks("C# no#1"),
            vec![
                (Word, "C"),
                (Punct, "#"),
                (Word, "no"),
                (Punct, "#"),
                (Number, "1")
            ]
        );
    }

    /// A tag glued to a mention, as posts tag an account and a topic (`@name#وسم`), is a
    /// hashtag: the handle ends at the `#`. It was a `#` and a word.
    #[test]
    fn a_hashtag_glued_to_a_mention_is_a_hashtag() {
        assert_eq!(
            tokenize("@a#وسم"),
            vec![
                Token {
                    kind: Mention,
                    start: 0,
                    end: 2
                },
                Token {
                    kind: Hashtag,
                    start: 2,
                    end: 9
                },
                Token {
                    kind: HashtagPart,
                    start: 3,
                    end: 9
                },
            ]
        );
        assert_eq!(
            toks("@name#tag_b#ج @paris@ministry.example#وسم"),
            vec![
                (Mention, "@name"),
                (Hashtag, "#tag_b"),
                (HashtagPart, "tag"),
                (HashtagPart, "b"),
                (Hashtag, "#ج"),
                (HashtagPart, "ج"),
                (Mention, "@paris@ministry.example"),
                (Hashtag, "#وسم"),
                (HashtagPart, "وسم"),
            ]
        );
        // After a word, a `#` is still no tag.
        assert_eq!(
            toks("@a b#c"),
            vec![(Mention, "@a"), (Word, "b"), (Punct, "#"), (Word, "c")]
        );
    }

    /// A link in quotes ends before the closing quote (`“https://x.org/a”`), as before the
    /// trailing punctuation; it took the quote in. A quote inside the link stays in it.
    #[test]
    fn a_link_ends_before_a_closing_quote() {
        let s = "“https://example.org/a” «https://x.org/b» ‹www.x.org/c›. ‘https://x.org/d’، \
                 https://x.org/e”). https://x.org/f’s";
        assert_eq!(
            toks(s),
            vec![
                (Punct, "“"),
                (Url, "https://example.org/a"),
                (Punct, "”"),
                (Punct, "«"),
                (Url, "https://x.org/b"),
                (Punct, "»"),
                (Punct, "‹"),
                (Url, "www.x.org/c"),
                (Punct, "›"),
                (Punct, "."),
                (Punct, "‘"),
                (Url, "https://x.org/d"),
                (Punct, "’"),
                (Punct, "،"),
                (Url, "https://x.org/e"),
                (Punct, "”"),
                (Punct, ")"),
                (Punct, "."),
                (Url, "https://x.org/f’s"),
            ]
        );
        let t = tokenize("“https://example.org/a”");
        assert_eq!(
            (t[1].start, t[1].end),
            (3, 3 + "https://example.org/a".len())
        );
    }

    #[test]
    fn arabic_punctuation_separates_words() {
        assert_eq!(
            toks("نعم،لا؛ماذا؟"),
            vec![
                (Word, "نعم"),
                (Punct, "،"),
                (Word, "لا"),
                (Punct, "؛"),
                (Word, "ماذا"),
                (Punct, "؟")
            ]
        );
    }

    #[test]
    fn words_keep_their_marks_and_tatweel() {
        assert_eq!(
            toks("مُحَمَّد الدبلوماسـية"),
            vec![(Word, "مُحَمَّد"), (Word, "الدبلوماسـية")]
        );
        assert_eq!(
            toks("don't covid19"),
            vec![(Word, "don't"), (Word, "covid19")]
        );
        assert_eq!(toks("1965والذي"), vec![(Number, "1965"), (Word, "والذي")]);
        assert_eq!(
            toks("1,000.50 19th"),
            vec![(Number, "1,000.50"), (Word, "19th")]
        );
    }

    #[test]
    fn urls_mentions_and_emails() {
        assert_eq!(
            toks("(see https://en.wikipedia.org/wiki/Foo_(bar)). www.gov.sa"),
            vec![
                (Punct, "("),
                (Word, "see"),
                (Url, "https://en.wikipedia.org/wiki/Foo_(bar)"),
                (Punct, ")"),
                (Punct, "."),
                (Url, "www.gov.sa"),
            ]
        );
        assert_eq!(
            toks("@paris@ministry.example info@mofa.gov.sa"),
            vec![
                (Mention, "@paris@ministry.example"),
                (Email, "info@mofa.gov.sa")
            ]
        );
        assert_eq!(toks("@ #"), vec![(Punct, "@"), (Punct, "#")]);
        // A direction mark or a zero-width space ends a link.
        assert_eq!(
            toks("https://t.co/x\u{200F}شكرا \u{2066}https://t.co/y\u{2069}"),
            vec![
                (Url, "https://t.co/x"),
                (Punct, "\u{200F}"),
                (Word, "شكرا"),
                (Punct, "\u{2066}"),
                (Url, "https://t.co/y"),
                (Punct, "\u{2069}")
            ]
        );
        // An address glued to an Arabic word is an address; a Latin word before it is not
        // cut.
        assert_eq!(
            toks("راسلوناinfo@mofa.gov.sa"),
            vec![(Word, "راسلونا"), (Email, "info@mofa.gov.sa")]
        );
        assert_eq!(
            toks("writeinfo@mofa.gov.sa"),
            vec![(Email, "writeinfo@mofa.gov.sa")]
        );
    }

    #[test]
    fn a_link_glued_to_an_arabic_word_is_a_link() {
        // Posts whose spaces were lost: the Arabic word ends where the link begins.
        assert_eq!(
            toks("العالمhttps://t.co/DyN0 #أبلwww.apple.com كتابًhttp://x.org"),
            vec![
                (Word, "العالم"),
                (Url, "https://t.co/DyN0"),
                (Hashtag, "#أبل"),
                (HashtagPart, "أبل"),
                (Url, "www.apple.com"),
                (Word, "كتابً"),
                (Url, "http://x.org"),
            ]
        );
        // Arabic glued after the link's last letter or digit ends it; an Arabic path does not.
        assert_eq!(
            toks(
                "https://t.co/kgb8tفيسبوك https://t.co/3vj#التحالف_العربي https://ar.wikipedia.org/wiki/مصر#التاريخ"
            ),
            vec![
                (Url, "https://t.co/kgb8t"),
                (Word, "فيسبوك"),
                (Url, "https://t.co/3vj"),
                (Hashtag, "#التحالف_العربي"),
                (HashtagPart, "التحالف"),
                (HashtagPart, "العربي"),
                (Url, "https://ar.wikipedia.org/wiki/مصر#التاريخ"),
            ]
        );
        // Not after Latin letters or digits, where it may be part of a word or a name.
        assert_eq!(
            toks("foohttp://x.org ١٩٦٥www.x.org"),
            vec![
                (Word, "foohttp"),
                (Punct, ":"),
                (Punct, "/"),
                (Punct, "/"),
                (Word, "x"),
                (Punct, "."),
                (Word, "org"),
                (Word, "١٩٦٥www"),
                (Punct, "."),
                (Word, "x"),
                (Punct, "."),
                (Word, "org"),
            ]
        );
    }

    #[test]
    fn emoji_sequences() {
        assert_eq!(
            toks("👨\u{200D}👩\u{200D}👧 1\u{FE0F}\u{20E3} ❤️ #\u{FE0F}\u{20E3} #\u{20E3}"),
            vec![
                (Emoji, "👨\u{200D}👩\u{200D}👧"),
                (Emoji, "1\u{FE0F}\u{20E3}"),
                (Emoji, "❤️"),
                (Emoji, "#\u{FE0F}\u{20E3}"),
                (Emoji, "#\u{20E3}")
            ]
        );
    }

    #[test]
    fn offsets_point_into_the_text() {
        let s = "  سلام  world ";
        for t in tokenize(s) {
            assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
            assert!(!t.text(s).trim().is_empty());
        }
    }

    /// [`word_len`] as it reads with the character classes called directly.
    fn word_len_by_chars(s: &str, hashtag: bool) -> usize {
        let mut len = 0;
        let mut prev: Option<char> = None;
        let mut chars = s.char_indices().peekable();
        while let Some((k, c)) = chars.next() {
            if prev.is_some_and(is_arabic_letter) && link_or_address_starts(&s[k..]) {
                return k;
            }
            let ok = match c {
                '_' => hashtag,
                '\'' | '’' => {
                    let next = chars.peek().map(|&(_, n)| n);
                    prev.is_some_and(is_latin_letter) && next.is_some_and(is_latin_letter)
                }
                c if is_digit(c) => !prev.is_some_and(is_arabic_letter) || hashtag,
                c if is_arabic_letter(c) => !prev.is_some_and(is_digit) || hashtag,
                c => is_word_char(c) || is_joining_format(c),
            };
            if !ok {
                return k;
            }
            len = k + c.len_utf8();
            if !is_combining_mark(c) && c != TATWEEL && !is_joining_format(c) {
                prev = Some(c);
            }
        }
        len
    }

    /// [`url_len`] as it was, counting the link's brackets again for each character left
    /// out at its end.
    fn url_len_counting_each_time(s: &str) -> Option<usize> {
        let scheme = url_scheme(s)?;
        let mut prev = ' ';
        let mut chars = s.char_indices().peekable();
        let mut end = s.len();
        while let Some((k, c)) = chars.next() {
            let glued_arabic = prev.is_ascii_alphanumeric()
                && (is_arabic_letter(c)
                    || (c == '#' && chars.peek().is_some_and(|&(_, n)| is_arabic_letter(n))));
            if c.is_whitespace()
                || matches!(c, '<' | '>' | '"' | '«' | '»')
                || glued_arabic
                || separates_words(c)
            {
                end = k;
                break;
            }
            prev = c;
        }
        while let Some(last) = s[..end].chars().next_back() {
            let unbalanced = match last {
                ')' => s[..end].matches('(').count() < s[..end].matches(')').count(),
                ']' => s[..end].matches('[').count() < s[..end].matches(']').count(),
                _ => false,
            };
            let trailing = matches!(
                last,
                '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '،' | '؛' | '؟' | '…' | '}'
            );
            let closing_quote = matches!(last, '’' | '”' | '›');
            if trailing || closing_quote || unbalanced {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        (end > scheme.len()).then_some(end)
    }

    proptest::proptest! {
        #[test]
        fn word_len_agrees_with_the_plain_loop(
            s in "[\\u0600-\\u06FF a-zA-Z0-9_'’\\u0300-\\u0302\\u200B-\\u200F\\u00AD\\u2060\\u00C0-\\u00FF\\u0750-\\u0760]{0,20}",
            hashtag: bool,
        ) {
            proptest::prop_assert_eq!(word_len(&s, hashtag), word_len_by_chars(&s, hashtag));
        }

        #[test]
        fn url_len_agrees_with_counting_each_time(
            s in "(https?://|www\\.)[a-z()\\[\\].,!?:;'}/ \u{060C}\u{061F}\u{2026}\u{0628}#\u{2019}\u{201D}\u{203A}]{0,24}",
        ) {
            proptest::prop_assert_eq!(url_len(&s), url_len_counting_each_time(&s));
        }

        #[test]
        fn word_len_agrees_on_any_text(s in "\\PC{0,20}", hashtag: bool) {
            proptest::prop_assert_eq!(word_len(&s, hashtag), word_len_by_chars(&s, hashtag));
        }
    }

    /// `s`'s tokens with the word shortcut and without it.
    fn both_ways(s: &str) -> (Vec<Token>, Vec<Token>) {
        (lines::<true>(s).0, lines::<false>(s).0)
    }

    /// The tokens of `s` a line at a time, and the lines.
    fn lines<const WORDS_FIRST: bool>(s: &str) -> (Vec<Token>, Vec<(&str, bool)>) {
        let (mut tokens, mut lines) = (Vec::new(), Vec::new());
        let mut at = 0;
        while at < s.len() {
            let line = tokenize_with::<WORDS_FIRST>(s, at, |t| tokens.push(t));
            lines.push((&s[at..line.end], line.may_need_repair));
            at = line.end;
        }
        (tokens, lines)
    }

    /// Every line the repair check takes is noted, either way.
    fn check_repair_signs(s: &str) {
        for (line, noted) in lines::<true>(s).1.into_iter().chain(lines::<false>(s).1) {
            assert!(
                noted || !crate::repair::needs_repair(line),
                "{line:?} needs repair"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn the_word_shortcut_changes_no_token(
            s in "([\\u0600-\\u06FF a-zA-Z0-9_'’#@.:/%+\\-\\u200D\\u{1F44D}\\u20E3\\uFE0F]{0,12}(https?://|[hH][tT]{2}[pP]|www\\.|[wW]{3}|@|[a-z]+@[a-z]+\\.[a-z]+)?){0,6}"
        ) {
            let (fast, full) = both_ways(&s);
            proptest::prop_assert_eq!(fast, full);
        }

        #[test]
        fn the_word_shortcut_changes_no_token_on_any_text(s in "\\PC{0,60}") {
            let (fast, full) = both_ways(&s);
            proptest::prop_assert_eq!(fast, full);
        }

        #[test]
        fn lines_that_need_repair_are_noted(
            s in "[\\u0600-\\u06FF\\uFB50-\\uFDFF\\uFE70-\\uFEFF a-z@#._\\-\\t\\n\\r\\u00A0-\\u036F\\u2000-\\u200F\\u{1F44D}]{0,40}"
        ) {
            check_repair_signs(&s);
        }

        #[test]
        fn lines_that_need_repair_are_noted_on_any_text(s in "\\PC{0,60}") {
            check_repair_signs(&s);
        }
    }

    #[test]
    fn repair_signs() {
        let noted = |s: &str| lines::<true>(s).1[0].1;
        assert!(!noted("سلام عليكم, hello 👍 #وسم @x"));
        for damaged in [
            "الدبلوماسـية",
            "a  b",
            "\u{064E}سلام",
            "ﻻ",
            "ةيبرعلا",
            "#وسم_ـه",
            "https://x.org/ـ",
        ] {
            assert!(noted(damaged), "{damaged}");
        }
        assert_eq!(lines::<true>("a\nb").1, vec![("a\n", false), ("b", false)]);
    }

    #[test]
    fn the_word_shortcut_changes_no_token_on_the_samples() {
        // The PDF sample and the tweets of the shared data folder, when there.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/");
        let mut texts = 0;
        for file in ["samples/pdf-extracted-ar.txt", "arsarcasm-v2/train.csv"] {
            let Ok(text) = std::fs::read_to_string(format!("{dir}{file}")) else {
                continue;
            };
            for line in text.lines() {
                let (fast, full) = both_ways(line);
                assert_eq!(fast, full, "{line}");
                check_repair_signs(line);
            }
            texts += 1;
        }
        if texts > 0 {
            assert_eq!(
                tokenize("كلمة word"),
                vec![
                    Token {
                        kind: Word,
                        start: 0,
                        end: 8
                    },
                    Token {
                        kind: Word,
                        start: 9,
                        end: 13
                    }
                ]
            );
        }
    }

    #[test]
    fn emoji_classes_agree_with_the_character_classes() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(class_outside_table(c), Class::of(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn no_word_start_is_a_digit() {
        // The word shortcut relies on it.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let class = Class::of(c);
            assert!(
                !(class.has(Class::START) && class.has(Class::DIGIT)),
                "U+{:04X}",
                c as u32
            );
        }
    }

    /// [`arabic_letters_and_marks`] a character at a time: the run stops
    /// at a character outside the ranges or where fewer than eight bytes
    /// are left.
    fn arabic_letters_and_marks_by_chars(s: &str) -> (usize, bool) {
        let whole = s.len() / 8 * 8;
        let (mut len, mut letter) = (0, false);
        for c in s.chars() {
            let common = matches!(c, '\u{0620}'..='\u{063F}' | '\u{0641}'..='\u{065F}');
            if !common || len + 2 > whole {
                break;
            }
            len += 2;
            letter |= c < '\u{064B}';
        }
        (len, letter)
    }

    proptest::proptest! {
        #[test]
        fn eight_bytes_at_a_time_as_a_byte_at_a_time(
            arabic in "[\\u0600-\\u06FF]{0,12}[\\u0600-\\u06FFa-z ]{0,6}",
            latin in "[a-zA-Z]{0,20}[\\u0000-\\u00FF]{0,4}",
        ) {
            proptest::prop_assert_eq!(
                ascii_letters(latin.as_bytes()),
                latin.bytes().position(|b| !b.is_ascii_alphabetic()).unwrap_or(latin.len())
            );
            proptest::prop_assert_eq!(
                arabic_letters_and_marks(arabic.as_bytes()),
                arabic_letters_and_marks_by_chars(&arabic)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn hashtag_parts_are_the_parts_split_on_underscores(
            body in "[a_\\u0627\\u{1F44D}]{0,12}",
            at in 0usize..4,
        ) {
            let mut parts = Vec::new();
            push_hashtag_parts(&body, at, &mut |t| parts.push(t));
            let mut offset = at;
            let mut expected = Vec::new();
            for part in body.split('_') {
                if !part.is_empty() {
                    expected.push(Token { kind: HashtagPart, start: offset, end: offset + part.len() });
                }
                offset += part.len() + 1;
            }
            proptest::prop_assert_eq!(parts, expected);
        }
    }

    #[test]
    fn run_classes_are_the_table_classes() {
        for b in (b'a'..=b'z').chain(b'A'..=b'Z') {
            assert_eq!(CLASSES[b as usize], LATIN_LETTER);
        }
        for c in ('\u{0620}'..='\u{063F}').chain('\u{0641}'..='\u{064A}') {
            assert_eq!(CLASSES[128 + c as usize - 0x0600], ARABIC_LETTER, "{c}");
        }
        for c in '\u{064B}'..='\u{065F}' {
            assert!(
                CLASSES[128 + c as usize - 0x0600].has(Class::KEEPS_PREV),
                "{c}"
            );
        }
    }

    #[test]
    fn class_table_agrees_with_the_character_classes() {
        for (k, &class) in CLASSES.iter().enumerate() {
            let cp = if k < 128 {
                k as u32
            } else {
                0x0600 + k as u32 - 128
            };
            let c = char::from_u32(cp).unwrap();
            assert_eq!(class, Class::of(c), "U+{cp:04X}");
            let mut buf = [0u8; 4];
            assert_eq!(char_at(c.encode_utf8(&mut buf), 0), (c, class));
        }
    }

    #[test]
    fn edge_inputs() {
        assert!(tokenize("").is_empty());
        assert_eq!(toks("\u{064E}"), vec![(Punct, "\u{064E}")]);
        assert_eq!(toks("#_"), vec![(Hashtag, "#_")]);
        let long = "كلمة ".repeat(200_000);
        assert_eq!(tokenize(&long).len(), 200_000);
    }
}
