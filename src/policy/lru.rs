//! LRU: evict the least recently used object. Textbook; matches libCacheSim's `LRU` exactly.

use std::collections::hash_map::Entry as Slot;

use rustc_hash::FxHashMap;

use super::list::{List, NodeId, Slab};
use super::{Access, Capacity, Policy};

/// Least-recently-used eviction.
#[derive(Debug)]
pub struct Lru {
    capacity: Capacity,
    used: u64,
    index: FxHashMap<u64, NodeId>,
    slab: Slab<(u64, u32)>,
    queue: List,
}

impl Lru {
    /// An empty LRU cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        Lru { capacity, used: 0, index: FxHashMap::default(), slab: Slab::default(), queue: List::default() }
    }
}

impl Policy for Lru {
    fn name(&self) -> &str {
        "lru"
    }

    #[inline]
    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let cost = self.capacity.charge(a.size);
        // One hash probe for the lookup and the insert: the new node enters the index now and
        // the queue after the evictions (victims are other keys).
        let id = match self.index.entry(a.key) {
            Slot::Occupied(hit) => {
                self.slab.move_to_front(&mut self.queue, *hit.get());
                return true;
            }
            Slot::Vacant(slot) => {
                if cost > self.capacity.value {
                    return false;
                }
                *slot.insert(self.slab.alloc((a.key, a.size)))
            }
        };
        while self.used + cost > self.capacity.value {
            let Some(victim) = self.slab.pop_back(&mut self.queue) else {
                break;
            };
            let (key, size) = *self.slab.get(victim);
            self.slab.release(victim);
            self.index.remove(&key);
            self.used -= self.capacity.charge(size);
            evicted.push(key);
        }
        self.slab.push_front(&mut self.queue, id);
        self.used += cost;
        false
    }

    fn contains(&self, key: u64) -> bool {
        self.index.contains_key(&key)
    }

    fn remove(&mut self, key: u64) -> bool {
        let Some(id) = self.index.remove(&key) else {
            return false;
        };
        self.slab.unlink(&mut self.queue, id);
        let (_, size) = *self.slab.get(id);
        self.slab.release(id);
        self.used -= self.capacity.charge(size);
        true
    }

    fn len(&self) -> usize {
        self.index.len()
    }

    fn used(&self) -> u64 {
        self.used
    }

    fn capacity(&self) -> Capacity {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::NEVER;

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
