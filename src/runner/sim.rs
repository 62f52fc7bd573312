//! Exact simulation: replays a workload through every (strategy, capacity) cell in logical
//! time. Cells run in parallel on all cores; each replays the identical request stream
//! (regenerated from the seed, or streamed from the trace file, per cell). Ctrl-C stops every
//! cell after the request at hand; cells not yet started are skipped, each started one is
//! shut down (its Redis keys removed, its spawned server stopped) and reported, and the run
//! is marked `partial`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::metrics::{Counts, Environment, RunResult, SCHEMA_VERSION, StrategyResult, TierCounts};
use crate::model::Stop;
use crate::model::error::InputError;
use crate::model::units::CapacitySpec;
use crate::model::{Capacity, CapacityUnit};
use crate::model::{Op, Request};
use crate::origin;
use crate::runner::interrupt;
use crate::runner::usage::settle;
use crate::scenario::Scenario;
use crate::strategy::StrategySpec;
use crate::strategy::{CacheStrategy, Hint, Lookup, MAX_TIERS, Usage, build_strategy, tier_slot};
use crate::workload::fill_next_access;
use crate::workload::trace::{FutureTrace, TraceSource, scan_stats, with_next_access};

/// Requests between two progress-bar updates.
const PROGRESS_STEP: u64 = 1 << 16;

/// One (strategy, capacity) pair of a sweep.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The strategy entry.
    pub spec: StrategySpec,
    /// The capacity as written.
    pub capacity: Option<CapacitySpec>,
}

/// Expands a scenario's strategies and capacity sweeps into cells, in scenario order.
pub fn cells(scenario: &Scenario) -> Vec<Cell> {
    scenario
        .strategies
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

/// The request stream every cell replays.
enum Stream {
    /// Regenerated per cell from the seed (constant memory).
    Generated,
    /// Materialised once with next-access times (for Belady).
    Materialised(Arc<Vec<Request>>),
    /// Streamed from a trace file per cell (with next-access times when a policy needs them).
    Trace(FutureTrace),
}

/// One cell's pass over the stream.
type Requests<'a> = Box<dyn Iterator<Item = Result<Request, InputError>> + Send + 'a>;

/// Runs `scenario` in logical time and returns its results; `partial` is set if Ctrl-C
/// stopped it. `progress` counts requests; `quiet` silences the note on stderr that the run
/// started.
pub fn run(scenario: &Scenario, progress: &ProgressBar, quiet: bool) -> anyhow::Result<RunResult> {
    let started_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let start = Instant::now();
    let cells = cells(scenario);
    let workload = &scenario.workload;
    let trace = workload.trace_source().transpose()?;
    let needs_future = cells.iter().any(|c| c.spec.needs_future());
    let (requests, footprint_objects, stream) = match &trace {
        Some(source) => trace_stream(source, needs_future)?,
        None => generated_stream(scenario, needs_future)?,
    };
    let warmup = (requests as f64 * workload.warmup.0).floor() as u64;
    progress.set_length(requests * cells.len() as u64);
    let stop = Arc::new(Stop::new());
    let interrupted = Arc::new(AtomicBool::new(false));
    let ctrl_c = interrupt::Watcher::install(stop.clone(), interrupted.clone())?;
    if !quiet {
        progress.suspend(|| {
            eprintln!("simulation: {} cells of {requests} requests (Ctrl-C stops early)", cells.len())
        });
    }

    let outcomes = cells
        .par_iter()
        .map(|cell| {
            if stop.is_stopped() {
                return Ok(None);
            }
            let capacity = cell.capacity.map(|c| resolve_capacity(c, footprint_objects));
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let strategy = runtime.block_on(build_strategy(&cell.spec, capacity))?;
            let redis_version = strategy.redis_version();
            let cell_start = Instant::now();
            let requests: Requests = match &stream {
                Stream::Generated => {
                    Box::new(workload.stream(scenario.seed).map_err(anyhow::Error::msg)?.map(Ok))
                }
                Stream::Materialised(all) => Box::new(all.iter().copied().map(Ok)),
                Stream::Trace(t) => Box::new(t.source.records()?.map(|r| r.map(|r| r.request()))),
            };
            let rate = workload.logical_rate.get();
            let how = Replay { warmup, logical_rate: rate, progress, stop: &stop };
            let outcome = runtime.block_on(replay(strategy.as_ref(), requests, how));
            let final_usage = runtime.block_on(async {
                let u = strategy.usage().await;
                let _ = strategy.shutdown().await;
                u
            });
            let replayed = outcome.with_context(|| format!("strategy `{}`", cell.spec.name))?;
            let usage = final_usage.unwrap_or_default();
            let mut counts = replayed.counts;
            settle(&mut counts, &usage, replayed.at_warmup.as_ref());
            let reads = counts.hits + counts.misses;
            let result = StrategyResult {
                strategy: cell.spec.name.clone(),
                kind: cell.spec.kind().name().to_string(),
                capacity: cell.capacity.map(|c| serde_json::to_value(c).expect("capacity serialises")),
                capacity_value: capacity.map(|c| c.value),
                capacity_unit: capacity.map(|c| unit_name(c.unit).to_string()),
                hit_ratio: counts.hit_ratio(),
                byte_hit_ratio: counts.byte_hit_ratio(),
                counts,
                final_entries: usage.entries,
                final_bytes: usage.bytes,
                elapsed_s: cell_start.elapsed().as_secs_f64(),
                tiers: TierCounts::list(&replayed.tier_hits, strategy.tiers(), reads),
                load: None,
            };
            Ok(Some((result, redis_version)))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    drop(ctrl_c);
    let outcomes: Vec<_> = outcomes.into_iter().flatten().collect();
    let mut environment = Environment::detect();
    environment.redis_version = outcomes.iter().find_map(|(_, v)| v.clone());
    let results = outcomes.into_iter().map(|(r, _)| r).collect();

    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        name: scenario.name.clone(),
        mode: "simulation".into(),
        scenario: serde_json::to_value(scenario)?,
        seed: scenario.seed,
        environment,
        started_at,
        duration_s: start.elapsed().as_secs_f64(),
        partial: interrupted.load(Ordering::SeqCst),
        warmup_requests: warmup,
        results,
        trace: None,
    })
}

/// A generated workload's length, footprint in objects and stream.
fn generated_stream(scenario: &Scenario, needs_future: bool) -> anyhow::Result<(u64, u64, Stream)> {
    let workload = &scenario.workload;
    let stream = if needs_future {
        let mut all: Vec<Request> = workload.stream(scenario.seed).map_err(anyhow::Error::msg)?.collect();
        fill_next_access(&mut all);
        Stream::Materialised(Arc::new(all))
    } else {
        Stream::Generated
    };
    Ok((workload.requests.get(), workload.footprint_objects(), stream))
}

/// A trace's length and footprint in objects (one stats pass) and its stream.
fn trace_stream(source: &TraceSource, needs_future: bool) -> anyhow::Result<(u64, u64, Stream)> {
    let stats = scan_stats(source)?;
    let trace = if needs_future {
        with_next_access(source)?
    } else {
        FutureTrace { source: source.clone(), dir: None }
    };
    Ok((stats.requests, stats.footprint_objects, Stream::Trace(trace)))
}

/// Name of a capacity unit as written in results.
pub fn unit_name(unit: CapacityUnit) -> &'static str {
    match unit {
        CapacityUnit::Objects => "objects",
        CapacityUnit::Bytes => "bytes",
    }
}

