//! CLOCK: FIFO with a small saturating access counter per object; at eviction the oldest
//! object is spared, with its counter decremented, while the counter is non-zero. With one bit
//! this is Second Chance (Corbató, "A Paging Experiment with the Multics System", 1968);
//! more bits give the generalised CLOCK of libCacheSim (`n-bit-counter`), which this matches
//! exactly: new objects start at 0, a hit adds 1 up to 2^bits - 1, a spared object moves to
//! the head of the queue (the same order a circular hand produces).

use std::collections::hash_map::Entry as Slot;

use rustc_hash::FxHashMap;

use super::list::{List, NodeId, Slab};
use super::{Access, Capacity, Policy};

/// Default counter width: 1 bit, i.e. Second Chance.
pub const DEFAULT_CLOCK_BITS: u8 = 1;

/// Widest counter [`Clock`] supports.
pub const MAX_CLOCK_BITS: u8 = 8;

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    size: u32,
    freq: u8,
}

/// CLOCK eviction with an n-bit counter.
#[derive(Debug)]
pub struct Clock {
    capacity: Capacity,
    used: u64,
    max_freq: u8,
    index: FxHashMap<u64, NodeId>,
    slab: Slab<Entry>,
    queue: List,
}

impl Clock {
    /// An empty CLOCK cache with a `bits`-bit counter (1..=[`MAX_CLOCK_BITS`]; clamped).
    pub fn new(capacity: Capacity, bits: u8) -> Self {
        let bits = bits.clamp(1, MAX_CLOCK_BITS);
        let n = super::expected_objects(capacity);
        Clock {
            capacity,
            used: 0,
            max_freq: ((1u16 << bits) - 1) as u8,
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            slab: Slab::with_capacity(n),
            queue: List::default(),
        }
    }

    /// Evicts one object (the queue must not be empty) and returns its key.
    fn evict_one(&mut self) -> u64 {
        loop {
            let id = self.queue.back().expect("evict from a non-empty queue");
            let e = self.slab.get_mut(id);
            if e.freq == 0 {
                let Entry { key, size, .. } = *e;
                self.slab.unlink(&mut self.queue, id);
                self.slab.release(id);
                self.index.remove(&key);
                self.used -= self.capacity.charge(size);
                return key;
            }
            e.freq -= 1;
            self.slab.move_to_front(&mut self.queue, id);
        }
    }
}

impl Policy for Clock {
    fn name(&self) -> &str {
        "clock"
    }

    #[inline]
    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let cost = self.capacity.charge(a.size);
        // One hash probe for the lookup and the insert: the new node enters the index now and
        // the queue after the evictions (victims are other keys), as libCacheSim orders them.
        let id = match self.index.entry(a.key) {
            Slot::Occupied(hit) => {
                let id = *hit.get();
                let e = self.slab.get_mut(id);
                if e.freq < self.max_freq {
                    e.freq += 1;
                }
                return true;
            }
            Slot::Vacant(slot) => {
                if cost > self.capacity.value {
                    return false;
                }
                *slot.insert(self.slab.alloc(Entry { key: a.key, size: a.size, freq: 0 }))
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

    fn run(c: &mut Clock, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    #[test]
    fn one_bit_gives_a_second_chance() {
        let mut c = Clock::new(Capacity::objects(2), 1);
        // 1 is hit (bit set); inserting 3 spares 1 once and evicts 2.
        assert_eq!(run(&mut c, &[1, 2, 1, 1, 3]), vec![2]);
        // Queue old -> new: 1 (bit cleared), 3. A second hit on 1 is needed to spare it again.
        assert_eq!(run(&mut c, &[4]), vec![1]);
    }

    #[test]
    fn wider_counters_remember_more_hits() {
        let mut one = Clock::new(Capacity::objects(2), 1);
        let mut two = Clock::new(Capacity::objects(2), 2);
        // 1 is hit three times; 2, 3 and 4 pass through once each.
        let keys = [1, 2, 1, 1, 1, 3, 4];
        assert_eq!(run(&mut one, &keys), vec![2, 1]);
        assert_eq!(run(&mut two, &keys), vec![2, 3]);
        assert!(two.contains(1) && !one.contains(1));
    }
}
