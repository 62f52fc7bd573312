//! moka: a concurrent W-TinyLFU cache, the in-process cache most Rust services use.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use moka::notification::RemovalCause;
use moka::sync::Cache;
use rustc_hash::FxBuildHasher;

use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};
use crate::model::{Capacity, CapacityUnit};

/// A value with the logical expiry time the runner's clock is compared against, so TTLs mean
/// the same in simulation (logical time) as under load (wall clock).
#[derive(Clone)]
struct Entry {
    value: Bytes,
    expires: Option<Duration>,
}

/// moka's `sync::Cache` behind the [`CacheStrategy`] trait; byte capacity uses a weigher.
pub struct MokaCache {
    name: String,
    cache: Cache<u64, Entry, FxBuildHasher>,
    evictions: Arc<AtomicU64>,
}

impl MokaCache {
    /// A moka cache called `name` holding at most `capacity`.
    pub fn new(name: impl Into<String>, capacity: Capacity) -> Self {
        let evictions = Arc::new(AtomicU64::new(0));
        let counter = evictions.clone();
        let mut builder = Cache::builder().max_capacity(capacity.value).eviction_listener(
            move |_k: Arc<u64>, _v: Entry, cause: RemovalCause| {
                if cause == RemovalCause::Size {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            },
        );
        if capacity.unit == CapacityUnit::Bytes {
            builder = builder.weigher(|_k: &u64, v: &Entry| v.value.len().try_into().unwrap_or(u32::MAX));
        }
        // A fixed hasher instead of moka's default RandomState: moka's frequency sketch hashes keys
        // with it, so a seeded replay gives the same admissions run after run.
        MokaCache { name: name.into(), cache: builder.build_with_hasher(FxBuildHasher), evictions }
    }
}

#[async_trait]
impl CacheStrategy for MokaCache {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        StrategyFacts::new("moka", Backend::Moka)
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        match self.cache.get(&key) {
            Some(e) if e.expires.is_some_and(|t| t <= hint.now) => {
                self.cache.invalidate(&key);
                Ok(Lookup::Miss)
            }
            Some(e) => Ok(Lookup::Hit { value: e.value, tier: 0 }),
            None => Ok(Lookup::Miss),
        }
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        let expires = hint.ttl.map(|t| hint.now + t);
        self.cache.insert(key, Entry { value, expires });
        Ok(())
    }

    async fn sync(&self) -> Result<(), StrategyError> {
        self.cache.run_pending_tasks();
        Ok(())
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        self.cache.run_pending_tasks();
        Ok(Usage {
            entries: self.cache.entry_count(),
            bytes: Some(self.cache.iter().map(|(_, e)| e.value.len() as u64).sum()),
            evictions: Some(self.evictions.load(Ordering::Relaxed)),
            corrupt_entries: 0,
        })
    }
}
