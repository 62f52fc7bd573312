//! Wall-clock load: drives each strategy under real concurrency on a tokio multi-thread
//! runtime, with the simulated [`Origin`] behind it, and measures latency (HdrHistograms),
//! throughput, errors, timeouts, corrupt hits and a time series.
//!
//! Strategies run one after another, each with the whole machine. A closed loop
//! ([`closed`]) runs `concurrency` workers back to back; an open loop ([`open`]) sends at a
//! fixed rate and measures from intended send times. A failing or slow cache operation is
//! counted (error or timeout) and the request falls back to the origin; the run goes on.
//! Ctrl-C stops the run: the strategy at hand is shut down and the results so far are
//! returned marked `partial`.

pub mod clock;
mod closed;
mod driver;
mod open;
mod recorder;
mod request;
mod spec;

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

pub use driver::Driver;
pub use recorder::{GetOutcome, Interval, Outcome, Recorder, summarize};
pub use request::Job;
pub use spec::{DEFAULT_CLOSED_CONCURRENCY, DEFAULT_OPEN_CONCURRENCY, LoadSpec, LoopMode};

use crate::http::MAX_TRACE_OBJECT;
use crate::metrics::{LoadMeasurements, RunResult, Started, TargetCounts};
use crate::model::error::InputError;
use crate::model::{Request, Stop};
use crate::origin::Origin;
use crate::runner::cell::{self, Driven, Ending, cells};
use crate::runner::interrupt::watch_signals;
use crate::runner::plan::RunPlan;
use crate::strategy::{CacheStrategy, Usage};
use crate::workload::WorkloadSpec;
use crate::workload::trace::{TraceRecord, TraceSource, scan_replayable};

/// An open loop whose p99 start delay exceeds this (µs) gets a warning: the latencies then say
/// as much about the load generator as about the cache.
const LATE_WARNING_US: u64 = 1_000;

/// A request stream driven under load: a generator's (never fails) or a trace's.
pub type Requests = Box<dyn Iterator<Item = Result<Request, InputError>> + Send>;

/// A run length or warm-up: a number of requests or a wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// The first (or all) this many requests of the stream.
    Requests(u64),
    /// This long from the start of the run.
    Time(Duration),
}

/// A `[load]` section resolved against the workload: everything a run of one strategy needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Closed or open loop.
    pub mode: LoopMode,
    /// Workers (closed) or in-flight bound (open).
    pub concurrency: usize,
    /// Open loop: requests per second.
    pub rate: Option<f64>,
    /// Run length, warm-up included.
    pub length: Span,
    /// Warm-up, excluded from the results.
    pub warmup: Span,
    /// Limit on each cache operation.
    pub timeout: Duration,
    /// Width of a time-series point.
    pub interval: Duration,
}

impl Plan {
    /// Resolves `load` against a workload of `stream_len` requests with a `warmup_share`:
    /// without `duration` the run is the whole stream; without `warmup` the warm-up is that
    /// share of the length.
    pub fn new(load: &LoadSpec, warmup_share: f64, stream_len: u64) -> Plan {
        let length = match load.duration {
            Some(d) => Span::Time(d.0),
            None => Span::Requests(stream_len),
        };
        let warmup = match (load.warmup, length) {
            (Some(w), _) => Span::Time(w.0),
            (None, Span::Time(d)) => Span::Time(d.mul_f64(warmup_share)),
            (None, Span::Requests(n)) => Span::Requests((n as f64 * warmup_share).floor() as u64),
        };
        let default = match load.mode {
            LoopMode::Closed => DEFAULT_CLOSED_CONCURRENCY,
            LoopMode::Open => DEFAULT_OPEN_CONCURRENCY,
        };
        Plan {
            mode: load.mode,
            concurrency: load.concurrency.map_or(default, NonZeroU64::get).try_into().unwrap_or(usize::MAX),
            rate: load.rate.map(|r| r.0),
            length,
            warmup,
            timeout: load.timeout.0,
            interval: load.timeseries_interval.0,
        }
    }

    /// Limit on the end-of-run `sync` and `usage` calls (a dead backend must not hang the run).
    fn settle_timeout(&self) -> Duration {
        self.timeout.max(Duration::from_secs(5))
    }

    /// When a timed run must stop sending.
    fn deadline(&self, t0: Instant) -> Option<Instant> {
        match self.length {
            Span::Time(d) => Some(t0 + d),
            Span::Requests(_) => None,
        }
    }

