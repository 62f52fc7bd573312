//! Strategies in logical time (exact simulation, `mode = "simulation"`): replays a workload
//! through every (strategy, capacity) cell, one [`cell::run`] each, with a logical clock. Cells run in parallel on all cores; each replays the identical request stream
//! (regenerated from the seed, or streamed from the trace file, per cell). Ctrl-C stops every
//! cell after the request at hand; cells not yet started are skipped, each started one is
//! shut down (its Redis keys removed, its spawned server stopped) and reported, and the run
//! is marked `partial`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use indicatif::ProgressBar;
use rayon::prelude::*;

use crate::metrics::{Backend, Counts, IntervalCounts, RunResult, Started};
use crate::model::Stop;
use crate::model::error::InputError;
use crate::model::{Op, Request};
use crate::origin;
use crate::runner::cell::{self, Driven, Ending, cells};
use crate::runner::interrupt;
use crate::runner::plan::RunPlan;
use crate::strategy::{CacheStrategy, Hint, Lookup, MAX_TIERS, Usage, tier_slot};
use crate::workload::fill_next_access;
use crate::workload::trace::{FutureTrace, TraceOp, TraceSource, scan_replayable, with_next_access};

/// Requests between two progress-bar updates.
const PROGRESS_STEP: u64 = 1 << 16;

/// Intervals the hit ratio over logical time is recorded in (about; warm-up and measured
/// part are cut at the end of the warm-up).
pub const INTERVALS: u64 = 100;

/// The request stream every cell replays.
enum Stream {
    /// Regenerated per cell from the seed (constant memory).
    Generated,
    /// Materialised once with next-access times (for Belady).
    Materialised(Arc<Vec<Request>>),
    /// Streamed from a trace file per cell (with next-access times when a policy needs them).
    Trace(Box<FutureTrace>),
}

/// One cell's pass over the stream.
type Requests<'a> = Box<dyn Iterator<Item = Result<Request, InputError>> + Send + 'a>;

/// Runs `plan` in logical time and returns its results; `partial` is set if Ctrl-C stopped
/// it. `progress` counts requests; `quiet` silences the note on stderr that the run started.
pub fn run(plan: &RunPlan, progress: &ProgressBar, quiet: bool) -> anyhow::Result<RunResult> {
    let started = Started::now();
    let cells = cells(&plan.strategies);
    let workload = &plan.workload;
    let trace = workload.trace_source().transpose()?;
    let needs_future = cells.iter().any(|c| c.spec.needs_future());
    let (requests, footprint_objects, stream) = match &trace {
        Some(source) => trace_stream(source, needs_future)?,
        None => generated_stream(plan, needs_future)?,
    };
    let warmup = (requests as f64 * workload.warmup.0).floor() as u64;
    let interval = requests.div_ceil(INTERVALS).max(1);
    progress.set_length(requests * cells.len() as u64);
    let stop = Arc::new(Stop::new());
    let interrupted = Arc::new(AtomicBool::new(false));
    let signals = interrupt::Watcher::install(stop.clone(), interrupted.clone())?;
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
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let requests: Requests = match &stream {
                Stream::Generated => {
                    Box::new(workload.stream(plan.seed).map_err(anyhow::Error::msg)?.map(Ok))
                }
                Stream::Materialised(all) => Box::new(all.iter().copied().map(Ok)),
                // A cache strategy has no delete: a trace's deletes are left out here (`cachelab
                // simulate` replays them).
                Stream::Trace(t) => Box::new(
                    t.source
                        .records()?
                        .filter(|r| !matches!(r, Ok(r) if r.op == TraceOp::Delete))
                        .map(|r| r.map(|r| r.request())),
                ),
            };
            let how =
                Replay { warmup, interval, logical_rate: workload.logical_rate.get(), progress, stop: &stop };
            let drive = |strategy: Arc<dyn CacheStrategy>| async move {
                let cell_start = Instant::now();
                let replayed = replay(strategy.as_ref(), requests, how).await?;
                Ok::<_, anyhow::Error>(Driven {
                    counts: replayed.counts,
                    tier_hits: replayed.tier_hits,
                    usage_at_warmup: replayed.at_warmup,
                    warmup_requests: warmup,
                    elapsed_s: cell_start.elapsed().as_secs_f64(),
                    load: None,
                    intervals: replayed.intervals,
                })
            };
            let ending = Ending { usage_timeout: None, messages: (!quiet).then_some(progress) };
            runtime.block_on(cell::run(cell, footprint_objects, ending, drive)).map(Some)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    drop(signals);
    let outcomes: Vec<_> = outcomes.into_iter().flatten().collect();
    let mut result = RunResult::new(&plan.name, "simulation", plan.echo.clone(), plan.seed, &started);
    result.environment.redis_version = outcomes.iter().find_map(|o| o.redis_version.clone());
    Ok(RunResult {
        objectives: plan.objectives.clone(),
        partial: interrupted.load(Ordering::SeqCst),
        warmup_requests: warmup,
        results: outcomes.into_iter().map(|o| o.result).collect(),
        ..result
    })
}

