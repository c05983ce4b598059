//! The mission form: what the admin typed and its validation into a `MissionInput`, every
//! failure at once.

use safir_domain::accounts::Email;
use safir_domain::mission::{MissionCode, MissionKind, TimeZoneName};
use safir_domain::{CountryCode, ValidationError};
use safir_store::missions::{Mission, MissionInput};

use super::support::{FormData, field_error, optional_text, required_text};
use crate::error::FieldErrors;

const NAME_MAX: usize = 200;
const CITY_MAX: usize = 100;
const ADDRESS_MAX: usize = 500;
const PHONE_MAX: usize = 32;
pub const CONTENT_LANGS: [safir_domain::Lang; 3] = [
    safir_domain::Lang::Ar,
    safir_domain::Lang::En,
    safir_domain::Lang::Fr,
];

/// The form's values as typed (or as stored, when editing).
#[derive(Debug, Clone, Default)]
pub struct MissionForm {
    pub code: String,
    pub kind: String,
    pub name_ar: String,
    pub name_en: String,
    pub country: String,
    pub city_ar: String,
    pub city_en: String,
    pub languages: Vec<String>,
    pub time_zone: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

impl MissionForm {
    pub fn from_data(d: &FormData) -> MissionForm {
        MissionForm {
            code: d.get("code").to_owned(),
            kind: d.get("kind").to_owned(),
            name_ar: d.get("name_ar").to_owned(),
            name_en: d.get("name_en").to_owned(),
            country: d.get("country").to_owned(),
            city_ar: d.get("city_ar").to_owned(),
            city_en: d.get("city_en").to_owned(),
            languages: d.all("languages").into_iter().map(str::to_owned).collect(),
            time_zone: d.get("time_zone").to_owned(),
            email: d.get("email").to_owned(),
            phone: d.get("phone").to_owned(),
            address: d.get("address").to_owned(),
        }
    }

    pub fn from_mission(m: &Mission) -> MissionForm {
        MissionForm {
            code: m.code.clone(),
            kind: m.kind.clone(),
            name_ar: m.name_ar.clone(),
            name_en: m.name_en.clone(),
            country: m.country.clone(),
            city_ar: m.city_ar.clone(),
            city_en: m.city_en.clone(),
            languages: m.languages.split_whitespace().map(str::to_owned).collect(),
            time_zone: m.time_zone.clone(),
            email: m.email.clone().unwrap_or_default(),
            phone: m.phone.clone().unwrap_or_default(),
            address: m.address.clone().unwrap_or_default(),
        }
    }

    /// A new mission's defaults: an embassy working in Arabic and English.
    pub fn blank() -> MissionForm {
        MissionForm {
            kind: MissionKind::Embassy.as_str().to_owned(),
            languages: vec!["ar".into(), "en".into()],
            ..MissionForm::default()
        }
    }

    /// Checks every field, collecting every failure.
    pub fn validate(&self) -> Result<MissionInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut check = |field: &str, max: usize, r: Result<(), ValidationError>| {
            if let Err(e) = r {
                errors.add(field_error(field, &e, max));
            }
        };
        let code = MissionCode::parse(&self.code);
        check("code", 0, code.clone().map(drop));
        let kind = MissionKind::parse(&self.kind);
        check("kind", 0, kind.clone().map(drop));
        let name_ar = required_text(&self.name_ar, NAME_MAX);
        check("name_ar", NAME_MAX, name_ar.clone().map(drop));
        let name_en = required_text(&self.name_en, NAME_MAX);
        check("name_en", NAME_MAX, name_en.clone().map(drop));
        let country = if self.country.trim().is_empty() {
            Err(ValidationError::new("required"))
        } else {
            CountryCode::parse(&self.country)
        };
        check("country", 0, country.clone().map(drop));
        let city_ar = required_text(&self.city_ar, CITY_MAX);
        check("city_ar", CITY_MAX, city_ar.clone().map(drop));
        let city_en = required_text(&self.city_en, CITY_MAX);
        check("city_en", CITY_MAX, city_en.clone().map(drop));
        let languages = parse_languages(&self.languages);
        check("languages", 0, languages.clone().map(drop));
        let time_zone = if self.time_zone.trim().is_empty() {
            Err(ValidationError::new("required"))
        } else {
            TimeZoneName::parse(&self.time_zone)
        };
        check("time_zone", 0, time_zone.clone().map(drop));
        let email = match self.email.trim() {
            "" => Ok(None),
            e => Email::parse(e).map(|e| Some(e.as_str().to_owned())),
        };
        check("email", 0, email.clone().map(drop));
        let phone = parse_phone(&self.phone);
        check("phone", PHONE_MAX, phone.clone().map(drop));
        let address = optional_text(&self.address, ADDRESS_MAX);
        check("address", ADDRESS_MAX, address.clone().map(drop));
        match (
            code, kind, name_ar, name_en, country, city_ar, city_en, languages, time_zone, email,
            phone, address,
        ) {
            (
                Ok(code),
                Ok(kind),
                Ok(name_ar),
                Ok(name_en),
                Ok(country),
                Ok(city_ar),
                Ok(city_en),
                Ok(languages),
                Ok(time_zone),
                Ok(email),
                Ok(phone),
                Ok(address),
            ) if errors.is_empty() => Ok(MissionInput {
                code,
                kind,
                name_ar,
                name_en,
                country,
                city_ar,
                city_en,
                languages,
                time_zone,
                email,
                phone,
                address,
            }),
            _ => Err(errors),
        }
    }
}

