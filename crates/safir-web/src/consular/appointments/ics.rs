//! The iCalendar (RFC 5545) file sent with a booking's e-mails: one VEVENT with times in UTC,
//! text escaped, lines folded at 75 octets and ended with CRLF. A booking keeps one calendar
//! entry through its moves: the same UID with a higher SEQUENCE each time (RFC 5546), and a
//! cancellation is a `METHOD:CANCEL` of that UID.

use chrono::{DateTime, Utc};

/// What the calendar entry says.
#[derive(Debug, Clone)]
pub struct CalendarEvent<'a> {
    /// Globally unique and stable for the booking: a re-sent file updates the same entry.
    pub uid: &'a str,
    /// The revision of the entry: 0 when booked, one more at each move and at the
    /// cancellation, so that a calendar replaces what it holds with the newest.
    pub sequence: u32,
    pub method: Method,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    /// Who holds the calendar entry (the mission: its name and address), when the mission
    /// has an address; RFC 5546 names it so that a calendar applies a later cancellation.
    pub organizer: Option<Person<'a>>,
    /// Whose entry it is (the applicant), named in a cancellation as RFC 5546 asks.
    pub attendee: Person<'a>,
}

/// A name and an e-mail address, as a calendar names people.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub name: &'a str,
    pub email: &'a str,
}

impl Person<'_> {
    /// `;CN="name":mailto:address`: the name quoted (3.2: a parameter value holds no double
    /// quote and no control character), the address as a URI.
    fn property(&self, name: &str) -> String {
        let cn: String = self
            .name
            .chars()
            .filter(|c| *c != '"' && !c.is_control())
            .collect();
        let email: String = self
            .email
            .chars()
            .filter(|c| !c.is_control() && !c.is_whitespace())
            .collect();
        format!("{name};CN=\"{cn}\":mailto:{email}")
    }
}

/// What the file does to the entry in the reader's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Adds the entry, or replaces an older revision of it.
    Publish,
    /// Removes the entry: the booking was cancelled.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Cancel => "CANCEL",
        }
    }

    /// The media type of the attachment.
    pub fn media_type(self) -> &'static str {
        match self {
            Method::Publish => "text/calendar; charset=utf-8; method=PUBLISH",
            Method::Cancel => "text/calendar; charset=utf-8; method=CANCEL",
        }
    }
}

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
        format!("METHOD:{}", e.method.as_str()),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(e.uid)),
        format!("SEQUENCE:{}", e.sequence),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("LOCATION:{}", escape(e.location)),
        format!("DESCRIPTION:{}", escape(e.description)),
        e.organizer
            .map(|o| o.property("ORGANIZER"))
            .unwrap_or_default(),
        if e.method == Method::Cancel {
            e.attendee.property("ATTENDEE")
        } else {
            String::new()
        },
        match e.method {
            Method::Publish => "STATUS:CONFIRMED",
            Method::Cancel => "STATUS:CANCELLED",
        }
        .to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ] {
        if !line.is_empty() {
            push_line(&mut out, &line);
        }
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
            sequence: 0,
            method: Method::Publish,
            stamp: at("2026-06-01T10:00:00Z"),
            start: at("2026-06-08T07:00:00Z"),
            end: at("2026-06-08T07:30:00Z"),
            summary,
            location: "Embassy in Paris, 1 rue X",
            description: "line one\nline two",
            organizer: Some(Person {
                name: "سفارة \"الدولة\" في باريس",
                email: "consulat.paris@example.org",
            }),
            attendee: Person {
                name: "Layla",
                email: "layla@example.org",
            },
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
        assert!(lines.contains(&"METHOD:PUBLISH".to_owned()));
        assert!(lines.contains(&"SEQUENCE:0".to_owned()));
        assert!(lines.contains(&"STATUS:CONFIRMED".to_owned()));
        assert!(lines.contains(
            &"ORGANIZER;CN=\"سفارة الدولة في باريس\":mailto:consulat.paris@example.org".to_owned()
        ));
        // A published entry names no attendee: it is the reader's own.
        assert!(!ics.contains("ATTENDEE"));
    }

    #[test]
    fn a_cancellation_withdraws_the_same_entry() {
        let ics = calendar(&CalendarEvent {
            uid: "appointment-1@safir",
            sequence: 3,
            method: Method::Cancel,
            stamp: at("2026-06-01T10:00:00Z"),
            start: at("2026-06-08T07:00:00Z"),
            end: at("2026-06-08T07:30:00Z"),
            summary: "s",
            location: "l",
            description: "d",
            organizer: None,
            attendee: Person {
                name: "Layla",
                email: "layla@example.org",
            },
        });
        let lines = unfold(&ics);
        for expected in [
            "METHOD:CANCEL",
            "UID:appointment-1@safir",
            "SEQUENCE:3",
            "STATUS:CANCELLED",
            "ATTENDEE;CN=\"Layla\":mailto:layla@example.org",
        ] {
            assert!(lines.contains(&expected.to_owned()), "{expected}: {ics}");
        }
        // A mission without an address names no organizer.
        assert!(!ics.contains("ORGANIZER"));
        assert_eq!(
            Method::Cancel.media_type(),
            "text/calendar; charset=utf-8; method=CANCEL"
        );
    }
}
