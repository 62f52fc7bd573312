//! `adaptsize`: AdaptSize's size-aware admission (Berger, Sitaraman & Harchol-Balter,
//! "AdaptSize: Orchestrating the Hot Object Memory Cache in a Content Delivery Network",
//! NSDI 2017). A missed object of size s is admitted with probability e^(-s/c); every
//! `reconf_interval` requests the parameter c is retuned to the value a Markov model of the
//! cache predicts gives the highest object hit ratio.
//!
//! The rules are those of libCacheSim's `AdaptSizeAdmissioner` (`cache/admission/adaptsize/`,
//! which follows the paper's published code), step by step:
//! - every request (hit or miss) is counted first: an object's count in the current interval
//!   goes up by one and its size is recorded; the statistics' total size grows by the sizes of
//!   objects not yet known;
//! - before that count, every `reconf_interval` requests, c is retuned, unless the objects
//!   known total no more than three times the capacity (then the next attempt is 1,000
//!   requests later). Retuning folds the interval's counts into long-term counts as an
//!   exponentially weighted average (old counts × 0.3, plus the interval's × 0.7; an object
//!   new to the long term keeps its interval count) and forgets objects whose long-term count
//!   falls under 0.1;
//! - the model: for admission parameter c, object i with rate λᵢ and size sᵢ is admitted with
//!   probability pᵢ = e^(-sᵢ/c); the characteristic time T solves Σ sᵢ·pᵢ(e^(λᵢT)−1) /
//!   (1 + pᵢ(e^(λᵢT)−1)) = capacity (20 fixed-point steps from T = capacity / Σ λᵢpᵢsᵢ), and the
//!   predicted hit ratio is Σ λᵢ·h(T, λᵢ, pᵢ) with the paper's rational approximation h;
//! - the search: log2 c over 2, 6, 10, … below log2(capacity), the best kept, then a
//!   golden-section search (at most `max_iteration` steps, tolerance 3·10⁻⁸) between it and
//!   its neighbouring bounds;
//! - c starts at 2^15; each admission rolls as libCacheSim does ([`super::draw`]).
//!
//! Sizes are in the capacity's unit: in object mode every object counts 1, as libCacheSim's
//! `ignore_obj_size`. libCacheSim sums the model over a hash map in its own order; floating
//! point rounding therefore differs in the last bits, which can move c slightly, so the
//! differential test allows a tolerance (tests/it/oracle_admission.rs).

use rustc_hash::FxHashMap;

use super::draw::Lehmer64;
use super::{Access, Admission};
use crate::model::Capacity;

/// libCacheSim's default bound on golden-section steps per retuning.
pub const DEFAULT_MAX_ITERATION: u32 = 15;
/// libCacheSim's default number of requests between retunings.
pub const DEFAULT_RECONF_INTERVAL: u64 = 30_000;

/// Weight of the old long-term count when an interval is folded in.
const EWMA_DECAY: f64 = 0.3;
/// The golden ratio's conjugate, the golden-section step.
const GOLDEN: f64 = 0.618_033_99;
/// Relative tolerance of the golden-section search.
const TOLERANCE: f64 = 3.0e-8;

/// What is known of one object: how often it was requested and its last size.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    times: f64,
    size: i64,
}

/// AdaptSize's admission filter.
#[derive(Debug, Clone)]
pub struct AdaptSize {
    capacity: Capacity,
    max_iteration: u32,
    reconf_interval: u64,
    next_reconf: u64,
    /// Total size of the objects in the statistics (as libCacheSim keeps it).
    stat_size: u64,
    /// The admission parameter c.
    c: f64,
    interval: FxHashMap<u64, Seen>,
    longterm: FxHashMap<u64, Seen>,
    rng: Lehmer64,
}

/// The model's inputs for one retuning: per object its long-term rate and size.
struct Model<'a> {
    capacity: f64,
    times: &'a [f64],
    sizes: &'a [f64],
}

