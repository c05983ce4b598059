//! Training: multinomial logistic regression with AdaGrad over hashed features.
//!
//! Deterministic by construction: one thread, a seeded xorshift generator for the
//! example order, fixed iteration order everywhere, and plain IEEE `f32`
//! arithmetic — the same data gives the same model file, byte for byte.

use super::Label;
use super::features::{FeatureConfig, Features, extract};
use super::model::{Model, softmax};

/// A labelled text.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub label: Label,
}

/// Training hyper-parameters (chosen by 5-fold cross-validation on the training
/// split; see `docs/decisions/0002-sentiment-model.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    pub features: FeatureConfig,
    pub epochs: u32,
    pub learning_rate: f32,
    pub l2: f32,
    /// Weight each class by `(n / (k · n_class))^balance`: 0 is no reweighting,
    /// 1 fully balanced.
    pub balance: f32,
    /// Ship the mean of the weights after each epoch instead of the last ones.
    pub average: bool,
    pub seed: u64,
    /// NEG/POS models only: add the lexicon valence with a weight chosen across the
    /// training domains (`train_domains`).
    pub valence: bool,
    /// With `valence`: also add the adjective polarity with its own weight.
    pub adjective: bool,
    /// Scale each feature by its naive Bayes log-count ratio (NB-SVM; with more than
    /// two classes, each class's ratio against the others), with this additive
    /// smoothing; 0 is off.
    pub nb_alpha: f32,
}

impl TrainConfig {
    pub const DEFAULT: TrainConfig = TrainConfig {
        features: FeatureConfig::DEFAULT,
        epochs: 16,
        learning_rate: 0.03,
        l2: 0.0,
        balance: 1.0,
        average: false,
        seed: 0x5AF1_2026,
        valence: false,
        adjective: false,
        nb_alpha: 0.25,
    };

    /// English: two classes without reweighting, word unigrams and bigrams and
    /// character 2–4-grams, naive Bayes scaling with smoothing 0.5, the lexicon valence
    /// and the adjective polarity; trained on the UCI sentences and VADER's rated
    /// sentences (`RATED_MIN`), chosen among 72 candidates by cross-validation across
    /// the UCI sets (`sentiment_eval english-select`).
    pub const ENGLISH: TrainConfig = TrainConfig {
        features: FeatureConfig {
            char_min: 2,
            char_max: 4,
            ..FeatureConfig::DEFAULT
        },
        epochs: 20,
        learning_rate: 0.3,
        balance: 0.0,
        valence: true,
        adjective: true,
        nb_alpha: 0.5,
        ..TrainConfig::DEFAULT
    };
}

/// Why a training file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("missing column `{0}` in the header")]
    MissingColumn(&'static str),
    #[error("line {line}: unknown label `{label}`")]
    Label { line: usize, label: String },
    #[error("line {line}: rating `{rating}` is not a number")]
    Rating { line: usize, rating: String },
    #[error("line {0}: too few fields")]
    Short(usize),
    /// The line where the quote that is never closed opens.
    #[error("line {line}: a quoted field is never closed")]
    Unterminated { line: usize },
    #[error("no examples")]
    Empty,
}

/// Reads the ArSarcasm-v2 CSV (`tweet,sarcasm,sentiment,dialect`), labels NEG, NEU, POS.
pub fn parse_arsarcasm(csv: &str) -> Result<Vec<Example>, DataError> {
    let records = parse_csv(without_bom(csv))?;
    let mut rows = records.into_iter();
    let (_, header) = rows.next().ok_or(DataError::Empty)?;
    let column = |name: &'static str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or(DataError::MissingColumn(name))
    };
    let text_at = column("tweet")?;
    let label_at = column("sentiment")?;
    let mut examples = Vec::new();
    for (line, row) in rows {
        if row.len() == 1 && row[0].is_empty() {
            continue;
        }
        let (Some(text), Some(label)) = (row.get(text_at), row.get(label_at)) else {
            return Err(DataError::Short(line));
        };
        let label = Label::from_code(label.trim()).ok_or_else(|| DataError::Label {
            line,
            label: label.clone(),
        })?;
        examples.push(Example {
            text: text.clone(),
            label,
        });
    }
    if examples.is_empty() {
        return Err(DataError::Empty);
    }
    Ok(examples)
}

