//! `cachelab compare`: a different policy is flagged (exact simulation counts), a re-run with
//! the same policy is not, and runs of different workloads are refused unless forced.

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
