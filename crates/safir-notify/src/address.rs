//! Which network addresses a partner's webhook may reach. A webhook URL is typed by an
//! administrator and its name resolved by someone else's DNS: left unchecked, an alert could be
//! posted (and retried, and its answer logged) to a service inside the ministry's own network,
//! `http://169.254.169.254/` (a cloud's instance metadata), `http://127.0.0.1:5432/`. Only
//! public addresses are reached unless the operator allows private networks: the name is
//! checked before the request and again by the resolver the connection uses, so a name that
//! turns private between the two (DNS rebinding) is refused as well.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is an address of the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, shared (CGNAT), unspecified, multicast, broadcast, reserved or kept for
/// documentation and benchmarks; an IPv4 address inside IPv6 (mapped, compatible, NAT64) is
/// judged as that IPv4 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 168)
        || (a == 198 && (18..20).contains(&b))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, and :: and ::1), 64:ff9b::a.b.c.d (NAT64).
    let embedded = (s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff))
        || (s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]);
    if embedded {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_public_v4(v4);
    }
    !((s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xff00) == 0xff00 // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2002)) // 6to4, which carries any IPv4 address
}

/// Why `url` may not be posted to, when its host is, or resolves only to, addresses that are
/// not public; `None` when it may (or when its name does not resolve now: the request then
/// fails as any unreachable partner does, and is tried again).
pub async fn refusal(url: &str) -> Option<String> {
    // The host as the HTTP client reads it, by the URL standard: `169.254.169.254.`,
    // `%31%36%39.254.169.254` or full-width digits are the address they spell, which the
    // client connects to without asking a resolver. A URL it cannot read, it refuses itself.
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        return (!is_public(ip)).then(|| format!("{ip} is not a public address"));
    }
    // As long as the webhook client waits to connect: a resolver that does not answer is an
    // unreachable partner, not a refusal.
    let lookup = tokio::net::lookup_host((host, 0));
    let addrs: Vec<SocketAddr> = tokio::time::timeout(crate::channel::CONNECT_TIMEOUT, lookup)
        .await
        .ok()?
        .ok()?
        .collect();
    (!addrs.is_empty() && !addrs.iter().any(|a| is_public(a.ip())))
        .then(|| format!("{host} resolves only to addresses that are not public"))
}

/// The resolver of the webhook client: the system's, less the addresses that are not public.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.10",
            "198.18.0.1",
            "::1",
            "::",
            "::ffff:10.0.0.5",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "2002:7f00:1::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "193.0.14.129",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn literal_and_local_names_are_refused() {
        assert!(refusal("http://169.254.169.254/latest/").await.is_some());
        assert!(refusal("http://[::ffff:10.0.0.5]/").await.is_some());
        assert!(refusal("http://localhost:6379/").await.is_some());
        assert!(refusal("https://8.8.8.8/hook").await.is_none());
        // The host as the HTTP client reads it: with its port or brackets, or spelled with a
        // trailing dot or percent escapes, an address is still that address.
        assert!(refusal("http://[::1]:8080/x").await.is_some());
        assert!(refusal("http://10.0.0.5:8443/h").await.is_some());
        assert!(refusal("http://169.254.169.254./latest/").await.is_some());
        assert!(refusal("http://%31%36%39.254.169.254/").await.is_some());
        assert!(refusal("ftp://x").await.is_none());
    }

    #[tokio::test]
    async fn the_connections_resolver_keeps_public_addresses_only() {
        // A name that turned private after the check before the send (DNS rebinding).
        let name = "localhost".parse().unwrap();
        assert!(PublicOnly.resolve(name).await.is_err());
    }
}
