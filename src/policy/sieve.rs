//! SIEVE: a FIFO queue with a "visited" bit and a hand that sweeps from the oldest towards the
//! newest object, clearing visited bits and evicting the first unvisited object; hits only set
//! the bit, new objects enter at the head. Zhang, Yang, Yue, Vigfusson, Rashmi, "SIEVE is
//! Simpler than LRU: an Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI 2024.
//! Matches libCacheSim's `Sieve` exactly (the hand wraps to the tail after passing the head).

use std::collections::hash_map::Entry as Slot;

use rustc_hash::FxHashMap;

use super::list::{List, NodeId, Slab};
use super::{Access, Capacity, Policy};

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    size: u32,
    visited: bool,
}

/// SIEVE eviction.
#[derive(Debug)]
pub struct Sieve {
    capacity: Capacity,
    used: u64,
    index: FxHashMap<u64, NodeId>,
    slab: Slab<Entry>,
    queue: List,
    /// Where the next eviction scan starts; `None` means the tail (oldest).
    hand: Option<NodeId>,
}

impl Sieve {
    /// An empty SIEVE cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        let n = super::expected_objects(capacity);
        Sieve {
            capacity,
            used: 0,
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            slab: Slab::with_capacity(n),
            queue: List::default(),
            hand: None,
        }
    }

    /// Evicts one object (the queue must not be empty) and returns its key.
    fn evict_one(&mut self) -> u64 {
        let tail = self.queue.back().expect("evict from a non-empty queue");
        let mut id = self.hand.unwrap_or(tail);
        loop {
            let e = self.slab.get_mut(id);
            if !e.visited {
                break;
            }
            e.visited = false;
            id = self.slab.next_newer(id).unwrap_or(tail);
        }
        self.hand = self.slab.next_newer(id);
        self.slab.unlink(&mut self.queue, id);
        let Entry { key, size, .. } = *self.slab.get(id);
        self.slab.release(id);
        self.index.remove(&key);
        self.used -= self.capacity.charge(size);
        key
    }
}

impl Policy for Sieve {
    fn name(&self) -> &str {
        "sieve"
    }

    #[inline]
    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let cost = self.capacity.charge(a.size);
        // One hash probe for the lookup and the insert: the new node enters the index now and
        // the queue after the evictions (victims are other keys), as libCacheSim orders them.
        let id = match self.index.entry(a.key) {
            Slot::Occupied(hit) => {
                let id = *hit.get();
                self.slab.get_mut(id).visited = true;
                return true;
            }
            Slot::Vacant(slot) => {
                if cost > self.capacity.value {
                    return false;
                }
                *slot.insert(self.slab.alloc(Entry { key: a.key, size: a.size, visited: false }))
            }
        };
        while self.used + cost > self.capacity.value && !self.queue.is_empty() {
            let key = self.evict_one();
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
        if self.hand == Some(id) {
            self.hand = self.slab.next_newer(id);
        }
        self.slab.unlink(&mut self.queue, id);
        let size = self.slab.get(id).size;
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
    use crate::model::NEVER;

    fn acc(key: u64) -> Access {
        Access { key, size: 1, tick: 0, next_access: NEVER }
    }

    fn run(sieve: &mut Sieve, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &k in keys {
            sieve.access(&acc(k), &mut ev);
        }
        ev
    }

    #[test]
    fn hand_skips_visited_objects_and_stays_where_it_evicted() {
        let mut s = Sieve::new(Capacity::objects(3));
        // Queue (old -> new): 1 2 3; 1 and 3 visited.
        assert!(run(&mut s, &[1, 2, 3, 1, 3]).is_empty());
        // The hand starts at the tail: 1 is visited (cleared, kept), 2 is evicted.
        assert_eq!(run(&mut s, &[4]), vec![2]);
        // The hand now points at 3 (newer than 2), not back at the tail: 3 is visited
        // (cleared), 4 is new and unvisited, so 4 goes, although 1 is older and unvisited.
        assert_eq!(run(&mut s, &[5]), vec![4]);
        // The hand passed the head, so it wraps to the tail: 1 (cleared earlier) goes.
        assert_eq!(run(&mut s, &[6]), vec![1]);
        assert!(s.contains(3) && s.contains(5) && s.contains(6));
    }

    #[test]
    fn new_objects_are_not_protected_and_hits_do_not_move() {
        let mut s = Sieve::new(Capacity::objects(2));
        assert_eq!(run(&mut s, &[1, 2, 2, 3]), vec![1]);
        // Queue: 2 (visited) 3. Scan clears 2 and evicts 3, the newest.
        assert_eq!(run(&mut s, &[4]), vec![3]);
        assert!(s.contains(2) && s.contains(4));
    }

    #[test]
    fn removing_the_object_under_the_hand_moves_the_hand_on() {
        let mut s = Sieve::new(Capacity::objects(3));
        run(&mut s, &[1, 2, 3, 1]);
        assert_eq!(run(&mut s, &[4]), vec![2]); // hand -> 3
        assert!(s.remove(3));
        assert!(!s.remove(3));
        // Hand moved to 4 (newer than 3); 4 unvisited and evicted when full.
        assert_eq!(run(&mut s, &[5, 6]), vec![4]);
        assert_eq!(s.len(), 3);
    }
}
