//! Spelling variants of one Arabic post must count as the same post.

use safir_listen::network::{NetworkKind, NetworkParams, compute};

use crate::{msg, table_of};

const VARIANTS: [&str; 5] = [
    "السلام عليكم ورحمة الله وبركاته يا أهل الخير",
    "السَّلَامُ عَلَيْكُمْ وَرَحْمَةُ اللهِ وَبَرَكَاتُهُ يَا أَهْلَ الخَيْرِ",
    "الســـلام عليكم ورحمـــة الله وبركاته يا اهل الخير",
    "ﺍﻟﺴﻼﻡ ﻋﻠﻴﻜﻢ ﻭﺭﺣﻤﺔ ﺍﻟﻠﻪ ﻭﺑﺮﻛﺎﺗﻪ ﻳﺎ ﺃﻫﻞ ﺍﻟﺨﻴﺮ",
    "السلام عليكم ورحمة الله وبركاته يا إهل الخير",
];

#[test]
fn variants_match_in_co_tweet_and_co_similar_tweet() {
    let rows: Vec<_> = VARIANTS
        .iter()
        .enumerate()
        .map(|(i, text)| msg(&format!("m{i}"), &format!("u{i}"), 100 + i as i64, text))
        .collect();
    let table = table_of(&rows);
    for kind in [NetworkKind::CoTweet, NetworkKind::CoSimilarTweet] {
        let params = NetworkParams {
            similarity: 1.0,
            ..NetworkParams::default()
        };
        let net = compute(&table, kind, &params).unwrap();
        assert_eq!(
            net.edges.len(),
            5 * 4,
            "{kind:?}: every ordered pair of the five variants"
        );
        assert!(net.edges.iter().all(|e| e.weight == 1));
    }
}

#[test]
fn hashtags_stay_whole() {
    // Split into `#` and `دبلوماسية`, these two would share two of three tokens.
    let table = table_of(&[
        msg("1", "a", 0, "#دبلوماسية رقمية"),
        msg("2", "b", 1, "دبلوماسية رقمية"),
    ]);
    let params = NetworkParams {
        similarity: 0.6,
        ..NetworkParams::default()
    };
    let net = compute(&table, NetworkKind::CoSimilarTweet, &params).unwrap();
    assert!(net.edges.is_empty(), "{:?}", net.edges);
}
