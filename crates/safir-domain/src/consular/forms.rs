//! The application forms, checked at submission. A draft keeps whatever the applicant
//! typed (a map of strings); [`check`] turns it into field errors naming each failing field,
//! or into the summary a case needs.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::consular::case::{CaseKind, CaseState, Priority};
use crate::consular::evisa::HolderName;
use crate::consular::mrz::Mrz;
use crate::consular::passport::PassportNumber;
use crate::{CountryCode, FieldErrors, ValidationError};

/// What a complete form yields for the case row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedForm {
    /// "Given names Surname" as typed, for queues and searches.
    pub applicant_name: String,
    /// The triage priority an emergency starts with (others: normal).
    pub priority: Priority,
}

impl CheckedForm {
    /// The priority this form gives a case of `kind` now in `state`, when it gives one: an
    /// emergency's category sets it while the report is the applicant's draft. Once the case
    /// is submitted the priority is the officers' triage, and other kinds (an emergency
    /// travel document an officer opened at high priority among them) keep the one they
    /// were created with, so no answer or submission of the applicant's changes it.
    pub fn priority_for(&self, kind: CaseKind, state: CaseState) -> Option<Priority> {
        (kind == CaseKind::Emergency && state == CaseState::Draft).then_some(self.priority)
    }
}

/// The earliest date of birth a form takes. Nobody applying was born before; an earlier
/// date is a slip of the keyboard (`0199`, `1099`), or a test of the form.
pub const EARLIEST_BIRTH_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => panic!("1900-01-01 is a date"),
};

/// The fields of the forms that hold a date (`YYYY-MM-DD`; a browser's date input shows no
/// other form of it).
pub const DATE_FIELDS: &[&str] = &[
    "birth_date",
    "passport_expiry",
    "travel_date",
    "arrival_date",
    "departure_date",
];

/// A saved value of a date field that is no date (a draft may leave it empty).
pub fn malformed_date(field: &str, value: &str) -> bool {
    DATE_FIELDS.contains(&field)
        && !value.trim().is_empty()
        && crate::validation::iso_date(&crate::validation::ascii_number(value.trim())).is_none()
}

/// The fields each form has, in display order. Unknown keys in a submission are dropped.
pub fn fields(kind: CaseKind) -> &'static [&'static str] {
    match kind {
        CaseKind::PassportRenewal => &[
            "surname",
            "given_names",
            "birth_date",
            "birth_place",
            "passport_number",
            "passport_expiry",
            "mrz",
            "phone",
            "collection",
            "courier_address",
        ],
        CaseKind::EmergencyTravelDocument => &[
            "surname",
            "given_names",
            "birth_date",
            "birth_place",
            "passport_number",
            "police_report",
            "travel_date",
            "destination",
            "phone",
        ],
        CaseKind::Visa => &[
            "surname",
            "given_names",
            "birth_date",
            "nationality",
            "passport_number",
            "passport_expiry",
            "mrz",
            "visa_type",
            "arrival_date",
            "departure_date",
            "itinerary",
            "host_name",
            "host_address",
            "fee_reference",
        ],
        CaseKind::Emergency => &[
            "category",
            "description",
            "location",
            "latitude",
            "longitude",
            "phone",
            "surname",
            "given_names",
        ],
    }
}

/// The longest text each field takes, for the "too long" message.
pub fn max_len(field: &str) -> usize {
    match field {
        "surname" | "given_names" | "birth_place" | "police_report" | "fee_reference" => 100,
        "destination" | "host_name" => 200,
        "location" => 300,
        "courier_address" | "host_address" => 500,
        "itinerary" => 2000,
        _ => 4000,
    }
}

/// Emergency categories, most urgent first.
pub const EMERGENCY_CATEGORIES: &[&str] = &[
    "arrest",
    "medical",
    "missing_person",
    "crime",
    "lost_passport",
    "other",
];

pub const COLLECTION_METHODS: &[&str] = &["mission", "courier"];

/// Keeps only the form's own fields, trimmed. A value longer than its field takes
/// ([`max_len`]) is kept whole, for [`check`] to refuse with `too_long` and the applicant to
/// shorten: cutting it here would lose what they typed without a word (the request's size
/// limit bounds what a draft can hold). Dates, phone numbers and coordinates typed on an
/// Arabic keyboard are kept in ASCII digits (`٠٦ ١٢` → `06 12`, `٤٨٫٨٥` → `48.85`): the same
/// number, which the checks, the e-visa and the queues then read alike.
pub fn clean(kind: CaseKind, input: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    fields(kind)
        .iter()
        .filter_map(|f| {
            input.get(*f).map(|v| {
                let v = v.trim();
                let v = if NUMERIC_FIELDS.contains(f) {
                    crate::validation::ascii_number(v).into_owned()
                } else {
                    v.to_owned()
                };
                ((*f).to_owned(), v)
            })
        })
        .collect()
}

