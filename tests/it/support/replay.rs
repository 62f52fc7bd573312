//! A replay of requests through a strategy the way the runners do it (get; on a miss, fetch
//! the origin's body and put it), with every hit verified, for tests that drive a strategy
//! directly.

use std::time::{Duration, Instant};

use cachelab::model::NEVER;
use cachelab::origin;
use cachelab::strategy::{CacheStrategy, Hint, Lookup, StrategyError};

/// A hint for a value of `size` bytes, without TTL.
pub fn hint(size: u32) -> Hint {
    Hint { size, now: Duration::ZERO, ttl: None, next_access: NEVER }
}

/// What a replay saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// Requests made.
    pub requests: u64,
    /// Verified hits.
    pub hits: u64,
    /// Hits with a wrong body.
    pub corrupt: u64,
    /// Failed operations.
    pub errors: u64,
    /// Timed-out operations.
    pub timeouts: u64,
}

/// Replays `n` requests over `keys` keys, or until `until` passes.
pub async fn replay(cache: &dyn CacheStrategy, n: u64, keys: u64, until: Option<Instant>) -> Tally {
    let mut t = Tally::default();
    for i in 0..n {
        if until.is_some_and(|u| Instant::now() >= u) {
            break;
        }
        let key = i % keys;
        let size = 64 + (key % 7) as u32 * 100;
        t.requests += 1;
        let count = |e: StrategyError, t: &mut Tally| match e {
            StrategyError::Timeout(_) => t.timeouts += 1,
            StrategyError::Backend(_) => t.errors += 1,
        };
        let fill = match cache.get(key, hint(size)).await {
            Ok(Lookup::Hit { value, .. }) if origin::verify(key, size, &value) => {
                t.hits += 1;
                false
            }
            Ok(Lookup::Hit { .. }) => {
                t.corrupt += 1;
                true
            }
            Ok(Lookup::Miss) => true,
            Err(e) => {
                count(e, &mut t);
                true
            }
        };
        if fill && let Err(e) = cache.put(key, origin::body(key, size), hint(size)).await {
            count(e, &mut t);
        }
    }
    t
}
