//! Lingua's probabilistic step for the detectors [`super`] builds, on in-memory tables.
//!
//! lingua 1.8 (`LanguageDetector::compute_language_confidence_values`, high-accuracy
//! mode) looks every n-gram of a text up in one finite-state transducer per language,
//! through a concurrent map, after building sets of owned strings. This module reads
//! the same models (the `ngrams.fst` file of each lingua-*-language-model crate, opened
//! with `fst` as lingua opens it) once into one hash table per script, keyed by the
//! n-gram's characters packed into a `u64`, whose entry holds the log-probability of
//! every language of that script; then it repeats lingua's steps on that table:
//!
//! 1. lower-casing and splitting into runs of letters (`\p{L}+`);
//! 2. the rule that decides alone (a word with `ß` counts for German; German wins when
//!    more than half of the words are such words);
//! 3. the rule that narrows the languages down by the letters only some of them use
//!    (`Ññ` Spanish, `İıĞğ` Turkish, …, each language keeping its count when it reaches
//!    half the word count);
//! 4. the distinct n-grams of length 1 to 5 (3 only from 120 letters on), each scored
//!    with the log-probability of its longest prefix the language knows, summed per
//!    length, the sum divided by the number of distinct letters the language knows,
//!    exponentiated and normalised over the languages.
//!
//! The answers are lingua's own: the tests compare every confidence with lingua's on
//! its evaluation sets and on Arabic tweets. Lingua adds its per-n-gram log-probabilities
//! in hash-set order, which changes from run to run, so its confidences themselves
//! vary in the last bits; the comparison allows 1e-9.
//!
//! Only text whose letters all belong to the script of the table (plus the tatweel,
//! which belongs to no script lingua knows) is handled here: that is all the text
//! [`super::detect`] hands over. Anything else returns `None`, and the caller asks
//! lingua.

use std::collections::HashMap;
use std::sync::OnceLock;

use fst::Streamer;
use lingua::Language;

/// Bits of a language index next to a key while loading (at most 8 languages).
const LANGUAGE_BITS: u32 = 3;
/// Characters packed per n-gram key, and bits per character.
const MAX_NGRAM: usize = 5;
const CHAR_BITS: u32 = 12;
/// Ids are `1..ID_LIMIT`; 0 marks "not a letter of this script".
const ID_LIMIT: usize = 1 << CHAR_BITS;

/// Code points the tables cover: everything below U+2D00 (Latin, its lower-case
/// forms, the Arabic blocks) and the Arabic presentation forms U+FB50..U+FF00.
const LOW_END: u32 = 0x2D00;
const HIGH_START: u32 = 0xFB50;
const HIGH_END: u32 = 0xFF00;
const DOMAIN: usize = (LOW_END + (HIGH_END - HIGH_START)) as usize;

fn domain_index(c: char) -> Option<usize> {
    let cp = c as u32;
    if cp < LOW_END {
        Some(cp as usize)
    } else if (HIGH_START..HIGH_END).contains(&cp) {
        Some((LOW_END + cp - HIGH_START) as usize)
    } else {
        None
    }
}

fn domain_char(index: usize) -> Option<char> {
    let index = index as u32;
    let cp = if index < LOW_END {
        index
    } else {
        index - LOW_END + HIGH_START
    };
    char::from_u32(cp)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Not a letter (`\p{L}`): separates words.
    Separator,
    /// A letter of lingua's Latin alphabet.
    Latin,
    /// A letter of lingua's Arabic alphabet.
    Arabic,
    /// A letter in none of lingua's alphabets (the tatweel).
    Neutral,
    /// Any other letter: the text is left to lingua.
    Other,
}

