//! The simulation's counts on tiny hand-written request sequences, where every figure is
//! known exactly: hits, misses, writes, bytes, evictions, errors, corrupt hits, TTL expiry in
//! logical time, and a moka cache with a byte capacity kept within its limit.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

use super::*;
use crate::model::{Capacity, NEVER};
use crate::policy::Lru;
use crate::runner::usage::settle;
use crate::strategy::{MokaCache, Simulated, StrategyError};

/// A read (`get`) or a write (`set`) of `key`, whose value is `100 * key` bytes.
fn request(op: Op, key: u64, ttl: Option<Duration>) -> Request {
    Request { key, size: 100 * key as u32, op, ttl, next_access: NEVER }
}

fn gets(keys: &[u64], ttl: Option<Duration>) -> Vec<Request> {
    keys.iter().map(|&k| request(Op::Get, k, ttl)).collect()
}

/// Replays `requests` at one request per logical second and settles the counts with the
/// strategy's own counters, as a simulation cell does; returns them and the final usage.
fn measure_all(strategy: &dyn CacheStrategy, requests: Vec<Request>, warmup: u64) -> (Counts, Usage) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (progress, stop) = (ProgressBar::hidden(), Stop::new());
    let how = Replay { warmup, interval: 2, logical_rate: 1, progress: &progress, stop: &stop };
    runtime.block_on(async {
        let replayed = replay(strategy, requests.into_iter().map(Ok), how).await.unwrap();
        let usage = strategy.usage().await.unwrap();
        let mut counts = replayed.counts;
        settle(&mut counts, &usage, &Usage::default(), replayed.at_warmup.as_ref());
        (counts, usage)
    })
}

#[test]
fn simulated_lru_counts_every_figure_after_warm_up() {
    let lru = Simulated::new("lru", Lru::new(Capacity::objects(2)));
    // LRU order after each request (most recent first):
    // 0 get 1 miss [1] · 1 get 2 miss [2 1] · 2 get 1 hit [1 2] · 3 get 3 miss, evicts 2 [3 1]
    // -- warm-up ends -- 4 set 2, evicts 1 [2 3] · 5 get 2 hit [2 3] · 6 get 1 miss, evicts 3 [1 2]
    let mut requests = gets(&[1, 2, 1, 3], None);
    requests.push(request(Op::Set, 2, None));
    requests.extend(gets(&[2, 1], None));
    let (counts, usage) = measure_all(&lru, requests, 4);
    let expected = Counts {
        requests: 3,
        hits: 1,
        misses: 1,
        writes: 1,
        bytes_requested: 300,
        bytes_hit: 200,
        evictions: 2,
        errors: 0,
        corrupt: 0,
    };
    assert_eq!(counts, expected);
    assert_eq!((counts.hit_ratio(), counts.byte_hit_ratio()), (0.5, 200.0 / 300.0));
    assert_eq!((usage.entries, usage.bytes, usage.evictions), (2, Some(300), Some(3)));
}

#[test]
fn moka_counts_hits_writes_and_bytes_exactly_below_its_capacity() {
    let moka = MokaCache::new("moka", Capacity::objects(100));
    let mut requests = gets(&[1, 2, 1, 3, 2], None);
    requests.push(request(Op::Set, 4, None));
    requests.extend(gets(&[4, 1], None));
    let (counts, usage) = measure_all(&moka, requests, 0);
    let expected = Counts {
        requests: 8,
        hits: 4,
        misses: 3,
        writes: 1,
        bytes_requested: 100 + 200 + 100 + 300 + 200 + 400 + 100,
        bytes_hit: 100 + 200 + 400 + 100,
        evictions: 0,
        errors: 0,
        corrupt: 0,
    };
    assert_eq!(counts, expected);
    assert_eq!((usage.entries, usage.bytes), (4, Some(1000)));
}

/// A strategy that fails on key 1, returns a damaged body for key 2 and reports 3 damaged
/// stored entries.
struct Broken;

#[async_trait]
impl CacheStrategy for Broken {
    fn name(&self) -> &str {
        "broken"
    }

    fn facts(&self) -> crate::metrics::StrategyFacts {
        crate::metrics::StrategyFacts::new("broken", crate::metrics::Backend::Moka)
    }

