//! Throughput of the fast simulation path (`cachelab simulate`): reading an oracleGeneral
//! trace alone (plain and zstd: the ceiling), and replaying it through every registered
//! policy on one thread. The trace is a scaled-down copy of the benchmark (Zipf 0.9,
//! cache = 10% of the keys): 2 M requests over 100 k objects at a 10 k-object cache.
//! `scripts/speed.sh` runs the full-size benchmark through the CLI and reports peak memory.
//!
//! The `mrc` group draws 20-size LRU curves of the same trace: exactly from reuse distances,
//! with SHARDS and with miniature simulations at rate 0.01, against the 20 separate LRU
//! replays they replace; and a 5-policy x 4-size sweep read once (`trace_policies::run`).

use std::hint::black_box;
use std::num::NonZeroU64;
use std::path::Path;
use std::time::Duration;

use cachelab::model::Capacity;
use cachelab::model::units::Positive;
use cachelab::mrc::{Method, Plan, Sampling, Sizes, log_sizes, profile};
use cachelab::policy::{PolicyKind, PolicyParams, build_policy};
use cachelab::runner::trace_policies::{self, Job, replay};
use cachelab::workload::trace::{CsvOptions, TraceRecord, TraceSource, count_requests, write_trace};
use cachelab::workload::{GeneratorKind, ValueSize, WorkloadSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const REQUESTS: u64 = 2_000_000;
const KEYS: u64 = 100_000;
const CACHE: u64 = 10_000;

fn write_zipf(path: &Path) {
    let spec = WorkloadSpec {
        kind: GeneratorKind::Zipf,
        keys: NonZeroU64::new(KEYS).expect("nonzero"),
        requests: NonZeroU64::new(REQUESTS).expect("nonzero"),
        alpha: Positive(0.9),
        value_size: ValueSize::default(),
        ..WorkloadSpec::default()
    };
    let stream = spec.stream(42).expect("valid spec");
    let records = (0u64..).zip(stream).map(|(time, r)| Ok(TraceRecord::read(time, r.key, r.size)));
    write_trace(path, records).expect("trace written");
}

fn simulate(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("zipf.oracleGeneral.bin");
    let packed = dir.path().join("zipf.oracleGeneral.bin.zst");
    write_zipf(&plain);
    write_zipf(&packed);
    let source = |p: &Path| TraceSource::new(p, None, CsvOptions::default()).expect("known format");
    let (plain, packed) = (source(&plain), source(&packed));

    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(REQUESTS));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    group.bench_function("read/oracle_general", |b| b.iter(|| black_box(count_requests(&plain).unwrap())));
    group.bench_function("read/oracle_general_zst", |b| {
        b.iter(|| black_box(count_requests(&packed).unwrap()))
    });
    for (kind, _) in PolicyKind::ALL {
        group.bench_function(format!("{}/oracle_general", kind.name()), |b| {
            b.iter(|| {
                let mut policy = build_policy(*kind, &PolicyParams::default(), Capacity::objects(CACHE));
                black_box(replay(policy.as_mut(), &mut plain.open().unwrap()).unwrap())
            })
        });
    }
    group.finish();
}

fn mrc(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("zipf.oracleGeneral.bin");
    write_zipf(&path);
    let source = TraceSource::new(&path, None, CsvOptions::default()).expect("known format");
    let sizes = log_sizes(KEYS, 20);
    let plan = |method, sampling| Plan {
        curves: vec![(PolicyKind::Lru, method)],
        sampling,
        bytes: false,
        sizes: Sizes::Given(sizes.clone()),
        cells: None,
    };
    let mut group = c.benchmark_group("mrc");
    group.throughput(Throughput::Elements(REQUESTS));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    group.bench_function("lru_20_separate_replays", |b| {
        b.iter(|| {
            for &size in &sizes {
                let mut policy =
                    build_policy(PolicyKind::Lru, &PolicyParams::default(), Capacity::objects(size));
                black_box(replay(policy.as_mut(), &mut source.open().unwrap()).unwrap());
            }
        })
    });
    for (name, method, sampling) in [
        ("exact_lru_20", Method::Exact, Sampling::Rate(1.0)),
        ("shards_0.01_lru_20", Method::Shards, Sampling::Rate(0.01)),
        ("minisim_0.01_lru_20", Method::MiniSim, Sampling::Rate(0.01)),
    ] {
        let plan = plan(method, sampling);
        group.bench_function(name, |b| b.iter(|| black_box(profile(&source, &plan).unwrap())));
    }
    let jobs: Vec<Job> = ["lru", "fifo", "sieve", "arc", "s3fifo"]
        .iter()
        .flat_map(|p| {
            sizes.iter().step_by(5).map(|&n| Job {
                policy: PolicyKind::parse(p).expect("known policy"),
                params: PolicyParams::default(),
                capacity: Capacity::objects(n),
                admission: None,
            })
        })
        .collect();
    group.bench_function("sweep_5x4_read_once", |b| {
        b.iter(|| black_box(trace_policies::run(&source, &jobs, None).unwrap()))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = simulate, mrc
}
criterion_main!(benches);
