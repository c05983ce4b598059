//! Datasets: a name for a list of archive files and how to read them.

use chrono::{DateTime, Utc};

use crate::error::changed_any;
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    /// The JSON list of file paths; see [`Dataset::sources`].
    pub sources: String,
    /// The importer's format name; `None` means detected from each file's content.
    pub input_format: Option<String>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_imported_at: Option<DateTime<Utc>>,
    /// Messages in the dataset at its last import.
    pub message_count: i64,
}

impl Dataset {
    pub fn sources(&self) -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&self.sources)
            .map_err(|e| StoreError::Corrupt(format!("dataset {} sources: {e}", self.id)))
    }
}

#[derive(Debug, Clone)]
pub struct NewDataset<'a> {
    pub name: &'a str,
    pub sources: &'a [String],
    pub input_format: Option<&'a str>,
    pub created_by: Option<&'a str>,
}

const COLUMNS: &str =
    "id, name, sources, input_format, created_by, created_at, last_imported_at, message_count";

/// Adds a dataset; `Conflict("dataset name")` when the name is taken.
pub async fn create_dataset(tx: &mut Tx, input: &NewDataset<'_>) -> Result<Dataset, StoreError> {
    let dataset = Dataset {
        id: super::new_id(),
        name: input.name.to_owned(),
        sources: serde_json::to_string(input.sources)
            .map_err(|e| StoreError::Corrupt(format!("dataset sources: {e}")))?,
        input_format: input.input_format.map(str::to_owned),
        created_by: input.created_by.map(str::to_owned),
        created_at: now(),
        last_imported_at: None,
        message_count: 0,
    };
    let sql =
        format!("INSERT INTO listen_datasets ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL, 0)");
    with_tx!(tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(&dataset.id)
            .bind(&dataset.name)
            .bind(&dataset.sources)
            .bind(&dataset.input_format)
            .bind(&dataset.created_by)
            .bind(dataset.created_at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "dataset name"))?;
    Ok(dataset)
}

pub async fn find_dataset(db: &Db, id: &str) -> Result<Dataset, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM listen_datasets WHERE id = $1");
    with_pool!(db.read(), p => {
        sqlx::query_as::<_, Dataset>(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

pub async fn find_dataset_by_name(db: &Db, name: &str) -> Result<Option<Dataset>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM listen_datasets WHERE name = $1");
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Dataset>(sqlx::AssertSqlSafe(sql.as_str())).bind(name).fetch_optional(p).await
    })?)
}

/// Every dataset, by name.
pub async fn list_datasets(db: &Db) -> Result<Vec<Dataset>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM listen_datasets ORDER BY name");
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as::<_, Dataset>(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(p).await
    })?)
}

/// Records a finished import: when, and how many messages the dataset held.
pub async fn record_import(db: &Db, id: &str, message_count: i64) -> Result<(), StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query("UPDATE listen_datasets SET last_imported_at = $2, message_count = $3 WHERE id = $1")
            .bind(id)
            .bind(now())
            .bind(message_count)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?;
    changed_any(n)
}
