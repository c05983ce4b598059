//! Cases past their deadline (those whose processing target still runs: not yet ready),
//! counted per service of a mission (the SLA board and the staff dashboard).

use chrono::{DateTime, Utc};
use safir_domain::consular::case::CaseState;
use sqlx::AssertSqlSafe;

use crate::{Db, StoreError, with_pool};

/// One service of the mission and how many of its open cases are past due.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OverdueRow {
    pub service_id: String,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub overdue: i64,
}

/// Every service of the mission, with the number of its open cases whose deadline passed
/// before `at` (zero included, so a quiet service shows as such).
pub async fn overdue_by_service(
    db: &Db,
    mission_id: &str,
    at: DateTime<Utc>,
) -> Result<Vec<OverdueRow>, StoreError> {
    let sql = format!(
        "SELECT s.id AS service_id, s.code, s.name_ar, s.name_en, COUNT(c.id) AS overdue \
         FROM consular_services s LEFT JOIN cases c ON c.service_id = s.id \
         AND c.state IN {} AND c.due_at < $2 \
         WHERE s.mission_id = $1 GROUP BY s.id, s.code, s.name_ar, s.name_en ORDER BY s.code",
        CaseState::DUE_STATES_SQL
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str()))
            .bind(mission_id)
            .bind(at)
            .fetch_all(p)
            .await
    })?)
}