/// The class of every code point of the domain, with lingua's own definitions: the
/// `regex` crate's `\p{L}` (lingua splits words with it) and lingua's script tables
/// (copied below) for its alphabets.
fn classes() -> &'static [Class] {
    static CLASSES: OnceLock<Vec<Class>> = OnceLock::new();
    CLASSES.get_or_init(|| {
        let letter = regex::Regex::new(r"^\p{L}$").expect("valid pattern");
        // Scripts lingua tokenizes apart from `\p{L}+` (one token per Han character,
        // runs of Thai, …): letters of those scripts are left to lingua.
        let special = regex::Regex::new(
            r"^(?:\p{Bengali}|\p{Devanagari}|\p{Gujarati}|\p{Gurmukhi}|\p{Han}|\p{Hangul}|\p{Hiragana}|\p{Katakana}|\p{Tamil}|\p{Telugu}|\p{Thai})$",
        )
        .expect("valid pattern");
        let in_ranges =
            |c: char, ranges: &[(char, char)]| ranges.iter().any(|&(a, b)| (a..=b).contains(&c));
        let mut buffer = [0u8; 4];
        (0..DOMAIN)
            .map(|index| {
                let Some(c) = domain_char(index) else {
                    return Class::Other;
                };
                let s = c.encode_utf8(&mut buffer);
                if !letter.is_match(s) {
                    Class::Separator
                } else if special.is_match(s) {
                    Class::Other
                } else if in_ranges(c, LATIN) {
                    Class::Latin
                } else if in_ranges(c, ARABIC) {
                    Class::Arabic
                } else if c == '\u{0640}' {
                    Class::Neutral
                } else {
                    Class::Other
                }
            })
            .collect()
    })
}

/// The languages of a table, as a bit set over its language indexes.
pub(super) type LanguageSet = u8;

/// One script's languages, their n-gram log-probabilities and the character rules
/// lingua applies to them.
pub(super) struct Models {
    /// The languages in lingua's order (`Language`'s `Ord`), which is also how lingua
    /// breaks ties between equal confidences.
    languages: Vec<Language>,
    /// Letter id of every code point of the domain (0: not a letter of this script).
    ids: Vec<u16>,
    /// Which of lingua's language-specific letters each id is, one bit per letter of
    /// `MAPPING_CHARS`.
    specific: Vec<u64>,
    /// lingua's letter groups (its `CHARS_TO_LANGUAGES_MAPPING`), as a mask of
    /// `MAPPING_CHARS` bits and the set of this table's languages the group counts for.
    mapping: Vec<(u64, LanguageSet)>,
    /// Id of `ß` and the index of German, when German is one of the languages.
    eszett: Option<(u16, usize)>,
    /// Id of the tatweel, the one letter handled here outside lingua's alphabets.
    tatweel: u16,
    table: Table,
}

/// The n-gram models of English, French, German, Spanish and Turkish.
pub(super) fn latin() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| {
        Models::load(
            Class::Latin,
            &[
                Language::English,
                Language::French,
                Language::German,
                Language::Spanish,
                Language::Turkish,
            ],
        )
    })
}

/// The n-gram models of Arabic, Persian and Urdu.
pub(super) fn arabic_script() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| {
        Models::load(
            Class::Arabic,
            &[Language::Arabic, Language::Persian, Language::Urdu],
        )
    })
}

/// The `ngrams.fst` file lingua reads for `language`.
fn model_bytes(language: Language) -> &'static [u8] {
    const FILE: &str = "ngrams.fst";
    let file = match language {
        Language::Arabic => lingua_arabic_language_model::ARABIC_MODELS_DIRECTORY.get_file(FILE),
        Language::English => lingua_english_language_model::ENGLISH_MODELS_DIRECTORY.get_file(FILE),
        Language::French => lingua_french_language_model::FRENCH_MODELS_DIRECTORY.get_file(FILE),
        Language::German => lingua_german_language_model::GERMAN_MODELS_DIRECTORY.get_file(FILE),
        Language::Persian => lingua_persian_language_model::PERSIAN_MODELS_DIRECTORY.get_file(FILE),
        Language::Spanish => lingua_spanish_language_model::SPANISH_MODELS_DIRECTORY.get_file(FILE),
        Language::Turkish => lingua_turkish_language_model::TURKISH_MODELS_DIRECTORY.get_file(FILE),
        Language::Urdu => lingua_urdu_language_model::URDU_MODELS_DIRECTORY.get_file(FILE),
        _ => None,
    };
    file.unwrap_or_else(|| panic!("no n-gram model packaged for {language:?}"))
        .contents()
}