/// Whether `field` of `form` counts: a courier address typed before the applicant chose
/// collection at the mission stays in the draft (they may choose the courier again) but is
/// neither checked nor shown to the mission.
pub fn applies(form: &BTreeMap<String, String>, field: &str) -> bool {
    field != "courier_address" || form.get("collection").map(String::as_str) == Some("courier")
}

/// The fields whose digits [`clean`] writes in ASCII.
const NUMERIC_FIELDS: &[&str] = &[
    "birth_date",
    "passport_expiry",
    "arrival_date",
    "departure_date",
    "travel_date",
    "phone",
    "latitude",
    "longitude",
];

/// A name as typed for the queues, even from an incomplete draft. A draft may still hold
/// names longer than their fields take; the name shown is bounded by what a submitted form
/// can hold, the longest given names and surname with the space between them, so a valid
/// name is never cut.
pub fn display_name(form: &BTreeMap<String, String>) -> String {
    let get = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
    let name = format!("{} {}", get("given_names"), get("surname"));
    let longest = max_len("given_names") + 1 + max_len("surname");
    name.trim().chars().take(longest).collect()
}

/// Where an emergency's applicant said they are, when the form holds both coordinates and
/// each is a number in range (a draft may hold a half-typed one): latitude, longitude.
pub fn position(form: &BTreeMap<String, String>) -> Option<(f64, f64)> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    match (
        coordinate(get("latitude"), 90.0),
        coordinate(get("longitude"), 180.0),
    ) {
        (Ok(Some(lat)), Ok(Some(lon))) => Some((lat, lon)),
        _ => None,
    }
}

/// The name the queues show for a case: as typed, or the account's name when the form has
/// none (an emergency's names are optional), so that no case is listed without one.
pub fn applicant_name(form: &BTreeMap<String, String>, account_name: &str) -> String {
    match display_name(form) {
        n if n.is_empty() => account_name.to_owned(),
        n => n,
    }
}

fn date(s: &str) -> Result<NaiveDate, ValidationError> {
    if s.trim().is_empty() {
        return Err(ValidationError::new("required"));
    }
    crate::validation::iso_date(s.trim()).ok_or(ValidationError::new("date_invalid"))
}

/// A date of birth: from [`EARLIEST_BIRTH_DATE`] to yesterday.
fn birth_date(s: &str, today: NaiveDate) -> Result<NaiveDate, ValidationError> {
    let b = date(s)?;
    if b < EARLIEST_BIRTH_DATE {
        Err(ValidationError::new("birth_date_too_early"))
    } else if b >= today {
        Err(ValidationError::new("birth_date_not_past"))
    } else {
        Ok(b)
    }
}

fn text(s: &str, max: usize) -> Result<String, ValidationError> {
    crate::consular::service::required_text(s, max)
}

fn coordinate(s: &str, limit: f64) -> Result<Option<f64>, ValidationError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let v: f64 = t
        .parse()
        .map_err(|_| ValidationError::new("coordinate_invalid"))?;
    if !v.is_finite() || v.abs() > limit {
        return Err(ValidationError::new("coordinate_out_of_range"));
    }
    Ok(Some(v))
}

fn phone(s: &str) -> Result<String, ValidationError> {
    let t = s.trim();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    let ok = t
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && (6..=17).contains(&digits);
    if t.is_empty() {
        Err(ValidationError::new("required"))
    } else if ok {
        Ok(t.to_owned())
    } else {
        Err(ValidationError::new("phone_invalid"))
    }
}

