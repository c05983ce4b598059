//! Typed configuration: defaults, then `safir.toml`, then `SAFIR_*` environment variables,
//! then command-line flags. Every key has an environment variable named `SAFIR_` + the key in
//! capitals (`bind` → `SAFIR_BIND`, `smtp_password` → `SAFIR_SMTP_PASSWORD`); key names are
//! unique across sections for that reason. An invalid value stops start-up naming the key.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A value that must never reach a log: `Debug` and `Display` print `<redacted>`.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "<redacted>"
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub storage: Storage,
    pub mail: Mail,
    pub security: Security,
    pub jobs: Jobs,
    pub consular: Consular,
    pub crisis: Crisis,
    pub listen: Listen,
    pub log: Log,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    /// Address and port to listen on.
    pub bind: String,
    /// The address users reach Safir at (links in emails, the CSRF origin check).
    pub public_url: String,
    /// Set when a TLS-terminating proxy sits in front: cookies get `Secure`, HSTS is sent.
    pub behind_tls: bool,
    /// Trust `X-Forwarded-For` from the proxy for the client address.
    pub trusted_proxy: bool,
    /// Largest request body accepted, in KiB (uploads have their own limits).
    pub body_limit_kib: usize,
    /// Largest request body of the routes that take file uploads, in MiB.
    pub upload_body_limit_mib: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Storage {
    /// Where the SQLite database, uploads and indexes live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://<data_dir>/safir.db`.
    pub database_url: Secret,
    /// Apply PostgreSQL migrations at start (SQLite always migrates at start).
    pub auto_migrate: bool,
    /// Virus scanner run on each upload with the stored file's path appended (exit 0 clean,
    /// 1 infected, else failed); empty means uploads are not scanned.
    pub uploads_scan_command: String,
    /// A scan that takes longer than this counts as failed.
    pub uploads_scan_timeout_seconds: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Mail {
    /// `smtp`, `file` (one .eml file per message under `<data_dir>/mail`) or `console`.
    pub mail_transport: String,
    /// Sender address of every message.
    pub mail_from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    pub smtp_username: String,
    pub smtp_password: Secret,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// A session lasts this long after its last use.
    pub session_ttl_hours: u32,
    /// Failed sign-ins in a row before the account is locked.
    pub login_max_failures: u32,
    /// How long a locked account stays locked.
    pub login_lockout_minutes: u32,
    /// Sign-in attempts allowed per client address per minute.
    pub login_attempts_per_minute: u32,
    /// Changes through the API (`POST`, `PUT`, `PATCH`, `DELETE` under `/api/`) allowed per
    /// account per minute, in bursts of as many.
    pub api_writes_per_minute: u32,
    /// Reads through the API of staff routes (case queues, cases, documents, bookings, the
    /// audit trail: the personal data of others) allowed per account per minute, in bursts of
    /// as many.
    pub api_staff_reads_per_minute: u32,
    /// Seconds a process keeps a resolved session or API token (user and grants), a mission
    /// and its staff list before reading them again; a change made by another process takes
    /// effect within this time, one made through this process at once. 0 turns it off.
    pub auth_cache_seconds: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Jobs {
    /// Run job workers inside `safir serve` (turn off when running `safir worker` apart).
    pub workers_in_process: bool,
    /// Jobs run at once per process.
    pub job_concurrency: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Consular {
    /// Days an unsubmitted application draft is kept after it was last saved.
    pub draft_ttl_days: u32,
    /// Minutes an emergency request may wait for acknowledgement before it escalates.
    pub emergency_ack_minutes: u32,
    /// The most emergency requests one account may send (from the form or the API) in an hour.
    pub emergency_requests_per_hour: u32,
    /// The most emergency requests of one account that may wait for their acknowledgement at
    /// once; a crisis check-in's "need help" is never refused.
    pub emergency_requests_open: u32,
    /// Days a closed case (with its documents) is kept before it is purged.
    pub closed_case_retention_days: u32,
    /// Seconds a process keeps what the case queue and the applicant's status page read
    /// (0: read the database on every request).
    pub read_cache_seconds: u32,
    /// The time zone (IANA name) whose calendar day decides whether an e-visa is valid, not
    /// yet valid or expired: that of the country the visas admit to.
    pub evisa_time_zone: String,
    /// The most cases one CSV export of the officers' queue holds (the whole file is built in
    /// memory); a larger export ends with a line saying so.
    pub export_max_rows: u32,
    /// The most documents one account may hold through its uploads (those filed with no
    /// application, and those of its applications the mission has not decided yet).
    pub document_quota_count: u32,
    /// The most MiB those documents may take in all.
    pub document_quota_mib: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Crisis {
    /// An alert whose audience is larger than this needs a second staff member's approval.
    pub approval_threshold: u32,
    /// Days a trip or presence registration is kept after the trip ends.
    pub registration_retention_days: u32,
    /// Minutes after an alert before non-responders get a reminder (a crisis may override).
    pub reminder_minutes: u32,
    /// Per-channel sending rates (token buckets, per process).
    pub email_per_second: u32,
    pub sms_per_second: u32,
    pub webhook_per_second: u32,
    /// Alert messages in flight at once per delivery job, and the SMTP connections the alert
    /// mailer keeps open.
    pub delivery_concurrency: u32,
    /// SMS gateway: `none` (SMS disabled), `generic` (the URL and body template below),
    /// `twilio` (Twilio's Messages API at the URL below) or `file` (no gateway: messages are
    /// appended to `<data_dir>/sms/outbox.jsonl`, for the demo and local trials).
    pub sms_gateway: String,
    /// The gateway's send URL (for `twilio`, the account's base URL).
    pub sms_gateway_url: String,
    /// `generic` only: `json` or `form`.
    pub sms_gateway_format: String,
    /// `generic` only: the body, with `{to}`, `{from}`, `{body}` and `{key}` replaced.
    pub sms_gateway_template: String,
    /// Sender number or name.
    pub sms_from: String,
    /// Basic-auth user (Twilio: the account SID).
    pub sms_gateway_username: String,
    /// Basic-auth password or bearer token (Twilio: the auth token).
    pub sms_gateway_token: Secret,
    /// The secret the gateway must send with delivery receipts and inbound messages.
    pub sms_inbound_secret: Secret,
    /// A PEM file of certificate authorities that `https://` SMS gateways and webhooks may
    /// also chain to (a ministry's own CA); empty: the public web roots only.
    pub tls_ca_file: String,
    /// Partner webhooks may be addresses of private networks (loopback, RFC 1918, link-local,
    /// unique local): for partners inside the ministry's own network. Off, a webhook reaches
    /// public addresses only.
    pub webhook_private_networks: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Listen {
    /// Minutes between two checks of the listening monitors (each check imports the
    /// datasets that have enabled monitors).
    pub monitor_interval_minutes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter such as `info` or `safir=debug,info`.
    pub log_level: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: Server {
                bind: "127.0.0.1:8080".into(),
                public_url: String::new(),
                behind_tls: false,
                trusted_proxy: false,
                body_limit_kib: safir_web::layers::DEFAULT_BODY_LIMIT / 1024,
                upload_body_limit_mib: 32,
            },
            storage: Storage {
                data_dir: PathBuf::from("./safir-data"),
                database_url: Secret::default(),
                auto_migrate: false,
                uploads_scan_command: String::new(),
                uploads_scan_timeout_seconds: 60,
            },
            mail: Mail {
                mail_transport: "file".into(),
                mail_from: "Safir <no-reply@safir.localhost>".into(),
                smtp_host: "127.0.0.1".into(),
                smtp_port: 25,
                smtp_tls: "none".into(),
                smtp_username: String::new(),
                smtp_password: Secret::default(),
            },
            security: Security {
                session_ttl_hours: 12,
                login_max_failures: 5,
                login_lockout_minutes: 15,
                login_attempts_per_minute: 10,
                api_writes_per_minute: 300,
                api_staff_reads_per_minute: 600,
                auth_cache_seconds: 2,
            },
            jobs: Jobs {
                workers_in_process: true,
                job_concurrency: 4,
            },
            consular: Consular {
                draft_ttl_days: 30,
                emergency_ack_minutes: 30,
                emergency_requests_per_hour: 3,
                emergency_requests_open: 2,
                closed_case_retention_days: 730,
                read_cache_seconds: 2,
                evisa_time_zone: "UTC".into(),
                export_max_rows: 100_000,
                document_quota_count: 50,
                document_quota_mib: 200,
            },
            crisis: Crisis {
                approval_threshold: 1000,
                registration_retention_days: 30,
                reminder_minutes: 120,
                email_per_second: 350,
                sms_per_second: 50,
                webhook_per_second: 50,
                delivery_concurrency: 32,
                sms_gateway: "none".into(),
                sms_gateway_url: String::new(),
                sms_gateway_format: "json".into(),
                sms_gateway_template:
                    r#"{"to":"{to}","from":"{from}","text":"{body}","reference":"{key}"}"#.into(),
                sms_from: "Safir".into(),
                sms_gateway_username: String::new(),
                sms_gateway_token: Secret::default(),
                sms_inbound_secret: Secret::default(),
                tls_ca_file: String::new(),
                webhook_private_networks: false,
            },
            listen: Listen {
                monitor_interval_minutes: 15,
            },
            log: Log {
                log_format: "text".into(),
                log_level: "info".into(),
            },
        }
    }
}

macro_rules! section_default {
    ($($ty:ident => $field:ident),*) => {$(
        impl Default for $ty {
            fn default() -> Self {
                Config::default().$field
            }
        }
    )*};
}

section_default!(Server => server, Storage => storage, Mail => mail, Security => security, Jobs => jobs, Consular => consular, Crisis => crisis, Listen => listen, Log => log);

/// A configuration problem, naming the key.
#[derive(Debug, thiserror::Error)]
#[error("{key}: {problem}")]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

fn err(key: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        problem: problem.into(),
    }
}

/// Command-line overrides (the flags every command shares).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

impl Config {
    /// Loads defaults → file → environment → flags, then validates.
    pub fn load(flags: &Overrides, env: &[(String, String)]) -> Result<Self, ConfigError> {
        let mut table = toml::Table::try_from(Config::default())
            .map_err(|e| err("(defaults)", e.to_string()))?;
        let explicit_file = flags.config_file.clone().or_else(|| {
            env.iter()
                .find(|(k, _)| k == "SAFIR_CONFIG")
                .map(|(_, v)| PathBuf::from(v))
        });
        let file = explicit_file
            .clone()
            .unwrap_or_else(|| PathBuf::from("safir.toml"));
        if file.exists() {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| err(&file.display().to_string(), e.to_string()))?;
            let from_file: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                // The line and column of the syntax error, as an editor counts them.
                let at = e.span().map(|span| {
                    let mut start = span.start.min(text.len());
                    while !text.is_char_boundary(start) {
                        start -= 1;
                    }
                    let before = &text[..start];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
                    format!(":{line}:{column}")
                });
                err(
                    &format!("{}{}", file.display(), at.unwrap_or_default()),
                    e.message().to_owned(),
                )
            })?;
            merge(&mut table, from_file, "").map_err(|path| unknown_key(&file, &path))?;
        } else if let Some(f) = explicit_file {
            return Err(err(
                "config",
                format!("file {} does not exist", f.display()),
            ));
        }
        apply_env(&mut table, env)?;
        let mut config: Config =
            toml::Value::Table(table.clone())
                .try_into()
                .map_err(|e: toml::de::Error| {
                    err(
                        &wrong_key(&table).unwrap_or_else(|| "config".to_owned()),
                        e.message().to_owned(),
                    )
                })?;
        if let Some(b) = &flags.bind {
            config.server.bind = b.clone();
        }
        if let Some(d) = &flags.data_dir {
            config.storage.data_dir = d.clone();
        }
        if let Some(u) = &flags.database_url {
            if u.trim().is_empty() {
                return Err(err(
                    "database_url",
                    "--database-url is empty: give a database URL, or leave the flag out for the embedded SQLite database",
                ));
            }
            config.storage.database_url = Secret(u.clone());
        }
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.bind_addr()?;
        let url = self.database_url();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return Err(err(
                "database_url",
                "must start with sqlite:// or postgres://",
            ));
        }
        let public_url = &self.server.public_url;
        if !(public_url.is_empty()
            || public_url.starts_with("http://")
            || public_url.starts_with("https://"))
        {
            return Err(err("public_url", "must start with http:// or https://"));
        }
        if !["smtp", "file", "console"].contains(&self.mail.mail_transport.as_str()) {
            return Err(err("mail_transport", "must be smtp, file or console"));
        }
        if !["none", "starttls", "tls"].contains(&self.mail.smtp_tls.as_str()) {
            return Err(err("smtp_tls", "must be none, starttls or tls"));
        }
        // Well formed is enough: a test setup may send as an address under `invalid`, which
        // no person may take as their account's.
        let from = mailbox_address(&self.mail.mail_from);
        if safir_domain::accounts::Email::parse(from)
            .or_else(|_| safir_domain::accounts::Email::undeliverable(from))
            .is_err()
        {
            return Err(err(
                "mail_from",
                "must be an email address, optionally as `Name <address>`",
            ));
        }
        if !["text", "json"].contains(&self.log.log_format.as_str()) {
            return Err(err("log_format", "must be text or json"));
        }
        if let Err(e) = crate::logging::check_filter(&self.log.log_level) {
            return Err(err("log_level", e));
        }
        if self.security.auth_cache_seconds > 60 {
            return Err(err(
                "auth_cache_seconds",
                "must be at most 60 (changes made by other processes take this long to apply)",
            ));
        }
        if self.security.session_ttl_hours == 0 {
            return Err(err("session_ttl_hours", "must be at least 1"));
        }
        if !(1..=1_000_000).contains(&self.security.login_max_failures) {
            return Err(err("login_max_failures", "must be between 1 and 1000000"));
        }
        // 0 would turn off what these keys set: a lock of no time, no attempt allowed.
        if !(1..=10_080).contains(&self.security.login_lockout_minutes) {
            return Err(err(
                "login_lockout_minutes",
                "must be between 1 and 10080 (a week)",
            ));
        }
        for (key, n) in [
            (
                "login_attempts_per_minute",
                self.security.login_attempts_per_minute,
            ),
            ("api_writes_per_minute", self.security.api_writes_per_minute),
            (
                "api_staff_reads_per_minute",
                self.security.api_staff_reads_per_minute,
            ),
        ] {
            if n == 0 {
                return Err(err(key, "must be at least 1"));
            }
        }
        if self.jobs.job_concurrency == 0 || self.jobs.job_concurrency > 256 {
            return Err(err("job_concurrency", "must be between 1 and 256"));
        }
        let c = &self.consular;
        if c.read_cache_seconds > 60 {
            return Err(err(
                "read_cache_seconds",
                "must be at most 60 (changes made by other processes take this long to apply)",
            ));
        }
        if safir_domain::consular::appointments::parse_zone(&c.evisa_time_zone).is_err() {
            return Err(err(
                "evisa_time_zone",
                "must be an IANA time zone name, such as UTC or Asia/Riyadh",
            ));
        }
        if !(1..=1_000_000).contains(&c.export_max_rows) {
            return Err(err("export_max_rows", "must be between 1 and 1000000"));
        }
        if !(1..=100_000).contains(&c.document_quota_count) {
            return Err(err("document_quota_count", "must be between 1 and 100000"));
        }
        if !(1..=1_048_576).contains(&c.document_quota_mib) {
            return Err(err("document_quota_mib", "must be between 1 and 1048576"));
        }
        if !(1..=365).contains(&c.draft_ttl_days) {
            return Err(err("draft_ttl_days", "must be between 1 and 365"));
        }
        if !(1..=10_080).contains(&c.emergency_ack_minutes) {
            return Err(err(
                "emergency_ack_minutes",
                "must be between 1 and 10080 (a week)",
            ));
        }
        if !(1..=100).contains(&c.emergency_requests_per_hour) {
            return Err(err(
                "emergency_requests_per_hour",
                "must be between 1 and 100",
            ));
        }
        if !(1..=100).contains(&c.emergency_requests_open) {
            return Err(err("emergency_requests_open", "must be between 1 and 100"));
        }
        if !(1..=36_500).contains(&c.closed_case_retention_days) {
            return Err(err(
                "closed_case_retention_days",
                "must be between 1 and 36500",
            ));
        }
        let k = &self.crisis;
        if !(1..=36_500).contains(&k.registration_retention_days) {
            return Err(err(
                "registration_retention_days",
                "must be between 1 and 36500",
            ));
        }
        if !(1..=10_080).contains(&k.reminder_minutes) {
            return Err(err(
                "reminder_minutes",
                "must be between 1 and 10080 (a week)",
            ));
        }
        for (key, rate) in [
            ("email_per_second", k.email_per_second),
            ("sms_per_second", k.sms_per_second),
            ("webhook_per_second", k.webhook_per_second),
        ] {
            if !(1..=100_000).contains(&rate) {
                return Err(err(key, "must be between 1 and 100000"));
            }
        }
        if !(1..=1000).contains(&k.delivery_concurrency) {
            return Err(err("delivery_concurrency", "must be between 1 and 1000"));
        }
        if !["none", "generic", "twilio", "file"].contains(&k.sms_gateway.as_str()) {
            return Err(err("sms_gateway", "must be none, generic, twilio or file"));
        }
        let needs_url = ["generic", "twilio"].contains(&k.sms_gateway.as_str());
        if needs_url && !safir_notify::is_http_url(&k.sms_gateway_url) {
            return Err(err(
                "sms_gateway_url",
                "must be an https:// or http:// URL naming a host",
            ));
        }
        if !["json", "form"].contains(&k.sms_gateway_format.as_str()) {
            return Err(err("sms_gateway_format", "must be json or form"));
        }
        // Counted in bytes from these: beyond, the sum wraps (a limit of nothing).
        if !(1..=1_048_576).contains(&self.server.body_limit_kib) {
            return Err(err(
                "body_limit_kib",
                "must be between 1 and 1048576 (1 GiB)",
            ));
        }
        if self.server.upload_body_limit_mib == 0 || self.server.upload_body_limit_mib > 1024 {
            return Err(err("upload_body_limit_mib", "must be between 1 and 1024"));
        }
        if self.storage.uploads_scan_timeout_seconds == 0 {
            return Err(err("uploads_scan_timeout_seconds", "must be at least 1"));
        }
        if !(1..=10_080).contains(&self.listen.monitor_interval_minutes) {
            return Err(err(
                "monitor_interval_minutes",
                "must be between 1 and 10080 (a week)",
            ));
        }
        Ok(())
    }

    pub fn bind_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.server.bind.parse().map_err(|_| {
            err(
                "bind",
                format!("{:?} is not an address:port", self.server.bind),
            )
        })
    }

    /// The database URL, defaulting to the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.storage.database_url.is_empty() {
            format!(
                "sqlite://{}",
                self.storage.data_dir.join("safir.db").display()
            )
        } else {
            self.storage.database_url.expose().to_owned()
        }
    }

    /// The public URL, defaulting to `http://<bind>`.
    pub fn public_url(&self) -> String {
        if self.server.public_url.is_empty() {
            format!("http://{}", self.server.bind)
        } else {
            self.server.public_url.trim_end_matches('/').to_owned()
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.storage.data_dir
    }

    /// Where uploaded documents are stored.
    pub fn uploads_dir(&self) -> PathBuf {
        self.storage.data_dir.join("uploads")
    }

    /// The default configuration as a commented TOML file (`safir config print-default`).
    pub fn default_toml() -> String {
        let body = toml::to_string_pretty(&Config::default()).unwrap_or_default();
        format!(
            "# Safir configuration. Every key can also be set with SAFIR_<KEY> (e.g. SAFIR_BIND),\n\
             # and bind, data_dir and database_url with --bind, --data-dir and --database-url.\n\n{body}"
        )
    }
}

