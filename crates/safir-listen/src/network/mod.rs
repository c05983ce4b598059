//! Coordination networks with the coordination-network-toolkit's definitions.
//!
//! Two messages *match* when they share the kind's key and their timestamps are at
//! most the window apart (inclusive). The directed weight A→B is the number of A's
//! messages that match at least one of B's; edges below the minimum weight are
//! dropped, and so are self-loops unless asked for.
//!
//! Where a message matches many others, work is split by account: each thread
//! takes accounts in turn, walks their messages, and counts per other account with
//! a dense scratch array, so no global pair map is ever built. co_similar_tweet,
//! where a message matches few others, walks the messages by time instead and
//! counts the few (account, account) pairs at the end.

mod groups;
mod keyed;
mod output;
mod similar;
mod vocab;

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::table::MessageTable;

pub use groups::{Group, find_groups};
pub use output::{write_csv, write_gexf, write_graphml};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkKind {
    /// Reposts of the same message.
    CoRetweet,
    /// Identical text after normalization (original posts and replies).
    CoTweet,
    /// Jaccard similarity of token sets at or above a threshold.
    CoSimilarTweet,
    /// The same URL in original posts and replies.
    CoLink,
    /// Replies to the same message.
    CoReply,
    /// Any two messages.
    CoPost,
}