/// Checks a complete form. `visa_types` are the categories the mission offers.
pub fn check(
    kind: CaseKind,
    form: &BTreeMap<String, String>,
    today: NaiveDate,
    visa_types: &[&str],
) -> Result<CheckedForm, FieldErrors> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let mut e = FieldErrors::new();
    let mut priority = Priority::Normal;

    let needs_identity = kind != CaseKind::Emergency;
    for field in ["surname", "given_names"] {
        let checked = if needs_identity {
            text(get(field), 100)
        } else {
            crate::consular::service::optional_text(get(field), 100)
        };
        if e.check(field, checked).is_some() {
            e.check(field, crate::validation::check_letters(get(field)));
        }
    }

    let birth = if needs_identity {
        e.check("birth_date", birth_date(get("birth_date"), today))
    } else {
        None
    };

    let passport = if needs_identity {
        e.check(
            "passport_number",
            PassportNumber::parse(get("passport_number")),
        )
    } else {
        None
    };

    match kind {
        CaseKind::PassportRenewal | CaseKind::Visa => {
            let expiry = e.check("passport_expiry", date(get("passport_expiry")));
            if let (Some(x), Some(b)) = (expiry, birth)
                && x <= b
            {
                e.add(
                    "passport_expiry",
                    ValidationError::new("expiry_before_birth"),
                );
            }
            let mrz = check_mrz(&mut e, get("mrz"), today, passport.as_ref(), expiry, birth);
            if kind == CaseKind::PassportRenewal {
                e.check("birth_place", text(get("birth_place"), 100));
                e.check("phone", phone(get("phone")));
                match get("collection") {
                    "mission" => {}
                    "courier" => {
                        e.check("courier_address", text(get("courier_address"), 500));
                    }
                    _ => e.add("collection", ValidationError::new("choice_required")),
                }
            } else {
                check_visa(&mut e, form, today, visa_types, expiry);
                if let Some(mrz) = &mrz {
                    check_visa_names(&mut e, form, mrz);
                }
            }
        }
        CaseKind::EmergencyTravelDocument => {
            e.check("birth_place", text(get("birth_place"), 100));
            e.check(
                "police_report",
                crate::consular::service::optional_text(get("police_report"), 100),
            );
            if let Some(d) = e.check("travel_date", date(get("travel_date")))
                && d < today
            {
                e.add("travel_date", ValidationError::new("date_must_be_future"));
            }
            e.check("destination", text(get("destination"), 200));
            e.check("phone", phone(get("phone")));
        }
        CaseKind::Emergency => {
            match get("category") {
                c if EMERGENCY_CATEGORIES.contains(&c) => {
                    priority = match c {
                        "arrest" | "medical" | "missing_person" => Priority::Critical,
                        "crime" | "lost_passport" => Priority::High,
                        _ => Priority::Normal,
                    }
                }
                _ => e.add("category", ValidationError::new("choice_required")),
            }
            e.check("description", text(get("description"), 4000));
            e.check("location", text(get("location"), 300));
            let lat = e.check("latitude", coordinate(get("latitude"), 90.0));
            let lon = e.check("longitude", coordinate(get("longitude"), 180.0));
            if let (Some(a), Some(b)) = (lat, lon)
                && a.is_some() != b.is_some()
            {
                let missing = if a.is_none() { "latitude" } else { "longitude" };
                e.add(missing, ValidationError::new("coordinate_pair"));
            }
            e.check("phone", phone(get("phone")));
        }
    }

    e.into_result()?;
    Ok(CheckedForm {
        applicant_name: display_name(form),
        priority,
    })
}

/// Checks the zone, and the typed passport number and dates against it; returns the zone
/// when it reads.
fn check_mrz(
    e: &mut FieldErrors,
    raw: &str,
    today: NaiveDate,
    passport: Option<&PassportNumber>,
    expiry: Option<NaiveDate>,
    birth: Option<NaiveDate>,
) -> Option<Mrz> {
    if raw.trim().is_empty() {
        return None;
    }
    match Mrz::parse(raw, today) {
        Err(err) => {
            e.add("mrz", err.into());
            None
        }
        Ok(mrz) if mrz.document_number().len() > PassportNumber::MAX_LEN => {
            // An identity card's long number (TD1, continued in the optional data): no
            // passport number can be it, so the typed one could never agree.
            e.add("mrz", ValidationError::new("mrz_document_number_too_long"));
            None
        }
        Ok(mrz) => {
            if let (Some(p), Some(x)) = (passport, expiry)
                && let Err(mismatches) = mrz.matches(p, x, birth)
            {
                for m in mismatches {
                    e.add(m.field(), ValidationError::new(m.code()));
                }
            }
            Some(mrz)
        }
    }
}

