//! A bounded memo of what normalization, the stopword lists and the stemmer
//! made of a word, and of what normalization made of other tokens (emoji,
//! numbers, mentions...): text repeats its words, and a lookup is much
//! cheaper than the three steps. A word and another token of the same text
//! are different keys.
//!
//! A fixed table: the hash of a word picks a set, one 64-byte cache line of
//! entries packed one after the other. An entry is at most 32 bytes: the
//! word, its normalized form (left out when it is the word itself, as for
//! most words, or the word with its ASCII letters lowercased, as for links
//! and names, and reduced to the bytes that differ when it is as long as the
//! word: `السعودية` and `السعوديه` differ in their last letter) and its stem
//! inline, so a set holds two words at the least and about four of the usual
//! length (an Arabic word of five letters takes 15 bytes). A new word goes
//! to the back of its set, replacing the entries there that leave it no
//! room; a word found again moves to the front. Words seen once thus replace
//! each other and leave the words that recur in place. A lookup reads one
//! line, nothing is allocated per word and memory is fixed (32 bytes for
//! each word asked for). Words whose
//! analysis does not fit an entry (a few percent) are analyzed each time.
//! Crafted words that share a set only evict each other, which costs what no
//! memo costs, so an unkeyed hash is safe here.

use crate::swar::{repeat, u32_at, u64_at, zero_bytes};

/// Most bytes of an entry.
const SLOT: usize = 32;
/// Bytes of a set.
const LINE: usize = 64;
/// Entries of the largest size a set holds: the table has a set for every
/// `WAYS` words asked for.
const WAYS: usize = LINE / SLOT;
/// No set: a token the memo does not hold.
pub(super) const NO_SET: u32 = u32::MAX;

/// Where the stem of a remembered term lies in its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StemAt {
    /// This byte range of the normalized form.
    Slice(usize, usize),
    /// After the normalized form, to the end of the text.
    After,
}

/// What analysis made of one word, given the analyzer's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cached<'a> {
    /// Normalization left nothing, or the word is a stopword: no term.
    Dropped,
    /// The normalized form, followed by the stem when it is not a slice of
    /// it. With `patch_at`, the normalized form is as long as the word and
    /// the word's bytes but those at `patch_at..patch_at + text.len()`, which
    /// `text` replaces (`patch_at` is the word's length when the normalized
    /// form is the word itself: `text` is then what follows it, the stem when
    /// it is not a slice); [`WordCache::get`] answers so when it can, an
    /// insertion passes the whole text and the memo finds that out. When
    /// `lowered`, the normalized form is the word with its ASCII letters
    /// lowercased, and `patch_at` the word's length (`https://t.co/AbC` and
    /// `@Name` are not stored twice either).
    Term {
        patch_at: Option<usize>,
        lowered: bool,
        text: &'a str,
        normalized_len: usize,
        stem: StemAt,
    },
}

/// The entries of a set, on one cache line, most recently found first, then
/// zeros.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct Set([u8; LINE]);

/// Byte offsets of an entry's header fields: five bytes, then the word, then
/// its text (normalized form, or the bytes of it that differ from the word,
/// and stem).
const WORD_LEN: usize = 0;
/// The word's length in its byte (at most [`MAX_WORD`]).
const LEN_BITS: u8 = 0x1F;
/// Set in the word length's byte with [`PATCHED`]: the normalized form is
/// the word with its ASCII letters lowercased.
const LOWERED: u8 = 0x20;
/// Set in the word length's byte: the normalized form is the word but for
/// the bytes the entry's text replaces, from the offset in the
/// `NORMALIZED_LEN` byte (the word's length when none differs).
const PATCHED: u8 = 0x80;
/// Set in the word length's byte: the key is a token other than a word.
const NOT_WORD: u8 = 0x40;
/// `u8::MAX`: dropped.
const TEXT_LEN: usize = 1;
const NORMALIZED_LEN: usize = 2;
/// Both `u8::MAX`: the stem comes after the normalized form.
const STEM: usize = 3;
const HEADER: usize = 5;
/// Longest word (bytes) kept; longer ones are analyzed each time.
const MAX_WORD: usize = SLOT - HEADER;

