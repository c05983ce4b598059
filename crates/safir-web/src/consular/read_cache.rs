//! What the officers' case queue and the applicant's status page read from the database, kept
//! in this process for a moment (`consular.read_cache_seconds`, see `crate::read_cache`).
//!
//! The queue's rows are also kept drawn (the HTML of the table's rows, per language), tied to
//! the very rows read and only as long as every age and missed-deadline mark in it is what
//! would be drawn now, so most views only splice it into the page. The filter form and the
//! state counts above the table are kept drawn the same way, per filters as typed and
//! language, reused only while the counts, services and officers they show read the same.
//!
//! Only data is kept, never a decision: who may see it is checked on every request (the
//! queue's mission permission before its rows are looked up, the status page's applicant
//! against the cached case), the officers' read of the queue is audited on every request, and
//! anything that depends on the time (a case's age, a missed deadline) is computed when the
//! page is drawn.
//!
//! Freshness: every write of this process to cases, their history, messages, documents,
//! e-visas, services or appointments ([`safir_store::consular::changes`]) or to users and missions
//! ([`safir_store::accounts::changes`], for the names shown) empties the maps before the next
//! read of them, and again when the request that wrote is over (the write moves the count
//! before its commit). A change made by another process (another instance on the same
//! PostgreSQL database, an admin command) or by a background job of this one (an emergency's
//! escalation, the retention purge: no request ends after their commit) shows within the TTL;
//! so does a case that passes
//! the queue's "older than" or "missed deadline" filter only by the passing of time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use safir_domain::consular::case::CaseKind;
use safir_store::StoreError;
use safir_store::accounts;
use safir_store::consular::appointments::{self, Appointment};
use safir_store::consular::cases::{self, Case, CaseNames, Event, Message, QueueFilter, QueueRow};
use safir_store::consular::documents::{self, Document};
use safir_store::consular::services::{self, Service};
use safir_store::consular::{self, evisas};

use super::officer::Officer;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::read_cache::ReadCache;
use crate::state::AppState;

/// Distinct queue views kept at once (mission × filters × page); each holds at most 201 rows.
const MAX_QUEUE_VIEWS: usize = 2_000;
/// Queue views kept drawn at once (mission × filters × page × language); each is the HTML of
/// at most 200 rows (about 45 KB for the default 50).
const MAX_DRAWN_VIEWS: usize = 256;
/// Case status pages kept at once.
const MAX_CASES: usize = 20_000;
/// Missions whose service lists are kept at once.
const MAX_MISSIONS: usize = 10_000;

/// The write count the maps follow: consular writes and account writes (user and mission
/// names appear on both pages).
pub fn writes() -> u64 {
    consular::changes().wrapping_add(accounts::changes())
}

/// One queue view: the mission and its filters, sort and page, normalized.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueKey {
    pub mission_id: String,
    pub view: String,
}

/// One queue view's rows drawn in one language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DrawnKey {
    pub queue: QueueKey,
    pub lang: Lang,
}

/// The HTML of a queue view's rows, and for which rows, address and instants it is exact.
#[derive(Debug)]
pub struct DrawnRows {
    /// The rows it was drawn from: rows read again (a new value) are drawn again.
    pub rows: Arc<Vec<QueueRow>>,
    /// The queue's address the rows link under.
    pub base: String,
    /// From this instant until (not including) `until`, every age and missed-deadline mark of
    /// the rows is drawn the same.
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub html: Arc<str>,
}

impl DrawnRows {
    fn fits(&self, rows: &Arc<Vec<QueueRow>>, base: &str, at: DateTime<Utc>) -> bool {
        Arc::ptr_eq(&self.rows, rows) && self.base == base && self.from <= at && at < self.until
    }
}

/// One queue's filter form and state counts drawn in one language: the mission and the
/// filters exactly as typed (the form shows them back).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FiltersKey {
    pub mission_id: String,
    pub lang: Lang,
    pub typed: String,
}

/// The HTML of a queue's filter form and state counts, and what it was drawn from: it is
/// reused only while all of that reads the same.
#[derive(Debug)]
pub(super) struct DrawnFilters {
    counts: BTreeMap<String, i64>,
    services: Arc<Vec<Service>>,
    officers: Vec<Officer>,
    html: Arc<str>,
}

impl DrawnFilters {
    fn fits(
        &self,
        counts: &BTreeMap<String, i64>,
        services: &Arc<Vec<Service>>,
        officers: &[Officer],
    ) -> bool {
        Arc::ptr_eq(&self.services, services) && self.counts == *counts && self.officers == officers
    }
}

/// Everything the applicant's status page shows of one case.
#[derive(Debug)]
pub struct CaseStatus {
    pub case: Case,
    pub names: CaseNames,
    /// The e-visa issued for this case, if it is a decided visa application: its id, and
    /// whether it was revoked since.
    pub evisa: Option<(String, bool)>,
    pub events: Vec<Event>,
    /// The conversation without the officers' internal notes.
    pub messages: Vec<Message>,
    pub documents: Vec<Document>,
    /// The live appointments booked for the case.
    pub appointments: Vec<Appointment>,
}

/// See the module documentation.
pub struct ConsularReads {
    /// Keyed by mission id.
    services: ReadCache<String, Arc<Vec<Service>>>,
    queue: ReadCache<QueueKey, Arc<Vec<QueueRow>>>,
    drawn: ReadCache<DrawnKey, Arc<DrawnRows>>,
    filters: ReadCache<FiltersKey, Arc<DrawnFilters>>,
    /// Keyed by case id.
    status: ReadCache<String, Arc<CaseStatus>>,
}

