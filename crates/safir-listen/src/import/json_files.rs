//! JSON importers: twarc2 (API v2) pages and flattened tweets, API v1.1 tweets,
//! Mastodon statuses, ActivityPub objects and generic JSONL.
//!
//! A file is either one JSON document (an array, a page, a collection) or one
//! document per line; each line is parsed on its own so one truncated line does
//! not lose the rest. A document cut off (an interrupted download) is one problem,
//! at the line and column where it breaks, and an array keeps its items before it.
//! Every item of a document (an array's elements, a page's tweets, a collection's
//! items) is a record of its own, and a problem with one names it by its place in
//! the document and its id.

use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::csv_files::{ID, REPLY, REPOST, TEXT, TIME, URLS, USER, USERNAME, split_urls};
use super::detect::stream_notice;
use super::facts::{
    FOLLOWERS, LANG, LIKES, REPLIES, REPLY_TO, REPOST_OF, REPOSTS, api_count, declared_lang,
    json_count, json_lang, retweeted_handle,
};
use super::html::html_to_text;
use super::{ImportError, InputFormat, ProblemKind, Sink, document_text};
use crate::table::{MessageRow, RowMeta};
use crate::time::{parse_timestamp, snowflake_ms};

/// Lines after the first looked at to tell a document cut off from one document per line.
const LOOKAHEAD_LINES: usize = 5;

pub(crate) fn import_json(
    sink: &mut Sink<'_>,
    bytes: &[u8],
    format: InputFormat,
) -> Result<(), ImportError> {
    let mut lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace));
    let first = lines.next();
    let first_alone = first.is_some_and(|l| serde_json::from_slice::<Value>(l).is_ok());
    let single_document = !first_alone && serde_json::from_slice::<Value>(bytes).is_ok();
    if single_document {
        let text = document_text(sink, bytes)?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        // The document spans lines and the parsed value does not know on which
        // line each item was: problems have no line (0) and name the item instead.
        return import_value(sink, &value, 0, format, "");
    }
    // A document that opens with `[` or `{` but is not whole (an outbox download cut off):
    // read line by line, each of its lines would be a bogus malformed record. A file of
    // one document per line whose first line was cut off still has whole objects on the
    // next lines; a pretty-printed document has none there (brackets, `"key": value,`).
    let opens_document =
        first.is_some_and(|l| matches!(l.trim_ascii_start().first(), Some(b'[' | b'{')));
    let later_records = lines
        .take(LOOKAHEAD_LINES)
        .any(|l| matches!(serde_json::from_slice::<Value>(l), Ok(Value::Object(_))));
    if opens_document && !first_alone && !later_records && cut_off(bytes) {
        let text = document_text(sink, bytes)?;
        return import_broken_document(sink, &text, format);
    }
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = match std::str::from_utf8(line) {
            Ok(t) => t,
            Err(e) => {
                sink.problem(line_no, None, ProblemKind::InvalidUtf8, e.to_string())?;
                continue;
            }
        };
        match serde_json::from_str::<Value>(text) {
            Ok(value) => import_value(sink, &value, line_no, format, "")?,
            Err(e) => sink.problem(line_no, None, ProblemKind::MalformedJson, e.to_string())?,
        }
    }
    Ok(())
}

/// A document that does not parse whole: the complete items of a top-level array before
/// the break are read (named `[i]`, as in a whole document), and the break is one problem
/// on the line and column where the document stops making sense.
fn import_broken_document(
    sink: &mut Sink<'_>,
    text: &str,
    format: InputFormat,
) -> Result<(), ImportError> {
    let error = match serde_json::from_str::<Value>(text) {
        // Invalid UTF-8 was what broke it; it is replaced now, and reported once.
        Ok(value) => return import_value(sink, &value, 0, format, ""),
        Err(e) => e,
    };
    let mut read = 0usize;
    let is_array = text.trim_start().starts_with('[');
    leading_items(text.as_bytes(), |item| {
        import_value(sink, &item, 0, format, &format!("[{read}]"))?;
        read += 1;
        Ok(true)
    })?;
    let rest = if is_array {
        format!(
            "the document is cut off or broken there: its first {read} item(s) were read, \
             the rest was not"
        )
    } else {
        "the document is cut off or broken there, and none of it was read".to_owned()
    };
    sink.problem(
        error.line() as u64,
        None,
        ProblemKind::MalformedJson,
        format!("{error}; {rest}"),
    )
}

