//! LIRS: S. Jiang and X. Zhang, "LIRS: An Efficient Low Inter-reference Recency Set
//! Replacement Policy to Improve Buffer Cache Performance", ACM SIGMETRICS 2002.
//!
//! Objects with a low inter-reference recency (LIR) hold most of the cache; the rest, a small
//! share `hir_ratio`, holds resident HIR objects in a FIFO queue Q. The recency stack S keeps
//! LIR objects, resident HIR objects and non-resident HIR objects (metadata only) in recency
//! order; its bottom is always an LIR object ("stack pruning"; S is emptied of HIR entries
//! when `remove` takes the last LIR object, and pruned again when the next one appears). A
//! hit on an HIR object that is still in S (a recency lower than the bottom LIR object's)
//! makes it LIR and demotes the bottom LIR object to Q.
//!
//! Sizing follows libCacheSim's `LIRS`: the HIR share is `max(1, hir_ratio * capacity)` with
//! `hir_ratio` 0.01 by default, every share is counted in the capacity's unit (objects, or
//! bytes), a new object is admitted only if it fits in the HIR share (a non-resident one coming
//! back needs only to fit in the cache), and non-resident entries are dropped from S
//! oldest-first once S holds more than twice the capacity.
//!
//! One rule differs between the paper and libCacheSim, [`ResidentHirHit`]: a hit on a
//! resident HIR object that is not in S. The paper leaves the LIR set alone (the default,
//! `resident_hir_hit = "paper"`). libCacheSim (`"libcachesim"`) first demotes bottom LIR objects
//! to Q while the LIR set has no room for the object, so the next new object takes the freed
//! LIR slot; when that demotion evicts the very object being hit from Q (Q too small to hold
//! both), libCacheSim keeps it in S as a resident HIR object that is in no queue and counted in
//! no share, so it keeps answering hits until a hit makes it LIR or pruning drops it. The
//! `"libcachesim"` rule reproduces that too (the object is not reported evicted; it counts in
//! [`Policy::len`] but not in [`Policy::used`]), which is what makes its miss counts libCacheSim's
//! (`tests/it/oracle.rs`). The paper's rule is the default because it is LIRS as published and
//! never holds an object it does not count. The `"libcachesim"` rule is for replaying traces:
//! a [`Policy::remove`] that prunes S may drop such an uncounted object without reporting it.

use serde::{Deserialize, Serialize};

use super::list::{List, NodeId, Slab};
use super::resident::{Entry, Nodes};
use super::{Access, Capacity, Policy};

/// No node (the entry is not on that list).
const NONE: NodeId = NodeId::MAX;

/// Default share of the capacity for resident HIR objects (libCacheSim's `hirs_ratio`).
pub const DEFAULT_HIR_RATIO: f64 = 0.01;

/// What a hit on a resident HIR object that is not in stack S does (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResidentHirHit {
    /// The paper's rule: the object stays HIR, moves to the end of Q and on top of S.
    #[default]
    Paper,
    /// libCacheSim's rule: bottom LIR objects are first demoted while the LIR set has no room
    /// for the object (an object the demotion evicts from Q keeps answering hits, uncounted).
    #[serde(rename = "libcachesim")]
    LibCacheSim,
}

/// What LIRS knows about one key (beside its size). Entries live in one slab whose links form
/// stack S.
#[derive(Debug, Clone, Copy)]
struct Status {
    /// Node in Q (resident HIR) or in the non-resident list (non-resident HIR in S), or [`NONE`].
    q: NodeId,
    lir: bool,
    resident: bool,
    in_s: bool,
}

/// Low Inter-reference Recency Set replacement.
#[derive(Debug)]
pub struct Lirs {
    capacity: Capacity,
    lir_limit: u64,
    hir_limit: u64,
    lir_used: u64,
    hir_used: u64,
    /// Charge of every entry in S, resident or not (S is bounded to twice the capacity).
    s_used: u64,
    resident: usize,
    /// Every known key; stack S threads through these nodes.
    nodes: Nodes<Status>,
    /// Nodes of both `q` and `nonresident` (a key is on at most one of them), holding meta ids.
    q_slab: Slab<NodeId>,
    /// Stack S; the front is the most recent.
    s: List,
    /// Resident HIR objects; the back is evicted first.
    q: List,
    /// Non-resident HIR objects still in S, in the order they were evicted (back = oldest).
    nonresident: List,
    rule: ResidentHirHit,
}

