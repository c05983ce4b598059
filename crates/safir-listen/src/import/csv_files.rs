//! CSV importers: the toolkit's 8 fixed columns, and generic CSV with named columns.

use csv::{ByteRecord, ReaderBuilder};

use super::detect::CNT_HEADER;
use super::facts::{
    FOLLOWERS, LANG, LIKES, REPLIES, REPLY_TO, REPOST_OF, REPOSTS, declared_lang, text_count,
};
use super::{ImportError, ProblemKind, Sink};
use crate::table::{MessageRow, RowMeta};
use crate::time::parse_timestamp;

/// Column names the generic CSV and JSONL importers accept, first match wins.
pub(crate) const ID: &[&str] = &["message_id", "id"];
pub(crate) const USER: &[&str] = &["user_id", "user", "author_id"];
pub(crate) const USERNAME: &[&str] = &["username", "screen_name", "author"];
pub(crate) const REPOST: &[&str] = &["repost_id", "retweet_id", "reblog_id"];
pub(crate) const REPLY: &[&str] = &["reply_id", "in_reply_to_id"];
pub(crate) const TEXT: &[&str] = &["message", "text", "content"];
pub(crate) const TIME: &[&str] = &["timestamp", "created_at", "time", "date"];
pub(crate) const URLS: &[&str] = &["urls", "url"];

/// Column positions of one CSV layout.
struct Layout {
    id: usize,
    user: usize,
    username: Option<usize>,
    repost: Option<usize>,
    reply: Option<usize>,
    text: Option<usize>,
    time: usize,
    urls: Option<usize>,
    /// Optional facts, in the order of [`FACTS`]; all absent for the toolkit's CSV.
    facts: [Option<usize>; 7],
    width: usize,
}

/// The optional fact columns of the generic CSV.
const FACTS: [&str; 7] = [
    LANG, LIKES, REPOSTS, REPLIES, FOLLOWERS, REPOST_OF, REPLY_TO,
];

pub(crate) fn import_cnt(sink: &mut Sink<'_>, bytes: &[u8]) -> Result<(), ImportError> {
    let layout = Layout {
        id: 0,
        user: 1,
        username: Some(2),
        repost: Some(3),
        reply: Some(4),
        text: Some(5),
        time: 6,
        urls: Some(7),
        facts: [None; 7],
        width: CNT_HEADER.len(),
    };
    let Some(names) = read_header(sink, bytes)? else {
        return Ok(());
    };
    let expected = CNT_HEADER.join(",");
    // The first line is the header, never a message: a file without it, or with the
    // columns in another order, would lose a message or be read into the wrong fields.
    if !names.iter().map(String::as_str).eq(CNT_HEADER) {
        let found = names.join(",");
        let found = match found.char_indices().nth(FOUND_SHOWN) {
            Some((end, _)) => format!("{}…", &found[..end]),
            None => found,
        };
        return sink.problem(
            1,
            None,
            ProblemKind::WrongHeader,
            format!("expected the header {expected}, found {found}"),
        );
    }
    import_rows(sink, bytes, &layout, &expected)
}

/// Characters of a wrong header shown in its problem (a message's text, when the
/// header is missing, can be long).
const FOUND_SHOWN: usize = 100;

/// The column names of the first line, trimmed and lowercased; `None` when the file
/// has no line or the line cannot be read (then reported).
fn read_header(sink: &mut Sink<'_>, bytes: &[u8]) -> Result<Option<Vec<String>>, ImportError> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut header = ByteRecord::new();
    match reader.read_byte_record(&mut header) {
        Ok(true) => {}
        Ok(false) => return Ok(None),
        Err(e) => {
            sink.problem(1, None, ProblemKind::WrongColumnCount, e.to_string())?;
            return Ok(None);
        }
    }
    Ok(Some(
        header
            .iter()
            .map(|c| {
                String::from_utf8_lossy(c)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_ascii_lowercase()
            })
            .collect(),
    ))
}

pub(crate) fn import_generic(sink: &mut Sink<'_>, bytes: &[u8]) -> Result<(), ImportError> {
    let Some(names) = read_header(sink, bytes)? else {
        return Ok(());
    };
    let find = |options: &[&str]| {
        options
            .iter()
            .find_map(|o| names.iter().position(|n| n == o))
    };
    let (Some(id), Some(user), Some(time)) = (find(ID), find(USER), find(TIME)) else {
        return sink.problem(
            1,
            None,
            ProblemKind::MissingField,
            "the header must name an id, a user id and a timestamp column".into(),
        );
    };
    let layout = Layout {
        id,
        user,
        username: find(USERNAME),
        repost: find(REPOST),
        reply: find(REPLY),
        text: find(TEXT),
        time,
        urls: find(URLS),
        facts: FACTS.map(|f| find(&[f])),
        width: names.len(),
    };
    import_rows(sink, bytes, &layout, &names.join(","))
}

