//! Caches cachelab does not own (`kind = "http"`) in front of the origin a run serves at
//! `[origin] listen`, and `cachelab origin` alone: real nginx `proxy_cache`, Varnish and the
//! aiohttp-cache app (memory and Redis backends), whose hit ratio counted at the origin must
//! agree with their own hit headers and with the stream's distinct keys; targets that damage
//! bodies, that are not there, or that never reach the origin.

use std::collections::HashSet;
use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use cachelab::http::{Handler, ResponseBody, Server};
use cachelab::origin;
use cachelab::workload::WorkloadSpec;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

use crate::support::listening;
use crate::support::redis_keys::{self, ForeignKeys, OwnPrefix};
use crate::support::stack::{self, free_port};

/// Requests of each run: enough for the ratios to settle, few enough for seconds per test.
const REQUESTS: u64 = 3000;
/// Every object's size.
const SIZE: u32 = 1024;

/// The `[workload]` of every run here: Zipf over 400 keys, no warm-up (so the measured part
/// is the whole stream and its distinct keys are its cold misses).
fn workload() -> String {
    format!(
        "kind = \"zipf\"\nkeys = 400\nalpha = 0.9\nrequests = {REQUESTS}\nwarmup = 0.0\nvalue_size = {{ dist = \"fixed\", size = \"{SIZE}B\" }}\n"
    )
}

/// A scenario in HTTP mode serving its origin at `origin`, one closed-loop worker, with
/// `strategies` (TOML `[[strategy]]` tables).
fn scenario(dir: &Path, origin: SocketAddr, strategies: &str) -> PathBuf {
    let text = format!(
        "name = \"stack\"\nseed = 11\nmode = \"http\"\n[workload]\n{}[origin]\nlatency = {{ dist = \"fixed\", ms = 0 }}\nlisten = \"{origin}\"\n[load]\nconcurrency = 1\n{strategies}",
        workload()
    );
    let file = dir.join("stack.toml");
    std::fs::write(&file, text).unwrap();
    file
}

/// The distinct keys of the scenario's stream.
fn distinct_keys() -> usize {
    let spec: WorkloadSpec = toml::from_str(&workload()).unwrap();
    spec.stream(11).unwrap().map(|r| r.key).collect::<HashSet<u64>>().len()
}

/// `1 − distinct keys / requests` of the scenario's stream: the hit ratio of a cache that
/// holds everything, starting cold.
fn ideal_hit_ratio() -> f64 {
    1.0 - distinct_keys() as f64 / REQUESTS as f64
}

/// `cachelab run --json` of `file`: (exit code, results if it succeeded, stderr).
fn run(dir: &Path, file: &Path) -> (i32, Option<serde_json::Value>, String) {
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .args(["run", "--json", "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg(file)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let results = out.status.success().then(|| serde_json::from_slice(&out.stdout).unwrap());
    (out.status.code().unwrap_or(-1), results, stderr)
}

fn ok(dir: &Path, file: &Path) -> serde_json::Value {
    let (code, results, stderr) = run(dir, file);
    results.unwrap_or_else(|| panic!("exit {code}: {stderr}"))
}

fn u(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn row<'r>(results: &'r serde_json::Value, name: &str) -> &'r serde_json::Value {
    results["results"].as_array().unwrap().iter().find(|r| r["strategy"] == name).unwrap()
}

fn origin_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], free_port()))
}

/// The row `name` of a cold run through a cache that holds the whole footprint: every request
/// answered with a verified body, its hits counted at the origin equal to the cache's own hit
/// signal (when its strategy has a header rule) and to 1 − distinct keys / requests, each
/// within 0.01.
fn holds_everything<'r>(results: &'r serde_json::Value, name: &str) -> &'r serde_json::Value {
    let r = row(results, name);
    assert_eq!(u(&r["requests"]), REQUESTS, "{r}");
    assert_eq!((u(&r["errors"]), u(&r["corrupt"])), (0, 0), "every body verified: {r}");
    let target = &r["load"]["target"];
    assert_eq!(target["hits_counted_at"], "origin", "{r}");
    assert_eq!(u(&target["origin_fetches"]), u(&r["misses"]), "{r}");
    let counted = r["hit_ratio"].as_f64().unwrap();
    let ideal = ideal_hit_ratio();
    let by_header = target.get("classified_hits").map(|hits| u(hits) as f64 / REQUESTS as f64);
    eprintln!(
        "{name}: counted at the origin {counted:.4}, its own hit signal {by_header:.4?}, 1 - distinct/requests {ideal:.4}"
    );
    if let Some(by_header) = by_header {
        assert!(
            (counted - by_header).abs() <= 0.01,
            "{name}: origin {counted} vs its own signal {by_header}"
        );
    }
    assert!((counted - ideal).abs() <= 0.01, "{name}: origin {counted} vs 1 - distinct/requests {ideal}");
    assert!(counted > 0.5, "a Zipf stream mostly hits a cache that holds it all: {counted}");
    r
}

