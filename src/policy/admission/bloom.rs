//! `bloom`: admit an object on its second miss, the "cache on second hit" rule CDNs use
//! against one-hit wonders (Maggs & Sitaraman, "Algorithmic nuggets in content delivery",
//! SIGCOMM CCR 2015, where a Bloom filter remembers what was asked once).
//!
//! Without a window this is libCacheSim's `BloomFilterAdmissioner`
//! (`cache/admission/bloomfilter.c`), which despite its name keeps an exact table of the objects
//! it has been asked about and admits any object asked about before, however long ago: the
//! first miss of an object is rejected, every later miss admitted. It remembers every missed
//! object, about 16 bytes each. With `window = N` it forgets: the objects missed in the current
//! span of N requests and in the one before are remembered (two generations, as a rotating pair
//! of Bloom filters would): an object is admitted when its previous miss was fewer than N
//! requests ago, never when it was 2N or more ago, and in between depending on where the
//! generations fall; memory is bounded by the objects of 2N requests. Exact sets rather than Bloom filters: no false positives, so the rule is exact.

use rustc_hash::FxHashSet;

use super::{Access, Admission};

/// Admits objects on their second miss (within a window, if one is set).
#[derive(Debug, Clone, Default)]
pub struct SecondMiss {
    /// Requests per generation (None: remember forever, libCacheSim's rule).
    window: Option<u64>,
    /// Objects missed in the current generation.
    current: FxHashSet<u64>,
    /// Objects missed in the generation before.
    previous: FxHashSet<u64>,
    /// The first tick after the current generation.
    generation_end: u64,
}

impl SecondMiss {
    /// A filter that remembers missed objects for `window` requests (and up to twice that),
    /// or forever when `window` is None. A window must be at least 1.
    pub fn new(window: Option<u64>) -> Self {
        debug_assert!(window != Some(0));
        SecondMiss { window, generation_end: window.unwrap_or(u64::MAX), ..SecondMiss::default() }
    }
}

impl Admission for SecondMiss {
    /// Starts a new generation when the request passes the end of the current one.
    #[inline]
    fn observe(&mut self, access: &Access) {
        if let Some(window) = self.window
            && access.tick >= self.generation_end
        {
            // More than a whole window may have passed (ticks are request indexes, but a
            // caller may skip some): then the current generation is too old to keep as well.
            let skipped = access.tick - self.generation_end >= window;
            self.previous = std::mem::take(&mut self.current);
            if skipped {
                self.previous.clear();
            }
            self.generation_end = access.tick - (access.tick - self.generation_end) % window + window;
        }
    }

    #[inline]
    fn admit(&mut self, access: &Access) -> bool {
        let key = access.key;
        if self.current.contains(&key) {
            return true;
        }
        self.current.insert(key);
        self.previous.remove(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;

    fn at(key: u64, tick: u64) -> Access {
        Access { key, size: 1, tick, next_access: NEVER }
    }

    fn ask(f: &mut SecondMiss, key: u64, tick: u64) -> bool {
        let a = at(key, tick);
        f.observe(&a);
        f.admit(&a)
    }

    #[test]
    fn without_a_window_every_miss_after_the_first_is_admitted() {
        let mut f = SecondMiss::new(None);
        assert!(!ask(&mut f, 1, 0) && !ask(&mut f, 2, 1));
        assert!(ask(&mut f, 1, 10_000_000) && ask(&mut f, 1, 10_000_001) && ask(&mut f, 2, u64::MAX - 1));
    }

    #[test]
    fn a_window_forgets_misses_two_generations_old() {
        let mut f = SecondMiss::new(Some(10));
        assert!(!ask(&mut f, 1, 3) && !ask(&mut f, 2, 9));
        assert!(ask(&mut f, 1, 17), "previous generation still remembered");
        // Generation [20, 30): 2 (last missed in [0, 10)) is forgotten; 1 (missed at 17) not.
        assert!(!ask(&mut f, 2, 25));
        assert!(ask(&mut f, 1, 29));
        // A jump over a whole window forgets everything.
        assert!(!ask(&mut f, 1, 55) && !ask(&mut f, 2, 56));
        assert!(ask(&mut f, 2, 69), "generation [50, 60) is the previous one at 69");
    }
}
