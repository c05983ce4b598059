//! Registrations of citizens abroad and their places: residences and trips of account
//! holders, presence registrations from the crisis form (verified by a code), what a person
//! can download or delete, and the privacy purge after the last place's end.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::Rng;
use safir_domain::crisis::registration::{Channel, CheckedPlace, CheckedRegistration};
use serde::Serialize;

use crate::accounts::secrets::hash_secret;
use crate::name_key::name_key;
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

/// Wrong codes allowed before a presence registration locks.
pub const MAX_CODE_ATTEMPTS: i32 = 5;
/// How long a verification code works.
pub const CODE_VALIDITY_MINUTES: i64 = 30;
/// Codes sent for one presence registration, the first included.
pub const MAX_CODE_SENDS: i32 = 4;
/// The shortest time between two codes for the same registration.
pub const RESEND_INTERVAL_SECONDS: i64 = 60;

/// A place as the form gives it (already checked).
pub type NewPlace = CheckedPlace;

/// A registration as stored (without its code hash).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Registration {
    pub id: String,
    pub user_id: Option<String>,
    /// residence | trip | presence
    pub kind: String,
    pub crisis_id: Option<String>,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub lang: String,
    /// Comma separated: email,sms
    pub channels: String,
    /// JSON array of {name, relation, age}.
    pub companions: String,
    pub adults: i32,
    pub children: i32,
    pub elderly: bool,
    pub medical: bool,
    pub vulnerability_note: String,
    pub emergency_name: String,
    pub emergency_phone: String,
    pub emergency_email: String,
    pub verified_at: Option<DateTime<Utc>>,
    pub verify_attempts: i32,
    pub verify_expires_at: Option<DateTime<Utc>>,
    pub verify_channel: Option<String>,
    /// Verification codes sent so far (presence registrations).
    pub verify_sends: i32,
    pub consent_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub purge_after: Option<DateTime<Utc>>,
}

impl Registration {
    pub fn channel_list(&self) -> Vec<Channel> {
        Channel::parse_list(&self.channels)
    }

    pub fn is_verified(&self) -> bool {
        self.verified_at.is_some()
    }
}

/// A place row.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Place {
    pub id: String,
    pub registration_id: String,
    pub country: String,
    pub region: String,
    pub city: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// YYYY-MM-DD; NULL = open.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// How a new registration comes to count.
#[derive(Debug, Clone)]
pub enum Verify {
    /// At once: an account whose address is confirmed, staff, the demo.
    Now,
    /// A presence registration: when the code sent by this channel is typed back.
    Code(String, Channel),
    /// When its account confirms its email address ([`confirm_for_account`]): anyone can open
    /// an account with any address, and a registration counted before that would send crisis
    /// messages, on the ministry's bill, to whatever contacts were typed into it.
    WithAccount,
}

/// What [`create`] writes.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    /// The account holder; `None` for the presence form.
    pub user_id: Option<String>,
    pub crisis_id: Option<String>,
    pub form: CheckedRegistration,
    /// How the registration comes to count (be in alert audiences and on the board as
    /// verified).
    pub verify: Verify,
    pub purge_after: Option<DateTime<Utc>>,
    /// The key of the form it was sent with: the same key sent again (a double click, a
    /// retried request) by the same account, or to the same crisis's presence form, finds the
    /// registration the first made ([`create_once`]). `None`: always a new one.
    pub request_key: Option<String>,
}

/// What [`create_once`] did.
#[derive(Debug)]
pub enum Stored {
    /// A new registration.
    New(Registration),
    /// The form's key had made this one already: nothing was written.
    Again(Registration),
}

/// When a registration whose last place ends on `last_day` is purged: the end of that day
/// plus `retention`. `None` (open-ended residence) is never purged automatically.
pub fn purge_time(last_day: Option<NaiveDate>, retention: Duration) -> Option<DateTime<Utc>> {
    last_day.map(|d| d.and_time(NaiveTime::MIN).and_utc() + Duration::days(1) + retention)
}

/// A new six-digit code.
pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn code_hash(id: &str, code: &str) -> String {
    hash_secret(&format!("{id}:{}", code.trim()))
}

