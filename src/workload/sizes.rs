//! Per-key value sizes: a key always has the same size, derived by hashing it with the seed,
//! so no table is stored and every run and strategy sees the same bytes.

use serde::{Deserialize, Serialize};

use crate::model::Invalid;
use crate::model::hash::unit_open;
use crate::model::units::ByteSize;

/// How value sizes are distributed over keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueSize {
    /// Every value has `size` bytes.
    Fixed {
        /// Size of every value.
        size: ByteSize,
    },
    /// Uniform in `[min, max]` bytes.
    Uniform {
        /// Smallest value.
        min: ByteSize,
        /// Largest value.
        max: ByteSize,
    },
    /// Lognormal with the given median and shape `sigma` (default 1.0), clamped to `[1, max]`.
    Lognormal {
        /// Median value size.
        median: ByteSize,
        /// Standard deviation of the underlying normal (default 1.0).
        #[serde(default = "default_sigma")]
        sigma: f64,
        /// Largest value (default 1 MiB).
        #[serde(default = "default_max")]
        max: ByteSize,
    },
}

fn default_sigma() -> f64 {
    1.0
}

fn default_max() -> ByteSize {
    ByteSize(1 << 20)
}

impl Default for ValueSize {
    fn default() -> Self {
        ValueSize::Fixed { size: ByteSize(1024) }
    }
}

const SIZE_SALT: u64 = 0x5153_495a_4553;

/// The largest value a generated workload may have: bodies are materialised when a run
/// stores them (moka, files, Redis, and every cache under load), one per request in flight.
pub const MAX_VALUE_SIZE: u64 = 1 << 30;

impl ValueSize {
    /// Checks the parameters; the error names the offending field.
    pub fn validate(&self) -> Result<(), Invalid> {
        let cap = MAX_VALUE_SIZE;
        match *self {
            ValueSize::Fixed { size } if size.0 == 0 || size.0 > cap => {
                Err(Invalid::new("size", format!("must be between 1 byte and 1GiB, got {}", size.0)))
            }
            ValueSize::Uniform { min, max } if min.0 == 0 || min.0 > max.0 || max.0 > cap => {
                Err(Invalid::new(
                    if min.0 == 0 || min.0 > max.0 { "min" } else { "max" },
                    format!("needs 1 <= min <= max <= 1GiB, got min {} and max {}", min.0, max.0),
                ))
            }
            ValueSize::Lognormal { median, sigma, max } => {
                if median.0 == 0 || max.0 < median.0 || max.0 > cap {
                    Err(Invalid::new(
                        if median.0 == 0 { "median" } else { "max" },
                        format!("needs 1 <= median <= max <= 1GiB, got median {} max {}", median.0, max.0),
                    ))
                } else if !(sigma.is_finite() && sigma >= 0.0) {
                    Err(Invalid::new("sigma", format!("must be a finite number >= 0, got {sigma}")))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// The largest size any key can have: `size` when fixed, `max` when uniform or lognormal
    /// (validation keeps it within [`MAX_VALUE_SIZE`]). The caching server
    /// bounds what a client may ask for (`?size=`) and send (`PUT`) by it.
    pub fn max_size(&self) -> u32 {
        let max = match *self {
            ValueSize::Fixed { size } => size,
            ValueSize::Uniform { max, .. } | ValueSize::Lognormal { max, .. } => max,
        };
        u32::try_from(max.0).unwrap_or(u32::MAX)
    }

    /// The size of `key`'s value under `seed`: the same on every call and every machine.
    pub fn size_of(&self, seed: u64, key: u64) -> u32 {
        match *self {
            ValueSize::Fixed { size } => size.0 as u32,
            ValueSize::Uniform { min, max } => {
                let span = (max.0 - min.0 + 1) as f64;
                (min.0 + (unit_open(seed, key, SIZE_SALT) * span) as u64).min(max.0) as u32
            }
            ValueSize::Lognormal { median, sigma, max } => {
                // Box-Muller from two per-key uniforms gives a standard normal z.
                let u1 = unit_open(seed, key, SIZE_SALT);
                let u2 = unit_open(seed, key, SIZE_SALT + 1);
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                let v = median.0 as f64 * (sigma * z).exp();
                v.round().clamp(1.0, max.0 as f64) as u32
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_stable_per_key_and_within_bounds() {
        let dists = [
            ValueSize::Fixed { size: ByteSize(100) },
            ValueSize::Uniform { min: ByteSize(10), max: ByteSize(20) },
            ValueSize::Lognormal { median: ByteSize(4096), sigma: 1.0, max: ByteSize(65536) },
        ];
        for d in &dists {
            for key in 0..1000 {
                let s = d.size_of(7, key);
                assert_eq!(s, d.size_of(7, key), "{d:?} key {key}");
                assert!(s <= d.max_size(), "{d:?} key {key}: {s} over the largest size");
                match *d {
                    ValueSize::Fixed { size } => assert_eq!(u64::from(s), size.0),
                    ValueSize::Uniform { min, max } => {
                        assert!((min.0..=max.0).contains(&u64::from(s)))
                    }
                    ValueSize::Lognormal { max, .. } => {
                        assert!((1..=max.0).contains(&u64::from(s)))
                    }
                }
            }
        }
    }

    #[test]
    fn max_size_is_the_distributions_upper_limit() {
        assert_eq!(ValueSize::Fixed { size: ByteSize(100) }.max_size(), 100);
        assert_eq!(ValueSize::Uniform { min: ByteSize(10), max: ByteSize(20) }.max_size(), 20);
        let lognormal = ValueSize::Lognormal { median: ByteSize(4096), sigma: 9.0, max: ByteSize(65536) };
        assert_eq!(lognormal.max_size(), 65536);
        assert!((0..10_000).any(|k| lognormal.size_of(1, k) == 65536), "a wide lognormal reaches it");
        assert_eq!(ValueSize::default().max_size(), 1024);
        assert_eq!(ValueSize::Fixed { size: ByteSize(1 << 40) }.max_size(), u32::MAX, "saturates");
    }

    #[test]
    fn lognormal_median_is_near_the_configured_median() {
        let d = ValueSize::Lognormal { median: ByteSize(4096), sigma: 1.0, max: ByteSize(1 << 30) };
        let mut v: Vec<u32> = (0..20_001).map(|k| d.size_of(3, k)).collect();
        v.sort_unstable();
        let median = f64::from(v[10_000]);
        assert!((median / 4096.0 - 1.0).abs() < 0.05, "median {median}");
    }

    #[test]
    fn uniform_covers_both_ends() {
        let d = ValueSize::Uniform { min: ByteSize(1), max: ByteSize(4) };
        let seen: std::collections::BTreeSet<u32> = (0..1000).map(|k| d.size_of(1, k)).collect();
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    }
}
