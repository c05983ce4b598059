//! Counts of terms per time bucket: which terms a message carries and how
//! often each term occurs per bucket.

use safir_text::normalize::{NormalizeOptions, normalize_into};
use safir_text::stopwords::is_stopword;
use safir_text::tokenize::tokenize_into;
use safir_text::{Token, TokenKind};

use super::TrendError;
use crate::intern::Interner;
use crate::table::{MessageTable, NONE};

const DAY_MS: i64 = 86_400_000;

/// What a trend is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermKind {
    /// A whole hashtag, normalized (`#` kept).
    Hashtag,
    /// A normalized word that is not a stop word, a number or a single character.
    Keyword,
    /// A URL as the archive gives it.
    Url,
    /// The posting account (its user id as in the input).
    Account,
}

impl TermKind {
    pub const ALL: [TermKind; 4] = [Self::Hashtag, Self::Keyword, Self::Url, Self::Account];

    pub fn name(self) -> &'static str {
        match self {
            Self::Hashtag => "hashtag",
            Self::Keyword => "keyword",
            Self::Url => "url",
            Self::Account => "account",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Words that carry no topic in posts although no stop-word list has them.
const SOCIAL_NOISE: [&str; 3] = ["rt", "via", "amp"];

/// Reusable buffers for [`text_terms`].
#[derive(Debug, Default)]
pub struct TermScratch {
    normalized: String,
    tokens: Vec<Token>,
}

/// Calls `f` with each hashtag and keyword of `text` (duplicates included), as
/// the trend counts see them: the text is normalized first, so spelling variants
/// of one Arabic word or hashtag (diacritics, alef forms, tatweel, presentation
/// forms) are one term, and hashtags stay whole.
pub fn text_terms(text: &str, scratch: &mut TermScratch, mut f: impl FnMut(TermKind, &str)) {
    scratch.normalized.clear();
    normalize_into(text, &NormalizeOptions::default(), &mut scratch.normalized);
    for chunk in scratch.normalized.split_whitespace() {
        if is_plain_word(chunk) {
            if is_keyword(chunk) {
                f(TermKind::Keyword, chunk);
            }
            continue;
        }
        scratch.tokens.clear();
        tokenize_into(chunk, &mut scratch.tokens);
        for t in &scratch.tokens {
            let s = t.text(chunk);
            match t.kind {
                TokenKind::Hashtag => f(TermKind::Hashtag, s),
                TokenKind::Word if is_keyword(s) => f(TermKind::Keyword, s),
                _ => {}
            }
        }
    }
}

/// Letters of one script only: one word, no need to ask the tokenizer.
fn is_plain_word(chunk: &str) -> bool {
    chunk.bytes().all(|b| b.is_ascii_lowercase())
        || chunk
            .chars()
            .all(|c| matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}'))
}

fn is_keyword(word: &str) -> bool {
    word.chars().nth(1).is_some()
        && !word.chars().all(|c| c.is_numeric())
        && !is_stopword(word)
        && !SOCIAL_NOISE.contains(&word)
}

/// One term's counts per bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct TermSeries {
    pub kind: TermKind,
    pub term: String,
    /// Messages with the term over the whole archive.
    pub total: u32,
    /// Messages with the term per bucket.
    pub counts: Vec<u32>,
}

/// Term counts of a table over buckets `first_bucket..first_bucket + totals.len()`
/// (bucket `b` covers `[b·bucket_ms, (b + 1)·bucket_ms)` since the epoch, UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct TermCounts {
    pub bucket_ms: i64,
    pub first_bucket: i64,
    /// All messages per bucket.
    pub totals: Vec<u32>,
    /// Terms seen in at least `min_total` messages, by kind then first appearance.
    pub series: Vec<TermSeries>,
}

impl TermCounts {
    /// Start of bucket `i` (an index into `totals`), in epoch milliseconds.
    pub fn bucket_start_ms(&self, i: usize) -> i64 {
        (self.first_bucket + i as i64) * self.bucket_ms
    }
}

/// Largest memory the series of one run take by default: 1 GiB.
pub const MAX_SERIES_BYTES: usize = 1 << 30;

/// Counts terms of `kinds` per bucket; a message counts once per term however
/// often it repeats it. Only terms in at least `min_total` messages get a series.
///
/// `max_buckets` bounds the time span: an archive with one stray timestamp far
/// from the rest would otherwise allocate series over decades. The series take at
/// most [`MAX_SERIES_BYTES`] (see [`count_terms_within`]).
pub fn count_terms(
    table: &MessageTable,
    kinds: &[TermKind],
    bucket_ms: i64,
    min_total: u32,
    max_buckets: usize,
) -> Result<TermCounts, TrendError> {
    count_terms_within(
        table,
        kinds,
        bucket_ms,
        min_total,
        max_buckets,
        MAX_SERIES_BYTES,
    )
}

