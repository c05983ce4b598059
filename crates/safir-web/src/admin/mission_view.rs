//! The mission form as the template shows it: typed values, select options labelled in the
//! page language, and a message beside each rejected field.

use safir_domain::mission::MissionKind;

use super::mission_form::{CONTENT_LANGS, MissionForm};
use super::support::{SelectOption, error_summary};
use crate::error::FieldErrors;
use crate::forms::{Field, InputKind};
use crate::i18n::{I18n, Lang};
use crate::staff::labels;

/// The form as the template shows it.
pub struct MissionFormView {
    pub code: Field,
    pub name_ar: Field,
    pub name_en: Field,
    pub city_ar: Field,
    pub city_en: Field,
    pub time_zone: Field,
    pub email: Field,
    pub phone: Field,
    pub address: Field,
    pub kinds: Vec<SelectOption>,
    pub kind_error: Option<String>,
    pub countries: Vec<SelectOption>,
    pub country_error: Option<String>,
    pub languages: Vec<SelectOption>,
    pub languages_error: Option<String>,
    /// "Please correct the N fields marked below", when any failed.
    pub error_summary: Option<String>,
}

impl MissionFormView {
    pub fn new(lang: Lang, form: &MissionForm, errors: &FieldErrors) -> MissionFormView {
        let text = |name: &str, label: &str, value: &str| {
            Field::new(lang, name, label)
                .value(value)
                .errors_from(lang, errors)
        };
        let message = |name: &str| errors.for_field(name).map(|e| e.message(lang));
        let countries: Vec<SelectOption> = labels::countries_by_name(lang)
            .into_iter()
            .map(|(c, name)| SelectOption {
                selected: c.as_str().eq_ignore_ascii_case(form.country.trim()),
                value: c.as_str().to_owned(),
                label: name.to_owned(),
            })
            .collect();
        MissionFormView {
            code: text("code", "mission-field-code", &form.code)
                .required()
                .hint(lang, "mission-hint-code"),
            name_ar: text("name_ar", "mission-field-name-ar", &form.name_ar).required(),
            name_en: text("name_en", "mission-field-name-en", &form.name_en).required(),
            city_ar: text("city_ar", "mission-field-city-ar", &form.city_ar).required(),
            city_en: text("city_en", "mission-field-city-en", &form.city_en).required(),
            time_zone: text("time_zone", "mission-field-time-zone", &form.time_zone)
                .required()
                .hint(lang, "mission-hint-time-zone"),
            email: text("email", "mission-field-email", &form.email).kind(InputKind::Email),
            phone: text("phone", "mission-field-phone", &form.phone).kind(InputKind::Tel),
            address: text("address", "mission-field-address", &form.address),
            kinds: MissionKind::ALL
                .iter()
                .map(|k| SelectOption {
                    value: k.as_str().to_owned(),
                    label: labels::mission_kind(lang, k.as_str()),
                    selected: form.kind.trim() == k.as_str(),
                })
                .collect(),
            kind_error: message("kind"),
            countries,
            country_error: message("country"),
            languages: CONTENT_LANGS
                .iter()
                .map(|l| SelectOption {
                    value: l.code().to_owned(),
                    label: I18n::global().t(lang, &format!("content-language-{}", l.code())),
                    selected: form.languages.iter().any(|c| c.trim() == l.code()),
                })
                .collect(),
            languages_error: message("languages"),
            error_summary: error_summary(lang, errors),
        }
    }
}
