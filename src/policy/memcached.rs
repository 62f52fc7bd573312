//! `memcached`: a model of memcached 1.6's segmented LRU (`-o lru_segmented`, the default
//! since 1.5), so that a simulation predicts what a memcached server keeps. Rules from
//! memcached's `items.c` (`do_item_bump`, `lru_pull_tail`, `lru_maintainer_juggle`,
//! `do_item_alloc_pull`; read, not copied) and its `doc/new_lru.txt`:
//!
//! - Three queues, HOT, WARM and COLD. New items enter HOT. Items are never reordered on a
//!   hit: a hit sets FETCHED the first time and ACTIVE (and refreshes the item's time) the
//!   second; in COLD, an item turning ACTIVE is bumped to the head of WARM at once (memcached
//!   queues the bump for its maintainer thread), its time left as it was.
//! - The maintainer ("juggle"), run after every insertion or bump, pulls tails until nothing
//!   moves: HOT's tail, if ACTIVE, loses the flag and moves to WARM; otherwise it moves to COLD
//!   when HOT holds more than `hot_lru_pct` (20) % of what the cache holds or the item is older
//!   than `hot_max_factor` (0.2) times the age of COLD's tail (0 when COLD is empty); otherwise
//!   HOT stays. Only when HOT did not move, WARM's tail likewise: ACTIVE loses the flag and goes
//!   back to WARM's head; otherwise it moves to COLD past `warm_lru_pct` (40) % or
//!   `warm_max_factor` (2.0) times COLD's tail age.
//! - Eviction takes COLD's tail whatever its flags. With COLD empty, HOT's tail is pulled (to
//!   WARM if ACTIVE, else to COLD) and eviction retried; with HOT empty too, WARM's tail is
//!   (a case memcached, which keeps HOT and WARM at their shares, does not reach).
//!
//! Simplifications: one slab class (memcached keeps these queues per slab class of item
//! sizes and moves memory between classes), ages in requests rather than seconds (memcached's
//! clock ticks once a second, the rules compare ratios of ages), and the maintainer runs
//! synchronously. Object mode counts items, byte mode bytes.

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, NodesOf};
use super::{Access, Capacity, Resident};

/// memcached's default `hot_lru_pct`.
pub const DEFAULT_HOT_LRU_PCT: u8 = 20;
/// memcached's default `warm_lru_pct`.
pub const DEFAULT_WARM_LRU_PCT: u8 = 40;
/// memcached's default `hot_max_factor`.
pub const DEFAULT_HOT_MAX_FACTOR: f64 = 0.2;
/// memcached's default `warm_max_factor`.
pub const DEFAULT_WARM_MAX_FACTOR: f64 = 2.0;

/// memcached's bound on juggling rounds per maintainer pass.
const JUGGLE_ROUNDS: usize = 500;

const FETCHED: u8 = 1;
const ACTIVE: u8 = 2;

/// The queues.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Segment {
    #[default]
    Hot,
    Warm,
    Cold,
}

/// Per item: its queue, flags and time (the tick of its insertion or last activation).
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemMeta {
    segment: Segment,
    flags: u8,
    time: u64,
}

/// memcached's tunables (its option names).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemcachedSettings {
    /// `hot_lru_pct`: HOT's share of what is cached, percent.
    pub hot_lru_pct: u8,
    /// `warm_lru_pct`: WARM's share, percent.
    pub warm_lru_pct: u8,
    /// `hot_max_factor`: HOT items older than this times COLD's tail age go to COLD.
    pub hot_max_factor: f64,
    /// `warm_max_factor`: likewise for WARM.
    pub warm_max_factor: f64,
}

impl Default for MemcachedSettings {
    fn default() -> Self {
        MemcachedSettings {
            hot_lru_pct: DEFAULT_HOT_LRU_PCT,
            warm_lru_pct: DEFAULT_WARM_LRU_PCT,
            hot_max_factor: DEFAULT_HOT_MAX_FACTOR,
            warm_max_factor: DEFAULT_WARM_MAX_FACTOR,
        }
    }
}

