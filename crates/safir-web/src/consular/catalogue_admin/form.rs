//! The service form: what the editor typed, its validation into a `ServiceInput` with every
//! failure at once, and the view the template shows (typed values kept, errors in the page
//! language).

use safir_domain::ValidationError;
use safir_domain::consular::case::CaseKind;
use safir_domain::consular::service::{
    Currency, Fee, VISA_TYPES, check_characters, optional_text, parse_processing_days,
    parse_service_code, parse_visa_type, required_text,
};
use safir_store::consular::services::{Service, ServiceInput};

use crate::admin::support::{FormData, SelectOption, error_summary};
use crate::consular::labels;
use crate::error::{FieldError, FieldErrors};
use crate::forms::Field;
use crate::i18n::{Lang, t};

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 4000;

/// The form's values as typed (or as stored, when editing).
#[derive(Debug, Clone, Default)]
pub struct ServiceForm {
    pub kind: String,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub instructions_ar: String,
    pub instructions_en: String,
    pub documents: String,
    pub fee: String,
    pub currency: String,
    pub processing_days: String,
    pub visa_types: Vec<String>,
    pub enabled: bool,
}

impl ServiceForm {
    /// A new service's defaults: offered, in euros, ten days.
    pub fn blank() -> ServiceForm {
        ServiceForm {
            currency: "EUR".into(),
            processing_days: "10".into(),
            enabled: true,
            ..ServiceForm::default()
        }
    }

    /// What was posted; on an edit the kind is the stored one, whatever the form says.
    pub fn from_data(d: &FormData, fixed_kind: Option<&str>) -> ServiceForm {
        ServiceForm {
            kind: fixed_kind.unwrap_or(d.get("kind")).to_owned(),
            code: d.get("code").to_owned(),
            name_ar: d.get("name_ar").to_owned(),
            name_en: d.get("name_en").to_owned(),
            instructions_ar: d.get("instructions_ar").to_owned(),
            instructions_en: d.get("instructions_en").to_owned(),
            documents: d.get("documents").to_owned(),
            fee: d.get("fee").to_owned(),
            currency: d.get("currency").to_owned(),
            processing_days: d.get("processing_days").to_owned(),
            visa_types: d.all("visa_types").into_iter().map(str::to_owned).collect(),
            enabled: !d.get("enabled").is_empty(),
        }
    }

    pub fn from_service(s: &Service) -> ServiceForm {
        ServiceForm {
            kind: s.kind.clone(),
            code: s.code.clone(),
            name_ar: s.name_ar.clone(),
            name_en: s.name_en.clone(),
            instructions_ar: s.instructions_ar.clone(),
            instructions_en: s.instructions_en.clone(),
            documents: s.documents.clone(),
            fee: s.fee().map(|f| f.amount_text()).unwrap_or_default(),
            currency: s.currency.clone(),
            processing_days: s.processing_days.to_string(),
            visa_types: s.visa_types().into_iter().map(str::to_owned).collect(),
            enabled: s.enabled,
        }
    }

