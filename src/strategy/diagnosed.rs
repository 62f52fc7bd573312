//! [`Diagnosed`]: any strategy, with the causes of its failed `get`s and `put`s kept (the
//! first few distinct ones with counts), so results can say why operations failed.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;

use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{ErrorCause, ErrorCauses, StrategyFacts};

/// Wraps a strategy and records why its operations failed; otherwise it is the strategy.
pub struct Diagnosed {
    inner: Arc<dyn CacheStrategy>,
    causes: Mutex<ErrorCauses>,
}

impl Diagnosed {
    /// `inner`, diagnosed.
    pub fn new(inner: Arc<dyn CacheStrategy>) -> Self {
        Diagnosed { inner, causes: Mutex::new(ErrorCauses::default()) }
    }

    /// The causes of failed operations so far, most frequent first.
    pub fn causes(&self) -> Vec<ErrorCause> {
        self.causes.lock().unwrap_or_else(|e| e.into_inner()).list()
    }

    fn noted<T>(&self, result: Result<T, StrategyError>) -> Result<T, StrategyError> {
        if let Err(e) = &result {
            self.causes.lock().unwrap_or_else(|e| e.into_inner()).note(&e.to_string());
        }
        result
    }
}

#[async_trait]
impl CacheStrategy for Diagnosed {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn facts(&self) -> StrategyFacts {
        self.inner.facts()
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        self.noted(self.inner.get(key, hint).await)
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        self.noted(self.inner.put(key, value, hint).await)
    }

    async fn sync(&self) -> Result<(), StrategyError> {
        self.inner.sync().await
    }

    fn tiers(&self) -> usize {
        self.inner.tiers()
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        self.inner.usage().await
    }

    async fn shutdown(&self) -> Result<(), StrategyError> {
        self.inner.shutdown().await
    }

    fn redis_version(&self) -> Option<String> {
        self.inner.redis_version()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::strategy::NoCache;

    /// Fails every `put` of an odd key with its own message, every even one alike.
    struct Failing(NoCache);

    #[async_trait]
    impl CacheStrategy for Failing {
        fn name(&self) -> &str {
            "failing"
        }
        fn facts(&self) -> StrategyFacts {
            self.0.facts()
        }
        async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
            self.0.get(key, hint).await
        }
        async fn put(&self, key: u64, _: Bytes, _: Hint) -> Result<(), StrategyError> {
            Err(StrategyError::Backend(if key.is_multiple_of(2) {
                "disk full".into()
            } else {
                format!("bad key {key}")
            }))
        }
        async fn usage(&self) -> Result<Usage, StrategyError> {
            self.0.usage().await
        }
    }

    #[tokio::test]
    async fn failed_operations_keep_their_causes() {
        let d = Diagnosed::new(Arc::new(Failing(NoCache::new("none"))));
        let hint = Hint { size: 1, now: std::time::Duration::ZERO, ttl: None, next_access: NEVER };
        for key in 0..20 {
            assert!(d.put(key, Bytes::new(), hint).await.is_err());
            assert!(matches!(d.get(key, hint).await, Ok(Lookup::Miss)));
        }
        let causes = d.causes();
        assert_eq!(causes[0], ErrorCause { message: "disk full".into(), count: 10 });
        assert_eq!(causes.len(), crate::metrics::KEPT_CAUSES + 1, "{causes:?}");
        assert_eq!(causes.iter().map(|c| c.count).sum::<u64>(), 20);
    }
}
