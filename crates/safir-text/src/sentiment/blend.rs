//! The English model: the linear model's score plus the lexicon valence
//! ([`super::valence`]) times a weight. The weight is chosen by cross-validation
//! across the training domains only: for each training domain, a linear model
//! trained on the other domains scores it, and the weight with the best mean
//! accuracy over those held-out domains wins. Reviews of phones, films and
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

/// Folds used to choose the weight when the data is one domain: by position.
const SINGLE_DOMAIN_FOLDS: usize = 5;

struct Prepared {
    data: Vec<(Features, usize)>,
    compound: Vec<f32>,
}

fn prepare(examples: &[Example], classes: &[Label], config: &TrainConfig) -> Prepared {
    Prepared {
        data: examples
            .iter()
            .map(|e| {
                let class = classes.iter().position(|&c| c == e.label).unwrap_or(0);
                (extract(&e.text, &config.features), class)
            })
            .collect(),
        compound: examples.iter().map(|e| valence(&e.text).compound).collect(),
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

/// POS-versus-NEG accuracy of `margin + weight · compound > 0` for each weight of
/// the grid (the English data has no neutral class).
fn accuracies(margins: &[f32], compound: &[f32], gold: &[usize]) -> Vec<f64> {
    valence_grid()
        .map(|w| {
            let hits = margins
                .iter()
                .zip(compound)
                .zip(gold)
                .filter(|((m, c), g)| usize::from(*m + w * *c > 0.0) == **g)
                .count();
            hits as f64 / gold.len().max(1) as f64
        })
        .collect()
}

/// The valence weight for a NEG/POS model, chosen by holding out each of `domains`
/// in turn (position folds when there is only one). Ties go to the smaller weight.
pub fn choose_valence_weight(domains: &[Vec<Example>], config: &TrainConfig) -> f32 {
    let folds = folds(domains);
    let mut total = vec![0.0f64; valence_grid().count()];
    for held in 0..folds.len() {
        let training: Vec<Example> = folds
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != held)
            .flat_map(|(_, d)| d.iter().cloned())
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
        let gold: Vec<usize> = test_set.data.iter().map(|(_, c)| *c).collect();
        for (t, a) in total
            .iter_mut()
            .zip(accuracies(&margins, &test_set.compound, &gold))
        {
            *t += a;
        }
    }
    let mut best = 0;
    for (i, t) in total.iter().enumerate() {
        if *t > total[best] {
            best = i;
        }
    }
    valence_grid().nth(best).unwrap_or(0.0)
}

/// Trains on all of `domains` pooled; with `config.valence` and NEG/POS data, the
/// model also gets the valence weight chosen across the domains.
pub fn train_domains(domains: &[Vec<Example>], config: &TrainConfig) -> Model {
    let pooled: Vec<Example> = domains.iter().flatten().cloned().collect();
    let model = super::train::train(&pooled, config);
    if !config.valence || classes_of(&pooled).len() != 2 {
        return model;
    }
    let weight = choose_valence_weight(domains, config);
    model.with_valence(&[0.0, weight])
}

/// A held-out domain: what each scorer gets on it, trained without it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOut {
    /// Valence weight chosen on the training domains.
    pub weight: f32,
    /// Linear model plus weighted valence (the shipped combination).
    pub blended: f64,
    /// Linear model alone.
    pub linear: f64,
    /// The lexicon scorer alone: POS above zero, NEG below, zero counts as an error.
    pub lexicon: f64,
    /// Share of sentences the lexicon scorer cannot decide (no rated word).
    pub lexicon_undecided: f64,
}

/// Trains on every domain but `held` (the weight chosen across those only) and
/// scores POS-versus-NEG accuracy on `held`, which nothing has seen.
pub fn evaluate_held_out(domains: &[Vec<Example>], held: usize, config: &TrainConfig) -> HeldOut {
    let training: Vec<Vec<Example>> = domains
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != held)
        .map(|(_, d)| d.clone())
        .collect();
    let model = train_domains(&training, config);
    let weight = model.valence_weights().get(1).copied().unwrap_or(0.0);
    let test = &domains[held];
    let n = test.len().max(1) as f64;
    let (mut blended, mut linear, mut lexicon, mut undecided) = (0, 0, 0, 0);
    for e in test {
        let features = extract(&e.text, &model.config());
        let s = model.scores(&features);
        let margin = s[1] - s[0];
        let compound = valence(&e.text).compound;
        let is_pos = e.label == Label::Pos;
        blended += usize::from((margin + weight * compound > 0.0) == is_pos);
        linear += usize::from((margin > 0.0) == is_pos);
        if compound == 0.0 {
            undecided += 1;
        } else {
            lexicon += usize::from((compound > 0.0) == is_pos);
        }
    }
    HeldOut {
        weight,
        blended: blended as f64 / n,
        linear: linear as f64 / n,
        lexicon: lexicon as f64 / n,
        lexicon_undecided: undecided as f64 / n,
    }
}

/// The label of a text under `model`, with the valence when the model uses it.
pub(crate) fn classify(model: &Model, text: &str) -> (Label, f32) {
    let features = extract(text, &model.config());
    let compound = if model.uses_valence() {
        valence(text).compound
    } else {
        0.0
    };
    label_of(model, &features, compound)
}
