//! ISO 3166-1 countries with their Arabic, English and French names.

mod table;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Lang, ValidationError};

/// An ISO 3166-1 alpha-2 code that names a real country (`FR`, `AE`, `KE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Accepts the code in any case, surrounding spaces ignored.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(ValidationError::new("country_code_format"));
        }
        let code = [bytes[0], bytes[1]];
        if index_of(&upper).is_none() {
            return Err(ValidationError::new("country_code_unknown"));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII uppercase letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn alpha3(&self) -> &'static str {
        self.row().1
    }

    pub fn numeric(&self) -> u16 {
        self.row().2
    }

    /// The country's name in the given language (French where asked, else Arabic or English).
    pub fn name(&self, lang: Lang) -> &'static str {
        let row = self.row();
        match lang {
            Lang::Ar => row.3,
            Lang::En => row.4,
            Lang::Fr => row.5,
        }
    }

    /// Every known country, sorted by code.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        table::COUNTRIES
            .iter()
            .map(|row| CountryCode([row.0.as_bytes()[0], row.0.as_bytes()[1]]))
    }

    fn row(
        &self,
    ) -> &'static (
        &'static str,
        &'static str,
        u16,
        &'static str,
        &'static str,
        &'static str,
    ) {
        let idx = index_of(self.as_str()).unwrap_or(0);
        &table::COUNTRIES[idx]
    }
}

fn index_of(code: &str) -> Option<usize> {
    table::COUNTRIES
        .binary_search_by(|row| row.0.cmp(code))
        .ok()
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_parse_in_any_case() {
        let fr = CountryCode::parse(" fr ").unwrap();
        assert_eq!(fr.as_str(), "FR");
        assert_eq!(fr.alpha3(), "FRA");
        assert_eq!(fr.numeric(), 250);
        assert_eq!(fr.name(Lang::Ar), "فرنسا");
        assert_eq!(fr.name(Lang::En), "France");
    }

    #[test]
    fn unknown_and_malformed_codes_are_rejected() {
        assert_eq!(
            CountryCode::parse("XX").unwrap_err().code,
            "country_code_unknown"
        );
        assert_eq!(
            CountryCode::parse("FRA").unwrap_err().code,
            "country_code_format"
        );
        assert_eq!(
            CountryCode::parse("").unwrap_err().code,
            "country_code_format"
        );
        assert_eq!(
            CountryCode::parse("فر").unwrap_err().code,
            "country_code_format"
        );
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(table::COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(CountryCode::all().count(), 250);
    }
}
