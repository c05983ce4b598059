//! Times the influence measures on one archive, for docs/benchmarks.md and
//! `bench/listen/pagerank_vs_networkx.py`.
//!
//! `listen_influence FILE [--k K] [--graph OUT.txt] [--scores OUT.txt]`
//!
//! Prints one `step seconds` line per step (import, graph, pagerank, degrees,
//! betweenness, top_by_topic, top_by_language) and the graph's size. With `--graph`, writes the graph as
//! `n NODES` then one `e SOURCE TARGET WEIGHT` line per edge (node numbers);
//! with `--scores`, the PageRank of each node, one per line, in node order
//! (neither is timed).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use safir_listen::import::{ImportOptions, import_path};
use safir_listen::influence::{
    InfluenceParams, PageRankParams, analyze, betweenness, build_graph, degrees, pagerank,
    top_by_language, top_by_topic, top_k,
};
use safir_listen::table::MessageTable;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: listen_influence FILE [--k K] [--graph OUT.txt] [--scores OUT.txt]";
    let file = PathBuf::from(args.first().ok_or(usage)?);
    let mut k = 200;
    let mut graph_out: Option<PathBuf> = None;
    let mut scores_out: Option<PathBuf> = None;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(usage)?;
        match flag.as_str() {
            "--k" => k = value.parse()?,
            "--graph" => graph_out = Some(PathBuf::from(value)),
            "--scores" => scores_out = Some(PathBuf::from(value)),
            _ => return Err(usage.into()),
        }
    }

    let mut table = MessageTable::new();
    let t = Instant::now();
    import_path(&mut table, &file, &ImportOptions::default())?;
    println!("import {:.3}", t.elapsed().as_secs_f64());
    println!("messages {}", table.len());

    let t = Instant::now();
    let graph = build_graph(&table);
    println!("graph {:.3}", t.elapsed().as_secs_f64());
    println!("nodes {}", graph.node_count());
    println!("edges {}", graph.edge_count());

    let t = Instant::now();
    let pr = pagerank(&graph, &PageRankParams::default())?;
    println!("pagerank {:.4}", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let d = degrees(&graph);
    println!("degrees {:.4}", t.elapsed().as_secs_f64());
    let max_in = d.in_degree.iter().max().copied().unwrap_or(0);
    println!("max_in_degree {max_in}");

    let t = Instant::now();
    let top = top_k(&pr, k);
    let bc = betweenness(&graph, &top);
    println!("betweenness {:.4}", t.elapsed().as_secs_f64());
    println!("bridge_k {}", top.len());
    let best = bc.iter().copied().fold(0.0f64, f64::max);
    println!("max_betweenness {best}");

    // The per-population rankings, on the full analysis (timed separately).
    let result = analyze(
        &table,
        &InfluenceParams {
            bridge_k: k,
            ..InfluenceParams::default()
        },
    )?;
    let t = Instant::now();
    let topics = top_by_topic(&table, &result, 10, 20);
    println!("top_by_topic {:.3}", t.elapsed().as_secs_f64());
    println!("topics {}", topics.len());
    let t = Instant::now();
    let langs = top_by_language(&table, &result, 20);
    println!("top_by_language {:.3}", t.elapsed().as_secs_f64());
    println!("languages {}", langs.len());

    if let Some(path) = graph_out {
        let mut w = BufWriter::new(File::create(path)?);
        writeln!(w, "n {}", graph.node_count())?;
        for e in graph.edges() {
            writeln!(w, "e {} {} {}", e.source, e.target, e.weight())?;
        }
        w.flush()?;
    }
    if let Some(path) = scores_out {
        let mut w = BufWriter::new(File::create(path)?);
        for s in &pr {
            writeln!(w, "{s:e}")?;
        }
        w.flush()?;
    }
    Ok(())
}
