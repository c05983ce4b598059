//! The model file: a linear classifier over hashed features, weights quantized
//! to `i8` with one scale per class.
//!
//! Layout (little endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `SAFIRSNT` |
//! | 2 | format version (1: linear model only; 2: with valence weights; 3: with
//! |   | valence and adjective-polarity weights) |
//! | 1 | number of classes `k` (2: NEG, POS; 3: NEG, NEU, POS) |
//! | 4 | feature config: hash bits, char n-gram min, max (both 0: none), negation |
//! |   | window |
//! | 4·k | per-class bias (`f32`) |
//! | 4·k | per-class weight scale (`f32`) |
//! | 4·k | versions 2 and 3: per-class weight of the lexicon valence (`f32`) |
//! | 4·k | version 3 only: per-class weight of the adjective polarity (`f32`) |
//! | 2^bits·k | weights (`i8`), feature after feature (the `k` class weights of one
//! |   | feature side by side: one cache line per feature at prediction time) |

use super::features::{FeatureConfig, Features};

const MAGIC: &[u8; 8] = b"SAFIRSNT";
/// Files without valence weights keep version 1, so models that do not use the
/// lexicon (Arabic) are the same files as before version 2 existed.
const VERSION_LINEAR: u16 = 1;
const VERSION_VALENCE: u16 = 2;
const VERSION_ADJECTIVE: u16 = 3;
const HEADER: usize = 8 + 2 + 1 + 4;

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not a sentiment model (bad magic)")]
    BadMagic,
    #[error("unsupported model format version {0}")]
    Version(u16),
    #[error("model file truncated or oversized: {actual} bytes, expected {expected}")]
    Size { actual: usize, expected: usize },
    #[error("invalid model header")]
    Header,
    #[error("invalid model: a bias, scale or lexicon weight is not a finite number")]
    Weights,
}

/// A quantized linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub(crate) config: FeatureConfig,
    pub(crate) bias: Vec<f32>,
    pub(crate) scale: Vec<f32>,
    pub(crate) weights: Vec<i8>,
    /// Per-class weight of the English lexicon valence (`valence::valence`'s
    /// compound score) added to the linear score; empty when the model has none.
    pub(crate) valence: Vec<f32>,
    /// Per-class weight of the adjective polarity (`valence::valence`'s `adjective`);
    /// empty when the model has none.
    pub(crate) adjective: Vec<f32>,
}

impl Model {
    /// Quantizes float weights given class after class (`classes × dim`) into the
    /// feature-major file layout.
    pub(crate) fn quantize(config: FeatureConfig, bias: Vec<f32>, weights: &[f32]) -> Model {
        let dim = config.dim();
        let classes = bias.len();
        let scale: Vec<f32> = weights
            .chunks(dim)
            .take(classes)
            .map(|class| {
                let max = class.iter().fold(0.0f32, |m, w| m.max(w.abs()));
                if max > 0.0 { max / 127.0 } else { 1.0 }
            })
            .collect();
        let mut quantized = Vec::with_capacity(dim * classes);
        for feature in 0..dim {
            for (class, s) in scale.iter().enumerate() {
                let w = weights[class * dim + feature];
                quantized.push((w / s).round().clamp(-127.0, 127.0) as i8);
            }
        }
        Model {
            config,
            bias,
            scale,
            weights: quantized,
            valence: Vec::new(),
            adjective: Vec::new(),
        }
    }

    /// The feature extraction this model was trained with.
    pub fn config(&self) -> FeatureConfig {
        self.config
    }

    pub fn classes(&self) -> usize {
        self.bias.len()
    }

    /// Whether the model adds the lexicon valence to its linear scores.
    pub fn uses_valence(&self) -> bool {
        !self.valence.is_empty() || !self.adjective.is_empty()
    }

    /// The per-class valence weights (empty when the model has none).
    pub fn valence_weights(&self) -> &[f32] {
        &self.valence
    }

    /// The same model with `weights` as its per-class valence weights (one per class;
    /// all zero removes them).
    pub fn with_valence(mut self, weights: &[f32]) -> Model {
        self.valence = unless_all_zero(weights);
        self
    }

    /// The per-class adjective-polarity weights (empty when the model has none).
    pub fn adjective_weights(&self) -> &[f32] {
        &self.adjective
    }

    /// The same model with `weights` as its per-class adjective-polarity weights
    /// (one per class; all zero removes them).
    pub fn with_adjective(mut self, weights: &[f32]) -> Model {
        self.adjective = unless_all_zero(weights);
        self
    }

    /// Class probabilities (softmax of the linear scores), without the valence term.
    pub fn probabilities(&self, features: &Features) -> Vec<f32> {
        self.probabilities_with(features, 0.0, 0.0)
    }