/// lingua's letter groups that count for at least one of our languages (the others
/// cannot change the answer: lingua intersects each group with the detector's
/// languages), from `CHARS_TO_LANGUAGES_MAPPING` in lingua 1.8's `constant.rs`.
const MAPPING: [(&str, &[Language]); 9] = [
    ("Îî", &[Language::French]),
    ("Ññ", &[Language::Spanish]),
    ("İıĞğ", &[Language::Turkish]),
    ("ÐðÞþ", &[Language::Turkish]),
    ("Ûû", &[Language::French]),
    ("Şş", &[Language::Turkish]),
    ("Ëë", &[Language::French]),
    ("ÈèÙù", &[Language::French]),
    ("Êê", &[Language::French]),
];

/// The rest of lingua's letter groups for our languages. lingua 1.8 defines them inside
/// the block of its `Õõ` group, so they exist only when lingua is built with Estonian,
/// Hungarian, Portuguese or Vietnamese (none of which this crate asks for).
const NESTED_MAPPING: [(&str, &[Language]); 11] = [
    ("Ôô", &[Language::French]),
    ("Ââ", &[Language::French, Language::Turkish]),
    ("Ýý", &[Language::Turkish]),
    ("Ää", &[Language::German]),
    ("Àà", &[Language::French]),
    (
        "Üü",
        &[Language::German, Language::Spanish, Language::Turkish],
    ),
    ("Çç", &[Language::French, Language::Turkish]),
    ("Öö", &[Language::German, Language::Turkish]),
    ("Óó", &[Language::Spanish]),
    ("ÁáÍíÚú", &[Language::Spanish]),
    ("Éé", &[Language::French, Language::Spanish]),
];

/// Whether lingua was built with the languages that enable [`NESTED_MAPPING`] (another
/// crate of a build can ask for them).
fn nested_mapping_enabled() -> bool {
    ["Estonian", "Hungarian", "Portuguese", "Vietnamese"]
        .iter()
        .any(|name| name.parse::<Language>().is_ok())
}

impl Models {
    fn load(script: Class, languages: &[Language]) -> Models {
        let classes = classes();
        let mut languages = languages.to_vec();
        languages.sort();
        assert!(languages.len() <= 8, "a language set is a u8");

        // Letter ids: every letter of the script in the domain, and the tatweel.
        let mut ids = vec![0u16; DOMAIN];
        let mut next = 1usize;
        for (index, class) in classes.iter().enumerate() {
            if *class == script || *class == Class::Neutral {
                assert!(next < ID_LIMIT, "too many letters for {CHAR_BITS}-bit ids");
                ids[index] = next as u16;
                next += 1;
            }
        }
        let id_of = |c: char| domain_index(c).map_or(0, |index| ids[index]);

        // lingua's letter groups, restricted to these languages.
        let mut specific = vec![0u64; next];
        let mut mapping = Vec::new();
        let mut bit = 0;
        let nested: &[(&str, &[Language])] = if nested_mapping_enabled() {
            &NESTED_MAPPING
        } else {
            &[]
        };
        for &(chars, group_languages) in MAPPING.iter().chain(nested) {
            let set = set_of(&languages, group_languages);
            if set == 0 {
                continue;
            }
            let mut mask = 0u64;
            for c in chars.chars() {
                let id = id_of(c);
                if id != 0 {
                    specific[id as usize] |= 1 << bit;
                    mask |= 1 << bit;
                    bit += 1;
                }
            }
            mapping.push((mask, set));
        }
        let eszett = languages
            .iter()
            .position(|&l| l == Language::German)
            .map(|german| (id_of('ß'), german));
        let tatweel = id_of('\u{0640}');

        // Every n-gram whose characters all have ids, with its log-probability per
        // language (n-grams with other characters never occur in handled text).
        // (key << 3 | language index, log-probability bits): 16 bytes a row while loading.
        let mut rows: Vec<(u64, u64)> = Vec::new();
        for (n, &language) in languages.iter().enumerate() {
            let map = fst::Map::new(model_bytes(language)).expect("lingua's model is an fst map");
            let mut stream = map.stream();
            'entries: while let Some((ngram, bits)) = stream.next() {
                let Ok(ngram) = std::str::from_utf8(ngram) else {
                    continue;
                };
                let mut key = 0u64;
                let mut count = 0;
                for c in ngram.chars() {
                    let id = id_of(c);
                    count += 1;
                    if id == 0 || count > MAX_NGRAM {
                        continue 'entries;
                    }
                    key = (key << CHAR_BITS) | u64::from(id);
                }
                if count > 0 {
                    rows.push(((key << LANGUAGE_BITS) | n as u64, bits));
                }
            }
        }
        rows.sort_unstable();
        let table = Table::build(&rows, languages.len());

