//! HTTP mode through the real CLI: `[http] coalesce = "compare"` under a burst, the HTTP load
//! client's open loop, and `cachelab serve` driven by `cachelab run --target`.

use crate::support::ctrl_c;

use std::io::{BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use cachelab::origin;

/// Longest any single network step or process exit of these tests may take.
const STEP: Duration = Duration::from_secs(10);

/// Writes `text` as `<name>.toml` in `dir`.
fn scenario_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    file
}

/// `cachelab run --json --quiet --out DIR/out FILE [extra]`: results.json, parsed.
fn run(dir: &Path, file: &Path, extra: &[&str]) -> serde_json::Value {
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .args(["run", "--json", "--quiet", "--out"])
        .arg(dir.join("out"))
        .arg(file)
        .args(extra)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn u(v: &serde_json::Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The result row named `name`.
fn row<'r>(results: &'r serde_json::Value, name: &str) -> &'r serde_json::Value {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["strategy"] == name)
        .unwrap_or_else(|| panic!("no row `{name}` in {results}"))
}

#[test]
fn coalescing_compare_shows_the_origin_load_saved_under_a_burst() {
    // 32 workers start at once on 4 cold URLs behind a 200 ms origin: every first request
    // misses. With coalescing the misses for one URL share a fetch; without, each fetches.
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(
        dir.path(),
        "burst",
        "name = \"burst\"\nseed = 5\nmode = \"http\"\n[workload]\nkind = \"uniform\"\nkeys = 4\nrequests = 600\nwarmup = 0.0\nvalue_size = { dist = \"fixed\", size = \"1KiB\" }\n[origin]\nlatency = { dist = \"fixed\", ms = 200 }\n[http]\ncoalesce = \"compare\"\n[load]\nconcurrency = 32\n[[strategy]]\nname = \"moka\"\nkind = \"moka\"\ncapacity = 100\n",
    );
    let results = run(dir.path(), &file, &[]);
    let rows = results["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "one row with coalescing, one without");
    assert_eq!(rows[0]["strategy"], "moka");
    assert_eq!(rows[1]["strategy"], "moka (no coalescing)");
    assert_eq!(results["scenario"]["http"]["coalesce"], "compare", "the scenario is echoed as written");
    assert_eq!(results["scenario"]["strategy"].as_array().unwrap().len(), 1);
    let (with, without) = (&rows[0], &rows[1]);
    for r in [with, without] {
        assert_eq!(u(&r["requests"]), 600, "{r}");
        assert_eq!((u(&r["errors"]), u(&r["corrupt"])), (0, 0), "{r}");
    }
    let fetches = |r: &serde_json::Value| u(&r["load"]["origin_requests"]);
    let coalesced = |r: &serde_json::Value| u(&r["load"]["coalesced_requests"]);
    eprintln!(
        "with coalescing: {} fetches, {} coalesced, {} misses; without: {} fetches, {} misses",
        fetches(with),
        coalesced(with),
        u(&with["misses"]),
        fetches(without),
        u(&without["misses"])
    );
    assert!(
        fetches(without) > fetches(with),
        "without coalescing {} origin fetches, with {}",
        fetches(without),
        fetches(with)
    );
    assert!(coalesced(with) > 0, "misses joined a fetch under way");
    assert_eq!(fetches(with) + coalesced(with), u(&with["misses"]), "every miss fetched or joined");
    assert_eq!(coalesced(without), 0);
    assert_eq!(fetches(without), u(&without["misses"]), "without coalescing every miss fetched");
    assert!(fetches(without) >= 32, "all 32 first requests missed and fetched: {}", fetches(without));

    // results.json carries the new counts under the committed schema, and the report shows them.
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results.schema.json");
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&results).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let page = std::fs::read_to_string(dir.path().join("out/burst/index.html")).unwrap();
    assert!(page.contains("<th tabindex=\"0\" data-numeric=\"1\">coalesced</th>"), "a coalesced column");
    assert!(page.contains("Request coalescing"), "the comparison section");
    assert!(page.contains("coalescing cut origin load by"), "the comparison sentence");
}

