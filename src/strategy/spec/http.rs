//! The spec of an HTTP target: a cache cachelab does not own (nginx `proxy_cache`, Varnish,
//! an app with a response cache), reached by a URL template, in front of the origin cachelab
//! serves at `[origin] listen`. Its hit ratio is counted at that origin; a header rule may
//! also classify each response, for separate hit and miss latencies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::{StrategyKind, StrategyTable};
use crate::model::Invalid;
use crate::model::units::{Capacities, CapacitySpec};

/// The placeholder the URL template must hold once.
pub const KEY_PLACEHOLDER: &str = "{key}";

/// A target URL with `{key}` where the object's key goes: `http://IP:PORT/obj/{key}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    /// As written.
    pub text: String,
    /// The server to connect to.
    pub addr: SocketAddr,
    /// The `Host` header to send (the authority as written).
    pub host: String,
    /// The request target before the key.
    prefix: String,
    /// The request target after the key.
    suffix: String,
}

impl UrlTemplate {
    /// Checks a template: `http://`, a numeric address with a port (or `localhost:PORT`),
    /// and one `{key}` in the path or query.
    pub fn parse(text: &str) -> Result<UrlTemplate, String> {
        let example = "write e.g. url = \"http://127.0.0.1:8081/obj/{key}\"";
        let Some(rest) = text.strip_prefix("http://") else {
            return Err(format!("`{text}` is not an http:// URL (https is not supported); {example}"));
        };
        let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let addr = match authority.strip_prefix("localhost:") {
            Some(port) => port.parse().map(|p| SocketAddr::from((Ipv4Addr::LOCALHOST, p))).ok(),
            None => authority.parse::<SocketAddr>().ok(),
        }
        .ok_or_else(|| {
            format!(
                "`{authority}` in `{text}` is not IP:PORT (cachelab connects without DNS lookups); {example}"
            )
        })?;
        if addr.port() == 0 || addr.ip() == IpAddr::from(Ipv4Addr::UNSPECIFIED) {
            return Err(format!("`{authority}` in `{text}` is not an address to connect to; {example}"));
        }
        let mut parts = target.split(KEY_PLACEHOLDER);
        let (Some(prefix), Some(suffix), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "`{text}` must contain {KEY_PLACEHOLDER} exactly once, where the object's key goes; {example}"
            ));
        };
        Ok(UrlTemplate {
            text: text.to_string(),
            addr,
            host: authority.to_string(),
            prefix: prefix.to_string(),
            suffix: suffix.to_string(),
        })
    }

    /// The request target (path and query) for `key`; with `size`, `size=<bytes>` is added to
    /// the query (a trace's objects have no size the origin could derive).
    pub fn target(&self, key: u64, size: Option<u32>) -> String {
        let mut target = format!("{}{key}{}", self.prefix, self.suffix);
        if let Some(size) = size {
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str(&format!("size={size}"));
        }
        target
    }
}

/// How a target's response says it came from its cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HitRule {
    /// Nothing says: hits are known only in total, from the origin's count.
    Unclassified,
    /// This header holds one of these values (compared ignoring ASCII case).
    Header {
        /// The header's name.
        name: String,
        /// The values that mean a hit.
        values: Vec<String>,
    },
    /// An `Age` header above 0.
    Age,
}

impl HitRule {
    /// Whether a response whose `header` lookup gives these values is a hit.
    pub fn is_hit<'a>(&self, mut header: impl FnMut(&str) -> Option<&'a str>) -> bool {
        match self {
            HitRule::Unclassified => false,
            HitRule::Header { name, values } => {
                header(name).is_some_and(|v| values.iter().any(|h| h.eq_ignore_ascii_case(v.trim())))
            }
            HitRule::Age => header("age").and_then(|v| v.trim().parse::<u64>().ok()).is_some_and(|a| a > 0),
        }
    }

    /// The rule as one phrase, for the results (None when unclassified).
    pub fn describe(&self) -> Option<String> {
        match self {
            HitRule::Unclassified => None,
            HitRule::Header { name, values } => Some(format!("{name}: {}", values.join(" | "))),
            HitRule::Age => Some("Age > 0".into()),
        }
    }
}

/// A valid `kind = "http"` strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpTargetSpec {
    /// Where to send each request.
    pub url: UrlTemplate,
    /// How a response says it was a hit.
    pub hit: HitRule,
    /// The target's own configured size, as written (recorded, never enforced by cachelab).
    pub capacity: Option<CapacitySpec>,
}

