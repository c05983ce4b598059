//! Crises declared by staff for an area: declaring, finding, listing, closing, and opening or
//! closing the "register your presence" form.

use chrono::{DateTime, Utc};
use safir_domain::crisis::geo::Target;
use safir_domain::ids::{MissionId, UserId};

use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Crisis {
    pub id: String,
    pub mission_id: String,
    pub title_ar: String,
    pub title_en: String,
    pub country: String,
    /// The area as the JSON of a [`Target`].
    pub area: String,
    /// open | closed
    pub status: String,
    pub presence_open: bool,
    pub reminder_minutes: i32,
    pub declared_by: Option<String>,
    pub declared_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Crisis {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    pub fn area(&self) -> Result<Target, StoreError> {
        serde_json::from_str(&self.area)
            .map_err(|e| StoreError::Corrupt(format!("crisis {} area: {e}", self.id)))
    }

    pub fn title(&self, lang: safir_domain::Lang) -> &str {
        match lang {
            safir_domain::Lang::Ar => &self.title_ar,
            _ => &self.title_en,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewCrisis {
    pub mission_id: MissionId,
    pub title_ar: String,
    pub title_en: String,
    pub country: safir_domain::CountryCode,
    pub area: Target,
    pub presence_open: bool,
    pub reminder_minutes: i32,
    pub declared_by: Option<UserId>,
}

const COLUMNS: &str = "id, mission_id, title_ar, title_en, country, area, status, presence_open, \
     reminder_minutes, declared_by, declared_at, closed_at";

/// Declares a crisis (open) inside the caller's transaction.
pub async fn declare(tx: &mut Tx, input: &NewCrisis) -> Result<Crisis, StoreError> {
    declare_keyed(tx, input, None)
        .await
        .map(|(crisis, _)| crisis)
}

/// [`declare`], once per `request_key` of the mission (the key of the form it was declared
/// with): the same form sent again (a double click, a retried request) finds the crisis the
/// first declared, returned with `false`; a new crisis comes with `true`.
pub async fn declare_keyed(
    tx: &mut Tx,
    input: &NewCrisis,
    request_key: Option<&str>,
) -> Result<(Crisis, bool), StoreError> {
    let crisis = Crisis {
        id: uuid::Uuid::now_v7().as_simple().to_string(),
        mission_id: input.mission_id.as_str().to_owned(),
        title_ar: input.title_ar.clone(),
        title_en: input.title_en.clone(),
        country: input.country.as_str().to_owned(),
        area: serde_json::to_string(&input.area)
            .map_err(|e| StoreError::Corrupt(format!("crisis area: {e}")))?,
        status: "open".to_owned(),
        presence_open: input.presence_open,
        reminder_minutes: input.reminder_minutes,
        declared_by: input.declared_by.as_ref().map(|u| u.as_str().to_owned()),
        declared_at: now(),
        closed_at: None,
    };
    let sql = format!(
        "INSERT INTO crises ({COLUMNS}, request_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, NULL, $12) ON CONFLICT DO NOTHING"
    );
    let n = with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&crisis.id)
            .bind(&crisis.mission_id)
            .bind(&crisis.title_ar)
            .bind(&crisis.title_en)
            .bind(&crisis.country)
            .bind(&crisis.area)
            .bind(&crisis.status)
            .bind(crisis.presence_open)
            .bind(crisis.reminder_minutes)
            .bind(&crisis.declared_by)
            .bind(crisis.declared_at)
            .bind(request_key)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if n == 1 {
        return Ok((crisis, true));
    }
    // The request key's: the other unique column (id) is new.
    let sql = format!("SELECT {COLUMNS} FROM crises WHERE mission_id = $1 AND request_key = $2");
    let first: Option<Crisis> = with_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&crisis.mission_id)
            .bind(request_key)
            .fetch_optional(c)
            .await
    })?;
    first.map(|c| (c, false)).ok_or(StoreError::NotFound)
}

pub async fn find(db: &Db, id: &str) -> Result<Crisis, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM crises WHERE id = $1");
    with_pool!(db.read(), p => {
        sqlx::query_as::<_, Crisis>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

/// Crises of the given missions (`None`: every mission), open first, newest first.
pub async fn list(db: &Db, missions: Option<&[MissionId]>) -> Result<Vec<Crisis>, StoreError> {
    let (filter, ids) = super::alerts::mission_filter(missions, 1);
    if ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM crises {filter} ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, declared_at DESC, id DESC LIMIT 500"
    );
    Ok(with_pool!(db.read(), p => {
        let mut q = sqlx::query_as::<_, Crisis>(sqlx::AssertSqlSafe(sql.as_str()));
        for id in ids.iter().flatten() {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })?)
}

/// Open crises with the presence form available (for the public pages).
pub async fn list_presence_open(db: &Db) -> Result<Vec<Crisis>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crises WHERE status = 'open' AND presence_open = $1 ORDER BY declared_at DESC"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Crisis>(sqlx::AssertSqlSafe(sql.as_str())).bind(true).fetch_all(p).await
    })?)
}

/// Closes an open crisis (and its presence form). `false` when it was already closed.
pub async fn close(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE crises SET status = 'closed', presence_open = $2, closed_at = $3 WHERE id = $1 AND status = 'open'")
            .bind(id)
            .bind(false)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Opens or closes the presence form of an open crisis. `false` when nothing changed.
pub async fn set_presence_open(tx: &mut Tx, id: &str, open: bool) -> Result<bool, StoreError> {
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE crises SET presence_open = $2 WHERE id = $1 AND status = 'open' AND presence_open <> $2")
            .bind(id)
            .bind(open)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
