//! A histogram of weights over non-negative distances with bounded memory: exact below 1024,
//! then 1024 buckets per power of two (a relative width under 0.1%), so curves of any size
//! are read from it afterwards.

/// Distances below this are their own bucket.
const EXACT: u64 = 1 << 10;
/// log2 of [`EXACT`]: the mantissa bits kept above it.
const BITS: u32 = 10;

/// Weighted counts of distances.
#[derive(Debug, Clone, Default)]
pub struct LogHistogram {
    buckets: Vec<f64>,
}

fn bucket(d: u64) -> usize {
    if d < EXACT {
        return d as usize;
    }
    let octave = 63 - d.leading_zeros(); // >= BITS
    let shift = octave - BITS;
    (EXACT + u64::from(shift) * EXACT + ((d >> shift) & (EXACT - 1))) as usize
}

/// The smallest distance of bucket `b`.
fn lower(b: usize) -> u64 {
    let b = b as u64;
    if b < EXACT {
        return b;
    }
    let shift = (b - EXACT) / EXACT;
    (EXACT | (b % EXACT)) << shift
}

impl LogHistogram {
    /// Adds `weight` at distance `d`.
    #[inline]
    pub fn add(&mut self, d: u64, weight: f64) {
        let b = bucket(d);
        if b >= self.buckets.len() {
            self.buckets.resize(b + 1, 0.0);
        }
        self.buckets[b] += weight;
    }

    /// The weight at distances above `limit` (a bucket straddling `limit` counts by where its
    /// middle lies).
    pub fn above(&self, limit: u64) -> f64 {
        self.buckets
            .iter()
            .enumerate()
            .filter(|&(b, _)| {
                let (lo, hi) = (lower(b), lower(b + 1));
                lo + (hi - lo - 1) / 2 > limit
            })
            .map(|(_, w)| w)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_low_and_narrow_high() {
        for d in [0, 1, 1023, 1024, 1025, 5_000, 1 << 40, u64::MAX / 2] {
            let b = bucket(d);
            assert!(lower(b) <= d && d < lower(b + 1), "{d}");
            assert!((lower(b + 1) - lower(b)) as f64 <= (d as f64 / 1000.0).max(1.0), "{d}");
        }
        let mut h = LogHistogram::default();
        h.add(10, 1.0);
        h.add(100_000, 2.0);
        assert_eq!(h.above(9), 3.0);
        assert_eq!(h.above(10), 2.0);
        assert_eq!(h.above(200_000), 0.0);
    }
}
