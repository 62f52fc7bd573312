//! Access cost of each eviction policy: a fresh 100 k-object cache replays 2 M requests of a
//! Zipf 0.9 stream over 1 M objects (generated once, outside the timed loop), through
//! `Box<dyn Policy>` as `cachelab simulate` drives it. Throughput is in requests.

use std::hint::black_box;

use cachelab::model::{Capacity, NEVER};
use cachelab::policy::{Access, Policy, PolicyKind, PolicyParams, build_policy};
use cachelab::workload::reference_zipf::ReferenceZipf;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

const OBJECTS: u64 = 1_000_000;
const REQUESTS: usize = 2_000_000;
const CACHE: u64 = 100_000;

/// The request stream with next-access times (only Belady reads them).
fn stream() -> Vec<Access> {
    let keys: Vec<u64> = ReferenceZipf::new(OBJECTS, 0.9, 42).take(REQUESTS).collect();
    let mut next = rustc_hash::FxHashMap::default();
    let mut out = vec![Access { key: 0, size: 1, tick: 0, next_access: NEVER }; keys.len()];
    for (i, &key) in keys.iter().enumerate().rev() {
        let next_access = next.insert(key, i as u64).unwrap_or(NEVER);
        out[i] = Access { key, size: 1, tick: i as u64, next_access };
    }
    out
}

fn replay(policy: &mut dyn Policy, stream: &[Access]) -> u64 {
    let mut evicted = Vec::with_capacity(16);
    let mut hits = 0;
    for a in stream {
        evicted.clear();
        hits += u64::from(policy.access(a, &mut evicted));
    }
    hits
}

fn policies(c: &mut Criterion) {
    let stream = stream();
    let mut group = c.benchmark_group("policy_access");
    group.throughput(Throughput::Elements(REQUESTS as u64));
    group.sample_size(10);
    for &(kind, _) in PolicyKind::ALL {
        group.bench_function(kind.name(), |b| {
            b.iter_batched(
                || build_policy(kind, &PolicyParams::default(), Capacity::objects(CACHE)),
                |mut policy| {
                    black_box(replay(policy.as_mut(), &stream));
                    policy
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, policies);
criterion_main!(benches);