    /// When a timed run ends for good: requests still unfinished [`open::DRAIN_GRACE`] after
    /// the deadline (waiting on a slow origin or cache) are cancelled then.
    fn end(&self, t0: Instant) -> Option<Instant> {
        self.deadline(t0).map(|d| d + open::DRAIN_GRACE)
    }

    /// Whether request `index`, started (or scheduled) at `at`, is past the warm-up.
    fn measured(&self, index: u64, at: Instant, t0: Instant) -> bool {
        match self.warmup {
            Span::Requests(n) => index >= n,
            Span::Time(w) => at >= t0 + w,
        }
    }

    /// A count-based warm-up's length.
    fn warmup_requests(&self) -> Option<u64> {
        match self.warmup {
            Span::Requests(n) => Some(n),
            Span::Time(_) => None,
        }
    }

    /// When measurement starts, if that is known before the run (timed warm-up, no warm-up,
    /// or an open loop's schedule).
    fn measured_from(&self, t0: Instant) -> Option<Instant> {
        match (self.warmup, self.rate) {
            (Span::Time(w), _) => Some(t0 + w),
            (Span::Requests(0), _) => Some(t0),
            (Span::Requests(n), Some(rate)) => Some(t0 + Duration::from_secs_f64(n as f64 / rate)),
            (Span::Requests(_), None) => None,
        }
    }

    /// The request stream of `workload` under `seed`: the trace's if it replays one (a timed
    /// run then also ends with the trace), else the generator's, endless for a timed run. A
    /// trace object larger than [`MAX_TRACE_OBJECT`] ends the run with an error at its record:
    /// under load every request materialises its body.
    pub fn requests(
        &self,
        workload: &WorkloadSpec,
        seed: u64,
        trace: Option<&TraceSource>,
    ) -> anyhow::Result<Requests> {
        if let Some(trace) = trace {
            let path = trace.path.clone();
            let bounded = move |(i, r): (u64, Result<TraceRecord, InputError>)| match r {
                Ok(r) if r.size > MAX_TRACE_OBJECT => Err(InputError::Trace {
                    path: path.clone(),
                    location: format!("request {}", i + 1),
                    message: format!(
                        "an object of {} bytes; a replay under load materialises every body, up to {MAX_TRACE_OBJECT} bytes (simulate it instead: simulation allocates no bodies)",
                        r.size
                    ),
                }),
                r => r.map(|r| r.request()),
            };
            return Ok(Box::new((0u64..).zip(trace.records()?).map(bounded)));
        }
        let stream = match self.length {
            Span::Requests(_) => workload.stream(seed),
            Span::Time(_) => {
                let mut endless = workload.clone();
                endless.requests = NonZeroU64::MAX;
                endless.stream(seed)
            }
        };
        Ok(Box::new(stream.map_err(anyhow::Error::msg)?.map(Ok)))
    }

    /// Progress-bar units for one strategy: requests, or milliseconds of a timed run.
    fn progress_len(&self) -> u64 {
        match self.length {
            Span::Requests(n) => n,
            Span::Time(d) => d.as_millis() as u64,
        }
    }

    fn describe(&self) -> String {
        let length = match self.length {
            Span::Requests(n) => format!("{n} requests"),
            Span::Time(d) => humantime::format_duration(d).to_string(),
        };
        match (self.mode, self.rate) {
            (LoopMode::Open, Some(rate)) => {
                format!("open loop at {rate} req/s, up to {} in flight, {length}", self.concurrency)
            }
            _ => format!("closed loop, {} workers, {length}", self.concurrency),
        }
    }
}

/// What driving one strategy measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Every worker's measurements, merged.
    pub recorder: Recorder,
    /// When the run of this strategy started.
    pub t0: Instant,
    /// When the measured part started (`end` if the warm-up never finished).
    pub measured_from: Instant,
    /// When the last request finished.
    pub end: Instant,
    /// The strategy's own counters when the warm-up ended (zero without a warm-up; None if
    /// it never ended).
    pub usage_at_warmup: Option<Usage>,
    /// An HTTP target: how its hits were counted.
    pub target: Option<TargetCounts>,
}

impl Measured {
    /// Seconds measured (after warm-up).
    pub fn measured_s(&self) -> f64 {
        self.end.saturating_duration_since(self.measured_from).as_secs_f64()
    }

