//! The Redis strategy against a private 3-master Redis Cluster on loopback, covering what the
//! single-server tests cover: round trip and cleanup on every master, TTL expiry, prefix
//! isolation, eviction under maxmemory, and a node killed in the middle of a load run.
//!
//! The cluster is started once for this test binary (each node with 4 MiB of maxmemory and
//! allkeys-lru) and the tests take turns on it; it is stopped, its directories removed, when
//! the binary exits.

use crate::support::redis_keys;
use crate::support::replay;

use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cachelab::origin;
use cachelab::runner::load;
use cachelab::scenario::Scenario;
use cachelab::strategy::redis_server::harness::RedisCluster;
use cachelab::strategy::redis_server::{ServerOptions, info_field};
use cachelab::strategy::{CacheStrategy, Hint, Lookup, RedisCache, RedisConfig, RedisTarget};
use indicatif::ProgressBar;
use redis_keys::{ForeignKeys, count_keys, raw};
use replay::{hint, replay};
use tokio::sync::Mutex;

/// Each node's maxmemory.
const NODE_MAXMEMORY: u64 = 4 << 20;

static CLUSTER: OnceLock<Mutex<Option<RedisCluster>>> = OnceLock::new();

/// The binary's cluster, started on first use; lock it for the whole test.
fn cluster() -> &'static Mutex<Option<RedisCluster>> {
    CLUSTER.get_or_init(|| {
        let options = ServerOptions::evicting(NODE_MAXMEMORY, "allkeys-lru");
        let cluster = RedisCluster::start(3, options).unwrap_or_else(|e| panic!("{e:#}"));
        // SAFETY: registering a plain function with atexit has no preconditions.
        unsafe { libc::atexit(stop_cluster) };
        Mutex::new(Some(cluster))
    })
}

/// Stops the cluster and removes its directories as the binary exits (statics are never
/// dropped; the kernel would kill the nodes but leave their directories behind).
extern "C" fn stop_cluster() {
    if let Some(lock) = CLUSTER.get()
        && let Ok(mut cluster) = lock.try_lock()
    {
        drop(cluster.take());
    }
}

async fn connect(urls: &[String], timeout_ms: u64) -> RedisCache {
    let config = RedisConfig {
        target: RedisTarget::Cluster(urls.to_vec()),
        connections: 2,
        timeout: Duration::from_millis(timeout_ms),
        safety_ttl: None,
    };
    RedisCache::connect("cluster", config).await.unwrap()
}

/// Our keys on each master.
fn per_node(urls: &[String], cache: &RedisCache) -> Vec<usize> {
    urls.iter().map(|u| count_keys(u, &format!("{}*", cache.prefix()))).collect()
}

#[tokio::test]
async fn cluster_round_trip_spreads_keys_and_cleanup_reaches_every_master() {
    let guard = cluster().lock().await;
    let urls = guard.as_ref().unwrap().urls();
    let cache = connect(&urls, 300).await;
    let t = replay(&cache, 600, 300, None).await;
    assert_eq!((t.requests, t.hits, t.errors, t.timeouts, t.corrupt), (600, 300, 0, 0, 0), "{t:?}");
    let keys = per_node(&urls, &cache);
    assert!(keys.iter().all(|&n| n > 0), "keys spread over every master: {keys:?}");
    assert_eq!(keys.iter().sum::<usize>(), 300);
    assert_eq!(cache.usage().await.unwrap().entries, 300);
    cache.shutdown().await.unwrap();
    assert_eq!(per_node(&urls, &cache), [0, 0, 0], "cleanup reached every master");
}

