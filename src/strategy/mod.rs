//! Storage strategies: where response bodies live. Every backend implements
//! [`CacheStrategy`]; runners drive only this trait and never see a backend's internals.

pub mod bounded;
mod diagnosed;
mod file;
mod file_entry;
mod http_target;
mod memcached_cache;
mod memcached_proto;
pub mod memcached_server;
mod moka_cache;
mod no_cache;
mod redis_cache;
pub mod redis_server;
mod registry;
mod simulated;
pub mod spec;
mod tiered;

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use crate::metrics::StrategyFacts;

pub use diagnosed::Diagnosed;
pub use file::{FileCache, FileConfig};
pub use http_target::HttpTarget;
pub use memcached_cache::{
    DEFAULT_TIMEOUT as DEFAULT_MEMCACHED_TIMEOUT, MemcachedCache, MemcachedConfig, MemcachedTarget,
    TRACK_LIMIT, memcached_addr,
};
pub use moka_cache::MokaCache;
pub use no_cache::NoCache;
pub use redis_cache::{
    DEFAULT_TIMEOUT as DEFAULT_REDIS_TIMEOUT, RedisCache, RedisConfig, RedisTarget,
    redact as redact_redis_url,
};
pub use registry::build_strategy;
pub use simulated::Simulated;
pub use spec::{
    BackendSpec, FileSpec, HitRule, HttpTargetSpec, MaxmemoryPolicy, MemcachedMode, MemcachedSpec, RedisMode,
    RedisSpec, RedisUrl, ServerUrl, StrategyKind, StrategySpec, StrategyTable, TieredSpec, UrlTemplate,
};
pub use tiered::Tiered;

/// Most tiers a runner reports hits for (a deeper tier's hits count as the last one's).
pub const MAX_TIERS: usize = 4;

/// Where a runner counts a hit served by `tier` (0 is L1) in its `[u64; MAX_TIERS]` of hits
/// per tier: deeper tiers than the last slot count there.
pub fn tier_slot(tier: u8) -> usize {
    usize::from(tier).min(MAX_TIERS - 1)
}

/// What a runner tells a strategy about one request besides its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    /// Object size in bytes as the workload defines it.
    pub size: u32,
    /// Time of the request since the run started: logical in simulation, wall clock under load.
    /// In-memory strategies expire TTL'd entries against it.
    pub now: Duration,
    /// Time to live for a `put` (None: no expiry).
    pub ttl: Option<Duration>,
    /// Logical index of the next request for this key ([`crate::model::NEVER`] if unknown or
    /// never); only Belady-backed strategies read it.
    pub next_access: u64,
}

/// Result of a `get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The cached body, and which tier served it (0 for single-tier strategies, 0 = L1 and
    /// 1 = L2 for tiered ones).
    Hit {
        /// The body as stored.
        value: Bytes,
        /// Serving tier, 0-based.
        tier: u8,
    },
    /// Not cached (or expired).
    Miss,
}

/// What a strategy holds right now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Resident entries.
    pub entries: u64,
    /// Resident bytes of values, when the backend can tell.
    pub bytes: Option<u64>,
    /// Evictions since the strategy was built, when the backend can tell.
    pub evictions: Option<u64>,
    /// Stored entries found damaged (bad checksum, truncated) since the strategy was built;
    /// each was served as a miss and discarded. Runners count them as errors.
    pub corrupt_entries: u64,
}

/// A failed cache operation. Runners count these and fall back to the origin; they never stop
/// a run.
#[derive(Debug, thiserror::Error)]
pub enum StrategyError {
    /// The operation did not finish within the configured timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The backend (network, disk, server) failed.
    #[error("{0}")]
    Backend(String),
}

/// Where response bodies live. Every storage strategy implements this; runners drive only it.
#[async_trait]
pub trait CacheStrategy: Send + Sync {
    /// The strategy's display name (the scenario's `name`).
    fn name(&self) -> &str;

    /// What the strategy is (kind, backend, whether its data survives a restart, whether it
    /// is an offline bound), recorded with its results.
    fn facts(&self) -> StrategyFacts;

    /// Looks `key` up.
    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError>;

    /// Stores `value` under `key` (the strategy may decline to admit it).
    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError>;

    /// Settles pending background work so counts are reproducible (moka's maintenance).
    async fn sync(&self) -> Result<(), StrategyError> {
        Ok(())
    }

    /// How many tiers serve reads ([`Lookup::Hit::tier`] stays below it); runners report
    /// hits per tier when there is more than one.
    fn tiers(&self) -> usize {
        1
    }

    /// What is resident now.
    async fn usage(&self) -> Result<Usage, StrategyError>;

    /// Releases what the run created (keys under our prefix, spawned servers); called once
    /// at the end of a run, also after failures.
    async fn shutdown(&self) -> Result<(), StrategyError> {
        Ok(())
    }

    /// Version of the Redis server behind the strategy, if any (for results' environment).
    fn redis_version(&self) -> Option<String> {
        None
    }
}
