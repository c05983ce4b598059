//! E-visas: what a visa says about its holder and its terms, its compact signed encoding
//! (the QR code's content) and the pure check of a presented code.
//!
//! The signed payload is the authority: anyone holding the ministry's public key can check a
//! visa offline. Revocation is the one fact that needs the database; see [`Verification`].

mod codec;
mod keys;
mod verify;

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::Serialize;

use crate::mission::MissionCode;
use crate::{CountryCode, ValidationError};

pub use codec::{DecodeError, PAYLOAD_VERSION};
pub use keys::{EvisaSigningKey, EvisaVerifyingKey, KeyId, SignedEvisa};
pub use verify::{InvalidReason, Verification, extract_code, verify_code};

/// A visa's human reference: `PAR-V-2026-000123` (mission code, `V`, year, sequence of at
/// least six digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct VisaNumber(String);

impl VisaNumber {
    pub fn new(mission: &MissionCode, year: i32, sequence: u32) -> Result<Self, ValidationError> {
        if !(2000..=9999).contains(&year) || sequence == 0 {
            return Err(ValidationError::new("visa_number_invalid"));
        }
        Ok(Self(format!(
            "{}-V-{year:04}-{sequence:06}",
            mission.as_str()
        )))
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim().to_ascii_uppercase();
        let invalid = ValidationError::new("visa_number_invalid");
        let parts: Vec<&str> = s.split('-').collect();
        let [code, "V", year, seq] = parts.as_slice() else {
            return Err(invalid);
        };
        let mission = MissionCode::parse(code).map_err(|_| invalid.clone())?;
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !all_digits(year) || !(6..=9).contains(&seq.len()) || !all_digits(seq)
        {
            return Err(invalid);
        }
        let number = Self::new(
            &mission,
            year.parse().map_err(|_| invalid.clone())?,
            seq.parse().map_err(|_| invalid.clone())?,
        )?;
        // One spelling per number: `PAR-V-2026-0000123` is not another name for `…-000123`.
        if number.0 != s {
            return Err(invalid);
        }
        Ok(number)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<VisaNumber> for String {
    fn from(value: VisaNumber) -> Self {
        value.0
    }
}

/// How many times the holder may enter on the visa.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entries {
    Single,
    Double,
    Multiple,
}

impl Entries {
    pub const ALL: [Entries; 3] = [Entries::Single, Entries::Double, Entries::Multiple];

    pub fn as_str(self) -> &'static str {
        match self {
            Entries::Single => "single",
            Entries::Double => "double",
            Entries::Multiple => "multiple",
        }
    }

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|e| e.as_str() == input.trim())
            .ok_or(ValidationError::new("entries_unknown"))
    }

    fn to_byte(self) -> u8 {
        match self {
            Entries::Single => 1,
            Entries::Double => 2,
            Entries::Multiple => 3,
        }
    }

    fn from_byte(b: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.to_byte() == b)
    }
}

/// The visa category's short code (`C`, `D`, `TOUR`, `BUS`): 1–8 capital letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct VisaTypeCode(String);

impl VisaTypeCode {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("required"));
        }
        if s.len() > 8
            || !s
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(ValidationError::new("visa_type_invalid"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<VisaTypeCode> for String {
    fn from(value: VisaTypeCode) -> Self {
        value.0
    }
}

/// The holder's name as printed in the passport's machine-readable zone: Latin capitals,
/// spaces, hyphens and apostrophes, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct HolderName(String);

impl HolderName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("holder_name_empty"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_uppercase() || " -'".contains(c))
        {
            return Err(ValidationError::new("holder_name_invalid_character"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(ValidationError::new("holder_name_too_long"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<HolderName> for String {
    fn from(value: HolderName) -> Self {
        value.0
    }
}

/// A passport number as the ICAO document-number field holds it: 1–9 capital letters or
/// digits. The error codes match the passport-number rules of the consular forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct PassportNo(String);

impl PassportNo {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s = input.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(ValidationError::new("passport_number_empty"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(ValidationError::new("passport_number_invalid_character"));
        }
        if s.len() > 9 {
            return Err(ValidationError::new("passport_number_too_long"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle hidden (`L89****2C`), for pages anyone with the code can
    /// open: enough to compare with the passport in hand, too little to copy.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let (head, tail) = match n {
            0..=2 => (0, 0),
            3..=5 => (1, 1),
            _ => (3, 2),
        };
        let mut out = String::with_capacity(n);
        out.push_str(&self.0[..head]);
        out.extend(std::iter::repeat_n('*', n - head - tail));
        out.push_str(&self.0[n - tail..]);
        out
    }
}

impl From<PassportNo> for String {
    fn from(value: PassportNo) -> Self {
        value.0
    }
}

/// Who the visa is for, as in their passport.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvisaHolder {
    pub name: HolderName,
    pub passport_number: PassportNo,
    pub nationality: CountryCode,
    pub birth_date: NaiveDate,
}

/// What the visa allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvisaTerms {
    visa_type: VisaTypeCode,
    entries: Entries,
    valid_from: NaiveDate,
    valid_until: NaiveDate,
    max_stay_days: u16,
}

impl EvisaTerms {
    pub const MAX_STAY_DAYS: u16 = 3650;

    /// Checks that the validity runs forwards and the stay is 1 to 3650 days.
    pub fn new(
        visa_type: VisaTypeCode,
        entries: Entries,
        valid_from: NaiveDate,
        valid_until: NaiveDate,
        max_stay_days: u16,
    ) -> Result<Self, ValidationError> {
        if valid_until < valid_from {
            return Err(ValidationError::new("evisa_validity_order"));
        }
        if !(1..=Self::MAX_STAY_DAYS).contains(&max_stay_days) {
            return Err(ValidationError::new("evisa_max_stay_invalid"));
        }
        Ok(Self {
            visa_type,
            entries,
            valid_from,
            valid_until,
            max_stay_days,
        })
    }

    pub fn visa_type(&self) -> &VisaTypeCode {
        &self.visa_type
    }

    pub fn entries(&self) -> Entries {
        self.entries
    }

    pub fn valid_from(&self) -> NaiveDate {
        self.valid_from
    }

    pub fn valid_until(&self) -> NaiveDate {
        self.valid_until
    }

    pub fn max_stay_days(&self) -> u16 {
        self.max_stay_days
    }
}

/// Everything an e-visa asserts, as signed. Encoded by [`EvisaPayload::encode`] (see
/// `docs/consular.md` for the byte layout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvisaPayload {
    pub visa_number: VisaNumber,
    pub holder: EvisaHolder,
    pub terms: EvisaTerms,
    pub mission_code: MissionCode,
    /// Whole seconds: the encoding keeps no fraction.
    issued_at: DateTime<Utc>,
    pub key_id: KeyId,
}

impl EvisaPayload {
    pub fn new(
        visa_number: VisaNumber,
        holder: EvisaHolder,
        terms: EvisaTerms,
        mission_code: MissionCode,
        issued_at: DateTime<Utc>,
        key_id: KeyId,
    ) -> Self {
        Self {
            visa_number,
            holder,
            terms,
            mission_code,
            issued_at: issued_at.trunc_subsecs(0),
            key_id,
        }
    }

    pub fn issued_at(&self) -> DateTime<Utc> {
        self.issued_at
    }
}

#[cfg(test)]
mod tests;
