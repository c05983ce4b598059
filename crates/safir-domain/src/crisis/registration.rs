//! Registrations of citizens abroad: a residence, a trip, or (while a crisis is open) a
//! presence declared without an account. The form check names every failing field.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::accounts::Email;
use crate::{CountryCode, FieldErrors, Lang, ValidationError};

/// How many place rows one registration holds.
pub const MAX_PLACES: usize = 5;
/// How many companions one registration lists.
pub const MAX_COMPANIONS: usize = 10;
/// Region and city names.
pub const MAX_PLACE_TEXT: usize = 120;
const MAX_NAME: usize = 120;
const MAX_NOTE: usize = 1000;
const MAX_COUNT: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationKind {
    Residence,
    Trip,
    Presence,
}

impl RegistrationKind {
    pub const ALL: [RegistrationKind; 3] = [Self::Residence, Self::Trip, Self::Presence];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Residence => "residence",
            Self::Trip => "trip",
            Self::Presence => "presence",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or(ValidationError::new("choice_required"))
    }
}

/// A way to reach the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Self::Email, Self::Sms];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or(ValidationError::new("choice_required"))
    }

    /// Parses the stored comma-separated list, skipping anything unknown.
    pub fn parse_list(s: &str) -> Vec<Channel> {
        s.split(',')
            .filter_map(|c| Channel::parse(c).ok())
            .collect()
    }

    /// The stored form of a list: `email,sms`.
    pub fn join(list: &[Channel]) -> String {
        list.iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A phone number in E.164: `+`, a non-zero digit, 7 to 15 digits in all. Spaces, dots,
/// dashes and brackets typed for readability are dropped.
pub fn parse_phone(input: &str) -> Result<String, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(ValidationError::new("required"));
    }
    // Typed on an Arabic keyboard, the digits may be Arabic-Indic (٠٥٥ …) or Persian.
    let t = crate::validation::ascii_number(t);
    let compact: String = t.chars().filter(|c| !" .-()".contains(*c)).collect();
    let digits = compact.strip_prefix('+').unwrap_or("");
    let ok = digits.len() >= 7
        && digits.len() <= 15
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(compact)
    } else {
        Err(ValidationError::new("phone_e164"))
    }
}

/// A place row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceInput {
    pub country: String,
    pub region: String,
    pub city: String,
    pub lat: String,
    pub lon: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl PlaceInput {
    fn is_blank(&self) -> bool {
        [
            &self.country,
            &self.region,
            &self.city,
            &self.lat,
            &self.lon,
            &self.starts_on,
            &self.ends_on,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// A companion row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanionInput {
    pub name: String,
    pub relation: String,
    pub age: String,
}

/// The registration form as typed (web form or API body).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationInput {
    pub kind: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub channels: Vec<String>,
    pub lang: String,
    pub places: Vec<PlaceInput>,
    pub companions: Vec<CompanionInput>,
    pub children: String,
    pub elderly: bool,
    pub medical: bool,
    pub medical_note: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub emergency_email: String,
    pub consent: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPlace {
    pub country: CountryCode,
    pub region: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Companion {
    pub name: String,
    pub relation: String,
    pub age: Option<u8>,
}

/// A registration that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRegistration {
    pub kind: RegistrationKind,
    pub full_name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub channels: Vec<Channel>,
    pub lang: Lang,
    pub places: Vec<CheckedPlace>,
    pub companions: Vec<Companion>,
    /// The person plus adult companions.
    pub adults: u32,
    pub children: u32,
    pub elderly: bool,
    pub medical: bool,
    pub vulnerability_note: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub emergency_email: String,
}

impl CheckedRegistration {
    /// The last day of the last place, if every place has an end (what the purge counts from).
    pub fn last_day(&self) -> Option<NaiveDate> {
        if self.places.iter().any(|p| p.ends_on.is_none()) {
            return None;
        }
        self.places.iter().filter_map(|p| p.ends_on).max()
    }
}

fn text(v: &str, max: usize) -> Result<String, ValidationError> {
    let t = v.trim();
    if t.is_empty() {
        Err(ValidationError::new("required"))
    } else if t.chars().count() > max {
        Err(ValidationError::new("too_long"))
    } else {
        Ok(t.to_owned())
    }
}

/// A person's name: required text that spells something (see `validation::has_letters`).
fn person_name(v: &str, max: usize) -> Result<String, ValidationError> {
    let t = text(v, max)?;
    crate::validation::check_letters(&t)?;
    Ok(t)
}

fn optional_text(v: &str, max: usize) -> Result<String, ValidationError> {
    let t = v.trim();
    if t.chars().count() > max {
        Err(ValidationError::new("too_long"))
    } else {
        Ok(t.to_owned())
    }
}

fn optional_date(v: &str) -> Result<Option<NaiveDate>, ValidationError> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    crate::validation::iso_date(t)
        .map(Some)
        .ok_or(ValidationError::new("date_invalid"))
}

fn coordinate(v: &str, limit: f64) -> Result<Option<f64>, ValidationError> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match crate::validation::ascii_number(t).parse::<f64>() {
        Ok(x) if x.is_finite() && x.abs() <= limit => Ok(Some(x)),
        Ok(_) => Err(ValidationError::new("coordinate_range")),
        Err(_) => Err(ValidationError::new("number_invalid")),
    }
}

