//! The compose form: read from a submitted body, shown with a message beside each rejected
//! field (an area error names the point), and the domain's codes as field errors.

use safir_domain::crisis::alert::{AlertForm, AlertFormErrors, max_len};
use safir_domain::crisis::cap::{Category, Certainty, ResponseType, Severity, Urgency};
use safir_domain::crisis::geo::GeoError;

use super::CapCode;
use crate::admin::support::{FormData, SelectOption, error_summary};
use crate::error::{FieldError, FieldErrors};
use crate::i18n::{I18n, Lang};

pub fn from_data(d: &FormData) -> AlertForm {
    let g = |name: &str| d.get(name).to_owned();
    AlertForm {
        headline_ar: g("headline_ar"),
        headline_en: g("headline_en"),
        description_ar: g("description_ar"),
        description_en: g("description_en"),
        instruction_ar: g("instruction_ar"),
        instruction_en: g("instruction_en"),
        category: g("category"),
        event: g("event"),
        response_type: g("response_type"),
        urgency: g("urgency"),
        severity: g("severity"),
        certainty: g("certainty"),
        onset: g("onset"),
        expires: g("expires"),
        countries: g("countries"),
        regions: g("regions"),
        circles: g("circles"),
        polygons: g("polygons"),
        geojson: g("geojson"),
        area_desc: g("area_desc"),
    }
}

/// An area error in the interface language, and the point to name in front of it (0: none).
/// English uses the library's own text, which names the point, the element and the edges;
/// other languages the catalog's `geo-<code>`, with the point named by the message.
fn geo_message(lang: Lang, e: &GeoError) -> (usize, String) {
    let key = format!("geo-{}", e.code().replace('_', "-"));
    if lang != Lang::En && I18n::global().has(lang, &key) {
        (e.point().unwrap_or(0), I18n::global().t(lang, &key))
    } else {
        (0, e.to_string())
    }
}

/// The domain's failures as field errors of the form.
pub fn field_errors(lang: Lang, errors: &AlertFormErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, e) in &errors.fields.0 {
        out.add(match e.code {
            "too_long" => FieldError::new(field, "too_long").with_arg("max", max_len(field)),
            "required" | "invalid_characters" => FieldError::new(field, e.code),
            other if other.starts_with("cap_") => FieldError::new(field, "crisis_choose"),
            other => FieldError::new(field, format!("crisis_{other}")),
        });
    }
    for (field, e) in &errors.geo {
        let (point, message) = geo_message(lang, e);
        out.add(
            FieldError::new(field, "crisis_geo")
                .with_arg("count", point)
                .with_arg("message", message),
        );
    }
    out
}

/// One field as the template shows it.
pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub hint: Option<String>,
    pub value: String,
    pub error: Option<String>,
    /// text | textarea | select | datetime-local
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<SelectOption>,
}

/// A group of fields under a legend.
pub struct FieldGroup {
    pub legend: String,
    pub fields: Vec<FieldView>,
}

pub struct AlertFormView {
    pub groups: Vec<FieldGroup>,
    pub error_summary: Option<String>,
}

