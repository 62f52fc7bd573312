//! LFUDA, LFU with dynamic aging: an LFU whose counts are offset by a cache age `L` that rises
//! to the count of each evicted object, so objects popular long ago do not stay forever.
//! M. Arlitt, L. Cherkasova, J. Dilley, R. Friedrich, T. Jin, "Evaluating Content Management
//! Techniques for Web Proxy Caches", ACM SIGMETRICS Performance Evaluation Review 27(4), 2000
//! (the policy of Squid's `heap LFUDA`).
//!
//! This follows libCacheSim's `LFUDA` (`cache/eviction/LFUDA.c`) so that miss counts match it
//! exactly; its rules differ from the paper's `K = freq + L` in how a hit counts:
//! - `L` is 0 until the first eviction; each eviction sets it to the evicted object's count;
//! - a new object's count is `L + 1`; a hit adds `L` (not 1) to the count, so before the first
//!   eviction a hit only refreshes the object's place among equal counts;
//! - the victim has the lowest count, the one that reached it first among equals;
//! - when the lowest count empties, `L` moves to the next count that is at most the highest
//!   count any hit has produced (libCacheSim's search bound; when none is, `L` stays where
//!   libCacheSim would then fail, and the lowest count is evicted all the same).
//! - counts saturate at `u64::MAX`: since a hit adds `L`, a hot object's count can double on
//!   every hit once `L` has risen, and a few thousand requests to a small cache overflow 64
//!   bits (libCacheSim's `int64_t` count would then wrap, which C leaves undefined); saturated
//!   objects tie and go oldest first.
//!
//! Sizes do not matter to the order (byte mode evicts until the object fits).

use std::collections::BTreeMap;

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// LFU with dynamic aging.
pub type Lfuda = Resident<LfudaOrder>;

/// LFUDA's ordering: one list per count (newest at the head), and the age `L`. Each entry's
/// meta is its count.
#[derive(Debug, Default)]
pub struct LfudaOrder {
    /// Non-empty lists by count.
    buckets: BTreeMap<u64, List>,
    /// `L`, libCacheSim's `min_freq`.
    age: u64,
    /// The highest count a hit has produced (bounds the search for the next `L`).
    max_hit: u64,
}

impl Lfuda {
    /// An empty LFUDA cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        Resident::with_eviction(capacity, LfudaOrder::default(), super::expected_objects(capacity))
    }
}

impl LfudaOrder {
    /// Unlinks object `id` from the list of its count, dropping the list when it empties;
    /// returns whether it did.
    fn leave(&mut self, nodes: &mut Nodes<u64>, id: NodeId) -> bool {
        let count = nodes.slab.get(id).meta;
        let list = self.buckets.get_mut(&count).expect("every resident object is in its count's list");
        nodes.slab.unlink(list, id);
        let emptied = list.is_empty();
        if emptied {
            self.buckets.remove(&count);
        }
        emptied
    }

    /// Links object `id` as the newest of count `count`.
    fn join(&mut self, nodes: &mut Nodes<u64>, id: NodeId, count: u64) {
        nodes.slab.get_mut(id).meta = count;
        nodes.slab.push_front(self.buckets.entry(count).or_default(), id);
    }

    /// After the list of count `L` emptied: `L` becomes the next count up to `max_hit`.
    fn advance_age(&mut self) {
        if self.max_hit > self.age
            && let Some((&next, _)) = self.buckets.range(self.age + 1..=self.max_hit).next()
        {
            self.age = next;
        }
    }
}

impl Eviction for LfudaOrder {
    type Meta = u64;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "lfuda"
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<u64>, id: NodeId, _: &Access) {
        let old = nodes.slab.get(id).meta;
        let count = old.saturating_add(self.age);
        self.max_hit = self.max_hit.max(count);
        if self.leave(nodes, id) && old == self.age {
            self.advance_age();
        }
        self.join(nodes, id, count);
    }

    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<u64>, id: NodeId, _: &Access) {
        self.join(nodes, id, self.age.saturating_add(1));
    }

    /// The oldest object of the lowest count; `L` becomes that count.
    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<u64>) -> Option<NodeId> {
        let at = self.age.max(1);
        let (&count, list) = match self.buckets.get_key_value(&at) {
            Some(found) => found,
            None => self.buckets.first_key_value()?,
        };
        let id = list.back().expect("lists are never empty");
        self.age = count;
        if self.leave(nodes, id) {
            self.advance_age();
        }
        Some(id)
    }

    fn on_remove(&mut self, nodes: &mut Nodes<u64>, id: NodeId) {
        let count = nodes.slab.get(id).meta;
        if self.leave(nodes, id) && count == self.age {
            self.advance_age();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn run(c: &mut Lfuda, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    #[test]
    fn before_the_first_eviction_hits_only_refresh() {
        let mut c = Lfuda::new(Capacity::objects(2));
        // L = 0: hitting 1 moves it behind 2 among count 1, so 2 goes first.
        assert_eq!(run(&mut c, &[1, 2, 1, 3]), vec![2]);
        assert_eq!(c.eviction().age, 1);
    }

    #[test]
    fn hits_add_the_age_and_new_objects_start_above_it() {
        let mut c = Lfuda::new(Capacity::objects(2));
        run(&mut c, &[1, 2, 3]); // evicts 1, L = 1; 3 has count 2
        run(&mut c, &[2]); // 2: 1 + L = 2
        // 4 evicts the count-2 object that reached it first: 3.
        assert_eq!(run(&mut c, &[4]), vec![3]);
        assert_eq!(c.eviction().age, 2);
        // 4 entered at 3; a hit on 2 makes it 2 + 2 = 4; 5 evicts 4.
        assert_eq!(run(&mut c, &[2, 5]), vec![4]);
    }

    #[test]
    fn remove_keeps_lists_consistent() {
        let mut c = Lfuda::new(Capacity::objects(3));
        run(&mut c, &[1, 2, 3, 4]);
        assert!(c.remove(3) && !c.remove(3));
        assert_eq!(run(&mut c, &[5, 6]), vec![2]);
        assert!(c.contains(4) && c.contains(5) && c.contains(6));
    }

    #[test]
    fn counts_saturate_where_hits_would_overflow_them() {
        // Three keys in two slots: every miss evicts the lowest count, raising L to it, and
        // every hit adds L, so counts roughly double per round and pass 2^64 within 200.
        let mut c = Lfuda::new(Capacity::objects(2));
        let keys: Vec<u64> = (0..3000u64).map(|i| (i * i + i / 7) % 3).collect();
        run(&mut c, &keys);
        assert_eq!(c.eviction().max_hit, u64::MAX);
        assert_eq!(c.len(), 2);
    }
}