const COLUMNS: &str = "id, user_id, kind, crisis_id, full_name, email, phone, lang, channels, \
     companions, adults, children, elderly, medical, vulnerability_note, emergency_name, \
     emergency_phone, emergency_email, verified_at, verify_attempts, verify_expires_at, \
     verify_channel, verify_sends, consent_at, created_at, updated_at, purge_after";

const PLACE_COLUMNS: &str =
    "id, registration_id, country, region, city, lat, lon, starts_on, ends_on";

/// Binds, in this order, what the person typed that [`create`] and [`update_for_user`] both
/// write: full name, email, phone, language, channels, companions (JSON), adults, children,
/// elderly, medical, vulnerability note, emergency name, phone and email.
macro_rules! bind_typed {
    ($q:expr, $f:expr, $companions:expr) => {
        $q.bind(&$f.full_name)
            .bind($f.email.as_ref().map(|e| e.as_str().to_owned()))
            .bind(&$f.phone)
            .bind($f.lang.code())
            .bind(Channel::join(&$f.channels))
            .bind(&$companions)
            .bind($f.adults as i32)
            .bind($f.children as i32)
            .bind($f.elderly)
            .bind($f.medical)
            .bind(&$f.vulnerability_note)
            .bind(&$f.emergency_name)
            .bind(&$f.emergency_phone)
            .bind(&$f.emergency_email)
    };
}

fn companions_json(f: &CheckedRegistration) -> Result<String, StoreError> {
    serde_json::to_string(&f.companions)
        .map_err(|e| StoreError::Corrupt(format!("companions: {e}")))
}

/// Writes a registration and its places inside the caller's transaction; one made earlier
/// with the same request key is returned as it is.
pub async fn create(
    tx: &mut Tx,
    new: &NewRegistration,
    places: &[NewPlace],
) -> Result<Registration, StoreError> {
    match create_once(tx, new, places).await? {
        Stored::New(r) | Stored::Again(r) => Ok(r),
    }
}

/// Writes a registration and its places inside the caller's transaction, unless the same
/// account (or, without one, the same crisis's presence form) made one with `new.request_key`
/// already: that one is returned, unchanged. On PostgreSQL a request sent twice at once waits
/// for the first to commit, then finds its registration.
pub async fn create_once(
    tx: &mut Tx,
    new: &NewRegistration,
    places: &[NewPlace],
) -> Result<Stored, StoreError> {
    let id = uuid::Uuid::now_v7().as_simple().to_string();
    let at = now();
    let f = &new.form;
    let companions = companions_json(f)?;
    let (verified_at, hash, expires, channel) = match &new.verify {
        Verify::Now => (Some(at), None, None, None),
        Verify::WithAccount => (None, None, None, None),
        Verify::Code(code, ch) => (
            None,
            Some(code_hash(&id, code)),
            Some(at + Duration::minutes(CODE_VALIDITY_MINUTES)),
            Some(ch.as_str()),
        ),
    };
    let n = with_tx!(tx, c => {
        let q = sqlx::query(
            "INSERT INTO crisis_registrations (id, user_id, kind, crisis_id, full_name, email, phone, \
             lang, channels, companions, adults, children, elderly, medical, vulnerability_note, \
             emergency_name, emergency_phone, emergency_email, verified_at, verify_code_hash, \
             verify_attempts, verify_expires_at, verify_channel, consent_at, created_at, updated_at, \
             purge_after, full_name_key, request_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 0, $21, $22, $23, $23, $23, $24, \
             $25, $26) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(&new.user_id)
        .bind(f.kind.as_str())
        .bind(&new.crisis_id);
        bind_typed!(q, f, companions)
        .bind(verified_at)
        .bind(&hash)
        .bind(expires)
        .bind(channel)
        .bind(at)
        .bind(new.purge_after)
        .bind(name_key(&f.full_name))
        .bind(&new.request_key)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        // The only unique columns besides the new id are the request key's.
        let key = new.request_key.as_deref().ok_or(StoreError::NotFound)?;
        return made_with(tx, new, key).await.map(Stored::Again);
    }
    insert_places(tx, &id, places).await?;
    find_in(tx, &id).await.map(Stored::New)
}

/// The registration `new`'s account (or its crisis's presence form) made with `key`.
async fn made_with(
    tx: &mut Tx,
    new: &NewRegistration,
    key: &str,
) -> Result<Registration, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crisis_registrations WHERE request_key = $1 AND \
         (user_id = $2 OR (user_id IS NULL AND $2 IS NULL AND crisis_id = $3))"
    );
    let row: Option<Registration> = with_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(key)
            .bind(&new.user_id)
            .bind(&new.crisis_id)
            .fetch_optional(c)
            .await
    })?;
    row.ok_or(StoreError::NotFound)
}

