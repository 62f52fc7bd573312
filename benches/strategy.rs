//! Cost of one operation on every storage strategy behind [`CacheStrategy`], driven the way
//! the load runner drives it (an async call on a tokio multi-thread runtime, through
//! `&dyn CacheStrategy`), with 1 KiB bodies from the simulated origin:
//!
//! - `get_hit`: a key among 1,024 prefilled ones (all resident, checked before timing);
//! - `get_miss`: a key never stored;
//! - `put`: keys cycling over 32 Ki objects (32 MiB) into a 16 MiB cache (Redis: `maxmemory`
//!   16 MiB, allkeys-lru), so after the first lap every put also evicts.
//!
//! Strategies: moka, `Simulated<P>` for every registered policy, Redis (a private
//! `redis-server` this bench starts on loopback; skipped with one line if it is not
//! installed), files in a temporary directory (LRU, no fsync), and tiered moka over files
//! (`get_hit` served by L1; `get_hit_l2` with a 16-object L1, so reads go to L2 and promote).
//! Filter with criterion's usual substring, e.g. `cargo bench --bench strategy -- redis`.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use cachelab::model::{Capacity, NEVER};
use cachelab::origin;
use cachelab::policy::{PolicyKind, PolicyParams, build_policy};
use cachelab::strategy::redis_server::{RedisServer, ServerOptions};
use cachelab::strategy::{
    CacheStrategy, DEFAULT_REDIS_TIMEOUT, FileCache, FileConfig, Hint, Lookup, MokaCache, RedisCache,
    RedisConfig, RedisTarget, Simulated, Tiered,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tempfile::TempDir;
use tokio::runtime::Runtime;

/// Body size of every entry.
const SIZE: u32 = 1024;
/// Keys prefilled for `get_hit`.
const HOT: u64 = 1024;
/// Keys `put` cycles over (twice the capacity in bytes).
const PUT_KEYS: u64 = 32 * 1024;
/// Cache capacity in bytes.
const CAPACITY: u64 = 16 << 20;
/// First key of the `get_miss` range, far from anything stored.
const MISS_BASE: u64 = 1 << 40;
/// First key of the `put` range, apart from the hot keys so hits stay resident.
const PUT_BASE: u64 = 1 << 32;

const HINT: Hint = Hint { size: SIZE, now: Duration::ZERO, ttl: None, next_access: NEVER };

/// A strategy under test and what keeps its backing resources alive.
struct Subject {
    label: String,
    strategy: Box<dyn CacheStrategy>,
    /// A tiered strategy whose L1 is too small for the hot set: its hits come from L2.
    l2_reads: bool,
    _dir: Option<TempDir>,
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime")
}

fn file_cache(rt: &Runtime, name: &str, dir: &TempDir) -> FileCache {
    let config = FileConfig {
        dir: dir.path().join("cache"),
        policy: PolicyKind::Lru,
        params: PolicyParams::default(),
        fsync: false,
        cold_start: false,
        allow_foreign: false,
    };
    rt.block_on(FileCache::open(name, config, Capacity::bytes(CAPACITY))).expect("file cache opens")
}

/// Every strategy except Redis.
fn local_subjects(rt: &Runtime) -> Vec<Subject> {
    let subject = |label: String, strategy: Box<dyn CacheStrategy>| Subject {
        label,
        strategy,
        l2_reads: false,
        _dir: None,
    };
    let mut out = vec![subject("moka".into(), Box::new(MokaCache::new("moka", Capacity::bytes(CAPACITY))))];
    for (kind, _) in PolicyKind::ALL {
        let policy = build_policy(*kind, &PolicyParams::default(), Capacity::bytes(CAPACITY));
        let label = format!("simulated_{}", kind.name());
        out.push(subject(label.clone(), Box::new(Simulated::new(label, policy))));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    out.push(Subject {
        label: "file".into(),
        strategy: Box::new(file_cache(rt, "file", &dir)),
        l2_reads: false,
        _dir: Some(dir),
    });
    for (label, l1_capacity, l2_reads) in
        [("tiered_moka_file", CAPACITY, false), ("tiered_tiny_l1", 16 * u64::from(SIZE), true)]
    {
        let dir = tempfile::tempdir().expect("temp dir");
        let l1 = Box::new(MokaCache::new("l1", Capacity::bytes(l1_capacity)));
        let l2 = Box::new(file_cache(rt, "l2", &dir));
        out.push(Subject {
            label: label.into(),
            strategy: Box::new(Tiered::new(label, l1, l2)),
            l2_reads,
            _dir: Some(dir),
        });
    }
    out
}

/// A private Redis server and a strategy on it, or None (with the one-line notice) when
/// `redis-server` is not installed. Any other failure to start is a real error.
fn redis_subject(rt: &Runtime) -> Option<(RedisServer, Subject)> {
    let options = ServerOptions::evicting(CAPACITY, "allkeys-lru");
    let server = match RedisServer::start(options) {
        Ok(s) => s,
        Err(e) if e.to_string().contains("redis-server not found") => {
            println!("skipping Redis benches: redis-server not found; apt-get install redis-server");
            return None;
        }
        Err(e) => panic!("cannot start the bench's redis-server: {e:#}"),
    };
    let config = RedisConfig {
        target: RedisTarget::Url(server.url()),
        connections: 1,
        timeout: DEFAULT_REDIS_TIMEOUT,
        safety_ttl: None,
    };
    let cache = rt.block_on(RedisCache::connect("redis", config)).expect("connects to the private server");
    Some((server, Subject { label: "redis".into(), strategy: Box::new(cache), l2_reads: false, _dir: None }))
}

/// Stores the hot keys and checks that each one is then served with its exact body.
async fn prefill(subject: &Subject) {
    let s = subject.strategy.as_ref();
    for key in 0..HOT {
        s.put(key, origin::body(key, SIZE), HINT).await.expect("put");
    }
    s.sync().await.expect("sync");
    let mut from_l2 = 0;
    for key in 0..HOT {
        match s.get(key, HINT).await.expect("get") {
            Lookup::Hit { value, tier } => {
                assert!(origin::verify(key, SIZE, &value), "{}: wrong body for key {key}", subject.label);
                from_l2 += u64::from(tier == 1);
            }
            Lookup::Miss => panic!("{}: prefilled key {key} missed", subject.label),
        }
    }
    if subject.l2_reads {
        assert!(from_l2 > HOT / 2, "{}: only {from_l2} of {HOT} reads came from L2", subject.label);
    }
}

fn bench_subject(c: &mut Criterion, rt: &Runtime, subject: &Subject) {
    rt.block_on(prefill(subject));
    let s = subject.strategy.as_ref();
    let bodies: Vec<Bytes> = (0..PUT_KEYS).map(|k| origin::body(PUT_BASE + k, SIZE)).collect();
    let counter = AtomicU64::new(0);
    let next = || counter.fetch_add(1, Ordering::Relaxed);

    let mut group = c.benchmark_group(subject.label.as_str());
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    let hit_name = if subject.l2_reads { "get_hit_l2" } else { "get_hit" };
    group.bench_function(hit_name, |b| {
        b.to_async(rt).iter(|| {
            let key = next() % HOT;
            async move {
                let found = s.get(key, HINT).await.expect("get");
                assert!(matches!(found, Lookup::Hit { .. }), "hot key {key} missed");
                black_box(found)
            }
        })
    });
    if !subject.l2_reads {
        group.bench_function("get_miss", |b| {
            b.to_async(rt).iter(|| {
                let key = MISS_BASE + next();
                async move { black_box(s.get(key, HINT).await.expect("get")) }
            })
        });
        group.bench_function("put", |b| {
            b.to_async(rt).iter(|| {
                let i = next() % PUT_KEYS;
                let body = bodies[i as usize].clone();
                async move { s.put(PUT_BASE + i, body, HINT).await.expect("put") }
            })
        });
    }
    group.finish();
}

fn strategies(c: &mut Criterion) {
    let rt = runtime();
    for subject in local_subjects(&rt) {
        bench_subject(c, &rt, &subject);
        rt.block_on(subject.strategy.shutdown()).expect("shutdown");
    }
    if let Some((server, subject)) = redis_subject(&rt) {
        bench_subject(c, &rt, &subject);
        rt.block_on(subject.strategy.shutdown()).expect("shutdown");
        drop(server);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = strategies
}
criterion_main!(benches);
