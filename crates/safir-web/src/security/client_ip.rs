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
        // Only the last entry, the one the proxy appended: when it is no bare address (a
        // port after it, brackets, `unknown`), it is read without them or not at all, never
        // replaced by an earlier entry, which the client wrote.
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back();
        if let Some(ip) = last.and_then(forwarded_address) {
            return Some(ip);
        }
    }
    peer.map(|p| p.ip())
}

/// An `X-Forwarded-For` entry as an address: bare, with a port (`203.0.113.9:5555`), or
/// bracketed with or without one (`[2001:db8::1]:443`).
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|e| e.strip_suffix(']'))
        .and_then(|e| e.parse().ok())
}

/// The address as rate limits count it: an IPv6 address by its /64 network, the block one
/// home or one server is given (a client that owns it picks a new address in it at will,
/// and each would count apart); an IPv4 address, or one written as IPv6, as itself.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
        v4 => v4,
    }
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

    #[test]
    fn addresses_of_one_ipv6_network_share_their_limit() {
        let key = |a: &str| limit_key(a.parse().unwrap());
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), key("192.0.2.7"));
        assert_ne!(key("192.0.2.7"), key("192.0.2.8"));
    }

    #[test]
    fn only_the_proxys_entry_is_read_whatever_its_form() {
        let peer: SocketAddr = "10.0.0.1:40000".parse().unwrap();
        let ip = |v: &'static str| client_ip(&forwarded(v), Some(peer), true);
        assert_eq!(
            ip("6.6.6.6, 203.0.113.9:5555"),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            ip("6.6.6.6, [2001:db8::1]:443"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(ip("6.6.6.6, unknown"), Some(peer.ip()));
    }
}
