//! Admission filters: which missed objects may enter a cache at all, decided apart from the
//! eviction policy. [`Admitted`] puts a filter in front of any [`Policy`]: a miss the filter
//! rejects never reaches the policy (no insertion, no eviction, no ghost bookkeeping), so the
//! object stays out and the request is a plain miss. The filters: [`SizeThreshold`] (`size`),
//! [`SecondMiss`] (`bloom`), [`Probabilistic`] (`prob`) and [`AdaptSize`] (`adaptsize`), by
//! name through [`AdmissionSpec`].
//!
//! As in libCacheSim's `cache_get_base`, a filter sees every request first ([`Admission::observe`])
//! and is asked on a miss before the cache checks that the object fits at all, so a filter
//! that counts or draws does so for objects larger than the cache too.

mod adaptsize;
mod bloom;
mod draw;
mod prob;
mod spec;

use super::{Access, Capacity, Policy};
pub use adaptsize::AdaptSize;
pub use bloom::SecondMiss;
pub use prob::Probabilistic;
pub use spec::{AdmissionSpec, with_admission};

/// Decides on each miss whether the requested object may enter the cache.
pub trait Admission: Send {
    /// Sees every request, hit or miss, before the cache answers it (filters that learn from
    /// the request stream update their statistics here). Nothing by default.
    #[inline]
    fn observe(&mut self, _access: &Access) {}

    /// Whether the object `access` asks for (a miss) may be admitted. Hits never reach it.
    fn admit(&mut self, access: &Access) -> bool;
}

/// A boxed filter is a filter, so filters chosen by name can stand in front of a policy.
impl Admission for Box<dyn Admission> {
    #[inline]
    fn observe(&mut self, access: &Access) {
        (**self).observe(access);
    }

    #[inline]
    fn admit(&mut self, access: &Access) -> bool {
        (**self).admit(access)
    }
}

/// Admits objects of at most `max_size` bytes, whatever the capacity's unit: large objects
/// would push out many small ones and are left to the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeThreshold {
    max_size: u32,
}

impl SizeThreshold {
    /// A filter that admits objects up to `max_size` bytes.
    pub fn new(max_size: u32) -> Self {
        SizeThreshold { max_size }
    }
}

impl Admission for SizeThreshold {
    #[inline]
    fn admit(&mut self, access: &Access) -> bool {
        access.size <= self.max_size
    }
}

/// Policy `P` behind admission filter `A`. The filter observes every request; a hit is
/// answered by the policy; a miss is first put to the filter, which costs one more lookup per
/// request (`contains`) than the policy alone.
#[derive(Debug)]
pub struct Admitted<P, A> {
    policy: P,
    filter: A,
}

impl<P: Policy, A: Admission> Admitted<P, A> {
    /// `policy` behind `filter`.
    pub fn new(policy: P, filter: A) -> Self {
        Admitted { policy, filter }
    }
}

impl<P: Policy, A: Admission> Policy for Admitted<P, A> {
    fn name(&self) -> &str {
        self.policy.name()
    }

    #[inline]
    fn access(&mut self, access: &Access, evicted: &mut Vec<u64>) -> bool {
        self.filter.observe(access);
        if !self.policy.contains(access.key) && !self.filter.admit(access) {
            return false;
        }
        self.policy.access(access, evicted)
    }

    fn contains(&self, key: u64) -> bool {
        self.policy.contains(key)
    }

    fn remove(&mut self, key: u64) -> bool {
        self.policy.remove(key)
    }

    fn len(&self) -> usize {
        self.policy.len()
    }

    fn used(&self) -> u64 {
        self.policy.used()
    }

    fn capacity(&self) -> Capacity {
        self.policy.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::{Lru, PolicyKind, PolicyParams, build_policy};

    fn acc(key: u64, size: u32) -> Access {
        Access { key, size, tick: 0, next_access: NEVER }
    }

    #[test]
    fn lru_behind_a_size_threshold_rejects_large_objects_and_keeps_the_small_ones() {
        let mut cache = Admitted::new(Lru::new(Capacity::bytes(1000)), SizeThreshold::new(100));
        let mut ev = Vec::new();
        for key in 0..9 {
            assert!(!cache.access(&acc(key, 100), &mut ev));
        }
        // 900 bytes in use: a 400-byte object fits the cache but not the filter, and would
        // have evicted three small ones.
        assert!(!cache.access(&acc(99, 400), &mut ev));
        assert!(!cache.contains(99) && ev.is_empty());
        assert!(!cache.access(&acc(99, 400), &mut ev), "rejected again: still a miss");
        assert_eq!((cache.len(), cache.used()), (9, 900));
        assert!((0..9).all(|key| cache.contains(key)));
        // Small objects still enter, and hits are the policy's.
        assert!(!cache.access(&acc(9, 50), &mut ev));
        assert!(cache.access(&acc(9, 50), &mut ev));
        assert_eq!((cache.name(), cache.used(), cache.capacity()), ("lru", 950, Capacity::bytes(1000)));
        assert!(cache.remove(9) && !cache.contains(9));
    }

    #[test]
    fn every_policy_can_stand_behind_the_filter() {
        for &(kind, _) in PolicyKind::ALL {
            let policy = build_policy(kind, &PolicyParams::default(), Capacity::bytes(10_000));
            let mut cache = Admitted::new(policy, SizeThreshold::new(64));
            let mut ev = Vec::new();
            for i in 0..200u64 {
                let key = i % 50;
                let size = if key % 3 == 0 { 65 } else { 64 };
                cache.access(&acc(key, size), &mut ev);
                assert!(size <= 64 || !cache.contains(key), "{}: admitted {size} bytes", kind.name());
            }
            assert!(!cache.is_empty(), "{}", kind.name());
        }
    }
}
