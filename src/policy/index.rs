//! Key → node indexes for slab-backed policies, in two layouts chosen per policy at compile
//! time (the policy's [`super::Eviction::Index`]):
//!
//! - [`CompactIndex`] stores only the 4-byte node id and compares keys through the slab, so
//!   the index of a 100k-object cache (plus ghosts) stays in a core's L2 cache. It suits
//!   policies that touch the node on every hit anyway (LRU moves it, CLOCK sets its bit), so
//!   reading the key from the node costs nothing extra.
//! - [`InlineKeys`] stores the key beside the id (16 bytes a slot). It suits policies whose
//!   hits do not touch the node (FIFO): a hit is then answered by the table alone, without
//!   the extra memory access to the slab the compact layout needs to compare keys.

use std::fmt::Debug;
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

/// What one probe of a [`KeyIndex`] found.
pub enum Probe<V> {
    /// The key is indexed, on this node.
    Found(NodeId),
    /// The key is not indexed; the slot its node would take.
    Vacant(V),
}

/// The slot a missing key takes in a [`KeyIndex`]: filling it costs no second probe.
pub trait Vacancy {
    /// Records that node `id` (already holding the probed key) is the key's.
    fn insert(self, id: NodeId);
}

/// Maps keys to the slab nodes that hold them; every operation takes the slab the ids point
/// into (a layout that keeps keys inline ignores it).
pub trait KeyIndex: Debug + Send + Sized {
    /// The slot [`Self::probe`] keeps for a missing key.
    type Slot<'a>: Vacancy
    where
        Self: 'a;

    /// An index with room for `n` keys before it grows.
    fn with_capacity(n: usize) -> Self;

    /// The node holding `key`, if any.
    fn get<T: Keyed>(&self, key: u64, slab: &Slab<T>) -> Option<NodeId>;

    /// Looks `key` up and, when it is missing, keeps the slot a new node for it would take,
    /// so that a find-or-insert costs one hash probe. `slab` is only read during the call.
    fn probe<T: Keyed>(&mut self, key: u64, slab: &Slab<T>) -> Probe<Self::Slot<'_>>;

    /// Records that node `id` (already holding `key`) is `key`'s; `key` must not be indexed.
    fn insert<T: Keyed>(&mut self, key: u64, id: NodeId, slab: &Slab<T>);

    /// Forgets `key`; returns the node it was on.
    fn remove<T: Keyed>(&mut self, key: u64, slab: &Slab<T>) -> Option<NodeId>;

    /// Number of indexed keys.
    #[cfg(test)]
    fn len(&self) -> usize;
}

#[inline]
fn hash(key: u64) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// The compact layout: node ids only, keys compared through the slab.
#[derive(Debug, Default)]
pub struct CompactIndex {
    table: HashTable<NodeId>,
}

/// A missing key's slot in a [`CompactIndex`].
pub struct CompactSlot<'a>(VacantEntry<'a, NodeId>);

impl Vacancy for CompactSlot<'_> {
    #[inline]
    fn insert(self, id: NodeId) {
        self.0.insert(id);
    }
}

impl KeyIndex for CompactIndex {
    type Slot<'a> = CompactSlot<'a>;

    fn with_capacity(n: usize) -> Self {
        CompactIndex { table: HashTable::with_capacity(n) }
    }

    #[inline]
    fn get<T: Keyed>(&self, key: u64, slab: &Slab<T>) -> Option<NodeId> {
        self.table.find(hash(key), |&id| slab.get(id).key() == key).copied()
    }

    #[inline]
    fn probe<T: Keyed>(&mut self, key: u64, slab: &Slab<T>) -> Probe<CompactSlot<'_>> {
        match self.table.entry(hash(key), |&id| slab.get(id).key() == key, |&i| hash(slab.get(i).key())) {
            Entry::Occupied(found) => Probe::Found(*found.get()),
            Entry::Vacant(slot) => Probe::Vacant(CompactSlot(slot)),
        }
    }

    #[inline]
    fn insert<T: Keyed>(&mut self, key: u64, id: NodeId, slab: &Slab<T>) {
        self.table.insert_unique(hash(key), id, |&i| hash(slab.get(i).key()));
    }

    #[inline]
    fn remove<T: Keyed>(&mut self, key: u64, slab: &Slab<T>) -> Option<NodeId> {
        match self.table.find_entry(hash(key), |&id| slab.get(id).key() == key) {
            Ok(entry) => Some(entry.remove().0),
            Err(_) => None,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

/// The inline layout: each slot holds the key and its node id.
#[derive(Debug, Default)]
pub struct InlineKeys {
    table: HashTable<(u64, NodeId)>,
}

/// A missing key's slot in an [`InlineKeys`] index, with the key it is for.
pub struct InlineSlot<'a> {
    slot: VacantEntry<'a, (u64, NodeId)>,
    key: u64,
}

impl Vacancy for InlineSlot<'_> {
    #[inline]
    fn insert(self, id: NodeId) {
        self.slot.insert((self.key, id));
    }
}

impl KeyIndex for InlineKeys {
    type Slot<'a> = InlineSlot<'a>;

    fn with_capacity(n: usize) -> Self {
        InlineKeys { table: HashTable::with_capacity(n) }
    }

    #[inline]
    fn get<T: Keyed>(&self, key: u64, _: &Slab<T>) -> Option<NodeId> {
        self.table.find(hash(key), |&(k, _)| k == key).map(|&(_, id)| id)
    }

    #[inline]
    fn probe<T: Keyed>(&mut self, key: u64, _: &Slab<T>) -> Probe<InlineSlot<'_>> {
        match self.table.entry(hash(key), |&(k, _)| k == key, |&(k, _)| hash(k)) {
            Entry::Occupied(found) => Probe::Found(found.get().1),
            Entry::Vacant(slot) => Probe::Vacant(InlineSlot { slot, key }),
        }
    }

    #[inline]
    fn insert<T: Keyed>(&mut self, key: u64, id: NodeId, _: &Slab<T>) {
        self.table.insert_unique(hash(key), (key, id), |&(k, _)| hash(k));
    }

    #[inline]
    fn remove<T: Keyed>(&mut self, key: u64, _: &Slab<T>) -> Option<NodeId> {
        match self.table.find_entry(hash(key), |&(k, _)| k == key) {
            Ok(entry) => Some(entry.remove().0.1),
            Err(_) => None,
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
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

    fn insert_get_remove_through_the_slab<I: KeyIndex>() {
        let mut slab = Slab::default();
        let mut index = I::with_capacity(0);
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

    fn probe_finds_or_fills_the_slot_in_one_go<I: KeyIndex>() {
        let mut slab = Slab::default();
        let mut index = I::with_capacity(0);
        for k in 0..1_000u64 {
            match index.probe(k, &slab) {
                Probe::Found(_) => panic!("{k} is not indexed yet"),
                Probe::Vacant(slot) => slot.insert(slab.alloc(k)),
            }
        }
        assert!(matches!(index.probe(500, &slab), Probe::Found(id) if *slab.get(id) == 500));
        assert_eq!(index.get(999, &slab).map(|id| *slab.get(id)), Some(999));
        assert_eq!(index.len(), 1_000);
    }

    #[test]
    fn compact_index_finds_what_it_holds() {
        insert_get_remove_through_the_slab::<CompactIndex>();
        probe_finds_or_fills_the_slot_in_one_go::<CompactIndex>();
    }

    #[test]
    fn inline_keys_find_what_they_hold() {
        insert_get_remove_through_the_slab::<InlineKeys>();
        probe_finds_or_fills_the_slot_in_one_go::<InlineKeys>();
    }
}
