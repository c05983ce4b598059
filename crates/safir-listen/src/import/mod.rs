//! Importers: every supported archive format into the [`MessageTable`].
//!
//! A bad record is reported as a [`Problem`] (file, line, field, kind) and skipped;
//! good records are kept. With `strict`, the first problem aborts the import.
//! Re-importing a message id adds nothing (the first occurrence wins).

mod csv_files;
mod detect;
mod facts;
mod feeds;
mod html;
mod json_files;

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::table::{MessageRow, MessageTable};

pub use detect::detect_format;

/// The formats the importers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// The coordination-network-toolkit's 8-column CSV.
    CntCsv,
    /// CSV with a header naming (a superset of) the generic columns.
    GenericCsv,
    /// One JSON object per line with the generic field names.
    GenericJsonl,
    /// X/Twitter API v2 as written by twarc2: response pages or flattened tweets.
    TwitterV2,
    /// X/Twitter API v1.1 tweets, one per line.
    TwitterV1,
    /// Mastodon API statuses (an array or one per line).
    Mastodon,
    /// ActivityPub objects: Notes, Create/Announce activities, collections.
    ActivityPub,
    Rss,
    Atom,
}

impl InputFormat {
    pub const ALL: [InputFormat; 9] = [
        InputFormat::CntCsv,
        InputFormat::GenericCsv,
        InputFormat::GenericJsonl,
        InputFormat::TwitterV2,
        InputFormat::TwitterV1,
        InputFormat::Mastodon,
        InputFormat::ActivityPub,
        InputFormat::Rss,
        InputFormat::Atom,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InputFormat::CntCsv => "cnt-csv",
            InputFormat::GenericCsv => "csv",
            InputFormat::GenericJsonl => "jsonl",
            InputFormat::TwitterV2 => "twitter-v2",
            InputFormat::TwitterV1 => "twitter-v1",
            InputFormat::Mastodon => "mastodon",
            InputFormat::ActivityPub => "activitypub",
            InputFormat::Rss => "rss",
            InputFormat::Atom => "atom",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Default)]
pub struct ImportOptions {
    /// The format; detected from the content when `None`.
    pub format: Option<InputFormat>,
    /// Make the first problem fatal.
    pub strict: bool,
    /// Told how far the import has got; the caller decides whether and how to show it.
    pub progress: Option<ProgressFn>,
}

impl fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportOptions")
            .field("format", &self.format)
            .field("strict", &self.strict)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Receives [`ImportProgress`] updates, from the importing thread.
pub type ProgressFn = Arc<dyn Fn(&ImportProgress) + Send + Sync>;

/// How far the import of one file has got.
///
/// Reading the file advances `bytes` towards `total_bytes`; parsing then advances
/// `records`. The last update of a file has `done` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    pub file: String,
    pub bytes: u64,
    /// The file's size, when known before reading.
    pub total_bytes: Option<u64>,
    /// Records parsed so far (good, duplicate or bad).
    pub records: u64,
    pub done: bool,
}

/// Records parsed between two progress updates.
const PROGRESS_EVERY_RECORDS: u64 = 16 * 1024;
/// Bytes read between two progress updates.
const READ_CHUNK: usize = 4 << 20;

/// What can be wrong with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    InvalidUtf8,
    /// Bytes that are not text in the encoding the document declares, or an encoding no
    /// decoder knows (the text is then read as UTF-8).
    InvalidEncoding,
    WrongColumnCount,
    /// A first line that is not the header the format requires; nothing of the file is
    /// read.
    WrongHeader,
    MalformedJson,
    MalformedXml,
    MissingField,
    BadTimestamp,
    EmptyFile,
    /// An optional count (likes, reposts, replies, followers) that is not a whole
    /// number; the row is kept without that fact.
    BadCount,
    /// A detected JSON file whose first records are not all of one format: it is read in
    /// the format of most of them. Counts no record.
    MixedFormats,
}

