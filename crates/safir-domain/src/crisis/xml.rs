//! A small namespace-aware element tree over quick-xml, for the interchange formats (CAP, PFIF):
//! each element keeps its namespace, local name, line and text. Entities other than XML's five
//! and character references are refused, so no document can make the reader fetch or expand
//! anything. So are characters XML does not allow (NUL and the other C0 controls but tab and
//! the line ends, U+FFFE, U+FFFF), written or referred to (`&#1;`), which quick-xml passes
//! through and PostgreSQL's text cannot hold, and elements nested deeper than [`MAX_DEPTH`].

use std::fmt;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

/// An element: namespace URI (empty when unbound), local name, 1-based line of its start tag,
/// its own text (untrimmed) and its child elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub ns: String,
    pub name: String,
    pub line: usize,
    pub text: String,
    pub children: Vec<Node>,
}

/// Malformed XML, with the line where the reader stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct XmlError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl Node {
    /// Children in the same namespace as this element with the given local name.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children
            .iter()
            .filter(move |c| c.name == name && c.ns == self.ns)
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children
            .iter()
            .find(|c| c.name == name && c.ns == self.ns)
    }

    /// The trimmed text of the first such child, `None` when absent.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Counts lines incrementally as the reader moves forward.
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: u64) -> usize {
        let pos = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if pos > self.pos {
            let newlines = self.text.as_bytes()[self.pos..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line += newlines;
            self.pos = pos;
        }
        self.line
    }
}

fn resolved_ns(ns: &ResolveResult<'_>) -> String {
    match ns {
        ResolveResult::Bound(n) => String::from_utf8_lossy(n.0).into_owned(),
        _ => String::new(),
    }
}

fn node(ns: &ResolveResult<'_>, e: &BytesStart<'_>, line: usize) -> Node {
    Node {
        ns: resolved_ns(ns),
        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
        line,
        text: String::new(),
        children: Vec::new(),
    }
}

/// Deepest nesting of elements read. CAP and PFIF documents are four or five levels deep; a
/// limit keeps a document of nothing but opening tags from growing the stack without end.
pub(crate) const MAX_DEPTH: usize = 64;

/// Whether XML 1.0 allows the character in a document (its `Char` production; Rust strings
/// hold no surrogates).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

fn not_allowed(c: char) -> String {
    format!("character U+{:04X} is not allowed in XML", u32::from(c))
}

/// Reads the whole document into a tree and returns its root element.
pub(crate) fn parse(text: &str) -> Result<Node, XmlError> {
    let mut lines = Lines {
        text,
        pos: 0,
        line: 1,
    };
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| !xml_char(c)) {
        return Err(XmlError {
            line: lines.at(at as u64),
            message: not_allowed(c),
        });
    }
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let start = reader.buffer_position();
        let (ns, event) = match reader.read_resolved_event() {
            Ok(pair) => pair,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(XmlError {
                    line,
                    message: e.to_string(),
                });
            }
        };
        let line = lines.at(start);
        let fail = |message: String| Err(XmlError { line, message });
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return fail("content after the root element".into());
                }
                if stack.len() >= MAX_DEPTH {
                    return fail(format!("elements nested more than {MAX_DEPTH} deep"));
                }
                stack.push(node(&ns, &e, line));
            }
            Event::Empty(e) => {
                let n = node(&ns, &e, line);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(n),
                    None if root.is_none() => root = Some(n),
                    None => return fail("content after the root element".into()),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return fail("closing tag without an opening one".into());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| XmlError {
                    line,
                    message: e.to_string(),
                })?;
                match stack.last_mut() {
                    Some(n) => n.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return fail("text outside the root element".into()),
                }
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| XmlError {
                    line,
                    message: e.to_string(),
                })?;
                if let Some(n) = stack.last_mut() {
                    n.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.decode().as_deref() {
                        Ok("amp") => '&',
                        Ok("lt") => '<',
                        Ok("gt") => '>',
                        Ok("quot") => '"',
                        Ok("apos") => '\'',
                        Ok(other) => return fail(format!("unknown entity &{other};")),
                        Err(e) => return fail(e.to_string()),
                    },
                    Err(e) => return fail(e.to_string()),
                };
                if !xml_char(c) {
                    return fail(not_allowed(c));
                }
                if let Some(n) = stack.last_mut() {
                    n.text.push(c);
                }
            }
            Event::DocType(_) => return fail("document type declarations are not accepted".into()),
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(XmlError {
                        line: open.line,
                        message: format!("<{}> is never closed", open.name),
                    });
                }
                return root.ok_or(XmlError {
                    line,
                    message: "no root element".into(),
                });
            }
            _ => {}
        }
    }
}