/// The entries of a set end at a word length of 0 (no word is empty), or at
/// the set's end.
const EMPTY: Set = Set([0; LINE]);

/// The bytes of the entry at `at` of `line`, which holds one (its word
/// length is not 0).
#[inline(always)]
fn entry_len(line: &[u8; LINE], at: usize) -> usize {
    let text = match line[at + TEXT_LEN] {
        u8::MAX => 0,
        len => len as usize,
    };
    HEADER + (line[at + WORD_LEN] & LEN_BITS) as usize + text
}

#[derive(Debug, Default)]
pub(super) struct WordCache {
    /// Allocated on first use.
    sets: Vec<Set>,
    /// Words of the largest size the table holds: a power of two, or 0 when
    /// the memo is off.
    capacity: usize,
}

impl WordCache {
    /// Room for `words` words of the largest size (rounded up to a power of
    /// two, at least two; 0: off), and for more of the usual size.
    pub(super) fn new(words: usize) -> Self {
        Self {
            capacity: match words {
                0 => 0,
                n => n.next_power_of_two().max(WAYS),
            },
            ..Self::default()
        }
    }

    /// The set of `word` (a word when `is_word`, another token otherwise)
    /// for [`Self::get`] and [`Self::insert`], or [`NO_SET`] when the memo
    /// does not take it: texts longer than [`MAX_WORD`], and texts holding a
    /// ZWJ, which normalization keeps or drops depending on what precedes it
    /// in the output buffer. The hash looks for the ZWJ's first byte (E2) on
    /// the way; most words have none. The word's bytes, as the tokenizer
    /// cut them: a `str` slice would check its ends are character
    /// boundaries again for every token (E2 80 8D is the ZWJ wherever it
    /// occurs in UTF-8).
    pub(super) fn set_of(&self, word: &[u8], is_word: bool) -> u32 {
        if self.capacity == 0 || word.len() > MAX_WORD {
            return NO_SET;
        }
        let (h, e2) = hash(word, is_word);
        if e2 && word.windows(3).any(|w| w == "\u{200D}".as_bytes()) {
            return NO_SET;
        }
        (h as usize & (self.capacity / WAYS - 1)) as u32
    }

    /// Asks the processor to fetch the cache line of `set` (unless
    /// [`NO_SET`]) without waiting for it, while the tokenizer reads on: a
    /// lookup then finds the line in the cache instead of waiting for
    /// memory (the table is larger than the processor's own caches). A
    /// plain read would hold the processor up until the line arrives; only
    /// the prefetch instruction does not (measured: reading the line as each
    /// token is found gained nothing, prefetching it 9%).
    #[inline(always)]
    pub(super) fn prefetch(&self, set: u32) {
        if let Some(set) = self.sets.get(set as usize) {
            prefetch_line(set);
        }
    }

