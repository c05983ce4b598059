//! `safir text …`: the text engine on the command line (line-oriented, stdin or files).

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use safir_text::lang;
use safir_text::sentiment::{self, TrainConfig};
use safir_text::{AnalyzeOptions, Analyzed, Analyzer, NormalizeOptions, stem::ArabicStemmer};

#[derive(Debug, Args)]
pub struct TextArgs {
    #[command(subcommand)]
    pub command: TextCommand,
}

#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// Repair PDF-extracted text (tatweel, presentation forms, split words, visual order).
    Repair(InputArgs),
    /// Normalize each line (the folding used at index and query time).
    Normalize(NormalizeArgs),
    /// Analyze each line: its terms, tab-separated, one output line per input line.
    Analyze(AnalyzeArgs),
    /// Language of each line: `ar<TAB>0.98` (`und<TAB>0.00` when there is none).
    Lang(InputArgs),
    /// Sentiment of each line: `NEG<TAB>0.87` (Arabic or English model by script).
    Sentiment(InputArgs),
    /// Train a sentiment model; with the shipped data it reproduces the shipped file.
    TrainSentiment(TrainArgs),
}

/// Files to read line by line; standard input when none is given, or for `-`.
#[derive(Debug, Args)]
pub struct InputArgs {
    pub files: Vec<PathBuf>,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping with an error.
    #[arg(long)]
    pub lossy: bool,
}

#[derive(Debug, Args)]
pub struct NormalizeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub folding: FoldingArgs,
}

/// The optional foldings of the normalization pipeline.
#[derive(Debug, Args)]
pub struct FoldingArgs {
    /// Keep teh marbuta (ة) instead of folding it to heh (ه).
    #[arg(long)]
    pub keep_teh_marbuta: bool,
    /// Fold hamza carriers: ؤ → و, ئ → ي.
    #[arg(long)]
    pub fold_hamza: bool,
    /// Collapse letters repeated three or more times (social text).
    #[arg(long)]
    pub social: bool,
}

impl FoldingArgs {
    fn options(&self) -> NormalizeOptions {
        NormalizeOptions {
            fold_teh_marbuta: !self.keep_teh_marbuta,
            fold_hamza_carriers: self.fold_hamza,
            collapse_repeats: self.social,
        }
    }
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub folding: FoldingArgs,
    /// What to print for each term.
    #[arg(long, value_enum, default_value_t = TermField::Stem)]
    pub field: TermField,
    /// Stemmer for Arabic words.
    #[arg(long, value_enum, default_value_t = StemmerArg::Light10)]
    pub stemmer: StemmerArg,
    /// Keep stopwords.
    #[arg(long)]
    pub keep_stopwords: bool,
    /// Append each term's byte range in its input line (`term@start-end`); with `--lossy`,
    /// in the line as decoded, where each replaced byte sequence takes the three bytes of
    /// U+FFFD.
    #[arg(long)]
    pub offsets: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TermField {
    Stem,
    Normalized,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StemmerArg {
    Light10,
    Snowball,
    None,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data: ArSarcasm-v2 `train.csv` for Arabic; the UCI labelled-sentence
    /// files (repeat the flag) for English, each file one domain for the choice of
    /// the lexicon weight.
    #[arg(long, required = true)]
    pub data: Vec<PathBuf>,
    /// English only: VADER's ground-truth corpora (`id<TAB>rating<TAB>sentence`; repeat
    /// the flag), extra training data that is never held out when the lexicon weights
    /// are chosen.
    #[arg(long)]
    pub rated: Vec<PathBuf>,
    /// Where to write the model file.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = ModelLang::Ar)]
    pub lang: ModelLang,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModelLang {
    Ar,
    En,
}

pub fn run(args: TextArgs) -> anyhow::Result<()> {
    match args.command {
        TextCommand::Repair(input) => each_line(&input, Ends::Kept, safir_text::repair),
        TextCommand::Normalize(args) => {
            let options = args.folding.options();
            each_line(&args.input, Ends::Kept, |line| {
                safir_text::normalize_with(line, &options)
            })
        }
        TextCommand::Analyze(args) => analyze(&args),
        TextCommand::Lang(input) => {
            each_line(&input, Ends::Newline, |line| match lang::detect(line) {
                Some((lang, confidence)) => format!("{lang}\t{confidence:.2}"),
                None => "und\t0.00".to_owned(),
            })
        }
        TextCommand::Sentiment(input) => each_line(&input, Ends::Newline, |line| {
            let s = sentiment::sentiment(line);
            format!("{}\t{:.2}", s.label, s.score)
        }),
        TextCommand::TrainSentiment(args) => train_sentiment(&args),
    }
}

/// Standard output for commands whose reader may stop early (`| head`): a write that fails
/// because the reader is gone says so, and [`quiet_when_reader_leaves`] ends the command
/// quietly on it, while a broken pipe met anywhere else (a download) stays an error.
pub(crate) struct Stdout(std::io::StdoutLock<'static>);

impl Stdout {
    pub(crate) fn lock() -> Self {
        Self(std::io::stdout().lock())
    }
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(reader_gone)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(reader_gone)
    }
}

fn reader_gone(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::io::Error::new(std::io::ErrorKind::BrokenPipe, ReaderGone)
    } else {
        e
    }
}

/// A write to [`Stdout`] after its reader stopped reading.
#[derive(Debug)]
struct ReaderGone;

impl std::fmt::Display for ReaderGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the reader of standard output stopped reading")
    }
}

