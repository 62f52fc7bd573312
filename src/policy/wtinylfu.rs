//! W-TinyLFU: G. Einziger, R. Friedman and B. Manes, "TinyLFU: A Highly Efficient Cache
//! Admission Policy", ACM Transactions on Storage 13(4), 2017.
//!
//! New objects enter a small LRU window. When the cache is full, the window's LRU object is a
//! candidate for the main cache, a segmented LRU (probation, protected): it is admitted only
//! if a frequency sketch estimates it more popular than main's victim (the probation LRU).
//! Hits in probation promote to protected; protected overflow demotes back to probation, and
//! probation overflow (possible only with variable sizes) is evicted.
//!
//! This is libCacheSim's variant (`WTinyLFU` with its default `SLRU` main cache), which the
//! reference miss ratios were measured with; it differs from Caffeine's:
//! - the sketch is a counting Bloom filter of ~14.4 `u32` counters per main-cache entry with
//!   10 hash functions sharing one array (sized for a 0.1% error rate), incremented on every
//!   counter, no doorkeeper; all counters are halved after `32 x main capacity` main hits;
//! - it counts an object when it is admitted to the window, on each hit in main, and each time
//!   it leaves the window; hits in the window are not counted;
//! - a candidate is admitted only if its estimate is strictly greater than the victim's; an
//!   admitted candidate is followed by the next window object, so one miss can move several
//!   objects into main and always ends by evicting one from the window (or from main when the
//!   window is empty);
//! - the window has no bound of its own: it holds whatever main does not (everything until
//!   the cache first fills, then about `window_ratio` of it), and an object larger than
//!   `window_ratio` of the capacity is never admitted;
//! - an object enters main in probation while probation is under its share, else protected
//!   while protected is under its share (this only happens while the cache warms up).
//!
//! Differences from libCacheSim that remain (so results are close, not identical): the hash
//! functions; the probation share is what protected leaves of main (libCacheSim rounds both
//! down, which at a 99-object main cache makes some probation hits evict); and in byte mode
//! the sketch is sized for one entry per 4 KiB of main capacity (libCacheSim sizes it per
//! byte, up to 2^31 counters, so its byte-mode sketch never collides and never decays); a
//! sketch is sized for at most 2^22 entries (about 240 MB of counters).

use super::list::{List, NodeId, Slab};
use super::resident::{Entry, Nodes};
use super::{Access, Capacity, CapacityUnit, Policy};
use crate::model::hash::mix64;

/// Default share of the capacity for the LRU window (libCacheSim's `window-size`).
pub const DEFAULT_WINDOW_RATIO: f64 = 0.01;
/// Default share of the main cache for the protected segment (libCacheSim's SLRU `1:4`).
pub const DEFAULT_PROTECTED_RATIO: f64 = 0.8;

/// Which segment an object is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Segment {
    Window,
    Probation,
    Protected,
}

/// Window TinyLFU: an LRU window in front of a frequency-gated segmented LRU.
#[derive(Debug)]
pub struct WTinyLfu {
    capacity: Capacity,
    window_cap: u64,
    main_cap: u64,
    probation_cap: u64,
    protected_cap: u64,
    window_used: u64,
    probation_used: u64,
    protected_used: u64,
    /// Every resident object; an entry's meta is its segment.
    nodes: Nodes<Segment>,
    window: List,
    probation: List,
    protected: List,
    sketch: Sketch,
    /// Main hits since the sketch was last halved.
    main_hits: u64,
    /// Main hits between two halvings.
    decay_period: u64,
}

/// Bytes of main capacity per sketch entry in byte mode (a block-I/O page).
const BYTES_PER_SKETCH_ENTRY: u64 = 4096;
/// Most entries a sketch is sized for (about 240 MB of counters).
const MAX_SKETCH_ENTRIES: u64 = 1 << 22;

