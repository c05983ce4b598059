//! The analyzer's word memo changes no term: analyzers with and without it,
//! and with one so small that words keep evicting each other, agree on
//! random text and on the shared data set.

use proptest::prelude::*;
use safir_text::stem::ArabicStemmer;
use safir_text::tokenize::TokenKind;
use safir_text::{AnalyzeOptions, Analyzed, Analyzer, NormalizeOptions};

type Terms = Vec<(TokenKind, usize, usize, String, String)>;

fn terms(analyzer: &mut Analyzer, text: &str) -> Terms {
    let mut out = Analyzed::default();
    analyzer.analyze_into(text, &mut out);
    out.terms()
        .iter()
        .map(|t| {
            let (normalized, stem) = (out.normalized(t).to_owned(), out.stem(t).to_owned());
            (t.kind, t.start, t.end, normalized, stem)
        })
        .collect()
}

fn option_sets() -> [AnalyzeOptions; 3] {
    [
        AnalyzeOptions::default(),
        AnalyzeOptions {
            normalize: NormalizeOptions::social(),
            arabic_stemmer: ArabicStemmer::Snowball,
            remove_stopwords: false,
            keep_punct: true,
            ..AnalyzeOptions::default()
        },
        AnalyzeOptions {
            repair: false,
            normalize: NormalizeOptions {
                fold_teh_marbuta: false,
                fold_hamza_carriers: true,
                collapse_repeats: false,
            },
            arabic_stemmer: ArabicStemmer::None,
            ..AnalyzeOptions::default()
        },
    ]
}

/// Each text twice through each memo (the second pass reads what the first
/// stored), compared with the analyzer without one.
fn check_same_terms(texts: &[&str]) {
    for opts in option_sets() {
        let mut plain = Analyzer::with_cache(opts, 0);
        let mut tiny = Analyzer::with_cache(opts, 2);
        let mut full = Analyzer::new(opts);
        for _ in 0..2 {
            for text in texts {
                let expected = terms(&mut plain, text);
                assert_eq!(terms(&mut tiny, text), expected, "{text:?}");
                assert_eq!(terms(&mut full, text), expected, "{text:?}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn same_terms_on_arabic_and_latin_words(
        text in "([\\u0620-\\u064A\\u064B-\\u0652\\u0640\\u06CC\\u06A9 a-zA-Z'’_#@0-9\\u0660-\\u0669]{1,12} ){0,12}"
    ) {
        check_same_terms(&[&text]);
    }

    #[test]
    fn same_terms_on_any_text(text in "\\PC{0,80}") {
        check_same_terms(&[&text]);
    }

    #[test]
    fn same_terms_with_joiners_and_emoji(
        text in "[\\u0627\\u0644\\u0628 a\\u200D\\u200C\\u{1F44D}\\u{1F3FD}\\u2764\\uFE0F\\u0301\\u0654]{0,30}"
    ) {
        check_same_terms(&[&text]);
    }
}

#[test]
fn same_terms_on_the_shared_data() {
    let Some(pdf) = crate::shared_data("samples/pdf-extracted-ar.txt") else {
        return;
    };
    let mut texts: Vec<&str> = pdf.lines().collect();
    let tweets = crate::shared_data("arsarcasm-v2/train.csv");
    if let Some(tweets) = &tweets {
        texts.extend(tweets.lines().take(4000));
    }
    check_same_terms(&texts);
}

#[test]
fn same_terms_where_a_joiner_depends_on_what_precedes_it() {
    // A ZWJ survives normalization only after a pictograph (🅰 is one, and a
    // letter), so the hashtag part "\u{200D}b" normalizes by its context.
    check_same_terms(&["#x_\u{200D}b", "#\u{1F170}_\u{200D}b", "#x_\u{200D}b"]);
}
