//! 2Q: new objects enter a FIFO (A1in); objects it evicts are remembered in a ghost FIFO
//! (A1out), and a miss on a remembered key enters an LRU (Am) instead, so only objects
//! re-referenced after their first stay are kept long. T. Johnson and D. Shasha, "2Q: A Low
//! Overhead High Performance Buffer Management Replacement Algorithm", VLDB 1994 (the
//! "full version", with A1in 25 % and A1out 50 % of the cache as the paper recommends).
//!
//! This follows libCacheSim's `TwoQ` (`cache/eviction/TwoQ.c`) so that miss counts match it
//! exactly:
//! - A1in holds `floor(capacity * a1in_ratio)`, Am the rest, the ghost A1out
//!   `floor(capacity * a1out_ratio)`, all in the capacity's unit (ghosts charge their size in
//!   byte mode);
//! - a hit in A1in changes nothing (it is a FIFO), a hit in Am moves the object to its head;
//! - to make room, A1in's oldest object goes to A1out when A1in holds more than its share,
//!   otherwise Am's least recently used object is evicted (A1in may fill the whole cache
//!   while Am is empty);
//! - a remembered key leaves A1out on its miss and enters Am, which evicts its own least
//!   recently used objects while it is over its share;
//! - objects larger than A1in are not admitted.

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// Default share of the capacity for A1in (the paper's and libCacheSim's).
pub const DEFAULT_A1IN_RATIO: f64 = 0.25;
/// Default size of the ghost A1out as a share of the capacity (the paper's and libCacheSim's).
pub const DEFAULT_A1OUT_RATIO: f64 = 0.5;

/// Which queue an entry is in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Queue {
    /// The FIFO new objects enter.
    #[default]
    A1in,
    /// The LRU of objects seen again after leaving A1in.
    Am,
    /// The ghost FIFO: a key evicted from A1in, no longer resident.
    A1out,
}

/// 2Q eviction.
pub type TwoQ = Resident<TwoQOrder>;

/// 2Q's ordering: the three queues and their shares.
#[derive(Debug)]
pub struct TwoQOrder {
    capacity: Capacity,
    in_cap: u64,
    main_cap: u64,
    out_cap: u64,
    in_used: u64,
    main_used: u64,
    out_used: u64,
    a1in: List,
    am: List,
    a1out: List,
}

impl TwoQ {
    /// An empty 2Q cache: `a1in_ratio` (in (0, 0.5], so Am can hold whatever A1in can) and
    /// `a1out_ratio` (in [0, 1]) are shares of `capacity`.
    pub fn new(capacity: Capacity, a1in_ratio: f64, a1out_ratio: f64) -> Self {
        let cap = capacity.value;
        let in_cap = ((cap as f64 * a1in_ratio) as u64).min(cap);
        let order = TwoQOrder {
            capacity,
            in_cap,
            main_cap: cap - in_cap,
            out_cap: (cap as f64 * a1out_ratio) as u64,
            in_used: 0,
            main_used: 0,
            out_used: 0,
            a1in: List::default(),
            am: List::default(),
            a1out: List::default(),
        };
        // Resident entries plus about half as many ghosts.
        let n = super::expected_objects(capacity);
        Resident::with_eviction(capacity, order, n + n / 2)
    }

    /// A 2Q cache with libCacheSim's default shares.
    pub fn with_defaults(capacity: Capacity) -> Self {
        Self::new(capacity, DEFAULT_A1IN_RATIO, DEFAULT_A1OUT_RATIO)
    }
}

impl TwoQOrder {
    /// Evicts Am's least recently used object, unlinked.
    fn evict_main(&mut self, nodes: &mut Nodes<Queue>) -> Option<NodeId> {
        let id = nodes.slab.pop_back(&mut self.am)?;
        self.main_used -= self.capacity.charge(nodes.slab.get(id).size);
        Some(id)
    }
}

