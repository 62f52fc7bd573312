//! SHARDS LRU curves (Waldspurger, Park, Garthwaite, Ahmad, "Efficient MRC Construction with
//! SHARDS", FAST 2015): reuse distances over the spatially sampled keys only, each scaled up
//! by the sampling rate.
//!
//! - Fixed rate: keys whose hash is under `rate`·2⁶⁴ are kept.
//! - Fixed size: at most `samples` keys are kept; when one more would exceed it, the
//!   threshold drops to the largest hash in the sample and the keys at or above it leave
//!   (a max-heap of the sampled hashes), so the rate falls as the trace reveals more keys.
//!
//! Every sampled request weighs `1/rate` (its rate when it was seen), and the misses at a size
//! are the weighted sampled misses over the trace's requests: this is SHARDS-adj (the paper's
//! §5.2), which credits the difference between the expected (`requests · rate`) and the
//! actual number of sampled requests to the smallest distance, i.e. to hits at every size,
//! generalised to a rate that changes.
//!
//! A sampled distance `d` of the `k` distinct sampled keys since the key's previous request
//! stands for about `k / rate` objects; the object's own size (1, or its bytes) is added
//! unscaled, so the estimated distance is the smallest cache that holds it.

use std::collections::BinaryHeap;

use super::hist::LogHistogram;
use super::sample::{kept, key_hash, rate_of, threshold};
use super::stack::StackDistance;

/// How many keys SHARDS samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    /// This share of the keys, in (0, 1].
    Rate(f64),
    /// At most this many keys, whatever the trace's footprint.
    Samples(usize),
}

/// A SHARDS profile of a trace, built request by request.
#[derive(Debug)]
pub struct Shards {
    /// Keys are kept when `floor <= hash < threshold` (`floor` is 0 but for the disjoint
    /// sub-samples of [`Shards::spread`]).
    floor: u64,
    threshold: u64,
    /// Fixed size: the most keys kept, and the kept keys by hash (largest on top).
    limit: Option<(usize, BinaryHeap<(u64, u64)>)>,
    bytes: bool,
    stack: StackDistance,
    /// Weighted sampled requests by estimated distance.
    reuses: LogHistogram,
    /// Weighted sampled first requests (misses at every size).
    cold: f64,
    requests: u64,
    sampled: u64,
    above: [u64; 1],
}

impl Shards {
    /// An empty profile; `bytes`: distances in bytes (each object weighs its size).
    pub fn new(sampling: Sampling, bytes: bool) -> Self {
        let (threshold, limit) = match sampling {
            Sampling::Rate(r) => (threshold(r), None),
            Sampling::Samples(n) => (u64::MAX, Some((n.max(1), BinaryHeap::new()))),
        };
        Shards {
            floor: 0,
            threshold,
            limit,
            bytes,
            stack: StackDistance::new(1),
            reuses: LogHistogram::default(),
            cold: 0.0,
            requests: 0,
            sampled: 0,
            above: [0],
        }
    }

    /// One request for `key` of `size` bytes.
    #[inline]
    pub fn record(&mut self, key: u64, size: u32) {
        self.requests += 1;
        self.observe(key, key_hash(key), size);
    }

    /// Counts `n` more requests that [`Self::observe`] is not shown (keys outside any sample
    /// this profile could have).
    pub fn count(&mut self, n: u64) {
        self.requests += n;
    }

    /// A request for `key` (of sampling hash `hash`, see [`key_hash`]) of `size` bytes, not
    /// counted in the requests (see [`Self::count`]); returns whether it was sampled.
    #[inline]
    pub fn observe(&mut self, key: u64, hash: u64, size: u32) -> bool {
        if !kept(hash, self.threshold) || hash < self.floor {
            return false;
        }
        self.sampled += 1;
        let rate = self.rate();
        let own = if self.bytes { u64::from(size) } else { 1 };
        if self.stack.access(key, own, 0, &mut self.above).is_some() {
            let distance = (self.above[0] as f64 / rate) as u64 + own;
            self.reuses.add(distance, 1.0 / rate);
        } else {
            self.cold += 1.0 / rate;
            if let Some((most, heap)) = &mut self.limit {
                heap.push((hash, key));
                if heap.len() > *most {
                    self.threshold = heap.peek().map_or(self.threshold, |&(h, _)| h);
                    while let Some(&(h, k)) = heap.peek() {
                        if h < self.threshold {
                            break;
                        }
                        heap.pop();
                        self.stack.remove(k);
                    }
                }
            }
        }
        true
    }

