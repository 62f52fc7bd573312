//! The baseline: no cache at all, every request goes to the origin.

use async_trait::async_trait;
use bytes::Bytes;

use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};

/// A strategy that stores nothing: the baseline every cache is compared against.
pub struct NoCache {
    name: String,
}

impl NoCache {
    /// A baseline called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        NoCache { name: name.into() }
    }
}

#[async_trait]
impl CacheStrategy for NoCache {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        StrategyFacts::new("none", Backend::None)
    }

    async fn get(&self, _key: u64, _hint: Hint) -> Result<Lookup, StrategyError> {
        Ok(Lookup::Miss)
    }

    async fn put(&self, _key: u64, _value: Bytes, _hint: Hint) -> Result<(), StrategyError> {
        Ok(())
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        Ok(Usage { entries: 0, bytes: Some(0), evictions: Some(0), corrupt_entries: 0 })
    }
}