impl WTinyLfu {
    /// An empty cache: `window_ratio` of the capacity (rounded down, at least one unit) is the
    /// window, the rest is main, of which `protected_ratio` (rounded down) is protected.
    pub fn new(capacity: Capacity, window_ratio: f64, protected_ratio: f64) -> Self {
        let window_cap = capacity.share(window_ratio).clamp(1, capacity.value.max(1));
        let main_cap = capacity.value - window_cap.min(capacity.value);
        let protected_cap = ((main_cap as f64 * protected_ratio) as u64).min(main_cap);
        let entries = match capacity.unit {
            CapacityUnit::Objects => main_cap,
            CapacityUnit::Bytes => main_cap / BYTES_PER_SKETCH_ENTRY,
        }
        .clamp(1, MAX_SKETCH_ENTRIES);
        WTinyLfu {
            capacity,
            window_cap,
            main_cap,
            probation_cap: main_cap - protected_cap,
            protected_cap,
            window_used: 0,
            probation_used: 0,
            protected_used: 0,
            nodes: Nodes::with_capacity(super::expected_objects(capacity)),
            window: List::default(),
            probation: List::default(),
            protected: List::default(),
            sketch: Sketch::new(entries),
            main_hits: 0,
            decay_period: 32 * entries,
        }
    }

    /// The sketch's frequency estimate for `key`.
    pub fn frequency(&self, key: u64) -> u32 {
        self.sketch.estimate(key)
    }

    /// Whether `key` is resident in the window (as opposed to main, or not at all).
    pub fn in_window(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|id| self.nodes.slab.get(id).meta == Segment::Window)
    }

    /// Whether `key` is resident in the protected segment of main.
    pub fn in_protected(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|id| self.nodes.slab.get(id).meta == Segment::Protected)
    }

    #[inline]
    fn parts(&mut self, s: Segment) -> (&mut Slab<Entry<Segment>>, &mut List, &mut u64) {
        match s {
            Segment::Window => (&mut self.nodes.slab, &mut self.window, &mut self.window_used),
            Segment::Probation => (&mut self.nodes.slab, &mut self.probation, &mut self.probation_used),
            Segment::Protected => (&mut self.nodes.slab, &mut self.protected, &mut self.protected_used),
        }
    }

    #[inline]
    fn detach(&mut self, id: NodeId) {
        let e = *self.nodes.slab.get(id);
        let cost = self.capacity.charge(e.size);
        let (slab, list, used) = self.parts(e.meta);
        slab.unlink(list, id);
        *used -= cost;
    }

    #[inline]
    fn attach(&mut self, id: NodeId, s: Segment) {
        let cost = self.capacity.charge(self.nodes.slab.get(id).size);
        self.nodes.slab.get_mut(id).meta = s;
        let (slab, list, used) = self.parts(s);
        slab.push_front(list, id);
        *used += cost;
    }

    /// Evicts resident `id` entirely.
    fn evict_node(&mut self, id: NodeId, evicted: &mut Vec<u64>) {
        self.detach(id);
        evicted.push(self.nodes.slab.get(id).key);
        self.nodes.forget(id);
    }

    /// Main's eviction victim: the probation LRU, or the protected LRU if probation is empty.
    fn main_victim(&self) -> Option<NodeId> {
        self.probation.back().or_else(|| self.protected.back())
    }

    fn main_used(&self) -> u64 {
        self.probation_used + self.protected_used
    }

    /// Moves window object `id` into main, evicting main victims until it fits; it goes to
    /// probation unless only protected has room for it (libCacheSim's SLRU insertion).
    fn admit_to_main(&mut self, id: NodeId, evicted: &mut Vec<u64>) {
        self.detach(id);
        let cost = self.capacity.charge(self.nodes.slab.get(id).size);
        while self.main_used() + cost > self.main_cap {
            let Some(victim) = self.main_victim() else { break };
            self.evict_node(victim, evicted);
        }
        let segment = if self.probation_used + cost > self.probation_cap
            && self.protected_used + cost <= self.protected_cap
        {
            Segment::Protected
        } else {
            Segment::Probation
        };
        self.attach(id, segment);
    }

    /// One round of eviction: window candidates that beat main's victim move to main, until
    /// one loses and is evicted (or, with an empty window, main's victim is evicted).
    fn evict(&mut self, evicted: &mut Vec<u64>) {
        while let Some(candidate) = self.window.back() {
            let Entry { key, size, .. } = *self.nodes.slab.get(candidate);
            let cost = self.capacity.charge(size);
            if self.main_used() + cost <= self.main_cap {
                self.admit_to_main(candidate, evicted);
                self.sketch.add(key);
                continue;
            }
            let victim = self
                .main_victim()
                .filter(|&v| self.sketch.estimate(key) > self.sketch.estimate(self.nodes.slab.get(v).key));
            self.sketch.add(key);
            match victim {
                Some(v) => {
                    self.evict_node(v, evicted);
                    self.admit_to_main(candidate, evicted);
                }
                None => return self.evict_node(candidate, evicted),
            }
        }
        if let Some(victim) = self.main_victim() {
            self.evict_node(victim, evicted);
        }
    }

    /// Records a hit in main, halving the sketch every `decay_period` main hits.
    fn count_main_hit(&mut self, key: u64) {
        self.sketch.add(key);
        self.main_hits += 1;
        if self.main_hits >= self.decay_period {
            self.main_hits = 0;
            self.sketch.halve();
        }
    }
}

