//! Networks whose messages match on an exact key: the reposted id, the replied-to
//! id, a URL, the normalized text, or nothing at all (co_post).

use rustc_hash::FxHashMap;

use super::{Matcher, NetworkKind, UserRows, par_map};
use crate::table::{MessageTable, NONE};
use crate::text::{Scratch, co_tweet_key};

pub(crate) struct KeyedMatcher<'t> {
    window_ms: i64,
    row_ts: &'t [i64],
    pub(crate) by_user: UserRows,
    /// Row `r`'s keys are `row_keys[row_key_start[r]..row_key_start[r + 1]]`.
    row_key_start: Vec<u32>,
    row_keys: Vec<u32>,
    /// Key `k`'s messages, by time: `group_rows[group_start[k]..group_start[k + 1]]`.
    group_start: Vec<u32>,
    group_rows: Vec<u32>,
    group_ts: Vec<i64>,
}

impl<'t> KeyedMatcher<'t> {
    pub(crate) fn build(
        table: &'t MessageTable,
        kind: NetworkKind,
        window_ms: i64,
        threads: usize,
    ) -> Self {
        let n = table.len();
        let (row_key_start, row_keys, n_keys) = row_keys(table, kind, threads);
        let by_user = UserRows::build(table, |r| {
            row_key_start[r as usize] != row_key_start[r as usize + 1]
        });

        // Counting sort by key, then each group by time.
        let mut group_start = vec![0u32; n_keys + 1];
        for &k in &row_keys {
            group_start[k as usize + 1] += 1;
        }
        for k in 0..n_keys {
            group_start[k + 1] += group_start[k];
        }
        let mut fill = group_start.clone();
        let mut group_rows = vec![0u32; row_keys.len()];
        for r in 0..n {
            for &k in &row_keys[row_key_start[r] as usize..row_key_start[r + 1] as usize] {
                group_rows[fill[k as usize] as usize] = r as u32;
                fill[k as usize] += 1;
            }
        }
        for k in 0..n_keys {
            let g = &mut group_rows[group_start[k] as usize..group_start[k + 1] as usize];
            g.sort_unstable_by_key(|&r| (table.timestamp_ms[r as usize], r));
        }
        let group_ts = group_rows
            .iter()
            .map(|&r| table.timestamp_ms[r as usize])
            .collect();
        Self {
            window_ms,
            row_ts: &table.timestamp_ms,
            by_user,
            row_key_start,
            row_keys,
            group_start,
            group_rows,
            group_ts,
        }
    }
}

/// The keys of every row for `kind` as offsets and a flat list (row `r`'s keys are
/// `keys[start[r]..start[r + 1]]`), and how many distinct keys there are.
fn row_keys(
    table: &MessageTable,
    kind: NetworkKind,
    threads: usize,
) -> (Vec<u32>, Vec<u32>, usize) {
    let n = table.len() as u32;
    let original = |r: u32| !table.is_repost(r);
    let mut start = Vec::with_capacity(n as usize + 1);
    let mut keys = Vec::with_capacity(n as usize);
    start.push(0u32);
    let mut close = |keys: &Vec<u32>| start.push(keys.len() as u32);
    let n_keys = match kind {
        NetworkKind::CoRetweet | NetworkKind::CoReply => {
            for r in 0..n {
                let key = match kind {
                    NetworkKind::CoRetweet => table.repost[r as usize],
                    _ if original(r) => table.reply[r as usize],
                    _ => NONE,
                };
                if key != NONE {
                    keys.push(key);
                }
                close(&keys);
            }
            table.refs.len()
        }
        NetworkKind::CoLink => {
            for r in 0..n {
                if original(r) {
                    let first = keys.len();
                    keys.extend(
                        table
                            .url_ids(r)
                            .iter()
                            .copied()
                            .filter(|&u| !table.urls.resolve(u).is_empty()),
                    );
                    keys[first..].sort_unstable();
                    let mut kept = first;
                    for i in first..keys.len() {
                        if i == first || keys[i] != keys[i - 1] {
                            keys[kept] = keys[i];
                            kept += 1;
                        }
                    }
                    keys.truncate(kept);
                }
                close(&keys);
            }
            table.urls.len()
        }
        NetworkKind::CoPost => {
            for _ in 0..n {
                keys.push(0);
                close(&keys);
            }
            1
        }
        NetworkKind::CoTweet => {
            let texts: Vec<Option<String>> = par_map(n as usize, threads, |range| {
                let mut key = String::new();
                let mut scratch = Scratch::default();
                range
                    .map(|r| {
                        let r = r as u32;
                        if !original(r) {
                            return None;
                        }
                        co_tweet_key(table.text(r), &mut scratch, &mut key);
                        (!key.is_empty()).then(|| key.clone())
                    })
                    .collect()
            });
            let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
            for t in &texts {
                if let Some(t) = t {
                    let next = ids.len() as u32;
                    keys.push(*ids.entry(t.as_str()).or_insert(next));
                }
                close(&keys);
            }
            ids.len()
        }
        NetworkKind::CoSimilarTweet => {
            for _ in 0..n {
                close(&keys);
            }
            0
        }
    };
    (start, keys, n_keys)
}

impl Matcher for KeyedMatcher<'_> {
    type Scratch = ();

    fn scratch(&self) -> Self::Scratch {}

    fn for_each_match(&self, row: u32, _: &mut (), found: &mut impl FnMut(u32)) {
        let r = row as usize;
        let keys =
            &self.row_keys[self.row_key_start[r] as usize..self.row_key_start[r + 1] as usize];
        let t = self.row_ts[r];
        for &k in keys {
            let (lo, hi) = (
                self.group_start[k as usize] as usize,
                self.group_start[k as usize + 1] as usize,
            );
            let ts = &self.group_ts[lo..hi];
            let from = ts.partition_point(|&x| x < t.saturating_sub(self.window_ms));
            let to = ts.partition_point(|&x| x <= t.saturating_add(self.window_ms));
            for &b in &self.group_rows[lo + from..lo + to] {
                found(b);
            }
        }
    }
}
