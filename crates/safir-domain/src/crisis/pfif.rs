//! Person Finder Interchange Format 1.4: the people concerned by a crisis and notes on their
//! status, exchanged with Google Person Finder and other welfare registries, and the mapping
//! between our check-in answers and PFIF notes.

mod checkin;
mod read;
mod write;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use checkin::{CheckinNote, NOT_IN_AREA_TEXT, checkin_status_for_note, note_for_checkin};
pub use read::{MAX_FULL_NAME, PfifError, parse};
pub use write::to_xml;

/// The PFIF 1.4 namespace.
pub const NAMESPACE: &str = "http://zesty.ca/pfif/1.4";

/// A person record. Values are trimmed; optional ones are `None` when absent or empty.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PfifPerson {
    /// `domain/id`, e.g. `safir.example/person.42`.
    pub person_record_id: String,
    pub entry_date: Option<DateTime<Utc>>,
    pub source_date: Option<DateTime<Utc>>,
    pub full_name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    /// One name per line.
    pub alternate_names: Option<String>,
    /// `female`, `male` or `other`.
    pub sex: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// `N` or a range `N-M`.
    pub age: Option<String>,
    pub home_city: Option<String>,
    pub home_state: Option<String>,
    pub home_country: Option<String>,
    pub description: Option<String>,
    pub photo_url: Option<String>,
    /// Notes written inside the person element.
    pub notes: Vec<PfifNote>,
}

/// A note on a person: who wrote it, what they know, and when.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PfifNote {
    pub note_record_id: String,
    /// Filled from the enclosing person when a nested note omits it.
    pub person_record_id: String,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub author_phone: Option<String>,
    pub source_date: Option<DateTime<Utc>>,
    pub entry_date: Option<DateTime<Utc>>,
    pub author_made_contact: Option<bool>,
    pub status: Option<NoteStatus>,
    pub email_of_found_person: Option<String>,
    pub phone_of_found_person: Option<String>,
    pub last_known_location: Option<String>,
    pub text: String,
}

/// A PFIF document: persons (with their nested notes) and notes given at top level.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PfifDocument {
    pub persons: Vec<PfifPerson>,
    pub notes: Vec<PfifNote>,
}

impl PfifDocument {
    /// Every note, nested or top-level.
    pub fn all_notes(&self) -> impl Iterator<Item = &PfifNote> {
        self.persons
            .iter()
            .flat_map(|p| p.notes.iter())
            .chain(self.notes.iter())
    }
}

/// A note's `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteStatus {
    InformationSought,
    IsNoteAuthor,
    BelievedAlive,
    BelievedMissing,
    BelievedDead,
}

impl NoteStatus {
    pub const ALL: &'static [NoteStatus] = &[
        NoteStatus::InformationSought,
        NoteStatus::IsNoteAuthor,
        NoteStatus::BelievedAlive,
        NoteStatus::BelievedMissing,
        NoteStatus::BelievedDead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoteStatus::InformationSought => "information_sought",
            NoteStatus::IsNoteAuthor => "is_note_author",
            NoteStatus::BelievedAlive => "believed_alive",
            NoteStatus::BelievedMissing => "believed_missing",
            NoteStatus::BelievedDead => "believed_dead",
        }
    }

    pub fn parse(input: &str) -> Option<NoteStatus> {
        let input = input.trim();
        NoteStatus::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == input)
    }
}

impl fmt::Display for NoteStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
