//! Monitors: saved queries over keywords, hashtags, accounts and languages, counted over a
//! time window of a message table. Storing monitors and raising alerts is the caller's job.
//!
//! Semantics: within one field any item may match (keywords `a,b` match a message with
//! `a` or `b`); every non-empty field must match (keywords *and* hashtags *and* …).
//! Keywords and hashtags are compared after safir-text normalization, so the spelling
//! variants of Arabic (diacritics, alef forms, tatweel, presentation forms) match. A
//! keyword matches whole words, and a phrase of several words matches those words in a
//! row; hashtags in a message are whole tokens that only a hashtag query matches
//! (`#vote` does not match `#vote2026`, and the keyword `vote` does not match `#vote`).
//! Accounts are handles (`bob`, or `bob@social.example` on the fediverse) or user ids (a
//! feed's author may be `Press office`), compared case-insensitively, `@` optional. Languages
//! are primary BCP 47 subtags (`ar`, `en`); a message's language is the one its archive
//! declared when known, else safir-text's detection.

use safir_text::lang;

use crate::table::{MessageTable, NONE};
use crate::text::{Scratch, for_each_similarity_token};

/// How many matching messages an [`Evaluation`] keeps as samples (the newest ones).
pub const SAMPLE_ROWS: usize = 5;

/// A monitor's query as the analyst wrote it (trimmed; `#` and `@` removed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitorQuery {
    pub keywords: Vec<String>,
    pub hashtags: Vec<String>,
    pub accounts: Vec<String>,
    pub languages: Vec<String>,
}

/// A query that cannot be used, naming the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("a monitor needs at least one keyword, hashtag, account or language")]
    Empty,
    #[error("{field}: {problem}")]
    Field {
        field: &'static str,
        problem: String,
    },
}

fn field_err(field: &'static str, problem: impl Into<String>) -> QueryError {
    QueryError::Field {
        field,
        problem: problem.into(),
    }
}

/// Splits a comma list, dropping blank items (`"a, b,"` is `a`, `b`).
fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '،'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl MonitorQuery {
    /// Parses the command line's comma lists (an absent or blank list is an empty field).
    pub fn parse(
        keywords: &str,
        hashtags: &str,
        accounts: &str,
        languages: &str,
    ) -> Result<Self, QueryError> {
        let q = MonitorQuery {
            keywords: items(keywords).map(str::to_owned).collect(),
            hashtags: items(hashtags)
                .map(|h| h.strip_prefix('#').unwrap_or(h).to_owned())
                .collect(),
            accounts: items(accounts)
                .map(|a| a.strip_prefix('@').unwrap_or(a).to_owned())
                .collect(),
            languages: items(languages).map(str::to_ascii_lowercase).collect(),
        };
        q.validate()?;
        Ok(q)
    }

    /// Checks every item; [`MonitorQuery::prepare`] relies on it.
    pub fn validate(&self) -> Result<(), QueryError> {
        if self.keywords.is_empty()
            && self.hashtags.is_empty()
            && self.accounts.is_empty()
            && self.languages.is_empty()
        {
            return Err(QueryError::Empty);
        }
        for k in &self.keywords {
            let tokens = keyword_tokens(k);
            if tokens.is_empty() {
                return Err(field_err("keywords", format!("{k:?} has no words")));
            }
            if tokens.iter().any(|t| t.starts_with('#')) {
                return Err(field_err(
                    "keywords",
                    format!("{k:?} contains a hashtag; put hashtags in the hashtags field"),
                ));
            }
        }
        for h in &self.hashtags {
            if hashtag_token(h).is_none() {
                return Err(field_err(
                    "hashtags",
                    format!("{h:?} is not one hashtag (letters, digits and _ after #)"),
                ));
            }
        }
        for a in &self.accounts {
            if !account_item(a) {
                return Err(field_err(
                    "accounts",
                    format!("{a:?} is not a handle or user id"),
                ));
            }
        }
        for l in &self.languages {
            let ok = (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase());
            if !ok {
                return Err(field_err(
                    "languages",
                    format!("{l:?} is not a language code such as ar or en"),
                ));
            }
        }
        Ok(())
    }

    /// The query as stored (a JSON object of four string lists).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "keywords": self.keywords,
            "hashtags": self.hashtags,
            "accounts": self.accounts,
            "languages": self.languages,
        })
    }

    /// Reads a stored query back and validates it.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, QueryError> {
        let list = |field: &'static str| -> Result<Vec<String>, QueryError> {
            match value.get(field) {
                None | Some(serde_json::Value::Null) => Ok(Vec::new()),
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| field_err(field, "not a list of strings"))
                    })
                    .collect(),
                Some(_) => Err(field_err(field, "not a list of strings")),
            }
        };
        let q = MonitorQuery {
            keywords: list("keywords")?,
            hashtags: list("hashtags")?,
            accounts: list("accounts")?,
            languages: list("languages")?,
        };
        q.validate()?;
        Ok(q)
    }

    /// Normalizes the query once for evaluation over many messages.
    pub fn prepare(&self) -> PreparedQuery {
        PreparedQuery {
            keywords: self.keywords.iter().map(|k| keyword_tokens(k)).collect(),
            hashtags: self
                .hashtags
                .iter()
                .filter_map(|h| hashtag_token(h))
                .collect(),
            accounts: self.accounts.iter().map(|a| a.to_lowercase()).collect(),
            languages: self.languages.clone(),
        }
    }
}