impl ConsularReads {
    pub fn new(ttl: Duration) -> Self {
        Self {
            services: ReadCache::new(ttl, MAX_MISSIONS).following(writes),
            queue: ReadCache::new(ttl, MAX_QUEUE_VIEWS).following(writes),
            drawn: ReadCache::new(ttl, MAX_DRAWN_VIEWS).following(writes),
            filters: ReadCache::new(ttl, MAX_DRAWN_VIEWS).following(writes),
            status: ReadCache::new(ttl, MAX_CASES).following(writes),
        }
    }

    /// Forgets everything (after a request that wrote consular data or accounts).
    pub fn clear(&self) {
        self.services.clear();
        self.queue.clear();
        self.drawn.clear();
        self.filters.clear();
        self.status.clear();
    }
}

/// The mission's services (as `services::list_for_mission`), through the cache.
pub async fn mission_services(
    state: &AppState,
    mission_id: &str,
) -> Result<Arc<Vec<Service>>, AppError> {
    let cache = &state.consular_reads.services;
    cache
        .get_or_read(mission_id, Duration::ZERO, async {
            Ok(Arc::new(
                services::list_for_mission(&state.db, mission_id)
                    .await
                    .map_err(AppError::internal)?,
            ))
        })
        .await
}

/// The queue's rows for `filter` (as `cases::queue`), through the cache under `key`, which
/// must name everything the filter was made from.
pub async fn queue_rows(
    state: &AppState,
    key: QueueKey,
    filter: &QueueFilter,
) -> Result<Arc<Vec<QueueRow>>, AppError> {
    let cache = &state.consular_reads.queue;
    cache
        .get_or_read(&key, Duration::ZERO, async {
            Ok(Arc::new(
                cases::queue(&state.db, filter)
                    .await
                    .map_err(AppError::internal)?,
            ))
        })
        .await
}

/// The HTML of `rows` (the value [`queue_rows`] returned for `key.queue`) drawn at `at` under
/// `base`: the one drawn by an earlier request if it was drawn from these very rows and is
/// still exact at `at`, else what `draw` returns (the HTML and the first instant at which it
/// would be drawn differently), kept for the next requests.
pub fn drawn_queue_rows(
    state: &AppState,
    key: DrawnKey,
    rows: &Arc<Vec<QueueRow>>,
    base: &str,
    at: DateTime<Utc>,
    draw: impl FnOnce() -> Result<(String, DateTime<Utc>), AppError>,
) -> Result<Arc<str>, AppError> {
    let cache = &state.consular_reads.drawn;
    if let Some(hit) = cache.get(&key)
        && hit.fits(rows, base, at)
    {
        return Ok(hit.html.clone());
    }
    let ticket = cache.ticket();
    let (html, until) = draw()?;
    let html: Arc<str> = html.into();
    if until > at {
        let drawn = DrawnRows {
            rows: rows.clone(),
            base: base.to_owned(),
            from: at,
            until,
            html: html.clone(),
        };
        cache.put(ticket, key, Arc::new(drawn));
    }
    Ok(html)
}

/// A queue's filter form and state counts as drawn by `draw` from these counts, services and
/// officers, kept for the next view of the same filters in the same language while those
/// read the same.
pub(super) fn drawn_queue_filters(
    state: &AppState,
    key: FiltersKey,
    counts: BTreeMap<String, i64>,
    services: &Arc<Vec<Service>>,
    officers: Vec<Officer>,
    draw: impl FnOnce(&BTreeMap<String, i64>, &[Officer]) -> Result<String, AppError>,
) -> Result<Arc<str>, AppError> {
    let cache = &state.consular_reads.filters;
    if let Some(hit) = cache.get(&key)
        && hit.fits(&counts, services, &officers)
    {
        return Ok(hit.html.clone());
    }
    let ticket = cache.ticket();
    let html: Arc<str> = draw(&counts, &officers)?.into();
    let drawn = DrawnFilters {
        counts,
        services: services.clone(),
        officers,
        html: html.clone(),
    };
    cache.put(ticket, key, Arc::new(drawn));
    Ok(html)
}

/// Everything the status page shows of the case, through the cache. Whoever asks must still
/// check that the case is theirs to see.
pub async fn case_status(state: &AppState, case_id: &str) -> Result<Arc<CaseStatus>, AppError> {
    let cache = &state.consular_reads.status;
    cache
        .get_or_read(case_id, Duration::ZERO, async {
            Ok(Arc::new(read_status(state, case_id).await?))
        })
        .await
}

async fn read_status(state: &AppState, case_id: &str) -> Result<CaseStatus, AppError> {
    let db = &state.db;
    // The case with its service and mission names in one read.
    let (case, names) = match cases::find_with_names(db, case_id).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(AppError::internal(e)),
    };
    let kind = case.kind().map_err(AppError::internal)?;
    let decided = case.state().map_err(AppError::internal)?.is_decided();
    let evisa = async {
        if kind == CaseKind::Visa && decided {
            let issued = evisas::find_for_case(db, &case.applicant_id, &case.id).await?;
            Ok(issued.map(|v| {
                let revoked = v.is_revoked();
                (v.id, revoked)
            }))
        } else {
            Ok::<_, StoreError>(None)
        }
    };
    // The rest does not depend on each other: read it side by side.
    let (evisa, events, messages, documents, appointments) = tokio::try_join!(
        evisa,
        cases::events(db, &case.id),
        cases::list_messages(db, &case.id, false),
        documents::list_for_case(db, &case.id),
        appointments::list_for_case(db, &case.id),
    )
    .map_err(AppError::internal)?;
    Ok(CaseStatus {
        case,
        names,
        evisa,
        events,
        messages,
        documents,
        appointments,
    })
}
