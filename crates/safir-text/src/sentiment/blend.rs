//! The English model: the linear model's score plus the lexicon valence
//! ([`super::valence`]) times a weight, plus the adjective polarity times another.
//! The weights are chosen by cross-validation across the training domains only: for
//! each training domain, a linear model trained on the other domains scores it, and
//! the pair of weights with the best mean accuracy over those held-out domains wins. Reviews of phones, films and
//! restaurants use different words, so a weight that works on a domain the linear
//! model has not seen is the weight to ship.

use super::features::{Features, extract};
use super::model::Model;
use super::train::{Example, TrainConfig, classes_of, train_features};
use super::valence::valence;
use super::{Label, label_of};

/// The weights tried for the valence (added to the POS score of a NEG/POS model):
/// 0 to 20 by 0.25 (the linear scores of the review models reach ±10).
pub fn valence_grid() -> impl Iterator<Item = f32> {
    (0..=80).map(|i| i as f32 * 0.25)
}

/// The weights tried for the adjective polarity (a mean in −1 … 1): the same grid.
pub fn adjective_grid() -> impl Iterator<Item = f32> {
    valence_grid()
}

/// Folds used to choose the weight when the data is one domain: by position.
const SINGLE_DOMAIN_FOLDS: usize = 5;

struct Prepared {
    data: Vec<(Features, usize)>,
    compound: Vec<f32>,
    adjective: Vec<f32>,
}

fn prepare(examples: &[Example], classes: &[Label], config: &TrainConfig) -> Prepared {
    let valences: Vec<_> = examples.iter().map(|e| valence(&e.text)).collect();
    Prepared {
        data: examples
            .iter()
            .map(|e| {
                let class = classes.iter().position(|&c| c == e.label).unwrap_or(0);
                (extract(&e.text, &config.features), class)
            })
            .collect(),
        compound: valences.iter().map(|v| v.compound).collect(),
        adjective: valences.iter().map(|v| v.adjective).collect(),
    }
}

/// The domains to hold out in turn: the given ones, or position folds of a single one.
fn folds(domains: &[Vec<Example>]) -> Vec<Vec<Example>> {
    if domains.len() >= 2 {
        return domains.to_vec();
    }
    let all: Vec<&Example> = domains.iter().flatten().collect();
    (0..SINGLE_DOMAIN_FOLDS)
        .map(|f| {
            all.iter()
                .enumerate()
                .filter(|(i, _)| i % SINGLE_DOMAIN_FOLDS == f)
                .map(|(_, e)| (*e).clone())
                .collect()
        })
        .collect()
}

/// POS-versus-NEG accuracy of `margin + w · compound + a · adjective > 0` for each
/// pair of weights (valence grid × adjective grid, or the valence grid alone when
/// `adjective` is off; the English data has no neutral class).
fn accuracies(prepared: &Prepared, margins: &[f32], adjective: bool) -> Vec<f64> {
    let gold: Vec<usize> = prepared.data.iter().map(|(_, c)| *c).collect();
    let adjective_weights: Vec<f32> = if adjective {
        adjective_grid().collect()
    } else {
        vec![0.0]
    };
    let mut out = Vec::with_capacity(valence_grid().count() * adjective_weights.len());
    for w in valence_grid() {
        for &a in &adjective_weights {
            let hits = (0..gold.len())
                .filter(|&n| {
                    let s = margins[n] + w * prepared.compound[n] + a * prepared.adjective[n];
                    usize::from(s > 0.0) == gold[n]
                })
                .count();
            out.push(hits as f64 / gold.len().max(1) as f64);
        }
    }
    out
}

/// Weights chosen across training domains, with the mean accuracy they reached on
/// the held-out training domains (the cross-validation figure of the choice).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chosen {
    pub valence: f32,
    pub adjective: f32,
    pub cv_accuracy: f64,
}

/// The valence weight for a NEG/POS model, chosen by holding out each of `domains`
/// in turn (position folds when there is only one). Ties go to the smaller weight.
pub fn choose_valence_weight(domains: &[Vec<Example>], config: &TrainConfig) -> f32 {
    choose_weights(domains, config).valence
}

