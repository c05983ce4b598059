//! Stemmers: Arabic light10 (Lucene-compatible) and the Snowball stemmers
//! for Arabic and English (the `rust-stemmers` implementations tantivy ships).

pub mod light10;

use rust_stemmers::{Algorithm, Stemmer};
use std::borrow::Cow;
use std::sync::OnceLock;

/// Which stemmer to use for Arabic-script words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArabicStemmer {
    /// Light10 as in Lucene's `ArabicStemmer`: strips a few prefixes and
    /// suffixes, keeps the word recognisable. The default.
    #[default]
    Light10,
    /// Snowball Arabic: more aggressive, merges more inflected forms.
    Snowball,
    /// No stemming.
    None,
}

fn snowball(algorithm: Algorithm) -> &'static Stemmer {
    static ARABIC: OnceLock<Stemmer> = OnceLock::new();
    static ENGLISH: OnceLock<Stemmer> = OnceLock::new();
    match algorithm {
        Algorithm::Arabic => ARABIC.get_or_init(|| Stemmer::create(Algorithm::Arabic)),
        _ => ENGLISH.get_or_init(|| Stemmer::create(Algorithm::English)),
    }
}

/// Snowball Arabic on a normalized word.
pub fn snowball_arabic(word: &str) -> Cow<'_, str> {
    snowball(Algorithm::Arabic).stem(word)
}

/// Snowball English ("Porter2") on a lowercased word.
pub fn snowball_english(word: &str) -> Cow<'_, str> {
    snowball(Algorithm::English).stem(word)
}

/// Stems a normalized word: Arabic-script words with `arabic`, words in
/// Latin letters with Snowball English, anything else unchanged.
pub fn stem<'a>(word: &'a str, arabic: ArabicStemmer) -> Cow<'a, str> {
    let Some(first) = word.chars().find(|&c| crate::script::is_letter(c)) else {
        return Cow::Borrowed(word);
    };
    if crate::script::is_arabic_letter(first) {
        match arabic {
            ArabicStemmer::Light10 => Cow::Borrowed(light10::stem(word)),
            ArabicStemmer::Snowball => snowball_arabic(word),
            ArabicStemmer::None => Cow::Borrowed(word),
        }
    } else if first.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&first) {
        snowball_english(word)
    } else {
        Cow::Borrowed(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_stemmer_by_script() {
        assert_eq!(stem("الدبلوماسيه", ArabicStemmer::Light10), "دبلوماس");
        assert_eq!(stem("embassies", ArabicStemmer::Light10), "embassi");
        assert_eq!(stem("running", ArabicStemmer::None), "run");
        assert_eq!(stem("москва", ArabicStemmer::Light10), "москва");
        assert_eq!(stem("2026", ArabicStemmer::Light10), "2026");
    }

    #[test]
    fn snowball_arabic_strips_the_article() {
        assert_eq!(stem("الكتاب", ArabicStemmer::Snowball), "كتاب");
        assert_eq!(stem("سفارات", ArabicStemmer::Light10), "سفار");
    }
}