/// [`count_terms`], with the series (4 bytes per bucket and term followed) taking at
/// most `max_series_bytes`: the terms are totalled first, and a run whose series
/// would take more fails before they are made.
pub fn count_terms_within(
    table: &MessageTable,
    kinds: &[TermKind],
    bucket_ms: i64,
    min_total: u32,
    max_buckets: usize,
    max_series_bytes: usize,
) -> Result<TermCounts, TrendError> {
    if bucket_ms <= 0 || DAY_MS % bucket_ms != 0 {
        return Err(TrendError::Bucket(bucket_ms));
    }
    let (first, last) = table.time_span_ms().map_or((0, -1), |(a, b)| {
        (a.div_euclid(bucket_ms), b.div_euclid(bucket_ms))
    });
    let n_buckets = usize::try_from(last - first + 1).unwrap_or(0);
    if n_buckets > max_buckets {
        return Err(TrendError::TooManyBuckets {
            buckets: n_buckets,
            max: max_buckets,
        });
    }
    let want = |k: TermKind| kinds.contains(&k);

    // Totals first: they say which terms get a series, and so what the series take.
    let sources = repost_sources(table);
    let text_terms = (want(TermKind::Hashtag) || want(TermKind::Keyword)).then(|| {
        let text = |row: usize| {
            let own = table.text(row as u32);
            match sources[row] {
                src if src != NONE && own.trim().is_empty() => table.text(src),
                _ => own,
            }
        };
        TextTerms::read(table.len(), text, &want)
    });
    let url_ids = |row: usize, out: &mut Vec<u32>| {
        let own = table.url_ids(row as u32);
        out.extend_from_slice(match sources[row] {
            src if src != NONE && own.is_empty() => table.url_ids(src),
            _ => own,
        });
        out.sort_unstable();
        out.dedup();
    };
    let account_ids = |row: usize, out: &mut Vec<u32>| out.push(table.user[row]);
    let url_totals = if want(TermKind::Url) {
        keyed_totals(table.len(), url_ids, table.urls.len())
    } else {
        Vec::new()
    };
    let account_totals = if want(TermKind::Account) {
        keyed_totals(table.len(), account_ids, table.users.len())
    } else {
        Vec::new()
    };
    let followed = text_terms.as_ref().map_or(0, |t| t.followed(min_total))
        + kept_count(&url_totals, min_total)
        + kept_count(&account_totals, min_total);
    let bytes = followed.saturating_mul(n_buckets).saturating_mul(4);
    if bytes > max_series_bytes {
        return Err(TrendError::TooMuchMemory {
            terms: followed,
            buckets: n_buckets,
            bytes,
            max: max_series_bytes,
        });
    }

    let bucket = |row: usize| (table.timestamp_ms[row].div_euclid(bucket_ms) - first) as usize;
    let mut totals = vec![0u32; n_buckets];
    for row in 0..table.len() {
        totals[bucket(row)] += 1;
    }
    let mut series = Vec::new();
    if let Some(terms) = text_terms {
        series.extend(terms.series(&bucket, n_buckets, min_total));
    }
    if want(TermKind::Url) {
        let keyed = keyed_series(
            table.len(),
            url_ids,
            &url_totals,
            &bucket,
            n_buckets,
            min_total,
        );
        series.extend(keyed.into_iter().map(|(id, total, counts)| TermSeries {
            kind: TermKind::Url,
            term: table.urls.resolve(id).to_owned(),
            total,
            counts,
        }));
    }
    if want(TermKind::Account) {
        let keyed = keyed_series(
            table.len(),
            account_ids,
            &account_totals,
            &bucket,
            n_buckets,
            min_total,
        );
        series.extend(keyed.into_iter().map(|(id, total, counts)| TermSeries {
            kind: TermKind::Account,
            term: table.users.resolve(id).to_owned(),
            total,
            counts,
        }));
    }
    Ok(TermCounts {
        bucket_ms,
        first_bucket: first,
        totals,
        series,
    })
}

/// For each row, the row of the message it reposts when the table has it, else
/// [`NONE`]: a repost counts for the reposted message's text when its own is
/// empty, and for its URLs when it has none (importers leave a repost's URLs
/// out, as the coordination toolkit does).
fn repost_sources(table: &MessageTable) -> Vec<u32> {
    table
        .repost
        .iter()
        .map(|&r| {
            if r == NONE {
                return NONE;
            }
            table.message_ids.get(table.refs.resolve(r)).unwrap_or(NONE)
        })
        .collect()
}

