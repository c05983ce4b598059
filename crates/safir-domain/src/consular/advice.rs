//! Travel advice per country: the four advice levels, the advice text in Arabic and English
//! (a summary and four sections), and the note that explains each published change.

use std::fmt;

use crate::audit::AuditAction;
use crate::{CountryCode, FieldErrors, Lang, ValidationError};

/// A ministry staff member published a new version of a country's advice.
pub const ADVICE_PUBLISH: AuditAction = AuditAction::new("travel_advice.publish");

/// How strongly the ministry advises against travel, from 1 (normal precautions) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AdviceLevel {
    ExerciseNormalPrecautions,
    ExerciseIncreasedCaution,
    ReconsiderTravel,
    DoNotTravel,
}

impl AdviceLevel {
    pub const ALL: [AdviceLevel; 4] = [
        AdviceLevel::ExerciseNormalPrecautions,
        AdviceLevel::ExerciseIncreasedCaution,
        AdviceLevel::ReconsiderTravel,
        AdviceLevel::DoNotTravel,
    ];

    /// The level's number, 1 to 4, as shown in badges and stored.
    pub fn number(self) -> u8 {
        match self {
            AdviceLevel::ExerciseNormalPrecautions => 1,
            AdviceLevel::ExerciseIncreasedCaution => 2,
            AdviceLevel::ReconsiderTravel => 3,
            AdviceLevel::DoNotTravel => 4,
        }
    }

    /// A stable snake_case name (`do_not_travel`) for programs and message keys.
    pub fn key(self) -> &'static str {
        match self {
            AdviceLevel::ExerciseNormalPrecautions => "exercise_normal_precautions",
            AdviceLevel::ExerciseIncreasedCaution => "exercise_increased_caution",
            AdviceLevel::ReconsiderTravel => "reconsider_travel",
            AdviceLevel::DoNotTravel => "do_not_travel",
        }
    }

    pub fn from_number(n: i64) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|l| i64::from(l.number()) == n)
            .ok_or(ValidationError::new("advice_level_unknown"))
    }

    /// Parses the number as typed in a form (`"3"`).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        crate::validation::ascii_number(s)
            .parse::<i64>()
            .map_err(|_| ValidationError::new("advice_level_unknown"))
            .and_then(Self::from_number)
    }
}

impl fmt::Display for AdviceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

/// The four sections of an advice text, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdviceSection {
    SafetyAndSecurity,
    EntryRequirements,
    Health,
    LocalLaws,
}

impl AdviceSection {
    pub const ALL: [AdviceSection; 4] = [
        AdviceSection::SafetyAndSecurity,
        AdviceSection::EntryRequirements,
        AdviceSection::Health,
        AdviceSection::LocalLaws,
    ];

    /// A stable snake_case name: the API's member and the form field's stem.
    pub fn key(self) -> &'static str {
        match self {
            AdviceSection::SafetyAndSecurity => "safety_and_security",
            AdviceSection::EntryRequirements => "entry_requirements",
            AdviceSection::Health => "health",
            AdviceSection::LocalLaws => "local_laws",
        }
    }
}

/// Longest summary, in characters: a paragraph that fits a list and a feed entry.
pub const SUMMARY_MAX: usize = 1_000;
/// Longest section, in characters.
pub const SECTION_MAX: usize = 20_000;
/// Longest note on what changed, in characters.
pub const CHANGE_MAX: usize = 300;

/// The advice in one language. The summary is required; a section may be empty (nothing
/// particular to say), and is then not shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceText {
    summary: String,
    sections: [String; 4],
}

impl AdviceText {
    /// Wraps text read back from storage, which was validated when it was published.
    pub fn from_trusted(summary: String, sections: [String; 4]) -> Self {
        Self { summary, sections }
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    pub fn section(&self, section: AdviceSection) -> &str {
        &self.sections[section as usize]
    }
}

/// What was typed or sent, before validation. Field names are those of [`RawAdvice::field`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAdvice {
    pub level: String,
    pub ar: RawAdviceText,
    pub en: RawAdviceText,
    pub change_ar: String,
    pub change_en: String,
}

