//! How long gzip takes at each level on a saved page, and what it leaves: the figures behind
//! the level `compress` uses: the mean time of a pass on one core.
//!
//!   cargo run --release -p safir-web --example gzip_levels -- <page.html> [passes]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: gzip_levels <file> [passes]");
        std::process::exit(2);
    };
    let passes: u32 = args.next().and_then(|p| p.parse().ok()).unwrap_or(300);
    let data = match std::fs::read(&path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    for level in [1, 2, 3, 4, 6, 9] {
        let started = Instant::now();
        let mut size = 0;
        for _ in 0..passes {
            size = safir_web::compress::gzip(&data, level)
                .expect("writing to memory")
                .len();
        }
        let each = started.elapsed().as_secs_f64() / f64::from(passes.max(1));
        println!(
            "level {level}: {} -> {size} bytes, {:.0} us, {:.0} MB/s",
            data.len(),
            each * 1e6,
            data.len() as f64 / each / 1e6
        );
    }
}
