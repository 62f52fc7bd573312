//! A Fenwick (binary indexed) tree of `u64` weights: point updates and prefix sums in
//! O(log n) (Fenwick, "A new data structure for cumulative frequency tables", 1994).

/// Prefix sums over positions `0..len`.
#[derive(Debug, Clone, Default)]
pub struct Fenwick {
    /// 1-based implicit tree: `tree[i]` holds the sum of the `i & -i` positions ending at `i`.
    tree: Vec<u64>,
}

impl Fenwick {
    /// A tree over `weights` (position `i` holds `weights[i]`), built in O(n).
    pub fn from_weights(weights: &[u64]) -> Self {
        let mut tree = Vec::with_capacity(weights.len() + 1);
        tree.push(0);
        tree.extend_from_slice(weights);
        for i in 1..tree.len() {
            let parent = i + (i & i.wrapping_neg());
            if parent < tree.len() {
                tree[parent] += tree[i];
            }
        }
        Fenwick { tree }
    }

    /// Adds `delta` at position `pos`.
    #[inline]
    pub fn add(&mut self, pos: usize, delta: u64) {
        let mut i = pos + 1;
        while i < self.tree.len() {
            self.tree[i] = self.tree[i].wrapping_add(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// Subtracts `delta` at position `pos` (which holds at least `delta`).
    #[inline]
    pub fn sub(&mut self, pos: usize, delta: u64) {
        self.add(pos, delta.wrapping_neg());
    }

    /// The sum of positions `0..=pos`.
    #[inline]
    pub fn prefix(&self, pos: usize) -> u64 {
        let mut i = pos + 1;
        let mut sum = 0u64;
        while i > 0 {
            sum = sum.wrapping_add(self.tree[i]);
            i &= i - 1;
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_sums_follow_updates() {
        let weights = [3, 0, 5, 1, 0, 2, 7];
        let mut f = Fenwick::from_weights(&weights);
        let naive = |w: &[u64], p: usize| w[..=p].iter().sum::<u64>();
        for p in 0..weights.len() {
            assert_eq!(f.prefix(p), naive(&weights, p));
        }
        let mut w = weights.to_vec();
        f.sub(2, 5);
        w[2] -= 5;
        f.add(6, 4);
        w[6] += 4;
        for p in 0..w.len() {
            assert_eq!(f.prefix(p), naive(&w, p), "position {p}");
        }
    }
}
