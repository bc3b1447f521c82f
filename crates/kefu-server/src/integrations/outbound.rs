//! Calls out to integrators' systems: which targets are allowed (public addresses, plus the
//! operator's `outbound_allow`), the one HTTP client every outbound caller uses, and the short
//! summaries its failures are logged as. Knows nothing about webhooks or other callers.
//!
//! A target is checked twice: at configuration time ([`Outbound::check_target`], early feedback)
//! and at every request, where the client's resolver hands the connector only addresses that
//! passed the check, so a name cannot re-resolve somewhere else between check and connect (DNS
//! rebinding). Literal IP hosts never reach a resolver, so [`Outbound::post`] checks them itself.

use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// How long a whole request may take, and the TCP connect within it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the configuration-time lookup may wait (an admin is waiting on the answer).
const CHECK_LOOKUP_TIMEOUT: Duration = Duration::from_secs(3);

/// The outbound HTTP client with its target policy. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    policy: Arc<Policy>,
    client: reqwest::Client,
}

/// Why a target is refused, in words an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute http(s) URL with a host.
    BadUrl,
    /// The host is, or only resolves to, addresses outside the public internet.
    Private { host: String, addr: IpAddr, kind: &'static str },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::BadUrl => f.write_str("an http(s) URL"),
            Refusal::Private { host, addr, kind } if host == &addr.to_string() => write!(
                f,
                "{addr} is a {kind} address; only public addresses are allowed unless the operator lists the target in outbound_allow"
            ),
            Refusal::Private { host, addr, kind } => write!(
                f,
                "{host} resolves to {addr}, a {kind} address; only public addresses are allowed unless the operator lists the target in outbound_allow"
            ),
        }
    }
}

impl Outbound {
    /// Build the client; `allow` is the operator's `outbound_allow` (names, `*.suffix` names,
    /// addresses, CIDR networks). A malformed entry is an error naming it.
    pub fn new(allow: &[String]) -> anyhow::Result<Outbound> {
        let policy = Arc::new(Policy::parse(allow)?);
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            // A redirect would be a second, unchecked target.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy resolves the target itself, out of our sight: HTTP(S)_PROXY in the
            // environment would silently switch every check here off.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver { policy: policy.clone() }))
            .build()
            .context("failed to build the outbound HTTP client")?;
        Ok(Outbound { policy, client })
    }

    /// Configuration-time check of a target URL: the syntax, a literal address, and what a name
    /// resolves to now. A name that does not resolve (yet) passes; delivery checks it again.
    pub async fn check_target(&self, url: &str) -> Result<Url, Refusal> {
        let url = parse(url)?;
        if let Some(name) = self.policy.literal_check(&url)? {
            if self.policy.name_allowed(&name) {
                return Ok(url);
            }
            if let Ok(Ok(addrs)) = tokio::time::timeout(CHECK_LOOKUP_TIMEOUT, lookup(&name)).await {
                self.policy.permitted(&name, &addrs)?;
            }
        }
        Ok(url)
    }

    /// A POST to `url`, or why it may not be sent. Names are checked by the resolver when the
    /// request is sent.
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, Refusal> {
        let url = parse(url)?;
        self.policy.literal_check(&url)?;
        Ok(self.client.post(url))
    }
}

fn parse(url: &str) -> Result<Url, Refusal> {
    // WHATWG parsing, the same reqwest does: `http://2130706433/`, `http://0x7f.1/` and
    // `http://127.1/` all come out as the host 127.0.0.1, so one check covers every spelling.
    let url = Url::parse(url.trim()).map_err(|_| Refusal::BadUrl)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || url.as_str().len() > 2000 {
        return Err(Refusal::BadUrl);
    }
    Ok(url)
}

/// Summary of a failed request for a delivery log: a category, never the error's text (which
/// carries addresses and OS messages that would turn the log into a network probe).
pub fn failure_summary(err: &reqwest::Error) -> &'static str {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(refused) = e.downcast_ref::<ResolveRefused>() {
            return refused.summary();
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused",
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => return "connection reset",
                std::io::ErrorKind::TimedOut => return "timeout",
                _ => {}
            }
        }
        source = e.source();
    }
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

