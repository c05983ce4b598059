//! The ministry and its missions.

use chrono::{DateTime, Utc};
use safir_domain::ids::MissionId;
use safir_domain::mission::{MissionCode, MissionKind, TimeZoneName};
use safir_domain::{CountryCode, Lang};
use sqlx::AssertSqlSafe;

use crate::error::changed_any;
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Mission {
    pub id: String,
    pub code: String,
    pub kind: String,
    pub name_ar: String,
    pub name_en: String,
    pub country: String,
    pub city_ar: String,
    pub city_en: String,
    /// Space-separated language codes the mission works in.
    pub languages: String,
    pub time_zone: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Mission {
    pub fn mission_id(&self) -> MissionId {
        MissionId::from_trusted(self.id.clone())
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.name_ar,
            _ => &self.name_en,
        }
    }

    pub fn city(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.city_ar,
            _ => &self.city_en,
        }
    }
}

/// Validated input for creating or editing a mission.
#[derive(Debug, Clone)]
pub struct MissionInput {
    pub code: MissionCode,
    pub kind: MissionKind,
    pub name_ar: String,
    pub name_en: String,
    pub country: CountryCode,
    pub city_ar: String,
    pub city_en: String,
    pub languages: Vec<Lang>,
    pub time_zone: TimeZoneName,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
}

fn languages(input: &MissionInput) -> String {
    input
        .languages
        .iter()
        .map(|l| l.code())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Refuses a code that another mission's case references or e-visa numbers carry
/// (`Conflict("code_used")`): the mission given it would number its cases and visas from 1
/// again under the same prefix, and every submission or approval would collide with the
/// old ones. A mission keeps its own counters when its code changes, so taking back its own
/// earlier code is fine.
async fn check_code_unused(tx: &mut Tx, id: &str, code: &str) -> Result<(), StoreError> {
    // References are `CODE-…`; '.' sorts just after '-', so the range is the index's.
    let from = format!("{code}-");
    let to = format!("{code}.");
    let used: bool = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM cases WHERE reference >= $1 AND reference < $2 AND mission_id <> $3) \
             OR EXISTS (SELECT 1 FROM evisas WHERE mission_code = $4 AND mission_id <> $3)",
        )
        .bind(&from)
        .bind(&to)
        .bind(id)
        .bind(code)
        .fetch_one(c)
        .await
    })?;
    if used {
        return Err(StoreError::Conflict("code_used"));
    }
    Ok(())
}

pub async fn create(tx: &mut Tx, m: &MissionInput) -> Result<MissionId, StoreError> {
    crate::accounts::changed();
    let id = MissionId::new();
    check_code_unused(tx, id.as_str(), m.code.as_str()).await?;
    let t = now();
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO missions (id, code, kind, name_ar, name_en, country, city_ar, city_en, languages, time_zone, email, phone, address, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(id.as_str())
        .bind(m.code.as_str())
        .bind(m.kind.as_str())
        .bind(&m.name_ar)
        .bind(&m.name_en)
        .bind(m.country.as_str())
        .bind(&m.city_ar)
        .bind(&m.city_en)
        .bind(languages(m))
        .bind(m.time_zone.as_str())
        .bind(&m.email)
        .bind(&m.phone)
        .bind(&m.address)
        .bind(t)
        .execute(c)
        .await.map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "code"))?;
    Ok(id)
}

/// Refuses to move a mission to another time zone while bookings still to come stand: they
/// are instants, its opening hours are local times, so after the move the same hours are other
/// instants and a seat already taken would be offered again. On PostgreSQL the mission's row
/// is locked first, so a booking being made at this moment (which holds it, see
/// [`crate::consular::appointments::hold_zone`]) is committed before the bookings are counted.
async fn check_zone_change(tx: &mut Tx, id: &str, zone: &str) -> Result<(), StoreError> {
    let lock = match tx.backend() {
        Backend::Postgres => " FOR NO KEY UPDATE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT time_zone FROM missions WHERE id = $1{lock}");
    let current: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar(AssertSqlSafe(sql)).bind(id).fetch_optional(c).await
    })?;
    if current.is_none_or(|current| current == zone) {
        return Ok(());
    }
    let booked: bool = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM appointments WHERE mission_id = $1 AND status = 'booked' AND ends_at > $2)",
        )
        .bind(id)
        .bind(now())
        .fetch_one(c)
        .await
    })?;
    if booked {
        return Err(StoreError::Conflict("time_zone_in_use"));
    }
    Ok(())
}

/// Refuses to save over a version of the mission other than `seen` (its `updated_at` when the
/// admin's form was drawn): `Conflict("changed")`. Called first in the saving transaction.
pub async fn ensure_unchanged(
    tx: &mut Tx,
    id: &str,
    seen: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::error::ensure_version(tx, "missions", id, seen).await
}

pub async fn update(tx: &mut Tx, id: &str, m: &MissionInput) -> Result<(), StoreError> {
    crate::accounts::changed();
    check_zone_change(tx, id, m.time_zone.as_str()).await?;
    check_code_unused(tx, id, m.code.as_str()).await?;
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE missions SET code = $2, kind = $3, name_ar = $4, name_en = $5, country = $6, city_ar = $7, city_en = $8, \
             languages = $9, time_zone = $10, email = $11, phone = $12, address = $13, updated_at = $14 WHERE id = $1",
        )
        .bind(id)
        .bind(m.code.as_str())
        .bind(m.kind.as_str())
        .bind(&m.name_ar)
        .bind(&m.name_en)
        .bind(m.country.as_str())
        .bind(&m.city_ar)
        .bind(&m.city_en)
        .bind(languages(m))
        .bind(m.time_zone.as_str())
        .bind(&m.email)
        .bind(&m.phone)
        .bind(&m.address)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "code"))?;
    changed_any(n)
}

pub async fn list(db: &Db) -> Result<Vec<Mission>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM missions ORDER BY CASE kind WHEN 'headquarters' THEN 0 ELSE 1 END, code").fetch_all(p).await
    })?)
}

pub async fn find(db: &Db, id: &str) -> Result<Mission, StoreError> {
    with_pool!(db.read(), p => sqlx::query_as("SELECT * FROM missions WHERE id = $1").bind(id).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

pub async fn find_by_code(db: &Db, code: &str) -> Result<Option<Mission>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM missions WHERE code = $1").bind(code.to_ascii_uppercase()).fetch_optional(p).await
    })?)
}
