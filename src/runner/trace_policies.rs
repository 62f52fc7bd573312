//! The fast simulation path behind `cachelab simulate`: drives eviction policies directly
//! (no async, no values) over a trace read once: one reader (one zstd decoder) hands chunks
//! of records to every (policy, size) job ([`read_once`]), and the jobs replay each chunk in
//! parallel on rayon's pool. Memory is a few chunk buffers plus every job's policy state,
//! whatever the trace's length.
//!
//! Operations and TTLs act as in a look-aside cache (see [`replay`]); libCacheSim's `cachesim`
//! instead replays every request as a read, which `--ignore-ops` reproduces.

use anyhow::Context;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::Capacity;
use crate::model::error::InputError;
use crate::policy::{Access, AdmissionSpec, Policy, PolicyKind, PolicyParams, build_policy, with_admission};
use crate::workload::chunks::read_once;
use crate::workload::trace::{BATCH, TraceOp, TraceReader, TraceRecord, TraceSource, with_next_access};

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
    /// Requests replayed (every request counts, whatever its operation; no warm-up).
    pub requests: u64,
    /// Reads among them: `hits + misses` (every request, for traces without operations).
    pub reads: u64,
    /// Reads served from the cache.
    pub hits: u64,
    /// Reads that missed, cold misses and expired objects included.
    pub misses: u64,
    /// Writes replayed (each stores the object afresh).
    pub writes: u64,
    /// Deletes replayed.
    pub deletes: u64,
    /// Reads that found their object resident but past its TTL (counted in `misses`).
    pub expired: u64,
    /// `misses / reads` (0 for a trace without reads).
    pub miss_ratio: f64,
    /// Bytes missed over bytes requested by reads (0 when nothing was requested).
    pub byte_miss_ratio: f64,
}