    /// Class probabilities with `compound` (the text's lexicon valence, −1 … 1) and
    /// `adjective` (its adjective polarity, −1 … 1) weighted into the scores of a
    /// model that uses them.
    pub fn probabilities_with(
        &self,
        features: &Features,
        compound: f32,
        adjective: f32,
    ) -> Vec<f32> {
        let mut scores = self.scores(features);
        for (s, w) in scores.iter_mut().zip(&self.valence) {
            *s += w * compound;
        }
        for (s, w) in scores.iter_mut().zip(&self.adjective) {
            *s += w * adjective;
        }
        softmax(&mut scores);
        scores
    }

    /// The linear scores (logits) of each class, without the valence term.
    pub fn scores(&self, features: &Features) -> Vec<f32> {
        let k = self.classes();
        let mut sums = [0.0f32; 3];
        for (&i, &v) in features.indices.iter().zip(&features.values) {
            let at = i as usize * k;
            for (sum, &w) in sums.iter_mut().zip(&self.weights[at..at + k]) {
                *sum += f32::from(w) * v;
            }
        }
        (0..k)
            .map(|c| self.bias[c] + sums[c] * self.scale[c])
            .collect()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 12 * self.classes() + self.weights.len());
        out.extend_from_slice(MAGIC);
        let version = if !self.adjective.is_empty() {
            VERSION_ADJECTIVE
        } else if !self.valence.is_empty() {
            VERSION_VALENCE
        } else {
            VERSION_LINEAR
        };
        out.extend_from_slice(&version.to_le_bytes());
        out.push(self.classes() as u8);
        out.extend_from_slice(&[
            self.config.bits,
            self.config.char_min,
            self.config.char_max,
            self.config.negation_window,
        ]);
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for s in &self.scale {
            out.extend_from_slice(&s.to_le_bytes());
        }
        if version >= VERSION_VALENCE {
            for c in 0..self.classes() {
                let v = self.valence.get(c).copied().unwrap_or(0.0);
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        if version == VERSION_ADJECTIVE {
            for a in &self.adjective {
                out.extend_from_slice(&a.to_le_bytes());
            }
        }
        out.extend(self.weights.iter().map(|&w| w as u8));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        if bytes.len() < HEADER {
            return Err(ModelError::Size {
                actual: bytes.len(),
                expected: HEADER,
            });
        }
        if &bytes[..8] != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if !(VERSION_LINEAR..=VERSION_ADJECTIVE).contains(&version) {
            return Err(ModelError::Version(version));
        }
        let classes = bytes[10] as usize;
        let config = FeatureConfig {
            bits: bytes[11],
            char_min: bytes[12],
            char_max: bytes[13],
            negation_window: bytes[14],
        };
        if !(2..=3).contains(&classes)
            || !(8..=24).contains(&config.bits)
            || config.char_min > config.char_max
            || (config.char_min == 0 && config.char_max != 0)
        {
            return Err(ModelError::Header);
        }
        let floats_per_class = 1 + version as usize;
        let head = HEADER + 4 * floats_per_class * classes;
        let expected = head + classes * config.dim();
        if bytes.len() != expected {
            return Err(ModelError::Size {
                actual: bytes.len(),
                expected,
            });
        }
        let floats = |at: usize| -> Vec<f32> {
            bytes[at..at + 4 * classes]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };
        let bias = floats(HEADER);
        let scale = floats(HEADER + 4 * classes);
        let mut valence = if version >= VERSION_VALENCE {
            floats(HEADER + 8 * classes)
        } else {
            Vec::new()
        };
        if valence.iter().all(|&v| v == 0.0) {
            // A version 3 file of a model with adjective weights only.
            valence.clear();
        }
        let adjective = if version == VERSION_ADJECTIVE {
            floats(HEADER + 12 * classes)
        } else {
            Vec::new()
        };
        // A damaged or hand-made file with NaN or infinite numbers would answer NaN for
        // every text (`NEG<TAB>NaN`).
        if !bias
            .iter()
            .chain(&scale)
            .chain(&valence)
            .chain(&adjective)
            .all(|v| v.is_finite())
        {
            return Err(ModelError::Weights);
        }
        let weights = bytes[head..].iter().map(|&b| b as i8).collect();
        Ok(Model {
            config,
            bias,
            scale,
            weights,
            valence,
            adjective,
        })
    }
}

pub(crate) fn softmax(scores: &mut [f32]) {
    let max = scores.iter().fold(f32::NEG_INFINITY, |m, &s| m.max(s));
    let mut total = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        total += *s;
    }
    for s in scores.iter_mut() {
        *s /= total;
    }
}

