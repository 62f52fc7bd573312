//! The tiered strategy: an in-memory L1 in front of a file L2 on a real filesystem.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use cachelab::model::{Capacity, NEVER};
use cachelab::origin;
use cachelab::policy::{Lru, PolicyKind, PolicyParams};
use cachelab::strategy::{CacheStrategy, FileCache, FileConfig, Hint, Lookup, Simulated, Tiered};

fn hint() -> Hint {
    Hint { size: 100, now: Duration::ZERO, ttl: None, next_access: NEVER }
}

async fn file_l2(dir: &Path) -> FileCache {
    let config = FileConfig {
        dir: dir.to_path_buf(),
        policy: PolicyKind::Lru,
        params: PolicyParams::default(),
        fsync: false,
        cold_start: false,
        allow_foreign: false,
    };
    FileCache::open("l2", config, Capacity::bytes(1 << 20)).await.unwrap()
}

/// L1 holds two objects (exact LRU), L2 a megabyte of files.
async fn tiered(dir: &Path) -> Tiered {
    let l1 = Simulated::new("l1", Lru::new(Capacity::objects(2)));
    Tiered::new("tiered", Box::new(l1), Box::new(file_l2(dir).await))
}

/// The tier that served `key`, None on a miss; the body is verified.
async fn served_by(cache: &dyn CacheStrategy, key: u64) -> Option<u8> {
    match cache.get(key, hint()).await.unwrap() {
        Lookup::Hit { value, tier } => {
            assert!(origin::verify(key, 100, &value), "key {key}: wrong body from tier {tier}");
            Some(tier)
        }
        Lookup::Miss => None,
    }
}

#[tokio::test]
async fn reads_say_which_tier_served_them_and_l2_hits_are_promoted() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tiered(tmp.path()).await;
    for k in 1..=3 {
        cache.put(k, origin::body(k, 100), hint()).await.unwrap();
    }
    assert_eq!(served_by(&cache, 3).await, Some(0), "recent: in L1");
    assert_eq!(served_by(&cache, 1).await, Some(1), "pushed out of L1, still in L2");
    assert_eq!(served_by(&cache, 1).await, Some(0), "promoted into L1 by the L2 hit");
    assert_eq!(served_by(&cache, 4).await, None);
    let [l1, l2] = cache.tier_usage().await.unwrap();
    assert_eq!((l1.entries, l2.entries), (2, 3));
}

#[tokio::test]
async fn writes_go_through_to_l2_which_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let cache = tiered(tmp.path()).await;
        for k in 0..50 {
            cache.put(k, origin::body(k, 100), hint()).await.unwrap();
        }
        let [l1, l2] = cache.tier_usage().await.unwrap();
        assert_eq!((l1.entries, l2.entries), (2, 50), "every write reached L2");
        cache.shutdown().await.unwrap();
    }
    let cache = tiered(tmp.path()).await;
    for k in 0..50 {
        assert_eq!(served_by(&cache, k).await, Some(1), "key {k} from the persisted L2");
    }
}

#[test]
fn cachelab_runs_a_tiered_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("tiered.toml");
    let l2_dir = tmp.path().join("l2");
    std::fs::write(
        &scenario,
        format!(
            r#"
name = "tiered"
[workload]
keys = 1000
requests = 5000
value_size = {{ dist = "fixed", size = 512 }}
[[strategy]]
name = "moka+file"
kind = "tiered"
l1 = {{ kind = "moka", capacity = 100 }}
l2 = {{ kind = "file", dir = "{}", capacity = "256KiB" }}
"#,
            l2_dir.display()
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["run", "--quiet", "--json", "--out"])
        .arg(tmp.path())
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &json["results"][0];
    assert_eq!(r["kind"], "tiered");
    assert_eq!(r["errors"], 0, "{r}");
    assert_eq!(r["corrupt"], 0, "{r}");
    assert!(r["hit_ratio"].as_f64().unwrap() > 0.3, "{r}");
    assert!(std::fs::read_dir(&l2_dir).unwrap().count() > 0, "L2 wrote files");
}

#[test]
fn per_tier_hits_add_up_in_simulation_and_under_load() {
    let tmp = tempfile::tempdir().unwrap();
    for mode in ["simulation", "load"] {
        let load = if mode == "load" {
            "[origin]\nlatency = { dist = \"fixed\", ms = 0 }\n[load]\nconcurrency = 2\n"
        } else {
            ""
        };
        let text = format!(
            r#"name = "tiers"
[workload]
keys = 400
requests = 6000
warmup = 0.1
value_size = {{ dist = "fixed", size = 256 }}
{load}
[[strategy]]
name = "lru+file"
kind = "tiered"
l1 = {{ kind = "lru", capacity = 20 }}
l2 = {{ kind = "file", dir = "{}", cold_start = true, capacity = "1MiB" }}
[[strategy]]
name = "lru"
kind = "lru"
capacity = 20
"#,
            tmp.path().join(mode).display()
        );
        let s = cachelab::scenario::Scenario::parse(&text, Path::new("tiers.toml")).unwrap();
        let hidden = indicatif::ProgressBar::hidden();
        let result = match mode {
            "simulation" => cachelab::runner::logical::run(&s.plan(), &hidden, true).unwrap(),
            _ => cachelab::runner::load::run(&s.plan(), &hidden, true).unwrap(),
        };
        let (tiered, alone) = (&result.results[0], &result.results[1]);
        eprintln!("{mode}: {:?} of {} hits", tiered.tiers, tiered.counts.hits);
        let names: Vec<&str> = tiered.tiers.iter().map(|t| t.tier.as_str()).collect();
        assert_eq!(names, ["l1", "l2"], "{mode}");
        let (l1, l2) = (&tiered.tiers[0], &tiered.tiers[1]);
        assert_eq!(l1.hits + l2.hits, tiered.counts.hits, "{mode}: every hit came from one tier");
        assert!(l1.hits > 0 && l2.hits > 0, "{mode}: both tiers serve");
        let reads = (tiered.counts.hits + tiered.counts.misses) as f64;
        assert!((l1.hit_ratio - l1.hits as f64 / reads).abs() < 1e-9, "{mode}");
        assert!((l1.hit_ratio + l2.hit_ratio - tiered.hit_ratio).abs() < 1e-9, "{mode}");
        // L1 sees every read and every fill, as a lone 20-object LRU does.
        if mode == "simulation" {
            assert_eq!(l1.hits, alone.counts.hits, "the L1 of 20 objects hits as a lone LRU of 20");
        } else {
            assert!(
                (l1.hit_ratio - alone.hit_ratio).abs() < 0.03,
                "{mode}: L1 {l1:?} vs lone LRU {}",
                alone.hit_ratio
            );
        }
        assert!(alone.tiers.is_empty(), "{mode}: a single-tier strategy lists no tiers");
    }
}