/// The valence and adjective-polarity weights (the latter 0 unless
/// `config.adjective`), chosen as `choose_valence_weight` does. Ties go to the
/// smaller valence weight, then the smaller adjective weight.
pub fn choose_weights(domains: &[Vec<Example>], config: &TrainConfig) -> Chosen {
    choose_weights_with(domains, &[], config)
}

/// [`choose_weights`] with `extra` examples in every training fold: they are never
/// held out, so the weights are still chosen on the domains alone.
pub fn choose_weights_with(
    domains: &[Vec<Example>],
    extra: &[Example],
    config: &TrainConfig,
) -> Chosen {
    choose_weights_among(domains, &not_in(extra, domains), config)
}

/// [`choose_weights_with`] for `extra` already without the domains' sentences.
fn choose_weights_among(
    domains: &[Vec<Example>],
    extra: &[Example],
    config: &TrainConfig,
) -> Chosen {
    let folds = folds(domains);
    let adjective_weights: Vec<f32> = if config.adjective {
        adjective_grid().collect()
    } else {
        vec![0.0]
    };
    let mut total = vec![0.0f64; valence_grid().count() * adjective_weights.len()];
    let mut scored = 0;
    for held in 0..folds.len() {
        let training: Vec<Example> = folds
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != held)
            .flat_map(|(_, d)| d.iter().cloned())
            .chain(extra.iter().cloned())
            .collect();
        let classes = classes_of(&training);
        if classes.len() != 2 || folds[held].is_empty() {
            continue;
        }
        let train_set = prepare(&training, &classes, config);
        let model = train_features(&train_set.data, 2, config);
        let test_set = prepare(&folds[held], &classes, config);
        let margins: Vec<f32> = test_set
            .data
            .iter()
            .map(|(f, _)| {
                let s = model.scores(f);
                s[1] - s[0]
            })
            .collect();
        for (t, a) in total
            .iter_mut()
            .zip(accuracies(&test_set, &margins, config.adjective))
        {
            *t += a;
        }
        scored += 1;
    }
    let mut best = 0;
    for (i, t) in total.iter().enumerate() {
        if *t > total[best] {
            best = i;
        }
    }
    let per = adjective_weights.len();
    Chosen {
        valence: valence_grid().nth(best / per).unwrap_or(0.0),
        adjective: adjective_weights[best % per],
        cv_accuracy: total[best] / f64::from(scored.max(1)),
    }
}

/// Trains on all of `domains` pooled; with `config.valence` and NEG/POS data, the
/// model also gets the valence weight (and with `config.adjective` the adjective
/// polarity weight) chosen across the domains.
pub fn train_domains(domains: &[Vec<Example>], config: &TrainConfig) -> Model {
    train_domains_with(domains, &[], config)
}

/// [`train_domains`] with `extra` examples pooled into the training data but never held
/// out when the lexicon weights are chosen (a corpus from elsewhere: the weights are
/// those that work on the domains). An extra sentence that one of the domains also holds
/// (the same words, by [`sentence_key`]) is left out: the domains' label wins.
pub fn train_domains_with(
    domains: &[Vec<Example>],
    extra: &[Example],
    config: &TrainConfig,
) -> Model {
    train_domains_chosen(domains, &not_in(extra, domains), config).0
}