/// Passes the complete items at the start of a top-level JSON array to `each`, in order,
/// until one is not complete or `each` returns `Ok(false)`: what can be kept of an array
/// that does not parse whole. Nothing for any other document.
pub(super) fn leading_items<E>(
    bytes: &[u8],
    mut each: impl FnMut(Value) -> Result<bool, E>,
) -> Result<(), E> {
    let skip_space = |mut at: usize| {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        at
    };
    let start = skip_space(0);
    if bytes.get(start) != Some(&b'[') {
        return Ok(());
    }
    let mut at = start + 1;
    loop {
        let mut items = serde_json::Deserializer::from_slice(&bytes[at..]).into_iter::<Value>();
        let Some(Ok(item)) = items.next() else {
            return Ok(());
        };
        at += items.byte_offset();
        if !each(item)? {
            return Ok(());
        }
        at = skip_space(at);
        if bytes.get(at) != Some(&b',') {
            return Ok(());
        }
        at += 1;
    }
}

type FieldError = (&'static str, ProblemKind, String);

/// A record that could not be read: which item of its document it is (empty when
/// the document is the record) and what was wrong.
struct Failure {
    item: String,
    error: FieldError,
}

/// The name of an item in problems: its place in the document (`data[3]`) and its
/// id when it has one; empty for a document that is itself the record.
fn item_name(path: &str, obj: &Map<String, Value>) -> String {
    if path.is_empty() {
        return String::new();
    }
    match ["id_str", "id", "message_id"]
        .iter()
        .find_map(|k| string(obj.get(*k)))
    {
        Some(id) => format!("{path} (id {id})"),
        None => path.to_owned(),
    }
}

/// The path of member `key` of the item at `path`.
fn member(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A problem's message, prefixed with the item it concerns when there is one.
fn located(item: &str, message: String) -> String {
    if item.is_empty() {
        message
    } else {
        format!("{item}: {message}")
    }
}

fn import_value(
    sink: &mut Sink<'_>,
    value: &Value,
    line: u64,
    format: InputFormat,
    path: &str,
) -> Result<(), ImportError> {
    if let Value::Array(items) = value {
        for (i, item) in items.iter().enumerate() {
            import_value(sink, item, line, format, &format!("{path}[{i}]"))?;
        }
        return Ok(());
    }
    let Some(obj) = value.as_object() else {
        return sink.problem(
            line,
            None,
            ProblemKind::MalformedJson,
            located(path, "expected a JSON object".into()),
        );
    };
    if format == InputFormat::TwitterV1 && stream_notice(obj) {
        // A rate-limit or deletion notice between the tweets of a stream capture: no
        // message, and nothing wrong with the file.
        return Ok(());
    }
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    let record = match format {
        InputFormat::TwitterV2 => {
            twitter_v2(obj, path, &mut rows, &mut failures);
            None
        }
        InputFormat::ActivityPub => {
            activitypub(obj, None, path, &mut rows, &mut failures);
            None
        }
        InputFormat::TwitterV1 => Some(twitter_v1(obj)),
        InputFormat::Mastodon => Some(mastodon(obj)),
        _ => Some(generic(obj, &mut notes)),
    };
    let item = item_name(path, obj);
    match record {
        Some(Ok(row)) => rows.push(row),
        Some(Err(error)) => failures.push(Failure {
            item: item.clone(),
            error,
        }),
        None => {}
    }
    for row in &rows {
        sink.add(row);
    }
    for (field, message) in notes {
        sink.note(
            line,
            Some(field),
            ProblemKind::BadCount,
            located(&item, message),
        )?;
    }
    for Failure {
        item,
        error: (field, kind, message),
    } in failures
    {
        sink.problem(line, Some(field), kind, located(&item, message))?;
    }
    Ok(())
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn need(obj: &Map<String, Value>, key: &'static str) -> Result<String, FieldError> {
    string(obj.get(key)).ok_or((key, ProblemKind::MissingField, "absent or empty".into()))
}

/// The time of a tweet: from its snowflake id when it is one, else `created_at`.
fn tweet_time(id: &str, obj: &Map<String, Value>) -> Result<i64, FieldError> {
    if let Ok(n) = id.parse::<u64>()
        && n >= 100_000_000_000_000
    {
        return Ok(snowflake_ms(n));
    }
    timestamp(obj, "created_at")
}

fn timestamp(obj: &Map<String, Value>, key: &'static str) -> Result<i64, FieldError> {
    let raw = need(obj, key)?;
    parse_timestamp(&raw).ok_or((
        key,
        ProblemKind::BadTimestamp,
        format!("cannot read {raw:?} as a time"),
    ))
}

fn expanded_urls(entities: Option<&Value>) -> Vec<String> {
    entities
        .and_then(|e| e.get("urls"))
        .and_then(Value::as_array)
        .map(|urls| {
            urls.iter()
                .filter_map(|u| string(u.get("expanded_url")).or_else(|| string(u.get("url"))))
                .collect()
        })
        .unwrap_or_default()
}

/// What a twarc2 response page's `includes` say about other users and tweets.
#[derive(Default)]
struct Includes {
    /// User id → (handle, follower count).
    users: FxHashMap<String, (String, Option<u32>)>,
    /// Tweet id → author id.
    tweet_authors: FxHashMap<String, String>,
}

impl Includes {
    fn of(obj: &Map<String, Value>) -> Self {
        let mut inc = Includes::default();
        let Some(includes) = obj.get("includes") else {
            return inc;
        };
        for u in includes
            .get("users")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(id), Some(name)) = (string(u.get("id")), string(u.get("username"))) {
                inc.users.insert(id, (name, followers_of(u)));
            }
        }
        for t in includes
            .get("tweets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(id), Some(author)) = (string(t.get("id")), string(t.get("author_id"))) {
                inc.tweet_authors.insert(id, author);
            }
        }
        inc
    }

    fn handle(&self, user_id: &str) -> Option<String> {
        self.users.get(user_id).map(|(name, _)| name.clone())
    }

    /// The handle of the author of a referenced tweet: embedded (twarc2 flatten
    /// expands `author`), else through `author_id`, else through `includes.tweets`.
    fn author_of(&self, referenced: &Value) -> Option<String> {
        string(referenced.get("author").and_then(|a| a.get("username")))
            .or_else(|| string(referenced.get("author_id")).and_then(|a| self.handle(&a)))
            .or_else(|| {
                let id = string(referenced.get("id"))?;
                self.handle(self.tweet_authors.get(&id)?)
            })
    }
}

