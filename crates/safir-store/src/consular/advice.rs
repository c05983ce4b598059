//! Travel advice: the append-only history of published versions per country, the pointer to
//! the version in force, and the job that tells the crisis side when a country's level changes
//! (or is first set).

use chrono::{DateTime, Utc};
use safir_domain::CountryCode;
use safir_domain::consular::advice::{
    AdviceLevel, AdviceSection, AdviceText, ChangeNote, TravelAdvice,
};
use safir_domain::ids::{AdviceVersionId, UserId};
use serde::{Deserialize, Serialize};
// Statements built here only splice fixed column lists and keywords, never input.
use sqlx::AssertSqlSafe;

use crate::jobs::{self, NewJob};
use crate::{Backend, Db, StoreError, Tx, now, with_pool, with_tx};

/// Enqueued when a publication changes a country's level, and on its first publication (which
/// sets a level where there was none).
pub const LEVEL_CHANGED_JOB: &str = "consular.advice_level_changed";

/// The payload of [`LEVEL_CHANGED_JOB`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelChanged {
    pub country: String,
    /// The level before; `None` on the country's first publication.
    #[serde(default)]
    pub old_level: Option<u8>,
    pub new_level: u8,
    pub version_id: String,
}

/// One published version of a country's advice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceVersion {
    pub id: String,
    pub country: CountryCode,
    /// 1 for the first publication of this country, then one more per publication.
    pub version: i32,
    pub level: AdviceLevel,
    pub ar: AdviceText,
    pub en: AdviceText,
    pub change: ChangeNote,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<String>,
}

impl AdviceVersion {
    pub fn text(&self, lang: safir_domain::Lang) -> &AdviceText {
        match lang {
            safir_domain::Lang::Ar => &self.ar,
            _ => &self.en,
        }
    }

    /// Whether this version is what publishing `advice` from `base_version` by `by` made: the
    /// same publication sent again (a double click, a retried request) then meets it in force
    /// and is answered as published, not as a conflict. Asked to publish again, its editor
    /// would put the same version twice in the history and the feeds.
    pub fn published_from(&self, base_version: i32, by: &str, advice: &TravelAdvice) -> bool {
        self.version == base_version + 1
            && self.published_by.as_deref() == Some(by)
            && (self.level, &self.ar, &self.en, &self.change)
                == (advice.level, &advice.ar, &advice.en, &advice.change)
    }
}

/// A country's advice in force, as lists show it (no sections).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdviceListing {
    pub country: CountryCode,
    pub version: i32,
    pub level: AdviceLevel,
    pub summary_ar: String,
    pub summary_en: String,
    pub updated_at: DateTime<Utc>,
}

/// What a publication did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub version_id: String,
    pub version: i32,
    /// The level in force before, if the country had advice.
    pub old_level: Option<AdviceLevel>,
    /// Whether a [`LEVEL_CHANGED_JOB`] was enqueued.
    pub level_change_enqueued: bool,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    id: String,
    country: String,
    version: i32,
    level: i32,
    summary_ar: String,
    summary_en: String,
    safety_and_security_ar: String,
    safety_and_security_en: String,
    entry_requirements_ar: String,
    entry_requirements_en: String,
    health_ar: String,
    health_en: String,
    local_laws_ar: String,
    local_laws_en: String,
    change_summary_ar: String,
    change_summary_en: String,
    published_at: DateTime<Utc>,
    published_by: Option<String>,
}

const VERSION_COLUMNS: &str = "v.id, v.country, v.version, v.level, v.summary_ar, v.summary_en, \
     v.safety_and_security_ar, v.safety_and_security_en, v.entry_requirements_ar, v.entry_requirements_en, \
     v.health_ar, v.health_en, v.local_laws_ar, v.local_laws_en, v.change_summary_ar, v.change_summary_en, \
     v.published_at, v.published_by";

fn country(stored: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(stored)
        .map_err(|_| StoreError::Corrupt(format!("travel advice for country {stored:?}")))
}

fn level(stored: i32) -> Result<AdviceLevel, StoreError> {
    AdviceLevel::from_number(i64::from(stored))
        .map_err(|_| StoreError::Corrupt(format!("travel advice level {stored}")))
}

impl TryFrom<VersionRow> for AdviceVersion {
    type Error = StoreError;

    fn try_from(r: VersionRow) -> Result<Self, StoreError> {
        Ok(AdviceVersion {
            country: country(&r.country)?,
            level: level(r.level)?,
            ar: AdviceText::from_trusted(
                r.summary_ar,
                [
                    r.safety_and_security_ar,
                    r.entry_requirements_ar,
                    r.health_ar,
                    r.local_laws_ar,
                ],
            ),
            en: AdviceText::from_trusted(
                r.summary_en,
                [
                    r.safety_and_security_en,
                    r.entry_requirements_en,
                    r.health_en,
                    r.local_laws_en,
                ],
            ),
            change: ChangeNote {
                ar: r.change_summary_ar,
                en: r.change_summary_en,
            },
            id: r.id,
            version: r.version,
            published_at: r.published_at,
            published_by: r.published_by,
        })
    }
}

fn versions(rows: Vec<VersionRow>) -> Result<Vec<AdviceVersion>, StoreError> {
    rows.into_iter().map(AdviceVersion::try_from).collect()
}

