//! Language identification against the lingua evaluation sets shipped by the
//! `lingua-*-language-model` crates (the full per-language report is
//! `cargo run --release -p safir-text --example lang_eval`).

use lingua_arabic_language_model::ARABIC_TESTDATA_DIRECTORY as ARABIC;
use lingua_english_language_model::ENGLISH_TESTDATA_DIRECTORY as ENGLISH;
use safir_text::lang::{Lang, detect};

fn accuracy(contents: Option<&'static str>, expected: Lang) -> f64 {
    let texts: Vec<&str> = contents
        .expect("evaluation set present")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(texts.len() >= 900, "evaluation set unexpectedly small");
    let hits = texts
        .iter()
        .filter(|t| detect(t).map(|(lang, _)| lang) == Some(expected))
        .count();
    hits as f64 / texts.len() as f64
}

#[test]
fn arabic_sentences_are_recognised() {
    let file = ARABIC
        .get_file("sentences.txt")
        .and_then(|f| f.contents_utf8());
    let acc = accuracy(file, Lang::Ar);
    assert!(acc >= 0.995, "Arabic sentences: {acc:.4}");
}

#[test]
fn english_sentences_are_recognised() {
    let file = ENGLISH
        .get_file("sentences.txt")
        .and_then(|f| f.contents_utf8());
    let acc = accuracy(file, Lang::En);
    assert!(acc >= 0.995, "English sentences: {acc:.4}");
}

#[test]
fn arabic_single_words_are_recognised() {
    let file = ARABIC
        .get_file("single-words.txt")
        .and_then(|f| f.contents_utf8());
    let acc = accuracy(file, Lang::Ar);
    assert!(acc >= 0.96, "Arabic single words: {acc:.4}");
}
