//! Reading API input so that every refusal names the failing field: JSON bodies (unknown
//! fields refused, wrong types reported by path) and query strings.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::{AppError, ErrorInfo, FieldError, FieldErrors};

/// A JSON body of type `T` (which should `deny_unknown_fields`). Malformed JSON is a
/// `bad_request` (400) pointing at the body; well-formed JSON of the wrong shape is a
/// `validation` problem (422) naming the field.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// Why a body was refused, already in the shape of a problem.
#[derive(Debug)]
pub struct BodyRejection(Response);

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        self.0
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = is_json(req.headers());
        if !is_json {
            return Err(BodyRejection(
                AppError::UnsupportedMediaType.into_response(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            BodyRejection(AppError::from(rejection.status()).into_response())
        })?;
        parse_json(&bytes)
            .map(ApiJson)
            .map_err(|info| BodyRejection(info.into_response()))
    }
}

/// Whether the request says its body is JSON (`application/json` or a `+json` type).
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
}

/// For routes that take no body: none, or an empty JSON object (`{}`, which some clients
/// always send), is accepted; anything else is refused as a body of no members would be, each
/// member named (`unknown_field`), so that a parameter sent to the wrong route is never
/// silently ignored. Must be the handler's last argument.
#[derive(Debug)]
pub struct NoBody;

/// A body with no members.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

impl<S: Send + Sync> FromRequest<S> for NoBody {
    type Rejection = BodyRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = is_json(req.headers());
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            BodyRejection(AppError::from(rejection.status()).into_response())
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(NoBody);
        }
        if !is_json {
            return Err(BodyRejection(
                AppError::UnsupportedMediaType.into_response(),
            ));
        }
        parse_json::<Empty>(&bytes)
            .map(|_| NoBody)
            .map_err(|info| BodyRejection(info.into_response()))
    }
}

/// For routes that take no query parameters: any parameter but `lang` (the interface
/// language, applied by the language layer) is refused with `422`, naming it
/// (`unknown_field`), as the routes that take parameters refuse those they do not know. Put
/// it after the extractors that check who is calling, so that a stranger learns nothing more.
#[derive(Debug)]
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        refuse_query(parts.uri.query())?;
        Ok(NoQuery)
    }
}

/// Every query parameter but `lang`, named once each as `unknown_field`: for the routes that
/// take none ([`NoQuery`], and every API write, checked by the access layer).
pub fn refuse_query(query: Option<&str>) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    for (key, _) in query_pairs(query) {
        if key != "lang" && !errors.iter().any(|e| e.field == key) {
            errors.push(&key, "unknown_field");
        }
    }
    errors.into_result()
}

/// Deserializes `bytes`, turning any failure into the problem to answer with.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ErrorInfo> {
    // Parse first, so that syntax errors keep their position and anything but an object is
    // refused before serde would read an array as a struct's fields in order.
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => return Err(malformed(&e)),
    };
    if !value.is_object() {
        let mut errors = FieldErrors::new();
        errors.push("body", "expected_object");
        return Err(AppError::Validation(errors).into_info());
    }
    // A member given twice would be read as its last value: which one the caller meant is
    // not ours to guess.
    if let Ok(Duplicate(Some(path))) = serde_json::from_slice::<Duplicate>(bytes) {
        let mut errors = FieldErrors::new();
        errors.push(&path, "sent_twice");
        return Err(AppError::Validation(errors).into_info());
    }
    shaped(value).map_err(|errors| AppError::Validation(errors).into_info())
}

/// Most members named in one answer about a body's shape.
const MAX_SHAPE_ERRORS: usize = 20;

/// `value` read as a `T`, or every member of the wrong type or unknown named at once: each
/// one found is set aside (a number, text or yes/no of the expected type put in its place, an
/// unknown or other member removed) and the rest read again, up to [`MAX_SHAPE_ERRORS`]. A
/// removed member that `T` requires is not named again as missing: the reading ends there.
fn shaped<T: DeserializeOwned>(mut value: serde_json::Value) -> Result<T, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut set_aside: Vec<String> = Vec::new();
    for _ in 0..MAX_SHAPE_ERRORS {
        let e = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(t) if errors.is_empty() => return Ok(t),
            Ok(_) => break,
            Err(e) => e,
        };
        let error = shape_error(&e);
        if error.code == "required" && set_aside.contains(&error.field) {
            break;
        }
        let stand_in = match error.code.as_str() {
            "invalid_type" | "invalid" => Some(stand_in(&e.inner().to_string())),
            "unknown_field" => Some(None),
            _ => None,
        };
        let field = error.field.clone();
        errors.add(error);
        let replaced = match stand_in {
            Some(with) => replace_at(&mut value, e.path(), with),
            None => false,
        };
        if !replaced {
            break;
        }
        set_aside.push(field);
    }
    Err(errors)
}