    /// Open loop: the 99th percentile of how late requests started after their intended
    /// send time, µs (None for a closed loop).
    pub fn late_p99_us(&self) -> Option<u64> {
        self.recorder.late.as_ref().filter(|h| !h.is_empty()).map(|h| h.value_at_quantile(0.99))
    }

    /// Requests completed during the warm-up.
    pub fn warmup_requests(&self) -> u64 {
        let all: u64 = self.recorder.intervals.iter().map(|i| i.requests).sum();
        all - self.recorder.counts.requests
    }

    /// What the cell needs of these measurements under `plan`.
    pub fn driven(&self, plan: &Plan) -> Driven {
        Driven {
            counts: self.recorder.counts,
            tier_hits: self.recorder.tier_hits,
            usage_at_warmup: self.usage_at_warmup,
            warmup_requests: self.warmup_requests(),
            elapsed_s: self.end.duration_since(self.t0).as_secs_f64(),
            load: Some(self.load_measurements(plan)),
            intervals: Vec::new(),
        }
    }

    /// The `load` part of a strategy's results.
    pub fn load_measurements(&self, plan: &Plan) -> LoadMeasurements {
        let r = &self.recorder;
        let secs = self.measured_s();
        let per_s = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        LoadMeasurements {
            loop_mode: plan.mode.name().to_string(),
            concurrency: plan.concurrency as u64,
            target_rps: plan.rate,
            throughput_rps: per_s(r.counts.requests),
            measured_s: secs,
            origin_requests: r.origin,
            origin_rps: per_s(r.origin),
            coalesced_requests: r.coalesced,
            timeouts: r.timeouts,
            cancelled_at_end: r.cancelled,
            get_hit: summarize(&r.get_hit),
            get_miss: summarize(&r.get_miss),
            put: summarize(&r.put),
            end_to_end: summarize(&r.end_to_end),
            start_delay: r.late.as_ref().and_then(summarize),
            timeseries: r.timeseries(self.measured_from, self.end),
            target: self.target.clone(),
        }
    }
}

/// Drives `strategy` in process with `requests` as `plan` says until the stream or the
/// duration ends or `stop` is given; settles the strategy (`sync`) at the end. `progress`
/// advances from `progress_base` by this strategy's share. A bad record in a trace ends the
/// run with its error.
pub async fn drive(
    strategy: Arc<dyn CacheStrategy>,
    requests: Requests,
    origin: Arc<Origin>,
    plan: &Plan,
    stop: Arc<Stop>,
    progress: &ProgressBar,
    progress_base: u64,
) -> anyhow::Result<Measured> {
    let ctx = Arc::new(request::Ctx {
        strategy: strategy.clone(),
        origin: origin.clone(),
        timeout: plan.timeout,
        t0: Instant::now(),
        stop,
    });
    drive_with(ctx, strategy, requests, origin, plan, progress, progress_base).await
}

/// Like [`drive`], with requests served by `driver` (which reaches `strategy` and `origin`
/// its own way, e.g. over HTTP); the run's clock starts at the driver's `t0`.
pub async fn drive_with<D: Driver>(
    driver: Arc<D>,
    strategy: Arc<dyn CacheStrategy>,
    requests: Requests,
    origin: Arc<Origin>,
    plan: &Plan,
    progress: &ProgressBar,
    progress_base: u64,
) -> anyhow::Result<Measured> {
    let t0 = driver.t0();
    let ctx = driver;
    let measured_from = Arc::new(OnceLock::new());
    if let Some(m) = plan.measured_from(t0) {
        let _ = measured_from.set(m);
    }
    let sent = Arc::new(AtomicU64::new(0));
    let done = Arc::new(Stop::new());
    let watcher = tokio::spawn(watch(Watch {
        strategy: strategy.clone(),
        origin,
        plan: plan.clone(),
        t0,
        sent: sent.clone(),
        measured_from: measured_from.clone(),
        done: done.clone(),
        progress: progress.clone(),
        base: progress_base,
    }));
    let (recorder, failure) = match (plan.mode, plan.rate) {
        (LoopMode::Open, Some(rate)) => open::run(ctx, plan, rate, requests, sent).await,
        _ => {
            let source = Arc::new(closed::Source::new(requests, sent));
            let recorder = closed::run(ctx, plan, source.clone(), measured_from.clone()).await;
            (recorder, source.failure())
        }
    };
    let end = Instant::now();
    done.stop();
    let usage_at_warmup = watcher.await.context("progress watcher")?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    progress.set_position(progress_base + plan.progress_len());
    // Best effort: a strategy whose backend is down cannot settle, and the run still reports.
    let _ = tokio::time::timeout(plan.settle_timeout(), strategy.sync()).await;
    let measured_from = measured_from.get().copied().filter(|m| *m <= end).unwrap_or(end);
    Ok(Measured { recorder, t0, measured_from, end, usage_at_warmup, target: None })
}

