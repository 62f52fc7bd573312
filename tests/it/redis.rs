//! The Redis strategy against real servers: a private `redis-server` each test starts on a
//! free loopback port (or `CACHELAB_REDIS_URL` for the tests that need no server of their
//! own). Tests that kill or restart servers, or set maxmemory, always use private servers.
//! Nothing here flushes a database or lists keys with KEYS: only keys under a strategy's own
//! prefix, and uniquely named keys a test wrote itself, are ever deleted. The Redis Cluster
//! tests are in `redis_cluster.rs`.

use crate::support::redis_keys;
use crate::support::replay;

use std::time::{Duration, Instant};

use assert_cmd::Command;
use bytes::Bytes;
use cachelab::origin;
use cachelab::strategy::redis_server::harness::TlsFiles;
use cachelab::strategy::redis_server::{RedisServer, ServerOptions};
use cachelab::strategy::{CacheStrategy, Hint, Lookup, RedisCache, RedisConfig, RedisTarget};
use redis_keys::{ForeignKeys, count_keys, raw, some_server};
use replay::{hint, replay};

fn private_server(options: ServerOptions) -> RedisServer {
    RedisServer::start(options).unwrap_or_else(|e| panic!("{e:#}"))
}

fn config(target: RedisTarget, timeout_ms: u64) -> RedisConfig {
    RedisConfig { target, connections: 2, timeout: Duration::from_millis(timeout_ms), safety_ttl: None }
}

async fn connect(url: &str) -> RedisCache {
    RedisCache::connect("redis", config(RedisTarget::Url(url.into()), 500)).await.unwrap()
}

#[tokio::test]
async fn binary_values_round_trip_and_cleanup_removes_only_our_keys() {
    let (url, _server) = some_server();
    let cache = connect(&url).await;
    assert!(cache.prefix().starts_with("cachelab:") && cache.prefix().ends_with(':'));
    assert!(cache.redis_version().is_some_and(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit())));

    let every_byte: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let values =
        [Bytes::new(), Bytes::from_static(b"\0\r\n\xff"), Bytes::from(every_byte), origin::body(9, 1 << 20)];
    for (k, v) in values.iter().enumerate() {
        cache.put(k as u64, v.clone(), hint(v.len() as u32)).await.unwrap();
    }
    for (k, v) in values.iter().enumerate() {
        assert_eq!(cache.get(k as u64, hint(0)).await.unwrap(), Lookup::Hit { value: v.clone(), tier: 0 });
    }
    assert_eq!(cache.get(99, hint(0)).await.unwrap(), Lookup::Miss);
    assert_eq!(cache.usage().await.unwrap().entries, values.len() as u64);

    // Someone else's keys: one outside our namespace, one under another run's prefix (unique
    // names, removed when the test ends).
    let mut theirs = ForeignKeys::write(raw(&url));
    let other = connect(&url).await;
    assert_ne!(other.prefix(), cache.prefix(), "each instance has its own prefix");
    other.put(0, Bytes::from_static(b"other run"), hint(9)).await.unwrap();

    cache.shutdown().await.unwrap();
    assert_eq!(count_keys(&url, &format!("{}*", cache.prefix())), 0, "our keys are gone");
    assert_eq!(theirs.lost(), Vec::<String>::new(), "someone else's keys survive our cleanup");
    assert_eq!(
        other.get(0, hint(0)).await.unwrap(),
        Lookup::Hit { value: Bytes::from_static(b"other run"), tier: 0 },
        "another instance's keys survive"
    );
    other.shutdown().await.unwrap();
}

