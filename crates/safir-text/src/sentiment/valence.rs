//! A rule-based valence scorer for English, after the rules of VADER (Hutto and
//! Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of Social
//! Media Text", ICWSM 2014), with VADER's lexicon of word valences
//! (`data/vader_lexicon.tsv`, MIT licence, see `data/LICENSE-VADER.txt`).
//!
//! The English model adds this score, weighted, to its linear score: the lexicon knows
//! words the review sentences of the training data never use, the linear model knows
//! the domain. Alongside it, `Valence::adjective` is the mean polarity of the words of
//! a second lexicon, Pattern's adjectives (`data/adjective_polarity.tsv`, from
//! TextBlob, MIT licence, see `data/LICENSE-TEXTBLOB.txt`), under the same negation
//! and `but` rules; the model weighs it in with a weight of its own. The rules:
//!
//! - words are the whitespace-separated pieces of the text with the punctuation around
//!   them stripped (an emoticon such as `:)` stays whole); each word of the lexicon
//!   carries its mean human-rated valence (−4 … +4);
//! - boosters and dampeners (`very`, `extremely`, `barely` …) up to three words before
//!   a rated word move it away from or towards zero by 0.293 (less the further they
//!   are); so do `kind of`, `sort of`, `just enough` right before it;
//! - a negator (`not`, `never`, `isn't`, any `n't` …) up to three words before flips
//!   and damps it (× −0.74); `never so` / `never this` strengthen instead (× 1.25);
//!   `not only` does not negate; `no` negates the two words after it and is not rated
//!   itself when a rated word follows;
//! - `least` before a rated word negates it, unless `at least` or `very least`;
//! - a word in capitals among words that are not gains 0.733 in its direction;
//! - `but` halves what comes before it and multiplies what follows by 1.5 (`but also`
//!   is not a contrast);
//! - a few idioms take a valence of their own (`the bomb`, `to die for`, `yeah right`);
//! - the sum gains 0.292 per `!` (at most four) and some for `??`, in its own
//!   direction, and is squashed to −1 … +1: `compound = s / √(s² + 15)`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The lexicon: token, tab, mean valence, one per line.
const LEXICON: &str = include_str!("../../data/vader_lexicon.tsv");

/// Adjective polarities (−1 … +1), the mean over the senses of each word of the
/// Pattern/TextBlob subjectivity lexicon (`data/adjective_polarity.tsv`, see
/// `data/LICENSE-TEXTBLOB.txt`).
const ADJECTIVES: &str = include_str!("../../data/adjective_polarity.tsv");

const BOOST: f32 = 0.293;
const CAPS_BOOST: f32 = 0.733;
const NEGATION: f32 = -0.74;
const SQUASH: f32 = 15.0;

const BOOSTERS: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerable",
    "considerably",
    "decidedly",
    "deeply",
    "effing",
    "enormous",
    "enormously",
    "entirely",
    "especially",
    "exceptional",
    "exceptionally",
    "extreme",
    "extremely",
    "fabulously",
    "flipping",
    "flippin",
    "fricking",
    "frickin",
    "frigging",
    "friggin",
    "fully",
    "fucking",
    "fuckin",
    "greatly",
    "hella",
    "highly",
    "hugely",
    "incredible",
    "incredibly",
    "intensely",
    "major",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "total",
    "totally",
    "tremendous",
    "tremendously",
    "uber",
    "unbelievably",
    "unusually",
    "utter",
    "utterly",
    "very",
];

const DAMPENERS: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "kindof",
    "kind-of",
    "less",
    "little",
    "marginal",
    "marginally",
    "occasional",
    "occasionally",
    "partly",
    "scarce",
    "scarcely",
    "slight",
    "slightly",
    "somewhat",
    "sorta",
    "sortof",
    "sort-of",
];

const NEGATORS: &[&str] = &[
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt",
    "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "neednt", "never", "none", "nope",
    "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "uh-uh", "wasnt",
    "werent", "without", "wont", "wouldnt", "rarely", "seldom", "despite",
];

/// Phrases whose valence replaces that of the rated word inside them.
const IDIOMS: &[(&str, f32)] = &[
    ("the shit", 3.0),
    ("the bomb", 3.0),
    ("bad ass", 1.5),
    ("yeah right", -2.0),
    ("kiss of death", -1.5),
    ("to die for", 3.0),
    ("beating heart", 3.5),
];

fn lexicon() -> &'static HashMap<&'static str, f32> {
    static MAP: OnceLock<HashMap<&'static str, f32>> = OnceLock::new();
    MAP.get_or_init(|| parse_lexicon(LEXICON))
}