impl NetworkKind {
    pub const ALL: [NetworkKind; 6] = [
        NetworkKind::CoRetweet,
        NetworkKind::CoTweet,
        NetworkKind::CoSimilarTweet,
        NetworkKind::CoLink,
        NetworkKind::CoReply,
        NetworkKind::CoPost,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NetworkKind::CoRetweet => "co_retweet",
            NetworkKind::CoTweet => "co_tweet",
            NetworkKind::CoSimilarTweet => "co_similar_tweet",
            NetworkKind::CoLink => "co_link",
            NetworkKind::CoReply => "co_reply",
            NetworkKind::CoPost => "co_post",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

#[derive(Debug, Clone)]
pub struct NetworkParams {
    /// Largest time difference between matching messages, in milliseconds (inclusive).
    pub window_ms: i64,
    /// Smallest weight an edge needs to be kept.
    pub min_weight: u32,
    /// co_similar_tweet: the Jaccard threshold, in (0, 1].
    pub similarity: f64,
    /// co_similar_tweet: messages with fewer distinct tokens never match.
    pub min_doc_size: usize,
    pub include_self_loops: bool,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
}

impl Default for NetworkParams {
    fn default() -> Self {
        Self {
            window_ms: 60_000,
            min_weight: 1,
            similarity: 0.8,
            min_doc_size: 1,
            include_self_loops: false,
            threads: 0,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NetworkError {
    #[error("the similarity threshold must be in (0, 1], got {0}")]
    Similarity(f64),
    #[error("the window must not be negative")]
    Window,
}

/// A directed, weighted edge between two accounts (interned user ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    pub user_1: u32,
    pub user_2: u32,
    pub weight: u32,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub kind: NetworkKind,
    /// Sorted by (user_1, user_2).
    pub edges: Vec<Edge>,
    /// Rows that matched a message of another account through an edge of `edges` (one
    /// `min_weight` kept), sorted.
    pub matched_rows: Vec<u32>,
}

/// Computes one network over the whole table.
pub fn compute(
    table: &MessageTable,
    kind: NetworkKind,
    params: &NetworkParams,
) -> Result<Network, NetworkError> {
    if params.window_ms < 0 {
        return Err(NetworkError::Window);
    }
    let threads = match params.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let (edges, matched_rows) = match kind {
        NetworkKind::CoSimilarTweet => {
            if !(params.similarity > 0.0 && params.similarity <= 1.0) {
                return Err(NetworkError::Similarity(params.similarity));
            }
            let matcher = similar::SimilarMatcher::build(table, params, threads);
            let (edges, matched) =
                accumulate_sparse(table, &matcher, matcher.rows_by_time(), params, threads);
            let matched = kept_matches(table, &matcher, matched, &edges, params, threads);
            (edges, matched)
        }
        _ => {
            let matcher = keyed::KeyedMatcher::build(table, kind, params.window_ms, threads);
            let (edges, matched) = accumulate(table, &matcher, &matcher.by_user, params, threads);
            let matched = kept_matches(table, &matcher, matched, &edges, params, threads);
            (edges, matched)
        }
    };
    Ok(Network {
        kind,
        edges,
        matched_rows,
    })
}

/// Finds, for one message, the messages it matches (itself included).
pub(crate) trait Matcher: Sync {
    type Scratch;
    fn scratch(&self) -> Self::Scratch;
    fn for_each_match(&self, row: u32, scratch: &mut Self::Scratch, found: &mut impl FnMut(u32));
}

/// Eligible rows grouped by account: `rows[start[i]..start[i + 1]]` belong to `users[i]`.
#[derive(Debug, Default)]
pub(crate) struct UserRows {
    pub users: Vec<u32>,
    pub start: Vec<usize>,
    pub rows: Vec<u32>,
}

impl UserRows {
    pub(crate) fn build(table: &MessageTable, eligible: impl Fn(u32) -> bool) -> Self {
        let mut pairs: Vec<(u32, u32)> = (0..table.len() as u32)
            .filter(|&r| eligible(r))
            .map(|r| (table.user[r as usize], r))
            .collect();
        pairs.sort_unstable();
        let mut out = UserRows::default();
        for (i, &(user, row)) in pairs.iter().enumerate() {
            if i == 0 || pairs[i - 1].0 != user {
                out.users.push(user);
                out.start.push(i);
            }
            out.rows.push(row);
        }
        out.start.push(pairs.len());
        out
    }

    fn len(&self) -> usize {
        self.users.len()
    }
}

/// Counts per account: each thread takes accounts in turn and counts the accounts
/// their messages match in dense arrays. For networks where a message matches
/// many others (co_post, co_retweet).
fn accumulate<M: Matcher>(
    table: &MessageTable,
    matcher: &M,
    by_user: &UserRows,
    params: &NetworkParams,
    threads: usize,
) -> (Vec<Edge>, Vec<u32>) {
    const CHUNK: usize = 64;
    let next = AtomicUsize::new(0);
    let n_users = table.users.len();
    let work = || {
        let mut scratch = matcher.scratch();
        let mut mark = vec![u32::MAX; n_users];
        let mut count = vec![0u32; n_users];
        let mut touched: Vec<u32> = Vec::new();
        let mut edges = Vec::new();
        let mut matched = Vec::new();
        loop {
            let first = next.fetch_add(CHUNK, Ordering::Relaxed);
            if first >= by_user.len() {
                break;
            }
            for i in first..(first + CHUNK).min(by_user.len()) {
                let user_a = by_user.users[i];
                for &a in &by_user.rows[by_user.start[i]..by_user.start[i + 1]] {
                    let mut other = false;
                    matcher.for_each_match(a, &mut scratch, &mut |b| {
                        let user_b = table.user[b as usize];
                        let slot = user_b as usize;
                        if mark[slot] != a {
                            mark[slot] = a;
                            if count[slot] == 0 {
                                touched.push(user_b);
                            }
                            count[slot] += 1;
                            other |= user_b != user_a;
                        }
                    });
                    if other {
                        matched.push(a);
                    }
                }
                for &user_b in &touched {
                    let weight = std::mem::take(&mut count[user_b as usize]);
                    if weight >= params.min_weight
                        && (params.include_self_loops || user_b != user_a)
                    {
                        edges.push(Edge {
                            user_1: user_a,
                            user_2: user_b,
                            weight,
                        });
                    }
                }
                touched.clear();
            }
        }
        (edges, matched)
    };
    let results = on_workers(threads, work);
    let mut edges = Vec::new();
    let mut matched = Vec::new();
    for (e, m) in results {
        edges.extend(e);
        matched.extend(m);
    }
    edges.sort_unstable();
    matched.sort_unstable();
    (edges, matched)
}

/// Counts per message: rows are taken in the given order (rows close in time
/// share the memory their matching reads), each lists the accounts it matches,
/// and the (account, account) pairs are counted at the end. For networks where a
/// message matches few others (co_similar_tweet), where walking the rows by
/// account would jump across the whole index for little work per row.
fn accumulate_sparse<M: Matcher>(
    table: &MessageTable,
    matcher: &M,
    rows: &[u32],
    params: &NetworkParams,
    threads: usize,
) -> (Vec<Edge>, Vec<u32>) {
    const CHUNK: usize = 1024;
    let next = AtomicUsize::new(0);
    let work = || {
        let mut scratch = matcher.scratch();
        let mut users: Vec<u32> = Vec::new();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        let mut matched = Vec::new();
        loop {
            let first = next.fetch_add(CHUNK, Ordering::Relaxed);
            if first >= rows.len() {
                break;
            }
            for &a in &rows[first..(first + CHUNK).min(rows.len())] {
                let user_a = table.user[a as usize];
                users.clear();
                matcher.for_each_match(a, &mut scratch, &mut |b| {
                    users.push(table.user[b as usize]);
                });
                users.sort_unstable();
                users.dedup();
                if users.iter().any(|&u| u != user_a) {
                    matched.push(a);
                }
                pairs.extend(
                    users
                        .iter()
                        .filter(|&&u| params.include_self_loops || u != user_a)
                        .map(|&u| (user_a, u)),
                );
            }
        }
        (pairs, matched)
    };
    let mut pairs = Vec::new();
    let mut matched = Vec::new();
    for (p, m) in on_workers(threads, work) {
        pairs.extend(p);
        matched.extend(m);
    }
    pairs.sort_unstable();
    let mut edges: Vec<Edge> = Vec::new();
    for (i, &(user_1, user_2)) in pairs.iter().enumerate() {
        match edges.last_mut() {
            Some(e) if i > 0 && pairs[i - 1] == (user_1, user_2) => e.weight += 1,
            _ => edges.push(Edge {
                user_1,
                user_2,
                weight: 1,
            }),
        }
    }
    edges.retain(|e| e.weight >= params.min_weight);
    matched.sort_unstable();
    (edges, matched)
}

/// Of the rows that matched another account's messages, those that matched one through an
/// edge `--min-weight` kept: a group's time span and samples are of what made it a group,
/// not of a single coincidence with an account outside it. With a minimum weight of 1 every
/// such match made an edge, and nothing is matched again.
fn kept_matches<M: Matcher>(
    table: &MessageTable,
    matcher: &M,
    matched: Vec<u32>,
    edges: &[Edge],
    params: &NetworkParams,
    threads: usize,
) -> Vec<u32> {
    if params.min_weight <= 1 || matched.is_empty() {
        return matched;
    }
    const CHUNK: usize = 1024;
    let next = AtomicUsize::new(0);
    let kept = |user_1: u32, user_2: u32| {
        edges
            .binary_search_by(|e| (e.user_1, e.user_2).cmp(&(user_1, user_2)))
            .is_ok()
    };
    let work = || {
        let mut scratch = matcher.scratch();
        let mut out = Vec::new();
        loop {
            let first = next.fetch_add(CHUNK, Ordering::Relaxed);
            if first >= matched.len() {
                break;
            }
            for &a in &matched[first..(first + CHUNK).min(matched.len())] {
                let user_a = table.user[a as usize];
                let mut through_edge = false;
                matcher.for_each_match(a, &mut scratch, &mut |b| {
                    let user_b = table.user[b as usize];
                    through_edge |= user_b != user_a && kept(user_a, user_b);
                });
                if through_edge {
                    out.push(a);
                }
            }
        }
        out
    };
    let mut rows: Vec<u32> = on_workers(threads, work).into_iter().flatten().collect();
    rows.sort_unstable();
    rows
}

/// Runs `work` on `threads` threads (on this one if `threads` is 1).
fn on_workers<R: Send>(threads: usize, work: impl Fn() -> R + Sync) -> Vec<R> {
    if threads <= 1 {
        return vec![work()];
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(&work)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Runs `f` over `0..n` split in contiguous chunks on `threads` threads and
/// concatenates the results in order.
pub(crate) fn par_map<T: Send>(
    n: usize,
    threads: usize,
    f: impl Fn(std::ops::Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    if threads <= 1 || n < 10_000 {
        return f(0..n);
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                s.spawn(move || f(t * chunk..((t + 1) * chunk).min(n)))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}