fn count(v: &str) -> Result<u32, ValidationError> {
    let t = v.trim();
    if t.is_empty() {
        return Ok(0);
    }
    match crate::validation::ascii_number(t).parse::<u32>() {
        Ok(n) if n <= MAX_COUNT => Ok(n),
        _ => Err(ValidationError::new("count_invalid")),
    }
}

/// The form field of a place row's part: `place1_country` (rows count from 1).
pub fn place_field(row: usize, part: &str) -> String {
    format!("place{}_{part}", row + 1)
}

/// The form field of a companion row's part: `companion1_name`.
pub fn companion_field(row: usize, part: &str) -> String {
    format!("companion{}_{part}", row + 1)
}

fn check_place(
    e: &mut FieldErrors,
    row: usize,
    p: &PlaceInput,
    kind: RegistrationKind,
    today: NaiveDate,
    is_new: bool,
) -> Option<CheckedPlace> {
    let f = |part| place_field(row, part);
    let country = e.check(&f("country"), CountryCode::parse(&p.country));
    let region = e.check(&f("region"), optional_text(&p.region, MAX_PLACE_TEXT));
    let city = e.check(&f("city"), optional_text(&p.city, MAX_PLACE_TEXT));
    let lat = e.check(&f("lat"), coordinate(&p.lat, 90.0));
    let lon = e.check(&f("lon"), coordinate(&p.lon, 180.0));
    if let (Some(a), Some(b)) = (lat, lon)
        && a.is_some() != b.is_some()
    {
        let missing = if a.is_none() { "lat" } else { "lon" };
        e.add(&f(missing), ValidationError::new("coordinate_pair"));
    }
    let starts = e.check(&f("starts_on"), optional_date(&p.starts_on));
    let ends = e.check(&f("ends_on"), optional_date(&p.ends_on));
    if kind == RegistrationKind::Trip {
        if starts == Some(None) {
            e.add(&f("starts_on"), ValidationError::new("required"));
        }
        if ends == Some(None) {
            e.add(&f("ends_on"), ValidationError::new("required"));
        }
    }
    if let (Some(Some(s)), Some(Some(x))) = (starts, ends)
        && x < s
    {
        e.add(&f("ends_on"), ValidationError::new("date_before_start"));
    } else if let Some(Some(x)) = ends
        && is_new
        && x < today
    {
        e.add(&f("ends_on"), ValidationError::new("date_must_be_future"));
    }
    Some(CheckedPlace {
        country: country?,
        region: region?,
        city: city?,
        lat: lat?,
        lon: lon?,
        starts_on: starts?,
        ends_on: ends?,
    })
}

/// The calendar days it is somewhere on Earth at `at`: from UTC−12 to UTC+14, the first
/// and the last. A date a person gives for their own place (the end of a trip, "today") is
/// in the zone they are in, which is not known: a date within these two is today for them.
pub fn days_somewhere(at: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    (
        (at - chrono::Duration::hours(12)).date_naive(),
        (at + chrono::Duration::hours(14)).date_naive(),
    )
}

