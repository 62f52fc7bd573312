//! Tiered: a small in-memory L1 in front of a larger shared or persistent L2 (Redis or files).
//! Reads try L1, then L2; an L2 hit is promoted into L1. Writes go through to both tiers.
//! [`Lookup::Hit::tier`] says which tier served a read (0 = L1, 1 = L2).

use async_trait::async_trait;
use bytes::Bytes;

use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};

/// An L1 cache in front of an L2 cache; see the module documentation.
pub struct Tiered {
    name: String,
    l1: Box<dyn CacheStrategy>,
    l2: Box<dyn CacheStrategy>,
}

impl Tiered {
    /// Puts `l1` in front of `l2`.
    pub fn new(name: impl Into<String>, l1: Box<dyn CacheStrategy>, l2: Box<dyn CacheStrategy>) -> Self {
        Tiered { name: name.into(), l1, l2 }
    }

    /// What each tier holds now: `[l1, l2]`.
    pub async fn tier_usage(&self) -> Result<[Usage; 2], StrategyError> {
        Ok([self.l1.usage().await?, self.l2.usage().await?])
    }
}

#[async_trait]
impl CacheStrategy for Tiered {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        // Data survives a restart when the back tier keeps it; the front tier is in memory.
        let back = self.l2.facts();
        StrategyFacts {
            survives_restart: back.survives_restart,
            key_prefix: back.key_prefix,
            location: back.location,
            ..StrategyFacts::new("tiered", Backend::Tiered)
        }
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        // An L1 failure is not fatal: L2 can still serve the read.
        if let Ok(Lookup::Hit { value, .. }) = self.l1.get(key, hint).await {
            return Ok(Lookup::Hit { value, tier: 0 });
        }
        match self.l2.get(key, hint).await? {
            Lookup::Hit { value, .. } => {
                // Promotion is best effort: the read is served either way.
                let _ = self.l1.put(key, value.clone(), hint).await;
                Ok(Lookup::Hit { value, tier: 1 })
            }
            Lookup::Miss => Ok(Lookup::Miss),
        }
    }

    fn tiers(&self) -> usize {
        2
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        let (l1, l2) = tokio::join!(self.l1.put(key, value.clone(), hint), self.l2.put(key, value, hint));
        l1.and(l2)
    }

    async fn sync(&self) -> Result<(), StrategyError> {
        let (l1, l2) = tokio::join!(self.l1.sync(), self.l2.sync());
        l1.and(l2)
    }

    /// Sums over both tiers (an object in both counts twice; see [`Tiered::tier_usage`]).
    async fn usage(&self) -> Result<Usage, StrategyError> {
        let [a, b] = self.tier_usage().await?;
        Ok(Usage {
            entries: a.entries + b.entries,
            bytes: a.bytes.zip(b.bytes).map(|(x, y)| x + y),
            evictions: a.evictions.zip(b.evictions).map(|(x, y)| x + y),
            corrupt_entries: a.corrupt_entries + b.corrupt_entries,
        })
    }

    async fn shutdown(&self) -> Result<(), StrategyError> {
        let (l1, l2) = tokio::join!(self.l1.shutdown(), self.l2.shutdown());
        l1.and(l2)
    }

    fn redis_version(&self) -> Option<String> {
        self.l2.redis_version().or_else(|| self.l1.redis_version())
    }
}
