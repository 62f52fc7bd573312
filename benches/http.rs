//! The HTTP path: one request from cachelab's HTTP load client through the caching server and
//! back, over a keep-alive loopback connection, as HTTP mode drives it (the client's
//! `Driver::serve`: build the request, send, read and verify the whole body, classify it from
//! `X-Cache`). Server and client share one tokio multi-thread runtime.
//!
//! - `get_hit`: `GET /obj/<key>` for one of 1,024 URLs (1 KiB bodies), all cached (each one
//!   checked to come back as a verified hit before timing);
//! - `get_miss`: a URL never requested before: the zero-latency origin serves it and the
//!   server stores it (a 16 MiB cache, so after 16 Ki misses every store also evicts).
//!
//! Strategies: moka and a simulated LRU behind the server, with coalescing on (the default).
//! `cargo bench --bench http`

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cachelab::http::{CacheService, OriginHandler, Server};
use cachelab::model::NEVER;
use cachelab::model::Stop;
use cachelab::model::{Op, Request};
use cachelab::origin::Origin;
use cachelab::runner::cell::resolve_capacity;
use cachelab::runner::http::HttpClient;
use cachelab::runner::load::{Driver, GetOutcome, Job, Outcome};
use cachelab::scenario::Scenario;
use cachelab::strategy::build_strategy;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio::runtime::Runtime;

/// Body size of every object.
const SIZE: u32 = 1024;
/// URLs cached before `get_hit` is timed.
const HOT: u64 = 1024;
/// First key of the `get_miss` range, far from the hot keys.
const MISS_BASE: u64 = 1 << 40;
/// The server's limit on each cache operation.
const OP_TIMEOUT: Duration = Duration::from_millis(100);

/// The workload (1 KiB bodies, no time to live), a zero-latency origin and the strategies.
const SCENARIO: &str = r#"name = "http-bench"
[workload]
keys = 1024
value_size = { dist = "fixed", size = "1KiB" }
[origin]
latency = { dist = "fixed", ms = 0 }
[[strategy]]
name = "moka"
kind = "moka"
capacity = "16MiB"
[[strategy]]
name = "lru"
kind = "lru"
capacity = "16MiB"
"#;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

/// A GET of `key` as the load runner hands it to the client.
fn get(key: u64) -> Job {
    let req = Request { key, size: SIZE, op: Op::Get, ttl: None, next_access: NEVER };
    Job { index: key, req, measured: true }
}

/// Whether the client saw a verified hit.
fn hit(outcome: &Option<Outcome>) -> bool {
    matches!(outcome, Some(Outcome { get: Some((GetOutcome::Hit(_), _)), errors: 0, timeouts: 0, .. }))
}

/// Whether the client saw a verified miss served by the origin.
fn miss(outcome: &Option<Outcome>) -> bool {
    matches!(
        outcome,
        Some(Outcome { get: Some((GetOutcome::Miss, _)), origin: true, errors: 0, timeouts: 0, .. })
    )
}

/// Starts the caching server for the scenario's strategy `index` on a free loopback port.
async fn start(s: &Scenario, index: usize) -> Server {
    let spec = &s.strategies[index];
    let capacity = spec.capacities()[0].map(|c| resolve_capacity(c, s.workload.footprint_objects()));
    let strategy = build_strategy(spec, capacity).await.expect("strategy builds").into();
    let origin = OriginHandler::new(Arc::new(Origin::new(&s.origin, s.seed)), &s.workload, s.seed, 0.0);
    let service = CacheService::new(strategy, origin, true, OP_TIMEOUT);
    Server::start(service, "127.0.0.1:0".parse().expect("an address")).await.expect("server starts")
}

/// Requests every hot URL twice and checks the second answer is a verified hit.
async fn prefill(client: &HttpClient, name: &str) {
    for key in 0..HOT {
        let first = client.serve(get(key), None).await;
        assert!(miss(&first), "{name}: the first GET of {key} should be a verified miss: {first:?}");
        let second = client.serve(get(key), None).await;
        assert!(hit(&second), "{name}: the second GET of {key} should be a verified hit: {second:?}");
    }
}

fn bench_strategy(c: &mut Criterion, rt: &Runtime, s: &Scenario, index: usize) {
    let name = s.strategies[index].name.as_str();
    let server = rt.block_on(start(s, index));
    let stop = Arc::new(Stop::new());
    let client = HttpClient::new(server.addr(), 1, OP_TIMEOUT, false, stop);
    rt.block_on(prefill(&client, name));
    let counter = AtomicU64::new(0);
    let next = || counter.fetch_add(1, Ordering::Relaxed);

    let mut group = c.benchmark_group(format!("http/{name}"));
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group.bench_function("get_hit", |b| {
        b.to_async(rt).iter(|| {
            let key = next() % HOT;
            let client = &client;
            async move {
                let outcome = client.serve(get(key), None).await;
                assert!(hit(&outcome), "{name}: hot URL {key}: {outcome:?}");
                black_box(outcome)
            }
        })
    });
    group.bench_function("get_miss", |b| {
        b.to_async(rt).iter(|| {
            let key = MISS_BASE + next();
            let client = &client;
            async move {
                let outcome = client.serve(get(key), None).await;
                assert!(miss(&outcome), "{name}: new URL {key}: {outcome:?}");
                black_box(outcome)
            }
        })
    });
    group.finish();
    let stats = rt.block_on(server.shutdown(Duration::from_secs(1)));
    assert_eq!((stats.errors, stats.timeouts, stats.rejected), (0, 0, 0), "{name}: {stats:?}");
}

fn http_path(c: &mut Criterion) {
    let rt = runtime();
    let s = Scenario::parse(SCENARIO, Path::new("benches/http.rs")).expect("the bench scenario parses");
    for index in 0..s.strategies.len() {
        bench_strategy(c, &rt, &s, index);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = http_path
}
criterion_main!(benches);
