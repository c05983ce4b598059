//! Text to hashed sparse features: word unigrams and bigrams, character n-grams
//! inside words, negation scope and emoji, all on normalized text.
//!
//! Hashing is FNV-1a (64 bit) folded to `bits`: stable across platforms and
//! releases, so a model file keeps meaning the same features.

use crate::normalize::{NormalizeOptions, normalize_with};
use crate::tokenize::{TokenKind, tokenize_into};

/// How a model turns text into features; stored in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureConfig {
    /// Hash space is `2^bits`.
    pub bits: u8,
    /// Shortest and longest character n-gram (inside a word padded with spaces);
    /// both 0: no character n-grams.
    pub char_min: u8,
    pub char_max: u8,
    /// Words after a negator that get a negated copy of their unigram.
    pub negation_window: u8,
}

impl FeatureConfig {
    pub const DEFAULT: FeatureConfig = FeatureConfig {
        bits: 18,
        char_min: 2,
        char_max: 5,
        negation_window: 3,
    };

    pub fn dim(&self) -> usize {
        1 << self.bits
    }
}

/// A sparse, L2-normalized feature vector (sorted indices, no duplicates).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Features {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

const NS_WORD: u8 = 1;
const NS_BIGRAM: u8 = 2;
const NS_CHAR: u8 = 3;
const NS_NEGATED: u8 = 4;
const NS_EMOJI: u8 = 5;
const NS_SHAPE: u8 = 6;

/// Negators of Modern Standard Arabic, the main dialects and English, in the
/// normalized spelling the tokens have when they are compared.
const NEGATORS: &[&str] = &[
    "لا", "ما", "لم", "لن", "ليس", "ليست", "مش", "مو", "مب", "مهو", "ماهو", "مافي", "مفيش", "بدون",
    "غير", "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "cant", "wont",
    "cannot", "nothing", "nor", "without", "aint", "havent", "arent", "couldnt", "shouldnt",
    "wouldnt",
];

/// Bytes of the longest negator: longer words skip the list.
const LONGEST_NEGATOR: usize = 8;

#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Word(&'a str),
    Emoji(&'a str),
    Mark(char),
}

/// Extracts the features of `text`.
pub fn extract(text: &str, config: &FeatureConfig) -> Features {
    let mut normalized = normalize_with(text, &NormalizeOptions::social());
    // don't → dont: an apostrophe does not split a word.
    normalized.retain(|c| !matches!(c, '\'' | '’'));
    let pieces = pieces(&normalized);
    let mut hashes: Vec<u32> = Vec::with_capacity(text.len() * 4);
    let mask = (config.dim() - 1) as u64;
    let mut push = |h: u64| hashes.push((fold(h) & mask) as u32);

    let words: Vec<&str> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Word(w) => Some(*w),
            _ => None,
        })
        .collect();

    let mut bounds = Vec::with_capacity(32);
    let mut negation_left = 0u8;
    for (i, word) in words.iter().enumerate() {
        push(hash_str(NS_WORD, word));
        let prev = if i == 0 { "^" } else { words[i - 1] };
        push(hash_pair(NS_BIGRAM, prev, word));
        if negation_left > 0 {
            push(hash_str(NS_NEGATED, word));
            negation_left -= 1;
        }
        if word.len() <= LONGEST_NEGATOR && NEGATORS.contains(word) {
            negation_left = config.negation_window;
        }
        if config.char_max > 0 {
            char_ngrams(word, config, &mut bounds, &mut push);
        }
    }
    if let Some(last) = words.last() {
        push(hash_pair(NS_BIGRAM, last, "$"));
    }
    for piece in &pieces {
        match piece {
            Piece::Emoji(e) => push(hash_str(NS_EMOJI, e)),
            Piece::Mark(c) => {
                let mut buf = [0u8; 4];
                push(hash_str(NS_SHAPE, c.encode_utf8(&mut buf)));
            }
            Piece::Word(_) => {}
        }
    }
    finish(hashes)
}

