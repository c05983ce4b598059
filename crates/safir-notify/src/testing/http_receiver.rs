//! A real HTTP server on loopback standing in for an SMS gateway or a webhook receiver: it
//! records every request (method, path with query, headers, body) and can be told to answer
//! 429 with a Retry-After or 500 for the next requests, or to be down (connections refused).
//! Accepted requests get `200 {"sid": "SM<n>", "status": "queued"}`. [`HttpReceiver::start_tls`]
//! serves the same over TLS with a given certificate, for the `https://` paths.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// One request as received, with the status it was answered.
#[derive(Debug, Clone)]
pub struct ReceivedRequest {
    pub method: String,
    /// Path and query, e.g. `/send?x=1`.
    pub path: String,
    /// Header names lower-case, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The status the receiver answered.
    pub status: u16,
}

impl ReceivedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// A form body's field (percent-decoded, `+` as space).
    pub fn form_field(&self, name: &str) -> Option<String> {
        let body = std::str::from_utf8(&self.body).ok()?;
        body.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| percent_decode(v))
        })
    }

    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Clone)]
struct Failure {
    status: u16,
    retry_after: Option<u64>,
    remaining: usize,
}

#[derive(Default)]
struct State {
    requests: Vec<ReceivedRequest>,
    failures: Vec<Failure>,
    accepted: usize,
}

struct Shared {
    addr: SocketAddr,
    state: Mutex<State>,
    arrived: Notify,
    epoch: watch::Sender<u64>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Decides the answer and records the request.
    fn answer(&self, mut request: ReceivedRequest) -> Response<Full<Bytes>> {
        let mut s = self.state();
        let failure = s.failures.iter_mut().find(|f| f.remaining > 0).map(|f| {
            f.remaining -= 1;
            f.clone()
        });
        s.failures.retain(|f| f.remaining > 0);
        let response = match failure {
            Some(f) => {
                request.status = f.status;
                let mut b = Response::builder().status(f.status);
                if let Some(secs) = f.retry_after {
                    b = b.header("Retry-After", secs.to_string());
                }
                b.body(Full::new(Bytes::from_static(b"{\"error\":\"try later\"}")))
            }
            None => {
                s.accepted += 1;
                request.status = 200;
                let body = format!("{{\"sid\":\"SM{}\",\"status\":\"queued\"}}", s.accepted);
                Response::builder()
                    .status(200)
                    .header("Content-Type", "application/json")
                    .body(Full::new(Bytes::from(body)))
            }
        };
        s.requests.push(request);
        drop(s);
        self.arrived.notify_waiters();
        response.unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
    }
}

/// An HTTP server on `127.0.0.1` and a free port, stopped when dropped.
pub struct HttpReceiver {
    shared: Arc<Shared>,
}

impl Drop for HttpReceiver {
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

async fn serve_one(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "/".to_owned());
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    Ok(shared.answer(ReceivedRequest {
        method,
        path,
        headers,
        body,
        status: 0,
    }))
}

impl HttpReceiver {
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(None).await
    }

    /// Serves over TLS with the certificate chain and private key of these PEM files;
    /// [`HttpReceiver::url`] then gives `https://localhost:<port>…`.
    pub async fn start_tls(cert_pem: &Path, key_pem: &Path) -> std::io::Result<Self> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let invalid = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
        let certs = CertificateDer::pem_file_iter(cert_pem)
            .map_err(|e| invalid(&e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(&e))?;
        let key = PrivateKeyDer::from_pem_file(key_pem).map_err(|e| invalid(&e))?;
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| invalid(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| invalid(&e))?;
        Self::start_with(Some(tokio_rustls::TlsAcceptor::from(Arc::new(config)))).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let (epoch, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            addr: listener.local_addr()?,
            state: Mutex::new(State::default()),
            arrived: Notify::new(),
            epoch,
            acceptor: Mutex::new(None),
            tls,
        });
        let receiver = Self { shared };
        receiver.spawn_acceptor(listener);
        Ok(receiver)
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
                    let service = hyper::service::service_fn({
                        let shared = shared.clone();
                        move |req| serve_one(shared.clone(), req)
                    });
                    let http = hyper::server::conn::http1::Builder::new();
                    match &shared.tls {
                        None => {
                            let conn = http.serve_connection(TokioIo::new(stream), service);
                            tokio::select! {
                                _ = conn => {}
                                _ = closed.changed() => {}
                            }
                        }
                        Some(tls) => {
                            // A client that does not trust the certificate ends here.
                            let Ok(stream) = tls.accept(stream).await else {
                                return;
                            };
                            let conn = http.serve_connection(TokioIo::new(stream), service);
                            tokio::select! {
                                _ = conn => {}
                                _ = closed.changed() => {}
                            }
                        }
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

    /// `http://127.0.0.1:<port><path>`, or `https://localhost:<port><path>` over TLS (the
    /// name a test certificate is issued for).
    pub fn url(&self, path: &str) -> String {
        match self.shared.tls {
            None => format!("http://{}{path}", self.shared.addr),
            Some(_) => format!("https://localhost:{}{path}", self.shared.addr.port()),
        }
    }

    /// Answers the next `n` requests with `429 Too Many Requests` and `Retry-After: secs`.
    pub fn too_many_requests(&self, n: usize, retry_after_secs: u64) {
        self.shared.state().failures.push(Failure {
            status: 429,
            retry_after: Some(retry_after_secs),
            remaining: n,
        });
    }

    /// Answers the next `n` requests with `status` (500, 503, 400 …), no Retry-After.
    pub fn fail_next(&self, n: usize, status: u16) {
        self.shared.state().failures.push(Failure {
            status,
            retry_after: None,
            remaining: n,
        });
    }

    /// Stops listening and drops open connections: clients get "connection refused".
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

    /// Every request so far, failed ones included.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.shared.state().requests.clone()
    }

    /// The requests that were answered 2xx.
    pub fn accepted(&self) -> Vec<ReceivedRequest> {
        self.shared
            .state()
            .requests
            .iter()
            .filter(|r| r.accepted())
            .cloned()
            .collect()
    }

    pub fn accepted_count(&self) -> usize {
        self.shared.state().accepted
    }

    /// Waits until at least `n` requests were accepted, or `timeout`; returns the count.
    pub async fn wait_for_accepted(&self, n: usize, timeout: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.arrived.notified();
            let got = self.accepted_count();
            if got >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.accepted_count();
            }
        }
    }
}