impl Lirs {
    /// An empty LIRS cache; `hir_ratio` (in [0, 1]) is the share of the capacity for resident
    /// HIR objects (at least one unit); `rule` says what a hit on a resident HIR object outside
    /// S does.
    pub fn new(capacity: Capacity, hir_ratio: f64, rule: ResidentHirHit) -> Self {
        let hir_limit = ((hir_ratio * capacity.value as f64) as u64).clamp(1, capacity.value.max(1));
        let n = super::expected_objects(capacity);
        Lirs {
            capacity,
            lir_limit: capacity.value - hir_limit.min(capacity.value),
            hir_limit,
            lir_used: 0,
            hir_used: 0,
            s_used: 0,
            resident: 0,
            // Stack S holds up to twice the capacity in entries.
            nodes: Nodes::with_capacity(2 * n),
            q_slab: Slab::with_capacity(n),
            s: List::default(),
            q: List::default(),
            nonresident: List::default(),
            rule,
        }
    }

    /// Whether `key` is resident with LIR status.
    pub fn is_lir(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|m| self.nodes.slab.get(m).meta.lir)
    }

    /// Whether `key` has an entry in stack S (resident or not).
    pub fn in_stack(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|m| self.nodes.slab.get(m).meta.in_s)
    }

    #[inline]
    fn cost(&self, m: NodeId) -> u64 {
        self.capacity.charge(self.nodes.slab.get(m).size)
    }

    /// Pushes entry `m` on top of S.
    fn push_s(&mut self, m: NodeId) {
        self.nodes.slab.push_front(&mut self.s, m);
        self.nodes.slab.get_mut(m).meta.in_s = true;
        self.s_used += self.cost(m);
    }

    /// Takes entry `m` out of S (the entry itself stays).
    fn unlink_s(&mut self, m: NodeId) {
        self.nodes.slab.unlink(&mut self.s, m);
        self.nodes.slab.get_mut(m).meta.in_s = false;
        self.s_used -= self.cost(m);
    }

    /// Takes `m`'s node off list `list` (Q or the non-resident list) and frees it.
    fn release_q(&mut self, m: NodeId, resident: bool) {
        let q = self.nodes.slab.get(m).meta.q;
        let list = if resident { &mut self.q } else { &mut self.nonresident };
        self.q_slab.unlink(list, q);
        self.q_slab.release(q);
        self.nodes.slab.get_mut(m).meta.q = NONE;
    }

    /// Stack pruning: removes HIR entries from the bottom of S until an LIR entry is there
    /// (all of them when S holds no LIR entry).
    fn prune(&mut self, evicted: &mut Vec<u64>) {
        while let Some(tail) = self.s.back() {
            let e = *self.nodes.slab.get(tail);
            if e.meta.lir {
                break;
            }
            self.unlink_s(tail);
            if !e.meta.resident {
                self.release_q(tail, false);
                self.nodes.forget(tail);
            } else if e.meta.q == NONE {
                // A resident in no queue (libCacheSim's rule) leaves with its S entry.
                evicted.push(e.key);
                self.resident -= 1;
                self.nodes.forget(tail);
            }
        }
    }

    /// Evicts the resident HIR object at the front of Q; if it is still in S it stays there as
    /// a non-resident entry.
    fn evict_hir(&mut self, evicted: &mut Vec<u64>) {
        let Some(q) = self.q_slab.pop_back(&mut self.q) else {
            return;
        };
        let m = *self.q_slab.get(q);
        let e = *self.nodes.slab.get(m);
        self.hir_used -= self.capacity.charge(e.size);
        self.resident -= 1;
        evicted.push(e.key);
        if e.meta.in_s {
            // Reuse the node for the non-resident list.
            self.q_slab.push_front(&mut self.nonresident, q);
            self.nodes.slab.get_mut(m).meta.resident = false;
        } else {
            self.q_slab.release(q);
            self.nodes.forget(m);
        }
    }

    /// Makes room in Q, then appends entry `m` to Q as a resident HIR object.
    fn enqueue_hir(&mut self, m: NodeId, evicted: &mut Vec<u64>) {
        let cost = self.cost(m);
        while self.hir_used + cost > self.hir_limit && !self.q.is_empty() {
            self.evict_hir(evicted);
        }
        let q = self.q_slab.alloc(m);
        self.q_slab.push_front(&mut self.q, q);
        self.hir_used += cost;
        let e = self.nodes.slab.get_mut(m);
        e.meta.q = q;
        e.meta.lir = false;
        e.meta.resident = true;
    }

    /// Demotes the LIR object at the bottom of S to a resident HIR object in Q (or evicts it if
    /// it does not fit in the HIR share), then prunes S.
    fn demote_bottom_lir(&mut self, evicted: &mut Vec<u64>) {
        let Some(m) = self.s.back() else {
            return;
        };
        debug_assert!(self.nodes.slab.get(m).meta.lir, "the bottom of S is an LIR object");
        let cost = self.cost(m);
        self.unlink_s(m);
        self.lir_used -= cost;
        if cost <= self.hir_limit {
            self.enqueue_hir(m, evicted);
        } else {
            self.resident -= 1;
            evicted.push(self.nodes.slab.get(m).key);
            self.nodes.forget(m);
        }
        self.prune(evicted);
    }

    /// Gives LIR status to resident entry `m` (already on top of S), demoting bottom LIR
    /// objects until it fits in the LIR share.
    ///
    /// `m` is marked LIR first so that the pruning after each demotion stops at it at the
    /// latest; while `lir_used` (which does not count `m` yet) is positive, another LIR entry
    /// lies below `m`, so the bottom of S is never `m` itself. The final prune matters when
    /// the LIR set was empty (after `remove`): S then held only HIR entries, which now sit
    /// below an LIR entry and must go.
    fn make_lir(&mut self, m: NodeId, evicted: &mut Vec<u64>) {
        let cost = self.cost(m);
        self.nodes.slab.get_mut(m).meta.lir = true;
        while self.lir_used + cost > self.lir_limit && self.lir_used > 0 {
            self.demote_bottom_lir(evicted);
        }
        self.lir_used += cost;
        self.prune(evicted);
    }

    /// libCacheSim's rule for a hit on resident HIR entry `m` (in Q, not in S): bottom LIR
    /// objects are demoted while the LIR set has no room for it, then it goes on top of S as an
    /// HIR object. If the demotions evicted it from Q, it comes back on top of S as a resident
    /// in no queue and counted in no share (libCacheSim keeps answering hits for it; it counts in
    /// `len` but not in `used`), and is not reported evicted.
    ///
    /// Byte mode: libCacheSim's loop re-reads the object's size from its Q entry on every
    /// round, also after that entry was freed; the allocator hands the freed memory to the
    /// object the same round demoted into Q, so from then on the loop compares with that
    /// object's size. Reproduced, as it decides how many LIR objects are demoted (checked
    /// request by request against the binding on random byte-mode traces).
    fn make_lir_room(&mut self, m: NodeId, a: &Access, evicted: &mut Vec<u64>) {
        let mut cost = self.cost(m);
        let size = self.nodes.slab.get(m).size;
        let before = evicted.len();
        while self.lir_used + cost > self.lir_limit && self.lir_used > 0 {
            self.demote_bottom_lir(evicted);
            if self.nodes.find(a.key) != Some(m)
                && let Some(q) = self.q.front()
            {
                cost = self.cost(*self.q_slab.get(q));
            }
        }
        if self.nodes.find(a.key) == Some(m) {
            return self.push_s(m);
        }
        if let Some(at) = evicted[before..].iter().position(|&k| k == a.key) {
            evicted.remove(before + at);
        }
        let status = Status { q: NONE, lir: false, resident: true, in_s: false };
        let ghost = self.nodes.add(Entry { key: a.key, size, meta: status });
        self.resident += 1;
        self.push_s(ghost);
    }

    /// libCacheSim's eviction for a non-resident object coming back with another size: it
    /// keeps its first size (`kept`, already made LIR) but room is made for the request's
    /// (`cost`): while the cache without it has no room for `cost`, HIR objects are evicted
    /// while Q is full and then the bottom LIR object is demoted.
    fn evict_for_request(&mut self, kept: u64, cost: u64, evicted: &mut Vec<u64>) {
        while self.used() - kept + cost > self.capacity.value && self.lir_used > kept {
            while self.hir_used >= self.hir_limit && !self.q.is_empty() {
                self.evict_hir(evicted);
            }
            self.demote_bottom_lir(evicted);
        }
    }

    /// Drops non-resident entries, oldest first, while S holds more than twice the capacity.
    fn limit_stack(&mut self) {
        while self.s_used > 2 * self.capacity.value {
            let Some(q) = self.q_slab.pop_back(&mut self.nonresident) else {
                break;
            };
            let m = *self.q_slab.get(q);
            self.q_slab.release(q);
            self.unlink_s(m);
            self.nodes.forget(m);
        }
    }
}

