//! Language identification for ar, en, fr, fa, ur, es, de, ru, tr and zh.
//!
//! Script first, statistics second: letters are counted per script, scripts that
//! belong to one supported language (Cyrillic, Han) decide alone, Arabic-script text
//! is split into Arabic, Persian and Urdu by letters only those languages use, and
//! only what stays ambiguous goes to lingua's statistics, restricted to that script's
//! languages. Those statistics are computed here on lingua's own n-gram models loaded
//! into hash tables (module `ngrams`), with the same answers as lingua and several times
//! faster; lingua itself is asked only for text outside the tables' script.

use std::fmt;
use std::sync::OnceLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

mod ngrams;

/// A language the detector can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    Ar,
    En,
    Fr,
    Fa,
    Ur,
    Es,
    De,
    Ru,
    Tr,
    Zh,
}

impl Lang {
    /// Every supported language, in a fixed order.
    pub const ALL: [Lang; 10] = [
        Lang::Ar,
        Lang::En,
        Lang::Fr,
        Lang::Fa,
        Lang::Ur,
        Lang::Es,
        Lang::De,
        Lang::Ru,
        Lang::Tr,
        Lang::Zh,
    ];

    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Fa => "fa",
            Lang::Ur => "ur",
            Lang::Es => "es",
            Lang::De => "de",
            Lang::Ru => "ru",
            Lang::Tr => "tr",
            Lang::Zh => "zh",
        }
    }

    /// Parses an ISO 639-1 code.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    fn to_lingua(self) -> Language {
        match self {
            Lang::Ar => Language::Arabic,
            Lang::En => Language::English,
            Lang::Fr => Language::French,
            Lang::Fa => Language::Persian,
            Lang::Ur => Language::Urdu,
            Lang::Es => Language::Spanish,
            Lang::De => Language::German,
            Lang::Ru => Language::Russian,
            Lang::Tr => Language::Turkish,
            Lang::Zh => Language::Chinese,
        }
    }

    fn from_lingua(language: Language) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.to_lingua() == language)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Presentation forms and ligatures (text from PDFs, ﷲ, ﬁ) and full-width Latin read as the
/// letters they stand for (NFKC); all of them are encoded from U+F000 on, whose UTF-8 starts
/// with EF, so other text is returned as it is without a look at its characters.
fn fold_compat(text: &str) -> std::borrow::Cow<'_, str> {
    if text.as_bytes().contains(&0xEF)
        && text
            .chars()
            .any(|c| matches!(c, '\u{FB00}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' | '\u{FF01}'..='\u{FF5E}'))
    {
        use unicode_normalization::UnicodeNormalization;
        std::borrow::Cow::Owned(text.nfkc().collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Detects the language of `text` with a confidence in `(0, 1]`.
///
/// Returns `None` when the text has no letters, or when most of its letters are in a
/// script none of the supported languages uses (Greek, Hangul, kana, …).
pub fn detect(text: &str) -> Option<(Lang, f64)> {
    let text = fold_compat(text);
    let letters = ScriptLetters::collect(&text);
    let (script, share) = letters.dominant()?;
    let (lang, confidence) = match script {
        Script::Arabic => detect_arabic_script(&letters.arabic, letters.marks),
        Script::Latin => match function_word_vote(&letters.latin) {
            Some(vote) => vote,
            None => detect_with(Detector::Latin, &letters.latin)?,
        },
        Script::Cyrillic => (Lang::Ru, 1.0),
        Script::Han => (Lang::Zh, 1.0),
        Script::Other => return None,
    };
    Some((lang, confidence * share))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    Arabic,
    Latin,
    Cyrillic,
    Han,
    Other,
}

fn script_of(c: char) -> Option<Script> {
    // Harakat and tatweel count as letters for Unicode, but spell nothing.
    if !crate::script::is_alphabetic(c) || crate::script::is_mark(c) || c == crate::script::TATWEEL
    {
        return None;
    }
    let script = match c {
        'a'..='z' | 'A'..='Z' => Script::Latin,
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Script::Latin,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}' => Script::Arabic,
        '\u{0400}'..='\u{052F}' => Script::Cyrillic,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}' => Script::Han,
        _ => Script::Other,
    };
    Some(script)
}