/// Summary of a refused target for a delivery log.
pub fn refusal_summary(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::BadUrl => "refused: invalid URL",
        Refusal::Private { .. } => ResolveRefused::Private.summary(),
    }
}

/// Addresses `host` stands for. `localhost` and `*.localhost` are loopback by definition
/// (RFC 6761), whatever a resolver says or fails to say.
async fn lookup(host: &str) -> std::io::Result<Vec<IpAddr>> {
    let name = normalise(host);
    if name == "localhost" || name.ends_with(".localhost") {
        return Ok(vec![IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)]);
    }
    let addrs = tokio::net::lookup_host((host, 0)).await?;
    Ok(addrs.map(|a| a.ip()).collect())
}

fn normalise(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// The resolver of the outbound client: resolves, then drops every address the policy refuses,
/// so the connector can only reach checked addresses.
struct GuardedResolver {
    policy: Arc<Policy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = lookup(&host).await.map_err(|_| ResolveRefused::Lookup)?;
            let allowed: Vec<SocketAddr> =
                addrs.into_iter().filter(|ip| policy.permits(&host, *ip).is_ok()).map(|ip| SocketAddr::new(ip, 0)).collect();
            if allowed.is_empty() {
                return Err(ResolveRefused::Private.into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The resolver's failures, found again in the error chain by [`failure_summary`].
#[derive(Debug, Clone, Copy)]
enum ResolveRefused {
    Lookup,
    Private,
}

impl ResolveRefused {
    fn summary(self) -> &'static str {
        match self {
            ResolveRefused::Lookup => "DNS lookup failed",
            ResolveRefused::Private => "refused: private address",
        }
    }
}

impl fmt::Display for ResolveRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.summary())
    }
}

impl StdError for ResolveRefused {}

/// Which targets are allowed: public addresses, and whatever the operator listed.
#[derive(Debug, Default)]
struct Policy {
    /// Exact names (lowercase, no trailing dot).
    names: Vec<String>,
    /// `*.example.internal` entries, kept as `.example.internal`.
    suffixes: Vec<String>,
    /// Networks (a single address is a /32 or /128).
    nets: Vec<(IpAddr, u8)>,
}

impl Policy {
    fn parse(entries: &[String]) -> anyhow::Result<Policy> {
        let mut policy = Policy::default();
        for entry in entries {
            let e = entry.trim();
            let bad = || format!("outbound_allow: {entry:?} is not a host name, an IP address or a network like 10.9.0.0/16");
            if let Some((addr, bits)) = e.split_once('/') {
                let addr: IpAddr = addr.parse().with_context(bad)?;
                let bits: u8 = bits.parse().with_context(bad)?;
                if bits > max_bits(addr) {
                    bail!(bad());
                }
                policy.nets.push((addr.to_canonical(), bits));
            } else if let Ok(addr) = e.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
                policy.nets.push((addr.to_canonical(), max_bits(addr.to_canonical())));
            } else if let Some(suffix) = e.strip_prefix("*.") {
                check_name(suffix).with_context(bad)?;
                policy.suffixes.push(format!(".{}", normalise(suffix)));
            } else {
                check_name(e).with_context(bad)?;
                policy.names.push(normalise(e));
            }
        }
        Ok(policy)
    }

    fn name_allowed(&self, host: &str) -> bool {
        let host = normalise(host);
        self.names.contains(&host) || self.suffixes.iter().any(|s| host.ends_with(s.as_str()))
    }

    /// Whether `ip` may be reached for `host` (the URL's host as written, for listed names).
    fn permits(&self, host: &str, ip: IpAddr) -> Result<(), &'static str> {
        let ip = ip.to_canonical();
        if self.name_allowed(host) || self.nets.iter().any(|&(net, bits)| in_net(ip, net, bits)) {
            return Ok(());
        }
        match non_public(ip) {
            Some(kind) => Err(kind),
            None => Ok(()),
        }
    }

    /// A literal-address host checked; a name returned for the caller to resolve.
    fn literal_check(&self, url: &Url) -> Result<Option<String>, Refusal> {
        let host = url.host_str().ok_or(Refusal::BadUrl)?;
        // After WHATWG parsing a host is an address exactly when it parses as one (IPv6 in
        // brackets); no other spelling is left.
        let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
            return Ok(Some(host.to_string()));
        };
        self.permits(&ip.to_string(), ip).map_err(|kind| Refusal::Private { host: ip.to_string(), addr: ip, kind })?;
        Ok(None)
    }

    /// Refused when none of the addresses a name resolves to may be reached.
    fn permitted(&self, host: &str, addrs: &[IpAddr]) -> Result<(), Refusal> {
        let mut refused = None;
        for &ip in addrs {
            match self.permits(host, ip) {
                Ok(()) => return Ok(()),
                Err(kind) => refused = refused.or(Some(Refusal::Private { host: normalise(host), addr: ip.to_canonical(), kind })),
            }
        }
        refused.map_or(Ok(()), Err)
    }
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.trim_end_matches('.').split('.').all(|label| {
            !label.is_empty() && label.len() <= 63 && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    if !ok {
        bail!("not a host name");
    }
    Ok(())
}

fn max_bits(ip: IpAddr) -> u8 {
    if ip.is_ipv4() {
        32
    } else {
        128
    }
}

fn in_net(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => prefix_eq(u32::from(ip).into(), u32::from(net).into(), 32, bits),
        (IpAddr::V6(ip), IpAddr::V6(net)) => prefix_eq(u128::from(ip), u128::from(net), 128, bits),
        _ => false,
    }
}

