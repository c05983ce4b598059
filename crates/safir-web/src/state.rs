//! The application state every handler receives.

use std::sync::Arc;
use std::time::Duration;

use safir_domain::consular::evisa::EvisaSigningKey;
use safir_store::Db;
use safir_store::consular::documents::{ScanConfig, Uploads};

use crate::metrics::Metrics;
use crate::security::{RateLimiter, SecurityConfig};

/// What the web layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address users reach the site at, without a trailing slash (links in emails).
    pub public_url: String,
    /// No public URL was configured (`public_url` is then only a guess from the address the
    /// server listens on, such as `http://0.0.0.0:8080`): a state-changing request is checked
    /// against its own `Host` rather than against `public_url`, so that a browser on
    /// `localhost`, or on any name of a server listening on all its addresses, can send forms.
    pub origin_from_host: bool,
    pub behind_tls: bool,
    pub trusted_proxy: bool,
    pub body_limit: usize,
    /// Body limit of the routes that take file uploads (see `consular::upload`).
    pub upload_body_limit: usize,
    /// Where uploaded documents are stored (`<data_dir>/uploads`).
    pub uploads: Uploads,
    /// The virus scanner run on each upload, if any.
    pub scan: ScanConfig,
    pub session_ttl: chrono::Duration,
    /// How long sessions, tokens, missions and staff lists are kept in this process (see
    /// `auth::cache`); zero reads the database on every request.
    pub auth_cache_ttl: Duration,
    pub login_max_failures: i32,
    pub login_lockout: chrono::Duration,
    pub login_attempts_per_minute: u32,
    /// Changes through the API per account and minute (see `auth::access`).
    pub api_writes_per_minute: u32,
    /// Reads through the API of staff routes per account and minute (see `auth::access`).
    pub api_staff_reads_per_minute: u32,
    /// The address a booking's calendar file names as its organizer when the mission has none
    /// of its own (the one mail comes from).
    pub calendar_organizer: Option<String>,
    /// E-visa checks (`/verify?v=…`, `/api/v1/verify`) per client address and minute.
    pub verify_lookups_per_minute: u32,
    pub consular: ConsularConfig,
    pub crisis: CrisisConfig,
}

/// Crisis response settings (sending rates and the SMS gateway are the delivery's).
#[derive(Clone)]
pub struct CrisisConfig {
    /// Audience size above which an alert needs a second staff member's approval.
    pub approval_threshold: u32,
    /// How long trip and presence registrations are kept after the trip ends.
    pub registration_retention: chrono::Duration,
    /// Default delay before non-responders get a reminder.
    pub reminder: chrono::Duration,
    /// The secret the SMS gateway sends with receipts and inbound messages (empty: those
    /// routes refuse everything).
    pub sms_inbound_secret: String,
    /// Partner webhooks may be addresses of private networks (see
    /// `safir_notify::address`); off, the form refuses them.
    pub webhook_private_networks: bool,
}

impl std::fmt::Debug for CrisisConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrisisConfig")
            .field("approval_threshold", &self.approval_threshold)
            .field("registration_retention", &self.registration_retention)
            .field("reminder", &self.reminder)
            .field("sms_inbound_secret", &"<redacted>")
            .field("webhook_private_networks", &self.webhook_private_networks)
            .finish()
    }
}

impl Default for CrisisConfig {
    fn default() -> Self {
        Self {
            approval_threshold: 1000,
            registration_retention: chrono::Duration::days(30),
            reminder: chrono::Duration::minutes(120),
            sms_inbound_secret: String::new(),
            webhook_private_networks: false,
        }
    }
}

