//! PFIF 1.4 XML out, elements in the order of the PFIF 1.4 schema.

use chrono::{DateTime, Utc};

use super::{NAMESPACE, PfifDocument, PfifNote, PfifPerson};
use crate::crisis::xml::{element, tag};

pub(super) fn pfif_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn opt(out: &mut String, indent: usize, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        element(out, indent, name, v);
    }
}

fn opt_time(out: &mut String, indent: usize, name: &str, value: Option<DateTime<Utc>>) {
    if let Some(t) = value {
        element(out, indent, name, &pfif_time(t));
    }
}

/// The document as PFIF 1.4 XML (prefix `pfif:`).
pub fn to_xml(doc: &PfifDocument) -> String {
    let mut out = String::with_capacity(1024 + doc.persons.len() * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<pfif:pfif xmlns:pfif=\"{NAMESPACE}\">\n"));
    for p in &doc.persons {
        write_person(&mut out, p);
    }
    for n in &doc.notes {
        write_note(&mut out, 1, n);
    }
    out.push_str("</pfif:pfif>\n");
    out
}

fn write_person(out: &mut String, p: &PfifPerson) {
    tag(out, 1, "<pfif:person>");
    element(out, 2, "pfif:person_record_id", &p.person_record_id);
    opt_time(out, 2, "pfif:entry_date", p.entry_date);
    opt_time(out, 2, "pfif:source_date", p.source_date);
    element(out, 2, "pfif:full_name", &p.full_name);
    opt(out, 2, "pfif:given_name", &p.given_name);
    opt(out, 2, "pfif:family_name", &p.family_name);
    opt(out, 2, "pfif:alternate_names", &p.alternate_names);
    opt(out, 2, "pfif:description", &p.description);
    opt(out, 2, "pfif:sex", &p.sex);
    opt(out, 2, "pfif:date_of_birth", &p.date_of_birth);
    opt(out, 2, "pfif:age", &p.age);
    opt(out, 2, "pfif:home_city", &p.home_city);
    opt(out, 2, "pfif:home_state", &p.home_state);
    opt(out, 2, "pfif:home_country", &p.home_country);
    opt(out, 2, "pfif:photo_url", &p.photo_url);
    for n in &p.notes {
        write_note(out, 2, n);
    }
    tag(out, 1, "</pfif:person>");
}

fn write_note(out: &mut String, indent: usize, n: &PfifNote) {
    let i = indent + 1;
    tag(out, indent, "<pfif:note>");
    element(out, i, "pfif:note_record_id", &n.note_record_id);
    element(out, i, "pfif:person_record_id", &n.person_record_id);
    opt_time(out, i, "pfif:entry_date", n.entry_date);
    opt(out, i, "pfif:author_name", &n.author_name);
    opt(out, i, "pfif:author_email", &n.author_email);
    opt(out, i, "pfif:author_phone", &n.author_phone);
    opt_time(out, i, "pfif:source_date", n.source_date);
    if let Some(contact) = n.author_made_contact {
        element(
            out,
            i,
            "pfif:author_made_contact",
            if contact { "true" } else { "false" },
        );
    }
    if let Some(status) = n.status {
        element(out, i, "pfif:status", status.as_str());
    }
    opt(
        out,
        i,
        "pfif:email_of_found_person",
        &n.email_of_found_person,
    );
    opt(
        out,
        i,
        "pfif:phone_of_found_person",
        &n.phone_of_found_person,
    );
    opt(out, i, "pfif:last_known_location", &n.last_known_location);
    element(out, i, "pfif:text", &n.text);
    tag(out, indent, "</pfif:note>");
}