impl ProblemKind {
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::InvalidUtf8 => "invalid UTF-8",
            ProblemKind::InvalidEncoding => "invalid text in the declared encoding",
            ProblemKind::WrongColumnCount => "wrong number of columns",
            ProblemKind::WrongHeader => "wrong header",
            ProblemKind::MalformedJson => "malformed JSON",
            ProblemKind::MalformedXml => "malformed XML",
            ProblemKind::MissingField => "missing field",
            ProblemKind::BadTimestamp => "unknown timestamp format",
            ProblemKind::EmptyFile => "empty file",
            ProblemKind::BadCount => "not a count (row kept without it)",
            ProblemKind::MixedFormats => "records of several formats",
        }
    }

    /// Whether a problem of this kind drops the record (every kind but a bad optional
    /// count and a warning about the whole file's format).
    pub fn skips_record(self) -> bool {
        !matches!(self, ProblemKind::BadCount | ProblemKind::MixedFormats)
    }
}

/// One skipped record: where it was and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line number; 0 when it concerns the whole file, or an item of a JSON
    /// document written over several lines, which the message names instead.
    pub line: u64,
    /// The field or column concerned, if one is.
    pub field: Option<String>,
    pub kind: ProblemKind,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}: {}", self.kind.name(), self.message)
    }
}

/// The outcome of importing one file.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub file: String,
    pub format: InputFormat,
    /// Records read (good, duplicate or bad).
    pub records: u64,
    /// Messages added to the table.
    pub added: u64,
    /// Records whose message id was already present.
    pub duplicates: u64,
    pub problems: Vec<Problem>,
}

impl ImportReport {
    /// Number of problems per kind, in a stable order.
    pub fn problem_counts(&self) -> Vec<(ProblemKind, u64)> {
        let mut counts: Vec<(ProblemKind, u64)> = Vec::new();
        for p in &self.problems {
            match counts.iter_mut().find(|(k, _)| *k == p.kind) {
                Some((_, n)) => *n += 1,
                None => counts.push((p.kind, 1)),
            }
        }
        counts.sort();
        counts
    }

    /// Records dropped by a problem (a kept row with a bad count is not one).
    pub fn skipped(&self) -> u64 {
        self.problems
            .iter()
            .filter(|p| p.kind.skips_record())
            .count() as u64
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} (strict mode stops at the first problem)")]
    Strict(Problem),
    #[error("{file}: cannot tell the format from the content; give it explicitly")]
    UnknownFormat { file: String },
}

/// Reads and imports one file.
pub fn import_path(
    table: &mut MessageTable,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    let file = path.display().to_string();
    let bytes =
        read_file(path, &file, options.progress.as_ref()).map_err(|source| ImportError::Io {
            file: file.clone(),
            source,
        })?;
    import_bytes(table, &file, &bytes, options)
}

/// Reads a whole file in large chunks, telling `progress` after each one.
fn read_file(path: &Path, file: &str, progress: Option<&ProgressFn>) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let total = f.metadata().ok().map(|m| m.len());
    let mut bytes = Vec::with_capacity(total.map_or(0, |n| n as usize).saturating_add(1));
    loop {
        let before = bytes.len();
        let n = (&mut f).take(READ_CHUNK as u64).read_to_end(&mut bytes)?;
        if n == 0 {
            break;
        }
        if let Some(progress) = progress {
            progress(&ImportProgress {
                file: file.to_owned(),
                bytes: (before + n) as u64,
                total_bytes: total,
                records: 0,
                done: false,
            });
        }
    }
    Ok(bytes)
}

