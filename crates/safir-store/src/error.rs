//! Storage errors. Constraint violations the caller can act on get their own variants;
//! everything else keeps its cause for the log.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(
        "the database was upgraded by a newer version of Safir: it holds migrations this version does not know ({0}); run the version that upgraded it, or restore the backup taken before the upgrade"
    )]
    NewerSchema(String),
    #[error("invalid stored data: {0}")]
    Corrupt(String),
}

/// `Ok` when a statement changed at least one row (`rows`, its count of rows affected),
/// [`StoreError::NotFound`] when it matched none.
pub(crate) fn changed_any(rows: u64) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

impl StoreError {
    /// Maps a unique-constraint violation to `Conflict(what)`, leaving other errors alone.
    pub fn unique_as(err: sqlx::Error, what: &'static str) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Database(err),
        }
    }
}

/// Whether the database refused a value for its characters (SQLSTATE 22021,
/// `character_not_in_repertoire`: PostgreSQL's answer to a NUL in text), anywhere in the chain
/// of causes of `error`. The value came from outside: the caller answers it as bad input.
pub fn refused_characters(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(sqlx::Error::Database(db)) = e.downcast_ref::<sqlx::Error>()
            && db.code().as_deref() == Some("22021")
        {
            return true;
        }
        next = e.source();
    }
    false
}

/// Checks, in the transaction that is about to write the row `id` of `table`, that it is still
/// the version (`updated_at`) the writer's form was drawn from: `Conflict("changed")` when
/// someone saved it meanwhile, `NotFound` when it is gone. On PostgreSQL the row is locked
/// until the transaction ends, so two saves of one version cannot both pass.
pub(crate) async fn ensure_version(
    tx: &mut crate::Tx,
    table: &'static str,
    id: &str,
    seen: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let lock = match tx.backend() {
        crate::Backend::Postgres => " FOR NO KEY UPDATE",
        crate::Backend::Sqlite => "",
    };
    let sql = format!("SELECT updated_at FROM {table} WHERE id = $1{lock}");
    let current: Option<chrono::DateTime<chrono::Utc>> = crate::with_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(c).await
    })?;
    match current {
        None => Err(StoreError::NotFound),
        Some(t) if t != seen => Err(StoreError::Conflict("changed")),
        Some(_) => Ok(()),
    }
}