/// The address part of `Name <addr>` or a bare address.
pub fn mailbox_address(s: &str) -> &str {
    match (s.find('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s.trim(),
    }
}

/// Sets the values of `over` in `base`; the dotted path of the first key of `over` that `base`
/// does not have is the error.
fn merge(base: &mut toml::Table, over: toml::Table, prefix: &str) -> Result<(), String> {
    for (k, v) in over {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o, &path)?,
            (Some(slot), v) => *slot = v,
            (None, _) => return Err(path),
        }
    }
    Ok(())
}

/// A key of the configuration file `file` at the dotted `path` that is no setting there,
/// named with the file; and, when it is a setting of another section (`bind` written above
/// every section, `database_url` under [server]), with the section it belongs in.
fn unknown_key(file: &Path, path: &str) -> ConfigError {
    let (section, key) = path.rsplit_once('.').unwrap_or(("", path));
    let home = toml::Table::try_from(Config::default())
        .ok()
        .and_then(|defaults| {
            defaults
                .into_iter()
                .find(|(_, values)| values.as_table().is_some_and(|t| t.contains_key(key)))
                .map(|(home, _)| home)
        });
    let problem = match (home, section) {
        (Some(home), "") => format!("not in a section: `{key}` belongs in [{home}]"),
        (Some(home), section) => format!("not a key of [{section}]: `{key}` belongs in [{home}]"),
        (None, _) => "unknown key".to_owned(),
    };
    err(&format!("{}: {path}", file.display()), problem)
}

