//! Archives and feeds over HTTP(S), and short links followed to where they lead.
//!
//! A small client on hyper and rustls (ring provider, webpki roots): one connection per
//! request, redirects followed here so that loops and limits are ours, a time limit on
//! every request and a size cap on every body. reqwest is not used for this: with
//! rustls but without aws-lc-rs it needs a process-wide crypto provider installed
//! before any client is built, the notification channels' clients included.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ACCEPT, HOST, LOCATION, USER_AGENT};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;
use url::Url;

/// Sent with every request, so that site operators can tell who is asking.
pub const CLIENT_NAME: &str = concat!(
    "Safir/",
    env!("CARGO_PKG_VERSION"),
    " (listening engine; +",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 5;
/// Time allowed for a whole download (connection, redirects and body).
pub const GET_TIMEOUT: Duration = Duration::from_secs(30);
/// Time allowed for following one link (per request: HEAD, then GET if HEAD is refused).
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);
/// Links followed at the same time.
pub const RESOLVE_IN_FLIGHT: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: not an http:// or https:// URL")]
    Unsupported { url: String },
    #[error("{url}: cannot connect: {source}")]
    Connect {
        url: String,
        #[source]
        source: io::Error,
    },
    #[error("{url}: TLS: {source}")]
    Tls {
        url: String,
        #[source]
        source: io::Error,
    },
    #[error("{url}: {source}")]
    Http {
        url: String,
        #[source]
        source: hyper::Error,
    },
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: StatusCode },
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects { url: String },
    #[error("{url}: redirect loop back to {at}")]
    RedirectLoop { url: String, at: String },
    #[error("{url}: redirect without a usable Location header")]
    BadRedirect { url: String },
    #[error("{url}: the response is larger than {limit} bytes (raise --max-download)")]
    TooLarge { url: String, limit: u64 },
    #[error("{url}: no complete answer within {} s", .after.as_secs())]
    Timeout { url: String, after: Duration },
}

/// Whether a command-line input names a URL rather than a file.
pub fn is_url(input: &str) -> bool {
    let lower = input.get(..8).unwrap_or(input).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// The HTTP client of `safir listen`; it owns a small runtime so that the synchronous
/// commands can call it.
pub struct HttpClient {
    runtime: tokio::runtime::Runtime,
    tls: TlsConnector,
}

impl HttpClient {
    pub fn new() -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        Ok(Self {
            runtime,
            tls: tls_connector()?,
        })
    }

    /// Downloads `url` (following redirects), refusing bodies over `max_bytes`.
    /// `progress` is told the bytes received so far and the announced length.
    pub fn get(
        &self,
        url: &str,
        max_bytes: u64,
        progress: &dyn Fn(u64, Option<u64>),
    ) -> Result<Vec<u8>, FetchError> {
        let parsed = parse(url)?;
        let download = async {
            let (_, response) = follow(&self.tls, Method::GET, &parsed, url).await?;
            if !response.status().is_success() {
                return Err(FetchError::Status {
                    url: url.to_owned(),
                    status: response.status(),
                });
            }
            read_body(response, url, max_bytes, progress).await
        };
        self.runtime.block_on(async {
            tokio::time::timeout(GET_TIMEOUT, download)
                .await
                .unwrap_or_else(|_| {
                    Err(FetchError::Timeout {
                        url: url.to_owned(),
                        after: GET_TIMEOUT,
                    })
                })
        })
    }

    /// Follows each of `urls` to its final destination, [`RESOLVE_IN_FLIGHT`] at a time.
    /// `done` is called once per URL, in completion order, with the destination or the
    /// reason it could not be reached.
    pub fn resolve(
        &self,
        urls: Vec<String>,
        timeout: Duration,
        mut done: impl FnMut(String, Result<String, FetchError>),
    ) {
        self.runtime.block_on(async {
            let mut running = JoinSet::new();
            let mut queue = urls.into_iter();
            loop {
                while running.len() < RESOLVE_IN_FLIGHT {
                    let Some(url) = queue.next() else { break };
                    let tls = self.tls.clone();
                    running.spawn(async move {
                        let result = resolve_one(&tls, &url, timeout).await;
                        (url, result)
                    });
                }
                match running.join_next().await {
                    Some(Ok((url, result))) => done(url, result),
                    // A panicking task is a bug in this module; its URL simply stays as it is.
                    Some(Err(_)) => {}
                    None => break,
                }
            }
        });
    }
}

fn tls_connector() -> io::Result<TlsConnector> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(io::Error::other)?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

fn parse(url: &str) -> Result<Url, FetchError> {
    Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| FetchError::Unsupported {
            url: url.to_owned(),
        })
}

/// HEAD first; GET when HEAD is refused (an error status or a failed exchange).
async fn resolve_one(
    tls: &TlsConnector,
    url: &str,
    timeout: Duration,
) -> Result<String, FetchError> {
    let parsed = parse(url)?;
    let attempt = |method: Method| {
        let parsed = &parsed;
        async move {
            tokio::time::timeout(timeout, follow(tls, method, parsed, url))
                .await
                .unwrap_or_else(|_| {
                    Err(FetchError::Timeout {
                        url: url.to_owned(),
                        after: timeout,
                    })
                })
        }
    };
    match attempt(Method::HEAD).await {
        Ok((end, response)) if response.status().as_u16() < 400 => Ok(end.into()),
        Err(e @ (FetchError::Timeout { .. } | FetchError::Unsupported { .. })) => Err(e),
        Err(e @ (FetchError::RedirectLoop { .. } | FetchError::TooManyRedirects { .. })) => Err(e),
        _ => attempt(Method::GET).await.map(|(end, _)| end.into()),
    }
}