impl Policy for Lirs {
    fn name(&self) -> &str {
        "lirs"
    }

    fn access(&mut self, a: &Access, evicted: &mut Vec<u64>) -> bool {
        let node = self.nodes.find(a.key);
        let hit = match node.map(|m| (m, *self.nodes.slab.get(m))) {
            Some((m, e)) if e.meta.lir => {
                let was_bottom = self.s.back() == Some(m);
                self.nodes.slab.move_to_front(&mut self.s, m);
                if was_bottom {
                    self.prune(evicted);
                }
                true
            }
            Some((m, e)) if e.meta.resident => {
                if e.meta.in_s {
                    // Its recency beats the bottom LIR object's: it becomes LIR.
                    self.nodes.slab.move_to_front(&mut self.s, m);
                    // A resident in no queue (libCacheSim's rule) has no share to leave.
                    if e.meta.q != NONE {
                        self.release_q(m, true);
                        self.hir_used -= self.cost(m);
                    }
                    if self.cost(m) <= self.lir_limit {
                        self.make_lir(m, evicted);
                    } else {
                        self.enqueue_hir(m, evicted);
                    }
                } else {
                    // Stays HIR: to the end of Q, and on top of S.
                    self.q_slab.move_to_front(&mut self.q, e.meta.q);
                    if self.rule == ResidentHirHit::LibCacheSim {
                        self.make_lir_room(m, a, evicted);
                    } else {
                        self.push_s(m);
                    }
                }
                true
            }
            Some((m, _)) => {
                // A non-resident HIR object still in S: a miss, then it becomes LIR.
                let cost = self.capacity.charge(a.size);
                let lcs = self.rule == ResidentHirHit::LibCacheSim;
                if cost > if lcs { self.capacity.value } else { self.lir_limit.max(self.hir_limit) } {
                    return false;
                }
                self.nodes.slab.move_to_front(&mut self.s, m);
                self.release_q(m, false);
                if !lcs {
                    self.s_used = self.s_used - self.cost(m) + cost;
                    self.nodes.slab.get_mut(m).size = a.size;
                }
                self.nodes.slab.get_mut(m).meta.resident = true;
                self.resident += 1;
                let kept = self.cost(m);
                if kept <= self.lir_limit {
                    self.make_lir(m, evicted);
                    if lcs {
                        self.evict_for_request(kept, cost, evicted);
                    }
                } else {
                    self.enqueue_hir(m, evicted);
                }
                false
            }
            None => {
                let cost = self.capacity.charge(a.size);
                if cost > self.hir_limit {
                    return false;
                }
                let status = Status { q: NONE, lir: false, resident: true, in_s: false };
                let m = self.nodes.add(Entry { key: a.key, size: a.size, meta: status });
                self.resident += 1;
                self.push_s(m);
                if self.lir_used + cost <= self.lir_limit {
                    // Until the LIR set is full, every object gets LIR status.
                    self.make_lir(m, evicted);
                } else {
                    self.enqueue_hir(m, evicted);
                }
                false
            }
        };
        self.limit_stack();
        hit
    }

