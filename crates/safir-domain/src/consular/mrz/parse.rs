//! Reading a zone: normalize the pasted text, then slice and check each field of TD3 (ICAO 9303
//! part 4) or TD1 (part 5).

use chrono::NaiveDate;

use super::dates::{self, DateError};
use super::{Mrz, MrzCountry, MrzError, MrzKind, Sex, check_digit};

pub(super) fn parse(text: &str, today: NaiveDate) -> Result<Mrz, MrzError> {
    let (kind, lines) = normalize(text)?;
    match kind {
        MrzKind::Td3 => td3(&lines[0], &lines[1], today),
        MrzKind::Td1 => td1(&lines[0], &lines[1], &lines[2], today),
    }
}

/// Splits into upper-case lines of the right count, alphabet and length.
fn normalize(text: &str) -> Result<(MrzKind, Vec<String>), MrzError> {
    let mut lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    // A zone copied from a database or a reader often arrives as one run of characters.
    if let [single] = lines[..] {
        for kind in [MrzKind::Td3, MrzKind::Td1] {
            let len = kind.line_len();
            if single.len() == len * kind.line_count() && single.is_ascii() {
                lines = (0..kind.line_count())
                    .map(|i| &single[i * len..(i + 1) * len])
                    .collect();
            }
        }
    }
    let kind = match lines.len() {
        2 => MrzKind::Td3,
        3 => MrzKind::Td1,
        found => return Err(MrzError::LineCount { found }),
    };
    let mut upper = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let mut out = String::with_capacity(line.len());
        for (j, c) in line.chars().enumerate() {
            let c = c.to_ascii_uppercase();
            if !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<') {
                return Err(MrzError::InvalidCharacter {
                    line: i + 1,
                    column: j + 1,
                });
            }
            out.push(c);
        }
        if out.len() != kind.line_len() {
            return Err(MrzError::LineLength {
                line: i + 1,
                found: out.len(),
                expected: kind.line_len(),
            });
        }
        upper.push(out);
    }
    Ok((kind, upper))
}

/// True when `digit` is the check digit of `field`.
fn checks(field: &str, digit: u8) -> bool {
    digit.is_ascii_digit() && digit - b'0' == check_digit(field.as_bytes())
}

fn document_code(code: &str, first: &[u8]) -> Result<String, MrzError> {
    let b = code.as_bytes();
    if !first.contains(&b[0]) || !(b[1].is_ascii_uppercase() || b[1] == b'<') {
        return Err(MrzError::DocumentCode);
    }
    Ok(code.trim_end_matches('<').to_owned())
}

fn document_number(field: &str) -> Result<String, MrzError> {
    let number = field.trim_end_matches('<');
    if number.is_empty() {
        return Err(MrzError::DocumentNumberMissing);
    }
    Ok(number.to_owned())
}

/// Splits `SURNAME<<GIVEN<NAMES<<<` into the primary and secondary identifiers.
fn names(field: &str) -> Result<(String, String), MrzError> {
    if !field.bytes().all(|b| b.is_ascii_uppercase() || b == b'<') {
        return Err(MrzError::InvalidName);
    }
    let (primary, secondary) = field.split_once("<<").unwrap_or((field, ""));
    let surname = words(primary);
    if surname.is_empty() || primary.starts_with('<') {
        return Err(MrzError::InvalidName);
    }
    Ok((surname, words(secondary)))
}