fn followers_of(user: &Value) -> Option<u32> {
    api_count(
        user.get("public_metrics")
            .and_then(|m| m.get("followers_count")),
    )
}

fn twitter_v2(
    obj: &Map<String, Value>,
    path: &str,
    rows: &mut Vec<MessageRow>,
    failures: &mut Vec<Failure>,
) {
    let Some(data) = obj.get("data") else {
        match twitter_v2_tweet(obj, &Includes::default()) {
            Ok(row) => rows.push(row),
            Err(error) => failures.push(Failure {
                item: item_name(path, obj),
                error,
            }),
        }
        return;
    };
    let includes = Includes::of(obj);
    let data_path = member(path, "data");
    let tweets: Vec<(String, &Value)> = match data {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("{data_path}[{i}]"), t))
            .collect(),
        other => vec![(data_path, other)],
    };
    // Every tweet of a page is a record of its own: each bad one is reported.
    for (item_path, tweet) in tweets {
        let Some(t) = tweet.as_object() else {
            failures.push(Failure {
                item: item_path,
                error: (
                    "data",
                    ProblemKind::MalformedJson,
                    "a tweet must be an object".into(),
                ),
            });
            continue;
        };
        match twitter_v2_tweet(t, &includes) {
            Ok(row) => rows.push(row),
            Err(error) => failures.push(Failure {
                item: item_name(&item_path, t),
                error,
            }),
        }
    }
}

