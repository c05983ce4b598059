//! The service catalogue: what a mission offers, at what fee, with which documents and how
//! fast. Each mission edits its own; a service's kind decides which application form it uses.

use crate::ValidationError;

/// A fee in minor units (cents, fils …) of an ISO 4217 currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fee {
    pub minor: i64,
    pub currency: Currency,
}

/// An ISO 4217 alphabetic code with its number of minor digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency {
    code: [u8; 3],
    digits: u8,
}

/// The currencies missions charge in; minor digits per ISO 4217.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("BHD", 3),
    ("CHF", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KWD", 3),
    ("LBP", 2),
    ("MAD", 2),
    ("OMR", 3),
    ("QAR", 2),
    ("SAR", 2),
    ("SDG", 2),
    ("TND", 3),
    ("TRY", 2),
    ("USD", 2),
];

impl Currency {
    /// The codes a mission may charge in, for the catalogue editor's list.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CURRENCIES.iter().map(|(c, _)| *c)
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let up = s.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == up)
            .map(|(c, d)| {
                let b = c.as_bytes();
                Currency {
                    code: [b[0], b[1], b[2]],
                    digits: *d,
                }
            })
            .ok_or(ValidationError::new("currency_unknown"))
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    pub fn digits(&self) -> u8 {
        self.digits
    }
}

impl Fee {
    /// Parses "75", "75.5" or "75.50" (a dot or an Arabic decimal separator) into minor units;
    /// more decimals than the currency has is an error, not a rounding. A comma is refused
    /// (`fee_comma`): "1,500" is one thousand five hundred to some and one and a half to
    /// others, and in a currency of three decimals (KWD, BHD, OMR, JOD, TND) both read.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, ValidationError> {
        let s = crate::validation::ascii_number(amount.trim()).into_owned();
        if s.is_empty() {
            return Err(ValidationError::new("fee_required"));
        }
        if s.contains([',', '\u{066C}']) {
            return Err(ValidationError::new("fee_comma"));
        }
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_ok(whole) || !digits_ok(frac) {
            return Err(ValidationError::new("fee_invalid"));
        }
        if frac.len() > currency.digits as usize {
            return Err(ValidationError::new("fee_too_precise"));
        }
        let scale = 10i64.pow(currency.digits as u32);
        let whole: i64 = whole
            .parse()
            .map_err(|_| ValidationError::new("fee_too_large"))?;
        let frac_val: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<width$}", width = currency.digits as usize)
                .parse()
                .map_err(|_| ValidationError::new("fee_invalid"))?
        };
        let minor = whole
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_val))
            .filter(|v| *v <= 100_000_000 * scale)
            .ok_or(ValidationError::new("fee_too_large"))?;
        Ok(Fee { minor, currency })
    }

    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Fee { minor, currency }
    }

    /// "75.50 EUR"; "0" for a free service is shown by the caller as "free".
    pub fn display(&self) -> String {
        let d = self.currency.digits as usize;
        if d == 0 {
            return format!("{} {}", self.minor, self.currency.code());
        }
        let scale = 10i64.pow(d as u32);
        format!(
            "{}.{:0d$} {}",
            self.minor / scale,
            self.minor % scale,
            self.currency.code(),
            d = d
        )
    }

    /// The amount without the currency, as an edit form shows it.
    pub fn amount_text(&self) -> String {
        let d = self.currency.digits as usize;
        if d == 0 {
            return self.minor.to_string();
        }
        let scale = 10i64.pow(d as u32);
        format!("{}.{:0d$}", self.minor / scale, self.minor % scale, d = d)
    }
}

/// Visa categories a mission may offer; each mission picks its own list.
pub const VISA_TYPES: &[&str] = &[
    "tourist",
    "business",
    "study",
    "transit",
    "work",
    "family_visit",
    "medical",
];

pub fn parse_visa_type(s: &str) -> Result<&'static str, ValidationError> {
    VISA_TYPES
        .iter()
        .copied()
        .find(|t| *t == s.trim())
        .ok_or(ValidationError::new("visa_type_unknown"))
}

