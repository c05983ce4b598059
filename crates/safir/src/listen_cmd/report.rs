//! `safir listen report`: the Twiplomacy-style report over chosen accounts,
//! written as `report.html`, `report.json` and `report.csv` in one directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use safir_listen::escape::terminal;
use safir_listen::report::{
    ReportLang, ReportRequest, build_report, parse_follows, write_csv, write_html, write_json,
};
use safir_listen::time::parse_timestamp;

use super::{SourceArgs, list_items, load, warn_problems, write_atomically};

/// Twiplomacy-style report over chosen accounts: HTML with charts, JSON and CSV.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Accounts to report on: handles or user ids, comma-separated (`,` or `،`; `@`
    /// optional, any case).
    #[arg(long, required_unless_present = "accounts_file")]
    pub accounts: Vec<String>,
    /// A file with one account per line (blank lines and `#` comments skipped).
    #[arg(long, conflicts_with = "accounts")]
    pub accounts_file: Option<PathBuf>,
    /// Start of the period (inclusive): ISO 8601 time or date (`2024-03-01`); by default the first message's day.
    #[arg(long, value_parser = parse_time)]
    pub from: Option<i64>,
    /// End of the period (exclusive): ISO 8601 time or date; by default the end of the last message's day.
    #[arg(long, value_parser = parse_time)]
    pub to: Option<i64>,
    /// Language of the report's labels.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Who follows whom, CSV `follower,followed`: connections become mutual follows.
    #[arg(long)]
    pub follows: Option<PathBuf>,
    /// Directory for report.html, report.json and report.csv (created if needed).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Lang {
    Ar,
    En,
}

/// A time as the importers read it (a bare date is its midnight UTC).
fn parse_time(s: &str) -> Result<i64, String> {
    parse_timestamp(s).ok_or_else(|| {
        format!("cannot read {s:?} as a date or time (e.g. 2024-03-01 or 2024-03-01T12:00:00Z)")
    })
}

/// The accounts of the `--accounts` values (the option may be repeated), each a comma list.
fn accounts_of_args(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| list_items(v))
        .map(str::to_owned)
        .collect()
}

fn read_accounts(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the accounts file {}", path.display()))?;
    Ok(accounts_of(&text))
}

/// The accounts of a file's text, one a line, `#` starting a comment; a byte-order mark (a
/// file saved as "UTF-8 with BOM") is not part of the first account.
fn accounts_of(text: &str) -> Vec<String> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

pub fn run(args: ReportArgs) -> anyhow::Result<()> {
    let accounts = match &args.accounts_file {
        Some(path) => read_accounts(path)?,
        None => accounts_of_args(&args.accounts),
    };
    let follows = match &args.follows {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the follows list {}", path.display()))?;
            Some(parse_follows(&text).with_context(|| path.display().to_string())?)
        }
        None => None,
    };
    let (table, reports) = load(&args.source)?;
    warn_problems(&reports);
    let mut request = ReportRequest::new(accounts);
    request.from_ms = args.from;
    request.to_ms = args.to;
    request.follows = follows;
    request.lang = match args.lang {
        Lang::Ar => ReportLang::Ar,
        Lang::En => ReportLang::En,
    };
    let report = build_report(&table, &request)?;
    if !report.not_found.is_empty() {
        eprintln!(
            "safir: warning: not in the data, left out: {}",
            terminal(&report.not_found.join(", "))
        );
    }

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let html = write_file(&args.out, "report.html", |w| write_html(w, &report))?;
    let json = write_file(&args.out, "report.json", |w| write_json(w, &report))?;
    let csv = write_file(&args.out, "report.csv", |w| write_csv(w, &report))?;
    let mut out = crate::text_cmd::Stdout::lock();
    writeln!(
        out,
        "{} account(s), {} to {} ({} days)",
        report.accounts.len(),
        report.from,
        report.to,
        report.days
    )?;
    for path in [html, json, csv] {
        writeln!(out, "wrote {}", path.display())?;
    }
    Ok(())
}

/// Writes `dir/name` whole: a report cut short by an error keeps the previous one.
fn write_file(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    write_atomically(&path, write).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::{accounts_of, accounts_of_args};

    #[test]
    fn accounts_are_split_on_latin_and_arabic_commas() {
        let values = [
            "@mofa_example،@embassy, Press office".to_owned(),
            "@uae".to_owned(),
        ];
        assert_eq!(
            accounts_of_args(&values),
            ["@mofa_example", "@embassy", "Press office", "@uae"]
        );
    }

    #[test]
    fn an_accounts_file_saved_with_a_byte_order_mark_keeps_its_first_account() {
        assert_eq!(
            accounts_of("\u{feff}@mofa_example\r\n# a comment\n\n  @embassy  \n"),
            ["@mofa_example", "@embassy"]
        );
        assert_eq!(
            accounts_of("\u{feff}# only a comment\n"),
            Vec::<String>::new()
        );
    }
}