        Models {
            languages,
            ids,
            specific,
            mapping,
            eszett,
            tatweel,
            table,
        }
    }

    /// The set of these models' languages among `languages`.
    pub(super) fn set_of(&self, languages: &[Language]) -> LanguageSet {
        set_of(&self.languages, languages)
    }

    /// Bytes the tables take in memory.
    #[cfg(test)]
    pub(super) fn heap_size(&self) -> usize {
        self.ids.len() * 2 + self.specific.len() * 8 + self.table.heap_size()
    }

    /// What lingua's `compute_language_confidence_values` returns for `text` with a
    /// detector built from the languages of `set` (high-accuracy mode, no minimum
    /// relative distance): every language with its confidence, most likely first, ties
    /// in lingua's language order. `None` when the text has a letter outside this
    /// script: the caller then asks lingua.
    pub(super) fn confidence_values(
        &self,
        text: &str,
        set: LanguageSet,
    ) -> Option<Vec<(Language, f64)>> {
        let lower = text.trim().to_lowercase();
        let classes = classes();

        // Words: runs of letters, as ids, end offsets in `letters`.
        let mut letters: Vec<u16> = Vec::with_capacity(lower.len());
        let mut word_ends: Vec<usize> = Vec::new();
        let mut in_word = false;
        for c in lower.chars() {
            let index = domain_index(c)?;
            match classes[index] {
                Class::Separator => {
                    if in_word {
                        word_ends.push(letters.len());
                        in_word = false;
                    }
                }
                Class::Other => return None,
                _ => {
                    let id = self.ids[index];
                    if id == 0 {
                        return None;
                    }
                    letters.push(id);
                    in_word = true;
                }
            }
        }
        if in_word {
            word_ends.push(letters.len());
        }

        let mut values: Vec<(Language, f64)> = self
            .languages
            .iter()
            .enumerate()
            .filter(|&(n, _)| set & (1 << n) != 0)
            .map(|(_, &l)| (l, 0.0))
            .collect();
        if word_ends.is_empty() {
            return Some(values);
        }
        // Each word with the offset of its first letter.
        let mut start = 0;
        let words: Vec<(usize, &[u16])> = word_ends
            .iter()
            .map(|&end| {
                let word = (start, &letters[start..end]);
                start = end;
                word
            })
            .collect();
        let half_word_count = word_ends.len() as f64 * 0.5;

        // The rule that decides alone: German by `ß`.
        if let Some((eszett, german)) = self.eszett
            && set & (1 << german) != 0
        {
            let with_eszett = words.iter().filter(|(_, w)| w.contains(&eszett)).count();
            let unknown = word_ends.len() - with_eszett;
            if (unknown as f64) < half_word_count {
                return Some(self.certain(values, german));
            }
        }

        // The rule that narrows the languages down by language-specific letters. lingua
        // skips it when no word is made of one alphabet only (here: every word has a
        // tatweel).
        let mut filtered = set;
        let any_in_script = words.iter().any(|(_, w)| !w.contains(&self.tatweel));
        if !self.mapping.is_empty() && any_in_script {
            let mut counts = [0usize; 8];
            for (_, word) in &words {
                let present = word
                    .iter()
                    .fold(0u64, |acc, &id| acc | self.specific[id as usize]);
                if present == 0 {
                    continue;
                }
                for &(mask, languages) in &self.mapping {
                    let hits = (present & mask).count_ones() as usize;
                    if hits == 0 {
                        continue;
                    }
                    for (n, count) in counts.iter_mut().enumerate() {
                        if languages & set & (1 << n) != 0 {
                            *count += hits;
                        }
                    }
                }
            }
            let subset = counts
                .iter()
                .enumerate()
                .filter(|&(_, &count)| count > 0 && count as f64 >= half_word_count)
                .fold(0, |acc, (n, _)| acc | (1 << n));
            if subset != 0 {
                filtered = subset;
            }
        }
        if filtered.count_ones() == 1 {
            return Some(self.certain(values, filtered.trailing_zeros() as usize));
        }

        // The n-gram statistics.
        let character_count = letters.len();
        let lengths = if character_count >= 120 { 3..=3 } else { 1..=5 };
        let width = self.languages.len();
        // Entry of the k-gram starting at each letter, looked up once.
        let mut found: Vec<[u32; MAX_NGRAM]> = vec![[UNSEEN; MAX_NGRAM]; letters.len()];
        let mut unigram_counts = [0usize; 8];
        // Per n-gram length: the summed log-probability of each language, when negative.
        let mut sums: Vec<[Option<f64>; 8]> = Vec::new();
        let mut keys: Vec<(u64, u32)> = Vec::with_capacity(letters.len());
        for n in lengths {
            if character_count < n {
                continue;
            }
            keys.clear();
            for &(start, word) in &words {
                if word.len() < n {
                    continue;
                }
                for offset in 0..=word.len() - n {
                    let key = word[offset..offset + n]
                        .iter()
                        .fold(0u64, |key, &id| (key << CHAR_BITS) | u64::from(id));
                    keys.push((key, (start + offset) as u32));
                }
            }
            keys.sort_unstable();
            keys.dedup_by_key(|(key, _)| *key);

            let mut sum = [0.0f64; 8];
            for &(key, position) in &keys {
                let mut pending = filtered;
                for k in (1..=n).rev() {
                    let slot = &mut found[position as usize][k - 1];
                    if *slot == UNSEEN {
                        *slot = self
                            .table
                            .find(key >> (CHAR_BITS * (n - k) as u32))
                            .unwrap_or(ABSENT);
                    }
                    if *slot != ABSENT {
                        let entry = *slot as usize;
                        for language in 0..width {
                            if pending & (1 << language) == 0 {
                                continue;
                            }
                            if let Some(p) = self.table.probability(entry, language) {
                                sum[language] += p;
                                pending &= !(1 << language);
                                if n == 1 {
                                    unigram_counts[language] += 1;
                                }
                            }
                        }
                    }
                    if pending == 0 {
                        break;
                    }
                }
            }
            let mut by_language = [None; 8];
            for language in 0..width {
                if filtered & (1 << language) != 0 && sum[language] < 0.0 {
                    by_language[language] = Some(sum[language]);
                }
            }
            sums.push(by_language);
        }

        let mut summed = [None; 8];
        for (language, total) in summed.iter_mut().enumerate().take(width) {
            if filtered & (1 << language) == 0 {
                continue;
            }
            let mut sum: f64 = sums.iter().map(|s| s[language].unwrap_or(0.0)).sum();
            if unigram_counts[language] > 0 {
                sum /= unigram_counts[language] as f64;
            }
            if sum != 0.0 {
                *total = Some(sum.exp());
            }
        }
        if summed.iter().all(Option::is_none) {
            return Some(sorted(values));
        }
        let denominator: f64 = summed.iter().flatten().sum();
        if denominator == 0.0 {
            // Every exponent underflowed: lingua takes the language with the highest
            // summed log-probability of the first n-gram length.
            let best = sums.first().and_then(|first| {
                first
                    .iter()
                    .enumerate()
                    .filter_map(|(n, s)| s.map(|s| (n, s)))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
            });
            return Some(match best {
                Some((language, _)) => self.certain(values, language),
                None => sorted(values),
            });
        }
        for (language, probability) in summed.iter().enumerate() {
            if let Some(p) = probability {
                let l = self.languages[language];
                if let Some(value) = values.iter_mut().find(|(v, _)| *v == l) {
                    value.1 = p / denominator;
                }
            }
        }
        Some(sorted(values))
    }

    /// `language` with confidence 1, the others 0.
    fn certain(&self, mut values: Vec<(Language, f64)>, language: usize) -> Vec<(Language, f64)> {
        let l = self.languages[language];
        if let Some(value) = values.iter_mut().find(|(v, _)| *v == l) {
            value.1 = 1.0;
        }
        sorted(values)
    }
}

