//! CLOCK-Pro: S. Jiang, F. Chen, X. Zhang, "CLOCK-Pro: An Effective Improvement of the CLOCK
//! Replacement", USENIX ATC 2005. LIRS's reuse-distance idea on a clock: resident pages are
//! hot or cold; a new page is cold and starts a test period; evicted cold pages still in their
//! test period stay in the clock as non-resident test entries, and a miss on one makes the page
//! hot (its reuse distance beat a hot page's). Three hands sweep one circular list: the cold
//! hand evicts, the hot hand turns hot pages cold, the test hand ends test periods. The cold
//! share `m_c` adapts: a re-access in a test period raises it, a test period ending without
//! one lowers it.
//!
//! The rules, in the capacity's unit (objects, or bytes: each page charges its size):
//! - a hit sets the page's reference bit;
//! - a miss on a key not in the clock inserts a cold page in its test period at the list head
//!   (just behind the hot hand); a miss on a test entry raises `m_c` by its size (up to the
//!   capacity) and inserts the page hot, after which the hot hand runs while hot pages exceed
//!   `capacity - m_c`;
//! - the cold hand, to make room, passes over hot pages and test entries; at a resident cold
//!   page with its bit set it clears the bit and moves the page to the head, hot if it was in
//!   its test period (then the hot hand runs as above), else with a new test period; the
//!   first cold page with its bit clear is evicted, kept as a test entry if in its test period;
//! - the hot hand clears the bits of referenced hot pages and demotes the first unreferenced
//!   one to cold (no test period); on its way it ends test periods (lowering `m_c`) and drops
//!   test entries; the test hand does the same until it drops one test entry, and runs while
//!   test entries exceed the capacity.
//!
//! - `m_c` stays between 1% and 99% of the capacity (at least one unit each side), the bounds
//!   of Caffeine's simulator (`percent-min-resident-cold`, `percent-max-resident-cold`) and of
//!   the authors' own simulator (a lowest cold allocation): with no cold share left, every
//!   eviction would send the cold hand round the whole clock past hot pages and test entries
//!   to find the one cold page, and a 20 M-request trace would take hours.
//!
//! libCacheSim's `ClockPro` (0.3.3.post4, `cache/eviction/ClockPro.c`) is not a usable
//! reference: a miss on a test entry promotes that entry in the clock without putting the
//! object back into the cache's hash table, so the key is never resident again and misses on
//! every later request (LIRS sprite at 500 objects: 0.88 miss ratio where LRU has 0.22), and
//! it refuses new objects outright while cold pages fill `m_c`. The initial `m_c` is its
//! `init-ratio-cold` (its C default 1; the Python binding passes 0.5).

use super::index::CompactIndex;
use super::list::{List, NodeId};
use super::resident::{Eviction, Nodes};
use super::{Access, Capacity, Resident};

/// Default initial share of the capacity for cold pages (libCacheSim's `init-ratio-cold`).
pub const DEFAULT_COLD_RATIO: f64 = 1.0;

/// What a clock entry is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Status {
    /// A resident cold page.
    #[default]
    Cold,
    /// A resident hot page.
    Hot,
    /// A non-resident cold page in its test period.
    Test,
}

/// CLOCK-Pro's state for one entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta {
    status: Status,
    referenced: bool,
    /// A resident cold page in its test period.
    in_test: bool,
}

/// CLOCK-Pro eviction.
pub type ClockPro = Resident<ClockProOrder>;

/// CLOCK-Pro's clock: one circular list (hands move towards its newer end and wrap to the
/// oldest), three hands, and what hot, cold and test entries charge.
#[derive(Debug)]
pub struct ClockProOrder {
    capacity: Capacity,
    clock: List,
    hand_hot: Option<NodeId>,
    hand_cold: Option<NodeId>,
    hand_test: Option<NodeId>,
    /// `m_c`: the share cold pages may keep before hot pages are demoted.
    cold_target: u64,
    /// The bounds of `m_c`: 1% and 99% of the capacity.
    cold_bounds: (u64, u64),
    hot_used: u64,
    cold_used: u64,
    test_used: u64,
}

impl ClockPro {
    /// An empty CLOCK-Pro cache whose cold share starts at `cold_ratio` (in [0, 1]) of
    /// `capacity`.
    pub fn new(capacity: Capacity, cold_ratio: f64) -> Self {
        let least = (capacity.value / 100).max(1).min(capacity.value);
        let cold_bounds = (least, capacity.value.saturating_sub(least).max(least));
        let initial = (capacity.value as f64 * cold_ratio) as u64;
        let order = ClockProOrder {
            capacity,
            cold_bounds,
            clock: List::default(),
            hand_hot: None,
            hand_cold: None,
            hand_test: None,
            cold_target: initial.clamp(cold_bounds.0, cold_bounds.1),
            hot_used: 0,
            cold_used: 0,
            test_used: 0,
        };
        // Resident entries plus as many test entries.
        Resident::with_eviction(capacity, order, 2 * super::expected_objects(capacity))
    }
}

impl ClockProOrder {
    #[inline]
    fn cost(&self, nodes: &Nodes<Meta>, id: NodeId) -> u64 {
        self.capacity.charge(nodes.slab.get(id).size)
    }

