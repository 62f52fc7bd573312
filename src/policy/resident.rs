//! The skeleton every slab-backed policy shares: [`Resident`] owns the key index, the slab of
//! entries, the capacity and what is in use, and runs each access as libCacheSim's
//! `cache_get_base` does: lookup, then on a hit the policy's hit hook; on a miss admission
//! (the object must fit the capacity and the policy may narrow that), eviction of the
//! policy's victims until the object fits, and insertion. An ordering policy supplies only
//! the hooks of [`Eviction`]: what a hit, an insertion and a removal do to its lists, and
//! which object goes next.
//!
//! Policies that remember evicted keys (S3-FIFO's ghost FIFO) keep those ghost entries in the
//! same index and slab, so a request still costs one hash probe; [`Eviction::is_ghost`] tells
//! them apart and a miss on a ghost reuses its entry.

use std::fmt::Debug;

use super::index::{CompactIndex, KeyIndex, Keyed, Probe, Vacancy};
use super::list::{NodeId, Slab};
use super::{Access, Capacity, Policy};

/// One object (or ghost) as a [`Resident`] cache stores it.
#[derive(Debug, Clone, Copy)]
pub struct Entry<M> {
    /// Object id.
    pub key: u64,
    /// Size in bytes when the object was last admitted.
    pub size: u32,
    /// The ordering policy's state for this object (a counter, a bit, its queue...).
    pub meta: M,
}

impl<M> Keyed for Entry<M> {
    #[inline]
    fn key(&self) -> u64 {
        self.key
    }
}

/// The key index (in layout `I`, see [`super::index`]) and the slab of entries it points
/// into; an ordering policy threads its lists through `slab`.
#[derive(Debug)]
pub struct Nodes<M, I = CompactIndex> {
    index: I,
    /// The entries, resident and ghost.
    pub slab: Slab<Entry<M>>,
}

impl<M, I: KeyIndex> Nodes<M, I> {
    /// Empty, with room for `n` entries before anything grows.
    pub fn with_capacity(n: usize) -> Self {
        Nodes { index: I::with_capacity(n), slab: Slab::with_capacity(n) }
    }

    /// The entry holding `key` (resident or ghost), if any.
    #[inline]
    pub fn find(&self, key: u64) -> Option<NodeId> {
        self.index.get(key, &self.slab)
    }

    /// Stores `entry` and indexes it under its key, which must not be indexed yet.
    #[inline]
    pub fn add(&mut self, entry: Entry<M>) -> NodeId {
        let key = entry.key;
        let id = self.slab.alloc(entry);
        self.index.insert(key, id, &self.slab);
        id
    }

    /// Drops entry `id`, which must be in no list, from the index and the slab.
    #[inline]
    pub fn forget(&mut self, id: NodeId) {
        let key = self.slab.get(id).key;
        self.index.remove(key, &self.slab);
        self.slab.release(id);
    }

    /// Number of entries, ghosts included.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.index.len()
    }
}

/// The entries and index of the policy `E`.
pub type NodesOf<E> = Nodes<<E as Eviction>::Meta, <E as Eviction>::Index>;

/// The hooks an ordering policy gives [`Resident`]. Every hook gets the shared [`Nodes`]; the
/// policy owns its lists and counters. Hooks are called through generics, so they inline into
/// [`Resident`]'s access path.
pub trait Eviction: Debug + Send {
    /// Per-object state kept in each [`Entry`]; a new entry starts at `Default::default()`.
    type Meta: Copy + Default + Debug + Send;

    /// The index layout: [`CompactIndex`] unless hits leave the node untouched (then
    /// [`super::index::InlineKeys`] answers them without reading the slab).
    type Index: KeyIndex;

    /// The policy's short stable name, e.g. `"lru"`.
    fn name(&self) -> &'static str;

    /// Sees every access first, before the lookup (a policy with a clock of its own, such as
    /// the Redis models, reads the time here). Nothing by default.
    #[inline]
    fn on_access(&mut self, _access: &Access) {}

    /// Whether a missed object of `cost` (in the capacity's unit) may enter, beyond fitting
    /// the whole capacity, which [`Resident`] checks first. Everything fits by default.
    #[inline]
    fn admit(&self, _cost: u64) -> bool {
        true
    }

    /// A hit on resident entry `id`.
    fn on_hit(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, access: &Access);

    /// Links admitted entry `id` into the policy's lists, once room has been made for it. The
    /// entry is new (meta at its default) or a revived ghost (meta as [`Self::on_ghost_hit`]
    /// left it).
    fn on_insert(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, access: &Access);

    /// Chooses the next object to evict, unlinks it from the policy's lists and returns it, or
    /// `None` when nothing is resident. [`Resident`] then reports it and calls
    /// [`Self::on_evict`].
    fn victim(&mut self, nodes: &mut NodesOf<Self>) -> Option<NodeId>;

    /// Unlinks resident entry `id`, which is being removed (an invalidation); [`Resident`]
    /// forgets it afterwards.
    fn on_remove(&mut self, nodes: &mut NodesOf<Self>, id: NodeId);

    /// What becomes of an evicted entry (already unlinked by [`Self::victim`]): forgotten by
    /// default; a policy with ghosts may keep it as one.
    #[inline]
    fn on_evict(&mut self, nodes: &mut NodesOf<Self>, id: NodeId) {
        nodes.forget(id);
    }