fn set_of(all: &[Language], languages: &[Language]) -> LanguageSet {
    all.iter()
        .enumerate()
        .filter(|(_, l)| languages.contains(l))
        .fold(0, |acc, (n, _)| acc | (1 << n))
}

/// lingua's order: highest confidence first, then by language.
fn sorted(mut values: Vec<(Language, f64)>) -> Vec<(Language, f64)> {
    values.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    values
}

const UNSEEN: u32 = u32::MAX;
const ABSENT: u32 = u32::MAX - 1;
/// No probability for this language in this entry.
const MISSING: u32 = u32::MAX;

/// Open addressing over the packed n-gram keys: `slots` holds an 8-bit fingerprint of
/// the hash and the entry index + 1; entries are `keys` and, `width` per entry, indexes
/// into `values` (the distinct log-probabilities), `MISSING` where the language does
/// not know the n-gram.
struct Table {
    bits: u32,
    slots: Vec<u32>,
    keys: Vec<u64>,
    entries: Vec<u32>,
    values: Vec<f64>,
    width: usize,
}

const HASH_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
const INDEX_MASK: u32 = 0x00FF_FFFF;

impl Table {
    /// `rows` sorted: (key << 3 | language index, log-probability bits).
    fn build(rows: &[(u64, u64)], width: usize) -> Table {
        let mut keys: Vec<u64> = Vec::new();
        let mut entries: Vec<u32> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        let mut value_index: HashMap<u64, u32> = HashMap::new();
        for &(key_language, bits) in rows {
            let key = key_language >> LANGUAGE_BITS;
            let language = key_language & ((1 << LANGUAGE_BITS) - 1);
            if keys.last() != Some(&key) {
                keys.push(key);
                entries.extend(std::iter::repeat_n(MISSING, width));
            }
            let index = *value_index.entry(bits).or_insert_with(|| {
                values.push(f64::from_bits(bits));
                (values.len() - 1) as u32
            });
            let at = (keys.len() - 1) * width + language as usize;
            entries[at] = index;
        }
        assert!(keys.len() < INDEX_MASK as usize, "too many n-grams");

        // Load factor at most 0.6.
        let mut bits = 4;
        while ((1usize << bits) as f64) * 0.6 < keys.len() as f64 {
            bits += 1;
        }
        let mask = (1usize << bits) - 1;
        let mut slots = vec![0u32; 1 << bits];
        for (n, &key) in keys.iter().enumerate() {
            let (mut i, fingerprint) = Self::position(key, bits);
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = fingerprint | (n as u32 + 1);
        }
        values.shrink_to_fit();
        keys.shrink_to_fit();
        entries.shrink_to_fit();
        Table {
            bits,
            slots,
            keys,
            entries,
            values,
            width,
        }
    }

