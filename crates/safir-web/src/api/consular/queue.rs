//! `GET /api/v1/missions/{mission}/cases`: a mission's case queue, filtered like the
//! officers' screen, most urgent first, a page at a time.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Duration, Utc};
use safir_domain::consular::case::{CaseKind, CaseState, Priority};
use safir_store::audit::NewAuditRecord;
use safir_store::consular::cases::{self, AssigneeFilter, QueueFilter, QueueRow};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{CASE_LIST, cursor, has_control};
use crate::api::ClientIp;
use crate::api::doc::Problem;
use crate::api::input::{query_once, query_pairs};
use crate::api::missions::Bilingual;
use crate::auth::{MissionParam, SignedIn};
use crate::error::{AppError, FieldError, FieldErrors};
use crate::state::AppState;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;
const MAX_AGE_DAYS: i64 = 3650;

/// Filters of the queue; every one optional and combined with AND.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// States, comma-separated (default: every state that still needs the mission, or, with
    /// `q`, every state but the draft).
    #[param(example = "submitted,in_review")]
    pub state: Option<String>,
    /// `passport_renewal`, `visa`, `emergency` or `emergency_travel_document`.
    pub kind: Option<String>,
    /// A service's id.
    pub service_id: Option<String>,
    /// `critical`, `high`, `normal` or `low`.
    pub priority: Option<String>,
    /// `me`, `none` (unassigned) or an officer's user id.
    pub assignee: Option<String>,
    /// `true`: only open cases past their target date.
    pub breached: Option<bool>,
    /// `true`: only cases where a message of the applicant waits for the mission's reply
    /// (each item's `awaiting_reply_since` says since when).
    pub awaiting_reply: Option<bool>,
    /// Only cases submitted more than this many days ago.
    #[param(minimum = 1, maximum = 3650)]
    pub older_than_days: Option<i64>,
    /// A reference, whole or its end (`2026-000123`, `123`), or words of the applicant's
    /// name in any order. Without `state`, closed, refused and
    /// withdrawn cases are searched too.
    pub q: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Cases per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// One line of the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemResponse {
    pub id: String,
    #[schema(example = "PAR-2026-000123")]
    pub reference: Option<String>,
    #[schema(example = "passport_renewal")]
    pub kind: String,
    #[schema(example = "submitted")]
    pub state: String,
    #[schema(example = "normal")]
    pub priority: String,
    pub applicant_name: String,
    pub service_name: Bilingual,
    pub assignee_id: Option<String>,
    pub assignee_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    /// Still open and past its target date.
    pub overdue: bool,
    pub escalation_level: i32,
    /// When the applicant wrote the first message the mission has not yet answered (an
    /// officers' internal note is no answer); `null` when nothing waits.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueuePageResponse {
    /// Most urgent first, then oldest submission.
    pub items: Vec<QueueItemResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// The next page's URL with the same filters; `null` on the last page.
    pub next: Option<String>,
    /// Cases of the mission per state (drafts excluded), whatever the filters.
    #[schema(example = json!({"submitted": 4, "in_review": 2}))]
    pub counts: BTreeMap<String, i64>,
}