impl std::error::Error for ReaderGone {}

/// Ends a command that wrote to [`Stdout`] quietly when its reader stopped reading, as
/// other line tools do; any other error stays.
pub(crate) fn quiet_when_reader_leaves(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .and_then(|io| io.get_ref())
                    .is_some_and(|inner| inner.is::<ReaderGone>())
            }) =>
        {
            Ok(())
        }
        done => done,
    }
}

/// What follows each answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// The input line's own end: `\r\n`, `\n`, or none on a last line without one.
    Kept,
    /// `\n`, whatever the input line ended with.
    Newline,
}

/// Answers one output line per input line, from the files in order or stdin.
/// Invalid UTF-8 stops with the file, line and byte offset unless `--lossy`. A reader that
/// stops reading (`| head`) ends the command quietly, as other line tools do.
fn each_line(
    input: &InputArgs,
    ends: Ends,
    answer: impl FnMut(&str) -> String,
) -> anyhow::Result<()> {
    quiet_when_reader_leaves(each_line_to_stdout(input, ends, answer))
}

/// The error for a bad byte `at` bytes into line `line_no` of `name`, `offset` bytes into it.
fn invalid_utf8(name: &str, line_no: usize, at: usize, offset: usize, hint: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{name}:{line_no}: invalid UTF-8 at byte {at} of the line (byte offset {offset} of the input{hint})"
    )
}

/// The text of a whole file, or the error naming its first bad byte's line and place.
fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    safir_text::decode(&bytes).map(str::to_owned).map_err(|e| {
        let before = &bytes[..e.offset];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_no = before.iter().filter(|&&b| b == b'\n').count() + 1;
        invalid_utf8(
            &path.display().to_string(),
            line_no,
            e.offset - line_start,
            e.offset,
            "",
        )
    })
}