fn twitter_v2_tweet(t: &Map<String, Value>, includes: &Includes) -> Result<MessageRow, FieldError> {
    let message_id = need(t, "id")?;
    let user_id = need(t, "author_id")?;
    let author = t.get("author");
    let username = string(author.and_then(|a| a.get("username")))
        .or_else(|| includes.handle(&user_id))
        .unwrap_or_else(|| user_id.clone());
    let followers = author.and_then(followers_of).or_else(|| {
        includes
            .users
            .get(&user_id)
            .and_then(|(_, followers)| *followers)
    });
    let text = string(t.get("text")).unwrap_or_default();
    let (mut repost_id, mut reply_id) = (None, None);
    let (mut repost_of, mut reply_to) = (None, None);
    for r in t
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match r.get("type").and_then(Value::as_str) {
            Some("retweeted") => {
                repost_id = string(r.get("id"));
                repost_of = includes.author_of(r);
            }
            Some("replied_to") => {
                reply_id = string(r.get("id"));
                reply_to = includes.author_of(r);
            }
            _ => {}
        }
    }
    if repost_id.is_some() && repost_of.is_none() {
        repost_of = retweeted_handle(&text);
    }
    if reply_to.is_none() {
        reply_to = string(t.get("in_reply_to_user").and_then(|u| u.get("username")))
            .or_else(|| string(t.get("in_reply_to_user_id")).and_then(|id| includes.handle(&id)));
    }
    // The API gives a retweet the counts of the tweet it retweets; they are not its own.
    let metrics = t.get("public_metrics").filter(|_| repost_id.is_none());
    let metric = |key: &str| api_count(metrics.and_then(|m| m.get(key)));
    let meta = RowMeta {
        lang: json_lang(t.get("lang")),
        likes: metric("like_count"),
        reposts: metric("retweet_count"),
        replies: metric("reply_count"),
        followers,
        repost_of_username: repost_of,
        reply_to_username: reply_to,
    };
    let timestamp_ms = tweet_time(&message_id, t)?;
    Ok(MessageRow {
        meta,
        urls: if repost_id.is_some() {
            Vec::new()
        } else {
            expanded_urls(t.get("entities"))
        },
        message_id,
        user_id,
        username,
        repost_id,
        reply_id,
        text,
        timestamp_ms,
    })
}

fn twitter_v1(t: &Map<String, Value>) -> Result<MessageRow, FieldError> {
    let message_id = need(t, "id_str")?;
    let user = t.get("user").and_then(Value::as_object).ok_or((
        "user",
        ProblemKind::MissingField,
        "absent".into(),
    ))?;
    let user_id = need(user, "id_str")?;
    let username = string(user.get("screen_name")).unwrap_or_else(|| user_id.clone());
    let retweeted = t.get("retweeted_status");
    let repost_id = retweeted.and_then(|r| string(r.get("id_str")));
    let extended = t.get("extended_tweet");
    let text = string(t.get("full_text"))
        .or_else(|| extended.and_then(|e| string(e.get("full_text"))))
        .or_else(|| string(t.get("text")))
        .unwrap_or_default();
    let entities = extended
        .and_then(|e| e.get("entities"))
        .or_else(|| t.get("entities"));
    // As in v2, a retweet carries the counts of the tweet it retweets.
    let own = |key: &str| repost_id.is_none().then(|| api_count(t.get(key))).flatten();
    let meta = RowMeta {
        lang: json_lang(t.get("lang")),
        likes: own("favorite_count"),
        reposts: own("retweet_count"),
        replies: own("reply_count"),
        followers: api_count(user.get("followers_count")),
        repost_of_username: retweeted
            .and_then(|r| string(r.get("user").and_then(|u| u.get("screen_name"))))
            .or_else(|| repost_id.as_ref().and_then(|_| retweeted_handle(&text))),
        reply_to_username: string(t.get("in_reply_to_screen_name")),
    };
    Ok(MessageRow {
        meta,
        urls: if repost_id.is_some() {
            Vec::new()
        } else {
            expanded_urls(entities)
        },
        timestamp_ms: tweet_time(&message_id, t)?,
        message_id,
        user_id,
        username,
        repost_id,
        reply_id: string(t.get("in_reply_to_status_id_str")),
        text,
    })
}

