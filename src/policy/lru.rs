//! LRU: evict the least recently used object. Textbook; matches libCacheSim's `LRU` exactly.

use super::Resident;
use super::index::CompactIndex;
use super::queue::QueueOrder;

/// Least-recently-used eviction: a queue whose hits move to the new end.
pub type Lru = Resident<QueueOrder<true, CompactIndex>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Capacity;
    use crate::model::NEVER;
    use crate::policy::{Access, Policy};

    fn acc(key: u64, size: u32) -> Access {
        Access { key, size, tick: 0, next_access: NEVER }
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut lru = Lru::new(Capacity::objects(2));
        let mut ev = Vec::new();
        assert!(!lru.access(&acc(1, 1), &mut ev));
        assert!(!lru.access(&acc(2, 1), &mut ev));
        assert!(lru.access(&acc(1, 1), &mut ev));
        assert!(!lru.access(&acc(3, 1), &mut ev));
        assert_eq!(ev, vec![2]);
        assert!(lru.contains(1) && lru.contains(3) && !lru.contains(2));
    }

    #[test]
    fn byte_capacity_evicts_until_it_fits_and_rejects_oversized() {
        let mut lru = Lru::new(Capacity::bytes(100));
        let mut ev = Vec::new();
        lru.access(&acc(1, 40), &mut ev);
        lru.access(&acc(2, 40), &mut ev);
        lru.access(&acc(3, 50), &mut ev);
        assert_eq!(ev, vec![1]);
        assert_eq!(lru.used(), 90);
        assert!(!lru.access(&acc(4, 101), &mut ev));
        assert!(!lru.contains(4));
        assert!(lru.remove(2));
        assert_eq!(lru.used(), 50);
    }
}
