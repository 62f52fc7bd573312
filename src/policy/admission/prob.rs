//! `prob`: admit each missed object with probability p, independently, from a seeded
//! generator. With the default seed the draws are libCacheSim's (`cache/admission/prob.c`,
//! see [`super::draw`]), so the same objects are admitted as by its `ProbAdmissioner`.

use super::draw::Lehmer64;
use super::{Access, Admission};

/// Admits each miss with a fixed probability.
#[derive(Debug, Clone)]
pub struct Probabilistic {
    p: f64,
    rng: Lehmer64,
}

impl Probabilistic {
    /// A filter admitting with probability `p` (0..=1), drawing from a generator seeded with
    /// `seed` (not 0).
    pub fn new(p: f64, seed: u64) -> Self {
        Probabilistic { p, rng: Lehmer64::new(seed) }
    }
}

impl Admission for Probabilistic {
    #[inline]
    fn admit(&mut self, _: &Access) -> bool {
        self.rng.chance_truncated(self.p)
    }
}