    async fn get(&self, key: u64, _: Hint) -> Result<Lookup, StrategyError> {
        match key {
            1 => Err(StrategyError::Backend("down".into())),
            2 => Ok(Lookup::Hit { value: Bytes::from_static(b"not the origin's body"), tier: 0 }),
            _ => Ok(Lookup::Miss),
        }
    }

    async fn put(&self, key: u64, _: Bytes, _: Hint) -> Result<(), StrategyError> {
        if key == 1 { Err(StrategyError::Backend("down".into())) } else { Ok(()) }
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        Ok(Usage { corrupt_entries: 3, ..Usage::default() })
    }
}

#[test]
fn failed_operations_and_damaged_hits_are_errors_and_misses_never_hits() {
    let mut requests = gets(&[1, 2, 3], None);
    requests.push(request(Op::Set, 1, None));
    let (counts, _) = measure_all(&Broken, requests, 0);
    // get 1: failed get + failed fill; set 1: failed put; 3 damaged entries.
    assert_eq!(counts.errors, 2 + 1 + 3);
    assert_eq!((counts.hits, counts.misses, counts.corrupt, counts.writes), (0, 3, 1, 1));
    assert_eq!((counts.bytes_requested, counts.bytes_hit), (600, 0));
}

#[test]
fn ttls_expire_in_logical_time_for_simulated_and_moka() {
    // One request per logical second; values live 2 s: stored at 0, hit at 1, expired at 2
    // (refilled, expires at 4), hit at 3, expired at 4.
    let ttl = Some(Duration::from_secs(2));
    let strategies: [Box<dyn CacheStrategy>; 2] = [
        Box::new(Simulated::new("lru", Lru::new(Capacity::objects(10)))),
        Box::new(MokaCache::new("moka", Capacity::objects(10))),
    ];
    for strategy in strategies {
        let (counts, _) = measure_all(strategy.as_ref(), gets(&[7; 5], ttl), 0);
        assert_eq!((counts.hits, counts.misses), (2, 3), "{}", strategy.name());
        let (counts, _) = measure_all(strategy.as_ref(), gets(&[8; 5], None), 0);
        assert_eq!((counts.hits, counts.misses), (4, 1), "{}: no TTL, no expiry", strategy.name());
    }
}

#[test]
fn moka_with_a_byte_capacity_stays_within_it() {
    let moka = MokaCache::new("moka", Capacity::bytes(10_000));
    // 50 distinct values of 1,000 bytes each, read twice in turn: at most 10 fit.
    let requests: Vec<Request> = (0..100)
        .map(|i| Request { key: 1 + i % 50, size: 1000, op: Op::Get, ttl: None, next_access: NEVER })
        .collect();
    let (counts, usage) = measure_all(&moka, requests, 0);
    let bytes = usage.bytes.unwrap();
    assert!(bytes <= 10_000 && bytes == usage.entries * 1000, "{usage:?}");
    assert!(usage.entries > 0, "{usage:?}");
    assert_eq!(counts.hits + counts.misses, 100);
    // Every value that entered and is gone was evicted for size.
    assert_eq!(counts.evictions, counts.misses - usage.entries, "{counts:?} {usage:?}");
}

#[test]
fn hits_are_counted_per_interval_cut_at_the_end_of_the_warm_up() {
    let lru = Simulated::new("lru", Lru::new(Capacity::objects(2)));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (progress, stop) = (ProgressBar::hidden(), Stop::new());
    // Warm-up of 3, intervals of 2: requests 0 | 1 2 | 3 4 | 5 6 (offsets -3 | -2 -1 | 0 1 | 2 3).
    let how = Replay { warmup: 3, interval: 2, logical_rate: 1, progress: &progress, stop: &stop };
    let requests = gets(&[1, 1, 2, 1, 3, 3, 1], None);
    let replayed = runtime.block_on(replay(&lru, requests.into_iter().map(Ok), how)).unwrap();
    let got: Vec<(i64, u64, u64, u64)> =
        replayed.intervals.iter().map(|i| (i.from_request, i.requests, i.hits, i.misses)).collect();
    // LRU of 2: 1 miss · 1 hit, 2 miss · 1 hit, 3 miss (evicts 2) · 3 hit, 1 hit.
    assert_eq!(got, [(-4, 1, 0, 1), (-2, 2, 1, 1), (0, 2, 1, 1), (2, 2, 2, 0)]);
}