/// Per-class weights as stored: none at all when every weight is zero.
fn unless_all_zero(weights: &[f32]) -> Vec<f32> {
    if weights.iter().all(|&w| w == 0.0) {
        Vec::new()
    } else {
        weights.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Model {
        let config = FeatureConfig {
            bits: 8,
            ..FeatureConfig::DEFAULT
        };
        let weights: Vec<f32> = (0..3 * 256)
            .map(|i| ((i % 17) as f32 - 8.0) / 4.0)
            .collect();
        Model::quantize(config, vec![0.1, -0.2, 0.3], &weights)
    }

    #[test]
    fn bytes_round_trip() {
        let model = small();
        let bytes = model.to_bytes();
        assert_eq!(bytes.len(), HEADER + 24 + 3 * 256);
        assert_eq!(Model::from_bytes(&bytes), Ok(model));
    }

    #[test]
    fn no_character_n_grams_is_a_valid_header_and_half_a_range_is_not() {
        let mut model = small();
        model.config.char_min = 0;
        model.config.char_max = 0;
        let bytes = model.to_bytes();
        assert_eq!(Model::from_bytes(&bytes), Ok(model));
        let mut half = bytes.clone();
        half[13] = 3;
        assert_eq!(Model::from_bytes(&half), Err(ModelError::Header));
    }

    #[test]
    fn valence_weights_make_a_version_2_file() {
        let linear = small().to_bytes();
        assert_eq!(&linear[8..10], &1u16.to_le_bytes());
        let model = small().with_valence(&[-0.5, 0.0, 2.0]);
        let bytes = model.to_bytes();
        assert_eq!(&bytes[8..10], &2u16.to_le_bytes());
        assert_eq!(bytes.len(), linear.len() + 12);
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.valence_weights(), &[-0.5, 0.0, 2.0]);
        assert_eq!(back, model);
        // All-zero weights are no valence at all: the version 1 file.
        assert_eq!(small().with_valence(&[0.0; 3]).to_bytes(), linear);
        // The valence moves the probabilities toward its classes.
        let f = Features {
            indices: vec![3],
            values: vec![1.0],
        };
        let p0 = back.probabilities_with(&f, 0.0, 0.0);
        let p1 = back.probabilities_with(&f, 1.0, 0.0);
        assert_eq!(p0, small().probabilities(&f));
        assert!(p1[2] > p0[2] && p1[0] < p0[0]);
        let mut truncated = bytes;
        truncated.truncate(truncated.len() - 1);
        assert!(Model::from_bytes(&truncated).is_err());
    }

    #[test]
    fn adjective_weights_make_a_version_3_file() {
        let valence = small().with_valence(&[-0.5, 0.0, 2.0]);
        let model = valence.clone().with_adjective(&[0.0, 0.0, 1.5]);
        let bytes = model.to_bytes();
        assert_eq!(&bytes[8..10], &3u16.to_le_bytes());
        assert_eq!(bytes.len(), valence.to_bytes().len() + 12);
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.adjective_weights(), &[0.0, 0.0, 1.5]);
        assert_eq!(back, model);
        // Adjective weights alone: the valence weights are written as zeros.
        let alone = small().with_adjective(&[0.0, 0.0, 1.5]);
        assert_eq!(Model::from_bytes(&alone.to_bytes()), Ok(alone.clone()));
        let f = Features {
            indices: vec![3],
            values: vec![1.0],
        };
        let p0 = alone.probabilities_with(&f, 0.0, 0.0);
        let p1 = alone.probabilities_with(&f, 0.0, 1.0);
        assert!(p1[2] > p0[2]);
    }

    #[test]
    fn damaged_files_are_rejected() {
        let bytes = small().to_bytes();
        assert_eq!(
            Model::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Size {
                actual: bytes.len() - 1,
                expected: bytes.len()
            })
        );
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(Model::from_bytes(&bad), Err(ModelError::BadMagic));
        let mut future = bytes.clone();
        future[8] = 9;
        assert_eq!(Model::from_bytes(&future), Err(ModelError::Version(9)));
        // A bias that is not a number would make every answer NaN.
        let mut nan = bytes;
        nan[HEADER..HEADER + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(Model::from_bytes(&nan), Err(ModelError::Weights));
        assert!(Model::from_bytes(b"").is_err());
    }

    #[test]
    fn quantization_keeps_weights_close() {
        let config = FeatureConfig {
            bits: 8,
            ..FeatureConfig::DEFAULT
        };
        let weights: Vec<f32> = (0..2 * 256).map(|i| (i as f32).sin()).collect();
        let model = Model::quantize(config, vec![0.0, 0.0], &weights);
        for (n, w) in weights.iter().enumerate() {
            let (class, feature) = (n / 256, n % 256);
            let scale = model.scale[class];
            let back = f32::from(model.weights[feature * 2 + class]) * scale;
            assert!((back - w).abs() <= scale / 2.0 + 1e-6);
        }
    }
}
