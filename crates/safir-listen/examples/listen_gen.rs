//! Writes a synthetic archive as the toolkit's 8-column CSV, and its planted groups.
//!
//! `listen_gen N OUT.csv [--ascii] [--no-hashtags] [--seed S] [--planted OUT.tsv]`

use std::fs::File;
use std::io::{BufWriter, Write};

use safir_listen::synth::{SynthParams, generate, write_cnt_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage =
        "usage: listen_gen N OUT.csv [--ascii] [--no-hashtags] [--seed S] [--planted OUT.tsv]";
    let (Some(n), Some(out)) = (args.first(), args.get(1)) else {
        return Err(usage.into());
    };
    let mut params = SynthParams {
        messages: n.parse()?,
        ..SynthParams::default()
    };
    let mut planted_out = None;
    let mut rest = args[2..].iter();
    while let Some(flag) = rest.next() {
        match flag.as_str() {
            "--ascii" => params.ascii = true,
            "--no-hashtags" => params.hashtags = false,
            "--seed" => params.seed = rest.next().ok_or(usage)?.parse()?,
            "--planted" => planted_out = Some(rest.next().ok_or(usage)?.clone()),
            _ => return Err(usage.into()),
        }
    }
    let synth = generate(&params);
    let mut w = BufWriter::new(File::create(out)?);
    write_cnt_csv(&mut w, &synth.rows)?;
    w.flush()?;
    if let Some(path) = planted_out {
        let mut w = BufWriter::new(File::create(path)?);
        for g in &synth.planted {
            writeln!(w, "{}\t{}", g.kind.name(), g.members.join(" "))?;
        }
        w.flush()?;
    }
    Ok(())
}
