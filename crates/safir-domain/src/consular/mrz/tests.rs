//! ICAO specimens, one test per refusal, and properties over generated zones.

use chrono::NaiveDate;

use super::*;

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];
const TD1: [&str; 3] = [
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
];
/// ICAO 9303 part 11, appendix D: a TD1 card whose 12-character number continues in the
/// optional data.
const TD1_LONG: [&str; 3] = [
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A day at which the specimens' dates are all plausible (they expire in 2012).
fn specimen_today() -> NaiveDate {
    day(2010, 1, 1)
}

fn parse(lines: &[&str]) -> Result<Mrz, MrzError> {
    Mrz::parse(&lines.join("\n"), specimen_today())
}

/// `lines` with the character at (line, column), both 1-based, replaced.
fn with_char<S: AsRef<str>>(lines: &[S], line: usize, column: usize, c: char) -> Vec<String> {
    let mut out: Vec<String> = lines.iter().map(|l| l.as_ref().to_owned()).collect();
    out[line - 1].replace_range(column - 1..column, &c.to_string());
    out
}

fn parse_owned(lines: &[String]) -> Result<Mrz, MrzError> {
    Mrz::parse(&lines.join("\n"), specimen_today())
}

fn err(lines: &[String]) -> MrzError {
    parse_owned(lines).unwrap_err()
}

/// Recomputes every check digit of a TD3 zone after a test changed its data.
fn fix_td3(l2: &str) -> String {
    let mut b = l2.as_bytes().to_vec();
    for (start, end) in [(0, 9), (13, 19), (21, 27), (28, 42)] {
        b[end] = b'0' + check_digit(&b[start..end]);
    }
    let composite = [&b[0..10], &b[13..20], &b[21..43]].concat();
    b[43] = b'0' + check_digit(&composite);
    String::from_utf8(b).unwrap()
}

fn td3_with_line2(l2: &str) -> Vec<String> {
    vec![TD3[0].to_owned(), fix_td3(l2)]
}

#[test]
fn check_digits_of_the_specimens() {
    assert_eq!(check_digit(b"L898902C3"), 6);
    assert_eq!(check_digit(b"740812"), 2);
    assert_eq!(check_digit(b"120415"), 9);
    assert_eq!(check_digit(b"ZE184226B<<<<<"), 1);
    assert_eq!(check_digit(b"D23145890"), 7);
    assert_eq!(check_digit(b"D23145890734"), 9);
    assert_eq!(check_digit(b"<<<<<<<<<"), 0);
}

#[test]
fn td3_specimen() {
    let mrz = parse(&TD3).unwrap();
    assert_eq!(mrz.kind(), MrzKind::Td3);
    assert_eq!(mrz.document_code(), "P");
    assert_eq!(mrz.issuing_state().code(), "UTO");
    assert_eq!(mrz.issuing_state().country(), None);
    assert_eq!(mrz.surname(), "ERIKSSON");
    assert_eq!(mrz.given_names(), "ANNA MARIA");
    assert_eq!(mrz.document_number(), "L898902C3");
    assert_eq!(mrz.nationality().code(), "UTO");
    assert_eq!(mrz.birth_date(), day(1974, 8, 12));
    assert_eq!(mrz.sex(), Sex::Female);
    assert_eq!(mrz.expiry_date(), day(2012, 4, 15));
    assert_eq!(mrz.optional_data(), "ZE184226B");
    assert_eq!(mrz.optional_data_2(), "");
    assert_eq!(mrz.to_string(), TD3.join("\n"));
}

#[test]
fn td1_specimen() {
    let mrz = parse(&TD1).unwrap();
    assert_eq!(mrz.kind(), MrzKind::Td1);
    assert_eq!(mrz.document_code(), "I");
    assert_eq!(mrz.document_number(), "D23145890");
    assert_eq!(mrz.surname(), "ERIKSSON");
    assert_eq!(mrz.given_names(), "ANNA MARIA");
    assert_eq!(mrz.birth_date(), day(1974, 8, 12));
    assert_eq!(mrz.expiry_date(), day(2012, 4, 15));
    assert_eq!(mrz.sex(), Sex::Female);
    assert_eq!(mrz.optional_data(), "");
    assert_eq!(mrz.to_string(), TD1.join("\n"));
}

#[test]
fn td1_long_document_number() {
    let mrz = Mrz::parse(&TD1_LONG.join("\n"), day(1990, 1, 1)).unwrap();
    assert_eq!(mrz.document_number(), "D23145890734");
    assert_eq!(mrz.optional_data(), "");
    assert_eq!(mrz.surname(), "STEVENSON");
    assert_eq!(mrz.given_names(), "PETER JOHN");
    assert_eq!(mrz.birth_date(), day(1934, 7, 12));
    assert_eq!(mrz.expiry_date(), day(1995, 7, 12));
    assert_eq!(mrz.sex(), Sex::Male);
    assert_eq!(mrz.to_string(), TD1_LONG.join("\n"));
    // The check digit covers the whole number, so a change in its continuation is caught.
    let changed = with_char(&TD1_LONG, 1, 17, '5');
    assert_eq!(
        Mrz::parse(&changed.join("\n"), day(1990, 1, 1)),
        Err(MrzError::CheckDigitDocumentNumber)
    );
}

#[test]
fn pasted_text_is_tolerated() {
    let expected = parse(&TD3).unwrap();
    let messy = format!(
        "\r\n  {}\r\n\r\n\t{}  \r\n",
        TD3[0].to_lowercase(),
        TD3[1].to_lowercase()
    );
    assert_eq!(Mrz::parse(&messy, specimen_today()), Ok(expected.clone()));
    assert_eq!(Mrz::parse(&TD3.concat(), specimen_today()), Ok(expected));
    assert_eq!(
        Mrz::parse(&TD1.concat(), specimen_today()),
        Ok(parse(&TD1).unwrap())
    );
}

#[test]
fn an_unused_personal_number_may_omit_its_check_digit() {
    let blank = format!("{}{}", &TD3[1][..28], "<".repeat(16));
    let with_zero = fix_td3(&blank);
    assert_eq!(&with_zero[42..43], "0");
    // A filler weighs the same as zero, so the composite digit stays valid.
    let mut with_filler = with_zero.clone();
    with_filler.replace_range(42..43, "<");
    for l2 in [with_filler, with_zero] {
        let mrz = parse_owned(&[TD3[0].to_owned(), l2.clone()]).unwrap();
        assert_eq!(mrz.optional_data(), "", "{l2}");
    }
}

#[test]
fn icao_codes_that_are_not_iso() {
    let germany = with_char(
        &with_char(&with_char(&TD3, 1, 3, 'D'), 1, 4, '<'),
        1,
        5,
        '<',
    );
    let mrz = parse_owned(&germany).unwrap();
    assert_eq!(mrz.issuing_state().code(), "D");
    assert_eq!(
        mrz.issuing_state().country(),
        Some(crate::CountryCode::parse("DE").unwrap())
    );
    for code in ["XXA", "XXB", "XXC", "UNO", "UNA", "UNK", "EUE", "XOM"] {
        let c = MrzCountry::from_field(code).unwrap();
        assert_eq!((c.code(), c.country()), (code, None));
    }
    let france = MrzCountry::from_field("FRA").unwrap();
    assert_eq!(
        france.country().map(|c| c.as_str().to_owned()),
        Some("FR".into())
    );
    assert!(MrzCountry::from_field("FR<").is_none());
    assert!(MrzCountry::from_field("<<<").is_none());
}

#[test]
fn matches_names_each_disagreeing_field() {
    let mrz = parse(&TD3).unwrap();
    let number = PassportNumber::parse("l898902c3").unwrap();
    let (birth, expiry) = (day(1974, 8, 12), day(2012, 4, 15));
    assert_eq!(mrz.matches(&number, expiry, Some(birth)), Ok(()));
    assert_eq!(mrz.matches(&number, expiry, None), Ok(()));
    // The zone's `740812` is 1974 as read today, and 1874 for a holder that old.
    assert_eq!(mrz.matches(&number, expiry, Some(day(1874, 8, 12))), Ok(()));
    let other = PassportNumber::parse("L898902C4").unwrap();
    assert_eq!(
        mrz.matches(&other, expiry, Some(birth)),
        Err(vec![MismatchField::PassportNumber])
    );
    assert_eq!(
        mrz.matches(&other, day(2012, 4, 16), Some(day(1974, 8, 13))),
        Err(vec![
            MismatchField::PassportNumber,
            MismatchField::ExpiryDate,
            MismatchField::BirthDate
        ])
    );
    assert_eq!(MismatchField::PassportNumber.field(), "passport_number");
    assert_eq!(MismatchField::ExpiryDate.code(), "mrz_mismatch_expiry_date");
}

mod errors;
mod properties;
