//! The spec of a memcached strategy: an existing server (`url`) or a private one (`spawn`)
//! with `-m` and `-I` from the scenario, how many connections, which timeout; checked once,
//! when the scenario is read.

use std::time::Duration;

use anyhow::Context;

use super::redis::{DEFAULT_SAFETY_TTL, SAFETY_TTL_RANGE};
use super::{ServerUrl, StrategyKind, StrategyTable};
use crate::model::units::{ByteSize, Capacities, CapacitySpec, HumanDuration};
use crate::model::{Capacity, CapacityUnit, Invalid};
use crate::strategy::memcached_server::{MIB, MemcachedOptions};
use crate::strategy::{
    DEFAULT_MEMCACHED_TIMEOUT, MemcachedConfig, MemcachedTarget, TRACK_LIMIT, memcached_addr,
};

/// Most connections a memcached strategy may open.
const MAX_CONNECTIONS: u32 = 1024;
/// Connections when the scenario sets none: each carries one request at a time.
const DEFAULT_CONNECTIONS: u32 = 16;
/// memcached's own default item size limit (`-I`).
pub const DEFAULT_ITEM_SIZE: u64 = MIB;
/// What memcached stores beside a value in an item (header, key of at most 46 bytes for
/// cachelab, flags, line ends), rounded up: a value fits if it is at most this much below the
/// item size limit.
pub const ITEM_OVERHEAD: u64 = 256;
/// The range memcached accepts for `-I`.
const ITEM_SIZE_RANGE: (u64, u64) = (1024, 1 << 30);

/// Which memcached a strategy talks to.
#[derive(Debug, Clone, PartialEq)]
pub enum MemcachedMode {
    /// An existing server (`memcache://host:port`), never flushed or reconfigured.
    Url(ServerUrl),
    /// A private `memcached` whose `-m` is each capacity of the sweep.
    Spawn {
        /// Byte capacities, whole MiB (validated).
        capacity: Capacities,
        /// `-I`, the largest item (None: memcached's 1 MiB).
        item_size: Option<ByteSize>,
    },
}

/// A valid `kind = "memcached"` strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct MemcachedSpec {
    /// Which server.
    pub mode: MemcachedMode,
    /// Connections (None: 16).
    pub connections: Option<u32>,
    /// Per-operation timeout (None: [`DEFAULT_MEMCACHED_TIMEOUT`]).
    pub timeout: Option<HumanDuration>,
    /// Url: the longest a key may live (None: the Redis default, 1 hour).
    pub safety_ttl: Option<HumanDuration>,
}