#[tokio::test]
async fn ttl_expires_entries() {
    let (url, _server) = some_server();
    let cache = connect(&url).await;
    let ttl = Hint { ttl: Some(Duration::from_millis(150)), ..hint(5) };
    cache.put(1, Bytes::from_static(b"short"), ttl).await.unwrap();
    cache.put(2, Bytes::from_static(b"lasts"), hint(5)).await.unwrap();
    assert!(matches!(cache.get(1, hint(5)).await.unwrap(), Lookup::Hit { .. }));
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(cache.get(1, hint(5)).await.unwrap(), Lookup::Miss, "expired");
    assert!(matches!(cache.get(2, hint(5)).await.unwrap(), Lookup::Hit { .. }), "no TTL, no expiry");
    cache.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_spawned_server_evicts_within_maxmemory_and_stops_on_shutdown() {
    let maxmemory = 4u64 << 20;
    let target = RedisTarget::Spawn { maxmemory, policy: "allkeys-lru".into() };
    let cache = RedisCache::connect("spawned", config(target, 1000)).await.unwrap();
    let url = cache.spawned_url().expect("a spawned server");
    let mut c = raw(&url);
    let conf: Vec<String> = redis::cmd("CONFIG").arg("GET").arg("maxmemory*").query(&mut c).unwrap();
    assert!(conf.windows(2).any(|w| w[0] == "maxmemory" && w[1] == maxmemory.to_string()), "{conf:?}");
    assert!(conf.windows(2).any(|w| w[0] == "maxmemory-policy" && w[1] == "allkeys-lru"), "{conf:?}");

    // 16 MiB of values into 4 MiB.
    let n = 4096u64;
    for k in 0..n {
        cache.put(k, origin::body(k, 4096), hint(4096)).await.unwrap();
    }
    let usage = cache.usage().await.unwrap();
    let used = cache.used_memory().await.unwrap();
    assert!(usage.evictions.unwrap() > 0, "{usage:?}");
    assert!(usage.entries < n && usage.entries > 100, "{usage:?}");
    assert!(used <= maxmemory + 64 * 1024, "used_memory {used} exceeds maxmemory {maxmemory}");
    // The most recent writes survived an LRU eviction.
    assert!(matches!(cache.get(n - 1, hint(4096)).await.unwrap(), Lookup::Hit { .. }));

    cache.shutdown().await.unwrap();
    assert!(cache.spawned_url().is_none());
    assert!(
        redis::Client::open(url.as_str())
            .unwrap()
            .get_connection_with_timeout(Duration::from_millis(300))
            .is_err()
    );
}

#[tokio::test]
async fn dropping_the_strategy_stops_its_server() {
    let target = RedisTarget::Spawn { maxmemory: 8 << 20, policy: "allkeys-lfu".into() };
    let cache = RedisCache::connect("dropped", config(target, 1000)).await.unwrap();
    let url = cache.spawned_url().unwrap();
    drop(cache); // as when a run fails before shutdown
    assert!(
        redis::Client::open(url.as_str())
            .unwrap()
            .get_connection_with_timeout(Duration::from_millis(300))
            .is_err()
    );
}

#[tokio::test]
async fn a_killed_server_counts_errors_and_the_strategy_reconnects_after_restart() {
    let mut server = private_server(ServerOptions::default());
    let cache = RedisCache::connect("kill", config(RedisTarget::Url(server.url()), 100)).await.unwrap();

    let before = replay(&cache, 400, 100, None).await;
    assert_eq!((before.errors, before.timeouts, before.corrupt), (0, 0, 0), "{before:?}");
    assert_eq!(before.hits, 300, "{before:?}");

    server.kill();
    let down = replay(&cache, u64::MAX, 100, Some(Instant::now() + Duration::from_millis(800))).await;
    assert!(down.requests > 0 && down.errors + down.timeouts >= down.requests, "{down:?}");
    assert_eq!(down.hits, 0, "{down:?}");

    server.restart().unwrap();
    let started = Instant::now();
    loop {
        let probe = replay(&cache, 1, 1, None).await;
        if probe.errors + probe.timeouts == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no reconnect within 10 s: {probe:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = replay(&cache, 400, 100, None).await;
    assert_eq!((after.errors, after.timeouts, after.corrupt), (0, 0, 0), "{after:?}");
    assert!(after.hits >= 299, "{after:?}");
    cache.shutdown().await.unwrap();
}

#[test]
fn cachelab_run_compares_a_spawned_redis_with_our_lru() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        r#"
name = "redis-vs-lru"
[workload]
keys = 2000
requests = 6000
value_size = { dist = "fixed", size = "1KiB" }
[[strategy]]
name = "redis"
kind = "redis"
spawn = true
maxmemory_policy = "allkeys-lru"
capacity = "2MiB"
[[strategy]]
name = "lru"
kind = "lru"
capacity = "1MiB"
"#,
    )
    .unwrap();
    let out = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["run", "--quiet", "--json", "--out"])
        .arg(dir.path())
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let redis = &json["results"][0];
    assert_eq!(redis["kind"], "redis");
    assert_eq!(redis["errors"], 0, "{redis}");
    assert_eq!(redis["corrupt"], 0, "{redis}");
    assert!(redis["hit_ratio"].as_f64().unwrap() > 0.2, "{redis}");
    assert!(redis["evictions"].as_u64().unwrap() > 0, "2 MiB holds fewer than 2000 1KiB values: {redis}");
}

