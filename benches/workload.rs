//! Workload generation rate: requests per second each generator produces (key, size, op).

use std::hint::black_box;

use cachelab::scenario::Scenario;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const REQUESTS: u64 = 1_000_000;

fn generators(c: &mut Criterion) {
    let mut group = c.benchmark_group("workload");
    group.throughput(Throughput::Elements(REQUESTS));
    group.sample_size(10);
    for kind in ["zipf", "scrambled_zipf", "uniform", "hot_set", "shifting"] {
        let text = format!(
            "name = \"b\"\n[workload]\nkind = \"{kind}\"\nkeys = 1_000_000\nrequests = {REQUESTS}\n\
             value_size = {{ dist = \"lognormal\", median = \"4KiB\" }}\n[[strategy]]\nname = \"n\"\nkind = \"none\"\n"
        );
        let spec = Scenario::parse(&text, "bench.toml".as_ref()).expect("valid").workload;
        group.bench_function(kind, |b| {
            b.iter(|| spec.stream(42).expect("stream").fold(0u64, |acc, r| acc ^ black_box(r.key)))
        });
    }
    group.finish();
}

criterion_group!(benches, generators);
criterion_main!(benches);