    /// Whether an entry is a ghost (an evicted key the policy remembers, holding no data).
    /// Never, by default.
    #[inline]
    fn is_ghost(_meta: &Self::Meta) -> bool {
        false
    }

    /// A miss on ghost entry `id`: take it off the ghost structures and set its meta for
    /// [`Self::on_insert`]; it is forgotten instead if the object is not admitted.
    #[inline]
    fn on_ghost_hit(&mut self, _nodes: &mut NodesOf<Self>, _id: NodeId) {}

    /// An object to evict although the whole cache is within its capacity, because one of the
    /// policy's own segments is over its bound (SLRU's lowest segment after a promotion, 2Q's
    /// Am after a revived ghost enters it); unlinked, as from [`Self::victim`]. Asked after
    /// every hit and insertion until `None`, which it always is by default.
    #[inline]
    fn overflow(&mut self, _nodes: &mut NodesOf<Self>) -> Option<NodeId> {
        None
    }
}

/// A cache run by the shared skeleton with the ordering policy `E`: the policy types
/// ([`super::Lru`], [`super::Fifo`], [`super::Clock`], [`super::Sieve`], [`super::Lfu`],
/// [`super::S3Fifo`], [`super::Belady`]) are this type with their hooks.
#[derive(Debug)]
pub struct Resident<E: Eviction> {
    capacity: Capacity,
    used: u64,
    len: usize,
    nodes: NodesOf<E>,
    eviction: E,
}

impl<E: Eviction> Resident<E> {
    /// An empty cache of `capacity` ordered by `eviction`, with room for `entries` entries
    /// (ghosts included) before the index or the slab grows.
    pub fn with_eviction(capacity: Capacity, eviction: E, entries: usize) -> Self {
        Resident { capacity, used: 0, len: 0, nodes: Nodes::with_capacity(entries), eviction }
    }

    /// Whether a missed object of `cost` may enter (fields apart, so that it can be asked
    /// while the index is borrowed).
    #[inline]
    fn admits(capacity: Capacity, eviction: &E, cost: u64) -> bool {
        cost <= capacity.value && eviction.admit(cost)
    }

    /// Accounts for and reports the unlinked victim `id`, then lets the policy keep or forget
    /// it.
    #[inline]
    fn evict(&mut self, id: NodeId, evicted: &mut Vec<u64>) {
        let Entry { key, size, .. } = *self.nodes.slab.get(id);
        self.used -= self.capacity.charge(size);
        self.len -= 1;
        evicted.push(key);
        self.eviction.on_evict(&mut self.nodes, id);
    }

    /// Evicts what [`Eviction::overflow`] names.
    #[inline]
    fn evict_overflow(&mut self, evicted: &mut Vec<u64>) {
        while let Some(id) = self.eviction.overflow(&mut self.nodes) {
            self.evict(id, evicted);
        }
    }

    /// The ordering policy's own state.
    #[cfg(test)]
    pub(super) fn eviction(&self) -> &E {
        &self.eviction
    }

    /// The index and the slab.
    #[cfg(test)]
    pub(super) fn nodes(&self) -> &NodesOf<E> {
        &self.nodes
    }
}

impl<E: Eviction> Policy for Resident<E> {
    fn name(&self) -> &str {
        self.eviction.name()
    }

    #[inline]
    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        self.eviction.on_access(a);
        let cost = self.capacity.charge(a.size);
        // One hash probe for the lookup and the insert: a new entry enters the index now and
        // the policy's lists after the evictions (victims are other keys), as libCacheSim
        // orders them.
        let probed = match self.nodes.index.probe(a.key, &self.nodes.slab) {
            Probe::Found(id) => Err(id),
            Probe::Vacant(slot) => {
                if !Self::admits(self.capacity, &self.eviction, cost) {
                    return false;
                }
                let id = self.nodes.slab.alloc(Entry { key: a.key, size: a.size, meta: E::Meta::default() });
                slot.insert(id);
                Ok(id)
            }
        };
        let id = match probed {
            Ok(new) => new,
            Err(id) => {
                if !E::is_ghost(&self.nodes.slab.get(id).meta) {
                    self.eviction.on_hit(&mut self.nodes, id, a);
                    self.evict_overflow(evicted);
                    return true;
                }
                self.eviction.on_ghost_hit(&mut self.nodes, id);
                if !Self::admits(self.capacity, &self.eviction, cost) {
                    self.nodes.forget(id);
                    return false;
                }
                // The size may have changed since the object was evicted.
                self.nodes.slab.get_mut(id).size = a.size;
                id
            }
        };
        while self.used + cost > self.capacity.value {
            let Some(victim) = self.eviction.victim(&mut self.nodes) else {
                break;
            };
            self.evict(victim, evicted);
        }
        self.eviction.on_insert(&mut self.nodes, id, a);
        self.used += cost;
        self.len += 1;
        self.evict_overflow(evicted);
        false
    }

    fn contains(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|id| !E::is_ghost(&self.nodes.slab.get(id).meta))
    }

    /// Drops `key` if resident; a ghost entry for it stays (and `false` is returned).
    fn remove(&mut self, key: u64) -> bool {
        let Some(id) = self.nodes.find(key) else {
            return false;
        };
        let Entry { size, meta, .. } = *self.nodes.slab.get(id);
        if E::is_ghost(&meta) {
            return false;
        }
        self.eviction.on_remove(&mut self.nodes, id);
        self.nodes.forget(id);
        self.used -= self.capacity.charge(size);
        self.len -= 1;
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