#[test]
fn open_loop_over_http_keeps_its_rate_and_measures_from_intended_send_times() {
    let dir = tempfile::tempdir().unwrap();
    // A modest rate the client keeps: 200 requests/s, 2.5 s measured after 0.5 s of warm-up.
    let file = scenario_file(
        dir.path(),
        "open",
        "name = \"open\"\nmode = \"http\"\n[workload]\nkind = \"uniform\"\nkeys = 20\nvalue_size = { dist = \"fixed\", size = \"1KiB\" }\n[origin]\nlatency = { dist = \"fixed\", ms = 2 }\n[load]\nmode = \"open\"\nrate = 200\nduration = \"3s\"\nwarmup = \"500ms\"\n[[strategy]]\nname = \"moka\"\nkind = \"moka\"\ncapacity = 100\n",
    );
    let results = run(dir.path(), &file, &[]);
    let r = row(&results, "moka");
    let load = &r["load"];
    assert_eq!(load["loop_mode"], "open");
    assert_eq!(f(&load["target_rps"]), 200.0);
    let requests = u(&r["requests"]);
    assert!((475..=525).contains(&requests), "200/s x 2.5 s = 500 requests, got {requests}");
    let rps = f(&load["throughput_rps"]);
    assert!((180.0..=220.0).contains(&rps), "throughput {rps} req/s for a 200 req/s schedule");
    assert_eq!((u(&r["errors"]), u(&r["corrupt"]), u(&load["timeouts"])), (0, 0, 0));
    assert_eq!(u(&r["hits"]) + u(&r["misses"]), requests);
    let hit_ratio = f(&r["hit_ratio"]);
    assert!(hit_ratio >= 0.9, "20 URLs, all fetched during the warm-up: hit ratio {hit_ratio}");
    assert_eq!(u(&load["end_to_end"]["count"]), requests);
    assert_eq!(u(&load["start_delay"]["count"]), requests, "every request's start delay is recorded");

    // One connection in flight at most, each miss 20 ms: only ~50 of 100 requests/s can go,
    // so requests start ever later than scheduled, and that wait is part of their latency
    // (those scheduled in the 1 s still go after it ends, within the open loop's drain grace).
    let file = scenario_file(
        dir.path(),
        "late",
        "name = \"late\"\nmode = \"http\"\n[workload]\nkind = \"uniform\"\nkeys = 1000\nwarmup = 0.0\n[origin]\nlatency = { dist = \"fixed\", ms = 20 }\n[load]\nmode = \"open\"\nrate = 100\nconcurrency = 1\nduration = \"1s\"\n[[strategy]]\nname = \"none\"\nkind = \"none\"\n",
    );
    let results = run(dir.path(), &file, &[]);
    let r = row(&results, "none");
    let load = &r["load"];
    let requests = u(&r["requests"]);
    assert!((10..=100).contains(&requests), "only requests scheduled in the 1 s are sent: {requests}");
    let rps = f(&load["throughput_rps"]);
    assert!(rps <= 75.0, "the schedule of 100/s could not be kept: {rps} req/s");
    let served = u(&load["get_miss"]["p50_us"]);
    let e2e = u(&load["end_to_end"]["p50_us"]);
    let late = u(&load["start_delay"]["p99_us"]);
    eprintln!(
        "{requests} requests: served in {served} µs (p50), end to end {e2e} µs (p50), start delay p99 {late} µs"
    );
    assert!(served >= 20_000, "each request waits for the 20 ms origin: {served} µs");
    assert!(e2e >= 3 * served, "latency counts from the intended send time: {e2e} µs vs {served} µs served");
    assert!(late >= 200_000, "requests started late: p99 {late} µs");
}

/// Starts `cachelab serve FILE --strategy NAME` on a free port; returns it and its address.
fn serve(file: &Path, strategy: &str) -> (Child, SocketAddr) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .arg("serve")
        .arg(file)
        .args(["--strategy", strategy])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = crate::support::listening::address(&mut BufReader::new(child.stdout.take().unwrap()));
    (child, addr)
}

/// Sends SIGINT (Ctrl-C) to `child` and waits up to `STEP` for it to exit: status and stderr.
fn interrupt(mut child: Child) -> (ExitStatus, String) {
    let status = ctrl_c::interrupt_and_wait(&mut child, STEP);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status, stderr)
}

#[test]
fn serve_prints_its_address_answers_and_stops_on_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(
        dir.path(),
        "serve",
        "name = \"serve\"\n[workload]\nkeys = 100\nvalue_size = { dist = \"fixed\", size = 3000 }\n[origin]\nlatency = { dist = \"fixed\", ms = 5 }\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = 10\n[[strategy]]\nname = \"moka\"\nkind = \"moka\"\ncapacity = 50\n",
    );
    let (child, addr) = serve(&file, "moka");
    let fetch = |key: u64| -> (String, Vec<u8>) {
        let mut conn = std::net::TcpStream::connect(addr).unwrap();
        conn.set_read_timeout(Some(STEP)).unwrap();
        write!(conn, "GET /obj/{key} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a header section") + 4;
        (String::from_utf8_lossy(&raw[..split]).to_lowercase(), raw[split..].to_vec())
    };
    let (head, body) = fetch(9);
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("x-cache: miss"), "{head}");
    assert!(origin::verify(9, 3000, &body));
    let (head, body) = fetch(9);
    assert!(head.contains("x-cache: hit"), "{head}");
    assert!(origin::verify(9, 3000, &body));

    let (status, stderr) = interrupt(child);
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(stderr.contains("1 hits, 1 misses"), "final counters: {stderr}");
    assert!(std::net::TcpStream::connect(addr).is_err(), "the port is closed after shutdown");
}

#[test]
fn run_against_a_served_target_measures_it_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(
        dir.path(),
        "target",
        "name = \"target\"\nmode = \"http\"\n[workload]\nkind = \"zipf\"\nkeys = 200\nrequests = 3000\nwarmup = 0.1\nvalue_size = { dist = \"uniform\", min = \"100B\", max = \"2KiB\" }\n[origin]\nlatency = { dist = \"fixed\", ms = 1 }\n[load]\nconcurrency = 4\n[[strategy]]\nname = \"moka\"\nkind = \"moka\"\ncapacity = 1000\n",
    );
    let (child, addr) = serve(&file, "moka");
    let results = run(dir.path(), &file, &["--target", &addr.to_string()]);
    let (status, stderr) = interrupt(child);
    assert_eq!(results["mode"], "http");
    let rows = results["results"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "one row for the target: {results}");
    let r = row(&results, "target");
    let requests = u(&r["requests"]);
    assert_eq!(requests, 2700, "every measured request completed");
    assert!(u(&r["hits"]) > 0, "the served cache answered hits: {r}");
    assert!(u(&r["misses"]) > 0, "and misses (a cold start): {r}");
    assert_eq!((u(&r["errors"]), u(&r["corrupt"]), u(&r["load"]["timeouts"])), (0, 0, 0), "{r}");
    assert!(status.success(), "serve exits 0 on Ctrl-C: {status:?}: {stderr}");
    // The server saw the whole run (warm-up included): 3000 requests, as many hits as it sent.
    assert!(stderr.contains("served 3000 requests"), "final counters: {stderr}");
}
