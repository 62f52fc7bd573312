//! Harness overhead per request of the load runner: drawing the next request from the
//! workload generator, timing it with the runner's request clock (`runner::load::clock`, TSC
//! reads through quanta) and recording the outcome into the worker's HdrHistograms and
//! counters. Target: <= 100 ns per request, so the harness is negligible next to even an
//! in-process cache.
//!
//! Measured on the 2-core build VM (CPU time, 2026-11-25, timing with `Instant::now`): 75 ns
//! per request with the uniform generator over 1M keys, 84 ns with Zipf over 100k keys, 137 ns
//! with Zipf over 1M keys (its 12 MB alias table no longer fits the 4 MB L2 cache). On
//! 2026-12-02, another 2-core VM where an `Instant::now` pair costs 70 ns, the same three cost
//! 111, 121 and 172 ns; timing with the TSC clock instead brought them down (figures in the
//! README's Benchmarks table).
//!
//! Two groups: `harness-cpu` measures this thread's CPU time (the cost itself, unaffected by
//! other processes competing for the cores; this is the figure held against the target) and
//! `harness-wall` the usual wall-clock time.
//!
//! `cargo bench --bench harness`

use std::hint::black_box;
use std::num::NonZeroU64;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cachelab::model::Op;
use cachelab::runner::load::{GetOutcome, Outcome, Recorder, clock};
use cachelab::workload::{Generator, WorkloadSpec};
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, criterion_group, criterion_main};

/// CPU time of the measuring thread (`CLOCK_THREAD_CPUTIME_ID`), formatted as durations.
struct ThreadCpuTime(WallTime);

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

/// Requests a closed-loop worker takes from the shared stream at once (as in the runner).
const BATCH: usize = 16;

fn endless(kind: &str, keys: u64) -> Generator {
    let mut spec: WorkloadSpec =
        toml::from_str(&format!("kind = \"{kind}\"\nkeys = {keys}\nalpha = 0.9")).expect("workload");
    spec.requests = NonZeroU64::MAX;
    spec.stream(42).expect("generator")
}

/// What a closed-loop worker does around one cache hit, minus the cache: the next request
/// (drawn, as the workers do, in batches of 16 from the shared generator behind a mutex), two
/// reads of the runner's request clock, one `record` (get and end-to-end histograms,
/// counters, time-series bucket).
fn per_request<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let mut group = c.benchmark_group(group);
    for (kind, keys) in [("uniform", 1_000_000), ("zipf", 100_000), ("zipf", 1_000_000)] {
        let label = format!("{kind}-{}k", keys / 1000);
        let shared = Mutex::new(endless(kind, keys));
        let mut batch = Vec::with_capacity(BATCH);
        let t0 = Instant::now();
        let mut recorder = Recorder::new(t0, Duration::from_secs(1));
        group.bench_function(format!("request/{label}"), |b| {
            b.iter(|| {
                if batch.is_empty() {
                    batch.extend(shared.lock().expect("unpoisoned").by_ref().take(BATCH));
                    batch.reverse();
                }
                let req = batch.pop().expect("endless");
                let begin = clock::now();
                let end = clock::now();
                let took = end - begin;
                recorder.record(&Outcome {
                    measured: true,
                    finished: end,
                    end_to_end: took,
                    get: Some((GetOutcome::Hit(0), took)),
                    put: None,
                    read: req.op == Op::Get,
                    size: black_box(req.size),
                    origin: false,
                    coalesced: false,
                    errors: 0,
                    timeouts: 0,
                    late: None,
                });
            })
        });
        let mut generator = endless(kind, keys);
        group.bench_function(format!("generator/{label}"), |b| b.iter(|| black_box(generator.next())));
    }
    group.bench_function("clock pair", |b| b.iter(|| black_box(clock::now()) - black_box(clock::now())));
    group.bench_function("clock pair (Instant::now)", |b| {
        b.iter(|| black_box(Instant::now()) - black_box(Instant::now()))
    });
    let t0 = Instant::now();
    let mut recorder = Recorder::new(t0, Duration::from_secs(1));
    let outcome = Outcome {
        measured: true,
        finished: t0 + Duration::from_millis(1),
        end_to_end: Duration::from_micros(3),
        get: Some((GetOutcome::Hit(0), Duration::from_micros(2))),
        put: None,
        read: true,
        size: 1024,
        origin: false,
        coalesced: false,
        errors: 0,
        timeouts: 0,
        late: None,
    };
    group.bench_function("record", |b| b.iter(|| recorder.record(black_box(&outcome))));
    group.finish();
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    per_request(c, "harness-cpu");
}

fn wall(c: &mut Criterion) {
    per_request(c, "harness-wall");
}

// No plots: criterion's plotters backend would need fonts (see STACK.md).
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime)).without_plots();
    targets = cpu
}
criterion_group! {
    name = wall_time;
    config = Criterion::default().without_plots();
    targets = wall
}
criterion_main!(cpu_time, wall_time);