    /// Checks every field, collecting every failure.
    pub fn validate(&self) -> Result<ServiceInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let currency = Currency::parse(&self.currency);
        let mut check = |field: &str, max: usize, r: Result<(), ValidationError>| {
            if let Err(e) = r {
                let mut error = labels::field_error(field, &e, max);
                // "Fewer decimals" leaves the editor to guess how many: name them.
                if e.code == "fee_too_precise"
                    && let Ok(c) = &currency
                {
                    error = error
                        .with_arg("currency", c.code())
                        .with_arg("decimals", c.digits());
                }
                errors.add(error);
            }
        };
        let kind = CaseKind::parse(&self.kind);
        check("kind", 0, kind.clone().map(drop));
        let code = parse_service_code(&self.code);
        check("code", 0, code.clone().map(drop));
        let name_ar = required_text(&self.name_ar, NAME_MAX);
        check("name_ar", NAME_MAX, name_ar.clone().map(drop));
        let name_en = required_text(&self.name_en, NAME_MAX);
        check("name_en", NAME_MAX, name_en.clone().map(drop));
        let instructions_ar = optional_text(&self.instructions_ar, TEXT_MAX);
        check(
            "instructions_ar",
            TEXT_MAX,
            instructions_ar.clone().map(drop),
        );
        let instructions_en = optional_text(&self.instructions_en, TEXT_MAX);
        check(
            "instructions_en",
            TEXT_MAX,
            instructions_en.clone().map(drop),
        );
        check("currency", 0, currency.clone().map(drop));
        // The amount is read in the chosen currency's minor units; without one it cannot be.
        let fee = currency.clone().and_then(|c| Fee::parse(&self.fee, c));
        if currency.is_ok() {
            check("fee", 0, fee.clone().map(drop));
        }
        let days = parse_processing_days(&self.processing_days);
        check("processing_days", 0, days.clone().map(drop));
        let visa_types = match kind.clone() {
            Ok(CaseKind::Visa) => {
                let parsed: Result<Vec<&'static str>, ValidationError> =
                    self.visa_types.iter().map(|v| parse_visa_type(v)).collect();
                match parsed {
                    Ok(v) if v.is_empty() => Err(ValidationError::new("visa_types_required")),
                    other => other,
                }
            }
            _ => Ok(Vec::new()),
        };
        check("visa_types", 0, visa_types.clone().map(drop));
        let documents = match documents(&self.documents) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add(e);
                None
            }
        };
        match (
            kind,
            code,
            name_ar,
            name_en,
            instructions_ar,
            instructions_en,
            fee,
            days,
            visa_types,
            documents,
        ) {
            (
                Ok(kind),
                Ok(code),
                Ok(name_ar),
                Ok(name_en),
                Ok(instructions_ar),
                Ok(instructions_en),
                Ok(fee),
                Ok(processing_days),
                Ok(mut visa_types),
                Some(documents),
            ) if errors.is_empty() => {
                // Stored in catalogue order so ticking the same boxes changes nothing.
                visa_types.sort_by_key(|v| VISA_TYPES.iter().position(|x| x == v));
                visa_types.dedup();
                Ok(ServiceInput {
                    code,
                    kind,
                    name_ar,
                    name_en,
                    instructions_ar,
                    instructions_en,
                    documents,
                    fee,
                    processing_days,
                    visa_types,
                    enabled: self.enabled,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One document per line, "Arabic | English", both sides present; blank lines dropped.
fn documents(input: &str) -> Result<String, FieldError> {
    if input.chars().count() > TEXT_MAX {
        return Err(FieldError::new("documents", "too_long").with_arg("max", TEXT_MAX));
    }
    let mut out = Vec::new();
    for (i, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // As the API refuses them (a terminal escape or a bell in a document's name).
        if check_characters(line).is_err() {
            return Err(
                FieldError::new("documents", "consular_documents_characters")
                    .with_arg("line", i + 1),
            );
        }
        match line.split_once('|') {
            Some((ar, en))
                if !ar.trim().is_empty() && !en.trim().is_empty() && !en.contains('|') =>
            {
                out.push(format!("{} | {}", ar.trim(), en.trim()));
            }
            _ => {
                return Err(FieldError::new("documents", "consular_documents_format")
                    .with_arg("line", i + 1));
            }
        }
    }
    Ok(out.join("\n"))
}

/// The form as the template shows it.
pub struct ServiceFormView {
    /// `None` once the service exists: its kind is shown, not chosen.
    pub kinds: Option<Vec<SelectOption>>,
    pub kind_label: String,
    pub kind_error: Option<String>,
    pub code: Field,
    pub name_ar: Field,
    pub name_en: Field,
    pub instructions_ar: Field,
    pub instructions_en: Field,
    pub documents: Field,
    pub fee: Field,
    pub currencies: Vec<SelectOption>,
    pub currency_error: Option<String>,
    pub processing_days: Field,
    pub visa_types: Vec<SelectOption>,
    pub visa_types_error: Option<String>,
    pub enabled: bool,
    pub error_summary: Option<String>,
}

impl ServiceFormView {
    pub fn new(lang: Lang, form: &ServiceForm, editing: bool, errors: &FieldErrors) -> Self {
        let text = |name: &str, label: &str, value: &str| {
            Field::new(lang, name, label)
                .value(value)
                .errors_from(lang, errors)
        };
        let message = |name: &str| errors.for_field(name).map(|e| e.message(lang));
        let kinds = (!editing).then(|| {
            let mut options = vec![SelectOption {
                value: String::new(),
                label: t(lang, "catalogue-choose"),
                selected: form.kind.trim().is_empty(),
            }];
            options.extend(CaseKind::ALL.iter().map(|k| SelectOption {
                value: k.as_str().to_owned(),
                label: labels::kind(lang, k.as_str()),
                selected: k.as_str() == form.kind.trim(),
            }));
            options
        });
        let kind_label = CaseKind::parse(&form.kind)
            .map(|k| labels::kind(lang, k.as_str()))
            .unwrap_or_default();
        let currencies = Currency::codes()
            .map(|c| SelectOption {
                value: c.to_owned(),
                label: c.to_owned(),
                selected: c.eq_ignore_ascii_case(form.currency.trim()),
            })
            .collect();
        let visa_types = VISA_TYPES
            .iter()
            .map(|v| SelectOption {
                value: (*v).to_owned(),
                label: labels::visa_type(lang, v),
                selected: form.visa_types.iter().any(|x| x == v),
            })
            .collect();
        ServiceFormView {
            kinds,
            kind_label,
            kind_error: message("kind"),
            code: text("code", "catalogue-field-code", &form.code)
                .required()
                .hint(lang, "catalogue-field-code-hint"),
            name_ar: text("name_ar", "catalogue-field-name-ar", &form.name_ar).required(),
            name_en: text("name_en", "catalogue-field-name-en", &form.name_en).required(),
            instructions_ar: text(
                "instructions_ar",
                "catalogue-field-instructions-ar",
                &form.instructions_ar,
            ),
            instructions_en: text(
                "instructions_en",
                "catalogue-field-instructions-en",
                &form.instructions_en,
            ),
            documents: text("documents", "catalogue-field-documents", &form.documents)
                .hint(lang, "catalogue-field-documents-hint"),
            fee: text("fee", "catalogue-field-fee", &form.fee)
                .required()
                .hint(lang, "catalogue-field-fee-hint"),
            currencies,
            currency_error: message("currency"),
            processing_days: text(
                "processing_days",
                "catalogue-field-processing-days",
                &form.processing_days,
            )
            .required(),
            visa_types,
            visa_types_error: message("visa_types"),
            enabled: form.enabled,
            error_summary: error_summary(lang, errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn every_bad_field_is_reported_at_once_in_both_languages() {
        let form = ServiceForm {
            kind: "visa".into(),
            code: "1 bad".into(),
            fee: "12.345".into(),
            currency: "EUR".into(),
            processing_days: "0".into(),
            documents: "صورة | Photo\nonly one side".into(),
            ..ServiceForm::default()
        };
        let errors = form.validate().unwrap_err();
        let codes: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("code", "consular_service_code_invalid"),
                ("name_ar", "required"),
                ("name_en", "required"),
                ("fee", "consular_fee_too_precise"),
                ("processing_days", "consular_processing_days_range"),
                ("visa_types", "consular_visa_types_required"),
                ("documents", "consular_documents_format"),
            ]
        );
        for e in errors.iter() {
            for lang in Lang::ALL {
                let key = format!("field-error-{}", e.code.replace('_', "-"));
                assert!(I18n::global().has(lang, &key), "{} {key}", lang.code());
            }
        }
    }

    #[test]
    fn a_fee_with_too_many_decimals_says_how_many_the_currency_takes() {
        let cases = [
            (
                "JPY",
                "1500.5",
                "JPY takes no decimals.",
                "لا تُكتب مبالغ JPY بخانات عشرية.",
            ),
            (
                "EUR",
                "12.345",
                "EUR takes at most 2 decimals.",
                "تُكتب مبالغ EUR بخانتين عشريتين على الأكثر.",
            ),
            (
                "KWD",
                "1.2345",
                "KWD takes at most 3 decimals.",
                "تُكتب مبالغ KWD بـ3 خانات عشرية على الأكثر.",
            ),
        ];
        for (currency, fee, en, ar) in cases {
            let form = ServiceForm {
                fee: fee.into(),
                currency: currency.into(),
                ..ServiceForm::default()
            };
            let errors = form.validate().unwrap_err();
            let e = errors.for_field("fee").unwrap();
            assert_eq!(e.code, "consular_fee_too_precise");
            assert_eq!(e.message(Lang::En), en);
            assert_eq!(e.message(Lang::Ar), ar);
        }
    }

    #[test]
    fn a_document_line_with_a_control_character_is_named() {
        let form = ServiceForm {
            documents: "صورة | Photo\nجواز | Pass\u{1b}[31mport".into(),
            ..ServiceForm::default()
        };
        let errors = form.validate().unwrap_err();
        let e = errors.for_field("documents").unwrap();
        assert_eq!(e.code, "consular_documents_characters");
        let message = e.message(Lang::En);
        assert!(message.starts_with("Line 2:"), "{message}");
    }

    #[test]
    fn a_good_form_becomes_a_service() {
        let form = ServiceForm {
            kind: "visa".into(),
            code: " Schengen-C ".into(),
            name_ar: "تأشيرة".into(),
            name_en: "Visa".into(),
            documents: " صورة|Photo \n\n جواز | Passport".into(),
            fee: "٨٠".into(),
            currency: "eur".into(),
            processing_days: "15".into(),
            visa_types: vec!["transit".into(), "tourist".into(), "tourist".into()],
            enabled: true,
            ..ServiceForm::default()
        };
        let s = form.validate().unwrap();
        assert_eq!(s.code, "schengen-c");
        assert_eq!(s.documents, "صورة | Photo\nجواز | Passport");
        assert_eq!(s.fee.minor, 8000);
        assert_eq!(s.visa_types, ["tourist", "transit"]);
        let passport = ServiceForm {
            kind: "passport_renewal".into(),
            visa_types: vec!["nonsense".into()],
            ..form
        };
        assert!(passport.validate().unwrap().visa_types.is_empty());
    }
}
