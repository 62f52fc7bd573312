//! One queue of resident objects in arrival order, evicted from the oldest end: the ordering
//! LRU and FIFO share. They differ only in what a hit does: LRU moves the object to the new
//! end, FIFO leaves it where it is.

use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// Queue ordering: on a miss the object enters at the new end and the oldest objects leave
/// until it fits; on a hit it moves to the new end only when `PROMOTE_ON_HIT` (LRU), not
/// otherwise (FIFO). Use it through [`super::Lru`] and [`super::Fifo`].
#[derive(Debug, Default)]
pub struct QueueOrder<const PROMOTE_ON_HIT: bool> {
    queue: List,
}

impl<const PROMOTE_ON_HIT: bool> Resident<QueueOrder<PROMOTE_ON_HIT>> {
    /// An empty cache of the given capacity.
    pub fn new(capacity: Capacity) -> Self {
        Resident::with_eviction(capacity, QueueOrder::default(), super::expected_objects(capacity))
    }
}

impl<const PROMOTE_ON_HIT: bool> Eviction for QueueOrder<PROMOTE_ON_HIT> {
    type Meta = ();

    fn name(&self) -> &'static str {
        if PROMOTE_ON_HIT { "lru" } else { "fifo" }
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<()>, id: NodeId, _: &Access) {
        if PROMOTE_ON_HIT {
            nodes.slab.move_to_front(&mut self.queue, id);
        }
    }

    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<()>, id: NodeId, _: &Access) {
        nodes.slab.push_front(&mut self.queue, id);
    }

    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<()>) -> Option<NodeId> {
        nodes.slab.pop_back(&mut self.queue)
    }

    fn on_remove(&mut self, nodes: &mut Nodes<()>, id: NodeId) {
        nodes.slab.unlink(&mut self.queue, id);
    }
}
