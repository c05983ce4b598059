//! `safir-text-harness <command>`: the Rust side of the text engine's
//! correctness and speed harnesses (see bench/text/*.sh).
//!
//! - `lucene-chain`: words on stdin → light10(Lucene normalization(word))
//! - `normalize`: lines on stdin → Safir normalization
//! - `snowball`: words on stdin → Snowball Arabic (rust-stemmers)
//! - `compare <words> <reference> <ours> <scope>`: agreement, overall and on
//!   the words whose characters the reference covers (`lucene` or `camel`)
//! - `corpus <shared-data-dir> <out>`: the mixed social-text corpus
//! - `words <shared-data-dir>`: the distinct Arabic words (diacritics kept)
//!   of the ARCD and XQuAD-ar paragraphs, one per line
//! - `speed <corpus>`: normalize and analyze throughput, one core

use safir_text::stem::{light10, snowball_arabic};
use safir_text::{AnalyzeOptions, Analyzed, Analyzer, NormalizeOptions};
use std::io::{BufRead, BufWriter, Write};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).ok_or("missing argument");
    match arg(0)? {
        "lucene-chain" => {
            map_lines(|w, out| out.push_str(light10::stem(&light10::normalize_lucene(w))))
        }
        "normalize" => {
            let opts = NormalizeOptions::default();
            map_lines(|w, out| safir_text::normalize::normalize_into(w, &opts, out))
        }
        "snowball" => map_lines(|w, out| out.push_str(&snowball_arabic(w))),
        "compare" => compare(arg(1)?, arg(2)?, arg(3)?, arg(4)?),
        "corpus" => corpus(arg(1)?, arg(2)?),
        "speed" => speed(arg(1)?),
        "words" => wikipedia_words(arg(1)?),
        other => Err(format!("unknown command {other}").into()),
    }
}

fn map_lines(mut f: impl FnMut(&str, &mut String)) -> Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut buf = String::new();
    for line in stdin.lines() {
        buf.clear();
        f(&line?, &mut buf);
        out.write_all(buf.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Characters each reference handles: Arabic letters U+0621–U+064A and what
/// the reference folds. Outside these, Safir does more by design.
fn in_scope(word: &str, scope: &str) -> bool {
    word.chars().all(|c| {
        let letter = matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}');
        let harakat = matches!(c, '\u{064B}'..='\u{0652}');
        match scope {
            "lucene" => letter || harakat || c == '\u{0640}',
            _ => letter || harakat || c == '\u{0670}' || c == '\u{0671}',
        }
    })
}

fn compare(words: &str, reference: &str, ours: &str, scope: &str) -> Result<()> {
    let read = |p: &str| -> Result<Vec<String>> {
        Ok(std::fs::read_to_string(p)?
            .lines()
            .map(str::to_owned)
            .collect())
    };
    let (words, reference, ours) = (read(words)?, read(reference)?, read(ours)?);
    if words.len() != reference.len() || words.len() != ours.len() {
        return Err(format!(
            "line counts differ: {} words, {} reference, {} ours",
            words.len(),
            reference.len(),
            ours.len()
        )
        .into());
    }
    let (mut agree, mut scoped, mut scoped_agree) = (0usize, 0usize, 0usize);
    let mut shown = 0;
    for ((w, r), o) in words.iter().zip(&reference).zip(&ours) {
        let same = r == o;
        agree += same as usize;
        if scope == "all" || in_scope(w, scope) {
            scoped += 1;
            scoped_agree += same as usize;
            if !same && shown < 10 {
                eprintln!("differs: {w} reference={r} ours={o}");
                shown += 1;
            }
        }
    }
    let pct = |a: usize, n: usize| 100.0 * a as f64 / n.max(1) as f64;
    println!(
        "words {}  agree {} ({:.4}%)  in scope ({scope}) {}  agree {} ({:.4}%)",
        words.len(),
        agree,
        pct(agree, words.len()),
        scoped,
        scoped_agree,
        pct(scoped_agree, scoped)
    );
    Ok(())
}

/// ArSarcasm-v2 tweets (the text field of each record) interleaved with
/// sentences of the English XQuAD paragraphs, with mentions, hashtags, URLs
/// and emoji on every third English line; four passes, each shifted.
fn corpus(data: &str, out: &str) -> Result<()> {
    let csv = std::fs::read_to_string(format!("{data}/arsarcasm-v2/train.csv"))?;
    let tweets = tweets(&csv);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{data}/retrieval/xquad.en.json"
    ))?)?;
    let mut english = Vec::new();
    for article in json["data"].as_array().ok_or("xquad: no data")? {
        for p in article["paragraphs"]
            .as_array()
            .ok_or("xquad: no paragraphs")?
        {
            let context = p["context"].as_str().unwrap_or_default();
            english.extend(
                context
                    .split(". ")
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty()),
            );
        }
    }
    let extras = [
        " #Digital_Diplomacy @embassy_paris https://example.org/news/1 👍",
        " 🇫🇷🇸🇦 #visa",
        "",
    ];
    let mut text = String::new();
    for pass in 0..4 {
        for (i, t) in tweets.iter().enumerate() {
            text.push_str(t);
            text.push('\n');
            let e = &english[(i * 7 + pass * 131) % english.len()];
            text.push_str(e);
            text.push_str(extras[i % 3]);
            text.push('\n');
        }
    }
    std::fs::write(out, &text)?;
    eprintln!(
        "corpus: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );
    Ok(())
}