/// A generated workload's length, footprint in objects and stream.
fn generated_stream(plan: &RunPlan, needs_future: bool) -> anyhow::Result<(u64, u64, Stream)> {
    let workload = &plan.workload;
    let stream = if needs_future {
        let mut all: Vec<Request> = workload.stream(plan.seed).map_err(anyhow::Error::msg)?.collect();
        fill_next_access(&mut all);
        Stream::Materialised(Arc::new(all))
    } else {
        Stream::Generated
    };
    Ok((workload.requests.get(), workload.footprint_objects(), stream))
}

/// A trace's length and footprint in objects (one stats pass) and its stream.
fn trace_stream(source: &TraceSource, needs_future: bool) -> anyhow::Result<(u64, u64, Stream)> {
    let stats = scan_replayable(source)?;
    let trace = if needs_future {
        with_next_access(source)?
    } else {
        FutureTrace { source: source.clone(), dir: None }
    };
    Ok((stats.requests, stats.footprint_objects, Stream::Trace(Box::new(trace))))
}

/// How [`replay`] goes through a stream.
#[derive(Clone, Copy)]
pub struct Replay<'a> {
    /// Requests at the start that are replayed but not measured.
    pub warmup: u64,
    /// Requests per interval of the hit ratio over logical time (intervals are cut at the
    /// end of the warm-up).
    pub interval: u64,
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
    /// [`crate::runner::usage::settle`], from the strategy's own counters).
    pub counts: Counts,
    /// Measured hits per serving tier (index 0 is L1; deeper tiers than the last slot count
    /// there).
    pub tier_hits: [u64; MAX_TIERS],
    /// The strategy's own counters when the warm-up ended (zero without a warm-up; None if it
    /// never ended).
    pub at_warmup: Option<Usage>,
    /// Hits and misses per interval of requests, warm-up included.
    pub intervals: Vec<IntervalCounts>,
}

/// Replays `requests` through `strategy` in logical time: reads go through the cache (a hit
/// counts only if its body is the origin's, else it is `corrupt` and a miss; a miss fetches
/// the origin's body and stores it), writes store a fresh body. An eviction policy (or no
/// cache) keeps no data in logical time, so it gets empty bodies and its hits are not
/// checked: a simulation allocates no body it does not need, whatever the value sizes.
pub async fn replay(
    strategy: &dyn CacheStrategy,
    requests: impl Iterator<Item = Result<Request, InputError>>,
    how: Replay<'_>,
) -> anyhow::Result<Replayed> {
    let Replay { warmup, logical_rate, progress, stop, .. } = how;
    let keeps_data = !matches!(strategy.facts().backend, Backend::Policy | Backend::None);
    let body = |req: &Request| if keeps_data { origin::body(req.key, req.size) } else { Bytes::new() };
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
                if strategy.put(req.key, body(&req), hint).await.is_err() {
                    c.errors += 1;
                }
            }
            Op::Get => {
                c.bytes_requested = u64::from(req.size);
                let fill = match strategy.get(req.key, hint).await {
                    Ok(Lookup::Hit { value, tier })
                        if !keeps_data || origin::verify(req.key, req.size, &value) =>
                    {
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
                    if strategy.put(req.key, body(&req), hint).await.is_err() {
                        c.errors += 1;
                    }
                }
            }
        }
        record_interval(&mut out.intervals, i, &how, &c);
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

/// Counts request `i` (with counters `c`) in its interval of `how.interval` requests, cut at
/// the end of the warm-up.
fn record_interval(intervals: &mut Vec<IntervalCounts>, i: u64, how: &Replay<'_>, c: &Counts) {
    let offset = i as i64 - how.warmup as i64;
    let from_request = offset.div_euclid(how.interval.max(1) as i64) * how.interval.max(1) as i64;
    if intervals.last().is_none_or(|last| last.from_request != from_request) {
        intervals.push(IntervalCounts { from_request, ..IntervalCounts::default() });
    }
    if let Some(last) = intervals.last_mut() {
        last.requests += 1;
        last.hits += c.hits;
        last.misses += c.misses;
    }
}

#[cfg(test)]
mod tests;
