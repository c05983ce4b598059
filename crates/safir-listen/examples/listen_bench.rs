//! Times import and the coordination networks on one archive, for docs/benchmarks.md.
//!
//! `listen_bench FILE [--window S] [--min-weight N] [--similarity T] [--kinds a,b] [--edges-dir DIR]`
//!
//! Prints one line per step: name, wall-clock seconds, CPU seconds of the process
//! (user + system, all threads; from /proc/self/stat, so Linux only, else 0) and
//! what was made. With `--edges-dir`, writes each network as `DIR/KIND.csv` (not
//! timed).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use safir_listen::import::{ImportOptions, import_path};
use safir_listen::network::{NetworkKind, NetworkParams, compute, write_csv};
use safir_listen::table::MessageTable;

mod common;
use common::cpu_secs;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: listen_bench FILE [--window S] [--min-weight N] [--similarity T] [--kinds a,b] [--edges-dir DIR]";
    let file = PathBuf::from(args.first().ok_or(usage)?);
    let mut params = NetworkParams::default();
    let mut kinds = NetworkKind::ALL.to_vec();
    let mut edges_dir: Option<PathBuf> = None;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or(usage)?;
        match flag.as_str() {
            "--window" => params.window_ms = value.parse::<i64>()? * 1000,
            "--min-weight" => params.min_weight = value.parse()?,
            "--similarity" => params.similarity = value.parse()?,
            "--kinds" => {
                kinds = value
                    .split(',')
                    .map(|k| NetworkKind::from_name(k).ok_or(usage))
                    .collect::<Result<_, _>>()?
            }
            "--edges-dir" => edges_dir = Some(PathBuf::from(value)),
            _ => return Err(usage.into()),
        }
    }
    let start = Instant::now();
    let cpu_start = cpu_secs();
    let mut table = MessageTable::new();
    let report = import_path(&mut table, &file, &ImportOptions::default())?;
    let import_secs = start.elapsed().as_secs_f64();
    let import_cpu = cpu_secs() - cpu_start;
    println!(
        "import\t{import_secs:.3}\t{import_cpu:.2}\t{} messages, {} accounts, {} problems",
        table.len(),
        table.users.len(),
        report.problems.len()
    );
    let (mut networks_secs, mut networks_cpu) = (0.0, 0.0);
    for kind in kinds {
        let t = Instant::now();
        let c = cpu_secs();
        let net = compute(&table, kind, &params)?;
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_secs() - c;
        networks_secs += secs;
        networks_cpu += cpu;
        println!(
            "{}\t{secs:.3}\t{cpu:.2}\t{} edges",
            kind.name(),
            net.edges.len()
        );
        if let Some(dir) = &edges_dir {
            let mut w = BufWriter::new(File::create(dir.join(format!("{}.csv", kind.name())))?);
            write_csv(&mut w, &table, &net)?;
            w.flush()?;
        }
    }
    println!("networks\t{networks_secs:.3}\t{networks_cpu:.2}");
    println!(
        "total\t{:.3}\t{:.2}",
        import_secs + networks_secs,
        import_cpu + networks_cpu
    );
    Ok(())
}
