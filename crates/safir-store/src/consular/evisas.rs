//! The e-visa register: issuing (numbering, signing, storing the exact signed bytes),
//! finding, listing a holder's visas and revoking. Also the instance's signing key, made on
//! first use and kept in the settings table.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use safir_domain::consular::evisa::{
    EvisaHolder, EvisaPayload, EvisaSigningKey, EvisaTerms, EvisaVerifyingKey, KeyId, SignedEvisa,
    VisaNumber,
};
use safir_domain::ids::{MissionId, UserId};
use safir_domain::mission::MissionCode;

use crate::{Db, StoreError, Tx, now, settings, with_pool, with_tx};

/// The settings key of the Ed25519 seed (hex). Never logged, never shown.
const SIGNING_KEY_SETTING: &str = "evisa_signing_key";

/// The instance's e-visa signing key, generated and stored on first use. Every server
/// process gets the same key (the first writer wins).
pub async fn signing_key(db: &Db) -> Result<EvisaSigningKey, StoreError> {
    let seed: [u8; 32] = settings::secret(db, SIGNING_KEY_SETTING)
        .await?
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("setting {SIGNING_KEY_SETTING}: not 32 bytes")))?;
    Ok(EvisaSigningKey::from_seed(&seed))
}

/// The settings key of the keys `rotate_signing_key` retired: a JSON list of
/// `{"public_key": hex, "retired_at": RFC 3339}`, oldest first. Public keys only.
const RETIRED_KEYS_SETTING: &str = "evisa_retired_keys";

/// A key that signed visas before the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetiredKey {
    pub key: EvisaVerifyingKey,
    pub retired_at: DateTime<Utc>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredRetiredKey {
    public_key: String,
    retired_at: DateTime<Utc>,
}

fn parse_retired(value: &str) -> Result<Vec<RetiredKey>, StoreError> {
    let corrupt =
        |what: &str| StoreError::Corrupt(format!("setting {RETIRED_KEYS_SETTING}: {what}"));
    let stored: Vec<StoredRetiredKey> =
        serde_json::from_str(value).map_err(|e| corrupt(&e.to_string()))?;
    stored
        .into_iter()
        .map(|k| {
            let bytes: [u8; 32] = hex::decode(&k.public_key)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| corrupt("a public key is not 32 bytes of hex"))?;
            let key = EvisaVerifyingKey::from_bytes(&bytes)
                .ok_or_else(|| corrupt("a public key is not an Ed25519 point"))?;
            Ok(RetiredKey {
                key,
                retired_at: k.retired_at,
            })
        })
        .collect()
}

/// The keys that signed visas before the current one, oldest first (none until the first
/// rotation).
pub async fn retired_keys(db: &Db) -> Result<Vec<RetiredKey>, StoreError> {
    match settings::get(db, RETIRED_KEYS_SETTING).await? {
        None => Ok(Vec::new()),
        Some(value) => parse_retired(&value),
    }
}

/// What `rotate_signing_key` did.
#[derive(Debug, Clone, Copy)]
pub struct Rotation {
    pub retired: KeyId,
    pub current: KeyId,
}

/// Replaces the signing key by a new random one and keeps the old public key among the
/// retired ones, in one transaction: new visas are signed with the new key; a visa signed
/// with a retired key still verifies while the register holds it (see the web's `/verify`).
/// Running processes keep the key they started with until restarted. `record` is the audit
/// record of the rotation, appended in the same transaction.
pub async fn rotate_signing_key(
    db: &Db,
    record: impl FnOnce(&Rotation) -> crate::audit::NewAuditRecord,
) -> Result<Rotation, StoreError> {
    // Made on first use if there is none yet; the key retired is the one this seed makes,
    // read once, so that a rotation by someone else in between fails the swap below rather
    // than retire a key that was already retired.
    signing_key(db).await?;
    let old_seed = settings::get(db, SIGNING_KEY_SETTING)
        .await?
        .ok_or(StoreError::NotFound)?;
    let old = hex::decode(&old_seed)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .map(|seed| EvisaSigningKey::from_seed(&seed))
        .ok_or_else(|| {
            StoreError::Corrupt(format!("setting {SIGNING_KEY_SETTING}: not 32 bytes"))
        })?;
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut seed);
    let new = EvisaSigningKey::from_seed(&seed);
    let mut owned = db.begin().await?;
    let tx = &mut owned;
    // Only from the key read above (see there).
    let swapped = with_tx!(tx, c => {
        sqlx::query("UPDATE settings SET value = $3 WHERE key = $1 AND value = $2")
            .bind(SIGNING_KEY_SETTING)
            .bind(&old_seed)
            .bind(hex::encode(seed))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    if swapped != 1 {
        return Err(StoreError::Conflict("rotated"));
    }
    let listed: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(RETIRED_KEYS_SETTING)
            .fetch_optional(c)
            .await
    })?;
    let mut stored: Vec<StoredRetiredKey> = match &listed {
        None => Vec::new(),
        Some(value) => parse_retired(value)?
            .into_iter()
            .map(|k| StoredRetiredKey {
                public_key: hex::encode(k.key.to_bytes()),
                retired_at: k.retired_at,
            })
            .collect(),
    };
    stored.push(StoredRetiredKey {
        public_key: hex::encode(old.verifying_key().to_bytes()),
        retired_at: now(),
    });
    let value = serde_json::to_string(&stored)
        .map_err(|e| StoreError::Corrupt(format!("setting {RETIRED_KEYS_SETTING}: {e}")))?;
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(RETIRED_KEYS_SETTING)
        .bind(&value)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    let rotation = Rotation {
        retired: old.id(),
        current: new.id(),
    };
    crate::audit::append(tx, &record(&rotation)).await?;
    owned.commit().await?;
    Ok(rotation)
}

