//! HTTP end to end over loopback: HTTP mode agrees with the exact simulation, Cache-Control
//! is obeyed (`no-store`, `max-age`), coalescing makes one origin fetch per burst, and bad
//! clients never take the server down. (`cachelab serve` and other CLI runs: `http_cli.rs`.)

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use cachelab::http::{CacheService, OriginHandler, Server};
use cachelab::origin::{self, Origin};
use cachelab::runner::cell::resolve_capacity;
use cachelab::scenario::Scenario;
use cachelab::strategy::{CacheStrategy, build_strategy};
use http_body_util::{BodyExt, Empty};
use hyper::header::HeaderMap;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longest any single network step of these tests may take.
const STEP: Duration = Duration::from_secs(10);

fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, Path::new("http-test.toml")).expect("valid scenario")
}

/// A scenario with `workload` and `origin` lines and one strategy.
fn small(workload: &str, origin: &str, strategy: &str) -> Scenario {
    scenario(&format!(
        "name = \"t\"\nseed = 3\n[workload]\nkeys = 1000\n{workload}\n[origin]\n{origin}\n[[strategy]]\nname = \"s\"\n{strategy}\n"
    ))
}

/// Starts a caching server for the scenario's first strategy on a free loopback port.
async fn start(s: &Scenario, coalesce: bool) -> Server {
    let spec = &s.strategies[0];
    let capacity = spec.capacities()[0].map(|c| resolve_capacity(c, s.workload.footprint_objects()));
    let strategy: Arc<dyn CacheStrategy> = build_strategy(spec, capacity).await.unwrap().into();
    let origin = Arc::new(Origin::new(&s.origin, s.seed));
    let handler = OriginHandler::new(origin, &s.workload, s.seed, s.origin.uncacheable.0);
    let service = CacheService::new(strategy, handler, coalesce, Duration::from_secs(1));
    Server::start(service, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

type TestClient = Client<HttpConnector, Empty<Bytes>>;

fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build(HttpConnector::new())
}

/// GETs `path`: status, headers, body.
async fn get(client: &TestClient, addr: SocketAddr, path: &str) -> (u16, HeaderMap, Bytes) {
    let uri = format!("http://{addr}{path}").parse().unwrap();
    let response = tokio::time::timeout(STEP, client.get(uri)).await.expect("answered in time").unwrap();
    let (parts, body) = response.into_parts();
    (parts.status.as_u16(), parts.headers, body.collect().await.unwrap().to_bytes())
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> &'h str {
    h.get(name).map_or("", |v| v.to_str().unwrap())
}

/// GETs object `key` and checks its body against the origin; returns `X-Cache`.
async fn get_object(client: &TestClient, addr: SocketAddr, s: &Scenario, key: u64) -> String {
    let (status, headers, body) = get(client, addr, &format!("/obj/{key}")).await;
    assert_eq!(status, 200);
    let size = s.workload.value_size.size_of(s.seed, key);
    assert!(origin::verify(key, size, &body), "key {key}: body of {} bytes fails verification", body.len());
    header(&headers, "x-cache").to_string()
}

#[test]
fn http_mode_hit_ratio_matches_the_simulation_and_every_body_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let common = r#"seed = 11
[workload]
kind = "zipf"
keys = 2000
alpha = 0.9
requests = 20000
warmup = 0.2
write_ratio = 0.02
value_size = { dist = "uniform", min = "100B", max = "4KiB" }

[origin]
latency = { dist = "fixed", ms = 0 }

[[strategy]]
name = "lru"
kind = "lru"
capacity = 200

[[strategy]]
name = "sieve-bytes"
kind = "sieve"
capacity = "400KiB"
"#;
    let run = |name: &str, top: &str, tail: &str| -> serde_json::Value {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, format!("name = \"{name}\"\n{top}\n{common}\n{tail}")).unwrap();
        let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
            .args(["run", "--json", "--quiet", "--out"])
            .arg(dir.path().join("out"))
            .arg(&file)
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let simulated = run("sim", "", "");
    let http = run("web", "mode = \"http\"", "[load]\nconcurrency = 4\n");
    assert_eq!(simulated["mode"], "simulation");
    assert_eq!(http["mode"], "http");
    let (sims, webs) = (simulated["results"].as_array().unwrap(), http["results"].as_array().unwrap());
    assert_eq!(webs.len(), 2);
    for (s, w) in sims.iter().zip(webs) {
        let name = w["strategy"].as_str().unwrap();
        let (sr, wr) = (s["hit_ratio"].as_f64().unwrap(), w["hit_ratio"].as_f64().unwrap());
        eprintln!("{name}: simulation {sr:.4}, http {wr:.4}");
        assert!((sr - wr).abs() <= 0.01, "{name}: simulation {sr:.4} vs http {wr:.4}");
        assert_eq!(w["requests"], 16_000, "{name}: every measured request completed");
        assert_eq!(w["corrupt"], 0, "{name}");
        assert_eq!(w["errors"], 0, "{name}");
        let writes = w["writes"].as_u64().unwrap();
        assert!(writes > 0, "{name}: the workload's writes went out as PUTs");
        let (hits, misses) = (w["hits"].as_u64().unwrap(), w["misses"].as_u64().unwrap());
        assert_eq!(hits + misses + writes, 16_000);
        let load = &w["load"];
        // Every GET's body was checked: each one is in the hit or the miss histogram.
        assert_eq!(load["get_hit"]["count"].as_u64().unwrap(), hits, "{name}");
        assert_eq!(load["get_miss"]["count"].as_u64().unwrap(), misses, "{name}");
        assert_eq!(load["put"]["count"].as_u64().unwrap(), writes, "{name}");
        assert_eq!(load["end_to_end"]["count"], 16_000);
        let origin = load["origin_requests"].as_u64().unwrap();
        assert!(
            origin <= misses && origin + 50 >= misses,
            "{name}: {origin} origin fetches for {misses} misses"
        );
        assert!(load["throughput_rps"].as_f64().unwrap() > 0.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_store_is_never_cached_and_max_age_expires() {
    for kind in ["kind = \"lru\"\ncapacity = 100", "kind = \"moka\"\ncapacity = 100"] {
        let s = small("ttl = \"1s\"", "latency = { dist = \"fixed\", ms = 0 }\nuncacheable = 0.5", kind);
        let server = start(&s, true).await;
        let (addr, c) = (server.addr(), client());
        // Find one key the origin marks no-store and one it lets caches keep for one second.
        let (mut no_store, mut max_age) = (None, None);
        for key in 1..=50u64 {
            let (status, headers, _) = get(&c, addr, &format!("/obj/{key}")).await;
            assert_eq!(status, 200);
            match header(&headers, "cache-control") {
                "no-store" => no_store = no_store.or(Some(key)),
                cc if cc.contains("max-age=1") => max_age = max_age.or(Some(key)),
                cc => panic!("unexpected Cache-Control {cc:?}"),
            }
        }
        let (no_store, max_age) = (no_store.expect("a no-store key"), max_age.expect("a max-age key"));
        let before = server.stats();
        for _ in 0..5 {
            assert_eq!(
                get_object(&c, addr, &s, no_store).await,
                "MISS",
                "no-store is never served from cache"
            );
        }
        let after = server.stats();
        assert_eq!(
            after.origin_fetches - before.origin_fetches,
            5,
            "every no-store request went to the origin"
        );
        assert_eq!(after.stored, before.stored, "nothing was stored");

        assert_eq!(
            get_object(&c, addr, &s, max_age).await,
            "HIT",
            "fetched in the scan above, younger than 1 s"
        );
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(get_object(&c, addr, &s, max_age).await, "MISS", "older than max-age");
        assert_eq!(get_object(&c, addr, &s, max_age).await, "HIT", "stored again");
        server.shutdown(Duration::from_secs(1)).await;
    }
}

/// Sends `n` concurrent GETs for one cold key; returns (origin fetches, responses coalesced).
async fn burst(coalesce: bool, n: usize) -> (u64, usize) {
    let s = small("", "latency = { dist = \"fixed\", ms = 300 }", "kind = \"lru\"\ncapacity = 100");
    let server = start(&s, coalesce).await;
    let (addr, c) = (server.addr(), client());
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { get(&c, addr, "/obj/42").await })
        })
        .collect();
    let mut coalesced = 0;
    for t in tasks {
        let (status, headers, body) = t.await.unwrap();
        assert_eq!(status, 200);
        assert_eq!(header(&headers, "x-cache"), "MISS", "nobody hit: the key was cold for the whole burst");
        assert!(origin::verify(42, s.workload.value_size.size_of(s.seed, 42), &body));
        coalesced += usize::from(header(&headers, "x-coalesced") == "true");
    }
    let stats = server.shutdown(Duration::from_secs(1)).await;
    assert_eq!(stats.misses, n as u64);
    (stats.origin_fetches, coalesced)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coalescing_makes_one_origin_fetch_per_burst() {
    let (fetches, coalesced) = burst(true, 100).await;
    assert_eq!(fetches, 1, "100 concurrent misses, one origin fetch");
    assert_eq!(coalesced, 99);
    // Every request missed (burst() checks that all 100 said MISS), and without coalescing
    // every miss makes its own fetch.
    let (fetches, coalesced) = burst(false, 100).await;
    assert_eq!(fetches, 100, "without coalescing, 100 concurrent misses make 100 origin fetches");
    assert_eq!(coalesced, 0);
}

/// Writes `bytes` on a fresh connection and reads until the server closes it or `STEP` ends.
async fn exchange_raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(bytes).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(STEP, conn.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_clients_never_stop_the_server() {
    let s = small("", "latency = { dist = \"fixed\", ms = 200 }", "kind = \"moka\"\ncapacity = 100");
    let server = start(&s, true).await;
    let (addr, c) = (server.addr(), client());

    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let answer = exchange_raw(addr, &garbage).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "garbage: {answer:?}");
    let answer = exchange_raw(addr, b"NOT HTTP AT ALL\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 400"), "bad request line: {answer:?}");

    let huge = format!("GET /obj/1 HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
    let answer = exchange_raw(addr, huge.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "oversized header: {answer:?}");

    let answer = exchange_raw(addr, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 404"), "unknown path: {answer:?}");
    let answer = exchange_raw(addr, b"DELETE /obj/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 405"), "method: {answer:?}");
    let answer = exchange_raw(addr, b"GET /obj/12x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 404"), "bad key: {answer:?}");

    // A half-sent request left open, and one dropped half way.
    let mut half_open = TcpStream::connect(addr).await.unwrap();
    half_open.write_all(b"GET /obj/3 HTTP/1.1\r\nHost: x\r\nX-Par").await.unwrap();
    let mut dropped = TcpStream::connect(addr).await.unwrap();
    dropped.write_all(b"GET /obj/4 HTTP/1.1\r\nHo").await.unwrap();
    drop(dropped);
    // A client that leaves while its miss waits for the origin.
    let mut impatient = TcpStream::connect(addr).await.unwrap();
    impatient.write_all(b"GET /obj/5 HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    drop(impatient);
    // A thousand connections opened and dropped, some after a few bytes.
    for i in 0..1000u32 {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        if i % 3 == 0 {
            let _ = conn.write_all(b"GET /obj/").await;
        }
    }

    // A normal request still gets the right answer, twice (miss, then hit), and so does the
    // object whose client left (its fill completed or is redone).
    assert_eq!(get_object(&c, addr, &s, 7).await, "MISS");
    assert_eq!(get_object(&c, addr, &s, 7).await, "HIT");
    get_object(&c, addr, &s, 5).await;
    drop(half_open);
    let stats = server.shutdown(Duration::from_secs(1)).await;
    assert!(stats.rejected >= 3, "{stats:?}");
}
