//! Consular documents: uploads checked against their kind, images re-encoded without their
//! metadata, bytes stored once per content, an optional virus scan, and the `documents`
//! rows that say who uploaded what for which mission and case.

mod blobs;
mod images;
mod scan;

use chrono::{DateTime, Utc};
use safir_domain::ValidationError;
use safir_domain::consular::documents::{
    DetectedType, DocumentKind, ScanStatus, check_photo, display_file_name, inspect,
};
use safir_domain::ids::{DocumentId, MissionId, UserId};
use sha2::{Digest, Sha256};

use safir_domain::consular::case::CaseState;
use sqlx::AssertSqlSafe;

use crate::error::changed_any;
use crate::{Db, StoreError, Tx, now, with_pool, with_tx};

pub use blobs::Uploads;
pub use scan::ScanConfig;

/// One stored document, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub owner_id: UserId,
    pub mission_id: Option<MissionId>,
    pub case_id: Option<String>,
    pub kind: DocumentKind,
    /// SHA-256 of the stored bytes (after re-encoding), lowercase hex.
    pub sha256: String,
    /// Sniffed from the content, never taken from the client.
    pub media_type: DetectedType,
    pub size_bytes: i64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The client's file name, cleaned, for display only.
    pub original_name: String,
    pub scan_status: ScanStatus,
    pub scanned_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct DocumentRow {
    id: String,
    owner_id: String,
    mission_id: Option<String>,
    case_id: Option<String>,
    kind: String,
    sha256: String,
    media_type: String,
    size_bytes: i64,
    width: Option<i32>,
    height: Option<i32>,
    original_name: String,
    scan_status: String,
    scanned_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

impl TryFrom<DocumentRow> for Document {
    type Error = StoreError;

    fn try_from(r: DocumentRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("document {}: {what}", r.id));
        Ok(Document {
            kind: DocumentKind::parse(&r.kind).map_err(|_| corrupt("kind"))?,
            media_type: DetectedType::from_media_type(&r.media_type)
                .ok_or_else(|| corrupt("media_type"))?,
            scan_status: ScanStatus::parse(&r.scan_status).map_err(|_| corrupt("scan_status"))?,
            width: r.width.and_then(|w| u32::try_from(w).ok()),
            height: r.height.and_then(|h| u32::try_from(h).ok()),
            id: DocumentId::from_trusted(r.id),
            owner_id: UserId::from_trusted(r.owner_id),
            mission_id: r.mission_id.map(MissionId::from_trusted),
            case_id: r.case_id,
            sha256: r.sha256,
            size_bytes: r.size_bytes,
            original_name: r.original_name,
            scanned_at: r.scanned_at,
            created_at: r.created_at,
            deleted_at: r.deleted_at,
        })
    }
}

fn documents(rows: Vec<DocumentRow>) -> Result<Vec<Document>, StoreError> {
    rows.into_iter().map(Document::try_from).collect()
}

/// An upload as received: the bytes and what the caller knows about them.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub owner_id: UserId,
    pub mission_id: Option<MissionId>,
    pub case_id: Option<String>,
    pub kind: DocumentKind,
    pub original_name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file breaks a rule of its kind; the code names the problem for the user.
    #[error("upload refused: {0}")]
    Invalid(ValidationError),
    /// The virus scanner reported the file; nothing was kept.
    #[error("the virus scanner reported the upload as infected")]
    Infected,
    /// The owner's documents already reach their [`UploadQuota`]; nothing was kept.
    #[error("upload quota reached: {0:?}")]
    OverQuota(QuotaReached),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("upload storage: {0}")]
    Io(#[from] std::io::Error),
}

