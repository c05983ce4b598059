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

    /// English: balanced two-class data (no reweighting), far fewer examples, word
    /// unigrams and bigrams without character n-grams, the lexicon valence and the
    /// adjective polarity.
    pub const ENGLISH: TrainConfig = TrainConfig {
        features: FeatureConfig {
            char_min: 0,
            char_max: 0,
            ..FeatureConfig::DEFAULT
        },
        epochs: 20,
        learning_rate: 0.03,
        balance: 0.0,
        valence: true,
        adjective: true,
        nb_alpha: 0.0,
        ..TrainConfig::DEFAULT
    };
}

/// Why a training file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("missing column `{0}` in the header")]
    MissingColumn(&'static str),
    #[error("record {record}: unknown label `{label}`")]
    Label { record: usize, label: String },
    #[error("record {0}: too few fields")]
    Short(usize),
    #[error("unterminated quoted field")]
    Unterminated,
    #[error("no examples")]
    Empty,
}

/// Reads the ArSarcasm-v2 CSV (`tweet,sarcasm,sentiment,dialect`), labels NEG, NEU, POS.
pub fn parse_arsarcasm(csv: &str) -> Result<Vec<Example>, DataError> {
    let records = parse_csv(csv)?;
    let mut rows = records.into_iter();
    let header = rows.next().ok_or(DataError::Empty)?;
    let column = |name: &'static str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or(DataError::MissingColumn(name))
    };
    let text_at = column("tweet")?;
    let label_at = column("sentiment")?;
    let mut examples = Vec::new();
    for (i, row) in rows.enumerate() {
        if row.len() == 1 && row[0].is_empty() {
            continue;
        }
        let record = i + 1;
        let (Some(text), Some(label)) = (row.get(text_at), row.get(label_at)) else {
            return Err(DataError::Short(record));
        };
        let label = Label::from_code(label.trim()).ok_or_else(|| DataError::Label {
            record,
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
                    record: i + 1,
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

/// RFC 4180 records: quoted fields may hold commas, newlines and `""`.
fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, DataError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
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
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err(DataError::Unterminated);
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
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
    let classes = classes_of(examples);
    let data: Vec<(Features, usize)> = examples
        .iter()
        .map(|e| {
            let class = classes.iter().position(|&c| c == e.label).unwrap_or(0);
            (extract(&e.text, &config.features), class)
        })
        .collect();
    train_features(&data, classes.len(), config)
}

pub(crate) fn train_features(data: &[(Features, usize)], k: usize, config: &TrainConfig) -> Model {
    if k == 2 && config.nb_alpha > 0.0 {
        return train_nb_scaled(data, config);
    }
    if config.nb_alpha > 0.0 {
        return train_nb_one_vs_rest(data, k, config);
    }
    train_plain(data, k, config)
}

/// NB-SVM (Wang and Manning 2012) with logistic regression: each feature is scaled
/// by the log ratio of its (smoothed, binarized) counts in POS and NEG examples, the
/// model is trained on the scaled features, and the ratio is folded into the
/// weights, so the file and prediction are those of a plain linear model.
fn train_nb_scaled(data: &[(Features, usize)], config: &TrainConfig) -> Model {
    let dim = config.features.dim();
    let alpha = config.nb_alpha;
    let mut counts = [vec![0.0f32; dim], vec![0.0f32; dim]];
    for (features, class) in data {
        for &i in &features.indices {
            counts[*class][i as usize] += 1.0;
        }
    }
    let totals: Vec<f32> = counts
        .iter()
        .map(|c| c.iter().sum::<f32>() + alpha * dim as f32)
        .collect();
    let ratio: Vec<f32> = (0..dim)
        .map(|i| {
            ((counts[1][i] + alpha) / totals[1]).ln() - ((counts[0][i] + alpha) / totals[0]).ln()
        })
        .collect();
    let scaled: Vec<(Features, usize)> = data
        .iter()
        .map(|(f, class)| {
            let values = f
                .indices
                .iter()
                .zip(&f.values)
                .map(|(&i, &v)| v * ratio[i as usize])
                .collect();
            (
                Features {
                    indices: f.indices.clone(),
                    values,
                },
                *class,
            )
        })
        .collect();
    let (bias, mut weights) = train_floats(&scaled, 2, config);
    for class in 0..2 {
        for (w, r) in weights[class * dim..(class + 1) * dim]
            .iter_mut()
            .zip(&ratio)
        {
            *w *= r;
        }
    }
    Model::quantize(config.features, bias, &weights)
}

/// Naive Bayes scaling for more than two classes: each class sees the features scaled
/// by their log-count ratio for that class against the others.
fn train_nb_one_vs_rest(data: &[(Features, usize)], k: usize, config: &TrainConfig) -> Model {
    let dim = config.features.dim();
    let alpha = config.nb_alpha;
    let mut counts = vec![vec![0.0f32; dim]; k];
    for (features, class) in data {
        for &i in &features.indices {
            counts[*class][i as usize] += 1.0;
        }
    }
    let all: Vec<f32> = (0..dim)
        .map(|i| counts.iter().map(|c| c[i]).sum())
        .collect();
    let total_all: f32 = all.iter().sum();
    let mut scale = vec![0.0f32; k * dim];
    for c in 0..k {
        let total_in: f32 = counts[c].iter().sum::<f32>() + alpha * dim as f32;
        let total_out: f32 = total_all - counts[c].iter().sum::<f32>() + alpha * dim as f32;
        for i in 0..dim {
            let inside = (counts[c][i] + alpha) / total_in;
            let outside = (all[i] - counts[c][i] + alpha) / total_out;
            scale[c * dim + i] = inside.ln() - outside.ln();
        }
    }
    let (bias, mut weights) = train_floats_scaled(data, k, config, Some(&scale));
    for (w, r) in weights.iter_mut().zip(&scale) {
        *w *= r;
    }
    Model::quantize(config.features, bias, &weights)
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
fn train_floats_scaled(
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

/// Scores of a classifier on labelled data.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    pub accuracy: f64,
    pub f1_neg: f64,
    pub f1_neu: f64,
    pub f1_pos: f64,
    /// Mean of F1 for POS and NEG (the WANLP 2021 shared-task metric).
    pub f1_pn: f64,
    pub macro_f1: f64,
}

/// Scores predicted labels against gold labels.
pub fn score(gold: &[Label], predicted: &[Label]) -> Scores {
    let f1 = |label: Label| {
        let tp = gold
            .iter()
            .zip(predicted)
            .filter(|(g, p)| **g == label && **p == label)
            .count() as f64;
        let predicted_n = predicted.iter().filter(|p| **p == label).count() as f64;
        let gold_n = gold.iter().filter(|g| **g == label).count() as f64;
        if tp == 0.0 {
            0.0
        } else {
            2.0 * tp / (predicted_n + gold_n)
        }
    };
    let correct = gold.iter().zip(predicted).filter(|(g, p)| g == p).count();
    let (f1_neg, f1_neu, f1_pos) = (f1(Label::Neg), f1(Label::Neu), f1(Label::Pos));
    Scores {
        accuracy: correct as f64 / gold.len().max(1) as f64,
        f1_neg,
        f1_neu,
        f1_pos,
        f1_pn: (f1_neg + f1_pos) / 2.0,
        macro_f1: (f1_neg + f1_neu + f1_pos) / 3.0,
    }
}

/// k-fold cross-validation: the mean scores over folds. Folds come from a seeded
/// shuffle, so the split is the same on every run.
pub fn cross_validate(examples: &[Example], config: &TrainConfig, folds: usize) -> Scores {
    let classes = classes_of(examples);
    let data: Vec<(Features, usize)> = examples
        .iter()
        .map(|e| {
            let class = classes.iter().position(|&c| c == e.label).unwrap_or(0);
            (extract(&e.text, &config.features), class)
        })
        .collect();
    let mut order: Vec<usize> = (0..data.len()).collect();
    XorShift(0xF01D_5EED).shuffle(&mut order);
    let mut total = Scores::default();
    for fold in 0..folds {
        let (mut train_set, mut held_out) = (Vec::new(), Vec::new());
        for (rank, &n) in order.iter().enumerate() {
            if rank % folds == fold {
                held_out.push(n);
            } else {
                train_set.push(data[n].clone());
            }
        }
        let model = train_features(&train_set, classes.len(), config);
        let gold: Vec<Label> = held_out.iter().map(|&n| classes[data[n].1]).collect();
        let predicted: Vec<Label> = held_out
            .iter()
            .map(|&n| super::label_of(&model, &data[n].0, 0.0, 0.0).0)
            .collect();
        let s = score(&gold, &predicted);
        total.accuracy += s.accuracy;
        total.f1_neg += s.f1_neg;
        total.f1_neu += s.f1_neu;
        total.f1_pos += s.f1_pos;
        total.f1_pn += s.f1_pn;
        total.macro_f1 += s.macro_f1;
    }
    let n = folds as f64;
    Scores {
        accuracy: total.accuracy / n,
        f1_neg: total.f1_neg / n,
        f1_neu: total.f1_neu / n,
        f1_pos: total.f1_pos / n,
        f1_pn: total.f1_pn / n,
        macro_f1: total.macro_f1 / n,
    }
}

/// Out-of-fold linear scores of k-fold cross-validation (the folds of
/// `cross_validate`): for each example, its class scores under the model trained
/// without its fold, its class index and its fold.
pub fn out_of_fold_scores(
    examples: &[Example],
    config: &TrainConfig,
    folds: usize,
) -> Vec<(Vec<f32>, usize, usize)> {
    let classes = classes_of(examples);
    let data: Vec<(Features, usize)> = examples
        .iter()
        .map(|e| {
            let class = classes.iter().position(|&c| c == e.label).unwrap_or(0);
            (extract(&e.text, &config.features), class)
        })
        .collect();
    let mut order: Vec<usize> = (0..data.len()).collect();
    XorShift(0xF01D_5EED).shuffle(&mut order);
    let mut out = vec![(Vec::new(), 0, 0); data.len()];
    for fold in 0..folds {
        let train_set: Vec<(Features, usize)> = order
            .iter()
            .enumerate()
            .filter(|(rank, _)| rank % folds != fold)
            .map(|(_, &n)| data[n].clone())
            .collect();
        let model = train_features(&train_set, classes.len(), config);
        for (rank, &n) in order.iter().enumerate() {
            if rank % folds == fold {
                out[n] = (model.scores(&data[n].0), data[n].1, fold);
            }
        }
    }
    out
}

/// The offsets added to the NEG and POS scores of a NEG/NEU/POS model (NEU's stays
/// 0) that give the best F1-PN on `scored` (class scores and gold class index), on a
/// grid of −1.5 … 1.5 by 0.05; ties go to the offsets closest to zero.
pub fn choose_pn_offsets(scored: &[(Vec<f32>, usize)]) -> (f32, f32, f64) {
    let grid: Vec<f32> = (-30..=30).map(|i| i as f32 * 0.05).collect();
    let mut best = (0.0, 0.0, -1.0f64);
    let mut best_size = f32::MAX;
    let classes = [Label::Neg, Label::Neu, Label::Pos];
    let gold: Vec<Label> = scored.iter().map(|(_, c)| classes[*c]).collect();
    for &neg in &grid {
        for &pos in &grid {
            let predicted: Vec<Label> = scored
                .iter()
                .map(|(s, _)| {
                    let t = [s[0] + neg, s[1], s[2] + pos];
                    let best = (0..3).fold(0, |b, i| if t[i] > t[b] { i } else { b });
                    classes[best]
                })
                .collect();
            let f = score(&gold, &predicted).f1_pn;
            let size = neg.abs() + pos.abs();
            if f > best.2 + 1e-12 || ((f - best.2).abs() <= 1e-12 && size < best_size) {
                best = (neg, pos, f);
                best_size = size;
            }
        }
    }
    best
}

/// xorshift64*: tiny, seedable, identical on every platform.
struct XorShift(u64);

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
    fn shuffle<T>(&mut self, items: &mut [T]) {
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
    fn bad_training_files_are_errors() {
        assert_eq!(
            parse_arsarcasm("text,label\nx,POS\n"),
            Err(DataError::MissingColumn("tweet"))
        );
        assert!(matches!(
            parse_arsarcasm("tweet,sentiment\nx,MAYBE\n"),
            Err(DataError::Label { record: 1, .. })
        ));
        assert_eq!(
            parse_arsarcasm("tweet,sentiment\n\"x"),
            Err(DataError::Unterminated)
        );
        assert_eq!(
            parse_labelled_sentences("no label here\n"),
            Err(DataError::Short(1))
        );
    }

    #[test]
    fn f1_pn_is_the_mean_of_pos_and_neg() {
        use Label::*;
        let gold = [Neg, Neg, Neu, Pos, Pos, Neu];
        let predicted = [Neg, Neu, Neu, Pos, Neg, Neu];
        let s = score(&gold, &predicted);
        // NEG: tp 1, predicted 2, gold 2 → 0.5; POS: tp 1, predicted 1, gold 2 → 2/3.
        assert!((s.f1_neg - 0.5).abs() < 1e-9);
        assert!((s.f1_pos - 2.0 / 3.0).abs() < 1e-9);
        assert!((s.f1_pn - (0.5 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
        assert!((s.accuracy - 4.0 / 6.0).abs() < 1e-9);
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

    #[test]
    fn pn_offsets_move_posts_out_of_a_neutral_class_that_always_wins() {
        // NEU is always 0.32 ahead; the NEG/POS order of the rest is right.
        let scored = vec![
            (vec![1.0, 1.32, 0.0], 0),
            (vec![0.0, 1.32, 1.0], 2),
            (vec![0.0, 0.4, -0.5], 1),
            (vec![0.9, 1.22, 0.0], 0),
        ];
        let (neg, pos, f1_pn) = choose_pn_offsets(&scored);
        assert!(neg > 0.32 && pos > 0.32, "{neg} {pos}");
        assert!((f1_pn - 1.0).abs() < 1e-9);
    }

    #[test]
    fn naive_bayes_scaling_folds_into_a_plain_linear_model() {
        let two_classes: Vec<Example> = toy()
            .into_iter()
            .filter(|e| e.label != Label::Neu)
            .collect();
        let config = TrainConfig {
            features: FeatureConfig {
                bits: 12,
                ..FeatureConfig::DEFAULT
            },
            nb_alpha: 1.0,
            ..TrainConfig::ENGLISH
        };
        let scaled = train(&two_classes, &config);
        assert_eq!(scaled.to_bytes(), train(&two_classes, &config).to_bytes());
        let plain = train(
            &two_classes,
            &TrainConfig {
                nb_alpha: 0.0,
                ..config
            },
        );
        assert_ne!(scaled.to_bytes(), plain.to_bytes());
        let margin = |text: &str| {
            let s = scaled.scores(&extract(text, &config.features));
            s[1] - s[0]
        };
        assert!(margin("lovely great") > 0.0);
        assert!(margin("terrible awful") < 0.0);
    }
}