fn finish(mut hashes: Vec<u32>) -> Features {
    sort_hashes(&mut hashes);
    let mut features = Features {
        indices: Vec::with_capacity(hashes.len()),
        values: Vec::with_capacity(hashes.len()),
    };
    for h in hashes {
        if features.indices.last() == Some(&h) {
            if let Some(v) = features.values.last_mut() {
                *v += 1.0;
            }
        } else {
            features.indices.push(h);
            features.values.push(1.0);
        }
    }
    // Dampen repeats, then scale to unit length so long and short posts weigh alike.
    for v in &mut features.values {
        if *v > 1.0 {
            *v = 1.0 + v.ln();
        }
    }
    let norm = features.values.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for v in &mut features.values {
            *v /= norm;
        }
    }
    features
}

/// Sorts ascending: by radix (8 bits a pass, passes where every hash has the
/// same digit skipped) when there are enough hashes for it to pay, else by
/// comparison. Equal `u32`s are indistinguishable, so both give the same order.
fn sort_hashes(hashes: &mut Vec<u32>) {
    if hashes.len() < 128 {
        hashes.sort_unstable();
        return;
    }
    let mut other = vec![0u32; hashes.len()];
    for shift in [0, 8, 16, 24] {
        let mut counts = [0usize; 256];
        for &h in hashes.iter() {
            counts[(h >> shift) as usize & 0xFF] += 1;
        }
        if counts.contains(&hashes.len()) {
            continue;
        }
        let mut at = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = at;
            at += n;
        }
        for &h in hashes.iter() {
            let digit = (h >> shift) as usize & 0xFF;
            other[counts[digit]] = h;
            counts[digit] += 1;
        }
        std::mem::swap(hashes, &mut other);
    }
}

fn char_ngrams(
    word: &str,
    config: &FeatureConfig,
    bounds: &mut Vec<usize>,
    push: &mut impl FnMut(u64),
) {
    // The word padded with spaces, as bytes, and where each character starts:
    // every n-gram starting at one character extends the hash of the one before.
    let padded_len = word.len() + 2;
    bounds.clear();
    bounds.push(0);
    bounds.extend(word.char_indices().map(|(i, _)| i + 1));
    bounds.push(padded_len - 1);
    bounds.push(padded_len);
    let byte = |i: usize| {
        if i == 0 || i == padded_len - 1 {
            b' '
        } else {
            word.as_bytes()[i - 1]
        }
    };
    let chars = bounds.len() - 1;
    let (min, max) = (config.char_min as usize, config.char_max as usize);
    for first in 0..chars {
        let mut h = start(NS_CHAR);
        for n in 1..=max.min(chars - first) {
            for i in bounds[first + n - 1]..bounds[first + n] {
                h = feed(h, &[byte(i)]);
            }
            if n >= min {
                push(h);
            }
        }
    }
}

/// Splits normalized text into words, emoji and the marks that carry tone, with
/// the crate's tokenizer. URLs, e-mail addresses and mentions become placeholder
/// words; a hashtag counts as its parts (split on `_`).
fn pieces(normalized: &str) -> Vec<Piece<'_>> {
    // About a token for every four bytes: one allocation, no regrowth.
    let mut tokens = Vec::with_capacity(normalized.len() / 4 + 4);
    tokenize_into(normalized, &mut tokens);
    let mut out = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let text = token.text(normalized);
        match token.kind {
            TokenKind::Word | TokenKind::Number | TokenKind::HashtagPart => {
                out.push(Piece::Word(text));
            }
            TokenKind::Hashtag => {
                let has_parts = tokens
                    .get(i + 1)
                    .is_some_and(|next| next.kind == TokenKind::HashtagPart);
                let body = text.trim_start_matches('#');
                if !has_parts && !body.is_empty() {
                    out.push(Piece::Word(body));
                }
            }
            TokenKind::Url => out.push(Piece::Word("<url>")),
            TokenKind::Email => out.push(Piece::Word("<email>")),
            TokenKind::Mention => out.push(Piece::Word("<user>")),
            TokenKind::Emoji => out.push(Piece::Emoji(text)),
            TokenKind::Punct => {
                if let Some(c @ ('!' | '?' | '؟')) = text.chars().next() {
                    out.push(Piece::Mark(c));
                }
            }
        }
    }
    out
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn start(namespace: u8) -> u64 {
    feed(FNV_OFFSET, &[namespace])
}

