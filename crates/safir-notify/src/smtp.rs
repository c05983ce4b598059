//! SMTP through lettre's pooled transport, with a deadline on each message.
//!
//! lettre bounds only the connect with its timeout; a relay that stops answering mid-dialogue
//! would hold a worker until the job lease runs out. Each send therefore runs under its own
//! deadline, and a send cut off that way leaves its connection half-way through a
//! transaction, so the whole pool is replaced rather than reused.

use std::sync::{Arc, Mutex};

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::{self, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailConfig, SmtpTls};
use crate::{NotifyError, SendError};

type Transport = AsyncSmtpTransport<Tokio1Executor>;

pub(crate) struct SmtpChannel {
    config: MailConfig,
    current: Mutex<Option<Arc<Transport>>>,
    /// The pool closes its connections on a task of the runtime it was made on; dropping it
    /// elsewhere (after the runtime, on a plain thread) must not panic.
    runtime: tokio::runtime::Handle,
}

impl SmtpChannel {
    pub(crate) fn new(config: &MailConfig) -> Result<Self, NotifyError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NotifyError::NoRuntime)?;
        let transport = build(config)?;
        Ok(Self {
            config: config.clone(),
            current: Mutex::new(Some(Arc::new(transport))),
            runtime,
        })
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<Arc<Transport>>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) async fn send(&self, message: Message) -> Result<(), SendError> {
        let transport = self
            .current()
            .clone()
            .ok_or_else(|| SendError::Transient("mailer is shutting down".to_owned()))?;
        let deadline = self.config.timeout();
        match tokio::time::timeout(deadline, transport.send(message)).await {
            Ok(sent) => sent.map(|_| ()).map_err(classify),
            Err(_) => {
                self.replace_pool(&transport);
                Err(SendError::Transient(format!(
                    "no answer from the SMTP server within {} ms",
                    deadline.as_millis()
                )))
            }
        }
    }

    /// Swaps in a fresh pool unless another send already did.
    fn replace_pool(&self, stuck: &Arc<Transport>) {
        let mut current = self.current();
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, stuck)) {
            match build(&self.config) {
                Ok(fresh) => *current = Some(Arc::new(fresh)),
                Err(e) => tracing::warn!(error = %e, "cannot rebuild the SMTP transport"),
            }
        }
    }
}

impl Drop for SmtpChannel {
    fn drop(&mut self) {
        let _entered = self.runtime.enter();
        self.current().take();
    }
}

fn build(config: &MailConfig) -> Result<Transport, NotifyError> {
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
