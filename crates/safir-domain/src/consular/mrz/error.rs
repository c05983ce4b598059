//! Why a pasted MRZ was refused: one variant per check, each with a stable code and the MRZ field
//! it concerns, so the form can say which part of the zone to look at.

use crate::ValidationError;

/// A failed MRZ check. Line and column numbers count from 1, as printed on the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.code())]
pub enum MrzError {
    /// Neither 2 lines (passport, TD3) nor 3 lines (identity card, TD1).
    LineCount {
        found: usize,
    },
    LineLength {
        line: usize,
        found: usize,
        expected: usize,
    },
    /// Only `A-Z`, `0-9` and the filler `<` can appear in a zone.
    InvalidCharacter {
        line: usize,
        column: usize,
    },
    /// The first character is not `P` (TD3) or `A`, `C`, `I` (TD1).
    DocumentCode,
    DocumentNumberMissing,
    /// The name field holds digits or has no primary identifier (surname).
    InvalidName,
    CheckDigitDocumentNumber,
    CheckDigitBirthDate,
    CheckDigitExpiryDate,
    CheckDigitPersonalNumber,
    CheckDigitComposite,
    InvalidBirthDate,
    InvalidExpiryDate,
    /// A real date, but not within ten years before to twenty years after today.
    ExpiryOutOfRange,
    UnknownIssuingState,
    UnknownNationality,
    UnknownSex,
}

impl MrzError {
    /// Stable snake_case key that the message catalogs translate.
    pub fn code(&self) -> &'static str {
        match self {
            MrzError::LineCount { .. } => "mrz_line_count",
            MrzError::LineLength { .. } => "mrz_line_length",
            MrzError::InvalidCharacter { .. } => "mrz_invalid_character",
            MrzError::DocumentCode => "mrz_document_code",
            MrzError::DocumentNumberMissing => "mrz_document_number_missing",
            MrzError::InvalidName => "mrz_invalid_name",
            MrzError::CheckDigitDocumentNumber => "mrz_check_digit_document_number",
            MrzError::CheckDigitBirthDate => "mrz_check_digit_birth_date",
            MrzError::CheckDigitExpiryDate => "mrz_check_digit_expiry_date",
            MrzError::CheckDigitPersonalNumber => "mrz_check_digit_personal_number",
            MrzError::CheckDigitComposite => "mrz_check_digit_composite",
            MrzError::InvalidBirthDate => "mrz_invalid_date_birth",
            MrzError::InvalidExpiryDate => "mrz_invalid_date_expiry",
            MrzError::ExpiryOutOfRange => "mrz_expiry_out_of_range",
            MrzError::UnknownIssuingState => "mrz_unknown_issuing_state",
            MrzError::UnknownNationality => "mrz_unknown_nationality",
            MrzError::UnknownSex => "mrz_unknown_sex",
        }
    }

    /// The MRZ field the failure concerns; `mrz` when it is the zone's shape as a whole.
    pub fn field(&self) -> &'static str {
        match self {
            MrzError::LineCount { .. }
            | MrzError::LineLength { .. }
            | MrzError::InvalidCharacter { .. } => "mrz",
            MrzError::DocumentCode => "document_code",
            MrzError::DocumentNumberMissing | MrzError::CheckDigitDocumentNumber => {
                "document_number"
            }
            MrzError::InvalidName => "name",
            MrzError::CheckDigitBirthDate | MrzError::InvalidBirthDate => "birth_date",
            MrzError::CheckDigitExpiryDate
            | MrzError::InvalidExpiryDate
            | MrzError::ExpiryOutOfRange => "expiry_date",
            MrzError::CheckDigitPersonalNumber => "personal_number",
            MrzError::CheckDigitComposite => "composite",
            MrzError::UnknownIssuingState => "issuing_state",
            MrzError::UnknownNationality => "nationality",
            MrzError::UnknownSex => "sex",
        }
    }

    /// The 1-based line the failure sits on, where one line can be named.
    pub fn line(&self) -> Option<usize> {
        match self {
            MrzError::LineLength { line, .. } | MrzError::InvalidCharacter { line, .. } => {
                Some(*line)
            }
            _ => None,
        }
    }
}

impl From<MrzError> for ValidationError {
    fn from(err: MrzError) -> Self {
        match err {
            MrzError::InvalidCharacter { line, column } => {
                ValidationError::new(err.code()).at(line, column)
            }
            MrzError::LineCount { found } => ValidationError::new(err.code()).count("found", found),
            MrzError::LineLength {
                line,
                found,
                expected,
            } => ValidationError::new(err.code())
                .count("line", line)
                .count("found", found)
                .count("expected", expected),
            _ => ValidationError::new(err.code()),
        }
    }
}
