//! Properties of ARC, LIRS and W-TinyLFU on random traces, in object and byte mode: usage
//! never exceeds the capacity, an object larger than the cache is never admitted, and what a
//! policy reports (hits, evictions, `len`, `used`, `contains`) agrees with a model of the
//! resident set rebuilt from those reports.

use std::collections::HashMap;

use cachelab::policy::{Access, Capacity, NEVER, PolicyKind, PolicyParams, build_policy};
use proptest::prelude::*;

const KINDS: [PolicyKind; 3] = [PolicyKind::Arc, PolicyKind::Lirs, PolicyKind::WTinyLfu];

/// A fixed size per key, so a key's charge never changes between requests.
fn size_of(key: u64, max: u32) -> u32 {
    1 + (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as u32 % max
}

fn check(kind: PolicyKind, capacity: Capacity, keys: &[u64], max_size: u32) -> Result<(), TestCaseError> {
    let mut policy = build_policy(kind, &PolicyParams::default(), capacity);
    let mut resident: HashMap<u64, u64> = HashMap::new();
    let mut evicted = Vec::new();
    let (mut hits, mut misses) = (0u64, 0u64);
    for (tick, &key) in keys.iter().enumerate() {
        let size = size_of(key, max_size);
        let was_resident = policy.contains(key);
        evicted.clear();
        let hit = policy.access(&Access { key, size, tick: tick as u64, next_access: NEVER }, &mut evicted);
        if hit {
            hits += 1
        } else {
            misses += 1
        }
        prop_assert_eq!(hit, was_resident, "{:?}: a hit is exactly a resident key", kind);
        for k in &evicted {
            prop_assert!(resident.remove(k).is_some(), "{:?}: evicted {} was not resident", kind, k);
            prop_assert!(!policy.contains(*k), "{:?}: evicted {} still resident", kind, k);
        }
        if policy.contains(key) {
            resident.insert(key, capacity.charge(size));
        }
        if capacity.charge(size) > capacity.value {
            prop_assert!(!policy.contains(key), "{:?}: admitted an object larger than the cache", kind);
        }
        prop_assert!(policy.used() <= capacity.value, "{:?}: used {} > {}", kind, policy.used(), capacity);
        prop_assert_eq!(policy.len(), resident.len(), "{:?}: len disagrees with reported evictions", kind);
        prop_assert_eq!(policy.used(), resident.values().sum::<u64>(), "{:?}: used disagrees", kind);
    }
    prop_assert_eq!(hits + misses, keys.len() as u64);
    // Removing every resident key empties the cache.
    for k in resident.keys() {
        prop_assert!(policy.remove(*k));
    }
    prop_assert!(policy.is_empty() && policy.used() == 0, "{:?}: not empty after removing all", kind);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn object_mode_invariants(keys in prop::collection::vec(0u64..60, 1..600), cap in 1u64..40) {
        for kind in KINDS {
            check(kind, Capacity::objects(cap), &keys, 1)?;
        }
    }

    #[test]
    fn byte_mode_invariants(keys in prop::collection::vec(0u64..60, 1..600), cap in 1u64..3000) {
        for kind in KINDS {
            check(kind, Capacity::bytes(cap), &keys, 40)?;
        }
    }
}
