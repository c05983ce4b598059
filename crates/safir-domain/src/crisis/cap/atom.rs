//! The Atom 1.0 feed that lists published CAP alerts, as CAP aggregators read it.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::crisis::xml::{element, escape, tag};

/// One alert in the feed: `link` is the URL of its CAP XML.
#[derive(Debug, Clone, PartialEq)]
pub struct AtomEntry {
    /// A permanent unique IRI (for instance `urn:uuid:…` or the CAP URL).
    pub id: String,
    pub title: String,
    pub updated: DateTime<Utc>,
    /// Plain text; omitted when empty.
    pub summary: String,
    pub link: String,
}

fn atom_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn link(out: &mut String, indent: usize, rel: &str, kind: &str, href: &str) {
    let mut h = String::new();
    escape(href, &mut h);
    tag(
        out,
        indent,
        &format!("<link rel=\"{rel}\" type=\"{kind}\" href=\"{h}\"/>"),
    );
}

/// An Atom 1.0 feed; its `updated` is the newest entry's (the Unix epoch when empty, so the
/// same entries always give the same document).
pub fn atom_feed(title: &str, self_url: &str, entries: &[AtomEntry]) -> String {
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let mut out = String::with_capacity(512 + entries.len() * 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    element(&mut out, 1, "id", self_url);
    element(&mut out, 1, "title", title);
    element(&mut out, 1, "updated", &atom_time(updated));
    link(&mut out, 1, "self", "application/atom+xml", self_url);
    tag(&mut out, 1, "<author>");
    element(&mut out, 2, "name", title);
    tag(&mut out, 1, "</author>");
    for e in entries {
        tag(&mut out, 1, "<entry>");
        element(&mut out, 2, "id", &e.id);
        element(&mut out, 2, "title", &e.title);
        element(&mut out, 2, "updated", &atom_time(e.updated));
        link(&mut out, 2, "alternate", "application/cap+xml", &e.link);
        if !e.summary.is_empty() {
            element(&mut out, 2, "summary", &e.summary);
        }
        tag(&mut out, 1, "</entry>");
    }
    out.push_str("</feed>\n");
    out
}
