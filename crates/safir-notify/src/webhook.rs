//! Signed webhooks: the alert as JSON, POSTed to a partner's URL.
//!
//! Every request carries `Safir-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` computed
//! with the webhook's secret over `"<t>.<body>"` (the receiver recomputes it and rejects old
//! timestamps, which stops replays), and `Idempotency-Key: <delivery id>` so a request
//! repeated after a crash can be recognised. `https://` or `http://`, trusted as for SMS
//! gateways (see [`crate::tls`]).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::channel::{self, Accepted, ChannelError};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Safir-Signature";

/// `t=<t>,v1=<hex>` for this body at time `t`.
pub fn signature(secret: &[u8], t: i64, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a signature header against the body (for receivers and tests): the MAC, and that
/// `t` is within `tolerance_secs` of `now`.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (now - t).abs() > tolerance_secs {
        return false;
    }
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret) else {
        return false;
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

/// Posts signed JSON bodies. Cheap to clone (shared connection pool).
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    /// Private networks may be reached too (see [`crate::address`]).
    private_networks: bool,
}

impl WebhookSender {
    /// A sender whose `https://` requests trust `trust` and reach public addresses only.
    pub fn new(trust: &crate::tls::Trust) -> Result<Self, crate::NotifyError> {
        let client = channel::client_builder(trust)
            .dns_resolver(std::sync::Arc::new(crate::address::PublicOnly))
            .build()
            .map_err(|e| crate::NotifyError::config("tls", format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            private_networks: false,
        })
    }

    /// A sender that also reaches private networks: partners inside the ministry's own
    /// network (the operator's choice, `crisis.webhook_private_networks`), and test receivers.
    pub fn reaching_private_networks(
        trust: &crate::tls::Trust,
    ) -> Result<Self, crate::NotifyError> {
        Ok(Self {
            client: channel::client(trust)?,
            private_networks: true,
        })
    }

    /// Sends `body` once to `url`, signed with `secret`; classified like the SMS gateway.
    pub async fn send(
        &self,
        url: &str,
        secret: &[u8],
        key: &str,
        body: &serde_json::Value,
    ) -> Result<Accepted, ChannelError> {
        if !crate::is_http_url(url) {
            return Err(ChannelError::Permanent(format!(
                "webhook URL {}: not an https:// or http:// URL",
                channel::origin(url)
            )));
        }
        if !self.private_networks
            && let Some(why) = crate::address::refusal(url).await
        {
            return Err(ChannelError::Permanent(format!(
                "webhook URL {}: {why}",
                channel::origin(url)
            )));
        }
        let bytes = body.to_string().into_bytes();
        let t = chrono_now();
        let request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(secret, t, &bytes))
            .header("Idempotency-Key", key)
            .body(bytes);
        channel::send(request).await
    }
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_detect_tampering() {
        let h = signature(b"secret", 1_700_000_000, br#"{"a":1}"#);
        assert!(h.starts_with("t=1700000000,v1="));
        assert!(verify(b"secret", &h, br#"{"a":1}"#, 1_700_000_010, 300));
        assert!(!verify(b"secret", &h, br#"{"a":2}"#, 1_700_000_010, 300));
        assert!(!verify(b"other", &h, br#"{"a":1}"#, 1_700_000_010, 300));
        assert!(!verify(b"secret", &h, br#"{"a":1}"#, 1_700_001_000, 300));
        assert!(!verify(b"secret", "t=x,v1=zz", b"", 0, 300));
    }
}
