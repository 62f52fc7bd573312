//! The wall-clock load runner: fidelity against the exact simulation, the coordinated-omission
//! correction of the open loop, fault handling, and Ctrl-C through the real CLI.

use crate::support::background_run;
use crate::support::ctrl_c;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use cachelab::model::Capacity;
use cachelab::model::Stop;
use cachelab::origin::{Origin, OriginSpec};
use cachelab::runner::load::{self, Measured, Plan};
use cachelab::runner::logical;
use cachelab::scenario::Scenario;
use cachelab::strategy::{CacheStrategy, Hint, Lookup, MokaCache, StrategyError, Usage};
use indicatif::ProgressBar;

fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, Path::new("test.toml")).expect("valid scenario")
}

#[test]
fn closed_loop_hit_ratios_match_the_simulation() {
    let strategies = r#"
[[strategy]]
name = "moka"
kind = "moka"
capacity = 500

[[strategy]]
name = "lru"
kind = "lru"
capacity = 500
"#;
    let common = format!(
        "name = \"fidelity\"\nseed = 7\n{strategies}\n[workload]\nkind = \"zipf\"\nkeys = 5000\nalpha = 0.9\nrequests = 60000\nwarmup = 0.2\nvalue_size = {{ dist = \"fixed\", size = 256 }}\n"
    );
    let simulated = logical::run(&scenario(&common).plan(), &ProgressBar::hidden(), true).unwrap();
    let loaded = load::run(
        &scenario(&format!(
            "{common}\n[origin]\nlatency = {{ dist = \"fixed\", ms = 0 }}\n[load]\nmode = \"closed\"\nconcurrency = 4\n"
        ))
        .plan(),
        &ProgressBar::hidden(),
        true,
    )
    .unwrap();
    assert_eq!(loaded.mode, "load");
    assert!(!loaded.partial);
    assert_eq!(loaded.warmup_requests, 12_000);
    for (s, l) in simulated.results.iter().zip(&loaded.results) {
        assert_eq!(s.strategy, l.strategy);
        eprintln!("{}: simulation {:.4}, load {:.4}", s.strategy, s.hit_ratio, l.hit_ratio);
        assert_eq!(l.counts.requests, 48_000, "{}: every measured request completes", l.strategy);
        assert!(
            (s.hit_ratio - l.hit_ratio).abs() <= 0.02,
            "{}: simulation {:.4} vs load {:.4}",
            s.strategy,
            s.hit_ratio,
            l.hit_ratio
        );
        let m = l.load.as_ref().expect("load measurements");
        assert_eq!(m.loop_mode, "closed");
        assert_eq!(m.concurrency, 4);
        assert_eq!(m.origin_requests, l.counts.misses);
        assert_eq!(m.end_to_end.as_ref().unwrap().count, 48_000);
        assert_eq!(m.get_hit.as_ref().unwrap().count, l.counts.hits);
        assert_eq!(m.get_miss.as_ref().unwrap().count, l.counts.misses);
        assert_eq!(m.put.as_ref().unwrap().count, l.counts.misses, "every miss fills the cache");
        assert!(m.throughput_rps > 0.0 && m.measured_s > 0.0);
        let seen: u64 = m.timeseries.iter().map(|p| p.requests).sum();
        assert_eq!(seen, 60_000, "the time series covers warm-up and measured requests");
        assert!(m.timeseries.first().unwrap().t_s < 0.0, "warm-up points come first");
    }
}

/// A moka cache whose behaviour changes during windows of wall-clock time after it is built:
/// gets that start in `stall` sleep `stall_for`; every operation in `fail` fails; every
/// operation in `slow` takes `slow_for` (longer than the runner's timeout).
struct Faulty {
    inner: MokaCache,
    born: Instant,
    stall: std::ops::Range<Duration>,
    stall_for: Duration,
    fail: std::ops::Range<Duration>,
    slow: std::ops::Range<Duration>,
    slow_for: Duration,
    stalled: AtomicU64,
}

impl Faulty {
    fn new() -> Self {
        let none = Duration::ZERO..Duration::ZERO;
        Faulty {
            inner: MokaCache::new("faulty", Capacity::objects(1000)),
            born: Instant::now(),
            stall: none.clone(),
            stall_for: Duration::ZERO,
            fail: none.clone(),
            slow: none,
            slow_for: Duration::ZERO,
            stalled: AtomicU64::new(0),
        }
    }

    async fn disturb(&self) -> Result<(), StrategyError> {
        let t = self.born.elapsed();
        if self.fail.contains(&t) {
            return Err(StrategyError::Backend("injected failure".into()));
        }
        if self.slow.contains(&t) {
            tokio::time::sleep(self.slow_for).await;
        }
        Ok(())
    }
}

