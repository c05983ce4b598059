//! Languages of the interface and of content.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A language Safir speaks. Arabic and English for the interface; French for content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ar,
    En,
    Fr,
}

impl Lang {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "ar" => Ok(Lang::Ar),
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            _ => Err(ValidationError::new("language_unknown")),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    pub fn is_rtl(self) -> bool {
        matches!(self, Lang::Ar)
    }
}

/// A value in several languages; Arabic is required, the others fall back to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Localized<T> {
    pub ar: T,
    pub en: Option<T>,
    pub fr: Option<T>,
}

impl<T> Localized<T> {
    pub fn get(&self, lang: Lang) -> &T {
        match lang {
            Lang::Ar => &self.ar,
            Lang::En => self.en.as_ref().unwrap_or(&self.ar),
            Lang::Fr => self.fr.as_ref().or(self.en.as_ref()).unwrap_or(&self.ar),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localized_falls_back_to_arabic() {
        let name = Localized {
            ar: "باريس".to_string(),
            en: Some("Paris".to_string()),
            fr: None,
        };
        assert_eq!(name.get(Lang::En), "Paris");
        assert_eq!(name.get(Lang::Fr), "Paris");
        let only_ar = Localized {
            ar: "دبي".to_string(),
            en: None,
            fr: None,
        };
        assert_eq!(only_ar.get(Lang::En), "دبي");
    }

    #[test]
    fn lang_parses_known_codes_only() {
        assert_eq!(Lang::parse("EN").unwrap(), Lang::En);
        assert!(Lang::parse("de").is_err());
    }
}
