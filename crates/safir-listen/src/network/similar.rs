//! co_similar_tweet: exact all-pairs Jaccard join within the time window.
//!
//! Candidates come from prefix filtering: tokens are ranked rarest first, and two
//! sets with Jaccard ≥ t always share a token among the first
//! `|x| - ⌈t·|x|⌉ + 1` of each, so only those prefix tokens are indexed. Each
//! posting list is sorted by time and every row sits in the lists of its own
//! prefix tokens, so the window is scanned outward from the row's own entry (no
//! search). The length filter and the positional filter (at the first shared
//! token, the overlap is at most one plus the shorter of the two remainders) use
//! what the posting entry holds, before the candidate's tokens are read; every
//! remaining candidate is verified with the exact `|x ∩ y| / |x ∪ y| ≥ t` test
//! the toolkit uses. Nothing is approximated.

use std::ops::Range;

use super::vocab::Vocab;
use super::{Matcher, NetworkParams};
use crate::table::MessageTable;
use crate::text::{Scratch as TextScratch, for_each_similarity_token};

/// Slack for the float bounds of the filters: they may only ever admit more.
const EPS: f64 = 1e-9;

pub(crate) struct SimilarMatcher<'t> {
    threshold: f64,
    window_ms: i64,
    row_ts: &'t [i64],
    /// Rows with tokens, by time.
    by_time: Vec<u32>,
    /// Row `r`'s token ranks, ascending: `tokens[tok_start[r]..tok_start[r + 1]]`.
    tok_start: Vec<u32>,
    tokens: Vec<u32>,
    /// Rows whose prefix holds rank `k`, by time: `posts[post_start[k]..post_start[k + 1]]`,
    /// with their timestamps at the same places in `post_ts` (the window scan reads
    /// only those, eight to a cache line).
    post_start: Vec<u32>,
    post_ts: Vec<i64>,
    posts: Vec<Posting>,
    /// For the `i`-th prefix token of row `r`, the index of `r`'s own entry in
    /// that token's posting list: `self_entry[prefix_start[r] + i]`.
    prefix_start: Vec<u32>,
    self_entry: Vec<u32>,
}

/// One entry of a posting list: what the filters need, in one place in memory.
#[derive(Clone, Copy, Default)]
struct Posting {
    row: u32,
    /// Token count of the row.
    len: u32,
    /// Position of the posting's rank among the row's tokens.
    pos: u32,
}

pub(crate) struct Scratch {
    seen: Vec<u32>,
}

fn prefix_len(size: usize, threshold: f64) -> usize {
    let overlap = (threshold * size as f64 - EPS).ceil().max(1.0) as usize;
    (size + 1).saturating_sub(overlap).clamp(1, size.max(1))
}

/// The distinct tokens of a contiguous range of rows, with ids local to the range.
#[derive(Default)]
struct RowTokens {
    /// Local token ids, in first-seen order within the range.
    vocab: Vocab,
    /// Messages of the range holding each local token.
    freq: Vec<u32>,
    /// Each row's distinct local ids, in first-seen order; rows with fewer than
    /// the minimum are empty.
    tokens: Vec<u32>,
    /// End of each row's tokens in `tokens`.
    row_ends: Vec<u32>,
}

impl RowTokens {
    fn of(table: &MessageTable, rows: Range<usize>, min_size: usize) -> Self {
        let mut out = RowTokens::default();
        let mut scratch = TextScratch::default();
        // Last row that held each local token: drops repeats within a message.
        let mut last_row: Vec<u32> = Vec::new();
        for r in rows {
            let r = r as u32;
            let first = out.tokens.len();
            if !table.is_repost(r) {
                for_each_similarity_token(table.text(r), &mut scratch, |t| {
                    let (id, new) = out.vocab.intern(t);
                    if new {
                        last_row.push(u32::MAX);
                        out.freq.push(0);
                    }
                    if std::mem::replace(&mut last_row[id as usize], r) != r {
                        out.tokens.push(id);
                    }
                });
            }
            if out.tokens.len() - first < min_size {
                out.tokens.truncate(first);
            }
            for &id in &out.tokens[first..] {
                out.freq[id as usize] += 1;
            }
            out.row_ends.push(out.tokens.len() as u32);
        }
        out
    }
}