/// Reads UCI "Sentiment Labelled Sentences" lines (`sentence<TAB>0|1`).
pub fn parse_labelled_sentences(text: &str) -> Result<Vec<Example>, DataError> {
    let text = without_bom(text);
    let mut examples = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (sentence, label) = line.rsplit_once('\t').ok_or(DataError::Short(i + 1))?;
        let label = match label.trim() {
            "0" => Label::Neg,
            "1" => Label::Pos,
            other => {
                return Err(DataError::Label {
                    line: i + 1,
                    label: other.to_owned(),
                });
            }
        };
        examples.push(Example {
            text: sentence.to_owned(),
            label,
        });
    }
    if examples.is_empty() {
        return Err(DataError::Empty);
    }
    Ok(examples)
}

/// VADER's ground-truth corpora (MIT; in the `vaderSentiment` 3.3.2 source package,
/// `additional_resources/hutto_ICWSM_2014.tar.gz`): the English model's extra training
/// data, in this order.
pub const RATED_CORPORA: [&str; 4] = [
    "amazonReviewSnippets_GroundTruth.txt",
    "movieReviewSnippets_GroundTruth.txt",
    "nytEditorialSnippets_GroundTruth.txt",
    "tweets_GroundTruth.txt",
];

/// How far from neutral (0 on −4 … +4) a rated sentence's mean rating must be for the
/// English model to learn from it.
pub const RATED_MIN: f32 = 0.5;

/// Reads sentences rated on a scale around zero, one a line: `id<TAB>rating<TAB>sentence`
/// (the mean ratings of the human judges in VADER's ground-truth corpora, −4 … +4), as
/// (rating, sentence), every rated line.
pub fn parse_ratings(text: &str) -> Result<Vec<(f32, String)>, DataError> {
    let text = without_bom(text);
    let mut rated = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        let (Some(_id), Some(rating), Some(sentence)) =
            (fields.next(), fields.next(), fields.next())
        else {
            return Err(DataError::Short(i + 1));
        };
        let rating: f32 = match rating.trim().parse() {
            Ok(r) if f32::is_finite(r) => r,
            _ => {
                return Err(DataError::Rating {
                    line: i + 1,
                    rating: rating.to_owned(),
                });
            }
        };
        rated.push((rating, sentence.to_owned()));
    }
    if rated.is_empty() {
        return Err(DataError::Empty);
    }
    Ok(rated)
}

/// The label of a rating: POS at `min_rating` or more, NEG at `−min_rating` or less, NEU
/// between.
pub fn rating_label(rating: f32, min_rating: f32) -> Label {
    if rating >= min_rating {
        Label::Pos
    } else if rating <= -min_rating {
        Label::Neg
    } else {
        Label::Neu
    }
}

/// [`parse_ratings`], the sentences rated `min_rating` or more from zero as POS or NEG
/// examples; those between are left out (the English model has no neutral class to learn).
pub fn parse_rated_sentences(text: &str, min_rating: f32) -> Result<Vec<Example>, DataError> {
    Ok(parse_ratings(text)?
        .into_iter()
        .filter_map(|(rating, text)| match rating_label(rating, min_rating) {
            Label::Neu => None,
            label => Some(Example { text, label }),
        })
        .collect())
}

/// RFC 4180 records: quoted fields may hold commas, newlines and `""`.
/// A file saved by a spreadsheet or a Windows editor starts with a byte-order mark, which
/// is no part of its first column's name or first sentence.
fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{FEFF}').unwrap_or(text)
}

/// The records of a CSV text, each with the line it starts on (a quoted field may hold line
/// breaks, so record and line numbers part after the first such field).
fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, DataError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    let (mut line, mut record_line, mut quote_line) = (1, 1, 1);
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
        }
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                quote_line = line;
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut record)));
                record_line = line;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(DataError::Unterminated { line: quote_line });
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push((record_line, record));
    }
    Ok(records)
}

/// The classes a data set uses, in model order: NEG, POS for binary data,
/// NEG, NEU, POS otherwise.
pub fn classes_of(examples: &[Example]) -> Vec<Label> {
    if examples.iter().any(|e| e.label == Label::Neu) {
        vec![Label::Neg, Label::Neu, Label::Pos]
    } else {
        vec![Label::Neg, Label::Pos]
    }
}

/// Trains the linear model on `examples` (the valence weight, if any, comes from
/// `train_domains`).
pub fn train(examples: &[Example], config: &TrainConfig) -> Model {
    let (classes, data) = featurize(examples, config);
    train_features(&data, classes.len(), config)
}

/// The classes of `examples` and each example's features with its class index.
pub(crate) fn featurize(
    examples: &[Example],
    config: &TrainConfig,
) -> (Vec<Label>, Vec<(Features, usize)>) {
    let classes = classes_of(examples);
    let data = examples
        .iter()
        .map(|e| {
            let class = classes.iter().position(|&c| c == e.label).unwrap_or(0);
            (extract(&e.text, &config.features), class)
        })
        .collect();
    (classes, data)
}

