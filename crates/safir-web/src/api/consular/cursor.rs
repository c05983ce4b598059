//! The queue's keyset cursor as an opaque string: the sort key of the last row of a page
//! (priority, submission time, id), hex-encoded so clients pass it back untouched.

use chrono::{DateTime, SecondsFormat, Utc};

/// Where the next page starts.
pub type Cursor = (i32, DateTime<Utc>, String);

pub fn encode((priority, at, id): &Cursor) -> String {
    hex::encode(format!(
        "{priority}|{}|{id}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true)
    ))
}

/// `None` for anything [`encode`] did not produce.
pub fn decode(raw: &str) -> Option<Cursor> {
    let text = String::from_utf8(hex::decode(raw.trim()).ok()?).ok()?;
    let mut parts = text.splitn(3, '|');
    let priority = parts.next()?.parse().ok()?;
    let at = DateTime::parse_from_rfc3339(parts.next()?)
        .ok()?
        .with_timezone(&Utc);
    let id = parts.next()?;
    let ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then(|| (priority, at, id.to_owned()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn round_trips_and_refuses_anything_else() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap()
            + chrono::Duration::microseconds(123_456);
        let cursor = (2, at, "0192f0a0b1c2d3e4f5a6b7c8d9e0f1a2".to_owned());
        assert_eq!(decode(&encode(&cursor)), Some(cursor));
        for bad in [
            "",
            "zz",
            "abc",
            &hex::encode("2|yesterday|x"),
            &hex::encode("2|2026-03-01T09:30:00Z|"),
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
