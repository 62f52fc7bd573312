//! Damaged data never counts as a hit, in every runner: a strategy that serves wrong or
//! truncated bodies shows `corrupt` (and no hits for them) in the simulation and under load,
//! and file entries damaged on disk count as errors in the simulation, load and HTTP modes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use cachelab::metrics::Counts;
use cachelab::model::Capacity;
use cachelab::model::Stop;
use cachelab::origin::Origin;
use cachelab::runner::http;
use cachelab::runner::load::{self, Plan};
use cachelab::runner::logical::{self, Replay};
use cachelab::scenario::Scenario;
use cachelab::strategy::{CacheStrategy, Hint, Lookup, MokaCache, StrategyError, Usage};
use indicatif::ProgressBar;

fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, Path::new("test.toml")).expect("valid scenario")
}

/// A real moka cache that lies about a third of its keys: for keys ≡ 0 (mod 3) it serves the
/// body cut short by one byte, for keys ≡ 1 the body with its first byte flipped; keys ≡ 2
/// come back intact. It counts what it served.
struct Lying {
    inner: MokaCache,
    lies: AtomicU64,
    truths: AtomicU64,
}

impl Lying {
    fn new() -> Self {
        Lying { inner: MokaCache::new("lying", Capacity::objects(10_000)), lies: 0.into(), truths: 0.into() }
    }
}

#[async_trait]
impl CacheStrategy for Lying {
    fn name(&self) -> &str {
        "lying"
    }

    fn facts(&self) -> cachelab::metrics::StrategyFacts {
        self.inner.facts()
    }

    async fn get(&self, key: u64, hint: Hint) -> Result<Lookup, StrategyError> {
        let Lookup::Hit { value, tier } = self.inner.get(key, hint).await? else { return Ok(Lookup::Miss) };
        let value = match key % 3 {
            0 => value.slice(..value.len() - 1),
            1 => {
                let mut v = value.to_vec();
                v[0] ^= 0xff;
                Bytes::from(v)
            }
            _ => {
                self.truths.fetch_add(1, Ordering::Relaxed);
                return Ok(Lookup::Hit { value, tier });
            }
        };
        self.lies.fetch_add(1, Ordering::Relaxed);
        Ok(Lookup::Hit { value, tier })
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        self.inner.put(key, value, hint).await
    }

    async fn sync(&self) -> Result<(), StrategyError> {
        self.inner.sync().await
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        self.inner.usage().await
    }
}

/// Every read of 60 keys; no warm-up, so every request is measured.
const WORKLOAD: &str = "name = \"lies\"\n[workload]\nkind = \"uniform\"\nkeys = 60\nrequests = 3000\nwarmup = 0.0\nvalue_size = { dist = \"fixed\", size = 300 }\n[origin]\nlatency = { dist = \"fixed\", ms = 0 }\n[load]\nconcurrency = 4\n[[strategy]]\nname = \"x\"\nkind = \"none\"\n";

/// What the lying strategy served matches what the runner counted: every lie is `corrupt`
/// and a miss, every truthful hit a hit.
fn assert_lies_are_corrupt(counts: &Counts, lying: &Lying, runner: &str) {
    let (lies, truths) = (lying.lies.load(Ordering::Relaxed), lying.truths.load(Ordering::Relaxed));
    eprintln!("{runner}: {counts:?}, served {lies} bad and {truths} good bodies");
    assert!(lies > 500 && truths > 500, "{runner}: the workload reads every kind of key");
    assert_eq!(counts.corrupt, lies, "{runner}: every wrong or truncated body is corrupt");
    assert_eq!(counts.hits, truths, "{runner}: only verified bodies are hits");
    assert_eq!(counts.hits + counts.misses, counts.requests, "{runner}: a corrupt read is a miss");
}

#[test]
fn wrong_and_truncated_bodies_are_corrupt_never_hits_in_both_runners() {
    let s = scenario(WORKLOAD);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();

    let lying = Lying::new();
    let requests = s.workload.stream(s.seed).unwrap().map(Ok);
    let how = Replay {
        warmup: 0,
        interval: 1000,
        logical_rate: 1000,
        progress: &ProgressBar::hidden(),
        stop: &Stop::new(),
    };
    let replayed = runtime.block_on(logical::replay(&lying, requests, how)).unwrap();
    assert_lies_are_corrupt(&replayed.counts, &lying, "simulation");

    let lying = Arc::new(Lying::new());
    let plan = Plan::new(s.load.as_ref().unwrap(), 0.0, s.workload.requests.get());
    let measured = runtime
        .block_on(load::drive(
            lying.clone(),
            plan.requests(&s.workload, s.seed, None).unwrap(),
            Arc::new(Origin::new(&s.origin, s.seed)),
            &plan,
            Arc::new(Stop::new()),
            &ProgressBar::hidden(),
            0,
        ))
        .unwrap();
    assert_lies_are_corrupt(&measured.recorder.counts, &lying, "load");
    assert_eq!(
        measured.recorder.get_hit.len(),
        measured.recorder.counts.hits,
        "corrupt reads are not hit latencies"
    );
}