impl Policy for WTinyLfu {
    fn name(&self) -> &str {
        "wtinylfu"
    }

    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        if let Some(id) = self.nodes.find(a.key) {
            match self.nodes.slab.get(id).meta {
                Segment::Window => self.nodes.slab.move_to_front(&mut self.window, id),
                Segment::Probation => {
                    self.detach(id);
                    self.attach(id, Segment::Protected);
                    while self.protected_used > self.protected_cap {
                        let Some(tail) = self.protected.back() else { break };
                        self.detach(tail);
                        self.attach(tail, Segment::Probation);
                    }
                    // Segments are strictly bounded (libCacheSim's SLRU): a demotion that overfills
                    // probation evicts its LRU end. Only variable sizes can overfill it.
                    while self.probation_used > self.probation_cap {
                        let Some(tail) = self.probation.back() else { break };
                        self.evict_node(tail, evicted);
                    }
                    self.count_main_hit(a.key);
                }
                Segment::Protected => {
                    self.nodes.slab.move_to_front(&mut self.protected, id);
                    self.count_main_hit(a.key);
                }
            }
            return true;
        }
        let cost = self.capacity.charge(a.size);
        // The window is the smallest segment: an object larger than it is never admitted.
        if cost > self.window_cap {
            return false;
        }
        while self.window_used + self.main_used() + cost > self.capacity.value {
            self.evict(evicted);
        }
        let id = self.nodes.add(Entry { key: a.key, size: a.size, meta: Segment::Window });
        self.attach(id, Segment::Window);
        self.sketch.add(a.key);
        false
    }

    fn contains(&self, key: u64) -> bool {
        self.nodes.find(key).is_some()
    }

    fn remove(&mut self, key: u64) -> bool {
        let Some(id) = self.nodes.find(key) else {
            return false;
        };
        self.detach(id);
        self.nodes.forget(id);
        true
    }

    fn len(&self) -> usize {
        self.window.len() + self.probation.len() + self.protected.len()
    }

    fn used(&self) -> u64 {
        self.window_used + self.main_used()
    }

    fn capacity(&self) -> Capacity {
        self.capacity
    }
}

/// libCacheSim's frequency sketch: one array of counters addressed by `HASHES` double-hashed
/// positions; add increments all of them, the estimate is their minimum.
#[derive(Debug)]
struct Sketch {
    counters: Vec<u32>,
}

/// Hash functions per key: `ceil(ln 2 * bits per entry)` for a 0.1% error rate.
const HASHES: u32 = 10;
/// Counters per expected entry for a 0.1% error rate: `-ln(0.001) / ln(2)^2`.
const COUNTERS_PER_ENTRY: f64 = 14.377_588_015_622_323;

impl Sketch {
    fn new(entries: u64) -> Self {
        let width = ((COUNTERS_PER_ENTRY * entries as f64).ceil() as usize).max(2 * HASHES as usize);
        Sketch { counters: vec![0; width] }
    }

