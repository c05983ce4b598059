//! Validation errors: a stable code that the web layer translates, per field.

use std::fmt;

/// One failed check. `code` is a stable snake_case key looked up in the message catalogs;
/// `at`, where the check can tell, the line and the character (both from 1) of a field of
/// several lines where it failed; `counts`, numbers the message states (the line whose length
/// is wrong, the length found, the length expected), by the name its placeable has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub code: &'static str,
    pub at: Option<(usize, usize)>,
    pub counts: Vec<(&'static str, usize)>,
}

impl ValidationError {
    pub const fn new(code: &'static str) -> Self {
        Self {
            code,
            at: None,
            counts: Vec::new(),
        }
    }

    /// The same failure, with `value` for the message's placeable `name`.
    pub fn count(mut self, name: &'static str, value: usize) -> Self {
        self.counts.push((name, value));
        self
    }

    /// The same failure, at `line` and `column` of the field.
    pub fn at(self, line: usize, column: usize) -> Self {
        Self {
            at: Some((line, column)),
            ..self
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl std::error::Error for ValidationError {}

/// `s` without the whitespace and the invisible characters at either end: the zero-width
/// space and joiners, the direction marks and controls, the byte order mark. A value of those
/// alone (typed, or pasted with a right-to-left mark) is as empty as one of spaces.
pub fn trim_blank(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// `s` with the digits of Arabic keyboards as ASCII digits — Arabic-Indic (٠–٩) and
/// Eastern Arabic-Indic (۰–۹, Persian and Urdu keyboards) — and the Arabic decimal
/// separator (٫) as a dot, so that a number, a time or a date typed in Arabic reads as the
/// same number in ASCII. Borrowed when there is nothing to change.
pub fn ascii_number(s: &str) -> std::borrow::Cow<'_, str> {
    let ascii = |c: char| match c {
        '\u{0660}'..='\u{0669}' => Some(char::from(b'0' + (c as u32 - 0x0660) as u8)),
        '\u{06F0}'..='\u{06F9}' => Some(char::from(b'0' + (c as u32 - 0x06F0) as u8)),
        '\u{066B}' => Some('.'),
        _ => None,
    };
    if s.chars().any(|c| ascii(c).is_some()) {
        s.chars().map(|c| ascii(c).unwrap_or(c)).collect()
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A calendar date as a form or a query string gives it: exactly `YYYY-MM-DD`, four-digit
/// year from 0001 to 9999. Chrono's `%Y` alone also reads a signed year of any length
/// (`+262142-12-31`), a date so far off that adding a few days to it overflows.
pub fn iso_date(input: &str) -> Option<chrono::NaiveDate> {
    let b = input.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !(digits(0..4) && digits(5..7) && digits(8..10)) || &b[0..4] == b"0000" {
        return None;
    }
    chrono::NaiveDate::parse_from_str(input, "%Y-%m-%d").ok()
}

/// Tatweel (U+0640), the stroke that stretches Arabic words: Unicode counts it as a letter
/// (a modifier letter), but it spells nothing.
const TATWEEL: char = '\u{0640}';

/// Whether a name spells something: at least one letter other than tatweel. A name made
/// only of tatweel, digits, punctuation, marks or symbols (`ـــ`, `-`, `...`, `123`) is
/// refused with `no_letters`; text pasted from a PDF or a keyboard slip is the usual cause.
/// Unicode's alphabetic property also holds vowel marks (harakat), hence the second test.
pub fn has_letters(s: &str) -> bool {
    s.chars().any(|c| {
        c != TATWEEL && c.is_alphabetic() && !unicode_normalization::char::is_combining_mark(c)
    })
}

/// `no_letters` when a name that is present spells nothing (see [`has_letters`]); an empty
/// name passes, for the caller's own `required` check to judge.
pub fn check_letters(s: &str) -> Result<(), ValidationError> {
    if s.trim().is_empty() || has_letters(s) {
        Ok(())
    } else {
        Err(ValidationError::new("no_letters"))
    }
}

/// Errors of a whole form or request body, keyed by field name, in input order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, ValidationError)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, err: ValidationError) {
        self.0.push((field.to_owned(), err));
    }

    /// Runs a parser, records its error under `field`, and hands back the value when it parsed.
    pub fn check<T>(&mut self, field: &str, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&ValidationError> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, e)| e)
    }

    /// `Ok(())` when no field failed.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_typed_on_arabic_keyboards_read_as_ascii() {
        assert_eq!(ascii_number("٠٩:٣٠"), "09:30");
        assert_eq!(trim_blank("\u{200F}\u{200B} \u{2067}"), "");
        assert_eq!(trim_blank("\u{200F}نعم\u{200E} "), "نعم");
        assert_eq!(trim_blank(" a\u{200B}b "), "a\u{200B}b");
        assert_eq!(ascii_number("۱۲"), "12");
        assert_eq!(ascii_number("٢٠٢٦-٠١-٣١"), "2026-01-31");
        assert_eq!(ascii_number("٤٨٫٨٥"), "48.85");
        assert!(matches!(
            ascii_number("12:00"),
            std::borrow::Cow::Borrowed(_)
        ));
        // Only digits and the decimal separator: other letters stay.
        assert_eq!(ascii_number("١٢ يوم"), "12 يوم");
    }

    #[test]
    fn a_date_is_four_digit_year_month_day() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(iso_date("2026-12-01"), d(2026, 12, 1));
        assert_eq!(iso_date("0001-01-01"), d(1, 1, 1));
        assert_eq!(iso_date("9999-12-31"), d(9999, 12, 31));
        for bad in [
            "+262142-12-31",
            "-0001-01-01",
            "+2026-12-01",
            "10000-01-14",
            "+10000-01-14",
            "0000-01-01",
            "2026-2-01",
            "2026-02-1",
            "2026-02-30",
            "2026/02/01",
            " 2026-02-01",
            "٢٠٢٦-٠٢-٠١",
            "",
        ] {
            assert_eq!(iso_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_name_must_hold_a_letter_other_than_tatweel() {
        for name in ["Anna", "ليلى", "مـحـمـد", "李", "Ørsted", "O'Brien"] {
            assert!(has_letters(name), "{name}");
            assert_eq!(check_letters(name), Ok(()), "{name}");
        }
        for name in [
            "ـ",
            "ـــــ",
            " ـ ـ ",
            "-",
            "...",
            "123",
            "٣٤",
            "\u{064E}\u{0651}",
            "🙂",
            "﷽",
        ] {
            assert!(!has_letters(name), "{name:?}");
            assert_eq!(
                check_letters(name),
                Err(ValidationError::new("no_letters")),
                "{name:?}"
            );
        }
        assert_eq!(check_letters("  "), Ok(()));
    }
}
