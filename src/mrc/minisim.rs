//! Miniature simulations (Waldspurger, Saemundsson, Ahmad, Park, "Cache Modeling and
//! Optimization using Miniature Simulations", USENIX ATC 2017): any policy, at any size, is
//! simulated over the spatially sampled keys only ([`super::sample`]) with its capacity
//! scaled by the sampling rate. A sample of 1% of the keys gives caches a hundred times
//! smaller fed a hundred times fewer requests, and every (policy, size) cell is fed from the
//! one pass of the reader.
//!
//! Miss ratios are the sampled misses over the expected number of sampled requests
//! (`requests · rate`), the correction SHARDS-adj makes for LRU ([`super::shards`]): the
//! sample holds more or fewer requests than expected mostly because it caught more or fewer
//! very popular keys, whose requests are hits.

use rayon::prelude::*;

use super::sample::{kept, key_hash, threshold};
use crate::model::Capacity;
use crate::policy::{Access, Policy, PolicyKind, PolicyParams, build_policy};
use crate::workload::trace::TraceRecord;

/// Smallest scaled capacity a miniature cache gets (objects), so that the policies' own
/// segments (S3-FIFO's 10% queue, W-TinyLFU's 1% window) are not empty.
pub const MIN_OBJECTS: u64 = 1;

/// One miniature cache: a policy at a full-size capacity, simulated at the scaled one.
struct Cell {
    policy: Box<dyn Policy>,
    misses: u64,
}

/// Every miniature cache of a curve set, fed together.
pub struct MiniSim {
    threshold: u64,
    rate: f64,
    cells: Vec<Cell>,
    /// `(policy, full-size capacity)` of each cell, in order.
    labels: Vec<(PolicyKind, Capacity)>,
    sampled: Vec<Access>,
    requests: u64,
    sampled_requests: u64,
}

impl std::fmt::Debug for MiniSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniSim").field("rate", &self.rate).field("cells", &self.labels).finish()
    }
}

impl MiniSim {
    /// Miniature caches of each `(policy, full-size capacity)` cell, over a share `rate` of
    /// the keys.
    pub fn new(cells: &[(PolicyKind, Capacity)], rate: f64) -> Self {
        let labels = cells.to_vec();
        let cells = cells
            .iter()
            .map(|&(kind, full)| Cell {
                policy: build_policy(kind, &PolicyParams::default(), scale(full, rate)),
                misses: 0,
            })
            .collect();
        MiniSim {
            threshold: threshold(rate),
            rate,
            cells,
            labels,
            sampled: Vec::new(),
            requests: 0,
            sampled_requests: 0,
        }
    }

    /// Feeds one chunk of the trace whose first record has index `first` (logical time).
    pub fn feed(&mut self, chunk: &[TraceRecord], first: u64) {
        self.requests += chunk.len() as u64;
        self.sampled.clear();
        for (tick, r) in (first..).zip(chunk) {
            if kept(key_hash(r.key), self.threshold) {
                self.sampled.push(Access { key: r.key, size: r.size, tick, next_access: r.next_access });
            }
        }
        self.sampled_requests += self.sampled.len() as u64;
        let sampled = &self.sampled;
        self.cells.par_iter_mut().for_each(|cell| {
            let mut evicted = Vec::new();
            for a in sampled {
                if !cell.policy.access(a, &mut evicted) {
                    cell.misses += 1;
                }
                evicted.clear();
            }
        });
    }

    /// The sampling rate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Requests fed, and those in the sample.
    pub fn requests(&self) -> (u64, u64) {
        (self.requests, self.sampled_requests)
    }

    /// `(policy, full-size capacity, estimated miss ratio)` of every cell.
    pub fn miss_ratios(&self) -> Vec<(PolicyKind, Capacity, f64)> {
        let expected = self.requests as f64 * self.rate;
        self.labels
            .iter()
            .zip(&self.cells)
            .map(|(&(kind, cap), cell)| {
                let ratio = if expected > 0.0 { (cell.misses as f64 / expected).min(1.0) } else { 0.0 };
                (kind, cap, ratio)
            })
            .collect()
    }
}

/// A full-size capacity scaled by the sampling rate (at least [`MIN_OBJECTS`] objects, or
/// one byte).
pub fn scale(full: Capacity, rate: f64) -> Capacity {
    let scaled = (full.value as f64 * rate).round() as u64;
    Capacity { value: scaled.max(MIN_OBJECTS), ..full }
}
