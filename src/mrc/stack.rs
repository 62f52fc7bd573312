//! Reuse (stack) distances in one pass, Olken's way (Olken, "Efficient methods for calculating
//! the success function of fixed space replacement policies", LBL 1981; Mattson et al. 1970
//! for the stack property): every live key owns a mark at the position of its latest access
//! in a [`Fenwick`] tree, so the weight of the distinct keys accessed since a key's previous
//! access is the sum of the marks after its old position, one O(log n) query.
//!
//! Positions are renumbered (compacted) whenever they run out, so memory follows the number
//! of live keys, not the length of the trace. Weights may be split into classes (one tree
//! each): byte-capacity curves count only the objects that fit a given cache, see
//! [`super::exact`].

use rustc_hash::FxHashMap;

use super::fenwick::Fenwick;

/// Fewest positions the trees are built with.
const MIN_POSITIONS: usize = 1 << 12;

/// Where a live key's mark is.
#[derive(Debug, Clone, Copy)]
struct Mark {
    pos: u32,
    class: u32,
    weight: u64,
}

/// The LRU stack of the keys seen so far, as marks in Fenwick trees.
#[derive(Debug)]
pub struct StackDistance {
    marks: FxHashMap<u64, Mark>,
    /// The key whose mark was placed at each position (stale once the key moved on).
    owner: Vec<u64>,
    trees: Vec<Fenwick>,
    /// Total live weight per class.
    totals: Vec<u64>,
    next: usize,
}

impl StackDistance {
    /// An empty stack whose weights fall in `classes` classes (at least 1).
    pub fn new(classes: usize) -> Self {
        let classes = classes.max(1);
        StackDistance {
            marks: FxHashMap::default(),
            owner: vec![0; MIN_POSITIONS],
            trees: vec![Fenwick::from_weights(&[0; MIN_POSITIONS]); classes],
            totals: vec![0; classes],
            next: 0,
        }
    }

    /// Number of live keys.
    pub fn len(&self) -> usize {
        self.marks.len()
    }

    /// Total weight of the live keys, all classes.
    pub fn total_weight(&self) -> u64 {
        self.totals.iter().sum()
    }

    /// Accesses `key` with `weight` in `class`, moving it to the top of the stack. Returns
    /// None on its first access (or first since [`Self::remove`]); otherwise its previous
    /// weight, with `above[c]` set to the total weight, in class `c`, of the distinct keys
    /// accessed since its previous access (`above` has one slot per class).
    #[inline]
    pub fn access(&mut self, key: u64, weight: u64, class: usize, above: &mut [u64]) -> Option<u64> {
        if self.next == self.owner.len() {
            self.compact();
        }
        let pos = self.next;
        self.next += 1;
        self.owner[pos] = key;
        let mark = Mark { pos: pos as u32, class: class as u32, weight };
        let seen = match self.marks.insert(key, mark) {
            Some(old) => {
                for (c, slot) in above.iter_mut().enumerate() {
                    *slot = if self.totals[c] == 0 {
                        0
                    } else {
                        self.totals[c] - self.trees[c].prefix(old.pos as usize)
                    };
                }
                self.unmark(old);
                Some(old.weight)
            }
            None => None,
        };
        self.trees[class].add(pos, weight);
        self.totals[class] += weight;
        seen
    }

    /// Forgets `key` (it leaves the stack); returns whether it was there.
    pub fn remove(&mut self, key: u64) -> bool {
        match self.marks.remove(&key) {
            Some(old) => {
                self.unmark(old);
                true
            }
            None => false,
        }
    }

    fn unmark(&mut self, old: Mark) {
        let c = old.class as usize;
        self.trees[c].sub(old.pos as usize, old.weight);
        self.totals[c] -= old.weight;
    }

    /// Renumbers the live marks `0..live` in stack order and rebuilds the trees with room
    /// for as many again.
    fn compact(&mut self) {
        let live = self.marks.len();
        let room = (2 * live).max(MIN_POSITIONS);
        let classes = self.trees.len();
        let mut owner = Vec::with_capacity(room);
        let mut weights = vec![vec![0u64; room]; classes];
        for pos in 0..self.next {
            let key = self.owner[pos];
            if let Some(mark) = self.marks.get_mut(&key)
                && mark.pos as usize == pos
            {
                mark.pos = owner.len() as u32;
                weights[mark.class as usize][owner.len()] = mark.weight;
                owner.push(key);
            }
        }
        self.next = owner.len();
        owner.resize(room, 0);
        self.owner = owner;
        self.trees = weights.iter().map(|w| Fenwick::from_weights(w)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distances by brute force: the distinct keys between two accesses.
    fn naive(trace: &[u64]) -> Vec<Option<u64>> {
        (0..trace.len())
            .map(|i| {
                let prev = trace[..i].iter().rposition(|&k| k == trace[i])?;
                let between: std::collections::HashSet<_> = trace[prev + 1..i].iter().collect();
                Some(between.len() as u64)
            })
            .collect()
    }

    #[test]
    fn distances_match_brute_force_across_compactions() {
        let mut rng = crate::model::hash::SplitMix64::new(7);
        let trace: Vec<u64> = (0..20_000).map(|_| rng.next_u64() % 300).collect();
        let mut stack = StackDistance::new(1);
        let mut above = [0u64];
        for (i, (&key, want)) in trace.iter().zip(naive(&trace)).enumerate() {
            let seen = stack.access(key, 1, 0, &mut above);
            assert_eq!(seen.map(|_| above[0]), want, "request {i}");
        }
        assert_eq!(stack.len(), 300);
    }

    #[test]
    fn classes_and_removal_split_the_weight() {
        let mut stack = StackDistance::new(2);
        let mut above = [0u64; 2];
        stack.access(1, 10, 0, &mut above);
        stack.access(2, 20, 1, &mut above);
        stack.access(3, 30, 0, &mut above);
        assert_eq!(stack.access(1, 11, 0, &mut above), Some(10));
        assert_eq!(above, [30, 20]);
        assert!(stack.remove(3));
        assert_eq!(stack.access(2, 20, 1, &mut above), Some(20));
        assert_eq!(above, [11, 0]);
        assert_eq!(stack.access(3, 30, 0, &mut above), None);
    }
}
