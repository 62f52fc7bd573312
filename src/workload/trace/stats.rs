//! One pass over a trace: request counts (by operation), footprint, one-hit wonders and a
//! fitted Zipf alpha.
//! Memory: a hash map of about 32 bytes per distinct object.

use std::path::Path;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::{BATCH, TraceOp, TraceSource};
use crate::model::error::InputError;

/// What `cachelab trace stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStats {
    /// Requests in the trace.
    pub requests: u64,
    /// Reads among them (every request, for formats without operations).
    pub reads: u64,
    /// Writes among them.
    pub writes: u64,
    /// Deletes among them.
    pub deletes: u64,
    /// Requests that carry a TTL.
    pub with_ttl: u64,
    /// Distinct object ids.
    pub unique_objects: u64,
    /// Footprint in objects (every distinct object counts 1; equals `unique_objects`).
    pub footprint_objects: u64,
    /// Footprint in bytes: the sum over distinct objects of their size at first request.
    pub footprint_bytes: u64,
    /// Bytes requested (the sum of every request's size).
    pub bytes_requested: u64,
    /// Objects requested exactly once.
    pub one_hit_wonders: u64,
    /// `one_hit_wonders / unique_objects` (0 for an empty trace).
    pub one_hit_wonder_ratio: f64,
    /// Zipf exponent fitted by least squares on (log rank, log frequency), with ranks sampled
    /// geometrically so that every decade of ranks weighs the same and the long tail of rare
    /// objects does not dominate. None when fewer than two distinct ranks exist.
    pub zipf_alpha: Option<f64>,
    /// `(rank, requests)` at the ranks the fit samples (1, 2, 3, ... growing by 10 %), for
    /// the report's rank/frequency plot; not printed.
    #[serde(skip)]
    pub popularity: Vec<(u64, u64)>,
}

/// The error for a trace that holds no request: replaying it would report a miss ratio of 0
/// that means nothing.
pub fn empty_trace(path: &Path) -> InputError {
    InputError::Trace {
        path: path.to_path_buf(),
        location: "the whole file".into(),
        message: "holds no requests; there is nothing to replay".into(),
    }
}

/// [`scan_stats`] of a trace about to be replayed; a trace without requests is refused.
pub fn scan_replayable(source: &TraceSource) -> Result<TraceStats, InputError> {
    let stats = scan_stats(source)?;
    if stats.requests == 0 {
        return Err(empty_trace(&source.path));
    }
    Ok(stats)
}

/// Scans `source` once and computes its statistics.
pub fn scan_stats(source: &TraceSource) -> Result<TraceStats, InputError> {
    let mut reader = source.open()?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut seen: FxHashMap<u64, u64> = FxHashMap::default();
    let (mut requests, mut footprint_bytes, mut bytes_requested) = (0u64, 0u64, 0u64);
    let (mut reads, mut writes, mut deletes, mut with_ttl) = (0u64, 0u64, 0u64, 0u64);
    loop {
        reader.read_batch(&mut batch)?;
        if batch.is_empty() {
            break;
        }
        for r in &batch {
            requests += 1;
            match r.op {
                TraceOp::Read => reads += 1,
                TraceOp::Write => writes += 1,
                TraceOp::Delete => deletes += 1,
            }
            with_ttl += u64::from(r.ttl > 0);
            bytes_requested += u64::from(r.size);
            let count = seen.entry(r.key).or_insert_with(|| {
                footprint_bytes += u64::from(r.size);
                0
            });
            *count += 1;
        }
    }
    let unique = seen.len() as u64;
    let mut counts: Vec<u64> = seen.into_values().collect();
    let one_hit_wonders = counts.iter().filter(|&&c| c == 1).count() as u64;
    counts.sort_unstable_by(|a, b| b.cmp(a));
    Ok(TraceStats {
        requests,
        reads,
        writes,
        deletes,
        with_ttl,
        unique_objects: unique,
        footprint_objects: unique,
        footprint_bytes,
        bytes_requested,
        one_hit_wonders,
        one_hit_wonder_ratio: if unique == 0 { 0.0 } else { one_hit_wonders as f64 / unique as f64 },
        zipf_alpha: fit_zipf(&counts),
        popularity: sampled_ranks(counts.len()).map(|rank| (rank as u64, counts[rank - 1])).collect(),
    })
}

/// Counts the requests of `source` with no other work: the cost of reading alone.
pub fn count_requests(source: &TraceSource) -> Result<u64, InputError> {
    let mut reader = source.open()?;
    let mut batch = Vec::with_capacity(BATCH);
    let mut n = 0u64;
    loop {
        reader.read_batch(&mut batch)?;
        if batch.is_empty() {
            return Ok(n);
        }
        n += batch.len() as u64;
    }
}

/// The distinct ranks `round(1.1^k)` up to `n`, in increasing order.
fn sampled_ranks(n: usize) -> impl Iterator<Item = usize> {
    let mut last = 0usize;
    std::iter::successors(Some(1.0f64), |x| Some(x * 1.1))
        .map(|x| x.round() as usize)
        .take_while(move |&rank| rank <= n)
        .filter(move |&rank| std::mem::replace(&mut last, rank) != rank)
}

/// Least-squares slope of log(frequency) on log(rank), negated, over ranks `round(1.1^k)`.
/// `counts` is sorted by decreasing frequency.
fn fit_zipf(counts: &[u64]) -> Option<f64> {
    let points: Vec<(f64, f64)> = sampled_ranks(counts.len())
        .map(|rank| ((rank as f64).ln(), (counts[rank - 1] as f64).ln()))
        .collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    Some(-sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_power_law_fits_its_exponent() {
        let counts: Vec<u64> = (1..=10_000u64).map(|r| (1e9 * (r as f64).powf(-0.8)) as u64).collect();
        let alpha = fit_zipf(&counts).unwrap();
        assert!((alpha - 0.8).abs() < 0.001, "{alpha}");
    }

    #[test]
    fn equal_frequencies_fit_zero_and_one_object_fits_nothing() {
        assert!(fit_zipf(&[5; 100]).unwrap().abs() < 1e-12);
        assert_eq!(fit_zipf(&[7]), None);
    }
}