/// Calls `each(c, script, in_hashtag)` for every character of `text` that may carry its
/// language, in order, and `each(' ', None, false)` between words. Left out: links
/// (`https://`, `http://`, `www.` where the tokenizer starts one: at the start of a word, or
/// right after an Arabic word, an emoji or a sign, as in `العالمhttps://t.co/…` or
/// `😂https://…`, up to the next space), @mentions, and words holding an e-mail address. Characters of a #hashtag come
/// with `in_hashtag` set. `script` is `None` for a character that is not a letter.
pub(crate) fn for_each_letter(text: &str, mut each: impl FnMut(char, Option<Script>, bool)) {
    for token in text.split_whitespace() {
        each(' ', None, false);
        match email_span(token) {
            // An e-mail address (or a fediverse handle): the words glued to it still count
            // (`راسلوناinfo@mofa.gov.sa`).
            Some((start, end)) => {
                token_letters(&token[..start], &mut each);
                each(' ', None, false);
                token_letters(&token[end..], &mut each);
            }
            None => token_letters(token, &mut each),
        }
    }
}

/// Where an e-mail address sits in a word: its local part (ASCII letters, digits and
/// `._%+-`) before an `@`, and after it a host with a dot (`info@mofa.gov.sa`). A word with an
/// `@` but no dotted host after it (`great.@embassy`) holds none.
fn email_span(token: &str) -> Option<(usize, usize)> {
    let local = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let bytes = token.as_bytes();
    // The first `@` with a local part before it: in a fediverse handle (`@user@host.social`)
    // the second one.
    token.match_indices('@').find_map(|(at, _)| {
        let start = bytes[..at]
            .iter()
            .rposition(|b| !local(b))
            .map_or(0, |i| i + 1);
        let host = bytes[at + 1..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')))
            .map_or(bytes.len(), |i| at + 1 + i);
        let host_text = token[at + 1..host].trim_end_matches(['.', '-']);
        (start < at && host_text.contains('.')).then(|| (start, at + 1 + host_text.len()))
    })
}

/// [`for_each_letter`] within one word.
fn token_letters(token: &str, each: &mut impl FnMut(char, Option<Script>, bool)) {
    {
        let mut in_hashtag = false;
        let mut prev: Option<char> = None;
        let mut chars = token.char_indices().peekable();
        while let Some((k, c)) = chars.next() {
            // Asked only of `@` and `#`: `is_alphanumeric` searches Unicode's tables.
            let after_word = || prev.is_some_and(|p| p.is_alphanumeric() || p == '_');
            // Most h and w are inside Latin words, where no link starts: the test of the
            // character before rules them out first (the same answer the tokenizer's rule
            // gives there, found for less).
            if matches!(c, 'h' | 'H' | 'w' | 'W')
                && !prev.is_some_and(|p| p.is_ascii_alphanumeric())
                && crate::tokenize::url_scheme(&token[k..]).is_some()
                && crate::tokenize::link_may_start_after(&token[..k])
            {
                break;
            }
            if c == '@' && !after_word() {
                // A handle is ASCII letters, digits and `_` (a fediverse one adds its host).
                while chars
                    .next_if(|&(_, n)| n.is_ascii_alphanumeric() || matches!(n, '_' | '@' | '-'))
                    .is_some()
                {}
                prev = Some('@');
                in_hashtag = false;
                each(' ', None, false);
                continue;
            }
            // A tag starts after anything but a word, or right after another tag (glued
            // trending tags, `#السعودية#الرياض`), as the tokenizer reads them.
            if c == '#' && (!after_word() || in_hashtag) {
                in_hashtag = true;
                prev = Some(c);
                each(' ', None, false);
                continue;
            }
            let script = script_of(c);
            if script.is_none()
                && !(c == '_'
                    || crate::script::is_digit(c)
                    || crate::script::is_mark(c)
                    || c == crate::script::TATWEEL)
            {
                in_hashtag = false;
            }
            each(c, script, in_hashtag);
            prev = Some(c);
        }
    }
}

/// Letters counted per script, outside hashtags and inside them.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ScriptCounts {
    text: [usize; 5],
    hashtags: [usize; 5],
}