/// The key whose value the configuration cannot take (`smtp_port = "587"`, a port of 70000):
/// the first key that, set alone on the defaults, fails as the whole did.
fn wrong_key(table: &toml::Table) -> Option<String> {
    let defaults = toml::Table::try_from(Config::default()).ok()?;
    for (section, values) in table {
        let Some(values) = values.as_table() else {
            continue;
        };
        for (key, value) in values {
            let default = defaults.get(section).and_then(|s| s.get(key));
            if default == Some(value) {
                continue;
            }
            let mut alone = defaults.clone();
            if let Some(toml::Value::Table(s)) = alone.get_mut(section) {
                s.insert(key.clone(), value.clone());
            }
            if toml::Value::Table(alone).try_into::<Config>().is_err() {
                return Some(key.clone());
            }
        }
    }
    None
}

/// `SAFIR_` variables that are not settings: read by the command line, the logger, or the
/// project's own tests and scripts.
const NOT_SETTINGS: &[&str] = &["CONFIG", "LOG", "CRASH_RECIPIENTS", "SHARED_DATA", "AXE_JS"];
const NOT_SETTINGS_PREFIXES: &[&str] = &["TEST_", "BENCH_"];

/// The `SAFIR_` variables of `env` that name no setting (a misspelling would otherwise be
/// ignored without a word), each with the setting it most resembles when one is close.
pub fn unknown_env(env: &[(String, String)]) -> Vec<(String, Option<String>)> {
    let Ok(defaults) = toml::Table::try_from(Config::default()) else {
        return Vec::new();
    };
    let keys: Vec<String> = defaults
        .values()
        .filter_map(toml::Value::as_table)
        .flat_map(|t| t.keys().map(|k| k.to_ascii_uppercase()))
        .collect();
    let mut unknown = Vec::new();
    for (name, _) in env {
        let Some(key) = name.strip_prefix("SAFIR_") else {
            continue;
        };
        // Settings are found whatever the case of the name (`apply_env`).
        let key = key.to_ascii_uppercase();
        let key = key.as_str();
        if keys.iter().any(|k| k == key)
            || NOT_SETTINGS.contains(&key)
            || NOT_SETTINGS_PREFIXES.iter().any(|p| key.starts_with(p))
        {
            continue;
        }
        let closest = keys
            .iter()
            .map(|k| (edit_distance(k, key), k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 4))
            .min()
            .map(|(_, k)| format!("SAFIR_{k}"));
        unknown.push((name.clone(), closest));
    }
    unknown
}

