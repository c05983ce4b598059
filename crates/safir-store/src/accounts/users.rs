use chrono::{DateTime, Utc};
use safir_domain::Lang;
use safir_domain::accounts::{AccountKind, DisplayName, Email};
use safir_domain::ids::UserId;

use crate::name_key::name_key;
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

/// A user as stored. `password_hash` and `totp_secret` never leave the accounts service.
#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub kind: String,
    pub preferred_lang: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When an administrator (or the command line) last set the password; `None` once the
    /// owner has set their own. See [`ADMIN_PASSWORD_DAYS`].
    pub password_set_by_admin_at: Option<DateTime<Utc>>,
}

/// How many days a password set by an administrator signs in: its owner chooses their own
/// at the first sign-in, and one never used stops working after this.
pub const ADMIN_PASSWORD_DAYS: i64 = 7;

impl User {
    /// The password was set by an administrator: its owner must choose their own before
    /// anything else.
    pub fn must_change_password(&self) -> bool {
        self.password_set_by_admin_at.is_some()
    }

    /// The password set by an administrator is older than [`ADMIN_PASSWORD_DAYS`]: it no
    /// longer signs in.
    pub fn admin_password_expired(&self, now: DateTime<Utc>) -> bool {
        self.password_set_by_admin_at
            .is_some_and(|at| now - at > chrono::Duration::days(ADMIN_PASSWORD_DAYS))
    }

    /// The account's email address once its owner has proved it (the link of the address
    /// check); `None` before: an account can be opened with anyone's address.
    pub fn verified_email(&self) -> Option<&str> {
        self.email_verified_at.map(|_| self.email.as_str())
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl User {
    pub fn user_id(&self) -> UserId {
        UserId::from_trusted(self.id.clone())
    }

    pub fn lang(&self) -> Lang {
        Lang::parse(&self.preferred_lang).unwrap_or_default()
    }

    pub fn is_staff(&self) -> bool {
        self.kind == AccountKind::Staff.as_str()
    }

    pub fn totp_enabled(&self) -> bool {
        self.totp_enabled_at.is_some() && self.totp_secret.is_some()
    }
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub password_hash: &'a str,
    pub kind: AccountKind,
    pub lang: Lang,
    pub email_verified: bool,
    /// The key of the form that created the account, where one did (see
    /// [`created_with_key`]).
    pub request_key: Option<&'a str>,
}

pub async fn create_user(tx: &mut Tx, u: &NewUser<'_>) -> Result<UserId, StoreError> {
    crate::accounts::changed();
    let id = UserId::new();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, kind, preferred_lang, email_verified_at, created_at, updated_at, \
             display_name_key, request_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)",
        )
        .bind(id.as_str())
        .bind(u.email.as_str())
        .bind(u.display_name.as_str())
        .bind(u.password_hash)
        .bind(u.kind.as_str())
        .bind(u.lang.code())
        .bind(u.email_verified.then_some(t))
        .bind(t)
        .bind(name_key(u.display_name.as_str()))
        .bind(u.request_key)
        .execute(c)
        .await.map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "email"))?;
    Ok(id)
}

pub async fn find_user(db: &Db, id: &str) -> Result<User, StoreError> {
    with_pool!(db.read(), p => sqlx::query_as("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(p).await)?
        .ok_or(StoreError::NotFound)
}

pub async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<User>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM users WHERE email = $1").bind(email.as_str()).fetch_optional(p).await
    })?)
}

/// The account holding `email` when it was created by the form sent with `key`: the same
/// form sent again finds the account it made rather than an address taken by someone else.
/// Read from the primary, as it follows at once the other sending's commit.
pub async fn created_with_key(
    db: &Db,
    email: &Email,
    key: &str,
) -> Result<Option<String>, StoreError> {
    Ok(with_pool!(db.write(), p => {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND request_key = $2")
            .bind(email.as_str())
            .bind(key)
            .fetch_optional(p)
            .await
    })?)
}