/// A value of the type serde's message says it expected ("…, expected u16"), for the plain
/// types; `None` (remove the member) for anything else.
fn stand_in(message: &str) -> Option<serde_json::Value> {
    let expected = message.rsplit("expected ").next()?.trim();
    let number = |s: &str, p: char| {
        s.strip_prefix(p)
            .is_some_and(|rest| matches!(rest, "8" | "16" | "32" | "64" | "128" | "size"))
    };
    if number(expected, 'u') || number(expected, 'i') {
        Some(0.into())
    } else if expected == "f32" || expected == "f64" {
        Some(0.0.into())
    } else if expected == "a string" || expected == "a borrowed string" {
        Some("".into())
    } else if expected == "a boolean" {
        Some(false.into())
    } else {
        None
    }
}

/// Puts `with` in place of the object member at `path`, or removes the member when `with` is
/// `None`; `false` when the path does not end at an object member (an item of a list, the
/// body itself).
fn replace_at(
    value: &mut serde_json::Value,
    path: &serde_path_to_error::Path,
    with: Option<serde_json::Value>,
) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = value;
    for segment in parents {
        at = match (segment, at) {
            (Segment::Map { key }, serde_json::Value::Object(o)) => match o.get_mut(key) {
                Some(v) => v,
                None => return false,
            },
            (Segment::Seq { index }, serde_json::Value::Array(a)) => match a.get_mut(*index) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    let serde_json::Value::Object(o) = at else {
        return false;
    };
    match with {
        Some(v) => o.insert(key.clone(), v).is_some(),
        None => o.remove(key).is_some(),
    }
}

/// The path of the first member given twice within one object of a JSON document (`a`,
/// `form.surname`, `items[2].id`), if any.
struct Duplicate(Option<String>);

impl<'de> serde::Deserialize<'de> for Duplicate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::DeserializeSeed::deserialize(Walk(String::new()), d).map(Duplicate)
    }
}

/// Walks a value below `self.0` (its path), looking for a member given twice.
struct Walk(String);

