//! `RunResult`: the one source of truth of a run, serialised as `results.json`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Backend, Costs, Environment, ErrorCause, MissRatioCurve, Objectives, ReportSettings};
use crate::model::CapacityUnit;

/// Version of the `results.json` schema (`schema/results.schema.json`); bumped on any
/// incompatible change. Version 2 moved per-tier hits from `load.tiers` to `tiers` (filled in
/// simulation too); version 3 records what each strategy is (`backend`, `memory_bytes`,
/// `survives_restart`, `bound`) and the run's `objectives`. [`upgrade`](super::upgrade) reads
/// versions 1 and 2.
pub const SCHEMA_VERSION: u32 = 3;

/// What HTTP mode appends to a strategy's name for its run without request coalescing when
/// the scenario says `[http] coalesce = "compare"`: `moka (no coalescing)` is `moka` behind a
/// server whose every miss makes its own origin fetch.
pub const NO_COALESCING_SUFFIX: &str = " (no coalescing)";

/// Counters of one strategy at one capacity over the measured (post-warm-up) requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// Requests measured (reads and writes).
    pub requests: u64,
    /// Reads served from the cache with a verified body.
    pub hits: u64,
    /// Reads that went to the origin.
    pub misses: u64,
    /// Writes (workload `Set` requests).
    pub writes: u64,
    /// Bytes requested by reads.
    pub bytes_requested: u64,
    /// Bytes of reads served from the cache.
    pub bytes_hit: u64,
    /// Objects evicted during the measured part, when the strategy can tell.
    pub evictions: u64,
    /// Cache operations that failed (the request then went to the origin).
    pub errors: u64,
    /// Hits whose body did not match the origin's (counted as misses, never as hits).
    pub corrupt: u64,
}

impl Counts {
    /// Hits over reads (0 when there were no reads).
    pub fn hit_ratio(&self) -> f64 {
        ratio(self.hits, self.hits + self.misses)
    }

    /// Bytes hit over bytes requested.
    pub fn byte_hit_ratio(&self) -> f64 {
        ratio(self.bytes_hit, self.bytes_requested)
    }
}

