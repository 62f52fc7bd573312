//! SIEVE: a FIFO queue with a "visited" bit and a hand that sweeps from the oldest towards the
//! newest object, clearing visited bits and evicting the first unvisited object; hits only set
//! the bit, new objects enter at the head. Zhang, Yang, Yue, Vigfusson, Rashmi, "SIEVE is
//! Simpler than LRU: an Efficient Turn-Key Eviction Algorithm for Web Caches", NSDI 2024.
//! Matches libCacheSim's `Sieve` exactly (the hand wraps to the tail after passing the head).

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// SIEVE eviction.
pub type Sieve = Resident<SieveOrder>;

/// SIEVE's ordering: one queue and the hand; each entry's meta is its visited bit.
#[derive(Debug, Default)]
pub struct SieveOrder {
    queue: List,
    /// Where the next eviction scan starts; `None` means the tail (oldest).
    hand: Option<NodeId>,
}

impl Sieve {
    /// An empty SIEVE cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        Resident::with_eviction(capacity, SieveOrder::default(), super::expected_objects(capacity))
    }
}

impl Eviction for SieveOrder {
    type Meta = bool;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "sieve"
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<bool>, id: NodeId, _: &Access) {
        nodes.slab.get_mut(id).meta = true;
    }

    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<bool>, id: NodeId, _: &Access) {
        nodes.slab.push_front(&mut self.queue, id);
    }

    /// The first unvisited object from the hand towards the newest (wrapping to the oldest),
    /// clearing visited bits on the way; the hand stays just newer than it.
    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<bool>) -> Option<NodeId> {
        let tail = self.queue.back()?;
        let mut id = self.hand.unwrap_or(tail);
        loop {
            let visited = &mut nodes.slab.get_mut(id).meta;
            if !*visited {
                break;
            }
            *visited = false;
            id = nodes.slab.next_newer(id).unwrap_or(tail);
        }
        self.hand = nodes.slab.next_newer(id);
        nodes.slab.unlink(&mut self.queue, id);
        Some(id)
    }

    fn on_remove(&mut self, nodes: &mut Nodes<bool>, id: NodeId) {
        if self.hand == Some(id) {
            self.hand = nodes.slab.next_newer(id);
        }
        nodes.slab.unlink(&mut self.queue, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

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
