//! `safir listen …`: the listening engine on archives on disk (import summaries,
//! coordination networks, coordinated groups, influence, trends, reports, monitors).

pub(crate) mod fetch;
mod influence;
mod links;
pub mod monitor;
mod progress;
mod report;
mod trends;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use safir_listen::escape::terminal;
use safir_listen::import::{
    ImportOptions, ImportReport, InputFormat, ProblemKind, import_bytes, import_path,
};
use safir_listen::network::{self, Network, NetworkKind, NetworkParams, find_groups};
use safir_listen::table::MessageTable;

use crate::text_cmd::{Stdout, quiet_when_reader_leaves};

#[derive(Debug, Args)]
pub struct ListenArgs {
    #[command(subcommand)]
    pub command: ListenCommand,
}

#[derive(Debug, Subcommand)]
pub enum ListenCommand {
    /// Import archives and summarize them: format, counts, problems, time span.
    Import(SourceArgs),
    /// A coordination network as CSV (`user_1,user_2,weight`), GraphML or GEXF on stdout.
    Networks(NetworksArgs),
    /// Coordinated groups: connected components of one or more networks.
    Groups(GroupsArgs),
    Report(report::ReportArgs),
    /// Influential and bridging accounts of the mention / repost / reply graph.
    Influence(influence::InfluenceArgs),
    /// Emerging topics: hashtags, keywords, URLs and accounts whose counts burst above their baseline.
    Trends(trends::TrendsArgs),
    /// Stored datasets (lists of archive files) that monitors watch.
    Dataset(monitor::DatasetArgs),
    /// Monitors: saved queries that alert subscribed analysts by email.
    Monitor(monitor::MonitorArgs),
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Archive files (CNT CSV, generic CSV/JSONL, twarc2, v1.1, Mastodon, ActivityPub, RSS,
    /// Atom), or http:// and https:// URLs serving any of them (feeds, exports).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The input format; detected from the content when absent.
    #[arg(long, value_parser = parse_format)]
    pub input_format: Option<InputFormat>,
    /// Stop at the first bad record instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Largest download accepted from a URL input, in megabytes.
    #[arg(long, value_name = "MB", default_value_t = 50)]
    pub max_download: u64,
}

#[derive(Debug, Args)]
pub struct WindowArgs {
    /// Largest time between coordinated messages, in seconds (inclusive).
    #[arg(long, default_value_t = 60)]
    pub window: u64,
    /// Smallest edge weight kept.
    #[arg(long, default_value_t = 1)]
    pub min_weight: u32,
    /// co_similar_tweet: Jaccard threshold in (0, 1].
    #[arg(long, default_value_t = 0.8)]
    pub similarity: f64,
    /// co_similar_tweet: messages with fewer distinct tokens never match.
    #[arg(long, default_value_t = 1)]
    pub min_doc_size: usize,
    /// Keep edges from an account to itself.
    #[arg(long)]
    pub self_loops: bool,
    /// Worker threads (0: one per core; at most 256).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=256))]
    pub threads: u16,
    /// co_link: follow each link's redirects and compare final destinations.
    #[arg(long)]
    pub resolve_urls: bool,
    /// With --resolve-urls: most distinct links followed over the network (the most
    /// shared first); the others stay as written.
    #[arg(long, default_value_t = 100_000)]
    pub resolve_limit: usize,
    /// With --resolve-urls: TSV cache of resolved links (`url<TAB>destination`), read
    /// first and appended to as links are followed.
    #[arg(long, value_name = "FILE")]
    pub url_cache: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NetworksArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// co_retweet, co_tweet, co_similar_tweet, co_link, co_reply or co_post.
    #[arg(long, value_parser = parse_kind)]
    pub kind: NetworkKind,
    #[command(flatten)]
    pub params: WindowArgs,
    #[arg(long, value_enum, default_value_t = GraphFormat::Csv)]
    pub format: GraphFormat,
}

#[derive(Debug, Args)]
pub struct GroupsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Network kinds to combine (repeat or comma-separate); when absent, all but
    /// co_post, which links any two messages in the window and is combined only when named.
    #[arg(long, value_parser = parse_kind, value_delimiter = ',')]
    pub kind: Vec<NetworkKind>,
    #[command(flatten)]
    pub params: WindowArgs,
    /// Sample messages shown per group.
    #[arg(long, default_value_t = 3)]
    pub samples: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    Csv,
    Graphml,
    Gexf,
}

