//! GDSF, GreedyDual-Size-Frequency: evict the object of lowest priority `L + freq / size`,
//! where `L` (the inflation value) is the priority of the last evicted object, so objects that
//! stop being requested age out. The policy of choice for byte hit ratio in web proxies:
//! L. Cherkasova, "Improving WWW Proxies Performance with Greedy-Dual-Size-Frequency Caching
//! Policy", HP Labs report HPL-98-69R1, 1998 (after Cao and Irani's GreedyDual-Size, USITS
//! 1997).
//!
//! This follows libCacheSim's `GDSF` (`cache/eviction/cpp/GDSF.cpp`) so that miss counts match
//! it exactly:
//! - a new object has frequency 1 and priority `L + 1e6 / size`; a hit adds 1 to the frequency
//!   and sets the priority to `L + freq * 1e6 / size` with the `L` of that moment, computed in
//!   `f64` in that order;
//! - a missed object is inserted first and objects are evicted after, while the cache is over
//!   its capacity, so a new object whose priority is the lowest is evicted at once;
//! - the victim has the lowest priority, and among equal priorities the one whose priority was
//!   set first (libCacheSim orders by the request count at which it was set); its priority
//!   becomes `L`;
//! - the size is the object's charge in the capacity's unit: its bytes in byte mode, 1 in
//!   object mode (as libCacheSim's `ignore_obj_size`), where GDSF is frequency with aging.
//!
//! Priorities live in a binary heap with lazy deletion: a hit pushes the new priority and
//! leaves the old one behind, recognised as stale by its stamp; the heap is compacted when
//! stale entries outnumber live ones, so memory stays bounded and no request allocates.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::list::NodeId;
use super::resident::{Entry, Nodes};
use super::{Access, Capacity, Policy};

/// GDSF's state for one object.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    priority: f64,
    /// When the priority was set (the request count); [`STALE`] once removed.
    stamp: u64,
    freq: u64,
}

/// The stamp of a removed object: no heap entry has it.
const STALE: u64 = u64::MAX;

/// One heap entry: the object `id` had `priority` from `stamp` on.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    priority: f64,
    stamp: u64,
    id: NodeId,
}

impl Ranked {
    /// Lowest priority first, then the earliest set (the heap is a max-heap, so reversed).
    fn key_cmp(&self, other: &Self) -> Ordering {
        other.priority.total_cmp(&self.priority).then(other.stamp.cmp(&self.stamp))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key_cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key_cmp(other)
    }
}

/// GreedyDual-Size-Frequency eviction. Not on [`super::Resident`]: GDSF inserts before it
/// evicts, and the object just inserted may be the victim.
#[derive(Debug)]
pub struct Gdsf {
    capacity: Capacity,
    nodes: Nodes<Meta>,
    heap: BinaryHeap<Ranked>,
    /// Priority of the last evicted object.
    inflation: f64,
    /// Requests seen (libCacheSim's `n_req`): the stamp of a priority set now.
    clock: u64,
    used: u64,
    len: usize,
}

impl Gdsf {
    /// An empty GDSF cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        let n = super::expected_objects(capacity);
        Gdsf {
            capacity,
            nodes: Nodes::with_capacity(n),
            heap: BinaryHeap::with_capacity(2 * n),
            inflation: 0.0,
            clock: 0,
            used: 0,
            len: 0,
        }
    }

    /// Gives object `id` the priority of its frequency now and queues it.
    fn rank(&mut self, id: NodeId) {
        let e = self.nodes.slab.get_mut(id);
        let size = self.capacity.charge(e.size) as f64;
        e.meta.priority = self.inflation + e.meta.freq as f64 * 1.0e6 / size;
        e.meta.stamp = self.clock;
        self.heap.push(Ranked { priority: e.meta.priority, stamp: self.clock, id });
        if self.heap.len() > 2 * self.len + 1024 {
            let slab = &self.nodes.slab;
            self.heap.retain(|r| slab.get(r.id).meta.stamp == r.stamp);
        }
    }

    /// Evicts the object of lowest priority, which becomes the inflation value. The object
    /// `incoming` just inserted is not reported when it is the one: to the caller it was
    /// never admitted.
    fn evict(&mut self, incoming: NodeId, evicted: &mut Vec<u64>) {
        while let Some(top) = self.heap.pop() {
            let e = *self.nodes.slab.get(top.id);
            if e.meta.stamp == top.stamp {
                self.inflation = top.priority;
                self.used -= self.capacity.charge(e.size);
                self.len -= 1;
                if top.id != incoming {
                    evicted.push(e.key);
                }
                self.nodes.forget(top.id);
                return;
            }
        }
    }
}

