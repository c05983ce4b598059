//! CAP 1.2 XML out, elements in the order the schema fixes.

use chrono::{DateTime, Utc};

use super::{CapAlert, CapArea, CapInfo, NAMESPACE};
use crate::crisis::xml::{element, tag};

/// CAP's time form: whole seconds and a numeric offset, UTC written `-00:00` as CAP 1.2
/// (3.3.2) requires (`2026-11-28T18:00:00-00:00`).
pub(super) fn cap_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S-00:00").to_string()
}

impl CapAlert {
    /// The alert as a CAP 1.2 document (valid against the OASIS schema).
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!("<alert xmlns=\"{NAMESPACE}\">\n"));
        element(&mut out, 1, "identifier", &self.identifier);
        element(&mut out, 1, "sender", &self.sender);
        element(&mut out, 1, "sent", &cap_time(self.sent));
        element(&mut out, 1, "status", self.status.as_str());
        element(&mut out, 1, "msgType", self.msg_type.as_str());
        element(&mut out, 1, "scope", self.scope.as_str());
        if !self.references.is_empty() {
            let refs: Vec<String> = self
                .references
                .iter()
                .map(|r| format!("{},{},{}", r.sender, r.identifier, cap_time(r.sent)))
                .collect();
            element(&mut out, 1, "references", &refs.join(" "));
        }
        for info in &self.infos {
            write_info(&mut out, info);
        }
        out.push_str("</alert>\n");
        out
    }
}

fn write_info(out: &mut String, info: &CapInfo) {
    tag(out, 1, "<info>");
    element(out, 2, "language", &info.language);
    for c in &info.categories {
        element(out, 2, "category", c.as_str());
    }
    element(out, 2, "event", &info.event);
    for r in &info.response_types {
        element(out, 2, "responseType", r.as_str());
    }
    element(out, 2, "urgency", info.urgency.as_str());
    element(out, 2, "severity", info.severity.as_str());
    element(out, 2, "certainty", info.certainty.as_str());
    if let Some(t) = info.onset {
        element(out, 2, "onset", &cap_time(t));
    }
    if let Some(t) = info.expires {
        element(out, 2, "expires", &cap_time(t));
    }
    let optional = [
        ("senderName", &info.sender_name),
        ("headline", &info.headline),
        ("description", &info.description),
        ("instruction", &info.instruction),
        ("web", &info.web),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            element(out, 2, name, v);
        }
    }
    for area in &info.areas {
        write_area(out, area);
    }
    tag(out, 1, "</info>");
}

fn write_area(out: &mut String, area: &CapArea) {
    tag(out, 2, "<area>");
    element(out, 3, "areaDesc", &area.area_desc);
    for p in &area.polygons {
        element(out, 3, "polygon", &p.to_cap());
    }
    for c in &area.circles {
        element(out, 3, "circle", &c.to_cap());
    }
    for (name, value) in &area.geocodes {
        tag(out, 3, "<geocode>");
        element(out, 4, "valueName", name);
        element(out, 4, "value", value);
        tag(out, 3, "</geocode>");
    }
    tag(out, 2, "</area>");
}