fn adjectives() -> &'static HashMap<&'static str, f32> {
    static MAP: OnceLock<HashMap<&'static str, f32>> = OnceLock::new();
    MAP.get_or_init(|| parse_lexicon(ADJECTIVES))
}

fn parse_lexicon(text: &'static str) -> HashMap<&'static str, f32> {
    text.lines()
        .filter_map(|line| {
            let (word, valence) = line.split_once('\t')?;
            Some((word, valence.trim().parse().ok()?))
        })
        .collect()
}

/// The valence of a text.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Valence {
    /// Sum of the word valences after the rules and punctuation emphasis.
    pub sum: f32,
    /// `sum` squashed to −1 … +1 (0 when no rated word occurs).
    pub compound: f32,
    /// How many words the lexicon rated.
    pub rated: u32,
    /// Mean polarity (−1 … +1) of the words the adjective lexicon rates, each flipped
    /// and damped by a negator up to three words before it and scaled around `but`
    /// as the valences are; 0 when none occurs.
    pub adjective: f32,
}

struct Word<'a> {
    /// As written (for capitals).
    raw: &'a str,
    /// Lowercase, apostrophes kept.
    lower: String,
}

impl Word<'_> {
    fn is(&self, s: &str) -> bool {
        self.lower == s
    }

    fn is_negator(&self) -> bool {
        if self.lower.contains('\'') {
            let folded: String = self.lower.chars().filter(|&c| c != '\'').collect();
            self.lower.contains("n't") || NEGATORS.contains(&folded.as_str())
        } else {
            NEGATORS.contains(&self.lower.as_str())
        }
    }

    fn booster(&self) -> f32 {
        if BOOSTERS.contains(&self.lower.as_str()) {
            BOOST
        } else if DAMPENERS.contains(&self.lower.as_str()) {
            -BOOST
        } else {
            0.0
        }
    }

    fn shouts(&self) -> bool {
        self.raw.chars().any(char::is_alphabetic)
            && !self.raw.chars().any(char::is_lowercase)
            && self.raw.chars().filter(|c| c.is_alphabetic()).count() > 1
    }
}

fn words(text: &str) -> Vec<Word<'_>> {
    text.split_whitespace()
        .map(|piece| {
            let stripped = piece.trim_matches(|c: char| c.is_ascii_punctuation());
            // What punctuation alone makes (`:)`, `:-(`) stays whole.
            let raw = if stripped.chars().count() <= 2 {
                piece
            } else {
                stripped
            };
            let mut lower = raw.to_lowercase();
            if lower.contains('’') {
                lower = lower.replace('’', "'");
            }
            Word { raw, lower }
        })
        .collect()
}

fn rating(word: &Word<'_>) -> Option<f32> {
    let lexicon = lexicon();
    lexicon
        .get(word.lower.as_str())
        .or_else(|| lexicon.get(word.raw))
        .copied()
}