impl Eviction for TwoQOrder {
    type Meta = Queue;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "twoq"
    }

    /// Objects larger than A1in could not enter it.
    #[inline]
    fn admit(&self, cost: u64) -> bool {
        cost <= self.in_cap
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<Queue>, id: NodeId, _: &Access) {
        if nodes.slab.get(id).meta == Queue::Am {
            nodes.slab.move_to_front(&mut self.am, id);
        }
    }

    /// New objects enter A1in, revived ghosts Am.
    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<Queue>, id: NodeId, _: &Access) {
        let e = nodes.slab.get(id);
        let cost = self.capacity.charge(e.size);
        if e.meta == Queue::Am {
            nodes.slab.push_front(&mut self.am, id);
            self.main_used += cost;
        } else {
            nodes.slab.push_front(&mut self.a1in, id);
            self.in_used += cost;
        }
    }

    /// A1in's oldest when A1in is over its share, otherwise Am's least recently used.
    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<Queue>) -> Option<NodeId> {
        if self.in_used > self.in_cap {
            let id = nodes.slab.pop_back(&mut self.a1in)?;
            self.in_used -= self.capacity.charge(nodes.slab.get(id).size);
            return Some(id);
        }
        self.evict_main(nodes)
    }

    /// Victims from A1in are remembered in A1out (trimmed to its size); victims from Am are
    /// forgotten.
    #[inline]
    fn on_evict(&mut self, nodes: &mut Nodes<Queue>, id: NodeId) {
        let e = nodes.slab.get(id);
        let cost = self.capacity.charge(e.size);
        if e.meta == Queue::Am || cost > self.out_cap {
            nodes.forget(id);
            return;
        }
        while self.out_used + cost > self.out_cap {
            let Some(old) = nodes.slab.pop_back(&mut self.a1out) else { break };
            self.out_used -= self.capacity.charge(nodes.slab.get(old).size);
            nodes.forget(old);
        }
        nodes.slab.get_mut(id).meta = Queue::A1out;
        nodes.slab.push_front(&mut self.a1out, id);
        self.out_used += cost;
    }

    fn on_remove(&mut self, nodes: &mut Nodes<Queue>, id: NodeId) {
        let e = *nodes.slab.get(id);
        let cost = self.capacity.charge(e.size);
        if e.meta == Queue::Am {
            nodes.slab.unlink(&mut self.am, id);
            self.main_used -= cost;
        } else {
            nodes.slab.unlink(&mut self.a1in, id);
            self.in_used -= cost;
        }
    }

    #[inline]
    fn is_ghost(meta: &Queue) -> bool {
        *meta == Queue::A1out
    }

    /// The ghost leaves A1out; if admitted it enters Am.
    #[inline]
    fn on_ghost_hit(&mut self, nodes: &mut Nodes<Queue>, id: NodeId) {
        self.out_used -= self.capacity.charge(nodes.slab.get(id).size);
        nodes.slab.unlink(&mut self.a1out, id);
        nodes.slab.get_mut(id).meta = Queue::Am;
    }

    /// Am over its share (after a revived ghost entered it) evicts its least recently used.
    #[inline]
    fn overflow(&mut self, nodes: &mut Nodes<Queue>) -> Option<NodeId> {
        if self.main_used > self.main_cap { self.evict_main(nodes) } else { None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn run(c: &mut TwoQ, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    fn queue_of(c: &TwoQ, key: u64) -> Queue {
        c.nodes().slab.get(c.nodes().find(key).unwrap()).meta
    }

    #[test]
    fn shares_follow_libcachesim() {
        let c = TwoQ::with_defaults(Capacity::objects(10));
        let o = c.eviction();
        assert_eq!((o.in_cap, o.main_cap, o.out_cap), (2, 8, 5));
    }

    #[test]
    fn a1in_is_a_fifo_and_its_victims_become_ghosts_that_revive_into_am() {
        let mut c = TwoQ::with_defaults(Capacity::objects(4)); // A1in 1, Am 3, A1out 2
        // A1in takes the whole cache while Am is empty; hits there change nothing.
        assert_eq!(run(&mut c, &[1, 2, 1, 3, 4]), Vec::<u64>::new());
        assert_eq!(run(&mut c, &[5]), vec![1]);
        assert_eq!(queue_of(&c, 1), Queue::A1out);
        assert!(!c.contains(1));
        // 1 is remembered: its miss brings it into Am (evicting 2 from A1in to make room).
        assert_eq!(run(&mut c, &[1]), vec![2]);
        assert_eq!(queue_of(&c, 1), Queue::Am);
        // A1out holds 2 ghosts: 2 and then 3, 4 push the oldest out.
        run(&mut c, &[6, 7, 8]);
        assert_eq!(c.eviction().a1out.len(), 2);
        assert!(c.nodes().find(2).is_none(), "the oldest ghost is forgotten");
    }

    #[test]
    fn am_over_its_share_evicts_its_least_recently_used() {
        let mut c = TwoQ::with_defaults(Capacity::objects(4)); // A1in 1, Am 3, A1out 2
        assert_eq!(run(&mut c, &[1, 2, 3, 4, 5]), vec![1]);
        // Each revived ghost pushes the oldest of A1in (over its share) into A1out.
        assert_eq!(run(&mut c, &[1]), vec![2]);
        assert_eq!(run(&mut c, &[2]), vec![3]);
        assert_eq!(run(&mut c, &[3]), vec![4]);
        assert_eq!((c.eviction().am.len(), c.eviction().in_used), (3, 1));
        // With A1in emptied the cache has room, but Am is full: reviving 4 evicts Am's LRU.
        assert!(c.remove(5));
        assert_eq!(run(&mut c, &[4]), vec![1]);
        assert_eq!(queue_of(&c, 4), Queue::Am);
        assert_eq!(c.len(), 3);
    }
}
