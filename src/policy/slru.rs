//! SLRU, segmented LRU: the cache is split into equal LRU segments; a hit moves an object up
//! one segment, and a segment over its share pushes its least recently used objects down one
//! segment, out of the cache from the lowest. R. Karedla, J. S. Love, B. G. Wherry, "Caching
//! Strategies to Improve Disk System Performance", IEEE Computer 27(3), 1994 (two segments);
//! libCacheSim generalises it to `n` segments, 4 by default.
//!
//! This follows libCacheSim's `SLRU` (`cache/eviction/SLRU.c`) so that miss counts match it
//! exactly:
//! - each segment holds `floor(capacity / segments)` (in the capacity's unit);
//! - a new object enters the lowest segment with room for it, segment 0 when none has (which
//!   may then hold more than its share until a demotion into it evicts);
//! - a hit in the top segment moves the object to its head; elsewhere the object moves to the
//!   head of the next segment, whose tail objects then move down while it is over its share,
//!   cascading down; objects pushed below segment 0 are evicted;
//! - to make room, the tail of the lowest non-empty segment is evicted;
//! - objects larger than one segment are not admitted.

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// libCacheSim's default number of segments.
pub const DEFAULT_SEGMENTS: u8 = 4;
/// The most segments a cache may have (libCacheSim's `SLRU_MAX_N_SEG`).
pub const MAX_SEGMENTS: u8 = 16;

/// Segmented LRU eviction.
pub type Slru = Resident<SlruOrder>;

/// SLRU's ordering: the segments (0 lowest), what each holds, and whether a demotion into
/// segment 0 is waiting to evict. Each entry's meta is its segment.
#[derive(Debug)]
pub struct SlruOrder {
    capacity: Capacity,
    segments: Vec<List>,
    used: Vec<u64>,
    /// Share of each segment.
    share: u64,
    /// A hit demoted objects into segment 0: it evicts until within its share.
    cooled_into_lowest: bool,
}

impl Slru {
    /// An empty SLRU cache of `segments` (1..=[`MAX_SEGMENTS`]) equal segments.
    pub fn new(capacity: Capacity, segments: u8) -> Self {
        let n = usize::from(segments.clamp(1, MAX_SEGMENTS));
        let order = SlruOrder {
            capacity,
            segments: vec![List::default(); n],
            used: vec![0; n],
            share: capacity.value / n as u64,
            cooled_into_lowest: false,
        };
        Resident::with_eviction(capacity, order, super::expected_objects(capacity))
    }
}

impl SlruOrder {
    /// Moves unlinked object `id` to the head of segment `seg`.
    #[inline]
    fn enter(&mut self, nodes: &mut Nodes<u8>, id: NodeId, seg: usize) {
        let e = nodes.slab.get_mut(id);
        e.meta = seg as u8;
        self.used[seg] += self.capacity.charge(e.size);
        nodes.slab.push_front(&mut self.segments[seg], id);
    }

    /// Unlinks object `id` from its segment.
    #[inline]
    fn leave(&mut self, nodes: &mut Nodes<u8>, id: NodeId) {
        let e = *nodes.slab.get(id);
        let seg = usize::from(e.meta);
        self.used[seg] -= self.capacity.charge(e.size);
        nodes.slab.unlink(&mut self.segments[seg], id);
    }

    /// Moves the tail of segment `seg` (> 0) down one segment, cascading while the segment
    /// below is over its share; a demotion into segment 0 leaves the evictions to
    /// [`Eviction::overflow`].
    fn cool(&mut self, nodes: &mut Nodes<u8>, seg: usize) {
        let Some(id) = self.segments[seg].back() else { return };
        self.leave(nodes, id);
        self.enter(nodes, id, seg - 1);
        if seg == 1 {
            self.cooled_into_lowest = true;
            return;
        }
        while self.used[seg - 1] > self.share {
            self.cool(nodes, seg - 1);
        }
    }
}

