//! The advice editing form: what the editor typed (or what is in force, when opening it),
//! and the form as the template shows it, with a message beside each rejected field.

use safir_domain::Lang as ContentLang;
use safir_domain::consular::advice::{AdviceLevel, AdviceSection, RawAdvice, RawAdviceText};
use safir_store::consular::advice::AdviceVersion;

use super::level_label;
use crate::admin::support::{FormData, SelectOption, error_summary};
use crate::error::FieldErrors;
use crate::forms::Field;
use crate::i18n::Lang;

/// The form's values; `base_version` is the version in force when the editor opened it.
#[derive(Debug, Clone, Default)]
pub struct AdviceForm {
    pub raw: RawAdvice,
    pub base_version: i32,
}

fn text_from(d: &FormData, lang: ContentLang) -> RawAdviceText {
    let field = |stem: &str| d.get(&RawAdvice::field(stem, lang)).to_owned();
    RawAdviceText {
        summary: field("summary"),
        sections: AdviceSection::ALL.map(|s| field(s.key())),
    }
}

impl AdviceForm {
    pub fn from_data(d: &FormData) -> AdviceForm {
        AdviceForm {
            raw: RawAdvice {
                level: d.get("level").to_owned(),
                ar: text_from(d, ContentLang::Ar),
                en: text_from(d, ContentLang::En),
                change_ar: d.get("change_summary_ar").to_owned(),
                change_en: d.get("change_summary_en").to_owned(),
            },
            // A missing or mangled value counts as "no advice seen", which conflicts with any
            // published version rather than overwriting it.
            base_version: d.get("base_version").trim().parse().unwrap_or(0),
        }
    }

    /// The advice in force, to edit; the change notes start empty (each version has its own).
    pub fn from_version(v: Option<&AdviceVersion>) -> AdviceForm {
        let Some(v) = v else {
            return AdviceForm::default();
        };
        let text = |lang: ContentLang| {
            let t = v.text(lang);
            RawAdviceText {
                summary: t.summary().to_owned(),
                sections: AdviceSection::ALL.map(|s| t.section(s).to_owned()),
            }
        };
        AdviceForm {
            raw: RawAdvice {
                level: v.level.number().to_string(),
                ar: text(ContentLang::Ar),
                en: text(ContentLang::En),
                change_ar: String::new(),
                change_en: String::new(),
            },
            base_version: v.version,
        }
    }
}

/// One language's fields.
pub struct LanguageFields {
    pub legend_key: &'static str,
    pub summary: Field,
    pub sections: Vec<Field>,
    pub change: Field,
}

/// The form as the template shows it.
pub struct AdviceFormView {
    pub levels: Vec<SelectOption>,
    pub level_error: Option<String>,
    pub languages: Vec<LanguageFields>,
    pub base_version: i32,
    pub error_summary: Option<String>,
}

impl AdviceFormView {
    pub fn new(lang: Lang, form: &AdviceForm, errors: &FieldErrors) -> AdviceFormView {
        let languages = [
            (
                ContentLang::Ar,
                &form.raw.ar,
                &form.raw.change_ar,
                "advice-admin-arabic",
            ),
            (
                ContentLang::En,
                &form.raw.en,
                &form.raw.change_en,
                "advice-admin-english",
            ),
        ]
        .into_iter()
        .map(|(content, text, change, legend_key)| {
            let field = |stem: &str, label: &str, value: &str| {
                Field::new(lang, &RawAdvice::field(stem, content), label)
                    .value(value)
                    .errors_from(lang, errors)
            };
            LanguageFields {
                legend_key,
                summary: field("summary", "advice-field-summary", &text.summary)
                    .required()
                    .hint(lang, "advice-hint-summary"),
                sections: AdviceSection::ALL
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let label = format!("advice-section-{}", s.key().replace('_', "-"));
                        field(s.key(), &label, &text.sections[i]).hint(lang, "advice-hint-section")
                    })
                    .collect(),
                change: field("change_summary", "advice-field-change", change)
                    .required()
                    .hint(lang, "advice-hint-change"),
            }
        })
        .collect();
        AdviceFormView {
            levels: AdviceLevel::ALL
                .iter()
                .map(|l| SelectOption {
                    value: l.number().to_string(),
                    label: format!("{} — {}", l.number(), level_label(lang, *l)),
                    selected: form.raw.level.trim() == l.number().to_string(),
                })
                .collect(),
            level_error: errors.for_field("level").map(|e| e.message(lang)),
            languages,
            base_version: form.base_version,
            error_summary: error_summary(lang, errors),
        }
    }
}
