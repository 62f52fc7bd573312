//! LFU: evict the least frequently used object, in O(1) per access with frequency buckets
//! (Shah, Mitra, Matani, "An O(1) algorithm for implementing the LFU cache eviction scheme",
//! 2010). Semantics of libCacheSim's `LFU`, which this matches exactly: a new object starts at
//! frequency 1, a hit adds 1, the count is forgotten on eviction, and among objects of the
//! lowest frequency the one that reached that frequency first is evicted (FIFO within a
//! bucket; for frequency 1 that is the oldest inserted).

use super::index::CompactIndex;
use super::list::{List, NodeId, Slab};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// The objects of one frequency, newest-in at the head.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    freq: u64,
    objects: List,
}

/// Least-frequently-used eviction.
pub type Lfu = Resident<LfuOrder>;

/// LFU's ordering: frequency buckets, each a list of objects; each entry's meta is the bucket
/// it is in.
#[derive(Debug, Default)]
pub struct LfuOrder {
    /// Non-empty buckets in increasing frequency from the head.
    buckets: List,
    bucket_slab: Slab<Bucket>,
}

impl Lfu {
    /// An empty LFU cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        Resident::with_eviction(capacity, LfuOrder::default(), super::expected_objects(capacity))
    }
}

impl LfuOrder {
    /// Unlinks object `id` from bucket `b`, dropping the bucket when it becomes empty.
    fn leave_bucket(&mut self, nodes: &mut Nodes<NodeId>, b: NodeId, id: NodeId) {
        let bucket = self.bucket_slab.get_mut(b);
        nodes.slab.unlink(&mut bucket.objects, id);
        if bucket.objects.is_empty() {
            self.bucket_slab.unlink(&mut self.buckets, b);
            self.bucket_slab.release(b);
        }
    }

    /// Links object `id` as the newest member of bucket `b`.
    fn join_bucket(&mut self, nodes: &mut Nodes<NodeId>, b: NodeId, id: NodeId) {
        nodes.slab.push_front(&mut self.bucket_slab.get_mut(b).objects, id);
        nodes.slab.get_mut(id).meta = b;
    }
}

impl Eviction for LfuOrder {
    type Meta = NodeId;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "lfu"
    }

    /// Moves the object to the bucket of its frequency plus one.
    fn on_hit(&mut self, nodes: &mut Nodes<NodeId>, id: NodeId, _: &Access) {
        let b = nodes.slab.get(id).meta;
        let freq = self.bucket_slab.get(b).freq + 1;
        let target = match self.bucket_slab.next_older(b) {
            Some(n) if self.bucket_slab.get(n).freq == freq => n,
            _ => {
                let n = self.bucket_slab.alloc(Bucket { freq, objects: List::default() });
                self.bucket_slab.insert_after(&mut self.buckets, b, n);
                n
            }
        };
        self.leave_bucket(nodes, b, id);
        self.join_bucket(nodes, target, id);
    }

    /// A new object joins the frequency-1 bucket.
    fn on_insert(&mut self, nodes: &mut Nodes<NodeId>, id: NodeId, _: &Access) {
        let ones = match self.buckets.front() {
            Some(b) if self.bucket_slab.get(b).freq == 1 => b,
            _ => {
                let b = self.bucket_slab.alloc(Bucket { freq: 1, objects: List::default() });
                self.bucket_slab.push_front(&mut self.buckets, b);
                b
            }
        };
        self.join_bucket(nodes, ones, id);
    }

    /// The object that reached the lowest frequency first.
    fn victim(&mut self, nodes: &mut Nodes<NodeId>) -> Option<NodeId> {
        let b = self.buckets.front()?;
        let id = self.bucket_slab.get(b).objects.back().expect("buckets are never empty");
        self.leave_bucket(nodes, b, id);
        Some(id)
    }

    fn on_remove(&mut self, nodes: &mut Nodes<NodeId>, id: NodeId) {
        let b = nodes.slab.get(id).meta;
        self.leave_bucket(nodes, b, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn run(c: &mut Lfu, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    #[test]
    fn evicts_the_least_frequent_and_forgets_counts() {
        let mut c = Lfu::new(Capacity::objects(2));
        // 1 has frequency 3, 2 has 1: 2 goes.
        assert_eq!(run(&mut c, &[1, 1, 1, 2, 3]), vec![2]);
        // 2 comes back with frequency 1 (its count was forgotten); 3 (freq 1, older) goes.
        assert_eq!(run(&mut c, &[2]), vec![3]);
        assert!(c.contains(1) && c.contains(2));
    }

    #[test]
    fn ties_go_in_the_order_objects_reached_the_frequency() {
        let mut c = Lfu::new(Capacity::objects(3));
        // All reach frequency 2: 2 first, then 3, then 1 (1 was inserted first).
        assert_eq!(run(&mut c, &[1, 2, 3, 2, 3, 1]), Vec::<u64>::new());
        // The new object 4 (freq 1) is the least frequent: it is evicted by 5.
        assert_eq!(run(&mut c, &[4, 5]), vec![2, 4]);
        // Then the next frequency-1 object, 5; then among frequency 2, 3 reached it first.
        assert_eq!(run(&mut c, &[6, 6, 7, 8]), vec![5, 3, 7]);
    }

    #[test]
    fn remove_keeps_buckets_consistent() {
        let mut c = Lfu::new(Capacity::objects(3));
        run(&mut c, &[1, 2, 2, 3, 3, 3]);
        assert!(c.remove(2));
        assert!(!c.remove(2));
        assert_eq!(c.len(), 2);
        // Buckets left: freq 1 {1}, freq 3 {3}. Inserting 4 and 5 evicts 1, then 4.
        assert_eq!(run(&mut c, &[4, 5]), vec![1]);
        assert_eq!(run(&mut c, &[6]), vec![4]);
        assert!(c.contains(3) && c.contains(5) && c.contains(6));
    }
}
