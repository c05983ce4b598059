//! Passport numbers as a citizen types them: the ICAO document-number field, at most nine
//! capital letters or digits.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A passport number: 1 to 9 characters of `A-Z0-9`, stored upper-case.
///
/// The MRZ pads shorter numbers with `<`; a filler is never part of the number itself, so it is
/// refused here rather than silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassportNumber(String);

impl PassportNumber {
    /// Longest number the TD3 document-number field can hold.
    pub const MAX_LEN: usize = 9;

    /// Accepts the number in any case, surrounding whitespace ignored.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("passport_number_empty"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Err(ValidationError::new("passport_number_invalid_character"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(ValidationError::new("passport_number_too_long"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for PassportNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PassportNumber {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PassportNumber> for String {
    fn from(value: PassportNumber) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn code(input: &str) -> &'static str {
        PassportNumber::parse(input).unwrap_err().code
    }

    #[test]
    fn trims_and_uppercases() {
        assert_eq!(
            PassportNumber::parse("  l898902c3 ").unwrap().as_str(),
            "L898902C3"
        );
        assert_eq!(PassportNumber::parse("7").unwrap().as_str(), "7");
    }

    #[test]
    fn each_failure_has_its_code() {
        assert_eq!(code(""), "passport_number_empty");
        assert_eq!(code(" \t\n"), "passport_number_empty");
        assert_eq!(code("L898902C36"), "passport_number_too_long");
        assert_eq!(code("L898<02C3"), "passport_number_invalid_character");
        assert_eq!(code("L898 02C3"), "passport_number_invalid_character");
        assert_eq!(code("L898-02"), "passport_number_invalid_character");
        assert_eq!(code("É12345"), "passport_number_invalid_character");
        // Arabic-Indic digits look like digits but cannot appear in an MRZ.
        assert_eq!(code("١٢٣٤٥"), "passport_number_invalid_character");
    }

    #[test]
    fn deserializing_goes_through_parse() {
        assert_eq!(
            PassportNumber::try_from("ab12".to_owned())
                .unwrap()
                .as_str(),
            "AB12"
        );
        assert!(PassportNumber::try_from("AB<12".to_owned()).is_err());
    }

    proptest! {
        #[test]
        fn never_panics_and_accepts_only_the_alphabet(input in "\\PC{0,12}") {
            if let Ok(n) = PassportNumber::parse(&input) {
                prop_assert!((1..=9).contains(&n.as_str().len()));
                prop_assert!(n.as_str().bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
            }
        }

        #[test]
        fn valid_numbers_round_trip(s in "[A-Za-z0-9]{1,9}") {
            let n = PassportNumber::parse(&s).unwrap();
            prop_assert_eq!(PassportNumber::parse(n.as_str()).unwrap(), n.clone());
            prop_assert_eq!(n.as_str(), s.to_ascii_uppercase());
        }
    }
}
