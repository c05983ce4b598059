//! Times import, term counting and trend ranking on one archive, for docs/benchmarks.md.
//!
//! `listen_trends FILE [--bucket-secs S] [--top N]`
//!
//! Prints one line per step (name, wall-clock seconds, CPU seconds of the
//! process from /proc/self/stat on Linux, what was made), then the top topics.

use std::path::PathBuf;
use std::time::Instant;

use safir_listen::import::{ImportOptions, import_path};
use safir_listen::table::MessageTable;
use safir_listen::time::format_iso;
use safir_listen::trends::{TrendParams, count_terms, rank};

mod common;
use common::cpu_secs;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: listen_trends FILE [--bucket-secs S] [--top N]";
    let file = PathBuf::from(args.first().ok_or(usage)?);
    let mut params = TrendParams::default();
    let mut top = 10;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(usage)?;
        match flag.as_str() {
            "--bucket-secs" => params.bucket_ms = value.parse::<i64>()? * 1000,
            "--top" => top = value.parse()?,
            _ => return Err(usage.into()),
        }
    }
    let mut step = {
        let (mut wall, mut cpu) = (Instant::now(), cpu_secs());
        move |name: &str, made: String| {
            let c = cpu_secs();
            println!(
                "{name:<10} {:>8.2} s wall {:>8.2} s cpu  {made}",
                wall.elapsed().as_secs_f64(),
                c - cpu
            );
            (wall, cpu) = (Instant::now(), c);
        }
    };
    let mut table = MessageTable::new();
    import_path(&mut table, &file, &ImportOptions::default())?;
    step("import", format!("{} messages", table.len()));
    let counts = count_terms(
        &table,
        &params.kinds,
        params.bucket_ms,
        params.min_total,
        params.max_buckets,
    )?;
    step(
        "count",
        format!(
            "{} buckets, {} terms followed",
            counts.totals.len(),
            counts.series.len()
        ),
    );
    let report = rank(&counts, &params);
    step("rank", format!("{} emerging", report.emerging.len()));
    for e in report.emerging.iter().take(top) {
        println!(
            "{:<8} {:<40} score {:>8.1}  first flagged {}  peak {} ({})",
            e.kind.name(),
            e.term,
            e.score,
            format_iso(e.first_flagged_ms),
            format_iso(e.peak_ms),
            e.peak_count
        );
    }
    Ok(())
}