/// The memcached model.
pub type Memcached = Resident<SegmentedOrder>;

/// The three queues and what each holds (in the capacity's unit).
#[derive(Debug)]
pub struct SegmentedOrder {
    settings: MemcachedSettings,
    capacity: Capacity,
    queues: [List; 3],
    held: [u64; 3],
    now: u64,
}

impl Memcached {
    /// An empty model of `capacity` with `settings`.
    pub fn new(capacity: Capacity, settings: MemcachedSettings) -> Self {
        let order = SegmentedOrder { settings, capacity, queues: Default::default(), held: [0; 3], now: 0 };
        Resident::with_eviction(capacity, order, super::expected_objects(capacity))
    }
}

impl SegmentedOrder {
    fn cost(&self, nodes: &NodesOf<Self>, id: NodeId) -> u64 {
        self.capacity.charge(nodes.slab.get(id).size)
    }

    /// Links `id` at the head of `to`.
    fn link(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, to: Segment) {
        let cost = self.cost(nodes, id);
        nodes.slab.push_front(&mut self.queues[to as usize], id);
        nodes.slab.get_mut(id).meta.segment = to;
        self.held[to as usize] += cost;
    }

    /// Unlinks `id` from its queue.
    fn unlink(&mut self, nodes: &mut NodesOf<Self>, id: NodeId) {
        let cost = self.cost(nodes, id);
        let from = nodes.slab.get(id).meta.segment as usize;
        nodes.slab.unlink(&mut self.queues[from], id);
        self.held[from] -= cost;
    }

    fn relink(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, to: Segment) {
        self.unlink(nodes, id);
        self.link(nodes, id, to);
    }

    /// One `lru_pull_tail` of HOT or WARM: whether an item moved.
    fn pull(&mut self, nodes: &mut NodesOf<Self>, from: Segment, limit: u64, max_age: u64) -> bool {
        let Some(id) = self.queues[from as usize].back() else {
            return false;
        };
        let meta = nodes.slab.get(id).meta;
        if meta.flags & ACTIVE != 0 {
            nodes.slab.get_mut(id).meta.flags &= !ACTIVE;
            self.relink(nodes, id, Segment::Warm);
            true
        } else if self.held[from as usize] > limit || self.now.saturating_sub(meta.time) > max_age {
            self.relink(nodes, id, Segment::Cold);
            true
        } else {
            false
        }
    }

    /// The maintainer's pass: HOT and WARM pulled back within their shares and ages.
    fn juggle(&mut self, nodes: &mut NodesOf<Self>) {
        let total: u64 = self.held.iter().sum();
        let cold_age = self.queues[Segment::Cold as usize]
            .back()
            .map_or(0, |id| self.now.saturating_sub(nodes.slab.get(id).meta.time));
        let s = self.settings;
        let hot = (total * u64::from(s.hot_lru_pct) / 100, (cold_age as f64 * s.hot_max_factor) as u64);
        let warm = (total * u64::from(s.warm_lru_pct) / 100, (cold_age as f64 * s.warm_max_factor) as u64);
        for _ in 0..JUGGLE_ROUNDS {
            if !(self.pull(nodes, Segment::Hot, hot.0, hot.1)
                || self.pull(nodes, Segment::Warm, warm.0, warm.1))
            {
                break;
            }
        }
    }
}