#[test]
fn nginx_hits_counted_at_the_origin_match_x_cache_status_and_the_distinct_keys() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin_addr();
    // 64 MiB holds the 400 KiB footprint many times over.
    let nginx = stack::nginx(origin, "64m");
    let url = format!("http://127.0.0.1:{}/obj/{{key}}", nginx.port);
    let strategies = format!(
        "[[strategy]]\nname = \"nginx\"\nkind = \"http\"\nurl = \"{url}\"\ncapacity = \"64MiB\"\nhit_header = \"X-Cache-Status\"\nhit_values = [\"HIT\"]\n[[strategy]]\nname = \"nginx-warm\"\nkind = \"http\"\nurl = \"{url}\"\nhit_header = \"X-Cache-Status\"\n"
    );
    let results = ok(dir.path(), &scenario(dir.path(), origin, &strategies));
    let cold = holds_everything(&results, "nginx");
    assert!(cold["load"]["target"]["classified_hits"].is_u64(), "{cold}");
    for latency in ["get_hit", "get_miss", "end_to_end"] {
        assert!(cold["load"][latency]["count"].as_u64().is_some_and(|n| n > 0), "{latency}: {cold}");
    }
    // The second target runs after the first, against the cache the first filled: all hits.
    let warm = row(&results, "nginx-warm");
    assert_eq!(u(&warm["load"]["target"]["origin_fetches"]), 0, "{warm}");
    assert_eq!(u(&warm["hits"]), REQUESTS, "{warm}");
    assert_eq!(u(&warm["load"]["target"]["classified_hits"]), REQUESTS, "{warm}");
}

#[test]
fn varnish_hits_counted_at_the_origin_match_its_x_cache_and_the_distinct_keys() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin_addr();
    let varnish = stack::varnish(origin, "64m");
    let strategies = format!(
        "[[strategy]]\nname = \"varnish\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{}/obj/{{key}}\"\ncapacity = \"64MiB\"\nhit_header = \"X-Cache\"\n",
        varnish.port
    );
    let results = ok(dir.path(), &scenario(dir.path(), origin, &strategies));
    let r = holds_everything(&results, "varnish");
    assert!(r["load"]["target"]["classified_hits"].is_u64(), "{r}");
}

#[test]
fn aiohttp_cache_memory_hits_counted_at_the_origin_match_the_distinct_keys() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin_addr();
    let app = stack::aiohttp_memory(origin);
    let strategies = format!(
        "[[strategy]]\nname = \"aiohttp-cache\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{}/obj/{{key}}\"\n",
        app.port
    );
    let results = ok(dir.path(), &scenario(dir.path(), origin, &strategies));
    let r = holds_everything(&results, "aiohttp-cache");
    assert!(
        r["load"]["target"].get("classified_hits").is_none(),
        "no header rule, no per-response count: {r}"
    );
}

#[test]
fn aiohttp_cache_redis_hits_counted_at_the_origin_match_the_distinct_keys_and_touch_only_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin_addr();
    let (redis_url, _server) = redis_keys::some_server();
    let mut theirs = ForeignKeys::write(redis_keys::raw(&redis_url));
    let own = OwnPrefix::new(&redis_url, "cachelab-test-aiohttp");
    let app = stack::aiohttp_redis(origin, &redis_url, &own.prefix);
    let strategies = format!(
        "[[strategy]]\nname = \"aiohttp-cache-redis\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{}/obj/{{key}}\"\n",
        app.port
    );
    let results = ok(dir.path(), &scenario(dir.path(), origin, &strategies));
    holds_everything(&results, "aiohttp-cache-redis");
    drop(app);
    // One key per object it cached: the stream's distinct keys and the run's probe.
    assert_eq!(own.count(), distinct_keys() + 1, "the app cached in Redis, under its prefix only");
    assert_eq!(theirs.lost(), Vec::<String>::new(), "nobody else's keys touched");
}

