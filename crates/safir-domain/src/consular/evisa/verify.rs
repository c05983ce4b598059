//! Checking a presented e-visa code: signature first, then the dates. Pure: the keys and
//! `today` come in, and revocation (which needs the register) is added by the caller.

use chrono::NaiveDate;

use super::{EvisaPayload, EvisaVerifyingKey, SignedEvisa};

/// Longer input is not a code this site wrote; refusing it early bounds the work a request
/// can cause.
pub const MAX_CODE_LEN: usize = 2048;

/// The outcome of a check, as the verify page and API report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Valid(EvisaPayload),
    Expired(EvisaPayload),
    NotYetValid(EvisaPayload),
    /// Authentic, but withdrawn by the issuing mission.
    Revoked(EvisaPayload),
    Invalid(InvalidReason),
}

/// Why a code is not a visa. The public is told only "invalid"; the reason is for logs and
/// the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidReason {
    /// Not two base64url parts, or the payload is not a version-1 e-visa.
    Malformed,
    /// Signed with a key this ministry does not publish.
    UnknownKey,
    /// The signature does not match the payload.
    BadSignature,
    /// Signed with a retired key, and not a visa the register holds: after a rotation (a
    /// key that may have leaked), only the visas that key really signed stay valid.
    NotRegistered,
}

impl InvalidReason {
    pub fn code(self) -> &'static str {
        match self {
            InvalidReason::Malformed => "malformed",
            InvalidReason::UnknownKey => "unknown_key",
            InvalidReason::BadSignature => "bad_signature",
            InvalidReason::NotRegistered => "not_registered",
        }
    }
}

impl Verification {
    /// Stable snake_case status: `valid`, `expired`, `not_yet_valid`, `revoked`, `invalid`.
    pub fn code(&self) -> &'static str {
        match self {
            Verification::Valid(_) => "valid",
            Verification::Expired(_) => "expired",
            Verification::NotYetValid(_) => "not_yet_valid",
            Verification::Revoked(_) => "revoked",
            Verification::Invalid(_) => "invalid",
        }
    }

    /// The authentic payload, whatever its dates or revocation say.
    pub fn payload(&self) -> Option<&EvisaPayload> {
        match self {
            Verification::Valid(p)
            | Verification::Expired(p)
            | Verification::NotYetValid(p)
            | Verification::Revoked(p) => Some(p),
            Verification::Invalid(_) => None,
        }
    }

    /// An authentic visa's standing on `today` by its dates (revocation is added with
    /// [`Verification::with_revocation`]).
    pub fn dated(payload: EvisaPayload, today: NaiveDate) -> Verification {
        if today < payload.terms.valid_from() {
            Verification::NotYetValid(payload)
        } else if today > payload.terms.valid_until() {
            Verification::Expired(payload)
        } else {
            Verification::Valid(payload)
        }
    }

    /// Marks an authentic visa revoked; an invalid code stays invalid.
    pub fn with_revocation(self, revoked: bool) -> Verification {
        match self {
            Verification::Invalid(r) => Verification::Invalid(r),
            other if revoked => match other {
                Verification::Valid(p)
                | Verification::Expired(p)
                | Verification::NotYetValid(p)
                | Verification::Revoked(p) => Verification::Revoked(p),
                Verification::Invalid(r) => Verification::Invalid(r),
            },
            other => other,
        }
    }
}

/// The code inside what someone pasted: the `v` parameter of a verify URL, or the bare code.
/// White space anywhere is dropped: neither holds any, and copying adds it, at the ends and
/// where a printed address breaks across lines (the PDF prints it in lines of 64).
pub fn extract_code(input: &str) -> String {
    let input: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let query = input.split_once('?').map(|(_, q)| q);
    let from_query =
        query.and_then(|q| q.split(['&', '#']).find_map(|pair| pair.strip_prefix("v=")));
    match from_query {
        Some(code) => code.to_owned(),
        None => input,
    }
}

/// Checks `code` (or a pasted URL) against the published `keys` on the day `today`.
pub fn verify_code(input: &str, keys: &[EvisaVerifyingKey], today: NaiveDate) -> Verification {
    if input.len() > 4 * MAX_CODE_LEN {
        return Verification::Invalid(InvalidReason::Malformed);
    }
    let code = extract_code(input);
    let code = code.as_str();
    if code.len() > MAX_CODE_LEN {
        return Verification::Invalid(InvalidReason::Malformed);
    }
    let Some(signed) = SignedEvisa::parse_code(code) else {
        return Verification::Invalid(InvalidReason::Malformed);
    };
    let Ok(payload) = EvisaPayload::decode(&signed.payload) else {
        return Verification::Invalid(InvalidReason::Malformed);
    };
    let Some(key) = keys.iter().find(|k| k.id() == payload.key_id) else {
        return Verification::Invalid(InvalidReason::UnknownKey);
    };
    if !key.verifies(&signed.payload, &signed.signature) {
        return Verification::Invalid(InvalidReason::BadSignature);
    }
    Verification::dated(payload, today)
}