impl AdaptSize {
    /// AdaptSize for a cache of `capacity`, retuning every `reconf_interval` requests with at
    /// most `max_iteration` golden-section steps, rolling from a generator seeded with `seed`.
    pub fn new(capacity: Capacity, max_iteration: u32, reconf_interval: u64, seed: u64) -> Self {
        AdaptSize {
            capacity,
            max_iteration,
            reconf_interval,
            next_reconf: reconf_interval,
            stat_size: 0,
            c: f64::from(1u32 << 15),
            interval: FxHashMap::default(),
            longterm: FxHashMap::default(),
            rng: Lehmer64::new(seed),
        }
    }

    /// The admission parameter c now.
    #[cfg(test)]
    fn c(&self) -> f64 {
        self.c
    }

    /// Retunes c when its time has come (see the module doc).
    fn reconfigure(&mut self) {
        self.next_reconf = self.next_reconf.wrapping_sub(1);
        if self.next_reconf > 0 {
            return;
        }
        if self.stat_size <= self.capacity.value.wrapping_mul(3) {
            self.next_reconf += 1000;
            return;
        }
        self.next_reconf = self.reconf_interval;
        for seen in self.longterm.values_mut() {
            seen.times *= EWMA_DECAY;
        }
        for (key, now) in self.interval.drain() {
            self.longterm
                .entry(key)
                .and_modify(|old| {
                    old.times += (1.0 - EWMA_DECAY) * now.times;
                    old.size = now.size;
                })
                .or_insert(now);
        }
        let stat_size = &mut self.stat_size;
        self.longterm.retain(|_, seen| {
            let keep = seen.times >= 0.1;
            if !keep {
                *stat_size = stat_size.wrapping_sub(seen.size as u64);
            }
            keep
        });
        let times: Vec<f64> = self.longterm.values().map(|s| s.times).collect();
        let sizes: Vec<f64> = self.longterm.values().map(|s| s.size as f64).collect();
        let model = Model { capacity: self.capacity.value as f64, times: &times, sizes: &sizes };
        if let Some(log2c) = model.best_log2c(self.max_iteration) {
            self.c = log2c.exp2();
        }
    }
}

impl Model<'_> {
    /// The log2 c of the highest predicted hit ratio, or None when the model broke down (NaN).
    fn best_log2c(&self, max_iteration: u32) -> Option<f64> {
        let gss_v = 1.0 - GOLDEN;
        let (mut x0, mut x1) = (0.0, self.capacity.log2());
        let mut x3 = x1;
        let mut best = 0.0;
        let mut i = 2.0;
        while i < x3 {
            let h = self.hit_ratio(i);
            if h > best {
                best = h;
                x1 = i;
            }
            i += 4.0;
        }
        let (mut x2, mut h1, mut h2);
        h1 = best;
        if x3 - x1 > x1 - x0 {
            x2 = x1 + gss_v * (x3 - x1);
            h2 = self.hit_ratio(x2);
        } else {
            x2 = x1;
            h2 = h1;
            x1 = x0 + gss_v * (x1 - x0);
            h1 = self.hit_ratio(x1);
        }
        let mut iteration = 0;
        while iteration < max_iteration && (x3 - x0).abs() > TOLERANCE * (x1.abs() + x2.abs()) {
            iteration += 1;
            if h1.is_nan() || h2.is_nan() {
                break;
            }
            if h2 > h1 {
                x0 = x1;
                x1 = x2;
                x2 = GOLDEN * x1 + gss_v * x3;
                h1 = h2;
                h2 = self.hit_ratio(x2);
            } else {
                x3 = x2;
                x2 = x1;
                x1 = GOLDEN * x2 + gss_v * x0;
                h2 = h1;
                h1 = self.hit_ratio(x1);
            }
        }
        if h1.is_nan() || h2.is_nan() {
            None
        } else if h1 > h2 {
            Some(x1)
        } else {
            Some(x2)
        }
    }

    /// The hit ratio (weighted by rate) the model predicts for admission parameter 2^log2c.
    fn hit_ratio(&self, log2c: f64) -> f64 {
        let c = log2c.exp2();
        let probs: Vec<f64> = self.sizes.iter().map(|s| (-s / c).exp()).collect();
        let weighted: f64 =
            self.times.iter().zip(self.sizes).zip(&probs).map(|((&l, &s), &p)| l * p * s).sum();
        if weighted <= 0.0 {
            return 0.0;
        }
        let mut t = self.capacity / weighted;
        for _ in 0..20 {
            if t > 1e70 {
                break;
            }
            let mut filled = 0.0;
            for ((&l, &s), &p) in self.times.iter().zip(self.sizes).zip(&probs) {
                let lt = l * t;
                if lt > 150.0 {
                    filled += s;
                } else {
                    let admitted = p * (lt.exp() - 1.0);
                    filled += s * (admitted / (1.0 + admitted));
                }
            }
            t = self.capacity * t / filled;
        }
        self.times
            .iter()
            .zip(&probs)
            .map(|(&l, &p)| {
                let (num, den) = (hit_numerator(t, l, p), hit_denominator(t, l, p));
                let h = if num != 0.0 && den == 0.0 { 0.0 } else { num / den };
                l * h.clamp(0.0, 1.0)
            })
            .sum()
    }
}

