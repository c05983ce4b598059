//! What an HTTP channel (SMS gateway, webhook) answered, in the terms a sender acts on.

use std::time::Duration;

/// The channel took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The channel's id for the message (`sid`, `id` or `message_id` of a JSON answer), used
    /// to match delivery receipts.
    pub provider_id: Option<String>,
}

/// The channel did not take the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// Retrying cannot help (a 4xx other than 429, a bad number, SMS switched off).
    #[error("refused: {0}")]
    Permanent(String),
    /// Try again later (429, 5xx, no connection, a timeout); not before `retry_after` when
    /// the channel said so.
    #[error("temporarily failed: {message}")]
    Temporary {
        message: String,
        retry_after: Option<Duration>,
    },
}

impl ChannelError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent(_))
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Temporary { retry_after, .. } => *retry_after,
            Self::Permanent(_) => None,
        }
    }

    pub(crate) fn temporary(message: impl Into<String>) -> Self {
        Self::Temporary {
            message: message.into(),
            retry_after: None,
        }
    }
}

/// The longest Retry-After honoured; a gateway asking for more is retried after this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// `Retry-After` in seconds (the HTTP-date form is rare for APIs and is ignored).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let secs: u64 = v.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// How much of an answer is read: an error keeps its first 200 characters, and a gateway's
/// JSON answer with the message id is a few hundred bytes. A partner's endpoint that streams
/// more is not read further (32 deliveries in flight would otherwise hold all of it).
pub(crate) const MAX_ANSWER: usize = 64 * 1024;

/// The answer's body, its first [`MAX_ANSWER`] bytes at most; what could not be read is left.
async fn read_capped(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_ANSWER {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ANSWER - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    body
}

/// The message id in a JSON answer, if any.
fn provider_id(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["sid", "id", "message_id"]
        .iter()
        .find_map(|k| match v.get(*k)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.chars().take(200).collect()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// Sends the request and classifies the answer: 2xx accepted; 5xx, transport errors, 429 and
/// 425 (slow down), 408 (the server timed out waiting) and 401 and 403 (the gateway's
/// credentials refused: the configuration or the partner's side is wrong, not the message,
/// and fixing it delivers the backlog, as with the mail relay's) temporary, with
/// Retry-After; any other status permanent. A request that cannot be made at all (a URL the
/// client cannot read) is permanent: it would fail the same way on every retry. At most
/// [`MAX_ANSWER`] bytes of the answer are read.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Result<Accepted, ChannelError> {
    let response = request.send().await.map_err(|e| {
        // The client's error names the whole URL, which may carry the gateway's key in its
        // query or a partner's secret path: only the origin is kept, in logs, on the
        // delivery and in the job's error alike.
        let origin = e.url().map(|u| origin(u.as_str()));
        let e = e.without_url();
        let from = origin.map(|o| format!(" from {o}")).unwrap_or_default();
        if e.is_builder() {
            ChannelError::Permanent(format!("cannot be sent{from}: {e}"))
        } else {
            ChannelError::temporary(format!("no answer{from}: {e}"))
        }
    })?;
    let status = response.status();
    let wait = retry_after(response.headers());
    let body = read_capped(response).await;
    let detail = || {
        let text = String::from_utf8_lossy(&body);
        let text: String = text.chars().take(200).collect();
        format!("HTTP {}: {}", status.as_u16(), text.trim())
    };
    if status.is_success() {
        Ok(Accepted {
            provider_id: provider_id(&body),
        })
    } else if matches!(status.as_u16(), 401 | 403 | 408 | 425 | 429) || status.is_server_error() {
        Err(ChannelError::Temporary {
            message: detail(),
            retry_after: wait,
        })
    } else {
        Err(ChannelError::Permanent(detail()))
    }
}

/// `scheme://host:port` of `url`, what may be shown of it: the path and query of a gateway's
/// or partner's URL may hold a key, and the user part a password. A URL that cannot be read
/// shows as `(unreadable URL)`.
pub(crate) fn origin(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => {
            let host = u.host_str().unwrap_or_default();
            match u.port_or_known_default() {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        }
        Ok(u) => format!("{}:", u.scheme()),
        Err(_) => "(unreadable URL)".to_owned(),
    }
}

/// The HTTP client shared by a channel: connection pool, timeouts, no redirects (a gateway
/// that redirects a POST is misconfigured), `https://` trusted as `trust` says.
pub(crate) fn client(trust: &crate::tls::Trust) -> Result<reqwest::Client, crate::NotifyError> {
    client_builder(trust)
        .build()
        .map_err(|e| crate::NotifyError::config("tls", format!("HTTP client: {e}")))
}

/// How long a channel waits to connect to its gateway or partner.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// [`client`]'s settings, for a channel that adds its own (the webhooks' resolver).
pub(crate) fn client_builder(trust: &crate::tls::Trust) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .tls_backend_preconfigured(trust.client_config())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_ids_from_json() {
        assert_eq!(provider_id(br#"{"sid":"SM1"}"#).as_deref(), Some("SM1"));
        assert_eq!(provider_id(br#"{"id":42}"#).as_deref(), Some("42"));
        assert_eq!(
            provider_id(br#"{"message_id":"abc","id":""}"#).as_deref(),
            Some("abc")
        );
        assert_eq!(provider_id(b"OK"), None);
        assert_eq!(provider_id(br#"{"status":"queued"}"#), None);
    }

    #[test]
    fn origins_keep_no_path_query_or_password() {
        assert_eq!(
            origin("https://user:pw@sms.example/send?api_key=SECRET"),
            "https://sms.example:443"
        );
        assert_eq!(
            origin("http://127.0.0.1:9/hooks/SECRET"),
            "http://127.0.0.1:9"
        );
        assert_eq!(origin("not a url SECRET"), "(unreadable URL)");
        assert!(!origin("mailto:SECRET@example.org").contains("SECRET"));
    }
}