/// A visa's names and nationality against its zone: the e-visa prints the typed ones, so
/// they must be the passport's. Only names already in the zone's alphabet are compared (the
/// form refuses others with `name_latin`).
fn check_visa_names(e: &mut FieldErrors, form: &BTreeMap<String, String>, mrz: &Mrz) {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    // A name that fills the zone's name field may be cut short there.
    let capacity = match mrz.kind() {
        crate::consular::mrz::MrzKind::Td3 => 39,
        crate::consular::mrz::MrzKind::Td1 => 30,
    };
    let printed_len = mrz.surname().len()
        + if mrz.given_names().is_empty() {
            0
        } else {
            2 + mrz.given_names().len()
        };
    let cut = printed_len >= capacity;
    for (field, printed, code) in [
        ("surname", mrz.surname(), "mrz_mismatch_surname"),
        ("given_names", mrz.given_names(), "mrz_mismatch_given_names"),
    ] {
        let typed = get(field);
        if typed.trim().is_empty() || e.get(field).is_some() {
            continue;
        }
        let typed = as_in_zone(typed);
        let same = typed == printed || (cut && typed.starts_with(printed));
        if !same {
            e.add(field, ValidationError::new(code));
        }
    }
    if e.get("nationality").is_none()
        && let Ok(typed) = CountryCode::parse(get("nationality"))
        && mrz.nationality().country().is_some_and(|c| c != typed)
    {
        e.add(
            "nationality",
            ValidationError::new("mrz_mismatch_nationality"),
        );
    }
}

