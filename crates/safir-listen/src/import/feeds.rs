//! RSS 2.0 / RSS 1.0 and Atom feeds: one message per item or entry.
//!
//! The author is the item's `author`, `dc:creator` or Atom `author/name`, else the
//! feed's own author, link or title; the text is the title, a line break and the
//! description or content as plain text; the item link is its URL.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::facts::declared_lang;
use super::html::{decode_entities, html_to_text};
use super::{ImportError, ProblemKind, Sink, document_text};
use crate::table::{MessageRow, RowMeta};
use crate::time::parse_timestamp;

/// The feed as text: UTF-8, or the encoding its XML declaration names when that is another
/// one a byte per ASCII character (Arabic news sites still serve `windows-1256` and
/// `ISO-8859-6`, European ones `ISO-8859-1`), decoded with the WHATWG tables. A byte-order
/// mark (`marked_utf8`: the file began with one, taken off before) says UTF-8 whatever the
/// declaration. Undecodable bytes become U+FFFD, reported once.
fn feed_text<'b>(
    sink: &mut Sink<'_>,
    bytes: &'b [u8],
    marked_utf8: bool,
) -> Result<std::borrow::Cow<'b, str>, ImportError> {
    let Some(label) = declared_encoding(bytes).filter(|_| !marked_utf8) else {
        return document_text(sink, bytes);
    };
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(encoding) if encoding != encoding_rs::UTF_8 && encoding.is_ascii_compatible() => {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            if had_errors {
                let message = format!("bytes that are not {} replaced by U+FFFD", encoding.name());
                sink.note(1, None, ProblemKind::InvalidEncoding, message)?;
            }
            Ok(text)
        }
        Some(_) => document_text(sink, bytes),
        None => {
            let message = format!("unknown encoding {label:?}, read as UTF-8");
            sink.note(1, None, ProblemKind::InvalidEncoding, message)?;
            document_text(sink, bytes)
        }
    }
}

/// The `encoding` of the XML declaration (`<?xml version="1.0" encoding="windows-1256"?>`),
/// if the document starts with one.
fn declared_encoding(bytes: &[u8]) -> Option<&str> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = bytes[start..].strip_prefix(b"<?xml")?;
    let end = head.iter().take(512).position(|&b| b == b'>')?;
    let declaration = std::str::from_utf8(&head[..end]).ok()?;
    let at = declaration.find("encoding")? + "encoding".len();
    let value = declaration[at..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = value.chars().next().filter(|&c| c == '"' || c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].trim())
}

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| {
            self.0
                .iter()
                .find(|(k, v)| k == n && !v.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }
}