/// Every row's distinct token ranks, ascending, as `(tok_start, tokens, ranks)`:
/// row `r`'s are `tokens[tok_start[r]..tok_start[r + 1]]`, and all are below
/// `ranks`. Tokens are ranked rarest first, ties in first-seen order.
///
/// The rows are split into `parts` ranges tokenized in parallel, each with its own
/// vocabulary; the ranges' vocabularies are then merged in row order, so a token's
/// global id is its first-seen position over the whole table, whatever `parts` is.
fn ranked_tokens(
    table: &MessageTable,
    min_size: usize,
    parts: usize,
) -> (Vec<u32>, Vec<u32>, usize) {
    let n = table.len();
    let parts = parts.clamp(1, n.max(1));
    let size = n.div_ceil(parts);
    let ranges: Vec<Range<usize>> = (0..parts)
        .map(|p| (p * size).min(n)..((p + 1) * size).min(n))
        .collect();
    let mut chunks: Vec<RowTokens> = on_threads(&ranges, |range| {
        RowTokens::of(table, range.clone(), min_size)
    });

    // Merge the vocabularies and add up the frequencies.
    let mut global = Vocab::default();
    let mut freq: Vec<u32> = Vec::new();
    let to_global: Vec<Vec<u32>> = chunks
        .iter()
        .map(|c| {
            (0..c.vocab.len() as u32)
                .map(|local| {
                    let (id, new) = global.intern(c.vocab.resolve(local));
                    if new {
                        freq.push(0);
                    }
                    freq[id as usize] += c.freq[local as usize];
                    id
                })
                .collect()
        })
        .collect();
    drop(global);

    // Rank: rarest first, ties by id, so the order is total and deterministic.
    let mut order: Vec<u32> = (0..freq.len() as u32).collect();
    order.sort_unstable_by_key(|&id| (freq[id as usize], id));
    let mut rank = vec![0u32; freq.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }

    // Local ids to ranks, each row sorted, in parallel.
    let to_rank: Vec<Vec<u32>> = to_global
        .iter()
        .map(|ids| ids.iter().map(|&id| rank[id as usize]).collect())
        .collect();
    let work: Vec<(&mut RowTokens, &Vec<u32>)> = chunks.iter_mut().zip(&to_rank).collect();
    on_threads_mut(work, |(chunk, to_rank)| {
        for t in chunk.tokens.iter_mut() {
            *t = to_rank[*t as usize];
        }
        let mut from = 0;
        for &end in &chunk.row_ends {
            sort_distinct(&mut chunk.tokens[from as usize..end as usize]);
            from = end;
        }
    });

    let mut tok_start = Vec::with_capacity(n + 1);
    tok_start.push(0u32);
    let mut tokens = Vec::with_capacity(chunks.iter().map(|c| c.tokens.len()).sum());
    for chunk in chunks {
        let base = tokens.len() as u32;
        tok_start.extend(chunk.row_ends.iter().map(|&e| base + e));
        tokens.extend_from_slice(&chunk.tokens);
    }
    (tok_start, tokens, rank.len())
}

/// Sorts a short list of distinct values by counting, for each value, the values
/// below it: no branch depends on the data, where a comparison sort of a dozen
/// values mispredicts at every other step. Long lists take the usual sort.
fn sort_distinct(list: &mut [u32]) {
    const SHORT: usize = 32;
    if list.len() > SHORT {
        list.sort_unstable();
        return;
    }
    let mut values = [0u32; SHORT];
    let values = &mut values[..list.len()];
    values.copy_from_slice(list);
    for &v in values.iter() {
        let below = values.iter().map(|&x| u32::from(x < v)).sum::<u32>();
        list[below as usize] = v;
    }
}