impl Eviction for SegmentedOrder {
    type Meta = ItemMeta;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "memcached-lru"
    }

    #[inline]
    fn on_access(&mut self, access: &Access) {
        self.now = access.tick;
    }

    fn on_hit(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, _: &Access) {
        let meta = &mut nodes.slab.get_mut(id).meta;
        if meta.flags & ACTIVE != 0 {
            return;
        }
        if meta.flags & FETCHED == 0 {
            meta.flags |= FETCHED;
            return;
        }
        if meta.segment != Segment::Cold {
            meta.flags |= ACTIVE;
            meta.time = self.now;
            return;
        }
        self.relink(nodes, id, Segment::Warm);
        self.juggle(nodes);
    }

    fn on_insert(&mut self, nodes: &mut NodesOf<Self>, id: NodeId, _: &Access) {
        nodes.slab.get_mut(id).meta = ItemMeta { segment: Segment::Hot, flags: 0, time: self.now };
        self.link(nodes, id, Segment::Hot);
        self.juggle(nodes);
    }

    fn victim(&mut self, nodes: &mut NodesOf<Self>) -> Option<NodeId> {
        loop {
            if let Some(id) = self.queues[Segment::Cold as usize].back() {
                self.unlink(nodes, id);
                return Some(id);
            }
            // COLD is empty: pull HOT's tail with no share (or WARM's, when HOT is empty too).
            let from =
                [Segment::Hot, Segment::Warm].into_iter().find(|s| !self.queues[*s as usize].is_empty())?;
            if !self.pull(nodes, from, 0, 0) {
                // An inactive WARM tail that is not old: push it down regardless.
                let id = self.queues[from as usize].back()?;
                self.relink(nodes, id, Segment::Cold);
            }
        }
    }

    fn on_remove(&mut self, nodes: &mut NodesOf<Self>, id: NodeId) {
        self.unlink(nodes, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn get(m: &mut Memcached, key: u64, tick: u64) -> bool {
        m.access(&Access { key, size: 1, tick, next_access: NEVER }, &mut Vec::new())
    }

    fn segment(m: &Memcached, key: u64) -> Segment {
        let nodes = m.nodes();
        nodes.slab.get(nodes.find(key).expect("resident")).meta.segment
    }

    #[test]
    fn new_items_start_hot_and_drain_to_cold_past_the_hot_share() {
        let mut m = Memcached::new(Capacity::objects(10), MemcachedSettings::default());
        for key in 0..10 {
            get(&mut m, key, 0);
        }
        // Same tick, no ages: only the share moves items. HOT may hold 20 % of 10 = 2.
        let held = m.eviction().held;
        assert_eq!(held, [2, 0, 8], "{held:?}");
        assert_eq!((segment(&m, 9), segment(&m, 0)), (Segment::Hot, Segment::Cold));
        // A miss evicts COLD's tail, the oldest: 0.
        let mut ev = Vec::new();
        m.access(&Access { key: 10, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        assert_eq!(ev, vec![0]);
    }

    #[test]
    fn a_second_hit_in_cold_bumps_to_warm_and_active_items_survive_hot() {
        let mut m = Memcached::new(Capacity::objects(10), MemcachedSettings::default());
        for key in 0..10 {
            get(&mut m, key, 0);
        }
        assert!(get(&mut m, 1, 0) && segment(&m, 1) == Segment::Cold, "first hit: FETCHED only");
        assert!(get(&mut m, 1, 0) && segment(&m, 1) == Segment::Warm, "second hit: to WARM");
        // Item 9 in HOT, hit twice (ACTIVE), moves to WARM when HOT's tail is pulled.
        get(&mut m, 9, 0);
        get(&mut m, 9, 0);
        for key in 20..23 {
            get(&mut m, key, 0);
        }
        assert_eq!(segment(&m, 9), Segment::Warm);
        assert!(m.contains(1) && m.contains(9));
    }

    #[test]
    fn byte_mode_counts_bytes_and_old_hot_items_age_out() {
        let mut m = Memcached::new(Capacity::bytes(1000), MemcachedSettings::default());
        let mut ev = Vec::new();
        for (tick, key) in (0..5u64).enumerate() {
            m.access(&Access { key, size: 100, tick: tick as u64, next_access: NEVER }, &mut ev);
        }
        let held = m.eviction().held;
        assert_eq!(held.iter().sum::<u64>(), 500);
        assert!(held[0] <= 100, "HOT within 20 % of 500 bytes: {held:?}");
        assert!(ev.is_empty() && m.used() == 500);
    }
}