/// Checks a bilingual text field: required, trimmed, at most `max` characters.
pub fn required_text(s: &str, max: usize) -> Result<String, ValidationError> {
    let t = crate::trim_blank(s);
    if t.is_empty() {
        return Err(ValidationError::new("required"));
    }
    check_characters(t)?;
    if t.chars().count() > max {
        return Err(ValidationError::new("too_long"));
    }
    Ok(t.to_owned())
}

pub fn optional_text(s: &str, max: usize) -> Result<String, ValidationError> {
    let t = crate::trim_blank(s);
    check_characters(t)?;
    if t.chars().count() > max {
        return Err(ValidationError::new("too_long"));
    }
    Ok(t.to_owned())
}

/// Text a person typed: line breaks and tabs, no other control character (a terminal escape
/// or a bell has no place in a name shown to applicants).
pub fn check_characters(t: &str) -> Result<(), ValidationError> {
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new("invalid_characters"));
    }
    Ok(())
}

/// Processing-time target in calendar days.
pub fn parse_processing_days(s: &str) -> Result<i32, ValidationError> {
    let n: i32 = crate::validation::ascii_number(s.trim())
        .parse()
        .map_err(|_| ValidationError::new("number_invalid"))?;
    if !(1..=365).contains(&n) {
        return Err(ValidationError::new("processing_days_range"));
    }
    Ok(n)
}

/// Service codes are short, stable slugs used in URLs and the API.
pub fn parse_service_code(s: &str) -> Result<String, ValidationError> {
    let t = s.trim().to_ascii_lowercase();
    let ok = (2..=40).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        && t.as_bytes()[0].is_ascii_lowercase();
    if ok {
        Ok(t)
    } else {
        Err(ValidationError::new("service_code_invalid"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_in_minor_units() {
        let eur = Currency::parse("eur").unwrap();
        assert_eq!(Fee::parse("75", eur).unwrap().minor, 7500);
        assert_eq!(Fee::parse("75.5", eur).unwrap().minor, 7550);
        assert_eq!(Fee::parse("٧٥٫٥٠", eur).unwrap().minor, 7550);
        let kwd = Currency::parse("KWD").unwrap();
        for typed in ["1,500", "1٬500", "12,5"] {
            assert_eq!(
                Fee::parse(typed, kwd).unwrap_err().code,
                "fee_comma",
                "{typed}"
            );
        }
        assert_eq!(Fee::parse("1500.500", kwd).unwrap().minor, 1_500_500);
        assert_eq!(
            Fee::parse("75.555", eur),
            Err(ValidationError::new("fee_too_precise"))
        );
        assert_eq!(
            Fee::parse("-3", eur),
            Err(ValidationError::new("fee_invalid"))
        );
        assert_eq!(
            Fee::parse("", eur),
            Err(ValidationError::new("fee_required"))
        );
        assert_eq!(
            Fee::parse("99999999999999999999", eur),
            Err(ValidationError::new("fee_too_large"))
        );
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Fee::parse("1.250", kwd).unwrap().display(), "1.250 KWD");
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(Fee::parse("3000", jpy).unwrap().display(), "3000 JPY");
        assert_eq!(Fee::from_minor(7505, eur).display(), "75.05 EUR");
        assert!(Currency::parse("ABC").is_err());
    }

    #[test]
    fn codes_and_texts() {
        assert_eq!(
            parse_service_code(" Passport_Renewal ").unwrap(),
            "passport_renewal"
        );
        assert!(parse_service_code("1abc").is_err());
        assert!(parse_service_code("a b").is_err());
        assert!(required_text("  ", 10).is_err());
        assert!(required_text("abcdefghijk", 10).is_err());
        assert_eq!(parse_processing_days("10"), Ok(10));
        assert!(parse_processing_days("0").is_err());
        assert_eq!(parse_visa_type("tourist"), Ok("tourist"));
    }
}