/// Imports a feed; `marked_utf8` when the file began with a UTF-8 byte-order mark.
pub(crate) fn import_feed(
    sink: &mut Sink<'_>,
    bytes: &[u8],
    marked_utf8: bool,
) -> Result<(), ImportError> {
    let text = feed_text(sink, bytes, marked_utf8)?;
    let mut reader = Reader::from_str(&text);
    // Feeds are written by hand and by CMSs that paste HTML into items: a bare `&` in
    // "Q&A", a `<br>` or an `<img ...>` that HTML never closes. The reader's own checks
    // would stop at the first of them and lose every later item, so end tags are
    // matched here instead (HTML void elements open nothing) and a lone `&` is text.
    reader.config_mut().allow_dangling_amp = true;
    reader.config_mut().check_end_names = false;
    // A stray end tag (`</br>`, a `</p>` nothing opened) would otherwise empty the reader's
    // own stack of open tags and stop it a few items later.
    reader.config_mut().allow_unmatched_ends = true;
    let mut feed = Fields::default();
    let mut item: Option<(Fields, u64)> = None;
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut inline: Option<Inline> = None;
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                // The reader cannot resume after a syntax error; say how much is lost.
                let line = line_at(&text, reader.buffer_position() as usize);
                let message = format!("{e}; the rest of the feed from line {line} was not read");
                return match item.take() {
                    // The item being read is lost with the rest: it counts as a record.
                    Some((_, start)) => sink.problem(
                        line,
                        None,
                        ProblemKind::MalformedXml,
                        format!("{message} (the item from line {start} on is lost)"),
                    ),
                    None => sink.note(line, None, ProblemKind::MalformedXml, message),
                };
            }
        };
        if inline.is_none()
            && let Event::Start(_) | Event::Empty(_) = &event
            && let Some(holder) = stack.last().filter(|n| TEXT_ELEMENTS.contains(&n.as_str()))
        {
            inline = Some(Inline {
                open: Vec::new(),
                tags: holder.as_str() != "title",
            });
        }
        if let Some(inl) = inline.as_mut()
            && !matches!(event, Event::Eof)
        {
            match inl.read(&event, &mut buf) {
                Step::More => continue,
                Step::Closed => {
                    inline = None;
                    continue;
                }
                // The end of the text element itself, with markup left open in it:
                // that markup ends here, and the end tag is read below.
                Step::Outside => inline = None,
            }
        }
        match event {
            Event::Start(e) => {
                let name = local_name(&e);
                if name == "item" || name == "entry" {
                    let line = line_at(&text, reader.buffer_position() as usize);
                    item = Some((Fields::default(), line));
                }
                if matches!(
                    name.as_str(),
                    "item" | "entry" | "rss" | "RDF" | "channel" | "feed"
                ) {
                    xml_lang(&e, item.as_mut().map_or(&mut feed, |(f, _)| f));
                }
                link_href(&e, item.as_mut().map_or(&mut feed, |(f, _)| f));
                stack.push(name);
                buf.clear();
            }
            Event::Empty(e) => link_href(&e, item.as_mut().map_or(&mut feed, |(f, _)| f)),
            Event::Text(t) => buf.push_str(&t.decode().unwrap_or_default()),
            Event::CData(t) => buf.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                decode_entities(&format!("&{name};"), &mut buf);
            }
            Event::End(e) => {
                let closing = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                // An end tag closes the innermost element of its name and any left open
                // inside it; one that closes nothing open (`</br>`, a stray tag) is ignored.
                let Some(at) = stack.iter().rposition(|n| *n == closing) else {
                    continue;
                };
                stack.truncate(at + 1);
                let name = stack.pop().unwrap_or_default();
                if name == "item" || name == "entry" {
                    if let Some((fields, line)) = item.take() {
                        match to_row(&fields, &feed) {
                            Ok(row) => sink.add(&row),
                            Err((field, kind, msg)) => {
                                sink.problem(line, Some(field), kind, msg)?
                            }
                        }
                    }
                } else {
                    let value = std::mem::take(&mut buf);
                    let target = item.as_mut().map_or(&mut feed, |(f, _)| f);
                    target.0.push((name, value));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// HTML elements that have no end tag: inside a text element they open nothing,
/// whether written `<br>` or `<br/>`.
const VOID_ELEMENTS: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

fn is_void(name: &str) -> bool {
    VOID_ELEMENTS.iter().any(|v| v.eq_ignore_ascii_case(name))
}

/// Elements whose content is text for the message, which may hold markup of its
/// own: Atom `type="xhtml"` content, or HTML a feed did not escape.
const TEXT_ELEMENTS: [&str; 5] = ["title", "content", "summary", "description", "encoded"];

/// Markup inside a text element. Its elements are not fields of the item: the
/// body keeps them as HTML (read like escaped HTML content: line breaks between
/// paragraphs, links as URLs), a title keeps only their text.
struct Inline {
    /// Elements open inside the text element, innermost last.
    open: Vec<String>,
    /// Whether tags are kept (everywhere but in a title).
    tags: bool,
}

/// Where the markup is after one event.
enum Step {
    /// Elements are still open in it.
    More,
    /// Its last open element was closed.
    Closed,
    /// The event is an end tag of none of its elements: the text element's own, which
    /// closes whatever the markup left open (`<p>` without `</p>`).
    Outside,
}

impl Inline {
    /// Adds one event to the text.
    fn read(&mut self, event: &Event<'_>, buf: &mut String) -> Step {
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = local_name(e);
                if self.tags {
                    buf.push('<');
                    buf.push_str(&name);
                    buf.push_str(&String::from_utf8_lossy(e.attributes_raw()));
                    buf.push('>');
                }
                if matches!(event, Event::Start(_)) && !is_void(&name) {
                    self.open.push(name);
                }
            }
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match self.open.iter().rposition(|n| *n == name) {
                    Some(at) => {
                        self.open.truncate(at);
                        if self.tags {
                            buf.push_str("</");
                            buf.push_str(&name);
                            buf.push('>');
                        }
                    }
                    // `<br></br>`: the void element opened nothing to close.
                    None if is_void(&name) => {}
                    None => return Step::Outside,
                }
            }
            Event::Text(t) => buf.push_str(&t.decode().unwrap_or_default()),
            Event::CData(t) => {
                let text = String::from_utf8_lossy(t);
                if self.tags {
                    // Character data is text, never markup, in the HTML read later.
                    buf.push_str(&text.replace('&', "&amp;").replace('<', "&lt;"));
                } else {
                    buf.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                if self.tags {
                    // Decoded with the rest of the HTML, so that `&lt;` stays text.
                    buf.push_str(&format!("&{name};"));
                } else {
                    decode_entities(&format!("&{name};"), buf);
                }
            }
            _ => {}
        }
        if self.open.is_empty() {
            Step::Closed
        } else {
            Step::More
        }
    }
}

