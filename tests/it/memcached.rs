//! The memcached strategy against real servers, each started by the test (or by cachelab for
//! `spawn = true`) on a free loopback port: evictions under `-m` and exact hits when
//! everything fits, the simulation, load, HTTP and tiered paths, cleanup of only our own
//! keys on a server holding foreign ones (tracked keys, the crawler's list past the tracking
//! limit, and `cachelab cleanup --memcached`), and a server killed mid-run. Nothing here
//! flushes a server.

use crate::support::memcached_keys::{count_under, get, set};
use crate::support::replay::{hint, replay};

use std::sync::Arc;
use std::time::Duration;

use assert_cmd::Command;
use cachelab::model::Stop;
use cachelab::origin::{self, Origin, OriginSpec};
use cachelab::runner::load::{self, Plan};
use cachelab::scenario::Scenario;
use cachelab::strategy::memcached_server::{MemcachedOptions, MemcachedServer};
use cachelab::strategy::{
    CacheStrategy, Diagnosed, Lookup, MemcachedCache, MemcachedConfig, MemcachedTarget, TRACK_LIMIT,
};
use indicatif::ProgressBar;

fn private_server() -> MemcachedServer {
    MemcachedServer::start(MemcachedOptions { memory_mib: 16, item_size: None })
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn config(server: &MemcachedServer, track_limit: usize) -> MemcachedConfig {
    MemcachedConfig {
        target: MemcachedTarget::Addr(server.addr()),
        connections: 2,
        timeout: Duration::from_millis(200),
        safety_ttl: Some(Duration::from_secs(600)),
        track_limit,
    }
}

/// Runs `scenario` with `cachelab run --json` and returns its results.
fn run(scenario: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["run", "--quiet", "--json", "--out"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_spawned_memcached_evicts_under_its_memory_and_hits_exactly_when_everything_fits() {
    // 3000 values of 1 KiB: about 3.3 MiB of items, more than 2 MiB and well within 16 MiB.
    let results = run(r#"
name = "mc"
[workload]
kind = "uniform"
keys = 3000
requests = 15000
warmup = 0.0
value_size = { dist = "fixed", size = "1KiB" }
[[strategy]]
name = "mc"
kind = "memcached"
spawn = true
capacity = ["2MiB", "16MiB"]
[[strategy]]
name = "all"
kind = "lru"
capacity = 3000
"#);
    let rows = results["results"].as_array().unwrap();
    let (small, big, all) = (&rows[0], &rows[1], &rows[2]);
    for r in [small, big] {
        assert_eq!(
            (r["kind"].as_str(), r["backend"].as_str()),
            (Some("memcached"), Some("memcached")),
            "{r}"
        );
        assert_eq!((r["errors"].as_u64(), r["corrupt"].as_u64()), (Some(0), Some(0)), "{r}");
        assert_eq!(r["survives_restart"], false, "{r}");
    }
    // Everything fits: a hit on every request but each key's first, as an unbounded LRU.
    assert_eq!(big["evictions"], 0, "{big}");
    assert_eq!(big["hits"], all["hits"], "16 MiB holds every key: {big} vs {all}");
    let distinct = all["misses"].as_u64().unwrap();
    assert!(distinct > 2900 && distinct <= 3000, "{all}");
    assert_eq!(big["final_entries"].as_u64(), Some(distinct), "{big}");
    // 2 MiB holds about 1800 of the 3000 keys (whole 1 MiB slab pages, about 1.1 KiB per
    // item): memcached evicts, and a uniform reader hits about that share of the time.
    let evictions = small["evictions"].as_u64().unwrap();
    assert!(evictions > 1000, "{small}");
    let held = small["final_entries"].as_u64().unwrap();
    assert!(held < 2500, "{small}");
    let ratio = small["hit_ratio"].as_f64().unwrap();
    let expected = held as f64 / 3000.0;
    assert!(ratio > 0.3 && (ratio - expected).abs() < 0.1, "about {expected}: {small}");
}

#[test]
fn memcached_serves_load_and_http_runs() {
    for mode in ["load", "http"] {
        let results = run(&format!(
            r#"
name = "mc-{mode}"
mode = "{mode}"
[workload]
kind = "uniform"
keys = 300
requests = 3000
warmup = 0.0
value_size = {{ dist = "uniform", min = "100B", max = "4KiB" }}
[origin]
latency = {{ dist = "fixed", ms = 1 }}
[load]
concurrency = 4
[[strategy]]
name = "mc"
kind = "memcached"
spawn = true
capacity = "4MiB"
"#
        ));
        let r = &results["results"][0];
        assert_eq!((r["errors"].as_u64(), r["corrupt"].as_u64()), (Some(0), Some(0)), "{mode}: {r}");
        // At most 300 first reads (and a few concurrent ones of the same key) miss.
        let ratio = r["hit_ratio"].as_f64().unwrap();
        assert!(ratio > 0.85, "{mode}: {r}");
        assert!(r["load"].is_object(), "{mode}: wall-clock measurements: {r}");
    }
}

#[tokio::test]
async fn a_tiered_strategy_puts_an_exact_lru_in_front_of_memcached() {
    let server = private_server();
    let spec: cachelab::strategy::StrategySpec = toml::from_str(&format!(
        "name = \"t\"\nkind = \"tiered\"\nl1 = {{ kind = \"lru\", capacity = 2 }}\nl2 = {{ kind = \"memcached\", url = \"{}\" }}\n",
        server.url()
    ))
    .unwrap();
    let cache = cachelab::strategy::build_strategy(&spec, None).await.unwrap();
    for k in 1..=3 {
        cache.put(k, origin::body(k, 64), hint(64)).await.unwrap();
    }
    let tier = |l: Lookup| match l {
        Lookup::Hit { tier, .. } => Some(tier),
        Lookup::Miss => None,
    };
    assert_eq!(tier(cache.get(3, hint(64)).await.unwrap()), Some(0));
    assert_eq!(tier(cache.get(1, hint(64)).await.unwrap()), Some(1), "only memcached still has key 1");
    assert_eq!(tier(cache.get(1, hint(64)).await.unwrap()), Some(0), "promoted");
    assert_eq!(count_under(&server.addr(), "cachelab:"), 3, "every write went through to memcached");
    cache.shutdown().await.unwrap();
    assert_eq!(count_under(&server.addr(), "cachelab:"), 0);
}

/// Keys another program (and another cachelab run) keeps on the shared server.
const FOREIGN: [&str; 4] = ["foreign:1", "cachelabx:2", "session:cachelab:3", "cachelab:00000000000000ff:7"];

fn plant_foreign(addr: &str) {
    for key in FOREIGN {
        set(addr, key, key.as_bytes());
    }
}

fn assert_foreign_survive(addr: &str, except_other_run: bool) {
    for key in FOREIGN {
        let gone = except_other_run && key.starts_with("cachelab:");
        assert_eq!(get(addr, key).is_none(), gone, "{key}");
        if !gone {
            assert_eq!(get(addr, key).unwrap(), key.as_bytes());
        }
    }
}

#[tokio::test]
async fn cleanup_deletes_only_our_keys_tracked_or_listed_by_the_crawler() {
    let server = private_server();
    let addr = server.addr();
    plant_foreign(&addr);
    // Within the tracking limit, and past it (the rest listed with lru_crawler metadump).
    for limit in [TRACK_LIMIT, 10] {
        let cache = MemcachedCache::connect("mc", config(&server, limit)).await.unwrap();
        let tally = replay(&cache, 400, 200, None).await;
        assert_eq!((tally.hits, tally.errors, tally.corrupt), (200, 0, 0), "{tally:?}");
        assert_eq!(count_under(&addr, cache.prefix()), 200);
        assert_eq!(cache.usage().await.unwrap().entries, 200, "our keys, counted by the crawler");
        cache.shutdown().await.unwrap();
        assert_eq!(count_under(&addr, "cachelab:"), 1, "only the other run's key is left (limit {limit})");
        assert_foreign_survive(&addr, false);
    }
}

#[tokio::test]
async fn cachelab_cleanup_removes_a_killed_runs_keys_by_prefix_and_nothing_else() {
    let server = private_server();
    let addr = server.addr();
    plant_foreign(&addr);
    // A run killed before its shutdown: its keys stay.
    let cache = MemcachedCache::connect("mc", config(&server, TRACK_LIMIT)).await.unwrap();
    replay(&cache, 50, 50, None).await;
    let prefix = cache.prefix().to_string();
    drop(cache);
    let cleanup = |extra: &[&str]| {
        let out = Command::cargo_bin("cachelab")
            .unwrap()
            .args(["cleanup", "--memcached", &server.url()])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let dry = cleanup(&["--prefix", &prefix, "--dry-run"]);
    assert!(dry.starts_with("50 keys under"), "{dry}");
    assert_eq!(count_under(&addr, &prefix), 50);
    let removed = cleanup(&["--prefix", &prefix]);
    assert!(removed.starts_with("removed 50 keys"), "{removed}");
    assert_eq!(count_under(&addr, &prefix), 0);
    assert_foreign_survive(&addr, false);
    // The whole namespace: every cachelab run's keys, still nothing outside it.
    let all = cleanup(&[]);
    assert!(all.starts_with("removed 1 keys under cachelab:"), "{all}");
    assert_foreign_survive(&addr, true);

    let bad = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["cleanup", "--memcached", &addr, "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "a URL without its scheme is bad input");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("memcache://"));
}

#[test]
fn a_memcached_killed_mid_run_counts_errors_and_the_run_falls_back_to_the_origin() {
    let mut server = private_server();
    let scenario = Scenario::parse(
        "name = \"kill\"\n[workload]\nkeys = 300\nwarmup = 0.0\n[load]\nconcurrency = 4\nduration = \"2s\"\ntimeout = \"100ms\"\ntimeseries_interval = \"250ms\"\n[[strategy]]\nname = \"x\"\nkind = \"none\"\n",
        std::path::Path::new("kill.toml"),
    )
    .unwrap();
    let plan = Plan::new(scenario.load.as_ref().unwrap(), 0.0, 1);
    let origin: OriginSpec = toml::from_str("latency = { dist = \"fixed\", ms = 1 }").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let cache = runtime.block_on(MemcachedCache::connect("mc", config(&server, TRACK_LIMIT))).unwrap();
    let diagnosed = Arc::new(Diagnosed::new(Arc::new(cache)));
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1000));
        server.kill();
        server
    });
    let measured = runtime
        .block_on(load::drive(
            diagnosed.clone(),
            plan.requests(&scenario.workload, scenario.seed, None).unwrap(),
            Arc::new(Origin::new(&origin, 1)),
            &plan,
            Arc::new(Stop::new()),
            &ProgressBar::hidden(),
            0,
        ))
        .expect("the run completes despite the dead server");
    let server = killer.join().unwrap();
    assert!(!server.is_running());
    let left = runtime.block_on(diagnosed.shutdown());
    assert!(left.is_err(), "a dead server's keys cannot be deleted, and the shutdown says so");

    let r = &measured.recorder;
    let faults: Vec<u64> = r.intervals.iter().map(|i| i.errors + i.timeouts).collect();
    let hits: Vec<u64> = r.intervals.iter().map(|i| i.hits).collect();
    eprintln!("faults per 250 ms: {faults:?}\nhits per 250 ms:   {hits:?}");
    assert!(faults.len() >= 8, "{} intervals", faults.len());
    assert!(faults[..3].iter().all(|&f| f == 0), "no faults before the kill: {faults:?}");
    assert!(hits[2] > 0, "hits before the kill: {hits:?}");
    assert!(faults[5..8].iter().all(|&f| f > 0), "faults after the kill: {faults:?}");
    assert_eq!(hits[5..].iter().sum::<u64>(), 0, "no hits after the kill: {hits:?}");
    assert_eq!(r.end_to_end.len(), r.counts.requests, "every request completed");
    assert_eq!(r.origin, r.counts.misses, "failed lookups fell back to the origin");
    let causes = diagnosed.causes();
    assert!(
        causes.iter().any(|c| c.message.contains("refused") || c.message.contains("closed")),
        "the causes say the server went away: {causes:?}"
    );
}

#[test]
fn a_missing_memcached_binary_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"x\"\n[workload]\nrequests = 10\nvalue_size = { dist = \"fixed\", size = \"1KiB\" }\n[[strategy]]\nname = \"m\"\nkind = \"memcached\"\nspawn = true\ncapacity = \"2MiB\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("cachelab")
        .unwrap()
        .env("PATH", dir.path())
        .args(["run", "--quiet", "--out"])
        .arg(dir.path())
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt-get install memcached"), "{err}");
}
