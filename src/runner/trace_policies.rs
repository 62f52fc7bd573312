//! The fast simulation path behind `cachelab simulate`: drives eviction policies directly
//! (no async, no values) over a trace streamed in batches. Every (policy, size) job opens its
//! own reader, so memory is one batch buffer plus the policy's state per job, whatever the
//! trace's length; jobs run in parallel on rayon's pool.

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::Capacity;
use crate::model::error::InputError;
use crate::policy::{Access, AdmissionSpec, Policy, PolicyKind, PolicyParams, build_policy, with_admission};
use crate::workload::trace::{BATCH, TraceReader, TraceSource, with_next_access};

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
    /// The admission filter in front of it, if any.
    pub admission: Option<AdmissionSpec>,
}

/// The outcome of one job: exactly the fields `cachelab simulate --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Policy name, followed by `+` and the admission filter's name when there is one
    /// (`lru+bloom`).
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
    let all = || {
        jobs.par_iter()
            .map(|job| {
                let policy = build_policy(job.policy, &job.params, job.capacity);
                let mut policy = with_admission(policy, job.admission.as_ref());
                let tally = replay(policy.as_mut(), &mut source.open()?)?;
                Ok(row(job, &tally))
            })
            .collect::<Result<Vec<Row>, InputError>>()
    };
    let rows = match threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start the thread pool")?
            .install(all)?,
        None => all()?,
    };
    Ok(rows)
}

/// Replays every record of `reader` through `policy` (logical time = record index).
pub fn replay(policy: &mut dyn Policy, reader: &mut TraceReader) -> Result<Tally, InputError> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut evicted = Vec::new();
    let mut t = Tally::default();
    loop {
        reader.read_batch(&mut batch)?;
        if batch.is_empty() {
            return Ok(t);
        }
        for r in &batch {
            let access = Access { key: r.key, size: r.size, tick: t.requests, next_access: r.next_access };
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
}

fn row(job: &Job, t: &Tally) -> Row {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let misses = t.requests - t.hits;
    let policy = match &job.admission {
        Some(filter) => format!("{}+{}", job.policy.name(), filter.name()),
        None => job.policy.name().to_string(),
    };
    Row {
        policy,
        cache_size: job.capacity.value,
        requests: t.requests,
        hits: t.hits,
        misses,
        miss_ratio: ratio(misses, t.requests),
        byte_miss_ratio: ratio(t.bytes_missed, t.bytes_requested),
    }
}

/// [`MRC_POINTS`] cache sizes spread geometrically from 0.1% of `footprint` to all of it
/// (a miss-ratio curve is read on a log axis). Duplicates are dropped, so a footprint under
/// 1000 units gives fewer sizes.
pub fn mrc_sizes(footprint: u64) -> Vec<u64> {
    let top = footprint.max(1) as f64;
    let bottom = (top / 1000.0).max(1.0);
    let mut sizes: Vec<u64> = (0..MRC_POINTS)
        .map(|i| {
            let f = i as f64 / (MRC_POINTS - 1) as f64;
            (bottom * (top / bottom).powf(f)).round().max(1.0) as u64
        })
        .collect();
    sizes.dedup();
    sizes
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