#[tokio::test]
async fn cluster_ttl_expires_entries() {
    let guard = cluster().lock().await;
    let cache = connect(&guard.as_ref().unwrap().urls(), 300).await;
    let ttl = Hint { ttl: Some(Duration::from_millis(150)), ..hint(5) };
    // Keys 1..=30 land on every master; odd ones expire.
    for k in 1..=30u64 {
        let h = if k % 2 == 1 { ttl } else { hint(5) };
        cache.put(k, origin::body(k, 5), h).await.unwrap();
    }
    assert!(matches!(cache.get(1, hint(5)).await.unwrap(), Lookup::Hit { .. }), "not expired yet");
    tokio::time::sleep(Duration::from_millis(400)).await;
    for k in 1..=30u64 {
        let got = cache.get(k, hint(5)).await.unwrap();
        if k % 2 == 1 {
            assert_eq!(got, Lookup::Miss, "key {k} expired");
        } else {
            assert!(matches!(got, Lookup::Hit { .. }), "key {k} has no TTL and stays");
        }
    }
    cache.shutdown().await.unwrap();
}

#[tokio::test]
async fn cluster_cleanup_spares_other_prefixes_and_other_runs() {
    let guard = cluster().lock().await;
    let urls = guard.as_ref().unwrap().urls();
    let client = redis::cluster::ClusterClient::new(urls.clone()).unwrap();
    let mut theirs = ForeignKeys::write(client.get_connection().unwrap());
    let (cache, other) = (connect(&urls, 300).await, connect(&urls, 300).await);
    assert_ne!(cache.prefix(), other.prefix());
    let ours = replay(&cache, 400, 200, None).await;
    let others = replay(&other, 100, 100, None).await;
    assert_eq!(ours.errors + ours.timeouts + others.errors + others.timeouts, 0, "{ours:?} {others:?}");
    cache.shutdown().await.unwrap();
    assert_eq!(per_node(&urls, &cache), [0, 0, 0], "our keys are gone from every master");
    assert_eq!(theirs.lost(), Vec::<String>::new(), "keys outside our prefix survive the run and cleanup");
    assert_eq!(other.usage().await.unwrap().entries, 100, "another run's keys survive");
    other.shutdown().await.unwrap();
}

#[tokio::test]
async fn cluster_masters_evict_within_their_maxmemory() {
    let guard = cluster().lock().await;
    let urls = guard.as_ref().unwrap().urls();
    let evicted = |u: &str| -> u64 {
        let stats: String = redis::cmd("INFO").arg("stats").query(&mut raw(u)).unwrap();
        info_field(&stats, "evicted_keys").unwrap().parse().unwrap()
    };
    let before: Vec<u64> = urls.iter().map(|u| evicted(u)).collect();
    let cache = connect(&urls, 1000).await;
    // 24 MiB of values into 3 × 4 MiB.
    let n = 6144u64;
    for k in 0..n {
        cache.put(k, origin::body(k, 4096), hint(4096)).await.unwrap();
    }
    for (i, u) in urls.iter().enumerate() {
        let memory: String = redis::cmd("INFO").arg("memory").query(&mut raw(u)).unwrap();
        let used: u64 = info_field(&memory, "used_memory").unwrap().parse().unwrap();
        assert!(used <= NODE_MAXMEMORY + 64 * 1024, "master {i}: used_memory {used} > maxmemory");
        assert!(evicted(u) > before[i], "master {i} evicted keys");
    }
    let entries = cache.usage().await.unwrap().entries;
    assert!(entries < n && entries > 1000, "{entries} of {n} resident");
    assert!(matches!(cache.get(n - 1, hint(4096)).await.unwrap(), Lookup::Hit { .. }), "newest kept");
    cache.shutdown().await.unwrap();
}