async fn insert_places(tx: &mut Tx, id: &str, places: &[NewPlace]) -> Result<(), StoreError> {
    for p in places {
        with_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO crisis_places (id, registration_id, country, region, city, lat, lon, \
                 starts_on, ends_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(uuid::Uuid::now_v7().as_simple().to_string())
            .bind(id)
            .bind(p.country.as_str())
            .bind(&p.region)
            .bind(&p.city)
            .bind(p.lat)
            .bind(p.lon)
            .bind(p.starts_on.map(|d| d.to_string()))
            .bind(p.ends_on.map(|d| d.to_string()))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Replaces what an account holder typed in one of their registrations (person, companions,
/// vulnerability, emergency contact, channels, language and every place) inside the
/// caller's transaction. The kind, the verification and the consent time stay; the
/// registration's check-ins stay attached. `NotFound` when it is not theirs.
pub async fn update_for_user(
    tx: &mut Tx,
    user_id: &str,
    id: &str,
    form: &CheckedRegistration,
    places: &[NewPlace],
    purge_after: Option<DateTime<Utc>>,
) -> Result<Registration, StoreError> {
    let f = form;
    let companions = companions_json(f)?;
    let n = with_tx!(tx, c => {
        let q = sqlx::query(
            "UPDATE crisis_registrations SET full_name = $1, email = $2, phone = $3, lang = $4, \
             channels = $5, companions = $6, adults = $7, children = $8, elderly = $9, \
             medical = $10, vulnerability_note = $11, emergency_name = $12, \
             emergency_phone = $13, emergency_email = $14, updated_at = $15, purge_after = $16, \
             full_name_key = $19 WHERE id = $17 AND user_id = $18",
        );
        bind_typed!(q, f, companions)
        .bind(now())
        .bind(purge_after)
        .bind(id)
        .bind(user_id)
        .bind(name_key(&f.full_name))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n != 1 {
        return Err(StoreError::NotFound);
    }
    with_tx!(tx, c => {
        sqlx::query("DELETE FROM crisis_places WHERE registration_id = $1")
            .bind(id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    insert_places(tx, id, places).await?;
    find_in(tx, id).await
}

async fn find_in(tx: &mut Tx, id: &str) -> Result<Registration, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM crisis_registrations WHERE id = $1");
    let row: Option<Registration> = with_tx!(tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(c).await
    })?;
    row.ok_or(StoreError::NotFound)
}

pub async fn find(db: &Db, id: &str) -> Result<Registration, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM crisis_registrations WHERE id = $1");
    let row: Option<Registration> = with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await
    })?;
    row.ok_or(StoreError::NotFound)
}

/// A registration with its places.
pub async fn places(db: &Db, registration_id: &str) -> Result<Vec<Place>, StoreError> {
    let sql = format!(
        "SELECT {PLACE_COLUMNS} FROM crisis_places WHERE registration_id = $1 ORDER BY starts_on, id"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(registration_id).fetch_all(p).await
    })?)
}

/// The account holder's residences and trips, newest first.
pub async fn list_for_user(db: &Db, user_id: &str) -> Result<Vec<Registration>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crisis_registrations WHERE user_id = $1 ORDER BY created_at DESC, id"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id).fetch_all(p).await
    })?)
}

