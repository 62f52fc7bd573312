//! One queue of resident objects in arrival order, evicted from the oldest end: the ordering
//! LRU and FIFO share. They differ only in what a hit does: LRU moves the object to the new
//! end, FIFO leaves it where it is.

use std::marker::PhantomData;

use super::index::KeyIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, NodesOf};
use super::{Access, Capacity, Resident};

/// Queue ordering: on a miss the object enters at the new end and the oldest objects leave
/// until it fits; on a hit it moves to the new end only when `PROMOTE_ON_HIT` (LRU), not
/// otherwise (FIFO). `I` is the index layout: LRU touches the node on every hit, so the
/// compact index costs it nothing, while FIFO's hits are answered by an index that keeps the
/// keys inline. Use it through [`super::Lru`] and [`super::Fifo`].
#[derive(Debug)]
pub struct QueueOrder<const PROMOTE_ON_HIT: bool, I> {
    queue: List,
    layout: PhantomData<fn() -> I>,
}

impl<const PROMOTE_ON_HIT: bool, I> Default for QueueOrder<PROMOTE_ON_HIT, I> {
    fn default() -> Self {
        QueueOrder { queue: List::default(), layout: PhantomData }
    }
}

impl<const PROMOTE_ON_HIT: bool, I: KeyIndex> Resident<QueueOrder<PROMOTE_ON_HIT, I>> {
    /// An empty cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        Resident::with_eviction(capacity, QueueOrder::default(), super::expected_objects(capacity))
    }
}

impl<const PROMOTE_ON_HIT: bool, I: KeyIndex> Eviction for QueueOrder<PROMOTE_ON_HIT, I> {
    type Meta = ();
    type Index = I;

    fn name(&self) -> &'static str {
        if PROMOTE_ON_HIT { "lru" } else { "fifo" }
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, _: &Access) {
        if PROMOTE_ON_HIT {
            nodes.slab.move_to_front(&mut self.queue, id);
        }
    }

    #[inline]
    fn on_insert(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, _: &Access) {
        nodes.slab.push_front(&mut self.queue, id);
    }

    #[inline]
    fn victim(&mut self, nodes: &mut NodesOf<Self>) -> Option<NodeId> {
        nodes.slab.pop_back(&mut self.queue)
    }

    fn on_remove(&mut self, nodes: &mut NodesOf<Self>, id: NodeId) {
        nodes.slab.unlink(&mut self.queue, id);
    }
}
