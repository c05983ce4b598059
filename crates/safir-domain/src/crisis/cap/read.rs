//! CAP import: other authorities' alerts (CAP 1.2, or 1.1 which shares the elements we read)
//! into the model. Errors name the element and its line. Elements the model does not hold
//! (`effective`, `eventCode`, `parameter`, `resource`, `altitude`, signatures…) are ignored.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{CapAlert, CapArea, CapInfo, CapReference, NAMESPACE, NAMESPACE_1_1};
use crate::crisis::geo::{Circle, GeoError, Polygon};
use crate::crisis::xml::{self, Node};

/// Why a document is not an acceptable CAP alert.
#[derive(Debug, Clone, PartialEq)]
pub enum CapError {
    /// Not well-formed XML.
    Xml { line: usize, message: String },
    /// Well-formed, but the root is not a CAP `<alert>`.
    NotCap {
        line: usize,
        element: String,
        namespace: String,
    },
    /// A required element is absent from its parent (whose line is given).
    Missing {
        element: &'static str,
        parent: &'static str,
        line: usize,
    },
    /// A value outside the element's fixed list.
    BadToken {
        element: &'static str,
        value: String,
        expected: &'static [&'static str],
        line: usize,
    },
    /// A time that is not `YYYY-MM-DDThh:mm:ss` with an offset.
    BadTime {
        element: &'static str,
        value: String,
        line: usize,
    },
    /// Any other unacceptable value (an identifier with spaces, a malformed reference).
    BadValue {
        element: &'static str,
        value: String,
        reason: &'static str,
        line: usize,
    },
    /// A `<polygon>` or `<circle>` that is not a valid shape.
    Geo {
        element: &'static str,
        line: usize,
        source: GeoError,
    },
}

impl CapError {
    /// A stable code (message key `cap-<code>`); for shapes, the geometry error's code
    /// is available from `source`.
    pub fn code(&self) -> &'static str {
        match self {
            CapError::Xml { .. } => "xml",
            CapError::NotCap { .. } => "not-cap",
            CapError::Missing { .. } => "missing",
            CapError::BadToken { .. } => "token",
            CapError::BadTime { .. } => "time",
            CapError::BadValue { .. } => "value",
            CapError::Geo { .. } => "geo",
        }
    }

    /// The CAP element at fault (for `Missing`, the absent one).
    pub fn element(&self) -> Option<&str> {
        match self {
            CapError::Xml { .. } => None,
            CapError::NotCap { element, .. } => Some(element),
            CapError::Missing { element, .. }
            | CapError::BadToken { element, .. }
            | CapError::BadTime { element, .. }
            | CapError::BadValue { element, .. }
            | CapError::Geo { element, .. } => Some(element),
        }
    }

    pub fn line(&self) -> usize {
        match self {
            CapError::Xml { line, .. }
            | CapError::NotCap { line, .. }
            | CapError::Missing { line, .. }
            | CapError::BadToken { line, .. }
            | CapError::BadTime { line, .. }
            | CapError::BadValue { line, .. }
            | CapError::Geo { line, .. } => *line,
        }
    }

    /// The shape error behind a `Geo` error.
    pub fn geo(&self) -> Option<&GeoError> {
        match self {
            CapError::Geo { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl fmt::Display for CapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line())?;
        match self {
            CapError::Xml { message, .. } => write!(f, "not well-formed XML: {message}"),
            CapError::NotCap {
                element, namespace, ..
            } => write!(
                f,
                "the document is <{element}> in namespace {namespace:?}, not a CAP 1.2 <alert>"
            ),
            CapError::Missing {
                element, parent, ..
            } => write!(f, "<{parent}> has no <{element}>"),
            CapError::BadToken {
                element,
                value,
                expected,
                ..
            } => write!(
                f,
                "<{element}> {value:?} is not one of {}",
                expected.join(", ")
            ),
            CapError::BadTime { element, value, .. } => write!(
                f,
                "<{element}> {value:?} is not a time like 2026-11-28T18:00:00-00:00"
            ),
            CapError::BadValue {
                element,
                value,
                reason,
                ..
            } => write!(f, "<{element}> {value:?}: {reason}"),
            CapError::Geo {
                element, source, ..
            } => write!(f, "<{element}>: {source}"),
        }
    }
}

impl std::error::Error for CapError {}

/// The CAP enumerations, for reading with an error that lists the allowed values.
pub(crate) trait Token: Sized {
    const TOKENS: &'static [&'static str];
    fn from_token(input: &str) -> Option<Self>;
}

fn required<'a>(
    parent: &'a Node,
    element: &'static str,
    parent_name: &'static str,
) -> Result<&'a Node, CapError> {
    parent.child(element).ok_or(CapError::Missing {
        element,
        parent: parent_name,
        line: parent.line,
    })
}

fn token<T: Token>(node: &Node, element: &'static str) -> Result<T, CapError> {
    T::from_token(&node.text).ok_or_else(|| CapError::BadToken {
        element,
        value: node.text.trim().to_owned(),
        expected: T::TOKENS,
        line: node.line,
    })
}

