//! A sweep split into 3 shards run as separate processes, joined by `cachelab merge`, equals
//! the single-process run cell for cell; files of other sweeps or with a shard missing are
//! refused.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const TRACE: &str = "tests/data/cloudPhysicsIO.oracleGeneral.bin.zst";

fn simulate(out: &Path, policies: &str, extra: &[&str]) {
    let status = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["simulate", "--trace", TRACE, "--policy", policies, "--size", "100,1%,500,5%,3000,20%,50%"])
        .args(extra)
        .arg("--export-json")
        .arg(out)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn merge(files: &[PathBuf], out: &Path) -> std::process::Output {
    Command::cargo_bin("cachelab").unwrap().arg("merge").args(files).arg("--out").arg(out).output().unwrap()
}

#[test]
fn three_shards_merge_into_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let policies = "lru,fifo,s3fifo,sieve";
    let single = dir.path().join("single.json");
    simulate(&single, policies, &[]);
    let children: Vec<_> = (0..3)
        .map(|i| {
            let out = dir.path().join(format!("shard{i}.json"));
            let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("cachelab"))
                .args([
                    "simulate",
                    "--trace",
                    TRACE,
                    "--policy",
                    policies,
                    "--size",
                    "100,1%,500,5%,3000,20%,50%",
                ])
                .args(["--shard", &format!("{i}/3"), "--export-json"])
                .arg(&out)
                .spawn()
                .unwrap();
            (child, out)
        })
        .collect();
    let mut shards = Vec::new();
    for (mut child, out) in children {
        assert!(child.wait().unwrap().success());
        shards.push(out);
    }
    let sizes: Vec<usize> = shards.iter().map(|s| read(s)["results"].as_array().unwrap().len()).collect();
    assert_eq!(sizes, vec![10, 9, 9]);
    let merged = dir.path().join("all.json");
    let out = merge(&[shards[2].clone(), shards[0].clone(), shards[1].clone()], &merged);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (m, s) = (read(&merged), read(&single));
    assert_eq!(m["results"], s["results"]);
    assert_eq!(m["scenario"], s["scenario"]);
    assert_eq!(m["trace"], s["trace"]);

    // A shard missing, given twice, or from another sweep is refused (exit 2).
    for (files, says) in [
        (vec![shards[0].clone(), shards[1].clone()], "shard 2/3 is missing"),
        (vec![shards[0].clone(), shards[0].clone(), shards[1].clone()], "given twice"),
        (vec![shards[0].clone(), single.clone()], "not a shard"),
    ] {
        let out = merge(&files, &dir.path().join("bad.json"));
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let other = dir.path().join("other.json");
    simulate(&other, "lru,fifo", &["--shard", "1/3"]);
    let out = merge(&[shards[0].clone(), other, shards[2].clone()], &dir.path().join("bad.json"));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("other settings"));
    assert!(!dir.path().join("bad.json").exists());
}

/// `mrc --shard I/N`: three processes draw a third of the (policy, size) cells each, exact and
/// sampled; the merge holds every curve at every size, equal to the single run's curves.
#[test]
fn mrc_shards_merge_into_the_single_curves() {
    let dir = tempfile::tempdir().unwrap();
    let mrc = |out: &Path, extra: &[&str]| {
        let run = Command::cargo_bin("cachelab")
            .unwrap()
            .args(["mrc", "--trace", TRACE, "--policy", "lru,s3fifo", "--points", "12", "--rate", "0.1"])
            .args(extra)
            .arg("--export-json")
            .arg(out)
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    };
    let single = dir.path().join("single.json");
    mrc(&single, &[]);
    let shards: Vec<PathBuf> = (0..3)
        .map(|i| {
            let out = dir.path().join(format!("mrc{i}.json"));
            mrc(&out, &["--shard", &format!("{i}/3")]);
            out
        })
        .collect();
    let points = |v: &Value| -> usize {
        v["curves"].as_array().unwrap().iter().map(|c| c["points"].as_array().unwrap().len()).sum()
    };
    let s = read(&single);
    assert_eq!(s["curves"].as_array().unwrap().len(), 2, "{}", s["curves"]);
    assert_eq!(s["curves"][0]["method"], "exact");
    assert_eq!(s["curves"][1]["method"], "minisim 10%");
    let total = points(&s);
    assert!(total >= 20, "{total} points");
    let each: Vec<usize> = shards.iter().map(|f| points(&read(f))).collect();
    assert_eq!(each.iter().sum::<usize>(), total, "{each:?}");
    assert!(each.iter().all(|&n| n >= total / 3), "{each:?}");
    let merged = dir.path().join("all.json");
    let out = merge(&shards, &merged);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = read(&merged);
    assert_eq!(m["curves"], s["curves"]);
    assert_eq!(m["scenario"], s["scenario"]);
}
