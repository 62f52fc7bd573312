//! `[[strategy]]` entries: which strategy, at which capacities, with which parameters.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Invalid;
use crate::model::units::{Capacities, CapacitySpec, HumanDuration};
use crate::policy::{PolicyKind, PolicyParams};

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
            "l1 = { in-memory strategy } in front of l2 = { redis or file }: promote on L2 hit, write-through",
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

/// Redis's `maxmemory-policy` values, for a server cachelab spawns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxmemoryPolicy {
    /// Refuse writes when full.
    #[serde(rename = "noeviction")]
    NoEviction,
    /// Approximated LRU over all keys.
    AllkeysLru,
    /// Approximated LFU over all keys.
    AllkeysLfu,
    /// Random keys.
    AllkeysRandom,
    /// Approximated LRU over keys with a TTL.
    VolatileLru,
    /// Approximated LFU over keys with a TTL.
    VolatileLfu,
    /// Random keys with a TTL.
    VolatileRandom,
    /// Keys with the nearest expiry first.
    VolatileTtl,
}

impl MaxmemoryPolicy {
    /// The name Redis uses.
    pub fn name(self) -> &'static str {
        match self {
            MaxmemoryPolicy::NoEviction => "noeviction",
            MaxmemoryPolicy::AllkeysLru => "allkeys-lru",
            MaxmemoryPolicy::AllkeysLfu => "allkeys-lfu",
            MaxmemoryPolicy::AllkeysRandom => "allkeys-random",
            MaxmemoryPolicy::VolatileLru => "volatile-lru",
            MaxmemoryPolicy::VolatileLfu => "volatile-lfu",
            MaxmemoryPolicy::VolatileRandom => "volatile-random",
            MaxmemoryPolicy::VolatileTtl => "volatile-ttl",
        }
    }
}

/// A Redis URL (`redis://`, `rediss://`, `unix://`), checked when parsed; serialised with its
/// password replaced by `****` so results never leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisUrl(pub String);

impl fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedisUrl({})", crate::strategy::redact_redis_url(&self.0))
    }
}

impl Serialize for RedisUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::strategy::redact_redis_url(&self.0))
    }
}