/// Field-by-field sum, to merge counters of requests, workers or intervals.
impl std::ops::AddAssign<&Counts> for Counts {
    fn add_assign(&mut self, o: &Counts) {
        self.requests += o.requests;
        self.hits += o.hits;
        self.misses += o.misses;
        self.writes += o.writes;
        self.bytes_requested += o.bytes_requested;
        self.bytes_hit += o.bytes_hit;
        self.evictions += o.evictions;
        self.errors += o.errors;
        self.corrupt += o.corrupt;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Results of one strategy at one capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StrategyResult {
    /// The strategy's name in the scenario.
    pub strategy: String,
    /// Its kind (`moka`, `lru`, `none`, ...).
    pub kind: String,
    /// The capacity as written in the scenario (`10000`, `"64MiB"`, `"5%"`); null for `none`.
    pub capacity: Option<serde_json::Value>,
    /// The capacity resolved to a number of `capacity_unit`s.
    pub capacity_value: Option<u64>,
    /// `objects` or `bytes`.
    pub capacity_unit: Option<CapacityUnit>,
    /// Which backend holds the data.
    pub backend: Backend,
    /// Bytes of memory the cache may hold: its byte capacity, else the resident bytes it
    /// reported (null if neither is known); 0 without a cache.
    pub memory_bytes: Option<u64>,
    /// Whether the cached data survives a restart of the service (files, a Redis server the
    /// run did not start, a tiered strategy whose second tier does).
    pub survives_restart: bool,
    /// Whether the row is an offline bound (Belady, which knows the future), never a
    /// candidate to deploy.
    pub bound: bool,
    /// The prefix of every key the strategy wrote on a shared server (Redis), printed when the
    /// run starts: `cachelab cleanup --redis URL --prefix P` removes what a killed run left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    /// Stored entries found damaged when the cache opened (after a crash, say) and discarded;
    /// not among the measured `errors`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub damaged_at_open: u64,
    /// Stored entries found damaged while the warm-up read them, and discarded; not among the
    /// measured `errors`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub damaged_in_warmup: u64,
    /// Why cache operations failed: the first few distinct causes, most frequent first, with
    /// counts over the whole run (warm-up included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_causes: Vec<ErrorCause>,
    /// Raw counters.
    #[serde(flatten)]
    pub counts: Counts,
    /// `hits / (hits + misses)`.
    pub hit_ratio: f64,
    /// `bytes_hit / bytes_requested`.
    pub byte_hit_ratio: f64,
    /// Entries resident at the end of the run.
    pub final_entries: u64,
    /// Bytes resident at the end of the run, when known.
    pub final_bytes: Option<u64>,
    /// Wall-clock seconds the replay took (simulation speed, not a latency).
    pub elapsed_s: f64,
    /// Hits per tier of a tiered strategy (absent for single-tier strategies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierCounts>,
    /// Wall-clock measurements; present only for load and HTTP runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadMeasurements>,
    /// Simulation: hits and misses per interval of requests in logical time, warm-up
    /// included (absent in load runs, whose `load.timeseries` is per second).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<IntervalCounts>,
}

/// Counters of one interval of requests in logical time (a simulation's time series).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IntervalCounts {
    /// Index of the interval's first request, counted from the end of the warm-up (negative
    /// during it).
    pub from_request: i64,
    /// Requests in the interval (reads and writes).
    pub requests: u64,
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that went to the origin.
    pub misses: u64,
}

impl IntervalCounts {
    /// Hits over reads (0 without reads).
    pub fn hit_ratio(&self) -> f64 {
        ratio(self.hits, self.hits + self.misses)
    }
}

/// Latency percentiles of one HdrHistogram (microseconds, 3 significant digits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LatencySummary {
    /// Values recorded.
    pub count: u64,
    /// Smallest value, µs.
    pub min_us: u64,
    /// Mean, µs.
    pub mean_us: f64,
    /// Median, µs.
    pub p50_us: u64,
    /// 90th percentile, µs.
    pub p90_us: u64,
    /// 99th percentile, µs.
    pub p99_us: u64,
    /// 99.9th percentile, µs.
    pub p999_us: u64,
    /// 99.99th percentile, µs.
    pub p9999_us: u64,
    /// Largest value, µs.
    pub max_us: u64,
    /// The percentile distribution for charts: `[percentile, µs]` pairs from p0 to p100
    /// (HdrHistogram's iter_quantiles with 5 ticks per half distance).
    pub distribution: Vec<(f64, u64)>,
}

/// One point of a time series (one per second of a load run, or per N requests).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimePoint {
    /// Seconds since the measured part started (negative during warm-up).
    pub t_s: f64,
    /// Requests completed in this interval.
    pub requests: u64,
    /// Hit ratio of the reads in this interval.
    pub hit_ratio: f64,
    /// Requests that reached the origin in this interval, per second.
    pub origin_rps: f64,
    /// Cache errors in this interval.
    pub errors: u64,
    /// Cache timeouts in this interval.
    pub timeouts: u64,
}

/// Hits served by one tier of a tiered strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TierCounts {
    /// Tier name (`l1`, `l2`).
    pub tier: String,
    /// Reads served by this tier.
    pub hits: u64,
    /// Share of all reads served by this tier.
    pub hit_ratio: f64,
}

impl TierCounts {
    /// One entry per tier of a strategy with `tiers` tiers, from measured hits per tier
    /// (`tier_hits[0]` is L1; slots past `tiers` are ignored) and all measured reads; empty for
    /// fewer than two tiers, as a single tier's hits are the strategy's hits.
    pub fn list(tier_hits: &[u64], tiers: usize, reads: u64) -> Vec<TierCounts> {
        if tiers < 2 {
            return Vec::new();
        }
        (1..)
            .zip(&tier_hits[..tiers.min(tier_hits.len())])
            .map(|(n, &hits)| TierCounts { tier: format!("l{n}"), hits, hit_ratio: ratio(hits, reads) })
            .collect()
    }
}

