//! SMTP through lettre's client on a small pool of connections kept here, with a deadline on
//! each message.
//!
//! The sockets are opened here, with TCP_NODELAY. An SMTP session is a dialogue of small
//! writes, each waiting for the server's reply; with Nagle's algorithm a write that follows one
//! not yet acknowledged waits for the server's delayed ACK (about 40 ms on Linux), which held
//! each connection near 25 messages a second. lettre's own pool opens its sockets without the
//! option and offers no way to set it, hence this pool: at most `pool_size` connections, the
//! idle ones reused most recent first and dropped after a minute without use.
//!
//! lettre bounds only the connect with its timeout; a relay that stops answering
//! mid-dialogue would hold a worker until the job lease runs out. Each send therefore runs
//! under its own deadline, and a connection cut off that way, or that failed in any other
//! way, is closed rather than reused. A pooled connection the server has closed in the
//! meantime fails at MAIL FROM, before the server can hold the message; the message then goes
//! once more over a fresh connection.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::Message;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::{self};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::config::{MailConfig, SmtpTls};
use crate::{NotifyError, SendError};

/// An idle connection older than this is closed instead of reused.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) struct SmtpChannel {
    server: Server,
    deadline: Duration,
    /// One permit per connection that may be open at once.
    slots: Semaphore,
    idle: Mutex<Vec<Parked>>,
    /// Sockets belong to the runtime they were opened on; dropping the pool elsewhere (after
    /// the runtime, on a plain thread) must not panic.
    runtime: tokio::runtime::Handle,
}

struct Parked {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// Where and how to open a session.
struct Server {
    host: String,
    port: u16,
    tls: Encryption,
    hello: ClientId,
    credentials: Option<Credentials>,
}

enum Encryption {
    None,
    /// STARTTLS is required: a server that does not offer it gets nothing in plain text.
    StartTls(TlsParameters),
    /// TLS from the first byte (SMTPS).
    Wrapper {
        connector: tokio_rustls::TlsConnector,
        name: rustls::pki_types::ServerName<'static>,
    },
}

impl SmtpChannel {
    pub(crate) fn new(config: &MailConfig) -> Result<Self, NotifyError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| NotifyError::NoRuntime)?;
        let size = config.pool_size().max(1) as usize;
        Ok(Self {
            server: Server::new(config)?,
            deadline: config.timeout(),
            slots: Semaphore::new(size),
            idle: Mutex::new(Vec::with_capacity(size)),
            runtime,
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Parked>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) async fn send(&self, message: Message) -> Result<(), SendError> {
        let envelope = message.envelope().clone();
        let body = message.formatted();
        // The deadline covers the wait for a free connection too: connections are only held
        // long by a server that does not answer, and a job must not outlive its lease waiting.
        let send = async {
            let _slot = self
                .slots
                .acquire()
                .await
                .map_err(|_| SendError::Transient("mailer is shutting down".to_owned()))?;
            self.send_now(&envelope, &body).await
        };
        match tokio::time::timeout(self.deadline, send).await {
            Ok(sent) => sent,
            Err(_) => Err(SendError::Transient(format!(
                "no answer from the SMTP server within {} ms",
                self.deadline.as_millis()
            ))),
        }
    }

    async fn send_now(&self, envelope: &Envelope, body: &[u8]) -> Result<(), SendError> {
        if let Some(mut conn) = self.take_idle() {
            match transaction(&mut conn, envelope, body).await {
                Err(Failed::Closed(e)) => {
                    tracing::debug!(error = %e, "pooled SMTP connection was closed, opening another");
                }
                done => return self.finish(conn, done).await,
            }
        }
        let mut conn = self.server.connect().await?;
        let done = transaction(&mut conn, envelope, body).await;
        self.finish(conn, done).await
    }

    /// Parks a session that is still usable, ends the others, and gives the outcome.
    async fn finish(
        &self,
        mut conn: AsyncSmtpConnection,
        done: Result<(), Failed>,
    ) -> Result<(), SendError> {
        match done {
            Ok(()) => {
                self.park(conn);
                Ok(())
            }
            // Nothing was sent: the session is as good as before.
            Err(failed @ Failed::Unsupported(_)) => {
                self.park(conn);
                Err(failed.into_send_error())
            }
            Err(failed) => {
                // A server that still answers gets QUIT; a broken or silent one is just
                // disconnected.
                if matches!(&failed, Failed::Smtp(e) if e.status().is_some()) {
                    conn.abort().await;
                }
                Err(failed.into_send_error())
            }
        }
    }

    /// The most recently used idle connection, closing those idle for too long.
    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle();
        idle.retain(|p| p.since.elapsed() < IDLE_TIMEOUT);
        idle.pop().map(|p| p.conn)
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        if !conn.has_broken() {
            self.idle().push(Parked {
                conn,
                since: Instant::now(),
            });
        }
    }
}

impl Drop for SmtpChannel {
    fn drop(&mut self) {
        let _entered = self.runtime.enter();
        self.idle().clear();
    }
}