#[test]
fn cachelab_serve_in_front_of_the_runs_origin_is_counted_at_the_origin_like_any_target() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin_addr();
    let port = free_port();
    let strategies = format!(
        "[[strategy]]\nname = \"moka\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/obj/{{key}}\"\ncapacity = \"64MiB\"\nhit_header = \"X-Cache\"\n"
    );
    let file = scenario(dir.path(), origin, &strategies);
    let serve = stack::cachelab_serve(&file, port, origin, "64MiB");
    let results = ok(dir.path(), &file);
    drop(serve);
    let r = holds_everything(&results, "moka");
    assert!(r["load"]["target"]["classified_hits"].is_u64(), "{r}");

    let serve = |flags: &[&str]| {
        let out = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
            .arg("serve")
            .arg(&file)
            .args(flags)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, stderr) =
        serve(&["--kind", "moka", "--capacity", "1MiB", "--upstream", "http://127.0.0.1:1/obj/"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--upstream") && stderr.contains("no path"), "{stderr}");
    let (code, stderr) = serve(&["--kind", "moka"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--kind") && stderr.contains("--capacity"), "{stderr}");
    let (code, stderr) = serve(&["--kind", "nosuch", "--capacity", "1MiB"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown kind `nosuch`") && stderr.contains("moka"), "{stderr}");
}

/// A target written for these tests: fetches each object from the origin (or, with
/// `bypass`, makes the body itself) and flips the first byte of every even key's body.
struct Tampering {
    origin: SocketAddr,
    bypass: bool,
}

impl Tampering {
    async fn fetch(&self, path: &str) -> Bytes {
        let stream = tokio::net::TcpStream::connect(self.origin).await.unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(connection);
        let request =
            Request::get(path).header("host", self.origin.to_string()).body(Empty::<Bytes>::new()).unwrap();
        sender.send_request(request).await.unwrap().into_body().collect().await.unwrap().to_bytes()
    }
}

impl Handler for Tampering {
    async fn handle(&self, req: Request<Incoming>) -> Response<ResponseBody> {
        let path = req.uri().path().to_string();
        let key: u64 = path.strip_prefix("/obj/").and_then(|k| k.parse().ok()).unwrap_or(0);
        if self.bypass {
            return Response::new(ResponseBody::from(origin::body(key, SIZE)));
        }
        let mut body = self.fetch(&path).await.to_vec();
        if key.is_multiple_of(2) && !body.is_empty() {
            body[0] ^= 1;
        }
        Response::new(ResponseBody::from(Bytes::from(body)))
    }
}

/// Starts a [`Tampering`] target on `runtime`; its URL template.
fn tampering(
    runtime: &tokio::runtime::Runtime,
    origin: SocketAddr,
    bypass: bool,
) -> (Server<Tampering>, String) {
    let server = runtime
        .block_on(Server::start(Tampering { origin, bypass }, "127.0.0.1:0".parse().unwrap()))
        .unwrap();
    let url = format!("http://{}/obj/{{key}}", server.addr());
    (server, url)
}

#[test]
fn a_target_serving_damaged_bodies_is_caught_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let origin = origin_addr();
    let (_server, url) = tampering(&runtime, origin, false);
    let strategies = format!("[[strategy]]\nname = \"tampering\"\nkind = \"http\"\nurl = \"{url}\"\n");
    let results = ok(dir.path(), &scenario(dir.path(), origin, &strategies));
    let r = row(&results, "tampering");
    let spec: WorkloadSpec = toml::from_str(&workload()).unwrap();
    let even = spec.stream(11).unwrap().filter(|r| r.key.is_multiple_of(2)).count() as u64;
    assert!(even > 0);
    assert_eq!(u(&r["corrupt"]), even, "every damaged body, and only those: {r}");
    assert_eq!(u(&r["hits"]), 0, "it caches nothing, and a damaged body is never a hit: {r}");
}

#[test]
fn bad_templates_unreachable_targets_and_targets_that_skip_the_origin_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let origin = origin_addr();
    let with = |url: &str| format!("[[strategy]]\nname = \"t\"\nkind = \"http\"\nurl = \"{url}\"\n");

    let file = scenario(dir.path(), origin, &with("http://127.0.0.1:8081/obj/"));
    let (code, _, stderr) = run(dir.path(), &file);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("{key} exactly once") && stderr.contains("url"), "{stderr}");

    let no_listen = dir.path().join("no-listen.toml");
    let text = std::fs::read_to_string(&file).unwrap().replace(&format!("listen = \"{origin}\"\n"), "");
    std::fs::write(&no_listen, text.replace("/obj/\"", "/obj/{key}\"")).unwrap();
    let (code, _, stderr) = run(dir.path(), &no_listen);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("[origin] listen"), "{stderr}");

    let nobody = free_port();
    let file = scenario(dir.path(), origin, &with(&format!("http://127.0.0.1:{nobody}/obj/{{key}}")));
    let (code, _, stderr) = run(dir.path(), &file);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("cannot reach HTTP target `t`") && stderr.contains(&nobody.to_string()),
        "{stderr}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_server, url) = tampering(&runtime, origin, true);
    let file = scenario(dir.path(), origin, &with(&url));
    let (code, _, stderr) = run(dir.path(), &file);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("never reaches the origin") && stderr.contains(&origin.to_string()), "{stderr}");
}

