//! ICAO 9303 machine-readable zones of passports (TD3) and identity cards (TD1): parsing pasted
//! text with every check digit verified, and comparing the zone with what a citizen typed.

mod country;
mod dates;
mod error;
mod format;
mod parse;
#[cfg(test)]
mod tests;

use chrono::{Datelike, NaiveDate};

pub use country::MrzCountry;
pub use error::MrzError;

use super::passport::PassportNumber;

/// The zone's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MrzKind {
    /// Identity card: three lines of 30 characters (ICAO 9303 part 5).
    Td1,
    /// Passport: two lines of 44 characters (ICAO 9303 part 4).
    Td3,
}

impl MrzKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MrzKind::Td1 => "td1",
            MrzKind::Td3 => "td3",
        }
    }

    fn line_count(self) -> usize {
        match self {
            MrzKind::Td1 => 3,
            MrzKind::Td3 => 2,
        }
    }

    fn line_len(self) -> usize {
        match self {
            MrzKind::Td1 => 30,
            MrzKind::Td3 => 44,
        }
    }
}

/// Sex as the zone records it: `F`, `M`, or `<` for unspecified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    Female,
    Male,
    Unspecified,
}

impl Sex {
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unspecified => "unspecified",
        }
    }
}

/// A zone that passed every check. Only [`Mrz::parse`] builds one; [`std::fmt::Display`] writes
/// it back in its canonical form, lines separated by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrz {
    kind: MrzKind,
    document_code: String,
    issuing_state: MrzCountry,
    surname: String,
    given_names: String,
    document_number: String,
    nationality: MrzCountry,
    birth_date: NaiveDate,
    sex: Sex,
    expiry_date: NaiveDate,
    optional_data: String,
    optional_data_2: String,
}

/// A value the citizen typed that the zone contradicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MismatchField {
    PassportNumber,
    ExpiryDate,
    BirthDate,
}

impl MismatchField {
    /// The form field that disagrees with the zone.
    pub fn field(self) -> &'static str {
        match self {
            MismatchField::PassportNumber => "passport_number",
            MismatchField::ExpiryDate => "passport_expiry",
            MismatchField::BirthDate => "birth_date",
        }
    }

    /// Stable key for the message "the … you typed does not match the MRZ".
    pub fn code(self) -> &'static str {
        match self {
            MismatchField::PassportNumber => "mrz_mismatch_passport_number",
            MismatchField::ExpiryDate => "mrz_mismatch_expiry_date",
            MismatchField::BirthDate => "mrz_mismatch_birth_date",
        }
    }
}

impl Mrz {
    /// Parses pasted text. Surrounding whitespace, blank lines, CRLF line ends and lower case are
    /// tolerated; a single line of 88 or 90 characters is taken as a TD3 or TD1 zone pasted
    /// without its line breaks. Two-digit years are resolved against `today`: a birth date is
    /// the latest one not after `today`, an expiry date must fall between ten years before and
    /// twenty years after it.
    pub fn parse(text: &str, today: NaiveDate) -> Result<Self, MrzError> {
        parse::parse(text, today)
    }

    /// Checks what the citizen typed against the zone, naming every field that disagrees.
    pub fn matches(
        &self,
        passport_number: &PassportNumber,
        expiry: NaiveDate,
        birth: Option<NaiveDate>,
    ) -> Result<(), Vec<MismatchField>> {
        let mut mismatches = Vec::new();
        if self.document_number != passport_number.as_str() {
            mismatches.push(MismatchField::PassportNumber);
        }
        if self.expiry_date != expiry {
            mismatches.push(MismatchField::ExpiryDate);
        }
        // The zone holds two digits of the year: a typed birth date a century before the one
        // the zone was read as (someone aged 100 or more) agrees with it.
        let same_day = |a: NaiveDate, b: NaiveDate| {
            (a.year().rem_euclid(100), a.month(), a.day())
                == (b.year().rem_euclid(100), b.month(), b.day())
        };
        if birth.is_some_and(|b| !same_day(b, self.birth_date)) {
            mismatches.push(MismatchField::BirthDate);
        }
        if mismatches.is_empty() {
            Ok(())
        } else {
            Err(mismatches)
        }
    }

    pub fn kind(&self) -> MrzKind {
        self.kind
    }

    /// `P`, `PD`, `I`, `ID`, … without fillers.
    pub fn document_code(&self) -> &str {
        &self.document_code
    }

    pub fn issuing_state(&self) -> &MrzCountry {
        &self.issuing_state
    }

    /// The primary identifier, fillers inside it shown as spaces.
    pub fn surname(&self) -> &str {
        &self.surname
    }

    /// Secondary identifiers separated by single spaces; empty when the holder has none.
    pub fn given_names(&self) -> &str {
        &self.given_names
    }

    /// The whole document number, including the part a TD1 card continues in its optional
    /// data field when the number is longer than nine characters.
    pub fn document_number(&self) -> &str {
        &self.document_number
    }

    pub fn nationality(&self) -> &MrzCountry {
        &self.nationality
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    pub fn sex(&self) -> Sex {
        self.sex
    }

    pub fn expiry_date(&self) -> NaiveDate {
        self.expiry_date
    }

    /// TD3: the personal number. TD1: the optional data of line 1 (after any continued
    /// document number). Trailing fillers removed.
    pub fn optional_data(&self) -> &str {
        &self.optional_data
    }

    /// TD1 only: the optional data of line 2, trailing fillers removed; empty for TD3.
    pub fn optional_data_2(&self) -> &str {
        &self.optional_data_2
    }
}

/// ICAO 9303 part 3 check digit: values `0-9` for digits, 10-35 for `A-Z`, 0 for `<`, weighted
/// 7, 3, 1 repeating, sum modulo 10. Any other byte counts as a filler; parsing has refused
/// such bytes before any digit is computed.
pub fn check_digit(field: &[u8]) -> u8 {
    const WEIGHTS: [u32; 3] = [7, 3, 1];
    let sum: u32 = field
        .iter()
        .zip(WEIGHTS.iter().cycle())
        .map(|(&b, &w)| {
            let value = match b {
                b'0'..=b'9' => u32::from(b - b'0'),
                b'A'..=b'Z' => u32::from(b - b'A') + 10,
                _ => 0,
            };
            value * w
        })
        .sum();
    // The remainder is below 10, so the cast cannot truncate.
    (sum % 10) as u8
}