/// Every regular entry file under `dir`.
fn entry_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir).unwrap().flatten() {
        let t = item.file_type().unwrap();
        if t.is_dir() {
            out.extend(entry_files(&item.path()));
        } else if t.is_file() {
            out.push(item.path());
        }
    }
    out.sort();
    out
}

/// Flips the last byte (inside the body) of `n` entry files under `dir`.
fn damage(dir: &Path, n: usize) {
    let files = entry_files(dir);
    assert!(files.len() >= 20, "the first run stored every key: {} files", files.len());
    damage_files(&files[..n]);
}

/// Flips the last byte (inside the body) of each file.
fn damage_files(files: &[PathBuf]) {
    for path in files {
        let mut data = std::fs::read(path).unwrap();
        let last = data.len() - 1;
        data[last] ^= 0x01;
        std::fs::write(path, data).unwrap();
    }
}

#[test]
fn damaged_file_entries_count_as_errors_in_simulation_load_and_http_modes() {
    let tmp = tempfile::tempdir().unwrap();
    for (mode, extra) in [
        ("simulation", ""),
        ("load", "[origin]\nlatency = { dist = \"fixed\", ms = 0 }\n[load]\nconcurrency = 2\n"),
        (
            "http",
            "mode = \"http\"\n[origin]\nlatency = { dist = \"fixed\", ms = 0 }\n[load]\nconcurrency = 2\n",
        ),
    ] {
        let dir = tmp.path().join(mode);
        // `mode` must come before any table.
        let (top, tables) = extra.split_at(extra.find('[').unwrap_or(0));
        let text = format!(
            "name = \"damaged\"\n{top}[workload]\nkind = \"uniform\"\nkeys = 20\nrequests = 2000\nwarmup = 0.0\nvalue_size = {{ dist = \"fixed\", size = 256 }}\n{tables}[[strategy]]\nname = \"file\"\nkind = \"file\"\ndir = \"{}\"\ncapacity = \"1MiB\"\n",
            dir.display()
        );
        let s = scenario(&text);
        let run = |s: &Scenario| match mode {
            "simulation" => logical::run(&s.plan(), &ProgressBar::hidden(), true).unwrap(),
            "load" => load::run(&s.plan(), &ProgressBar::hidden(), true).unwrap(),
            _ => http::run(&s.plan(), &ProgressBar::hidden(), true).unwrap(),
        };
        let first = run(&s);
        assert_eq!(first.mode, mode);
        assert_eq!(first.results[0].counts.errors, 0, "{mode}: an intact run has no errors");
        damage(&dir, 3);
        let second = &run(&s).results[0];
        eprintln!("{mode}: {:?}", second.counts);
        assert_eq!(second.counts.errors, 3, "{mode}: each damaged entry read is one error");
        assert_eq!(second.counts.corrupt, 0, "{mode}: the file strategy caught the damage itself");
        assert!(second.hit_ratio > 0.9, "{mode}: the rest was served warm: {}", second.hit_ratio);
    }
}

#[test]
fn damage_found_at_open_and_in_the_warm_up_is_reported_apart_from_measured_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache");
    let text = format!(
        "name = \"damaged\"\n[workload]\nkind = \"uniform\"\nkeys = 20\nrequests = 2000\nwarmup = 0.5\nvalue_size = {{ dist = \"fixed\", size = 256 }}\n[[strategy]]\nname = \"file\"\nkind = \"file\"\ndir = \"{}\"\ncapacity = \"1MiB\"\n",
        dir.display()
    );
    let s = scenario(&text);
    let run = || logical::run(&s.plan(), &ProgressBar::hidden(), true).unwrap();
    run();
    let files = entry_files(&dir);
    // Two entries cut short (found when the cache opens: their length is wrong) and three
    // with a flipped body byte (found when first read, in the warm-up: every key is read in
    // its 1000 requests).
    for path in &files[..2] {
        let data = std::fs::read(path).unwrap();
        std::fs::write(path, &data[..data.len() - 10]).unwrap();
    }
    damage_files(&files[2..5]);
    let second = run();
    let r = &second.results[0];
    assert_eq!((r.damaged_at_open, r.damaged_in_warmup), (2, 3), "{r:?}");
    assert_eq!(r.counts.errors, 0, "damage before the measured part is no measured error");
    let json = serde_json::to_value(&second).unwrap();
    assert_eq!(
        (json["results"][0]["damaged_at_open"].as_u64(), json["results"][0]["damaged_in_warmup"].as_u64()),
        (Some(2), Some(3))
    );
    let warnings = cachelab::report::render(&second).unwrap().warnings;
    assert!(
        warnings.iter().any(|w| w
            .contains("2 stored entries were found damaged when the cache opened and 3 during the warm-up")),
        "{warnings:?}"
    );
}