pub async fn mark_email_verified(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(t)
            .execute(c)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Sets a new password, the owner's own: the mark of a password set by an administrator goes
/// ([`mark_password_set_by_admin`] sets it again after an administrator's reset). The
/// password-reset links still unused are used up with it: one sent before (a second request,
/// a leaked mail) must not set another password after this one.
pub async fn set_password_hash(tx: &mut Tx, id: &str, hash: &str) -> Result<(), StoreError> {
    forget_pending_totp(tx, id).await?;
    crate::accounts::changed();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, password_set_by_admin_at = NULL, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(hash)
            .bind(t)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE email_tokens SET used_at = $2 WHERE user_id = $1 AND purpose = 'reset_password' AND used_at IS NULL")
            .bind(id)
            .bind(t)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Resets the password, as an administrator, the command line or the owner's emailed link
/// does when it may have been taken: the new hash is set ([`set_password_hash`]), every
/// session ends and every API token stops, all in the caller's transaction, so that nothing
/// made with the old password outlives the reset. Returns the tokens revoked.
pub async fn reset_password(tx: &mut Tx, id: &str, hash: &str) -> Result<u64, StoreError> {
    set_password_hash(tx, id, hash).await?;
    crate::accounts::sessions::delete_all_for_user_in(tx, id).await?;
    crate::accounts::tokens::revoke_all_api_tokens(tx, id).await
}

/// Marks the password as set by an administrator (or the command line), in the caller's
/// transaction, after [`create_user`] or [`reset_password`]: its owner must choose their own
/// at their next sign-in, within [`ADMIN_PASSWORD_DAYS`].
pub async fn mark_password_set_by_admin(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query("UPDATE users SET password_set_by_admin_at = $2, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(t)
            .execute(c)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Resets the password as an administrator or the command line does ([`reset_password`]) and
/// marks it as theirs ([`mark_password_set_by_admin`]). Returns the tokens revoked.
pub async fn reset_password_by_admin(tx: &mut Tx, id: &str, hash: &str) -> Result<u64, StoreError> {
    let revoked = reset_password(tx, id, hash).await?;
    mark_password_set_by_admin(tx, id).await?;
    Ok(revoked)
}

pub async fn set_preferred_lang(db: &Db, id: &str, lang: Lang) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE users SET preferred_lang = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(lang.code())
            .bind(now())
            .execute(p)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Takes the person's name off the accounts that exist only to hold someone's cases
/// (`password_hash` is `marker`: made for a crisis registrant's call for help, never signed
/// in) once no case of theirs is left: the name came from a registration the purge deleted,
/// and the account's cases have gone with the consular purge. They are called `name` then.
/// Returns how many.
pub async fn forget_caseless_names(
    db: &Db,
    marker: &str,
    name: &DisplayName,
) -> Result<u64, StoreError> {
    crate::accounts::changed();
    Ok(with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE users SET display_name = $2, display_name_key = $3, updated_at = $4 \
             WHERE password_hash = $1 AND display_name <> $2 \
             AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.applicant_id = users.id)",
        )
        .bind(marker)
        .bind(name.as_str())
        .bind(name_key(name.as_str()))
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?)
}

pub async fn set_display_name(db: &Db, id: &str, name: &DisplayName) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE users SET display_name = $2, updated_at = $3, display_name_key = $4 WHERE id = $1")
            .bind(id)
            .bind(name.as_str())
            .bind(now())
            .bind(name_key(name.as_str()))
            .execute(p)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Changes the display name and/or language inside the caller's transaction (next to its
/// audit record), so a profile update applies whole or not at all. Returns false when the
/// user does not exist.
pub async fn update_profile(
    tx: &mut Tx,
    id: &str,
    name: Option<&DisplayName>,
    lang: Option<Lang>,
) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE users SET display_name = COALESCE($2, display_name), \
             preferred_lang = COALESCE($3, preferred_lang), updated_at = $4, \
             display_name_key = COALESCE($5, display_name_key) WHERE id = $1",
        )
        .bind(id)
        .bind(name.map(DisplayName::as_str))
        .bind(lang.map(Lang::code))
        .bind(now())
        .bind(name.map(|n| name_key(n.as_str())))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Stores a pending TOTP secret (not yet enabled) while the user scans it.
pub async fn set_pending_totp(db: &Db, id: &str, secret: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_pool!(db.write(), p => {
        sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled_at = NULL, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(secret)
            .bind(now())
            .execute(p)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What the two-factor setup page needs of an account: its secret, whether it is on, and the
/// session a pending secret (not yet on) was shown to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpSetup {
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
    pub totp_pending_session: Option<String>,
}

impl TotpSetup {
    pub fn enabled(&self) -> bool {
        self.totp_enabled_at.is_some() && self.totp_secret.is_some()
    }

    /// The pending secret shown to the session `session_id_hash`; `None` when the factor is
    /// on, when there is none, or when another session (or none known) was shown it.
    pub fn pending_for(&self, session_id_hash: &str) -> Option<&str> {
        if self.totp_enabled_at.is_some() {
            return None;
        }
        match (&self.totp_secret, &self.totp_pending_session) {
            (Some(secret), Some(session)) if session == session_id_hash => Some(secret),
            _ => None,
        }
    }
}

pub async fn totp_setup(db: &Db, id: &str) -> Result<TotpSetup, StoreError> {
    with_pool!(db.read(), p => {
        sqlx::query_as("SELECT totp_secret, totp_enabled_at, totp_pending_session FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await
    })?
    .ok_or(StoreError::NotFound)
}

/// Stores a new pending secret shown to the session `session_id_hash`, the only one that may
/// turn it on; the one shown to any other session before stops counting. False when the
/// factor is on already (a setup confirmed meanwhile keeps its secret).
pub async fn set_pending_totp_for_session(
    db: &Db,
    id: &str,
    secret: &str,
    session_id_hash: &str,
) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let n = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE users SET totp_secret = $2, totp_pending_session = $3, updated_at = $4 \
             WHERE id = $1 AND totp_enabled_at IS NULL",
        )
        .bind(id)
        .bind(secret)
        .bind(session_id_hash)
        .bind(now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Turns two-factor on with the pending `secret` shown to `session_id_hash`, and replaces the
/// recovery codes (stored hashed). False, with nothing changed, when that secret is no longer
/// pending for that session: another session opened the setup page since, the password was
/// changed, or the factor is on already.
pub async fn enable_pending_totp(
    tx: &mut Tx,
    id: &str,
    secret: &str,
    session_id_hash: &str,
    recovery_code_hashes: &[String],
) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let t = now();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE users SET totp_enabled_at = $4, totp_pending_session = NULL, updated_at = $4 \
             WHERE id = $1 AND totp_secret = $2 AND totp_pending_session = $3 AND totp_enabled_at IS NULL",
        )
        .bind(id)
        .bind(secret)
        .bind(session_id_hash)
        .bind(t)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n != 1 {
        return Ok(false);
    }
    replace_recovery_codes(tx, id, recovery_code_hashes).await?;
    Ok(true)
}

/// Forgets a pending secret (one not yet turned on), in the caller's transaction: whoever saw
/// it on a setup page left open must not know the one the owner turns on after a new
/// password. A secret already on stays.
pub async fn forget_pending_totp(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_tx!(tx, c => {
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending_session = NULL \
             WHERE id = $1 AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL",
        )
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Turns two-factor on and replaces the recovery codes (stored hashed).
pub async fn enable_totp(
    tx: &mut Tx,
    id: &str,
    recovery_code_hashes: &[String],
) -> Result<(), StoreError> {
    crate::accounts::changed();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query("UPDATE users SET totp_enabled_at = $2, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(t)
            .execute(&mut *c)
            .await?;
        Ok::<_, sqlx::Error>(())
    })?;
    replace_recovery_codes(tx, id, recovery_code_hashes).await
}

/// Replaces all of a user's recovery codes, used or not, with `recovery_code_hashes`.
///
/// The user's row is written first: on PostgreSQL two replacements sent at once (a double
/// click) would otherwise each delete the codes they could see and both insert theirs, leaving
/// twenty. The second now waits for the first and deletes its codes. (SQLite runs one writing
/// transaction at a time.)
pub async fn replace_recovery_codes(
    tx: &mut Tx,
    id: &str,
    recovery_code_hashes: &[String],
) -> Result<(), StoreError> {
    with_tx!(tx, c => {
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1").bind(id).execute(&mut *c).await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(id).execute(&mut *c).await?;
        for h in recovery_code_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(id)
                .bind(h)
                .execute(&mut *c)
                .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// [`use_recovery_code`] inside the caller's transaction: how many unused codes are left
/// after it, or `None` when the code was not valid and unused (a code sent twice at once is
/// used by the first; the second waits for it, then finds it used).
pub async fn use_recovery_code_in(
    tx: &mut Tx,
    user_id: &str,
    code_hash: &str,
) -> Result<Option<i64>, StoreError> {
    let left = with_tx!(tx, c => {
        let n = sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(code_hash)
            .bind(now())
            .execute(&mut *c)
            .await?
            .rows_affected();
        if n == 1 {
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id)
                .fetch_one(&mut *c)
                .await?;
            Ok::<_, sqlx::Error>(Some(left))
        } else {
            Ok(None)
        }
    })?;
    Ok(left)
}

/// Uses up a recovery code; true when it was valid and unused.
pub async fn use_recovery_code(
    db: &Db,
    user_id: &str,
    code_hash: &str,
) -> Result<bool, StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query("UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
            .bind(user_id)
            .bind(code_hash)
            .bind(now())
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn remaining_recovery_codes(db: &Db, user_id: &str) -> Result<i64, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(p)
            .await
    })?)
}

/// Counts a failed sign-in; after `threshold` failures in a row the account is locked for
/// `lock_for`. Returns the lock end if the account is now locked. A lock that has ended
/// starts the count again: one slip after it is the first failure, not another lock.
pub async fn record_failed_login(
    db: &Db,
    id: &str,
    threshold: i32,
    lock_for: chrono::Duration,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    crate::accounts::changed();
    let t = now();
    let until = t + lock_for;
    let row: (i32, Option<DateTime<Utc>>) = with_pool!(db.write(), p => {
        sqlx::query_as(
            "UPDATE users SET \
             failed_logins = CASE WHEN locked_until <= $4 THEN 1 ELSE failed_logins + 1 END, \
             locked_until = CASE \
               WHEN (CASE WHEN locked_until <= $4 THEN 1 ELSE failed_logins + 1 END) >= $2 THEN $3 \
               WHEN locked_until <= $4 THEN NULL ELSE locked_until END, \
             updated_at = $4 \
             WHERE id = $1 RETURNING failed_logins, locked_until",
        )
        .bind(id)
        .bind(threshold)
        .bind(until)
        .bind(t)
        .fetch_one(p)
        .await
    })?;
    Ok(row.1.filter(|u| *u > t))
}

const RESET_FAILED_LOGINS: &str = "UPDATE users SET failed_logins = 0, locked_until = NULL \
     WHERE id = $1 AND (failed_logins > 0 OR locked_until IS NOT NULL)";

pub async fn reset_failed_logins(db: &Db, id: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_pool!(db.write(), p => {
        sqlx::query(RESET_FAILED_LOGINS)
            .bind(id)
            .execute(p)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// [`reset_failed_logins`] inside the caller's transaction.
pub async fn reset_failed_logins_in(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    with_tx!(tx, c => {
        sqlx::query(RESET_FAILED_LOGINS)
            .bind(id)
            .execute(c)
            .await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Disables or enables the account; false when it already was (a second click changes
/// nothing, and its caller records nothing). Disabling ends its sessions and revokes its API
/// tokens too ([`set_disabled_counting`] says how many).
pub async fn set_disabled(tx: &mut Tx, id: &str, disabled: bool) -> Result<bool, StoreError> {
    Ok(set_disabled_counting(tx, id, disabled).await?.is_some())
}

/// [`set_disabled`], saying what it did: `None` when the account already was so, else how
/// many live API tokens disabling revoked (none when enabling). A token of a disabled account
/// is refused only while the account stays disabled: one left live would work again, in
/// whoever's hands it is, the day the account is enabled.
pub async fn set_disabled_counting(
    tx: &mut Tx,
    id: &str,
    disabled: bool,
) -> Result<Option<u64>, StoreError> {
    crate::accounts::changed();
    let t = now();
    let changed = with_tx!(tx, c => {
        let sql = if disabled {
            "UPDATE users SET disabled_at = $2, updated_at = $3 WHERE id = $1 AND disabled_at IS NULL"
        } else {
            "UPDATE users SET disabled_at = $2, updated_at = $3 WHERE id = $1 AND disabled_at IS NOT NULL"
        };
        let n = sqlx::query(sql)
            .bind(id)
            .bind(disabled.then_some(t))
            .bind(t)
            .execute(&mut *c)
            .await?
            .rows_affected();
        if disabled && n == 1 {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *c).await?;
        }
        Ok::<_, sqlx::Error>(n == 1)
    })?;
    if !changed {
        return Ok(None);
    }
    if !disabled {
        return Ok(Some(0));
    }
    crate::accounts::tokens::revoke_all_api_tokens(tx, id)
        .await
        .map(Some)
}

/// Whether the account holds a role (in any scope), read inside the caller's transaction.
/// Until its first role, an account's API tokens may have been made with its password alone:
/// the second factor is required of those who hold a role (and of those who turned it on).
pub async fn holds_a_role(tx: &mut Tx, id: &str) -> Result<bool, StoreError> {
    let n: i64 = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT COUNT(*) FROM role_grants WHERE user_id = $1")
            .bind(id)
            .fetch_one(c)
            .await
    })?;
    Ok(n > 0)
}

/// Records the time step of an accepted TOTP code; false when that step (or a later one) was
/// already used, so a code cannot be replayed.
pub async fn accept_totp_step(db: &Db, id: &str, step: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let accepted = accept_totp_step_in(&mut tx, id, step).await?;
    tx.commit().await?;
    Ok(accepted)
}

/// [`accept_totp_step`] inside a transaction: a concurrent acceptance of the same step waits
/// for this transaction, then finds the step used.
pub async fn accept_totp_step_in(tx: &mut Tx, id: &str, step: i64) -> Result<bool, StoreError> {
    crate::accounts::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)")
            .bind(id)
            .bind(step)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Turns two-factor off: forgets the secret and the recovery codes.
pub async fn disable_totp(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::accounts::changed();
    let t = now();
    with_tx!(tx, c => {
        sqlx::query("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, updated_at = $2 WHERE id = $1")
            .bind(id)
            .bind(t)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(id).execute(&mut *c).await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// What a reset by the emailed link did besides setting the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkReset {
    /// API tokens revoked with the reset.
    pub tokens_revoked: u64,
    /// The address was unproved until the link was used, and is now verified.
    pub email_verified: bool,
    /// A second factor turned on while the address was unproved, now turned off (with its
    /// recovery codes).
    pub two_factor_cleared: bool,
}

/// [`reset_password`] with the link emailed to the account's address, in the caller's
/// transaction. Using the link proves the address: one never verified is marked verified.
/// And on such a public account holding no role, a second factor is turned off with its
/// recovery codes: whoever opened the account with someone else's address may have set one,
/// and would otherwise keep the owner out after the reset. An account whose address was
/// proved keeps its second factor, and so does a staff account or one holding a role: there,
/// the second factor is what stands between whoever reads the mailbox and the mission's data.
pub async fn reset_password_by_email_link(
    tx: &mut Tx,
    id: &str,
    hash: &str,
) -> Result<LinkReset, StoreError> {
    // The row is written first, so the state read next holds until the commit (a
    // verification or a second factor turned on at the same moment waits for it).
    /// When the address was verified, when a second factor was turned on, its secret.
    /// When the address was verified, when a second factor was turned on, its secret, the
    /// account's kind, how many roles it holds.
    type Proofs = (
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<String>,
        String,
        i64,
    );
    let state: Option<Proofs> = with_tx!(tx, c => {
        sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query_as(
            "SELECT email_verified_at, totp_enabled_at, totp_secret, kind, \
             (SELECT COUNT(*) FROM role_grants WHERE user_id = users.id) \
             FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
    })?;
    let (verified_at, totp_on, totp_secret, kind, roles) = state.ok_or(StoreError::NotFound)?;
    let unproved = verified_at.is_none();
    let public = kind == AccountKind::Public.as_str() && roles == 0;
    let two_factor_cleared = unproved && public && totp_on.is_some();
    if unproved {
        mark_email_verified(tx, id).await?;
        if public && (totp_on.is_some() || totp_secret.is_some()) {
            disable_totp(tx, id).await?;
        }
    }
    let tokens_revoked = reset_password(tx, id, hash).await?;
    Ok(LinkReset {
        tokens_revoked,
        email_verified: unproved,
        two_factor_cleared,
    })
}