/// What the progress watcher of one strategy's run needs.
struct Watch {
    strategy: Arc<dyn CacheStrategy>,
    origin: Arc<Origin>,
    plan: Plan,
    t0: Instant,
    sent: Arc<AtomicU64>,
    measured_from: Arc<OnceLock<Instant>>,
    done: Arc<Stop>,
    progress: ProgressBar,
    base: u64,
}

/// Every 100 ms: advances the progress bar; once, when the warm-up ends, reads the strategy's
/// own counters (returned) so that evictions and damaged entries are counted over the measured
/// part only. Without a warm-up they count from zero, as in the simulation.
async fn watch(w: Watch) -> Option<Usage> {
    let no_warmup = w.plan.measured_from(w.t0) == Some(w.t0);
    let mut usage_at_warmup = no_warmup.then(Usage::default);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            () = w.done.stopped() => break,
            _ = tick.tick() => {}
        }
        let sent = w.sent.load(Ordering::Relaxed);
        let done = match w.plan.length {
            Span::Requests(_) => sent,
            Span::Time(_) => w.t0.elapsed().as_millis() as u64,
        };
        w.progress.set_position(w.base + done.min(w.plan.progress_len()));
        w.progress.set_message(format!(
            "{}: {sent} requests, {} origin fetches",
            w.strategy.name(),
            w.origin.requests()
        ));
        if usage_at_warmup.is_none() && w.measured_from.get().is_some_and(|m| Instant::now() >= *m) {
            let usage = tokio::time::timeout(w.plan.timeout, w.strategy.usage()).await;
            usage_at_warmup = Some(usage.ok().and_then(Result::ok).unwrap_or_default());
        }
    }
    usage_at_warmup
}

/// One strategy's turn in a wall-clock run: what a [`Harness`] needs to drive it.
pub struct Turn<'a> {
    /// The strategy under test, freshly built.
    pub strategy: Arc<dyn CacheStrategy>,
    /// The origin behind it, fresh for this turn.
    pub origin: Arc<Origin>,
    /// The request stream, from its start.
    pub requests: Requests,
    /// The run (workload, seed, settings).
    pub run: &'a RunPlan,
    /// The resolved `[load]` settings.
    pub plan: &'a Plan,
    /// The run's stop signal (Ctrl-C).
    pub stop: Arc<Stop>,
    /// The run's progress bar.
    pub progress: &'a ProgressBar,
    /// Where this turn's share of the progress bar starts.
    pub progress_base: u64,
}

/// How each strategy of a wall-clock run is driven: in process ([`InProcess`], the load
/// runner) or through a server (HTTP mode).
pub trait Harness {
    /// The results' `mode`.
    fn mode(&self) -> &'static str;

    /// Drives one strategy's turn and returns its measurements.
    fn drive(&self, turn: Turn<'_>) -> impl std::future::Future<Output = anyhow::Result<Measured>>;
}

/// The load runner's harness: requests call the strategy and origin in process.
#[derive(Debug, Clone, Copy)]
pub struct InProcess;

impl Harness for InProcess {
    fn mode(&self) -> &'static str {
        "load"
    }

    async fn drive(&self, t: Turn<'_>) -> anyhow::Result<Measured> {
        drive(t.strategy, t.requests, t.origin, t.plan, t.stop, t.progress, t.progress_base).await
    }
}

/// Runs `run` (which must have `[load]` settings) on the wall clock and returns its results;
/// `partial` is set if Ctrl-C stopped it. `quiet` silences the per-strategy notes on stderr.
pub fn run(run: &RunPlan, progress: &ProgressBar, quiet: bool) -> anyhow::Result<RunResult> {
    run_with(run, &InProcess, progress, quiet)
}

