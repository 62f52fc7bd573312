//! The tiered strategy: an in-memory L1 in front of a file L2 on a real filesystem.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use cachelab::origin;
use cachelab::policy::{Capacity, Lru, NEVER, PolicyKind, PolicyParams};
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