pub(crate) fn train_features(data: &[(Features, usize)], k: usize, config: &TrainConfig) -> Model {
    if k == 2 && config.nb_alpha > 0.0 {
        return super::nb::train_two_classes(data, config);
    }
    if config.nb_alpha > 0.0 {
        return super::nb::train_one_vs_rest(data, k, config);
    }
    train_plain(data, k, config)
}

fn train_plain(data: &[(Features, usize)], k: usize, config: &TrainConfig) -> Model {
    let (bias, weights) = train_floats(data, k, config);
    Model::quantize(config.features, bias, &weights)
}

/// AdaGrad on the softmax loss: the per-class biases and the weights, class after class.
fn train_floats(
    data: &[(Features, usize)],
    k: usize,
    config: &TrainConfig,
) -> (Vec<f32>, Vec<f32>) {
    train_floats_scaled(data, k, config, None)
}

/// `train_floats` with each class's feature values multiplied by `scale` (class after
/// class, like the weights).
pub(super) fn train_floats_scaled(
    data: &[(Features, usize)],
    k: usize,
    config: &TrainConfig,
    scale: Option<&[f32]>,
) -> (Vec<f32>, Vec<f32>) {
    let dim = config.features.dim();
    let mut weights = vec![0.0f32; k * dim];
    let mut accum = vec![0.0f32; k * dim];
    let mut bias = vec![0.0f32; k];
    let mut bias_accum = vec![0.0f32; k];

    let mut counts = vec![0usize; k];
    for (_, class) in data {
        counts[*class] += 1;
    }
    let class_weight: Vec<f32> = counts
        .iter()
        .map(|&n| {
            if n == 0 {
                0.0
            } else {
                (data.len() as f32 / (k as f32 * n as f32)).powf(config.balance)
            }
        })
        .collect();

    const EPS: f32 = 1e-8;
    let lr = config.learning_rate;
    let mut rng = XorShift(config.seed | 1);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut scores = vec![0.0f32; k];
    let mut sum_weights = vec![0.0f32; if config.average { k * dim } else { 0 }];
    let mut sum_bias = vec![0.0f32; k];
    for _ in 0..config.epochs {
        rng.shuffle(&mut order);
        for &n in &order {
            let (features, class) = &data[n];
            for c in 0..k {
                let row = &weights[c * dim..(c + 1) * dim];
                let mut s = bias[c];
                for (&i, &v) in features.indices.iter().zip(&features.values) {
                    let x = match scale {
                        Some(r) => v * r[c * dim + i as usize],
                        None => v,
                    };
                    s += row[i as usize] * x;
                }
                scores[c] = s;
            }
            softmax(&mut scores);
            let cw = class_weight[*class];
            for c in 0..k {
                let target = if c == *class { 1.0 } else { 0.0 };
                let g = (scores[c] - target) * cw;
                bias_accum[c] += g * g;
                bias[c] -= lr * g / (bias_accum[c].sqrt() + EPS);
                let base = c * dim;
                for (&i, &v) in features.indices.iter().zip(&features.values) {
                    let at = base + i as usize;
                    let x = match scale {
                        Some(r) => v * r[at],
                        None => v,
                    };
                    let grad = g * x + config.l2 * weights[at];
                    accum[at] += grad * grad;
                    weights[at] -= lr * grad / (accum[at].sqrt() + EPS);
                }
            }
        }
        if config.average {
            for (s, w) in sum_weights.iter_mut().zip(&weights) {
                *s += w;
            }
            for (s, b) in sum_bias.iter_mut().zip(&bias) {
                *s += b;
            }
        }
    }
    if config.average && config.epochs > 0 {
        let n = config.epochs as f32;
        let mean_bias = sum_bias.iter().map(|b| b / n).collect();
        let mean_weights: Vec<f32> = sum_weights.iter().map(|w| w / n).collect();
        return (mean_bias, mean_weights);
    }
    (bias, weights)
}