/// An issued e-visa as stored: the signed payload plus its fields in columns for listing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evisa {
    pub id: String,
    pub visa_number: String,
    pub case_id: Option<String>,
    pub mission_id: String,
    pub holder_id: String,
    pub holder_name: String,
    pub passport_number: String,
    pub nationality: String,
    pub birth_date: NaiveDate,
    pub visa_type: String,
    pub entries: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub max_stay_days: i32,
    pub mission_code: String,
    /// base64url of the signed bytes.
    pub payload: String,
    /// base64url of the Ed25519 signature.
    pub signature: String,
    pub key_id: String,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

impl Evisa {
    /// The QR code's `v` value: `base64url(payload).base64url(signature)`.
    pub fn code(&self) -> String {
        format!("{}.{}", self.payload, self.signature)
    }

    /// The address the QR code opens.
    pub fn verify_url(&self, public_url: &str) -> String {
        format!(
            "{}/verify?v={}",
            public_url.trim_end_matches('/'),
            self.code()
        )
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// The signed payload, decoded (the stored columns are a copy for queries; this is what
    /// the signature covers).
    pub fn signed_payload(&self) -> Result<EvisaPayload, StoreError> {
        let signed = SignedEvisa::parse_code(&self.code())
            .ok_or_else(|| StoreError::Corrupt(format!("e-visa {}: bad code", self.id)))?;
        EvisaPayload::decode(&signed.payload)
            .map_err(|e| StoreError::Corrupt(format!("e-visa {}: {e:?}", self.id)))
    }

    pub fn mission(&self) -> MissionId {
        MissionId::from_trusted(self.mission_id.clone())
    }
}

/// What the approval of a visa case hands over.
#[derive(Debug, Clone)]
pub struct IssueEvisa {
    /// The visa case approved, if the visa comes from one.
    pub case_id: Option<String>,
    pub mission_id: MissionId,
    /// The applicant's account: the one public user who may open the visa.
    pub holder_id: UserId,
    pub holder: EvisaHolder,
    pub terms: EvisaTerms,
    /// The officer who approved.
    pub issued_by: Option<UserId>,
}

/// Numbers, signs and stores a visa inside the caller's transaction (the case approval's),
/// so the visa exists exactly when the approval does.
pub async fn issue(
    tx: &mut Tx,
    input: IssueEvisa,
    key: &EvisaSigningKey,
) -> Result<Evisa, StoreError> {
    crate::consular::changed();
    let mission: Option<(String, String)> = with_tx!(tx, c => {
        sqlx::query_as("SELECT code, time_zone FROM missions WHERE id = $1")
            .bind(input.mission_id.as_str())
            .fetch_optional(c)
            .await
    })?;
    let (code, zone) = mission.ok_or(StoreError::NotFound)?;
    let mission_code =
        MissionCode::parse(&code).map_err(|e| StoreError::Corrupt(format!("mission code: {e}")))?;
    // The payload keeps whole seconds; the row keeps the same instant.
    let issued_at = now().trunc_subsecs(0);
    let year = safir_domain::consular::case::numbering_year(issued_at, &zone);
    let sequence: i64 = with_tx!(tx, c => {
        sqlx::query_scalar(
            "INSERT INTO evisa_counters (mission_id, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (mission_id, year) DO UPDATE SET last = evisa_counters.last + 1 \
             RETURNING last",
        )
        .bind(input.mission_id.as_str())
        .bind(year)
        .fetch_one(c)
        .await
        .map(|n: i32| i64::from(n))
    })?;
    let sequence = u32::try_from(sequence)
        .map_err(|_| StoreError::Corrupt("e-visa counter out of range".into()))?;
    let number = VisaNumber::new(&mission_code, year, sequence)
        .map_err(|e| StoreError::Corrupt(format!("visa number: {e}")))?;
    let payload = EvisaPayload::new(
        number,
        input.holder,
        input.terms,
        mission_code,
        issued_at,
        key.id(),
    );
    let signed = key.sign(&payload);
    let row = Evisa {
        id: uuid::Uuid::now_v7().as_simple().to_string(),
        visa_number: payload.visa_number.as_str().to_owned(),
        case_id: input.case_id,
        mission_id: input.mission_id.as_str().to_owned(),
        holder_id: input.holder_id.as_str().to_owned(),
        holder_name: payload.holder.name.as_str().to_owned(),
        passport_number: payload.holder.passport_number.as_str().to_owned(),
        nationality: payload.holder.nationality.as_str().to_owned(),
        birth_date: payload.holder.birth_date,
        visa_type: payload.terms.visa_type().as_str().to_owned(),
        entries: payload.terms.entries().as_str().to_owned(),
        valid_from: payload.terms.valid_from(),
        valid_until: payload.terms.valid_until(),
        max_stay_days: i32::from(payload.terms.max_stay_days()),
        mission_code: payload.mission_code.as_str().to_owned(),
        payload: URL_SAFE_NO_PAD.encode(&signed.payload),
        signature: URL_SAFE_NO_PAD.encode(signed.signature),
        key_id: key.id().to_hex(),
        issued_at,
        issued_by: input.issued_by.map(|u| u.as_str().to_owned()),
        revoked_at: None,
        revoked_by: None,
        revoke_reason: None,
    };
    with_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO evisas (id, visa_number, case_id, mission_id, holder_id, holder_name, \
             passport_number, nationality, birth_date, visa_type, entries, valid_from, valid_until, \
             max_stay_days, mission_code, payload, signature, key_id, issued_at, issued_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        )
        .bind(&row.id)
        .bind(&row.visa_number)
        .bind(&row.case_id)
        .bind(&row.mission_id)
        .bind(&row.holder_id)
        .bind(&row.holder_name)
        .bind(&row.passport_number)
        .bind(&row.nationality)
        .bind(row.birth_date)
        .bind(&row.visa_type)
        .bind(&row.entries)
        .bind(row.valid_from)
        .bind(row.valid_until)
        .bind(row.max_stay_days)
        .bind(&row.mission_code)
        .bind(&row.payload)
        .bind(&row.signature)
        .bind(&row.key_id)
        .bind(row.issued_at)
        .bind(&row.issued_by)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(|e| StoreError::unique_as(e, "visa_number"))?;
    Ok(row)
}

pub async fn find(db: &Db, id: &str) -> Result<Evisa, StoreError> {
    with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM evisas WHERE id = $1").bind(id).fetch_optional(p).await
    })?
    .ok_or(StoreError::NotFound)
}

