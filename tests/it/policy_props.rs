//! Properties every registered eviction policy must have (iterates `PolicyKind::ALL`, so a
//! newly registered policy is covered without touching this file):
//! - usage never exceeds the capacity, and equals what the resident objects charge;
//! - a hit is exactly a request for a resident object, so hits + misses = requests;
//! - `contains`/`len` agree with the evictions reported; `remove` drops exactly the object;
//! - an object larger than the cache is never admitted and evicts nothing;
//! - in object mode Belady is optimal: it equals a naive MIN and no policy misses less (a
//!   policy that declined an object is held to MIN with bypass instead, which can do better);
//! - through `Simulated` and the sim runner, every policy's hits + misses = requests.

use std::collections::BTreeSet;

use cachelab::model::units::Positive;
use cachelab::model::{Capacity, CapacityUnit, NEVER};
use cachelab::policy::{Access, PolicyKind, PolicyParams, ResidentHirHit, build_policy};
use proptest::prelude::*;

/// Keys the generated traces draw from.
const KEYS: u64 = 24;

#[derive(Debug, Clone, Copy)]
enum Op {
    /// Access key with its (stable) size.
    Get(u64),
    /// Invalidate key.
    Remove(u64),
    /// Access a fresh key larger than the cache (byte mode only).
    Oversized,
}

fn ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            8 => (0..KEYS).prop_map(Op::Get),
            1 => (0..KEYS).prop_map(Op::Remove),
            1 => Just(Op::Oversized),
        ],
        1..max_len,
    )
}

fn gets(max_len: usize) -> impl Strategy<Value = Vec<u64>> {
    // Skewed towards small keys so that there are hits to lose.
    prop::collection::vec((0..KEYS, 0..KEYS).prop_map(|(a, b)| a.min(b)), 1..max_len)
}

fn capacity() -> impl Strategy<Value = Capacity> {
    prop_oneof![(1u64..=16).prop_map(Capacity::objects), (1u64..=400).prop_map(Capacity::bytes)]
}

/// Next-access time of every position of `keys` (`NEVER` when not requested again).
fn next_accesses(keys: &[u64]) -> Vec<u64> {
    let mut next = std::collections::HashMap::new();
    let mut out = vec![NEVER; keys.len()];
    for (i, k) in keys.iter().enumerate().rev() {
        out[i] = next.insert(*k, i as u64).unwrap_or(NEVER);
    }
    out
}

/// Replays `ops` through `kind`, checking the invariants after every step.
fn check_invariants(
    kind: PolicyKind,
    params: &PolicyParams,
    cap: Capacity,
    sizes: &[u32],
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let name = kind.name();
    let mut p = build_policy(kind, params, cap);
    prop_assert_eq!(p.capacity(), cap);
    let keys: Vec<u64> = ops.iter().map(|op| if let Op::Get(k) = op { *k } else { u64::MAX }).collect();
    let next = next_accesses(&keys);
    let mut resident = BTreeSet::new();
    let mut evicted = Vec::new();
    let (mut hits, mut misses, mut requests) = (0u64, 0u64, 0u64);
    for (tick, op) in ops.iter().enumerate() {
        evicted.clear();
        match *op {
            Op::Get(key) => {
                let size = sizes[key as usize];
                let before = p.contains(key);
                let hit =
                    p.access(&Access { key, size, tick: tick as u64, next_access: next[tick] }, &mut evicted);
                requests += 1;
                if hit {
                    hits += 1;
                } else {
                    misses += 1;
                }
                prop_assert_eq!(hit, before, "{}: hit must mean resident before (key {})", name, key);
                for e in &evicted {
                    prop_assert!(resident.remove(e), "{}: evicted {} which was not resident", name, e);
                    prop_assert!(!p.contains(*e), "{}: evicted {} still contained", name, e);
                }
                if p.contains(key) {
                    resident.insert(key);
                }
                if cap.charge(size) > cap.value {
                    prop_assert!(!p.contains(key), "{}: admitted {} bytes into {}", name, size, cap);
                }
            }
            Op::Remove(key) => {
                let before = p.contains(key);
                prop_assert_eq!(p.remove(key), before, "{}: remove({}) result", name, key);
                prop_assert!(!p.contains(key));
                resident.remove(&key);
            }
            Op::Oversized => {
                if cap.unit == CapacityUnit::Objects {
                    continue;
                }
                let key = 1_000_000 + tick as u64;
                let size = (cap.value + 1) as u32;
                let a = Access { key, size, tick: tick as u64, next_access: NEVER };
                prop_assert!(!p.access(&a, &mut evicted));
                prop_assert!(!p.contains(key), "{}: admitted an object larger than the cache", name);
                prop_assert!(
                    evicted.is_empty(),
                    "{}: evicted {:?} for an object it cannot admit",
                    name,
                    evicted
                );
            }
        }
        prop_assert!(p.used() <= cap.value, "{}: uses {} of {}", name, p.used(), cap);
        prop_assert_eq!(p.len(), resident.len(), "{}: len", name);
        for k in 0..KEYS {
            prop_assert_eq!(p.contains(k), resident.contains(&k), "{}: contains({})", name, k);
        }
        let charged: u64 = resident.iter().map(|&k| cap.charge(sizes[k as usize])).sum();
        if params.resident_hir_hit == Some(ResidentHirHit::LibCacheSim) {
            // libCacheSim's LIRS holds some objects uncounted (src/policy/lirs.rs).
            prop_assert!(p.used() <= charged, "{}: used {} of resident {}", name, p.used(), charged);
        } else {
            prop_assert_eq!(p.used(), charged, "{}: used vs resident objects", name);
        }
        prop_assert_eq!(p.is_empty(), resident.is_empty());
    }
    prop_assert_eq!(hits + misses, requests);
    Ok(())
}