    fn position(key: u64, bits: u32) -> (usize, u32) {
        let hash = key.wrapping_mul(HASH_MULTIPLIER);
        let index = (hash >> (64 - bits)) as usize;
        let fingerprint = ((hash >> (56 - bits)) as u32 & 0xFF) << 24;
        (index, fingerprint)
    }

    fn find(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let (mut i, fingerprint) = Self::position(key, self.bits);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot & !INDEX_MASK == fingerprint {
                let entry = (slot & INDEX_MASK) - 1;
                if self.keys[entry as usize] == key {
                    return Some(entry);
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn probability(&self, entry: usize, language: usize) -> Option<f64> {
        let index = self.entries[entry * self.width + language];
        (index != MISSING).then(|| self.values[index as usize])
    }

    #[cfg(test)]
    fn heap_size(&self) -> usize {
        self.slots.len() * 4 + self.keys.len() * 8 + self.entries.len() * 4 + self.values.len() * 8
    }
}

/// lingua 1.8's Latin alphabet (its `script.rs`, Unicode 15.0), within the domain.
const LATIN: &[(char, char)] = &[
    ('\u{0041}', '\u{005A}'),
    ('\u{0061}', '\u{007A}'),
    ('\u{00AA}', '\u{00AA}'),
    ('\u{00BA}', '\u{00BA}'),
    ('\u{00C0}', '\u{00D6}'),
    ('\u{00D8}', '\u{00F6}'),
    ('\u{00F8}', '\u{02B8}'),
    ('\u{02E0}', '\u{02E4}'),
    ('\u{1D00}', '\u{1D25}'),
    ('\u{1D2C}', '\u{1D5C}'),
    ('\u{1D62}', '\u{1D65}'),
    ('\u{1D6B}', '\u{1D77}'),
    ('\u{1D79}', '\u{1DBE}'),
    ('\u{1E00}', '\u{1EFF}'),
    ('\u{2071}', '\u{2071}'),
    ('\u{207F}', '\u{207F}'),
    ('\u{2090}', '\u{209C}'),
    ('\u{212A}', '\u{212B}'),
    ('\u{2132}', '\u{2132}'),
    ('\u{214E}', '\u{214E}'),
    ('\u{2160}', '\u{2188}'),
    ('\u{2C60}', '\u{2C7F}'),
];

/// lingua 1.8's Arabic alphabet (its `script.rs`, Unicode 15.0), within the domain.
const ARABIC: &[(char, char)] = &[
    ('\u{0600}', '\u{0604}'),
    ('\u{0606}', '\u{060B}'),
    ('\u{060D}', '\u{061A}'),
    ('\u{061C}', '\u{061E}'),
    ('\u{0620}', '\u{063F}'),
    ('\u{0641}', '\u{064A}'),
    ('\u{0656}', '\u{066F}'),
    ('\u{0671}', '\u{06DC}'),
    ('\u{06DE}', '\u{06FF}'),
    ('\u{0750}', '\u{077F}'),
    ('\u{0870}', '\u{088E}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{0898}', '\u{08E1}'),
    ('\u{08E3}', '\u{08FF}'),
    ('\u{FB50}', '\u{FBC2}'),
    ('\u{FBD3}', '\u{FD3D}'),
    ('\u{FD40}', '\u{FD8F}'),
    ('\u{FD92}', '\u{FDC7}'),
    ('\u{FDCF}', '\u{FDCF}'),
    ('\u{FDF0}', '\u{FDFF}'),
    ('\u{FE70}', '\u{FE74}'),
    ('\u{FE76}', '\u{FEFC}'),
];
