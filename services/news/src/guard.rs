//! SSRF guard: feed URLs come from users and from feeds themselves (links, redirects), so jevons
//! refuses to connect to loopback, private, link-local, unspecified and multicast addresses unless
//! the configuration allows them. The check runs on the addresses a name *resolves* to (the
//! resolver below is the only one the HTTP client uses, so a re-resolution cannot sneak past it)
//! and on every redirect hop.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A network in CIDR notation, e.g. `127.0.0.1/32` or `fd00::/8`; a bare address is a /32 or /128.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical_ip(ip);
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// A `news.allowed_networks` entry that is not a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("`{0}` is not a network (use e.g. 127.0.0.1/32 or ::1/128)")]
    NotANetwork(String),
    #[error("`{net}`: the prefix length must be 0 to {max}")]
    Prefix { net: String, max: u8 },
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let net: IpAddr = addr
            .parse()
            .map_err(|_| CidrError::NotANetwork(s.to_string()))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => {
                p.parse::<u8>()
                    .ok()
                    .filter(|p| *p <= max)
                    .ok_or_else(|| CidrError::Prefix {
                        net: s.to_string(),
                        max,
                    })?
            }
        };
        Ok(Cidr {
            net: canonical_ip(net),
            prefix,
        })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.net, self.prefix)
    }
}

/// IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is the IPv4 address it maps; checked as such.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// Why an address is not public, or `None` when it is.
fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match canonical_ip(ip) {
        IpAddr::V4(ip) => v4_reason(ip),
        IpAddr::V6(ip) => v6_reason(ip),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if ip.is_broadcast() || a >= 240 {
        Some("reserved")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else {
        None
    }
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_multicast() {
        Some("multicast")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else {
        None
    }
}

/// A connection the guard refused.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "refused to connect to {host} ({addr}): it is a {reason} address \
     (set news.allow_private_addresses or list it in news.allowed_networks to allow it)"
)]
pub struct Refused {
    pub host: String,
    pub addr: IpAddr,
    pub reason: &'static str,
}

/// Which addresses the news client may connect to.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    /// Every non-public address is allowed (except unspecified and multicast, which are never a
    /// web server).
    pub allow_private: bool,
    /// Networks allowed even though they are not public, e.g. `127.0.0.1/32` in tests.
    pub allowed: Vec<Cidr>,
}

impl AddressPolicy {
    pub fn new(allow_private: bool, allowed: &[String]) -> Result<Self, CidrError> {
        let allowed = allowed
            .iter()
            .map(|s| s.parse::<Cidr>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            allow_private,
            allowed,
        })
    }

    /// Ok when `addr` may be connected to; `host` names it in the error.
    pub fn check(&self, host: &str, addr: IpAddr) -> Result<(), Refused> {
        if self.allowed.iter().any(|c| c.contains(addr)) {
            return Ok(());
        }
        match non_public_reason(addr) {
            None => Ok(()),
            Some(reason)
                if self.allow_private && reason != "unspecified" && reason != "multicast" =>
            {
                Ok(())
            }
            Some(reason) => Err(Refused {
                host: host.to_string(),
                addr,
                reason,
            }),
        }
    }

    /// Checks what can be checked from the URL alone: the scheme, and the host when it is an IP
    /// literal (names are checked by [`GuardedResolver`] when they are resolved).
    pub fn check_url(&self, url: &Url) -> Result<(), UrlRefused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlRefused::Scheme(url.scheme().to_string()));
        }
        let host = url.host_str().ok_or(UrlRefused::NoHost)?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) => Ok(self.check(bare, ip)?),
            Err(_) => Ok(()),
        }
    }
}

/// A URL the guard will not fetch.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UrlRefused {
    #[error("only http and https URLs are fetched, not `{0}:`")]
    Scheme(String),
    #[error("the URL has no host")]
    NoHost,
    #[error(transparent)]
    Address(#[from] Refused),
}

/// The HTTP client's resolver: resolves with the system resolver (tokio's `lookup_host`) and
/// keeps only the addresses the policy allows; none left is an error naming the refusal.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub policy: Arc<AddressPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut allowed = Vec::with_capacity(found.len());
            let mut refused = None;
            for addr in found {
                match policy.check(&host, addr.ip()) {
                    Ok(()) => allowed.push(addr),
                    Err(e) => refused = Some(e),
                }
            }
            match (allowed.is_empty(), refused) {
                (false, _) => Ok(Box::new(allowed.into_iter()) as Addrs),
                (true, Some(refused)) => {
                    tracing::warn!(%refused, "SSRF guard refused a resolved address");
                    Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>)
                }
                (true, None) => Err(format!("{host} resolved to no address").into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn non_public_addresses_are_refused_by_default() {
        let p = AddressPolicy::default();
        for (addr, reason) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.169.254", "link-local"),
            ("0.0.0.0", "unspecified"),
            ("224.0.0.1", "multicast"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fd00::1", "private (unique local)"),
            ("fe80::1", "link-local"),
            ("::ffff:10.0.0.1", "private"),
        ] {
            let err = p.check("h", ip(addr)).unwrap_err();
            assert_eq!(err.reason, reason, "{addr}");
        }
        for addr in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(p.check("h", ip(addr)).is_ok(), "{addr}");
        }
    }

    #[test]
    fn allow_lists_open_exactly_their_networks() {
        let p = AddressPolicy::new(false, &["127.0.0.1/32".into(), "fd00::/8".into()]).unwrap();
        assert!(p.check("h", ip("127.0.0.1")).is_ok());
        assert!(p.check("h", ip("127.0.0.2")).is_err());
        assert!(p.check("h", ip("fd12::1")).is_ok());
        assert!(p.check("h", ip("10.0.0.1")).is_err());

        let all = AddressPolicy::new(true, &[]).unwrap();
        assert!(all.check("h", ip("10.0.0.1")).is_ok());
        assert!(all.check("h", ip("0.0.0.0")).is_err());

        assert!("10.0.0.0/33".parse::<Cidr>().is_err());
        assert!("nonsense".parse::<Cidr>().is_err());
        assert_eq!(
            "10.1.0.0/16".parse::<Cidr>().unwrap().to_string(),
            "10.1.0.0/16"
        );
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains(ip("8.8.8.8")));
    }

    #[test]
    fn urls_are_checked_for_scheme_and_literal_hosts() {
        let p = AddressPolicy::default();
        let url = |s: &str| Url::parse(s).unwrap();
        assert!(p.check_url(&url("https://example.com/feed")).is_ok());
        assert!(matches!(
            p.check_url(&url("file:///etc/passwd")),
            Err(UrlRefused::Scheme(_))
        ));
        assert!(matches!(
            p.check_url(&url("http://169.254.169.254/latest/meta-data")),
            Err(UrlRefused::Address(_))
        ));
        assert!(p.check_url(&url("http://[::1]:8080/")).is_err());
    }

    #[tokio::test]
    async fn the_resolver_drops_refused_addresses() {
        let resolver = GuardedResolver {
            policy: Arc::new(AddressPolicy::default()),
        };
        let name: Name = "localhost".parse().unwrap();
        let err = match resolver.resolve(name).await {
            Ok(_) => panic!("localhost must be refused"),
            Err(e) => e,
        };
        assert!(err.downcast_ref::<Refused>().is_some(), "{err}");
    }
}
