//! `/api/v1/admin/audit`: the audit trail, filtered, newest first, a page at a time.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, SecondsFormat, Utc};
use safir_domain::audit::actions;
use safir_store::audit::{self, AuditFilter, AuditRecord};
use safir_store::missions;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::input::query_once;
use crate::admin::support::Actor;
use crate::auth::access::urlencode;
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Filters of the audit trail; every one optional and combined with AND.
#[derive(Debug, Default, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The actor's email (as recorded) or user id.
    pub actor: Option<String>,
    /// An action such as `role.grant`.
    pub action: Option<String>,
    /// A mission code: only records about that mission.
    pub mission: Option<String>,
    /// The id of the thing acted on.
    pub target_id: Option<String>,
    /// Records at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Records at or before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Only records older than this sequence number: the cursor of the next page.
    #[param(minimum = 1)]
    pub before_seq: Option<i64>,
    /// Records per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// Reads the query string, refusing unknown parameters and naming each bad one.
    pub fn parse(raw: Option<&str>) -> Result<AuditQuery, FieldErrors> {
        let mut q = AuditQuery::default();
        let mut errors = FieldErrors::new();
        for (key, value) in query_once(raw, &[], &mut errors) {
            let value = value.trim().to_owned();
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "actor" => q.actor = Some(safir_store::audit::actor_filter(&value)),
                "action" => q.action = Some(value),
                "mission" => q.mission = Some(value.to_ascii_uppercase()),
                "target_id" => q.target_id = Some(value),
                "from" | "to" => match DateTime::parse_from_rfc3339(&value) {
                    Ok(t) if key == "from" => q.from = Some(t.with_timezone(&Utc)),
                    Ok(t) => q.to = Some(t.with_timezone(&Utc)),
                    Err(_) => errors.push(&key, "invalid_datetime"),
                },
                "before_seq" => match value.parse::<i64>() {
                    Ok(n) if n >= 1 => q.before_seq = Some(n),
                    Ok(_) => errors.add(FieldError::new(&key, "too_small").with_arg("min", 1)),
                    Err(_) => errors.push(&key, "invalid_number"),
                },
                // The interface language, already applied by the language layer.
                "lang" => {}
                "limit" => match value.parse::<i64>() {
                    Ok(n) if (1..=MAX_LIMIT).contains(&n) => q.limit = Some(n),
                    Ok(_) => errors.add(
                        FieldError::new(&key, "out_of_range")
                            .with_arg("min", 1)
                            .with_arg("max", MAX_LIMIT),
                    ),
                    Err(_) => errors.push(&key, "invalid_number"),
                },
                _ => errors.push(&key, "unknown_field"),
            }
        }
        if let (Some(from), Some(to)) = (q.from, q.to)
            && from > to
        {
            errors.push("to", "before_from");
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }

    /// This query as a URL, with `before_seq` replaced (the `next` link).
    fn url_before(&self, before_seq: i64) -> String {
        let mut parts = Vec::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{k}={}", urlencode(&v)));
            }
        };
        add("actor", self.actor.clone());
        add("action", self.action.clone());
        add("mission", self.mission.clone());
        add("target_id", self.target_id.clone());
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        add("from", self.from.map(time));
        add("to", self.to.map(time));
        add("limit", self.limit.map(|n| n.to_string()));
        add("before_seq", Some(before_seq.to_string()));
        format!("/api/v1/admin/audit?{}", parts.join("&"))
    }
}

/// One record of the trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordResponse {
    /// Position in the chain, from 1.
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    /// The actor's email at the time, or `system` / `cli`.
    pub actor_label: String,
    #[schema(example = "role.grant")]
    pub action: String,
    #[schema(example = "user")]
    pub target_type: String,
    pub target_id: Option<String>,
    /// Code of the mission concerned, if any.
    #[schema(example = "PAR")]
    pub mission: Option<String>,
    pub client_ip: Option<String>,
    /// What changed.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
    /// This record's link in the hash chain.
    pub hash: String,
}