impl MemcachedSpec {
    /// Checks a `kind = "memcached"` table: exactly one of url and spawn, whole-MiB byte
    /// capacities at least twice the item size only with spawn, connections in range. The
    /// error names the field at fault.
    pub(super) fn from_table(t: &StrategyTable) -> Result<MemcachedSpec, Invalid> {
        let mode = match (&t.url, t.spawn) {
            (Some(url), false) => {
                memcached_addr(&url.0).map_err(|m| Invalid::new("url", m))?;
                if t.capacity.is_some() {
                    return Err(Invalid::new(
                        "capacity",
                        "capacity cannot be set with url: cachelab never reconfigures a server it did \
                         not start (its capacity is reported as unbounded); use spawn = true to compare \
                         at a given memory",
                    ));
                }
                if t.item_size.is_some() {
                    return Err(Invalid::new(
                        "item_size",
                        "item_size needs spawn = true (a server at a url keeps its own -I)",
                    ));
                }
                MemcachedMode::Url(url.clone())
            }
            (None, true) => Self::spawn_mode(t)?,
            (url, _) => {
                return Err(Invalid::new(
                    if url.is_some() { "spawn" } else { "" },
                    "kind = \"memcached\" needs exactly one of url = \"memcache://host:port\" or spawn = true",
                ));
            }
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
            if matches!(mode, MemcachedMode::Spawn { .. }) {
                return Err(Invalid::new(
                    "safety_ttl",
                    "safety_ttl applies to url only: a server cachelab spawns is stopped with \
                     everything on it",
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
        Ok(MemcachedSpec { mode, connections: t.connections, timeout: t.timeout, safety_ttl: t.safety_ttl })
    }

    /// The spawn mode of `t`: byte capacities in whole MiB (memcached's `-m` unit), each at
    /// least twice the item size (memcached refuses to start otherwise).
    fn spawn_mode(t: &StrategyTable) -> Result<MemcachedMode, Invalid> {
        let item = t.item_size.map_or(DEFAULT_ITEM_SIZE, |s| s.0);
        let (least, most) = ITEM_SIZE_RANGE;
        if !(least..=most).contains(&item) {
            return Err(Invalid::new(
                "item_size",
                format!("item_size must be between 1KiB and 1GiB, got {item}"),
            ));
        }
        let bytes = |c: &CapacitySpec| match c {
            CapacitySpec::Bytes(b) => Some(*b),
            _ => None,
        };
        let Some(capacity) = t.capacity.clone().filter(|c| c.0.iter().all(|c| bytes(c).is_some())) else {
            return Err(Invalid::new(
                "capacity",
                "spawn = true needs a byte capacity, which becomes the server's -m (e.g. capacity = \
                 \"64MiB\"; object counts and shares do not apply)",
            ));
        };
        for b in capacity.0.iter().filter_map(bytes) {
            if b % MIB != 0 {
                return Err(Invalid::new(
                    "capacity",
                    format!("memcached's -m counts whole MiB: {b} bytes is not (write e.g. \"64MiB\")"),
                ));
            }
            if b < 2 * item {
                return Err(Invalid::new(
                    "capacity",
                    format!(
                        "memcached needs -m of at least twice its item size (item_size = {}): {} MiB is \
                         too small",
                        ByteSize(item),
                        b / MIB
                    ),
                ));
            }
        }
        Ok(MemcachedMode::Spawn { capacity, item_size: t.item_size })
    }

    /// This spec written back as a table (for the scenario echoed in results).
    pub(super) fn to_table(&self, name: &str) -> StrategyTable {
        let mut t = StrategyTable::empty(name, StrategyKind::Memcached);
        match &self.mode {
            MemcachedMode::Url(url) => t.url = Some(url.clone()),
            MemcachedMode::Spawn { capacity, item_size } => {
                t.spawn = true;
                t.capacity = Some(capacity.clone());
                t.item_size = *item_size;
            }
        }
        t.connections = self.connections;
        t.timeout = self.timeout;
        t.safety_ttl = self.safety_ttl;
        t
    }

    /// The capacities to run: each `-m` of a spawned server, or one unbounded run.
    pub fn capacities(&self) -> Vec<Option<CapacitySpec>> {
        match &self.mode {
            MemcachedMode::Spawn { capacity, .. } => capacity.0.iter().copied().map(Some).collect(),
            MemcachedMode::Url(_) => vec![None],
        }
    }

    /// The largest value that fits in one item on a spawned server (None: a server at a url,
    /// whose limit cachelab does not set).
    pub fn largest_value(&self) -> Option<u64> {
        match &self.mode {
            MemcachedMode::Spawn { item_size, .. } => {
                Some(item_size.map_or(DEFAULT_ITEM_SIZE, |s| s.0).saturating_sub(ITEM_OVERHEAD))
            }
            MemcachedMode::Url(_) => None,
        }
    }

    /// How to connect, at `capacity`: for a spawned server, one of
    /// [`MemcachedSpec::capacities`] resolved (a byte count, its `-m`); unused otherwise.
    pub fn config(&self, capacity: Option<Capacity>) -> anyhow::Result<MemcachedConfig> {
        let (target, safety_ttl) = match &self.mode {
            MemcachedMode::Url(url) => (
                MemcachedTarget::Addr(memcached_addr(&url.0).map_err(|m| anyhow::anyhow!(m))?),
                Some(self.safety_ttl.map_or(DEFAULT_SAFETY_TTL, |t| t.0)),
            ),
            MemcachedMode::Spawn { item_size, .. } => {
                let bytes = capacity
                    .filter(|c| c.unit == CapacityUnit::Bytes)
                    .context("a spawned memcached runs at one of its byte capacities (its -m)")?
                    .value;
                let options = MemcachedOptions { memory_mib: bytes / MIB, item_size: item_size.map(|s| s.0) };
                (MemcachedTarget::Spawn(options), None)
            }
        };
        Ok(MemcachedConfig {
            target,
            connections: self.connections.unwrap_or(DEFAULT_CONNECTIONS) as usize,
            timeout: self.timeout.map_or(DEFAULT_MEMCACHED_TIMEOUT, |t| t.0),
            safety_ttl,
            track_limit: TRACK_LIMIT,
        })
    }

    /// The longest a key written may live: the safety TTL for a server cachelab did not
    /// start, None for a spawned one (stopped with everything on it).
    pub fn effective_safety_ttl(&self) -> Option<Duration> {
        match self.mode {
            MemcachedMode::Spawn { .. } => None,
            MemcachedMode::Url(_) => Some(self.safety_ttl.map_or(DEFAULT_SAFETY_TTL, |t| t.0)),
        }
    }
}