impl ScriptCounts {
    fn add(&mut self, script: Script, in_hashtag: bool) {
        if in_hashtag {
            self.hashtags[script as usize] += 1;
        } else {
            self.text[script as usize] += 1;
        }
    }

    /// The letters of `text` per script: [`for_each_letter`]'s letters, full-width Latin and
    /// presentation forms read as the letters they stand for, as [`detect`] reads them.
    pub(crate) fn of(text: &str) -> Self {
        let mut counts = ScriptCounts::default();
        for_each_letter(&fold_compat(text), |_, script, in_hashtag| {
            if let Some(script) = script {
                counts.add(script, in_hashtag);
            }
        });
        counts
    }

    /// The counts that choose the script, in quarter letters: a letter outside hashtags
    /// weighs four times one inside, so a Latin trending tag on an Arabic post
    /// (`#MannequinChallenge ذليتونا ترا`) does not make it Latin, while a post of
    /// hashtags alone, or one long hashtag and a few stray letters, is read by its tags.
    pub(crate) fn voting(&self) -> [usize; 5] {
        std::array::from_fn(|i| 4 * self.text[i] + self.hashtags[i])
    }

    /// How many of [`ScriptCounts::voting`]'s letters are in `script`.
    pub(crate) fn voting_in(&self, script: Script) -> usize {
        self.voting()[script as usize]
    }
}

/// The words of a text regrouped by script (see [`for_each_letter`] for what is left out).
#[derive(Debug, Default)]
struct ScriptLetters {
    arabic: String,
    latin: String,
    counts: ScriptCounts,
    marks: ArabicScriptMarks,
}

impl ScriptLetters {
    fn collect(text: &str) -> Self {
        let mut letters = ScriptLetters {
            arabic: String::with_capacity(text.len()),
            ..ScriptLetters::default()
        };
        let mut arabic_open = false;
        let mut latin_open = false;
        for_each_letter(text, |c, script, in_hashtag| {
            let Some(script) = script else {
                arabic_open = false;
                latin_open = false;
                return;
            };
            letters.counts.add(script, in_hashtag);
            match script {
                Script::Arabic => {
                    letters.marks.count(c);
                    push_letter(&mut letters.arabic, &mut arabic_open, c);
                    latin_open = false;
                }
                Script::Latin => {
                    push_letter(&mut letters.latin, &mut latin_open, c);
                    arabic_open = false;
                }
                _ => {
                    arabic_open = false;
                    latin_open = false;
                }
            }
        });
        letters
    }

    /// The script with the most letters (a Han character weighs two letters, since
    /// one carries about as much as a short word) and its share of all letters; a
    /// hashtag's letters weigh a quarter ([`ScriptCounts::voting`]).
    fn dominant(&self) -> Option<(Script, f64)> {
        let counts = self.counts.voting();
        let weight = |script: Script| {
            let count = counts[script as usize];
            if script == Script::Han {
                count * 2
            } else {
                count
            }
        };
        let scripts = [
            Script::Arabic,
            Script::Latin,
            Script::Cyrillic,
            Script::Han,
            Script::Other,
        ];
        let total: usize = scripts.iter().map(|&s| weight(s)).sum();
        if total == 0 {
            return None;
        }
        let best = scripts
            .into_iter()
            .max_by_key(|&s| (weight(s), std::cmp::Reverse(s as usize)))?;
        Some((best, weight(best) as f64 / total as f64))
    }
}

fn push_letter(buffer: &mut String, open: &mut bool, c: char) {
    if !*open && !buffer.is_empty() {
        buffer.push(' ');
    }
    *open = true;
    buffer.push(c);
}

