//! A `[[strategy]]` table as written: every field any kind takes, read with the location of
//! each value, before [`super::StrategySpec::from_table`] turns it into the typed spec of its
//! kind.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{MaxmemoryPolicy, RedisUrl};
use crate::model::Invalid;
use crate::model::units::ByteSize;
use crate::model::units::{Capacities, HumanDuration};
use crate::policy::{AdmissionSpec, PolicyKind, PolicyParams};

/// The kind of storage strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrategyKind {
    /// moka's concurrent W-TinyLFU cache.
    Moka,
    /// No cache: every request goes to the origin.
    None,
    /// An in-memory cache driven exactly by one of our eviction policies.
    Policy(PolicyKind),
    /// A Redis server (external, spawned by cachelab, or a cluster).
    Redis,
    /// Files in a cache directory, one per key, evicted by one of our policies.
    File,
    /// An in-memory L1 in front of a Redis or file L2.
    Tiered,
    /// An HTTP cache cachelab does not own (nginx, Varnish, an app), reached by URL.
    Http,
    /// A memcached server (external, or spawned by cachelab with `-m` = the capacity).
    Memcached,
}

impl StrategyKind {
    /// Every non-policy strategy kind with a one-line description, for `cachelab list`.
    pub const BACKENDS: &'static [(&'static str, &'static str)] = &[
        ("moka", "moka 0.12 sync::Cache (W-TinyLFU), in process"),
        ("none", "no cache: the baseline, every request reaches the origin"),
        (
            "redis",
            "Redis over the network: url = \"redis://...\", spawn = true (maxmemory = capacity) or cluster = [...]",
        ),
        (
            "file",
            "one file per key in dir = \"...\", evicted by policy = \"lru\" (any policy); survives restarts",
        ),
        (
            "tiered",
            "l1 = { in-memory strategy } in front of l2 = { redis, memcached or file }: promote on L2 hit, write-through",
        ),
        (
            "memcached",
            "memcached over the network: url = \"memcache://host:port\" or spawn = true (-m = capacity)",
        ),
        (
            "http",
            "a cache cachelab does not own (nginx, Varnish, an app) at url = \"http://IP:PORT/obj/{key}\", in front of [origin] listen; mode = \"http\" only",
        ),
    ];

    /// Parses a kind name: a backend or any policy name.
    pub fn parse(name: &str) -> Option<StrategyKind> {
        match name {
            "moka" => Some(StrategyKind::Moka),
            "none" => Some(StrategyKind::None),
            "redis" => Some(StrategyKind::Redis),
            "file" => Some(StrategyKind::File),
            "tiered" => Some(StrategyKind::Tiered),
            "http" => Some(StrategyKind::Http),
            "memcached" => Some(StrategyKind::Memcached),
            other => PolicyKind::parse(other).map(StrategyKind::Policy),
        }
    }

    /// The name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            StrategyKind::Moka => "moka",
            StrategyKind::None => "none",
            StrategyKind::Policy(p) => p.name(),
            StrategyKind::Redis => "redis",
            StrategyKind::File => "file",
            StrategyKind::Tiered => "tiered",
            StrategyKind::Http => "http",
            StrategyKind::Memcached => "memcached",
        }
    }

    /// Every accepted kind name.
    pub fn all_names() -> Vec<&'static str> {
        Self::BACKENDS.iter().map(|(n, _)| *n).chain(crate::policy::policy_names()).collect()
    }
}

impl fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for StrategyKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for StrategyKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        StrategyKind::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown strategy kind `{name}`; known kinds: {}",
                StrategyKind::all_names().join(", ")
            ))
        })
    }
}

fn policy_by_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PolicyKind>, D::Error> {
    let name = String::deserialize(d)?;
    PolicyKind::parse(&name).map(Some).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "unknown policy `{name}`; known policies: {}",
            crate::policy::policy_names().join(", ")
        ))
    })
}

fn serialize_policy<S: Serializer>(p: &Option<PolicyKind>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_str(p.name()),
        None => s.serialize_none(),
    }
}

/// A server URL as written (`url = "..."`); each kind checks its own form
/// ([`RedisUrl::parse`], [`crate::strategy::memcached_addr`]). Serialised with any password
/// replaced by `****`, so results never leak it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct ServerUrl(pub String);