/// The items of a comma list: split on the Latin `,` and the Arabic `،` (what an Arabic
/// keyboard types), as monitor queries are; blank items are dropped.
pub(crate) fn list_items(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '،'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn parse_format(s: &str) -> Result<InputFormat, String> {
    InputFormat::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = InputFormat::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format {s:?}; one of {}", names.join(", "))
    })
}

fn parse_kind(s: &str) -> Result<NetworkKind, String> {
    NetworkKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = NetworkKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown network kind {s:?}; one of {}", names.join(", "))
    })
}

/// Runs a command that needs no database. A reader that stops reading its output
/// (`| head`) ends it quietly, as it does the text commands.
pub fn run(args: ListenArgs) -> anyhow::Result<()> {
    quiet_when_reader_leaves(run_to_stdout(args))
}

fn run_to_stdout(args: ListenArgs) -> anyhow::Result<()> {
    match args.command {
        ListenCommand::Influence(args) => influence::run(args),
        ListenCommand::Import(source) => {
            let (table, reports) = load(&source)?;
            let mut out = Stdout::lock();
            for r in &reports {
                write_report(&mut out, r)?;
            }
            write_summary(&mut out, &table)?;
            Ok(())
        }
        ListenCommand::Networks(args) => {
            let (mut table, reports) = load(&args.source)?;
            warn_problems(&reports);
            resolve_links(&mut table, &args.params, &[args.kind])?;
            let net = network::compute(&table, args.kind, &params(&args.params))?;
            let mut out = BufWriter::new(Stdout::lock());
            match args.format {
                GraphFormat::Csv => network::write_csv(&mut out, &table, &net)?,
                GraphFormat::Graphml => network::write_graphml(&mut out, &table, &net)?,
                GraphFormat::Gexf => network::write_gexf(&mut out, &table, &net)?,
            }
            out.flush()?;
            Ok(())
        }
        ListenCommand::Groups(args) => {
            let (mut table, reports) = load(&args.source)?;
            warn_problems(&reports);
            let kinds = group_kinds(args.kind);
            resolve_links(&mut table, &args.params, &kinds)?;
            let params = params(&args.params);
            let nets = kinds
                .iter()
                .map(|&k| network::compute(&table, k, &params))
                .collect::<Result<Vec<Network>, _>>()?;
            let mut out = BufWriter::new(Stdout::lock());
            write_groups(&mut out, &table, &nets, args.samples)?;
            out.flush()?;
            Ok(())
        }
        ListenCommand::Report(args) => report::run(args),
        ListenCommand::Trends(args) => trends::run(args),
        ListenCommand::Dataset(_) | ListenCommand::Monitor(_) => {
            bail!("this command uses the database and runs through monitor::run")
        }
    }
}