/// Checks a whole registration. `is_new`: a new trip cannot end before `today`, the first
/// day it is somewhere on Earth ([`days_somewhere`]): a traveller whose trip ends today where
/// they are may register it late in their evening, when it is tomorrow in UTC.
pub fn check(
    input: &RegistrationInput,
    today: NaiveDate,
    is_new: bool,
) -> Result<CheckedRegistration, FieldErrors> {
    let mut e = FieldErrors::new();
    let kind = e.check("kind", RegistrationKind::parse(&input.kind));
    let full_name = e.check("full_name", person_name(&input.full_name, MAX_NAME));
    let email = if input.email.trim().is_empty() {
        None
    } else {
        e.check("email", Email::parse(&input.email))
    };
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        e.check("phone", parse_phone(&input.phone))
    };
    let mut channels = Vec::new();
    for c in &input.channels {
        match Channel::parse(c) {
            Ok(c) if !channels.contains(&c) => channels.push(c),
            Ok(_) => {}
            Err(err) => e.add("channels", err),
        }
    }
    if input.channels.is_empty() {
        e.add("channels", ValidationError::new("choice_required"));
    }
    // Each chosen channel needs its contact; a contact given but invalid is already named.
    if channels.contains(&Channel::Email) && input.email.trim().is_empty() {
        e.add("email", ValidationError::new("required"));
    }
    if channels.contains(&Channel::Sms) && input.phone.trim().is_empty() {
        e.add("phone", ValidationError::new("required"));
    }
    let lang = match Lang::parse(&input.lang) {
        Ok(l @ (Lang::Ar | Lang::En)) => Some(l),
        _ => {
            e.add("lang", ValidationError::new("choice_required"));
            None
        }
    };

    let mut places = Vec::new();
    let mut any_place = false;
    for (row, p) in input.places.iter().enumerate().take(MAX_PLACES) {
        if p.is_blank() {
            continue;
        }
        any_place = true;
        if let Some(checked) = check_place(
            &mut e,
            row,
            p,
            kind.unwrap_or(RegistrationKind::Residence),
            today,
            is_new,
        ) {
            places.push(checked);
        }
    }
    if input.places.len() > MAX_PLACES {
        e.add(
            &place_field(MAX_PLACES, "country"),
            ValidationError::new("too_many"),
        );
    }
    if !any_place {
        e.add(&place_field(0, "country"), ValidationError::new("required"));
    }

    let mut companions = Vec::new();
    for (row, c) in input.companions.iter().enumerate() {
        if c.name.trim().is_empty() && c.relation.trim().is_empty() && c.age.trim().is_empty() {
            continue;
        }
        if row >= MAX_COMPANIONS {
            e.add(
                &companion_field(row, "name"),
                ValidationError::new("too_many"),
            );
            break;
        }
        let name = e.check(
            &companion_field(row, "name"),
            person_name(&c.name, MAX_NAME),
        );
        let relation = e.check(
            &companion_field(row, "relation"),
            optional_text(&c.relation, 60),
        );
        let age = if c.age.trim().is_empty() {
            Some(None)
        } else {
            match crate::validation::ascii_number(c.age.trim()).parse::<u8>() {
                Ok(a) if a <= 130 => Some(Some(a)),
                _ => {
                    e.add(
                        &companion_field(row, "age"),
                        ValidationError::new("age_invalid"),
                    );
                    None
                }
            }
        };
        if let (Some(name), Some(relation), Some(age)) = (name, relation, age) {
            companions.push(Companion {
                name,
                relation,
                age,
            });
        }
    }
    let minors = companions
        .iter()
        .filter(|c| c.age.is_some_and(|a| a < 18))
        .count() as u32;
    let children = e
        .check("children", count(&input.children))
        .map(|n| n.max(minors));
    let note = e.check("medical_note", optional_text(&input.medical_note, MAX_NOTE));
    if input.medical && input.medical_note.trim().is_empty() {
        e.add("medical_note", ValidationError::new("required"));
    }

    let emergency_name = e.check(
        "emergency_name",
        optional_text(&input.emergency_name, MAX_NAME),
    );
    let emergency_phone = if input.emergency_phone.trim().is_empty() {
        Some(String::new())
    } else {
        e.check("emergency_phone", parse_phone(&input.emergency_phone))
    };
    let emergency_email = if input.emergency_email.trim().is_empty() {
        Some(String::new())
    } else {
        e.check("emergency_email", Email::parse(&input.emergency_email))
            .map(|m| m.as_str().to_owned())
    };
    let has_contact =
        !input.emergency_phone.trim().is_empty() || !input.emergency_email.trim().is_empty();
    if !input.emergency_name.trim().is_empty() && !has_contact {
        e.add("emergency_phone", ValidationError::new("required"));
    }
    if input.emergency_name.trim().is_empty() && has_contact {
        e.add("emergency_name", ValidationError::new("required"));
    }
    if !input.consent {
        e.add("consent", ValidationError::new("consent_required"));
    }

    e.into_result()?;
    // Every value below parsed (no error was recorded), so none of these is missing.
    let missing = || {
        let mut e = FieldErrors::new();
        e.add("form", ValidationError::new("invalid"));
        e
    };
    let adult_companions = companions.len() as u32 - minors;
    Ok(CheckedRegistration {
        kind: kind.ok_or_else(missing)?,
        full_name: full_name.ok_or_else(missing)?,
        email,
        phone,
        channels,
        lang: lang.ok_or_else(missing)?,
        places,
        companions,
        adults: 1 + adult_companions,
        children: children.ok_or_else(missing)?,
        elderly: input.elderly,
        medical: input.medical,
        vulnerability_note: note.ok_or_else(missing)?,
        emergency_name: emergency_name.ok_or_else(missing)?,
        emergency_phone: emergency_phone.ok_or_else(missing)?,
        emergency_email: emergency_email.ok_or_else(missing)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn trip() -> RegistrationInput {
        RegistrationInput {
            kind: "trip".into(),
            full_name: "Layla Haddad".into(),
            email: "layla@example.org".into(),
            phone: "+971 50 123 4567".into(),
            channels: vec!["email".into(), "sms".into()],
            lang: "ar".into(),
            places: vec![PlaceInput {
                country: "FR".into(),
                region: "Île-de-France".into(),
                city: "Paris".into(),
                lat: "48.85".into(),
                lon: "2.35".into(),
                starts_on: "2026-06-10".into(),
                ends_on: "2026-06-20".into(),
            }],
            companions: vec![CompanionInput {
                name: "Sami".into(),
                relation: "son".into(),
                age: "7".into(),
            }],
            children: "".into(),
            consent: true,
            ..Default::default()
        }
    }

    fn codes(input: &RegistrationInput) -> Vec<(String, &'static str)> {
        match check(input, today(), true) {
            Ok(_) => vec![],
            Err(e) => e.0.into_iter().map(|(f, v)| (f, v.code)).collect(),
        }
    }

    #[test]
    fn a_good_trip_passes_with_counts() {
        let r = check(&trip(), today(), true).unwrap();
        assert_eq!(r.kind, RegistrationKind::Trip);
        assert_eq!(r.phone.as_deref(), Some("+971501234567"));
        assert_eq!(r.children, 1);
        assert_eq!(r.adults, 1);
        assert_eq!(r.last_day(), NaiveDate::from_ymd_opt(2026, 6, 20));
        assert_eq!(r.places[0].lat, Some(48.85));
    }

    /// Counts, ages and coordinates as an Arabic keyboard types them.
    #[test]
    fn numbers_typed_in_arabic_digits_are_read() {
        let mut i = trip();
        i.companions[0].age = "٧".into();
        i.children = "٢".into();
        i.places[0].lat = "٤٨٫٨٥".into();
        i.places[0].lon = "۲.۳۵".into();
        let r = check(&i, today(), true).unwrap();
        assert_eq!(r.children, 2);
        assert_eq!(r.places[0].lat, Some(48.85));
        assert_eq!(r.places[0].lon, Some(2.35));
        assert_eq!(r.companions[0].age, Some(7));
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut i = trip();
        i.full_name = " ".into();
        i.email = "not-an-email".into();
        i.phone = "0501234567".into();
        i.lang = "fr".into();
        i.places[0].country = "XX".into();
        i.places[0].lat = "91".into();
        i.places[0].starts_on = "2026-06-21".into();
        i.consent = false;
        let c = codes(&i);
        for (field, code) in [
            ("full_name", "required"),
            ("email", "email_invalid"),
            ("phone", "phone_e164"),
            ("lang", "choice_required"),
            ("place1_country", "country_code_unknown"),
            ("place1_lat", "coordinate_range"),
            ("place1_ends_on", "date_before_start"),
            ("consent", "consent_required"),
        ] {
            assert!(
                c.iter().any(|(f, k)| f == field && *k == code),
                "{field} {code} in {c:?}"
            );
        }
    }

    #[test]
    fn a_name_of_tatweel_alone_is_refused() {
        let mut i = trip();
        i.full_name = "ـــــ".into();
        i.companions[0].name = " ـ ".into();
        let c = codes(&i);
        for field in ["full_name", "companion1_name"] {
            assert!(
                c.iter().any(|(f, k)| f == field && *k == "no_letters"),
                "{field} in {c:?}"
            );
        }
        i.full_name = "ليـــلى".into();
        assert!(!codes(&i).iter().any(|(f, _)| f == "full_name"));
    }

    #[test]
    fn chosen_channels_need_their_contact() {
        let mut i = trip();
        i.phone = String::new();
        assert_eq!(codes(&i), vec![("phone".to_owned(), "required")]);
        i.channels = vec!["email".into()];
        assert!(codes(&i).is_empty());
        i.channels.clear();
        assert_eq!(codes(&i), vec![("channels".to_owned(), "choice_required")]);
    }

    #[test]
    fn trips_need_dates_and_cannot_have_ended() {
        let mut i = trip();
        i.places[0].ends_on = "2026-05-01".into();
        i.places[0].starts_on = "2026-04-01".into();
        assert_eq!(
            codes(&i),
            vec![("place1_ends_on".to_owned(), "date_must_be_future")]
        );
        assert!(check(&i, today(), false).is_ok(), "an old trip may be kept");
        i.places[0].ends_on.clear();
        assert_eq!(codes(&i), vec![("place1_ends_on".to_owned(), "required")]);
        i.kind = "residence".into();
        assert!(codes(&i).is_empty(), "a residence has no end");
    }

    #[test]
    fn blank_rows_are_skipped_but_one_place_is_needed() {
        let mut i = trip();
        i.places.insert(0, PlaceInput::default());
        i.places.push(PlaceInput::default());
        assert!(codes(&i).is_empty());
        i.places = vec![PlaceInput::default()];
        assert_eq!(codes(&i), vec![("place1_country".to_owned(), "required")]);
        i.places = vec![trip().places[0].clone(); 6];
        assert!(codes(&i).iter().any(|(f, _)| f == "place6_country"));
    }

    #[test]
    fn coordinates_come_in_pairs_and_text_is_bounded() {
        let mut i = trip();
        i.places[0].lon.clear();
        i.places[0].city = "x".repeat(121);
        let c = codes(&i);
        assert!(c.contains(&("place1_lon".to_owned(), "coordinate_pair")));
        assert!(c.contains(&("place1_city".to_owned(), "too_long")));
    }

    #[test]
    fn companions_medical_and_emergency_contact() {
        let mut i = trip();
        i.companions[0].age = "old".into();
        i.medical = true;
        i.emergency_name = "Omar".into();
        i.children = "99".into();
        let c = codes(&i);
        assert!(c.contains(&("companion1_age".to_owned(), "age_invalid")));
        assert!(c.contains(&("medical_note".to_owned(), "required")));
        assert!(c.contains(&("emergency_phone".to_owned(), "required")));
        assert!(c.contains(&("children".to_owned(), "count_invalid")));
    }

    #[test]
    fn phones_are_e164() {
        assert_eq!(parse_phone("+44 (20) 7946-0958").unwrap(), "+442079460958");
        assert_eq!(parse_phone("+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧").unwrap(), "+966501234567");
        assert_eq!(parse_phone("+۹۸ ۲۱ ۱۲۳۴ ۵۶۷۸").unwrap(), "+982112345678");
        for bad in [
            "12345678",
            "+0123456789",
            "+12",
            "+1234567890123456",
            "+9715x1234567",
        ] {
            assert!(parse_phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_and_channels_round_trip() {
        for k in RegistrationKind::ALL {
            assert_eq!(RegistrationKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(
            Channel::parse_list(&Channel::join(&[Channel::Email, Channel::Sms])),
            vec![Channel::Email, Channel::Sms]
        );
    }
}
