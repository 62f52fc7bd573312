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

use rustc_hash::FxHashMap;

use super::{Access, Capacity, Policy};

/// Slot index of a resident object.
type Slot = u32;

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: u64,
    size: u32,
    /// Position of this slot in `heap`.
    pos: u32,
}

/// Heap order: farther next access first; among equal ones (only [`NEVER`](crate::model::NEVER) repeats) the
/// smaller sequence number, i.e. the earlier push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Priority {
    next_access: u64,
    seq: std::cmp::Reverse<u64>,
}

/// Belady's MIN eviction.
#[derive(Debug)]
pub struct Belady {
    capacity: Capacity,
    used: u64,
    index: FxHashMap<u64, Slot>,
    entries: Vec<Entry>,
    free: Vec<Slot>,
    /// Max-heap of (priority, slot).
    heap: Vec<(Priority, Slot)>,
    seq: u64,
}

impl Belady {
    /// An empty Belady cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        let n = super::expected_objects(capacity);
        Belady {
            capacity,
            used: 0,
            index: FxHashMap::with_capacity_and_hasher(n, Default::default()),
            entries: Vec::with_capacity(n),
            free: Vec::new(),
            heap: Vec::with_capacity(n),
            seq: 0,
        }
    }

    fn priority(&mut self, next_access: u64) -> Priority {
        self.seq += 1;
        Priority { next_access, seq: std::cmp::Reverse(self.seq) }
    }

    #[inline]
    fn place(&mut self, pos: usize, item: (Priority, Slot)) {
        self.heap[pos] = item;
        self.entries[item.1 as usize].pos = pos as u32;
    }

    fn sift_up(&mut self, mut pos: usize) {
        let item = self.heap[pos];
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if self.heap[parent].0 >= item.0 {
                break;
            }
            self.place(pos, self.heap[parent]);
            pos = parent;
        }
        self.place(pos, item);
    }

    fn sift_down(&mut self, mut pos: usize) {
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
            self.place(pos, self.heap[child]);
            pos = child;
        }
        self.place(pos, item);
    }

    /// Removes the heap item at `pos` and returns its slot.
    fn heap_remove(&mut self, pos: usize) -> Slot {
        let slot = self.heap[pos].1;
        let last = self.heap.pop().expect("heap is not empty");
        if pos < self.heap.len() {
            let old = self.heap[pos].0;
            self.place(pos, last);
            if last.0 > old {
                self.sift_up(pos);
            } else {
                self.sift_down(pos);
            }
        }
        slot
    }

    /// Drops slot `slot` (already out of the heap) from the index; returns its key.
    fn release(&mut self, slot: Slot) -> u64 {
        let Entry { key, size, .. } = self.entries[slot as usize];
        self.index.remove(&key);
        self.free.push(slot);
        self.used -= self.capacity.charge(size);
        key
    }
}

impl Policy for Belady {
    fn name(&self) -> &str {
        "belady"
    }

    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        if let Some(&slot) = self.index.get(&a.key) {
            let pos = self.entries[slot as usize].pos as usize;
            let old = self.heap[pos].0;
            let new = self.priority(a.next_access);
            self.heap[pos].0 = new;
            if new > old {
                self.sift_up(pos);
            } else {
                self.sift_down(pos);
            }
            return true;
        }
        let cost = self.capacity.charge(a.size);
        if cost > self.capacity.value {
            return false;
        }
        while self.used + cost > self.capacity.value && !self.heap.is_empty() {
            let slot = self.heap_remove(0);
            let key = self.release(slot);
            evicted.push(key);
        }
        let entry = Entry { key: a.key, size: a.size, pos: self.heap.len() as u32 };
        let slot = match self.free.pop() {
            Some(s) => {
                self.entries[s as usize] = entry;
                s
            }
            None => {
                self.entries.push(entry);
                (self.entries.len() - 1) as Slot
            }
        };
        let priority = self.priority(a.next_access);
        self.heap.push((priority, slot));
        self.sift_up(self.heap.len() - 1);
        self.index.insert(a.key, slot);
        self.used += cost;
        false
    }

    fn contains(&self, key: u64) -> bool {
        self.index.contains_key(&key)
    }

    fn remove(&mut self, key: u64) -> bool {
        let Some(&slot) = self.index.get(&key) else {
            return false;
        };
        self.heap_remove(self.entries[slot as usize].pos as usize);
        self.release(slot);
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
    use crate::model::{Op, Request};
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
