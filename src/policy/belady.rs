//! Belady's optimal policy (MIN): evict the resident object whose next request is farthest in
//! the future. Belady, "A study of replacement algorithms for a virtual-storage computer",
//! IBM Systems Journal, 1966. It needs [`Access::next_access`] (from an oracleGeneral trace or
//! a pre-pass over a generated stream), so it is an offline bound, not a real cache.
//!
//! Like libCacheSim's `Belady`, it always admits the missed object (when it fits the cache at
//! all) and, in byte mode, evicts farthest-first until the new object fits; it is optimal for
//! object counts, and a heuristic for bytes, where the optimum is NP-hard. Objects never
//! requested again ([`NEVER`](crate::model::NEVER)) go first; among them the one that entered the heap first.
//! An indexed binary max-heap keyed by next access keeps each access O(log n).

use super::index::CompactIndex;
use super::list::NodeId;
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// Heap order: farther next access first; among equal ones (only [`NEVER`](crate::model::NEVER) repeats) the
/// smaller sequence number, i.e. the earlier push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Priority {
    next_access: u64,
    seq: std::cmp::Reverse<u64>,
}

/// Belady's MIN eviction.
pub type Belady = Resident<BeladyOrder>;

/// Belady's ordering: a max-heap of resident entries by next access; each entry's meta is its
/// position in the heap.
#[derive(Debug)]
pub struct BeladyOrder {
    /// Max-heap of (priority, entry).
    heap: Vec<(Priority, NodeId)>,
    seq: u64,
}

impl Belady {
    /// An empty Belady cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        let n = super::expected_objects(capacity);
        Resident::with_eviction(capacity, BeladyOrder { heap: Vec::with_capacity(n), seq: 0 }, n)
    }
}

impl BeladyOrder {
    fn priority(&mut self, next_access: u64) -> Priority {
        self.seq += 1;
        Priority { next_access, seq: std::cmp::Reverse(self.seq) }
    }

    #[inline]
    fn place(&mut self, nodes: &mut Nodes<u32>, pos: usize, item: (Priority, NodeId)) {
        self.heap[pos] = item;
        nodes.slab.get_mut(item.1).meta = pos as u32;
    }

    fn sift_up(&mut self, nodes: &mut Nodes<u32>, mut pos: usize) {
        let item = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.heap[parent].0 >= item.0 {
                break;
            }
            self.place(nodes, pos, self.heap[parent]);
            pos = parent;
        }
        self.place(nodes, pos, item);
    }

    fn sift_down(&mut self, nodes: &mut Nodes<u32>, mut pos: usize) {
        let item = self.heap[pos];
        let n = self.heap.len();
        loop {
            let left = 2 * pos + 1;
            if left >= n {
                break;
            }
            let right = left + 1;
            let child = if right < n && self.heap[right].0 > self.heap[left].0 { right } else { left };
            if self.heap[child].0 <= item.0 {
                break;
            }
            self.place(nodes, pos, self.heap[child]);
            pos = child;
        }
        self.place(nodes, pos, item);
    }

    /// Moves the heap item at `pos` up or down after its priority changed from `old`.
    fn resift(&mut self, nodes: &mut Nodes<u32>, pos: usize, old: Priority) {
        if self.heap[pos].0 > old {
            self.sift_up(nodes, pos);
        } else {
            self.sift_down(nodes, pos);
        }
    }

    /// Removes the heap item at `pos` and returns its entry.
    fn heap_remove(&mut self, nodes: &mut Nodes<u32>, pos: usize) -> NodeId {
        let id = self.heap[pos].1;
        let last = self.heap.pop().expect("heap is not empty");
        if pos < self.heap.len() {
            let old = self.heap[pos].0;
            self.place(nodes, pos, last);
            self.resift(nodes, pos, old);
        }
        id
    }
}

