//! ARC: N. Megiddo and D. S. Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
//! USENIX FAST 2003.
//!
//! Two resident LRU lists (T1: seen once recently, T2: seen at least twice) and two ghost
//! lists of recently evicted keys (B1, B2). A hit in a ghost list moves the target size `p`
//! of T1 towards the list that would have hit. Ghost entries hold no data and are not
//! resident: they count in neither [`Policy::len`] nor [`Policy::used`].
//!
//! Sizes follow libCacheSim's `ARC` so that results match it in both capacity units: `p` is
//! a float, the lists are measured in the capacity's unit (objects, or bytes), "case IV" of the
//! paper tests `|T1| + |B1| + incoming > c`, B2 is trimmed when all four lists reach `2c`, and
//! in byte mode eviction repeats until the incoming object fits.

use super::list::{List, NodeId, Slab};
use super::resident::{Entry, Nodes};
use super::{Access, Capacity, Policy};

/// Which of ARC's four lists an entry is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    T1,
    T2,
    B1,
    B2,
}

/// Adaptive Replacement Cache. (Named `ArcPolicy` so it never shadows `std::sync::Arc`.)
#[derive(Debug)]
pub struct ArcPolicy {
    capacity: Capacity,
    /// Every entry, resident or ghost; an entry's meta is the list it is on.
    nodes: Nodes<Where>,
    t1: List,
    t2: List,
    b1: List,
    b2: List,
    /// Sizes of the four lists in the capacity's unit.
    t1_size: u64,
    t2_size: u64,
    b1_size: u64,
    b2_size: u64,
    /// Target size of T1.
    p: f64,
}

impl ArcPolicy {
    /// An empty ARC cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        // Resident entries plus as many ghosts.
        let reserve = 2 * super::expected_objects(capacity);
        ArcPolicy {
            capacity,
            nodes: Nodes::with_capacity(reserve),
            t1: List::default(),
            t2: List::default(),
            b1: List::default(),
            b2: List::default(),
            t1_size: 0,
            t2_size: 0,
            b1_size: 0,
            b2_size: 0,
            p: 0.0,
        }
    }

    /// The current target size of T1 (the adaptation parameter `p`), in the capacity's unit.
    pub fn target_t1(&self) -> f64 {
        self.p
    }

    #[inline]
    fn list_mut(&mut self, w: Where) -> (&mut Slab<Entry<Where>>, &mut List, &mut u64) {
        match w {
            Where::T1 => (&mut self.nodes.slab, &mut self.t1, &mut self.t1_size),
            Where::T2 => (&mut self.nodes.slab, &mut self.t2, &mut self.t2_size),
            Where::B1 => (&mut self.nodes.slab, &mut self.b1, &mut self.b1_size),
            Where::B2 => (&mut self.nodes.slab, &mut self.b2, &mut self.b2_size),
        }
    }

    /// Unlinks `id` from its list and subtracts its charge.
    #[inline]
    fn detach(&mut self, id: NodeId) {
        let e = *self.nodes.slab.get(id);
        let cost = self.capacity.charge(e.size);
        let (slab, list, size) = self.list_mut(e.meta);
        slab.unlink(list, id);
        *size -= cost;
    }

    /// Links a detached `id` at the head of list `w` and adds its charge.
    #[inline]
    fn attach(&mut self, id: NodeId, w: Where) {
        let cost = self.capacity.charge(self.nodes.slab.get(id).size);
        self.nodes.slab.get_mut(id).meta = w;
        let (slab, list, size) = self.list_mut(w);
        slab.push_front(list, id);
        *size += cost;
    }

    /// Drops the LRU entry of ghost list `w` (B1 or B2).
    fn drop_ghost_tail(&mut self, w: Where) {
        let tail = match w {
            Where::B1 => self.b1.back(),
            _ => self.b2.back(),
        };
        if let Some(id) = tail {
            self.detach(id);
            self.nodes.forget(id);
        }
    }

    /// The paper's REPLACE: demote the LRU of T1 to B1 or the LRU of T2 to B2.
    /// `hit_in_b2`: the current request hit in B2 (breaks the `|T1| == p` tie towards T1).
    fn replace(&mut self, hit_in_b2: bool, evicted: &mut Vec<u64>) {
        let t1 = self.t1_size as f64;
        let from_t1 = (self.t1_size > 0 && (t1 > self.p || (t1 == self.p && hit_in_b2))) || self.t2_size == 0;
        let (victim, ghost) = if from_t1 { (self.t1.back(), Where::B1) } else { (self.t2.back(), Where::B2) };
        let victim = victim.expect("ARC replace runs only while something is resident");
        self.detach(victim);
        self.attach(victim, ghost);
        evicted.push(self.nodes.slab.get(victim).key);
    }

    /// Frees room for one more object of charge `cost` (one resident eviction).
    /// `ghost_hit`: the ghost list the current request hit, if any.
    fn evict(&mut self, ghost_hit: Option<Where>, cost: u64, evicted: &mut Vec<u64>) {
        let c = self.capacity.value;
        if let Some(w) = ghost_hit {
            return self.replace(w == Where::B2, evicted);
        }
        // Case IV of the paper: the request is in none of the four lists.
        if self.t1_size + self.b1_size + cost > c {
            if self.b1_size > 0 {
                self.drop_ghost_tail(Where::B1);
                self.replace(false, evicted);
            } else {
                // T1 fills the cache on its own: evict its LRU without keeping a ghost.
                let victim = self.t1.back().expect("T1 holds the whole cache");
                self.detach(victim);
                evicted.push(self.nodes.slab.get(victim).key);
                self.nodes.forget(victim);
            }
        } else {
            if self.t1_size + self.b1_size + self.t2_size + self.b2_size >= 2 * c && self.b2_size > 0 {
                self.drop_ghost_tail(Where::B2);
            }
            self.replace(false, evicted);
        }
    }
}