fn time(node: &Node, element: &'static str) -> Result<DateTime<Utc>, CapError> {
    parse_time(node.text.trim()).ok_or_else(|| CapError::BadTime {
        element,
        value: node.text.trim().to_owned(),
        line: node.line,
    })
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Identifiers and senders travel inside `<references>`, separated by commas and spaces.
fn id_text(node: &Node, element: &'static str) -> Result<String, CapError> {
    let text = node.text.trim();
    let bad = |reason| CapError::BadValue {
        element,
        value: text.to_owned(),
        reason,
        line: node.line,
    };
    if text.is_empty() {
        return Err(bad("must not be empty"));
    }
    if text.contains(|c: char| c.is_whitespace() || c == ',') {
        return Err(bad("must not contain spaces or commas"));
    }
    Ok(text.to_owned())
}

fn optional(node: &Node, element: &str) -> Option<String> {
    node.child_text(element)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Reads a CAP alert.
pub fn parse(xml: &str) -> Result<CapAlert, CapError> {
    let root = xml::parse(xml).map_err(|e| CapError::Xml {
        line: e.line,
        message: e.message,
    })?;
    if root.name != "alert" || (root.ns != NAMESPACE && root.ns != NAMESPACE_1_1) {
        return Err(CapError::NotCap {
            line: root.line,
            element: root.name,
            namespace: root.ns,
        });
    }
    let a = "alert";
    let references = match root.child("references") {
        Some(node) => references(node)?,
        None => Vec::new(),
    };
    Ok(CapAlert {
        identifier: id_text(required(&root, "identifier", a)?, "identifier")?,
        sender: id_text(required(&root, "sender", a)?, "sender")?,
        sent: time(required(&root, "sent", a)?, "sent")?,
        status: token(required(&root, "status", a)?, "status")?,
        msg_type: token(required(&root, "msgType", a)?, "msgType")?,
        scope: token(required(&root, "scope", a)?, "scope")?,
        references,
        infos: root.children("info").map(info).collect::<Result<_, _>>()?,
    })
}

fn references(node: &Node) -> Result<Vec<CapReference>, CapError> {
    node.text
        .split_whitespace()
        .map(|triple| {
            let bad = || CapError::BadValue {
                element: "references",
                value: triple.to_owned(),
                reason: "expected sender,identifier,sent",
                line: node.line,
            };
            let mut parts = triple.splitn(3, ',');
            let (Some(sender), Some(identifier), Some(sent)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(bad());
            };
            let sent = parse_time(sent).ok_or_else(bad)?;
            if sender.is_empty() || identifier.is_empty() {
                return Err(bad());
            }
            Ok(CapReference {
                sender: sender.to_owned(),
                identifier: identifier.to_owned(),
                sent,
            })
        })
        .collect()
}

fn info(node: &Node) -> Result<CapInfo, CapError> {
    let i = "info";
    let categories = node
        .children("category")
        .map(|c| token(c, "category"))
        .collect::<Result<Vec<_>, _>>()?;
    if categories.is_empty() {
        return Err(CapError::Missing {
            element: "category",
            parent: i,
            line: node.line,
        });
    }
    let optional_time = |name: &'static str| node.child(name).map(|n| time(n, name)).transpose();
    Ok(CapInfo {
        language: optional(node, "language").unwrap_or_else(|| "en-US".to_owned()),
        categories,
        event: required(node, "event", i)?.text.trim().to_owned(),
        response_types: node
            .children("responseType")
            .map(|r| token(r, "responseType"))
            .collect::<Result<_, _>>()?,
        urgency: token(required(node, "urgency", i)?, "urgency")?,
        severity: token(required(node, "severity", i)?, "severity")?,
        certainty: token(required(node, "certainty", i)?, "certainty")?,
        onset: optional_time("onset")?,
        expires: optional_time("expires")?,
        sender_name: optional(node, "senderName"),
        headline: optional(node, "headline"),
        description: optional(node, "description"),
        instruction: optional(node, "instruction"),
        web: optional(node, "web"),
        areas: node.children("area").map(area).collect::<Result<_, _>>()?,
    })
}

fn area(node: &Node) -> Result<CapArea, CapError> {
    let geo = |element: &'static str, n: &Node| {
        let line = n.line;
        move |source| CapError::Geo {
            element,
            line,
            source,
        }
    };
    Ok(CapArea {
        area_desc: required(node, "areaDesc", "area")?.text.trim().to_owned(),
        polygons: node
            .children("polygon")
            .map(|p| Polygon::parse_cap(&p.text).map_err(geo("polygon", p)))
            .collect::<Result<_, _>>()?,
        circles: node
            .children("circle")
            .map(|c| Circle::parse_cap_element(&c.text).map_err(geo("circle", c)))
            .collect::<Result<_, _>>()?,
        geocodes: node
            .children("geocode")
            .map(|g| {
                let name = required(g, "valueName", "geocode")?.text.trim().to_owned();
                let value = required(g, "value", "geocode")?.text.trim().to_owned();
                Ok((name, value))
            })
            .collect::<Result<_, _>>()?,
    })
}