/// One language of [`RawAdvice`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawAdviceText {
    pub summary: String,
    /// In the order of [`AdviceSection::ALL`].
    pub sections: [String; 4],
}

impl RawAdvice {
    /// The field name used in errors: `summary_ar`, `health_en`, `change_summary_ar`, `level`.
    pub fn field(stem: &str, lang: Lang) -> String {
        format!("{stem}_{}", lang.code())
    }
}

/// A note in both languages on what a published version changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNote {
    pub ar: String,
    pub en: String,
}

impl ChangeNote {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.ar,
            Lang::En | Lang::Fr => &self.en,
        }
    }
}

/// A country's advice ready to publish: every part validated. Arabic and English are both
/// required (unlike [`crate::Localized`], where only Arabic is), because citizens and the
/// foreign press read it in either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TravelAdvice {
    pub country: CountryCode,
    pub level: AdviceLevel,
    pub ar: AdviceText,
    pub en: AdviceText,
    pub change: ChangeNote,
}

impl TravelAdvice {
    /// Checks every field, reporting each failure under its field name at once.
    pub fn parse(country: CountryCode, raw: &RawAdvice) -> Result<TravelAdvice, FieldErrors> {
        let mut errors = FieldErrors::new();
        let level = errors.check("level", AdviceLevel::parse(&raw.level));
        let ar = parse_text(&raw.ar, Lang::Ar, &mut errors);
        let en = parse_text(&raw.en, Lang::En, &mut errors);
        let change_ar = errors.check(
            "change_summary_ar",
            text(&raw.change_ar, CHANGE_MAX, true, false),
        );
        let change_en = errors.check(
            "change_summary_en",
            text(&raw.change_en, CHANGE_MAX, true, false),
        );
        match (level, ar, en, change_ar, change_en) {
            (Some(level), Some(ar), Some(en), Some(change_ar), Some(change_en))
                if errors.is_empty() =>
            {
                Ok(TravelAdvice {
                    country,
                    level,
                    ar,
                    en,
                    change: ChangeNote {
                        ar: change_ar,
                        en: change_en,
                    },
                })
            }
            _ => Err(errors),
        }
    }

    pub fn text(&self, lang: Lang) -> &AdviceText {
        match lang {
            Lang::Ar => &self.ar,
            Lang::En | Lang::Fr => &self.en,
        }
    }
}

fn parse_text(raw: &RawAdviceText, lang: Lang, errors: &mut FieldErrors) -> Option<AdviceText> {
    let summary = errors.check(
        &RawAdvice::field("summary", lang),
        text(&raw.summary, SUMMARY_MAX, true, true),
    );
    let mut sections: [Option<String>; 4] = Default::default();
    for (i, section) in AdviceSection::ALL.iter().enumerate() {
        sections[i] = errors.check(
            &RawAdvice::field(section.key(), lang),
            text(&raw.sections[i], SECTION_MAX, false, true),
        );
    }
    let [Some(a), Some(b), Some(c), Some(d)] = sections else {
        return None;
    };
    Some(AdviceText {
        summary: summary?,
        sections: [a, b, c, d],
    })
}

/// Trimmed text of at most `max` characters, with line breaks only where `multiline`.
/// Line endings are stored as `\n` so a text pasted from any system compares equal.
fn text(
    input: &str,
    max: usize,
    required: bool,
    multiline: bool,
) -> Result<String, ValidationError> {
    // Invisible characters alone (a right-to-left mark pasted with Arabic text) are as
    // empty as spaces.
    let s = crate::validation::trim_blank(input)
        .replace("\r\n", "\n")
        .replace('\r', "\n");
    if s.is_empty() {
        return if required {
            Err(ValidationError::new("required"))
        } else {
            Ok(s)
        };
    }
    if s.chars().count() > max {
        return Err(ValidationError::new("too_long"));
    }
    let allowed = |c: char| !c.is_control() || (multiline && (c == '\n' || c == '\t'));
    if !s.chars().all(allowed) {
        return Err(ValidationError::new("invalid_characters"));
    }
    Ok(s)
}