/// How one transaction failed.
enum Failed {
    /// MAIL FROM got no reply, or 421 (the server is closing the session): the server holds
    /// nothing of this message, so it may go again over another connection.
    Closed(smtp::Error),
    /// The server answered with an error, or the session broke after MAIL FROM.
    Smtp(smtp::Error),
    /// The message needs an SMTP extension the server does not offer; nothing was sent.
    Unsupported(&'static str),
}

impl Failed {
    fn into_send_error(self) -> SendError {
        match self {
            Self::Closed(e) | Self::Smtp(e) => classify(e),
            // The relay may be reconfigured to accept it: retried, as lettre's client error was.
            Self::Unsupported(extension) => SendError::Transient(format!(
                "the SMTP server does not offer {extension}, which this message needs"
            )),
        }
    }
}

/// MAIL, RCPT, DATA and the message on an open session, as lettre's `send` does it, with a
/// failure of the first command told apart.
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope,
    body: &[u8],
) -> Result<(), Failed> {
    let mut options = Vec::new();
    let non_ascii_address = envelope
        .from()
        .is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
        || envelope
            .to()
            .iter()
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
    if non_ascii_address {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err(Failed::Unsupported("SMTPUTF8"));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !body.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err(Failed::Unsupported("8BITMIME"));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(|e| match e.status().map(u16::from) {
            None | Some(421) => Failed::Closed(e),
            Some(_) => Failed::Smtp(e),
        })?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), Vec::new()))
            .await
            .map_err(Failed::Smtp)?;
    }
    conn.command(Data).await.map_err(Failed::Smtp)?;
    conn.message(body).await.map_err(Failed::Smtp)?;
    Ok(())
}

impl Server {
    fn new(config: &MailConfig) -> Result<Self, NotifyError> {
        let host = config.smtp_host().to_owned();
        let tls = match config.smtp_tls() {
            SmtpTls::None => Encryption::None,
            SmtpTls::StartTls => {
                Encryption::StartTls(TlsParameters::new(host.clone()).map_err(|e| {
                    NotifyError::config("smtp_tls", format!("TLS setup failed: {e}"))
                })?)
            }
            SmtpTls::Tls => wrapper(&host)?,
        };
        // Without a host name lookup, introduce ourselves with the sender's domain rather
        // than an address literal, which some relays refuse.
        let hello = ClientId::Domain(config.from().email.domain().to_owned());
        let credentials = match (config.smtp_username(), config.smtp_password()) {
            (Some(user), Some(password)) => Some(Credentials::new(
                user.to_owned(),
                password.expose().to_owned(),
            )),
            _ => None,
        };
        Ok(Self {
            host,
            port: config.smtp_port(),
            tls,
            hello,
            credentials,
        })
    }

    /// Opens a session: TCP (TLS first for SMTPS), greeting, EHLO, STARTTLS when required,
    /// then AUTH when credentials are configured.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let tcp = open_tcp(&self.host, self.port).await?;
        let stream: Box<dyn AsyncTokioStream> = match &self.tls {
            Encryption::Wrapper { connector, name } => {
                let tls = connector.connect(name.clone(), tcp).await.map_err(|e| {
                    SendError::Transient(format!(
                        "TLS with {}:{} failed: {e}",
                        self.host, self.port
                    ))
                })?;
                Box::new(TlsTcp(tls))
            }
            Encryption::None | Encryption::StartTls(_) => Box::new(tcp),
        };
        // Whatever the relay answers before a message is named (a 554 greeting to an address it
        // refuses, a 5xx to EHLO, STARTTLS or AUTH) is about this session, not the message:
        // every message would meet it, so it is retried and fixing the relay's side delivers
        // the backlog.
        let session = |e: smtp::Error| SendError::Transient(e.to_string());
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
            .await
            .map_err(session)?;
        if let Encryption::StartTls(parameters) = &self.tls {
            conn.starttls(parameters.clone(), &self.hello)
                .await
                .map_err(session)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(session)?;
        }
        Ok(conn)
    }
}

/// TLS from the first byte: rustls with the ring provider and the webpki roots, TLS 1.2 and
/// 1.3, the configuration lettre's `TlsParameters::new` makes for STARTTLS.
fn wrapper(host: &str) -> Result<Encryption, NotifyError> {
    let setup = |e: &dyn std::fmt::Display| {
        NotifyError::config("smtp_tls", format!("TLS setup failed: {e}"))
    };
    let config = crate::tls::client_config(Vec::new()).map_err(|e| setup(&e))?;
    let name = rustls::pki_types::ServerName::try_from(host.to_owned()).map_err(|e| setup(&e))?;
    Ok(Encryption::Wrapper {
        connector: tokio_rustls::TlsConnector::from(Arc::new(config)),
        name,
    })
}

/// The TCP connection every session starts with, Nagle's algorithm off.
async fn open_tcp(host: &str, port: u16) -> Result<TcpStream, SendError> {
    let fail =
        |e: std::io::Error| SendError::Transient(format!("connection to {host}:{port}: {e}"));
    let tcp = TcpStream::connect((host, port)).await.map_err(fail)?;
    tcp.set_nodelay(true).map_err(fail)?;
    Ok(tcp)
}

/// A TLS stream in the form lettre's connection takes.
#[derive(Debug)]
struct TlsTcp(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsTcp {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// Sorts a failure of a message's transaction (MAIL, RCPT, DATA) into "try again later" and
/// "give up". Only a 5xx reply is final, except the authentication codes, which say the relay
/// account is misconfigured, not that the message is bad: those retry so that fixing the
/// configuration delivers the backlog. Failures opening the session never reach here.
fn classify(e: smtp::Error) -> SendError {
    const AUTH_CODES: [u16; 4] = [530, 534, 535, 538];
    match e.status().map(u16::from) {
        Some(code) if e.is_permanent() && !AUTH_CODES.contains(&code) => {
            SendError::Rejected(e.to_string())
        }
        _ => SendError::Transient(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sessions_start_on_a_socket_without_nagle_delay() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tcp = open_tcp("127.0.0.1", port).await.unwrap();
        assert!(tcp.nodelay().unwrap(), "TCP_NODELAY is set");
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_transient_error_naming_the_server() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        match open_tcp("127.0.0.1", port).await {
            Err(SendError::Transient(m)) => {
                assert!(m.contains(&format!("127.0.0.1:{port}")), "{m}")
            }
            other => panic!("expected a transient error, got {other:?}"),
        }
    }
}