/// Scores `text` with the lexicon and the rules above.
pub fn valence(text: &str) -> Valence {
    let words = words(text);
    // Some words in capitals, not all: the capitals are emphasis.
    let shouting = words.iter().filter(|w| w.shouts()).count();
    let caps_emphasis = shouting > 0 && shouting < words.len();
    let mut scores = vec![0.0f32; words.len()];
    let mut polarities = vec![0.0f32; words.len()];
    let mut rated = 0;
    let adjectives = adjectives();
    for i in 0..words.len() {
        let word = &words[i];
        if let Some(&p) = adjectives.get(word.lower.as_str()) {
            let mut v = p;
            for k in 1..=3.min(i) {
                v = negate(v, &words, i, k);
            }
            polarities[i] = v;
        }
        if word.booster() != 0.0
            || (word.is("kind") && words.get(i + 1).is_some_and(|n| n.is("of")))
        {
            continue;
        }
        let Some(base) = rating(word) else {
            continue;
        };
        // `no` before a rated word is a determiner (`no problems`), not a rating.
        if word.is("no") && words.get(i + 1).is_some_and(|n| rating(n).is_some()) {
            continue;
        }
        rated += 1;
        let mut v = base;
        let before = |k: usize| if i >= k { Some(&words[i - k]) } else { None };
        if before(1).is_some_and(|w| w.is("no"))
            || before(2).is_some_and(|w| w.is("no"))
            || (before(3).is_some_and(|w| w.is("no"))
                && before(1).is_some_and(|w| w.is("or") || w.is("nor")))
        {
            v *= NEGATION;
        }
        if caps_emphasis && word.shouts() {
            v += CAPS_BOOST.copysign(v);
        }
        for k in 1..=3 {
            let Some(prev) = before(k) else { break };
            if rating(prev).is_some() {
                continue;
            }
            let mut boost = prev.booster();
            if boost != 0.0 {
                if caps_emphasis && prev.shouts() {
                    boost += CAPS_BOOST;
                }
                boost *= [1.0, 0.95, 0.9][k - 1];
                v += if v < 0.0 { -boost } else { boost };
            }
            v = negate(v, &words, i, k);
        }
        // Two-word dampeners right before the word: `kind of good`, `sort of bad`.
        if i >= 2 {
            let pair = (words[i - 2].lower.as_str(), words[i - 1].lower.as_str());
            if matches!(pair, ("kind", "of") | ("sort", "of") | ("just", "enough")) {
                v -= BOOST.copysign(v);
            }
        }
        v = idiom(v, &words, i);
        if before(1).is_some_and(|w| w.is("least"))
            && !before(2).is_some_and(|w| w.is("at") || w.is("very"))
        {
            v *= NEGATION;
        }
        scores[i] = v;
    }
    if let Some(b) = words
        .iter()
        .enumerate()
        .position(|(i, w)| w.is("but") && !words.get(i + 1).is_some_and(|n| n.is("also")))
    {
        for (i, (s, p)) in scores.iter_mut().zip(&mut polarities).enumerate() {
            if i < b {
                *s *= 0.5;
                *p *= 0.5;
            } else if i > b {
                *s *= 1.5;
                *p *= 1.5;
            }
        }
    }
    let polar = polarities.iter().filter(|p| **p != 0.0).count();
    let adjective = if polar == 0 {
        0.0
    } else {
        (polarities.iter().sum::<f32>() / polar as f32).clamp(-1.0, 1.0)
    };
    let mut sum: f32 = scores.iter().sum();
    if sum != 0.0 {
        sum += emphasis(text).copysign(sum);
    }
    let compound = (sum / (sum * sum + SQUASH).sqrt()).clamp(-1.0, 1.0);
    Valence {
        sum,
        compound,
        rated,
        adjective,
    }
}

