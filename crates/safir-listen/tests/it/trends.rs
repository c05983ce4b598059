//! Emerging trends: term counts, the burst automaton, detection quality on
//! series with planted bursts, and a planted Arabic campaign in a generated archive.

use safir_listen::synth::{Rng, SynthParams, generate};
use safir_listen::table::MessageRow;
use safir_listen::trends::{
    TermKind, TrendParams, count_terms, detect, emerging, kleinberg_bursts,
};

use crate::{msg, table_of};

const HOUR: i64 = 3600;

#[test]
fn counts_per_bucket_merge_variants_and_count_reposts_once_per_message() {
    let mut rows = vec![
        msg("1", "a", 10, "#السلام #السلام first"),
        msg("2", "b", 20, "#السَّلَام second"),
        msg("3", "a", HOUR + 5, "#الســلام third"),
        msg("4", "c", 2 * HOUR, "nothing here"),
    ];
    let mut rt = msg("5", "c", 2 * HOUR + 1, "RT @a: #السلام first");
    rt.repost_id = Some("1".into());
    rt.urls = vec!["https://x.example/1".into(), "https://x.example/1".into()];
    rows.push(rt);
    let table = table_of(&rows);
    let counts = count_terms(&table, &TermKind::ALL, 3_600_000, 2, 1000).unwrap();
    assert_eq!(counts.totals, vec![2, 1, 2]);
    let series = |kind: TermKind, term: &str| {
        counts
            .series
            .iter()
            .find(|s| s.kind == kind && s.term == term)
            .map(|s| s.counts.clone())
    };
    // One term for the three spellings; the repost counts for the reposted text.
    assert_eq!(series(TermKind::Hashtag, "#السلام"), Some(vec![2, 1, 1]));
    assert_eq!(series(TermKind::Keyword, "first"), Some(vec![1, 0, 1]));
    assert_eq!(series(TermKind::Account, "a"), Some(vec![1, 1, 0]));
    assert_eq!(series(TermKind::Account, "c"), Some(vec![0, 0, 2]));
    // Below min_total (2): no series.
    assert_eq!(series(TermKind::Keyword, "second"), None);
    assert_eq!(series(TermKind::Url, "https://x.example/1"), None);
    assert_eq!(series(TermKind::Keyword, "rt"), None);

    let one = count_terms(&table, &TermKind::ALL, 3_600_000, 1, 1000).unwrap();
    let url = one.series.iter().find(|s| s.kind == TermKind::Url).unwrap();
    assert_eq!((url.term.as_str(), url.total), ("https://x.example/1", 1));

    // A repost without URLs or text counts for those of the reposted message.
    let mut original = msg("6", "d", 30, "#وسم linked");
    original.urls = vec!["https://y.example/2".into()];
    let mut boost = msg("7", "e", HOUR + 30, "");
    boost.repost_id = Some("6".into());
    let mut missing = msg("8", "e", HOUR + 40, "");
    missing.repost_id = Some("unknown".into());
    let with_boost = table_of(&[original, boost, missing]);
    let counts = count_terms(&with_boost, &TermKind::ALL, 3_600_000, 1, 1000).unwrap();
    let got = |kind: TermKind| {
        let s = counts.series.iter().find(|s| s.kind == kind).unwrap();
        (s.term.as_str(), s.counts.clone())
    };
    assert_eq!(got(TermKind::Url), ("https://y.example/2", vec![1, 1]));
    assert_eq!(got(TermKind::Hashtag), ("#وسم", vec![1, 1]));
    assert_eq!(got(TermKind::Keyword), ("linked", vec![1, 1]));

    let err = count_terms(&table, &TermKind::ALL, 3_600_000, 1, 2).unwrap_err();
    assert!(err.to_string().contains("3 buckets"), "{err}");
    assert!(count_terms(&table, &TermKind::ALL, 7 * 3_600_000, 1, 9).is_err());
}

