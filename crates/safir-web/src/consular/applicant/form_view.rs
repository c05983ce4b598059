//! The application form as inputs to render: one section per part of the form, each input
//! with its label, what the applicant typed, and its error in the page language.

use std::collections::BTreeMap;

use safir_domain::consular::case::CaseKind;
use safir_domain::consular::forms::{COLLECTION_METHODS, EMERGENCY_CATEGORIES};

use crate::consular::labels;
use crate::error::FieldErrors;
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Select {
    pub name: String,
    pub label: String,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
    /// Radio buttons for short lists, a drop-down otherwise.
    pub radios: bool,
}

impl Select {
    pub fn input_id(&self) -> String {
        format!("field-{}", self.name)
    }

    pub fn error_id(&self) -> String {
        format!("field-{}-error", self.name)
    }
}

pub enum Input {
    Line(Field),
    Area(Field),
    Choose(Select),
}

pub struct Section {
    pub heading: String,
    pub inputs: Vec<Input>,
}

struct Ctx<'a> {
    lang: Lang,
    form: &'a BTreeMap<String, String>,
    errors: &'a FieldErrors,
}

impl Ctx<'_> {
    fn value(&self, name: &str) -> String {
        self.form.get(name).cloned().unwrap_or_default()
    }

    fn field(&self, name: &str, kind: InputKind, required: bool) -> Field {
        let mut f = Field::new(
            self.lang,
            name,
            &format!("field-{}", name.replace('_', "-")),
        )
        .kind(kind)
        .value(self.value(name))
        .errors_from(self.lang, self.errors);
        if required {
            f = f.required();
        }
        f
    }

    fn line(&self, name: &str, kind: InputKind, required: bool) -> Input {
        Input::Line(self.field(name, kind, required))
    }

    fn area(&self, name: &str, required: bool) -> Input {
        Input::Area(self.field(name, InputKind::Text, required))
    }

    fn select(&self, name: &str, options: Vec<(String, String)>, radios: bool) -> Input {
        let current = self.value(name);
        Input::Choose(Select {
            name: name.to_owned(),
            label: crate::i18n::t(self.lang, &format!("field-{}", name.replace('_', "-"))),
            choices: options
                .into_iter()
                .map(|(value, label)| Choice {
                    selected: value == current,
                    value,
                    label,
                })
                .collect(),
            error: self.errors.for_field(name).map(|e| e.message(self.lang)),
            radios,
        })
    }

    fn heading(&self, key: &str) -> String {
        crate::i18n::t(self.lang, key)
    }
}

fn countries(lang: Lang) -> Vec<(String, String)> {
    std::iter::once((String::new(), String::from("—")))
        .chain(
            crate::staff::labels::countries_by_name(lang)
                .into_iter()
                .map(|(code, name)| (code.as_str().to_owned(), name.to_owned())),
        )
        .collect()
}

/// The sections of `kind`'s form. `visa_types` are the categories the mission offers.
pub fn sections(
    lang: Lang,
    kind: CaseKind,
    form: &BTreeMap<String, String>,
    errors: &FieldErrors,
    visa_types: &[&str],
) -> Vec<Section> {
    let c = Ctx { lang, form, errors };
    let identity = |with_birth_place: bool| {
        let mut v = vec![
            c.line("surname", InputKind::Text, true),
            c.line("given_names", InputKind::Text, true),
            c.line("birth_date", InputKind::Date, true),
        ];
        if with_birth_place {
            v.push(c.line("birth_place", InputKind::Text, true));
        }
        v
    };
    let mrz = || {
        let mut f = c.field("mrz", InputKind::Text, false);
        f = f.hint(lang, "apply-mrz-hint");
        Input::Area(f)
    };
    match kind {
        CaseKind::PassportRenewal => vec![
            Section {
                heading: c.heading("apply-section-identity"),
                inputs: {
                    let mut v = identity(true);
                    v.push(c.line("phone", InputKind::Tel, true));
                    v
                },
            },
            Section {
                heading: c.heading("apply-section-passport"),
                inputs: vec![
                    c.line("passport_number", InputKind::Text, true),
                    c.line("passport_expiry", InputKind::Date, true),
                    mrz(),
                ],
            },
            Section {
                heading: c.heading("apply-section-collection"),
                inputs: vec![
                    c.select(
                        "collection",
                        COLLECTION_METHODS
                            .iter()
                            .map(|m| {
                                (
                                    (*m).to_owned(),
                                    crate::i18n::t(lang, &format!("field-collection-{m}")),
                                )
                            })
                            .collect(),
                        true,
                    ),
                    c.area("courier_address", false),
                ],
            },
        ],
        CaseKind::EmergencyTravelDocument => vec![
            Section {
                heading: c.heading("apply-section-identity"),
                inputs: {
                    let mut v = identity(true);
                    v.push(c.line("phone", InputKind::Tel, true));
                    v
                },
            },
            Section {
                heading: c.heading("apply-section-passport"),
                inputs: vec![
                    c.line("passport_number", InputKind::Text, true),
                    c.line("police_report", InputKind::Text, false),
                ],
            },
            Section {
                heading: c.heading("apply-section-travel"),
                inputs: vec![
                    c.line("travel_date", InputKind::Date, true),
                    c.line("destination", InputKind::Text, true),
                ],
            },
        ],
        CaseKind::Visa => vec![
            Section {
                heading: c.heading("apply-section-identity"),
                inputs: {
                    let mut v = identity(false);
                    v.push(c.select("nationality", countries(lang), false));
                    v
                },
            },
            Section {
                heading: c.heading("apply-section-passport"),
                inputs: vec![
                    c.line("passport_number", InputKind::Text, true),
                    c.line("passport_expiry", InputKind::Date, true),
                    mrz(),
                ],
            },
            Section {
                heading: c.heading("apply-section-travel"),
                inputs: vec![
                    c.select(
                        "visa_type",
                        visa_types
                            .iter()
                            .map(|t| ((*t).to_owned(), labels::visa_type(lang, t)))
                            .collect(),
                        true,
                    ),
                    c.line("arrival_date", InputKind::Date, true),
                    c.line("departure_date", InputKind::Date, true),
                    c.area("itinerary", true),
                    c.line("host_name", InputKind::Text, false),
                    c.area("host_address", false),
                    c.line("fee_reference", InputKind::Text, false),
                ],
            },
        ],
        CaseKind::Emergency => vec![Section {
            heading: c.heading("apply-section-emergency"),
            inputs: vec![
                c.select(
                    "category",
                    EMERGENCY_CATEGORIES
                        .iter()
                        .map(|k| ((*k).to_owned(), labels::emergency_category(lang, k)))
                        .collect(),
                    true,
                ),
                c.area("description", true),
                c.line("location", InputKind::Text, true),
                c.line("latitude", InputKind::Text, false),
                c.line("longitude", InputKind::Text, false),
                c.line("phone", InputKind::Tel, true),
                c.line("given_names", InputKind::Text, false),
                c.line("surname", InputKind::Text, false),
            ],
        }],
    }
}

/// A form's values and labels for display (the applicant's and the officer's case pages).
pub fn summary(
    lang: Lang,
    kind: CaseKind,
    form: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    safir_domain::consular::forms::fields(kind)
        .iter()
        .filter(|f| safir_domain::consular::forms::applies(form, f))
        .filter_map(|f| {
            let v = form.get(*f).map(|s| s.trim()).filter(|s| !s.is_empty())?;
            Some((
                crate::i18n::t(lang, &format!("field-{}", f.replace('_', "-"))),
                labels::declared(lang, f, v),
            ))
        })
        .collect()
}