fn parse_languages(codes: &[String]) -> Result<Vec<safir_domain::Lang>, ValidationError> {
    let mut out = Vec::new();
    for code in codes {
        let lang = safir_domain::Lang::parse(code)?;
        if !out.contains(&lang) {
            out.push(lang);
        }
    }
    if out.is_empty() {
        return Err(ValidationError::new("languages_required"));
    }
    // Stored in a fixed order so an edit that ticks the same boxes changes nothing.
    out.sort_by_key(|l| CONTENT_LANGS.iter().position(|c| c == l));
    Ok(out)
}

/// Digits with the usual separators and an optional leading `+`.
fn parse_phone(input: &str) -> Result<Option<String>, ValidationError> {
    let v = input.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > PHONE_MAX {
        return Err(ValidationError::new("too_long"));
    }
    let body = v.strip_prefix('+').unwrap_or(v);
    let ok = body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || " -().".contains(c));
    if ok {
        Ok(Some(v.to_owned()))
    } else {
        Err(ValidationError::new("phone_invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{I18n, Lang};

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let form = MissionForm {
            code: "P1".into(),
            kind: "palace".into(),
            country: "XX".into(),
            languages: vec![],
            time_zone: "paris".into(),
            email: "not-an-email".into(),
            phone: "call me".into(),
            ..MissionForm::default()
        };
        let errors = form.validate().unwrap_err();
        let codes: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("code", "admin_mission_code_invalid"),
                ("kind", "admin_mission_kind_unknown"),
                ("name_ar", "required"),
                ("name_en", "required"),
                ("country", "admin_country_code_unknown"),
                ("city_ar", "required"),
                ("city_en", "required"),
                ("languages", "admin_languages_required"),
                ("time_zone", "admin_time_zone_invalid"),
                ("email", "invalid_email"),
                ("phone", "admin_phone_invalid"),
            ]
        );
        for e in errors.iter() {
            for lang in Lang::ALL {
                assert!(
                    I18n::global().has(lang, &format!("field-error-{}", e.code.replace('_', "-"))),
                    "{} {}",
                    lang.code(),
                    e.code
                );
            }
        }
    }

    #[test]
    fn a_good_form_becomes_a_mission() {
        let form = MissionForm {
            code: " nbo ".into(),
            kind: "embassy".into(),
            name_ar: "السفارة في نيروبي".into(),
            name_en: "Embassy in Nairobi".into(),
            country: "ke".into(),
            city_ar: "نيروبي".into(),
            city_en: "Nairobi".into(),
            languages: vec!["en".into(), "ar".into(), "en".into()],
            time_zone: "Africa/Nairobi".into(),
            phone: "+254 20 000 0000".into(),
            ..MissionForm::default()
        };
        let m = form.validate().unwrap();
        assert_eq!(m.code.as_str(), "NBO");
        assert_eq!(m.country.as_str(), "KE");
        assert_eq!(
            m.languages,
            [safir_domain::Lang::Ar, safir_domain::Lang::En]
        );
        assert_eq!(m.email, None);
        assert_eq!(m.phone.as_deref(), Some("+254 20 000 0000"));
    }
}