fn import_rows(
    sink: &mut Sink<'_>,
    bytes: &[u8],
    layout: &Layout,
    expected: &str,
) -> Result<(), ImportError> {
    let mut reader = ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let mut record = ByteRecord::new();
    let mut row = MessageRow::default();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => {
                sink.problem(line, None, ProblemKind::WrongColumnCount, e.to_string())?;
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.len() != layout.width {
            sink.problem(
                line,
                None,
                ProblemKind::WrongColumnCount,
                format!(
                    "expected {} columns ({expected}), found {}",
                    layout.width,
                    record.len()
                ),
            )?;
            continue;
        }
        if let Err((field, kind, message)) = fill_row(&record, layout, &mut row) {
            sink.problem(line, Some(field), kind, message)?;
            continue;
        }
        let notes = fill_facts(&record, layout, &mut row);
        sink.add(&row);
        for (field, kind, message) in notes {
            sink.note(line, Some(field), kind, message)?;
        }
    }
}

type FieldError = (&'static str, ProblemKind, String);

fn fill_row(record: &ByteRecord, layout: &Layout, row: &mut MessageRow) -> Result<(), FieldError> {
    let text = |i: usize, name: &'static str| -> Result<&str, FieldError> {
        std::str::from_utf8(&record[i]).map_err(|e| (name, ProblemKind::InvalidUtf8, e.to_string()))
    };
    let opt = |i: Option<usize>, name: &'static str| -> Result<&str, FieldError> {
        i.map_or(Ok(""), |i| text(i, name))
    };
    set(
        &mut row.message_id,
        required(text(layout.id, "message_id")?, "message_id")?,
    );
    set(
        &mut row.user_id,
        required(text(layout.user, "user_id")?, "user_id")?,
    );
    match opt(layout.username, "username")? {
        "" => set(&mut row.username, text(layout.user, "user_id")?),
        name => set(&mut row.username, name),
    }
    set_opt(&mut row.repost_id, opt(layout.repost, "repost_id")?);
    set_opt(&mut row.reply_id, opt(layout.reply, "reply_id")?);
    set(&mut row.text, opt(layout.text, "message")?);
    let ts = text(layout.time, "timestamp")?;
    row.timestamp_ms = parse_timestamp(ts).ok_or_else(|| {
        (
            "timestamp",
            ProblemKind::BadTimestamp,
            format!("cannot read {ts:?} as a time"),
        )
    })?;
    row.urls.clear();
    row.urls.extend(split_urls(opt(layout.urls, "urls")?));
    Ok(())
}

/// Reads the optional facts; a bad value is returned as a note and left unknown.
fn fill_facts(record: &ByteRecord, layout: &Layout, row: &mut MessageRow) -> Vec<FieldError> {
    let mut notes = Vec::new();
    let mut values: [Option<&str>; 7] = [None; 7];
    for (i, (column, name)) in layout.facts.iter().zip(FACTS).enumerate() {
        let Some(column) = *column else { continue };
        match std::str::from_utf8(&record[column]) {
            Ok(v) if !v.trim().is_empty() => values[i] = Some(v.trim()),
            Ok(_) => {}
            Err(e) => notes.push((name, ProblemKind::InvalidUtf8, e.to_string())),
        }
    }
    let mut count = |i: usize| {
        text_count(values[i].unwrap_or("")).unwrap_or_else(|message| {
            notes.push((FACTS[i], ProblemKind::BadCount, message));
            None
        })
    };
    row.meta = RowMeta {
        likes: count(1),
        reposts: count(2),
        replies: count(3),
        followers: count(4),
        lang: values[0].and_then(declared_lang),
        repost_of_username: values[5].map(str::to_owned),
        reply_to_username: values[6].map(str::to_owned),
    };
    notes
}

fn required<'v>(value: &'v str, name: &'static str) -> Result<&'v str, FieldError> {
    if value.trim().is_empty() {
        Err((name, ProblemKind::MissingField, "empty".into()))
    } else {
        Ok(value)
    }
}

/// Overwrites `target` keeping its allocation.
fn set(target: &mut String, value: &str) {
    target.clear();
    target.push_str(value);
}

fn set_opt(target: &mut Option<String>, value: &str) {
    match (value.is_empty(), target.as_mut()) {
        (true, _) => *target = None,
        (false, Some(t)) => set(t, value),
        (false, None) => *target = Some(value.to_owned()),
    }
}

/// Space-separated URLs; empty pieces are not URLs.
pub(crate) fn split_urls(value: &str) -> Vec<String> {
    value
        .split(' ')
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect()
}
