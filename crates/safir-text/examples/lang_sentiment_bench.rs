//! Throughput of language identification and sentiment on one core, side by side
//! with plain lingua (the same ten languages, high-accuracy mode) on the same posts.
//!
//! Corpus: the 12,548 ArSarcasm-v2 training tweets (`DIR/train.csv`, default
//! `../shared/data/arsarcasm-v2`) plus the lingua evaluation sentences of the ten
//! languages (10,000), shuffled together. Release build:
//! `cargo run --release -p safir-text --example lang_sentiment_bench`.

use std::hint::black_box;
use std::time::Instant;

use lingua::{Language, LanguageDetectorBuilder};
use safir_text::lang;
use safir_text::sentiment::{self, parse_arsarcasm};

fn lingua_sentences() -> Vec<&'static str> {
    let dirs = [
        &lingua_arabic_language_model::ARABIC_TESTDATA_DIRECTORY,
        &lingua_english_language_model::ENGLISH_TESTDATA_DIRECTORY,
        &lingua_french_language_model::FRENCH_TESTDATA_DIRECTORY,
        &lingua_persian_language_model::PERSIAN_TESTDATA_DIRECTORY,
        &lingua_urdu_language_model::URDU_TESTDATA_DIRECTORY,
        &lingua_spanish_language_model::SPANISH_TESTDATA_DIRECTORY,
        &lingua_german_language_model::GERMAN_TESTDATA_DIRECTORY,
        &lingua_russian_language_model::RUSSIAN_TESTDATA_DIRECTORY,
        &lingua_turkish_language_model::TURKISH_TESTDATA_DIRECTORY,
        &lingua_chinese_language_model::CHINESE_TESTDATA_DIRECTORY,
    ];
    dirs.iter()
        .filter_map(|d| d.get_file("sentences.txt")?.contents_utf8())
        .flat_map(str::lines)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

/// Nanoseconds this thread has spent on a CPU (Linux), so that other processes on
/// a shared machine do not count against the rate; wall time where unavailable.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Posts per second of CPU time (and of wall time).
fn rate(posts: &[String], passes: usize, mut f: impl FnMut(&str)) -> (f64, f64) {
    let cpu_start = cpu_ns();
    let start = Instant::now();
    for _ in 0..passes {
        for post in posts {
            f(post);
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let n = (posts.len() * passes) as f64;
    let cpu = match (cpu_start, cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => wall,
    };
    (n / cpu, n / wall)
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/arsarcasm-v2".to_owned());
    let csv = std::fs::read_to_string(format!("{dir}/train.csv")).unwrap_or_else(|e| {
        eprintln!("cannot read {dir}/train.csv: {e}");
        std::process::exit(2)
    });
    let mut posts: Vec<String> = parse_arsarcasm(&csv)
        .expect("training split parses")
        .into_iter()
        .map(|e| e.text)
        .collect();
    let arabic_only = posts.clone();
    posts.extend(lingua_sentences().into_iter().map(str::to_owned));
    // Interleave deterministically so no phase of the run sees one language only.
    let n = posts.len();
    let mut mixed: Vec<String> = (0..n).map(|i| posts[(i * 7919) % n].clone()).collect();
    mixed.dedup();

    let languages: Vec<Language> = lang::Lang::ALL
        .into_iter()
        .map(|l| Language::from_iso_code_639_1(&l.code().parse().expect("ISO code")))
        .collect();
    let plain = LanguageDetectorBuilder::from_languages(&languages)
        .with_preloaded_language_models()
        .build();

    // Warm up models and caches.
    for post in mixed.iter().take(2000) {
        black_box(lang::detect(post));
        black_box(sentiment::sentiment(post));
        black_box(plain.detect_language_of(post.as_str()));
    }

    println!("| corpus | posts | step | posts/s per core (CPU time) | posts/s (wall) |");
    println!("|---|---|---|---|---|");
    for (name, corpus) in [
        ("Arabic tweets", &arabic_only),
        ("mixed, 10 languages", &mixed),
    ] {
        let both = rate(corpus, 3, |p| {
            let lang = lang::detect(p);
            let s = match lang {
                Some((l, _)) => sentiment::sentiment_in(p, l),
                None => None,
            };
            black_box((lang, s));
        });
        let detect = rate(corpus, 3, |p| {
            black_box(lang::detect(p));
        });
        let senti = rate(corpus, 3, |p| {
            black_box(sentiment::sentiment(p));
        });
        let reference = rate(corpus, 1, |p| {
            black_box(plain.detect_language_of(p));
        });
        let rows = [
            ("safir lang::detect + sentiment", both),
            ("safir lang::detect", detect),
            ("safir sentiment", senti),
            ("lingua detect_language_of (reference)", reference),
        ];
        for (step, (cpu, wall)) in rows {
            println!(
                "| {name} | {} | {step} | {cpu:.0} | {wall:.0} |",
                corpus.len()
            );
        }
    }
}