/// Runs `run` (which must have `[load]` settings) on the wall clock, each strategy in turn
/// driven by `harness`, on a fresh multi-thread tokio runtime.
pub fn run_with<H: Harness>(
    run: &RunPlan,
    harness: &H,
    progress: &ProgressBar,
    quiet: bool,
) -> anyhow::Result<RunResult> {
    let load = run.load.as_ref().context("the scenario has no [load] section")?;
    let workload = &run.workload;
    let trace = workload.trace_source().transpose()?;
    let (stream_len, footprint_objects) = match &trace {
        Some(t) => {
            let stats = scan_replayable(t)?;
            (stats.requests, stats.footprint_objects)
        }
        None => (workload.requests.get(), workload.footprint_objects()),
    };
    let plan = Plan::new(load, workload.warmup.0, stream_len);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("cachelab-load")
        .build()
        .context("cannot start the tokio runtime")?;
    let input = Input { run, plan: &plan, trace: trace.as_ref(), footprint_objects };
    runtime.block_on(run_all(input, harness, progress, quiet))
}

/// What every strategy of a load run shares.
struct Input<'a> {
    run: &'a RunPlan,
    plan: &'a Plan,
    trace: Option<&'a TraceSource>,
    footprint_objects: u64,
}

async fn run_all<H: Harness>(
    input: Input<'_>,
    harness: &H,
    progress: &ProgressBar,
    quiet: bool,
) -> anyhow::Result<RunResult> {
    let Input { run, plan, trace, footprint_objects } = input;
    let started = Started::now();
    let stop = Arc::new(Stop::new());
    let interrupted = Arc::new(AtomicBool::new(false));
    let signals = watch_signals(stop.clone(), interrupted.clone())?;
    let cells = cells(&run.strategies);
    progress.set_style(
        ProgressStyle::with_template("{msg} [{elapsed_precise}] {wide_bar} {percent}% (eta {eta})")
            .expect("valid template"),
    );
    progress.set_length(plan.progress_len() * cells.len() as u64);
    let mut results = Vec::new();
    let mut warmup_requests = 0;
    let mut redis_version = None;
    let ending = Ending { usage_timeout: Some(plan.settle_timeout()), messages: Some(progress) };
    for (i, cell) in cells.iter().enumerate() {
        if stop.is_stopped() {
            break;
        }
        let requests = plan.requests(&run.workload, run.seed, trace)?;
        let (n, stop) = (cells.len(), stop.clone());
        let drive = |strategy: Arc<dyn CacheStrategy>| async move {
            if !quiet {
                progress.suspend(|| {
                    let (mode, name) = (harness.mode(), &cell.spec.name);
                    eprintln!("{mode}: `{name}` ({}/{n}): {}", i + 1, plan.describe());
                });
            }
            let turn = Turn {
                strategy,
                origin: Arc::new(Origin::new(&run.origin, run.seed)),
                requests,
                run,
                plan,
                stop,
                progress,
                progress_base: plan.progress_len() * i as u64,
            };
            Ok::<_, anyhow::Error>(harness.drive(turn).await?.driven(plan))
        };
        let outcome = cell::run(cell, footprint_objects, ending, drive).await?;
        let late = outcome.result.load.as_ref().and_then(|l| l.start_delay.as_ref()).map(|d| d.p99_us);
        if let Some(late) = late.filter(|&us| us > LATE_WARNING_US) {
            progress.suspend(|| {
                eprintln!(
                    "warning: `{}`: 1% of requests started over {:.1} ms after their scheduled time; the load generator could not keep the schedule (machine busy or rate too high), and end-to-end latencies include that delay",
                    cell.spec.name,
                    late as f64 / 1e3
                )
            });
        }
        let cancelled = outcome.result.load.as_ref().map_or(0, |l| l.cancelled_at_end);
        if cancelled > 0 {
            progress.suspend(|| {
                eprintln!(
                    "warning: `{}`: {cancelled} requests still waiting on the origin or cache {}s after the run's duration were cancelled (not counted in latencies)",
                    cell.spec.name,
                    open::DRAIN_GRACE.as_secs()
                )
            });
        }
        redis_version = redis_version.or(outcome.redis_version);
        warmup_requests = warmup_requests.max(outcome.warmup_requests);
        results.push(outcome.result);
    }
    signals.abort();
    if let Some(n) = plan.warmup_requests() {
        warmup_requests = n;
    }
    let mut result = RunResult::new(&run.name, harness.mode(), run.echo.clone(), run.seed, &started);
    result.environment.redis_version = redis_version;
    let partial = interrupted.load(Ordering::SeqCst);
    Ok(RunResult { objectives: run.objectives.clone(), partial, warmup_requests, results, ..result })
}