/// xorshift64*: tiny, seedable, identical on every platform.
pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Fisher–Yates.
    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes_commas_and_newlines() {
        let csv = "tweet,sarcasm,sentiment,dialect\n\"\"\"hi, \"\"you\"\"\"\"\",FALSE,POS,msa\n\"two\nlines\",TRUE,NEG,egypt\n";
        let examples = parse_arsarcasm(csv).unwrap();
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].text, "\"hi, \"you\"\"");
        assert_eq!(examples[0].label, Label::Pos);
        assert_eq!(examples[1].text, "two\nlines");
        assert_eq!(examples[1].label, Label::Neg);
    }

    #[test]
    fn a_byte_order_mark_is_no_part_of_the_data() {
        let ar = parse_arsarcasm("\u{FEFF}tweet,sentiment\nx,POS\n").unwrap();
        assert_eq!(ar.len(), 1);
        let uci = parse_labelled_sentences("\u{FEFF}Great food.\t1\n").unwrap();
        assert_eq!(uci[0].text, "Great food.");
        let rated = parse_ratings("\u{FEFF}1\t2.5\t[2, 3]\tLovely.\n").unwrap();
        assert_eq!(rated.len(), 1);
    }

    #[test]
    fn bad_training_files_are_errors() {
        assert_eq!(
            parse_arsarcasm("text,label\nx,POS\n"),
            Err(DataError::MissingColumn("tweet"))
        );
        assert!(matches!(
            parse_arsarcasm("tweet,sentiment\nx,MAYBE\n"),
            Err(DataError::Label { line: 2, .. })
        ));
        // Lines of the file, a tweet on two lines counted as two.
        assert!(matches!(
            parse_arsarcasm("tweet,sentiment\n\"two\nlines\",POS\nx,MAYBE\n"),
            Err(DataError::Label { line: 4, .. })
        ));
        assert_eq!(
            parse_arsarcasm("tweet,sentiment\nok,POS\n\"x"),
            Err(DataError::Unterminated { line: 3 })
        );
        assert_eq!(
            DataError::Unterminated { line: 3 }.to_string(),
            "line 3: a quoted field is never closed"
        );
        assert_eq!(
            parse_labelled_sentences("no label here\n"),
            Err(DataError::Short(1))
        );
    }

    #[test]
    fn rated_sentences_keep_those_far_enough_from_neutral() {
        let text = "1\t2.5\tA splendid, moving film.\r\n\
                    2\t-0.3\tIt is a film.\r\n\
                    \r\n\
                    3_1\t-1.25\tdon't buy it.\tor anything\r\n\
                    4\t0.5\tgood enough\n";
        let examples = parse_rated_sentences(text, 0.5).unwrap();
        let got: Vec<(&str, Label)> = examples
            .iter()
            .map(|e| (e.text.as_str(), e.label))
            .collect();
        assert_eq!(
            got,
            [
                ("A splendid, moving film.", Label::Pos),
                ("don't buy it.\tor anything", Label::Neg),
                ("good enough", Label::Pos),
            ]
        );
        assert_eq!(parse_rated_sentences(text, 3.0).unwrap(), []);
        // Every rated line, the near-neutral one too, and its label around the threshold.
        let ratings: Vec<f32> = parse_ratings(text).unwrap().iter().map(|r| r.0).collect();
        assert_eq!(ratings, [2.5, -0.3, -1.25, 0.5]);
        let labels: Vec<Label> = ratings.iter().map(|&r| rating_label(r, 0.5)).collect();
        assert_eq!(labels, [Label::Pos, Label::Neu, Label::Neg, Label::Pos]);
        assert_eq!(
            parse_rated_sentences("1\tgood\tfine\n", 0.5),
            Err(DataError::Rating {
                line: 1,
                rating: "good".to_owned()
            })
        );
        assert_eq!(
            parse_rated_sentences("1\tNaN\tfine\n", 0.5),
            Err(DataError::Rating {
                line: 1,
                rating: "NaN".to_owned()
            })
        );
        assert_eq!(
            parse_rated_sentences("1\t0.5\tfine\n2\t1.0\n", 0.5),
            Err(DataError::Short(2))
        );
        assert_eq!(parse_rated_sentences("\n\n", 0.5), Err(DataError::Empty));
    }

    fn toy() -> Vec<Example> {
        let mut examples = Vec::new();
        for i in 0..40 {
            let (text, label) = match i % 3 {
                0 => (format!("great lovely service {i}"), Label::Pos),
                1 => (format!("awful terrible delay {i}"), Label::Neg),
                _ => (format!("the office opens at {i}"), Label::Neu),
            };
            examples.push(Example { text, label });
        }
        examples
    }

    #[test]
    fn training_is_reproducible_and_learns() {
        let config = TrainConfig {
            features: FeatureConfig {
                bits: 12,
                ..FeatureConfig::DEFAULT
            },
            ..TrainConfig::DEFAULT
        };
        let a = train(&toy(), &config);
        let b = train(&toy(), &config);
        assert_eq!(a.to_bytes(), b.to_bytes());
        let f = extract("lovely great", &config.features);
        assert_eq!(super::super::label_of(&a, &f, 0.0, 0.0).0, Label::Pos);
        let f = extract("terrible awful", &config.features);
        assert_eq!(super::super::label_of(&a, &f, 0.0, 0.0).0, Label::Neg);
    }
}
