//! The service catalogue: one row per service a mission offers.

use chrono::{DateTime, Utc};
use safir_domain::Lang;
use safir_domain::consular::case::CaseKind;
use safir_domain::consular::service::{Currency, Fee};
use safir_domain::ids::ServiceId;

use crate::error::changed_any;
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Service {
    pub id: String,
    pub mission_id: String,
    pub code: String,
    pub kind: String,
    pub name_ar: String,
    pub name_en: String,
    pub instructions_ar: String,
    pub instructions_en: String,
    pub documents: String,
    pub fee_minor: i64,
    pub currency: String,
    pub processing_days: i32,
    pub visa_types: String,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Service {
    pub fn kind(&self) -> Result<CaseKind, StoreError> {
        CaseKind::parse(&self.kind)
            .map_err(|_| StoreError::Corrupt(format!("service kind {}", self.kind)))
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.name_ar,
            _ => &self.name_en,
        }
    }

    pub fn instructions(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ar => &self.instructions_ar,
            _ => &self.instructions_en,
        }
    }

    /// The required documents in one language (each stored line is "Arabic | English").
    pub fn documents(&self, lang: Lang) -> Vec<String> {
        self.documents
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (ar, en) = l.split_once('|').unwrap_or((l, l));
                match lang {
                    Lang::Ar => ar.trim().to_owned(),
                    _ => en.trim().to_owned(),
                }
            })
            .collect()
    }

    pub fn fee(&self) -> Option<Fee> {
        Currency::parse(&self.currency)
            .ok()
            .map(|c| Fee::from_minor(self.fee_minor, c))
    }

    pub fn visa_types(&self) -> Vec<&str> {
        self.visa_types.split_whitespace().collect()
    }
}

/// Validated input for creating or editing a service.
#[derive(Debug, Clone)]
pub struct ServiceInput {
    pub code: String,
    pub kind: CaseKind,
    pub name_ar: String,
    pub name_en: String,
    pub instructions_ar: String,
    pub instructions_en: String,
    pub documents: String,
    pub fee: Fee,
    pub processing_days: i32,
    pub visa_types: Vec<&'static str>,
    pub enabled: bool,
}

pub async fn create(
    tx: &mut Tx,
    mission_id: &str,
    s: &ServiceInput,
) -> Result<ServiceId, StoreError> {
    crate::consular::changed();
    let id = ServiceId::new();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO consular_services (id, mission_id, code, kind, name_ar, name_en, instructions_ar, instructions_en, \
             documents, fee_minor, currency, processing_days, visa_types, enabled, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
        )
        .bind(id.as_str())
        .bind(mission_id)
        .bind(&s.code)
        .bind(s.kind.as_str())
        .bind(&s.name_ar)
        .bind(&s.name_en)
        .bind(&s.instructions_ar)
        .bind(&s.instructions_en)
        .bind(&s.documents)
        .bind(s.fee.minor)
        .bind(s.fee.currency.code())
        .bind(s.processing_days)
        .bind(s.visa_types.join(" "))
        .bind(s.enabled)
        .bind(t)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "code"))?;
    Ok(id)
}

/// Refuses to save over a version of the service other than `seen` (its `updated_at` when the
/// form was drawn): `Conflict("changed")`. Called first in the saving transaction.
pub async fn ensure_unchanged(
    tx: &mut Tx,
    id: &str,
    seen: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::error::ensure_version(tx, "consular_services", id, seen).await
}

/// Edits a service of `mission_id`; the kind never changes once cases may point at it. Its
/// code does not change while the mission's opening hours or bookings name it (they hold the
/// code, not the id): [`StoreError::Conflict`]`("code_in_use")`.
pub async fn update(
    tx: &mut Tx,
    mission_id: &str,
    id: &str,
    s: &ServiceInput,
) -> Result<(), StoreError> {
    crate::consular::changed();
    let in_use: Option<bool> = with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT s.code <> $3 AND (\
               EXISTS (SELECT 1 FROM appointment_rules r WHERE r.mission_id = $2 AND r.service = s.code) \
               OR EXISTS (SELECT 1 FROM appointments a WHERE a.mission_id = $2 AND a.service = s.code)) \
             FROM consular_services s WHERE s.id = $1 AND s.mission_id = $2",
        )
        .bind(id)
        .bind(mission_id)
        .bind(&s.code)
        .fetch_optional(c)
        .await
    })?;
    if in_use == Some(true) {
        return Err(StoreError::Conflict("code_in_use"));
    }
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE consular_services SET code = $3, name_ar = $4, name_en = $5, instructions_ar = $6, instructions_en = $7, \
             documents = $8, fee_minor = $9, currency = $10, processing_days = $11, visa_types = $12, enabled = $13, updated_at = $14 \
             WHERE id = $1 AND mission_id = $2",
        )
        .bind(id)
        .bind(mission_id)
        .bind(&s.code)
        .bind(&s.name_ar)
        .bind(&s.name_en)
        .bind(&s.instructions_ar)
        .bind(&s.instructions_en)
        .bind(&s.documents)
        .bind(s.fee.minor)
        .bind(s.fee.currency.code())
        .bind(s.processing_days)
        .bind(s.visa_types.join(" "))
        .bind(s.enabled)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "code"))?;
    changed_any(n)
}

pub async fn list_for_mission(db: &Db, mission_id: &str) -> Result<Vec<Service>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM consular_services WHERE mission_id = $1 ORDER BY kind, code")
            .bind(mission_id)
            .fetch_all(p)
            .await
    })?)
}

/// Every enabled service of every mission, for the public catalogue.
pub async fn list_enabled(db: &Db) -> Result<Vec<Service>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM consular_services WHERE enabled = $1 ORDER BY mission_id, kind, code")
            .bind(true)
            .fetch_all(p)
            .await
    })?)
}

pub async fn find(db: &Db, id: &str) -> Result<Service, StoreError> {
    with_pool!(db.read(), p => sqlx::query_as("SELECT * FROM consular_services WHERE id = $1").bind(id).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

/// The enabled service of a kind at a mission (the first by code when there are several).
pub async fn find_by_kind(
    db: &Db,
    mission_id: &str,
    kind: CaseKind,
) -> Result<Option<Service>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM consular_services WHERE mission_id = $1 AND kind = $2 AND enabled = $3 ORDER BY code LIMIT 1")
            .bind(mission_id)
            .bind(kind.as_str())
            .bind(true)
            .fetch_optional(p)
            .await
    })?)
}

/// The service of a kind at a mission whether or not it is offered online (an enabled one
/// first, then the first by code): what the mission itself opens a case in. A crisis "need
/// help" answer opens an emergency case though the mission took its emergency service out
/// of the public catalogue; before, no case was opened and nobody on duty heard of it.
pub async fn find_by_kind_offered_or_not(
    db: &Db,
    mission_id: &str,
    kind: CaseKind,
) -> Result<Option<Service>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT * FROM consular_services WHERE mission_id = $1 AND kind = $2 \
             ORDER BY CASE WHEN enabled = $3 THEN 0 ELSE 1 END, code LIMIT 1",
        )
        .bind(mission_id)
        .bind(kind.as_str())
        .bind(true)
        .fetch_optional(p)
        .await
    })?)
}