#[async_trait]
impl CacheStrategy for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }

    fn facts(&self) -> cachelab::metrics::StrategyFacts {
        self.inner.facts()
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        if self.stall.contains(&self.born.elapsed()) {
            self.stalled.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(self.stall_for).await;
        }
        self.disturb().await?;
        self.inner.get(key, hint).await
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        self.disturb().await?;
        self.inner.put(key, value, hint).await
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        self.inner.usage().await
    }
}

const WORKLOAD: &str = "name = \"w\"\n[workload]\nkeys = 200\nrequests = 2000\nwarmup = 0.0\n[[strategy]]\nname = \"x\"\nkind = \"none\"\n";

fn run(strategy: Arc<Faulty>, load: &str, origin_ms: u32) -> Measured {
    let s = scenario(&format!("{WORKLOAD}[load]\n{load}"));
    let plan = Plan::new(s.load.as_ref().unwrap(), s.workload.warmup.0, s.workload.requests.get());
    let origin: OriginSpec =
        toml::from_str(&format!("latency = {{ dist = \"fixed\", ms = {origin_ms} }}")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime
        .block_on(load::drive(
            strategy,
            plan.requests(&s.workload, s.seed, None).unwrap(),
            Arc::new(Origin::new(&origin, 1)),
            &plan,
            Arc::new(Stop::new()),
            &ProgressBar::hidden(),
            0,
        ))
        .unwrap()
}

fn at_least(m: &Measured, ms: u64) -> u64 {
    m.recorder.end_to_end.count_between(ms * 1000, u64::MAX)
}

#[test]
fn open_loop_latency_shows_a_stall_for_every_request_scheduled_during_it() {
    // 1000 requests/s for 2 s; gets starting between 0.8 s and 1.0 s stall 200 ms. At most 16
    // requests are in flight, so the dispatcher is held up during the stall.
    let stall = Duration::from_millis(800)..Duration::from_millis(1000);
    let open =
        Arc::new(Faulty { stall: stall.clone(), stall_for: Duration::from_millis(200), ..Faulty::new() });
    let m = run(open.clone(), "mode = \"open\"\nrate = 1000\nconcurrency = 16\ntimeout = \"1s\"\n", 0);
    let stalled_gets = open.stalled.load(Ordering::Relaxed);
    let slow = at_least(&m, 100);
    // Requests scheduled in the first half of the stall wait at least 100 ms each.
    let scheduled_in_first_half = 1000 * 100 / 1000;
    assert_eq!(m.recorder.counts.requests, 2000, "the schedule was kept: every request was sent");
    assert!(slow >= scheduled_in_first_half * 9 / 10, "corrected: {slow} requests >= 100 ms");
    // Measured from the actual send, only the gets that really slept would look slow: that is
    // what a closed loop reports for the same stall.
    assert!(stalled_gets <= 24, "the in-flight bound holds back sending: {stalled_gets} stalled gets");
    assert!(slow >= 3 * stalled_gets, "corrected {slow} vs uncorrected {stalled_gets}");
    let p99 = m.recorder.end_to_end.value_at_quantile(0.99);
    eprintln!("open loop: {slow} requests >= 100 ms, {stalled_gets} stalled gets, p99 {p99} µs");
    assert!(p99 >= 100_000, "the stall reaches the p99: {p99} µs");
    let late = m.late_p99_us().expect("an open loop tracks start delays");
    assert!(late >= 50_000, "held back by the in-flight bound, requests started late: p99 {late} µs");

    let closed = Arc::new(Faulty { stall, stall_for: Duration::from_millis(200), ..Faulty::new() });
    let c = run(
        closed.clone(),
        "mode = \"closed\"\nconcurrency = 16\nduration = \"1500ms\"\ntimeout = \"1s\"\n",
        1,
    );
    let closed_slow = at_least(&c, 100);
    eprintln!("closed loop: {closed_slow} requests >= 100 ms of {}", c.recorder.counts.requests);
    assert!(
        closed_slow <= closed.stalled.load(Ordering::Relaxed),
        "a closed loop sees only the stalled requests"
    );
    assert!(closed_slow * 3 <= slow, "closed loop hides the stall: {closed_slow} vs open loop {slow}");
    assert_eq!(c.late_p99_us(), None, "a closed loop has no schedule to be late for");
}

#[test]
fn open_loop_sends_what_a_stall_at_the_end_held_back() {
    // 1000 requests/s for 1 s; gets starting between 0.85 s and 1.0 s stall 250 ms, so with
    // 16 in flight the dispatcher is held back when the duration ends. The requests scheduled
    // before the end are still sent (within the drain grace) and carry their lateness.
    let stall = Duration::from_millis(850)..Duration::from_millis(1000);
    let faulty = Arc::new(Faulty { stall, stall_for: Duration::from_millis(250), ..Faulty::new() });
    let m = run(
        faulty,
        "mode = \"open\"\nrate = 1000\nconcurrency = 16\nduration = \"1s\"\ntimeout = \"1s\"\n",
        0,
    );
    let sent = m.recorder.counts.requests;
    assert!(sent >= 995, "every request scheduled before the end was sent and recorded: {sent}");
    assert!(sent <= 1001, "none scheduled after the end: {sent}");
    let slow = at_least(&m, 100);
    assert!(slow >= 80, "the stall at the end shows in the latencies: {slow} requests >= 100 ms");
}

#[test]
fn failing_and_slow_operations_are_counted_per_interval_and_the_run_completes() {
    // Operations fail between 0.4 s and 0.9 s and take 300 ms (timeout 50 ms) between 1.2 s
    // and 1.7 s of a 2 s closed-loop run; the time series has 200 ms points. (The windows
    // start when the strategy is built, a little before the run.)
    let faulty = Arc::new(Faulty {
        fail: Duration::from_millis(400)..Duration::from_millis(900),
        slow: Duration::from_millis(1200)..Duration::from_millis(1700),
        slow_for: Duration::from_millis(300),
        ..Faulty::new()
    });
    let m = run(
        faulty,
        "mode = \"closed\"\nconcurrency = 4\nduration = \"2s\"\ntimeout = \"50ms\"\ntimeseries_interval = \"200ms\"\n",
        1,
    );
    let r = &m.recorder;
    assert!(r.counts.errors > 0 && r.timeouts > 0, "errors {} timeouts {}", r.counts.errors, r.timeouts);
    let points = &r.intervals;
    assert!(points.len() >= 10, "{} intervals", points.len());
    let errors: Vec<u64> = points.iter().map(|p| p.errors).collect();
    let timeouts: Vec<u64> = points.iter().map(|p| p.timeouts).collect();
    // Intervals 2 and 3 lie inside the failure window, 6 and 7 inside the slow one.
    assert!(errors[2] > 0 && errors[3] > 0, "errors per interval {errors:?}");
    assert!(errors[0] == 0 && errors[7] == 0 && errors[9] == 0, "errors per interval {errors:?}");
    assert!(timeouts[6] > 0 && timeouts[7] > 0, "timeouts per interval {timeouts:?}");
    assert!(timeouts[..5].iter().all(|&t| t == 0), "timeouts per interval {timeouts:?}");
    // Failed requests fell back to the origin and completed: nothing is lost.
    assert_eq!(r.end_to_end.len(), r.counts.requests);
    assert_eq!(r.origin, r.counts.misses);
    assert!(points[3].requests > 0 && points[3].hits == 0, "no hits while the cache fails");
    assert!(points[9].hits > 0, "hits again after the faults");
    let lm = m.load_measurements(&Plan::new(
        scenario(&format!("{WORKLOAD}[load]\n")).load.as_ref().unwrap(),
        0.0,
        1,
    ));
    assert_eq!(lm.timeouts, r.timeouts);
    assert_eq!(lm.timeseries.iter().map(|p| p.errors).sum::<u64>(), errors.iter().sum::<u64>());
}

#[test]
fn ctrl_c_stops_the_cli_and_writes_partial_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("long.toml");
    std::fs::write(
        &file,
        "name = \"long\"\n[workload]\nkeys = 1000\n[origin]\nlatency = { dist = \"fixed\", ms = 1 }\n[load]\nduration = \"60s\"\nwarmup = \"100ms\"\n[[strategy]]\nname = \"moka\"\nkind = \"moka\"\ncapacity = 100\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = 100\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let background_run::Running { mut child, mut stderr, first_line: line } =
        background_run::spawn_run(&file, &out, None);
    assert!(line.starts_with("load: `moka`"), "the run announces its first strategy: {line:?}");
    std::thread::sleep(Duration::from_millis(700));
    let status = ctrl_c::interrupt_and_wait(&mut child, Duration::from_secs(10));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(130), "stderr: {rest}");
    assert!(rest.contains("interrupted"), "stderr: {rest}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("long/results.json")).unwrap()).unwrap();
    assert_eq!(json["partial"], true);
    assert_eq!(json["mode"], "load");
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "the second strategy never started");
    assert!(results[0]["requests"].as_u64().unwrap() > 0, "the measured part is reported");
}

