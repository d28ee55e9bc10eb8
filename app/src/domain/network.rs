//! Which network addresses Opsroom trusts or may reach: lists of networks and host names from
//! the environment (trusted proxies, internal webhook receivers), and the rule that outgoing
//! requests go only to public addresses unless an administrator allowed more.

use ipnet::IpNet;
use std::net::IpAddr;

/// Networks and host names, as an operator writes them: `10.0.0.0/8, 192.0.2.7, hooks.internal`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressList {
    networks: Vec<IpNet>,
    hosts: Vec<String>,
}

impl AddressList {
    /// Parses a comma-separated list; `what` names the setting in the error.
    pub fn parse(what: &str, text: &str) -> Result<AddressList, String> {
        let mut list = AddressList::default();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if let Ok(net) = entry.parse::<IpNet>() {
                list.networks.push(net);
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                list.networks.push(IpNet::from(ip));
            } else if is_host_name(entry) {
                list.hosts.push(entry.to_ascii_lowercase());
            } else {
                return Err(format!(
                    "{what}: '{entry}' is neither an address, a network nor a host name"
                ));
            }
        }
        Ok(list)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.networks.iter().any(|n| n.contains(&ip))
    }

    pub fn names(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// An IPv4 address written as IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Networks that are not the public internet: this host, private networks, link-local
/// (including the cloud metadata address 169.254.169.254), shared, reserved and multicast
/// ranges, for IPv4 and IPv6.
const NOT_PUBLIC: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "::1/128",
    "64:ff9b::/96",
    "100::/64",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

/// Whether `ip` is an address of the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    let ip = canonical(ip);
    !NOT_PUBLIC
        .iter()
        .filter_map(|n| n.parse::<IpNet>().ok())
        .any(|n| n.contains(&ip))
}

/// Whether Opsroom may send to `ip` (reached through `host`): public addresses always; others
/// only when the administrator's allow-list names the address's network or the host.
pub fn may_reach(allow: &AddressList, host: &str, ip: IpAddr) -> bool {
    is_public(ip) || allow.contains(ip) || allow.names(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(ip(a)), "{a}");
        }
        for a in [
            "8.8.8.8",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(a)), "{a}");
        }
    }

    #[test]
    fn an_allow_list_opens_its_networks_and_hosts_only() {
        let allow = AddressList::parse("X", "10.0.0.0/8, 192.168.1.7, hooks.internal").unwrap();
        assert!(may_reach(&allow, "a", ip("10.9.9.9")));
        assert!(may_reach(&allow, "a", ip("192.168.1.7")));
        assert!(!may_reach(&allow, "a", ip("192.168.1.8")));
        assert!(may_reach(&allow, "Hooks.Internal", ip("172.16.0.5")));
        assert!(!may_reach(&allow, "other.internal", ip("127.0.0.1")));
        assert!(may_reach(&AddressList::default(), "x", ip("8.8.8.8")));
        assert!(AddressList::parse("X", "10.0.0.0/33").is_err());
        assert!(AddressList::parse("X", "not a host!").is_err());
        assert_eq!(
            AddressList::parse("X", " , ").unwrap(),
            AddressList::default()
        );
    }
}