impl ServerUrl {
    /// The URL with the password of its `user:password@` part (if any) replaced by `****`.
    pub fn redacted(&self) -> String {
        let url = &self.0;
        if let Some((scheme, rest)) = url.split_once("://") {
            let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
            if let Some(at) = authority.rfind('@')
                && let Some((user, _)) = authority[..at].split_once(':')
            {
                return format!("{scheme}://{user}:****@{}", &rest[at + 1..]);
            }
        }
        url.clone()
    }
}

impl fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServerUrl({})", self.redacted())
    }
}

impl Serialize for ServerUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One `[[strategy]]` table (or the `l1` / `l2` table of a tiered strategy) as written. Fields
/// after `params` apply to some kinds only; [`StrategyTable::check_applicable`] rejects them
/// elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyTable {
    /// Display name, unique in the scenario (optional in `l1` / `l2`).
    #[serde(default)]
    pub name: String,
    /// Which strategy.
    pub kind: StrategyKind,
    /// Capacity, or a list of capacities to sweep (not used by `none`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacities>,
    /// Policy tuning parameters (e.g. `params = { small_ratio = 0.1 }` for s3fifo).
    #[serde(default)]
    pub params: PolicyParams,
    /// policy kinds: an admission filter in front of the policy (e.g.
    /// `admission = { kind = "bloom" }`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<AdmissionSpec>,
    /// redis, memcached: an external server, never reconfigured (capacity reported as
    /// unbounded); only cachelab's own keys are deleted after the run. http: the target's URL
    /// template (`http://IP:PORT/obj/{key}`). Written back with any password as `****`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<ServerUrl>,
    /// redis: start a private `redis-server` with `maxmemory` = the capacity; memcached: a
    /// private `memcached` with `-m` = the capacity.
    #[serde(default, skip_serializing_if = "is_false")]
    pub spawn: bool,
    /// redis: nodes of a Redis Cluster (any subset; the rest is discovered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Vec<RedisUrl>>,
    /// redis (url or spawn): multiplexed connections to spread requests over (default 1);
    /// memcached: connections, each carrying one request at a time (default 16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u32>,
    /// redis with spawn = true: eviction policy of the spawned server (default allkeys-lru).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxmemory_policy: Option<MaxmemoryPolicy>,
    /// redis, memcached: per-operation timeout (default 250ms); a slower operation counts as a
    /// timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    /// redis (url or cluster), memcached (url): the longest any key cachelab writes may live,
    /// so that keys a killed run leaves expire on their own (default 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_ttl: Option<HumanDuration>,
    /// memcached with spawn = true: the largest item (key, header and value) the server
    /// accepts, its `-I` (default 1MiB; at most half the capacity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_size: Option<ByteSize>,
    /// file: the cache directory (created if missing; relative paths from the working dir).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    /// file: eviction policy keeping the directory within capacity (default lru).
    #[serde(
        default,
        deserialize_with = "policy_by_name",
        serialize_with = "serialize_policy",
        skip_serializing_if = "Option::is_none"
    )]
    pub policy: Option<PolicyKind>,
    /// file: fsync each entry and its directory before the write counts (default false).
    #[serde(default, skip_serializing_if = "is_false")]
    pub fsync: bool,
    /// file: delete what earlier runs stored (only this cache's own entry files) when the
    /// strategy starts, so the run starts cold (default false: it serves what it kept).
    #[serde(default, skip_serializing_if = "is_false")]
    pub cold_start: bool,
    /// file: use a directory that holds files cachelab did not write (default false: refused).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_foreign: bool,
    /// http: the response header that says whether the target served from its cache (e.g.
    /// `X-Cache-Status`), for separate hit and miss latencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit_header: Option<String>,
    /// http: the values of `hit_header` that mean a hit (default `["HIT"]`; compared ignoring
    /// ASCII case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hit_values: Option<Vec<String>>,
    /// http: a response with an `Age` header above 0 is a hit.
    #[serde(default, skip_serializing_if = "is_false")]
    pub hit_if_age: bool,
    /// tiered: the in-memory front tier (moka or a policy kind), with its own capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1: Option<Box<StrategyTable>>,
    /// tiered: the back tier (redis or file), with its own settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2: Option<Box<StrategyTable>>,
}

