//! Translated names of consular values (states, kinds, priorities, reasons) and the mapping of
//! domain validation codes to this context's field messages.

use safir_domain::ValidationError;
use safir_domain::consular::forms::{COLLECTION_METHODS, EMERGENCY_CATEGORIES};
use safir_domain::consular::service::VISA_TYPES;

use crate::error::{FieldError, FieldErrors};
use crate::i18n::{Lang, t};

fn key(prefix: &str, code: &str) -> String {
    let mut key = String::with_capacity(prefix.len() + 1 + code.len());
    key.push_str(prefix);
    key.push('-');
    key.extend(code.chars().map(|c| if c == '_' { '-' } else { c }));
    key
}

pub fn state(lang: Lang, code: &str) -> String {
    t(lang, &key("case-state", code))
}

/// The state as the applicant reads it: a document to be sent by courier is not waiting
/// for collection but on its way.
pub fn state_for_applicant(lang: Lang, code: &str, form: &str) -> String {
    if code == "ready_for_collection" && sent_by_courier(form) {
        return t(lang, "case-state-ready-sent-by-courier");
    }
    state(lang, code)
}

/// The state as an officer reads it on a case whose document goes by courier (`courier`):
/// ready, to be sent rather than collected.
pub fn state_for_officer(lang: Lang, code: &str, courier: bool) -> String {
    if code == "ready_for_collection" && courier {
        return t(lang, "officer-state-ready-courier");
    }
    state(lang, code)
}

/// An action's name on the officers' case page: marking ready a document that goes by
/// courier says so, and taking on an emergency is acknowledging it (what its deadline and
/// escalation wait for).
pub fn action_for_officer(lang: Lang, code: &str, emergency: bool, courier: bool) -> String {
    if code == "mark_ready_for_collection" && courier {
        return t(lang, "officer-action-ready-courier");
    }
    if code == "start_review" && emergency {
        return t(lang, "officer-action-acknowledge");
    }
    action(lang, code)
}

/// Whether the applicant asked for the document by courier (the case's form, as stored).
fn sent_by_courier(form: &str) -> bool {
    serde_json::from_str::<std::collections::BTreeMap<String, String>>(form)
        .is_ok_and(|f| f.get("collection").is_some_and(|c| c == "courier"))
}

pub fn kind(lang: Lang, code: &str) -> String {
    t(lang, &key("case-kind", code))
}

pub fn action(lang: Lang, code: &str) -> String {
    t(lang, &key("case-action", code))
}

pub fn priority(lang: Lang, code: &str) -> String {
    t(lang, &key("case-priority", code))
}

pub fn reason(lang: Lang, code: &str) -> String {
    t(lang, &key("case-reason", code))
}

pub fn visa_type(lang: Lang, code: &str) -> String {
    t(lang, &key("visa-type", code))
}

pub fn emergency_category(lang: Lang, code: &str) -> String {
    t(lang, &key("emergency-category", code))
}

/// A value of an application form as its readers see it: a code of the form's lists (visa
/// type, emergency category, collection, nationality) in words; anything else as it is, and
/// so a code the lists do not know (what an applicant typed into a form already past editing
/// is shown back as typed, not as a message key).
pub fn declared(lang: Lang, field: &str, value: &str) -> String {
    match field {
        "visa_type" if VISA_TYPES.contains(&value) => visa_type(lang, value),
        "category" if EMERGENCY_CATEGORIES.contains(&value) => emergency_category(lang, value),
        "collection" if COLLECTION_METHODS.contains(&value) => {
            t(lang, &key("field-collection", value))
        }
        "nationality" => crate::staff::labels::country(lang, value),
        _ => value.to_owned(),
    }
}

/// The content language matching the interface language (names stored per language).
pub fn content(lang: Lang) -> safir_domain::Lang {
    crate::staff::labels::content_lang(lang)
}

/// A domain failure under this context's messages; the shared codes keep theirs.
pub fn field_error(field: &str, e: &ValidationError, max: usize) -> FieldError {
    let error = match e.code {
        code if FieldError::is_site_wide(code) => FieldError::new(field, code),
        "too_long" => FieldError::new(field, "too_long").with_arg("max", max),
        "birth_date_too_early" => FieldError::new(field, "consular_birth_date_too_early").with_arg(
            "earliest",
            safir_domain::consular::forms::EARLIEST_BIRTH_DATE.format("%Y-%m-%d"),
        ),
        other => FieldError::new(field, format!("consular_{other}")),
    };
    let error = match e.at {
        Some((line, column)) => error.with_arg("line", line).with_arg("column", column),
        None => error,
    };
    e.counts
        .iter()
        .fold(error, |error, &(name, value)| error.with_arg(name, value))
}

/// Converts the domain's field errors of a form.
pub fn field_errors(errors: &safir_domain::FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, e) in &errors.0 {
        out.add(field_error(
            field,
            e,
            safir_domain::consular::forms::max_len(field),
        ));
    }
    out
}

pub use crate::admin::support::{error_summary, rejected};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_sent_by_courier_is_not_waiting_for_collection() {
        let courier = r#"{"collection":"courier","courier_address":"12 rue de la Paix"}"#;
        let counter = r#"{"collection":"mission"}"#;
        let code = "ready_for_collection";
        assert_eq!(
            state_for_applicant(Lang::En, code, courier),
            "Ready and sent by courier"
        );
        assert_eq!(
            state_for_applicant(Lang::En, code, counter),
            "Ready for collection"
        );
        assert_eq!(
            state_for_applicant(Lang::En, code, "not json"),
            "Ready for collection"
        );
        assert_eq!(
            state_for_applicant(Lang::En, "approved", courier),
            state(Lang::En, "approved")
        );
    }
}
