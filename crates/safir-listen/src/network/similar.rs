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

use rustc_hash::FxHashMap;

use super::{Matcher, NetworkParams, UserRows, par_map};
use crate::table::MessageTable;
use crate::text::{Scratch as TextScratch, for_each_similarity_token};

/// Slack for the float bounds of the filters: they may only ever admit more.
const EPS: f64 = 1e-9;

pub(crate) struct SimilarMatcher<'t> {
    threshold: f64,
    window_ms: i64,
    row_ts: &'t [i64],
    by_user: UserRows,
    /// Row `r`'s token ranks, ascending: `tokens[tok_start[r]..tok_start[r + 1]]`.
    tok_start: Vec<u32>,
    tokens: Vec<u32>,
    /// Rows whose prefix holds rank `k`, by time: `posts[post_start[k]..post_start[k + 1]]`.
    post_start: Vec<u32>,
    posts: Vec<Posting>,
    /// For the `i`-th prefix token of row `r`, the index of `r`'s own entry in
    /// that token's posting list: `self_entry[tok_start[r] + i]`.
    self_entry: Vec<u32>,
}

/// One entry of a posting list: what the filters need, in one place in memory.
#[derive(Clone, Copy, Default)]
struct Posting {
    ts: i64,
    row: u32,
    /// Token count of the row.
    len: u32,
    /// Position of the posting's rank among the row's tokens.
    pos: u32,
}

#[derive(Default)]
struct TokenChunk {
    buf: String,
    /// End of each token in `buf`.
    ends: Vec<usize>,
    /// End of each row's tokens in `ends`.
    row_ends: Vec<usize>,
}

pub(crate) struct Scratch {
    seen: Vec<u32>,
}

fn prefix_len(size: usize, threshold: f64) -> usize {
    let overlap = (threshold * size as f64 - EPS).ceil().max(1.0) as usize;
    (size + 1).saturating_sub(overlap).clamp(1, size.max(1))
}

impl<'t> SimilarMatcher<'t> {
    pub(crate) fn build(table: &'t MessageTable, params: &NetworkParams, threads: usize) -> Self {
        let n = table.len();
        let min_size = params.min_doc_size.max(1);
        // Tokens of each chunk of rows go into one flat buffer: no allocation per token.
        let chunks: Vec<TokenChunk> = par_map(n, threads.max(1) * 4, |range| {
            let mut chunk = TokenChunk::default();
            let mut scratch = TextScratch::default();
            for r in range {
                let r = r as u32;
                if !table.is_repost(r) {
                    for_each_similarity_token(table.text(r), &mut scratch, |t| {
                        chunk.buf.push_str(t);
                        chunk.ends.push(chunk.buf.len());
                    });
                }
                chunk.row_ends.push(chunk.ends.len());
            }
            vec![chunk]
        });

        // Intern tokens, drop duplicates within a message and too-short messages,
        // and count document frequencies.
        let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
        let mut freq: Vec<u32> = Vec::new();
        let mut tok_start = Vec::with_capacity(n + 1);
        let mut tokens: Vec<u32> = Vec::new();
        tok_start.push(0u32);
        for chunk in &chunks {
            let mut tok = 0;
            for &row_end in &chunk.row_ends {
                let first = tokens.len();
                while tok < row_end {
                    let from = if tok == 0 { 0 } else { chunk.ends[tok - 1] };
                    let t = &chunk.buf[from..chunk.ends[tok]];
                    let next = ids.len() as u32;
                    let id = *ids.entry(t).or_insert(next);
                    if id as usize == freq.len() {
                        freq.push(0);
                    }
                    tokens.push(id);
                    tok += 1;
                }
                let row = &mut tokens[first..];
                row.sort_unstable();
                let mut kept = 0;
                for i in 0..row.len() {
                    if i == 0 || row[i] != row[i - 1] {
                        row[kept] = row[i];
                        kept += 1;
                    }
                }
                tokens.truncate(first + if kept < min_size { 0 } else { kept });
                for &id in &tokens[first..] {
                    freq[id as usize] += 1;
                }
                tok_start.push(tokens.len() as u32);
            }
        }
        drop(ids);
        drop(chunks);

        // Rank: rarest first, ties by id, so the order is total and deterministic.
        let mut order: Vec<u32> = (0..freq.len() as u32).collect();
        order.sort_unstable_by_key(|&id| (freq[id as usize], id));
        let mut rank = vec![0u32; freq.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        for t in tokens.iter_mut() {
            *t = rank[*t as usize];
        }
        for r in 0..n {
            tokens[tok_start[r] as usize..tok_start[r + 1] as usize].sort_unstable();
        }

        // Index prefix tokens.
        let n_ranks = freq.len();
        let mut post_start = vec![0u32; n_ranks + 1];
        let prefix = |r: usize| {
            let toks = &tokens[tok_start[r] as usize..tok_start[r + 1] as usize];
            &toks[..if toks.is_empty() {
                0
            } else {
                prefix_len(toks.len(), params.similarity)
            }]
        };
        for r in 0..n {
            for &k in prefix(r) {
                post_start[k as usize + 1] += 1;
            }
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
        let mut posts = vec![Posting::default(); post_start[n_ranks] as usize];
        let mut self_entry = vec![u32::MAX; tokens.len()];
        for &r in &by_time {
            let (start, len) = (
                tok_start[r as usize],
                tok_start[r as usize + 1] - tok_start[r as usize],
            );
            for (i, &k) in prefix(r as usize).iter().enumerate() {
                let e = fill[k as usize];
                fill[k as usize] += 1;
                posts[e as usize] = Posting {
                    ts: table.timestamp_ms[r as usize],
                    row: r,
                    len,
                    pos: i as u32,
                };
                self_entry[start as usize + i] = e;
            }
        }
        drop(by_time);
        drop(fill);
        let by_user = UserRows::build(table, |r| {
            tok_start[r as usize] != tok_start[r as usize + 1]
        });
        Self {
            threshold: params.similarity,
            window_ms: params.window_ms,
            row_ts: &table.timestamp_ms,
            by_user,
            tok_start,
            tokens,
            post_start,
            posts,
            self_entry,
        }
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

    fn rows_by_user(&self) -> &UserRows {
        &self.by_user
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
        let (lo_ts, hi_ts) = (t - self.window_ms, t + self.window_ms);
        let entries = &self.self_entry[self.tok_start[row as usize] as usize..];
        for (i, &k) in x[..prefix_len(size, self.threshold)].iter().enumerate() {
            let (lo, hi) = (
                self.post_start[k as usize] as usize,
                self.post_start[k as usize + 1] as usize,
            );
            let own = entries[i] as usize;
            let mut from = own;
            while from > lo && self.posts[from - 1].ts >= lo_ts {
                from -= 1;
            }
            let mut to = own + 1;
            while to < hi && self.posts[to].ts <= hi_ts {
                to += 1;
            }
            for post in &self.posts[from..to] {
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

    #[test]
    fn prefix_is_long_enough_for_the_threshold() {
        assert_eq!(prefix_len(10, 0.8), 3);
        assert_eq!(prefix_len(5, 1.0), 1);
        assert_eq!(prefix_len(1, 0.5), 1);
        assert_eq!(prefix_len(4, 0.01), 4);
    }
}
