//! The spec of a Redis strategy: which server (external, spawned or a cluster), how many
//! connections, which timeout; checked once, when the scenario is read.

use std::fmt;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ServerUrl, StrategyKind, StrategyTable};
use crate::model::units::{Capacities, CapacitySpec, HumanDuration};
use crate::model::{Capacity, CapacityUnit, Invalid};
use crate::strategy::{DEFAULT_REDIS_TIMEOUT, RedisConfig, RedisTarget};

/// Most connections a Redis strategy may open.
const MAX_CONNECTIONS: u32 = 1024;
/// How long a key cachelab writes to a server it did not start may live, unless the scenario
/// says otherwise: a safety net, so that what a killed run leaves behind expires on its own.
pub const DEFAULT_SAFETY_TTL: Duration = Duration::from_secs(3600);
/// The range `safety_ttl` may take.
pub(super) const SAFETY_TTL_RANGE: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(30 * 24 * 3600));

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

impl RedisUrl {
    /// Checks that `url` is a Redis URL; the error says what to write.
    pub fn parse(url: &str) -> Result<RedisUrl, String> {
        redis::Client::open(url).map_err(|e| {
            format!(
                "`{}` is not a Redis URL ({e}); write e.g. \"redis://127.0.0.1:6379\" or \"rediss://:password@host:6380\"",
                crate::strategy::redact_redis_url(url)
            )
        })?;
        Ok(RedisUrl(url.to_string()))
    }
}

impl<'de> Deserialize<'de> for RedisUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RedisUrl::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Which Redis a strategy talks to.
#[derive(Debug, Clone, PartialEq)]
pub enum RedisMode {
    /// An external server, never reconfigured (its capacity is reported as unbounded).
    Url(RedisUrl),
    /// A private `redis-server` whose `maxmemory` is each capacity of the sweep.
    Spawn {
        /// Byte capacities (validated: bytes only).
        capacity: Capacities,
        /// `maxmemory-policy` of the spawned server (None: allkeys-lru).
        maxmemory_policy: Option<MaxmemoryPolicy>,
    },
    /// The nodes of a Redis Cluster (any subset, at least one; the rest is discovered).
    Cluster(Vec<RedisUrl>),
}

/// A valid `kind = "redis"` strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisSpec {
    /// Which server.
    pub mode: RedisMode,
    /// Multiplexed connections (url or spawn; None: 1).
    pub connections: Option<u32>,
    /// Per-operation timeout (None: [`DEFAULT_REDIS_TIMEOUT`]).
    pub timeout: Option<HumanDuration>,
    /// Url or cluster: the longest a key may live (None: [`DEFAULT_SAFETY_TTL`]).
    pub safety_ttl: Option<HumanDuration>,
}

impl RedisSpec {
    /// Checks a `kind = "redis"` table: exactly one of url, spawn and cluster, a byte capacity
    /// only with spawn, connections in range. The error names the field at fault.
    pub(super) fn from_table(t: &StrategyTable) -> Result<RedisSpec, Invalid> {
        let modes = [t.url.is_some(), t.spawn, t.cluster.is_some()];
        if modes.iter().filter(|m| **m).count() != 1 {
            // Point at the second mode written, or at the table when none is.
            let key = ["url", "spawn", "cluster"].into_iter().zip(modes).filter(|(_, m)| *m).nth(1);
            return Err(Invalid::new(
                key.map_or("", |(k, _)| k),
                "kind = \"redis\" needs exactly one of url = \"redis://...\", spawn = true or \
                 cluster = [\"redis://...\", ...]",
            ));
        }
        let mode = if let Some(url) = &t.url {
            let url = RedisUrl::parse(&url.0).map_err(|m| Invalid::new("url", m))?;
            Self::no_capacity(t)?;
            RedisMode::Url(url)
        } else if let Some(nodes) = &t.cluster {
            if nodes.is_empty() {
                return Err(Invalid::new("cluster", "cluster = [...] needs at least one node URL"));
            }
            Self::no_capacity(t)?;
            if t.connections.is_some() {
                return Err(Invalid::new(
                    "connections",
                    "connections does not apply to cluster (the cluster client keeps one per node)",
                ));
            }
            RedisMode::Cluster(nodes.clone())
        } else {
            let capacity =
                t.capacity.clone().filter(|c| c.0.iter().all(|c| matches!(c, CapacitySpec::Bytes(_))));
            let Some(capacity) = capacity else {
                return Err(Invalid::new(
                    "capacity",
                    "spawn = true needs a byte capacity, which becomes the server's maxmemory \
                     (e.g. capacity = \"64MiB\"; object counts and shares do not apply)",
                ));
            };
            RedisMode::Spawn { capacity, maxmemory_policy: t.maxmemory_policy }
        };
        if let Some(n) = t.connections
            && (n == 0 || n > MAX_CONNECTIONS)
        {
            return Err(Invalid::new(
                "connections",
                format!("connections must be between 1 and {MAX_CONNECTIONS}, got {n}"),
            ));
        }
        if t.timeout.is_some_and(|t| t.0.is_zero()) {
            return Err(Invalid::new("timeout", "timeout must be greater than zero"));
        }
        if let Some(ttl) = t.safety_ttl {
            if matches!(mode, RedisMode::Spawn { .. }) {
                return Err(Invalid::new(
                    "safety_ttl",
                    "safety_ttl applies to url and cluster only: a server cachelab spawns is stopped \
                     with everything on it",
                ));
            }
            let (least, most) = SAFETY_TTL_RANGE;
            if ttl.0 < least || ttl.0 > most {
                return Err(Invalid::new(
                    "safety_ttl",
                    format!("safety_ttl must be between 1s and 30d, got {:?}", ttl.0),
                ));
            }
        }
        Ok(RedisSpec { mode, connections: t.connections, timeout: t.timeout, safety_ttl: t.safety_ttl })
    }

