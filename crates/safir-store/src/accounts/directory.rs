//! The staff directory as administrators and dashboards see it: users with their grants,
//! searched by name, kind and role, and the staff of one mission.

use chrono::{DateTime, Utc};
use safir_domain::accounts::AccountKind;
use safir_domain::roles::Role;

use crate::name_key::like_literal;
use crate::{Db, StoreError, Tx, with_pool, with_tx};

/// A user as listed: identity, state and every grant (no secrets).
#[derive(Debug, Clone)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub kind: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// `(role, scope)` in storage form (`*` = ministry-wide, else a mission id).
    pub grants: Vec<(String, String)>,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: String,
    email: String,
    display_name: String,
    kind: String,
    disabled_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    user_id: String,
    role: String,
    scope: String,
}

/// What the admin's user list is narrowed by; every part optional.
#[derive(Debug, Clone, Default)]
pub struct UserSearch {
    /// A substring of the email or the name, case-insensitive.
    pub text: Option<String>,
    /// Staff: staff accounts, and citizens' accounts holding a role (staff in what they may
    /// do). Public: citizens' accounts, with a role or without.
    pub kind: Option<AccountKind>,
    /// Users holding this role in any scope.
    pub role: Option<Role>,
}

/// The filter of the user list: `$1` the email pattern, `$2` the kind (`staff` also finds an
/// account of another kind that holds a role), `$3` the role; the name's words (on its search
/// key, `name_key`) bind from `$5` on, after the limit's `$4`.
fn user_filter(text: Option<&str>, name_patterns: &mut Vec<String>) -> String {
    // No text: `$1` is NULL and the name's condition (never, for no words) is not reached.
    let name = crate::name_key::all_words("u.display_name_key", text.unwrap_or(""), |w| {
        name_patterns.push(w);
        format!("${}", 4 + name_patterns.len())
    });
    format!(
        "($1 IS NULL OR LOWER(u.email) LIKE $1 ESCAPE '\\' OR ({name})) \
         AND ($2 IS NULL OR u.kind = $2 OR ($2 = 'staff' AND EXISTS \
         (SELECT 1 FROM role_grants k WHERE k.user_id = u.id))) \
         AND ($3 IS NULL OR EXISTS (SELECT 1 FROM role_grants r WHERE r.user_id = u.id AND r.role = $3))"
    )
}

/// Users matching `search`, newest first, with their grants. The text finds an email that
/// holds it, or a name that holds each of its words, in any order ("haddad nour" finds
/// "Nour Haddad").
pub async fn search_users(
    db: &Db,
    search: &UserSearch,
    limit: i64,
) -> Result<Vec<UserSummary>, StoreError> {
    let text = search
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let pattern = text.map(|t| format!("%{}%", like_literal(&t.to_lowercase())));
    let mut name_patterns = Vec::new();
    let filter = user_filter(text, &mut name_patterns);
    let kind = search.kind.map(AccountKind::as_str);
    let role = search.role.map(Role::as_str);
    let users_sql = format!(
        "SELECT u.id, u.email, u.display_name, u.kind, u.disabled_at, u.created_at FROM users u \
         WHERE {filter} ORDER BY u.created_at DESC, u.id LIMIT $4"
    );
    let users: Vec<UserRow> = with_pool!(db.read(), p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(users_sql.as_str()))
            .bind(&pattern)
            .bind(kind)
            .bind(role)
            .bind(limit);
        for w in &name_patterns {
            q = q.bind(w);
        }
        q.fetch_all(p).await
    })?;
    let grants_sql = format!(
        "SELECT g.user_id, g.role, g.scope FROM role_grants g WHERE g.user_id IN \
         (SELECT u.id FROM users u WHERE {filter} ORDER BY u.created_at DESC, u.id LIMIT $4) \
         ORDER BY g.created_at"
    );
    let grants: Vec<GrantRow> = with_pool!(db.read(), p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(grants_sql.as_str()))
            .bind(&pattern)
            .bind(kind)
            .bind(role)
            .bind(limit);
        for w in &name_patterns {
            q = q.bind(w);
        }
        q.fetch_all(p).await
    })?;
    Ok(users
        .into_iter()
        .map(|u| UserSummary {
            grants: grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| (g.role.clone(), g.scope.clone()))
                .collect(),
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            kind: u.kind,
            disabled_at: u.disabled_at,
            created_at: u.created_at,
        })
        .collect())
}

/// One person working at a mission, with one of their roles there.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MissionStaff {
    pub user_id: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub disabled: bool,
}

/// Everyone holding a role scoped to this mission, by name (in the order of the names' search
/// keys, as an Arabic list is read) then role.
pub async fn mission_staff(db: &Db, mission_id: &str) -> Result<Vec<MissionStaff>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.display_name, u.email, g.role, (u.disabled_at IS NOT NULL) AS disabled \
             FROM role_grants g JOIN users u ON u.id = g.user_id \
             WHERE g.scope = $1 ORDER BY u.display_name_key, u.display_name, u.id, g.role",
        )
        .bind(mission_id)
        .fetch_all(p)
        .await
    })?)
}

/// How many enabled users hold a ministry-wide admin grant. Counted inside the caller's
/// transaction so the check and the revocation or disabling it guards commit together.
pub async fn count_active_ministry_admins(tx: &mut Tx) -> Result<i64, StoreError> {
    Ok(with_tx!(tx, c => {
        sqlx::query_scalar(
            "SELECT COUNT(DISTINCT g.user_id) FROM role_grants g JOIN users u ON u.id = g.user_id \
             WHERE g.role = 'admin' AND g.scope = '*' AND u.disabled_at IS NULL",
        )
        .fetch_one(c)
        .await
    })?)
}

/// Whether this user holds a ministry-wide admin grant.
pub async fn is_ministry_admin(tx: &mut Tx, user_id: &str) -> Result<bool, StoreError> {
    let n: i64 = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE user_id = $1 AND role = 'admin' AND scope = '*'")
            .bind(user_id)
            .fetch_one(c)
            .await
    })?;
    Ok(n > 0)
}