impl StrategyTable {
    /// The capacity list, or an error naming `capacity` when the kind needs one.
    pub(super) fn need_capacity(&self) -> Result<Capacities, Invalid> {
        self.capacity.clone().ok_or_else(|| {
            Invalid::new(
                "capacity",
                format!("kind `{}` needs a capacity (e.g. capacity = 10000 or \"64MiB\")", self.kind),
            )
        })
    }

    /// Rejects fields that mean nothing for this kind, and policy params where no policy is
    /// tuned (or that do not fit the policy).
    pub(super) fn check_applicable(&self) -> Result<(), Invalid> {
        use StrategyKind::{File, Http, Memcached, Redis, Tiered};
        let present: [(&str, bool, &[StrategyKind]); 18] = [
            ("url", self.url.is_some(), &[Redis, Memcached, Http]),
            ("spawn", self.spawn, &[Redis, Memcached]),
            ("cluster", self.cluster.is_some(), &[Redis]),
            ("connections", self.connections.is_some(), &[Redis, Memcached]),
            ("maxmemory_policy", self.maxmemory_policy.is_some(), &[Redis]),
            ("timeout", self.timeout.is_some(), &[Redis, Memcached]),
            ("safety_ttl", self.safety_ttl.is_some(), &[Redis, Memcached]),
            ("item_size", self.item_size.is_some(), &[Memcached]),
            ("dir", self.dir.is_some(), &[File]),
            ("policy", self.policy.is_some(), &[File]),
            ("fsync", self.fsync, &[File]),
            ("cold_start", self.cold_start, &[File]),
            ("allow_foreign", self.allow_foreign, &[File]),
            ("hit_header", self.hit_header.is_some(), &[Http]),
            ("hit_values", self.hit_values.is_some(), &[Http]),
            ("hit_if_age", self.hit_if_age, &[Http]),
            ("l1", self.l1.is_some(), &[Tiered]),
            ("l2", self.l2.is_some(), &[Tiered]),
        ];
        if self.admission.is_some() && !matches!(self.kind, StrategyKind::Policy(_)) {
            return Err(Invalid::new(
                "admission",
                format!(
                    "`admission` does not apply to kind `{}` (it filters an eviction policy: kind = \"lru\", ...)",
                    self.kind
                ),
            ));
        }
        if let Some(admission) = &self.admission {
            admission.validate().map_err(|e| e.under("admission"))?;
        }
        for (field, set, kinds) in present {
            if set && !kinds.contains(&self.kind) {
                let names: Vec<String> = kinds.iter().map(|k| format!("kind = \"{k}\"")).collect();
                return Err(Invalid::new(
                    field,
                    format!(
                        "`{field}` does not apply to kind `{}` (it is for {})",
                        self.kind,
                        names.join(" or ")
                    ),
                ));
            }
        }
        let params = match self.kind {
            StrategyKind::Policy(kind) => self.params.validate(kind),
            StrategyKind::File => self.params.validate(self.policy.unwrap_or(PolicyKind::Lru)),
            _ if self.params != PolicyParams::default() => Err(Invalid::new(
                "",
                format!("kind `{}` takes no policy params (they tune an eviction policy)", self.kind),
            )),
            _ => Ok(()),
        };
        params.map_err(|e| e.under("params"))
    }

    /// A table of `kind` with every optional field unset, for a spec to fill in.
    pub fn empty(name: &str, kind: StrategyKind) -> StrategyTable {
        StrategyTable {
            name: name.to_string(),
            kind,
            capacity: None,
            params: PolicyParams::default(),
            admission: None,
            url: None,
            spawn: false,
            cluster: None,
            connections: None,
            maxmemory_policy: None,
            timeout: None,
            safety_ttl: None,
            item_size: None,
            dir: None,
            policy: None,
            fsync: false,
            cold_start: false,
            allow_foreign: false,
            hit_header: None,
            hit_values: None,
            hit_if_age: false,
            l1: None,
            l2: None,
        }
    }
}