impl Policy for Gdsf {
    fn name(&self) -> &str {
        "gdsf"
    }

    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        self.clock += 1;
        if let Some(id) = self.nodes.find(a.key) {
            self.nodes.slab.get_mut(id).meta.freq += 1;
            self.rank(id);
            return true;
        }
        let cost = self.capacity.charge(a.size);
        if cost > self.capacity.value {
            return false;
        }
        let id =
            self.nodes.add(Entry { key: a.key, size: a.size, meta: Meta { freq: 1, ..Meta::default() } });
        self.used += cost;
        self.len += 1;
        self.rank(id);
        while self.used > self.capacity.value {
            self.evict(id, evicted);
        }
        false
    }

    fn contains(&self, key: u64) -> bool {
        self.nodes.find(key).is_some()
    }

    fn remove(&mut self, key: u64) -> bool {
        let Some(id) = self.nodes.find(key) else {
            return false;
        };
        let e = self.nodes.slab.get_mut(id);
        e.meta.stamp = STALE;
        self.used -= self.capacity.charge(e.size);
        self.len -= 1;
        self.nodes.forget(id);
        true
    }

    fn len(&self) -> usize {
        self.len
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

    fn run(c: &mut Gdsf, reqs: &[(u64, u32)]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &(key, size) in reqs {
            c.access(&Access { key, size, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    #[test]
    fn large_objects_go_first_at_equal_frequency() {
        let mut c = Gdsf::new(Capacity::bytes(100));
        // Priorities 1e6/10, 1e6/50, 1e6/20: the 50-byte object is the lowest.
        assert_eq!(run(&mut c, &[(1, 10), (2, 50), (3, 20), (4, 30)]), vec![2]);
        assert_eq!(c.inflation, 1.0e6 / 50.0);
    }

    #[test]
    fn frequency_protects_and_inflation_ages() {
        let mut c = Gdsf::new(Capacity::objects(2));
        // 1 hit twice (priority 3e6), 2 once (1e6); 3 enters at 1e6 too, after 2: 2 goes.
        assert_eq!(run(&mut c, &[(1, 1), (1, 1), (1, 1), (2, 1), (3, 1)]), vec![2]);
        assert_eq!(c.inflation, 1.0e6);
        // 4 enters at L + 1e6 = 2e6: 3 (1e6) goes; then 5 (2e6) ties with 4, set first.
        assert_eq!(run(&mut c, &[(4, 1)]), vec![3]);
        assert_eq!(run(&mut c, &[(5, 1)]), vec![4]);
        assert!(c.contains(1) && c.contains(5));
    }

    #[test]
    fn a_new_object_of_the_lowest_priority_is_evicted_at_once_unreported() {
        let mut c = Gdsf::new(Capacity::bytes(100));
        assert_eq!(run(&mut c, &[(1, 10), (2, 10), (3, 90)]), Vec::<u64>::new());
        assert!(!c.contains(3) && c.contains(1) && c.contains(2));
        assert_eq!(c.used(), 20);
    }

    #[test]
    fn removed_objects_leave_no_live_entry() {
        let mut c = Gdsf::new(Capacity::objects(2));
        run(&mut c, &[(1, 1), (2, 1), (2, 1)]);
        assert!(c.remove(1));
        assert_eq!(run(&mut c, &[(3, 1)]), Vec::<u64>::new());
        // 3 (1e6) is lower than 2 (2e6).
        assert_eq!(run(&mut c, &[(4, 1)]), vec![3]);
        // Many hits keep the heap bounded.
        for _ in 0..10_000 {
            run(&mut c, &[(2, 1)]);
        }
        assert!(c.heap.len() <= 2 * c.len() + 1024);
    }
}
