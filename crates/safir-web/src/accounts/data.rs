//! `GET /account/data`: everything Safir holds about the signed-in user, as one JSON file:
//! the account, its trail, consular cases, documents, bookings and e-visas, and the
//! registrations abroad (also offered on their own at `/abroad/my-data.json`).

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use safir_domain::roles::Scope;
use safir_store::Db;
use safir_store::accounts::{grants, sessions, tokens};
use safir_store::audit::{self, AuditRecord};
use safir_store::crisis::registrations;
use serde_json::json;

use crate::auth::{CurrentUser, SignedIn};
use crate::error::AppError;
use crate::state::AppState;

/// Audit records read at a time.
const AUDIT_PAGE: i64 = 2_000;

/// A file whose trail holds more records than this is sent as it is read, a page at a time:
/// an officer's trail can hold hundreds of thousands of records (each case opened is one),
/// which the server must not hold in memory at once. A shorter one is sent whole (and
/// compressed, where the browser takes it).
const AUDIT_IN_MEMORY: usize = 10_000;

pub async fn export(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Response, AppError> {
    let mut response = response(&state, &me).await?;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"safir-my-data.json\""),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Everything Safir holds about `me` as one JSON object, as the download and
/// `GET /api/v1/me/data` give it, with the whole of their trail under `audit_records`:
/// every record they made and every record about their account, newest first, up to the
/// moment the file was begun. The trail is read a page at a time; a long one is sent as it
/// is read ([`AUDIT_IN_MEMORY`]), so the answer has no length then, and a failure half-way
/// ends it early: the client is left with a file that is not whole JSON, never with a
/// shorter trail that looks complete.
pub async fn response(state: &AppState, me: &CurrentUser) -> Result<Response, AppError> {
    // The file is written around a placeholder for the trail, which no value of the account
    // can hold (it is new for each file).
    let placeholder = format!("audit-records-{}", uuid::Uuid::now_v7().simple());
    let mut file = everything_but_the_trail(state, me).await?;
    file["audit_records"] = serde_json::Value::String(placeholder.clone());
    let text = serde_json::to_string_pretty(&file).map_err(AppError::internal)?;
    let quoted = format!("\"{placeholder}\"");
    let at = text
        .find(&quoted)
        .ok_or_else(|| AppError::internal("the trail's place in the file is missing"))?;
    let mut trail = Trail {
        db: state.db.clone(),
        user_id: me.user.id.clone(),
        before_seq: None,
        done: false,
        written: 0,
        rest: text[at + quoted.len()..].to_owned(),
    };
    let mut start = String::with_capacity(text.len());
    start.push_str(&text[..at]);
    start.push('[');
    while !trail.done && trail.written < AUDIT_IN_MEMORY {
        trail
            .next_page(&mut start)
            .await
            .map_err(AppError::internal)?;
    }
    let body = if trail.done {
        start.push_str(&trail.end());
        Body::from(start)
    } else {
        let pages = futures_util::stream::unfold(Some(trail), |trail| async move {
            let mut trail = trail?;
            let mut chunk = String::new();
            match trail.next_page(&mut chunk).await {
                Ok(()) if trail.done => {
                    chunk.push_str(&trail.end());
                    Some((Ok(Bytes::from(chunk)), None))
                }
                Ok(()) => Some((Ok(Bytes::from(chunk)), Some(trail))),
                Err(e) => {
                    tracing::error!(error = %e, "data download: the trail could not be read");
                    Some((Err(std::io::Error::other(e.to_string())), None))
                }
            }
        });
        let first = futures_util::stream::once(async move { Ok(Bytes::from(start)) });
        Body::from_stream(first.chain(pages))
    };
    let mut response = body.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// A person's trail being written into their file, a page at a time.
struct Trail {
    db: Db,
    user_id: String,
    /// Where the next page starts: below the last record written.
    before_seq: Option<i64>,
    /// Every record has been read.
    done: bool,
    /// Records written so far.
    written: usize,
    /// The file after the trail.
    rest: String,
}

impl Trail {
    /// Reads the next page and appends its records to `out`, as elements of the array.
    async fn next_page(&mut self, out: &mut String) -> Result<(), safir_store::StoreError> {
        let page =
            audit::list_of_user(&self.db, &self.user_id, self.before_seq, AUDIT_PAGE).await?;
        self.done = (page.len() as i64) < AUDIT_PAGE;
        if let Some(last) = page.last() {
            self.before_seq = Some(last.seq);
        }
        for record in page {
            let value = record_json(record, &self.user_id);
            let text = serde_json::to_string_pretty(&value).unwrap_or_default();
            if self.written > 0 {
                out.push(',');
            }
            // Indented as an element of the file's top-level array (JSON text holds no line
            // break but those between its parts: one in a string is written `\n`).
            out.push_str("\n    ");
            out.push_str(&text.replace('\n', "\n    "));
            self.written += 1;
        }
        Ok(())
    }

    /// The end of the array, and the rest of the file.
    fn end(&self) -> String {
        let close = if self.written == 0 { "]" } else { "\n  ]" };
        format!("{close}{}", self.rest)
    }
}

/// A record of the trail as the file gives it.
fn record_json(r: AuditRecord, user_id: &str) -> serde_json::Value {
    // A record's summary is JSON kept as text: given back as JSON, not as a string of it.
    let summary = serde_json::from_str(&r.summary)
        .unwrap_or_else(|_| serde_json::Value::String(r.summary.clone()));
    let mut v = serde_json::to_value(&r).unwrap_or_default();
    v["summary"] = summary;
    // A record someone else made about the user (an administrator's action on the account)
    // keeps what was done, not who did it from where: that staff member's identity and
    // network address are theirs, not the user's data.
    if r.actor_id.as_deref() != Some(user_id)
        && let Some(fields) = v.as_object_mut()
    {
        for field in ["actor_id", "actor_label", "client_ip"] {
            fields.remove(field);
        }
    }
    v
}

/// Everything Safir holds about `me` but their trail, which [`response`] writes in.
async fn everything_but_the_trail(
    state: &AppState,
    me: &CurrentUser,
) -> Result<serde_json::Value, AppError> {
    let user = &me.user;
    let db = &state.db;
    let sessions: Vec<_> = sessions::list_for_user(db, &user.id)
        .await
        .map_err(AppError::internal)?
        .into_iter()
        .map(|s| {
            json!({
                "created_at": s.created_at,
                "last_seen_at": s.last_seen_at,
                "expires_at": s.expires_at,
                "client_ip": s.client_ip,
                "user_agent": s.user_agent,
                "current": me.session_id_hash.as_deref() == Some(s.id_hash.as_str()),
            })
        })
        .collect();
    let api_tokens = tokens::list_api_tokens(db, &user.id)
        .await
        .map_err(AppError::internal)?;
    // Read as `/api/v1/me` gives them: the ministry, or a mission by its code.
    let grant_rows = grants::list_for_user(db, &user.id)
        .await
        .map_err(AppError::internal)?;
    let codes: std::collections::HashMap<String, String> = if grant_rows.is_empty() {
        std::collections::HashMap::new()
    } else {
        crate::auth::cache::all_missions(state)
            .await?
            .iter()
            .map(|m| (m.id.clone(), m.code.clone()))
            .collect()
    };
    let roles: Vec<_> = grant_rows
        .into_iter()
        .map(|g| {
            let (scope, mission) = match Scope::from_storage(&g.scope) {
                Scope::Ministry => ("ministry", None),
                Scope::Mission(id) => ("mission", codes.get(id.as_str()).cloned()),
            };
            json!({ "role": g.role, "scope": scope, "mission": mission, "granted_at": g.created_at })
        })
        .collect();
    let consular = crate::consular::applicant::export::records_of(db, &user.id).await?;
    let abroad = registrations::export_for_user(db, &user.id, user.verified_email())
        .await
        .map_err(AppError::internal)?;
    Ok(json!({
        // To the microsecond, as the other times recorded by the clock in the file.
        "exported_at": safir_store::now(),
        "profile": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "kind": user.kind,
            "preferred_lang": user.preferred_lang,
            "email_verified_at": user.email_verified_at,
            "two_factor_enabled": user.totp_enabled(),
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        },
        "roles": roles,
        "sessions": sessions,
        "api_tokens": api_tokens,
        "consular_cases": crate::consular::applicant::export::cases_of(db, &user.id).await?,
        "documents": consular["documents"],
        "appointments": consular["appointments"],
        "evisas": consular["evisas"],
        "abroad": abroad,
    }))
}
