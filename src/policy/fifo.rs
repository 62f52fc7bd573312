//! FIFO: evict the object that entered the cache first; hits change nothing. The textbook
//! queue (Belady, Nelson and Shedler 1969 studied it as "FIFO replacement"); matches
//! libCacheSim's `FIFO` exactly.

use std::collections::hash_map::Entry as Slot;

use rustc_hash::FxHashMap;

use super::list::{List, NodeId, Slab};
use super::{Access, Capacity, Policy};

/// First-in first-out eviction.
#[derive(Debug)]
pub struct Fifo {
    capacity: Capacity,
    used: u64,
    index: FxHashMap<u64, NodeId>,
    slab: Slab<(u64, u32)>,
    queue: List,
}

impl Fifo {
    /// An empty FIFO cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        let n = super::expected_objects(capacity);
        Fifo {
            capacity,
            used: 0,
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            slab: Slab::with_capacity(n),
            queue: List::default(),
        }
    }
}

impl Policy for Fifo {
    fn name(&self) -> &str {
        "fifo"
    }

    #[inline]
    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let cost = self.capacity.charge(a.size);
        // One hash probe for the lookup and the insert: the new node enters the index now and
        // the queue after the evictions (victims are other keys).
        let id = match self.index.entry(a.key) {
            Slot::Occupied(_) => return true,
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
    fn hits_do_not_protect_the_oldest_object() {
        let mut fifo = Fifo::new(Capacity::objects(2));
        let mut ev = Vec::new();
        assert!(!fifo.access(&acc(1, 1), &mut ev));
        assert!(!fifo.access(&acc(2, 1), &mut ev));
        assert!(fifo.access(&acc(1, 1), &mut ev));
        assert!(!fifo.access(&acc(3, 1), &mut ev));
        assert_eq!(ev, vec![1], "1 entered first, so it goes although it was just hit");
        assert!(!fifo.contains(1) && fifo.contains(2) && fifo.contains(3));
    }

    #[test]
    fn byte_capacity_evicts_in_insertion_order_until_it_fits() {
        let mut fifo = Fifo::new(Capacity::bytes(100));
        let mut ev = Vec::new();
        for (k, s) in [(1, 30), (2, 30), (3, 30)] {
            fifo.access(&acc(k, s), &mut ev);
        }
        fifo.access(&acc(4, 70), &mut ev);
        assert_eq!(ev, vec![1, 2]);
        assert_eq!(fifo.used(), 100);
        assert!(!fifo.access(&acc(5, 101), &mut ev), "larger than the cache");
        assert!(!fifo.contains(5));
        assert!(fifo.remove(3));
        assert_eq!((fifo.used(), fifo.len()), (70, 1));
    }
}