    fn contains(&self, key: u64) -> bool {
        self.nodes.find(key).is_some_and(|m| self.nodes.slab.get(m).meta.resident)
    }

    /// Drops `key`; a non-resident entry for it is forgotten too (and `false` returned).
    fn remove(&mut self, key: u64) -> bool {
        let Some(m) = self.nodes.find(key) else {
            return false;
        };
        let e = *self.nodes.slab.get(m);
        let cost = self.capacity.charge(e.size);
        if e.meta.in_s {
            self.unlink_s(m);
        }
        if e.meta.lir {
            self.lir_used -= cost;
        } else if e.meta.q != NONE {
            self.release_q(m, e.meta.resident);
            if e.meta.resident {
                self.hir_used -= cost;
            }
        }
        self.nodes.forget(m);
        if e.meta.lir {
            // Uncounted residents this pruning drops are forgotten with their S entries.
            self.prune(&mut Vec::new());
        }
        if e.meta.resident {
            self.resident -= 1;
        }
        e.meta.resident
    }

    fn len(&self) -> usize {
        self.resident
    }

    fn used(&self) -> u64 {
        self.lir_used + self.hir_used
    }

    fn capacity(&self) -> Capacity {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NEVER;

    fn run(lirs: &mut Lirs, keys: &[u64]) -> Vec<bool> {
        let mut ev = Vec::new();
        keys.iter()
            .map(|&key| lirs.access(&Access { key, size: 1, tick: 0, next_access: NEVER }, &mut ev))
            .collect()
    }

    /// The example of the paper's Figure 2 shape: 2 LIR slots, 1 HIR slot.
    fn small() -> Lirs {
        let mut l = Lirs::new(Capacity::objects(3), 0.34, ResidentHirHit::Paper);
        assert_eq!((l.lir_limit, l.hir_limit), (2, 1));
        // 1 and 2 fill the LIR set; 3 is a resident HIR object.
        run(&mut l, &[1, 2, 3]);
        assert!(l.is_lir(1) && l.is_lir(2) && !l.is_lir(3) && l.contains(3));
        l
    }

    #[test]
    fn hir_hit_in_stack_becomes_lir_and_demotes_the_bottom() {
        let mut l = small();
        // 3 is in S above the bottom LIR object 1: hitting it makes it LIR and 1 HIR.
        assert_eq!(run(&mut l, &[3]), vec![true]);
        assert!(l.is_lir(3) && l.is_lir(2) && !l.is_lir(1));
        assert!(l.contains(1), "the demoted object stays resident in Q");
        // 1 was the bottom of S; pruning removed it, so it is no longer in S.
        assert!(!l.in_stack(1));
        assert_eq!((l.len(), l.used()), (3, 3));
    }

    #[test]
    fn miss_evicts_from_q_and_keeps_a_non_resident_entry() {
        let mut l = small();
        // 4 is new: it evicts HIR 3 (the only Q entry), which stays in S as non-resident.
        assert_eq!(run(&mut l, &[4]), vec![false]);
        assert!(!l.contains(3) && l.in_stack(3));
        // 3 again: a miss, but its recency is low, so it comes back as LIR and the bottom LIR
        // object (1) is demoted to Q; 4 is evicted to make room for 1 in Q.
        assert_eq!(run(&mut l, &[3]), vec![false]);
        assert!(l.is_lir(3) && !l.is_lir(1) && l.contains(1) && !l.contains(4));
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn hir_hit_outside_stack_stays_hir() {
        let mut l = small();
        // Demote 1 (via a hit on 3), then hit 1, which is resident in Q but not in S.
        run(&mut l, &[3]);
        assert!(!l.in_stack(1) && l.contains(1));
        assert_eq!(run(&mut l, &[1]), vec![true]);
        assert!(!l.is_lir(1) && l.in_stack(1), "it stays HIR but is pushed on S");
        assert!(l.is_lir(2) && l.is_lir(3));
    }

    #[test]
    fn resident_hir_hit_outside_stack_paper_and_libcachesim_rules() {
        // After [1, 2, 3, 3]: LIR {2, 3}, Q {1}, and 1 is not in S.
        let setup = |rule| {
            let mut l = Lirs::new(Capacity::objects(3), 0.34, rule);
            run(&mut l, &[1, 2, 3, 3]);
            assert!(l.is_lir(2) && l.is_lir(3) && l.contains(1) && !l.in_stack(1));
            l
        };
        // The paper: a hit on 1 leaves the LIR set alone.
        let mut paper = setup(ResidentHirHit::Paper);
        assert_eq!(run(&mut paper, &[1]), vec![true]);
        assert!(paper.is_lir(2) && paper.is_lir(3) && paper.contains(1) && paper.in_stack(1));
        // libCacheSim: the bottom LIR object (2) is demoted to Q, which pushes 1 itself out of
        // Q; 1 stays on top of S, answering hits, in no share and not reported evicted.
        let mut lcs = setup(ResidentHirHit::LibCacheSim);
        let mut ev = Vec::new();
        assert!(lcs.access(&Access { key: 1, size: 1, tick: 0, next_access: NEVER }, &mut ev));
        assert!(ev.is_empty(), "{ev:?}");
        assert!(!lcs.is_lir(2) && lcs.contains(2) && lcs.is_lir(3));
        assert!(lcs.contains(1) && lcs.in_stack(1));
        assert_eq!((lcs.len(), lcs.used()), (3, 2), "1 is held but not counted in used");
        // The freed LIR slot goes to the next new object; 1 still hits, and becomes LIR,
        // demoting 3 (whose move to Q evicts 2).
        assert_eq!(run(&mut lcs, &[4, 1]), vec![false, true]);
        assert!(lcs.is_lir(4) && lcs.is_lir(1) && !lcs.is_lir(3) && lcs.contains(3) && !lcs.contains(2));
        assert_eq!((lcs.len(), lcs.used()), (3, 3));
    }

    /// Proptest's minimal failing case (cap 2: one LIR slot, one HIR slot). Removing the only
    /// LIR object left HIR 21 alone in S; 9 then became LIR on top of it, so the bottom of S
    /// was an HIR entry and promoting 21 demoted it as if it were LIR.
    #[test]
    fn removing_the_last_lir_object_keeps_an_lir_object_at_the_bottom_of_s() {
        let mut l = Lirs::new(Capacity::objects(2), DEFAULT_HIR_RATIO, ResidentHirHit::Paper);
        assert_eq!((l.lir_limit, l.hir_limit), (1, 1));
        run(&mut l, &[5, 21]);
        assert!(l.is_lir(5) && l.contains(21) && l.in_stack(21));
        assert!(l.remove(5));
        assert!(l.s.is_empty(), "with no LIR object left, pruning empties S");
        assert!(l.contains(21) && !l.in_stack(21), "21 stays resident in Q");
        // 9 takes the free LIR slot; 0 evicts 21 from Q; 9 is hit.
        assert_eq!(run(&mut l, &[9, 0, 9]), vec![false, false, true]);
        assert!(l.is_lir(9) && l.contains(0) && !l.contains(21) && !l.in_stack(21));
        // 21 is a plain miss: it evicts HIR 0 and leaves the LIR set alone.
        assert_eq!(run(&mut l, &[21]), vec![false]);
        assert!(l.is_lir(9) && l.contains(21) && !l.contains(0));
        assert_eq!(l.s.back().map(|m| l.nodes.slab.get(m).meta.lir), Some(true));
        assert_eq!((l.len(), l.used()), (2, 2));
    }

    #[test]
    fn stack_is_bounded_and_byte_mode_rejects_objects_larger_than_the_hir_share() {
        let mut l = Lirs::new(Capacity::objects(10), 0.1, ResidentHirHit::Paper);
        run(&mut l, &(0..1000).collect::<Vec<_>>());
        assert!(l.s_used <= 20, "S keeps at most twice the capacity");
        assert_eq!(l.len(), 10);
        let mut b = Lirs::new(Capacity::bytes(1000), 0.1, ResidentHirHit::Paper);
        let mut ev = Vec::new();
        assert!(!b.access(&Access { key: 1, size: 101, tick: 0, next_access: NEVER }, &mut ev));
        assert!(!b.contains(1));
        b.access(&Access { key: 2, size: 100, tick: 0, next_access: NEVER }, &mut ev);
        assert!(b.contains(2) && b.remove(2) && b.is_empty() && b.used() == 0);
    }
}