impl UploadError {
    /// What to tell the user, when it is theirs to fix; `None` for internal failures.
    pub fn user_error(&self) -> Option<ValidationError> {
        match self {
            UploadError::Invalid(e) => Some(e.clone()),
            UploadError::Infected => Some(ValidationError::new("document_infected")),
            UploadError::OverQuota(QuotaReached::Documents(max)) => Some(
                ValidationError::new("document_quota_documents")
                    .count("max", usize::try_from(*max).unwrap_or(usize::MAX)),
            ),
            UploadError::OverQuota(QuotaReached::Bytes(max)) => Some(
                ValidationError::new("document_quota_size")
                    .count("max", usize::try_from(*max / MIB).unwrap_or(usize::MAX)),
            ),
            _ => None,
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// The most one account may hold through its own uploads: documents, and bytes stored for
/// them, counting the documents it can still act on (see `held_by`). Without it a script could fill
/// the disk with distinct files, each within its kind's size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadQuota {
    pub documents: u32,
    pub bytes: u64,
}

impl UploadQuota {
    pub const DEFAULT: UploadQuota = UploadQuota {
        documents: 50,
        bytes: 200 * MIB,
    };

    /// What an owner holding `documents` documents of `bytes` in all lacks to take one more
    /// of `size` bytes; `None` when it fits.
    fn refuses(&self, documents: i64, bytes: i64, size: i64) -> Option<QuotaReached> {
        let bytes = u64::try_from(bytes.max(0)).unwrap_or(u64::MAX);
        let size = u64::try_from(size.max(0)).unwrap_or(u64::MAX);
        if documents >= i64::from(self.documents) {
            Some(QuotaReached::Documents(self.documents))
        } else if bytes.saturating_add(size) > self.bytes {
            Some(QuotaReached::Bytes(self.bytes))
        } else {
            None
        }
    }
}

impl Default for UploadQuota {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Which limit of an [`UploadQuota`] an upload would pass, with that limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaReached {
    Documents(u32),
    Bytes(u64),
}

/// The documents an owner (`$1`) holds and the bytes stored for them, counted against the
/// quota: those they can still delete (filed under no application) and those filed under an
/// application that still takes documents (a draft, or one the mission has not decided).
/// The documents of a decided application stay until its case is purged, out of the owner's
/// hands: counted, they would keep someone with a few past applications from filing for a
/// new one, and only the mission's decision moves an application past the states counted.
fn held_by() -> String {
    format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(d.size_bytes), 0) AS BIGINT) \
         FROM documents d LEFT JOIN cases c ON c.id = d.case_id \
         WHERE d.owner_id = $1 AND d.deleted_at IS NULL \
         AND (d.case_id IS NULL OR c.state IN {})",
        CaseState::DOCUMENT_STATES_SQL
    )
}

/// The checked, re-encoded and stored bytes of one upload.
struct Prepared {
    sha256: String,
    media_type: DetectedType,
    size: i64,
    dimensions: Option<(u32, u32)>,
    path: std::path::PathBuf,
    bytes: Vec<u8>,
}

fn prepare(uploads: &Uploads, kind: DocumentKind, bytes: Vec<u8>) -> Result<Prepared, UploadError> {
    let inspected = inspect(kind, &bytes).map_err(UploadError::Invalid)?;
    let (stored, dimensions) = if let Some(header) = inspected.dimensions {
        let img =
            images::reencode(inspected.detected, &bytes, header).map_err(UploadError::Invalid)?;
        if kind == DocumentKind::Photo {
            check_photo(img.width, img.height).map_err(UploadError::Invalid)?;
        }
        (img.bytes, Some((img.width, img.height)))
    } else {
        (bytes, None)
    };
    let sha256 = hex::encode(Sha256::digest(&stored));
    let path = uploads.write(&sha256, &stored)?;
    Ok(Prepared {
        sha256,
        media_type: inspected.detected,
        size: stored.len() as i64,
        dimensions,
        path,
        bytes: stored,
    })
}

/// How long after a document was filed the same file, sent again for the same case and kind,
/// is taken for the same sending.
const FILED_AGAIN_WITHIN: chrono::Duration = chrono::Duration::minutes(2);

/// Uploads checked and re-encoded at once, in this process.
static PREPARING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, UploadError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| UploadError::Io(std::io::Error::other(e)))
}