/// Whether the first `bits` of two `width`-bit numbers agree.
fn prefix_eq(a: u128, b: u128, width: u8, bits: u8) -> bool {
    let shift = u32::from(width - bits.min(width));
    a.checked_shr(shift).unwrap_or(0) == b.checked_shr(shift).unwrap_or(0)
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// What kind of non-public address `ip` is, or `None` for a public one. IPv4 lists what is not
/// public; IPv6 allows only global unicast (2000::/3) minus its special blocks, and judges
/// addresses that embed an IPv4 address (mapped, NAT64) by that address.
fn non_public(ip: IpAddr) -> Option<&'static str> {
    let ip = ip.to_canonical();
    let v4_blocks: [(IpAddr, u8, &'static str); 17] = [
        (v4(0, 0, 0, 0), 8, "\"this network\""),
        (v4(10, 0, 0, 0), 8, "private"),
        (v4(100, 64, 0, 0), 10, "carrier-grade NAT (shared)"),
        (v4(127, 0, 0, 0), 8, "loopback"),
        (v4(169, 254, 169, 254), 32, "cloud metadata"),
        (v4(169, 254, 0, 0), 16, "link-local"),
        (v4(172, 16, 0, 0), 12, "private"),
        (v4(192, 0, 0, 0), 24, "reserved (IETF protocol)"),
        (v4(192, 0, 2, 0), 24, "documentation"),
        (v4(192, 88, 99, 0), 24, "reserved (6to4 relay)"),
        (v4(192, 168, 0, 0), 16, "private"),
        (v4(198, 18, 0, 0), 15, "benchmarking"),
        (v4(198, 51, 100, 0), 24, "documentation"),
        (v4(203, 0, 113, 0), 24, "documentation"),
        (v4(224, 0, 0, 0), 4, "multicast"),
        (v4(255, 255, 255, 255), 32, "broadcast"),
        (v4(240, 0, 0, 0), 4, "reserved"),
    ];
    match ip {
        IpAddr::V4(_) => v4_blocks.iter().find(|&&(net, bits, _)| in_net(ip, net, bits)).map(|&(_, _, kind)| kind),
        IpAddr::V6(v6) => {
            let n = u128::from(v6);
            let within = |net: &str, bits: u8| in_net(ip, net.parse().expect("literal network"), bits);
            if within("64:ff9b::", 96) {
                // NAT64 reaches the IPv4 address in the last 32 bits.
                return non_public(IpAddr::V4(Ipv4Addr::from(n as u32)));
            }
            let kind = match () {
                _ if v6.is_unspecified() => "unspecified",
                _ if v6.is_loopback() => "loopback",
                _ if within("fc00::", 7) => "unique-local",
                _ if within("fe80::", 10) => "link-local",
                _ if within("ff00::", 8) => "multicast",
                _ if !within("2000::", 3) => "reserved",
                _ if within("2001:db8::", 32) || within("3fff::", 20) => "documentation",
                _ if within("2001::", 23) => "reserved (IETF protocol)",
                _ if within("2002::", 16) => "6to4",
                _ => return None,
            };
            Some(kind)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allow: &[&str]) -> Policy {
        Policy::parse(&allow.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn literal(allow: &[&str], url: &str) -> Result<Option<String>, Refusal> {
        policy(allow).literal_check(&parse(url)?)
    }

    #[test]
    fn every_spelling_of_a_private_address_is_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0x7f000001/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://127.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[64:ff9b::127.0.0.1]/",
            "http://[0:0:0:0:0:0:0:1]/",
            "http://0.0.0.0/",
            "http://0/",
            "http://10.1.2.3/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://100.100.100.200/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://198.18.0.1/",
            "http://[2001:db8::1]/",
            "https://user:pw@127.0.0.1:8443/x",
        ] {
            assert!(matches!(literal(&[], url), Err(Refusal::Private { .. })), "{url} was not refused");
        }
    }

    #[test]
    fn public_addresses_and_names_pass_the_literal_check() {
        assert_eq!(literal(&[], "https://93.184.215.14/hook"), Ok(None));
        assert_eq!(literal(&[], "https://[2606:4700::1111]/hook"), Ok(None));
        assert_eq!(literal(&[], "http://[64:ff9b::93.184.215.14]/"), Ok(None));
        assert_eq!(literal(&[], "https://Hooks.Example.com./x"), Ok(Some("hooks.example.com.".into())));
    }

    #[test]
    fn malformed_urls_are_refused() {
        for url in ["ftp://example.com/", "example.com/hook", "http://", "http://[::1/", "javascript:alert(1)", "file:///etc/passwd"] {
            assert_eq!(literal(&[], url), Err(Refusal::BadUrl), "{url}");
        }
    }

    #[test]
    fn the_operator_allows_names_addresses_and_networks() {
        let p = policy(&["crm.bank.internal", "*.corp.example", "10.1.2.3", "10.9.0.0/16", "fd00::/8", "[::1]"]);
        assert!(p.permits("crm.bank.internal.", v4(10, 200, 0, 1)).is_ok());
        assert!(p.permits("a.b.corp.example", v4(192, 168, 0, 1)).is_ok());
        assert!(p.permits("corp.example", v4(192, 168, 0, 1)).is_err());
        assert!(p.permits("x", v4(10, 1, 2, 3)).is_ok());
        assert!(p.permits("x", "::ffff:10.1.2.3".parse().unwrap()).is_ok());
        assert!(p.permits("x", v4(10, 1, 2, 4)).is_err());
        assert!(p.permits("x", v4(10, 9, 255, 1)).is_ok());
        assert!(p.permits("x", v4(10, 10, 0, 1)).is_err());
        assert!(p.permits("x", "fd12::1".parse().unwrap()).is_ok());
        assert!(p.permits("x", "::1".parse().unwrap()).is_ok());
        assert!(p.permits("x", v4(127, 0, 0, 1)).is_err());
    }

    #[test]
    fn malformed_allow_entries_are_named() {
        for bad in ["10.0.0.0/33", "10.0.0.0/x", "bad name", "http://x/", ""] {
            let err = Policy::parse(&[bad.to_string()]).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn a_name_is_refused_only_when_nothing_it_resolves_to_is_public() {
        let p = policy(&[]);
        let public = v4(93, 184, 215, 14);
        assert!(p.permitted("mixed.example", &[v4(127, 0, 0, 1), public]).is_ok());
        let refused = p.permitted("evil.example", &[v4(127, 0, 0, 1)]).unwrap_err();
        assert_eq!(refused.to_string().split(';').next(), Some("evil.example resolves to 127.0.0.1, a loopback address"));
    }

    #[tokio::test]
    async fn localhost_is_loopback_without_asking_dns() {
        for name in ["localhost", "LOCALHOST.", "hooks.localhost"] {
            assert_eq!(lookup(name).await.unwrap(), vec![v4(127, 0, 0, 1), IpAddr::V6(Ipv6Addr::LOCALHOST)]);
        }
        let outbound = Outbound::new(&[]).unwrap();
        let refused = outbound.check_target("http://localhost:8080/hook").await.unwrap_err();
        assert!(matches!(refused, Refusal::Private { kind: "loopback", .. }), "{refused}");
    }
}
