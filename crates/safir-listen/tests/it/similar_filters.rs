//! co_similar_tweet's candidate filters (prefix, window scan from the row's own
//! posting entry, length, position) against the plain pairwise definition, on
//! longer texts than the general network test: near-duplicates of a few base
//! texts with words dropped, added and swapped, so that many pairs sit on either
//! side of the threshold, and timestamps with many ties.

use std::collections::{BTreeMap, BTreeSet};

use safir_listen::network::{Edge, NetworkKind, NetworkParams, compute};
use safir_listen::synth::{Rng, Zipf};
use safir_listen::table::{MessageRow, MessageTable};
use safir_listen::text::similarity_tokens;

use crate::{msg, table_of};

fn near_duplicates(seed: u64, n: usize) -> Vec<MessageRow> {
    let mut rng = Rng::new(seed);
    let zipf = Zipf::new(60, 1.1);
    let word = |rng: &mut Rng| format!("w{}", zipf.sample(rng));
    let bases: Vec<Vec<String>> = (0..6)
        .map(|_| {
            let len = 1 + rng.below(24) as usize;
            (0..len).map(|_| word(&mut rng)).collect()
        })
        .collect();
    (0..n)
        .map(|i| {
            let mut words = bases[rng.below(bases.len() as u64) as usize].clone();
            for _ in 0..rng.below(4) {
                match rng.below(3) {
                    0 if words.len() > 1 => {
                        words.remove(rng.below(words.len() as u64) as usize);
                    }
                    1 => words.push(word(&mut rng)),
                    _ => {
                        let at = rng.below(words.len() as u64) as usize;
                        words[at] = word(&mut rng);
                    }
                }
            }
            let mut row = msg(
                &i.to_string(),
                &format!("u{}", rng.below(15)),
                rng.below(40) as i64 * 5,
                &words.join(" "),
            );
            if rng.below(10) == 0 {
                row.repost_id = Some("r".into());
            }
            row
        })
        .collect()
}

fn by_definition(t: &MessageTable, p: &NetworkParams) -> Vec<Edge> {
    let tokens: Vec<BTreeSet<String>> = (0..t.len() as u32)
        .map(|r| similarity_tokens(&t.row(r).text).into_iter().collect())
        .collect();
    let eligible =
        |r: usize| t.row(r as u32).repost_id.is_none() && tokens[r].len() >= p.min_doc_size.max(1);
    let mut weight: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for a in (0..t.len()).filter(|&a| eligible(a)) {
        let users: BTreeSet<u32> = (0..t.len())
            .filter(|&b| {
                eligible(b) && (t.timestamp_ms[a] - t.timestamp_ms[b]).abs() <= p.window_ms && {
                    let common = tokens[a].intersection(&tokens[b]).count();
                    let union = tokens[a].len() + tokens[b].len() - common;
                    common as f64 / union as f64 >= p.similarity
                }
            })
            .map(|b| t.user[b])
            .collect();
        for u in users {
            *weight.entry((t.user[a], u)).or_default() += 1;
        }
    }
    weight
        .into_iter()
        .filter(|&((a, b), w)| w >= p.min_weight && (p.include_self_loops || a != b))
        .map(|((user_1, user_2), weight)| Edge {
            user_1,
            user_2,
            weight,
        })
        .collect()
}

#[test]
fn similar_tweet_filters_keep_every_pair_of_the_definition() {
    let mut nonempty = 0;
    for seed in 1..=4 {
        let table = table_of(&near_duplicates(seed, 300));
        for similarity in [0.3, 0.5, 0.6, 0.75, 0.8, 0.9, 0.95, 1.0] {
            for (window_ms, min_doc_size) in [(0, 1), (10_000, 3), (60_000, 1), (1_000_000, 5)] {
                let p = NetworkParams {
                    window_ms,
                    min_weight: 1,
                    similarity,
                    min_doc_size,
                    include_self_loops: seed % 2 == 0,
                    threads: 1 + seed as usize % 2,
                };
                let want = by_definition(&table, &p);
                nonempty += usize::from(want.iter().any(|e| e.user_1 != e.user_2));
                let got = compute(&table, NetworkKind::CoSimilarTweet, &p)
                    .unwrap()
                    .edges;
                assert_eq!(got, want, "seed {seed} {p:?}");
            }
        }
    }
    // The data must put pairs on both sides of the thresholds, not only trivial cases.
    assert!(nonempty >= 100, "only {nonempty} non-trivial networks");
}
