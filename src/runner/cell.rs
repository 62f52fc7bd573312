//! One cell of a run: a strategy at one capacity, built, driven, settled and shut down into
//! its row of results. Every runner (logical time, load, HTTP) goes through [`run`]; they
//! differ only in how they drive the strategy.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::ProgressBar;

use crate::metrics::{Backend, Counts, IntervalCounts, LoadMeasurements, StrategyResult, TierCounts};
use crate::model::Capacity;
use crate::model::units::CapacitySpec;
use crate::runner::usage::settle;
use crate::strategy::{CacheStrategy, Diagnosed, MAX_TIERS, StrategySpec, Usage, build_strategy};

/// One (strategy, capacity) pair of a sweep.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The strategy entry.
    pub spec: StrategySpec,
    /// The capacity as written.
    pub capacity: Option<CapacitySpec>,
}

/// Expands strategies and their capacity sweeps into cells, in order.
pub fn cells(strategies: &[StrategySpec]) -> Vec<Cell> {
    strategies
        .iter()
        .flat_map(|s| s.capacities().into_iter().map(|c| Cell { spec: s.clone(), capacity: c }))
        .collect()
}

/// Resolves a written capacity against the workload's footprint.
pub fn resolve_capacity(spec: CapacitySpec, footprint_objects: u64) -> Capacity {
    match spec {
        CapacitySpec::Objects(n) => Capacity::objects(n),
        CapacitySpec::Bytes(n) => Capacity::bytes(n),
        CapacitySpec::Share(s) => Capacity::objects(((footprint_objects as f64 * s).ceil() as u64).max(1)),
    }
}

/// What driving one strategy measured.
#[derive(Debug, Clone)]
pub struct Driven {
    /// Counters over the measured requests (evictions and damaged entries are added from the
    /// strategy's own counters when the cell settles).
    pub counts: Counts,
    /// Measured hits per serving tier ([`crate::strategy::tier_slot`]).
    pub tier_hits: [u64; MAX_TIERS],
    /// The strategy's own counters when the warm-up ended (zero without a warm-up; None if it
    /// never ended).
    pub usage_at_warmup: Option<Usage>,
    /// Requests replayed during the warm-up.
    pub warmup_requests: u64,
    /// Seconds the drive took.
    pub elapsed_s: f64,
    /// Wall-clock measurements (load and HTTP runs).
    pub load: Option<LoadMeasurements>,
    /// Hits and misses per interval of requests in logical time (simulation runs).
    pub intervals: Vec<IntervalCounts>,
}

/// How a cell ends once its strategy has been driven.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ending<'a> {
    /// Limit on reading the strategy's final usage (None: wait for it).
    pub usage_timeout: Option<Duration>,
    /// Where to say what users must know about the cell: the prefix of the keys it writes on
    /// a shared server, and what could not be cleaned up (None: say nothing).
    pub messages: Option<&'a ProgressBar>,
}

/// A finished cell.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Its row of results.
    pub result: StrategyResult,
    /// Requests replayed during the warm-up.
    pub warmup_requests: u64,
    /// Version of the Redis server behind the strategy, if any.
    pub redis_version: Option<String>,
}

/// Runs one cell: builds its strategy at its capacity (resolved against `footprint_objects`),
/// drives it with `drive`, reads its final usage, shuts it down (also when driving failed),
/// settles the counts with the strategy's own counters and returns its row.
pub async fn run<F, Fut>(
    cell: &Cell,
    footprint_objects: u64,
    ending: Ending<'_>,
    drive: F,
) -> anyhow::Result<Outcome>
where
    F: FnOnce(Arc<dyn CacheStrategy>) -> Fut,
    Fut: Future<Output = anyhow::Result<Driven>>,
{
    let name = &cell.spec.name;
    let capacity = cell.capacity.map(|c| resolve_capacity(c, footprint_objects));
    let built: Arc<dyn CacheStrategy> = build_strategy(&cell.spec, capacity).await?.into();
    let facts = built.facts();
    // Only a backend that can fail is wrapped to keep the causes of its failures: in memory
    // the wrapper would only add a boxed future to every operation.
    let diagnosed =
        matches!(facts.backend, Backend::Redis | Backend::Memcached | Backend::File | Backend::Tiered)
            .then(|| Arc::new(Diagnosed::new(built.clone())));
    let strategy: Arc<dyn CacheStrategy> = match &diagnosed {
        Some(d) => d.clone(),
        None => built,
    };
    let redis_version = strategy.redis_version();
    // Damage a cache on disk finds when it opens is known once it is built.
    let opened = match facts.backend {
        Backend::File | Backend::Tiered => strategy.usage().await.unwrap_or_default(),
        _ => Usage::default(),
    };
    if let (Some(location), Some(progress)) = (&facts.location, ending.messages) {
        progress.suspend(|| eprintln!("strategy `{name}`: {location}"));
    }
    let driven = drive(strategy.clone()).await;
    let usage = match ending.usage_timeout {
        Some(limit) => tokio::time::timeout(limit, strategy.usage()).await.ok().and_then(Result::ok),
        None => strategy.usage().await.ok(),
    };
    if let Err(e) = strategy.shutdown().await
        && let Some(progress) = ending.messages
    {
        // The measurements stand; say what could not be cleaned up.
        progress.suspend(|| eprintln!("warning: shutting down strategy `{name}`: {e}"));
    }
    let driven = driven.with_context(|| format!("strategy `{name}`"))?;
    let usage = usage.unwrap_or_default();
    let mut counts = driven.counts;
    let early = settle(&mut counts, &usage, &opened, driven.usage_at_warmup.as_ref());
    let reads = counts.hits + counts.misses;
    let (capacity_value, unit) = (capacity.map(|c| c.value), capacity.map(|c| c.unit));
    let result = StrategyResult {
        strategy: name.clone(),
        kind: facts.kind,
        capacity: cell.capacity.map(|c| serde_json::to_value(c).expect("capacity serialises")),
        capacity_value,
        capacity_unit: unit,
        backend: facts.backend,
        memory_bytes: StrategyResult::memory_bytes(facts.backend, capacity_value, unit, usage.bytes),
        survives_restart: facts.survives_restart,
        bound: facts.bound,
        key_prefix: facts.key_prefix,
        damaged_at_open: early.at_open,
        damaged_in_warmup: early.in_warmup,
        error_causes: diagnosed.map(|d| d.causes()).unwrap_or_default(),
        hit_ratio: counts.hit_ratio(),
        byte_hit_ratio: counts.byte_hit_ratio(),
        counts,
        final_entries: usage.entries,
        final_bytes: usage.bytes,
        elapsed_s: driven.elapsed_s,
        tiers: TierCounts::list(&driven.tier_hits, strategy.tiers(), reads),
        load: driven.load,
        intervals: driven.intervals,
    };
    Ok(Outcome { result, warmup_requests: driven.warmup_requests, redis_version })
}