/// How many messages carry each id that `ids_of` gives per row (distinct within a row).
fn keyed_totals(rows: usize, ids_of: impl Fn(usize, &mut Vec<u32>), n_ids: usize) -> Vec<u32> {
    let mut ids = Vec::new();
    let mut total = vec![0u32; n_ids];
    for row in 0..rows {
        ids.clear();
        ids_of(row, &mut ids);
        for &id in &ids {
            total[id as usize] += 1;
        }
    }
    total
}

/// Per-bucket counts of the ids (of [`keyed_totals`]) that reach `min_total`.
fn keyed_series(
    rows: usize,
    ids_of: impl Fn(usize, &mut Vec<u32>),
    total: &[u32],
    bucket: &impl Fn(usize) -> usize,
    n_buckets: usize,
    min_total: u32,
) -> Vec<Kept> {
    let mut ids = Vec::new();
    let (slot, mut kept) = keep(total, min_total, n_buckets);
    for row in 0..rows {
        ids.clear();
        ids_of(row, &mut ids);
        for &id in &ids {
            let s = slot[id as usize];
            if s != u32::MAX {
                kept[s as usize].2[bucket(row)] += 1;
            }
        }
    }
    kept
}

/// A kept id, its total and its counts per bucket.
type Kept = (u32, u32, Vec<u32>);

/// How many ids reach `min_total`: the series [`keep`] makes.
fn kept_count(total: &[u32], min_total: u32) -> usize {
    total.iter().filter(|&&t| t >= min_total.max(1)).count()
}

/// Slot of each kept id (or `u32::MAX`) and the kept ids with empty series.
fn keep(total: &[u32], min_total: u32, n_buckets: usize) -> (Vec<u32>, Vec<Kept>) {
    let mut slot = vec![u32::MAX; total.len()];
    let mut kept = Vec::new();
    for (id, &t) in total.iter().enumerate() {
        if t >= min_total.max(1) {
            slot[id] = kept.len() as u32;
            kept.push((id as u32, t, vec![0u32; n_buckets]));
        }
    }
    (slot, kept)
}

const HASHTAG_BIT: u32 = 1 << 31;

/// Hashtags and keywords: the text is read once; each row's distinct term ids
/// are kept (4 bytes a term) until the totals say which terms get a series.
struct TextTerms {
    hashtags: Interner,
    keywords: Interner,
    /// Each row's distinct term ids (hashtags with [`HASHTAG_BIT`]), row after row.
    ids: Vec<u32>,
    /// End of each row's ids in `ids`.
    ends: Vec<usize>,
    tag_total: Vec<u32>,
    word_total: Vec<u32>,
}

impl TextTerms {
    fn read<'t>(
        rows: usize,
        text: impl Fn(usize) -> &'t str,
        want: &impl Fn(TermKind) -> bool,
    ) -> Self {
        let (mut hashtags, mut keywords) = (Interner::new(), Interner::new());
        let mut ids: Vec<u32> = Vec::new();
        let mut ends: Vec<usize> = Vec::with_capacity(rows);
        let mut scratch = TermScratch::default();
        let (want_tags, want_words) = (want(TermKind::Hashtag), want(TermKind::Keyword));
        for row in 0..rows {
            let start = ids.len();
            text_terms(text(row), &mut scratch, |kind, term| {
                if kind == TermKind::Hashtag && want_tags {
                    ids.push(hashtags.intern(term).0 | HASHTAG_BIT);
                } else if kind == TermKind::Keyword && want_words {
                    ids.push(keywords.intern(term).0);
                }
            });
            let mine = &mut ids[start..];
            mine.sort_unstable();
            let distinct = dedup_in_place(mine);
            ids.truncate(start + distinct);
            ends.push(ids.len());
        }
        let mut tag_total = vec![0u32; hashtags.len()];
        let mut word_total = vec![0u32; keywords.len()];
        for &id in &ids {
            if id & HASHTAG_BIT != 0 {
                tag_total[(id & !HASHTAG_BIT) as usize] += 1;
            } else {
                word_total[id as usize] += 1;
            }
        }
        Self {
            hashtags,
            keywords,
            ids,
            ends,
            tag_total,
            word_total,
        }
    }

    /// How many hashtags and keywords get a series.
    fn followed(&self, min_total: u32) -> usize {
        kept_count(&self.tag_total, min_total) + kept_count(&self.word_total, min_total)
    }

    fn series(
        self,
        bucket: &impl Fn(usize) -> usize,
        n_buckets: usize,
        min_total: u32,
    ) -> Vec<TermSeries> {
        let (tag_slot, mut tags) = keep(&self.tag_total, min_total, n_buckets);
        let (word_slot, mut words) = keep(&self.word_total, min_total, n_buckets);
        let mut start = 0;
        for (row, &end) in self.ends.iter().enumerate() {
            let b = bucket(row);
            for &id in &self.ids[start..end] {
                if id & HASHTAG_BIT != 0 {
                    let s = tag_slot[(id & !HASHTAG_BIT) as usize];
                    if s != u32::MAX {
                        tags[s as usize].2[b] += 1;
                    }
                } else {
                    let s = word_slot[id as usize];
                    if s != u32::MAX {
                        words[s as usize].2[b] += 1;
                    }
                }
            }
            start = end;
        }
        let named = |kind: TermKind, interner: &Interner, kept: Vec<Kept>| {
            kept.into_iter()
                .map(|(id, total, counts)| TermSeries {
                    kind,
                    term: interner.resolve(id).to_owned(),
                    total,
                    counts,
                })
                .collect::<Vec<_>>()
        };
        let mut out = named(TermKind::Hashtag, &self.hashtags, tags);
        out.extend(named(TermKind::Keyword, &self.keywords, words));
        out
    }
}

