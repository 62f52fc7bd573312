//! Exact LRU miss-ratio curves from one pass of reuse distances ([`super::stack`]): LRU has
//! the stack property (Mattson et al., "Evaluation techniques for storage hierarchies", IBM
//! Systems Journal 1970), so a request hits a cache of `C` objects exactly when fewer than `C`
//! distinct objects were requested since its object's previous request, and one histogram of
//! those distances gives the misses of every size at once.
//!
//! With byte capacities the distance is the bytes of those objects plus the object's own, and
//! a cache of `C` bytes never admits an object larger than `C` (the policy rejects it without
//! evicting anything), so such objects must not count towards any distance at that size: the
//! stack keeps one weight class per cache size and a size counts only the classes that fit
//! it. Hits then equal a separate LRU simulation's at every size as long as each object keeps
//! one size (true of most oracleGeneral traces and of CSV read with `--first-size`): a cache
//! keeps the size an object had when admitted, which differs from cache to cache once sizes
//! change, while the stack holds each object's latest size. [`ByteHits::resized`] counts the
//! requests that changed their object's size, so the command can say the counts are then
//! close rather than identical.

use super::stack::StackDistance;

/// Reuse-distance histogram in objects: every size of the curve comes from it afterwards.
#[derive(Debug)]
pub struct ObjectDistances {
    stack: StackDistance,
    /// `hist[d]`: requests whose object was last requested `d` distinct objects ago.
    hist: Vec<u64>,
    requests: u64,
    above: [u64; 1],
}

impl Default for ObjectDistances {
    fn default() -> Self {
        ObjectDistances { stack: StackDistance::new(1), hist: Vec::new(), requests: 0, above: [0] }
    }
}

impl ObjectDistances {
    /// One request for `key`.
    #[inline]
    pub fn record(&mut self, key: u64) {
        self.requests += 1;
        if self.stack.access(key, 1, 0, &mut self.above).is_some() {
            let d = self.above[0] as usize;
            if d >= self.hist.len() {
                self.hist.resize(d + 1, 0);
            }
            self.hist[d] += 1;
        }
    }

    /// Requests recorded.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Distinct objects seen (the footprint).
    pub fn footprint(&self) -> u64 {
        self.stack.len() as u64
    }

    /// Misses of an LRU cache of `size` objects at each of `sizes` (any order).
    pub fn misses(&self, sizes: &[u64]) -> Vec<u64> {
        // hits_below[c] = requests with distance < c
        let mut hits_below = Vec::with_capacity(self.hist.len() + 1);
        let mut sum = 0u64;
        hits_below.push(0);
        for &n in &self.hist {
            sum += n;
            hits_below.push(sum);
        }
        sizes.iter().map(|&c| self.requests - hits_below[(c as usize).min(self.hist.len())]).collect()
    }
}

/// Hits of LRU caches of given byte capacities, counted request by request.
#[derive(Debug)]
pub struct ByteHits {
    /// Capacities, ascending and distinct.
    sizes: Vec<u64>,
    stack: StackDistance,
    hits: Vec<u64>,
    requests: u64,
    resized: u64,
    above: Vec<u64>,
}

impl ByteHits {
    /// Counters for LRU caches of each of `sizes` bytes (ascending, distinct, non-empty).
    pub fn new(sizes: Vec<u64>) -> Self {
        let k = sizes.len();
        ByteHits {
            stack: StackDistance::new(k),
            hits: vec![0; k],
            requests: 0,
            resized: 0,
            above: vec![0; k],
            sizes,
        }
    }

    /// One request for `key` of `size` bytes.
    #[inline]
    pub fn record(&mut self, key: u64, size: u32) {
        self.requests += 1;
        let size = u64::from(size);
        // The class of an object: the smallest cache it fits in.
        let class = self.sizes.partition_point(|&c| c < size);
        if class == self.sizes.len() {
            // Fits no cache: a miss everywhere, and never on any cache's stack.
            self.stack.remove(key);
            return;
        }
        let Some(before) = self.stack.access(key, size, class, &mut self.above) else { return };
        self.resized += u64::from(before != size);
        let mut bytes_above = 0u64;
        for (j, &capacity) in self.sizes.iter().enumerate() {
            bytes_above += self.above[j];
            if j >= class && bytes_above + size <= capacity {
                self.hits[j] += 1;
            }
        }
    }

    /// Requests recorded.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Requests whose size differed from their object's previous request's.
    pub fn resized(&self) -> u64 {
        self.resized
    }

    /// The capacities, ascending.
    pub fn sizes(&self) -> &[u64] {
        &self.sizes
    }

    /// Misses at each capacity of [`Self::sizes`].
    pub fn misses(&self) -> Vec<u64> {
        self.hits.iter().map(|h| self.requests - h).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Capacity, NEVER};
    use crate::policy::{Access, Lru, Policy};

    fn lru_misses(trace: &[(u64, u32)], capacity: Capacity) -> u64 {
        let mut lru = Lru::new(capacity);
        let mut evicted = Vec::new();
        let mut misses = 0;
        for (tick, &(key, size)) in (0u64..).zip(trace) {
            let a = Access { key, size, tick, next_access: NEVER };
            misses += u64::from(!lru.access(&a, &mut evicted));
            evicted.clear();
        }
        misses
    }

    fn trace(n: usize) -> Vec<(u64, u32)> {
        let mut rng = crate::model::hash::SplitMix64::new(3);
        (0..n)
            .map(|_| {
                let key = rng.next_u64() % 500;
                (key, 1 + (crate::model::hash::mix64(key) % 300) as u32)
            })
            .collect()
    }

    #[test]
    fn object_curve_equals_lru_at_every_size() {
        let t = trace(30_000);
        let mut d = ObjectDistances::default();
        t.iter().for_each(|&(k, _)| d.record(k));
        let sizes: Vec<u64> = vec![1, 2, 7, 50, 199, 400, 500, 1000];
        let got = d.misses(&sizes);
        for (&c, &m) in sizes.iter().zip(&got) {
            assert_eq!(m, lru_misses(&t, Capacity::objects(c)), "size {c}");
        }
        assert_eq!(d.footprint(), 500);
    }

    #[test]
    fn byte_curve_equals_lru_with_oversized_objects() {
        let t = trace(30_000);
        // The smallest caches reject most objects: the classes must keep them out.
        let sizes: Vec<u64> = vec![50, 150, 299, 1_000, 10_000, 40_000, 80_000];
        let mut h = ByteHits::new(sizes.clone());
        t.iter().for_each(|&(k, s)| h.record(k, s));
        for (&c, &m) in sizes.iter().zip(&h.misses()) {
            assert_eq!(m, lru_misses(&t, Capacity::bytes(c)), "size {c}");
        }
    }
}