fn words(field: &str) -> String {
    field
        .split('<')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn sex(b: u8) -> Result<Sex, MrzError> {
    match b {
        b'F' => Ok(Sex::Female),
        b'M' => Ok(Sex::Male),
        b'<' => Ok(Sex::Unspecified),
        _ => Err(MrzError::UnknownSex),
    }
}

fn birth_date(field: &str, today: NaiveDate) -> Result<NaiveDate, MrzError> {
    dates::birth(field, today).map_err(|_| MrzError::InvalidBirthDate)
}

fn expiry_date(field: &str, today: NaiveDate) -> Result<NaiveDate, MrzError> {
    dates::expiry(field, today).map_err(|e| match e {
        DateError::Invalid => MrzError::InvalidExpiryDate,
        DateError::OutOfRange => MrzError::ExpiryOutOfRange,
    })
}

fn td3(l1: &str, l2: &str, today: NaiveDate) -> Result<Mrz, MrzError> {
    let b2 = l2.as_bytes();
    let document_code = document_code(&l1[0..2], b"P")?;
    if !checks(&l2[0..9], b2[9]) {
        return Err(MrzError::CheckDigitDocumentNumber);
    }
    if !checks(&l2[13..19], b2[19]) {
        return Err(MrzError::CheckDigitBirthDate);
    }
    if !checks(&l2[21..27], b2[27]) {
        return Err(MrzError::CheckDigitExpiryDate);
    }
    let personal = &l2[28..42];
    // An unused personal-number field may carry a filler instead of its check digit.
    let personal_unused = personal.bytes().all(|b| b == b'<') && b2[42] == b'<';
    if !personal_unused && !checks(personal, b2[42]) {
        return Err(MrzError::CheckDigitPersonalNumber);
    }
    let composite = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
    if !checks(&composite, b2[43]) {
        return Err(MrzError::CheckDigitComposite);
    }
    let issuing_state = MrzCountry::from_field(&l1[2..5]).ok_or(MrzError::UnknownIssuingState)?;
    let (surname, given_names) = names(&l1[5..44])?;
    let document_number = document_number(&l2[0..9])?;
    let nationality = MrzCountry::from_field(&l2[10..13]).ok_or(MrzError::UnknownNationality)?;
    let birth_date = birth_date(&l2[13..19], today)?;
    let sex = sex(b2[20])?;
    let expiry_date = expiry_date(&l2[21..27], today)?;
    Ok(Mrz {
        kind: MrzKind::Td3,
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data: personal.trim_end_matches('<').to_owned(),
        optional_data_2: String::new(),
    })
}

fn td1(l1: &str, l2: &str, l3: &str, today: NaiveDate) -> Result<Mrz, MrzError> {
    let (b1, b2) = (l1.as_bytes(), l2.as_bytes());
    let document_code = document_code(&l1[0..2], b"ACI")?;
    let (number_field, optional) = if b1[14] == b'<' {
        long_document_number(&l1[5..14], &l1[15..30])?
    } else {
        if !checks(&l1[5..14], b1[14]) {
            return Err(MrzError::CheckDigitDocumentNumber);
        }
        (l1[5..14].to_owned(), &l1[15..30])
    };
    if !checks(&l2[0..6], b2[6]) {
        return Err(MrzError::CheckDigitBirthDate);
    }
    if !checks(&l2[8..14], b2[14]) {
        return Err(MrzError::CheckDigitExpiryDate);
    }
    let composite = [&l1[5..30], &l2[0..7], &l2[8..15], &l2[18..29]].concat();
    if !checks(&composite, b2[29]) {
        return Err(MrzError::CheckDigitComposite);
    }
    let issuing_state = MrzCountry::from_field(&l1[2..5]).ok_or(MrzError::UnknownIssuingState)?;
    let (surname, given_names) = names(l3)?;
    let document_number = document_number(&number_field)?;
    let nationality = MrzCountry::from_field(&l2[15..18]).ok_or(MrzError::UnknownNationality)?;
    let birth_date = birth_date(&l2[0..6], today)?;
    let sex = sex(b2[7])?;
    let expiry_date = expiry_date(&l2[8..14], today)?;
    Ok(Mrz {
        kind: MrzKind::Td1,
        document_code,
        issuing_state,
        surname,
        given_names,
        document_number,
        nationality,
        birth_date,
        sex,
        expiry_date,
        optional_data: optional.trim_end_matches('<').to_owned(),
        optional_data_2: l2[18..29].trim_end_matches('<').to_owned(),
    })
}

/// ICAO 9303 part 5: a number longer than nine characters keeps its first nine in the number
/// field, a filler where the check digit would be, and continues in the optional data followed
/// by the check digit over the whole number and a filler. Returns the number and what is left
/// of the optional data.
fn long_document_number<'a>(
    principal: &str,
    optional: &'a str,
) -> Result<(String, &'a str), MrzError> {
    let end = optional.find('<').unwrap_or(optional.len());
    if end == 0 {
        return Err(MrzError::CheckDigitDocumentNumber);
    }
    let number = [principal, &optional[..end - 1]].concat();
    if !checks(&number, optional.as_bytes()[end - 1]) {
        return Err(MrzError::CheckDigitDocumentNumber);
    }
    let rest = optional.get(end + 1..).unwrap_or("");
    Ok((number, rest))
}
