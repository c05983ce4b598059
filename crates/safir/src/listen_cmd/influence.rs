//! `safir listen influence`: the most influential accounts of an archive (PageRank
//! on the mention / repost / reply graph), bridging accounts, and the top accounts
//! per topic or language.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use safir_listen::influence::{
    self, AccountInfluence, Influence, InfluenceParams, Interaction, Population,
};
use safir_listen::table::MessageTable;
use serde_json::{Value, json};

use super::{SourceArgs, load, warn_problems, write_atomically};
use safir_listen::escape::{csv_field, terminal};

#[derive(Debug, Args)]
pub struct InfluenceArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Accounts listed (overall, or per topic / language).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Bridging accounts: betweenness on the subgraph of the K accounts of highest PageRank.
    #[arg(long, default_value_t = 200)]
    pub k: usize,
    /// Rank overall, per hashtag or per language.
    #[arg(long, value_enum, default_value_t = RankBy::Overall)]
    pub by: RankBy,
    /// With `--by topic`: the hashtags used by the most accounts that are shown.
    #[arg(long, default_value_t = 10)]
    pub topics: usize,
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Also write the interaction graph to FILE (`.graphml` or `.csv`).
    #[arg(long, value_name = "FILE")]
    pub graph_out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RankBy {
    Overall,
    Topic,
    Language,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Csv,
    Json,
}

pub fn run(args: InfluenceArgs) -> anyhow::Result<()> {
    let graph_format = match &args.graph_out {
        None => None,
        Some(path) => Some(graph_format(path)?),
    };
    let (table, reports) = load(&args.source)?;
    warn_problems(&reports);
    let params = InfluenceParams {
        bridge_k: args.k,
        ..InfluenceParams::default()
    };
    let result = influence::analyze(&table, &params)?;
    if let (Some(path), Some(format)) = (&args.graph_out, graph_format) {
        write_graph(path, format, &result)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let mut out = BufWriter::new(crate::text_cmd::Stdout::lock());
    match args.by {
        RankBy::Overall => write_overall(&mut out, &result, &args)?,
        RankBy::Topic | RankBy::Language => {
            let populations = populations(&table, &result, &args);
            write_populations(&mut out, &result, &populations, &args)?;
        }
    }
    out.flush()?;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum GraphFormat {
    Graphml,
    Csv,
}

fn graph_format(path: &std::path::Path) -> anyhow::Result<GraphFormat> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("graphml") => Ok(GraphFormat::Graphml),
        Some(e) if e.eq_ignore_ascii_case("csv") => Ok(GraphFormat::Csv),
        _ => bail!(
            "--graph-out {}: the file name must end in .graphml or .csv",
            path.display()
        ),
    }
}

/// Writes the graph whole: a write cut short by an error keeps the previous file.
fn write_graph(path: &std::path::Path, format: GraphFormat, r: &Influence) -> anyhow::Result<()> {
    write_atomically(path, |w| match format {
        GraphFormat::Graphml => influence::write_graph_graphml(w, &r.graph),
        GraphFormat::Csv => influence::write_graph_csv(w, &r.graph),
    })
}

fn populations(table: &MessageTable, r: &Influence, args: &InfluenceArgs) -> Vec<Population> {
    match args.by {
        RankBy::Topic => influence::top_by_topic(table, r, args.topics, args.top),
        _ => influence::top_by_language(table, r, args.top),
    }
}

const CSV_HEADER: &str = "rank,account,pagerank,in_degree,out_degree,in_weight,out_weight,mentions_received,reposts_received,replies_received,betweenness";

