//! The payload's byte layout, version 1: fixed-width big-endian numbers and length-prefixed
//! ASCII, in one fixed field order. Decoding is strict — a payload decodes only if encoding
//! the result gives back the same bytes — so one visa has exactly one signed form.

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    Entries, EvisaHolder, EvisaPayload, EvisaTerms, HolderName, KeyId, PassportNo, VisaNumber,
    VisaTypeCode,
};
use crate::CountryCode;
use crate::mission::MissionCode;

pub const PAYLOAD_VERSION: u8 = 1;

/// Why bytes are not a payload. Shown to nobody; verification calls them all "invalid".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    UnknownVersion,
    Truncated,
    TrailingBytes,
    BadField(&'static str),
    NotCanonical,
}

const EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");

fn days(d: NaiveDate) -> i32 {
    // Dates are within chrono's range (±262,000 years), so the day count fits an i32.
    i32::try_from((d - EPOCH).num_days()).unwrap_or(i32::MAX)
}

impl EvisaPayload {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96);
        out.push(PAYLOAD_VERSION);
        out.extend_from_slice(self.key_id.as_bytes());
        put_str(&mut out, self.visa_number.as_str());
        put_str(&mut out, self.holder.name.as_str());
        put_str(&mut out, self.holder.passport_number.as_str());
        out.extend_from_slice(self.holder.nationality.as_str().as_bytes());
        out.extend_from_slice(&days(self.holder.birth_date).to_be_bytes());
        put_str(&mut out, self.terms.visa_type.as_str());
        out.push(self.terms.entries.to_byte());
        out.extend_from_slice(&days(self.terms.valid_from).to_be_bytes());
        out.extend_from_slice(&days(self.terms.valid_until).to_be_bytes());
        out.extend_from_slice(&self.terms.max_stay_days.to_be_bytes());
        put_str(&mut out, self.mission_code.as_str());
        out.extend_from_slice(&self.issued_at.timestamp().to_be_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader(bytes);
        if r.take(1)?[0] != PAYLOAD_VERSION {
            return Err(DecodeError::UnknownVersion);
        }
        let key_id = KeyId::from_bytes(r.array()?);
        let visa_number = r.field("visa_number", VisaNumber::parse)?;
        let name = r.field("holder_name", HolderName::parse)?;
        let passport_number = r.field("passport_number", PassportNo::parse)?;
        let nationality = CountryCode::parse(r.ascii(2, "nationality")?)
            .map_err(|_| DecodeError::BadField("nationality"))?;
        let birth_date = r.date("birth_date")?;
        let visa_type = r.field("visa_type", VisaTypeCode::parse)?;
        let entries = Entries::from_byte(r.take(1)?[0]).ok_or(DecodeError::BadField("entries"))?;
        let valid_from = r.date("valid_from")?;
        let valid_until = r.date("valid_until")?;
        let max_stay_days = u16::from_be_bytes(r.array()?);
        let mission_code = r.field("mission_code", MissionCode::parse)?;
        let issued_at = DateTime::<Utc>::from_timestamp(i64::from_be_bytes(r.array()?), 0)
            .ok_or(DecodeError::BadField("issued_at"))?;
        if !r.0.is_empty() {
            return Err(DecodeError::TrailingBytes);
        }
        let terms = EvisaTerms::new(visa_type, entries, valid_from, valid_until, max_stay_days)
            .map_err(|_| DecodeError::BadField("terms"))?;
        let payload = EvisaPayload::new(
            visa_number,
            EvisaHolder {
                name,
                passport_number,
                nationality,
                birth_date,
            },
            terms,
            mission_code,
            issued_at,
            key_id,
        );
        // The field parsers normalize (case, spaces); a payload that needed normalizing was
        // not written by `encode`.
        if payload.encode() != bytes {
            return Err(DecodeError::NotCanonical);
        }
        Ok(payload)
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Every string field is validated ASCII of at most 64 bytes.
    let len = u8::try_from(s.len()).unwrap_or(u8::MAX);
    out.push(len);
    out.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.0.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn ascii(&mut self, n: usize, field: &'static str) -> Result<&'a str, DecodeError> {
        let bytes = self.take(n)?;
        if !bytes.is_ascii() {
            return Err(DecodeError::BadField(field));
        }
        std::str::from_utf8(bytes).map_err(|_| DecodeError::BadField(field))
    }

    fn field<T, E>(
        &mut self,
        field: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, DecodeError> {
        let len = usize::from(self.take(1)?[0]);
        let s = self.ascii(len, field)?;
        parse(s).map_err(|_| DecodeError::BadField(field))
    }

    fn date(&mut self, field: &'static str) -> Result<NaiveDate, DecodeError> {
        let n = i32::from_be_bytes(self.array()?);
        EPOCH
            .checked_add_signed(chrono::Duration::days(i64::from(n)))
            .ok_or(DecodeError::BadField(field))
    }
}
