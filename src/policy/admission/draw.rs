//! The random draws of the probabilistic filters ([`super::Probabilistic`],
//! [`super::AdaptSize`]), made as libCacheSim's admissioners make them, so that a filter with
//! libCacheSim's starting state admits exactly the objects libCacheSim's does.
//!
//! libCacheSim (0.3.x, `utils/include/mymath.h`) draws with Lemire's lehmer64 generator: a
//! 128-bit state multiplied by `0xda942042e4dd58b5` per draw, the draw being the state's high 64
//! bits; its per-thread state starts at `0xdeadbeef`. A draw becomes a probability roll as
//! `draw % 10_000_000` against `p * 10_000_000` (seven decimal digits of resolution).

/// libCacheSim's starting state, the default seed of the probabilistic filters.
pub const LIBCACHESIM_SEED: u64 = 0xdead_beef;

/// Resolution of a probability roll: draws are taken modulo this.
const MODULUS: u64 = 10_000_000;

/// Lemire's lehmer64 generator.
#[derive(Debug, Clone)]
pub struct Lehmer64 {
    state: u128,
}

impl Lehmer64 {
    /// A generator whose state starts at `seed` (which must not be 0: the state would stay 0).
    pub fn new(seed: u64) -> Self {
        debug_assert!(seed != 0, "a zero lehmer64 state never changes");
        Lehmer64 { state: u128::from(seed) }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_mul(0xda94_2042_e4dd_58b5);
        (self.state >> 64) as u64
    }

    /// A roll in `[0, MODULUS)`, libCacheSim's `next_rand() % MAX_MODULE`.
    #[inline]
    fn roll(&mut self) -> u64 {
        self.next_u64() % MODULUS
    }

    /// True with probability `p`, decided as libCacheSim's probabilistic admissioner decides:
    /// the roll against `p` scaled to the modulus and truncated.
    #[inline]
    pub fn chance_truncated(&mut self, p: f64) -> bool {
        self.roll() < (p * MODULUS as f64) as u64
    }

    /// True with probability `p`, decided as libCacheSim's AdaptSize does: the roll scaled to
    /// `[0, 1)` against `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        (self.roll() as f64 / MODULUS as f64) < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_hit_their_probability() {
        let mut g = Lehmer64::new(LIBCACHESIM_SEED);
        let n = 200_000;
        let yes = (0..n).filter(|_| g.chance_truncated(0.3)).count() as f64 / n as f64;
        assert!((yes - 0.3).abs() < 0.005, "{yes}");
        let yes = (0..n).filter(|_| g.chance(0.7)).count() as f64 / n as f64;
        assert!((yes - 0.7).abs() < 0.005, "{yes}");
        assert!(!(0..1000).any(|_| g.chance(0.0)) && (0..1000).all(|_| g.chance_truncated(1.0)));
    }
}