/// Misses of Belady's MIN computed naively (object mode); with `bypass` a missed object is
/// not cached when it is itself the one needed farthest ahead.
fn naive_min(keys: &[u64], next: &[u64], cap: usize, bypass: bool) -> u64 {
    let mut resident: Vec<(u64, u64)> = Vec::new(); // (key, next access)
    let mut misses = 0;
    for (i, &k) in keys.iter().enumerate() {
        if let Some(r) = resident.iter_mut().find(|r| r.0 == k) {
            r.1 = next[i];
            continue;
        }
        misses += 1;
        if resident.len() < cap {
            resident.push((k, next[i]));
            continue;
        }
        let (far, &(_, far_next)) = resident.iter().enumerate().max_by_key(|(_, r)| r.1).expect("cap >= 1");
        if bypass && next[i] >= far_next {
            continue;
        }
        resident[far] = (k, next[i]);
    }
    misses
}

/// Misses of `kind` over `keys` (object mode, unit sizes) and whether it ever declined to
/// cache a missed object.
fn misses_of(kind: PolicyKind, keys: &[u64], next: &[u64], cap: u64) -> (u64, bool) {
    let mut p = build_policy(kind, &PolicyParams::default(), Capacity::objects(cap));
    let mut evicted = Vec::new();
    let (mut misses, mut declined) = (0, false);
    for (i, &key) in keys.iter().enumerate() {
        evicted.clear();
        if !p.access(&Access { key, size: 1, tick: i as u64, next_access: next[i] }, &mut evicted) {
            misses += 1;
            declined |= !p.contains(key);
        }
    }
    (misses, declined)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_policy_keeps_its_invariants(
        cap in capacity(),
        sizes in prop::collection::vec(1u32..=64, KEYS as usize),
        ops in ops(300),
    ) {
        for (kind, _) in PolicyKind::ALL {
            check_invariants(*kind, &PolicyParams::default(), cap, &sizes, &ops)?;
        }
        // The libCacheSim rules behind parameters (tests/it/oracle.rs).
        let s3fifo = PolicyParams { warmup_to_main: Some(true), ..Default::default() };
        check_invariants(PolicyKind::S3Fifo, &s3fifo, cap, &sizes, &ops)?;
        // Without removes: one that prunes S may drop an uncounted resident unreported.
        let lirs = PolicyParams { resident_hir_hit: Some(ResidentHirHit::LibCacheSim), ..Default::default() };
        let replay: Vec<Op> = ops.iter().filter(|op| !matches!(op, Op::Remove(_))).cloned().collect();
        check_invariants(PolicyKind::Lirs, &lirs, cap, &sizes, &replay)?;
        // MQ's expiry never fires within 300 requests at its default lifetime: a short one.
        let mq = PolicyParams {
            queues: Some(3),
            lifetime: Some(3),
            qout_ratio: Some(Positive(0.5)),
            ..Default::default()
        };
        check_invariants(PolicyKind::Mq, &mq, cap, &sizes, &ops)?;
    }

    #[test]
    fn belady_is_optimal_in_object_mode(cap in 1u64..=12, keys in gets(400)) {
        let next = next_accesses(&keys);
        let min = naive_min(&keys, &next, cap as usize, false);
        let min_bypass = naive_min(&keys, &next, cap as usize, true);
        let (belady, _) = misses_of(PolicyKind::Belady, &keys, &next, cap);
        prop_assert_eq!(belady, min, "Belady differs from a naive MIN");
        for (kind, _) in PolicyKind::ALL {
            let (misses, declined) = misses_of(*kind, &keys, &next, cap);
            let bound = if declined { min_bypass } else { belady };
            prop_assert!(bound <= misses, "{} missed {} < optimal {}", kind.name(), misses, bound);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Through `Simulated` and the sim runner (registry, strategy, runner), every policy
    /// answers every request once, holds no more than its capacity, and Belady gets the
    /// next-access times it needs (it is never beaten by an admitting policy).
    #[test]
    fn every_policy_counts_every_request_through_the_runner(
        seed in 0u64..1000,
        keys in 50u64..400,
        capacity in 5u64..60,
    ) {
        let mut text = format!(
            "name = \"props\"\nseed = {seed}\n[workload]\nkeys = {keys}\nrequests = 3000\nwarmup = 0\n"
        );
        for (kind, _) in PolicyKind::ALL {
            text.push_str(&format!("[[strategy]]\nname = \"{0}\"\nkind = \"{0}\"\ncapacity = {capacity}\n", kind.name()));
        }
        let scenario = cachelab::scenario::Scenario::parse(&text, std::path::Path::new("props.toml"))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let result = cachelab::runner::logical::run(&scenario.plan(), &indicatif::ProgressBar::hidden(), true)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(result.results.len(), PolicyKind::ALL.len());
        let belady = result.results.iter().find(|r| r.kind == "belady").expect("belady ran").counts.misses;
        for r in &result.results {
            prop_assert_eq!(r.counts.hits + r.counts.misses, 3000, "{}", r.kind);
            prop_assert!(r.final_entries <= capacity, "{}: {} entries", r.kind, r.final_entries);
            if ["lru", "fifo", "clock", "lfu", "sieve", "s3fifo"].contains(&r.kind.as_str()) {
                prop_assert!(belady <= r.counts.misses, "{} beat belady", r.kind);
            }
        }
    }
}