/// Escapes text for element content and double-quoted attributes (every XML document Safir
/// writes: CAP, PFIF, the Atom feeds, the SMS gateway's replies).
pub fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all are dropped rather than written broken.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// Writes `<name>text</name>` on its own line at the given indentation.
pub(crate) fn element(out: &mut String, indent: usize, name: &str, text: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape(text, out);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// Writes an opening or closing tag on its own line.
pub(crate) fn tag(out: &mut String, indent: usize, tag: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push_str(tag);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_lines_and_entities() {
        let root = parse("<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\">\n  <b>x &amp; y &#233;<![CDATA[<z>]]></b>\n  <o:c xmlns:o=\"urn:o\"/>\n</a>").unwrap();
        assert_eq!(
            (root.ns.as_str(), root.name.as_str(), root.line),
            ("urn:x", "a", 2)
        );
        let b = root.child("b").unwrap();
        assert_eq!((b.text.as_str(), b.line), ("x & y é<z>", 3));
        assert!(
            root.child("c").is_none(),
            "another namespace is not a child of the same kind"
        );
        assert_eq!(root.children[1].ns, "urn:o");
    }

    #[test]
    fn malformed_documents_name_the_line() {
        let e = parse("<a>\n<b>\n</a>").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = parse("<a>\n<b>").unwrap_err();
        assert!(e.message.contains("<b>") || e.line >= 1, "{e}");
        assert!(parse("<a>&ext;</a>").unwrap_err().message.contains("&ext;"));
        assert!(
            parse("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>").is_err()
        );
        assert!(parse("").is_err());
        assert_eq!(
            parse("\u{feff}<a>x</a>").unwrap().text,
            "x",
            "a byte order mark is allowed"
        );
    }

    #[test]
    fn characters_xml_does_not_allow_are_refused_with_their_line() {
        for (doc, line, code) in [
            ("<a>\n<b>x\u{0}y</b></a>", 2, "U+0000"),
            ("<a>\n\n<b>&#0;</b></a>", 3, "0x0"), // quick-xml's own refusal
            ("<a>&#x1;</a>", 1, "U+0001"),
            ("<a>&#xFFFF;</a>", 1, "U+FFFF"),
            ("<a>\u{FFFE}</a>", 1, "U+FFFE"),
            ("<a b=\"\u{1b}\"/>", 1, "U+001B"),
            ("<a><![CDATA[\u{7}]]></a>", 1, "U+0007"),
        ] {
            let e = parse(doc).unwrap_err();
            assert_eq!(e.line, line, "{doc:?}: {e}");
            assert!(e.message.contains(code), "{doc:?}: {e}");
        }
        let root = parse("<a>\tx\r\n&#9;&#xA;&#x10FFFF;</a>").unwrap();
        assert_eq!(
            root.text, "\tx\r\n\t\n\u{10FFFF}",
            "tabs, line ends and the last plane pass"
        );
    }

    #[test]
    fn nesting_is_capped() {
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(&deep(MAX_DEPTH)).is_ok());
        let e = parse(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert!(e.message.contains("nested"), "{e}");
        // Past quick-xml's own counter of open elements (a u16 in 0.38), which overflowed.
        assert!(parse(&"<a>".repeat(70_000)).is_err());
    }

    #[test]
    fn escaping_covers_markup_and_drops_control_characters() {
        let mut out = String::new();
        escape("<a href=\"x\">&'\u{1}</a>", &mut out);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    }
}