/// Counters of one replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Requests replayed (all operations).
    pub requests: u64,
    /// Reads.
    pub reads: u64,
    /// Reads that hit.
    pub hits: u64,
    /// Writes.
    pub writes: u64,
    /// Deletes.
    pub deletes: u64,
    /// Reads that found their object expired.
    pub expired: u64,
    /// Bytes requested by reads.
    pub bytes_requested: u64,
    /// Bytes of the reads that missed.
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
    let mut cells: Vec<Cell> = jobs
        .iter()
        .map(|job| {
            let policy = build_policy(job.policy, &job.params, job.capacity);
            Cell::new(with_admission(policy, job.admission.as_ref()))
        })
        .collect();
    let mut pass = || {
        read_once(source, |chunk, first| {
            cells.par_iter_mut().for_each(|cell| cell.replay_chunk(chunk, first));
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
    Ok(jobs.iter().zip(&cells).map(|(job, cell)| row(job, &cell.counting.tally)).collect())
}

/// Replays every record of `reader` through `policy` (logical time = record index) as a
/// look-aside cache would see it:
///
/// - a read looks the object up (libCacheSim's get: a miss admits it); an object past its TTL
///   is dropped first, so the read misses (and counts as `expired`);
/// - a write stores a fresh copy: any resident entry is dropped and the object admitted as on
///   a miss, with the write's size and TTL (write-allocate, like a memcached `set`);
/// - a delete drops the object if resident.
///
/// A read miss or a write with a TTL gives the object an expiry at `time + ttl` in trace
/// seconds; as in libCacheSim (built with `SUPPORT_TTL`), it expires once the trace's time is
/// past that, and a hit keeps the expiry it had. Expiries are kept for resident objects only.
pub fn replay(policy: &mut dyn Policy, reader: &mut TraceReader) -> Result<Tally, InputError> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut counting = Counting::default();
    loop {
        reader.read_batch(&mut batch)?;
        if batch.is_empty() {
            return Ok(counting.tally);
        }
        counting.replay_chunk(policy, &batch, counting.tally.requests);
    }
}

/// One (policy, size) job of a sweep while it replays: its policy, behind its admission
/// filter, and what it counts.
struct Cell {
    policy: Box<dyn Policy>,
    counting: Counting,
}

impl Cell {
    fn new(policy: Box<dyn Policy>) -> Self {
        Cell { policy, counting: Counting::default() }
    }

    fn replay_chunk(&mut self, chunk: &[TraceRecord], first: u64) {
        self.counting.replay_chunk(self.policy.as_mut(), chunk, first);
    }
}

/// What one policy's replay counts, and the state it needs across chunks: the expiries of its
/// resident objects and a buffer for the keys each access evicts.
#[derive(Default)]
struct Counting {
    tally: Tally,
    expiry: Expiry,
    evicted: Vec<u64>,
}

impl Counting {
    /// Replays `chunk`, whose first record has index `first` (logical time), through `policy`
    /// as [`replay`] describes.
    fn replay_chunk(&mut self, policy: &mut dyn Policy, chunk: &[TraceRecord], first: u64) {
        let Counting { tally: t, expiry, evicted } = self;
        for (tick, r) in (first..).zip(chunk) {
            let access = Access { key: r.key, size: r.size, tick, next_access: r.next_access };
            t.requests += 1;
            match r.op {
                TraceOp::Read => {
                    if expiry.expired(r.key, r.time) {
                        policy.remove(r.key);
                        t.expired += 1;
                    }
                    let hit = policy.access(&access, evicted);
                    t.reads += 1;
                    t.hits += u64::from(hit);
                    t.bytes_requested += u64::from(r.size);
                    if !hit {
                        t.bytes_missed += u64::from(r.size);
                        expiry.stored(policy, r);
                    }
                }
                TraceOp::Write => {
                    t.writes += 1;
                    policy.remove(r.key);
                    policy.access(&access, evicted);
                    expiry.stored(policy, r);
                }
                TraceOp::Delete => {
                    t.deletes += 1;
                    policy.remove(r.key);
                    expiry.forget(r.key);
                }
            }
            expiry.evicted(evicted);
            evicted.clear();
        }
    }
}

/// The expiry time (trace seconds) of every resident object stored with a TTL. Empty, and
/// free to check, while the trace has given no TTL.
#[derive(Debug, Default)]
struct Expiry {
    at: FxHashMap<u64, u64>,
}

impl Expiry {
    /// Whether `key` has an expiry that `now` is past; forgets it if so.
    #[inline]
    fn expired(&mut self, key: u64, now: u64) -> bool {
        if self.at.is_empty() {
            return false;
        }
        match self.at.get(&key) {
            Some(&at) if now > at => {
                self.at.remove(&key);
                true
            }
            _ => false,
        }
    }

    /// Records the expiry of `r`'s object just stored (if it was admitted and has a TTL).
    #[inline]
    fn stored(&mut self, policy: &dyn Policy, r: &TraceRecord) {
        if r.ttl > 0 && policy.contains(r.key) {
            self.at.insert(r.key, r.time + u64::from(r.ttl));
        } else {
            self.forget(r.key);
        }
    }

    /// Drops the expiry of `key`.
    #[inline]
    fn forget(&mut self, key: u64) {
        if !self.at.is_empty() {
            self.at.remove(&key);
        }
    }

    /// Drops the expiries of evicted objects.
    #[inline]
    fn evicted(&mut self, keys: &[u64]) {
        if !self.at.is_empty() {
            for k in keys {
                self.at.remove(k);
            }
        }
    }
}

fn row(job: &Job, t: &Tally) -> Row {
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let misses = t.reads - t.hits;
    let policy = match &job.admission {
        Some(filter) => format!("{}+{}", job.policy.name(), filter.name()),
        None => job.policy.name().to_string(),
    };
    Row {
        policy,
        cache_size: job.capacity.value,
        requests: t.requests,
        reads: t.reads,
        hits: t.hits,
        misses,
        writes: t.writes,
        deletes: t.deletes,
        expired: t.expired,
        miss_ratio: ratio(misses, t.reads),
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
