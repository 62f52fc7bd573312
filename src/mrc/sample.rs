//! Spatially hashed sampling (Waldspurger et al., "Efficient MRC Construction with SHARDS",
//! FAST 2015): a key is in the sample when the hash of the key is below a threshold, so every
//! request of a sampled key is kept and the sample is a smaller trace with the same reuse
//! pattern over a share `rate` of the keys.

use crate::model::hash::mix64;

/// Salt of the sampling hash, so the sample does not line up with other uses of [`mix64`].
const SALT: u64 = 0x5348_4152_4453_0001;

/// The hash a key is sampled by: uniform over `u64`.
#[inline]
pub fn key_hash(key: u64) -> u64 {
    mix64(key ^ SALT)
}

/// The threshold that keeps a share `rate` (in (0, 1]) of the keys.
pub fn threshold(rate: f64) -> u64 {
    if rate >= 1.0 { u64::MAX } else { (rate * 2f64.powi(64)) as u64 }
}

/// The share of the keys a threshold keeps.
pub fn rate_of(threshold: u64) -> f64 {
    if threshold == u64::MAX { 1.0 } else { threshold as f64 / 2f64.powi(64) }
}

/// Whether a key of hash `hash` is kept under `threshold`.
#[inline]
pub fn kept(hash: u64, threshold: u64) -> bool {
    threshold == u64::MAX || hash < threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kept_share_follows_the_rate() {
        let t = threshold(0.01);
        let kept_keys = (0..1_000_000u64).filter(|&k| kept(key_hash(k), t)).count();
        assert!((9_500..10_500).contains(&kept_keys), "{kept_keys}");
        assert!((rate_of(t) - 0.01).abs() < 1e-12);
        assert!(kept(u64::MAX - 1, threshold(1.0)));
    }
}
