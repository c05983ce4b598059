//! Sentiment evaluation.
//!
//! - `cv [DIR]`: 5-fold cross-validation on `DIR/train.csv` (ArSarcasm-v2) for the
//!   shipped configuration and its neighbours — the only place settings are chosen;
//! - `test [DIR]`: the shipped configuration trained on `DIR/train.csv`, scored once
//!   on `DIR/test.csv`, and the shipped model file scored on the same split;
//! - `english DIR`: the UCI Sentiment Labelled Sentences (`amazon_cells_labelled.txt`,
//!   `imdb_labelled.txt`, `yelp_labelled.txt` in DIR): train on two (the lexicon
//!   weights chosen by holding out each of those two in turn, with the accuracy that
//!   choice reached on them: the cross-validation across the training sets, where the
//!   English method is compared), test on the third, rotating; the linear model alone
//!   and the lexicon scorer alone on the same sentences, plus 10-fold cross-validation
//!   inside each set. `--adjective= --epochs= --lr= --l2= --char-max= --negation=
//!   --average= --nb= --bits=` (one value each) try other English settings;
//!   `--rated=DIR` adds VADER's rated sentences (the directory
//!   `bench/text/vader-corpora.sh` prints; `--min-rating=`, default
//!   `sentiment::RATED_MIN`) to every training set, never held out;
//! - `english-cv DIR`: 10-fold cross-validation over the three sets pooled;
//! - `english-training-cv DIR [--…]`: for each held-out set, only the cross-validation
//!   across its two training sets (nothing is scored on the held-out set), for
//!   comparing settings;
//! - `english-select DIR`: the whole protocol for the candidate English methods: for
//!   each held-out set the candidate with the best cross-validation across its
//!   training sets is chosen and only it is scored on the held-out set, once; then
//!   the candidate the shipped model uses (the best across all three sets). With
//!   `--rated=DIR` each candidate also comes with VADER's rated sentences at least
//!   0.5 or 1 from neutral in its training data;
//! - `english-training-cv` and `english` take `--rated=DIR` too.
//!
//! `DIR` defaults to `../shared/data/arsarcasm-v2`.

use std::{env, fs, process};

use safir_text::sentiment::{
    self, Example, Label, Model, TrainConfig, cross_validate, parse_arsarcasm,
    parse_labelled_sentences, score, train,
};

fn read(path: &str) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("cannot read {path}: {e}");
        process::exit(2)
    })
}

fn arsarcasm(dir: &str, split: &str) -> Vec<Example> {
    parse_arsarcasm(&read(&format!("{dir}/{split}.csv"))).unwrap_or_else(|e| {
        eprintln!("{dir}/{split}.csv: {e}");
        process::exit(2)
    })
}

fn row(name: &str, s: &sentiment::Scores) {
    println!(
        "| {name} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
        s.f1_pn, s.accuracy, s.f1_neg, s.f1_neu, s.f1_pos
    );
}

fn header() {
    println!("| configuration | F1-PN | accuracy | F1 NEG | F1 NEU | F1 POS |");
    println!("|---|---|---|---|---|---|");
}

fn evaluate(model: &Model, examples: &[Example]) -> sentiment::Scores {
    let gold: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let predicted: Vec<Label> = examples
        .iter()
        .map(|e| model.classify(&e.text).label)
        .collect();
    score(&gold, &predicted)
}

