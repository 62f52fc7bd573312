//! `cachelab compare`: a different policy is flagged (exact simulation counts, and in load runs
//! beyond the stated noise rule), a re-run with the same policy is not (in load runs, not even
//! with another seed), and runs of different workloads are refused unless forced.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn cachelab() -> Command {
    Command::cargo_bin("cachelab").unwrap()
}

/// Runs `scenario` (text) with `seed` into `dir`/`tag` and returns its results.json.
fn run(dir: &Path, tag: &str, scenario: &str, seed: u64) -> PathBuf {
    let file = dir.join(format!("{tag}.toml"));
    std::fs::write(&file, scenario).unwrap();
    let out = dir.join(tag);
    cachelab()
        .args(["run", "-q", file.to_str().unwrap(), "--seed", &seed.to_string(), "--out"])
        .arg(&out)
        .assert()
        .success();
    out.join("s/results.json")
}

const SIMULATION: &str = "name = \"s\"\n[workload]\nkeys = 2000\nrequests = 20000\n[[strategy]]\nname = \"cache\"\nkind = \"KIND\"\ncapacity = [100, 400]\n";

#[test]
fn a_different_policy_is_flagged_and_the_page_written() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "a", &SIMULATION.replace("KIND", "lru"), 1);
    let b = run(dir.path(), "b", &SIMULATION.replace("KIND", "fifo"), 1);
    let same = run(dir.path(), "c", &SIMULATION.replace("KIND", "lru"), 1);
    let page = dir.path().join("page");
    cachelab()
        .args(["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--report"])
        .arg(&page)
        .assert()
        .success()
        .stdout(predicate::str::contains("lru → fifo").and(predicate::str::contains("2 change(s) beyond")));
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    assert!(
        html.contains("2 changes beyond run-to-run noise") && html.contains("class=\"flagged\""),
        "{html}"
    );
    cachelab().args(["compare", a.to_str().unwrap(), same.to_str().unwrap()]).assert().success().stdout(
        predicate::str::contains("0 change(s) beyond").and(predicate::str::contains("identical counts")),
    );
    // Counts are exact, so any change is flagged, even the few hits another seed moves.
    let reseeded = run(dir.path(), "d", &SIMULATION.replace("KIND", "lru"), 2);
    let table = compare_stdout(&a, &reseeded);
    assert!(table.contains("2 change(s) beyond") && table.contains("(exact counts)"), "{table}");
}

#[test]
fn different_workloads_are_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), "a", &SIMULATION.replace("KIND", "lru"), 1);
    let b = run(dir.path(), "b", &SIMULATION.replace("KIND", "lru").replace("keys = 2000", "keys = 3000"), 1);
    cachelab()
        .args(["compare", a.to_str().unwrap(), b.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("different workloads").and(predicate::str::contains("[workload]")));
    cachelab().args(["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--force"]).assert().success();
}

/// A short load run: each miss pays a 1 ms (median) origin, 8 workers for 2 s per capacity, a
/// time series point every 200 ms (about seven measured intervals).
const LOAD: &str = "name = \"s\"\n[workload]\nkind = \"zipf\"\nkeys = 5000\nalpha = 0.9\nvalue_size = { dist = \"lognormal\", median = \"1KiB\", sigma = 0.8, max = \"16KiB\" }\n[origin]\nlatency = { dist = \"lognormal\", p50_ms = 1, p99_ms = 5 }\n[load]\nmode = \"closed\"\nconcurrency = 8\nduration = \"2s\"\nwarmup = \"500ms\"\ntimeseries_interval = \"200ms\"\n[[strategy]]\nname = \"cache\"\nkind = \"KIND\"\ncapacity = [100, \"256KiB\"]\n";

/// `cachelab compare A B`'s stdout (exit 0 asserted).
fn compare_stdout(a: &Path, b: &Path) -> String {
    let out = cachelab().arg("compare").arg(a).arg(b).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The table line of `label`'s `measure`.
fn line<'a>(table: &'a str, label: &str, measure: &str) -> &'a str {
    table
        .lines()
        .find(|l| l.contains(&format!("{label} ")) && l.contains(&format!(" {measure} ")))
        .unwrap_or_else(|| panic!("no {measure} of {label} in\n{table}"))
}

#[test]
fn a_load_rerun_with_another_seed_is_not_flagged_and_a_different_policy_is() {
    let dir = tempfile::tempdir().unwrap();
    let lru = LOAD.replace("KIND", "lru");
    let a = run(dir.path(), "a", &lru, 1);
    let reseeded = run(dir.path(), "b", &lru, 2);
    let s3fifo = run(dir.path(), "c", &LOAD.replace("KIND", "s3fifo"), 2);

    let table = compare_stdout(&a, &reseeded);
    assert!(table.contains("0 change(s) beyond run-to-run noise. Rule: load runs:"), "{table}");
    for label in ["cache @ 100 objects", "cache @ 256KiB"] {
        for measure in ["hit ratio", "throughput (req/s)"] {
            let judged = line(&table, label, measure);
            assert!(judged.contains("per-interval p10–p90"), "judged on the bands, not skipped: {judged}");
        }
        for measure in ["p50 (ms)", "p90 (ms)"] {
            assert!(line(&table, label, measure).contains(" ms "), "judged on the bands: {table}");
        }
        // About 7,000 requests of 8 workers leave under 10 groups beyond p99: one stall sets it.
        assert!(line(&table, label, "p99.9 (ms)").contains("fewer than 10: not judged"), "{table}");
    }

    let table = compare_stdout(&a, &s3fifo);
    // S3-FIFO keeps about 10 points more of this Zipf 0.9 workload at 100 objects than LRU.
    let hit = line(&table, "cache @ 100 objects", "hit ratio");
    assert!(hit.contains("lru → s3fifo") && hit.contains("┆ * "), "{table}");
    assert!(hit.contains("apart and +") && hit.contains(" reaches the "), "{hit}");
    assert!(!table.contains("0 change(s) beyond"), "{table}");
}