/// Imports the content of one file; `file` names it in problems.
pub fn import_bytes(
    table: &mut MessageTable,
    file: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportReport, ImportError> {
    // Editors and spreadsheet exports on Windows start UTF-8 files with a byte-order
    // mark; it is no part of the first record, and JSON parsers refuse it.
    let unmarked = bytes.strip_prefix(b"\xEF\xBB\xBF");
    let marked_utf8 = unmarked.is_some();
    let bytes = unmarked.unwrap_or(bytes);
    let (format, mixed) = match options.format {
        Some(f) => (Some(f), None),
        None => match detect::detect(bytes) {
            Some(d) => (Some(d.format), d.mixed),
            None => (None, None),
        },
    };
    let mut sink = Sink {
        table,
        strict: options.strict,
        progress: options.progress.as_ref(),
        bytes: bytes.len() as u64,
        report: ImportReport {
            file: file.to_owned(),
            format: format.unwrap_or(InputFormat::GenericJsonl),
            records: 0,
            added: 0,
            duplicates: 0,
            problems: Vec::new(),
        },
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        sink.problem(
            0,
            None,
            ProblemKind::EmptyFile,
            "the file has no records".into(),
        )?;
        sink.tell(true);
        return Ok(sink.report);
    }
    let Some(format) = format else {
        return Err(ImportError::UnknownFormat {
            file: file.to_owned(),
        });
    };
    if let Some(message) = mixed {
        sink.note(0, None, ProblemKind::MixedFormats, message)?;
    }
    // Parsing starts: lets the caller time the records from here.
    sink.tell(false);
    match format {
        InputFormat::CntCsv => csv_files::import_cnt(&mut sink, bytes)?,
        InputFormat::GenericCsv => csv_files::import_generic(&mut sink, bytes)?,
        InputFormat::Rss | InputFormat::Atom => feeds::import_feed(&mut sink, bytes, marked_utf8)?,
        InputFormat::GenericJsonl
        | InputFormat::TwitterV2
        | InputFormat::TwitterV1
        | InputFormat::Mastodon
        | InputFormat::ActivityPub => json_files::import_json(&mut sink, bytes, format)?,
    }
    sink.tell(true);
    Ok(sink.report)
}

/// Where importers put rows and problems.
pub(crate) struct Sink<'a> {
    table: &'a mut MessageTable,
    strict: bool,
    progress: Option<&'a ProgressFn>,
    /// Size of the input, for progress updates.
    bytes: u64,
    report: ImportReport,
}

impl Sink<'_> {
    pub(crate) fn add(&mut self, row: &MessageRow) {
        self.report.records += 1;
        if self.table.push(row) {
            self.report.added += 1;
        } else {
            self.report.duplicates += 1;
        }
        if self.report.records.is_multiple_of(PROGRESS_EVERY_RECORDS) {
            self.tell(false);
        }
    }

    fn tell(&self, done: bool) {
        if let Some(progress) = self.progress {
            progress(&ImportProgress {
                file: self.report.file.clone(),
                bytes: self.bytes,
                total_bytes: Some(self.bytes),
                records: self.report.records,
                done,
            });
        }
    }

    /// A problem that counts no record: an optional fact of a row that is kept (its
    /// `field`), or a whole document's text (its encoding): reported, fatal when strict.
    pub(crate) fn note(
        &mut self,
        line: u64,
        field: Option<&str>,
        kind: ProblemKind,
        message: String,
    ) -> Result<(), ImportError> {
        let problem = Problem {
            file: self.report.file.clone(),
            line,
            field: field.map(str::to_owned),
            kind,
            message,
        };
        if self.strict {
            return Err(ImportError::Strict(problem));
        }
        self.report.problems.push(problem);
        Ok(())
    }

    /// A problem with a record, which it counts (but for an empty file).
    pub(crate) fn problem(
        &mut self,
        line: u64,
        field: Option<&str>,
        kind: ProblemKind,
        message: String,
    ) -> Result<(), ImportError> {
        if kind != ProblemKind::EmptyFile {
            self.report.records += 1;
        }
        self.note(line, field, kind, message)
    }
}

/// Text of a whole-document input; invalid UTF-8 is replaced and reported once.
pub(crate) fn document_text<'b>(
    sink: &mut Sink<'_>,
    bytes: &'b [u8],
) -> Result<std::borrow::Cow<'b, str>, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.into()),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            sink.note(
                line,
                None,
                ProblemKind::InvalidUtf8,
                "invalid UTF-8 replaced by U+FFFD".into(),
            )?;
            Ok(String::from_utf8_lossy(bytes))
        }
    }
}