fn each_line_to_stdout(
    input: &InputArgs,
    ends: Ends,
    mut answer: impl FnMut(&str) -> String,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(Stdout::lock());
    let lossy = input.lossy;
    // An answer written without a line end, to a last line without one: when a further file
    // has lines, a `\n` goes first so that the two lines stay apart (as `sed` does).
    let mut unended = false;
    let mut run = |reader: &mut BufReader<Box<dyn Read + '_>>, name: &str| -> anyhow::Result<()> {
        let mut buf = Vec::new();
        let (mut line_no, mut offset) = (0usize, 0usize);
        loop {
            buf.clear();
            let read = reader
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("reading {name}"))?;
            if read == 0 {
                return Ok(());
            }
            line_no += 1;
            // The line's end (`\n` or `\r\n`), nothing more: a carriage return before it is
            // text, as one inside the line or at the end of a last line without `\n` is.
            let end: &[u8] = if buf.ends_with(b"\r\n") {
                b"\r\n"
            } else if buf.ends_with(b"\n") {
                b"\n"
            } else {
                b""
            };
            let line = if lossy {
                safir_text::decode_lossy(&buf)
            } else {
                let text = safir_text::decode(&buf).map_err(|e| {
                    invalid_utf8(
                        name,
                        line_no,
                        e.offset,
                        offset + e.offset,
                        "; use --lossy to replace it",
                    )
                })?;
                text.into()
            };
            offset += read;
            let body = &line[..line.len() - end.len()];
            if unended {
                out.write_all(b"\n")?;
                unended = false;
            }
            out.write_all(answer(body).as_bytes())?;
            match ends {
                Ends::Kept => {
                    out.write_all(end)?;
                    unended = end.is_empty();
                }
                Ends::Newline => out.write_all(b"\n")?,
            }
            // Answers go out in blocks while more whole lines are already read; when the next
            // line is still to come, whole or in part (`tail -f … | safir text lang`), the
            // answers so far go now.
            if !reader.buffer().contains(&b'\n') {
                out.flush()?;
            }
        }
    };
    let stdin = || BufReader::new(Box::new(std::io::stdin().lock()) as Box<dyn Read>);
    if input.files.is_empty() {
        run(&mut stdin(), "standard input")?;
    }
    for path in &input.files {
        if path.as_os_str() == "-" {
            run(&mut stdin(), "standard input")?;
            continue;
        }
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        run(
            &mut BufReader::new(Box::new(file) as Box<dyn Read>),
            &path.display().to_string(),
        )?;
    }
    out.flush()?;
    Ok(())
}

fn analyze(args: &AnalyzeArgs) -> anyhow::Result<()> {
    let mut analyzer = Analyzer::new(AnalyzeOptions {
        normalize: args.folding.options(),
        arabic_stemmer: match args.stemmer {
            StemmerArg::Light10 => ArabicStemmer::Light10,
            StemmerArg::Snowball => ArabicStemmer::Snowball,
            StemmerArg::None => ArabicStemmer::None,
        },
        remove_stopwords: !args.keep_stopwords,
        ..AnalyzeOptions::default()
    });
    let mut terms = Analyzed::default();
    each_line(&args.input, Ends::Newline, |line| {
        terms.clear();
        analyzer.analyze_into(line, &mut terms);
        let mut out = String::new();
        for term in terms.terms() {
            if !out.is_empty() {
                out.push('\t');
            }
            out.push_str(match args.field {
                TermField::Stem => terms.stem(term),
                TermField::Normalized => terms.normalized(term),
            });
            if args.offsets {
                out.push_str(&format!("@{}-{}", term.start, term.end));
            }
        }
        out
    })
}

fn train_sentiment(args: &TrainArgs) -> anyhow::Result<()> {
    if !args.rated.is_empty() && matches!(args.lang, ModelLang::Ar) {
        anyhow::bail!("--rated is English training data: use it with --lang en");
    }
    // Each file is one domain: the English lexicon weights are chosen by holding out
    // each in turn.
    let mut domains = Vec::new();
    for path in &args.data {
        let text = read_text(path)?;
        let parsed = match args.lang {
            ModelLang::Ar => sentiment::parse_arsarcasm(&text),
            ModelLang::En => sentiment::parse_labelled_sentences(&text),
        };
        domains.push(parsed.with_context(|| format!("parsing {}", path.display()))?);
    }
    let mut rated = Vec::new();
    for path in &args.rated {
        let text = read_text(path)?;
        rated.extend(
            sentiment::parse_rated_sentences(&text, sentiment::RATED_MIN)
                .with_context(|| format!("parsing {}", path.display()))?,
        );
    }
    let config = match args.lang {
        ModelLang::Ar => TrainConfig::DEFAULT,
        ModelLang::En => TrainConfig::ENGLISH,
    };
    let model = sentiment::train_domains_with(&domains, &rated, &config);
    let examples = domains.iter().map(Vec::len).sum::<usize>() + rated.len();
    std::fs::write(&args.out, model.to_bytes())
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "trained on {} examples, wrote {}",
        examples,
        args.out.display()
    );
    Ok(())
}