#[test]
fn a_missing_redis_server_binary_says_what_to_install() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"x\"\n[workload]\nrequests = 10\n[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\ncapacity = \"1MiB\"\n",
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
    assert!(err.contains("apt-get install redis-server"), "{err}");
}

#[tokio::test]
async fn rediss_urls_and_passwords_work_and_never_show_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl makes the test certificate; install openssl (apt-get install openssl)");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let server = private_server(ServerOptions {
        password: Some("s3cret".into()),
        tls: Some(TlsFiles { cert, key }),
        ..ServerOptions::default()
    });
    let tls_url = server.tls_url().unwrap();
    assert!(tls_url.starts_with("rediss://:s3cret@"));
    let cache = RedisCache::connect("tls", config(RedisTarget::Url(tls_url), 1000)).await.unwrap();
    cache.put(1, Bytes::from_static(b"over TLS"), hint(8)).await.unwrap();
    assert_eq!(
        cache.get(1, hint(8)).await.unwrap(),
        Lookup::Hit { value: Bytes::from_static(b"over TLS"), tier: 0 }
    );
    cache.shutdown().await.unwrap();

    let wrong = server.url().replace("s3cret", "wrong-pass");
    let err =
        format!("{:#}", RedisCache::connect("pw", config(RedisTarget::Url(wrong), 500)).await.err().unwrap());
    assert!(err.contains("cannot connect to Redis at redis://:****@127.0.0.1"), "{err}");
    assert!(!err.contains("wrong-pass"), "the password leaked: {err}");
}

#[tokio::test]
async fn a_tiered_scenario_puts_an_exact_lru_in_front_of_redis() {
    let server = private_server(ServerOptions::default());
    // Read and checked as a scenario's [[strategy]] table is.
    let spec: cachelab::strategy::StrategySpec = toml::from_str(&format!(
        "name = \"t\"\nkind = \"tiered\"\nl1 = {{ kind = \"lru\", capacity = 2 }}\nl2 = {{ kind = \"redis\", url = \"{}\" }}\n",
        server.url()
    ))
    .unwrap();
    let cache = cachelab::strategy::build_strategy(&spec, None).await.unwrap();
    assert!(
        cache.redis_version().is_some(),
        "the Redis tier's version is visible through the tiered strategy"
    );
    for k in 1..=3 {
        cache.put(k, origin::body(k, 64), hint(64)).await.unwrap();
    }
    let tier = |l: Lookup| match l {
        Lookup::Hit { tier, .. } => Some(tier),
        Lookup::Miss => None,
    };
    assert_eq!(tier(cache.get(3, hint(64)).await.unwrap()), Some(0));
    assert_eq!(tier(cache.get(1, hint(64)).await.unwrap()), Some(1), "only Redis still has key 1");
    assert_eq!(tier(cache.get(1, hint(64)).await.unwrap()), Some(0), "promoted");
    assert_eq!(count_keys(&server.url(), "cachelab:*"), 3, "every write went through to Redis");
    cache.shutdown().await.unwrap();
    assert_eq!(count_keys(&server.url(), "cachelab:*"), 0);
}

#[tokio::test]
async fn connection_failures_say_which_one_they_are() {
    let server = private_server(ServerOptions { password: Some("right".into()), ..ServerOptions::default() });
    let port = server.port();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for (url, expected) in [
        (format!("redis://127.0.0.1:{free}"), "connection refused"),
        (format!("redis://:wrong@127.0.0.1:{port}"), "authentication failed"),
        (format!("redis://:right@127.0.0.1:{port}/99"), "no such database"),
    ] {
        let started = Instant::now();
        let err = match RedisCache::connect("r", config(RedisTarget::Url(url.clone()), 250)).await {
            Ok(_) => panic!("{url} must not connect"),
            Err(e) => format!("{e:#}"),
        };
        assert!(err.contains(expected), "{url}: {err}");
        assert!(!err.contains("timed out") && !err.contains(":wrong@"), "{url}: {err}");
        assert!(started.elapsed() < Duration::from_secs(4), "{url}: said at once, not after a timeout");
    }
}