/// Wall-clock results of a load (or HTTP) run of one strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoadMeasurements {
    /// `closed` (N workers back to back) or `open` (fixed rate, latency from intended send
    /// time: coordinated omission corrected).
    pub loop_mode: String,
    /// Concurrent workers (closed loop) or in-flight limit (open loop).
    pub concurrency: u64,
    /// Target rate for open loop, requests/s.
    pub target_rps: Option<f64>,
    /// Achieved throughput over the measured part, requests/s.
    pub throughput_rps: f64,
    /// Measured seconds (after warm-up).
    pub measured_s: f64,
    /// Requests that reached the origin.
    pub origin_requests: u64,
    /// Origin requests per second.
    pub origin_rps: f64,
    /// HTTP mode: misses that joined another request's origin fetch (request coalescing)
    /// instead of making their own; 0 without coalescing and in load mode.
    #[serde(default)]
    pub coalesced_requests: u64,
    /// Cache operations that timed out.
    pub timeouts: u64,
    /// Requests still in flight 2 s after the run's `duration` ended (a slow origin or
    /// cache), cancelled so that the run ends on time; not counted anywhere else.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cancelled_at_end: u64,
    /// Cache `get` latency of hits.
    pub get_hit: Option<LatencySummary>,
    /// Cache `get` latency of misses.
    pub get_miss: Option<LatencySummary>,
    /// Cache `put` latency.
    pub put: Option<LatencySummary>,
    /// Whole request: get, plus origin fetch and put on a miss.
    pub end_to_end: Option<LatencySummary>,
    /// Open loop: how late requests were sent after their intended send time (the load
    /// generator's own delay, included in `end_to_end`); absent for a closed loop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_delay: Option<LatencySummary>,
    /// Hit ratio, throughput, origin load and errors over time.
    pub timeseries: Vec<TimePoint>,
    /// An HTTP target (`kind = "http"`): how its hits were counted (absent for cachelab's own
    /// strategies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetCounts>,
}

/// How the hits of an HTTP target, a cache cachelab does not own, were counted: at the
/// origin cachelab served, as reads − origin fetches during the measured part (needs no
/// cooperation from the target; exact up to the requests in flight when the warm-up ended),
/// and optionally per response from a header rule, which gives the separate hit and miss
/// latencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TargetCounts {
    /// The target's URL template.
    pub url: String,
    /// Where the row's hits and misses were counted: `origin`.
    pub hits_counted_at: String,
    /// Objects the origin served during the measured part (the target's misses).
    pub origin_fetches: u64,
    /// The header rule that classified each response (`X-Cache-Status: HIT | STALE`,
    /// `Age > 0`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classified_by: Option<String>,
    /// Measured reads the rule called hits (the hit latencies are theirs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classified_hits: Option<u64>,
}

/// Whether a counter is zero (left out of results.json then).
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A whole run: what was run, where, and every strategy's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunResult {
    /// [`SCHEMA_VERSION`] of this document.
    pub schema_version: u32,
    /// Scenario name.
    pub name: String,
    /// `simulation` (logical time) or `load` (wall clock).
    pub mode: String,
    /// The scenario as run, every default filled in (includes the seed).
    pub scenario: serde_json::Value,
    /// The seed used.
    pub seed: u64,
    /// Machine and build.
    pub environment: Environment,
    /// RFC 3339 UTC time the run started.
    pub started_at: String,
    /// Wall-clock seconds the whole run took.
    pub duration_s: f64,
    /// True when the run was interrupted and results cover only part of the workload.
    pub partial: bool,
    /// Requests excluded from the counts as warm-up.
    pub warmup_requests: u64,
    /// One entry per (strategy, capacity), in scenario order.
    pub results: Vec<StrategyResult>,
    /// What the user needs (the scenario's `[objectives]`), which the report ranks against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objectives: Option<Objectives>,
    /// Statistics of the trace replayed, for `cachelab simulate` runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<TraceSummary>,
    /// Miss-ratio curves computed in one pass (not from the sweep's rows), drawn as lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curves: Vec<MissRatioCurve>,
    /// Prices (the scenario's `[costs]`), for the report's cost per capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<Costs>,
    /// How to present the run (the scenario's `[report]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportSettings>,
}