/// Time limits of consular work.
#[derive(Debug, Clone)]
pub struct ConsularConfig {
    /// An unsubmitted draft is deleted this long after it was last saved.
    pub draft_ttl: chrono::Duration,
    /// An emergency request not acknowledged within this time escalates.
    pub emergency_ack: chrono::Duration,
    /// The most emergency requests one account sends from the form or the API in an hour.
    pub emergency_requests_per_hour: u32,
    /// The most emergency requests of one account waiting for their acknowledgement at once
    /// (from the form or the API; a crisis check-in's "need help" is not refused).
    pub emergency_requests_open: u32,
    /// Closed cases (with their documents) are purged this long after closing.
    pub closed_retention: chrono::Duration,
    /// How long the case queue's and the status page's reads are kept in this process (see
    /// `consular::read_cache`); zero reads the database on every request.
    pub read_cache_ttl: Duration,
    /// Whose calendar day an e-visa's dates are checked against.
    pub evisa_zone: chrono_tz::Tz,
    /// The most cases one CSV export holds; a larger one ends with a line saying it was cut.
    pub export_max_rows: usize,
    /// The most documents, and bytes, one account may hold through its uploads.
    pub document_quota: safir_store::consular::documents::UploadQuota,
}

impl ConsularConfig {
    /// Today in the e-visas' time zone: the day their validity is checked against.
    pub fn evisa_today(&self) -> chrono::NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.evisa_zone)
            .date_naive()
    }
}

impl Default for ConsularConfig {
    fn default() -> Self {
        Self {
            draft_ttl: chrono::Duration::days(30),
            emergency_ack: chrono::Duration::minutes(30),
            emergency_requests_per_hour: 3,
            emergency_requests_open: 2,
            closed_retention: chrono::Duration::days(365 * 2),
            read_cache_ttl: Duration::from_secs(2),
            evisa_zone: chrono_tz::Tz::UTC,
            export_max_rows: 100_000,
            document_quota: safir_store::consular::documents::UploadQuota::DEFAULT,
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            origin_from_host: false,
            behind_tls: false,
            trusted_proxy: false,
            body_limit: crate::layers::DEFAULT_BODY_LIMIT,
            upload_body_limit: crate::consular::upload::DEFAULT_UPLOAD_BODY_LIMIT,
            uploads: Uploads::new("./safir-data/uploads"),
            scan: ScanConfig::none(),
            session_ttl: chrono::Duration::hours(12),
            auth_cache_ttl: Duration::from_secs(2),
            login_max_failures: 5,
            login_lockout: chrono::Duration::minutes(15),
            login_attempts_per_minute: 10,
            api_writes_per_minute: 300,
            api_staff_reads_per_minute: 600,
            calendar_organizer: Some("no-reply@safir.localhost".to_owned()),
            verify_lookups_per_minute: 30,
            consular: ConsularConfig::default(),
            crisis: CrisisConfig::default(),
        }
    }
}

/// Everything a handler needs, behind one shared pointer: every middleware layer and route
/// clones the state for each request, so a clone is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    pub db: Db,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// The CSRF form tokens' key, shared by every process through the database.
    pub form_tokens: crate::security::csrf::FormTokens,
    /// Sign-in attempts per client address.
    pub login_limiter: Arc<RateLimiter>,
    /// Changes through the API per account.
    pub api_write_limiter: Arc<RateLimiter>,
    /// Reads through the API of staff routes per account.
    pub api_staff_read_limiter: Arc<RateLimiter>,
    /// Subscription confirmations sent per address (email or phone), whatever the country
    /// and whoever asks: see `crisis::subscriptions`.
    pub confirmation_limiter: Arc<RateLimiter>,
    /// Signs e-visas; made on first start and kept in the database, shared by every process.
    pub evisa_key: Arc<EvisaSigningKey>,
    /// The keys that signed e-visas before `evisa_key`, read at start (a rotation takes
    /// effect when the processes restart).
    pub evisa_retired: Arc<Vec<safir_store::consular::evisas::RetiredKey>>,
    /// Signs the personal check-in links of crisis alerts; made on first start, kept in the
    /// database, shared by every process.
    pub checkin_key: Arc<Vec<u8>>,
    /// Cases per state per mission, kept a few seconds (see `consular::counts`).
    pub case_counts: Arc<crate::consular::counts::CountsCache>,
    /// Appends the audit records of reads in group commits (see `audit_log`).
    pub audit: crate::audit_log::AuditWriter,
    /// Sessions, tokens, missions and staff lists, kept a moment (see `auth::cache`).
    pub auth_cache: Arc<crate::auth::cache::AuthCache>,
    /// What the case queue and the applicant's status page read, kept a moment (see
    /// `consular::read_cache`).
    pub consular_reads: Arc<crate::consular::read_cache::ConsularReads>,
    /// Records check-in answers in group commits (see `crisis::checkin::AnswerWriter`).
    pub checkin_writer: crate::crisis::checkin::AnswerWriter,
    /// The crises the home page announces, kept a few seconds (see `home`).
    pub public_crises: Arc<crate::home::PublicCrises>,
    /// The API routes whose reads count against `api_staff_reads_per_minute`, as the route
    /// table names them; set once the routes are built, for the OpenAPI document.
    pub staff_api_reads: std::sync::OnceLock<Vec<&'static str>>,
}

