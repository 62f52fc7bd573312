//! The reference Zipf generator of libCacheSim cross-checks: a bit-exact port of
//! `gen_zipf.py` (shipped with the reference traces), so that tests regenerate the reference
//! Zipf traces instead of shipping them.
//!
//! Model: ids `1..=n` with P(id = k) proportional to k^-alpha. A request draws
//! `u = (next_u64 >> 11) * 2^-53` from [`SplitMix64`] seeded with the seed, scales it by the
//! last entry of the running f64 sum `cdf[k] = sum_{i<=k} (i+1)^-alpha` (summed in increasing
//! order with `powf`, the C `pow` the Python generator uses) and returns the first index whose
//! cdf is greater (`bisect_right`) plus one.

use super::hash::{SplitMix64, mix64};

/// An endless stream of object ids following the reference Zipf generator.
#[derive(Debug, Clone)]
pub struct ReferenceZipf {
    cdf: Vec<f64>,
    rng: SplitMix64,
}

impl ReferenceZipf {
    /// The generator for `n_obj` objects (at least 1) with exponent `alpha`, seeded with `seed`
    /// (`gen_zipf.py` defaults: 100,000 objects, seed 42).
    pub fn new(alpha: f64, n_obj: u64, seed: u64) -> Self {
        let n_obj = n_obj.max(1);
        let mut acc = 0.0f64;
        let cdf = (1..=n_obj)
            .map(|k| {
                acc += (k as f64).powf(-alpha);
                acc
            })
            .collect();
        ReferenceZipf { cdf, rng: SplitMix64::new(seed) }
    }

    /// The next object id, in `1..=n_obj`.
    pub fn next_id(&mut self) -> u64 {
        let total = self.cdf[self.cdf.len() - 1];
        let x = self.rng.next_f64() * total;
        let k = self.cdf.partition_point(|&c| c <= x).min(self.cdf.len() - 1);
        k as u64 + 1
    }
}

impl Iterator for ReferenceZipf {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        Some(self.next_id())
    }
}

/// The object size of the reference generator's sized traces (`--sized`): a deterministic
/// pseudo-random size in [100, 10000] bytes that depends only on the id.
pub fn reference_size(obj_id: u64) -> u32 {
    100 + (mix64(obj_id) % 9901) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_ids_match_the_reference_trace() {
        // First rows of /work/shared/reference/zipf09.csv.zst (gen_zipf.py 0.9, defaults).
        let ids: Vec<u64> = ReferenceZipf::new(0.9, 100_000, 42).take(11).collect();
        assert_eq!(ids, vec![13517, 14, 86, 210, 1, 37895, 35, 22152, 199, 4432, 28]);
    }

    #[test]
    fn sizes_stay_in_range() {
        assert!((1..10_000).map(reference_size).all(|s| (100..=10_000).contains(&s)));
    }
}