/// Whether an account item can name an account: a handle, a fediverse handle
/// `local@host`, or a user id, which may be a feed author's name with spaces
/// (`Press office`). The list is split on commas, so only control characters,
/// surrounding space and a malformed `@` are refused.
fn account_item(a: &str) -> bool {
    if a.is_empty() || a.trim() != a || a.chars().any(char::is_control) {
        return false;
    }
    match a.split_once('@') {
        None => true,
        Some((local, host)) => {
            !local.is_empty()
                && !host.is_empty()
                && !host.contains('@')
                && !a.chars().any(char::is_whitespace)
        }
    }
}

/// The normalized tokens of a keyword or phrase.
fn keyword_tokens(keyword: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_similarity_token(keyword, &mut Scratch::default(), |t| out.push(t.to_owned()));
    out
}

/// The normalized hashtag token (`#` included) of a hashtag body, if it is exactly one.
fn hashtag_token(body: &str) -> Option<String> {
    let tokens = keyword_tokens(&format!("#{body}"));
    match tokens.as_slice() {
        [one] if one.starts_with('#') && one.len() > 1 => Some(one.clone()),
        _ => None,
    }
}

/// A query ready to run: normalized keywords (as token sequences) and hashtags,
/// lowercased accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedQuery {
    keywords: Vec<Vec<String>>,
    hashtags: Vec<String>,
    accounts: Vec<String>,
    languages: Vec<String>,
}

/// What a monitor found in a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Matching messages.
    pub matches: u64,
    /// Timestamps of the earliest and latest match.
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    /// Up to [`SAMPLE_ROWS`] matching rows, newest first.
    pub sample_rows: Vec<u32>,
}

/// The primary subtag of a language tag, lowercased (`en-GB` → `en`).
fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Counts the messages with `since_ms < timestamp <= until_ms` that match `query`.
pub fn evaluate(
    table: &MessageTable,
    query: &PreparedQuery,
    since_ms: i64,
    until_ms: i64,
) -> Evaluation {
    // Per interned account and declared language, whether it matches: one pass over the
    // interners instead of one comparison per message.
    let account_ok = |interner: &crate::intern::Interner| -> Vec<bool> {
        (0..interner.len() as u32)
            .map(|id| {
                let s = interner.resolve(id);
                let s = s.strip_prefix('@').unwrap_or(s).to_lowercase();
                query.accounts.contains(&s)
            })
            .collect()
    };
    let (by_user, by_name) = if query.accounts.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (account_ok(&table.users), account_ok(&table.usernames))
    };
    let declared_ok: Vec<bool> = (0..table.langs.len() as u32)
        .map(|id| query.languages.contains(&primary(table.langs.resolve(id))))
        .collect();

    let mut scratch = Scratch::default();
    let mut tokens: Vec<String> = Vec::new();
    let mut out = Evaluation::default();
    for row in 0..table.len() as u32 {
        let r = row as usize;
        let ts = table.timestamp_ms[r];
        if ts <= since_ms || ts > until_ms {
            continue;
        }
        if !query.accounts.is_empty()
            && !by_user[table.user[r] as usize]
            && !by_name[table.username[r] as usize]
        {
            continue;
        }
        let declared = table.lang[r];
        if !query.languages.is_empty() && declared != NONE && !declared_ok[declared as usize] {
            continue;
        }
        if !query.keywords.is_empty() || !query.hashtags.is_empty() {
            tokens.clear();
            for_each_similarity_token(table.text(row), &mut scratch, |t| tokens.push(t.to_owned()));
            if !query.hashtags.is_empty() && !query.hashtags.iter().any(|h| tokens.contains(h)) {
                continue;
            }
            if !query.keywords.is_empty()
                && !query.keywords.iter().any(|k| contains_phrase(&tokens, k))
            {
                continue;
            }
        }
        // Detection is the costliest test: last, and only when the archive is silent.
        if !query.languages.is_empty() && declared == NONE {
            let detected = lang::detect(table.text(row)).map(|(l, _)| l.code());
            if !detected.is_some_and(|code| query.languages.iter().any(|l| l == code)) {
                continue;
            }
        }
        out.matches += 1;
        out.first_ms = Some(out.first_ms.map_or(ts, |f| f.min(ts)));
        out.last_ms = Some(out.last_ms.map_or(ts, |l| l.max(ts)));
        keep_newest(&mut out.sample_rows, table, row);
    }
    out.sample_rows
        .sort_by_key(|&r| (std::cmp::Reverse(table.timestamp_ms[r as usize]), r));
    out
}

