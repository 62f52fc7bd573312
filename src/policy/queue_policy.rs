//! One queue of resident objects in arrival order, evicted from the oldest end: the mechanism
//! LRU and FIFO share. They differ only in what a hit does: LRU moves the object to the new
//! end, FIFO leaves it where it is.

use std::collections::hash_map::Entry as Slot;

use rustc_hash::FxHashMap;

use super::list::{List, NodeId, Slab};
use super::{Access, Capacity, Policy};

/// A queue policy: on a miss the object enters at the new end and the oldest objects leave
/// until it fits; on a hit it moves to the new end only when `PROMOTE_ON_HIT` (LRU), not
/// otherwise (FIFO). Use it through [`super::Lru`] and [`super::Fifo`].
#[derive(Debug)]
pub struct QueuePolicy<const PROMOTE_ON_HIT: bool> {
    capacity: Capacity,
    used: u64,
    index: FxHashMap<u64, NodeId>,
    slab: Slab<(u64, u32)>,
    queue: List,
}

impl<const PROMOTE_ON_HIT: bool> QueuePolicy<PROMOTE_ON_HIT> {
    /// An empty cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        let n = super::expected_objects(capacity);
        QueuePolicy {
            capacity,
            used: 0,
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            slab: Slab::with_capacity(n),
            queue: List::default(),
        }
    }
}

impl<const PROMOTE_ON_HIT: bool> Policy for QueuePolicy<PROMOTE_ON_HIT> {
    fn name(&self) -> &str {
        if PROMOTE_ON_HIT { "lru" } else { "fifo" }
    }

    #[inline]
    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let cost = self.capacity.charge(a.size);
        // One hash probe for the lookup and the insert: the new node enters the index now and
        // the queue after the evictions (victims are other keys).
        let id = match self.index.entry(a.key) {
            Slot::Occupied(hit) => {
                if PROMOTE_ON_HIT {
                    self.slab.move_to_front(&mut self.queue, *hit.get());
                }
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