/// Reads the query string into the store's filter, naming each bad parameter.
fn parse_filter(
    raw: Option<&str>,
    mission_id: &str,
    me: &str,
    now: DateTime<Utc>,
) -> Result<QueueFilter, FieldErrors> {
    let mut f = QueueFilter {
        mission_id: mission_id.to_owned(),
        limit: DEFAULT_LIMIT,
        ..QueueFilter::default()
    };
    let mut errors = FieldErrors::new();
    for (key, value) in query_once(raw, &["state"], &mut errors) {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        if has_control(value, false) {
            errors.push(&key, "invalid_characters");
            continue;
        }
        match key.as_str() {
            "state" => {
                for s in value.split(',') {
                    match CaseState::parse(s) {
                        // Drafts are the applicant's alone.
                        Ok(CaseState::Draft) | Err(_) => errors.push("state", "unknown_state"),
                        Ok(state) if !f.states.contains(&state) => f.states.push(state),
                        Ok(_) => {}
                    }
                }
            }
            "kind" => match CaseKind::parse(value) {
                Ok(k) => f.kind = Some(k),
                Err(_) => errors.push("kind", "unknown_kind"),
            },
            "service_id" => f.service_id = Some(value.to_owned()),
            "priority" => match Priority::parse(value) {
                Ok(p) => f.priority = Some(p),
                Err(_) => errors.push("priority", "unknown_priority"),
            },
            "assignee" => {
                f.assignee = match value {
                    "me" => AssigneeFilter::User(me.to_owned()),
                    "none" => AssigneeFilter::Unassigned,
                    id => AssigneeFilter::User(id.to_owned()),
                }
            }
            "breached" => match value {
                "true" => f.breached_at = Some(now),
                "false" => f.breached_at = None,
                _ => errors.push("breached", "invalid_boolean"),
            },
            "awaiting_reply" => match value {
                "true" => f.awaiting_reply = true,
                "false" => f.awaiting_reply = false,
                _ => errors.push("awaiting_reply", "invalid_boolean"),
            },
            "older_than_days" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_AGE_DAYS).contains(&n) => {
                    f.submitted_before = Some(now - Duration::days(n));
                }
                Ok(_) => errors.add(
                    FieldError::new(&key, "out_of_range")
                        .with_arg("min", 1)
                        .with_arg("max", MAX_AGE_DAYS),
                ),
                Err(_) => errors.push(&key, "invalid_number"),
            },
            "q" => f.search = Some(value.to_owned()),
            "cursor" => match cursor::decode(value) {
                Some(c) => f.after = Some(c),
                None => errors.push("cursor", "invalid_cursor"),
            },
            "limit" => match value.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => f.limit = n,
                Ok(_) => errors.add(
                    FieldError::new(&key, "out_of_range")
                        .with_arg("min", 1)
                        .with_arg("max", MAX_LIMIT),
                ),
                Err(_) => errors.push(&key, "invalid_number"),
            },
            // The interface language, already applied by the language layer.
            "lang" => {}
            _ => errors.push(&key, "unknown_field"),
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(errors)
    }
}

