//! Cells and lines of the CSV exports (the officers' case queue, the crisis welfare board,
//! the audit trail), safe to open in a spreadsheet.

/// One CSV cell. Text starting with `= + - @` (or a tab, a carriage return) is defused with
/// an apostrophe, so a spreadsheet shows it instead of running it as a formula; a plain
/// number (`-1.2921`, a latitude south of the equator) is no formula and stays a number. A
/// cell holding a separator, a quote or a line break is quoted.
pub fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
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

/// A line of cells, ended by CRLF (RFC 4180).
pub fn line(cells: &[String]) -> String {
    let mut out = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_defused_and_quoted() {
        assert_eq!(cell("أمل الحسن"), "أمل الحسن");
        assert_eq!(cell(r#"=HYPERLINK("x")"#), r#""'=HYPERLINK(""x"")""#);
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2,3"), "\"'-2,3\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell(r#"{"a":1,"b":"x"}"#), r#""{""a"":1,""b"":""x""}""#);
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
