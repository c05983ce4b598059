//! Test support: a real SMTP server on loopback that records what it receives, plus a small
//! reader for the messages it records.
//!
//! The sink speaks enough SMTP for any client (EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA with
//! dot-unstuffing, RSET, NOOP, QUIT), serves each connection on its own task so it takes many
//! messages at once, and can be told to misbehave: be down (connections refused), answer
//! 4xx/5xx at a given step for a number of transactions or for some recipients.

mod http_receiver;
mod mime;
mod session;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

pub use http_receiver::{HttpReceiver, ReceivedRequest};
pub use mime::{MimeError, ParsedMessage};
use session::Session;

/// Largest message accepted (advertised with SIZE).
const MAX_MESSAGE: usize = 32 * 1024 * 1024;
/// Longest command or text line read before the connection is dropped.
const MAX_LINE: usize = 64 * 1024;

/// The step of an SMTP session a [`Fault`] applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The greeting: the server answers the code and closes the connection.
    Connect,
    Mail,
    Rcpt,
    /// The reply after the message's final dot.
    Data,
}

/// An error answer the sink gives instead of accepting.
#[derive(Debug, Clone)]
pub struct Fault {
    stage: Stage,
    code: u16,
    text: String,
    /// How many more times it fires; `None` until cleared.
    remaining: Option<usize>,
    /// Only for this recipient (RCPT stage).
    recipient: Option<String>,
    /// Never answer (the client's timeout is what happens next).
    stall: bool,
}

/// What the sink does at a faulty step.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    Reply(u16, String),
    Stall,
}

impl Fault {
    /// Answers `code text` at `stage` until [`SmtpSink::clear_faults`].
    pub fn new(stage: Stage, code: u16, text: &str) -> Self {
        Self {
            stage,
            code,
            text: text.to_owned(),
            remaining: None,
            recipient: None,
            stall: false,
        }
    }

    /// Says nothing at `stage` and after it, like a hung server, until the client hangs up.
    pub fn stall(stage: Stage) -> Self {
        Self {
            stall: true,
            ..Self::new(stage, 0, "")
        }
    }

    /// Fires only `n` times, then the sink behaves again.
    pub fn times(mut self, n: usize) -> Self {
        self.remaining = Some(n);
        self
    }

    /// Applies only to `RCPT TO` for this address (case-insensitive).
    pub fn for_recipient(mut self, address: &str) -> Self {
        self.recipient = Some(address.to_ascii_lowercase());
        self
    }
}

/// One accepted message, as the client sent it (after dot-unstuffing).
#[derive(Debug, Clone)]
pub struct ReceivedMessage {
    /// The EHLO/HELO argument.
    pub helo: String,
    /// The user name of a successful AUTH, if any.
    pub auth_user: Option<String>,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message, lines ending in CRLF.
    pub data: Vec<u8>,
}

impl ReceivedMessage {
    /// Headers and body decoded (RFC 2047 words, base64 / quoted-printable bodies).
    pub fn parse(&self) -> Result<ParsedMessage, MimeError> {
        ParsedMessage::parse(&self.data)
    }
}

#[derive(Default)]
struct State {
    messages: Vec<ReceivedMessage>,
    faults: Vec<Fault>,
    credentials: Option<(String, String)>,
    connections: usize,
}

impl State {
    /// The first fault matching this step, consuming one use of it.
    fn take_fault(&mut self, stage: Stage, recipient: Option<&str>) -> Option<Answer> {
        let i = self.faults.iter().position(|f| {
            f.stage == stage
                && f.remaining != Some(0)
                && match (&f.recipient, recipient) {
                    (None, _) => true,
                    (Some(want), Some(got)) => want.eq_ignore_ascii_case(got),
                    (Some(_), None) => false,
                }
        })?;
        let f = &mut self.faults[i];
        if let Some(n) = &mut f.remaining {
            *n -= 1;
        }
        let out = if f.stall {
            Answer::Stall
        } else {
            Answer::Reply(f.code, f.text.clone())
        };
        self.faults.retain(|f| f.remaining != Some(0));
        Some(out)
    }
}

struct Shared {
    addr: SocketAddr,
    state: Mutex<State>,
    arrived: Notify,
    /// Bumped when the sink goes down: open sessions close.
    epoch: watch::Sender<u64>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock should not hide its own message.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An SMTP server on `127.0.0.1` and a free port, stopped when dropped.
pub struct SmtpSink {
    shared: Arc<Shared>,
}

impl SmtpSink {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let (epoch, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            addr: listener.local_addr()?,
            state: Mutex::new(State::default()),
            arrived: Notify::new(),
            epoch,
            acceptor: Mutex::new(None),
        });
        let sink = Self { shared };
        sink.spawn_acceptor(listener);
        Ok(sink)
    }

    fn spawn_acceptor(&self, listener: TcpListener) {
        let shared = self.shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let mut closed = shared.epoch.subscribe();
                    tokio::select! {
                        _ = Session::new(&shared).serve(stream) => {}
                        _ = closed.changed() => {}
                    }
                });
            }
        });
        let old = self
            .shared
            .acceptor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(task);
        if let Some(old) = old {
            old.abort();
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    pub fn port(&self) -> u16 {
        self.shared.addr.port()
    }

    /// Stops listening and drops every open connection: clients get "connection refused".
    pub async fn go_down(&self) {
        let task = self
            .shared
            .acceptor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
        self.shared.epoch.send_modify(|e| *e += 1);
    }

    /// Listens again on the same port.
    pub async fn come_up(&self) -> std::io::Result<()> {
        let listener = TcpListener::bind(self.shared.addr).await?;
        self.spawn_acceptor(listener);
        Ok(())
    }

    /// Requires AUTH with these credentials before MAIL FROM.
    pub fn require_auth(&self, user: &str, password: &str) {
        self.shared.state().credentials = Some((user.to_owned(), password.to_owned()));
    }

    pub fn add_fault(&self, fault: Fault) {
        self.shared.state().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.state().faults.clear();
    }

    /// Every message accepted so far, in order of acceptance.
    pub fn messages(&self) -> Vec<ReceivedMessage> {
        self.shared.state().messages.clone()
    }

    pub fn count(&self) -> usize {
        self.shared.state().messages.len()
    }

    /// Messages whose envelope includes `address`.
    pub fn messages_to(&self, address: &str) -> Vec<ReceivedMessage> {
        self.shared
            .state()
            .messages
            .iter()
            .filter(|m| m.rcpt_to.iter().any(|r| r.eq_ignore_ascii_case(address)))
            .cloned()
            .collect()
    }

    /// Connections accepted so far (to observe connection reuse).
    pub fn connections(&self) -> usize {
        self.shared.state().connections
    }

    /// Waits until at least `n` messages have arrived; false if `timeout` passed first.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            if self.count() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.count() >= n;
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(task) = self
            .shared
            .acceptor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            task.abort();
        }
        self.shared.epoch.send_modify(|e| *e += 1);
    }
}