impl Policy for ArcPolicy {
    fn name(&self) -> &str {
        "arc"
    }

    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let mut ghost_hit = None;
        let node = self.nodes.find(a.key);
        if let Some(id) = node {
            let w = self.nodes.slab.get(id).meta;
            match w {
                Where::T1 => {
                    self.detach(id);
                    self.attach(id, Where::T2);
                    return true;
                }
                Where::T2 => {
                    self.nodes.slab.move_to_front(&mut self.t2, id);
                    return true;
                }
                Where::B1 => {
                    let delta = (self.b2_size as f64 / self.b1_size as f64).max(1.0);
                    self.p = (self.p + delta).min(self.capacity.value as f64);
                }
                Where::B2 => {
                    let delta = (self.b1_size as f64 / self.b2_size as f64).max(1.0);
                    self.p = (self.p - delta).max(0.0);
                }
            }
            self.detach(id);
            ghost_hit = Some(w);
        }
        let cost = self.capacity.charge(a.size);
        if cost > self.capacity.value {
            if let Some(id) = node {
                self.nodes.forget(id);
            }
            return false;
        }
        while self.t1_size + self.t2_size + cost > self.capacity.value {
            self.evict(ghost_hit, cost, evicted);
        }
        match node {
            Some(id) => {
                // A ghost hit: the object was seen twice, so it goes to T2. The size may have
                // changed since it was evicted.
                self.nodes.slab.get_mut(id).size = a.size;
                self.attach(id, Where::T2);
            }
            None => {
                let id = self.nodes.add(Entry { key: a.key, size: a.size, meta: Where::T1 });
                self.attach(id, Where::T1);
            }
        }
        false
    }

    fn contains(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|id| matches!(self.nodes.slab.get(id).meta, Where::T1 | Where::T2))
    }

    /// Drops `key`; a ghost entry for it is forgotten too (and `false` returned, as it held no
    /// data).
    fn remove(&mut self, key: u64) -> bool {
        let Some(id) = self.nodes.find(key) else {
            return false;
        };
        let resident = matches!(self.nodes.slab.get(id).meta, Where::T1 | Where::T2);
        self.detach(id);
        self.nodes.forget(id);
        resident
    }

    fn len(&self) -> usize {
        self.t1.len() + self.t2.len()
    }

    fn used(&self) -> u64 {
        self.t1_size + self.t2_size
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

    fn run(arc: &mut ArcPolicy, keys: &[u64]) -> Vec<bool> {
        let mut ev = Vec::new();
        keys.iter().map(|&k| arc.access(&acc(k), &mut ev)).collect()
    }

    #[test]
    fn second_access_promotes_to_t2_and_ghosts_are_not_resident() {
        let mut arc = ArcPolicy::new(Capacity::objects(2));
        assert_eq!(run(&mut arc, &[1, 2, 1]), vec![false, false, true]);
        assert_eq!((arc.t1.len(), arc.t2.len()), (1, 1));
        // 3 evicts from T1 (|T1| = 1 > p = 0): key 2 becomes a ghost in B1.
        run(&mut arc, &[3]);
        assert!(!arc.contains(2) && arc.contains(1) && arc.contains(3));
        assert_eq!((arc.len(), arc.used(), arc.b1.len()), (2, 2, 1));
    }

    #[test]
    fn ghost_hits_move_p_towards_the_list_that_would_have_hit() {
        let mut arc = ArcPolicy::new(Capacity::objects(4));
        // Fill: 1,2 in T2 (seen twice), 3,4 in T1.
        run(&mut arc, &[1, 2, 1, 2, 3, 4]);
        // 5 and 6 evict 3 and 4 from T1 into B1 (p = 0 favours evicting T1).
        run(&mut arc, &[5, 6]);
        assert_eq!(arc.b1.len(), 2);
        assert_eq!(arc.target_t1(), 0.0);
        // A hit in B1 (key 3): p grows by max(|B2|/|B1|, 1) = 1 and 3 is re-admitted into T2.
        assert_eq!(run(&mut arc, &[3]), vec![false]);
        assert_eq!(arc.target_t1(), 1.0);
        assert!(arc.contains(3));
        assert_eq!(arc.nodes.slab.get(arc.nodes.find(3).unwrap()).meta, Where::T2);
        // Keep evicting T2 entries into B2, then hit one there: p shrinks again.
        run(&mut arc, &[3, 7, 7, 8, 8, 9, 9]);
        assert!(!arc.b2.is_empty(), "T2 victims become B2 ghosts");
        let ghost = arc.nodes.slab.get(arc.b2.back().unwrap()).key;
        let p = arc.target_t1();
        let delta = (arc.b1_size as f64 / arc.b2_size as f64).max(1.0);
        assert_eq!(run(&mut arc, &[ghost]), vec![false]);
        assert_eq!(arc.target_t1(), (p - delta).max(0.0));
        assert!(arc.len() <= 4);
    }

    #[test]
    fn byte_capacity_counts_sizes_and_rejects_oversized() {
        let mut arc = ArcPolicy::new(Capacity::bytes(100));
        let mut ev = Vec::new();
        let a = |key, size| Access { key, size, tick: 0, next_access: NEVER };
        arc.access(&a(1, 60), &mut ev);
        arc.access(&a(2, 30), &mut ev);
        arc.access(&a(3, 50), &mut ev);
        assert_eq!(ev, vec![1]);
        assert_eq!(arc.used(), 80);
        assert!(!arc.access(&a(4, 101), &mut ev));
        assert!(!arc.contains(4));
        assert!(arc.used() <= 100);
        assert!(arc.remove(2));
        assert!(!arc.remove(1), "1 was evicted");
        assert_eq!(arc.used(), 50);
    }
}