/// Levenshtein distance over bytes (the names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

fn apply_env(table: &mut toml::Table, env: &[(String, String)]) -> Result<(), ConfigError> {
    for (name, raw) in env {
        let Some(key) = name.strip_prefix("SAFIR_") else {
            continue;
        };
        let key = key.to_ascii_lowercase();
        let slot = table.iter_mut().find_map(|(_, section)| match section {
            toml::Value::Table(t) => t.get_mut(&key),
            _ => None,
        });
        let Some(slot) = slot else { continue };
        *slot = match slot {
            toml::Value::Boolean(_) => match raw.trim() {
                "1" | "true" | "yes" | "on" => toml::Value::Boolean(true),
                "0" | "false" | "no" | "off" => toml::Value::Boolean(false),
                _ => {
                    return Err(err(
                        &key,
                        format!("{name}={raw:?} is not a boolean (true/false)"),
                    ));
                }
            },
            toml::Value::Integer(_) => toml::Value::Integer(
                raw.trim()
                    .parse()
                    .map_err(|_| err(&key, format!("{name}={raw:?} is not a whole number")))?,
            ),
            // Set but empty (a secret that was not mounted, `${DB_URL}` unset in a compose
            // file): the default would serve a new embedded database instead of the one meant,
            // and take people's data into it. Unset means the default.
            _ if key == "database_url" && raw.trim().is_empty() => {
                return Err(err(
                    &key,
                    format!(
                        "{name} is set but empty: give a database URL, or unset it for the embedded SQLite database"
                    ),
                ));
            }
            _ => toml::Value::String(raw.clone()),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn unknown_variables_are_named_with_the_closest_setting() {
        let unknown = unknown_env(&env(&[
            ("SAFIR_SMTP_HOTS", "mail.example"),
            ("SAFIR_SMTP_HOST", "mail.example"),
            ("SAFIR_CONFIG", "safir.toml"),
            ("SAFIR_LOG", "debug"),
            ("SAFIR_TEST_DATABASE_URL", "postgres://x"),
            ("SAFIR_FLAVOUR", "vanilla"),
            ("SAFIR_database_url", "sqlite://x"),
            ("SAFIR_Smtp_Prot", "25"),
        ]));
        assert_eq!(
            unknown,
            vec![
                (
                    "SAFIR_SMTP_HOTS".to_owned(),
                    Some("SAFIR_SMTP_HOST".to_owned())
                ),
                ("SAFIR_FLAVOUR".to_owned(), None),
                (
                    "SAFIR_Smtp_Prot".to_owned(),
                    Some("SAFIR_SMTP_PORT".to_owned())
                ),
            ]
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn a_sender_address_may_be_a_test_one_but_must_be_one() {
        let from = |addr: &str| {
            let mut c = Config::load(&Overrides::default(), &[]).unwrap();
            c.mail.mail_from = addr.to_owned();
            c.validate()
        };
        assert!(from("Safir staging <no-reply@staging.invalid>").is_ok());
        assert!(from("no-reply@ministry.example").is_ok());
        assert!(from("Safir <not an address>").is_err());
    }

    #[test]
    fn defaults_keep_everything_local() {
        let c = Config::load(&Overrides::default(), &[]).unwrap();
        assert_eq!(c.bind_addr().unwrap().to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite://./safir-data/safir.db");
    }

    #[test]
    fn env_overrides_file_and_flags_override_env() {
        let dir = std::env::temp_dir().join(format!("safir-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("safir.toml");
        std::fs::write(
            &file,
            "[server]\nbind = \"127.0.0.1:9000\"\n[mail]\nsmtp_port = 2525\n",
        )
        .unwrap();
        let flags = Overrides {
            config_file: Some(file.clone()),
            ..Default::default()
        };
        let c = Config::load(
            &flags,
            &env(&[("SAFIR_SMTP_PORT", "587"), ("SAFIR_BEHIND_TLS", "true")]),
        )
        .unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:9000");
        assert_eq!(c.mail.smtp_port, 587);
        assert!(c.server.behind_tls);
        let flags = Overrides {
            config_file: Some(file),
            bind: Some("0.0.0.0:1".into()),
            ..Default::default()
        };
        let c = Config::load(&flags, &env(&[("SAFIR_BIND", "127.0.0.1:2")])).unwrap();
        assert_eq!(c.server.bind, "0.0.0.0:1");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_values_name_their_key() {
        let e =
            Config::load(&Overrides::default(), &env(&[("SAFIR_BIND", "nowhere")])).unwrap_err();
        assert_eq!(e.key, "bind");
        let e =
            Config::load(&Overrides::default(), &env(&[("SAFIR_SMTP_PORT", "many")])).unwrap_err();
        assert_eq!(e.key, "smtp_port");
        let e = Config::load(
            &Overrides::default(),
            &env(&[("SAFIR_DATABASE_URL", "mysql://x")]),
        )
        .unwrap_err();
        assert_eq!(e.key, "database_url");
        // Set but empty is a mistake (a secret not mounted), not the embedded database.
        let e =
            Config::load(&Overrides::default(), &env(&[("SAFIR_DATABASE_URL", " ")])).unwrap_err();
        assert_eq!(e.key, "database_url");
        let flags = Overrides {
            database_url: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(
            Config::load(&flags, &env(&[])).unwrap_err().key,
            "database_url"
        );
        // Limits whose byte count would wrap.
        let e = Config::load(
            &Overrides::default(),
            &env(&[("SAFIR_BODY_LIMIT_KIB", "18014398509481984")]),
        )
        .unwrap_err();
        assert_eq!(e.key, "body_limit_kib");
        let e = Config::load(
            &Overrides::default(),
            &env(&[("SAFIR_LOGIN_MAX_FAILURES", "4294967295")]),
        )
        .unwrap_err();
        assert_eq!(e.key, "login_max_failures");
        let e =
            Config::load(&Overrides::default(), &env(&[("SAFIR_SMTP_TLS", "maybe")])).unwrap_err();
        assert_eq!(e.key, "smtp_tls");
        let e = Config::load(
            &Overrides::default(),
            &env(&[("SAFIR_MONITOR_INTERVAL_MINUTES", "0")]),
        )
        .unwrap_err();
        assert_eq!(e.key, "monitor_interval_minutes");
        // Values that would turn off what the key sets, or silence the log.
        for (var, key) in [
            ("SAFIR_LOGIN_LOCKOUT_MINUTES", "login_lockout_minutes"),
            (
                "SAFIR_LOGIN_ATTEMPTS_PER_MINUTE",
                "login_attempts_per_minute",
            ),
            ("SAFIR_API_WRITES_PER_MINUTE", "api_writes_per_minute"),
            (
                "SAFIR_API_STAFF_READS_PER_MINUTE",
                "api_staff_reads_per_minute",
            ),
        ] {
            let e = Config::load(&Overrides::default(), &env(&[(var, "0")])).unwrap_err();
            assert_eq!(e.key, key);
        }
        let e = Config::load(
            &Overrides::default(),
            &env(&[("SAFIR_LOG_LEVEL", "warning")]),
        )
        .unwrap_err();
        assert_eq!(e.key, "log_level");
        // A number beyond its type names its key too.
        let e =
            Config::load(&Overrides::default(), &env(&[("SAFIR_SMTP_PORT", "70000")])).unwrap_err();
        assert_eq!(e.key, "smtp_port");
        for (url, ok) in [
            ("https://api.twilio.com/2010-04-01/Accounts/AC1", true),
            ("http://10.0.0.5:8080/send", true),
            ("https://", false),
            ("ftp://gateway.example/send", false),
        ] {
            let r = Config::load(
                &Overrides::default(),
                &env(&[
                    ("SAFIR_SMS_GATEWAY", "generic"),
                    ("SAFIR_SMS_GATEWAY_URL", url),
                ]),
            );
            match r {
                Ok(_) => assert!(ok, "{url} accepted"),
                Err(e) => {
                    assert!(!ok, "{url} refused: {e}");
                    assert_eq!(e.key, "sms_gateway_url");
                }
            }
        }
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("safir-cfg2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("safir.toml");
        std::fs::write(&file, "[server]\nbnid = \"x\"\n").unwrap();
        let e = Config::load(
            &Overrides {
                config_file: Some(file.clone()),
                ..Default::default()
            },
            &[],
        )
        .unwrap_err();
        assert_eq!(e.key, format!("{}: server.bnid", file.display()));
        assert_eq!(e.problem, "unknown key");
        // A value of the wrong type names its key; a syntax error its line and column.
        let load = |text: &str| {
            std::fs::write(&file, text).unwrap();
            Config::load(
                &Overrides {
                    config_file: Some(file.clone()),
                    ..Default::default()
                },
                &[],
            )
            .unwrap_err()
        };
        assert_eq!(load("[mail]\nsmtp_port = \"587\"\n").key, "smtp_port");
        let e = load("[server]\npublic_url = \"http://x\"\nbind = 0.0.0.0:8080\n");
        assert!(e.key.contains("safir.toml:3:"), "{}", e.key);
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// A setting written in the wrong place (above every section, or in another one) is named
    /// with the file and the section it belongs in, not as an unknown key.
    #[test]
    fn a_key_in_the_wrong_section_names_the_file_and_its_section() {
        let dir = std::env::temp_dir().join(format!("safir-cfg3-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("safir.toml");
        let load = |text: &str| {
            std::fs::write(&file, text).unwrap();
            Config::load(
                &Overrides {
                    config_file: Some(file.clone()),
                    ..Default::default()
                },
                &[],
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            load("bind = \"0.0.0.0:8080\"\n"),
            format!(
                "{}: bind: not in a section: `bind` belongs in [server]",
                file.display()
            )
        );
        assert_eq!(
            load("[server]\ndatabase_url = \"postgres://db/safir\"\n"),
            format!(
                "{}: server.database_url: not a key of [server]: `database_url` belongs in [storage]",
                file.display()
            )
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let mut c = Config::default();
        c.mail.smtp_password = Secret("hunter2-very-secret".into());
        c.storage.database_url = Secret("postgres://u:pw@db/safir".into());
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("hunter2"));
        assert!(!dbg.contains("pw@db"));
    }

    #[test]
    fn the_printed_default_parses_back_to_the_default() {
        let text = Config::default_toml();
        let parsed: Config = toml::from_str(&text).unwrap();
        assert_eq!(parsed, Config::default());
    }
}
