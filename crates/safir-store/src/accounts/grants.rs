//! Role grants: a role for one mission or ministry-wide.

use chrono::{DateTime, Utc};
use safir_domain::ids::GrantId;
use safir_domain::roles::{Grant, Grants, Role, Scope};

use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub role: String,
    pub scope: String,
    pub granted_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub async fn grants_for_user(db: &Db, user_id: &str) -> Result<Grants, StoreError> {
    let rows = list_for_user(db, user_id).await?;
    Ok(Grants(
        rows.into_iter()
            .filter_map(|r| {
                Some(Grant {
                    role: Role::parse(&r.role).ok()?,
                    scope: Scope::from_storage(&r.scope),
                })
            })
            .collect(),
    ))
}

pub async fn list_for_user(db: &Db, user_id: &str) -> Result<Vec<GrantRow>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM role_grants WHERE user_id = $1 ORDER BY created_at").bind(user_id).fetch_all(p).await
    })?)
}

/// Grants a role; returns false when the user already had it for that scope.
pub async fn grant(
    tx: &mut Tx,
    user_id: &str,
    role: Role,
    scope: &Scope,
    by: Option<&str>,
) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO role_grants (id, user_id, role, scope, granted_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (user_id, role, scope) DO NOTHING",
        )
        .bind(GrantId::new().as_str())
        .bind(user_id)
        .bind(role.as_str())
        .bind(scope.to_storage())
        .bind(by)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Revokes a role; returns false when the user did not have it.
pub async fn revoke(
    tx: &mut Tx,
    user_id: &str,
    role: Role,
    scope: &Scope,
) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND scope = $3")
            .bind(user_id)
            .bind(role.as_str())
            .bind(scope.to_storage())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
