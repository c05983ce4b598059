//! What an approval produces beyond the state change: for a visa, the signed e-visa, issued
//! in the approval's transaction so the visa exists exactly when the approval does.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use safir_domain::CountryCode;
use safir_domain::audit::actions;
use safir_domain::consular::evisa::{
    Entries, EvisaHolder, EvisaTerms, HolderName, PassportNo, VisaTypeCode,
};
use safir_domain::consular::service::VISA_TYPES;
use safir_domain::ids::{MissionId, UserId};
use safir_store::Tx;
use safir_store::consular::cases::Case;
use safir_store::consular::evisas::{self, Evisa, IssueEvisa};

use super::workflow::{By, record};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;

/// The e-visa's category code (at most eight Latin capitals) for a catalogue visa type.
fn type_code(visa_type: &str) -> &str {
    match visa_type {
        "family_visit" => "FAMILY",
        other => other,
    }
}

/// The catalogue visa type an e-visa's category code stands for, when it is one of them
/// (the inverse of [`type_code`]); `None` for another code (one issued elsewhere).
pub fn catalogue_visa_type(code: &str) -> Option<&'static str> {
    VISA_TYPES
        .iter()
        .copied()
        .find(|t| type_code(t).eq_ignore_ascii_case(code))
}

fn date(form: &BTreeMap<String, String>, key: &str) -> Option<NaiveDate> {
    safir_domain::iso_date(form.get(key)?.trim())
}

fn invalid(field: &str, code: &str) -> AppError {
    let mut e = FieldErrors::new();
    e.add(FieldError::new(field, format!("consular_{code}")));
    AppError::Validation(e)
}

/// The e-visa's terms from the application: valid from arrival to departure, the stay as
/// long as the trip, several entries for business travel.
fn terms_and_holder(
    form: &BTreeMap<String, String>,
) -> Result<(EvisaHolder, EvisaTerms), AppError> {
    let get = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
    // Surname first, as the passport's machine-readable zone has it.
    let full = format!("{} {}", get("surname"), get("given_names"));
    // A submitted form's names fit (the form refuses longer ones); one submitted before that
    // rule is refused here rather than printed cut, and the applicant can shorten it when
    // asked for information.
    let name = HolderName::parse(&full).map_err(|e| match e.code {
        "holder_name_too_long" => invalid("surname", "name_too_long_for_evisa"),
        _ => invalid("surname", "name_latin"),
    })?;
    let passport_number = PassportNo::parse(get("passport_number"))
        .map_err(|e| invalid("passport_number", e.code))?;
    let nationality =
        CountryCode::parse(get("nationality")).map_err(|e| invalid("nationality", e.code))?;
    let birth_date =
        date(form, "birth_date").ok_or_else(|| invalid("birth_date", "date_invalid"))?;
    let arrival =
        date(form, "arrival_date").ok_or_else(|| invalid("arrival_date", "date_invalid"))?;
    let departure =
        date(form, "departure_date").ok_or_else(|| invalid("departure_date", "date_invalid"))?;
    let visa_type = get("visa_type");
    let code =
        VisaTypeCode::parse(type_code(visa_type)).map_err(|e| invalid("visa_type", e.code))?;
    let entries = if visa_type == "business" {
        Entries::Multiple
    } else {
        Entries::Single
    };
    let stay = u16::try_from((departure - arrival).num_days() + 1).unwrap_or(u16::MAX);
    let terms = EvisaTerms::new(code, entries, arrival, departure, stay)
        .map_err(|e| invalid("departure_date", e.code))?;
    Ok((
        EvisaHolder {
            name,
            passport_number,
            nationality,
            birth_date,
        },
        terms,
    ))
}

