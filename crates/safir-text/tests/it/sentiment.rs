//! Sentiment: the shipped models answer, and retraining reproduces the shipped
//! Arabic model byte for byte (skipped when `../shared/data` is absent).

use safir_text::lang::Lang;
use safir_text::sentiment::{
    ARABIC_MODEL, Label, TrainConfig, parse_arsarcasm, sentiment, sentiment_in, train,
};

#[test]
fn retraining_reproduces_the_shipped_arabic_model() {
    let Some(csv) = super::shared_data("arsarcasm-v2/train.csv") else {
        return;
    };
    let examples = parse_arsarcasm(&csv).expect("training split parses");
    assert_eq!(examples.len(), 12_548);
    let model = train(&examples, &TrainConfig::DEFAULT);
    assert!(
        model.to_bytes() == ARABIC_MODEL,
        "retrained model differs from models/sentiment-ar.bin: run `safir text train-sentiment`"
    );
}

#[test]
fn clear_arabic_posts() {
    let cases = [
        ("شكرا للسفارة على سرعة الاستجابة، خدمة ممتازة 😍", Label::Pos),
        ("الله يوفقكم ويحفظكم، ما شاء الله عمل رائع", Label::Pos),
        ("حسبي الله ونعم الوكيل فيكم، فشل وظلم", Label::Neg),
        ("المكتب يفتح الساعة التاسعة", Label::Neu),
    ];
    for (text, expected) in cases {
        let s = sentiment(text);
        assert_eq!(s.label, expected, "{text}");
        assert!(s.score > 0.33 && s.score <= 1.0);
    }
}

#[test]
fn clear_english_posts() {
    assert_eq!(sentiment("Great service, I loved it!").label, Label::Pos);
    assert_eq!(
        sentiment("Terrible experience, a complete waste of money.").label,
        Label::Neg
    );
    assert_eq!(
        sentiment_in("Not good at all, very disappointing.", Lang::En).map(|s| s.label),
        Some(Label::Neg)
    );
}

#[test]
fn languages_without_a_model_get_none() {
    assert_eq!(sentiment_in("Un service excellent", Lang::Fr), None);
}

#[test]
fn posts_without_words_are_neutral() {
    for text in ["", "   ", "... ،"] {
        let s = sentiment(text);
        assert_eq!((s.label, s.score), (Label::Neu, 1.0), "{text:?}");
    }
}