/// One HTTP/1.1 request over a fresh connection: (status line and headers, lowercase names;
/// body).
fn get(addr: SocketAddr, path: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.lines();
    let mut headers = vec![("status".to_string(), lines.next().unwrap().to_string())];
    headers.extend(
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string())),
    );
    (headers, raw[split + 4..].to_vec())
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
    headers.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str())
}

#[test]
fn cachelab_origin_serves_bodies_headers_and_counters_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("origin.toml");
    std::fs::write(
        &file,
        "name = \"o\"\nseed = 3\n[workload]\nkeys = 100\nttl = \"30s\"\nvalue_size = { dist = \"uniform\", min = \"100B\", max = \"5000B\" }\n[origin]\nlatency = { dist = \"fixed\", ms = 50 }\nuncacheable = 0.5\n[[strategy]]\nname = \"m\"\nkind = \"moka\"\ncapacity = 10\n",
    )
    .unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .args(["origin", "--addr", "127.0.0.1:0"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = listening::address(&mut BufReader::new(child.stdout.take().unwrap()));
    let spec: WorkloadSpec = toml::from_str(
        "keys = 100\nttl = \"30s\"\nvalue_size = { dist = \"uniform\", min = \"100B\", max = \"5000B\" }\n",
    )
    .unwrap();
    let (mut stored, mut no_store, mut bytes) = (0, 0, 0);
    for key in 0..20u64 {
        let started = std::time::Instant::now();
        let (headers, body) = get(addr, &format!("/obj/{key}"));
        assert!(started.elapsed() >= Duration::from_millis(50), "after the origin's latency");
        assert!(header(&headers, "status").contains(" 200 "), "{headers:?}");
        let size = spec.value_size.size_of(3, key);
        assert!(origin::verify(key, size, &body), "key {key}: the deterministic body at its workload size");
        assert_eq!(header(&headers, "content-length"), size.to_string());
        assert!(header(&headers, "etag").starts_with('"'), "{headers:?}");
        match header(&headers, "cache-control") {
            "no-store" => no_store += 1,
            cc => {
                assert!(cc.contains("max-age=30"), "{cc}");
                stored += 1;
            }
        }
        bytes += u64::from(size);
    }
    assert!(stored > 0 && no_store > 0, "about half the keys are uncacheable: {stored} / {no_store}");
    let (headers, _) = get(addr, "/nothing");
    assert!(header(&headers, "status").contains(" 404 "));
    let (_, counters) = get(addr, "/_cachelab/origin");
    let counters: serde_json::Value = serde_json::from_slice(&counters).unwrap();
    assert_eq!(counters["requests"], 21, "{counters}");
    assert_eq!(counters["objects"], 20, "{counters}");
    assert_eq!(counters["bytes"], bytes, "{counters}");
    assert_eq!(counters["by_status"], serde_json::json!({ "200": 20, "404": 1 }));
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "a clean stop: {status:?}");
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(stderr.contains("served 21 requests: 20 objects"), "{stderr}");
}