/// Deletes one of the user's registrations (places and check-ins go with it). False when
/// it is not theirs or does not exist.
pub async fn delete_for_user(db: &Db, user_id: &str, id: &str) -> Result<bool, StoreError> {
    let n = with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM crisis_registrations WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The account's registrations that waited for it to confirm its email address
/// ([`Verify::WithAccount`]) count from now, if the account has confirmed it; returns how
/// many. Called in the transaction that marks the address confirmed, and in the one that
/// files a registration made as waiting (the account as a request saw it may be a moment
/// old). On PostgreSQL the account's row is held first, so that of a confirmation and a
/// registration at the same moment, the later one sees the other.
pub async fn confirm_for_account(tx: &mut Tx, user_id: &str) -> Result<u64, StoreError> {
    let lock = match tx.backend() {
        crate::Backend::Postgres => " FOR SHARE",
        crate::Backend::Sqlite => "",
    };
    let sql = format!("SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1{lock}");
    let confirmed: Option<bool> = with_tx!(tx, c => {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_optional(c).await
    })?;
    if confirmed != Some(true) {
        return Ok(0);
    }
    let at = now();
    Ok(with_tx!(tx, c => {
        sqlx::query(
            "UPDATE crisis_registrations SET verified_at = $2, updated_at = $2 \
             WHERE user_id = $1 AND verified_at IS NULL AND verify_code_hash IS NULL",
        )
        .bind(user_id)
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// Registrations that belong to the person: their account's, and presence registrations
/// whose code was sent to their email address, when the account has proved that address
/// (`verified_email`; anyone can sign up with someone else's address and not confirm it). A
/// presence registration verified by SMS proves only the phone: the address typed beside it
/// may be anyone's (a relative's, a typo that is someone else's), so it is not theirs to read
/// or delete.
async fn ids_for_person(
    db: &Db,
    user_id: &str,
    verified_email: Option<&str>,
) -> Result<Vec<Registration>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM crisis_registrations WHERE user_id = $1 \
         OR (user_id IS NULL AND email = $2 AND verified_at IS NOT NULL AND verify_channel = 'email') \
         ORDER BY created_at, id"
    );
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(user_id)
            .bind(verified_email)
            .fetch_all(p)
            .await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
struct CheckinExport {
    id: String,
    /// `None` for the check-in a confirmed presence registration starts with, before any
    /// alert (and an imported person's).
    alert_id: Option<String>,
    crisis_id: Option<String>,
    status: String,
    note: String,
    lat: Option<f64>,
    lon: Option<f64>,
    created_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
}

/// Everything held about the person (account `user_id`, the address the account has proved,
/// if it has): registrations with places and check-ins, and the travel-advice subscriptions of
/// that address, as one JSON document. Subscriptions by SMS are not among them: a phone number typed in a
/// registration is not proof that its subscriptions are the account's (anyone's number can be
/// typed); they end by replying STOP from the phone.
pub async fn export_for_user(
    db: &Db,
    user_id: &str,
    verified_email: Option<&str>,
) -> Result<serde_json::Value, StoreError> {
    let regs = ids_for_person(db, user_id, verified_email).await?;
    let mut out = Vec::new();
    let addresses: Vec<String> = verified_email.map(str::to_owned).into_iter().collect();
    for r in regs {
        let places = places(db, &r.id).await?;
        let checkins: Vec<CheckinExport> = with_pool!(db.read(), p => {
            sqlx::query_as(
                "SELECT id, alert_id, crisis_id, status, note, lat, lon, created_at, answered_at \
                 FROM crisis_checkins WHERE registration_id = $1 ORDER BY created_at, id",
            )
            .bind(&r.id)
            .fetch_all(p)
            .await
        })?;
        let companions: serde_json::Value =
            serde_json::from_str(&r.companions).unwrap_or(serde_json::Value::Null);
        let mut reg = serde_json::to_value(&r)
            .map_err(|e| StoreError::Corrupt(format!("registration {}: {e}", r.id)))?;
        reg["companions"] = companions;
        reg["places"] = serde_json::to_value(places).unwrap_or_default();
        reg["checkins"] = serde_json::to_value(checkins).unwrap_or_default();
        out.push(reg);
    }
    let subs = super::subscriptions::for_addresses(db, &addresses).await?;
    Ok(serde_json::json!({
        "exported_at": now(),
        "registrations": out,
        "subscriptions": subs,
    }))
}

/// Deletes everything [`export_for_user`] shows: registrations (with places and check-ins)
/// and subscriptions. Returns (registrations, subscriptions) removed.
pub async fn delete_all_for_user(
    db: &Db,
    user_id: &str,
    verified_email: Option<&str>,
) -> Result<(u64, u64), StoreError> {
    let regs = ids_for_person(db, user_id, verified_email).await?;
    let addresses: Vec<String> = verified_email.map(str::to_owned).into_iter().collect();
    let mut tx = db.begin().await?;
    let mut removed = 0;
    for r in &regs {
        removed += with_tx!(&mut tx, c => {
            sqlx::query("DELETE FROM crisis_registrations WHERE id = $1")
                .bind(&r.id)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    let subs = super::subscriptions::delete_for_addresses(&mut tx, &addresses).await?;
    tx.commit().await?;
    Ok((removed, subs))
}

/// What checking a presence code gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Verified,
    AlreadyVerified,
    Wrong {
        attempts_left: i32,
    },
    /// Too many wrong codes: the registration can no longer be verified.
    Locked,
    Expired,
}

/// A registration's verification state: verified at, code hash, code expiry.
type CodeState = (Option<DateTime<Utc>>, Option<String>, Option<DateTime<Utc>>);

/// Checks a presence registration's code. Each try counts before the comparison, so no
/// more than [`MAX_CODE_ATTEMPTS`] codes are ever compared.
pub async fn verify_code(
    db: &Db,
    id: &str,
    code: &str,
    at: DateTime<Utc>,
) -> Result<CodeCheck, StoreError> {
    let row: Option<CodeState> = with_pool!(db.write(), p => {
        sqlx::query_as(
            "SELECT verified_at, verify_code_hash, verify_expires_at FROM crisis_registrations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?;
    let Some((verified_at, hash, expires)) = row else {
        return Err(StoreError::NotFound);
    };
    if verified_at.is_some() {
        return Ok(CodeCheck::AlreadyVerified);
    }
    let counted = with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE crisis_registrations SET verify_attempts = verify_attempts + 1, updated_at = $2 \
             WHERE id = $1 AND verified_at IS NULL AND verify_attempts < $3",
        )
        .bind(id)
        .bind(at)
        .bind(MAX_CODE_ATTEMPTS)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    if counted == 0 {
        return Ok(CodeCheck::Locked);
    }
    if expires.is_none_or(|x| x < at) {
        return Ok(CodeCheck::Expired);
    }
    if hash.as_deref() == Some(code_hash(id, code).as_str()) {
        // Confirmed, the person is on their crisis's welfare board at once (no answer yet),
        // not only once an alert's area reaches them: in the same transaction, and only by
        // the request that confirmed it (a code sent twice puts them there once).
        let mut tx = db.begin().await?;
        let confirmed = with_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE crisis_registrations SET verified_at = $2, verify_code_hash = NULL, updated_at = $2 \
                 WHERE id = $1 AND verified_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })?;
        if confirmed == 1 {
            super::checkins::place_on_board(&mut tx, id).await?;
        }
        tx.commit().await?;
        return Ok(CodeCheck::Verified);
    }
    let attempts: i32 = with_pool!(db.write(), p => {
        sqlx::query_scalar("SELECT verify_attempts FROM crisis_registrations WHERE id = $1")
            .bind(id)
            .fetch_one(p)
            .await
    })?;
    let left = MAX_CODE_ATTEMPTS - attempts;
    Ok(if left <= 0 {
        CodeCheck::Locked
    } else {
        CodeCheck::Wrong {
            attempts_left: left,
        }
    })
}

/// What asking for a new presence code gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Resend {
    /// The new code is stored; send it to this registration's contact.
    Sent(Box<Registration>),
    AlreadyVerified,
    /// The last code went out less than [`RESEND_INTERVAL_SECONDS`] ago.
    TooSoon {
        wait_seconds: i64,
    },
    /// [`MAX_CODE_SENDS`] codes were sent already.
    TooMany,
}

/// Replaces an unverified presence registration's code with `code` inside the caller's
/// transaction (which also queues the message): a fresh validity period and a fresh set of
/// [`MAX_CODE_ATTEMPTS`] tries, at most [`MAX_CODE_SENDS`] codes in all and one per
/// [`RESEND_INTERVAL_SECONDS`]. A code's send time is its expiry less the validity, so no
/// other column is needed for the interval.
pub async fn resend_code(
    tx: &mut Tx,
    id: &str,
    code: &str,
    at: DateTime<Utc>,
) -> Result<Resend, StoreError> {
    type SendState = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, i32);
    let row: Option<SendState> = with_tx!(tx, c => {
        sqlx::query_as(
            "SELECT verified_at, verify_expires_at, verify_sends FROM crisis_registrations \
             WHERE id = $1 AND kind = 'presence'",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?;
    let Some((verified_at, expires, sends)) = row else {
        return Err(StoreError::NotFound);
    };
    if verified_at.is_some() {
        return Ok(Resend::AlreadyVerified);
    }
    if sends >= MAX_CODE_SENDS {
        return Ok(Resend::TooMany);
    }
    let next_allowed = expires.map(|x| {
        x - Duration::minutes(CODE_VALIDITY_MINUTES) + Duration::seconds(RESEND_INTERVAL_SECONDS)
    });
    if let Some(next) = next_allowed
        && next > at
    {
        return Ok(Resend::TooSoon {
            wait_seconds: (next - at).num_seconds().max(1),
        });
    }
    // `verify_sends = $sends`: of two requests that read the same state, one writes.
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE crisis_registrations SET verify_code_hash = $2, verify_attempts = 0, \
             verify_expires_at = $3, verify_sends = verify_sends + 1, updated_at = $4 \
             WHERE id = $1 AND verified_at IS NULL AND verify_sends = $5",
        )
        .bind(id)
        .bind(code_hash(id, code))
        .bind(at + Duration::minutes(CODE_VALIDITY_MINUTES))
        .bind(at)
        .bind(sends)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Ok(Resend::TooSoon {
            wait_seconds: RESEND_INTERVAL_SECONDS,
        });
    }
    Ok(Resend::Sent(Box::new(find_in(tx, id).await?)))
}

/// Gives the people imported from PFIF before imports had a purge time the one a presence
/// registration made that day has (`retention` after it). Returns how many.
pub async fn date_undated_imports(db: &Db, retention: Duration) -> Result<u64, StoreError> {
    let undated: Vec<(String, DateTime<Utc>)> = with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT id, created_at FROM crisis_registrations WHERE purge_after IS NULL \
             AND id IN (SELECT registration_id FROM crisis_imports)",
        )
        .fetch_all(p)
        .await
    })?;
    let mut dated = 0;
    for (id, created_at) in undated {
        let at = purge_time(Some(created_at.date_naive()), retention);
        dated += with_pool!(db.write(), p => {
            sqlx::query("UPDATE crisis_registrations SET purge_after = $2 WHERE id = $1 AND purge_after IS NULL")
                .bind(&id)
                .bind(at)
                .execute(p)
                .await
                .map(|r| r.rows_affected())
        })?;
    }
    Ok(dated)
}

/// Removes registrations past their purge time (places and check-ins go with them by
/// cascade). Returns how many.
pub async fn purge_expired(db: &Db, at: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM crisis_registrations WHERE purge_after IS NOT NULL AND purge_after < $1")
            .bind(at)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?)
}

/// What the presence form needs to know about a crisis.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PresenceCrisis {
    pub id: String,
    pub title_ar: String,
    pub title_en: String,
    pub country: String,
    pub status: String,
    pub presence_open: bool,
}

impl PresenceCrisis {
    /// Whether the form takes registrations: the crisis is open and staff opened the form.
    pub fn accepts_presence(&self) -> bool {
        self.status == "open" && self.presence_open
    }
}

/// The crisis a presence form names, if it exists.
pub async fn presence_crisis(db: &Db, id: &str) -> Result<Option<PresenceCrisis>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as(
            "SELECT id, title_ar, title_en, country, status, presence_open FROM crises WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(p)
        .await
    })?)
}