fn cv(examples: &[Example], base: TrainConfig, folds: usize) {
    let mut configs = vec![("shipped".to_owned(), base)];
    // `--epochs=4,8 --lr=0.1,0.3 --balance=0,1 --l2=0,1e-5`: the grid around the
    // shipped configuration (unset axes keep the shipped value).
    let axis = |name: &str, default: f32| -> Vec<f32> {
        env::args()
            .find_map(|a| a.strip_prefix(&format!("--{name}=")).map(str::to_owned))
            .map(|list| list.split(',').filter_map(|v| v.parse().ok()).collect())
            .unwrap_or_else(|| vec![default])
    };
    if env::args().any(|a| a.starts_with("--") && a.contains('=')) {
        for epochs in axis("epochs", base.epochs as f32) {
            for learning_rate in axis("lr", base.learning_rate) {
                for balance in axis("balance", base.balance) {
                    for l2 in axis("l2", base.l2) {
                        for bits in axis("bits", f32::from(base.features.bits)) {
                            for char_max in axis("char-max", f32::from(base.features.char_max)) {
                                for average in axis("average", if base.average { 1.0 } else { 0.0 })
                                {
                                    for nb_alpha in axis("nb", base.nb_alpha) {
                                        let c = TrainConfig {
                                            nb_alpha,
                                            epochs: epochs as u32,
                                            learning_rate,
                                            balance,
                                            l2,
                                            average: average > 0.0,
                                            features: sentiment::FeatureConfig {
                                                bits: bits as u8,
                                                char_max: char_max as u8,
                                                ..base.features
                                            },
                                            ..base
                                        };
                                        configs.push((
                                    format!(
                                        "epochs {epochs}, lr {learning_rate}, balance {balance}, l2 {l2}, bits {bits}, char n-grams {}-{char_max}, average {average}, NB {nb_alpha}",
                                        base.features.char_min
                                    ),
                                    c,
                                ));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    header();
    for (name, config) in configs {
        row(&name, &cross_validate(examples, &config, folds));
    }
}

/// 5-fold cross-validation on the training split of NEG/POS score offsets chosen to
/// maximise F1-PN: the offsets for each fold are chosen on the out-of-fold scores of
/// the other four folds only, then applied to it.
fn cv_offsets(examples: &[Example]) {
    let folds = 5;
    let config = TrainConfig::DEFAULT;
    let scored = sentiment::out_of_fold_scores(examples, &config, folds);
    let classes = [Label::Neg, Label::Neu, Label::Pos];
    let (mut plain, mut shifted) = (0.0, 0.0);
    for fold in 0..folds {
        let others: Vec<(Vec<f32>, usize)> = scored
            .iter()
            .filter(|(_, _, f)| *f != fold)
            .map(|(s, c, _)| (s.clone(), *c))
            .collect();
        let (neg, pos, inner) = sentiment::choose_pn_offsets(&others);
        let this: Vec<&(Vec<f32>, usize, usize)> =
            scored.iter().filter(|(_, _, f)| *f == fold).collect();
        let gold: Vec<Label> = this.iter().map(|(_, c, _)| classes[*c]).collect();
        let pick = |s: &[f32], neg: f32, pos: f32| {
            let t = [s[0] + neg, s[1], s[2] + pos];
            classes[(0..3).fold(0, |b, i| if t[i] > t[b] { i } else { b })]
        };
        let p0: Vec<Label> = this.iter().map(|(s, _, _)| pick(s, 0.0, 0.0)).collect();
        let p1: Vec<Label> = this.iter().map(|(s, _, _)| pick(s, neg, pos)).collect();
        let (a, b) = (score(&gold, &p0), score(&gold, &p1));
        println!(
            "fold {fold}: offsets NEG {neg:+.2} POS {pos:+.2} (F1-PN {inner:.4} on the other folds); F1-PN {:.4} -> {:.4}",
            a.f1_pn, b.f1_pn
        );
        plain += a.f1_pn;
        shifted += b.f1_pn;
    }
    println!(
        "mean F1-PN: {:.4} without offsets, {:.4} with",
        plain / folds as f64,
        shifted / folds as f64
    );
    let all: Vec<(Vec<f32>, usize)> = scored.iter().map(|(s, c, _)| (s.clone(), *c)).collect();
    let (neg, pos, f) = sentiment::choose_pn_offsets(&all);
    println!("offsets on all out-of-fold scores: NEG {neg:+.2} POS {pos:+.2} (F1-PN {f:.4})");
}

fn test(dir: &str) {
    let train_set = arsarcasm(dir, "train");
    let test_set = arsarcasm(dir, "test");
    let retrained = train(&train_set, &TrainConfig::DEFAULT);
    header();
    row(
        "shipped configuration, retrained",
        &evaluate(&retrained, &test_set),
    );
    row(
        "shipped model file",
        &evaluate(sentiment::arabic_model(), &test_set),
    );
    let majority: Vec<Label> = test_set.iter().map(|_| Label::Neu).collect();
    let gold: Vec<Label> = test_set.iter().map(|e| e.label).collect();
    row("majority class (NEU)", &score(&gold, &majority));
}

const UCI: [&str; 3] = [
    "amazon_cells_labelled.txt",
    "imdb_labelled.txt",
    "yelp_labelled.txt",
];

fn binary_accuracy(model: &Model, examples: &[Example]) -> f64 {
    let hits = examples
        .iter()
        .filter(|e| {
            let p = model.probabilities(&sentiment::extract(&e.text, &model.config()));
            let predicted = if p[1] > p[0] { Label::Pos } else { Label::Neg };
            predicted == e.label
        })
        .count();
    hits as f64 / examples.len() as f64
}

fn uci_sets(dir: &str) -> Vec<Vec<Example>> {
    UCI.iter()
        .map(|name| {
            parse_labelled_sentences(&read(&format!("{dir}/{name}"))).unwrap_or_else(|e| {
                eprintln!("{name}: {e}");
                process::exit(2)
            })
        })
        .collect()
}

/// k-fold cross-validation of the POS-versus-NEG decision (folds by position).
fn binary_cv(examples: &[Example], config: &TrainConfig, folds: usize) -> f64 {
    let mut total = 0.0;
    for fold in 0..folds {
        let (mut training, mut held_out) = (Vec::new(), Vec::new());
        for (i, e) in examples.iter().enumerate() {
            if i % folds == fold {
                held_out.push(e.clone());
            } else {
                training.push(e.clone());
            }
        }
        total += binary_accuracy(&train(&training, config), &held_out);
    }
    total / folds as f64
}

/// The directory of VADER's ground-truth corpora (`--rated=DIR`, holding
/// `*_GroundTruth.txt`), if given.
fn rated_dir() -> Option<String> {
    env::args().find_map(|a| a.strip_prefix("--rated=").map(str::to_owned))
}

/// VADER's ground-truth corpora in `dir`, the sentences rated at least `min` away from
/// neutral.
fn rated_corpus_in(dir: &str, min: f32) -> Vec<Example> {
    let mut out = Vec::new();
    for name in sentiment::RATED_CORPORA {
        let path = format!("{dir}/{name}");
        out.extend(
            sentiment::parse_rated_sentences(&read(&path), min).unwrap_or_else(|e| {
                eprintln!("{path}: {e}");
                process::exit(2)
            }),
        );
    }
    out
}

/// [`rated_corpus_in`] `--rated=DIR` with `--min-rating=` (default
/// `sentiment::RATED_MIN`); empty without `--rated`.
fn rated_corpus() -> Vec<Example> {
    let Some(dir) = rated_dir() else {
        return Vec::new();
    };
    let min = env::args()
        .find_map(|a| a.strip_prefix("--min-rating=")?.parse().ok())
        .unwrap_or(sentiment::RATED_MIN);
    rated_corpus_in(&dir, min)
}

/// The English settings, with `--adjective=0|1` to compare without or with the
/// adjective polarity.
fn english_config() -> TrainConfig {
    let mut config = TrainConfig::ENGLISH;
    let arg = |name: &str| -> Option<f32> {
        env::args().find_map(|a| a.strip_prefix(&format!("--{name}="))?.parse().ok())
    };
    if let Some(v) = arg("adjective") {
        config.adjective = v > 0.0;
    }
    if let Some(v) = arg("epochs") {
        config.epochs = v as u32;
    }
    if let Some(v) = arg("lr") {
        config.learning_rate = v;
    }
    if let Some(v) = arg("l2") {
        config.l2 = v;
    }
    if let Some(v) = arg("char-max") {
        // 0: no character n-grams; otherwise from 2 characters up.
        config.features.char_max = v as u8;
        config.features.char_min = if v > 0.0 { 2 } else { 0 };
    }
    if let Some(v) = arg("negation") {
        config.features.negation_window = v as u8;
    }
    if let Some(v) = arg("average") {
        config.average = v > 0.0;
    }
    if let Some(v) = arg("nb") {
        config.nb_alpha = v;
    }
    if let Some(v) = arg("bits") {
        config.features.bits = v as u8;
    }
    config
}

fn english(dir: &str) {
    let sets = uci_sets(dir);
    let rated = rated_corpus();
    let config = english_config();
    println!(
        "| held-out set | trained on | valence, adjective weights (chosen on the training sets) | CV across the training sets (chosen weights) | linear + lexicons | linear alone | lexicon alone | lexicon undecided | 10-fold CV inside the held-out set (linear) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for held_out in 0..3 {
        let mut names: Vec<&str> = (0..3).filter(|&i| i != held_out).map(|i| UCI[i]).collect();
        if !rated.is_empty() {
            names.push("rated sentences");
        }
        let r = sentiment::evaluate_held_out_with(&sets, &rated, held_out, &config);
        let inside = binary_cv(&sets[held_out], &config, 10);
        println!(
            "| {} | {} | {:.2}, {:.2} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
            UCI[held_out],
            names.join(" + "),
            r.weight,
            r.adjective_weight,
            r.training_cv,
            r.blended,
            r.linear,
            r.lexicon,
            r.lexicon_undecided,
            inside
        );
    }
    let shipped = sentiment::english_model();
    println!(
        "\nShipped model (trained on all three sets): valence weight {:.2}, adjective weight {:.2}",
        shipped.valence_weights().get(1).copied().unwrap_or(0.0),
        shipped.adjective_weights().get(1).copied().unwrap_or(0.0)
    );
}

/// The cross-validation across the training sets only, for each held-out set, of the
/// settings given on the command line: what methods are compared on, with nothing
/// scored on the held-out sets.
fn english_training_cv(dir: &str) {
    let sets = uci_sets(dir);
    let rated = rated_corpus();
    let config = english_config();
    let mut total = 0.0;
    for (held_out, name) in UCI.iter().enumerate() {
        let chosen =
            sentiment::choose_weights_with(&training_sets(&sets, held_out), &rated, &config);
        total += chosen.cv_accuracy;
        print!(
            "{name}: {:.4} ({:.2}, {:.2})  ",
            chosen.cv_accuracy, chosen.valence, chosen.adjective
        );
    }
    println!("mean {:.4}", total / 3.0);
}

fn training_sets(sets: &[Vec<Example>], held_out: usize) -> Vec<Vec<Example>> {
    (0..sets.len())
        .filter(|&i| i != held_out)
        .map(|i| sets[i].clone())
        .collect()
}

/// The English methods compared: character n-grams up to 4 (the method of format
/// version 3) or none, naive Bayes feature scaling off or with smoothing 0.5 or 1,
/// four learning rates; everything else as `TrainConfig::ENGLISH`; each without extra
/// data and, with `--rated=DIR`, with VADER's rated sentences at least 0.5 or 1 from
/// neutral. In this order, which breaks ties.
fn english_candidates(rated: bool) -> Vec<(String, TrainConfig, Option<f32>)> {
    let corpora: &[Option<f32>] = if rated {
        &[None, Some(0.5), Some(1.0)]
    } else {
        &[None]
    };
    let mut out = Vec::new();
    for &min_rating in corpora {
        for char_max in [0u8, 4] {
            for nb_alpha in [0.0f32, 0.5, 1.0] {
                for learning_rate in [0.01f32, 0.03, 0.1, 0.3] {
                    let features = if char_max == 0 {
                        sentiment::FeatureConfig {
                            char_min: 0,
                            char_max: 0,
                            ..TrainConfig::ENGLISH.features
                        }
                    } else {
                        sentiment::FeatureConfig {
                            char_min: 2,
                            char_max,
                            ..TrainConfig::ENGLISH.features
                        }
                    };
                    let name = format!(
                        "{}, char n-grams {}, NB {nb_alpha}, rate {learning_rate}",
                        match min_rating {
                            None => "UCI only".to_owned(),
                            Some(m) => format!("rated ≥ {m}"),
                        },
                        if char_max == 0 {
                            "none".to_owned()
                        } else {
                            format!("2-{char_max}")
                        }
                    );
                    out.push((
                        name,
                        TrainConfig {
                            features,
                            learning_rate,
                            nb_alpha,
                            ..TrainConfig::ENGLISH
                        },
                        min_rating,
                    ));
                }
            }
        }
    }
    out
}

/// The honest protocol, end to end: for each held-out set, every candidate is
/// cross-validated across the two training sets only, the best is chosen, and only
/// that one is scored on the held-out set, once. Then the candidate the shipped
/// model would use: the best cross-validated across all three sets.
fn english_select(dir: &str) {
    let sets = uci_sets(dir);
    let rated_dir = rated_dir();
    let candidates = english_candidates(rated_dir.is_some());
    let extra_for = |min: Option<f32>| -> Vec<Example> {
        match (min, &rated_dir) {
            (Some(m), Some(d)) => rated_corpus_in(d, m),
            _ => Vec::new(),
        }
    };
    println!(
        "| candidate | CV, amazon held out | CV, imdb held out | CV, yelp held out | CV, all three |"
    );
    println!("|---|---|---|---|---|");
    let mut best = [0usize; 4];
    let mut best_cv = [f64::MIN; 4];
    for (n, (name, config, min_rating)) in candidates.iter().enumerate() {
        let extra = extra_for(*min_rating);
        let mut cvs = [0.0f64; 4];
        for (held_out, cv) in cvs.iter_mut().enumerate() {
            let training = if held_out < 3 {
                training_sets(&sets, held_out)
            } else {
                sets.clone()
            };
            *cv = sentiment::choose_weights_with(&training, &extra, config).cv_accuracy;
            if *cv > best_cv[held_out] {
                best_cv[held_out] = *cv;
                best[held_out] = n;
            }
        }
        println!(
            "| {name} | {:.4} | {:.4} | {:.4} | {:.4} |",
            cvs[0], cvs[1], cvs[2], cvs[3]
        );
    }
    println!();
    println!(
        "| held-out set | chosen on the training sets | CV | valence, adjective weights | held-out accuracy | linear alone |"
    );
    println!("|---|---|---|---|---|---|");
    for held_out in 0..3 {
        let (name, config, min_rating) = &candidates[best[held_out]];
        let extra = extra_for(*min_rating);
        let r = sentiment::evaluate_held_out_with(&sets, &extra, held_out, config);
        println!(
            "| {} | {name} | {:.4} | {:.2}, {:.2} | {:.4} | {:.4} |",
            UCI[held_out], best_cv[held_out], r.weight, r.adjective_weight, r.blended, r.linear
        );
    }
    println!(
        "\nShipped method (best cross-validated across all three sets): {} ({:.4})",
        candidates[best[3]].0, best_cv[3]
    );
}

/// The neutral band of the two-class English model, chosen on sentences people rated:
/// VADER's corpora (`--rated=DIR`) hold sentences whose mean rating is near 0 as well as the
/// polar ones the model trains on. In five folds of those corpora, the model is trained as
/// shipped (the UCI sets and the polar rated sentences of the other four folds) and scores the
/// fold's sentences; a sentence rated at least `RATED_MIN` from 0 is POS or NEG, the others
/// NEU. Each threshold on the more likely side's probability is scored on all the out-of-fold
/// answers: macro-F1 over the three classes, and the share of NEU sentences answered NEU.
fn english_neutral(dir: &str) {
    let sets = uci_sets(dir);
    let Some(rated_dir) = rated_dir() else {
        eprintln!("english-neutral needs --rated=DIR (VADER's ground-truth corpora)");
        process::exit(2)
    };
    // (rating, sentence) of every rated line, polar or not.
    let mut rated: Vec<(f32, String)> = Vec::new();
    for name in sentiment::RATED_CORPORA {
        let path = format!("{rated_dir}/{name}");
        rated.extend(sentiment::parse_ratings(&read(&path)).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            process::exit(2)
        }));
    }
    let gold = |r: f32| sentiment::rating_label(r, sentiment::RATED_MIN);
    let folds = 5;
    let config = TrainConfig::ENGLISH;
    // (probability of POS, gold label) of every rated sentence, out of fold.
    let mut answers: Vec<(f32, Label)> = Vec::new();
    for fold in 0..folds {
        let extra: Vec<Example> = rated
            .iter()
            .enumerate()
            .filter(|(i, (r, _))| i % folds != fold && gold(*r) != Label::Neu)
            .map(|(_, (r, text))| Example {
                text: text.clone(),
                label: gold(*r),
            })
            .collect();
        let model = sentiment::train_domains_with(&sets, &extra, &config);
        for (_, (r, text)) in rated.iter().enumerate().filter(|(i, _)| i % folds == fold) {
            let features = sentiment::extract(text, &model.config());
            let p_pos = if features.indices.is_empty() {
                0.5
            } else {
                let v = sentiment::valence::valence(text);
                model.probabilities_with(&features, v.compound, v.adjective)[1]
            };
            answers.push((p_pos, gold(*r)));
        }
    }
    let neutral = answers.iter().filter(|(_, g)| *g == Label::Neu).count();
    println!(
        "{} rated sentences, {neutral} rated within {} of 0 (NEU), out-of-fold answers of {folds} models\n",
        answers.len(),
        sentiment::RATED_MIN
    );
    println!(
        "| NEU below | macro-F1 (3 classes) | mean recall | accuracy | F1 NEG | F1 NEU | F1 POS | NEU answered NEU | polar answered NEU |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for step in 0..=18 {
        let t = 0.5 + 0.025 * step as f32;
        let (gold_labels, predicted): (Vec<Label>, Vec<Label>) = answers
            .iter()
            .map(|&(p, g)| {
                let side = if p > 0.5 { p } else { 1.0 - p };
                let label = if side < t {
                    Label::Neu
                } else if p > 0.5 {
                    Label::Pos
                } else {
                    Label::Neg
                };
                (g, label)
            })
            .unzip();
        let s = sentiment::score(&gold_labels, &predicted);
        let neu_hit = gold_labels
            .iter()
            .zip(&predicted)
            .filter(|(g, p)| **g == Label::Neu && **p == Label::Neu)
            .count();
        let polar_neu = gold_labels
            .iter()
            .zip(&predicted)
            .filter(|(g, p)| **g != Label::Neu && **p == Label::Neu)
            .count();
        // Mean recall of the three classes (SemEval-2017 task 4A's measure).
        let recall = |label: Label| {
            let of = gold_labels.iter().filter(|g| **g == label).count();
            let hit = gold_labels
                .iter()
                .zip(&predicted)
                .filter(|(g, p)| **g == label && **p == label)
                .count();
            hit as f64 / of.max(1) as f64
        };
        let avg_recall = (recall(Label::Neg) + recall(Label::Neu) + recall(Label::Pos)) / 3.0;
        println!(
            "| {t:.3} | {:.4} | {avg_recall:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.3} | {:.3} |",
            s.macro_f1,
            s.accuracy,
            s.f1_neg,
            s.f1_neu,
            s.f1_pos,
            neu_hit as f64 / neutral as f64,
            polar_neu as f64 / (answers.len() - neutral) as f64,
        );
    }
}

fn main() {
    let args: Vec<String> = env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "../shared/data/arsarcasm-v2".to_owned());
    match args.first().map(String::as_str) {
        Some("cv") => cv(&arsarcasm(&dir, "train"), TrainConfig::DEFAULT, 5),
        Some("cv-offsets") => cv_offsets(&arsarcasm(&dir, "train")),
        Some("english-cv") => {
            let pooled: Vec<Example> = uci_sets(&dir).into_iter().flatten().collect();
            cv(&pooled, TrainConfig::ENGLISH, 10);
            println!(
                "\nPOS-versus-NEG accuracy, 10-fold, three sets pooled: {:.4}",
                binary_cv(&pooled, &TrainConfig::ENGLISH, 10)
            );
        }
        Some("test") => test(&dir),
        Some("english") => english(&dir),
        Some("english-training-cv") => english_training_cv(&dir),
        Some("english-select") => english_select(&dir),
        Some("english-neutral") => english_neutral(&dir),
        _ => {
            eprintln!(
                "usage: sentiment_eval cv|cv-offsets|test|english|english-cv|english-select|english-training-cv|english-neutral [DIR] [--epochs=..] [--lr=..] [--balance=..] [--l2=..]"
            );
            process::exit(2)
        }
    }
}
