//! Mail settings, validated once at start-up so a bad value stops the process with the key
//! that is wrong instead of failing on the first email.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::NotifyError;

/// How messages leave the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// An SMTP relay (production).
    Smtp,
    /// One `.eml` file per message in a directory (the demo: no mail server needed).
    File,
    /// A log line per message (development).
    Console,
}

impl FromStr for Transport {
    type Err = NotifyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "smtp" => Ok(Self::Smtp),
            "file" => Ok(Self::File),
            "console" => Ok(Self::Console),
            _ => Err(NotifyError::config(
                "mail_transport",
                "must be smtp, file or console",
            )),
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain TCP: only for a relay on the same host or a trusted network.
    None,
    /// Plain TCP upgraded with STARTTLS, which is required (no silent fallback).
    StartTls,
    /// TLS from the first byte (implicit TLS, usually port 465).
    Tls,
}

impl FromStr for SmtpTls {
    type Err = NotifyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "none" => Ok(Self::None),
            "starttls" => Ok(Self::StartTls),
            "tls" => Ok(Self::Tls),
            _ => Err(NotifyError::config(
                "smtp_tls",
                "must be none, starttls or tls",
            )),
        }
    }
}

/// The SMTP password; its `Debug` never shows it, so configs can be logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpPassword(String);

impl SmtpPassword {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SmtpPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpPassword(***)")
    }
}

/// Settings as the binary's configuration holds them: plain strings, not yet checked.
/// Empty `smtp_username` / `smtp_password` mean "no authentication".
#[derive(Debug, Clone, Default)]
pub struct PlainMailConfig<'a> {
    pub transport: &'a str,
    pub from: &'a str,
    pub smtp_host: &'a str,
    pub smtp_port: u16,
    pub smtp_tls: &'a str,
    pub smtp_username: &'a str,
    pub smtp_password: &'a str,
    pub file_dir: PathBuf,
}

/// Validated mail settings.
#[derive(Debug, Clone)]
pub struct MailConfig {
    transport: Transport,
    from: Mailbox,
    smtp_host: String,
    smtp_port: u16,
    smtp_tls: SmtpTls,
    smtp_username: Option<String>,
    smtp_password: Option<SmtpPassword>,
    file_dir: PathBuf,
    timeout: Duration,
    pool_size: u32,
}

/// The time allowed for one message: connect, the SMTP dialogue and the relay's reply to
/// the data. Well under the job lease (five minutes by default), so a slow relay never lets a
/// second worker take over a job whose send is still in flight.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const MAX_TIMEOUT: Duration = Duration::from_secs(120);
/// Matches the job runner's default concurrency: one connection per worker slot.
const DEFAULT_POOL_SIZE: u32 = 4;

impl MailConfig {
    /// Checks every value; the error names the configuration key at fault.
    pub fn from_plain(plain: &PlainMailConfig<'_>) -> Result<Self, NotifyError> {
        let transport: Transport = plain.transport.parse()?;
        let from: Mailbox = plain.from.trim().parse().map_err(|_| {
            NotifyError::config(
                "mail_from",
                "must be an email address, optionally as `Name <address>`",
            )
        })?;
        // Other transports ignore the SMTP settings, but a value given is still checked.
        let smtp_tls = if transport != Transport::Smtp && plain.smtp_tls.trim().is_empty() {
            SmtpTls::None
        } else {
            plain.smtp_tls.parse()?
        };
        let smtp_host = plain.smtp_host.trim().to_owned();
        let username = plain.smtp_username.trim();
        let password = plain.smtp_password;
        if transport == Transport::Smtp {
            if smtp_host.is_empty() || smtp_host.contains(char::is_whitespace) {
                return Err(NotifyError::config(
                    "smtp_host",
                    "must be a host name or address",
                ));
            }
            if plain.smtp_port == 0 {
                return Err(NotifyError::config(
                    "smtp_port",
                    "must be between 1 and 65535",
                ));
            }
            if username.is_empty() != password.is_empty() {
                return Err(NotifyError::config(
                    "smtp_username",
                    "smtp_username and smtp_password must be set together",
                ));
            }
        }
        if transport == Transport::File && plain.file_dir.as_os_str().is_empty() {
            return Err(NotifyError::config("mail_dir", "must be a directory path"));
        }
        Ok(Self {
            transport,
            from,
            smtp_host,
            smtp_port: plain.smtp_port,
            smtp_tls,
            smtp_username: (!username.is_empty()).then(|| username.to_owned()),
            smtp_password: (!password.is_empty()).then(|| SmtpPassword::new(password)),
            file_dir: plain.file_dir.clone(),
            timeout: DEFAULT_TIMEOUT,
            pool_size: DEFAULT_POOL_SIZE,
        })
    }

    /// The time allowed for sending one message over SMTP (at most two minutes, see
    /// [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.clamp(Duration::from_millis(100), MAX_TIMEOUT);
        self
    }

    /// How many SMTP connections are kept open for reuse.
    pub fn with_pool_size(mut self, n: u32) -> Self {
        self.pool_size = n.max(1);
        self
    }

    pub fn transport(&self) -> Transport {
        self.transport
    }

    pub fn from(&self) -> &Mailbox {
        &self.from
    }

    pub fn smtp_host(&self) -> &str {
        &self.smtp_host
    }

    pub fn smtp_port(&self) -> u16 {
        self.smtp_port
    }

    pub fn smtp_tls(&self) -> SmtpTls {
        self.smtp_tls
    }

    pub fn smtp_username(&self) -> Option<&str> {
        self.smtp_username.as_deref()
    }

    pub fn smtp_password(&self) -> Option<&SmtpPassword> {
        self.smtp_password.as_ref()
    }

    pub fn file_dir(&self) -> &std::path::Path {
        &self.file_dir
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }
}