/// When a run started: the wall-clock time its results name and the instant its duration is
/// measured from.
#[derive(Debug, Clone)]
pub struct Started {
    at: String,
    instant: std::time::Instant,
}

impl Started {
    /// Now.
    pub fn now() -> Started {
        let at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        Started { at, instant: std::time::Instant::now() }
    }

    /// Seconds since the start.
    pub fn elapsed_s(&self) -> f64 {
        self.instant.elapsed().as_secs_f64()
    }
}

impl RunResult {
    /// The results of a run named `name` in `mode` (`simulation`, `load`, `http`) that echoes
    /// `scenario` and used `seed`, started at `started` and ending now: at the current schema
    /// version, on this machine, complete and without rows yet (callers fill what they know
    /// with struct update syntax).
    pub fn new(
        name: &str,
        mode: &str,
        scenario: serde_json::Value,
        seed: u64,
        started: &Started,
    ) -> RunResult {
        RunResult {
            schema_version: SCHEMA_VERSION,
            name: name.to_string(),
            mode: mode.to_string(),
            scenario,
            seed,
            environment: Environment::detect(),
            started_at: started.at.clone(),
            duration_s: started.elapsed_s(),
            partial: false,
            warmup_requests: 0,
            results: Vec::new(),
            objectives: None,
            trace: None,
            curves: Vec::new(),
            costs: None,
            report: None,
        }
    }
}

impl StrategyResult {
    /// The memory a strategy on `backend` may hold at a capacity of `capacity_value` in
    /// `capacity_unit`, having reported `final_bytes` resident: its byte capacity, else the
    /// resident bytes; 0 without a cache.
    pub fn memory_bytes(
        backend: Backend,
        capacity_value: Option<u64>,
        capacity_unit: Option<CapacityUnit>,
        final_bytes: Option<u64>,
    ) -> Option<u64> {
        match (backend, capacity_unit) {
            (Backend::None, _) => Some(0),
            (_, Some(CapacityUnit::Bytes)) => capacity_value,
            _ => final_bytes,
        }
    }
}

/// What a replayed trace looks like: size, footprint and popularity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TraceSummary {
    /// The trace file as given.
    pub path: String,
    /// Its format (`csv`, `oracle-general`).
    pub format: String,
    /// Requests in the trace.
    pub requests: u64,
    /// Reads among them (every request, for formats without operations).
    #[serde(default)]
    pub reads: u64,
    /// Writes (set, add, replace, cas, ...).
    #[serde(default)]
    pub writes: u64,
    /// Deletes.
    #[serde(default)]
    pub deletes: u64,
    /// Requests that carry a TTL.
    #[serde(default)]
    pub with_ttl: u64,
    /// Distinct objects (the footprint in objects).
    pub unique_objects: u64,
    /// Footprint in bytes (each distinct object at its first size).
    pub footprint_bytes: u64,
    /// Bytes requested.
    pub bytes_requested: u64,
    /// Objects requested exactly once.
    pub one_hit_wonders: u64,
    /// `one_hit_wonders / unique_objects`.
    pub one_hit_wonder_ratio: f64,
    /// Zipf exponent fitted on (log rank, log frequency), when there are two ranks or more.
    pub zipf_alpha: Option<f64>,
    /// `[rank, requests]` of the objects at geometrically spaced popularity ranks (1-based),
    /// for the rank/frequency plot.
    pub popularity: Vec<(u64, u64)>,
}