    /// The remembered result for an accepted word of set `set`. Inlined
    /// into the analyzer's hit path, so that the answer does not go
    /// through memory.
    #[inline(always)]
    pub(super) fn get(&mut self, set: u32, word: &str, is_word: bool) -> Option<Cached<'_>> {
        let line = &mut self.sets.get_mut(set as usize)?.0;
        let n = word.len();
        let key = n as u8 | if is_word { 0 } else { NOT_WORD };
        let mut at = 0;
        let len = loop {
            match line.get(at) {
                None | Some(0) => return None,
                Some(&k) => {
                    let len = entry_len(line, at);
                    if k & !(PATCHED | LOWERED) == key
                        && same_bytes(&line[at + HEADER..at + HEADER + n], word.as_bytes())
                    {
                        break len;
                    }
                    at += len;
                }
            }
        };
        if at > 0 {
            // Found again: to the front, out of reach of new words.
            line[..at + len].rotate_right(len);
        }
        let entry = &line[..len];
        if entry[TEXT_LEN] == u8::MAX {
            return Some(Cached::Dropped);
        }
        let at = HEADER + n;
        let text = match entry[TEXT_LEN] as usize {
            // Nothing after the word: most hits.
            0 => "",
            len => stored_text(&entry[at..at + len]),
        };
        let stem = match (entry[STEM], entry[STEM + 1]) {
            (u8::MAX, u8::MAX) => StemAt::After,
            (s, e) => StemAt::Slice(s as usize, e as usize),
        };
        let (patch_at, normalized_len) = match entry[WORD_LEN] & PATCHED {
            0 => (None, entry[NORMALIZED_LEN] as usize),
            _ => (Some(entry[NORMALIZED_LEN] as usize), n),
        };
        Some(Cached::Term {
            patch_at,
            lowered: entry[WORD_LEN] & LOWERED != 0,
            text,
            normalized_len,
            stem,
        })
    }

    /// Remembers the result for an accepted word (unless it does not fit).
    pub(super) fn insert(&mut self, set: u32, word: &str, is_word: bool, cached: Cached<'_>) {
        let n = word.len();
        let mut entry = [0; SLOT];
        entry[WORD_LEN] = n as u8 | if is_word { 0 } else { NOT_WORD };
        entry[HEADER..HEADER + n].copy_from_slice(word.as_bytes());
        match cached {
            Cached::Dropped => entry[TEXT_LEN] = u8::MAX,
            Cached::Term {
                patch_at,
                lowered,
                mut text,
                mut normalized_len,
                stem,
            } => {
                debug_assert!(
                    patch_at.is_none() && !lowered,
                    "insert takes the whole text"
                );
                let normalized = &text[..normalized_len];
                if normalized != word
                    && normalized.len() == n
                    && normalized
                        .bytes()
                        .zip(word.bytes())
                        .all(|(m, w)| m == w.to_ascii_lowercase())
                {
                    // The word lowercased: a hit pushes the word and
                    // lowercases it.
                    entry[WORD_LEN] |= PATCHED | LOWERED;
                    text = match stem {
                        StemAt::After => &text[normalized_len..],
                        StemAt::Slice(..) => "",
                    };
                } else if let Some((at, patch)) = patch(word, normalized, stem) {
                    // Only what differs from the word, or follows it: a hit
                    // pushes the word around it.
                    entry[WORD_LEN] |= PATCHED;
                    text = match stem {
                        StemAt::After => &text[normalized_len..],
                        StemAt::Slice(..) => patch,
                    };
                    // The offset of the patch, in the normalized length's byte.
                    normalized_len = at;
                }
                let at = HEADER + n;
                if at + text.len() > SLOT {
                    return;
                }
                entry[at..at + text.len()].copy_from_slice(text.as_bytes());
                entry[TEXT_LEN] = text.len() as u8;
                entry[NORMALIZED_LEN] = normalized_len as u8;
                let (s, e) = match stem {
                    StemAt::After => (u8::MAX, u8::MAX),
                    StemAt::Slice(s, e) => (s as u8, e as u8),
                };
                entry[STEM] = s;
                entry[STEM + 1] = e;
            }
        }
        let size = match entry[TEXT_LEN] {
            u8::MAX => HEADER + n,
            len => HEADER + n + len as usize,
        };
        if self.sets.is_empty() {
            self.sets = vec![EMPTY; self.capacity / WAYS];
        }
        // A new word goes to the back, after the entries that leave it room:
        // words seen once replace each other there, and a word found again
        // moves to the front.
        let line = &mut self.sets[set as usize].0;
        let mut end = 0;
        while end < LINE && line[end] != 0 {
            let len = entry_len(line, end);
            if end + len + size > LINE {
                break;
            }
            end += len;
        }
        line[end..end + size].copy_from_slice(&entry[..size]);
        line[end + size..].fill(0);
    }
}

