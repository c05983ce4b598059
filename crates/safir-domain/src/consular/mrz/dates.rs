//! Two-digit MRZ dates (`YYMMDD`) resolved to calendar dates relative to a given day.

use chrono::{Datelike, Months, NaiveDate};

/// Why a date field could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DateError {
    /// Not six digits, or no such day in any century considered.
    Invalid,
    /// A real day, but in no century that falls within the allowed window.
    OutOfRange,
}

fn split(field: &str) -> Option<(i32, u32, u32)> {
    let b = field.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    Some((i32::try_from(two(0)).ok()?, two(2), two(4)))
}

/// The candidate years `yy` can stand for, near `today`'s century.
fn candidates(yy: i32, today: NaiveDate) -> [i32; 3] {
    let century = today.year() - today.year().rem_euclid(100);
    [century - 100 + yy, century + yy, century + 100 + yy]
}

/// A birth date: the latest matching day that is not after `today`.
pub(super) fn birth(field: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let (yy, mm, dd) = split(field).ok_or(DateError::Invalid)?;
    candidates(yy, today)
        .into_iter()
        .rev()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, mm, dd))
        .find(|d| *d <= today)
        .ok_or(DateError::Invalid)
}

/// An expiry date: the matching day between ten years before and twenty years after `today`.
/// The window is narrower than a century, so at most one candidate falls inside it.
pub(super) fn expiry(field: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let (yy, mm, dd) = split(field).ok_or(DateError::Invalid)?;
    let days: Vec<NaiveDate> = candidates(yy, today)
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, mm, dd))
        .collect();
    if days.is_empty() {
        return Err(DateError::Invalid);
    }
    let earliest = today.checked_sub_months(Months::new(120));
    let latest = today.checked_add_months(Months::new(240));
    let (Some(earliest), Some(latest)) = (earliest, latest) else {
        return Err(DateError::OutOfRange);
    };
    days.into_iter()
        .find(|d| (earliest..=latest).contains(d))
        .ok_or(DateError::OutOfRange)
}

/// `YYMMDD` for writing a date back into a zone.
pub(super) fn format(date: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        date.year().rem_euclid(100),
        date.month(),
        date.day()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn birth_dates_are_never_in_the_future() {
        let today = day(2026, 5, 1);
        assert_eq!(birth("740812", today), Ok(day(1974, 8, 12)));
        assert_eq!(birth("260501", today), Ok(day(2026, 5, 1)));
        assert_eq!(birth("260502", today), Ok(day(1926, 5, 2)));
        assert_eq!(birth("000101", today), Ok(day(2000, 1, 1)));
    }

    #[test]
    fn a_leap_day_with_no_past_century_is_invalid() {
        // 2000-02-29 is still ahead and 1900 was not a leap year.
        assert_eq!(birth("000229", day(2000, 2, 28)), Err(DateError::Invalid));
        assert_eq!(birth("000229", day(2000, 3, 1)), Ok(day(2000, 2, 29)));
    }

    #[test]
    fn expiry_dates_fall_in_the_window() {
        let today = day(2026, 5, 1);
        assert_eq!(expiry("310430", today), Ok(day(2031, 4, 30)));
        assert_eq!(expiry("160501", today), Ok(day(2016, 5, 1)));
        assert_eq!(expiry("460501", today), Ok(day(2046, 5, 1)));
        assert_eq!(expiry("160430", today), Err(DateError::OutOfRange));
        assert_eq!(expiry("460502", today), Err(DateError::OutOfRange));
        // Near a century boundary the window spans both centuries.
        assert_eq!(expiry("050101", day(2095, 6, 1)), Ok(day(2105, 1, 1)));
        assert_eq!(expiry("900101", day(2095, 6, 1)), Ok(day(2090, 1, 1)));
    }

    #[test]
    fn malformed_fields_are_invalid() {
        let today = day(2026, 5, 1);
        for bad in ["741312", "740832", "740230", "74O812", "74<<<<", "7408", ""] {
            assert_eq!(birth(bad, today), Err(DateError::Invalid), "{bad}");
            assert_eq!(expiry(bad, today), Err(DateError::Invalid), "{bad}");
        }
    }

    #[test]
    fn extreme_todays_do_not_panic() {
        for today in [NaiveDate::MIN, NaiveDate::MAX] {
            let _ = birth("740812", today);
            let _ = expiry("740812", today);
        }
    }

    #[test]
    fn format_writes_two_digit_years() {
        assert_eq!(format(day(1974, 8, 12)), "740812");
        assert_eq!(format(day(2003, 1, 5)), "030105");
    }
}
