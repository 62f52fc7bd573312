//! The same scenario and seed give identical results twice; another seed gives other counts.

use std::path::Path;

use assert_cmd::Command;

const SCENARIO: &str = r#"
name = "det"
seed = 1
[workload]
kind = "scrambled_zipf"
keys = 5000
requests = 40000
write_ratio = 0.05
ttl = "2s"
value_size = { dist = "uniform", min = 100, max = "8KiB" }
[[strategy]]
name = "lru"
kind = "lru"
capacity = [100, "1MiB"]
[[strategy]]
name = "moka"
kind = "moka"
capacity = 500
"#;

/// Runs the scenario with `seed` and returns results.json without the fields that describe
/// when and where it ran.
fn run(dir: &Path, seed: u64) -> serde_json::Value {
    let scenario = dir.join("det.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.join(format!("out-{seed}-{}", rand_suffix()));
    Command::cargo_bin("cachelab")
        .unwrap()
        .args(["run", "--quiet", "--seed", &seed.to_string(), scenario.to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("det/results.json")).unwrap()).unwrap();
    let obj = json.as_object_mut().unwrap();
    for volatile in ["started_at", "duration_s", "environment"] {
        obj.remove(volatile);
    }
    for r in obj["results"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("elapsed_s");
    }
    json
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

#[test]
fn same_seed_same_results_other_seed_other_counts() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), 1);
    let b = run(dir.path(), 1);
    assert_eq!(a, b, "two runs with seed 1 differ");
    let c = run(dir.path(), 2);
    let hits = |j: &serde_json::Value| -> Vec<u64> {
        j["results"].as_array().unwrap().iter().map(|r| r["hits"].as_u64().unwrap()).collect()
    };
    assert_ne!(hits(&a), hits(&c), "seed 2 gave the same hit counts as seed 1");
    assert!(hits(&a).iter().all(|&h| h > 0));
}
