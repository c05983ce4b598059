//! The ministry's PDF-extracted essay: tatweel everywhere, split words,
//! letters moved by the extraction.

use crate::shared_data;
use safir_text::repair::repair;

fn repaired_sample() -> Option<String> {
    shared_data("samples/pdf-extracted-ar.txt").map(|text| repair(&text))
}

#[test]
fn no_tatweel_or_presentation_forms_remain() {
    let Some(repaired) = repaired_sample() else {
        return;
    };
    let bad: Vec<(usize, char)> = repaired
        .char_indices()
        .filter(
            |&(_, c)| matches!(c, '\u{0640}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'),
        )
        .collect();
    assert!(bad.is_empty(), "left in the repaired sample: {bad:?}");
}

#[test]
fn keeps_the_line_structure() {
    let Some(text) = shared_data("samples/pdf-extracted-ar.txt") else {
        return;
    };
    assert_eq!(repair(&text).lines().count(), text.lines().count());
}

/// Words the extraction stretched with tatweel, split with stray spaces or
/// whose final letter it moved to the front; each must come out whole.
const WHOLE_WORDS: &[&str] = &[
    "الدبلوماسية",
    "تحقيق",
    "أهداف",
    "وتهدف",
    "العالمي",
    "لصالح",
    "وكذلك",
    "المنح",
    "المصالح",
    "أصحاب",
    "فاعلا",
    "خلال",
    "وجها",
    "بات",
    "تعريفا",
    "المدني",
    "مثلا",
    "المعلومات",
    "الإنترنت",
    "الخارجية",
    "العالم",
    "التقليدية",
    "الرقمية",
    "والاقتصادية",
    "المتنقلة",
    "الاتصالات",
];

#[test]
fn split_and_stretched_words_come_out_whole() {
    let Some(repaired) = repaired_sample() else {
        return;
    };
    let words: std::collections::HashSet<&str> = repaired
        .split(|c: char| c.is_whitespace() || "،؛:.()«»".contains(c))
        .collect();
    let missing: Vec<&&str> = WHOLE_WORDS
        .iter()
        .filter(|w| !words.contains(**w))
        .collect();
    assert!(missing.is_empty(), "not found whole: {missing:?}");
}

#[test]
fn fragments_of_split_words_are_gone() {
    let Some(repaired) = repaired_sample() else {
        return;
    };
    for fragment in [
        "بذل ",
        " كوكذل",
        " حالمن",
        "وجه ا",
        "فاع لا",
        "خلا ل",
        " ا لمدني",
    ] {
        assert!(
            !repaired.contains(fragment),
            "fragment {fragment:?} remains"
        );
    }
}
