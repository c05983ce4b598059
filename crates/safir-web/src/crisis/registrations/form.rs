//! The registration form shared by the account pages and the crisis presence form: reading
//! the submitted fields into the domain's input, turning its codes into field errors, and
//! the view that puts typed values and errors back beside their fields.

use safir_domain::FieldErrors as DomainErrors;
use safir_domain::crisis::registration::{
    CompanionInput, MAX_PLACES, PlaceInput, RegistrationInput, companion_field, place_field,
};

use crate::admin::support::{FormData, REQUEST_KEY};
use crate::error::{FieldError, FieldErrors};
use crate::i18n::Lang;

/// The key field of a registration form as it is first shown.
pub fn new_request_key() -> (String, String) {
    (
        REQUEST_KEY.to_owned(),
        crate::admin::support::new_request_key(),
    )
}

/// The presence form's key bound to what was typed: sent again unchanged, the form finds
/// the registration it made; sent again with other details (the person went back and
/// corrected their phone number), it is a registration of its own, verified on its own.
pub fn presence_request_key(data: &FormData) -> Option<String> {
    use sha2::{Digest, Sha256};
    let key = data.request_key()?;
    let mut digest = Sha256::new();
    digest.update(key.as_bytes());
    for (name, value) in &data.0 {
        if name != "csrf_token" && name != REQUEST_KEY {
            for part in [name, value] {
                digest.update((part.len() as u64).to_be_bytes());
                digest.update(part.as_bytes());
            }
        }
    }
    Some(hex::encode(digest.finalize()))
}

/// Companion rows the form shows.
pub const COMPANION_ROWS: usize = 5;

fn flag(data: &FormData, name: &str) -> bool {
    matches!(data.get(name), "on" | "yes" | "true" | "1")
}

/// The submitted fields as the domain reads them.
pub fn input(data: &FormData, kind: &str) -> RegistrationInput {
    let places = (0..MAX_PLACES)
        .map(|row| PlaceInput {
            country: data.get(&place_field(row, "country")).to_owned(),
            region: data.get(&place_field(row, "region")).to_owned(),
            city: data.get(&place_field(row, "city")).to_owned(),
            lat: data.get(&place_field(row, "lat")).to_owned(),
            lon: data.get(&place_field(row, "lon")).to_owned(),
            starts_on: data.get(&place_field(row, "starts_on")).to_owned(),
            ends_on: data.get(&place_field(row, "ends_on")).to_owned(),
        })
        .collect();
    let companions = (0..COMPANION_ROWS)
        .map(|row| CompanionInput {
            name: data.get(&companion_field(row, "name")).to_owned(),
            relation: data.get(&companion_field(row, "relation")).to_owned(),
            age: data.get(&companion_field(row, "age")).to_owned(),
        })
        .collect();
    RegistrationInput {
        kind: kind.to_owned(),
        full_name: data.get("full_name").to_owned(),
        email: data.get("email").to_owned(),
        phone: data.get("phone").to_owned(),
        channels: data
            .all("channels")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        lang: data.get("lang").to_owned(),
        places,
        companions,
        children: data.get("children").to_owned(),
        elderly: flag(data, "elderly"),
        medical: flag(data, "medical"),
        medical_note: data.get("medical_note").to_owned(),
        emergency_name: data.get("emergency_name").to_owned(),
        emergency_phone: data.get("emergency_phone").to_owned(),
        emergency_email: data.get("emergency_email").to_owned(),
        consent: flag(data, "consent"),
    }
}

fn max_len(field: &str) -> usize {
    if field == "medical_note" {
        1000
    } else if field.ends_with("_relation") {
        60
    } else {
        120
    }
}

/// The domain's codes as field errors: shared messages for the common ones, the rest under
/// `field-error-crisis-<code>`. A country left at "—" is asked for as a choice: the person
/// picks a name from a list and typed no code, so a message about the code's format would
/// speak of something they never saw.
pub fn field_errors(e: &DomainErrors, data: &FormData) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, err) in &e.0 {
        let is_country = field.ends_with("_country");
        let unchosen = is_country && data.get(field).trim().is_empty();
        out.add(match err.code {
            "required" | "country_code_format" if unchosen => {
                FieldError::new(field, "crisis_country_required")
            }
            code if FieldError::is_site_wide(code) => FieldError::new(field, code),
            "too_long" => FieldError::new(field, "too_long").with_arg("max", max_len(field)),
            "email_invalid" | "email_too_long" => FieldError::new(field, "invalid_email"),
            other => FieldError::new(field, format!("crisis_{other}")),
        });
    }
    out
}

/// A form shown again: what was typed and what failed, looked up by field name.
pub struct FormView {
    pub lang: Lang,
    pub data: FormData,
    pub errors: FieldErrors,
}

impl FormView {
    pub fn new(lang: Lang, data: FormData, errors: FieldErrors) -> FormView {
        FormView { lang, data, errors }
    }

    /// The typed value of `name`.
    pub fn v(&self, name: &str) -> &str {
        self.data.get(name)
    }

    /// Whether `name` was sent with `value` (checkboxes, radios, options).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.data.all(name).contains(&value)
    }

    pub fn err(&self, name: &str) -> Option<String> {
        self.errors.for_field(name).map(|e| e.message(self.lang))
    }

    /// The line above a rejected form.
    pub fn summary(&self) -> Option<String> {
        crate::admin::support::error_summary(self.lang, &self.errors)
    }

    /// `place3_city`, for templates.
    pub fn place(&self, row: &usize, part: &str) -> String {
        place_field(*row, part)
    }

    pub fn companion(&self, row: &usize, part: &str) -> String {
        companion_field(*row, part)
    }
}
