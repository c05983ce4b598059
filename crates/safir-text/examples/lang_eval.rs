//! Accuracy of `safir_text::lang::detect` on the lingua evaluation sets (1,000
//! sentences, word pairs and single words per language, shipped by the
//! `lingua-*-language-model` crates), side by side with plain lingua restricted to
//! the same ten languages. Prints a Markdown table.

use lingua::{Language, LanguageDetectorBuilder};
use safir_text::lang::{self, Lang};

const SETS: [&str; 3] = ["sentences.txt", "word-pairs.txt", "single-words.txt"];

fn testdata(lang: Lang, set: &str) -> &'static str {
    let dir = match lang {
        Lang::Ar => &lingua_arabic_language_model::ARABIC_TESTDATA_DIRECTORY,
        Lang::En => &lingua_english_language_model::ENGLISH_TESTDATA_DIRECTORY,
        Lang::Fr => &lingua_french_language_model::FRENCH_TESTDATA_DIRECTORY,
        Lang::Fa => &lingua_persian_language_model::PERSIAN_TESTDATA_DIRECTORY,
        Lang::Ur => &lingua_urdu_language_model::URDU_TESTDATA_DIRECTORY,
        Lang::Es => &lingua_spanish_language_model::SPANISH_TESTDATA_DIRECTORY,
        Lang::De => &lingua_german_language_model::GERMAN_TESTDATA_DIRECTORY,
        Lang::Ru => &lingua_russian_language_model::RUSSIAN_TESTDATA_DIRECTORY,
        Lang::Tr => &lingua_turkish_language_model::TURKISH_TESTDATA_DIRECTORY,
        Lang::Zh => &lingua_chinese_language_model::CHINESE_TESTDATA_DIRECTORY,
    };
    dir.get_file(set)
        .and_then(|file| file.contents_utf8())
        .unwrap_or_else(|| panic!("{set} missing for {lang}"))
}

fn lingua_language(lang: Lang) -> Language {
    match lang {
        Lang::Ar => Language::Arabic,
        Lang::En => Language::English,
        Lang::Fr => Language::French,
        Lang::Fa => Language::Persian,
        Lang::Ur => Language::Urdu,
        Lang::Es => Language::Spanish,
        Lang::De => Language::German,
        Lang::Ru => Language::Russian,
        Lang::Tr => Language::Turkish,
        Lang::Zh => Language::Chinese,
    }
}

fn main() {
    let all: Vec<Language> = Lang::ALL.into_iter().map(lingua_language).collect();
    let plain = LanguageDetectorBuilder::from_languages(&all)
        .with_preloaded_language_models()
        .build();

    println!(
        "| language | sentences | word pairs | single words | lingua sentences | lingua word pairs | lingua single words |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut totals = [0.0f64; 6];
    for lang in Lang::ALL {
        let mut ours = [0.0; 3];
        let mut theirs = [0.0; 3];
        for (i, set) in SETS.iter().enumerate() {
            let lines: Vec<&str> = testdata(lang, set)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect();
            let n = lines.len() as f64;
            let hits = lines
                .iter()
                .filter(|l| lang::detect(l).map(|(d, _)| d) == Some(lang))
                .count();
            let plain_hits = lines
                .iter()
                .filter(|l| plain.detect_language_of(**l) == Some(lingua_language(lang)))
                .count();
            ours[i] = 100.0 * hits as f64 / n;
            theirs[i] = 100.0 * plain_hits as f64 / n;
        }
        for i in 0..3 {
            totals[i] += ours[i];
            totals[i + 3] += theirs[i];
        }
        println!(
            "| {lang} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            ours[0], ours[1], ours[2], theirs[0], theirs[1], theirs[2]
        );
    }
    let k = Lang::ALL.len() as f64;
    println!(
        "| mean | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
        totals[0] / k,
        totals[1] / k,
        totals[2] / k,
        totals[3] / k,
        totals[4] / k,
        totals[5] / k
    );
}