impl AuditRecordResponse {
    fn new(r: AuditRecord, codes: &HashMap<String, String>) -> Self {
        AuditRecordResponse {
            summary: serde_json::from_str(&r.summary)
                .unwrap_or(serde_json::Value::String(r.summary)),
            mission: r
                .mission_id
                .as_ref()
                .map(|id| codes.get(id).cloned().unwrap_or_else(|| id.clone())),
            seq: r.seq,
            at: r.at,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            client_ip: r.client_ip,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageResponse {
    /// Newest first.
    pub items: Vec<AuditRecordResponse>,
    /// The next (older) page with the same filters; `null` on the last page.
    #[schema(example = "/api/v1/admin/audit?action=role.grant&before_seq=120")]
    pub next: Option<String>,
}

/// The audit trail, newest first, filtered; follow `next` for older records.
#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    tag = "admin",
    operation_id = "list_audit_records",
    security(("bearer" = ["read"]), ("session_cookie" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of records", body = AuditPageResponse),
        (status = 401, description = "No valid token or session", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a ministry administrator, or the token lacks `read`", body = super::doc::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown or invalid", body = super::doc::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_audit_records(
    State(state): State<AppState>,
    actor: Actor,
    RawQuery(raw): RawQuery,
) -> Result<Json<AuditPageResponse>, AppError> {
    let query = AuditQuery::parse(raw.as_deref()).map_err(AppError::Validation)?;
    let all_missions = missions::list(&state.db)
        .await
        .map_err(AppError::internal)?;
    let mission_id = match &query.mission {
        None => None,
        Some(code) => match all_missions.iter().find(|m| &m.code == code) {
            Some(m) => Some(m.id.clone()),
            None => {
                let mut errors = FieldErrors::new();
                errors.push("mission", "unknown_mission");
                return Err(AppError::Validation(errors));
            }
        },
    };
    let filter = AuditFilter {
        actor: query.actor.clone(),
        action: query.action.clone(),
        mission_id,
        target_id: query.target_id.clone(),
        from: query.from,
        to: query.to,
        before_seq: query.before_seq,
    };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    let mut rows = audit::list(&state.db, &filter, limit + 1)
        .await
        .map_err(AppError::internal)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = match rows.last() {
        Some(last) if more => Some(query.url_before(last.seq)),
        _ => None,
    };
    // The trail names people and what they did: reading it is on record too.
    let summary = serde_json::json!({
        "filters": raw.as_deref().unwrap_or(""),
        "records": rows.len(),
        "via": "api",
    });
    let record = actor.audit(actions::AUDIT_READ, "audit_log", None, None, summary);
    state.audit.record(record).await?;
    let codes: HashMap<String, String> = all_missions.into_iter().map(|m| (m.id, m.code)).collect();
    let items = rows
        .into_iter()
        .map(|r| AuditRecordResponse::new(r, &codes))
        .collect();
    Ok(Json(AuditPageResponse { items, next }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: &str) -> Vec<(String, String)> {
        AuditQuery::parse(Some(raw))
            .expect_err("refused")
            .iter()
            .map(|e| (e.field.clone(), e.code.clone()))
            .collect()
    }

    #[test]
    fn every_bad_parameter_is_named() {
        assert_eq!(
            codes("before_seq=abc&limit=500&from=yesterday&colour=red"),
            vec![
                ("before_seq".to_owned(), "invalid_number".to_owned()),
                ("limit".to_owned(), "out_of_range".to_owned()),
                ("from".to_owned(), "invalid_datetime".to_owned()),
                ("colour".to_owned(), "unknown_field".to_owned()),
            ]
        );
        assert_eq!(
            codes("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"),
            vec![("to".to_owned(), "before_from".to_owned())]
        );
    }

    #[test]
    fn the_next_link_keeps_the_filters() {
        let q = AuditQuery::parse(Some(
            "action=role.grant&mission=par&from=2026-01-01T01:00:00%2B01:00&limit=2&before_seq=90",
        ))
        .expect("valid");
        assert_eq!(
            q.url_before(40),
            "/api/v1/admin/audit?action=role.grant&mission=PAR&from=2026-01-01T00%3A00%3A00Z&limit=2&before_seq=40"
        );
        assert_eq!(AuditQuery::parse(Some("")).expect("empty").limit, None);
        assert!(AuditQuery::parse(Some("lang=ar&limit=3")).is_ok());
    }
}
