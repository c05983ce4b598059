//! Timestamps as the importers accept them, all turned into milliseconds since the
//! Unix epoch (UTC).
//!
//! | input | example | meaning |
//! |---|---|---|
//! | integer below 10^11 | `1700000000` | epoch seconds |
//! | integer from 10^11 to below 10^14 | `1700000000123` | epoch milliseconds |
//! | integer of 10^14 or more | `1460323737035677698` | Twitter snowflake id: `(id >> 22) + 1288834974657` ms |
//! | decimal | `1700000000.25`, `1700000000123.0` | by its whole part as above: seconds with a fraction (kept to the millisecond), milliseconds (the fraction dropped) or a snowflake id |
//! | ISO 8601 / RFC 3339 | `2024-03-01T12:00:00Z`, `2024-03-01 12:00:00+03:00` | without an offset, UTC |
//! | ISO 8601 date | `2024-03-01` | midnight UTC |
//! | RFC 2822 (RSS) | `Fri, 01 Mar 2024 12:00:00 GMT` | |
//! | Twitter v1.1 | `Fri Mar 01 12:00:00 +0000 2024` | |

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Twitter's snowflake epoch (2010-11-04T01:42:54.657Z) in Unix milliseconds.
pub const TWITTER_EPOCH_MS: i64 = 1_288_834_974_657;

/// Milliseconds encoded in a Twitter snowflake id.
pub fn snowflake_ms(id: u64) -> i64 {
    (id >> 22) as i64 + TWITTER_EPOCH_MS
}

/// Epoch milliseconds as ISO 8601 in UTC (`2024-03-01T12:00:00.000Z`).
pub fn format_iso(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
    )
}

/// Parses any documented timestamp form into epoch milliseconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(whole_number_ms(s.parse().ok()?));
    }
    if let Some(ms) = parse_decimal_seconds(s) {
        return Some(ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%a %b %d %H:%M:%S %z %Y",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, fmt) {
            return Some(t.timestamp_millis());
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis());
    }
    None
}

/// Whole numbers below this are epoch seconds; from it, epoch milliseconds.
const MILLISECONDS_FROM: u64 = 100_000_000_000;
/// Whole numbers from this on are Twitter snowflake ids.
const SNOWFLAKES_FROM: u64 = 100_000_000_000_000;

/// Epoch milliseconds of a whole number, read by its size: seconds, milliseconds
/// or a snowflake id.
fn whole_number_ms(n: u64) -> i64 {
    if n < MILLISECONDS_FROM {
        n as i64 * 1000
    } else if n < SNOWFLAKES_FROM {
        n as i64
    } else {
        snowflake_ms(n)
    }
}

/// A decimal number, read by the size of its whole part as whole numbers are:
/// `1700000000.25` is seconds, and `1700000000123.0` (milliseconds that went
/// through a float, as spreadsheet and dataframe exports write them) is
/// milliseconds, whose fraction is below what is kept.
fn parse_decimal_seconds(s: &str) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.')?;
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = int.parse().ok()?;
    if whole >= MILLISECONDS_FROM {
        if !neg {
            return Some(whole_number_ms(whole));
        }
        // Milliseconds before 1970 can be negative; a snowflake id cannot.
        return (whole < SNOWFLAKES_FROM).then(|| -(whole as i64));
    }
    let secs = whole as i64;
    let mut ms = 0i64;
    for (i, b) in frac.bytes().take(3).enumerate() {
        ms += i64::from(b - b'0') * [100, 10, 1][i];
    }
    let total = secs.checked_mul(1000)?.checked_add(ms)?;
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_form() {
        let t = 1_709_294_400_000; // 2024-03-01T12:00:00Z
        assert_eq!(parse_timestamp("1709294400"), Some(t));
        assert_eq!(parse_timestamp("1709294400000"), Some(t));
        assert_eq!(parse_timestamp("1709294400.5"), Some(t + 500));
        assert_eq!(parse_timestamp("2024-03-01T12:00:00Z"), Some(t));
        assert_eq!(parse_timestamp("2024-03-01T15:00:00+03:00"), Some(t));
        assert_eq!(parse_timestamp("2024-03-01 12:00:00"), Some(t));
        assert_eq!(parse_timestamp("2024-03-01T12:00:00.000Z"), Some(t));
        assert_eq!(parse_timestamp("Fri, 01 Mar 2024 12:00:00 GMT"), Some(t));
        assert_eq!(parse_timestamp("Fri Mar 01 12:00:00 +0000 2024"), Some(t));
        assert_eq!(parse_timestamp("2024-03-01"), Some(t - 12 * 3_600_000));
        assert_eq!(parse_timestamp("2024-02-30"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn decimals_are_read_by_the_size_of_their_whole_part() {
        let t = 1_709_294_400_123; // 2024-03-01T12:00:00.123Z
        // Milliseconds written as a float (a spreadsheet or pandas export).
        assert_eq!(parse_timestamp("1709294400123.0"), Some(t));
        assert_eq!(parse_timestamp("1709294400123.75"), Some(t));
        assert_eq!(parse_timestamp("1709294400.123"), Some(t));
        assert_eq!(parse_timestamp("-1.5"), Some(-1500));
        assert_eq!(
            parse_timestamp("719618802434023425.0"),
            Some(snowflake_ms(719_618_802_434_023_425))
        );
        assert_eq!(parse_timestamp("-719618802434023425.0"), None);
    }

    #[test]
    fn snowflake_ids_carry_their_time() {
        // A tweet id from 2016-04-11T21:15:02.978Z.
        let ms = parse_timestamp("719618802434023425").unwrap();
        assert_eq!(ms, snowflake_ms(719_618_802_434_023_425));
        let date = DateTime::from_timestamp_millis(ms).unwrap();
        assert_eq!(date.format("%Y-%m-%d").to_string(), "2016-04-11");
    }
}