    /// The entry after `id` in the hands' direction (wrapping).
    #[inline]
    fn next(&self, nodes: &Nodes<Meta>, id: NodeId) -> NodeId {
        nodes.slab.next_newer(id).or(self.clock.back()).expect("id is in the clock")
    }

    /// Unlinks `id`, moving any hand on it to the next entry.
    fn detach(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        let next = (self.clock.len() > 1).then(|| self.next(nodes, id));
        for hand in [&mut self.hand_hot, &mut self.hand_cold, &mut self.hand_test] {
            if *hand == Some(id) {
                *hand = next;
            }
        }
        nodes.slab.unlink(&mut self.clock, id);
    }

    /// Links `id` at the list head: just behind the hot hand, the last entry it reaches.
    fn attach_head(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        match self.hand_hot {
            Some(h) => nodes.slab.insert_after(&mut self.clock, h, id),
            None => {
                nodes.slab.push_front(&mut self.clock, id);
                (self.hand_hot, self.hand_cold, self.hand_test) = (Some(id), Some(id), Some(id));
            }
        }
    }

    /// A test period ended without a re-access: the cold share shrinks.
    #[inline]
    fn shrink_cold(&mut self, by: u64) {
        self.cold_target = self.cold_target.saturating_sub(by).max(self.cold_bounds.0);
    }

    /// Drops test entry `id` from the clock and the index.
    fn drop_test(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        let c = self.cost(nodes, id);
        self.test_used -= c;
        self.shrink_cold(c);
        self.detach(nodes, id);
        nodes.forget(id);
    }

    /// Ends the test period of entry `id` if it has one: a test entry is dropped.
    fn end_test(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        let m = nodes.slab.get(id).meta;
        match m.status {
            Status::Test => self.drop_test(nodes, id),
            Status::Cold if m.in_test => {
                nodes.slab.get_mut(id).meta.in_test = false;
                self.shrink_cold(self.cost(nodes, id));
            }
            _ => {}
        }
    }

    /// The hot hand: demotes the first unreferenced hot page to cold.
    fn run_hot(&mut self, nodes: &mut Nodes<Meta>) {
        while self.hot_used > 0 {
            let Some(id) = self.hand_hot else { return };
            let m = nodes.slab.get(id).meta;
            if m.status != Status::Hot {
                self.hand_hot = Some(self.next(nodes, id));
                self.end_test(nodes, id);
                continue;
            }
            self.hand_hot = Some(self.next(nodes, id));
            let e = &mut nodes.slab.get_mut(id).meta;
            if m.referenced {
                e.referenced = false;
                continue;
            }
            *e = Meta { status: Status::Cold, referenced: false, in_test: false };
            let c = self.cost(nodes, id);
            self.hot_used -= c;
            self.cold_used += c;
            return;
        }
    }

    /// Demotes hot pages while they exceed their share.
    fn balance_hot(&mut self, nodes: &mut Nodes<Meta>) {
        while self.hot_used > 0 && self.hot_used > self.capacity.value - self.cold_target {
            self.run_hot(nodes);
        }
    }

    /// The test hand: ends test periods until it drops one test entry.
    fn run_test(&mut self, nodes: &mut Nodes<Meta>) {
        let target = self.test_used;
        while self.test_used == target && target > 0 {
            let Some(id) = self.hand_test else { return };
            self.hand_test = Some(self.next(nodes, id));
            self.end_test(nodes, id);
        }
    }

    /// Moves `id` to the list head.
    fn move_to_head(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        self.detach(nodes, id);
        self.attach_head(nodes, id);
    }
}

impl Eviction for ClockProOrder {
    type Meta = Meta;
    type Index = CompactIndex;