impl Eviction for SlruOrder {
    type Meta = u8;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "slru"
    }

    /// Objects larger than one segment could not be held by any.
    #[inline]
    fn admit(&self, cost: u64) -> bool {
        cost <= self.share
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<u8>, id: NodeId, _: &Access) {
        let seg = usize::from(nodes.slab.get(id).meta);
        let top = self.segments.len() - 1;
        if seg == top {
            nodes.slab.move_to_front(&mut self.segments[top], id);
            return;
        }
        self.leave(nodes, id);
        self.enter(nodes, id, seg + 1);
        while self.used[seg + 1] > self.share {
            self.cool(nodes, seg + 1);
        }
    }

    /// Into the lowest segment with room, else segment 0.
    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<u8>, id: NodeId, _: &Access) {
        let cost = self.capacity.charge(nodes.slab.get(id).size);
        let seg = self.used.iter().position(|&u| u + cost <= self.share).unwrap_or(0);
        self.enter(nodes, id, seg);
    }

    /// The tail of the lowest non-empty segment.
    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<u8>) -> Option<NodeId> {
        let seg = self.segments.iter().position(|s| !s.is_empty())?;
        let id = self.segments[seg].back()?;
        self.leave(nodes, id);
        Some(id)
    }

    fn on_remove(&mut self, nodes: &mut Nodes<u8>, id: NodeId) {
        self.leave(nodes, id);
    }

    /// After a demotion into segment 0, its tail while it is over its share.
    #[inline]
    fn overflow(&mut self, nodes: &mut Nodes<u8>) -> Option<NodeId> {
        if self.cooled_into_lowest && self.used[0] > self.share {
            return self.victim(nodes);
        }
        self.cooled_into_lowest = false;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn run(c: &mut Slru, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    fn segment_of(c: &Slru, key: u64) -> u8 {
        c.nodes().slab.get(c.nodes().find(key).unwrap()).meta
    }

    #[test]
    fn new_objects_fill_the_lowest_segment_with_room_and_hits_climb() {
        let mut c = Slru::new(Capacity::objects(8), 4);
        run(&mut c, &[1, 2, 3]);
        // Segment 0 holds 2: the third object goes to segment 1.
        assert_eq!((segment_of(&c, 1), segment_of(&c, 3)), (0, 1));
        run(&mut c, &[1, 1, 1, 1]);
        assert_eq!(segment_of(&c, 1), 3);
    }

    #[test]
    fn promotions_push_tails_down_and_out_of_the_lowest_segment() {
        // 4 segments of 1 object; 5 objects do not fit any more than 4 at once.
        let mut c = Slru::new(Capacity::objects(5), 4);
        run(&mut c, &[1, 2, 3, 4]);
        // 5: total 4 + 1 <= 5, no segment has room: segment 0 holds 1 and 5.
        assert_eq!(run(&mut c, &[5]), Vec::<u64>::new());
        assert_eq!(c.eviction().used, vec![2, 1, 1, 1]);
        // A hit on 2 (segment 1) moves it to segment 2, whose tail (3) moves down to 1.
        assert_eq!(run(&mut c, &[2]), Vec::<u64>::new());
        assert_eq!(c.eviction().used, vec![2, 1, 1, 1]);
        // A hit on 5 (segment 0) moves it to 1, whose tail (3) moves down into segment 0,
        // now over its share: its tail (1) is evicted.
        assert_eq!(run(&mut c, &[5]), vec![1]);
        assert_eq!((segment_of(&c, 5), segment_of(&c, 3)), (1, 0));
        // A hit on 3 pushes 5 back down; segment 0 is within its share.
        assert_eq!(run(&mut c, &[3]), Vec::<u64>::new());
        assert_eq!(segment_of(&c, 5), 0);
        // 6 fits the cache (4 + 1 <= 5) but no segment: segment 0; 7 evicts segment 0's tail.
        assert_eq!(run(&mut c, &[6]), Vec::<u64>::new());
        assert_eq!(c.eviction().used, vec![2, 1, 1, 1]);
        assert_eq!(run(&mut c, &[7]), vec![5]);
    }

    #[test]
    fn a_demotion_into_a_full_lowest_segment_evicts() {
        let mut c = Slru::new(Capacity::objects(4), 2);
        run(&mut c, &[1, 2, 3, 4]); // segment 0: 2, 1; segment 1: 4, 3
        run(&mut c, &[3, 4]); // top hits: 4, 3 in segment 1
        // 6 needs room: evicts 1 (tail of segment 0); 6 enters segment 0.
        assert_eq!(run(&mut c, &[6]), vec![1]);
        // A hit on 2 moves it up; segment 1 holds 3 > 2: its tail (3) moves down into
        // segment 0, which holds 6 and 3, within its share.
        assert_eq!(run(&mut c, &[2]), Vec::<u64>::new());
        assert_eq!(segment_of(&c, 3), 0);
        // A hit on 6 moves it up and pushes 4 down: still 2 in segment 0.
        assert_eq!(run(&mut c, &[6]), Vec::<u64>::new());
        assert_eq!(c.len(), 4);
    }
}
