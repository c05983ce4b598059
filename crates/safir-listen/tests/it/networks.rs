//! Every network against a direct, quadratic reading of its definition, on random
//! data dense enough to exercise windows, repeated keys and near-threshold
//! similarities; plus the definition's corner cases.

use std::collections::{BTreeMap, BTreeSet};

use safir_listen::network::{Edge, NetworkKind, NetworkParams, compute};
use safir_listen::synth::Rng;
use safir_listen::table::{MessageRow, MessageTable};
use safir_listen::text::{Scratch, co_tweet_key, similarity_tokens};

use crate::{msg, table_of};

fn matches(t: &MessageTable, kind: NetworkKind, p: &NetworkParams, a: u32, b: u32) -> bool {
    let (ra, rb) = (t.row(a), t.row(b));
    if (ra.timestamp_ms - rb.timestamp_ms).abs() > p.window_ms {
        return false;
    }
    let original = ra.repost_id.is_none() && rb.repost_id.is_none();
    match kind {
        NetworkKind::CoRetweet => ra.repost_id.is_some() && ra.repost_id == rb.repost_id,
        NetworkKind::CoReply => original && ra.reply_id.is_some() && ra.reply_id == rb.reply_id,
        NetworkKind::CoLink => {
            original && ra.urls.iter().any(|u| !u.is_empty() && rb.urls.contains(u))
        }
        NetworkKind::CoPost => true,
        NetworkKind::CoTweet => {
            let (mut ka, mut kb) = (String::new(), String::new());
            co_tweet_key(&ra.text, &mut Scratch::default(), &mut ka);
            co_tweet_key(&rb.text, &mut Scratch::default(), &mut kb);
            original && !ka.is_empty() && ka == kb
        }
        NetworkKind::CoSimilarTweet => {
            let sa: BTreeSet<String> = similarity_tokens(&ra.text).into_iter().collect();
            let sb: BTreeSet<String> = similarity_tokens(&rb.text).into_iter().collect();
            let min = p.min_doc_size.max(1);
            if !original || sa.len() < min || sb.len() < min {
                return false;
            }
            let common = sa.intersection(&sb).count();
            common as f64 / (sa.len() + sb.len() - common) as f64 >= p.similarity
        }
    }
}

fn brute_force(t: &MessageTable, kind: NetworkKind, p: &NetworkParams) -> Vec<Edge> {
    let mut weight: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for a in 0..t.len() as u32 {
        let users: BTreeSet<u32> = (0..t.len() as u32)
            .filter(|&b| matches(t, kind, p, a, b))
            .map(|b| t.user[b as usize])
            .collect();
        for u in users {
            *weight.entry((t.user[a as usize], u)).or_default() += 1;
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

fn random_table(seed: u64, n: usize) -> MessageTable {
    let mut rng = Rng::new(seed);
    let words = [
        "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "سلام", "#tag",
    ];
    let rows: Vec<MessageRow> = (0..n)
        .map(|i| {
            let len = rng.below(7) as usize;
            let text: Vec<&str> = (0..len)
                .map(|_| words[rng.below(words.len() as u64) as usize])
                .collect();
            let mut row = msg(
                &i.to_string(),
                &format!("u{}", rng.below(12)),
                rng.below(400) as i64,
                &text.join(" "),
            );
            match rng.below(4) {
                0 => row.repost_id = Some(format!("r{}", rng.below(5))),
                1 => row.reply_id = Some(format!("p{}", rng.below(5))),
                _ => {}
            }
            for _ in 0..rng.below(3) {
                row.urls.push(format!("https://u{}.example", rng.below(4)));
            }
            row
        })
        .collect();
    table_of(&rows)
}

#[test]
fn every_kind_equals_its_definition() {
    for seed in 1..=6 {
        let table = random_table(seed, 160);
        for kind in NetworkKind::ALL {
            for (window_ms, min_weight, similarity, min_doc_size, loops) in [
                (30_000, 1, 0.5, 1, false),
                (0, 1, 0.34, 2, true),
                (90_000, 3, 0.8, 3, false),
                (1_000_000, 2, 1.0, 1, false),
                // The longest window `--window` gives: every pair is in it.
                (i64::MAX, 1, 0.5, 1, false),
            ] {
                let p = NetworkParams {
                    window_ms,
                    min_weight,
                    similarity,
                    min_doc_size,
                    include_self_loops: loops,
                    threads: 1 + seed as usize % 3,
                };
                let net = compute(&table, kind, &p).unwrap();
                let want = brute_force(&table, kind, &p);
                assert_eq!(net.edges, want, "seed {seed} {kind:?} {p:?}");
                // The rows a group's span and samples come from: those matching another
                // account's message through an edge the minimum weight kept.
                let kept: BTreeSet<(u32, u32)> =
                    want.iter().map(|e| (e.user_1, e.user_2)).collect();
                let rows: Vec<u32> = (0..table.len() as u32)
                    .filter(|&a| {
                        let ua = table.user[a as usize];
                        (0..table.len() as u32).any(|b| {
                            let ub = table.user[b as usize];
                            ua != ub && kept.contains(&(ua, ub)) && matches(&table, kind, &p, a, b)
                        })
                    })
                    .collect();
                assert_eq!(net.matched_rows, rows, "seed {seed} {kind:?} {p:?}");
            }
        }
    }
}

#[test]
fn window_is_inclusive_and_weight_counts_messages_of_the_first_account() {
    let mut rows = vec![
        msg("1", "a", 0, ""),
        msg("2", "a", 10, ""),
        msg("3", "b", 60, ""),
        msg("4", "b", 61, ""),
        msg("5", "c", 200, ""),
    ];
    for r in &mut rows {
        r.repost_id = Some("x".into());
    }
    let table = table_of(&rows);
    let p = NetworkParams {
        window_ms: 60_000,
        ..NetworkParams::default()
    };
    let net = compute(&table, NetworkKind::CoRetweet, &p).unwrap();
    let by_name: Vec<(&str, &str, u32)> = net
        .edges
        .iter()
        .map(|e| {
            (
                table.users.resolve(e.user_1),
                table.users.resolve(e.user_2),
                e.weight,
            )
        })
        .collect();
    // a@0 reaches b@60 (inclusive), a@10 reaches both; b@60 and b@61 reach a@10.
    assert_eq!(by_name, vec![("a", "b", 2), ("b", "a", 2)]);
}

#[test]
fn empty_urls_make_no_co_link_edges() {
    let mut rows = vec![
        msg("1", "a", 0, "x"),
        msg("2", "b", 1, "y"),
        msg("3", "c", 2, "z"),
    ];
    rows[0].urls = vec![String::new()];
    rows[1].urls = vec![String::new(), String::new()];
    let table = table_of(&rows);
    let net = compute(&table, NetworkKind::CoLink, &NetworkParams::default()).unwrap();
    assert!(net.edges.is_empty());
}

#[test]
fn threshold_outside_zero_one_is_refused() {
    let table = table_of(&[msg("1", "a", 0, "x")]);
    for similarity in [0.0, -1.0, 1.5, f64::NAN] {
        let p = NetworkParams {
            similarity,
            ..NetworkParams::default()
        };
        assert!(compute(&table, NetworkKind::CoSimilarTweet, &p).is_err());
    }
}