pub async fn find_by_number(db: &Db, visa_number: &str) -> Result<Option<Evisa>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM evisas WHERE visa_number = $1")
            .bind(visa_number)
            .fetch_optional(p)
            .await
    })?)
}

/// A holder's visas, newest first.
pub async fn list_for_holder(db: &Db, holder_id: &str) -> Result<Vec<Evisa>, StoreError> {
    Ok(with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM evisas WHERE holder_id = $1 ORDER BY issued_at DESC, id DESC")
            .bind(holder_id)
            .fetch_all(p)
            .await
    })?)
}

/// The visa issued for the application `case_id` of `holder_id`, if any (found among the
/// holder's, which their index reaches).
pub async fn find_for_case(
    db: &Db,
    holder_id: &str,
    case_id: &str,
) -> Result<Option<Evisa>, StoreError> {
    Ok(list_for_holder(db, holder_id)
        .await?
        .into_iter()
        .find(|v| v.case_id.as_deref() == Some(case_id)))
}

/// Withdraws a visa: from now on `/verify` answers "revoked". A visa is revoked once;
/// a second attempt is `Conflict("revoked")` and keeps the first reason.
pub async fn revoke(tx: &mut Tx, id: &str, by: &UserId, reason: &str) -> Result<Evisa, StoreError> {
    crate::consular::changed();
    let updated: Option<Evisa> = with_tx!(tx, c => {
        sqlx::query_as(
            "UPDATE evisas SET revoked_at = $2, revoked_by = $3, revoke_reason = $4 \
             WHERE id = $1 AND revoked_at IS NULL RETURNING *",
        )
        .bind(id)
        .bind(now())
        .bind(by.as_str())
        .bind(reason)
        .fetch_optional(c)
        .await
    })?;
    if let Some(row) = updated {
        return Ok(row);
    }
    let exists: Option<String> = with_tx!(tx, c => {
        sqlx::query_scalar("SELECT id FROM evisas WHERE id = $1").bind(id).fetch_optional(c).await
    })?;
    Err(match exists {
        Some(_) => StoreError::Conflict("revoked"),
        None => StoreError::NotFound,
    })
}

/// Removes from the register the visas whose last day was before `cutoff`, with their
/// holder's details. A code of such a visa still reads as expired at `/verify`: its
/// signature and dates are in the code itself, and the register only adds revocations.
/// Returns how many.
pub async fn purge_expired_before(db: &Db, cutoff: NaiveDate) -> Result<u64, StoreError> {
    crate::consular::changed();
    Ok(with_pool!(db.write(), p => {
        sqlx::query("DELETE FROM evisas WHERE valid_until < $1")
            .bind(cutoff)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })?)
}