/// This query's URL with `cursor` replaced.
fn next_url(mission: &str, raw: Option<&str>, next: &str) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in query_pairs(raw) {
        if k != "cursor" {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair("cursor", next);
    format!("/api/v1/missions/{mission}/cases?{}", out.finish())
}

fn item(r: QueueRow, now: DateTime<Utc>) -> QueueItemResponse {
    let running = CaseState::parse(&r.state).is_ok_and(CaseState::counts_against_due_date);
    QueueItemResponse {
        overdue: running && r.due_at.is_some_and(|d| d < now),
        priority: Priority::from_rank(r.priority).as_str().to_owned(),
        id: r.id,
        reference: r.reference,
        kind: r.kind,
        state: r.state,
        applicant_name: r.applicant_name,
        service_name: Bilingual {
            ar: r.service_name_ar,
            en: r.service_name_en,
        },
        assignee_id: r.assignee_id,
        assignee_name: r.assignee_name,
        submitted_at: r.submitted_at,
        state_changed_at: r.state_changed_at,
        due_at: r.due_at,
        escalation_level: r.escalation_level,
        awaiting_reply_since: r.awaiting_reply_since,
    }
}

/// The mission's queue, filtered; follow `next` (or pass `next_cursor`) for more.
///
/// Applicants' names are personal data: each call is recorded in the audit trail
/// (`case.list`) with the cases listed.
#[utoipa::path(
    get,
    path = "/api/v1/missions/{mission}/cases",
    tag = "consular",
    operation_id = "list_mission_cases",
    security(("bearer" = ["consular:read"]), ("session_cookie" = [])),
    params(("mission" = String, Path, description = "Mission code, e.g. `PAR`"), QueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = QueuePageResponse),
        (status = 401, description = "No valid token or session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a consular officer of this mission, or the token lacks `consular:read`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No mission has this code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is unknown or invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_mission_cases(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    MissionParam(mission): MissionParam,
    ClientIp(client_ip): ClientIp,
    RawQuery(raw): RawQuery,
) -> Result<Json<QueuePageResponse>, AppError> {
    let now = Utc::now();
    let mut filter =
        parse_filter(raw.as_deref(), &mission.id, user.id(), now).map_err(AppError::Validation)?;
    // An assignee or a service is one of this mission's, or the filter is a mistake, as on the
    // queue's page (an empty page would look like an answer).
    let mut errors = FieldErrors::new();
    if let AssigneeFilter::User(id) = &filter.assignee
        && id != user.id()
    {
        match super::assign::officer(&state, &mission, user.id(), id).await {
            Ok(_) => {}
            Err(AppError::Validation(refused)) => {
                for e in refused.iter() {
                    errors.add(e.clone());
                }
            }
            Err(e) => return Err(e),
        }
    }
    if let Some(service_id) = &filter.service_id {
        let offered = crate::consular::read_cache::mission_services(&state, &mission.id).await?;
        if !offered.iter().any(|s| &s.id == service_id) {
            errors.push("service_id", "unknown_service");
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let limit = filter.limit;
    // One more than asked tells whether another page follows.
    filter.limit = limit + 1;
    let mut rows = cases::queue(&state.db, &filter)
        .await
        .map_err(AppError::internal)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = match rows.last() {
        Some(last) if more => last
            .submitted_at
            .map(|at| cursor::encode(&(last.priority, at, last.id.clone()))),
        _ => None,
    };
    let next = next_cursor
        .as_deref()
        .map(|c| next_url(&mission.code, raw.as_deref(), c));
    let counts = crate::consular::counts::case_counts(&state, &mission.id).await?;
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    state
        .audit
        .record(NewAuditRecord {
            actor_id: Some(user.user.user_id()),
            actor_label: user.user.email.clone(),
            action: CASE_LIST,
            target_type: "case_queue",
            target_id: Some(mission.id.clone()),
            mission_id: Some(mission.mission_id()),
            client_ip,
            summary: serde_json::json!({ "via": "api", "query": raw, "cases": ids }),
        })
        .await?;
    let items = rows.into_iter().map(|r| item(r, now)).collect();
    Ok(Json(QueuePageResponse {
        items,
        next_cursor,
        next,
        counts,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: &str) -> Vec<(String, String)> {
        parse_filter(Some(raw), "m", "u", Utc::now())
            .expect_err("refused")
            .iter()
            .map(|e| (e.field.clone(), e.code.clone()))
            .collect()
    }

    #[test]
    fn every_bad_parameter_is_named() {
        assert_eq!(
            codes(
                "state=submitted,draft&kind=ship&priority=urgent&breached=yes&cursor=zz&limit=0&colour=red"
            ),
            [
                ("state", "unknown_state"),
                ("kind", "unknown_kind"),
                ("priority", "unknown_priority"),
                ("breached", "invalid_boolean"),
                ("cursor", "invalid_cursor"),
                ("limit", "out_of_range"),
                ("colour", "unknown_field"),
            ]
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
    }

    #[test]
    fn filters_reach_the_store() {
        let f = parse_filter(
            Some(
                "state=in_review,needs_info&assignee=me&older_than_days=3&q=Haddad&limit=5&lang=ar",
            ),
            "m",
            "u",
            Utc::now(),
        )
        .expect("valid");
        assert_eq!(f.states, [CaseState::InReview, CaseState::NeedsInfo]);
        assert_eq!(f.assignee, AssigneeFilter::User("u".into()));
        assert!(f.submitted_before.is_some());
        assert_eq!((f.search.as_deref(), f.limit), (Some("Haddad"), 5));
        assert_eq!(
            next_url("PAR", Some("q=a b&cursor=old&limit=5"), "00ff"),
            "/api/v1/missions/PAR/cases?q=a+b&limit=5&cursor=00ff"
        );
    }
}