/// Kills master 1 a second into a closed-loop load run through the real runner and restarts
/// it a second later: the run completes and reports the faults of the outage.
#[test]
fn cluster_node_killed_mid_run_counts_faults_and_the_run_completes() {
    let mut guard = cluster().blocking_lock();
    let cluster = guard.as_mut().unwrap();
    let nodes: Vec<String> = cluster.urls().iter().map(|u| format!("\"{u}\"")).collect();
    let scenario = Scenario::parse(
        &format!(
            "name = \"cluster-kill\"\n[workload]\nkeys = 500\nwarmup = 0.0\nvalue_size = {{ dist = \"fixed\", size = 200 }}\n[origin]\nlatency = {{ dist = \"fixed\", ms = 1 }}\n[load]\nconcurrency = 8\nduration = \"3500ms\"\ntimeout = \"100ms\"\ntimeseries_interval = \"250ms\"\n[[strategy]]\nname = \"cluster\"\nkind = \"redis\"\ncluster = [{}]\ntimeout = \"100ms\"\n",
            nodes.join(", ")
        ),
        Path::new("cluster-kill.toml"),
    )
    .unwrap();
    let result = std::thread::scope(|s| {
        let chaos = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(1000));
            cluster.node_mut(1).kill();
            let killed = Instant::now();
            std::thread::sleep(Duration::from_millis(1000));
            cluster.restart_node(1).unwrap_or_else(|e| panic!("{e:#}"));
            killed
        });
        let result = load::run(&scenario.plan(), &ProgressBar::hidden(), true);
        (result, chaos.join())
    });
    let (result, chaos) = result;
    chaos.expect("the node restarted and the cluster is ok again");
    let result = result.expect("the run completes despite the dead master");
    assert!(!result.partial);
    let r = &result.results[0];
    let m = r.load.as_ref().unwrap();
    let faults: Vec<u64> = m.timeseries.iter().map(|p| p.errors + p.timeouts).collect();
    let hits: Vec<f64> = m.timeseries.iter().map(|p| p.hit_ratio).collect();
    eprintln!("faults per 250 ms: {faults:?}\nhit ratio per 250 ms: {hits:?}");
    assert!(faults.len() >= 12, "{} intervals", faults.len());
    assert!(faults[..3].iter().all(|&f| f == 0), "no faults before the kill: {faults:?}");
    assert!(hits[2] > 0.0, "hits before the kill: {hits:?}");
    // 1.25 s to 1.75 s lies inside the outage.
    assert!(faults[5] > 0 && faults[6] > 0, "faults while a master is down: {faults:?}");
    assert_eq!(r.counts.errors + m.timeouts, faults.iter().sum::<u64>(), "every fault is counted");
    assert_eq!(r.counts.corrupt, 0);
    assert_eq!(m.end_to_end.as_ref().unwrap().count, r.counts.requests, "every request completed");
    assert_eq!(m.origin_requests, r.counts.misses, "failed lookups fell back to the origin");
}

#[tokio::test]
async fn cleanup_through_one_node_removes_a_killed_runs_keys_from_every_master() {
    let guard = cluster().lock().await;
    let urls = guard.as_ref().unwrap().urls();
    let client = redis::cluster::ClusterClient::new(urls.clone()).unwrap();
    let mut theirs = ForeignKeys::write(client.get_connection().unwrap());
    // A run that never cleans up (as if killed): its keys stay on every master.
    let cache = connect(&urls, 300).await;
    let t = replay(&cache, 300, 150, None).await;
    assert_eq!(t.errors + t.timeouts, 0, "{t:?}");
    let prefix = cache.prefix().to_string();
    assert!(per_node(&urls, &cache).iter().all(|&n| n > 0));
    let out = tokio::task::spawn_blocking({
        let (url, prefix) = (urls[0].clone(), prefix.clone());
        move || {
            std::process::Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
                .args(["cleanup", "--redis", &url, "--prefix", &prefix])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with(&format!("removed 150 keys under {prefix}")), "{stdout}");
    assert_eq!(per_node(&urls, &cache), [0, 0, 0], "cleanup reached every master");
    assert_eq!(theirs.lost(), Vec::<String>::new(), "keys outside the prefix survive");
    // A run given one node as a plain url is told to use `cluster`.
    let config = RedisConfig {
        target: RedisTarget::Url(urls[0].clone()),
        connections: 1,
        timeout: Duration::from_millis(300),
        safety_ttl: None,
    };
    let err = match RedisCache::connect("r", config).await {
        Ok(_) => panic!("a cluster node is no single server"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("is a node of a Redis Cluster: write cluster = ["), "{err}");
}