fn contains_phrase(tokens: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && tokens.windows(phrase.len()).any(|w| w == phrase)
}

/// Keeps the [`SAMPLE_ROWS`] newest rows seen so far.
fn keep_newest(samples: &mut Vec<u32>, table: &MessageTable, row: u32) {
    if samples.len() < SAMPLE_ROWS {
        samples.push(row);
        return;
    }
    let ts = |r: u32| table.timestamp_ms[r as usize];
    if let Some((i, &oldest)) = samples.iter().enumerate().min_by_key(|(_, r)| ts(**r))
        && ts(row) > ts(oldest)
    {
        samples[i] = row;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{MessageRow, RowMeta};

    fn row(id: &str, user: &str, secs: i64, text: &str, lang: Option<&str>) -> MessageRow {
        MessageRow {
            message_id: id.into(),
            user_id: format!("u-{user}"),
            username: user.into(),
            text: text.into(),
            timestamp_ms: secs * 1000,
            meta: RowMeta {
                lang: lang.map(str::to_owned),
                ..RowMeta::default()
            },
            ..MessageRow::default()
        }
    }

    fn table(rows: &[MessageRow]) -> MessageTable {
        let mut t = MessageTable::new();
        for r in rows {
            t.push(r);
        }
        t
    }

    fn q(k: &str, h: &str, a: &str, l: &str) -> PreparedQuery {
        MonitorQuery::parse(k, h, a, l).unwrap().prepare()
    }

    fn matched(t: &MessageTable, query: &PreparedQuery) -> Vec<String> {
        let e = evaluate(t, query, i64::MIN, i64::MAX);
        let mut ids: Vec<String> = e
            .sample_rows
            .iter()
            .map(|&r| t.message_id(r).to_owned())
            .collect();
        ids.sort();
        assert_eq!(
            e.matches as usize,
            ids.len(),
            "every test here has at most {SAMPLE_ROWS} matches"
        );
        ids
    }

    #[test]
    fn arabic_hashtag_variants_match_and_hashtags_stay_whole() {
        let t = table(&[
            row("1", "a", 1, "نداء #السلام_الآن", None),
            row("2", "b", 2, "نداء #السَّلام_الآن بالتشكيل", None),
            row("3", "c", 3, "#الســـلام_الان مع تطويل", None),
            row("4", "d", 4, "#السلام_الآن_فورا وسم أطول", None),
            row("5", "e", 5, "السلام الآن بلا وسم", None),
        ]);
        assert_eq!(
            matched(&t, &q("", "#السلام_الان", "", "")),
            vec!["1", "2", "3"]
        );
    }

    #[test]
    fn keywords_match_words_and_phrases_after_normalization() {
        let t = table(&[
            row("1", "a", 1, "وقف إطلاق النار الآن", None),
            row("2", "b", 2, "وَقْف اطلاق النّار", None),
            row("3", "c", 3, "إطلاق سراح", None),
            row("4", "d", 4, "Ceasefire NOW please", None),
            row("5", "e", 5, "#ceasefire only as a tag", None),
        ]);
        assert_eq!(
            matched(&t, &q("اطلاق النار, ceasefire", "", "", "")),
            vec!["1", "2", "4"]
        );
        assert_eq!(matched(&t, &q("أطلاق", "", "", "")), vec!["1", "2", "3"]);
    }

    #[test]
    fn fields_combine_with_and_items_with_or() {
        let t = table(&[
            row("1", "Embassy_X", 1, "visa news #consular", Some("en")),
            row("2", "other", 2, "visa news #consular", Some("en")),
            row("3", "embassy_x", 3, "visa news", Some("en")),
            row("4", "ministry", 4, "أخبار التأشيرة #consular", Some("ar")),
        ]);
        let query = q("", "consular", "@EMBASSY_X, ministry", "");
        assert_eq!(matched(&t, &query), vec!["1", "4"]);
        let query = q("", "consular", "embassy_x,ministry", "en");
        assert_eq!(matched(&t, &query), vec!["1"]);
        // An account matches by user id as well as by handle.
        assert_eq!(matched(&t, &q("", "", "u-other", "")), vec!["2"]);
    }

    #[test]
    fn fediverse_handles_and_feed_authors_are_accounts() {
        let mut t = table(&[
            row("1", "bob@social.example", 1, "hello", None),
            row("2", "bob", 2, "hello", None),
            row("3", "carol", 3, "hello", None),
        ]);
        // A feed names its author by a name with spaces, used as user id and handle.
        t.push(&MessageRow {
            message_id: "4".into(),
            user_id: "Press office".into(),
            username: "Press office".into(),
            text: "Travel advice".into(),
            timestamp_ms: 4000,
            ..MessageRow::default()
        });
        let query = MonitorQuery::parse("", "", "@bob@social.example", "").unwrap();
        assert_eq!(query.accounts, vec!["bob@social.example"]);
        assert_eq!(matched(&t, &query.prepare()), vec!["1"]);
        let query = MonitorQuery::parse("", "", "press office, @Bob", "").unwrap();
        assert_eq!(query.accounts, vec!["press office", "Bob"]);
        assert_eq!(matched(&t, &query.prepare()), vec!["2", "4"]);
        let back = MonitorQuery::from_json(&query.to_json()).unwrap();
        assert_eq!(back, query);
    }

    #[test]
    fn declared_language_wins_and_detection_fills_in() {
        let t = table(&[
            row("1", "a", 1, "hello there friends", Some("ar")),
            row("2", "b", 2, "صباح الخير يا أصدقاء", None),
            row("3", "c", 3, "good morning to all of you", None),
            row("4", "d", 4, "bonjour", Some("ar-EG")),
        ]);
        assert_eq!(matched(&t, &q("", "", "", "ar")), vec!["1", "2", "4"]);
        assert_eq!(matched(&t, &q("", "", "", "EN")), vec!["3"]);
    }

    #[test]
    fn the_window_is_open_at_the_start_and_closed_at_the_end() {
        let rows: Vec<MessageRow> = (1..=10)
            .map(|i| row(&i.to_string(), "a", i * 60, "#alert", None))
            .collect();
        let t = table(&rows);
        let e = evaluate(&t, &q("", "alert", "", ""), 120_000, 420_000);
        assert_eq!(e.matches, 5, "minutes 3 to 7");
        assert_eq!(e.first_ms, Some(180_000));
        assert_eq!(e.last_ms, Some(420_000));
        let newest: Vec<&str> = e.sample_rows.iter().map(|&r| t.message_id(r)).collect();
        assert_eq!(newest, vec!["7", "6", "5", "4", "3"]);
        assert_eq!(
            evaluate(&t, &q("", "alert", "", ""), 600_000, 700_000).matches,
            0
        );
    }

    #[test]
    fn bad_lists_name_their_field() {
        let field = |r: Result<MonitorQuery, QueryError>| match r.unwrap_err() {
            QueryError::Field { field, .. } => field,
            QueryError::Empty => "empty",
        };
        assert_eq!(field(MonitorQuery::parse("", "", "", "")), "empty");
        assert_eq!(field(MonitorQuery::parse(" , ", "", "", "")), "empty");
        assert_eq!(field(MonitorQuery::parse("!!!", "", "", "")), "keywords");
        assert_eq!(
            field(MonitorQuery::parse("vote #now", "", "", "")),
            "keywords"
        );
        assert_eq!(
            field(MonitorQuery::parse("", "two words", "", "")),
            "hashtags"
        );
        assert_eq!(field(MonitorQuery::parse("", "", "bob@", "")), "accounts");
        assert_eq!(field(MonitorQuery::parse("", "", "a@b@c", "")), "accounts");
        assert_eq!(field(MonitorQuery::parse("", "", "a\tb", "")), "accounts");
        assert_eq!(
            field(MonitorQuery::parse("", "", "", "english")),
            "languages"
        );
    }

    #[test]
    fn a_query_round_trips_through_json() {
        let query = MonitorQuery::parse("وقف إطلاق النار", "#سلام", "@a", "ar,en").unwrap();
        assert_eq!(query.hashtags, vec!["سلام"]);
        assert_eq!(query.accounts, vec!["a"]);
        let back = MonitorQuery::from_json(&query.to_json()).unwrap();
        assert_eq!(back, query);
        let bad = serde_json::json!({"hashtags": [1]});
        assert!(matches!(
            MonitorQuery::from_json(&bad),
            Err(QueryError::Field {
                field: "hashtags",
                ..
            })
        ));
    }
}