/// Publishes `advice` as the country's new version, inside the caller's transaction (next to
/// its audit record). `base_version` is the version the editor started from (0 for none):
/// when someone else published meanwhile, nothing is written and `Conflict("version")` comes
/// back, so no one overwrites advice they have not read.
pub async fn publish(
    tx: &mut Tx,
    advice: &TravelAdvice,
    by: Option<&UserId>,
    base_version: Option<i32>,
) -> Result<Published, StoreError> {
    let code = advice.country.as_str();
    // On PostgreSQL the row lock makes concurrent publishers of one country queue here; on
    // SQLite the write transaction already holds the only write lock.
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let sql = format!("SELECT version, level FROM travel_advice WHERE country = $1{lock}");
    let current: Option<(i32, i32)> = with_tx!(tx, c => {
        sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(code).fetch_optional(c).await
    })?;
    let current_version = current.map(|(v, _)| v).unwrap_or(0);
    if base_version.is_some_and(|b| b != current_version) {
        return Err(StoreError::Conflict("version"));
    }
    let old_level = current.map(|(_, l)| level(l)).transpose()?;
    let id = AdviceVersionId::new().as_str().to_owned();
    let version = current_version + 1;
    let at = now();
    let new_level = i32::from(advice.level.number());
    let s = |t: &AdviceText, section| t.section(section).to_owned();
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO travel_advice_versions (id, country, version, level, summary_ar, summary_en, \
             safety_and_security_ar, safety_and_security_en, entry_requirements_ar, entry_requirements_en, \
             health_ar, health_en, local_laws_ar, local_laws_en, change_summary_ar, change_summary_en, \
             published_at, published_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        )
        .bind(&id)
        .bind(code)
        .bind(version)
        .bind(new_level)
        .bind(advice.ar.summary())
        .bind(advice.en.summary())
        .bind(s(&advice.ar, AdviceSection::SafetyAndSecurity))
        .bind(s(&advice.en, AdviceSection::SafetyAndSecurity))
        .bind(s(&advice.ar, AdviceSection::EntryRequirements))
        .bind(s(&advice.en, AdviceSection::EntryRequirements))
        .bind(s(&advice.ar, AdviceSection::Health))
        .bind(s(&advice.en, AdviceSection::Health))
        .bind(s(&advice.ar, AdviceSection::LocalLaws))
        .bind(s(&advice.en, AdviceSection::LocalLaws))
        .bind(&advice.change.ar)
        .bind(&advice.change.en)
        .bind(at)
        .bind(by.map(|u| u.as_str()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    // Two first publications of one country at once: the later one lost the race.
    .map_err(|e| StoreError::unique_as(e, "version"))?;
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO travel_advice (country, version_id, version, level, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (country) DO UPDATE SET version_id = excluded.version_id, version = excluded.version, \
             level = excluded.level, updated_at = excluded.updated_at",
        )
        .bind(code)
        .bind(&id)
        .bind(version)
        .bind(new_level)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "version"))?;
    let mut level_change_enqueued = false;
    // A first publication sets a level where there was none: subscribers of the country (the
    // subscribe form lists every country) hear of it as of any change.
    if old_level != Some(advice.level) {
        let payload = LevelChanged {
            country: code.to_owned(),
            old_level: old_level.map(|l| l.number()),
            new_level: advice.level.number(),
            version_id: id.clone(),
        };
        let job = NewJob::new(
            LEVEL_CHANGED_JOB,
            serde_json::to_value(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )
        .idempotency_key(format!("{LEVEL_CHANGED_JOB}:{id}"));
        level_change_enqueued = jobs::enqueue(tx, &job).await?.is_some();
    }
    Ok(Published {
        version_id: id,
        version,
        old_level,
        level_change_enqueued,
    })
}

/// The version in force for `country`, if it has advice.
pub async fn find_current(
    db: &Db,
    country: &CountryCode,
) -> Result<Option<AdviceVersion>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM travel_advice a JOIN travel_advice_versions v ON v.id = a.version_id \
         WHERE a.country = $1"
    );
    let row: Option<VersionRow> = with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(country.as_str()).fetch_optional(p).await
    })?;
    row.map(AdviceVersion::try_from).transpose()
}

/// Every country with advice, by code.
pub async fn list_current(db: &Db) -> Result<Vec<AdviceListing>, StoreError> {
    type Row = (String, i32, i32, String, String, DateTime<Utc>);
    let rows: Vec<Row> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT a.country, a.version, a.level, v.summary_ar, v.summary_en, a.updated_at \
             FROM travel_advice a JOIN travel_advice_versions v ON v.id = a.version_id ORDER BY a.country",
        )
        .fetch_all(p)
        .await
    })?;
    rows.into_iter()
        .map(|(c, version, l, summary_ar, summary_en, updated_at)| {
            Ok(AdviceListing {
                country: country(&c)?,
                version,
                level: level(l)?,
                summary_ar,
                summary_en,
                updated_at,
            })
        })
        .collect()
}

/// The published versions of `country`, newest first, at most `limit`.
pub async fn history(
    db: &Db,
    country: &CountryCode,
    limit: i64,
) -> Result<Vec<AdviceVersion>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM travel_advice_versions v WHERE v.country = $1 \
         ORDER BY v.version DESC LIMIT $2"
    );
    let rows: Vec<VersionRow> = with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(country.as_str()).bind(limit).fetch_all(p).await
    })?;
    versions(rows)
}

/// The latest published versions of every country, newest first, at most `limit`.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<AdviceVersion>, StoreError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM travel_advice_versions v ORDER BY v.published_at DESC, v.id DESC LIMIT $1"
    );
    let rows: Vec<VersionRow> = with_pool!(db.read(), p => {
        sqlx::query_as(AssertSqlSafe(sql.as_str())).bind(limit).fetch_all(p).await
    })?;
    versions(rows)
}
