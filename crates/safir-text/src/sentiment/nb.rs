//! Naive Bayes feature scaling (NB-SVM, Wang and Manning 2012) with logistic
//! regression: each feature is scaled by the log ratio of its smoothed, binarized
//! counts in one class and in the other(s), the model is trained on the scaled
//! features, and the ratios are folded into the weights, so the file and the
//! prediction are those of a plain linear model.

use super::features::Features;
use super::model::Model;
use super::train::{TrainConfig, train_floats_scaled};

/// POS against NEG: one ratio per feature, shared by the weights of both classes.
pub(super) fn train_two_classes(data: &[(Features, usize)], config: &TrainConfig) -> Model {
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
    let (bias, mut weights) = train_floats_scaled(&scaled, 2, config, None);
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
pub(super) fn train_one_vs_rest(
    data: &[(Features, usize)],
    k: usize,
    config: &TrainConfig,
) -> Model {
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

#[cfg(test)]
mod tests {
    use super::super::Label;
    use super::super::features::{FeatureConfig, extract};
    use super::super::train::{Example, train};
    use super::*;

    fn two_classes() -> Vec<Example> {
        (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    Example {
                        text: format!("great lovely service {i}"),
                        label: Label::Pos,
                    }
                } else {
                    Example {
                        text: format!("awful terrible delay {i}"),
                        label: Label::Neg,
                    }
                }
            })
            .collect()
    }

    #[test]
    fn naive_bayes_scaling_folds_into_a_plain_linear_model() {
        let two_classes = two_classes();
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

    #[test]
    fn three_classes_each_get_their_own_ratios() {
        let mut examples = two_classes();
        examples.extend((0..20).map(|i| Example {
            text: format!("the office opens at {i}"),
            label: Label::Neu,
        }));
        let config = TrainConfig {
            features: FeatureConfig {
                bits: 12,
                ..FeatureConfig::DEFAULT
            },
            ..TrainConfig::DEFAULT
        };
        assert!(config.nb_alpha > 0.0);
        let model = train(&examples, &config);
        let best = |text: &str| {
            let s = model.scores(&extract(text, &config.features));
            (0..3).fold(0, |b, i| if s[i] > s[b] { i } else { b })
        };
        assert_eq!(best("lovely great"), 2);
        assert_eq!(best("office opens"), 1);
        assert_eq!(best("terrible awful"), 0);
    }
}