fn local_name(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// Atom links carry their URL in `href`; the alternate (or unqualified) one counts.
fn link_href(e: &BytesStart<'_>, fields: &mut Fields) {
    if e.local_name().as_ref() != b"link" {
        return;
    }
    let mut href = None;
    let mut rel_ok = true;
    for attr in e.attributes().flatten() {
        let value = attr.unescape_value().unwrap_or_default().into_owned();
        match attr.key.local_name().as_ref() {
            b"href" => href = Some(value),
            b"rel" => rel_ok = value == "alternate",
            _ => {}
        }
    }
    if let (Some(href), true) = (href, rel_ok) {
        fields.0.push(("link".into(), href));
    }
}

/// The `xml:lang` attribute of an element that frames messages (Atom, RSS).
fn xml_lang(e: &BytesStart<'_>, fields: &mut Fields) {
    for attr in e.attributes().flatten() {
        if attr.key.as_ref() == b"xml:lang" {
            let value = attr.unescape_value().unwrap_or_default().into_owned();
            fields.0.push(("xml:lang".into(), value));
        }
    }
}

type FieldError = (&'static str, ProblemKind, String);

/// Where a feed declares its language: `xml:lang` on the entry, item or feed,
/// RSS `<language>`, Dublin Core `<dc:language>`.
const LANGUAGE: &[&str] = &["xml:lang", "language"];

fn to_row(item: &Fields, feed: &Fields) -> Result<MessageRow, FieldError> {
    let link = item.get(&["link"]);
    let title = item.get(&["title"]).unwrap_or("");
    let message_id = item
        .get(&["guid", "id"])
        .or(link)
        .map(str::to_owned)
        .or_else(|| (!title.is_empty()).then(|| title.to_owned()))
        .ok_or((
            "guid",
            ProblemKind::MissingField,
            "an item needs a guid, id, link or title".into(),
        ))?;
    let user_id = item
        .get(&["author", "creator", "name"])
        .or_else(|| feed.get(&["name", "author", "creator", "link", "id", "title"]))
        .ok_or((
            "author",
            ProblemKind::MissingField,
            "neither the item nor the feed names an author".into(),
        ))?
        .to_owned();
    let raw_time = item
        .get(&[
            "pubDate",
            "published",
            "date",
            "updated",
            "issued",
            "modified",
        ])
        .ok_or((
            "pubDate",
            ProblemKind::MissingField,
            "an item needs a date".into(),
        ))?;
    let timestamp_ms = parse_timestamp(raw_time).ok_or((
        "pubDate",
        ProblemKind::BadTimestamp,
        format!("cannot read {raw_time:?} as a time"),
    ))?;
    let body = item
        .get(&["encoded", "content", "description", "summary"])
        .unwrap_or("");
    let (body, mut urls) = html_to_text(body);
    if let Some(link) = link {
        urls.retain(|u| u != link);
        urls.insert(0, link.to_owned());
    }
    let text = match (title.is_empty(), body.is_empty()) {
        (false, false) => format!("{title}\n{body}"),
        (false, true) => title.to_owned(),
        _ => body,
    };
    Ok(MessageRow {
        meta: RowMeta {
            lang: item
                .get(LANGUAGE)
                .or_else(|| feed.get(LANGUAGE))
                .and_then(declared_lang),
            ..RowMeta::default()
        },
        message_id,
        username: user_id.clone(),
        user_id,
        repost_id: None,
        reply_id: None,
        text,
        timestamp_ms,
        urls,
    })
}

fn line_at(text: &str, offset: usize) -> u64 {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}
