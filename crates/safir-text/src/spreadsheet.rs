//! Cells of CSV files meant to be opened in a spreadsheet (the web exports, the listening
//! report): data is shown as written, never run as a formula.

use std::borrow::Cow;

/// A byte-order mark, written first in a CSV file so that spreadsheet programs read it as
/// UTF-8 (Arabic text is garbled otherwise).
pub const BOM: &str = "\u{feff}";

/// Text starting with `= + - @` (or a tab, a carriage return) with an apostrophe before it,
/// so that a spreadsheet shows it instead of running it as a formula; a plain number
/// (`-1.2921`, a latitude south of the equator) is no formula and stays a number.
pub fn defuse(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// One CSV cell: [`defuse`]d, and quoted when it holds a separator, a quote or a line
/// break.
pub fn cell(value: &str) -> String {
    let value = defuse(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// A line of cells, ended by CRLF (RFC 4180).
pub fn line(cells: &[String]) -> String {
    let mut out = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

/// `-12`, `-1.2921`: an optional minus, digits, and digits after one full stop.
fn is_plain_number(value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    match unsigned.split_once('.') {
        Some((whole, fraction)) => digits(whole) && digits(fraction),
        None => digits(unsigned),
    }
}

#[cfg(test)]
mod tests {
    use super::{cell, defuse, line};

    #[test]
    fn cells_are_defused_and_quoted() {
        assert_eq!(cell("أمل الحسن"), "أمل الحسن");
        assert_eq!(cell(r#"=HYPERLINK("x")"#), r#""'=HYPERLINK(""x"")""#);
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2,3"), "\"'-2,3\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(r#"{"a":1,"b":"x"}"#), r#""{""a"":1,""b"":""x""}""#);
        assert_eq!(defuse("@mofa_example"), "'@mofa_example");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("#عمان:3"), "#عمان:3");
        assert_eq!(
            line(&["@a".to_owned(), "b,c".to_owned()]),
            "'@a,\"b,c\"\r\n"
        );
    }

    #[test]
    fn a_negative_number_stays_a_number() {
        assert_eq!(cell("-1.2921"), "-1.2921");
        assert_eq!(cell("-36"), "-36");
        for formula in ["-1+2", "-A1", "-", "-.5", "-1.", "-1.2.3", "-1e5", "- 1"] {
            assert!(cell(formula).starts_with('\''), "{formula}");
        }
    }
}
