//! The Zipf generator behind the libCacheSim reference traces (`gen_zipf.py` in
//! `/work/shared/reference/`), ported bit for bit so tests and `trace gen` can regenerate those
//! traces instead of shipping them: SplitMix64 uniforms, a float64 CDF summed in increasing
//! rank order with `pow`, and inverse-CDF sampling by `bisect_right`.

use crate::model::hash::{SplitMix64, mix64};

/// Object ids 1..=n drawn with P(k) proportional to k^-alpha (id 1 most popular), an infinite
/// iterator identical to `gen_zipf.py`'s `obj_id` column for the same `n`, `alpha` and seed.
#[derive(Debug, Clone)]
pub struct ReferenceZipf {
    cdf: Vec<f64>,
    rng: SplitMix64,
}

impl ReferenceZipf {
    /// A generator over `n_obj` (at least 1) objects with exponent `alpha`, seeded with `seed`.
    pub fn new(n_obj: u64, alpha: f64, seed: u64) -> Self {
        let mut acc = 0.0f64;
        let cdf = (1..=n_obj.max(1))
            .map(|k| {
                acc += (k as f64).powf(-alpha);
                acc
            })
            .collect();
        ReferenceZipf { cdf, rng: SplitMix64::new(seed) }
    }
}

impl Iterator for ReferenceZipf {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        let total = *self.cdf.last().expect("at least one object");
        let x = self.rng.next_f64() * total;
        let k = self.cdf.partition_point(|&c| c <= x).min(self.cdf.len() - 1);
        Some(k as u64 + 1)
    }
}

/// `gen_zipf.py --sized`: the size of object `id`, in [100, 10000] bytes.
pub fn reference_size_of(id: u64) -> u32 {
    (100 + mix64(id) % 9901) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_gen_zipf_py() {
        // Values printed by gen_zipf.py's functions (n_obj 1000, alpha 1.2, seed 7).
        let ids: Vec<u64> = ReferenceZipf::new(1000, 1.2, 7).take(10).collect();
        assert_eq!(ids, vec![3, 1, 229, 12, 5, 2, 5, 2, 1, 4]);
        let sizes: Vec<u32> = [1, 2, 3, 100_000].into_iter().map(reference_size_of).collect();
        assert_eq!(sizes, vec![9609, 6482, 1094, 4809]);
    }
}