/// The networks `groups` combines: the ones asked for, each once in the order first
/// named (a kind named twice would count its edges twice), else every kind but
/// co_post. co_post links any two messages in the window, so on a busy archive it
/// joins every account into one group; it is combined only when named.
fn group_kinds(asked: Vec<NetworkKind>) -> Vec<NetworkKind> {
    if asked.is_empty() {
        return NetworkKind::ALL
            .into_iter()
            .filter(|&k| k != NetworkKind::CoPost)
            .collect();
    }
    let mut kinds = Vec::with_capacity(asked.len());
    for kind in asked {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

fn params(w: &WindowArgs) -> NetworkParams {
    NetworkParams {
        window_ms: i64::try_from(w.window.saturating_mul(1000)).unwrap_or(i64::MAX),
        min_weight: w.min_weight,
        similarity: w.similarity,
        min_doc_size: w.min_doc_size,
        include_self_loops: w.self_loops,
        threads: usize::from(w.threads),
    }
}

fn load(source: &SourceArgs) -> anyhow::Result<(MessageTable, Vec<ImportReport>)> {
    let bar = progress::Bar::on_stderr();
    let options = ImportOptions {
        format: source.input_format,
        strict: source.strict,
        progress: bar.import_callback(),
    };
    let max_bytes = source.max_download.saturating_mul(1_000_000);
    let mut http = None;
    let mut table = MessageTable::new();
    let mut reports = Vec::new();
    for path in &source.inputs {
        let report = match path.to_str().filter(|p| fetch::is_url(p)) {
            Some(url) => {
                let client = match &mut http {
                    Some(client) => client,
                    None => {
                        http.insert(fetch::HttpClient::new().context("starting the HTTP client")?)
                    }
                };
                let fetched =
                    client.get(url, max_bytes, &|got, total| bar.download(url, got, total));
                bar.finish();
                let bytes = fetched?;
                import_bytes(&mut table, url, &bytes, &options)
            }
            None => import_path(&mut table, path, &options),
        };
        bar.finish();
        reports.push(report.with_context(|| format!("importing {}", path.display()))?);
    }
    if table.is_empty() {
        // Say why, when a problem does: a file with a wrong header has no messages.
        match reports.iter().find_map(|r| r.problems.first()) {
            Some(first) => bail!(
                "no messages were imported; first problem: {}",
                terminal(&first.to_string())
            ),
            None => bail!("no messages were imported"),
        }
    }
    Ok((table, reports))
}

/// With `--resolve-urls`, replaces links by their destinations before co_link runs.
fn resolve_links(
    table: &mut MessageTable,
    w: &WindowArgs,
    kinds: &[NetworkKind],
) -> anyhow::Result<()> {
    if !w.resolve_urls || !kinds.contains(&NetworkKind::CoLink) {
        return Ok(());
    }
    let bar = progress::Bar::on_stderr();
    let s = links::resolve_links(table, w.resolve_limit, w.url_cache.as_deref(), &bar)?;
    eprintln!(
        "safir: links: {} followed, {} from the cache, {} could not be followed, {} beyond \
         --resolve-limit; {} now lead elsewhere",
        s.followed, s.cached, s.failed, s.beyond_limit, s.changed
    );
    if let Some(first) = &s.first_failure {
        eprintln!("safir: first link not followed: {}", terminal(first));
    }
    Ok(())
}

fn warn_problems(reports: &[ImportReport]) {
    for r in reports {
        for (kind, n) in r.problem_counts() {
            eprintln!("safir: {}: {}", terminal(&r.file), problem_count(kind, n));
        }
        if let Some(first) = r.problems.first() {
            eprintln!("safir: first problem: {}", terminal(&first.to_string()));
        }
    }
}

/// A count of problems of one kind: records skipped, rows kept without a fact, or a
/// warning about the whole file.
fn problem_count(kind: ProblemKind, n: u64) -> String {
    let what = if kind.skips_record() {
        "record(s) skipped"
    } else if kind == ProblemKind::MixedFormats {
        "warning(s)"
    } else {
        "record(s) kept with a problem"
    };
    format!("{n} {what}: {}", kind.name())
}

/// The problems of the imports that had some, as `import` shows them: a count per kind,
/// then the first problems; each line starts with `indent`.
pub(crate) fn write_problems(
    out: &mut dyn Write,
    reports: &[ImportReport],
    indent: &str,
) -> std::io::Result<()> {
    for r in reports.iter().filter(|r| !r.problems.is_empty()) {
        for (kind, n) in r.problem_counts() {
            writeln!(
                out,
                "{indent}{}: {}",
                terminal(&r.file),
                problem_count(kind, n)
            )?;
        }
        for p in r.problems.iter().take(FIRST_PROBLEMS) {
            writeln!(out, "{indent}  {}", terminal(&p.to_string()))?;
        }
    }
    Ok(())
}

/// Problems shown one by one after the counts.
const FIRST_PROBLEMS: usize = 5;

fn write_report(out: &mut dyn Write, r: &ImportReport) -> std::io::Result<()> {
    writeln!(out, "{}", terminal(&r.file))?;
    writeln!(out, "  format      {}", r.format)?;
    writeln!(out, "  records     {}", r.records)?;
    writeln!(out, "  added       {}", r.added)?;
    writeln!(out, "  duplicates  {}", r.duplicates)?;
    for (kind, n) in r.problem_counts() {
        let label = if kind.skips_record() {
            "skipped"
        } else if kind == ProblemKind::MixedFormats {
            "warned"
        } else {
            "kept with"
        };
        writeln!(out, "  {label:<11} {n} ({})", kind.name())?;
    }
    for p in r.problems.iter().take(FIRST_PROBLEMS) {
        writeln!(out, "    {}", terminal(&p.to_string()))?;
    }
    Ok(())
}

fn write_summary(out: &mut dyn Write, t: &MessageTable) -> std::io::Result<()> {
    let n = t.len() as u32;
    let reposts = (0..n).filter(|&r| t.is_repost(r)).count();
    let replies = t.reply.iter().filter(|&&r| r != safir_listen::NONE).count();
    let with_urls = (0..n).filter(|&r| !t.url_ids(r).is_empty()).count();
    writeln!(out, "total")?;
    writeln!(out, "  messages    {}", t.len())?;
    writeln!(out, "  accounts    {}", t.users.len())?;
    writeln!(out, "  reposts     {reposts}")?;
    writeln!(out, "  replies     {replies}")?;
    writeln!(
        out,
        "  with links  {with_urls} ({} distinct URLs)",
        t.urls.len()
    )?;
    if let Some((first, last)) = t.time_span_ms() {
        writeln!(out, "  from        {}", iso(first))?;
        writeln!(out, "  to          {}", iso(last))?;
    }
    Ok(())
}

fn write_groups(
    out: &mut dyn Write,
    table: &MessageTable,
    nets: &[Network],
    samples: usize,
) -> std::io::Result<()> {
    let groups = find_groups(table, nets, samples);
    let names = table.display_names();
    writeln!(out, "{} group(s)", groups.len())?;
    for (i, g) in groups.iter().enumerate() {
        let kinds: Vec<&str> = g.edge_types.iter().map(|k| k.name()).collect();
        writeln!(
            out,
            "\ngroup {}: {} accounts, {} edges (total weight {}), {}",
            i + 1,
            g.members.len(),
            g.edges,
            g.total_weight,
            kinds.join(", ")
        )?;
        writeln!(out, "  span     {} .. {}", iso(g.first_ms), iso(g.last_ms))?;
        let members: Vec<String> = g
            .members
            .iter()
            .map(|&u| {
                format!(
                    "{} ({})",
                    terminal(table.users.resolve(u)),
                    terminal(table.usernames.resolve(names[u as usize]))
                )
            })
            .collect();
        writeln!(out, "  members  {}", members.join(", "))?;
        for &row in &g.sample_rows {
            let text: String = table.text(row).chars().take(140).collect();
            writeln!(
                out,
                "  sample   [{}] {}",
                terminal(table.user_id(row)),
                terminal(&text)
            )?;
        }
    }
    Ok(())
}

/// Writes the file at `path` whole or not at all: `write` fills `.NAME.tmp` beside it,
/// which is synced to disk and then renamed over `path`. A failure midway leaves the
/// previous file as it was, and no temporary file behind.
pub(crate) fn write_atomically<E: Into<anyhow::Error>>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .with_context(|| format!("{} does not name a file", path.display()))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(".tmp");
    let temp = path.with_file_name(temp_name);
    let file = File::create(&temp).with_context(|| format!("creating {}", temp.display()))?;
    let written = (|| -> anyhow::Result<()> {
        // A file that is replaced keeps who may read it.
        if let Ok(old) = std::fs::metadata(path) {
            let _ = file.set_permissions(old.permissions());
        }
        let mut w = BufWriter::new(file);
        write(&mut w).map_err(Into::into)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn iso(ms: i64) -> String {
    safir_listen::time::format_iso(ms)
}

#[cfg(test)]
mod tests {
    use safir_listen::table::MessageRow;

    use super::*;

    fn groups_of(table: &MessageTable, asked: Vec<NetworkKind>) -> String {
        let params = NetworkParams {
            window_ms: 60_000,
            min_weight: 1,
            threads: 1,
            ..NetworkParams::default()
        };
        let nets = group_kinds(asked)
            .into_iter()
            .map(|k| network::compute(table, k, &params))
            .collect::<Result<Vec<Network>, _>>()
            .unwrap();
        let mut out = Vec::new();
        write_groups(&mut out, table, &nets, 1).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn groups_leave_out_co_post_unless_it_is_asked_for() {
        // Two pairs of accounts, each reposting its own message, all within one
        // minute: co_post alone would make one group of the busy minute.
        let mut table = MessageTable::new();
        for (i, (user, of)) in [("a", "x"), ("b", "x"), ("c", "y"), ("d", "y")]
            .into_iter()
            .enumerate()
        {
            table.push(&MessageRow {
                message_id: format!("m{i}"),
                user_id: user.into(),
                username: user.into(),
                repost_id: Some(of.into()),
                timestamp_ms: 1_700_000_000_000 + i as i64 * 1000,
                ..MessageRow::default()
            });
        }
        let by_default = groups_of(&table, Vec::new());
        assert!(by_default.starts_with("2 group(s)"), "{by_default}");
        assert!(!by_default.contains("co_post"), "{by_default}");
        let with_co_post = groups_of(&table, vec![NetworkKind::CoPost]);
        assert!(with_co_post.starts_with("1 group(s)"), "{with_co_post}");
    }

    #[test]
    fn groups_count_a_kind_named_twice_once() {
        assert_eq!(
            group_kinds(vec![
                NetworkKind::CoLink,
                NetworkKind::CoRetweet,
                NetworkKind::CoLink,
            ]),
            [NetworkKind::CoLink, NetworkKind::CoRetweet]
        );
        let mut table = MessageTable::new();
        for (i, user) in ["a", "b"].into_iter().enumerate() {
            table.push(&MessageRow {
                message_id: format!("m{i}"),
                user_id: user.into(),
                username: user.into(),
                repost_id: Some("x".into()),
                timestamp_ms: 1_700_000_000_000 + i as i64 * 1000,
                ..MessageRow::default()
            });
        }
        let once = groups_of(&table, vec![NetworkKind::CoRetweet]);
        let twice = groups_of(&table, vec![NetworkKind::CoRetweet, NetworkKind::CoRetweet]);
        assert!(once.contains("group 1: 2 accounts"), "{once}");
        assert_eq!(twice, once);
    }

    /// Whether `out` holds a control character other than the line ends it is made of.
    fn has_control(out: &str) -> bool {
        out.chars().any(|c| c.is_control() && c != '\n')
    }

    #[test]
    fn archive_text_reaches_the_terminal_without_control_characters() {
        let mut table = MessageTable::new();
        for (i, (user, name, text)) in [
            ("a\u{1b}]0;owned\u{7}", "alice\u{1b}[2K", "hello\r\nworld"),
            ("b", "bob\u{9b}", "\u{1b}[1A\u{1b}[2Kwiped\u{7f}"),
        ]
        .into_iter()
        .enumerate()
        {
            table.push(&MessageRow {
                message_id: format!("m{i}"),
                user_id: user.into(),
                username: name.into(),
                text: text.into(),
                repost_id: Some("x".into()),
                timestamp_ms: 1_700_000_000_000 + i as i64 * 1000,
                ..MessageRow::default()
            });
        }
        let groups = groups_of(&table, vec![NetworkKind::CoRetweet]);
        assert!(!has_control(&groups), "{groups:?}");
        assert!(groups.contains("alice\\u{1b}[2K"), "{groups}");
        assert!(groups.contains("hello world"), "{groups}");

        let report = ImportReport {
            file: "gulf\u{1b}]0;x\u{7}.csv".into(),
            format: InputFormat::CntCsv,
            records: 1,
            added: 0,
            duplicates: 0,
            problems: vec![safir_listen::Problem {
                file: "gulf.csv".into(),
                line: 2,
                field: Some("timestamp".into()),
                kind: ProblemKind::BadTimestamp,
                message: "\"17\r\u{1b}[2Kok\"".into(),
            }],
        };
        let mut out = Vec::new();
        write_report(&mut out, &report).unwrap();
        write_problems(&mut out, std::slice::from_ref(&report), "  ").unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!has_control(&out), "{out:?}");
        assert!(out.contains("\"17 \\u{1b}[2Kok\""), "{out}");
    }

    /// A new empty directory for one test (its own name; the test removes it).
    pub(super) fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("safir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_atomic_write_replaces_the_file_whole_and_leaves_nothing_else() {
        let dir = temp_dir("atomic-write");
        let path = dir.join("report.csv");
        std::fs::write(&path, "old,and,longer,than,the,new,one\n").unwrap();
        write_atomically(&path, |w| w.write_all(b"a,b\n1,2\n")).unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        let names = names_in(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(written, "a,b\n1,2\n");
        assert_eq!(names, ["report.csv"]);
    }

    #[test]
    fn a_write_failing_midway_leaves_the_previous_file_as_it_was() {
        let dir = temp_dir("atomic-fail");
        let path = dir.join("graph.graphml");
        std::fs::write(&path, "<graphml>the good one</graphml>\n").unwrap();
        let failed = write_atomically(&path, |w| {
            w.write_all(b"<graphml>half")?;
            w.flush()?;
            Err(std::io::Error::other("disk full"))
        });
        let kept = std::fs::read_to_string(&path).unwrap();
        let names = names_in(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(failed.unwrap_err().to_string().contains("disk full"));
        assert_eq!(kept, "<graphml>the good one</graphml>\n");
        assert_eq!(names, ["graph.graphml"]);
    }

    #[test]
    fn nothing_imported_names_the_first_problem() {
        let dir = temp_dir("headerless-cnt");
        let path = dir.join("gulf.csv");
        std::fs::write(
            &path,
            "1,10,alice,,,hi,1700000000,\n2,11,bob,,,yo,1700000005,\n",
        )
        .unwrap();
        let source = SourceArgs {
            inputs: vec![path.clone()],
            input_format: Some(InputFormat::CntCsv),
            strict: false,
            max_download: 50,
        };
        let loaded = load(&source);
        std::fs::remove_dir_all(&dir).unwrap();
        let Err(e) = loaded else {
            panic!("a message was imported from a file without its header")
        };
        let message = e.to_string();
        assert!(
            message.starts_with("no messages were imported; first problem: "),
            "{message}"
        );
        assert!(
            message.contains(&format!(
                "{}:1: wrong header: expected the header \
                 message_id,user_id,username,repost_id,reply_id,message,timestamp,urls, found 1,10,",
                path.display()
            )),
            "{message}"
        );
    }
}
