//! `safir listen trends`: emerging hashtags, keywords, URLs and accounts, ranked.

use std::io::{BufWriter, Write};

use clap::{Args, ValueEnum};
use safir_listen::time::{format_iso, parse_timestamp};
use safir_listen::trends::{Emerging, TermKind, TrendParams, TrendReport, emerging};
use serde_json::json;

use super::{SourceArgs, list_items, load, warn_problems};
use safir_listen::escape::{csv_field, terminal};

#[derive(Debug, Args)]
pub struct TrendsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Bucket width: a number and s, m, h or d (30m, 1h, 1d); must divide a day.
    #[arg(long, default_value = "1h", value_parser = parse_bucket)]
    pub bucket: i64,
    /// Term kinds (comma-separated, `,` or `،`): hashtag, keyword, url, account; all when
    /// absent.
    #[arg(long, value_parser = parse_term_kinds)]
    pub kinds: Vec<TermKinds>,
    /// Topics shown.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Only flag buckets from this time on (any timestamp form the importers
    /// accept); earlier messages are history for the baseline.
    #[arg(long, value_parser = parse_since)]
    pub since: Option<i64>,
    #[arg(long, value_enum, default_value_t = TrendFormat::Text)]
    pub format: TrendFormat,
    /// Terms in fewer messages are not followed.
    #[arg(long, default_value_t = 10)]
    pub min_total: u32,
    /// Days of same-time-of-day history in the baseline.
    #[arg(long, default_value_t = 7)]
    pub season_days: usize,
    /// Largest Poisson tail probability of a flagged bucket.
    #[arg(long, default_value_t = 1e-4)]
    pub alpha: f64,
    /// Smallest z-score of a flagged bucket.
    #[arg(long, default_value_t = 3.0)]
    pub z_min: f64,
    /// Smallest count of a flagged bucket.
    #[arg(long, default_value_t = 5)]
    pub min_count: u32,
    /// Cost of entering a burst, in units of ln(buckets); higher: fewer, stronger bursts.
    #[arg(long, default_value_t = 2.0)]
    pub gamma: f64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TrendFormat {
    Text,
    Csv,
    Json,
}

fn parse_bucket(s: &str) -> Result<i64, String> {
    let unit = s.chars().last().ok_or("empty bucket width")?;
    let ms = match unit {
        's' => 1000,
        'm' => 60_000,
        'h' => 3_600_000,
        'd' => 86_400_000,
        _ => return Err(format!("{s:?}: end the width with s, m, h or d")),
    };
    let n: i64 = s[..s.len() - 1]
        .parse()
        .map_err(|_| format!("{s:?}: not a number followed by s, m, h or d"))?;
    match n.checked_mul(ms) {
        Some(w) if w > 0 && 86_400_000 % w == 0 => Ok(w),
        _ => Err(format!(
            "{s:?}: the width must divide a day (e.g. 15m, 30m, 1h, 6h, 1d)"
        )),
    }
}

/// The kinds one `--kinds` value names.
#[derive(Debug, Clone)]
pub struct TermKinds(Vec<TermKind>);

/// A comma list of kinds, split as monitor queries are (on `,` and the Arabic `،`).
fn parse_term_kinds(s: &str) -> Result<TermKinds, String> {
    list_items(s)
        .map(parse_term_kind)
        .collect::<Result<Vec<_>, _>>()
        .map(TermKinds)
}

fn parse_term_kind(s: &str) -> Result<TermKind, String> {
    TermKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = TermKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown term kind {s:?}; one of {}", names.join(", "))
    })
}

fn parse_since(s: &str) -> Result<i64, String> {
    parse_timestamp(s).ok_or_else(|| {
        format!("{s:?} is not a date or timestamp (e.g. 2024-03-01 or 2024-03-01T12:00:00Z)")
    })
}

