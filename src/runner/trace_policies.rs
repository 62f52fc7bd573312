//! The fast simulation path behind `cachelab simulate`: drives eviction policies directly
//! (no async, no values) over a trace read once: one reader (one zstd decoder) hands chunks
//! of records to every (policy, size) job ([`read_once`]), and the jobs replay each chunk in
//! parallel on rayon's pool. Memory is a few chunk buffers plus every job's policy state,
//! whatever the trace's length.

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::Capacity;
use crate::model::error::InputError;
use crate::policy::{Access, Policy, PolicyKind, PolicyParams, build_policy};
use crate::workload::chunks::read_once;
use crate::workload::trace::{BATCH, TraceReader, TraceRecord, TraceSource, with_next_access};

/// Number of cache sizes in a miss-ratio curve (`--mrc`).
pub const MRC_POINTS: usize = 20;

/// One simulation: a policy at a capacity.
#[derive(Debug, Clone)]
pub struct Job {
    /// Which policy.
    pub policy: PolicyKind,
    /// Its parameters.
    pub params: PolicyParams,
    /// Its capacity (objects, or bytes).
    pub capacity: Capacity,
}

/// The outcome of one job: exactly the fields `cachelab simulate --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Policy name.
    pub policy: String,
    /// Capacity, in objects or bytes (as simulated).
    pub cache_size: u64,
    /// Requests replayed (every request counts; no warm-up).
    pub requests: u64,
    /// Requests served from the cache.
    pub hits: u64,
    /// Requests that missed, cold misses included.
    pub misses: u64,
    /// `misses / requests` (0 for an empty trace).
    pub miss_ratio: f64,
    /// Bytes missed over bytes requested (0 when nothing was requested).
    pub byte_miss_ratio: f64,
}

/// Counters of one replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Requests replayed.
    pub requests: u64,
    /// Hits.
    pub hits: u64,
    /// Bytes requested.
    pub bytes_requested: u64,
    /// Bytes of the requests that missed.
    pub bytes_missed: u64,
}

/// Runs every job over `source`, in parallel on `threads` threads (default: all cores), and
/// returns one row per job in job order. A trace without next-access times is first converted
/// (once) when a job's policy needs them.
pub fn run(source: &TraceSource, jobs: &[Job], threads: Option<usize>) -> anyhow::Result<Vec<Row>> {
    let future = if jobs.iter().any(|j| j.policy.needs_future()) {
        Some(with_next_access(source).context("computing next-access times for the trace")?)
    } else {
        None
    };
    let source = future.as_ref().map_or(source, |f| &f.source);
    let mut cells: Vec<(Box<dyn Policy>, Tally)> = jobs
        .iter()
        .map(|job| (build_policy(job.policy, &job.params, job.capacity), Tally::default()))
        .collect();
    let mut pass = || {
        read_once(source, |chunk, first| {
            cells
                .par_iter_mut()
                .for_each(|(policy, tally)| replay_chunk(policy.as_mut(), chunk, first, tally));
            Ok::<_, InputError>(())
        })
    };
    match threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the thread pool")?
            .install(pass)?,
        None => pass()?,
    };
    Ok(jobs.iter().zip(&cells).map(|(job, (_, tally))| row(job, tally)).collect())
}

/// Replays every record of `reader` through `policy` (logical time = record index).
pub fn replay(policy: &mut dyn Policy, reader: &mut TraceReader) -> Result<Tally, InputError> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut t = Tally::default();
    loop {
        reader.read_batch(&mut batch)?;
        if batch.is_empty() {
            return Ok(t);
        }
        replay_chunk(policy, &batch, t.requests, &mut t);
    }
}

/// Replays `chunk`, whose first record has index `first` (logical time), through `policy`,
/// counting into `t`.
#[inline]
pub fn replay_chunk(policy: &mut dyn Policy, chunk: &[TraceRecord], first: u64, t: &mut Tally) {
    let mut evicted = Vec::new();
    for (tick, r) in (first..).zip(chunk) {
        let access = Access { key: r.key, size: r.size, tick, next_access: r.next_access };
        let hit = policy.access(&access, &mut evicted);
        evicted.clear();
        t.requests += 1;
        t.hits += u64::from(hit);
        t.bytes_requested += u64::from(r.size);
        if !hit {
            t.bytes_missed += u64::from(r.size);
        }
    }
}

fn row(job: &Job, t: &Tally) -> Row {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let misses = t.requests - t.hits;
    Row {
        policy: job.policy.name().to_string(),
        cache_size: job.capacity.value,
        requests: t.requests,
        hits: t.hits,
        misses,
        miss_ratio: ratio(misses, t.requests),
        byte_miss_ratio: ratio(t.bytes_missed, t.bytes_requested),
    }
}

/// [`MRC_POINTS`] cache sizes spread geometrically from 0.1% of `footprint` to all of it
/// ([`crate::mrc::log_sizes`]).
pub fn mrc_sizes(footprint: u64) -> Vec<u64> {
    crate::mrc::log_sizes(footprint, MRC_POINTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrc_sizes_span_the_footprint() {
        let s = mrc_sizes(48_974);
        assert_eq!(s.len(), MRC_POINTS);
        assert_eq!((s[0], s[MRC_POINTS - 1]), (49, 48_974));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(mrc_sizes(1), vec![1]);
    }
}
