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
        TextCommand::Repair(input) => each_line(&input, safir_text::repair),
        TextCommand::Normalize(args) => {
            let options = args.folding.options();
            each_line(&args.input, |line| {
                safir_text::normalize_with(line, &options)
            })
        }
        TextCommand::Analyze(args) => analyze(&args),
        TextCommand::Lang(input) => each_line(&input, |line| match lang::detect(line) {
            Some((lang, confidence)) => format!("{lang}\t{confidence:.2}"),
            None => "und\t0.00".to_owned(),
        }),
        TextCommand::Sentiment(input) => each_line(&input, |line| {
            let s = sentiment::sentiment(line);
            format!("{}\t{:.2}", s.label, s.score)
        }),
        TextCommand::TrainSentiment(args) => train_sentiment(&args),
    }
}

/// Answers one output line per input line, from the files in order or stdin.
/// Invalid UTF-8 stops with the file, line and byte offset unless `--lossy`. A reader that
/// stops reading (`| head`) ends the command quietly, as other line tools do.
fn each_line(input: &InputArgs, answer: impl FnMut(&str) -> String) -> anyhow::Result<()> {
    match each_line_to_stdout(input, answer) {
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            Ok(())
        }
        done => done,
    }
}

fn each_line_to_stdout(
    input: &InputArgs,
    mut answer: impl FnMut(&str) -> String,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let lossy = input.lossy;
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
            let line = if lossy {
                safir_text::decode_lossy(&buf)
            } else {
                let text = safir_text::decode(&buf).map_err(|e| {
                    anyhow::anyhow!(
                        "{name}:{line_no}: invalid UTF-8 at byte {} of the line (byte offset {} of the input; use --lossy to replace it)",
                        e.offset,
                        offset + e.offset
                    )
                })?;
                text.into()
            };
            offset += read;
            // The line's end (`\n` or `\r\n`) goes, nothing more: a carriage return before it
            // is text, as one inside the line is.
            let body = line
                .strip_suffix('\n')
                .map_or(&*line, |l| l.strip_suffix('\r').unwrap_or(l));
            writeln!(out, "{}", answer(body))?;
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
    each_line(&args.input, |line| {
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
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let parsed = match args.lang {
            ModelLang::Ar => sentiment::parse_arsarcasm(&text),
            ModelLang::En => sentiment::parse_labelled_sentences(&text),
        };
        domains.push(parsed.with_context(|| format!("parsing {}", path.display()))?);
    }
    let mut rated = Vec::new();
    for path in &args.rated {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
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
