//! Key popularity models: which key each request asks for. Keys are `1..=keys`.

use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::weighted::WeightedAliasIndex;
use rand_distr::{Distribution, Zipf};

use crate::model::hash::mix64;

/// Key spaces up to this size sample Zipf ranks from an alias table (O(1), about 10 ns);
/// larger ones use `rand_distr::Zipf` (rejection-inversion, about 70 ns, no table).
pub const ALIAS_TABLE_MAX_KEYS: u64 = 1 << 22;

/// Zipf ranks `1..=n` with exponent `alpha`.
#[derive(Debug, Clone)]
pub enum ZipfRanks {
    /// Walker's alias method over the exact probabilities `k^-alpha / H(n, alpha)`.
    Table(WeightedAliasIndex<f64>),
    /// rand_distr's rejection-inversion sampler.
    Rejection(Zipf<f64>),
}

impl ZipfRanks {
    /// A sampler of ranks `1..=n` (table or rejection by [`ALIAS_TABLE_MAX_KEYS`]).
    pub fn new(n: u64, alpha: f64) -> Result<Self, String> {
        if n <= ALIAS_TABLE_MAX_KEYS {
            let weights: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-alpha)).collect();
            WeightedAliasIndex::new(weights).map(ZipfRanks::Table).map_err(|e| format!("workload.alpha: {e}"))
        } else {
            Zipf::new(n as f64, alpha).map(ZipfRanks::Rejection).map_err(|e| format!("workload.alpha: {e}"))
        }
    }

    /// One rank, 1-based (1 is the most popular).
    #[inline]
    pub fn sample(&self, rng: &mut StdRng) -> u64 {
        match self {
            ZipfRanks::Table(t) => t.sample(rng) as u64 + 1,
            ZipfRanks::Rejection(z) => z.sample(rng) as u64,
        }
    }
}

/// A key chooser for one stream; `sample` is called once per request in order.
#[derive(Debug, Clone)]
pub enum KeySampler {
    /// Zipf over ranks `1..=n`; key = rank (key 1 is the most popular).
    Zipf(ZipfRanks),
    /// Zipf whose ranks are spread over the key space by a keyed bijection (YCSB's scrambled
    /// Zipf, without its hash collisions).
    Scrambled {
        /// Rank distribution.
        zipf: ZipfRanks,
        /// Rank-to-key permutation.
        perm: Permutation,
    },
    /// Every key equally likely.
    Uniform {
        /// Number of keys.
        keys: u64,
    },
    /// `hot_share` of requests go uniformly to keys `1..=hot_keys`, the rest uniformly to the
    /// other keys.
    HotSet {
        /// Number of keys.
        keys: u64,
        /// Size of the hot set (keys `1..=hot_keys`).
        hot_keys: u64,
        /// Share of requests that go to the hot set.
        hot_share: f64,
    },
    /// Zipf whose rank-to-key mapping rotates by `shift_by` keys every `every` requests, so
    /// the popular keys change over time.
    Shifting {
        /// Rank distribution.
        zipf: ZipfRanks,
        /// Number of keys.
        keys: u64,
        /// Requests between shifts.
        every: u64,
        /// Keys the mapping rotates by at each shift.
        shift_by: u64,
    },
}

impl KeySampler {
    /// The key for request number `index` (0-based).
    #[inline]
    pub fn sample(&self, rng: &mut StdRng, index: u64) -> u64 {
        match self {
            KeySampler::Zipf(z) => z.sample(rng),
            KeySampler::Scrambled { zipf, perm } => perm.apply(zipf.sample(rng) - 1) + 1,
            KeySampler::Uniform { keys } => rng.random_range(1..=*keys),
            KeySampler::HotSet { keys, hot_keys, hot_share } => {
                if *hot_keys >= *keys || rng.random::<f64>() < *hot_share {
                    rng.random_range(1..=*hot_keys)
                } else {
                    rng.random_range(*hot_keys + 1..=*keys)
                }
            }
            KeySampler::Shifting { zipf, keys, every, shift_by } => {
                let rank = zipf.sample(rng) - 1;
                shifted(rank, shift_offset(index / every, *shift_by, *keys), *keys) + 1
            }
        }
    }
}