/// Where `normalized`, as long as `word`, differs from it: the offset and the
/// bytes of `normalized` from the first character that differs to the last
/// (the word's length and nothing when none does). Only for a stem that is a
/// slice of the normalized form, or one that follows a normalized form equal
/// to the word: a patched entry's text is the patch or the stem after the
/// word, not both.
fn patch<'a>(word: &str, normalized: &'a str, stem: StemAt) -> Option<(usize, &'a str)> {
    let (w, m) = (word.as_bytes(), normalized.as_bytes());
    if w.len() != m.len() {
        return None;
    }
    // The common start and end, cut back to whole characters of both (the
    // bytes before a boundary are the same in both texts, so a boundary of
    // the word is one of the normalized form).
    let mut from = w.iter().zip(m).take_while(|(a, b)| a == b).count();
    if from == w.len() {
        return Some((from, ""));
    }
    if !matches!(stem, StemAt::Slice(..)) {
        return None;
    }
    while !word.is_char_boundary(from) {
        from -= 1;
    }
    let same_end = w[from..]
        .iter()
        .rev()
        .zip(m[from..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut to = w.len() - same_end;
    while !word.is_char_boundary(to) {
        to += 1;
    }
    Some((from, &normalized[from..to]))
}

/// The text an entry holds after its word, as [`WordCache::insert`] stored
/// it: without checking again that it is UTF-8, which cost about 3% of the
/// analysis when every hit did it (measured: +2.8% without the check).
#[inline(always)]
#[allow(unsafe_code)]
fn stored_text(bytes: &[u8]) -> &str {
    debug_assert!(
        std::str::from_utf8(bytes).is_ok(),
        "an entry's text is UTF-8"
    );
    // SAFETY: `bytes` is whole UTF-8 text. The sets are private to this
    // module and only `WordCache::insert` writes an entry: it builds it in a
    // local array and stores it whole, after whole entries, zeroing the rest
    // of the set (the table starts out zeroed, and `get` only moves a whole
    // entry to the front of the whole entries before it). So a set is whole
    // entries, each with the header `insert` wrote for it, then zeros; and
    // `get`, which steps from the set's start by the length each header
    // gives (`entry_len`, from the lengths `insert` stored with the entry),
    // finds each entry where it is. An entry whose text length (byte
    // `TEXT_LEN`, neither 0 nor `u8::MAX`) `get` reads here holds, after
    // the `n` bytes of its word, exactly the `TEXT_LEN` bytes of a `&str`
    // that `insert` copied: the text of a `Cached::Term`, its tail after
    // `normalized_len` or the patch `patch` returns (`normalized[from..to]`),
    // each cut by `str` indexing, which panics off a character boundary.
    // `get` reaches this only for an entry whose word length is `n` (the key
    // compares it), so `bytes` are `entry[HEADER + n..][..len]`, the same
    // bytes `insert` copied.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// Starts fetching the cache line that holds `set`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch_line(set: &Set) {
    use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
    // SAFETY: `_mm_prefetch` needs SSE, which every x86_64 processor has
    // (it is part of the target's baseline). A prefetch is only a hint: it
    // reads nothing into the program, cannot fault, and the address is
    // that of a live `Set` anyway.
    unsafe { _mm_prefetch::<_MM_HINT_T0>((set as *const Set).cast()) }
}

/// Elsewhere the lookup simply waits for the line.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch_line(_set: &Set) {}

/// Multiply-rotate over 8-byte chunks, then a final mix (the set index takes
/// the low bits), words and other tokens apart; and whether an E2 byte
/// occurs. The tail is read as
/// overlapping whole words, not copied into a buffer: a copy of a few bytes
/// followed by an 8-byte read of them stalls the processor.
fn hash(bytes: &[u8], is_word: bool) -> (u64, bool) {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let n = bytes.len();
    let mut h = n as u64 | if is_word { 0 } else { 1 << 32 };
    let mut e2 = 0;
    let mut mix = |v: u64| {
        h = (h.rotate_left(5) ^ v).wrapping_mul(K);
        e2 |= zero_bytes(v ^ repeat(0xE2));
    };
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        mix(u64_at(c, 0));
    }
    if !chunks.remainder().is_empty() {
        // Every byte of the tail is in the value (the short cases' unused
        // high bytes are 0).
        mix(match n {
            8.. => u64_at(bytes, n - 8),
            4.. => u64::from(u32_at(bytes, 0)) << 32 | u64::from(u32_at(bytes, n - 4)),
            _ => u64::from(bytes[0]) << 16 | u64::from(bytes[n / 2]) << 8 | u64::from(bytes[n - 1]),
        });
    }
    h ^= h >> 32;
    h = h.wrapping_mul(K);
    (h ^ (h >> 29), e2 != 0)
}

/// `a == b` for two words of the same length of at most [`MAX_WORD`] bytes,
/// in whole-word reads rather than a call to `memcmp`.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    match n {
        8.. => {
            (0..n - 8).step_by(8).all(|k| u64_at(a, k) == u64_at(b, k))
                && u64_at(a, n - 8) == u64_at(b, n - 8)
        }
        4.. => u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4),
        // The first, middle and last bytes are all of them (`a == b` would
        // call `memcmp`).
        1.. => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        0 => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn takes_the_words_it_should(
            word in "[a\\u0627\\u200D\\u2019\\u00E2\\u{1F44D}]{1,12}",
        ) {
            let cache = WordCache::new(8);
            let taken = word.len() <= MAX_WORD && !word.contains('\u{200D}');
            proptest::prop_assert_eq!(cache.set_of(word.as_bytes(), true) != NO_SET, taken);
        }

        #[test]
        fn compares_as_slices_do(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..=32),
            at: usize,
            to: u8,
        ) {
            let mut b = a.clone();
            if !b.is_empty() {
                let k = at % b.len();
                b[k] = to;
            }
            proptest::prop_assert!(same_bytes(&a, &a));
            proptest::prop_assert_eq!(same_bytes(&a, &b), a == b);
        }
    }

    impl WordCache {
        fn get_word(&mut self, word: &str) -> Option<Cached<'_>> {
            self.get(self.set_of(word.as_bytes(), true), word, true)
        }

        fn insert_word(&mut self, word: &str, cached: Cached<'_>) {
            self.insert(self.set_of(word.as_bytes(), true), word, true, cached);
        }
    }

    fn term(text: &str, normalized_len: usize, stem: StemAt) -> Cached<'_> {
        Cached::Term {
            patch_at: None,
            lowered: false,
            text,
            normalized_len,
            stem,
        }
    }

    /// The normalized form a hit gives for `word`, as the analyzer puts it together.
    fn rebuilt(word: &str, cached: Cached<'_>) -> String {
        let Cached::Term {
            patch_at,
            lowered,
            text,
            normalized_len,
            ..
        } = cached
        else {
            panic!("dropped");
        };
        let mut out = String::new();
        match patch_at {
            Some(at) => {
                out.push_str(&word[..at]);
                if lowered {
                    out.make_ascii_lowercase();
                }
                out.push_str(text);
                if at < word.len() {
                    out.push_str(&word[at + text.len()..]);
                }
            }
            None => out.push_str(text),
        }
        out.truncate(normalized_len);
        out
    }

    #[test]
    fn remembers_the_words_a_set_holds() {
        // One set: every word lands in it.
        let mut cache = WordCache::new(2);
        assert_eq!(cache.get_word("word"), None);
        let word = term("wordword", 4, StemAt::After);
        cache.insert_word("Wörd", word);
        assert_eq!(cache.get_word("Wörd"), Some(word));
        assert_eq!(cache.get_word("word"), None);
        cache.insert_word("the", Cached::Dropped);
        assert_eq!(cache.get_word("the"), Some(Cached::Dropped));
        assert_eq!(cache.get_word("Wörd"), Some(word));
        let arabic = term("سفاره", 10, StemAt::Slice(0, 8));
        // 18 + 8 + 17 bytes: the three words fit the set.
        cache.insert_word("سفارة", arabic);
        let patched = Cached::Term {
            patch_at: Some(8),
            lowered: false,
            text: "ه",
            normalized_len: 10,
            stem: StemAt::Slice(0, 8),
        };
        assert_eq!(cache.get_word("سفارة"), Some(patched));
        assert_eq!(cache.get_word("the"), Some(Cached::Dropped));
        assert_eq!(cache.get_word("Wörd"), Some(word));
        assert_eq!(cache.sets.len(), 1);
        // Short words: ten of six bytes.
        let mut cache = WordCache::new(2);
        let words = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        for w in words {
            cache.insert_word(w, Cached::Dropped);
        }
        for w in words {
            assert_eq!(cache.get_word(w), Some(Cached::Dropped), "{w}");
        }
        // The newest word replaces, at the back, the words found least
        // recently: `a` was, and `b` leaves room enough.
        cache.insert_word("abcdefghijk", Cached::Dropped);
        assert_eq!(cache.get_word("abcdefghijk"), Some(Cached::Dropped));
        assert_eq!(cache.get_word("a"), None);
        assert_eq!(cache.get_word("b"), None);
        for w in &words[2..] {
            assert_eq!(cache.get_word(w), Some(Cached::Dropped), "{w}");
        }
    }

    #[test]
    fn a_normalized_form_that_is_the_word_is_not_stored_again() {
        let mut cache = WordCache::new(2);
        cache.insert_word("embassies", term("embassiesembassi", 9, StemAt::After));
        let stored = Cached::Term {
            patch_at: Some(9),
            lowered: false,
            text: "embassi",
            normalized_len: 9,
            stem: StemAt::After,
        };
        assert_eq!(cache.get_word("embassies"), Some(stored));
        // 5 + 24 bytes fit in an entry; with the normalized form, 5 + 48 would
        // not.
        let long = "سفارتنااليوم";
        cache.insert_word(long, term(long, long.len(), StemAt::Slice(0, 10)));
        assert!(matches!(
            cache.get_word(long),
            Some(Cached::Term {
                patch_at: Some(_),
                text: "",
                ..
            })
        ));
    }

    /// A normalized form as long as the word keeps only the characters that differ, from
    /// the first to the last, when the stem is a slice of it: more words fit.
    #[test]
    fn a_normalized_form_as_long_as_the_word_keeps_what_differs() {
        for (word, normalized, stem, expected) in [
            (
                "السعودية",
                "السعوديه",
                StemAt::Slice(4, 14),
                Some((14, "ه")),
            ),
            ("الإسلام", "الاسلام", StemAt::Slice(4, 14), Some((4, "ا"))),
            ("Chopin", "chopin", StemAt::Slice(0, 6), Some((0, "c"))),
            (
                "#Digital_Diplomacy",
                "#digital_diplomacy",
                StemAt::Slice(0, 18),
                Some((1, "digital_d")),
            ),
            ("أإ", "اا", StemAt::Slice(0, 4), Some((0, "اا"))),
            // The stem after the normalized form: only when that is the word.
            ("Running", "running", StemAt::After, None),
            ("running", "running", StemAt::After, Some((7, ""))),
            // Not as long as the word.
            ("مُحمد", "محمد", StemAt::Slice(0, 8), None),
        ] {
            let found = patch(word, normalized, stem);
            assert_eq!(found, expected, "{word}");
            let mut cache = WordCache::new(2);
            let text = match stem {
                StemAt::After => format!("{normalized}run"),
                StemAt::Slice(..) => normalized.to_owned(),
            };
            cache.insert_word(word, term(&text, normalized.len(), stem));
            let hit = cache.get_word(word).expect("fits");
            assert_eq!(rebuilt(word, hit), normalized, "{word}");
        }
    }

    /// A normalized form that is the word lowercased keeps nothing of it: a hit lowercases
    /// the word.
    #[test]
    fn a_word_lowercased_is_stored_once() {
        let mut cache = WordCache::new(2);
        let url = "https://t.co/s7BDUAkHcG";
        let lower = "https://t.co/s7bduakhcg";
        cache.insert_word(url, term(lower, 23, StemAt::Slice(0, 23)));
        let hit = cache.get_word(url).expect("fits");
        assert!(matches!(
            hit,
            Cached::Term {
                lowered: true,
                text: "",
                ..
            }
        ));
        assert_eq!(rebuilt(url, hit), lower);
        // With the stem after it.
        cache.insert_word("Running", term("runningrun", 7, StemAt::After));
        let hit = cache.get_word("Running").expect("fits");
        assert!(matches!(
            hit,
            Cached::Term {
                lowered: true,
                text: "run",
                ..
            }
        ));
        assert_eq!(rebuilt("Running", hit), "running");
        // Not when more than ASCII case differs.
        cache.insert_word("Éa", term("éa", 3, StemAt::Slice(0, 3)));
        let hit = cache.get_word("Éa").expect("fits");
        assert!(matches!(hit, Cached::Term { lowered: false, .. }));
        assert_eq!(rebuilt("Éa", hit), "éa");
    }

    proptest::proptest! {
        /// Whatever the two texts, a hit gives the normalized form back.
        #[test]
        fn a_patched_entry_gives_the_normalized_form_back(
            word in "[aAbB\\u0627\\u0623\\u0629\\u0647\\u{1F44D}]{1,6}",
            normalized in "[aAbB\\u0627\\u0623\\u0629\\u0647\\u{1F44D}]{1,6}",
        ) {
            let mut cache = WordCache::new(2);
            let stem = StemAt::Slice(0, 0);
            cache.insert_word(&word, term(&normalized, normalized.len(), stem));
            if let Some(hit) = cache.get_word(&word) {
                proptest::prop_assert_eq!(rebuilt(&word, hit), normalized);
            }
        }
    }

    #[test]
    fn a_word_and_another_token_of_the_same_text_are_apart() {
        let mut cache = WordCache::new(2);
        let set = cache.set_of(b"2026", true);
        cache.insert(set, "2026", true, Cached::Dropped);
        assert_eq!(cache.get(set, "2026", true), Some(Cached::Dropped));
        let other = cache.set_of(b"2026", false);
        assert_eq!(cache.get(other, "2026", false), None);
        cache.insert(other, "2026", false, term("2026", 4, StemAt::Slice(0, 4)));
        assert_eq!(cache.get(set, "2026", true), Some(Cached::Dropped));
        assert!(matches!(
            cache.get(other, "2026", false),
            Some(Cached::Term {
                patch_at: Some(_),
                text: "",
                ..
            })
        ));
    }

    #[test]
    fn words_seen_once_do_not_push_out_words_seen_again() {
        // Entries of 25 bytes: two fit a set.
        let [often, a, b, c] = ["o", "a", "b", "c"].map(|w| w.repeat(20));
        let mut cache = WordCache::new(2);
        cache.insert_word(&often, Cached::Dropped);
        assert_eq!(cache.get_word(&often), Some(Cached::Dropped));
        for once in [&a, &b, &c] {
            cache.insert_word(once, Cached::Dropped);
        }
        assert_eq!(cache.get_word(&often), Some(Cached::Dropped));
        assert_eq!(cache.get_word(&c), Some(Cached::Dropped));
        assert_eq!(cache.get_word(&a), None);
        assert_eq!(cache.get_word(&b), None);
    }

    proptest::proptest! {
        /// Whatever words come in whatever order, the memo answers for a word
        /// what was stored for it, or nothing.
        #[test]
        fn answers_what_was_stored_or_nothing(
            ops in proptest::collection::vec((0usize..12, proptest::bool::ANY), 1..200),
        ) {
            let words: Vec<String> = (0..12).map(|k| "ab".repeat(k + 1)).collect();
            let mut cache = WordCache::new(4);
            for (k, insert) in ops {
                let w = &words[k];
                let stored = term(w, w.len(), StemAt::Slice(0, k % w.len()));
                match cache.get_word(w) {
                    Some(hit) => {
                        proptest::prop_assert_eq!(rebuilt(w, hit), w.clone());
                        let stem = matches!(
                            hit,
                            Cached::Term { stem: StemAt::Slice(0, e), .. } if e == k % w.len()
                        );
                        proptest::prop_assert!(stem);
                    }
                    None if insert => cache.insert_word(w, stored),
                    None => {}
                }
            }
        }
    }

    #[test]
    fn off_and_oversized() {
        assert_eq!(WordCache::new(0).set_of(b"a", true), NO_SET);
        let mut cache = WordCache::new(8);
        assert_eq!(
            cache.set_of("a".repeat(MAX_WORD + 1).as_bytes(), false),
            NO_SET
        );
        assert_eq!(cache.set_of("a\u{200D}b".as_bytes(), false), NO_SET);
        assert_ne!(cache.set_of("a\u{2019}b".as_bytes(), true), NO_SET);
        let long = "x".repeat(SLOT);
        cache.insert_word("x", term(&long, 1, StemAt::After));
        assert_eq!(cache.get_word("x"), None);
    }
}
