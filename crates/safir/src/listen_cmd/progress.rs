//! One-line progress on stderr for long imports, downloads and link resolution: drawn
//! only when stderr is a terminal, at most ten times a second, erased when done.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use safir_listen::import::{ImportProgress, ProgressFn};

const EVERY: Duration = Duration::from_millis(100);
const BAR_WIDTH: usize = 24;
const LABEL_WIDTH: usize = 36;

pub struct Bar {
    enabled: bool,
    state: Mutex<State>,
}

struct State {
    /// What is being measured; the rate restarts when it changes.
    label: String,
    started: Instant,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl Bar {
    /// A bar on stderr, silent unless stderr is a terminal.
    pub fn on_stderr() -> Arc<Bar> {
        Arc::new(Bar::new(std::io::stderr().is_terminal()))
    }

    /// A bar that never draws.
    #[cfg(test)]
    pub fn off() -> Bar {
        Bar::new(false)
    }

    fn new(enabled: bool) -> Bar {
        Bar {
            enabled,
            state: Mutex::new(State {
                label: String::new(),
                started: Instant::now(),
                last_draw: None,
                drawn: false,
            }),
        }
    }

    /// The import callback, or `None` when nothing would be shown.
    pub fn import_callback(self: &Arc<Self>) -> Option<ProgressFn> {
        let bar = Arc::clone(self);
        self.enabled
            .then(|| Arc::new(move |p: &ImportProgress| bar.import(p)) as ProgressFn)
    }

    pub fn import(&self, p: &ImportProgress) {
        self.draw(&p.file, p.done, |elapsed| render_import(p, elapsed));
    }

    pub fn download(&self, url: &str, bytes: u64, total: Option<u64>) {
        self.draw(url, false, |elapsed| {
            let rate = format!("{}/s", megabytes(per_second(bytes, elapsed)));
            let amount = match total {
                Some(t) => format!(
                    "{} {} / {}",
                    bar(bytes, t),
                    megabytes(bytes as f64),
                    megabytes(t as f64)
                ),
                None => megabytes(bytes as f64),
            };
            format!("{}  {amount}  {rate}", label(url))
        });
    }

    pub fn count(&self, what: &str, done: u64, total: u64) {
        self.draw(what, done == total, |elapsed| {
            format!(
                "{}  {} {done} / {total}  {:.0}/s",
                label(what),
                bar(done, total),
                per_second(done, elapsed)
            )
        });
    }

    /// Erases the line, if one was drawn.
    pub fn finish(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            state.drawn = false;
        }
        state.label.clear();
    }

    fn draw(&self, label: &str, last: bool, line: impl FnOnce(Duration) -> String) {
        if !self.enabled {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if state.label != label {
            state.label = label.to_owned();
            state.started = now;
            state.last_draw = None;
        }
        if !last && state.last_draw.is_some_and(|t| now - t < EVERY) {
            return;
        }
        state.last_draw = Some(now);
        state.drawn = true;
        let text = line(now - state.started);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{text}");
        let _ = err.flush();
    }
}

fn render_import(p: &ImportProgress, elapsed: Duration) -> String {
    let total = p.total_bytes.unwrap_or(p.bytes);
    if p.records == 0 && !p.done && p.bytes < total {
        return format!(
            "{}  {} {} / {}  reading {}/s",
            label(&p.file),
            bar(p.bytes, total),
            megabytes(p.bytes as f64),
            megabytes(total as f64),
            megabytes(per_second(p.bytes, elapsed))
        );
    }
    // Parsing: the importers do not say how far into the input they are, so no bar.
    format!(
        "{}  {} read  {} records  {:.0} records/s",
        label(&p.file),
        megabytes(total as f64),
        p.records,
        per_second(p.records, elapsed)
    )
}

fn per_second(n: u64, elapsed: Duration) -> f64 {
    n as f64 / elapsed.as_secs_f64().max(0.001)
}

fn bar(done: u64, total: u64) -> String {
    let filled = if total == 0 {
        BAR_WIDTH
    } else {
        (done.min(total) as u128 * BAR_WIDTH as u128 / total as u128) as usize
    };
    format!("[{}{}]", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled))
}

fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// The end of a long file name or URL, which is the part that tells them apart.
fn label(s: &str) -> String {
    let n = s.chars().count();
    if n <= LABEL_WIDTH {
        return s.to_owned();
    }
    let tail: String = s.chars().skip(n - (LABEL_WIDTH - 1)).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(bytes: u64, records: u64, done: bool) -> ImportProgress {
        ImportProgress {
            file: "archive.jsonl".into(),
            bytes,
            total_bytes: Some(4_000_000),
            records,
            done,
        }
    }

    #[test]
    fn reading_shows_bytes_of_total_and_parsing_shows_records_and_rate() {
        let read = render_import(&progress(1_000_000, 0, false), Duration::from_secs(1));
        assert_eq!(
            read,
            "archive.jsonl  [######------------------] 1.0 MB / 4.0 MB  reading 1.0 MB/s"
        );
        let started = render_import(&progress(4_000_000, 0, false), Duration::from_secs(2));
        assert_eq!(
            started,
            "archive.jsonl  4.0 MB read  0 records  0 records/s"
        );
        let parsed = render_import(&progress(4_000_000, 50_000, false), Duration::from_secs(2));
        assert_eq!(
            parsed,
            "archive.jsonl  4.0 MB read  50000 records  25000 records/s"
        );
    }

    #[test]
    fn long_labels_keep_their_end() {
        let url = "https://news.example.org/very/long/path/to/the/feed.xml";
        let l = label(url);
        assert_eq!(l.chars().count(), LABEL_WIDTH);
        assert!(l.ends_with("to/the/feed.xml") && l.starts_with('…'));
        assert_eq!(bar(5, 0), format!("[{}]", "#".repeat(BAR_WIDTH)));
    }

    #[test]
    fn a_bar_off_a_terminal_gives_no_callback() {
        let bar = Arc::new(Bar::new(false));
        assert!(bar.import_callback().is_none());
        bar.import(&progress(1, 0, false));
        assert!(!bar.state.lock().unwrap().drawn);
    }
}