/// Checks, re-encodes (images), stores and scans an upload, then records it. Refused
/// uploads leave nothing behind but bytes another document already uses.
pub async fn store_upload(
    db: &Db,
    uploads: &Uploads,
    upload: NewUpload,
    scan: &ScanConfig,
) -> Result<Document, UploadError> {
    store(db, uploads, upload, scan, None).await
}

/// [`store_upload`] for an upload its owner sends, refused (`UploadError::OverQuota`) when
/// the owner's documents would pass `quota`: the file the same sending recorded moments
/// before (a double click) is still that document.
pub async fn store_upload_within(
    db: &Db,
    uploads: &Uploads,
    upload: NewUpload,
    scan: &ScanConfig,
    quota: &UploadQuota,
) -> Result<Document, UploadError> {
    store(db, uploads, upload, scan, Some(quota)).await
}

async fn store(
    db: &Db,
    uploads: &Uploads,
    upload: NewUpload,
    scan: &ScanConfig,
    quota: Option<&UploadQuota>,
) -> Result<Document, UploadError> {
    crate::consular::changed();
    let NewUpload {
        owner_id,
        mission_id,
        case_id,
        kind,
        original_name,
        bytes,
    } = upload;
    let area = uploads.clone();
    // Decoding an image takes up to `images::DECODE_BUDGET` of memory and a core for a
    // while: a few at a time, whoever sends them, the others waiting their turn.
    let prepared = {
        let _turn = PREPARING
            .acquire()
            .await
            .map_err(|e| UploadError::Io(std::io::Error::other(e)))?;
        blocking(move || prepare(&area, kind, bytes)).await??
    };
    let (scan_status, scanned_at) = if scan.is_enabled() {
        let scanner = scan.clone();
        let path = prepared.path.clone();
        (blocking(move || scanner.scan(&path)).await?, Some(now()))
    } else {
        (ScanStatus::NotScanned, None)
    };
    if scan_status == ScanStatus::Infected {
        tracing::warn!(sha256 = %prepared.sha256, owner = %owner_id, "an infected upload was refused");
        // The same bytes stored before (scanned clean with older signatures, or not scanned
        // at all) are the same threat: they are no longer served.
        match mark_infected(db, &prepared.sha256).await {
            Ok(ids) if !ids.is_empty() => {
                tracing::warn!(sha256 = %prepared.sha256, documents = ?ids, "documents with the bytes of an infected upload were marked infected");
            }
            Ok(_) => {}
            Err(e) => {
                tracing::error!(sha256 = %prepared.sha256, error = %e, "marking the documents with the bytes of an infected upload failed");
            }
        }
        if let Err(e) = remove_if_unreferenced(db, uploads, &prepared.sha256).await {
            // The upload is refused all the same, and the person told why; the file no
            // document names is removed by the sweep (`sweep_unreferenced`) once old enough.
            tracing::warn!(sha256 = %prepared.sha256, error = %e, "removing an infected upload failed");
        }
        return Err(UploadError::Infected);
    }
    let (width, height) = match prepared.dimensions {
        Some((w, h)) => (i32::try_from(w).ok(), i32::try_from(h).ok()),
        None => (None, None),
    };
    let mut row = DocumentRow {
        id: DocumentId::new().to_string(),
        owner_id: owner_id.to_string(),
        mission_id: mission_id.map(|m| m.to_string()),
        case_id,
        kind: kind.as_str().to_owned(),
        sha256: prepared.sha256.clone(),
        media_type: prepared.media_type.media_type().to_owned(),
        size_bytes: prepared.size,
        width,
        height,
        original_name: display_file_name(&original_name),
        scan_status: scan_status.as_str().to_owned(),
        scanned_at,
        created_at: now(),
        deleted_at: None,
    };
    // The same file filed again moments later for the same case and kind (a double click on
    // "Upload", a retried request) is the document the first sending recorded: a second row
    // would stand for good beside it (a filed document stays until the case is purged).
    let mut recorded =
        insert_unless_filed(db, &row, Some(row.created_at - FILED_AGAIN_WITHIN), quota).await?;
    if recorded == Insert::FiledAlready {
        match filed_first(db, &row).await? {
            Some(first) => return Ok(Document::try_from(first)?),
            // Deleted in between: recorded after all.
            None => recorded = insert_unless_filed(db, &row, None, quota).await?,
        }
    }
    if let Insert::OverQuota(reached) = recorded {
        if let Err(e) = remove_if_unreferenced(db, uploads, &prepared.sha256).await {
            // Refused all the same; the file no document names goes with the sweep.
            tracing::warn!(sha256 = %prepared.sha256, error = %e, "removing an upload over quota failed");
        }
        return Err(UploadError::OverQuota(reached));
    }
    if let Some(case_id) = &row.case_id {
        // The draft went while the upload was checked and scanned (discarded in another tab,
        // or expired): the document goes back to its owner alone, as the draft's other
        // documents did, instead of naming a case nobody can reach it by.
        let mut tx = db.begin().await?;
        if db.backend() == crate::Backend::Postgres {
            // A purge or discard deleting the draft and not yet committed: wait for it, so the
            // check below sees the draft gone (it saw it still there, and the document kept
            // naming a case that no longer existed, which its owner could not delete).
            with_tx!(&mut tx, c => {
                sqlx::query("SELECT id FROM cases WHERE id = $1 FOR SHARE")
                    .bind(case_id)
                    .fetch_all(c)
                    .await
                    .map(drop)
            })
            .map_err(StoreError::from)?;
        }
        let detached = with_tx!(&mut tx, c => {
            sqlx::query(
                "UPDATE documents SET purged_from_case = case_id, case_id = NULL, mission_id = NULL \
                 WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM cases WHERE id = $2)",
            )
            .bind(&row.id)
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(StoreError::from)?;
        tx.commit().await?;
        if detached == 1 {
            row.case_id = None;
            row.mission_id = None;
        }
    }
    // A purge of the last other document with these bytes may have removed the file
    // between writing it and recording this row; the row now holds it, so write it again.
    let area = uploads.clone();
    let (sha256, stored) = (prepared.sha256, prepared.bytes);
    blocking(move || area.write(&sha256, &stored)).await??;
    Ok(Document::try_from(row)?)
}

/// What [`insert_unless_filed`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Insert {
    Recorded,
    /// The same document was filed moments before.
    FiledAlready,
    /// Not recorded: the owner's documents would pass their quota.
    OverQuota(QuotaReached),
}

/// Records `row` unless a live document of its owner, case, kind and bytes was filed after
/// `since` (`None`: records it whatever), or it would take its owner's documents past
/// `quota`.
async fn insert_unless_filed(
    db: &Db,
    row: &DocumentRow,
    since: Option<DateTime<Utc>>,
    quota: Option<&UploadQuota>,
) -> Result<Insert, StoreError> {
    let mut tx = db.begin().await?;
    // Two sendings of a double click are checked and re-encoded side by side and reach this
    // point together: on PostgreSQL the second waits here for the first's row (SQLite runs one
    // writing transaction at a time). Uploads of one owner under a quota wait for each other
    // (taken first, in that order), so each counts the documents the others recorded.
    if tx.backend() == crate::Backend::Postgres {
        if quota.is_some() {
            with_tx!(&mut tx, c => {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind(format!("document-quota:{}", row.owner_id))
                    .execute(c)
                    .await
                    .map(drop)
            })?;
        }
        let same = format!(
            "document:{}:{}:{}:{}",
            row.owner_id,
            row.case_id.as_deref().unwrap_or(""),
            row.kind,
            row.sha256
        );
        with_tx!(&mut tx, c => {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind(same)
                .execute(c)
                .await
                .map(drop)
        })?;
    }
    if let Some(since) = since {
        let filed: bool = with_tx!(&mut tx, c => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM documents WHERE owner_id = $1 \
                 AND case_id IS NOT DISTINCT FROM $2 AND kind = $3 AND sha256 = $4 \
                 AND deleted_at IS NULL AND created_at > $5)",
            )
            .bind(&row.owner_id)
            .bind(&row.case_id)
            .bind(&row.kind)
            .bind(&row.sha256)
            .bind(since)
            .fetch_one(c)
            .await
        })?;
        if filed {
            tx.rollback().await?;
            return Ok(Insert::FiledAlready);
        }
    }
    if let Some(quota) = quota {
        let (documents, stored): (i64, i64) = with_tx!(&mut tx, c => {
            sqlx::query_as(AssertSqlSafe(held_by()))
                .bind(&row.owner_id)
                .fetch_one(c)
                .await
        })?;
        if let Some(reached) = quota.refuses(documents, stored, row.size_bytes) {
            tx.rollback().await?;
            return Ok(Insert::OverQuota(reached));
        }
    }
    with_tx!(&mut tx, c => {
        sqlx::query(
            "INSERT INTO documents (id, owner_id, mission_id, case_id, kind, sha256, media_type, size_bytes, \
             width, height, original_name, scan_status, scanned_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&row.id)
        .bind(&row.owner_id)
        .bind(&row.mission_id)
        .bind(&row.case_id)
        .bind(&row.kind)
        .bind(&row.sha256)
        .bind(&row.media_type)
        .bind(row.size_bytes)
        .bind(row.width)
        .bind(row.height)
        .bind(&row.original_name)
        .bind(&row.scan_status)
        .bind(row.scanned_at)
        .bind(row.created_at)
        .execute(c)
        .await
        .map(drop)
    })?;
    tx.commit().await?;
    Ok(Insert::Recorded)
}

