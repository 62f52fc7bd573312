//! The exact LRU simulation agrees with Che's approximation on Zipf traffic.
//!
//! Che et al. (IEEE JSAC 2002): an LRU cache of C objects behaves like a cache where each
//! object stays for a characteristic time T with sum_i (1 - e^{-p_i T}) = C, so its hit ratio
//! is sum_i p_i (1 - e^{-p_i T}). The approximation is for steady state, so the simulation
//! excludes a warm-up.

use cachelab::model::units::{Fraction, Positive};
use cachelab::model::{Capacity, NEVER};
use cachelab::policy::{Access, Lru, Policy};
use cachelab::workload::WorkloadSpec;

fn zipf_probs(n: usize, alpha: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-alpha)).collect();
    let h: f64 = w.iter().sum();
    w.into_iter().map(|x| x / h).collect()
}

/// Che's approximation of LRU's miss ratio at `capacity` objects.
fn che_miss_ratio(probs: &[f64], capacity: f64) -> f64 {
    let occupancy = |t: f64| probs.iter().map(|p| 1.0 - (-p * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while occupancy(hi) < capacity {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if occupancy(mid) < capacity { lo = mid } else { hi = mid }
    }
    let t = 0.5 * (lo + hi);
    1.0 - probs.iter().map(|p| p * (1.0 - (-p * t).exp())).sum::<f64>()
}

#[test]
fn che_formula_reproduces_the_reference_figures() {
    // ../shared/reference/README.md: Che for zipf09 (100,000 objects, alpha 0.9).
    let probs = zipf_probs(100_000, 0.9);
    for (c, expected) in [(100.0, 0.84395), (1_000.0, 0.65794), (10_000.0, 0.39477)] {
        let got = che_miss_ratio(&probs, c);
        assert!((got - expected).abs() < 5e-5, "C={c}: {got} vs {expected}");
    }
}

#[test]
fn lru_simulation_matches_che_within_0_01_at_three_sizes() {
    let spec = WorkloadSpec {
        keys: 100_000.try_into().unwrap(),
        requests: 2_000_000.try_into().unwrap(),
        alpha: Positive(0.9),
        warmup: Fraction(0.25),
        ..WorkloadSpec::default()
    };
    let probs = zipf_probs(100_000, 0.9);
    // Che's formula is for steady state: the first quarter of the stream only warms the cache.
    let warmup = (spec.requests.get() as f64 * spec.warmup.0) as usize;
    assert_eq!(warmup, 500_000);
    for capacity in [100u64, 1_000, 10_000] {
        let mut lru = Lru::new(Capacity::objects(capacity));
        let mut evicted = Vec::new();
        let (mut misses, mut measured) = (0u64, 0u64);
        for (i, r) in spec.stream(42).unwrap().enumerate() {
            evicted.clear();
            let hit = lru.access(
                &Access { key: r.key, size: r.size, tick: i as u64, next_access: NEVER },
                &mut evicted,
            );
            if i >= warmup {
                measured += 1;
                misses += u64::from(!hit);
            }
        }
        let simulated = misses as f64 / measured as f64;
        let che = che_miss_ratio(&probs, capacity as f64);
        assert!((simulated - che).abs() < 0.01, "C={capacity}: LRU {simulated:.5} vs Che {che:.5}");
    }
}
