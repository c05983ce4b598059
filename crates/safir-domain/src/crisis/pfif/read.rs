//! PFIF import (1.4, and 1.2/1.3 whose elements we read are the same, but for 1.2's names:
//! `first_name` and `last_name` where later versions have `full_name`). Notes may sit inside a
//! person or at top level. Elements the model does not hold are ignored.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{NAMESPACE, NoteStatus, PfifDocument, PfifNote, PfifPerson};
use crate::crisis::xml::{self, Node};

const OLDER: &[&str] = &["http://zesty.ca/pfif/1.3", "http://zesty.ca/pfif/1.2"];

/// Why a document is not acceptable PFIF; every variant but `Xml` names the element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PfifError {
    Xml {
        line: usize,
        message: String,
    },
    NotPfif {
        line: usize,
        element: String,
        namespace: String,
    },
    /// A required element is absent or empty in its parent (whose line is given).
    Missing {
        element: &'static str,
        parent: &'static str,
        line: usize,
    },
    BadValue {
        element: &'static str,
        value: String,
        reason: &'static str,
        line: usize,
    },
}

impl PfifError {
    /// A stable code (message key `pfif-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            PfifError::Xml { .. } => "xml",
            PfifError::NotPfif { .. } => "not-pfif",
            PfifError::Missing { .. } => "missing",
            PfifError::BadValue { .. } => "value",
        }
    }

    pub fn element(&self) -> Option<&str> {
        match self {
            PfifError::Xml { .. } => None,
            PfifError::NotPfif { element, .. } => Some(element),
            PfifError::Missing { element, .. } | PfifError::BadValue { element, .. } => {
                Some(element)
            }
        }
    }

    pub fn line(&self) -> usize {
        match self {
            PfifError::Xml { line, .. }
            | PfifError::NotPfif { line, .. }
            | PfifError::Missing { line, .. }
            | PfifError::BadValue { line, .. } => *line,
        }
    }
}

impl fmt::Display for PfifError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line())?;
        match self {
            PfifError::Xml { message, .. } => write!(f, "not well-formed XML: {message}"),
            PfifError::NotPfif {
                element, namespace, ..
            } => {
                write!(
                    f,
                    "the document is <{element}> in namespace {namespace:?}, not <pfif:pfif>"
                )
            }
            PfifError::Missing {
                element, parent, ..
            } => write!(f, "<{parent}> has no <{element}>"),
            PfifError::BadValue {
                element,
                value,
                reason,
                ..
            } => write!(f, "<{element}> {value:?}: {reason}"),
        }
    }
}

impl std::error::Error for PfifError {}