/// Removes adjacent duplicates of a sorted slice in place; returns the new length.
fn dedup_in_place(v: &mut [u32]) -> usize {
    if v.is_empty() {
        return 0;
    }
    let mut w = 1;
    for r in 1..v.len() {
        if v[r] != v[w - 1] {
            v[w] = v[r];
            w += 1;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<(TermKind, String)> {
        let mut out = Vec::new();
        text_terms(text, &mut TermScratch::default(), |k, t| {
            out.push((k, t.to_owned()))
        });
        out
    }

    #[test]
    fn series_beyond_the_memory_cap_are_refused_before_they_are_made() {
        let mut table = MessageTable::new();
        for (i, hours) in [0, 9].into_iter().enumerate() {
            table.push(&crate::table::MessageRow {
                message_id: format!("m{i}"),
                user_id: "a".into(),
                username: "a".into(),
                text: "#visa embassy".into(),
                timestamp_ms: hours * 3_600_000,
                ..crate::table::MessageRow::default()
            });
        }
        // #visa, embassy and the account a, over 10 buckets of an hour: 120 bytes.
        let count = |min_total, cap| {
            count_terms_within(&table, &TermKind::ALL, 3_600_000, min_total, 1000, cap)
        };
        let err = count(2, 119).unwrap_err();
        assert_eq!(
            err,
            TrendError::TooMuchMemory {
                terms: 3,
                buckets: 10,
                bytes: 120,
                max: 119
            }
        );
        assert_eq!(
            err.to_string(),
            "following 3 terms over 10 buckets takes 120 bytes, more than the 119 bytes allowed: \
             use wider buckets (--bucket) or follow fewer terms (a higher --min-total)"
        );
        assert_eq!(count(2, 120).unwrap().series.len(), 3);
        let params = super::super::TrendParams {
            min_total: 2,
            max_series_bytes: 119,
            ..super::super::TrendParams::default()
        };
        assert_eq!(super::super::emerging(&table, &params), Err(err));
        // Fewer terms followed, or wider buckets, fit.
        assert!(count(3, 119).unwrap().series.is_empty());
        let wide = count_terms_within(&table, &TermKind::ALL, 86_400_000, 2, 1000, 119).unwrap();
        assert_eq!(wide.series.len(), 3);
        // The default cap is 1 GiB: a year of 15-minute buckets for 50,000 terms is not.
        let year = TrendError::TooMuchMemory {
            terms: 50_000,
            buckets: 35_136,
            bytes: 50_000 * 35_136 * 4,
            max: MAX_SERIES_BYTES,
        };
        assert!(
            year.to_string()
                .contains("takes 6.5 GiB, more than the 1.0 GiB allowed")
        );
    }

    #[test]
    fn hashtags_whole_keywords_without_stop_words_numbers_or_single_letters() {
        let got = terms("RT @mofa: The Embassy opens #Open_Day, 2024 x via https://a.example/p");
        assert_eq!(
            got,
            vec![
                (TermKind::Keyword, "embassy".into()),
                (TermKind::Keyword, "opens".into()),
                (TermKind::Hashtag, "#open_day".into()),
            ]
        );
    }

    #[test]
    fn arabic_variants_are_one_term() {
        let plain = terms("#التضامن السفارة");
        assert_eq!(terms("#التَّضَامُن السِّفَارَة"), plain);
        assert_eq!(terms("#التضـــامن السفارة"), plain);
        assert_eq!(terms("#ٱلتضامن السفارة").len(), 2);
        assert_eq!(terms("أحمد"), terms("احمد"));
        assert_eq!(plain[0].0, TermKind::Hashtag);
    }

    #[test]
    fn dedup_keeps_one_of_each() {
        let mut v = [1, 1, 2, 3, 3, 3];
        assert_eq!(dedup_in_place(&mut v), 3);
        assert_eq!(&v[..3], &[1, 2, 3]);
    }
}