/// Frequent function words that belong to one of the Latin-script languages only
/// (words shared by two of them, like `la`, `de`, `que`, `en`, are left out).
const FUNCTION_WORDS: [(Lang, &[&str]); 5] = [
    (
        Lang::En,
        &[
            "the", "and", "of", "to", "is", "that", "it", "was", "for", "with", "are", "this",
            "have", "you", "not", "be", "on", "by", "they", "we", "he", "she", "his", "from",
        ],
    ),
    (
        Lang::Fr,
        &[
            "le", "les", "et", "des", "est", "une", "du", "qui", "dans", "pour", "pas", "sur",
            "au", "avec", "il", "elle", "nous", "vous", "sont", "ce", "cette", "aux", "mais",
        ],
    ),
    (
        Lang::Es,
        &[
            "el", "los", "las", "y", "del", "por", "con", "una", "para", "su", "como", "pero",
            "muy", "lo", "al", "fue", "está", "más", "sus", "entre", "también",
        ],
    ),
    (
        Lang::De,
        &[
            "der", "und", "das", "ist", "nicht", "ein", "eine", "den", "dem", "zu", "mit", "sich",
            "auf", "für", "von", "auch", "ich", "wir", "wird", "im", "werden", "nach",
        ],
    ),
    (
        Lang::Tr,
        &[
            "ve", "bir", "bu", "için", "ile", "çok", "daha", "olarak", "gibi", "ama", "var",
            "değil", "olan", "kadar", "sonra", "ise", "göre", "her", "şey", "olduğu",
        ],
    ),
];

/// Decides a Latin-script text without n-gram statistics when its function words
/// leave no doubt: at least four of them, all from one language. The n-gram
/// statistics are slower and are needed only for short or ambiguous text.
fn function_word_vote(text: &str) -> Option<(Lang, f64)> {
    let mut hits = [0usize; 5];
    for word in text.split_whitespace() {
        if word.len() > 8 {
            continue;
        }
        let lower = word.to_lowercase();
        for (n, (_, words)) in FUNCTION_WORDS.iter().enumerate() {
            if words.contains(&lower.as_str()) {
                hits[n] += 1;
            }
        }
    }
    let (best, &count) = hits.iter().enumerate().max_by_key(|&(_, c)| *c)?;
    let total: usize = hits.iter().sum();
    (count >= 4 && count == total).then_some((FUNCTION_WORDS[best].0, 1.0))
}

/// Arabic-script letters that tell the three languages apart.
#[derive(Debug, Default, Clone, Copy)]
struct ArabicScriptMarks {
    /// Letters only Urdu uses among the supported languages.
    urdu: usize,
    /// Letters Persian and Urdu use and Arabic does not (keheh and Farsi yeh
    /// included: Arabic writes ك and ي).
    persian_urdu: usize,
    /// Letters Arabic writes where Persian and Urdu use another form, or not at all.
    arabic: usize,
}

impl ArabicScriptMarks {
    fn count(&mut self, c: char) {
        match c {
            'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ۓ' | 'ہ' | 'ۃ' | 'ھ' => self.urdu += 1,
            'پ' | 'چ' | 'ژ' | 'گ' | 'ک' | 'ی' | 'ۀ' => self.persian_urdu += 1,
            'ي' | 'ك' | 'ة' | 'ى' => self.arabic += 1,
            _ => {}
        }
    }
}

fn detect_arabic_script(text: &str, marks: ArabicScriptMarks) -> (Lang, f64) {
    let ArabicScriptMarks {
        urdu,
        persian_urdu,
        arabic,
    } = marks;

    if urdu > 0 && urdu + persian_urdu > arabic {
        return (Lang::Ur, 1.0);
    }
    if arabic > 0 && persian_urdu == 0 {
        return (Lang::Ar, 1.0);
    }
    if persian_urdu > 0 && arabic == 0 {
        // Arabic typed on a Persian keyboard (ی and ک for ي and ك) keeps the article:
        // a third of Arabic words carry it, Persian and Urdu words almost never.
        if has_arabic_article_profile(text) {
            return (Lang::Ar, 1.0);
        }
        // Persian or Urdu: long enough Urdu text almost always shows one of its own
        // letters, short text needs the statistics.
        if text
            .chars()
            .filter(|&c| crate::script::is_alphabetic(c))
            .count()
            >= 40
        {
            return (Lang::Fa, 1.0);
        }
        return detect_with(Detector::PersianUrdu, text).unwrap_or((Lang::Fa, 0.5));
    }
    // Neither or both sets present: the statistics decide among the three.
    detect_with(Detector::ArabicScript, text).unwrap_or((Lang::Ar, 0.5))
}