    fn name(&self) -> &'static str {
        "clockpro"
    }

    #[inline]
    fn on_hit(&mut self, nodes: &mut Nodes<Meta>, id: NodeId, _: &Access) {
        nodes.slab.get_mut(id).meta.referenced = true;
    }

    /// New pages enter cold in a test period, revived test entries hot.
    fn on_insert(&mut self, nodes: &mut Nodes<Meta>, id: NodeId, _: &Access) {
        let c = self.cost(nodes, id);
        self.attach_head(nodes, id);
        let e = &mut nodes.slab.get_mut(id).meta;
        if e.status == Status::Hot {
            *e = Meta { status: Status::Hot, referenced: false, in_test: false };
            self.hot_used += c;
            self.balance_hot(nodes);
        } else {
            *e = Meta { status: Status::Cold, referenced: false, in_test: true };
            self.cold_used += c;
        }
    }

    /// The cold hand's next victim: a resident cold page with its bit clear. A victim in its
    /// test period stays linked (it becomes a test entry in [`Self::on_evict`]).
    fn victim(&mut self, nodes: &mut Nodes<Meta>) -> Option<NodeId> {
        loop {
            if self.cold_used == 0 {
                if self.hot_used == 0 {
                    return None;
                }
                self.run_hot(nodes);
            }
            let id = self.hand_cold?;
            let next = self.next(nodes, id);
            let m = nodes.slab.get(id).meta;
            if m.status != Status::Cold {
                self.hand_cold = Some(next);
                continue;
            }
            self.hand_cold = Some(next);
            let c = self.cost(nodes, id);
            if !m.referenced {
                self.cold_used -= c;
                if !m.in_test {
                    self.detach(nodes, id);
                }
                return Some(id);
            }
            let e = &mut nodes.slab.get_mut(id).meta;
            e.referenced = false;
            if m.in_test {
                *e = Meta { status: Status::Hot, referenced: false, in_test: false };
                self.cold_used -= c;
                self.hot_used += c;
                self.move_to_head(nodes, id);
                self.balance_hot(nodes);
            } else {
                e.in_test = true;
                self.move_to_head(nodes, id);
            }
        }
    }

    /// A victim in its test period becomes a test entry (test entries are bounded by the
    /// capacity); any other is forgotten.
    fn on_evict(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        let m = nodes.slab.get(id).meta;
        if !m.in_test {
            nodes.forget(id);
            return;
        }
        nodes.slab.get_mut(id).meta = Meta { status: Status::Test, referenced: false, in_test: false };
        self.test_used += self.cost(nodes, id);
        while self.test_used > self.capacity.value {
            self.run_test(nodes);
        }
    }

    fn on_remove(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        let c = self.cost(nodes, id);
        match nodes.slab.get(id).meta.status {
            Status::Hot => self.hot_used -= c,
            _ => self.cold_used -= c,
        }
        self.detach(nodes, id);
    }

    #[inline]
    fn is_ghost(meta: &Meta) -> bool {
        meta.status == Status::Test
    }

    /// A re-access in the test period: the cold share grows and the page comes back hot.
    fn on_ghost_hit(&mut self, nodes: &mut Nodes<Meta>, id: NodeId) {
        let c = self.cost(nodes, id);
        self.test_used -= c;
        self.cold_target = (self.cold_target + c).min(self.cold_bounds.1);
        self.detach(nodes, id);
        nodes.slab.get_mut(id).meta.status = Status::Hot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;
    use crate::policy::Policy;

    fn run(c: &mut ClockPro, keys: &[u64]) -> Vec<u64> {
        let mut ev = Vec::new();
        for &key in keys {
            c.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev);
        }
        ev
    }

    fn status(c: &ClockPro, key: u64) -> Option<Status> {
        c.nodes().find(key).map(|id| c.nodes().slab.get(id).meta.status)
    }

    #[test]
    fn evicted_cold_pages_stay_as_test_entries_and_come_back_hot() {
        let mut c = ClockPro::new(Capacity::objects(3), 0.5);
        assert_eq!(run(&mut c, &[1, 2, 3, 4]), vec![1]);
        assert_eq!(status(&c, 1), Some(Status::Test));
        assert!(!c.contains(1));
        // A miss on the test entry: 1 returns hot and the cold share grows.
        let before = c.eviction().cold_target;
        assert_eq!(run(&mut c, &[1]), vec![2]);
        assert_eq!(status(&c, 1), Some(Status::Hot));
        assert_eq!(c.eviction().cold_target, before + 1);
    }

    #[test]
    fn referenced_cold_pages_in_their_test_period_turn_hot() {
        let mut c = ClockPro::new(Capacity::objects(3), 0.5);
        run(&mut c, &[1, 2, 3, 1]);
        // 4 needs room: 1 is referenced and in its test period, so it turns hot; 2 goes.
        assert_eq!(run(&mut c, &[4]), vec![2]);
        assert_eq!(status(&c, 1), Some(Status::Hot));
        assert!(c.contains(1) && c.contains(3) && c.contains(4));
    }

    #[test]
    fn accounting_stays_within_the_capacity() {
        let mut c = ClockPro::new(Capacity::bytes(100), 1.0);
        let mut ev = Vec::new();
        for i in 0..5_000u64 {
            let key = (i * 7919) % 97 % (1 + i % 40);
            c.access(&Access { key, size: 1 + (key % 30) as u32, tick: i, next_access: NEVER }, &mut ev);
            let o = c.eviction();
            assert!(o.hot_used + o.cold_used <= 100 && o.test_used <= 100);
            assert_eq!(o.hot_used + o.cold_used, c.used());
        }
    }

    #[test]
    fn the_cold_share_keeps_its_bounds() {
        // One-time keys end test periods without a re-access, which shrinks m_c; a loop of
        // re-accessed keys grows it: it stays within 1% and 99% of the capacity either way.
        let mut c = ClockPro::new(Capacity::objects(1000), 1.0);
        assert_eq!(c.eviction().cold_target, 990);
        run(&mut c, &(0..20_000u64).collect::<Vec<_>>());
        assert_eq!(c.eviction().cold_target, 10);
        let hot: Vec<u64> = (0..5).flat_map(|_| 100_000..100_900u64).collect();
        run(&mut c, &hot);
        run(&mut c, &(0..40).flat_map(|_| 200_000..202_000u64).collect::<Vec<_>>());
        let o = c.eviction();
        assert!((10..=990).contains(&o.cold_target), "{}", o.cold_target);
    }
}