    /// Requests recorded.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Requests that were in the sample.
    pub fn sampled(&self) -> u64 {
        self.sampled
    }

    /// The sampling rate at the end (the fixed rate, or where a fixed size brought it).
    pub fn rate(&self) -> f64 {
        rate_of(self.threshold) - rate_of(self.floor)
    }

    /// `parts` disjoint profiles that split this fixed-rate profile's keys between them by
    /// hash (each at `rate / parts`): how far their curves spread apart tells how far a
    /// sampled curve may be from the exact one ([`expected_error`]).
    pub fn spread(rate: f64, parts: u64, bytes: bool) -> Vec<Shards> {
        let top = threshold(rate);
        let step = top / parts;
        (0..parts)
            .map(|i| {
                let mut s = Shards::new(Sampling::Rate(rate), bytes);
                s.floor = step * i;
                s.threshold = if i + 1 == parts { top } else { step * (i + 1) };
                s
            })
            .collect()
    }

    /// Keys in the sample now.
    pub fn sampled_keys(&self) -> usize {
        self.stack.len()
    }

    /// Estimated footprint (distinct objects, or their bytes): the sampled keys' weight over
    /// the rate.
    pub fn footprint(&self) -> u64 {
        (self.stack.total_weight() as f64 / self.rate()).round() as u64
    }

    /// Estimated miss ratio of an LRU cache of `size` (objects, or bytes).
    pub fn miss_ratio(&self, size: u64) -> f64 {
        if self.requests == 0 {
            return 0.0;
        }
        ((self.cold + self.reuses.above(size)) / self.requests as f64).clamp(0.0, 1.0)
    }
}

/// The expected absolute error of a sampled curve at `rate`, from `parts` disjoint
/// sub-samples at `rate / parts` ([`Shards::spread`]): the mean over `sizes` of their
/// standard deviation, divided by `sqrt(parts)` because the whole sample holds `parts` times
/// more keys (sampling error falls as the square root of the sample).
pub fn expected_error(parts: &[Shards], sizes: &[u64]) -> f64 {
    if parts.len() < 2 || sizes.is_empty() {
        return 0.0;
    }
    let n = parts.len() as f64;
    let sd = |size: u64| {
        let ratios: Vec<f64> = parts.iter().map(|p| p.miss_ratio(size)).collect();
        let mean = ratios.iter().sum::<f64>() / n;
        (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    };
    sizes.iter().map(|&s| sd(s)).sum::<f64>() / sizes.len() as f64 / n.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrc::exact::ObjectDistances;

    fn zipf_like(n: usize, keys: u64, seed: u64) -> Vec<u64> {
        // A skewed stream: key = floor(keys^u) for uniform u, heavy at small keys.
        let mut rng = crate::model::hash::SplitMix64::new(seed);
        (0..n).map(|_| (keys as f64).powf(rng.next_f64()) as u64).collect()
    }

    #[test]
    fn rate_one_is_exact() {
        let t = zipf_like(50_000, 5_000, 1);
        let mut s = Shards::new(Sampling::Rate(1.0), false);
        let mut e = ObjectDistances::default();
        for &k in &t {
            s.record(k, 1);
            e.record(k);
        }
        for c in [1, 10, 100, 1000, 4000] {
            let exact = e.misses(&[c])[0] as f64 / t.len() as f64;
            assert!((s.miss_ratio(c) - exact).abs() < 1e-9, "size {c}");
        }
    }

    #[test]
    fn fixed_size_keeps_the_sample_bounded_and_close() {
        let t = zipf_like(400_000, 50_000, 2);
        let mut s = Shards::new(Sampling::Samples(2_000), false);
        let mut e = ObjectDistances::default();
        for &k in &t {
            s.record(k, 1);
            e.record(k);
        }
        assert!(s.sampled_keys() <= 2_000);
        assert!(s.rate() < 0.2, "{}", s.rate());
        for c in [500, 2_000, 10_000] {
            let exact = e.misses(&[c])[0] as f64 / t.len() as f64;
            assert!((s.miss_ratio(c) - exact).abs() < 0.03, "size {c}: {} vs {exact}", s.miss_ratio(c));
        }
    }
}