    /// The counter positions of `key` (double hashing, multiply-shift range reduction).
    #[inline]
    fn positions(width: usize, key: u64) -> impl Iterator<Item = usize> {
        let h = mix64(key ^ 0x5851_F42D_4C95_7F2D);
        let (a, b) = (h as u32, (h >> 32) as u32);
        let width = width as u64;
        (0..HASHES).map(move |i| ((u64::from(a.wrapping_add(i.wrapping_mul(b))) * width) >> 32) as usize)
    }

    #[inline]
    fn estimate(&self, key: u64) -> u32 {
        Self::positions(self.counters.len(), key).map(|p| self.counters[p]).min().unwrap_or(0)
    }

    #[inline]
    fn add(&mut self, key: u64) {
        for p in Self::positions(self.counters.len(), key) {
            let c = &mut self.counters[p];
            *c = c.saturating_add(1);
        }
    }

    fn halve(&mut self) {
        for c in &mut self.counters {
            *c >>= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;

    fn acc(key: u64) -> Access {
        Access { key, size: 1, tick: 0, next_access: NEVER }
    }

    fn run(c: &mut WTinyLfu, keys: &[u64]) -> Vec<bool> {
        let mut ev = Vec::new();
        keys.iter().map(|&k| c.access(&acc(k), &mut ev)).collect()
    }

    #[test]
    fn sketch_counts_and_halves() {
        let mut s = Sketch::new(1000);
        for _ in 0..6 {
            s.add(7);
        }
        s.add(8);
        assert_eq!((s.estimate(7), s.estimate(8), s.estimate(9)), (6, 1, 0));
        s.halve();
        assert_eq!((s.estimate(7), s.estimate(8)), (3, 0));
    }

    #[test]
    fn frequent_candidate_is_admitted_rare_one_is_not() {
        // 100 objects: window 1, main 99 (protected 79).
        let mut c = WTinyLfu::new(Capacity::objects(100), 0.01, 0.8);
        assert_eq!((c.window_cap, c.main_cap, c.protected_cap), (1, 99, 79));
        // Fill the cache: 1..=100, then one more to push the first ones into main.
        run(&mut c, &(1..=101).collect::<Vec<_>>());
        assert_eq!(c.len(), 100);
        // A one-off object in the window ties or loses against main's victim: it is evicted.
        run(&mut c, &[1000, 1001]);
        assert!(!c.contains(1000), "a cold candidate is rejected");
        // Make 2000 popular while it sits outside the cache, then bring it in: it is admitted.
        for _ in 0..5 {
            run(&mut c, &[2000, 3000]);
        }
        assert!(c.frequency(2000) > c.frequency(c.nodes.slab.get(c.main_victim().unwrap()).key));
        run(&mut c, &[2000, 4000]);
        assert!(c.contains(2000) && !c.in_window(2000), "a frequent candidate enters main");
        assert!(c.used() <= 100);
    }

    #[test]
    fn probation_hit_promotes_and_protected_overflow_demotes() {
        let mut c = WTinyLfu::new(Capacity::objects(10), 0.1, 0.5);
        assert_eq!((c.window_cap, c.main_cap, c.protected_cap, c.probation_cap), (1, 9, 4, 5));
        run(&mut c, &(1..=11).collect::<Vec<_>>());
        // Warm-up: the oldest objects fill probation, then protected.
        assert!(c.in_protected(9) && !c.in_protected(1));
        assert!(run(&mut c, &[1]) == vec![true] && c.in_protected(1));
        assert_eq!(c.protected_used, 4, "protected overflow is demoted to probation");
        assert_eq!(c.used(), 10);
    }

    #[test]
    fn byte_capacity_rejects_objects_larger_than_the_window() {
        let mut c = WTinyLfu::new(Capacity::bytes(10_000), 0.01, 0.8);
        let mut ev = Vec::new();
        assert!(!c.access(&Access { key: 1, size: 101, tick: 0, next_access: NEVER }, &mut ev));
        assert!(!c.contains(1));
        for k in 0..1000 {
            c.access(&Access { key: k, size: 60 + (k % 40) as u32, tick: 0, next_access: NEVER }, &mut ev);
            assert!(c.used() <= 10_000);
        }
        assert!(c.remove(999) && !c.contains(999));
    }
}