/// Runs the CLI on `text` (written to a scenario file) and returns its results.json.
fn cli_run(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .args(["run", "-q", "--json"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_trace_replayed_under_load_matches_its_simulation_and_the_schema() {
    let trace = format!("{}/tests/data/lirs_multi1.oracleGeneral.bin.zst", env!("CARGO_MANIFEST_DIR"));
    let base = format!(
        "name = \"multi1\"\n[workload]\nkind = \"trace\"\npath = \"{trace}\"\nwarmup = 0.1\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = 500\n"
    );
    let sim = cli_run(&base);
    let load = cli_run(&format!(
        "{base}[origin]\nlatency = {{ dist = \"fixed\", ms = 0 }}\n[load]\nconcurrency = 4\ntimeseries_interval = \"100ms\"\n"
    ));
    assert_eq!(load["mode"], "load");
    assert_eq!(load["warmup_requests"], sim["warmup_requests"]);
    let (s, l) = (&sim["results"][0], &load["results"][0]);
    assert_eq!(l["requests"], s["requests"], "the whole trace is replayed");
    let (hs, hl) = (s["hit_ratio"].as_f64().unwrap(), l["hit_ratio"].as_f64().unwrap());
    assert!((hs - hl).abs() <= 0.02, "simulation {hs} vs load {hl}");
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&load).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "a load run's results.json violates the schema: {errors:#?}");
    let m = &l["load"];
    for key in ["get_hit", "get_miss", "put", "end_to_end"] {
        assert!(m[key]["count"].as_u64().unwrap() > 0, "{key} is filled");
        // The number of points depends on how spread the latencies are (a tight histogram has
        // few quantile steps), so check its shape, not its length.
        let points: Vec<(f64, u64)> = serde_json::from_value(m[key]["distribution"].clone()).unwrap();
        assert!(!points.is_empty(), "{key} has a distribution");
        assert!(points.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "{key}: not monotonic");
    }
}

#[test]
fn bad_load_and_origin_settings_exit_2_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for (section, wanted) in [
        ("[load]\nmode = \"open\"\n", ("s.toml:2:1: key `load.rate`", "needs a rate")),
        (
            "[origin]\nlatency = { dist = \"lognormal\", p50_ms = 20, p99_ms = 5 }\n",
            ("s.toml:3:55: key `origin.latency.p99_ms`", "0 < p50_ms <= p99_ms"),
        ),
        (
            "[load]\nduration = \"2s\"\nwarmup = \"5s\"\n",
            ("s.toml:4:10: key `load.warmup`", "must be shorter"),
        ),
    ] {
        let file = dir.path().join("s.toml");
        std::fs::write(
            &file,
            format!("name = \"s\"\n{section}[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = 10\n"),
        )
        .unwrap();
        let out =
            Command::new(assert_cmd::cargo::cargo_bin!("cachelab")).arg("run").arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(wanted.0) && stderr.contains(wanted.1), "{section}: {stderr}");
    }
}