pub fn run(args: TrendsArgs) -> anyhow::Result<()> {
    let (table, reports) = load(&args.source)?;
    warn_problems(&reports);
    let params = TrendParams {
        bucket_ms: args.bucket,
        kinds: {
            let asked: Vec<TermKind> = args.kinds.into_iter().flat_map(|k| k.0).collect();
            if asked.is_empty() {
                TermKind::ALL.to_vec()
            } else {
                asked
            }
        },
        min_total: args.min_total,
        season_days: args.season_days,
        alpha: args.alpha,
        z_min: args.z_min,
        min_count: args.min_count,
        burst_gamma: args.gamma,
        since_ms: args.since,
        ..TrendParams::default()
    };
    let report = emerging(&table, &params)?;
    let mut out = BufWriter::new(crate::text_cmd::Stdout::lock());
    let top = &report.emerging[..report.emerging.len().min(args.top)];
    match args.format {
        TrendFormat::Text => write_text(&mut out, &report, top)?,
        TrendFormat::Csv => write_csv(&mut out, top)?,
        TrendFormat::Json => {
            // An error writing is the writer's own (`io::Error::from` gives it back), so that
            // a reader gone is seen as one.
            serde_json::to_writer_pretty(&mut out, &to_json(&report, top))
                .map_err(std::io::Error::from)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn write_text(out: &mut dyn Write, report: &TrendReport, top: &[Emerging]) -> std::io::Result<()> {
    writeln!(
        out,
        "{} emerging topic(s); {} buckets of {} from {}; {} terms followed",
        report.emerging.len(),
        report.buckets,
        duration(report.bucket_ms),
        format_iso(report.first_bucket_ms),
        report.series,
    )?;
    for (i, e) in top.iter().enumerate() {
        writeln!(
            out,
            "\n{:>3}. {} {}  (score {:.1})",
            i + 1,
            e.kind.name(),
            terminal(&e.term),
            e.score
        )?;
        writeln!(
            out,
            "     first flagged {}  peak {} ({} messages, baseline {:.1})  lead {}",
            format_iso(e.first_flagged_ms),
            format_iso(e.peak_ms),
            e.peak_count,
            e.baseline_at_peak,
            duration(e.lead_ms),
        )?;
        writeln!(
            out,
            "     burst {} .. {}  {} messages in all  p {:.1e}  z {:.1}",
            format_iso(e.burst_start_ms),
            format_iso(e.burst_end_ms),
            e.total,
            e.p_value,
            e.z,
        )?;
    }
    Ok(())
}

const CSV_HEADER: &str = "rank,kind,term,score,first_flagged,peak,peak_count,baseline_at_peak,lead_seconds,burst_start,burst_end,total,p_value,z";

fn write_csv(out: &mut dyn Write, top: &[Emerging]) -> std::io::Result<()> {
    writeln!(out, "{CSV_HEADER}")?;
    for (i, e) in top.iter().enumerate() {
        writeln!(
            out,
            "{},{},{},{:.3},{},{},{},{:.3},{},{},{},{},{:e},{:.3}",
            i + 1,
            e.kind.name(),
            csv_field(&e.term),
            e.score,
            format_iso(e.first_flagged_ms),
            format_iso(e.peak_ms),
            e.peak_count,
            e.baseline_at_peak,
            e.lead_ms / 1000,
            format_iso(e.burst_start_ms),
            format_iso(e.burst_end_ms),
            e.total,
            e.p_value,
            e.z,
        )?;
    }
    Ok(())
}

fn to_json(report: &TrendReport, top: &[Emerging]) -> serde_json::Value {
    let topics: Vec<serde_json::Value> = top
        .iter()
        .enumerate()
        .map(|(i, e)| {
            json!({
                "rank": i + 1,
                "kind": e.kind.name(),
                "term": e.term,
                "score": e.score,
                "first_flagged": format_iso(e.first_flagged_ms),
                "peak": format_iso(e.peak_ms),
                "peak_count": e.peak_count,
                "baseline_at_peak": e.baseline_at_peak,
                "lead_seconds": e.lead_ms / 1000,
                "burst_start": format_iso(e.burst_start_ms),
                "burst_end": format_iso(e.burst_end_ms),
                "total": e.total,
                "p_value": e.p_value,
                "z": e.z,
            })
        })
        .collect();
    json!({
        "bucket_seconds": report.bucket_ms / 1000,
        "first_bucket": format_iso(report.first_bucket_ms),
        "buckets": report.buckets,
        "terms_followed": report.series,
        "emerging_total": report.emerging.len(),
        "emerging": topics,
    })
}

/// `90m` → `1h30m`, `90s` → `1m30s`, `0` → `0m`; seconds are shown only when the
/// duration is not a whole number of minutes; negative durations keep their sign.
fn duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let secs = ms.unsigned_abs() / 1000;
    let mins = secs / 60;
    let (d, h, m, sec) = (mins / 1440, mins / 60 % 24, mins % 60, secs % 60);
    let mut s = String::from(sign);
    if d > 0 {
        s.push_str(&format!("{d}d"));
    }
    if h > 0 {
        s.push_str(&format!("{h}h"));
    }
    if m > 0 || (sec == 0 && s.len() == sign.len()) {
        s.push_str(&format!("{m}m"));
    }
    if sec > 0 {
        s.push_str(&format!("{sec}s"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_split_on_latin_and_arabic_commas() {
        let kinds = parse_term_kinds("hashtag،url, account").unwrap().0;
        assert_eq!(kinds, [TermKind::Hashtag, TermKind::Url, TermKind::Account]);
        let err = parse_term_kinds("hashtag،topics").unwrap_err();
        assert!(err.contains("\"topics\""), "{err}");
    }

    #[test]
    fn terms_reach_the_terminal_without_control_characters() {
        let term = Emerging {
            kind: TermKind::Keyword,
            term: "visa\u{1b}[2K\u{1b}]0;owned\u{7}\r".into(),
            score: 9.0,
            total: 12,
            first_flagged_ms: 0,
            peak_ms: 3_600_000,
            peak_count: 8,
            baseline_at_peak: 1.0,
            lead_ms: 3_600_000,
            burst_start_ms: 0,
            burst_end_ms: 7_200_000,
            p_value: 1e-6,
            z: 5.0,
        };
        let report = TrendReport {
            bucket_ms: 3_600_000,
            first_bucket_ms: 0,
            buckets: 2,
            series: 1,
            emerging: vec![term.clone()],
        };
        let mut out = Vec::new();
        write_text(&mut out, &report, &[term]).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(out.contains("keyword visa\\u{1b}[2K"), "{out}");
    }

    #[test]
    fn bucket_widths_must_divide_a_day() {
        assert_eq!(parse_bucket("1h"), Ok(3_600_000));
        assert_eq!(parse_bucket("30m"), Ok(1_800_000));
        assert_eq!(parse_bucket("1d"), Ok(86_400_000));
        assert!(parse_bucket("7h").is_err());
        assert!(parse_bucket("0m").is_err());
        assert!(parse_bucket("2w").is_err());
        assert!(parse_bucket("h").is_err());
    }

    #[test]
    fn durations_read_as_days_hours_minutes() {
        assert_eq!(duration(0), "0m");
        assert_eq!(duration(90 * 60_000), "1h30m");
        assert_eq!(duration(26 * 3_600_000), "1d2h");
        assert_eq!(duration(-3_600_000), "-1h");
    }

    #[test]
    fn durations_that_are_not_whole_minutes_show_their_seconds() {
        assert_eq!(duration(30_000), "30s");
        assert_eq!(duration(90_000), "1m30s");
        assert_eq!(duration(3_600_000 + 5_000), "1h5s");
        assert_eq!(duration(86_400_000 + 60_000 + 1_000), "1d1m1s");
        assert_eq!(duration(-45_000), "-45s");
        assert_eq!(duration(15 * 60_000), "15m");
    }
}
