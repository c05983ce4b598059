//! Sentiment of Arabic (MSA and dialects) and English posts: negative, neutral or
//! positive, with the model's probability as the score.
//!
//! Two compact linear models ship inside the library (`models/`): Arabic, trained
//! on the ArSarcasm-v2 training split (three classes), and English, trained on the
//! UCI Sentiment Labelled Sentences and VADER's human-rated sentences (two classes;
//! neutral is the band where neither side is sure), whose score also weighs in a
//! lexicon valence after VADER's rules and an adjective polarity (`valence`).
//! `safir text train-sentiment` rebuilds them byte for byte.

mod blend;
mod evaluate;
mod features;
mod model;
mod nb;
mod train;
pub mod valence;

use std::fmt;
use std::sync::OnceLock;

use crate::lang::Lang;

pub use blend::{
    Chosen, HeldOut, adjective_grid, choose_valence_weight, choose_weights, choose_weights_with,
    evaluate_held_out, evaluate_held_out_with, sentence_key, train_domains, train_domains_with,
    valence_grid,
};
pub use evaluate::{Scores, choose_pn_offsets, cross_validate, out_of_fold_scores, score};
pub use features::{FeatureConfig, Features, extract};
pub use model::{Model, ModelError};
pub use train::{
    DataError, Example, RATED_CORPORA, RATED_MIN, TrainConfig, classes_of, parse_arsarcasm,
    parse_labelled_sentences, parse_rated_sentences, parse_ratings, rating_label, train,
};

/// The shipped Arabic model file.
pub const ARABIC_MODEL: &[u8] = include_bytes!("../../models/sentiment-ar.bin");

/// The shipped English model file.
pub const ENGLISH_MODEL: &[u8] = include_bytes!("../../models/sentiment-en.bin");

/// A two-class model answers NEU when its more likely side is below this: the threshold
/// with the best three-class macro-F1 on VADER's rated sentences, near-neutral ones
/// included, out of fold (`sentiment_eval english-neutral`; docs/benchmarks.md).
pub const BINARY_NEUTRAL_BELOW: f32 = 0.8;

/// Sentiment class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Neg,
    Neu,
    Pos,
}

impl Label {
    /// `NEG`, `NEU` or `POS`.
    pub fn code(self) -> &'static str {
        match self {
            Label::Neg => "NEG",
            Label::Neu => "NEU",
            Label::Pos => "POS",
        }
    }

    pub fn from_code(code: &str) -> Option<Label> {
        match code {
            "NEG" => Some(Label::Neg),
            "NEU" => Some(Label::Neu),
            "POS" => Some(Label::Pos),
            _ => None,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A label with the probability the model gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sentiment {
    pub label: Label,
    pub score: f32,
}

impl Model {
    /// Classifies one text.
    pub fn classify(&self, text: &str) -> Sentiment {
        let (label, score) = blend::classify(self, text);
        Sentiment { label, score }
    }
}

/// The label for `features` (and the text's lexicon valence `compound` and adjective
/// polarity `adjective`, used only by models that have weights for them).
pub(crate) fn label_of(
    model: &Model,
    features: &Features,
    compound: f32,
    adjective: f32,
) -> (Label, f32) {
    if features.indices.is_empty() {
        // No words, emoji or marks: nothing is said, so nothing negative or positive.
        return (Label::Neu, 1.0);
    }
    let p = model.probabilities_with(features, compound, adjective);
    if p.len() == 2 {
        let (label, score) = if p[1] > p[0] {
            (Label::Pos, p[1])
        } else {
            (Label::Neg, p[0])
        };
        if score < BINARY_NEUTRAL_BELOW {
            return (Label::Neu, 1.0 - (p[1] - p[0]).abs());
        }
        return (label, score);
    }
    let best = (0..p.len()).fold(0, |b, i| if p[i] > p[b] { i } else { b });
    let label = [Label::Neg, Label::Neu, Label::Pos][best];
    (label, p[best])
}

/// The shipped Arabic model.
pub fn arabic_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_bytes(ARABIC_MODEL).expect("shipped Arabic model is valid"))
}

/// The shipped English model.
pub fn english_model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_bytes(ENGLISH_MODEL).expect("shipped English model is valid"))
}

/// Sentiment of a post in a language with a model (Arabic or English); `None`
/// for other languages.
pub fn sentiment_in(text: &str, lang: Lang) -> Option<Sentiment> {
    let model = match lang {
        Lang::Ar => arabic_model(),
        Lang::En => english_model(),
        _ => return None,
    };
    Some(if says_nothing(text) {
        NOTHING_SAID
    } else {
        model.classify(text)
    })
}

/// The answer for a post that says nothing.
const NOTHING_SAID: Sentiment = Sentiment {
    label: Label::Neu,
    score: 1.0,
};

/// Whether a post holds no word and no emoji once its links, mentions and retweet marker are
/// left out (`RT @x: https://t.co/a`, `!!!`, `123`, `؟`): the models would still find
/// character n-grams of what is left and call it positive or negative with confidence, and
/// the listening reports would count it as an opinion.
pub fn says_nothing(text: &str) -> bool {
    !text.split_whitespace().enumerate().any(|(i, word)| {
        let aside = word.starts_with('@')
            || word.starts_with("http://")
            || word.starts_with("https://")
            || word.starts_with("www.")
            || (i == 0 && matches!(word, "RT" | "RT:"));
        !aside && word.chars().any(|c| c.is_alphabetic() || is_emoji(c))
    })
}

/// Pictographs and symbols that carry feeling (faces, hearts, hands), as the models' emoji
/// features read them.
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF)
}

/// Sentiment of a post; the model is chosen by the script most of its letters use, counted
/// as language identification counts them: links, mentions and e-mail addresses left out,
/// a hashtag's letters weighing a quarter (see `lang::detect`), so that an Arabic post with
/// a link and an English trending tag goes to the Arabic model.
pub fn sentiment(text: &str) -> Sentiment {
    if says_nothing(text) {
        return NOTHING_SAID;
    }
    let counts = crate::lang::ScriptCounts::of(text);
    let arabic = counts.voting_in(crate::lang::Script::Arabic);
    let latin = counts.voting_in(crate::lang::Script::Latin);
    if latin > arabic {
        english_model().classify(text)
    } else {
        arabic_model().classify(text)
    }
}