/// How far the popularity has moved after `shifts` moves of `shift_by` keys, modulo `keys`
/// (computed in 128 bits: the product overflows 64 bits once `keys` exceeds 2^32).
fn shift_offset(shifts: u64, shift_by: u64, keys: u64) -> u64 {
    let product = u128::from(shifts % keys) * u128::from(shift_by % keys);
    (product % u128::from(keys)) as u64
}

/// 0-based `rank` moved by `offset` keys, wrapping around `keys` (both below `keys`).
fn shifted(rank: u64, offset: u64, keys: u64) -> u64 {
    ((u128::from(rank) + u128::from(offset)) % u128::from(keys)) as u64
}

/// A keyed bijection of `0..n`: an invertible mix on the smallest enclosing power of two,
/// cycle-walked back into range. Spreads Zipf ranks without collisions.
#[derive(Debug, Clone, Copy)]
pub struct Permutation {
    n: u64,
    mask: u64,
    bits: u32,
    key: u64,
}

impl Permutation {
    /// A permutation of `0..n` chosen by `seed`.
    pub fn new(n: u64, seed: u64) -> Self {
        let bits = (64 - (n.max(2) - 1).leading_zeros()).max(2);
        let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        Permutation { n, mask, bits, key: mix64(seed) }
    }

    fn round(&self, mut x: u64) -> u64 {
        // Each step is a bijection on `bits`-bit values: xor with a constant, multiply by an
        // odd number, xor-shift right.
        for r in 0..3u64 {
            x ^= (self.key >> (r * 8)) & self.mask;
            x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15 | 1) & self.mask;
            x ^= x >> (self.bits / 2 + 1);
        }
        x
    }

    /// The image of `x` (which must be `< n`).
    #[inline]
    pub fn apply(&self, x: u64) -> u64 {
        let mut y = self.round(x);
        while y >= self.n {
            y = self.round(y);
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_stay_exact_with_more_than_2_pow_32_keys() {
        let keys = u64::MAX / 2;
        // (2^40 * (2^40 + 3)) mod keys, worked out in 128 bits by hand: 2^80 + 3 * 2^40.
        let (shifts, by) = (1u64 << 40, (1u64 << 40) + 3);
        let expected = (((1u128 << 80) + 3 * (1u128 << 40)) % u128::from(keys)) as u64;
        assert_eq!(shift_offset(shifts, by, keys), expected);
        assert_eq!(shift_offset(keys + 5, 2, keys), 10, "shift counts wrap modulo keys");
        assert_eq!(shifted(keys - 1, keys - 1, keys), keys - 2, "the sum wraps without overflow");
        assert_eq!(shift_offset(7, 3, 10), 1);
    }

    #[test]
    fn shifting_sampler_is_exact_with_huge_key_counts() {
        use rand::SeedableRng;
        let keys = 1u64 << 50;
        let shift_by = (1u64 << 40) + 1;
        let zipf = ZipfRanks::new(keys, 0.9).unwrap();
        let sampler = KeySampler::Shifting { zipf: zipf.clone(), keys, every: 1, shift_by };
        // Two generators in lockstep: one draws for the sampler, the other the same ranks.
        let (mut rng, mut twin) = (StdRng::seed_from_u64(1), StdRng::seed_from_u64(1));
        for index in [0u64, 1, 1 << 33, u64::MAX - 1] {
            let rank = zipf.sample(&mut twin) - 1;
            let key = sampler.sample(&mut rng, index);
            let offset = u128::from(index) * u128::from(shift_by);
            let expected = (u128::from(rank) + offset) % u128::from(keys) + 1;
            assert_eq!(u128::from(key), expected, "index {index}");
        }
    }

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 1000, 4097] {
            let p = Permutation::new(n, 42);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.apply(x);
                assert!(y < n);
                assert!(!seen[y as usize], "n={n}: {y} hit twice");
                seen[y as usize] = true;
            }
        }
    }
}