impl<'de> Deserialize<'de> for RedisUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let url = String::deserialize(d)?;
        redis::Client::open(url.as_str()).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{}` is not a Redis URL ({e}); write e.g. \"redis://127.0.0.1:6379\" or \"rediss://:password@host:6380\"",
                crate::strategy::redact_redis_url(&url)
            ))
        })?;
        Ok(RedisUrl(url))
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

fn is_false(b: &bool) -> bool {
    !*b
}

/// One `[[strategy]]` table (or the `l1` / `l2` table of a tiered strategy). Fields after
/// `params` apply to some kinds only; [`StrategySpec::validate`] rejects them elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
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
    /// redis: an external server, never reconfigured (capacity reported as unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<RedisUrl>,
    /// redis: start a private `redis-server` with `maxmemory` = the capacity.
    #[serde(default, skip_serializing_if = "is_false")]
    pub spawn: bool,
    /// redis: nodes of a Redis Cluster (any subset; the rest is discovered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Vec<RedisUrl>>,
    /// redis (url or spawn): multiplexed connections to spread requests over (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u32>,
    /// redis with spawn = true: eviction policy of the spawned server (default allkeys-lru).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxmemory_policy: Option<MaxmemoryPolicy>,
    /// redis: per-operation timeout (default 250ms); a slower operation counts as a timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
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
    /// tiered: the in-memory front tier (moka or a policy kind), with its own capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1: Option<Box<StrategySpec>>,
    /// tiered: the back tier (redis or file), with its own settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l2: Option<Box<StrategySpec>>,
}

/// Most connections a Redis strategy may open.
const MAX_CONNECTIONS: u32 = 1024;

impl StrategySpec {
    /// Checks what the parser cannot: a capacity where one is needed, fields that fit the
    /// kind, and each kind's own rules. The error names the field at fault.
    pub fn validate(&self) -> Result<(), Invalid> {
        if self.name.trim().is_empty() {
            return Err(Invalid::new("name", "every [[strategy]] needs a name = \"...\""));
        }
        self.validate_fields()
    }

    fn validate_fields(&self) -> Result<(), Invalid> {
        self.check_applicable()?;
        match self.kind {
            StrategyKind::None => Ok(()),
            StrategyKind::Moka | StrategyKind::Policy(_) => self.need_capacity(),
            StrategyKind::Redis => self.validate_redis(),
            StrategyKind::File => self.validate_file(),
            StrategyKind::Tiered => self.validate_tiered(),
        }
    }

    fn need_capacity(&self) -> Result<(), Invalid> {
        if self.capacity.is_none() {
            return Err(Invalid::new(
                "capacity",
                format!("kind `{}` needs a capacity (e.g. capacity = 10000 or \"64MiB\")", self.kind),
            ));
        }
        Ok(())
    }

    /// Rejects fields that mean nothing for this kind.
    fn check_applicable(&self) -> Result<(), Invalid> {
        let present = [
            ("url", self.url.is_some(), StrategyKind::Redis),
            ("spawn", self.spawn, StrategyKind::Redis),
            ("cluster", self.cluster.is_some(), StrategyKind::Redis),
            ("connections", self.connections.is_some(), StrategyKind::Redis),
            ("maxmemory_policy", self.maxmemory_policy.is_some(), StrategyKind::Redis),
            ("timeout", self.timeout.is_some(), StrategyKind::Redis),
            ("dir", self.dir.is_some(), StrategyKind::File),
            ("policy", self.policy.is_some(), StrategyKind::File),
            ("fsync", self.fsync, StrategyKind::File),
            ("cold_start", self.cold_start, StrategyKind::File),
            ("l1", self.l1.is_some(), StrategyKind::Tiered),
            ("l2", self.l2.is_some(), StrategyKind::Tiered),
        ];
        for (field, set, kind) in present {
            if set && self.kind != kind {
                return Err(Invalid::new(
                    field,
                    format!("`{field}` does not apply to kind `{}` (it is for kind = \"{kind}\")", self.kind),
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

    fn validate_redis(&self) -> Result<(), Invalid> {
        let modes = [self.url.is_some(), self.spawn, self.cluster.is_some()];
        if modes.iter().filter(|m| **m).count() != 1 {
            // Point at the second mode written, or at the table when none is.
            let key = ["url", "spawn", "cluster"].into_iter().zip(modes).filter(|(_, m)| *m).nth(1);
            return Err(Invalid::new(
                key.map_or("", |(k, _)| k),
                "kind = \"redis\" needs exactly one of url = \"redis://...\", spawn = true or \
                 cluster = [\"redis://...\", ...]",
            ));
        }
        if let Some(nodes) = &self.cluster
            && nodes.is_empty()
        {
            return Err(Invalid::new("cluster", "cluster = [...] needs at least one node URL"));
        }
        if self.spawn {
            let bytes_only = self
                .capacity
                .as_ref()
                .is_some_and(|c| c.0.iter().all(|c| matches!(c, CapacitySpec::Bytes(_))));
            if !bytes_only {
                return Err(Invalid::new(
                    "capacity",
                    "spawn = true needs a byte capacity, which becomes the server's maxmemory \
                     (e.g. capacity = \"64MiB\"; object counts and shares do not apply)",
                ));
            }
        } else {
            if self.capacity.is_some() {
                return Err(Invalid::new(
                    "capacity",
                    "capacity cannot be set with url or cluster: cachelab never reconfigures a server \
                     it did not start (its capacity is reported as unbounded); use spawn = true to \
                     compare at a given memory",
                ));
            }
            if self.maxmemory_policy.is_some() {
                return Err(Invalid::new(
                    "maxmemory_policy",
                    "maxmemory_policy needs spawn = true (cachelab never reconfigures a server it did \
                     not start)",
                ));
            }
        }
        if let Some(n) = self.connections {
            if self.cluster.is_some() {
                return Err(Invalid::new(
                    "connections",
                    "connections does not apply to cluster (the cluster client keeps one per node)",
                ));
            }
            if n == 0 || n > MAX_CONNECTIONS {
                return Err(Invalid::new(
                    "connections",
                    format!("connections must be between 1 and {MAX_CONNECTIONS}, got {n}"),
                ));
            }
        }
        if self.timeout.is_some_and(|t| t.0.is_zero()) {
            return Err(Invalid::new("timeout", "timeout must be greater than zero"));
        }
        Ok(())
    }

    fn validate_file(&self) -> Result<(), Invalid> {
        match &self.dir {
            None => return Err(Invalid::new("dir", "kind = \"file\" needs dir = \"path/to/cache-dir\"")),
            Some(d) if d.as_os_str().is_empty() => return Err(Invalid::new("dir", "dir must not be empty")),
            Some(_) => {}
        }
        self.need_capacity()?;
        if self.capacity.as_ref().is_some_and(|c| c.0.len() > 1) {
            return Err(Invalid::new(
                "capacity",
                "a file cache owns its directory, so it cannot sweep capacities: write one \
                 [[strategy]] per capacity, each with its own dir",
            ));
        }
        if let Some(p) = self.policy
            && p.needs_future()
        {
            return Err(Invalid::new(
                "policy",
                format!("policy `{}` needs future knowledge, which a file cache does not have", p.name()),
            ));
        }
        Ok(())
    }

    fn validate_tiered(&self) -> Result<(), Invalid> {
        if self.capacity.is_some() {
            return Err(Invalid::new(
                "capacity",
                "a tiered strategy has no capacity of its own: set one in l1 and one in l2",
            ));
        }
        let (Some(l1), Some(l2)) = (&self.l1, &self.l2) else {
            return Err(Invalid::new(
                if self.l1.is_none() { "l1" } else { "l2" },
                "kind = \"tiered\" needs l1 = { kind = \"moka\", capacity = \"16MiB\" } and \
                 l2 = { kind = \"file\" or \"redis\", ... }",
            ));
        };
        let in_memory = matches!(l1.kind, StrategyKind::Moka)
            || matches!(l1.kind, StrategyKind::Policy(p) if !p.needs_future());
        if !in_memory {
            return Err(Invalid::new(
                "l1.kind",
                format!("l1 must be an in-memory cache (moka or a policy kind), not `{}`", l1.kind),
            ));
        }
        if !matches!(l2.kind, StrategyKind::Redis | StrategyKind::File) {
            return Err(Invalid::new(
                "l2.kind",
                format!("l2 must be kind \"redis\" or \"file\", not `{}`", l2.kind),
            ));
        }
        for (tier, spec) in [("l1", l1), ("l2", l2)] {
            spec.validate_fields()
                .map_err(|e| Invalid { message: format!("{tier}: {}", e.message), ..e }.under(tier))?;
            if let Some(c) = &spec.capacity {
                let at = format!("{tier}.capacity");
                if c.0.len() > 1 {
                    return Err(Invalid::new(at, format!("{tier}: a tier has one capacity, not a list")));
                }
                if matches!(c.0[0], CapacitySpec::Share(_)) {
                    return Err(Invalid::new(
                        at,
                        format!(
                            "{tier}: a tier capacity is an object count or a byte size, not a share (\"5%\")"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The capacities to run (one `None` for kinds without a capacity of their own).
    pub fn capacities(&self) -> Vec<Option<CapacitySpec>> {
        match (&self.capacity, self.kind) {
            (_, StrategyKind::None) | (None, _) => vec![None],
            (Some(c), _) => c.0.iter().copied().map(Some).collect(),
        }
    }

    /// Every cache directory this strategy uses (its own, or its tiers').
    pub fn dirs(&self) -> Vec<&Path> {
        let tiers = [&self.l1, &self.l2].into_iter().flatten().flat_map(|t| t.dirs());
        self.dir.as_deref().into_iter().chain(tiers).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scenario::Scenario;

    fn parse(strategies: &str) -> Result<Scenario, String> {
        let text = format!("name = \"s\"\n[workload]\nrequests = 10\n{strategies}");
        Scenario::parse(&text, Path::new("s.toml")).map_err(|e| e.to_string())
    }

    fn rejects(strategies: &str, fragment: &str) {
        let err = parse(strategies).expect_err(strategies);
        assert!(err.contains(fragment), "expected `{fragment}` in: {err}");
    }

    #[test]
    fn backends_parse_with_their_fields() {
        let s = parse(
            r#"
[[strategy]]
name = "ext"
kind = "redis"
url = "redis://:hunter2@127.0.0.1:6379/0"
connections = 4
timeout = "50ms"
[[strategy]]
name = "own"
kind = "redis"
spawn = true
maxmemory_policy = "allkeys-lfu"
capacity = ["1MiB", "4MiB"]
[[strategy]]
name = "cl"
kind = "redis"
cluster = ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]
[[strategy]]
name = "disk"
kind = "file"
dir = "cache/disk"
policy = "LRU"
fsync = true
capacity = "1GiB"
[[strategy]]
name = "both"
kind = "tiered"
l1 = { kind = "moka", capacity = "16MiB" }
l2 = { kind = "file", dir = "cache/l2", capacity = "1GiB" }
"#,
        )
        .unwrap();
        assert_eq!(s.strategies.len(), 5);
        assert_eq!(s.strategies[0].timeout.unwrap().0, std::time::Duration::from_millis(50));
        assert_eq!(s.strategies[1].capacities().len(), 2);
        assert_eq!(s.strategies[2].capacities(), vec![None]);
        assert_eq!(s.strategies[4].capacities(), vec![None]);
        let echoed = serde_json::to_string(&s).unwrap();
        assert!(!echoed.contains("hunter2") && echoed.contains("redis://:****@127.0.0.1:6379/0"), "{echoed}");
    }

    #[test]
    fn misplaced_or_missing_fields_are_named() {
        rejects(
            "[[strategy]]\nname = \"m\"\nkind = \"moka\"\ncapacity = 10\ndir = \"x\"\n",
            "`dir` does not apply to kind `moka`",
        );
        rejects("[[strategy]]\nname = \"r\"\nkind = \"redis\"\n", "needs exactly one of url");
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\nurl = \"redis://h\"\ncapacity = \"1MiB\"\n",
            "exactly one of",
        );
        rejects("[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"http://h\"\n", "is not a Redis URL");
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\ncapacity = 1000\n",
            "needs a byte capacity",
        );
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\ncapacity = \"1MiB\"\n",
            "never reconfigures",
        );
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\nmaxmemory_policy = \"allkeys-lru\"\n",
            "needs spawn = true",
        );
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\ncapacity = \"1MiB\"\nmaxmemory_policy = \"most-lru\"\n",
            "allkeys-lfu",
        );
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\nconnections = 0\n",
            "between 1 and",
        );
        rejects(
            "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\ntimeout = \"soon\"\n",
            "not a duration",
        );
        rejects("[[strategy]]\nname = \"f\"\nkind = \"file\"\ncapacity = \"1MiB\"\n", "needs dir");
        rejects("[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\n", "needs a capacity");
        rejects(
            "[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\ncapacity = [1, 2]\n",
            "cannot sweep",
        );
        rejects(
            "[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\ncapacity = 1\npolicy = \"nope\"\n",
            "unknown policy",
        );
        rejects(
            "[[strategy]]\nname = \"a\"\nkind = \"file\"\ndir = \"d\"\ncapacity = 1\n[[strategy]]\nname = \"b\"\nkind = \"tiered\"\nl1 = { kind = \"lru\", capacity = 5 }\nl2 = { kind = \"file\", dir = \"d\", capacity = 9 }\n",
            "both use d",
        );
        rejects("[[strategy]]\nkind = \"none\"\n", "needs a name");
    }

    #[test]
    fn tiers_are_checked() {
        let l2 = "l2 = { kind = \"file\", dir = \"d\", capacity = \"1MiB\" }\n";
        rejects(
            "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"moka\", capacity = 10 }\n",
            "needs l1",
        );
        rejects(
            &format!("[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = {{ kind = \"none\" }}\n{l2}"),
            "l1 must be an in-memory cache",
        );
        rejects(
            "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"moka\", capacity = 10 }\nl2 = { kind = \"moka\", capacity = 10 }\n",
            "l2 must be kind",
        );
        rejects(
            &format!(
                "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = {{ kind = \"moka\", capacity = \"5%\" }}\n{l2}"
            ),
            "not a share",
        );
        rejects(
            &format!(
                "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\ncapacity = 5\nl1 = {{ kind = \"moka\", capacity = 5 }}\n{l2}"
            ),
            "no capacity of its own",
        );
        rejects(
            "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"moka\", capacity = 5 }\nl2 = { kind = \"file\", capacity = 5 }\n",
            "l2: kind = \"file\" needs dir",
        );
    }
}