/// The live document of `row`'s owner, case, kind and bytes filed last.
async fn filed_first(db: &Db, row: &DocumentRow) -> Result<Option<DocumentRow>, StoreError> {
    Ok(with_pool!(db.write(), p => {
        sqlx::query_as(
            "SELECT * FROM documents WHERE owner_id = $1 AND case_id IS NOT DISTINCT FROM $2 \
             AND kind = $3 AND sha256 = $4 AND deleted_at IS NULL \
             ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(&row.owner_id)
        .bind(&row.case_id)
        .bind(&row.kind)
        .bind(&row.sha256)
        .fetch_optional(p)
        .await
    })?)
}

/// A live (not deleted) document.
pub async fn find(db: &Db, id: &str) -> Result<Document, StoreError> {
    let row: Option<DocumentRow> = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM documents WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(p)
            .await
    })?;
    row.ok_or(StoreError::NotFound)?.try_into()
}

/// A user's own live documents, newest first.
pub async fn list_for_owner(db: &Db, owner_id: &str) -> Result<Vec<Document>, StoreError> {
    let rows = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM documents WHERE owner_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC")
            .bind(owner_id)
            .fetch_all(p)
            .await
    })?;
    documents(rows)
}

/// A case's live documents, in upload order.
pub async fn list_for_case(db: &Db, case_id: &str) -> Result<Vec<Document>, StoreError> {
    let rows = with_pool!(db.read(), p => {
        sqlx::query_as("SELECT * FROM documents WHERE case_id = $1 AND deleted_at IS NULL ORDER BY created_at, id")
            .bind(case_id)
            .fetch_all(p)
            .await
    })?;
    documents(rows)
}

