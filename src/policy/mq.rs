//! MQ, the multi-queue policy: `m` LRU queues ordered by access frequency, an object with `f`
//! accesses living in queue `min(floor(log2 f), m - 1)`; an object not accessed for `lifetime`
//! (logical time) drops one queue, and evicted keys keep their frequency in a FIFO history
//! (Qout) so that an object coming back resumes where it was. Y. Zhou, J. Philbin, K. Li, "The
//! Multi-Queue Replacement Algorithm for Second Level Buffer Caches", USENIX ATC 2001.
//!
//! This follows libCacheSim's `MQ` (`libCacheSim/cache/eviction/MQ.c`, in its Python binding
//! from 0.3.5 on) so that miss counts match it exactly:
//! - defaults: 8 queues, lifetime 10,000, Qout as large as 4 times the cache
//!   (`n-queue=8,lifetime=10000,Qout-size-ratio=4.00`); Qout's size is in the capacity's unit
//!   (`floor(capacity x qout_ratio)`), so in byte mode a remembered key charges its size;
//! - logical time advances by one on every hit and every insertion (not on a miss whose object
//!   is too large to admit); an object's expiry is the time of its last access (before that
//!   step) plus `lifetime`;
//! - a hit adds one to the frequency (capped at `i32::MAX`) and moves the object to the head
//!   of the queue that frequency maps to, even a lower one than its current queue;
//! - a new object gets frequency 1, or one more than Qout remembers for its key (which leaves
//!   Qout on that miss, admitted or not);
//! - after each hit and insertion, the paper's Adjust: for queues 1 to `m - 1` in that order,
//!   the tail object, if its expiry is before the (advanced) time, moves to the head of the
//!   queue below with a fresh expiry; at most one object per queue per step;
//! - the victim is the tail of the lowest non-empty queue; its key and frequency enter Qout's
//!   head, Qout forgetting its oldest keys until the new one fits (a key larger than Qout is
//!   not remembered);
//! - objects larger than the cache are not admitted.

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// libCacheSim's default number of queues.
pub const DEFAULT_QUEUES: u8 = 8;
/// The most queues a cache may have (libCacheSim's `MQ_MAX_N_QUEUE`).
pub const MAX_QUEUES: u8 = 64;
/// libCacheSim's default lifetime, in steps of logical time (hits and insertions).
pub const DEFAULT_LIFETIME: u64 = 10_000;
/// libCacheSim's default size of Qout, as a multiple of the capacity.
pub const DEFAULT_QOUT_RATIO: f64 = 4.0;
/// The largest Qout libCacheSim allows, as a multiple of the capacity.
pub const MAX_QOUT_RATIO: f64 = 64.0;

/// The largest frequency an object counts to (libCacheSim's `int32_t` counter).
const MAX_FREQ: u32 = i32::MAX as u32;

/// The queue number of a key remembered in Qout (no longer resident).
const IN_QOUT: u8 = u8::MAX;

/// Per-object state: frequency, queue and expiry.
#[derive(Debug, Clone, Copy, Default)]
pub struct MqMeta {
    /// Accesses counted, history included (0 until first inserted).
    freq: u32,
    /// Queue the object is in, or [`IN_QOUT`].
    queue: u8,
    /// Logical time after which the object, at the tail of its queue, drops one queue.
    expire: u64,
}

/// Multi-queue eviction.
pub type Mq = Resident<MqOrder>;

/// MQ's ordering: the queues (0 lowest), logical time, and the Qout history.
#[derive(Debug)]
pub struct MqOrder {
    capacity: Capacity,
    queues: Vec<List>,
    lifetime: u64,
    /// Logical time: hits and insertions so far.
    now: u64,
    qout: List,
    qout_cap: u64,
    qout_used: u64,
}

impl Mq {
    /// An empty MQ cache of `queues` (1..=[`MAX_QUEUES`]) queues whose objects drop one
    /// queue after `lifetime` (at least 1) steps without an access, remembering evicted keys
    /// in a Qout of `qout_ratio` times the capacity.
    pub fn new(capacity: Capacity, queues: u8, lifetime: u64, qout_ratio: f64) -> Self {
        let order = MqOrder {
            capacity,
            queues: vec![List::default(); usize::from(queues.clamp(1, MAX_QUEUES))],
            lifetime: lifetime.max(1),
            now: 0,
            qout: List::default(),
            qout_cap: (capacity.value as f64 * qout_ratio) as u64,
            qout_used: 0,
        };
        // Resident entries and, to start with, as many of Qout's keys.
        let n = super::expected_objects(capacity);
        Resident::with_eviction(capacity, order, n.saturating_mul(2))
    }

