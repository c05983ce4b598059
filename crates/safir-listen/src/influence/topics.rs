//! Top accounts per topic (hashtag) and per language, ranked by PageRank within
//! the accounts that used the hashtag or wrote in the language.

use safir_text::lang::{Lang, detect};
use safir_text::normalize::{NormalizeOptions, normalize_into};
use safir_text::{TokenKind, tokenize};

use super::Influence;
use crate::intern::Interner;
use crate::table::{MessageTable, NONE};

/// The accounts that share a topic or a language, and the best of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// The normalized hashtag (`#` included) or the language code.
    pub key: String,
    /// Messages that used the hashtag / were in the language.
    pub messages: usize,
    /// Distinct accounts among their authors.
    pub accounts: usize,
    /// The best accounts by PageRank (nodes of the graph), best first.
    pub top: Vec<u32>,
}

/// Up to `topics` hashtags used by the most accounts, each with its `per_topic`
/// accounts of highest PageRank among those that used it.
///
/// Hashtags are compared after the text engine's normalization (lowercase,
/// diacritics and tatweel removed, alef forms unified, presentation forms
/// folded), so spelling variants are one topic; a repost counts as a use.
pub fn top_by_topic(
    table: &MessageTable,
    influence: &Influence,
    topics: usize,
    per_topic: usize,
) -> Vec<Population> {
    let mut tags = Interner::new();
    let mut uses: Vec<(u32, u32)> = Vec::new();
    let mut messages: Vec<usize> = Vec::new();
    let mut normalized = String::new();
    let mut in_row: Vec<u32> = Vec::new();
    let opts = NormalizeOptions::default();
    for row in 0..table.len() {
        let text = table.text(row as u32);
        if !text.contains('#') {
            continue;
        }
        normalized.clear();
        normalize_into(text, &opts, &mut normalized);
        in_row.clear();
        for t in tokenize(&normalized) {
            if t.kind == TokenKind::Hashtag && t.end - t.start > 1 {
                in_row.push(tags.intern(t.text(&normalized)).0);
            }
        }
        in_row.sort_unstable();
        in_row.dedup();
        let node = influence.graph.account_node(table.user[row]);
        messages.resize(tags.len(), 0);
        for &tag in &in_row {
            messages[tag as usize] += 1;
            uses.push((tag, node));
        }
    }
    let ranked = rank_populations(influence, uses, tags.len(), per_topic);
    let mut out = populations(ranked, &tags, &messages);
    out.truncate(topics);
    out
}

/// Every language with its `per_language` accounts of highest PageRank among
/// those that wrote in it, languages with the most accounts first.
///
/// A message's language is the one the platform declared (primary subtag,
/// lowercased; `und`, `zxx` and Twitter's `q…` codes count as unknown). An
/// account's messages of unknown language are identified together by the text
/// engine (on about their first 300 bytes), so one detection runs per account.
pub fn top_by_language(
    table: &MessageTable,
    influence: &Influence,
    per_language: usize,
) -> Vec<Population> {
    let mut langs = Interner::new();
    let mut messages: Vec<usize> = Vec::new();
    let mut uses: Vec<(u32, u32)> = Vec::new();
    let mut undeclared: Vec<String> = vec![String::new(); table.users.len()];
    let mut undeclared_rows: Vec<usize> = vec![0; table.users.len()];
    for row in 0..table.len() {
        let user = table.user[row];
        let node = influence.graph.account_node(user);
        let declared = (table.lang[row] != NONE)
            .then(|| declared_code(table.langs.resolve(table.lang[row])))
            .flatten();
        match declared {
            Some(code) => {
                let (id, new) = langs.intern(&code);
                if new {
                    messages.push(0);
                }
                messages[id as usize] += 1;
                uses.push((id, node));
            }
            None => {
                let buf = &mut undeclared[user as usize];
                undeclared_rows[user as usize] += 1;
                if buf.len() < SAMPLE_BYTES {
                    buf.push_str(table.text(row as u32));
                    buf.push('\n');
                }
            }
        }
    }
    for (user, lang) in detect_all(&undeclared).into_iter().enumerate() {
        if let Some(lang) = lang {
            let (id, new) = langs.intern(lang.code());
            if new {
                messages.push(0);
            }
            messages[id as usize] += undeclared_rows[user];
            uses.push((id, influence.graph.account_node(user as u32)));
        }
    }
    let ranked = rank_populations(influence, uses, langs.len(), per_language);
    populations(ranked, &langs, &messages)
}

/// Bytes of an account's text of unknown language given to the detector: enough
/// for a confident answer, few enough for 100,000 accounts in seconds.
const SAMPLE_BYTES: usize = 300;

/// The language of each non-empty text, detected on all cores.
fn detect_all(texts: &[String]) -> Vec<Option<Lang>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = texts.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let workers: Vec<_> = texts
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|t| (!t.is_empty()).then(|| detect(t)).flatten().map(|(l, _)| l))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("language detection does not panic"))
            .collect()
    })
}

/// `en-GB` → `en`; unknown-language codes → `None`.
fn declared_code(tag: &str) -> Option<String> {
    let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    let unknown = primary.is_empty()
        || primary == "und"
        || primary == "zxx"
        || (primary.starts_with('q') && primary.len() == 3);
    (!unknown).then_some(primary)
}

/// For each group id in `0..groups`, the number of distinct accounts and the
/// `per_group` of them with the highest PageRank.
/// Named populations (a topic's or a language's accounts and top accounts), the largest first.
fn populations(
    ranked: Vec<(usize, Vec<u32>)>,
    keys: &Interner,
    messages: &[usize],
) -> Vec<Population> {
    let mut out: Vec<Population> = ranked
        .into_iter()
        .enumerate()
        .map(|(id, (accounts, top))| Population {
            key: keys.resolve(id as u32).to_owned(),
            messages: messages[id],
            accounts,
            top,
        })
        .collect();
    out.sort_by(|a, b| {
        (b.accounts, b.messages)
            .cmp(&(a.accounts, a.messages))
            .then_with(|| a.key.cmp(&b.key))
    });
    out
}

fn rank_populations(
    influence: &Influence,
    mut uses: Vec<(u32, u32)>,
    groups: usize,
    per_group: usize,
) -> Vec<(usize, Vec<u32>)> {
    uses.sort_unstable();
    uses.dedup();
    let mut out = vec![(0usize, Vec::new()); groups];
    let pr = &influence.pagerank;
    for chunk in uses.chunk_by(|a, b| a.0 == b.0) {
        let mut members: Vec<u32> = chunk.iter().map(|&(_, node)| node).collect();
        members.sort_unstable_by(|a, b| pr[*b as usize].total_cmp(&pr[*a as usize]).then(a.cmp(b)));
        let accounts = members.len();
        members.truncate(per_group);
        out[chunk[0].0 as usize] = (accounts, members);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::declared_code;

    #[test]
    fn declared_codes() {
        assert_eq!(declared_code("en-GB").as_deref(), Some("en"));
        assert_eq!(declared_code("AR").as_deref(), Some("ar"));
        assert_eq!(declared_code("und"), None);
        assert_eq!(declared_code("qme"), None);
        assert_eq!(declared_code("zxx"), None);
    }
}