/// The longest accepted value of a field, for "enter at most N characters".
pub fn max_len(field: &str) -> usize {
    if field.starts_with("summary_") {
        SUMMARY_MAX
    } else if field.starts_with("change_summary_") {
        CHANGE_MAX
    } else {
        SECTION_MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawAdvice {
        let text = |summary: &str| RawAdviceText {
            summary: summary.into(),
            sections: [
                "Avoid demonstrations.\r\nCarry your passport.".into(),
                String::new(),
                "Drink bottled water.".into(),
                String::new(),
            ],
        };
        RawAdvice {
            level: " 3 ".into(),
            ar: text("أعد النظر في السفر."),
            en: text("Reconsider travel."),
            change_ar: "رفع المستوى.".into(),
            change_en: "Level raised.".into(),
        }
    }

    fn france() -> CountryCode {
        CountryCode::parse("FR").unwrap()
    }

    #[test]
    fn levels_have_numbers_keys_and_refuse_the_rest() {
        assert_eq!(
            AdviceLevel::ALL.map(AdviceLevel::number),
            [1, 2, 3, 4],
            "levels in order"
        );
        assert_eq!(AdviceLevel::parse("4").unwrap(), AdviceLevel::DoNotTravel);
        assert_eq!(AdviceLevel::DoNotTravel.key(), "do_not_travel");
        for bad in ["0", "5", "-1", "three", "1.5"] {
            assert_eq!(
                AdviceLevel::parse(bad).unwrap_err().code,
                "advice_level_unknown",
                "{bad}"
            );
        }
        assert_eq!(AdviceLevel::parse(" ").unwrap_err().code, "required");
        assert_eq!(
            AdviceLevel::from_number(2).unwrap(),
            AdviceLevel::ExerciseIncreasedCaution
        );
    }

    #[test]
    fn good_advice_parses_with_line_endings_made_uniform() {
        let advice = TravelAdvice::parse(france(), &raw()).unwrap();
        assert_eq!(advice.level, AdviceLevel::ReconsiderTravel);
        assert_eq!(advice.text(Lang::En).summary(), "Reconsider travel.");
        assert_eq!(
            advice
                .text(Lang::Ar)
                .section(AdviceSection::SafetyAndSecurity),
            "Avoid demonstrations.\nCarry your passport."
        );
        assert_eq!(advice.text(Lang::En).section(AdviceSection::LocalLaws), "");
        assert_eq!(advice.change.get(Lang::En), "Level raised.");
    }

    #[test]
    fn both_summaries_and_both_change_notes_are_required() {
        let mut r = raw();
        // Blank, or only invisible marks (a right-to-left mark pasted with Arabic text).
        r.en.summary = " \u{200F} ".into();
        r.change_ar = "\u{200B}".into();
        r.level = "9".into();
        let errors = TravelAdvice::parse(france(), &r).unwrap_err();
        let got: Vec<(&str, &str)> = errors.0.iter().map(|(f, e)| (f.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("level", "advice_level_unknown"),
                ("summary_en", "required"),
                ("change_summary_ar", "required"),
            ]
        );
    }

    #[test]
    fn lengths_and_control_characters_are_checked_per_field() {
        let mut r = raw();
        r.ar.summary = "س".repeat(SUMMARY_MAX + 1);
        r.en.sections[1] = "x".repeat(SECTION_MAX + 1);
        r.en.sections[3] = "bell\u{7}".into();
        r.change_en = "two\nlines".into();
        let errors = TravelAdvice::parse(france(), &r).unwrap_err();
        let got: Vec<(&str, &str)> = errors.0.iter().map(|(f, e)| (f.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("summary_ar", "too_long"),
                ("entry_requirements_en", "too_long"),
                ("local_laws_en", "invalid_characters"),
                ("change_summary_en", "invalid_characters"),
            ]
        );
        assert_eq!(max_len("summary_ar"), SUMMARY_MAX);
        assert_eq!(max_len("change_summary_en"), CHANGE_MAX);
        assert_eq!(max_len("health_en"), SECTION_MAX);
        // Exactly at the limit is fine, counted in characters, not bytes.
        let mut r = raw();
        r.ar.summary = "س".repeat(SUMMARY_MAX);
        assert!(TravelAdvice::parse(france(), &r).is_ok());
    }
}