    /// An MQ cache with libCacheSim's defaults.
    pub fn with_defaults(capacity: Capacity) -> Self {
        Self::new(capacity, DEFAULT_QUEUES, DEFAULT_LIFETIME, DEFAULT_QOUT_RATIO)
    }
}

impl MqOrder {
    /// The queue an object with `freq` accesses belongs to: `min(floor(log2 freq), m - 1)`.
    #[inline]
    fn queue_for(&self, freq: u32) -> usize {
        let log2 = if freq <= 1 { 0 } else { (u32::BITS - 1 - freq.leading_zeros()) as usize };
        log2.min(self.queues.len() - 1)
    }

    /// Links unlinked object `id` at the head of `queue` with a fresh expiry.
    #[inline]
    fn enter(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId, queue: usize) {
        let meta = &mut nodes.slab.get_mut(id).meta;
        meta.queue = queue as u8;
        meta.expire = self.now.saturating_add(self.lifetime);
        nodes.slab.push_front(&mut self.queues[queue], id);
    }

    /// Unlinks object `id` from its queue.
    #[inline]
    fn leave(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId) {
        let queue = usize::from(nodes.slab.get(id).meta.queue);
        nodes.slab.unlink(&mut self.queues[queue], id);
    }

    /// The paper's Adjust: time advances one step, and the tail of each queue above the lowest
    /// that has expired drops to the head of the queue below.
    #[inline]
    fn adjust(&mut self, nodes: &mut Nodes<MqMeta>) {
        self.now += 1;
        for queue in 1..self.queues.len() {
            let Some(tail) = self.queues[queue].back() else { continue };
            if nodes.slab.get(tail).meta.expire < self.now {
                nodes.slab.unlink(&mut self.queues[queue], tail);
                self.enter(nodes, tail, queue - 1);
            }
        }
    }
}

