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
//!   --average=` (one value each) try other English settings;
//! - `english-cv DIR`: 10-fold cross-validation over the three sets pooled.
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
                                    let c = TrainConfig {
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
                                        "epochs {epochs}, lr {learning_rate}, balance {balance}, l2 {l2}, bits {bits}, char n-grams {}-{char_max}, average {average}",
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
    header();
    for (name, config) in configs {
        row(&name, &cross_validate(examples, &config, folds));
    }
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
        config.features.char_max = v as u8;
    }
    if let Some(v) = arg("negation") {
        config.features.negation_window = v as u8;
    }
    if let Some(v) = arg("average") {
        config.average = v > 0.0;
    }
    config
}

fn english(dir: &str) {
    let sets = uci_sets(dir);
    let config = english_config();
    println!(
        "| held-out set | trained on | valence, adjective weights (chosen on the training sets) | CV across the training sets (chosen weights) | linear + lexicons | linear alone | lexicon alone | lexicon undecided | 10-fold CV inside the held-out set (linear) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for held_out in 0..3 {
        let names: Vec<&str> = (0..3).filter(|&i| i != held_out).map(|i| UCI[i]).collect();
        let r = sentiment::evaluate_held_out(&sets, held_out, &config);
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
        _ => {
            eprintln!(
                "usage: sentiment_eval cv|test|english|english-cv [DIR] [--epochs=..] [--lr=..] [--balance=..] [--l2=..]"
            );
            process::exit(2)
        }
    }
}