/// How [`replay`] goes through a stream.
#[derive(Clone, Copy)]
pub struct Replay<'a> {
    /// Requests at the start that are replayed but not measured.
    pub warmup: u64,
    /// Requests per logical second (the clock TTLs expire against).
    pub logical_rate: u64,
    /// Advanced by every request.
    pub progress: &'a ProgressBar,
    /// Once given, the replay ends after the request at hand.
    pub stop: &'a Stop,
}

/// What [`replay`] measured.
#[derive(Debug, Clone, Default)]
pub struct Replayed {
    /// Counters over the measured requests (evictions and damaged entries are left to
    /// [`settle`], from the strategy's own counters).
    pub counts: Counts,
    /// Measured hits per serving tier (index 0 is L1; deeper tiers than the last slot count
    /// there).
    pub tier_hits: [u64; MAX_TIERS],
    /// The strategy's own counters when the warm-up ended (zero without a warm-up; None if it
    /// never ended).
    pub at_warmup: Option<Usage>,
}

/// Replays `requests` through `strategy` in logical time: reads go through the cache (a hit
/// counts only if its body is the origin's, else it is `corrupt` and a miss; a miss fetches
/// the origin's body and stores it), writes store a fresh body.
pub async fn replay(
    strategy: &dyn CacheStrategy,
    requests: impl Iterator<Item = Result<Request, InputError>>,
    how: Replay<'_>,
) -> anyhow::Result<Replayed> {
    let Replay { warmup, logical_rate, progress, stop } = how;
    let mut out = Replayed { at_warmup: (warmup == 0).then(Usage::default), ..Replayed::default() };
    for (i, req) in (0u64..).zip(requests) {
        if stop.is_stopped() {
            break;
        }
        let req = req?;
        if i == warmup && warmup > 0 {
            strategy.sync().await?;
            // A backend that is down right now must not stop the run: count from zero then.
            out.at_warmup = Some(strategy.usage().await.unwrap_or_default());
        }
        let measured = i >= warmup;
        let now = Duration::from_nanos((u128::from(i) * 1_000_000_000 / u128::from(logical_rate)) as u64);
        let hint = Hint { size: req.size, now, ttl: req.ttl, next_access: req.next_access };
        let mut c = Counts::default();
        let mut served_by = None;
        match req.op {
            Op::Set => {
                c.writes = 1;
                if strategy.put(req.key, origin::body(req.key, req.size), hint).await.is_err() {
                    c.errors += 1;
                }
            }
            Op::Get => {
                c.bytes_requested = u64::from(req.size);
                let fill = match strategy.get(req.key, hint).await {
                    Ok(Lookup::Hit { value, tier }) if origin::verify(req.key, req.size, &value) => {
                        c.hits = 1;
                        c.bytes_hit = u64::from(req.size);
                        served_by = Some(tier_slot(tier));
                        false
                    }
                    Ok(Lookup::Hit { .. }) => {
                        c.corrupt = 1;
                        true
                    }
                    Ok(Lookup::Miss) => true,
                    Err(_) => {
                        c.errors += 1;
                        true
                    }
                };
                if fill {
                    c.misses = 1;
                    if strategy.put(req.key, origin::body(req.key, req.size), hint).await.is_err() {
                        c.errors += 1;
                    }
                }
            }
        }
        if measured {
            c.requests = 1;
            out.counts += &c;
            if let Some(t) = served_by {
                out.tier_hits[t] += 1;
            }
        }
        if (i + 1) % PROGRESS_STEP == 0 {
            progress.inc(PROGRESS_STEP);
        }
    }
    strategy.sync().await?;
    Ok(out)
}

#[cfg(test)]
mod tests;