impl Walk {
    fn below(&self, step: &str) -> Walk {
        if self.0.is_empty() || step.starts_with('[') {
            Walk(format!("{}{step}", self.0))
        } else {
            Walk(format!("{}.{step}", self.0))
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if found.is_some() {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            }
            let here = self.below(&key);
            if !seen.insert(key) {
                map.next_value::<serde::de::IgnoredAny>()?;
                found = Some(here.0);
            } else {
                found = map.next_value_seed(here)?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut i = 0usize;
        loop {
            if found.is_some() {
                if seq.next_element::<serde::de::IgnoredAny>()?.is_none() {
                    break;
                }
                continue;
            }
            match seq.next_element_seed(self.below(&format!("[{i}]")))? {
                Some(inner) => found = inner,
                None => break,
            }
            i += 1;
        }
        Ok(found)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Not JSON at all: a `bad_request` pointing at the body.
fn malformed(e: &serde_json::Error) -> ErrorInfo {
    tracing::debug!(error = %e, "malformed JSON body");
    let mut info = ErrorInfo::new("bad_request", StatusCode::BAD_REQUEST);
    info.fields.push(FieldError::new("body", "malformed_json"));
    info
}

fn shape_error(e: &serde_path_to_error::Error<serde_json::Error>) -> FieldError {
    let inner = e.inner();
    let message = inner.to_string();
    let path = e.path().to_string();
    let at = |name: &str| {
        if path == "." {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        }
    };
    if let Some(name) = quoted_after(&message, "unknown field `") {
        // The path already ends at the unknown key.
        let field = if path == "." {
            name.to_owned()
        } else {
            path.clone()
        };
        FieldError::new(field, "unknown_field")
    } else if let Some(name) = quoted_after(&message, "missing field `") {
        FieldError::new(at(name), "required")
    } else if message.starts_with("invalid type") {
        FieldError::new(path, "invalid_type")
    } else if path == "." {
        FieldError::new("body", "invalid")
    } else {
        FieldError::new(path, "invalid")
    }
}

/// The text between `prefix` and the next backtick, e.g. the field of "unknown field `x`".
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    rest.split('`').next()
}

/// The pairs of a query string, decoded.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The pairs of an API query string, decoded, each key once: a key sent again is named
/// (`sent_twice`, once) and its later values dropped, rather than one silently winning, except
/// the keys in `repeatable` (lists, such as the queue's `state`).
pub fn query_once(
    raw: Option<&str>,
    repeatable: &[&str],
    errors: &mut FieldErrors,
) -> Vec<(String, String)> {
    let mut seen = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (key, value) in query_pairs(raw) {
        if repeatable.contains(&key.as_str()) {
            out.push((key, value));
            continue;
        }
        match seen.get_mut(&key) {
            None => {
                seen.insert(key.clone(), false);
                out.push((key, value));
            }
            Some(reported) => {
                if !*reported {
                    errors.push(&key, "sent_twice");
                    *reported = true;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn a_query_key_sent_again_is_named_once_unless_it_is_a_list() {
        let mut errors = FieldErrors::new();
        let pairs = query_once(
            Some("date=2026-01-01&state=open&date=2026-02-02&state=closed&date=x"),
            &["state"],
            &mut errors,
        );
        assert_eq!(
            pairs,
            [
                ("date".to_owned(), "2026-01-01".to_owned()),
                ("state".to_owned(), "open".to_owned()),
                ("state".to_owned(), "closed".to_owned()),
            ]
        );
        let named: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(named, [("date", "sent_twice")]);
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: Option<String>,
        count: Option<u32>,
    }

    fn refused(json: &str) -> ErrorInfo {
        parse_json::<Body>(json.as_bytes()).expect_err("refused")
    }

    #[test]
    fn each_failure_names_its_field() {
        let info = refused(r#"{"name": "x", "colour": "red"}"#);
        assert_eq!((info.code, info.status.as_u16()), ("validation", 422));
        assert_eq!(info.fields[0].field, "colour");
        assert_eq!(info.fields[0].code, "unknown_field");

        let info = refused(r#"{"count": "three"}"#);
        assert_eq!(info.fields[0].field, "count");
        assert_eq!(info.fields[0].code, "invalid_type");

        // Every member of the wrong type, or unknown, at once.
        let info = refused(r#"{"count": "three", "colour": "red", "name": 7}"#);
        let named: Vec<(&str, &str)> = info
            .fields
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        // (members are read in key order)
        assert_eq!(
            named,
            [
                ("colour", "unknown_field"),
                ("count", "invalid_type"),
                ("name", "invalid_type")
            ]
        );

        let info = refused(r#"["name"]"#);
        assert_eq!(info.fields[0].field, "body");
        assert_eq!(info.fields[0].code, "expected_object");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rule {
        weekday: u8,
        capacity: u16,
        inner: Inner,
        note: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        minutes: u16,
    }

    #[test]
    fn a_required_member_of_the_wrong_type_is_named_once() {
        let named = |json: &str| -> Vec<(String, String)> {
            parse_json::<Rule>(json.as_bytes())
                .expect_err("refused")
                .fields
                .into_iter()
                .map(|e| (e.field, e.code))
                .collect()
        };
        let pair = |f: &str, c: &str| (f.to_owned(), c.to_owned());
        assert_eq!(
            named(r#"{"weekday": "mon", "capacity": -1, "inner": {"minutes": "x"}, "note": "n"}"#),
            [
                pair("capacity", "invalid"),
                pair("inner.minutes", "invalid_type"),
                pair("weekday", "invalid_type")
            ]
        );
        // A member truly missing is named when nothing else is wrong before it.
        assert_eq!(
            named(r#"{"weekday": 1, "capacity": 2, "inner": {"minutes": 5}}"#),
            [pair("note", "required")]
        );
        // A member of another shape than a plain value is taken out; found missing, it ends
        // the reading without being named twice.
        assert_eq!(
            named(r#"{"weekday": "x", "capacity": 2, "inner": "x", "note": 1}"#),
            [
                pair("inner", "invalid_type"),
                pair("note", "invalid_type"),
                pair("weekday", "invalid_type")
            ]
        );
    }

    #[test]
    fn a_member_given_twice_is_named_wherever_it_is() {
        let twice = |json: &str| {
            let info = refused(json);
            assert_eq!(
                (info.code, info.status.as_u16()),
                ("validation", 422),
                "{json}"
            );
            assert_eq!(info.fields[0].code, "sent_twice", "{json}");
            info.fields[0].field.clone()
        };
        assert_eq!(twice(r#"{"name": "a", "count": 1, "name": "b"}"#), "name");
        // The same key spelled with an escape is the same member.
        assert_eq!(twice(r#"{"name": "a", "n\u0061me": "b"}"#), "name");
        let nested: Result<serde_json::Value, _> =
            parse_json(br#"{"form": {"surname": "A", "surname": "B"}}"#);
        let info = nested.expect_err("refused");
        assert_eq!(info.fields[0].field, "form.surname");
        let listed: Result<serde_json::Value, _> =
            parse_json(br#"{"items": [{"id": 1}, {"id": 2, "id": 3}]}"#);
        assert_eq!(listed.expect_err("refused").fields[0].field, "items[1].id");
        // The same key in two objects is not given twice.
        let fine: serde_json::Value =
            parse_json(br#"{"items": [{"id": 1}, {"id": 2}], "id": 0, "x": [[], {}]}"#).unwrap();
        assert_eq!(fine["id"], 0);
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let info = refused("{\n  \"name\": ");
        assert_eq!((info.code, info.status.as_u16()), ("bad_request", 400));
        assert_eq!(info.fields[0].field, "body");
        assert_eq!(info.fields[0].code, "malformed_json");

        let info = refused(r#"{"name": "x"} trailing"#);
        assert_eq!(info.code, "bad_request");
    }
}