fn has_arabic_article_profile(text: &str) -> bool {
    const ARTICLE_PREFIXES: [&str; 6] = ["ال", "وال", "بال", "فال", "كال", "لل"];
    let words: Vec<&str> = text.split_whitespace().collect();
    let with_article = words
        .iter()
        .filter(|word| {
            ARTICLE_PREFIXES.iter().any(|prefix| {
                word.starts_with(prefix) && word.chars().count() > prefix.chars().count() + 1
            })
        })
        .count();
    words.len() >= 3 && with_article * 5 >= words.len() * 2
}

fn detect_with(detector: Detector, text: &str) -> Option<(Lang, f64)> {
    let values = detector.confidence_values(text);
    let (language, confidence) = values.first()?;
    if *confidence <= 0.0 {
        return None;
    }
    Some((Lang::from_lingua(*language)?, *confidence))
}

/// The three language subsets lingua decides among.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detector {
    /// English, French, Spanish, German, Turkish.
    Latin,
    /// Arabic, Persian, Urdu.
    ArabicScript,
    /// Persian, Urdu.
    PersianUrdu,
}

impl Detector {
    fn languages(self) -> &'static [Language] {
        match self {
            Detector::Latin => &[
                Language::English,
                Language::French,
                Language::Spanish,
                Language::German,
                Language::Turkish,
            ],
            Detector::ArabicScript => &[Language::Arabic, Language::Persian, Language::Urdu],
            Detector::PersianUrdu => &[Language::Persian, Language::Urdu],
        }
    }

    /// lingua's `compute_language_confidence_values` for this subset: computed on the
    /// n-gram tables of [`ngrams`] when the text is in their script (all text
    /// [`detect`] passes on is), by lingua itself otherwise.
    fn confidence_values(self, text: &str) -> Vec<(Language, f64)> {
        let models = self.models();
        models
            .confidence_values(text, models.set_of(self.languages()))
            .unwrap_or_else(|| self.lingua().compute_language_confidence_values(text))
    }

    fn models(self) -> &'static ngrams::Models {
        match self {
            Detector::Latin => ngrams::latin(),
            Detector::ArabicScript | Detector::PersianUrdu => ngrams::arabic_script(),
        }
    }

    /// lingua's detector for this subset, built at first use.
    fn lingua(self) -> &'static LanguageDetector {
        static LATIN: OnceLock<LanguageDetector> = OnceLock::new();
        static ARABIC_SCRIPT: OnceLock<LanguageDetector> = OnceLock::new();
        static PERSIAN_URDU: OnceLock<LanguageDetector> = OnceLock::new();
        let cell = match self {
            Detector::Latin => &LATIN,
            Detector::ArabicScript => &ARABIC_SCRIPT,
            Detector::PersianUrdu => &PERSIAN_URDU,
        };
        cell.get_or_init(|| {
            LanguageDetectorBuilder::from_languages(self.languages())
                .with_preloaded_language_models()
                .build()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang_of(text: &str) -> Option<Lang> {
        detect(text).map(|(lang, _)| lang)
    }

    #[test]
    fn short_posts_in_each_language() {
        let cases = [
            ("السفارة مغلقة يوم الجمعة", Lang::Ar),
            ("The embassy is closed on Friday", Lang::En),
            ("L'ambassade est fermée vendredi", Lang::Fr),
            ("سفارت روز جمعه تعطیل است", Lang::Fa),
            ("سفارت خانہ جمعہ کو بند ہے", Lang::Ur),
            ("La embajada está cerrada el viernes", Lang::Es),
            ("Die Botschaft ist am Freitag geschlossen", Lang::De),
            ("Посольство закрыто в пятницу", Lang::Ru),
            ("Büyükelçilik cuma günü kapalı", Lang::Tr),
            ("大使馆周五关闭", Lang::Zh),
        ];
        for (text, expected) in cases {
            assert_eq!(lang_of(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn marks_alone_have_no_language_and_presentation_forms_read_as_letters() {
        for text in [
            "\u{064E}",
            "\u{0651}",
            "\u{064B}\u{064C}",
            "ـــ",
            "\u{064E}".repeat(1000).as_str(),
        ] {
            assert_eq!(detect(text), None, "{text:?}");
        }
        for text in [
            "ﻣﺎ ﺷﺎء ﺍﻟﻠﻪ",
            "ما شاء الله",
            "محمد ﷺ",
            "ﺍﻟﺴﻔﺎﺭﺓ ﻣﻐﻠﻘﺔ ﻳﻮﻡ ﺍﻟﺠﻤﻌﺔ",
        ] {
            assert_eq!(lang_of(text), Some(Lang::Ar), "{text}");
        }
        assert_eq!(
            lang_of("Ｔｈｅ ｅｍｂａｓｓｙ ｉｓ ｃｌｏｓｅｄ"),
            Some(Lang::En)
        );
    }

    #[test]
    fn arabic_tweet_with_english_hashtag_and_link_stays_arabic() {
        let text = "شكرا للسفارة على سرعة الرد #travel https://t.co/abc @embassy";
        assert_eq!(lang_of(text), Some(Lang::Ar));
    }

    #[test]
    fn links_mentions_and_trending_tags_do_not_outvote_the_text() {
        // Arabic posts as they come (ArSarcasm-v2 training tweets): links glued to a word or
        // an emoji, Latin trending tags, a mention glued to a hashtag.
        for text in [
            "سوكجين😭😭https://t.co/mM0sE3MshD",
            "مين جرب اللعبة؟ https://t.co/XgV2kbE1hc #SuperMarioRun https://t.co/p1kZ2BndYH",
            "قناة أناشيد على التلغرامhttps://t.co/kgbafOyt8tفيسبوكhttps://t.co/PcUZqkDJvm",
            "#MannequinChallenge ذليتونا ترا 🙂",
            "الموجز https://t.co/9U6fCICWHq via @Almogaz#منوعات",
            "#السعودية #الرياض",
        ] {
            assert_eq!(lang_of(text), Some(Lang::Ar), "{text}");
        }
        for text in [
            "Great to meet the community in Riyadh today #السفارة_في_الرياض #الرياض",
            "#travel #embassy #visa",
        ] {
            assert_eq!(lang_of(text), Some(Lang::En), "{text}");
        }
        // A trending tag lowers the confidence of the post it is on less than the same
        // letters outside a tag.
        let (_, plain) = detect("مين جرب اللعبة؟").unwrap();
        let (_, tagged) = detect("مين جرب اللعبة؟ #SuperMarioRun").unwrap();
        let (_, worded) = detect("مين جرب اللعبة؟ SuperMarioRun").unwrap();
        assert!(
            plain > tagged && tagged > 0.7 && tagged > worded,
            "{plain} {tagged} {worded}"
        );
        // One long Arabic hashtag and three stray Latin letters: Arabic.
        assert_eq!(
            lang_of("#مررررزوووق_فاااالح_الحححبييينيالولي،t6c"),
            Some(Lang::Ar)
        );
        // After Latin letters `http://` is not taken for a link: all 11 letters count.
        let counts = ScriptCounts::of("foohttp://x.org #abc");
        assert_eq!(counts.voting_in(Script::Latin), 4 * 11 + 3);
        // Tags glued together are each a tag: 8 and 6 letters, a quarter's weight each.
        let counts = ScriptCounts::of("#السعودية#الرياض");
        assert_eq!(counts.voting_in(Script::Arabic), 8 + 6);
    }

    /// The letters of the vote are those of the tokenizer's words and hashtags: both take a
    /// link to start at the same places (after an Arabic word, an emoji or a sign, not after
    /// a word in another script or a number).
    #[test]
    fn links_start_where_the_tokenizer_starts_them() {
        use crate::tokenize::{TokenKind, tokenize};
        for text in [
            "caféhttps://t.co/abc",
            "Москваhttps://t.co/abc",
            "北京www.example.cn",
            "٢٠٢٦https://t.co/abc",
            "1965www.example.org",
            "العالمhttps://t.co/x",
            "السفارةـhttps://t.co/x",
            "😂https://t.co/y",
            "(https://t.co/z)",
            "foohttp://bar.org",
            "سلامWWW.EXAMPLE.ORG",
            "#السعودية#الرياض no#1",
            // The words glued to an e-mail address count, not the address; nor a handle.
            "راسلوناinfo@mofa.gov.sa",
            "Terrible.@embassy",
            "write to press@mofa.gov.sa.",
            "@user@mastodon.social",
        ] {
            let mut scanned = String::new();
            for_each_letter(text, |c, script, _| {
                if script.is_some() {
                    scanned.push(c);
                }
            });
            let tokenized: String = tokenize(text)
                .iter()
                .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Hashtag))
                .flat_map(|t| t.text(text).chars())
                .filter(|&c| script_of(c).is_some())
                .collect();
            assert_eq!(scanned, tokenized, "{text}");
        }
    }

    #[test]
    fn mixed_text_lowers_the_confidence() {
        let (_, pure) = detect("شكرا للسفارة على سرعة الرد").unwrap();
        let (lang, mixed) = detect("شكرا للسفارة على سرعة الرد thanks").unwrap();
        assert_eq!(lang, Lang::Ar);
        assert!(mixed < pure);
    }

    #[test]
    fn arabic_typed_with_persian_letters_is_arabic() {
        assert_eq!(lang_of("المؤتمر التاسیس للمجلس"), Some(Lang::Ar));
        assert_eq!(
            lang_of("المجالات ومن بینها التکنولوجیا الحدیثة"),
            Some(Lang::Ar)
        );
    }

    #[test]
    fn function_words_decide_only_when_unanimous() {
        let english = "the embassy and the consulate are closed for the holiday";
        assert_eq!(function_word_vote(english), Some((Lang::En, 1.0)));
        assert_eq!(lang_of(english), Some(Lang::En));
        // Four English function words but one French one: lingua decides.
        let mixed = "the embassy and the consulate are closed pour the holiday";
        assert_eq!(function_word_vote(mixed), None);
        assert_eq!(function_word_vote("the embassy"), None);
    }

    #[test]
    fn no_letters_no_answer() {
        assert_eq!(detect(""), None);
        assert_eq!(detect("123 !!! 😀 https://example.org"), None);
        assert_eq!(lang_of("Η πρεσβεία είναι κλειστή"), None);
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
    }

    /// The evaluation sets shipped with the lingua model crates (sentences, word pairs,
    /// single words) of the ten languages, and the ArSarcasm-v2 training tweets when
    /// the shared data folder is present.
    fn reference_texts() -> Vec<String> {
        let dirs = [
            &lingua_arabic_language_model::ARABIC_TESTDATA_DIRECTORY,
            &lingua_english_language_model::ENGLISH_TESTDATA_DIRECTORY,
            &lingua_french_language_model::FRENCH_TESTDATA_DIRECTORY,
            &lingua_persian_language_model::PERSIAN_TESTDATA_DIRECTORY,
            &lingua_urdu_language_model::URDU_TESTDATA_DIRECTORY,
            &lingua_spanish_language_model::SPANISH_TESTDATA_DIRECTORY,
            &lingua_german_language_model::GERMAN_TESTDATA_DIRECTORY,
            &lingua_russian_language_model::RUSSIAN_TESTDATA_DIRECTORY,
            &lingua_turkish_language_model::TURKISH_TESTDATA_DIRECTORY,
            &lingua_chinese_language_model::CHINESE_TESTDATA_DIRECTORY,
        ];
        let mut texts: Vec<String> = Vec::new();
        for dir in dirs {
            for name in ["sentences.txt", "word-pairs.txt", "single-words.txt"] {
                let file = dir
                    .get_file(name)
                    .and_then(|f| f.contents_utf8())
                    .expect("evaluation set present");
                texts.extend(
                    file.lines()
                        .filter(|l| !l.trim().is_empty())
                        .map(str::to_owned),
                );
            }
        }
        assert!(texts.len() >= 29_000, "evaluation sets unexpectedly small");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/arsarcasm-v2/train.csv"
        );
        match std::fs::read_to_string(path) {
            Ok(csv) => texts.extend(
                crate::sentiment::parse_arsarcasm(&csv)
                    .expect("training split parses")
                    .into_iter()
                    .map(|e| e.text),
            ),
            Err(err) => eprintln!("skipped the tweets: {path} unavailable ({err})"),
        }
        texts
    }

    /// The n-gram tables give lingua's answers: on every text of the reference sets,
    /// exactly as [`detect`] hands it over (and the raw text too, when the tables
    /// handle it), the same most likely language and the confidence of every language
    /// within 1e-9 (lingua's own last bits vary between runs: it adds its
    /// log-probabilities in hash-set order).
    #[test]
    fn ngram_tables_answer_as_lingua() {
        let texts = reference_texts();
        let detectors = [
            Detector::Latin,
            Detector::ArabicScript,
            Detector::PersianUrdu,
        ];
        let mut compared = 0usize;
        let mut identical = 0usize;
        let mut max_difference = 0.0f64;
        let mut mismatches = Vec::new();
        for text in &texts {
            let letters = ScriptLetters::collect(text);
            for detector in detectors {
                let models = detector.models();
                let set = models.set_of(detector.languages());
                let letters = match detector {
                    Detector::Latin => &letters.latin,
                    _ => &letters.arabic,
                };
                let mut inputs = Vec::new();
                if !letters.is_empty() {
                    let ours = models
                        .confidence_values(letters, set)
                        .expect("the tables handle what detect hands over");
                    inputs.push((letters.as_str(), ours));
                }
                if let Some(ours) = models.confidence_values(text, set) {
                    inputs.push((text.as_str(), ours));
                }
                for (input, ours) in inputs {
                    let theirs = detector.lingua().compute_language_confidence_values(input);
                    compared += 1;
                    let mut same = ours.len() == theirs.len();
                    let mut exact = same;
                    for (language, confidence) in &theirs {
                        match ours.iter().find(|(l, _)| l == language) {
                            Some((_, c)) => {
                                let difference = (c - confidence).abs();
                                max_difference = max_difference.max(difference);
                                same &= difference <= 1e-9;
                                exact &= c == confidence;
                            }
                            None => same = false,
                        }
                    }
                    // lingua leaves the order unsorted when the text has no word.
                    if theirs.first().is_some_and(|(_, c)| *c > 0.0) {
                        same &= ours.first().map(|(l, _)| l) == theirs.first().map(|(l, _)| l);
                    }
                    if exact && same {
                        identical += 1;
                    }
                    if !same {
                        mismatches.push(format!("{detector:?} {input:?}: {ours:?} vs {theirs:?}"));
                    }
                }
            }
        }
        eprintln!(
            "{} texts, {compared} comparisons, {identical} bit-identical, largest difference {max_difference:e}, {} mismatches",
            texts.len(),
            mismatches.len()
        );
        eprintln!(
            "tables: Latin {} bytes, Arabic script {} bytes",
            ngrams::latin().heap_size(),
            ngrams::arabic_script().heap_size()
        );
        assert!(
            mismatches.is_empty(),
            "{} mismatches, first: {:#?}",
            mismatches.len(),
            &mismatches[..mismatches.len().min(10)]
        );
        assert!(compared >= 40_000, "too few comparisons: {compared}");
    }

    #[test]
    fn text_outside_the_tables_script_goes_to_lingua() {
        let cases = [
            (Detector::Latin, "the embassy посольство"),
            (Detector::Latin, "大使馆 embassy"),
            (Detector::ArabicScript, "سفارت embassy"),
            (Detector::PersianUrdu, "سفارت Ελλάδα"),
        ];
        for (detector, text) in cases {
            let models = detector.models();
            let set = models.set_of(detector.languages());
            assert_eq!(models.confidence_values(text, set), None, "{text}");
            let values = detector.confidence_values(text);
            let reference = detector.lingua().compute_language_confidence_values(text);
            assert_eq!(values.len(), reference.len(), "{text}");
            assert_eq!(values.first().map(|v| v.0), reference.first().map(|v| v.0));
        }
    }
}
