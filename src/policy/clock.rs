//! CLOCK: FIFO with a small saturating access counter per object; at eviction the oldest
//! object is spared, with its counter decremented, while the counter is non-zero. With one bit
//! this is Second Chance (Corbató, "A Paging Experiment with the Multics System", 1968);
//! more bits give the generalised CLOCK of libCacheSim (`n-bit-counter`), which this matches
//! exactly: new objects start at 0, a hit adds 1 up to 2^bits - 1, a spared object moves to
//! the head of the queue (the same order a circular hand produces).

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// Default counter width: 1 bit, i.e. Second Chance.
pub const DEFAULT_CLOCK_BITS: u8 = 1;

/// Widest counter [`Clock`] supports.
pub const MAX_CLOCK_BITS: u8 = 8;

/// CLOCK eviction with an n-bit counter.
pub type Clock = Resident<ClockOrder>;

/// CLOCK's ordering: one queue, and each entry's meta is its access counter.
#[derive(Debug)]
pub struct ClockOrder {
    max_freq: u8,
    queue: List,
}

impl Clock {
    /// An empty CLOCK cache with a `bits`-bit counter (1..=[`MAX_CLOCK_BITS`]; clamped).
    pub fn new(capacity: Capacity, bits: u8) -> Self {
        let bits = bits.clamp(1, MAX_CLOCK_BITS);
        let order = ClockOrder { max_freq: ((1u16 << bits) - 1) as u8, queue: List::default() };
        Resident::with_eviction(capacity, order, super::expected_objects(capacity))
    }
}

impl Eviction for ClockOrder {
    type Meta = u8;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "clock"
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<u8>, id: NodeId, _: &Access) {
        let freq = &mut nodes.slab.get_mut(id).meta;
        if *freq < self.max_freq {
            *freq += 1;
        }
    }

    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<u8>, id: NodeId, _: &Access) {
        nodes.slab.push_front(&mut self.queue, id);
    }

    /// The oldest object whose counter is 0; older objects with a non-zero counter are spared
    /// on the way, with the counter decremented, and move to the new end.
    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<u8>) -> Option<NodeId> {
        loop {
            let id = self.queue.back()?;
            let freq = &mut nodes.slab.get_mut(id).meta;
            if *freq == 0 {
                nodes.slab.unlink(&mut self.queue, id);
                return Some(id);
            }
            *freq -= 1;
            nodes.slab.move_to_front(&mut self.queue, id);
        }
    }

    fn on_remove(&mut self, nodes: &mut Nodes<u8>, id: NodeId) {
        nodes.slab.unlink(&mut self.queue, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

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