fn text(node: &Node, name: &str) -> Option<String> {
    node.child_text(name)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn required(node: &Node, element: &'static str, parent: &'static str) -> Result<String, PfifError> {
    text(node, element).ok_or(PfifError::Missing {
        element,
        parent,
        line: node.line,
    })
}

fn bad(node: &Node, element: &'static str, reason: &'static str) -> PfifError {
    let (value, line) = node.child(element).map_or((String::new(), node.line), |c| {
        (c.text.trim().to_owned(), c.line)
    });
    PfifError::BadValue {
        element,
        value,
        reason,
        line,
    }
}

/// A value checked by `ok`, or an error naming the element.
fn checked(
    node: &Node,
    element: &'static str,
    reason: &'static str,
    ok: fn(&str) -> bool,
) -> Result<Option<String>, PfifError> {
    match text(node, element) {
        Some(v) if !ok(&v) => Err(bad(node, element, reason)),
        v => Ok(v),
    }
}

fn time(node: &Node, element: &'static str) -> Result<Option<DateTime<Utc>>, PfifError> {
    text(node, element)
        .map(|v| {
            DateTime::parse_from_rfc3339(&v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| {
                    bad(
                        node,
                        element,
                        "expected a UTC time like 2026-11-28T18:00:00Z",
                    )
                })
        })
        .transpose()
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_date_of_birth(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let lens = [4, 2, 2];
    (1..=3).contains(&parts.len())
        && parts
            .iter()
            .zip(lens)
            .all(|(p, n)| p.len() == n && digits(p))
}

fn is_age(v: &str) -> bool {
    match v.split_once('-') {
        Some((a, b)) => digits(a) && digits(b),
        None => digits(v),
    }
}

/// Reads a PFIF document.
pub fn parse(xml: &str) -> Result<PfifDocument, PfifError> {
    let root = xml::parse(xml).map_err(|e| PfifError::Xml {
        line: e.line,
        message: e.message,
    })?;
    if root.name != "pfif" || (root.ns != NAMESPACE && !OLDER.contains(&root.ns.as_str())) {
        return Err(PfifError::NotPfif {
            line: root.line,
            element: root.name,
            namespace: root.ns,
        });
    }
    Ok(PfifDocument {
        persons: root
            .children("person")
            .map(person)
            .collect::<Result<_, _>>()?,
        notes: root
            .children("note")
            .map(|n| note(n, None))
            .collect::<Result<_, _>>()?,
    })
}

/// The longest full name read, in characters: what the welfare board keeps. A longer one is
/// refused naming its line rather than cut.
pub const MAX_FULL_NAME: usize = 200;

const NAME_RULE: &str = "expected a name with at least one letter and at most 200 characters";

fn is_full_name(v: &str) -> bool {
    crate::validation::has_letters(v) && v.chars().count() <= MAX_FULL_NAME
}

/// PFIF 1.2 has no `full_name`: a person's name is their `first_name` and `last_name`.
fn older_full_name(node: &Node) -> Result<Option<String>, PfifError> {
    let parts: Vec<String> = ["first_name", "last_name"]
        .into_iter()
        .filter_map(|element| text(node, element))
        .collect();
    if parts.is_empty() {
        return Ok(None);
    }
    let name = parts.join(" ");
    if !is_full_name(&name) {
        let element = if text(node, "first_name").is_some() {
            "first_name"
        } else {
            "last_name"
        };
        return Err(bad(node, element, NAME_RULE));
    }
    Ok(Some(name))
}

fn person(node: &Node) -> Result<PfifPerson, PfifError> {
    let p = "person";
    let id = required(node, "person_record_id", p)?;
    Ok(PfifPerson {
        entry_date: time(node, "entry_date")?,
        source_date: time(node, "source_date")?,
        full_name: match checked(node, "full_name", NAME_RULE, is_full_name)? {
            Some(name) => name,
            None => older_full_name(node)?.ok_or(PfifError::Missing {
                element: "full_name",
                parent: p,
                line: node.line,
            })?,
        },
        given_name: text(node, "given_name").or_else(|| text(node, "first_name")),
        family_name: text(node, "family_name").or_else(|| text(node, "last_name")),
        alternate_names: text(node, "alternate_names"),
        sex: checked(node, "sex", "expected female, male or other", |v| {
            matches!(v, "female" | "male" | "other")
        })?,
        date_of_birth: checked(
            node,
            "date_of_birth",
            "expected YYYY, YYYY-MM or YYYY-MM-DD",
            is_date_of_birth,
        )?,
        age: checked(
            node,
            "age",
            "expected a number or a range like 35-45",
            is_age,
        )?,
        home_city: text(node, "home_city"),
        home_state: text(node, "home_state"),
        home_country: text(node, "home_country"),
        description: text(node, "description"),
        photo_url: text(node, "photo_url"),
        notes: node
            .children("note")
            .map(|n| note(n, Some(&id)))
            .collect::<Result<_, _>>()?,
        person_record_id: id,
    })
}

fn note(node: &Node, person: Option<&str>) -> Result<PfifNote, PfifError> {
    let n = "note";
    let person_record_id = match (text(node, "person_record_id"), person) {
        (Some(own), Some(outer)) if own != outer => {
            return Err(bad(
                node,
                "person_record_id",
                "differs from the enclosing person's",
            ));
        }
        (Some(own), _) => own,
        (None, Some(outer)) => outer.to_owned(),
        (None, None) => {
            return Err(PfifError::Missing {
                element: "person_record_id",
                parent: n,
                line: node.line,
            });
        }
    };
    let author_made_contact = match text(node, "author_made_contact").as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(bad(node, "author_made_contact", "expected true or false")),
    };
    let status = match text(node, "status") {
        None => None,
        Some(s) => Some(NoteStatus::parse(&s).ok_or_else(|| {
            bad(
                node,
                "status",
                "expected information_sought, is_note_author, believed_alive, believed_missing or believed_dead",
            )
        })?),
    };
    Ok(PfifNote {
        note_record_id: required(node, "note_record_id", n)?,
        person_record_id,
        author_name: text(node, "author_name"),
        author_email: text(node, "author_email"),
        author_phone: text(node, "author_phone"),
        source_date: time(node, "source_date")?,
        entry_date: time(node, "entry_date")?,
        author_made_contact,
        status,
        email_of_found_person: text(node, "email_of_found_person"),
        phone_of_found_person: text(node, "phone_of_found_person"),
        last_known_location: text(node, "last_known_location"),
        text: node.child_text("text").unwrap_or_default().to_owned(),
    })
}
