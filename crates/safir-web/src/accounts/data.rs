//! `GET /account/data`: everything Safir holds about the signed-in user, as one JSON file:
//! the account, its trail, consular cases, documents, bookings and e-visas, and the
//! registrations abroad (also offered on their own at `/abroad/my-data.json`).

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use safir_domain::roles::Scope;
use safir_store::accounts::{grants, sessions, tokens};
use safir_store::audit::{self, AuditFilter};
use safir_store::crisis::registrations;
use serde_json::json;

use crate::auth::{CurrentUser, SignedIn};
use crate::error::AppError;
use crate::state::AppState;

/// Enough for any one person's trail; the download says when it was cut.
const AUDIT_LIMIT: i64 = 5000;

pub async fn export(
    State(state): State<AppState>,
    SignedIn(me): SignedIn,
) -> Result<Response, AppError> {
    let body = everything(&state, &me).await?;
    let mut response = serde_json::to_string_pretty(&body)
        .map_err(AppError::internal)?
        .into_response();
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

/// Everything Safir holds about `me`, as the download and `GET /api/v1/me/data` give it.
pub async fn everything(state: &AppState, me: &CurrentUser) -> Result<serde_json::Value, AppError> {
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
    // Records where the user acted, and records about the user, once each, newest first.
    let by_them = AuditFilter {
        actor: Some(user.id.clone()),
        ..AuditFilter::default()
    };
    let about_them = AuditFilter {
        target_id: Some(user.id.clone()),
        ..AuditFilter::default()
    };
    let mut records = audit::list(db, &by_them, AUDIT_LIMIT)
        .await
        .map_err(AppError::internal)?;
    records.extend(
        audit::list(db, &about_them, AUDIT_LIMIT)
            .await
            .map_err(AppError::internal)?,
    );
    records.sort_by_key(|r| std::cmp::Reverse(r.seq));
    records.dedup_by_key(|r| r.seq);
    // A record's summary is JSON kept as text: given back as JSON, not as a string of it.
    let records: Vec<serde_json::Value> = records
        .into_iter()
        .map(|r| {
            let summary = serde_json::from_str(&r.summary)
                .unwrap_or_else(|_| serde_json::Value::String(r.summary.clone()));
            let mut v = serde_json::to_value(&r).unwrap_or_default();
            v["summary"] = summary;
            // A record someone else made about the user (an administrator's action on the
            // account) keeps what was done, not who did it from where: that staff member's
            // identity and network address are theirs, not the user's data.
            if r.actor_id.as_deref() != Some(user.id.as_str())
                && let Some(fields) = v.as_object_mut()
            {
                for field in ["actor_id", "actor_label", "client_ip"] {
                    fields.remove(field);
                }
            }
            v
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
        "audit_records": records,
        "consular_cases": crate::consular::applicant::export::cases_of(db, &user.id).await?,
        "documents": consular["documents"],
        "appointments": consular["appointments"],
        "evisas": consular["evisas"],
        "abroad": abroad,
    }))
}