fn feed(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

fn hash_str(namespace: u8, s: &str) -> u64 {
    feed(start(namespace), s.as_bytes())
}

fn hash_pair(namespace: u8, a: &str, b: &str) -> u64 {
    let h = feed(start(namespace), a.as_bytes());
    feed(feed(h, &[0xff]), b.as_bytes())
}

/// FNV's low bits mix poorly; fold the high half in before masking.
fn fold(h: u64) -> u64 {
    let h = h ^ (h >> 29);
    let h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negators_fit_the_length_filter() {
        assert!(NEGATORS.iter().all(|n| n.len() <= LONGEST_NEGATOR));
        assert!(NEGATORS.iter().any(|n| n.len() == LONGEST_NEGATOR));
    }

    proptest::proptest! {
        #[test]
        fn radix_sort_agrees_with_the_comparison_sort(
            mut hashes in proptest::collection::vec(proptest::num::u32::ANY, 0..600),
            bits in 8u32..=32,
        ) {
            for h in &mut hashes {
                *h = h.checked_shr(32 - bits).unwrap_or(0);
            }
            let mut expected = hashes.clone();
            expected.sort_unstable();
            sort_hashes(&mut hashes);
            proptest::prop_assert_eq!(hashes, expected);
        }
    }

    #[test]
    fn urls_mentions_and_hashtags_become_words() {
        let normalized = normalize_with(
            "@user شكرا https://t.co/x #السفارة_الجديدة 😍!",
            &NormalizeOptions::social(),
        );
        let p = pieces(&normalized);
        assert_eq!(
            p,
            vec![
                Piece::Word("<user>"),
                Piece::Word("شكرا"),
                Piece::Word("<url>"),
                Piece::Word("السفاره"),
                Piece::Word("الجديده"),
                Piece::Emoji("😍"),
                Piece::Mark('!'),
            ]
        );
    }

    #[test]
    fn features_are_unit_length_and_sorted() {
        let f = extract("خدمة ممتازة جدا جدا", &FeatureConfig::DEFAULT);
        assert!(f.indices.windows(2).all(|w| w[0] < w[1]));
        let norm: f32 = f.values.iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-4);
        assert!(
            f.indices
                .iter()
                .all(|&i| (i as usize) < FeatureConfig::DEFAULT.dim())
        );
    }

    #[test]
    fn negation_changes_the_features() {
        let plain = extract("good service", &FeatureConfig::DEFAULT);
        let negated = extract("not good service", &FeatureConfig::DEFAULT);
        let extra = negated
            .indices
            .iter()
            .filter(|i| !plain.indices.contains(i))
            .count();
        // "not" itself, its n-grams and bigrams, plus the negated copies.
        assert!(extra > 5);
    }

    #[test]
    fn without_character_n_grams_a_word_is_its_unigram_and_bigrams() {
        let words_only = FeatureConfig {
            char_min: 0,
            char_max: 0,
            ..FeatureConfig::DEFAULT
        };
        // `good`, `^ good`, `good $`.
        assert_eq!(extract("good", &words_only).indices.len(), 3);
        assert!(extract("good", &FeatureConfig::DEFAULT).indices.len() > 3);
    }

    #[test]
    fn empty_text_has_no_features() {
        assert_eq!(extract("", &FeatureConfig::DEFAULT), Features::default());
        assert_eq!(
            extract("   \n", &FeatureConfig::DEFAULT),
            Features::default()
        );
    }
}
