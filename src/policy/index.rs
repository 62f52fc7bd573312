//! A compact key → node index for slab-backed policies. The table stores only the 4-byte node
//! id and compares keys through the slab, so the index of a 100k-object cache (plus ghosts)
//! stays in a core's L2 cache; a `HashMap<u64, NodeId>` is four times larger and turns most
//! lookups into a memory access before the node itself is even read.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use hashbrown::hash_table::{Entry, VacantEntry};
use rustc_hash::FxBuildHasher;

use super::list::{NodeId, Slab};

/// A slab value that knows its key.
pub trait Keyed {
    /// The object id this node stands for.
    fn key(&self) -> u64;
}

/// What one probe of a [`NodeIndex`] found.
pub enum Probe<'a> {
    /// The key is indexed, on this node.
    Found(NodeId),
    /// The key is not indexed; the slot its node would take.
    Vacant(Vacancy<'a>),
}

/// The slot a missing key takes in a [`NodeIndex`]: filling it costs no second probe.
pub struct Vacancy<'a>(VacantEntry<'a, NodeId>);

impl Vacancy<'_> {
    /// Records that node `id` (already holding the probed key) is the key's.
    #[inline]
    pub fn insert(self, id: NodeId) {
        self.0.insert(id);
    }
}

/// Maps keys to the slab nodes that hold them; every operation takes the slab the ids point
/// into.
#[derive(Debug, Default)]
pub struct NodeIndex {
    table: HashTable<NodeId>,
}

#[inline]
fn hash(key: u64) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl NodeIndex {
    /// An index with room for `n` keys before it grows.
    pub fn with_capacity(n: usize) -> Self {
        NodeIndex { table: HashTable::with_capacity(n) }
    }

    /// The node holding `key`, if any.
    #[inline]
    pub fn get<T: Keyed>(&self, key: u64, slab: &Slab<T>) -> Option<NodeId> {
        self.table.find(hash(key), |&id| slab.get(id).key() == key).copied()
    }

    /// Looks `key` up and, when it is missing, keeps the slot a new node for it would take,
    /// so that a find-or-insert costs one hash probe. `slab` is only read during the call.
    #[inline]
    pub fn probe<T: Keyed>(&mut self, key: u64, slab: &Slab<T>) -> Probe<'_> {
        match self.table.entry(hash(key), |&id| slab.get(id).key() == key, |&i| hash(slab.get(i).key())) {
            Entry::Occupied(found) => Probe::Found(*found.get()),
            Entry::Vacant(slot) => Probe::Vacant(Vacancy(slot)),
        }
    }

    /// Records that node `id` (already holding `key`) is `key`'s; `key` must not be indexed.
    #[inline]
    pub fn insert<T: Keyed>(&mut self, key: u64, id: NodeId, slab: &Slab<T>) {
        self.table.insert_unique(hash(key), id, |&i| hash(slab.get(i).key()));
    }

    /// Forgets `key`; returns the node it was on.
    #[inline]
    pub fn remove<T: Keyed>(&mut self, key: u64, slab: &Slab<T>) -> Option<NodeId> {
        match self.table.find_entry(hash(key), |&id| slab.get(id).key() == key) {
            Ok(entry) => Some(entry.remove().0),
            Err(_) => None,
        }
    }

    /// Number of indexed keys.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Keyed for u64 {
        fn key(&self) -> u64 {
            *self
        }
    }

    #[test]
    fn insert_get_remove_through_the_slab() {
        let mut slab = Slab::default();
        let mut index = NodeIndex::default();
        for k in 0..10_000u64 {
            let id = slab.alloc(k * 7);
            index.insert(k * 7, id, &slab);
        }
        assert_eq!(index.len(), 10_000);
        assert_eq!(index.get(70, &slab).map(|id| *slab.get(id)), Some(70));
        assert_eq!(index.get(71, &slab), None);
        let id = index.remove(70, &slab).unwrap();
        assert_eq!(*slab.get(id), 70);
        assert_eq!((index.get(70, &slab), index.remove(70, &slab)), (None, None));
        assert_eq!(index.len(), 9_999);
    }

    #[test]
    fn probe_finds_or_fills_the_slot_in_one_go() {
        let mut slab = Slab::default();
        let mut index = NodeIndex::default();
        for k in 0..1_000u64 {
            match index.probe(k, &slab) {
                Probe::Found(_) => panic!("{k} is not indexed yet"),
                Probe::Vacant(slot) => slot.insert(slab.alloc(k)),
            }
        }
        assert!(matches!(index.probe(500, &slab), Probe::Found(id) if *slab.get(id) == 500));
        assert_eq!(index.len(), 1_000);
    }
}