/// Sends `method` to `start` and follows redirects; returns the final URL and response.
async fn follow(
    tls: &TlsConnector,
    mut method: Method,
    start: &Url,
    asked: &str,
) -> Result<(Url, Response<Incoming>), FetchError> {
    let mut seen = vec![start.clone()];
    let mut url = start.clone();
    loop {
        let response = send(tls, method.clone(), &url, asked).await?;
        let status = response.status();
        let redirect = matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308);
        if !redirect {
            return Ok((url, response));
        }
        let next = response
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url.join(l).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| FetchError::BadRedirect {
                url: asked.to_owned(),
            })?;
        if seen.contains(&next) {
            return Err(FetchError::RedirectLoop {
                url: asked.to_owned(),
                at: next.into(),
            });
        }
        if seen.len() > MAX_REDIRECTS {
            return Err(FetchError::TooManyRedirects {
                url: asked.to_owned(),
            });
        }
        if status == StatusCode::SEE_OTHER && method != Method::HEAD {
            method = Method::GET;
        }
        seen.push(next.clone());
        url = next;
    }
}

/// One request on a fresh connection.
async fn send(
    tls: &TlsConnector,
    method: Method,
    url: &Url,
    asked: &str,
) -> Result<Response<Incoming>, FetchError> {
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => a.to_string(),
        None => {
            return Err(FetchError::Unsupported {
                url: asked.to_owned(),
            });
        }
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let tcp = TcpStream::connect((host.as_str(), port))
        .await
        .map_err(|source| FetchError::Connect {
            url: asked.to_owned(),
            source,
        })?;
    let _ = tcp.set_nodelay(true);
    let host_header = match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let request = Request::builder()
        .method(method)
        .uri(&url[url::Position::BeforePath..url::Position::AfterQuery])
        .header(HOST, host_header)
        .header(USER_AGENT, CLIENT_NAME)
        .header(ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|_| FetchError::Unsupported {
            url: asked.to_owned(),
        })?;
    if url.scheme() == "https" {
        let name =
            rustls::pki_types::ServerName::try_from(host).map_err(|_| FetchError::Unsupported {
                url: asked.to_owned(),
            })?;
        let stream = tls
            .connect(name, tcp)
            .await
            .map_err(|source| FetchError::Tls {
                url: asked.to_owned(),
                source,
            })?;
        exchange(stream, request, asked).await
    } else {
        exchange(tcp, request, asked).await
    }
}

async fn exchange<S>(
    stream: S,
    request: Request<Empty<Bytes>>,
    asked: &str,
) -> Result<Response<Incoming>, FetchError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let http = |source| FetchError::Http {
        url: asked.to_owned(),
        source,
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(http)?;
    // The connection ends when the response is read or dropped; its errors reach the
    // request or the body.
    tokio::spawn(connection);
    sender.send_request(request).await.map_err(http)
}

async fn read_body(
    response: Response<Incoming>,
    url: &str,
    max_bytes: u64,
    progress: &dyn Fn(u64, Option<u64>),
) -> Result<Vec<u8>, FetchError> {
    let too_large = || FetchError::TooLarge {
        url: url.to_owned(),
        limit: max_bytes,
    };
    let announced = response
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let mut body = response.into_body();
    let mut bytes = Vec::with_capacity(announced.unwrap_or(0) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| FetchError::Http {
            url: url.to_owned(),
            source,
        })?;
        if let Ok(data) = frame.into_data() {
            if (bytes.len() + data.len()) as u64 > max_bytes {
                return Err(too_large());
            }
            bytes.extend_from_slice(&data);
            progress(bytes.len() as u64, announced);
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files() {
        assert!(is_url("https://example.org/feed.xml"));
        assert!(is_url("HTTP://example.org/"));
        assert!(!is_url("feed.xml"));
        assert!(!is_url("./http://x"));
        assert!(!is_url("ftp://example.org/x"));
    }

    #[test]
    fn the_client_builds_with_tls_roots() {
        let client = HttpClient::new().unwrap();
        drop(client);
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 50);
    }

    /// A plain-text server answering an https:// request: the client speaks TLS to it
    /// and reports a TLS failure naming the URL (no internet needed).
    #[test]
    fn https_goes_through_tls() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let (mut s, _) = listener.accept().unwrap();
            let mut hello = [0u8; 5];
            s.read_exact(&mut hello).unwrap();
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            hello
        });
        let client = HttpClient::new().unwrap();
        let url = format!("https://127.0.0.1:{port}/feed.xml");
        let err = client.get(&url, 1024, &|_, _| {}).unwrap_err();
        assert!(matches!(err, FetchError::Tls { .. }), "{err}");
        assert!(err.to_string().starts_with(&url), "{err}");
        let hello = server.join().unwrap();
        assert_eq!(hello[0], 0x16, "a TLS handshake record");
    }

    #[test]
    fn only_http_urls_are_fetched() {
        let client = HttpClient::new().unwrap();
        let err = client.get("https://", 10, &|_, _| {}).unwrap_err();
        assert!(matches!(err, FetchError::Unsupported { .. }), "{err}");
        let mut results = Vec::new();
        client.resolve(
            vec!["mailto:a@example.org".into()],
            RESOLVE_TIMEOUT,
            |u, r| results.push((u, r.is_err())),
        );
        assert_eq!(results, [("mailto:a@example.org".to_owned(), true)]);
    }
}