impl Eviction for BeladyOrder {
    type Meta = u32;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "belady"
    }

    fn on_hit(&mut self, nodes: &mut Nodes<u32>, id: NodeId, a: &Access) {
        let pos = nodes.slab.get(id).meta as usize;
        let old = self.heap[pos].0;
        self.heap[pos].0 = self.priority(a.next_access);
        self.resift(nodes, pos, old);
    }

    fn on_insert(&mut self, nodes: &mut Nodes<u32>, id: NodeId, a: &Access) {
        nodes.slab.get_mut(id).meta = self.heap.len() as u32;
        let priority = self.priority(a.next_access);
        self.heap.push((priority, id));
        self.sift_up(nodes, self.heap.len() - 1);
    }

    /// The resident object needed farthest ahead.
    fn victim(&mut self, nodes: &mut Nodes<u32>) -> Option<NodeId> {
        (!self.heap.is_empty()).then(|| self.heap_remove(nodes, 0))
    }

    fn on_remove(&mut self, nodes: &mut Nodes<u32>, id: NodeId) {
        let pos = nodes.slab.get(id).meta as usize;
        self.heap_remove(nodes, pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::model::{Op, Request};
    use crate::policy::Policy;
    use crate::workload::fill_next_access;

    /// Accesses for `keys` with next-access times from a pre-pass.
    fn stream(keys: &[u64], size: u32) -> Vec<Access> {
        let mut reqs: Vec<Request> = keys
            .iter()
            .map(|&key| Request { key, size, op: Op::Get, ttl: None, next_access: NEVER })
            .collect();
        fill_next_access(&mut reqs);
        reqs.iter()
            .enumerate()
            .map(|(i, r)| Access { key: r.key, size: r.size, tick: i as u64, next_access: r.next_access })
            .collect()
    }

    fn misses(p: &mut dyn Policy, accesses: &[Access]) -> usize {
        let mut ev = Vec::new();
        accesses.iter().filter(|a| !p.access(a, &mut ev)).count()
    }

    #[test]
    fn evicts_the_object_needed_farthest_in_the_future() {
        let acc = stream(&[1, 2, 3, 1, 2, 4, 1, 2, 3], 1);
        let mut b = Belady::new(Capacity::objects(2));
        let mut ev = Vec::new();
        let hits: Vec<bool> = acc.iter().map(|a| b.access(a, &mut ev)).collect();
        // t2 (3): 1 is next needed at t3, 2 at t4: 2 goes. t4 (2): 1 at t6, 3 at t8: 3 goes.
        // t5 (4, never again, still admitted): 1 at t6, 2 at t7: 2 goes. t7 (2): 1 and 4 are
        // never needed again; 4 has waited longer. t8 (3): 1 and 2, never needed again.
        assert_eq!(ev, vec![2, 3, 2, 4, 1]);
        assert_eq!(hits, vec![false, false, false, true, false, false, true, false, false]);
    }

    #[test]
    fn never_worse_than_lru_on_a_loop() {
        // A loop one larger than the cache: LRU misses every time, MIN keeps most of it.
        let keys: Vec<u64> = (0..50).flat_map(|_| 0..5u64).collect();
        let acc = stream(&keys, 1);
        let opt = misses(&mut Belady::new(Capacity::objects(4)), &acc);
        let lru = misses(&mut crate::policy::Lru::new(Capacity::objects(4)), &acc);
        assert_eq!(lru, keys.len());
        assert!(opt < keys.len() / 3, "MIN missed {opt} of {}", keys.len());
    }

    #[test]
    fn byte_mode_evicts_farthest_first_until_it_fits_and_remove_works() {
        let acc = stream(&[1, 2, 3, 4, 1, 2, 3, 4], 40);
        let mut b = Belady::new(Capacity::bytes(100));
        let mut ev = Vec::new();
        for a in &acc[..3] {
            b.access(a, &mut ev);
        }
        // 1, 2 resident (80 bytes); 3 needs room: 2 (next at 5) is farther than 1 (at 4).
        assert_eq!(ev, vec![2]);
        assert_eq!(b.used(), 80);
        assert!(b.remove(1));
        assert_eq!((b.len(), b.used()), (1, 40));
        assert!(b.contains(3) && !b.contains(1));
        assert!(!b.access(&Access { key: 9, size: 101, tick: 9, next_access: NEVER }, &mut ev));
        assert!(!b.contains(9));
    }
}