/// A Latin name as a machine-readable zone prints it (ICAO 9303 part 3): capitals, an
/// apostrophe left out, hyphens and spaces between the parts, here as single spaces (as
/// [`Mrz::surname`] shows the zone's fillers).
fn as_in_zone(name: &str) -> String {
    name.replace('\'', "")
        .split([' ', '-'])
        .filter(|part| !part.is_empty())
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The longest stay a visa application may ask for, in calendar days counting the days of
/// arrival and departure, as the e-visa counts its stay (10 to 20 March is 11 days).
pub const MAX_STAY_DAYS: i64 = 180;

fn check_visa(
    e: &mut FieldErrors,
    form: &BTreeMap<String, String>,
    today: NaiveDate,
    visa_types: &[&str],
    passport_expiry: Option<NaiveDate>,
) {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    // A visa carries the name as the passport's machine-readable zone prints it.
    for field in ["surname", "given_names"] {
        let v = get(field);
        if crate::validation::has_letters(v)
            && !v
                .chars()
                .all(|c| c.is_ascii_alphabetic() || " -'".contains(c))
        {
            e.add(field, ValidationError::new("name_latin"));
        }
    }
    // The e-visa prints the name, surname first, on one line of the payload it signs: a name
    // longer than that line is refused here, not cut when the visa is issued.
    if e.get("surname").is_none() && e.get("given_names").is_none() {
        let holder = format!("{} {}", get("surname"), get("given_names"));
        if let Err(err) = HolderName::parse(&holder)
            && err.code == "holder_name_too_long"
        {
            e.add("surname", ValidationError::new("name_too_long_for_evisa"));
        }
    }
    e.check("nationality", CountryCode::parse(get("nationality")));
    if !visa_types.contains(&get("visa_type")) {
        e.add("visa_type", ValidationError::new("choice_required"));
    }
    let arrival = e.check("arrival_date", date(get("arrival_date")));
    if let Some(a) = arrival
        && a < today
    {
        e.add("arrival_date", ValidationError::new("date_must_be_future"));
    }
    let departure = e.check("departure_date", date(get("departure_date")));
    if let (Some(a), Some(d)) = (arrival, departure) {
        if d < a {
            e.add(
                "departure_date",
                ValidationError::new("departure_before_arrival"),
            );
        } else if (d - a).num_days() + 1 > MAX_STAY_DAYS {
            e.add("departure_date", ValidationError::new("stay_too_long"));
        }
    }
    if let (Some(x), Some(d)) = (passport_expiry, departure)
        && x < d
    {
        e.add(
            "passport_expiry",
            ValidationError::new("passport_expires_before_departure"),
        );
    }
    e.check("itinerary", text(get("itinerary"), 2000));
    e.check(
        "host_name",
        crate::consular::service::optional_text(get("host_name"), 200),
    );
    e.check(
        "host_address",
        crate::consular::service::optional_text(get("host_address"), 500),
    );
    e.check(
        "fee_reference",
        crate::consular::service::optional_text(get("fee_reference"), 100),
    );
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

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

    /// A complete visa application (no zone).
    fn visa() -> BTreeMap<String, String> {
        form(&[
            ("surname", "Smith"),
            ("given_names", "Jo"),
            ("birth_date", "1990-01-01"),
            ("nationality", "GB"),
            ("passport_number", "123456789"),
            ("passport_expiry", "2030-01-10"),
            ("visa_type", "tourist"),
            ("arrival_date", "2027-01-05"),
            ("departure_date", "2027-01-09"),
            ("itinerary", "Paris, Lyon"),
        ])
    }

    fn renewal() -> BTreeMap<String, String> {
        form(&[
            ("surname", "Eriksson"),
            ("given_names", "Anna Maria"),
            ("birth_date", "1974-08-12"),
            ("birth_place", "Stockholm"),
            ("passport_number", "L898902C3"),
            ("passport_expiry", "2012-04-15"),
            ("phone", "+33 1 23 45 67 89"),
            ("collection", "mission"),
        ])
    }

    #[test]
    fn only_an_emergency_draft_takes_its_priority_from_the_form() {
        let checked = CheckedForm {
            applicant_name: "N".into(),
            priority: Priority::High,
        };
        assert_eq!(
            checked.priority_for(CaseKind::Emergency, CaseState::Draft),
            Some(Priority::High)
        );
        // Once submitted, the officers' triage; other kinds keep what they were given (an
        // emergency travel document opened at high priority is not lowered by the form).
        for state in [CaseState::NeedsInfo, CaseState::Submitted] {
            assert_eq!(checked.priority_for(CaseKind::Emergency, state), None);
        }
        for kind in [
            CaseKind::EmergencyTravelDocument,
            CaseKind::PassportRenewal,
            CaseKind::Visa,
        ] {
            assert_eq!(checked.priority_for(kind, CaseState::Draft), None);
            assert_eq!(checked.priority_for(kind, CaseState::NeedsInfo), None);
        }
    }

    #[test]
    fn a_text_too_long_is_kept_whole_and_refused() {
        let long = "ا".repeat(4500);
        let mut f = form(&[
            ("category", "medical"),
            ("description", &long),
            ("location", "Paris"),
            ("phone", "+33 1 23 45 67 89"),
        ]);
        f.insert("unknown".into(), "x".into());
        let kept = clean(CaseKind::Emergency, &f);
        assert_eq!(kept["description"], long);
        assert!(!kept.contains_key("unknown"));
        let e = check(CaseKind::Emergency, &kept, today(), &[]).unwrap_err();
        assert_eq!(e.get("description").unwrap().code, "too_long");
    }

    #[test]
    fn a_complete_renewal_passes_and_names_the_applicant() {
        let ok = check(CaseKind::PassportRenewal, &renewal(), today(), &[]).unwrap();
        assert_eq!(ok.applicant_name, "Anna Maria Eriksson");
        assert_eq!(ok.priority, Priority::Normal);
    }

    #[test]
    fn the_longest_names_a_form_takes_are_shown_whole() {
        let given = "ب".repeat(max_len("given_names"));
        let surname = format!("{}ت", "س".repeat(max_len("surname") - 1));
        let mut f = renewal();
        f.insert("given_names".into(), given.clone());
        f.insert("surname".into(), surname.clone());
        let ok = check(CaseKind::PassportRenewal, &f, today(), &[]).unwrap();
        assert_eq!(ok.applicant_name, format!("{given} {surname}"));
        assert!(ok.applicant_name.ends_with('ت'));
    }

    #[test]
    fn each_failing_field_is_named() {
        let mut f = renewal();
        f.insert("passport_number".into(), "L89890*C3".into());
        f.insert("birth_date".into(), "2030-01-01".into());
        f.insert("collection".into(), "courier".into());
        let e = check(CaseKind::PassportRenewal, &f, today(), &[]).unwrap_err();
        assert_eq!(
            e.get("passport_number").unwrap().code,
            "passport_number_invalid_character"
        );
        assert_eq!(e.get("birth_date").unwrap().code, "birth_date_not_past");
        assert_eq!(e.get("courier_address").unwrap().code, "required");
        assert!(applies(&f, "courier_address"));
        f.insert("collection".into(), "mission".into());
        assert!(!applies(&f, "courier_address"));
        assert!(applies(&f, "surname"));
    }

    #[test]
    fn a_date_of_birth_is_from_1900_to_yesterday_on_every_form() {
        let etd = form(&[
            ("surname", "Eriksson"),
            ("given_names", "Anna"),
            ("birth_date", "1974-08-12"),
            ("birth_place", "Stockholm"),
            ("passport_number", "L898902C3"),
            ("travel_date", "2026-12-01"),
            ("destination", "Stockholm"),
            ("phone", "+46 8 123 456"),
        ]);
        let visa = visa();
        for (kind, good) in [
            (CaseKind::PassportRenewal, renewal()),
            (CaseKind::EmergencyTravelDocument, etd),
            (CaseKind::Visa, visa),
        ] {
            assert!(
                check(kind, &good, today(), &["tourist"]).is_ok(),
                "{kind:?}"
            );
            for (typed, code) in [
                ("0001-01-01", "birth_date_too_early"),
                ("1899-12-31", "birth_date_too_early"),
                ("2026-11-28", "birth_date_not_past"),
                ("2031-05-01", "birth_date_not_past"),
            ] {
                let mut f = good.clone();
                f.insert("birth_date".into(), typed.into());
                let e = check(kind, &f, today(), &["tourist"]).unwrap_err();
                assert_eq!(e.get("birth_date").unwrap().code, code, "{kind:?} {typed}");
            }
            for typed in ["1900-01-01", "2026-11-27"] {
                let mut f = good.clone();
                f.insert("birth_date".into(), typed.into());
                let e = check(kind, &f, today(), &["tourist"]).err();
                assert!(
                    e.as_ref().is_none_or(|e| e.get("birth_date").is_none()),
                    "{kind:?} {typed}: {e:?}"
                );
            }
        }
    }

    #[test]
    fn a_position_needs_both_coordinates_in_range() {
        let at = |lat: &str, lon: &str| position(&form(&[("latitude", lat), ("longitude", lon)]));
        assert_eq!(at("48.85", "2.35"), Some((48.85, 2.35)));
        assert_eq!(at(" -33.9 ", "151.2"), Some((-33.9, 151.2)));
        assert_eq!(at("48.85", ""), None);
        assert_eq!(at("", "2.35"), None);
        assert_eq!(at("91", "2.35"), None);
        assert_eq!(at("48.85", "north"), None);
        assert_eq!(at("NaN", "inf"), None);
        assert_eq!(position(&form(&[])), None);
    }

    /// Numbers typed on an Arabic keyboard: the same dates, phone and place.
    #[test]
    fn arabic_digits_in_dates_phones_and_coordinates_are_the_same_numbers() {
        let typed = form(&[
            ("category", "lost_passport"),
            ("description", "سُرق جوازي"),
            ("location", "باريس"),
            ("phone", "+٣٣ ٦ ١٢ ٣٤ ٥٦ ٧٨"),
            ("latitude", "٤٨٫٨٥"),
            ("longitude", "۲٫۳۵"),
        ]);
        let kept = clean(CaseKind::Emergency, &typed);
        assert_eq!(kept["phone"], "+33 6 12 34 56 78");
        assert_eq!(
            (kept["latitude"].as_str(), kept["longitude"].as_str()),
            ("48.85", "2.35")
        );
        assert_eq!(kept["description"], "سُرق جوازي");
        assert!(check(CaseKind::Emergency, &kept, today(), &[]).is_ok());
        let mut renewal = renewal();
        renewal.insert("birth_date".into(), "١٩٧٤-٠٨-١٢".into());
        let kept = clean(CaseKind::PassportRenewal, &renewal);
        assert_eq!(kept["birth_date"], "1974-08-12");
        assert!(check(CaseKind::PassportRenewal, &kept, today(), &[]).is_ok());
    }

    #[test]
    fn a_name_must_spell_something() {
        let mut f = renewal();
        f.insert("surname".into(), "ـــــ".into());
        f.insert("given_names".into(), "-".into());
        let e = check(CaseKind::PassportRenewal, &f, today(), &[]).unwrap_err();
        assert_eq!(e.get("surname").unwrap().code, "no_letters");
        assert_eq!(e.get("given_names").unwrap().code, "no_letters");
        f.insert("surname".into(), "إريكـسون".into());
        f.insert("given_names".into(), "آنا".into());
        assert!(check(CaseKind::PassportRenewal, &f, today(), &[]).is_ok());
    }

    /// A passport's zone (TD3) with every check digit right.
    fn td3(names: &str, number: &str, nationality: &str, birth: &str, expiry: &str) -> String {
        let cd = |s: &str| char::from(b'0' + crate::consular::mrz::check_digit(s.as_bytes()));
        let line1 = format!("{:<<44}", format!("P<{nationality}{names}"));
        let number = format!("{number:<<9}");
        let optional = "<".repeat(14);
        let (n, b, x, o) = (cd(&number), cd(birth), cd(expiry), cd(&optional));
        let composite = cd(&format!("{number}{n}{birth}{b}{expiry}{x}{optional}{o}"));
        format!("{line1}\n{number}{n}{nationality}{birth}{b}M{expiry}{x}{optional}{o}{composite}")
    }

    /// A visa prints the typed names and nationality: they must be the zone's, as ICAO
    /// writes them (capitals, `<` for spaces and hyphens, apostrophes left out).
    #[test]
    fn a_visa_names_the_passport_holder_of_its_zone() {
        let mut visa = visa();
        visa.insert("surname".into(), "O'Neil-Smith".into());
        visa.insert("given_names".into(), "John Paul".into());
        let zone = td3(
            "ONEIL<SMITH<<JOHN<PAUL",
            "123456789",
            "GBR",
            "900101",
            "300110",
        );
        visa.insert("mrz".into(), zone);
        assert!(check(CaseKind::Visa, &visa, today(), &["tourist"]).is_ok());
        for (field, typed, code) in [
            ("surname", "Other", "mrz_mismatch_surname"),
            ("given_names", "Person", "mrz_mismatch_given_names"),
            ("nationality", "FR", "mrz_mismatch_nationality"),
        ] {
            let mut f = visa.clone();
            f.insert(field.into(), typed.into());
            let e = check(CaseKind::Visa, &f, today(), &["tourist"]).unwrap_err();
            assert_eq!(e.get(field).unwrap().code, code, "{field}");
        }
        // A name too long for the zone is printed cut: the typed name starts with it.
        let long = "Wolfeschlegelsteinhausen Bergerdorff";
        let mut f = visa.clone();
        f.insert("surname".into(), long.into());
        f.insert("given_names".into(), "Hubert Blaine".into());
        f.insert(
            "mrz".into(),
            td3(
                "WOLFESCHLEGELSTEINHAUSEN<BERGERDORFF<<H",
                "123456789",
                "GBR",
                "900101",
                "300110",
            ),
        );
        assert!(check(CaseKind::Visa, &f, today(), &["tourist"]).is_ok());
        // Without a zone there is nothing to compare; a renewal's names may be in Arabic.
        let mut f = visa.clone();
        f.remove("mrz");
        f.insert("surname".into(), "Other".into());
        assert!(check(CaseKind::Visa, &f, today(), &["tourist"]).is_ok());
    }

    #[test]
    fn the_mrz_is_checked_and_compared_with_the_typed_fields() {
        // The specimen expired in 2012; with "today" in 2010 its expiry is in range.
        let then = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        let mut f = renewal();
        f.insert("mrz".into(), TD3.into());
        assert!(check(CaseKind::PassportRenewal, &f, then, &[]).is_ok());
        f.insert("passport_number".into(), "L898902C4".into());
        let e = check(CaseKind::PassportRenewal, &f, then, &[]).unwrap_err();
        assert_eq!(
            e.get("passport_number").unwrap().code,
            "mrz_mismatch_passport_number"
        );
        // Each disagreement is put on the form's own field, where the page shows it.
        f.insert("passport_number".into(), "L898902C3".into());
        f.insert("passport_expiry".into(), "2012-04-16".into());
        f.insert("birth_date".into(), "1974-08-13".into());
        let e = check(CaseKind::PassportRenewal, &f, then, &[]).unwrap_err();
        assert_eq!(
            e.get("passport_expiry").unwrap().code,
            "mrz_mismatch_expiry_date"
        );
        assert_eq!(e.get("birth_date").unwrap().code, "mrz_mismatch_birth_date");
        for (field, _) in &e.0 {
            assert!(renewal().contains_key(field), "{field} is not on the form");
        }
        f.insert("passport_expiry".into(), "2012-04-15".into());
        f.insert("birth_date".into(), "1974-08-12".into());
        f.insert("mrz".into(), TD3.replace("7408122", "7408123"));
        let e = check(CaseKind::PassportRenewal, &f, then, &[]).unwrap_err();
        assert_eq!(e.get("mrz").unwrap().code, "mrz_check_digit_birth_date");
        // An identity card's zone with a long number (12 characters): no passport number can
        // agree with it, so the zone is refused rather than the number typed either way.
        let card = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<";
        let mut f = renewal();
        f.insert("mrz".into(), card.into());
        f.insert("passport_number".into(), "D23145890".into());
        f.insert("passport_expiry".into(), "1995-07-12".into());
        f.insert("birth_date".into(), "1934-07-12".into());
        let e = check(
            CaseKind::PassportRenewal,
            &f,
            NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
            &[],
        )
        .unwrap_err();
        assert_eq!(e.get("mrz").unwrap().code, "mrz_document_number_too_long");
        assert!(e.get("passport_number").is_none(), "{e:?}");
    }

    /// The e-visa holds the name on one line of 64 characters, surname first: a visa
    /// application whose names do not fit is refused on the surname, exactly at the line's end.
    #[test]
    fn a_visa_name_must_fit_the_evisa() {
        let mut f = visa();
        // "SMITH " and 58 letters: 64 characters, the longest that fits.
        f.insert("given_names".into(), "A".repeat(58));
        assert!(check(CaseKind::Visa, &f, today(), &["tourist"]).is_ok());
        // Spaces around and between the names count once, as the e-visa prints them.
        f.insert("surname".into(), "  Smith ".into());
        assert!(check(CaseKind::Visa, &f, today(), &["tourist"]).is_ok());
        f.insert("given_names".into(), "A".repeat(59));
        let e = check(CaseKind::Visa, &f, today(), &["tourist"]).unwrap_err();
        assert_eq!(e.get("surname").unwrap().code, "name_too_long_for_evisa");
        assert!(e.get("given_names").is_none());
        // A name with another fault is refused for that one only.
        f.insert("surname".into(), "Smïth".into());
        let e = check(CaseKind::Visa, &f, today(), &["tourist"]).unwrap_err();
        assert_eq!(e.get("surname").unwrap().code, "name_latin");
        // A passport renewal's names are not printed on an e-visa.
        let mut r = renewal();
        r.insert("given_names".into(), "A".repeat(90));
        assert!(check(CaseKind::PassportRenewal, &r, today(), &[]).is_ok());
    }

    #[test]
    fn visa_dates_must_be_consistent() {
        let f = form(&[
            ("surname", "Smith"),
            ("given_names", "Jo"),
            ("birth_date", "1990-01-01"),
            ("nationality", "GB"),
            ("passport_number", "123456789"),
            ("passport_expiry", "2027-01-10"),
            ("visa_type", "tourist"),
            ("arrival_date", "2027-01-05"),
            ("departure_date", "2027-01-02"),
            ("itinerary", "Paris, Lyon"),
        ]);
        let e = check(CaseKind::Visa, &f, today(), &["tourist"]).unwrap_err();
        assert_eq!(
            e.get("departure_date").unwrap().code,
            "departure_before_arrival"
        );
        let e = check(CaseKind::Visa, &f, today(), &["business"]).unwrap_err();
        assert_eq!(e.get("visa_type").unwrap().code, "choice_required");
        let mut good = f.clone();
        good.insert("departure_date".into(), "2027-01-09".into());
        assert!(check(CaseKind::Visa, &good, today(), &["tourist"]).is_ok());
        // 180 days counting both ends, as the e-visa counts the stay: and no day more.
        let mut long = good.clone();
        long.insert("passport_expiry".into(), "2030-01-01".into());
        long.insert("departure_date".into(), "2027-07-03".into());
        assert!(check(CaseKind::Visa, &long, today(), &["tourist"]).is_ok());
        long.insert("departure_date".into(), "2027-07-04".into());
        let e = check(CaseKind::Visa, &long, today(), &["tourist"]).unwrap_err();
        assert_eq!(e.get("departure_date").unwrap().code, "stay_too_long");
        good.insert("departure_date".into(), "2027-02-01".into());
        let e = check(CaseKind::Visa, &good, today(), &["tourist"]).unwrap_err();
        assert_eq!(
            e.get("passport_expiry").unwrap().code,
            "passport_expires_before_departure"
        );
    }

    #[test]
    fn emergencies_are_triaged_by_category() {
        let f = form(&[
            ("category", "arrest"),
            ("description", "My brother was detained"),
            ("location", "Nairobi"),
            ("latitude", "-1.29"),
            ("phone", "+254 700 000000"),
        ]);
        let e = check(CaseKind::Emergency, &f, today(), &[]).unwrap_err();
        assert_eq!(e.get("longitude").unwrap().code, "coordinate_pair");
        let mut f = f;
        f.insert("longitude".into(), "36.82".into());
        assert_eq!(
            check(CaseKind::Emergency, &f, today(), &[])
                .unwrap()
                .priority,
            Priority::Critical
        );
        f.insert("latitude".into(), "91".into());
        let e = check(CaseKind::Emergency, &f, today(), &[]).unwrap_err();
        assert_eq!(e.get("latitude").unwrap().code, "coordinate_out_of_range");
    }

    #[test]
    fn clean_keeps_only_the_forms_fields() {
        let f = form(&[("surname", "  x  "), ("is_admin", "1")]);
        let c = clean(CaseKind::Visa, &f);
        assert_eq!(c.get("surname").map(String::as_str), Some("x"));
        assert!(!c.contains_key("is_admin"));
    }
}