fn write_overall(out: &mut dyn Write, r: &Influence, args: &InfluenceArgs) -> anyhow::Result<()> {
    let top = r.top(args.top);
    match args.format {
        OutputFormat::Csv => {
            writeln!(out, "{CSV_HEADER}")?;
            for (i, a) in top.iter().enumerate() {
                writeln!(out, "{}", csv_row(i + 1, a))?;
            }
        }
        OutputFormat::Json => {
            let doc = json!({
                "accounts": r.graph.node_count(),
                "edges": r.graph.edge_count(),
                "interactions": interactions(r),
                "top": top.iter().map(account_json).collect::<Vec<_>>(),
                "bridge_k": r.bridge_nodes.len(),
                "bridges": r.bridges(args.top).iter().map(account_json).collect::<Vec<_>>(),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        OutputFormat::Text => {
            write_summary(out, r)?;
            writeln!(out, "\ntop {} accounts by PageRank", top.len())?;
            write_table(out, &top)?;
            let bridges = r.bridges(args.top);
            writeln!(
                out,
                "\nbridging accounts (betweenness among the top {} by PageRank)",
                r.bridge_nodes.len()
            )?;
            if bridges.is_empty() {
                writeln!(
                    out,
                    "  none: no account lies on a shortest path between two others"
                )?;
            }
            for (i, a) in bridges.iter().enumerate() {
                writeln!(
                    out,
                    "{:>4}  {:<24} betweenness {:.6}  pagerank {:.6}",
                    i + 1,
                    terminal(&a.name),
                    a.betweenness.unwrap_or(0.0),
                    a.pagerank
                )?;
            }
        }
    }
    Ok(())
}

fn write_populations(
    out: &mut dyn Write,
    r: &Influence,
    populations: &[Population],
    args: &InfluenceArgs,
) -> anyhow::Result<()> {
    let what = if args.by == RankBy::Topic {
        "topic"
    } else {
        "language"
    };
    match args.format {
        OutputFormat::Csv => {
            writeln!(out, "{what},{what}_accounts,{what}_messages,{CSV_HEADER}")?;
            for p in populations {
                for (i, &v) in p.top.iter().enumerate() {
                    let row = csv_row(i + 1, &r.account(v));
                    writeln!(
                        out,
                        "{},{},{},{row}",
                        csv_field(&p.key),
                        p.accounts,
                        p.messages
                    )?;
                }
            }
        }
        OutputFormat::Json => {
            let list: Vec<Value> = populations
                .iter()
                .map(|p| {
                    json!({
                        what: p.key,
                        "accounts": p.accounts,
                        "messages": p.messages,
                        "top": p.top.iter().map(|&v| account_json(&r.account(v))).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let key = format!("{what}s");
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&json!({ key: list }))?
            )?;
        }
        OutputFormat::Text => {
            write_summary(out, r)?;
            if populations.is_empty() {
                writeln!(out, "\nno {what} found")?;
            }
            for p in populations {
                writeln!(
                    out,
                    "\n{what} {}: {} accounts, {} messages",
                    terminal(&p.key),
                    p.accounts,
                    p.messages
                )?;
                let accounts: Vec<AccountInfluence> = p.top.iter().map(|&v| r.account(v)).collect();
                write_table(out, &accounts)?;
            }
        }
    }
    Ok(())
}

fn interactions(r: &Influence) -> Value {
    let mut totals = serde_json::Map::new();
    for kind in Interaction::ALL {
        let n: u64 = r
            .graph
            .edges()
            .iter()
            .map(|e| u64::from(e.count(kind)))
            .sum();
        totals.insert(kind.name().to_owned(), json!(n));
    }
    Value::Object(totals)
}

fn write_summary(out: &mut dyn Write, r: &Influence) -> std::io::Result<()> {
    let totals = interactions(r);
    writeln!(
        out,
        "interaction graph: {} accounts, {} edges ({} mentions, {} reposts, {} replies)",
        r.graph.node_count(),
        r.graph.edge_count(),
        totals["mention"],
        totals["repost"],
        totals["reply"]
    )
}

fn write_table(out: &mut dyn Write, accounts: &[AccountInfluence]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>4}  {:<24} {:>9} {:>6} {:>6} {:>8} {:>8} {:>8} {:>11}",
        "rank", "account", "pagerank", "in", "out", "mentions", "reposts", "replies", "betweenness"
    )?;
    for (i, a) in accounts.iter().enumerate() {
        let between = a.betweenness.map_or("-".to_owned(), |b| format!("{b:.6}"));
        writeln!(
            out,
            "{:>4}  {:<24} {:>9.6} {:>6} {:>6} {:>8} {:>8} {:>8} {:>11}",
            i + 1,
            terminal(&a.name),
            a.pagerank,
            a.in_degree,
            a.out_degree,
            a.mentions,
            a.reposts,
            a.replies,
            between
        )?;
    }
    Ok(())
}

fn csv_row(rank: usize, a: &AccountInfluence) -> String {
    format!(
        "{rank},{},{},{},{},{},{},{},{},{},{}",
        csv_field(&a.name),
        a.pagerank,
        a.in_degree,
        a.out_degree,
        a.in_weight,
        a.out_weight,
        a.mentions,
        a.reposts,
        a.replies,
        a.betweenness.map_or(String::new(), |b| b.to_string())
    )
}

fn account_json(a: &AccountInfluence) -> Value {
    json!({
        "account": a.name,
        "pagerank": a.pagerank,
        "in_degree": a.in_degree,
        "out_degree": a.out_degree,
        "in_weight": a.in_weight,
        "out_weight": a.out_weight,
        "mentions_received": a.mentions,
        "reposts_received": a.reposts,
        "replies_received": a.replies,
        "betweenness": a.betweenness,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_reach_the_terminal_without_control_characters() {
        let account = AccountInfluence {
            node: 0,
            name: "press\u{1b}]0;owned\u{7}\r".into(),
            pagerank: 0.5,
            in_degree: 1,
            out_degree: 0,
            in_weight: 1,
            out_weight: 0,
            mentions: 1,
            reposts: 0,
            replies: 0,
            betweenness: None,
        };
        let mut out = Vec::new();
        write_table(&mut out, &[account]).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(out.contains("press\\u{1b}]0;owned\\u{7}"), "{out}");
    }
}