fn mastodon(s: &Map<String, Value>) -> Result<MessageRow, FieldError> {
    let message_id = need(s, "id")?;
    let account = s.get("account").and_then(Value::as_object).ok_or((
        "account",
        ProblemKind::MissingField,
        "absent".into(),
    ))?;
    let user_id = need(account, "id")?;
    let username = string(account.get("acct"))
        .or_else(|| string(account.get("username")))
        .unwrap_or_else(|| user_id.clone());
    let reblog = s.get("reblog").and_then(Value::as_object);
    let content = string(s.get("content"))
        .or_else(|| reblog.and_then(|r| string(r.get("content"))))
        .unwrap_or_default();
    let (text, mut urls) = html_to_text(&content);
    if let Some(card) = s.get("card").and_then(|c| string(c.get("url")))
        && !urls.contains(&card)
    {
        urls.push(card);
    }
    let repost_id = reblog.and_then(|r| string(r.get("id")));
    let meta = RowMeta {
        lang: json_lang(s.get("language"))
            .or_else(|| reblog.and_then(|r| json_lang(r.get("language")))),
        likes: api_count(s.get("favourites_count")),
        reposts: api_count(s.get("reblogs_count")),
        replies: api_count(s.get("replies_count")),
        followers: api_count(account.get("followers_count")),
        repost_of_username: reblog
            .and_then(|r| r.get("account"))
            .and_then(|a| string(a.get("acct")).or_else(|| string(a.get("username")))),
        reply_to_username: mastodon_reply_to(s, &user_id, &username),
    };
    Ok(MessageRow {
        meta,
        urls: if repost_id.is_some() {
            Vec::new()
        } else {
            urls
        },
        timestamp_ms: timestamp(s, "created_at")?,
        message_id,
        user_id,
        username,
        repost_id,
        reply_id: string(s.get("in_reply_to_id")),
        text,
    })
}

/// The replied-to handle: the mention whose id is `in_reply_to_account_id`, or
/// the author's own handle when a thread continues.
fn mastodon_reply_to(s: &Map<String, Value>, user_id: &str, username: &str) -> Option<String> {
    let target = string(s.get("in_reply_to_account_id"))?;
    if target == user_id {
        return Some(username.to_owned());
    }
    s.get("mentions")
        .and_then(Value::as_array)?
        .iter()
        .find(|m| string(m.get("id")).as_deref() == Some(target.as_str()))
        .and_then(|m| string(m.get("acct")).or_else(|| string(m.get("username"))))
}

/// The language an ActivityPub object declares: the `contentMap` key whose text
/// is the `content` (else the only key), else the object's `@language` context.
fn activitypub_lang(obj: &Map<String, Value>) -> Option<String> {
    if let Some(map) = obj.get("contentMap").and_then(Value::as_object) {
        let content = obj.get("content");
        let key = map
            .iter()
            .find(|(_, v)| content.is_some_and(|c| c == *v))
            .map(|(k, _)| k)
            .or_else(|| (map.len() == 1).then(|| map.keys().next()).flatten());
        if let Some(lang) = key.and_then(|k| declared_lang(k)) {
            return Some(lang);
        }
    }
    let context = obj.get("@context")?;
    let contexts: Vec<&Value> = match context {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    contexts
        .into_iter()
        .find_map(|c| json_lang(c.get("@language")))
}

/// The id of a value that is either a link or an object with an `id`.
fn reference(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Array(items) => reference(items.first()),
        Value::Object(o) => string(o.get("id")),
        other => string(Some(other)),
    }
}

fn activitypub(
    obj: &Map<String, Value>,
    actor: Option<&str>,
    path: &str,
    rows: &mut Vec<MessageRow>,
    failures: &mut Vec<Failure>,
) {
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "OrderedCollection" | "OrderedCollectionPage" | "Collection" | "CollectionPage" => {
            let (key, items) = match obj.get("orderedItems") {
                Some(items) => ("orderedItems", Some(items)),
                None => ("items", obj.get("items")),
            };
            let items_path = member(path, key);
            for (i, item) in items
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(o) = item.as_object() {
                    activitypub(o, actor, &format!("{items_path}[{i}]"), rows, failures);
                }
            }
        }
        "Create" | "Update" => {
            let actor = reference(obj.get("actor"));
            match obj.get("object").and_then(Value::as_object) {
                Some(o) => activitypub(o, actor.as_deref(), path, rows, failures),
                None => failures.push(Failure {
                    item: item_name(path, obj),
                    error: (
                        "object",
                        ProblemKind::MissingField,
                        "a Create needs an embedded object".into(),
                    ),
                }),
            }
        }
        _ => match activitypub_post(obj, kind, actor) {
            Ok(row) => rows.push(row),
            Err(error) => failures.push(Failure {
                item: item_name(path, obj),
                error,
            }),
        },
    }
}