/// A sentence's words, lowercased, for finding the same sentence in two corpora
/// whatever its punctuation and spacing.
pub fn sentence_key(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The examples of `extra` whose sentence none of `domains` holds.
fn not_in(extra: &[Example], domains: &[Vec<Example>]) -> Vec<Example> {
    let held: std::collections::HashSet<String> = domains
        .iter()
        .flatten()
        .map(|e| sentence_key(&e.text))
        .collect();
    extra
        .iter()
        .filter(|e| !held.contains(&sentence_key(&e.text)))
        .cloned()
        .collect()
}

/// Trains on `domains` and `extra` (already without the domains' sentences) pooled, with the
/// lexicon weights chosen across the domains.
fn train_domains_chosen(
    domains: &[Vec<Example>],
    extra: &[Example],
    config: &TrainConfig,
) -> (Model, Option<Chosen>) {
    let pooled: Vec<Example> = domains.iter().flatten().chain(extra).cloned().collect();
    let model = super::train::train(&pooled, config);
    if !config.valence || classes_of(&pooled).len() != 2 {
        return (model, None);
    }
    let chosen = choose_weights_among(domains, extra, config);
    let model = model
        .with_valence(&[0.0, chosen.valence])
        .with_adjective(&[0.0, chosen.adjective]);
    (model, Some(chosen))
}

/// A held-out domain: what each scorer gets on it, trained without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOut {
    /// Valence weight chosen on the training domains.
    pub weight: f32,
    /// Adjective-polarity weight chosen on the training domains.
    pub adjective_weight: f32,
    /// Mean accuracy of the chosen weights over the training domains, each held out
    /// in turn (the cross-validation inside the training sets).
    pub training_cv: f64,
    /// Linear model plus weighted valence (the shipped combination).
    pub blended: f64,
    /// Linear model alone.
    pub linear: f64,
    /// The lexicon scorer alone: POS above zero, NEG below, zero counts as an error.
    pub lexicon: f64,
    /// Share of sentences the lexicon scorer cannot decide (no rated word).
    pub lexicon_undecided: f64,
}

/// Trains on every domain but `held` (the weights chosen across those only) and
/// scores POS-versus-NEG accuracy on `held`, which nothing has seen.
pub fn evaluate_held_out(domains: &[Vec<Example>], held: usize, config: &TrainConfig) -> HeldOut {
    evaluate_held_out_with(domains, &[], held, config)
}

/// [`evaluate_held_out`] with `extra` examples in the training data (as
/// [`train_domains_with`]); an extra sentence that any domain holds, the held-out one
/// included, is left out, so nothing scored was trained on.
pub fn evaluate_held_out_with(
    domains: &[Vec<Example>],
    extra: &[Example],
    held: usize,
    config: &TrainConfig,
) -> HeldOut {
    let extra = not_in(extra, domains);
    let training: Vec<Vec<Example>> = domains
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != held)
        .map(|(_, d)| d.clone())
        .collect();
    let (model, chosen) = train_domains_chosen(&training, &extra, config);
    let weight = model.valence_weights().get(1).copied().unwrap_or(0.0);
    let adjective_weight = model.adjective_weights().get(1).copied().unwrap_or(0.0);
    let test = &domains[held];
    let n = test.len().max(1) as f64;
    let (mut blended, mut linear, mut lexicon, mut undecided) = (0, 0, 0, 0);
    for e in test {
        let features = extract(&e.text, &model.config());
        let s = model.scores(&features);
        let margin = s[1] - s[0];
        let v = valence(&e.text);
        let is_pos = e.label == Label::Pos;
        let total = margin + weight * v.compound + adjective_weight * v.adjective;
        blended += usize::from((total > 0.0) == is_pos);
        linear += usize::from((margin > 0.0) == is_pos);
        if v.compound == 0.0 {
            undecided += 1;
        } else {
            lexicon += usize::from((v.compound > 0.0) == is_pos);
        }
    }
    HeldOut {
        weight,
        adjective_weight,
        training_cv: chosen.map_or(0.0, |c| c.cv_accuracy),
        blended: blended as f64 / n,
        linear: linear as f64 / n,
        lexicon: lexicon as f64 / n,
        lexicon_undecided: undecided as f64 / n,
    }
}

/// The label of a text under `model`, with the valence when the model uses it.
pub(crate) fn classify(model: &Model, text: &str) -> (Label, f32) {
    let features = extract(text, &model.config());
    let (compound, adjective) = if model.uses_valence() {
        let v = valence(text);
        (v.compound, v.adjective)
    } else {
        (0.0, 0.0)
    };
    label_of(model, &features, compound, adjective)
}
