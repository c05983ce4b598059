//! Check-in answers as PFIF notes and back: safe → `is_note_author` with contact made; need
//! help → `information_sought` with contact made; not in the area → `is_note_author` with
//! contact made and a text that says so; no answer → no note.

use chrono::{DateTime, Utc};

use super::{NoteStatus, PfifNote};
use crate::crisis::geo::Point;

/// How a "not in the area" note's text begins; the reverse mapping looks for it.
pub const NOT_IN_AREA_TEXT: &str = "Not in the affected area.";
const SAFE_TEXT: &str = "Safe.";
const NEED_HELP_TEXT: &str = "Needs help.";

/// What a note about one check-in answer is made of.
#[derive(Debug, Clone, Copy)]
pub struct CheckinNote<'a> {
    /// `domain/id` of the note (e.g. `safir.example/note.<checkin id>`).
    pub note_record_id: &'a str,
    pub person_record_id: &'a str,
    /// The person themself: they answered.
    pub author_name: &'a str,
    pub author_email: Option<&'a str>,
    pub author_phone: Option<&'a str>,
    pub answered_at: DateTime<Utc>,
    /// What the person wrote with the answer.
    pub note: Option<&'a str>,
    pub location: Option<Point>,
}

/// The note for a check-in answer (`"safe"`, `"need_help"`, `"not_in_area"`); `None` for
/// anything else (waiting, superseded: no answer, no note).
pub fn note_for_checkin(status: &str, answer: &CheckinNote<'_>) -> Option<PfifNote> {
    let (note_status, lead) = match status {
        "safe" => (NoteStatus::IsNoteAuthor, SAFE_TEXT),
        "need_help" => (NoteStatus::InformationSought, NEED_HELP_TEXT),
        "not_in_area" => (NoteStatus::IsNoteAuthor, NOT_IN_AREA_TEXT),
        _ => return None,
    };
    let text = match answer.note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{lead} {n}"),
        None => lead.to_owned(),
    };
    Some(PfifNote {
        note_record_id: answer.note_record_id.to_owned(),
        person_record_id: answer.person_record_id.to_owned(),
        author_name: Some(answer.author_name.to_owned()),
        author_email: answer.author_email.map(str::to_owned),
        author_phone: answer.author_phone.map(str::to_owned),
        source_date: Some(answer.answered_at),
        entry_date: Some(answer.answered_at),
        author_made_contact: Some(true),
        status: Some(note_status),
        email_of_found_person: None,
        phone_of_found_person: None,
        // PFIF writes a position as "lat lon".
        last_known_location: answer.location.map(|p| format!("{} {}", p.lat, p.lon)),
        text,
    })
}

/// The check-in answer a note stands for, when it is one: `"safe"`, `"need_help"` or
/// `"not_in_area"`. Notes by third parties (believed alive, missing…) are not answers.
pub fn checkin_status_for_note(note: &PfifNote) -> Option<&'static str> {
    match (note.status?, note.author_made_contact) {
        (NoteStatus::IsNoteAuthor, _) if note.text.trim_start().starts_with(NOT_IN_AREA_TEXT) => {
            Some("not_in_area")
        }
        (NoteStatus::IsNoteAuthor, _) => Some("safe"),
        (NoteStatus::InformationSought, Some(true)) => Some("need_help"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(note: Option<&'static str>) -> CheckinNote<'static> {
        CheckinNote {
            note_record_id: "safir.example/note.c1",
            person_record_id: "safir.example/person.r1",
            author_name: "Amina Haddad",
            author_email: Some("amina@example.org"),
            author_phone: None,
            answered_at: DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
            note,
            location: Some(Point {
                lat: 15.5,
                lon: 32.56,
            }),
        }
    }

    #[test]
    fn each_answer_maps_to_its_note_and_back() {
        for status in ["safe", "need_help", "not_in_area"] {
            let note = note_for_checkin(status, &answer(Some("at the hotel"))).unwrap();
            assert_eq!(note.author_made_contact, Some(true));
            assert!(note.text.ends_with("at the hotel"), "{}", note.text);
            assert_eq!(note.last_known_location.as_deref(), Some("15.5 32.56"));
            assert_eq!(checkin_status_for_note(&note), Some(status));
        }
        let safe = note_for_checkin("safe", &answer(None)).unwrap();
        assert_eq!(
            (safe.status, safe.text.as_str()),
            (Some(NoteStatus::IsNoteAuthor), "Safe.")
        );
        let help = note_for_checkin("need_help", &answer(None)).unwrap();
        assert_eq!(help.status, Some(NoteStatus::InformationSought));
        let away = note_for_checkin("not_in_area", &answer(None)).unwrap();
        assert_eq!(
            (away.status, away.text.as_str()),
            (Some(NoteStatus::IsNoteAuthor), NOT_IN_AREA_TEXT)
        );
    }

    #[test]
    fn no_answer_makes_no_note() {
        for status in ["waiting", "superseded", "", "SAFE"] {
            assert!(
                note_for_checkin(status, &answer(None)).is_none(),
                "{status}"
            );
        }
    }

    #[test]
    fn third_party_notes_are_not_answers() {
        let mut note = note_for_checkin("need_help", &answer(None)).unwrap();
        note.author_made_contact = Some(false);
        assert_eq!(checkin_status_for_note(&note), None);
        for status in [
            NoteStatus::BelievedAlive,
            NoteStatus::BelievedMissing,
            NoteStatus::BelievedDead,
        ] {
            note.status = Some(status);
            note.author_made_contact = Some(true);
            assert_eq!(checkin_status_for_note(&note), None);
        }
        note.status = None;
        assert_eq!(checkin_status_for_note(&note), None);
    }
}