/// Files a document under a case and its mission (inside the caller's transaction, with
/// the change to the case). Filed here, it no longer answers to a draft it was handed back
/// from: that draft's form, sent from a page still open, does not take it back.
pub async fn attach_to_case(
    tx: &mut Tx,
    doc_id: &str,
    case_id: &str,
    mission_id: &MissionId,
) -> Result<(), StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query(
            "UPDATE documents SET case_id = $2, mission_id = $3, purged_from_case = NULL \
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(doc_id)
        .bind(case_id)
        .bind(mission_id.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    changed_any(n)
}

/// Files under `case_id` (a new draft) the documents of `owner_id` that the loss of their
/// draft `lost_case_id` (expired, or discarded in another tab) handed back to the owner's own
/// list, unless filed elsewhere since.
/// Returns how many.
pub async fn refile_from_lost_draft(
    db: &Db,
    owner_id: &str,
    lost_case_id: &str,
    case_id: &str,
    mission_id: &MissionId,
) -> Result<u64, StoreError> {
    crate::consular::changed();
    Ok(with_pool!(db.write(), p => {
        sqlx::query(
            "UPDATE documents SET case_id = $3, mission_id = $4, purged_from_case = NULL \
             WHERE owner_id = $1 AND purged_from_case = $2 AND case_id IS NULL AND deleted_at IS NULL",
        )
        .bind(owner_id)
        .bind(lost_case_id)
        .bind(case_id)
        .bind(mission_id.as_str())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?)
}

/// Hides a document from every list and from download; its bytes stay until a purge.
pub async fn mark_deleted(tx: &mut Tx, doc_id: &str) -> Result<(), StoreError> {
    crate::consular::changed();
    let n = with_tx!(tx, c => {
        sqlx::query("UPDATE documents SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL")
            .bind(doc_id)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    changed_any(n)
}

/// What [`delete_unfiled`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// The document and, when no other document uses them, its bytes.
    Yes,
    /// No document has that id (any more).
    Gone,
    /// Theirs, but filed with an application: it stays with it.
    Filed,
    /// Someone else's: left as it is.
    NotTheirs,
}

/// Deletes `owner_id`'s document `doc_id` when it is filed with no application (an upload
/// to My documents, or one a discarded or expired draft gave back), and its file when no
/// other document uses the same bytes. What an application holds stays with it.
pub async fn delete_unfiled(
    db: &Db,
    uploads: &Uploads,
    owner_id: &str,
    doc_id: &str,
) -> Result<Deleted, StoreError> {
    crate::consular::changed();
    let mut tx = db.begin().await?;
    let sha256: Option<String> = with_tx!(&mut tx, c => {
        sqlx::query_scalar(
            "DELETE FROM documents WHERE id = $1 AND owner_id = $2 AND case_id IS NULL \
             RETURNING sha256",
        )
        .bind(doc_id)
        .bind(owner_id)
        .fetch_optional(c)
        .await
    })?;
    let Some(sha256) = sha256 else {
        let owner: Option<String> = with_tx!(&mut tx, c => {
            sqlx::query_scalar("SELECT owner_id FROM documents WHERE id = $1")
                .bind(doc_id)
                .fetch_optional(c)
                .await
        })?;
        tx.rollback().await?;
        return Ok(match owner {
            None => Deleted::Gone,
            Some(o) if o == owner_id => Deleted::Filed,
            Some(_) => Deleted::NotTheirs,
        });
    };
    tx.commit().await?;
    if let Err(e) = remove_if_unreferenced(db, uploads, &sha256).await {
        // The row is gone; a file left behind is only disk space.
        tracing::warn!(%sha256, error = %e, "removing an unreferenced upload failed");
    }
    Ok(Deleted::Yes)
}

/// The stored bytes of a document.
pub async fn read_bytes(uploads: &Uploads, doc: &Document) -> Result<Vec<u8>, StoreError> {
    let path = uploads
        .path_for(&doc.sha256)
        .ok_or_else(|| StoreError::Corrupt(format!("document {}: sha256", doc.id)))?;
    tokio::fs::read(&path).await.map_err(|e| {
        StoreError::Corrupt(format!(
            "document {}: bytes unreadable at {}: {e}",
            doc.id,
            path.display()
        ))
    })
}

/// Marks infected every document holding the bytes `sha256` (the same file, whoever sent it
/// and whatever an earlier scan said): they are no longer served. Returns the documents it
/// changed.
pub async fn mark_infected(db: &Db, sha256: &str) -> Result<Vec<DocumentId>, StoreError> {
    crate::consular::changed();
    let ids: Vec<String> = with_pool!(db.write(), p => {
        sqlx::query_scalar(
            "UPDATE documents SET scan_status = $2, scanned_at = $3 \
             WHERE sha256 = $1 AND scan_status <> $2 RETURNING id",
        )
        .bind(sha256)
        .bind(ScanStatus::Infected.as_str())
        .bind(now())
        .fetch_all(p)
        .await
    })?;
    Ok(ids.into_iter().map(DocumentId::from_trusted).collect())
}

/// What [`rescan`] did: the files it scanned, and the documents by the verdict they now
/// carry (or whose file was missing, left as they were).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rescanned {
    pub files: u64,
    pub clean: u64,
    /// Documents marked infected, those with the same bytes that were scanned clean before
    /// among them.
    pub infected: Vec<DocumentId>,
    pub failed: u64,
    pub missing: u64,
}

/// Scans again the stored files of the documents whose scan failed or that were never
/// scanned (uploaded before a scanner was configured), one file at a time, and records the
/// verdict on every document holding those bytes; an infected file marks all of them (as
/// [`mark_infected`]). Nothing happens without a scanner.
pub async fn rescan(
    db: &Db,
    uploads: &Uploads,
    scan: &ScanConfig,
) -> Result<Rescanned, UploadError> {
    let mut done = Rescanned::default();
    if !scan.is_enabled() {
        return Ok(done);
    }
    let pending = [ScanStatus::Failed.as_str(), ScanStatus::NotScanned.as_str()];
    let hashes: Vec<String> = with_pool!(db.read(), p => {
        sqlx::query_scalar(
            "SELECT DISTINCT sha256 FROM documents WHERE scan_status IN ($1, $2) ORDER BY sha256",
        )
        .bind(pending[0])
        .bind(pending[1])
        .fetch_all(p)
        .await
    })
    .map_err(StoreError::from)?;
    for sha256 in hashes {
        let scanner = scan.clone();
        let path = uploads.path_for(&sha256);
        let verdict =
            blocking(move || path.filter(|p| p.is_file()).map(|path| scanner.scan(&path))).await?;
        let verdict = match verdict {
            Some(verdict) => {
                done.files += 1;
                verdict
            }
            None => {
                let n: i64 = with_pool!(db.read(), p => {
                    sqlx::query_scalar(
                        "SELECT COUNT(*) FROM documents WHERE sha256 = $1 AND scan_status IN ($2, $3)",
                    )
                    .bind(&sha256)
                    .bind(pending[0])
                    .bind(pending[1])
                    .fetch_one(p)
                    .await
                })
                .map_err(StoreError::from)?;
                tracing::warn!(%sha256, documents = n, "a document's file is missing: not scanned again");
                done.missing += u64::try_from(n).unwrap_or(0);
                continue;
            }
        };
        if verdict == ScanStatus::Infected {
            let ids = mark_infected(db, &sha256).await?;
            tracing::warn!(%sha256, documents = ?ids, "a stored file scanned again was found infected");
            done.infected.extend(ids);
            continue;
        }
        crate::consular::changed();
        let n = with_pool!(db.write(), p => {
            sqlx::query(
                "UPDATE documents SET scan_status = $2, scanned_at = $3 \
                 WHERE sha256 = $1 AND scan_status IN ($4, $5)",
            )
            .bind(&sha256)
            .bind(verdict.as_str())
            .bind(now())
            .bind(pending[0])
            .bind(pending[1])
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(StoreError::from)?;
        match verdict {
            ScanStatus::Clean => done.clean += n,
            _ => done.failed += n,
        }
    }
    Ok(done)
}

/// Deletes every document of a case (live or marked deleted) and the files no other
/// document uses. Returns how many rows went.
pub async fn purge_for_case(db: &Db, uploads: &Uploads, case_id: &str) -> Result<u64, StoreError> {
    crate::consular::changed();
    let mut tx = db.begin().await?;
    let hashes: Vec<String> = with_tx!(&mut tx, c => {
        sqlx::query_scalar("SELECT DISTINCT sha256 FROM documents WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(c)
            .await
    })?;
    let n = with_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM documents WHERE case_id = $1")
            .bind(case_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    for sha256 in hashes {
        if let Err(e) = remove_if_unreferenced(db, uploads, &sha256).await {
            // The rows are gone; a file left behind is only disk space.
            tracing::warn!(%sha256, error = %e, "removing an unreferenced upload failed");
        }
    }
    Ok(n)
}

/// Removes the files no document names, written more than `age` ago, and the temporary
/// files of writes that never finished: what a crash or a failed removal after a purge or a
/// deletion left behind (the record goes first, in its transaction; the file after it). The
/// age leaves alone a file an upload has just written and is about to record. Returns how
/// many files went.
pub async fn sweep_unreferenced(
    db: &Db,
    uploads: &Uploads,
    age: std::time::Duration,
) -> Result<u64, UploadError> {
    let before = std::time::SystemTime::now() - age;
    let area = uploads.clone();
    let (stored, unfinished) = blocking(move || area.older_files(before)).await??;
    let mut removed = 0;
    for path in unfinished {
        if blocking(move || std::fs::remove_file(path)).await?.is_ok() {
            removed += 1;
        }
    }
    for sha256 in stored {
        let users: i64 = with_pool!(db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
                .bind(&sha256)
                .fetch_one(p)
                .await
        })
        .map_err(StoreError::from)?;
        if users > 0 {
            continue;
        }
        // Looked at again: an upload of the same bytes touches the file before recording it.
        let area = uploads.clone();
        let gone = blocking(move || {
            area.remove_unless_written_since(&sha256, before)
                .unwrap_or(false)
        })
        .await?;
        if gone {
            removed += 1;
        }
    }
    Ok(removed)
}

async fn remove_if_unreferenced(
    db: &Db,
    uploads: &Uploads,
    sha256: &str,
) -> Result<(), UploadError> {
    remove_unless_used_since(db, uploads, sha256, std::time::SystemTime::now()).await
}

/// Removes the file of `sha256` when no document names it and nothing wrote it since `since`
/// (taken before the count). An upload of the same bytes by someone else records its row and
/// then writes the file again (touching it when present): if its row came after the count,
/// its write came after `since`, and the file stays for it, or is written anew by it
/// (`Uploads::remove_unless_written_since`). Without that, the removal could follow that
/// write and leave its document without bytes.
async fn remove_unless_used_since(
    db: &Db,
    uploads: &Uploads,
    sha256: &str,
    since: std::time::SystemTime,
) -> Result<(), UploadError> {
    let users: i64 = with_pool!(db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM documents WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(p)
            .await
    })
    .map_err(StoreError::from)?;
    if users == 0 {
        let area = uploads.clone();
        let sha256 = sha256.to_owned();
        blocking(move || area.remove_unless_written_since(&sha256, since)).await??;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    #[tokio::test]
    async fn bytes_written_again_after_the_count_began_are_kept() {
        let test = crate::testing::TestDb::sqlite().await;
        let dir = crate::testing::tempdir::Dir::new("safir-blobs").unwrap();
        let uploads = Uploads::new(dir.path());
        let sha256 = "ab".repeat(32);
        uploads.write(&sha256, b"the same invitation").unwrap();
        let path = uploads.path_for(&sha256).unwrap();
        // Another upload of these bytes recorded its row after the count and wrote the file
        // again: no row is counted, but the file is newer than the removal's start.
        let before_that_write = SystemTime::now() - Duration::from_secs(5);
        remove_unless_used_since(&test.db, &uploads, &sha256, before_that_write)
            .await
            .unwrap();
        assert!(path.is_file(), "kept for the upload that wrote it");
        // Unwritten since the removal began and named by no document: removed.
        let later = SystemTime::now() + Duration::from_secs(1);
        remove_unless_used_since(&test.db, &uploads, &sha256, later)
            .await
            .unwrap();
        assert!(!path.is_file());
    }
}