/// `f` over each item, one thread per item, results in order.
fn on_threads<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .iter()
            .map(|item| {
                let f = &f;
                s.spawn(move || f(item))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// `f` over each item, one thread per item.
fn on_threads_mut<T: Send>(items: Vec<T>, f: impl Fn(T) + Sync) {
    if items.len() <= 1 {
        return items.into_iter().for_each(f);
    }
    std::thread::scope(|s| {
        for item in items {
            let f = &f;
            s.spawn(move || f(item));
        }
    });
}

impl<'t> SimilarMatcher<'t> {
    pub(crate) fn build(table: &'t MessageTable, params: &NetworkParams, threads: usize) -> Self {
        let n = table.len();
        let min_size = params.min_doc_size.max(1);
        // Small tables are not worth a thread per part.
        let parts = if n < 10_000 {
            1
        } else {
            threads.max(1).saturating_mul(4)
        };
        let (tok_start, tokens, n_ranks) = ranked_tokens(table, min_size, parts);

        // Index prefix tokens.
        let mut post_start = vec![0u32; n_ranks + 1];
        let prefix = |r: usize| {
            let toks = &tokens[tok_start[r] as usize..tok_start[r + 1] as usize];
            &toks[..if toks.is_empty() {
                0
            } else {
                prefix_len(toks.len(), params.similarity)
            }]
        };
        let mut prefix_start = Vec::with_capacity(n + 1);
        prefix_start.push(0u32);
        for r in 0..n {
            let p = prefix(r);
            for &k in p {
                post_start[k as usize + 1] += 1;
            }
            prefix_start.push(prefix_start[r] + p.len() as u32);
        }
        for k in 0..n_ranks {
            post_start[k + 1] += post_start[k];
        }
        // Rows are added in time order, so every list comes out sorted by time.
        let mut by_time: Vec<u32> = (0..n as u32)
            .filter(|&r| tok_start[r as usize] != tok_start[r as usize + 1])
            .collect();
        by_time.sort_by_key(|&r| table.timestamp_ms[r as usize]);
        let mut fill = post_start.clone();
        let entries = post_start[n_ranks] as usize;
        let mut posts = vec![Posting::default(); entries];
        let mut post_ts = vec![0i64; entries];
        let mut self_entry = vec![0u32; entries];
        for &r in &by_time {
            let (start, len) = (
                prefix_start[r as usize],
                tok_start[r as usize + 1] - tok_start[r as usize],
            );
            for (i, &k) in prefix(r as usize).iter().enumerate() {
                let e = fill[k as usize];
                fill[k as usize] += 1;
                posts[e as usize] = Posting {
                    row: r,
                    len,
                    pos: i as u32,
                };
                post_ts[e as usize] = table.timestamp_ms[r as usize];
                self_entry[start as usize + i] = e;
            }
        }
        drop(fill);
        Self {
            threshold: params.similarity,
            window_ms: params.window_ms,
            row_ts: &table.timestamp_ms,
            by_time,
            tok_start,
            tokens,
            post_start,
            post_ts,
            posts,
            prefix_start,
            self_entry,
        }
    }

    /// The rows that can match, by time: neighbours in this order share most of
    /// the memory their matching reads.
    pub(crate) fn rows_by_time(&self) -> &[u32] {
        &self.by_time
    }

    fn tokens_of(&self, r: u32) -> &[u32] {
        &self.tokens[self.tok_start[r as usize] as usize..self.tok_start[r as usize + 1] as usize]
    }
}

/// Size of the intersection of two ascending lists, or some smaller number once
/// it is certain the intersection cannot reach `need`.
fn overlap(a: &[u32], b: &[u32], need: usize) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if n + (a.len() - i).min(b.len() - j) < need {
            return n;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

impl Matcher for SimilarMatcher<'_> {
    type Scratch = Scratch;

    fn scratch(&self) -> Scratch {
        Scratch {
            seen: vec![u32::MAX; self.row_ts.len()],
        }
    }

    fn for_each_match(&self, row: u32, scratch: &mut Scratch, found: &mut impl FnMut(u32)) {
        let x = self.tokens_of(row);
        let size = x.len();
        if size == 0 {
            return;
        }
        let t = self.row_ts[row as usize];
        let (min_len, max_len) = (
            self.threshold * size as f64 - EPS,
            size as f64 / self.threshold + EPS,
        );
        // A window as long as time itself (`--window` of any size) matches every pair.
        let (lo_ts, hi_ts) = (
            t.saturating_sub(self.window_ms),
            t.saturating_add(self.window_ms),
        );
        let entries = &self.self_entry[self.prefix_start[row as usize] as usize..];
        // Every message matches itself (same time, Jaccard 1): its own entries
        // are passed over below.
        scratch.seen[row as usize] = row;
        found(row);
        for (i, &k) in x[..prefix_len(size, self.threshold)].iter().enumerate() {
            let (lo, hi) = (
                self.post_start[k as usize] as usize,
                self.post_start[k as usize + 1] as usize,
            );
            let own = entries[i] as usize;
            let mut from = own;
            while from > lo && self.post_ts[from - 1] >= lo_ts {
                from -= 1;
            }
            let mut to = own + 1;
            while to < hi && self.post_ts[to] <= hi_ts {
                to += 1;
            }
            let (before, after) = (&self.posts[from..own], &self.posts[own + 1..to]);
            for post in before.iter().chain(after) {
                let y_len = post.len as usize;
                let len = y_len as f64;
                if len < min_len || len > max_len {
                    continue;
                }
                // |x ∩ y| ≥ t/(1+t)·(|x|+|y|) is equivalent to Jaccard ≥ t.
                let need = (self.threshold / (1.0 + self.threshold) * (size + y_len) as f64 - EPS)
                    .ceil()
                    .max(0.0) as usize;
                let b = post.row;
                if std::mem::replace(&mut scratch.seen[b as usize], row) == row {
                    continue;
                }
                // The first time `b` is met is at the smallest token the two
                // prefixes share, which is the smallest token the two rows share:
                // the overlap is at most this token plus the shorter remainder.
                let j = post.pos as usize;
                if 1 + (size - i - 1).min(y_len - j - 1) < need {
                    continue;
                }
                let y = self.tokens_of(b);
                let common = overlap(&x[i..], &y[j..], need);
                let union = size + y_len - common;
                if common as f64 / union as f64 >= self.threshold {
                    found(b);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Rng;
    use crate::table::MessageRow;
    use crate::text::similarity_tokens;

    fn random_table(seed: u64, n: usize) -> MessageTable {
        let mut rng = Rng::new(seed);
        let words = [
            "Alpha", "beta", "gamma", "#delta", "x@y.org", "3.14", "سلام", "epsilon",
        ];
        let mut table = MessageTable::new();
        for i in 0..n {
            let len = rng.below(8) as usize;
            let text: Vec<&str> = (0..len)
                .map(|_| words[rng.below(words.len() as u64) as usize])
                .collect();
            table.push(&MessageRow {
                message_id: i.to_string(),
                user_id: format!("u{}", rng.below(5)),
                repost_id: (rng.below(6) == 0).then(|| "0".to_owned()),
                text: text.join(" "),
                timestamp_ms: i as i64,
                ..MessageRow::default()
            });
        }
        table
    }

    #[test]
    fn sort_distinct_sorts_short_and_long_lists() {
        let mut rng = Rng::new(5);
        for len in 0..70 {
            let mut list: Vec<u32> = (0..len).map(|i| i * 7 + rng.below(7) as u32).collect();
            let want = list.clone();
            for i in (1..list.len()).rev() {
                list.swap(i, rng.below(i as u64 + 1) as usize);
            }
            sort_distinct(&mut list);
            assert_eq!(list, want);
        }
        let mut extremes = vec![u32::MAX, 0, 1 << 31, (1 << 31) - 1];
        sort_distinct(&mut extremes);
        assert_eq!(extremes, [0, (1 << 31) - 1, 1 << 31, u32::MAX]);
    }

    #[test]
    fn parts_merge_to_the_tokens_of_one_pass() {
        for seed in 1..=3 {
            let table = random_table(seed, 500);
            for min_size in [1, 3] {
                let whole = ranked_tokens(&table, min_size, 1);
                // Each row keeps its distinct tokens, or none below the minimum.
                for r in 0..table.len() {
                    let got = (whole.0[r + 1] - whole.0[r]) as usize;
                    let distinct = similarity_tokens(table.text(r as u32)).len();
                    let want = if table.is_repost(r as u32) || distinct < min_size {
                        0
                    } else {
                        distinct
                    };
                    assert_eq!(got, want, "row {r}");
                    let row = &whole.1[whole.0[r] as usize..whole.0[r + 1] as usize];
                    assert!(row.windows(2).all(|w| w[0] < w[1]));
                }
                // Splitting the rows changes nothing, down to the ranks.
                for parts in [2, 7, 499, 500, 501] {
                    assert_eq!(
                        ranked_tokens(&table, min_size, parts),
                        whole,
                        "{parts} parts"
                    );
                }
            }
        }
        let empty = MessageTable::new();
        assert_eq!(ranked_tokens(&empty, 1, 4), (vec![0], vec![], 0));
    }

    #[test]
    fn prefix_is_long_enough_for_the_threshold() {
        assert_eq!(prefix_len(10, 0.8), 3);
        assert_eq!(prefix_len(5, 1.0), 1);
        assert_eq!(prefix_len(1, 0.5), 1);
        assert_eq!(prefix_len(4, 0.01), 4);
    }
}