#[test]
fn a_slow_origin_does_not_stretch_the_run_past_its_duration() {
    // Each miss waits 60 s at the origin; the run lasts 1 s. Requests still waiting 2 s after
    // the end are cancelled and counted, in the closed and the open loop alike.
    for (mode, extra) in [("closed", ""), ("open", "rate = 200\n")] {
        let started = std::time::Instant::now();
        let json = cli_run(&format!(
            "name = \"slow\"\n[workload]\nkeys = 1000\n[origin]\nlatency = {{ dist = \"fixed\", ms = 60000 }}\n[load]\nmode = \"{mode}\"\n{extra}concurrency = 8\nduration = \"1s\"\nwarmup = \"0s\"\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = 100\n"
        ));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(30), "{mode}: the run took {took:?}");
        let load = &json["results"][0]["load"];
        assert_eq!(load["cancelled_at_end"], 8, "{mode}: every worker's request was cancelled: {load}");
        assert_eq!(json["results"][0]["requests"], 0, "{mode}: no request finished");
    }
}

#[test]
fn a_trace_object_too_large_to_materialise_under_load_is_refused_at_its_record() {
    let dir = tempfile::tempdir().unwrap();
    // 4 GiB - 1: under load each request would allocate it whole.
    std::fs::write(dir.path().join("t.csv"), "time,obj_id,obj_size\n1,1,100\n2,2,4294967295\n3,1,100\n")
        .unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "name = \"big\"\n[workload]\nkind = \"trace\"\npath = \"t.csv\"\n[origin]\nlatency = { dist = \"fixed\", ms = 0 }\n[load]\nconcurrency = 2\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = \"1GiB\"\n",
    )
    .unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .args(["run", "-q"])
        .arg(&file)
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("t.csv: request 2: an object of 4294967295 bytes"), "{err}");
}
