//! `POST /crisis/receipts/sms?secret=…`: the SMS gateway's delivery receipts.
//!
//! Twilio's status callback (form fields `MessageSid`, `MessageStatus`) and a generic JSON
//! `{"id": "…", "status": "…"}` are understood. The shared secret in the query is compared in
//! constant time with `crisis.sms_inbound_secret` (wrong: 403; not configured: the route
//! answers 404). A receipt
//! for an id no delivery carries is 404; intermediate states (`queued`, `sent`, …) are
//! acknowledged without a change.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::routing::post;
use safir_store::crisis::deliveries;

use crate::auth::{Access, Routes};
use crate::error::AppError;
use crate::state::AppState;

pub fn routes(r: Routes) -> Routes {
    r.add(
        Method::POST,
        "/crisis/receipts/sms",
        Access::Public,
        post(receive),
    )
}

#[derive(Debug, serde::Deserialize)]
struct SecretQuery {
    #[serde(default)]
    secret: String,
}

/// Equal strings, in time that depends only on the lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `(provider id, status)` from a Twilio form or a JSON body.
fn parse(headers: &HeaderMap, body: &[u8]) -> Option<(String, String)> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let id = match v.get("id")? {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let status = v.get("status")?.as_str()?.to_owned();
        return Some((id, status));
    }
    let fields: Vec<(String, String)> = form_pairs(body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
    };
    Some((get("MessageSid")?, get("MessageStatus")?))
}

/// `application/x-www-form-urlencoded` pairs (`+` is a space, `%XX` a byte).
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len() => {
                    match std::str::from_utf8(&b[i + 1..i + 3])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                    {
                        Some(v) => {
                            out.push(v);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((decode(k), decode(v)))
        })
        .collect()
}

/// What a gateway status means for the delivery: `Some(true)` delivered, `Some(false)`
/// failed, `None` not final yet.
fn outcome(status: &str) -> Option<bool> {
    match status.to_ascii_lowercase().as_str() {
        "delivered" | "read" => Some(true),
        "failed" | "undelivered" | "rejected" | "expired" => Some(false),
        _ => None,
    }
}

async fn receive(
    State(state): State<AppState>,
    Query(q): Query<SecretQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, AppError> {
    let expected = state.config.crisis.sms_inbound_secret.as_bytes();
    if expected.is_empty() {
        // Receipts are not set up on this instance.
        return Err(AppError::NotFound);
    }
    if !constant_time_eq(q.secret.as_bytes(), expected) {
        return Err(AppError::Forbidden);
    }
    let Some((id, status)) = parse(&headers, &body) else {
        return Err(AppError::BadRequest);
    };
    let Some(delivered) = outcome(&status) else {
        return Ok(StatusCode::NO_CONTENT);
    };
    // Applied if its message is known. Else the gateway reported before the batch its message
    // went in was marked sent (it sends no receipt twice): kept, to apply when the batch is
    // marked, then looked for once more, since the batch may have been marked between the
    // look and the keeping, reading the early receipts before this one was there (a receipt
    // applies the same twice).
    if !apply_if_known(&state, &id, delivered, &status).await? {
        deliveries::keep_early_receipt(&state.db, &id, delivered, &status)
            .await
            .map_err(AppError::internal)?;
        apply_if_known(&state, &id, delivered, &status).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Applies the receipt to the message `id` names, if a row carries it; whether one did.
async fn apply_if_known(
    state: &AppState,
    id: &str,
    delivered: bool,
    status: &str,
) -> Result<bool, AppError> {
    let known = deliveries::provider_id_exists(&state.db, id)
        .await
        .map_err(AppError::internal)?;
    if known {
        deliveries::mark_receipt(&state.db, id, delivered, status)
            .await
            .map_err(AppError::internal)?;
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_by_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn twilio_and_json_receipts_parse() {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().expect("header"),
        );
        assert_eq!(
            parse(&h, b"MessageSid=SM1&MessageStatus=delivered&To=%2B971"),
            Some(("SM1".into(), "delivered".into()))
        );
        h.insert(
            header::CONTENT_TYPE,
            "application/json".parse().expect("header"),
        );
        assert_eq!(
            parse(&h, br#"{"id":"x9","status":"failed"}"#),
            Some(("x9".into(), "failed".into()))
        );
        assert_eq!(parse(&h, b"{}"), None);
        assert_eq!(outcome("DELIVERED"), Some(true));
        assert_eq!(outcome("undelivered"), Some(false));
        assert_eq!(outcome("sent"), None);
    }
}