/// Issues the e-visa of an approved visa case, audited as the approving officer's act.
pub async fn issue_evisa(
    state: &AppState,
    tx: &mut Tx,
    case: &Case,
    by: &By<'_>,
) -> Result<Evisa, AppError> {
    let (holder, terms) = terms_and_holder(&case.form())?;
    // Approved after the trip's last day, the visa would be expired the day it is issued (and
    // its holder told it is ready): the officer asks for new dates instead.
    if terms.valid_until() < state.config.consular.evisa_today() {
        return Err(invalid("departure_date", "departure_passed"));
    }
    let evisa = evisas::issue(
        tx,
        IssueEvisa {
            case_id: Some(case.id.clone()),
            mission_id: MissionId::from_trusted(case.mission_id.clone()),
            holder_id: UserId::from_trusted(case.applicant_id.clone()),
            holder,
            terms,
            issued_by: Some(UserId::from_trusted(by.user.id().to_owned())),
        },
        &state.evisa_key,
    )
    .await
    .map_err(AppError::internal)?;
    let summary =
        serde_json::json!({ "reference": case.reference, "visa_number": evisa.visa_number });
    let mut rec = record(by, actions::EVISA_ISSUE, case, summary);
    rec.target_type = "evisa";
    rec.target_id = Some(evisa.id.clone());
    crate::audit_log::append(tx, &rec).await?;
    Ok(evisa)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_visa_runs_from_arrival_to_departure() {
        let f = form(&[
            ("given_names", "Claire"),
            ("surname", "Martin"),
            ("passport_number", "19AB12345"),
            ("nationality", "FR"),
            ("birth_date", "1990-07-02"),
            ("arrival_date", "2027-03-10"),
            ("departure_date", "2027-03-20"),
            ("visa_type", "family_visit"),
        ]);
        let (holder, terms) = terms_and_holder(&f).unwrap();
        assert_eq!(holder.name.as_str(), "MARTIN CLAIRE");
        assert_eq!(terms.max_stay_days(), 11);
        assert_eq!(terms.visa_type().as_str(), "FAMILY");
        for t in VISA_TYPES {
            let code = VisaTypeCode::parse(type_code(t)).unwrap();
            assert_eq!(catalogue_visa_type(code.as_str()), Some(*t));
        }
        assert_eq!(catalogue_visa_type("C"), None);
        assert_eq!(terms.entries(), Entries::Single);
        let mut arabic = f.clone();
        arabic.insert("surname".into(), "مارتن".into());
        assert!(matches!(
            terms_and_holder(&arabic),
            Err(AppError::Validation(_))
        ));
    }

    /// Every way the terms can be refused names a field with a message of its own in both
    /// languages (an officer approving sees it), never the message's key.
    #[test]
    fn each_refusal_of_the_terms_has_a_message() {
        use crate::i18n::Lang;
        let good = [
            ("given_names", "Claire"),
            ("surname", "Martin"),
            ("passport_number", "19AB12345"),
            ("nationality", "FR"),
            ("birth_date", "1990-07-02"),
            ("arrival_date", "2027-03-10"),
            ("departure_date", "2027-03-20"),
            ("visa_type", "tourist"),
        ];
        let broken = [
            ("surname", "مارتن", "consular_name_latin"),
            (
                "given_names",
                "Claire Anne Marie Louise Josephine Genevieve Madeleine Beatrice",
                "consular_name_too_long_for_evisa",
            ),
            ("passport_number", "", "consular_passport_number_empty"),
            (
                "passport_number",
                "19AB-12345",
                "consular_passport_number_invalid_character",
            ),
            (
                "passport_number",
                "19AB123456789",
                "consular_passport_number_too_long",
            ),
            ("nationality", "F", "consular_country_code_format"),
            ("nationality", "ZZ", "consular_country_code_unknown"),
            ("birth_date", "1990-02-30", "consular_date_invalid"),
            ("arrival_date", "", "consular_date_invalid"),
            ("departure_date", "x", "consular_date_invalid"),
            ("visa_type", "grand tour", "consular_visa_type_invalid"),
            (
                "departure_date",
                "2027-03-01",
                "consular_evisa_validity_order",
            ),
            (
                "departure_date",
                "2037-03-10",
                "consular_evisa_max_stay_invalid",
            ),
        ];
        for (field, value, code) in broken {
            let mut f = form(&good);
            f.insert(field.to_owned(), value.to_owned());
            let Err(AppError::Validation(errors)) = terms_and_holder(&f) else {
                panic!("{field}={value:?} passes");
            };
            let error = errors.iter().next().expect("one error");
            assert_eq!(error.code, code, "{field}={value:?}");
            for lang in [Lang::Ar, Lang::En] {
                let message = error.message(lang);
                assert!(!message.starts_with("field-error-"), "{code}: {message}");
            }
        }
    }
}