    /// A server cachelab did not start keeps its own capacity and policy.
    fn no_capacity(t: &StrategyTable) -> Result<(), Invalid> {
        if t.capacity.is_some() {
            return Err(Invalid::new(
                "capacity",
                "capacity cannot be set with url or cluster: cachelab never reconfigures a server \
                 it did not start (its capacity is reported as unbounded); use spawn = true to \
                 compare at a given memory",
            ));
        }
        if t.maxmemory_policy.is_some() {
            return Err(Invalid::new(
                "maxmemory_policy",
                "maxmemory_policy needs spawn = true (cachelab never reconfigures a server it did \
                 not start)",
            ));
        }
        Ok(())
    }

    /// This spec written back as a table (for the scenario echoed in results).
    pub(super) fn to_table(&self, name: &str) -> StrategyTable {
        let mut t = StrategyTable::empty(name, StrategyKind::Redis);
        match &self.mode {
            RedisMode::Url(url) => t.url = Some(ServerUrl(url.0.clone())),
            RedisMode::Spawn { capacity, maxmemory_policy } => {
                t.spawn = true;
                t.capacity = Some(capacity.clone());
                t.maxmemory_policy = *maxmemory_policy;
            }
            RedisMode::Cluster(nodes) => t.cluster = Some(nodes.clone()),
        }
        t.connections = self.connections;
        t.timeout = self.timeout;
        t.safety_ttl = self.safety_ttl;
        t
    }

    /// The capacities to run: each maxmemory of a spawned server, or one unbounded run.
    pub fn capacities(&self) -> Vec<Option<CapacitySpec>> {
        match &self.mode {
            RedisMode::Spawn { capacity, .. } => capacity.0.iter().copied().map(Some).collect(),
            RedisMode::Url(_) | RedisMode::Cluster(_) => vec![None],
        }
    }

    /// The longest a key written may live: the safety TTL for a server cachelab did not start,
    /// None for a spawned one (stopped with everything on it).
    pub fn effective_safety_ttl(&self) -> Option<Duration> {
        match self.mode {
            RedisMode::Spawn { .. } => None,
            RedisMode::Url(_) | RedisMode::Cluster(_) => {
                Some(self.safety_ttl.map_or(DEFAULT_SAFETY_TTL, |t| t.0))
            }
        }
    }

    /// How to connect, at `capacity`: for a spawned server, one of [`RedisSpec::capacities`]
    /// resolved (a byte count, its maxmemory); unused otherwise.
    pub fn config(&self, capacity: Option<Capacity>) -> anyhow::Result<RedisConfig> {
        let target = match &self.mode {
            RedisMode::Url(url) => RedisTarget::Url(url.0.clone()),
            RedisMode::Cluster(nodes) => RedisTarget::Cluster(nodes.iter().map(|n| n.0.clone()).collect()),
            RedisMode::Spawn { maxmemory_policy, .. } => RedisTarget::Spawn {
                maxmemory: capacity
                    .filter(|c| c.unit == CapacityUnit::Bytes)
                    .context("a spawned Redis runs at one of its byte capacities (its maxmemory)")?
                    .value,
                policy: maxmemory_policy.unwrap_or(MaxmemoryPolicy::AllkeysLru).name().to_string(),
            },
        };
        let safety_ttl = self.effective_safety_ttl();
        Ok(RedisConfig {
            target,
            connections: self.connections.unwrap_or(1) as usize,
            timeout: self.timeout.map_or(DEFAULT_REDIS_TIMEOUT, |t| t.0),
            safety_ttl,
        })
    }
}