/// A negator `k` words before the rated word `i` (the caller checks `i >= k`).
fn negate(v: f32, words: &[Word<'_>], i: usize, k: usize) -> f32 {
    let at = |back: usize| &words[i - back];
    let so_or_this = |back: usize| at(back).is("so") || at(back).is("this");
    // `never so good`, `never this good`: emphasis, not negation.
    if k >= 2 && at(k).is("never") && so_or_this(k - 1) {
        return v * 1.25;
    }
    // `without (a) doubt` affirms.
    if k >= 2 && at(k).is("without") && (at(k - 1).is("doubt") || at(1).is("doubt")) {
        return v;
    }
    // `not only … (but also)` affirms.
    if k >= 2 && at(k).is("not") && at(k - 1).is("only") {
        return v;
    }
    if at(k).is_negator() { v * NEGATION } else { v }
}

/// A phrase of `IDIOMS` around the rated word `i` sets its valence.
fn idiom(v: f32, words: &[Word<'_>], i: usize) -> f32 {
    for (phrase, value) in IDIOMS {
        let n = phrase.split(' ').count();
        let first = i.saturating_sub(n - 1);
        for start in first..=i {
            if start + n > words.len() {
                break;
            }
            let matches = phrase
                .split(' ')
                .zip(&words[start..start + n])
                .all(|(p, w)| w.is(p));
            if matches {
                return *value;
            }
        }
    }
    v
}

/// `!` (up to four) and runs of `?` make the text more intense.
fn emphasis(text: &str) -> f32 {
    let bangs = text.matches('!').count().min(4) as f32 * 0.292;
    let questions = match text.matches('?').count() {
        0 | 1 => 0.0,
        n @ 2..=3 => n as f32 * 0.18,
        _ => 0.96,
    };
    bangs + questions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(text: &str) -> f32 {
        valence(text).sum
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn lexicon_words_carry_their_valence() {
        let good = rating(&words("good")[0]).unwrap();
        assert!(close(sum("The book was good."), good));
        assert!(sum("a horrible book") < 0.0);
        assert_eq!(valence("The office opens at nine"), Valence::default());
        assert!(lexicon().len() > 7000);
    }

    #[test]
    fn adjective_polarity_is_a_mean_with_negation() {
        let good = adjectives()["good"];
        let awful = adjectives()["awful"];
        assert!(good > 0.0 && awful < 0.0);
        assert!(close(valence("The food was good.").adjective, good));
        assert!(close(
            valence("good food, awful room").adjective,
            (good + awful) / 2.0
        ));
        assert!(close(
            valence("the food was not good").adjective,
            good * NEGATION
        ));
        assert_eq!(valence("the visa office opens at nine").adjective, 0.0);
        assert!(adjectives().len() > 1000);
    }

    #[test]
    fn boosters_and_dampeners() {
        let good = sum("good");
        assert!(close(sum("very good"), good + BOOST));
        assert!(close(sum("kinda good"), good - BOOST));
        assert!(close(sum("very bad"), sum("bad") - BOOST));
        // Further away counts less.
        assert!(close(sum("extremely the good"), good + BOOST * 0.95));
        // `kind of` is a dampener, `kind` alone is rated.
        assert!(close(sum("kind of good"), good - BOOST));
        assert!(close(sum("sort of bad"), sum("bad") + BOOST));
    }

    #[test]
    fn negation_flips_and_damps_within_three_words() {
        let good = sum("good");
        assert!(close(sum("not good"), good * NEGATION));
        assert!(close(sum("isn't good"), good * NEGATION));
        assert!(close(sum("isnt good"), good * NEGATION));
        assert!(close(sum("not at all good"), good * NEGATION));
        assert!(close(sum("not a b c good"), good));
        assert!(sum("Not bad at all") > 0.0);
        assert!(close(sum("never this good"), good * 1.25));
        // `so` also boosts.
        assert!(close(sum("never so good"), (good + BOOST) * 1.25));
    }

    #[test]
    fn no_as_negator_and_determiner() {
        assert!(sum("no good") < 0.0);
        // `no` itself is rated negative, but not before a rated word.
        assert!(sum("no") < 0.0);
        assert!(sum("no problems at all") > 0.0);
    }

    #[test]
    fn without_a_doubt_affirms() {
        let excellent = sum("excellent");
        // `doubt` itself is rated, and negated by `without`.
        assert!(close(
            sum("without doubt excellent"),
            excellent + sum("doubt") * NEGATION
        ));
        assert!(sum("without a doubt, an excellent idea") > 0.0);
        assert!(close(sum("without excellent"), excellent * NEGATION));
    }

    #[test]
    fn capitals_strengthen_boosters() {
        let good = sum("it was good");
        assert!(close(sum("it was VERY good"), good + BOOST + CAPS_BOOST));
    }

    #[test]
    fn not_only_is_no_negation() {
        let good = sum("good");
        assert!(close(sum("not only good"), good));
    }

    #[test]
    fn least_negates_unless_at_least() {
        let compelling = sum("compelling");
        assert!(close(sum("the least compelling"), compelling * NEGATION));
        assert!(close(sum("at least compelling"), compelling));
    }

    #[test]
    fn but_shifts_weight_to_the_second_clause() {
        let good = sum("good");
        let bad = sum("bad");
        assert!(close(sum("good but bad"), good * 0.5 + bad * 1.5));
        assert!(sum("The food was good, but the service was awful") < 0.0);
        assert!(close(sum("good but also bad"), good + bad));
    }

    #[test]
    fn capitals_emphasise_when_not_everything_shouts() {
        let good = sum("it was good");
        assert!(close(sum("it was GOOD"), good + CAPS_BOOST));
        assert!(close(sum("IT WAS GOOD"), good));
        assert!(close(sum("it was BAD"), sum("it was bad") - CAPS_BOOST));
    }

    #[test]
    fn exclamation_marks_add_emphasis_up_to_four() {
        let good = sum("good");
        assert!(close(sum("good!"), good + 0.292));
        assert!(close(sum("good!!!!!!"), good + 4.0 * 0.292));
        assert!(close(sum("bad!"), sum("bad") - 0.292));
        assert!(close(sum("good??"), good + 0.36));
        // Marks alone have no direction.
        assert_eq!(sum("!!!"), 0.0);
    }

    #[test]
    fn idioms_and_emoticons() {
        assert!(sum("yeah right") < 0.0);
        assert!(sum("this dessert is to die for") > 2.0);
        assert!(sum("see you :)") > 0.0);
        assert!(sum("see you :(") < 0.0);
    }

    #[test]
    fn compound_is_squashed() {
        let v = valence("GREAT GREAT GREAT awesome awesome love love!!!!");
        assert!(v.compound > 0.9 && v.compound <= 1.0);
        assert!(close(v.compound, v.sum / (v.sum * v.sum + SQUASH).sqrt()));
        assert_eq!(valence("").compound, 0.0);
    }
}