impl AppState {
    pub async fn new(db: Db, config: WebConfig) -> Result<Self, safir_store::StoreError> {
        let csrf_secret = safir_store::settings::secret(&db, "csrf_key").await?;
        let evisa_key = safir_store::consular::evisas::signing_key(&db).await?;
        let evisa_retired = safir_store::consular::evisas::retired_keys(&db).await?;
        let checkin_key = safir_store::crisis::checkins::checkin_key(&db).await?;
        let per_minute = config.login_attempts_per_minute.max(1);
        let login_limiter = RateLimiter::new(per_minute, Duration::from_secs(60) / per_minute);
        let writes = config.api_writes_per_minute.max(1);
        let api_write_limiter = RateLimiter::new(writes, Duration::from_secs(60) / writes);
        let reads = config.api_staff_reads_per_minute.max(1);
        let api_staff_read_limiter = RateLimiter::new(reads, Duration::from_secs(60) / reads);
        let checkin_writer = crate::crisis::checkin::AnswerWriter::start(db.clone());
        let audit = crate::audit_log::AuditWriter::start(db.clone());
        let auth_cache = Arc::new(crate::auth::cache::AuthCache::new(config.auth_cache_ttl));
        let consular_reads = Arc::new(crate::consular::read_cache::ConsularReads::new(
            config.consular.read_cache_ttl,
        ));
        Ok(Self(Arc::new(AppStateInner {
            db,
            config: Arc::new(config),
            metrics: Metrics::new(),
            form_tokens: crate::security::csrf::FormTokens::new(&csrf_secret),
            login_limiter: Arc::new(login_limiter),
            api_write_limiter: Arc::new(api_write_limiter),
            api_staff_read_limiter: Arc::new(api_staff_read_limiter),
            confirmation_limiter: Arc::new(crate::crisis::subscriptions::confirmation_limiter()),
            evisa_key: Arc::new(evisa_key),
            evisa_retired: Arc::new(evisa_retired),
            checkin_key: Arc::new(checkin_key),
            case_counts: Arc::default(),
            auth_cache,
            consular_reads,
            audit,
            checkin_writer,
            public_crises: Arc::new(crate::home::public_crises()),
            staff_api_reads: std::sync::OnceLock::new(),
        })))
    }

    pub fn security(&self) -> SecurityConfig {
        SecurityConfig {
            behind_tls: self.config.behind_tls,
            public_origin: (!self.config.origin_from_host).then(|| self.config.public_url.clone()),
        }
    }
}

impl AppState {
    /// The page frame for this viewer: navigation by permission and the sign-out form.
    pub fn page(
        &self,
        lang: crate::i18n::Lang,
        uri: &axum::http::Uri,
        title_key: &str,
        viewer: &crate::auth::Viewer,
    ) -> crate::page::Page {
        let token = crate::auth::csrf_form::token_for(self, viewer);
        crate::page::Page::for_viewer(lang, uri, title_key, viewer, token)
    }

    /// The form token to embed in this viewer's forms.
    pub fn csrf_token(&self, viewer: &crate::auth::Viewer) -> String {
        crate::auth::csrf_form::token_for(self, viewer)
    }
}