/// One post: an `Announce` (a repost of its `object`) or a Note, Article or the like.
fn activitypub_post(
    obj: &Map<String, Value>,
    kind: &str,
    actor: Option<&str>,
) -> Result<MessageRow, FieldError> {
    if kind == "Announce" {
        let user_id = reference(obj.get("actor")).ok_or((
            "actor",
            ProblemKind::MissingField,
            "absent".into(),
        ))?;
        return Ok(MessageRow {
            meta: RowMeta::default(),
            message_id: need(obj, "id")?,
            username: user_id.clone(),
            user_id,
            repost_id: Some(reference(obj.get("object")).ok_or((
                "object",
                ProblemKind::MissingField,
                "absent".into(),
            ))?),
            reply_id: None,
            text: String::new(),
            timestamp_ms: timestamp(obj, "published")?,
            urls: Vec::new(),
        });
    }
    let user_id = reference(obj.get("attributedTo"))
        .or_else(|| actor.map(str::to_owned))
        .ok_or(("attributedTo", ProblemKind::MissingField, "absent".into()))?;
    let (text, urls) = html_to_text(&string(obj.get("content")).unwrap_or_default());
    Ok(MessageRow {
        meta: RowMeta {
            lang: activitypub_lang(obj),
            ..RowMeta::default()
        },
        message_id: need(obj, "id")?,
        username: user_id.clone(),
        user_id,
        repost_id: None,
        reply_id: reference(obj.get("inReplyTo")),
        text,
        timestamp_ms: timestamp(obj, "published")?,
        urls,
    })
}

/// A generic record's optional facts; a bad count is noted and left unknown.
fn generic_meta(obj: &Map<String, Value>, notes: &mut Vec<(&'static str, String)>) -> RowMeta {
    let mut count = |field: &'static str| {
        json_count(obj.get(field)).unwrap_or_else(|message| {
            notes.push((field, message));
            None
        })
    };
    RowMeta {
        likes: count(LIKES),
        reposts: count(REPOSTS),
        replies: count(REPLIES),
        followers: count(FOLLOWERS),
        lang: json_lang(obj.get(LANG)),
        repost_of_username: string(obj.get(REPOST_OF)),
        reply_to_username: string(obj.get(REPLY_TO)),
    }
}

fn generic(
    obj: &Map<String, Value>,
    notes: &mut Vec<(&'static str, String)>,
) -> Result<MessageRow, FieldError> {
    let pick = |names: &[&str]| names.iter().find_map(|n| string(obj.get(*n)));
    let message_id = pick(ID).ok_or((
        "message_id",
        ProblemKind::MissingField,
        "absent or empty".into(),
    ))?;
    let user_id = pick(USER).ok_or((
        "user_id",
        ProblemKind::MissingField,
        "absent or empty".into(),
    ))?;
    let raw_time = pick(TIME).ok_or((
        "timestamp",
        ProblemKind::MissingField,
        "absent or empty".into(),
    ))?;
    let timestamp_ms = parse_timestamp(&raw_time).ok_or((
        "timestamp",
        ProblemKind::BadTimestamp,
        format!("cannot read {raw_time:?} as a time"),
    ))?;
    let urls = URLS
        .iter()
        .find_map(|n| obj.get(*n))
        .map(|v| match v {
            Value::Array(items) => items.iter().filter_map(|u| string(Some(u))).collect(),
            Value::String(s) => split_urls(s),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    Ok(MessageRow {
        meta: generic_meta(obj, notes),
        username: pick(USERNAME).unwrap_or_else(|| user_id.clone()),
        message_id,
        user_id,
        repost_id: pick(REPOST),
        reply_id: pick(REPLY),
        text: pick(TEXT).unwrap_or_default(),
        timestamp_ms,
        urls,
    })
}

/// Whether the whole file, read as one JSON document, ends before the document does (an
/// interrupted download), rather than being broken elsewhere: a file of one record per line
/// whose first lines are bad is read line by line, its good lines kept.
fn cut_off(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    matches!(
        serde_json::from_str::<Value>(&text),
        Err(e) if e.classify() == serde_json::error::Category::Eof
    )
}
