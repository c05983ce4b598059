//! The mail sender: one of three transports, chosen by configuration.

use std::path::{Path, PathBuf};

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{self, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{MailConfig, SmtpTls, Transport};
use crate::message::EmailMessage;
use crate::{NotifyError, SendError};

/// Sends finished messages. Cheap to share behind an `Arc`; the SMTP transport keeps a pool
/// of open connections, so consecutive messages reuse one session.
pub struct Mailer {
    from: Mailbox,
    channel: Channel,
}

enum Channel {
    Smtp(SmtpChannel),
    File(PathBuf),
    Console,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let channel = match &self.channel {
            Channel::Smtp(_) => "smtp".to_owned(),
            Channel::File(dir) => format!("file:{}", dir.display()),
            Channel::Console => "console".to_owned(),
        };
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("channel", &channel)
            .finish()
    }
}

impl Mailer {
    /// Sets up the configured transport. Nothing is contacted yet: an SMTP relay that is down
    /// at start-up only delays the queue, it does not stop the process. The SMTP connection
    /// pool lives on the Tokio runtime, so this must be called inside one.
    pub fn new(config: &MailConfig) -> Result<Self, NotifyError> {
        let channel = match config.transport() {
            Transport::Smtp => {
                let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                    return Err(NotifyError::NoRuntime);
                };
                Channel::Smtp(SmtpChannel {
                    transport: Some(smtp_transport(config)?),
                    runtime,
                })
            }
            Transport::File => {
                let dir = config.file_dir().to_owned();
                std::fs::create_dir_all(&dir).map_err(|source| NotifyError::MailDir {
                    path: dir.clone(),
                    source,
                })?;
                Channel::File(dir)
            }
            Transport::Console => Channel::Console,
        };
        Ok(Self {
            from: config.from().clone(),
            channel,
        })
    }

    /// Sends one message. `key` identifies it across retries (the job id): it becomes the
    /// Message-ID and, for the file transport, the file name.
    pub async fn send(&self, email: &EmailMessage, key: &str) -> Result<(), SendError> {
        let message = email.to_lettre(&self.from, key)?;
        match &self.channel {
            Channel::Smtp(smtp) => {
                let Some(transport) = &smtp.transport else {
                    return Err(SendError::Transient("mailer is shutting down".to_owned()));
                };
                transport.send(message).await.map_err(classify)?;
                tracing::info!(key, lang = %email.lang, "email sent over SMTP");
                Ok(())
            }
            Channel::File(dir) => write_eml(dir, key, &message.formatted()).await,
            Channel::Console => {
                tracing::info!(
                    key,
                    to = %email.to,
                    lang = %email.lang,
                    subject = %email.subject,
                    text = %email.text,
                    "email (console transport, not sent)"
                );
                Ok(())
            }
        }
    }
}

/// The pooled SMTP transport closes its connections on a task of the runtime it was made
/// on; dropping it elsewhere (after the runtime, on a plain thread) must not panic.
struct SmtpChannel {
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    runtime: tokio::runtime::Handle,
}

impl Drop for SmtpChannel {
    fn drop(&mut self) {
        let _entered = self.runtime.enter();
        self.transport.take();
    }
}

fn smtp_transport(config: &MailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, NotifyError> {
    let host = config.smtp_host();
    let tls_params = || {
        TlsParameters::new(host.to_owned())
            .map_err(|e| NotifyError::config("smtp_tls", format!("TLS setup failed: {e}")))
    };
    let tls = match config.smtp_tls() {
        SmtpTls::None => Tls::None,
        SmtpTls::StartTls => Tls::Required(tls_params()?),
        SmtpTls::Tls => Tls::Wrapper(tls_params()?),
    };
    // Without a host name lookup, introduce ourselves with the sender's domain rather than an
    // address literal, which some relays refuse.
    let hello = ClientId::Domain(config.from().email.domain().to_owned());
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(config.smtp_port())
        .tls(tls)
        .hello_name(hello)
        .timeout(Some(config.timeout()))
        .pool_config(
            PoolConfig::new()
                .max_size(config.pool_size())
                .idle_timeout(std::time::Duration::from_secs(60)),
        );
    if let (Some(user), Some(password)) = (config.smtp_username(), config.smtp_password()) {
        builder = builder.credentials(Credentials::new(
            user.to_owned(),
            password.expose().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// Sorts an SMTP failure into "try again later" and "give up". Only a 5xx reply is final,
/// except the authentication codes, which say the relay account is misconfigured, not that
/// the message is bad: those retry so that fixing the configuration delivers the backlog.
fn classify(e: smtp::Error) -> SendError {
    const AUTH_CODES: [u16; 4] = [530, 534, 535, 538];
    match e.status().map(u16::from) {
        Some(code) if e.is_permanent() && !AUTH_CODES.contains(&code) => {
            SendError::Rejected(e.to_string())
        }
        _ => SendError::Transient(e.to_string()),
    }
}

/// Writes `<key>.eml` through a temporary file and a rename, so a reader never sees half a
/// message and a second run of the same job replaces the file instead of adding one.
async fn write_eml(dir: &Path, key: &str, bytes: &[u8]) -> Result<(), SendError> {
    let path = dir.join(format!("{key}.eml"));
    let tmp = dir.join(format!(".{key}.eml.tmp"));
    let io = |e: std::io::Error| SendError::Transient(format!("{}: {e}", path.display()));
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, &path).await.map_err(io)?;
    tracing::info!(key, path = %path.display(), "email written to file");
    Ok(())
}