/// Numerator of the paper's rational approximation of an object's hit probability.
fn hit_numerator(t: f64, l: f64, p: f64) -> f64 {
    l * p * t * (840.0 + 60.0 * l * t + 20.0 * l * l * t * t + l * l * l * t * t * t)
}

/// Denominator of that approximation.
fn hit_denominator(t: f64, l: f64, p: f64) -> f64 {
    840.0
        + 120.0 * l * (-3.0 + 7.0 * p) * t
        + 60.0 * l * l * (1.0 + p) * t * t
        + 4.0 * l * l * l * (-1.0 + 5.0 * p) * t * t * t
        + l * l * l * l * p * t * t * t * t
}

impl Admission for AdaptSize {
    fn observe(&mut self, access: &Access) {
        self.reconfigure();
        let size = self.capacity.charge(access.size) as i64;
        let in_interval = self.interval.get(&access.key).map(|s| s.size);
        let in_longterm = self.longterm.get(&access.key).map(|s| s.size);
        if in_interval.is_none() && in_longterm.is_none() {
            self.stat_size = self.stat_size.wrapping_add(size as u64);
        }
        for old in [in_interval, in_longterm].into_iter().flatten() {
            if old != size {
                self.stat_size = self.stat_size.wrapping_sub(old as u64).wrapping_add(size as u64);
            }
        }
        let seen = self.interval.entry(access.key).or_default();
        seen.times += 1.0;
        seen.size = size;
    }

    #[inline]
    fn admit(&mut self, access: &Access) -> bool {
        let size = self.capacity.charge(access.size) as f64;
        self.rng.chance((-size / self.c).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::model::hash::SplitMix64;

    #[test]
    fn retuning_favours_small_objects_over_large_ones() {
        // 200 popular small objects (1 KiB) and a stream of large one-off objects (1 MiB) in
        // a 1 MiB cache: the tuned c admits the small ones now and then (they come back) and
        // the large ones never.
        let mut f = AdaptSize::new(Capacity::bytes(1 << 20), 15, 2_000, 0xdead_beef);
        let mut rng = SplitMix64::new(3);
        for tick in 0..20_000u64 {
            let (key, size) = if rng.next_u64().is_multiple_of(4) {
                (1_000_000 + tick, 1 << 20)
            } else {
                (rng.next_u64() % 200, 1024)
            };
            f.observe(&Access { key, size, tick, next_access: NEVER });
        }
        assert!(f.c() < f64::from(1u32 << 15), "retuned down from 2^15: {}", f.c());
        let ask = |f: &mut AdaptSize, size: u32| {
            (0..1000).filter(|&k| f.admit(&Access { key: k, size, tick: 0, next_access: NEVER })).count()
        };
        let (small, large) = (ask(&mut f, 1024), ask(&mut f, 1 << 20));
        assert!(small > 10 && large == 0, "c = {}: {small} small, {large} large admitted", f.c());
    }
}
