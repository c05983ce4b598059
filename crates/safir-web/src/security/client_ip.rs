//! The address a request came from, for rate limits and the audit trail.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

/// The client's address: the peer's, or — only when a trusted reverse proxy
/// sits in front (`trusted_proxy`) — the last address in `X-Forwarded-For`,
/// the one that proxy appended. Earlier entries are whatever the client chose
/// to send and are ignored.
pub fn client_ip(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trusted_proxy: bool,
) -> Option<IpAddr> {
    if trusted_proxy {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer.map(|p| p.ip())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn forwarded_for_is_ignored_without_a_trusted_proxy() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let h = forwarded("203.0.113.9");
        assert_eq!(client_ip(&h, Some(peer), false), Some(peer.ip()));
    }

    #[test]
    fn trusted_proxy_uses_the_address_it_appended() {
        let peer: SocketAddr = "10.0.0.5:4000".parse().unwrap();
        let h = forwarded("6.6.6.6, 203.0.113.9");
        assert_eq!(
            client_ip(&h, Some(peer), true),
            Some("203.0.113.9".parse().unwrap())
        );
        let h = forwarded("garbage");
        assert_eq!(client_ip(&h, Some(peer), true), Some(peer.ip()));
        assert_eq!(client_ip(&HeaderMap::new(), None, true), None);
    }
}