#[test]
fn kleinberg_finds_the_hand_made_burst() {
    let r = [1, 1, 1, 1, 8, 9, 10, 1, 1, 1];
    let d = [100; 10];
    let bursts = kleinberg_bursts(&r, &d, 2.0, 1.0);
    assert_eq!(bursts.len(), 1, "{bursts:?}");
    assert_eq!((bursts[0].start, bursts[0].end), (4, 6));
    // Weight: the cost the burst state saves over the interval.
    let p0: f64 = 34.0 / 1000.0;
    let saved = |r: f64| r * 2f64.ln() + (100.0 - r) * ((1.0 - 2.0 * p0) / (1.0 - p0)).ln();
    let expected = saved(8.0) + saved(9.0) + saved(10.0);
    assert!((bursts[0].weight - expected).abs() < 1e-9);

    // The Viterbi path is the cheapest of all 2^10 state sequences.
    let cost = |states: u32| {
        let enter = 10f64.ln();
        let mut c = 0.0;
        let mut prev = 0;
        for t in 0..10 {
            let s = (states >> t) & 1;
            let p = if s == 1 { 2.0 * p0 } else { p0 };
            c -= f64::from(r[t]) * p.ln() + f64::from(d[t] - r[t]) * (1.0 - p).ln();
            if s > prev {
                c += enter;
            }
            prev = s;
        }
        c
    };
    let best = (0..1u32 << 10)
        .min_by(|&a, &b| cost(a).total_cmp(&cost(b)))
        .unwrap();
    assert_eq!(best, 0b111_0000);

    assert!(kleinberg_bursts(&[2; 10], &d, 2.0, 1.0).is_empty());
    assert!(kleinberg_bursts(&[0; 10], &d, 2.0, 1.0).is_empty());
}

fn poisson(rng: &mut Rng, lambda: f64) -> u32 {
    let limit = (-lambda).exp();
    let (mut k, mut p) = (0, rng.unit());
    while p > limit {
        k += 1;
        p *= rng.unit();
    }
    k
}

