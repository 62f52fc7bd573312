//! One summary row per (strategy, capacity), with units in the column names.

use serde::Serialize;

use crate::metrics::{LatencySummary, RunResult, StrategyResult};

/// A summary row. Latency and throughput columns are empty for simulation runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// Strategy name.
    pub strategy: String,
    /// Strategy kind.
    pub kind: String,
    /// Capacity as written in the scenario (`64MiB`, `10000`, `5%`); empty for `none`.
    pub capacity: String,
    /// Capacity resolved to `capacity_unit`s.
    pub capacity_value: Option<u64>,
    /// `objects` or `bytes`.
    pub capacity_unit: Option<String>,
    /// Measured requests.
    pub requests: u64,
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that went to the origin.
    pub misses: u64,
    /// Writes.
    pub writes: u64,
    /// hits / reads.
    pub hit_ratio: f64,
    /// misses / reads.
    pub miss_ratio: f64,
    /// Bytes hit / bytes requested.
    pub byte_hit_ratio: f64,
    /// Evictions during the measured part.
    pub evictions: u64,
    /// Failed cache operations.
    pub errors: u64,
    /// Hits with a wrong body.
    pub corrupt: u64,
    /// Entries resident at the end.
    pub final_entries: u64,
    /// Bytes resident at the end, when known.
    pub final_bytes: Option<u64>,
    /// Requests per second (load runs).
    pub throughput_rps: Option<f64>,
    /// Origin requests per second (load runs).
    pub origin_rps: Option<f64>,
    /// Cache operations that timed out (load runs).
    pub timeouts: Option<u64>,
    /// End-to-end mean, µs.
    pub mean_us: Option<f64>,
    /// End-to-end median, µs.
    pub p50_us: Option<u64>,
    /// End-to-end 90th percentile, µs.
    pub p90_us: Option<u64>,
    /// End-to-end 99th percentile, µs.
    pub p99_us: Option<u64>,
    /// End-to-end 99.9th percentile, µs.
    pub p999_us: Option<u64>,
    /// End-to-end 99.99th percentile, µs.
    pub p9999_us: Option<u64>,
    /// End-to-end maximum, µs.
    pub max_us: Option<u64>,
    /// Cache get of hits, median, µs.
    pub hit_p50_us: Option<u64>,
    /// Cache get of hits, 99th percentile, µs.
    pub hit_p99_us: Option<u64>,
    /// Cache get of misses, median, µs.
    pub miss_p50_us: Option<u64>,
    /// Cache get of misses, 99th percentile, µs.
    pub miss_p99_us: Option<u64>,
}

impl SummaryRow {
    /// The rows of `result`, in its order.
    pub fn all(result: &RunResult) -> Vec<SummaryRow> {
        result.results.iter().map(SummaryRow::new).collect()
    }

    /// The row of one result.
    pub fn new(r: &StrategyResult) -> SummaryRow {
        let load = r.load.as_ref();
        let e2e = load.and_then(|l| l.end_to_end.as_ref());
        let hit = load.and_then(|l| l.get_hit.as_ref());
        let miss = load.and_then(|l| l.get_miss.as_ref());
        let pick = |s: Option<&LatencySummary>, f: fn(&LatencySummary) -> u64| s.map(f);
        SummaryRow {
            strategy: r.strategy.clone(),
            kind: r.kind.clone(),
            capacity: match &r.capacity {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            },
            capacity_value: r.capacity_value,
            capacity_unit: r.capacity_unit.map(|u| u.as_str().to_string()),
            requests: r.counts.requests,
            hits: r.counts.hits,
            misses: r.counts.misses,
            writes: r.counts.writes,
            hit_ratio: r.hit_ratio,
            miss_ratio: match r.counts.hits + r.counts.misses {
                0 => 0.0,
                reads => r.counts.misses as f64 / reads as f64,
            },
            byte_hit_ratio: r.byte_hit_ratio,
            evictions: r.counts.evictions,
            errors: r.counts.errors,
            corrupt: r.counts.corrupt,
            final_entries: r.final_entries,
            final_bytes: r.final_bytes,
            throughput_rps: load.map(|l| l.throughput_rps),
            origin_rps: load.map(|l| l.origin_rps),
            timeouts: load.map(|l| l.timeouts),
            mean_us: e2e.map(|s| s.mean_us),
            p50_us: pick(e2e, |s| s.p50_us),
            p90_us: pick(e2e, |s| s.p90_us),
            p99_us: pick(e2e, |s| s.p99_us),
            p999_us: pick(e2e, |s| s.p999_us),
            p9999_us: pick(e2e, |s| s.p9999_us),
            max_us: pick(e2e, |s| s.max_us),
            hit_p50_us: pick(hit, |s| s.p50_us),
            hit_p99_us: pick(hit, |s| s.p99_us),
            miss_p50_us: pick(miss, |s| s.p50_us),
            miss_p99_us: pick(miss, |s| s.p99_us),
        }
    }
}