impl HttpTargetSpec {
    /// Checks a `kind = "http"` table: a URL template with `{key}`, at most one hit rule, at
    /// most one capacity. The error names the field at fault.
    pub(super) fn from_table(t: &StrategyTable) -> Result<HttpTargetSpec, Invalid> {
        let Some(url) = &t.url else {
            return Err(Invalid::new("url", "kind = \"http\" needs url = \"http://IP:PORT/obj/{key}\""));
        };
        let url = UrlTemplate::parse(&url.0).map_err(|m| Invalid::new("url", m))?;
        let hit = match (&t.hit_header, &t.hit_values, t.hit_if_age) {
            (Some(_), _, true) => {
                return Err(Invalid::new("hit_if_age", "write either hit_header or hit_if_age, not both"));
            }
            (None, Some(_), _) => {
                return Err(Invalid::new("hit_values", "hit_values needs hit_header = \"...\""));
            }
            (Some(name), values, false) => {
                if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
                    return Err(Invalid::new("hit_header", format!("`{name}` is not a header name")));
                }
                let values = values.clone().unwrap_or_else(|| vec!["HIT".into()]);
                if values.is_empty() {
                    return Err(Invalid::new("hit_values", "list at least one value that means a hit"));
                }
                HitRule::Header { name: name.clone(), values }
            }
            (None, None, true) => HitRule::Age,
            (None, None, false) => HitRule::Unclassified,
        };
        let capacity = match t.capacity.as_ref().map(|c| &c.0[..]) {
            None => None,
            Some([one]) => Some(*one),
            Some(_) => {
                return Err(Invalid::new(
                    "capacity",
                    "an HTTP target has the one size it was configured with: write one capacity (or none)",
                ));
            }
        };
        Ok(HttpTargetSpec { url, hit, capacity })
    }

    /// This spec written back as a table (for the scenario echoed in results).
    pub(super) fn to_table(&self, name: &str) -> StrategyTable {
        let mut t = StrategyTable::empty(name, StrategyKind::Http);
        t.url = Some(super::ServerUrl(self.url.text.clone()));
        t.capacity = self.capacity.map(|c| Capacities(vec![c]));
        match &self.hit {
            HitRule::Unclassified => {}
            HitRule::Header { name, values } => {
                t.hit_header = Some(name.clone());
                t.hit_values = Some(values.clone());
            }
            HitRule::Age => t.hit_if_age = true,
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_need_one_key_and_a_numeric_address() {
        let t = UrlTemplate::parse("http://127.0.0.1:8081/obj/{key}").unwrap();
        assert_eq!(t.addr, "127.0.0.1:8081".parse().unwrap());
        assert_eq!(t.host, "127.0.0.1:8081");
        assert_eq!(t.target(7, None), "/obj/7");
        assert_eq!(t.target(7, Some(100)), "/obj/7?size=100");
        let q = UrlTemplate::parse("http://localhost:9/get?k={key}&v=1").unwrap();
        assert_eq!(q.addr, "127.0.0.1:9".parse().unwrap());
        assert_eq!(q.target(3, Some(5)), "/get?k=3&v=1&size=5");
        for (bad, says) in [
            ("http://127.0.0.1:8081/obj/", "exactly once"),
            ("http://127.0.0.1:8081/{key}/{key}", "exactly once"),
            ("https://127.0.0.1:8081/obj/{key}", "http://"),
            ("http://example.com/obj/{key}", "not IP:PORT"),
            ("http://127.0.0.1/obj/{key}", "not IP:PORT"),
            ("http://127.0.0.1:0/obj/{key}", "not an address"),
            ("http://[::1]:80/obj/{key}", ""),
        ] {
            match UrlTemplate::parse(bad) {
                Err(e) => assert!(e.contains(says) && !says.is_empty(), "{bad}: {e}"),
                Ok(_) => assert!(says.is_empty(), "{bad} accepted"),
            }
        }
    }

    #[test]
    fn hit_rules_read_headers() {
        let header =
            HitRule::Header { name: "X-Cache-Status".into(), values: vec!["HIT".into(), "STALE".into()] };
        assert!(header.is_hit(|n| (n == "X-Cache-Status").then_some("hit")));
        assert!(header.is_hit(|_| Some("STALE")));
        assert!(!header.is_hit(|_| Some("MISS")));
        assert!(!header.is_hit(|_| None));
        assert!(HitRule::Age.is_hit(|n| (n == "age").then_some("3")));
        assert!(!HitRule::Age.is_hit(|_| Some("0")));
        assert!(!HitRule::Age.is_hit(|_| None));
        assert!(!HitRule::Unclassified.is_hit(|_| Some("HIT")));
        assert_eq!(header.describe().unwrap(), "X-Cache-Status: HIT | STALE");
    }
}
