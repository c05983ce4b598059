//! Scoring and cross-validation of the sentiment models.

use super::Label;
use super::features::Features;
use super::train::{Example, TrainConfig, XorShift, featurize, train_features};

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

/// The order whose ranks modulo the number of folds give each example's fold: a seeded
/// shuffle, the same on every run.
fn fold_order(len: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    XorShift(0xF01D_5EED).shuffle(&mut order);
    order
}

/// k-fold cross-validation: the mean scores over folds. Folds come from a seeded
/// shuffle, so the split is the same on every run.
pub fn cross_validate(examples: &[Example], config: &TrainConfig, folds: usize) -> Scores {
    let (classes, data) = featurize(examples, config);
    let order = fold_order(data.len());
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
    let (classes, data) = featurize(examples, config);
    let order = fold_order(data.len());
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