impl Eviction for MqOrder {
    type Meta = MqMeta;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "mq"
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId, _: &Access) {
        self.leave(nodes, id);
        let meta = &mut nodes.slab.get_mut(id).meta;
        meta.freq = (meta.freq + 1).min(MAX_FREQ);
        let queue = self.queue_for(meta.freq);
        self.enter(nodes, id, queue);
        self.adjust(nodes);
    }

    /// One access more than the entry counted: 1 for a new object, Qout's count + 1 for a
    /// remembered one.
    #[inline]
    fn on_insert(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId, _: &Access) {
        let meta = &mut nodes.slab.get_mut(id).meta;
        meta.freq = (meta.freq + 1).min(MAX_FREQ);
        let queue = self.queue_for(meta.freq);
        self.enter(nodes, id, queue);
        self.adjust(nodes);
    }

    /// The tail of the lowest non-empty queue.
    #[inline]
    fn victim(&mut self, nodes: &mut Nodes<MqMeta>) -> Option<NodeId> {
        let queue = self.queues.iter().position(|q| !q.is_empty())?;
        nodes.slab.pop_back(&mut self.queues[queue])
    }

    /// The victim's key and frequency enter Qout, which forgets its oldest keys to make room.
    #[inline]
    fn on_evict(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId) {
        let cost = self.capacity.charge(nodes.slab.get(id).size);
        if cost > self.qout_cap {
            nodes.forget(id);
            return;
        }
        while self.qout_used + cost > self.qout_cap {
            let Some(old) = nodes.slab.pop_back(&mut self.qout) else { break };
            self.qout_used -= self.capacity.charge(nodes.slab.get(old).size);
            nodes.forget(old);
        }
        nodes.slab.get_mut(id).meta.queue = IN_QOUT;
        nodes.slab.push_front(&mut self.qout, id);
        self.qout_used += cost;
    }

    fn on_remove(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId) {
        self.leave(nodes, id);
    }

    #[inline]
    fn is_ghost(meta: &MqMeta) -> bool {
        meta.queue == IN_QOUT
    }

    /// The key leaves Qout keeping its frequency, which [`Eviction::on_insert`] counts on.
    #[inline]
    fn on_ghost_hit(&mut self, nodes: &mut Nodes<MqMeta>, id: NodeId) {
        self.qout_used -= self.capacity.charge(nodes.slab.get(id).size);
        nodes.slab.unlink(&mut self.qout, id);
        nodes.slab.get_mut(id).meta.queue = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn run(c: &mut Mq, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    fn meta_of(c: &Mq, key: u64) -> MqMeta {
        c.nodes().slab.get(c.nodes().find(key).unwrap()).meta
    }

    #[test]
    fn frequency_maps_to_queue_by_log2_up_to_the_top() {
        let c = Mq::new(Capacity::objects(4), 3, DEFAULT_LIFETIME, DEFAULT_QOUT_RATIO);
        let queues: Vec<usize> =
            [1, 2, 3, 4, 7, 8, 1 << 20].iter().map(|&f| c.eviction().queue_for(f)).collect();
        assert_eq!(queues, vec![0, 1, 1, 2, 2, 2, 2]);
    }

    #[test]
    fn hits_climb_and_the_lowest_queue_is_evicted_first() {
        let mut c = Mq::with_defaults(Capacity::objects(3));
        run(&mut c, &[1, 2, 3, 1, 1, 1]); // 1 has 4 accesses: queue 2
        assert_eq!((meta_of(&c, 1).freq, meta_of(&c, 1).queue), (4, 2));
        // 2 (queue 0, least recently used there) goes first, then 3, though 1 is older.
        assert_eq!(run(&mut c, &[4, 5]), vec![2, 3]);
        assert_eq!(c.eviction().now, 8);
    }

    #[test]
    fn qout_remembers_frequencies_and_forgets_the_oldest() {
        // Qout holds 2 keys (twice the capacity of 1).
        let mut c = Mq::new(Capacity::objects(1), 8, DEFAULT_LIFETIME, 2.0);
        // 1 (3 accesses, queue 1) is the only resident object: it goes for 2.
        assert_eq!(run(&mut c, &[1, 1, 1, 2]), vec![1]);
        // 1 comes back with 3 + 1 accesses: queue 2.
        assert_eq!(run(&mut c, &[1]), vec![2]);
        assert_eq!((meta_of(&c, 1).freq, meta_of(&c, 1).queue), (4, 2));
        // Qout: 1 (evicted for 3), then 3 (for 4) pushes 2 out.
        assert_eq!(run(&mut c, &[3, 4]), vec![1, 3]);
        assert!(c.nodes().find(2).is_none());
        assert_eq!((meta_of(&c, 1).freq, meta_of(&c, 1).queue), (4, IN_QOUT));
        assert_eq!(c.eviction().qout_used, 2);
    }

    #[test]
    fn expired_tails_drop_one_queue_per_step() {
        let mut c = Mq::new(Capacity::objects(4), 4, 2, DEFAULT_QOUT_RATIO);
        run(&mut c, &[1, 1]); // now 2; 1 in queue 1, expires at 1 + 2 = 3
        run(&mut c, &[2]); // now 3: not yet (3 < 3 is false)
        assert_eq!(meta_of(&c, 1).queue, 1);
        run(&mut c, &[3]); // now 4: 1 drops to queue 0, expiring at 4 + 2 = 6
        let m = meta_of(&c, 1);
        assert_eq!((m.queue, m.freq, m.expire), (0, 2, 6));
        // Its next hit brings it back to the queue of its frequency.
        run(&mut c, &[1]);
        assert_eq!(meta_of(&c, 1).queue, 1);
    }

    #[test]
    fn byte_mode_charges_sizes_in_the_cache_and_in_qout() {
        let mut c = Mq::with_defaults(Capacity::bytes(100));
        let mut ev = Vec::new();
        for (key, size) in [(1, 60), (2, 30), (3, 50)] {
            c.access(&Access { key, size, tick: 0, next_access: NEVER }, &mut ev);
        }
        assert_eq!(ev, vec![1]);
        assert_eq!((c.used(), c.eviction().qout_used), (80, 60));
    }
}