/// Arabic Wikipedia text as the retrieval sets carry it: most paragraphs
/// have some diacritics, which the Snowball vocabulary lacks.
fn wikipedia_words(data: &str) -> Result<()> {
    let mut words = std::collections::BTreeSet::new();
    for file in ["arcd-train.json", "arcd-test.json", "xquad.ar.json"] {
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!(
            "{data}/retrieval/{file}"
        ))?)?;
        for article in json["data"].as_array().ok_or("no data")? {
            for p in article["paragraphs"].as_array().ok_or("no paragraphs")? {
                let context = p["context"].as_str().unwrap_or_default();
                let arabic =
                    |c: char| ('\u{0600}'..='\u{06FF}').contains(&c) && !"،؛؟٪٫٬".contains(c);
                for w in context
                    .split(|c: char| !arabic(c))
                    .filter(|w| !w.is_empty())
                {
                    words.insert(w.to_owned());
                }
            }
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for w in words {
        writeln!(out, "{w}")?;
    }
    out.flush()?;
    Ok(())
}

fn tweets(csv: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut record = String::new();
    for line in csv.lines().skip(1) {
        if !record.is_empty() {
            record.push(' ');
        }
        record.push_str(line);
        let fields: Vec<&str> = record.rsplitn(4, ',').collect();
        let complete = fields.len() == 4
            && matches!(fields[2], "TRUE" | "FALSE")
            && matches!(fields[1], "NEG" | "NEU" | "POS");
        if complete {
            let text = fields[3].trim_matches('"').replace("\"\"", "\"");
            out.push(text.replace('\n', " "));
            record.clear();
        }
    }
    out
}

/// CPU time of the calling thread: throughput per core stays meaningful on
/// a machine busy with other work, where wall time would not.
fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn speed(corpus: &str) -> Result<()> {
    let text = std::fs::read_to_string(corpus)?;
    let lines: Vec<&str> = text.lines().collect();
    let mb = text.len() as f64 / 1e6;
    println!(
        "corpus {} lines, {:.1} MB; MB/s per core = bytes / thread CPU time, best of 5",
        lines.len(),
        mb
    );
    let best = |f: &mut dyn FnMut() -> usize| {
        let mut best = f64::MAX;
        let mut count = 0;
        for _ in 0..5 {
            let t = thread_cpu_seconds();
            count = f();
            best = best.min(thread_cpu_seconds() - t);
        }
        (best, count)
    };
    for (name, opts) in [
        ("normalize", NormalizeOptions::default()),
        ("normalize-social", NormalizeOptions::social()),
    ] {
        let mut out = String::new();
        let (secs, bytes) = best(&mut || {
            let mut n = 0;
            for l in &lines {
                out.clear();
                safir_text::normalize::normalize_into(l, &opts, &mut out);
                n += out.len();
            }
            n
        });
        println!(
            "safir {name:<17} {:>8.1} MB/s  ({bytes} bytes out)",
            mb / secs
        );
    }
    let mut analyzer = Analyzer::new(AnalyzeOptions::default());
    let mut terms = Analyzed::default();
    let (secs, count) = best(&mut || {
        let mut n = 0;
        for l in &lines {
            terms.clear();
            analyzer.analyze_into(l, &mut terms);
            n += terms.len();
        }
        n
    });
    println!(
        "safir analyze           {:>8.1} MB/s  ({count} terms)",
        mb / secs
    );
    Ok(())
}