/// 500 quiet series with daily seasonality and day-to-day variation, 50 more
/// with a planted burst (4 to 12 hours, peak 1× to 3× the base rate plus 5 to
/// 15): how many are flagged, and how early.
#[test]
fn planted_bursts_are_found_with_high_precision_and_recall() {
    let (days, planted, quiet) = (14usize, 50usize, 500usize);
    let n = days * 24;
    let mut rng = Rng::new(2024);
    let season =
        |t: usize| 1.0 + 0.6 * (2.0 * std::f64::consts::PI * ((t % 24) as f64 - 8.0) / 24.0).sin();
    let mut series = Vec::new();
    for i in 0..planted + quiet {
        let base = 2.0 + 48.0 * rng.unit().powi(2);
        let day_factor: Vec<f64> = (0..days).map(|_| 0.85 + 0.3 * rng.unit()).collect();
        let mut x: Vec<u32> = (0..n)
            .map(|t| poisson(&mut rng, base * season(t) * day_factor[t / 24]))
            .collect();
        let mut burst = None;
        if i < planted {
            let start = 8 * 24 + rng.below(5 * 24) as usize;
            let len = 4 + rng.below(9) as usize;
            let height = base * (1.0 + 2.0 * rng.unit()) + 5.0 + 10.0 * rng.unit();
            let half = len as f64 / 2.0;
            for (j, count) in x[start..start + len].iter_mut().enumerate() {
                let shape = 1.0 - ((j as f64 + 0.5) - half).abs() / half;
                *count += poisson(&mut rng, height * shape);
            }
            burst = Some((start, start + len - 1));
        }
        series.push((x, burst));
    }
    let mut d = vec![0u32; n];
    for (t, total) in d.iter_mut().enumerate() {
        *total = (20_000.0 * season(t)) as u32 + series.iter().map(|(x, _)| x[t]).sum::<u32>();
    }

    let measure = |params: &TrendParams| {
        let (mut tp, mut fp, mut early, mut lead_hours) = (0u32, 0u32, 0u32, 0);
        for (x, planted) in &series {
            let Some(f) = detect(x, &d, params, 0) else {
                continue;
            };
            match planted {
                Some((s, e)) if f.first_flagged <= *e && f.burst.end >= *s => {
                    tp += 1;
                    if f.first_flagged <= f.peak {
                        early += 1;
                        lead_hours += f.peak - f.first_flagged;
                    }
                }
                _ => fp += 1,
            }
        }
        let precision = f64::from(tp) / f64::from((tp + fp).max(1));
        let recall = f64::from(tp) / planted as f64;
        println!(
            "trend detection, alpha {:.1e}, gamma {}: {tp} true, {fp} false, \
             precision {precision:.3}, recall {recall:.3}, flagged at or before the peak \
             {early} of {tp}, mean lead {:.2} h",
            params.alpha,
            params.burst_gamma,
            lead_hours as f64 / f64::from(early.max(1)),
        );
        assert!(early * 10 >= tp * 9, "{early} of {tp} flagged by the peak");
        (precision, recall)
    };
    // The defaults (alpha 1e-4 per bucket, gamma 2).
    let (precision, recall) = measure(&TrendParams::default());
    assert!(precision >= 0.95, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    // A cheaper burst state (gamma 1) lets some single-bucket Poisson outliers of
    // quiet series through (about 165,000 tests at 1e-4) as one-bucket bursts.
    let loose = TrendParams {
        burst_gamma: 1.0,
        ..TrendParams::default()
    };
    let (precision, recall) = measure(&loose);
    assert!(precision >= 0.75, "precision {precision}");
    assert!(recall >= 0.95, "recall {recall}");
    // For the record: a Bonferroni-style alpha over each series' buckets, with
    // gamma 1, also removes most of them but loses small bursts.
    let bonferroni = TrendParams {
        alpha: 1e-4 / n as f64,
        burst_gamma: 1.0,
        ..TrendParams::default()
    };
    let (precision, recall) = measure(&bonferroni);
    assert!(precision >= 0.9 && recall >= 0.8, "{precision} {recall}");
}

/// A generated archive with an Arabic hashtag campaign written in four
/// spellings, growing over five hours: it is the top emerging hashtag, and it
/// is flagged before its peak.
#[test]
fn planted_arabic_campaign_is_the_top_emerging_hashtag_and_flagged_early() {
    let synth = generate(&SynthParams {
        messages: 40_000,
        ..SynthParams::default()
    });
    let mut rows = synth.rows;
    // Campaign hours aligned with the UTC hour buckets.
    let start = rows[0].timestamp_ms / 1000 / HOUR * HOUR;
    let spellings = ["#اعلان_الامل", "#إعلان_الأمل", "#اِعْلَانُ_الْأَمَلِ", "#اعـــلان_الامل"];
    let per_hour = [3, 8, 20, 45, 70, 35];
    let mut rng = Rng::new(5);
    let mut k = 0;
    for (h, &n) in per_hour.iter().enumerate() {
        for _ in 0..n {
            let at = start + (14 + h as i64) * HOUR + rng.below(HOUR as u64) as i64;
            let tag = spellings[k % spellings.len()];
            let mut row: MessageRow = msg(
                &format!("camp-{k}"),
                &format!("camp-user-{}", k % 60),
                at,
                &format!("{tag} نطالب بالسلام الان"),
            );
            if k % 3 == 2 {
                row.repost_id = Some("camp-0".into());
                row.text = format!("RT @camp-user-0: {}", row.text);
            }
            rows.push(row);
            k += 1;
        }
    }
    let table = table_of(&rows);
    let report = emerging(&table, &TrendParams::default()).unwrap();
    let hashtags: Vec<_> = report
        .emerging
        .iter()
        .filter(|e| e.kind == TermKind::Hashtag)
        .collect();
    let top = hashtags.first().expect("an emerging hashtag");
    assert_eq!(top.term, "#اعلان_الامل", "{hashtags:#?}");
    assert_eq!(top.total, 181);
    assert_eq!(top.peak_count, 70);
    assert!(top.first_flagged_ms < top.peak_ms, "{top:#?}");
    assert!(top.lead_ms >= 2 * HOUR * 1000, "{top:#?}");
    // The spellings are one term: no other form of the tag is counted apart.
    assert!(!report.emerging.iter().any(|e| e.term.contains("أ")));

    // Testing only from the peak on: the campaign is then flagged no earlier.
    let since = TrendParams {
        since_ms: Some(top.peak_ms),
        ..TrendParams::default()
    };
    let late = emerging(&table, &since).unwrap();
    if let Some(e) = late.emerging.iter().find(|e| e.term == top.term) {
        assert!(e.first_flagged_ms >= top.peak_ms);
    }
}