/// A CAP code's choices, each by its words; the value sent is the code.
fn options(lang: Lang, code: CapCode, all: &[&'static str], current: &str) -> Vec<SelectOption> {
    let mut out = vec![SelectOption {
        value: String::new(),
        label: I18n::global().t(lang, "crisis-choose"),
        selected: current.trim().is_empty(),
    }];
    out.extend(all.iter().map(|v| SelectOption {
        value: (*v).to_owned(),
        label: code.label(lang, v),
        selected: current.trim() == *v,
    }));
    out
}

impl AlertFormView {
    /// The fields holding something, as label and value (a choice by its words), in the
    /// form's order: what was typed, shown read-only.
    pub fn filled(&self) -> Vec<(String, String)> {
        self.groups
            .iter()
            .flat_map(|g| &g.fields)
            .filter(|f| !f.value.trim().is_empty())
            .map(|f| {
                let value = match f.options.iter().find(|o| o.selected) {
                    Some(o) if f.kind == "select" => o.label.clone(),
                    _ => f.value.clone(),
                };
                (f.label.clone(), value)
            })
            .collect()
    }

    pub fn new(lang: Lang, form: &AlertForm, errors: &FieldErrors) -> AlertFormView {
        let t = |key: &str| I18n::global().t(lang, key);
        let field = |name: &'static str, kind: &'static str, value: &str, required: bool| {
            let key = format!("crisis-field-{}", name.replace('_', "-"));
            let hint_key = format!("{key}-hint");
            FieldView {
                name,
                label: t(&key),
                hint: I18n::global().has(lang, &hint_key).then(|| t(&hint_key)),
                value: value.to_owned(),
                error: errors.for_field(name).map(|e| e.message(lang)),
                kind,
                required,
                options: Vec::new(),
            }
        };
        let select =
            |name: &'static str, code: CapCode, all: &[&'static str], value: &str| FieldView {
                options: options(lang, code, all, value),
                ..field(name, "select", value, true)
            };
        let names = |all: &[&'static str]| all.to_vec();
        let categories: Vec<&'static str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        let responses: Vec<&'static str> = ResponseType::ALL.iter().map(|c| c.as_str()).collect();
        let urgencies: Vec<&'static str> = Urgency::ALL.iter().map(|c| c.as_str()).collect();
        let severities: Vec<&'static str> = Severity::ALL.iter().map(|c| c.as_str()).collect();
        let certainties: Vec<&'static str> = Certainty::ALL.iter().map(|c| c.as_str()).collect();
        let groups = vec![
            FieldGroup {
                legend: t("crisis-legend-arabic"),
                fields: vec![
                    field("headline_ar", "text", &form.headline_ar, true),
                    field("description_ar", "textarea", &form.description_ar, true),
                    field("instruction_ar", "textarea", &form.instruction_ar, false),
                ],
            },
            FieldGroup {
                legend: t("crisis-legend-english"),
                fields: vec![
                    field("headline_en", "text", &form.headline_en, true),
                    field("description_en", "textarea", &form.description_en, true),
                    field("instruction_en", "textarea", &form.instruction_en, false),
                ],
            },
            FieldGroup {
                legend: t("crisis-legend-cap"),
                fields: vec![
                    field("event", "text", &form.event, true),
                    select(
                        "category",
                        CapCode::Category,
                        &names(&categories),
                        &form.category,
                    ),
                    select(
                        "response_type",
                        CapCode::ResponseType,
                        &names(&responses),
                        &form.response_type,
                    ),
                    select(
                        "urgency",
                        CapCode::Urgency,
                        &names(&urgencies),
                        &form.urgency,
                    ),
                    select(
                        "severity",
                        CapCode::Severity,
                        &names(&severities),
                        &form.severity,
                    ),
                    select(
                        "certainty",
                        CapCode::Certainty,
                        &names(&certainties),
                        &form.certainty,
                    ),
                    field("onset", "datetime-local", &form.onset, false),
                    field("expires", "datetime-local", &form.expires, false),
                ],
            },
            FieldGroup {
                legend: t("crisis-legend-area"),
                fields: area_fields(
                    lang,
                    errors,
                    [
                        &form.countries,
                        &form.regions,
                        &form.circles,
                        &form.polygons,
                        &form.geojson,
                    ],
                    Some(&form.area_desc),
                ),
            },
        ];
        AlertFormView {
            groups,
            error_summary: error_summary(lang, errors),
        }
    }
}

/// The area fields (shared with the crisis declaration).
pub fn area_fields(
    lang: Lang,
    errors: &FieldErrors,
    values: [&str; 5],
    area_desc: Option<&str>,
) -> Vec<FieldView> {
    let t = |key: &str| I18n::global().t(lang, key);
    let names: [(&'static str, &'static str); 5] = [
        ("countries", "text"),
        ("regions", "textarea"),
        ("circles", "textarea"),
        ("polygons", "textarea"),
        ("geojson", "textarea"),
    ];
    let mut out: Vec<FieldView> = names
        .iter()
        .zip(values)
        .map(|((name, kind), value)| {
            let key = format!("crisis-field-{name}");
            FieldView {
                name,
                label: t(&key),
                hint: Some(t(&format!("{key}-hint"))),
                value: value.to_owned(),
                error: errors.for_field(name).map(|e| e.message(lang)),
                kind,
                required: false,
                options: Vec::new(),
            }
        })
        .collect();
    if let Some(desc) = area_desc {
        out.push(FieldView {
            name: "area_desc",
            label: t("crisis-field-area-desc"),
            hint: Some(t("crisis-field-area-desc-hint")),
            value: desc.to_owned(),
            error: errors.for_field("area_desc").map(|e| e.message(lang)),
            kind: "text",
            required: false,
            options: Vec::new(),
        });
    }
    out
}
