//! The iCalendar (RFC 5545) file sent with a booking confirmation: one VEVENT with times
//! in UTC, text escaped, lines folded at 75 octets and ended with CRLF.

use chrono::{DateTime, Utc};

/// What the calendar entry says.
#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    /// Globally unique and stable for the booking: a re-sent file updates the same entry.
    pub uid: &'a str,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
}

/// The media type of the attachment.
pub const MEDIA_TYPE: &str = "text/calendar; charset=utf-8; method=PUBLISH";

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT value escaping (RFC 5545 3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so no line exceeds 75 octets (3.1): a continuation
/// starts with a space, and a multi-byte character is never split.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

pub fn calendar(e: &CalendarEvent<'_>) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Safir//Consular appointments//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(e.uid)),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("LOCATION:{}", escape(e.location)),
        format!("DESCRIPTION:{}", escape(e.description)),
        "STATUS:CONFIRMED".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ] {
        push_line(&mut out, &line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn unfold(s: &str) -> Vec<String> {
        s.replace("\r\n ", "")
            .split("\r\n")
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn a_long_arabic_event_is_folded_escaped_and_in_utc() {
        let summary = "موعد تجديد جواز السفر في السفارة في باريس، الطابق الأول; نافذة ٣";
        let ics = calendar(&CalendarEvent {
            uid: "0193abc@safir.test",
            stamp: at("2026-06-01T10:00:00Z"),
            start: at("2026-06-08T07:00:00Z"),
            end: at("2026-06-08T07:30:00Z"),
            summary,
            location: "Embassy in Paris, 1 rue X",
            description: "line one\nline two",
        });
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "only CRLF line ends"
        );
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let lines = unfold(&ics);
        assert!(lines.contains(&"DTSTART:20260608T070000Z".to_owned()));
        assert!(lines.contains(&"DTEND:20260608T073000Z".to_owned()));
        assert!(lines.contains(&"DTSTAMP:20260601T100000Z".to_owned()));
        assert!(lines.contains(&"UID:0193abc@safir.test".to_owned()));
        assert!(lines.contains(&format!(
            "SUMMARY:{}",
            summary.replace(',', "\\,").replace(';', "\\;")
        )));
        assert!(lines.contains(&"LOCATION:Embassy in Paris\\, 1 rue X".to_owned()));
        assert!(lines.contains(&"DESCRIPTION:line one\\nline two".to_owned()));
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 1);
    }
}
