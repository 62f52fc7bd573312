//! `examples/*/run.sh` end to end, as from a fresh clone: each script runs from a copy of the
//! checkout's `examples/` and `scenarios/` (nothing else: no venv, no target dir) with the
//! built binary (`CACHELAB`), the venv `.ci/run` built (`CACHELAB_STACK_PYTHON`, so nothing is
//! installed twice) and a short workload (`CACHELAB_EXAMPLE_REQUESTS`). It must exit 0 with a
//! results.json where every strategy answered verified bodies with a hit ratio above zero, and
//! leave no server running: none in the script's process group, none whose command line names
//! the copy or the script's temporary directory.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::stack;

/// Requests of each shortened run: a few seconds per strategy, enough repeats for hits.
const REQUESTS: u32 = 3000;
/// Longest a script may take, servers' start and stop included.
const LIMIT: Duration = Duration::from_secs(180);

/// Copies the directory `from` to `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Processes other than this test's own that belong to process group `group` or whose
/// command line names `dir`: (pid, command line).
fn left_behind(group: u32, dir: &Path) -> Vec<(u32, String)> {
    let dir = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let (Ok(stat), Ok(cmdline)) =
            (std::fs::read_to_string(entry.path().join("stat")), std::fs::read(entry.path().join("cmdline")))
        else {
            continue;
        };
        // stat: "pid (comm) state ppid pgrp ...": the fields after the last ')'.
        let after = &stat[stat.rfind(')').map_or(0, |i| i + 1)..];
        let pgrp: Option<u32> = after.split_whitespace().nth(2).and_then(|f| f.parse().ok());
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let zombie = after.split_whitespace().next() == Some("Z");
        if !zombie && (pgrp == Some(group) || cmdline.contains(&dir)) {
            found.push((pid, cmdline.trim().to_string()));
        }
    }
    found
}

/// Runs `examples/<name>/run.sh` from a fresh copy; the results.json of the scenario it runs
/// (named `scenario`).
fn run_example(name: &str, scenario: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("clone");
    for part in ["examples", "scenarios"] {
        copy_dir(&stack::repo().join(part), &clone.join(part));
    }
    let (tmp, out) = (dir.path().join("tmp"), dir.path().join("out"));
    std::fs::create_dir_all(&tmp).unwrap();
    let started = Instant::now();
    let mut child = Command::new("bash")
        .arg(clone.join("examples").join(name).join("run.sh"))
        .arg("--quiet")
        .arg("--out")
        .arg(&out)
        .env("CACHELAB", assert_cmd::cargo::cargo_bin!("cachelab"))
        .env("CACHELAB_STACK_PYTHON", stack::stack_python())
        .env("CACHELAB_EXAMPLE_REQUESTS", REQUESTS.to_string())
        .env("TMPDIR", &tmp)
        .current_dir(dir.path())
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let group = child.id();
    let stop_group = || {
        let _ =
            Command::new("kill").args(["-KILL", "--", &format!("-{group}")]).stderr(Stdio::null()).status();
    };
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            stop_group();
            panic!("examples/{name}/run.sh still running after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().unwrap();
    eprintln!("examples/{name}/run.sh: {status} after {:.1} s", started.elapsed().as_secs_f64());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let leftovers = left_behind(group, dir.path());
    stop_group();
    assert!(leftovers.is_empty(), "examples/{name}/run.sh left servers running: {leftovers:?}");
    assert!(status.success(), "examples/{name}/run.sh: {status}\n{stdout}\n{stderr}");
    let results = out.join(scenario).join("results.json");
    let text = std::fs::read_to_string(&results)
        .unwrap_or_else(|e| panic!("{}: {e}\n{stdout}\n{stderr}", results.display()));
    serde_json::from_str(&text).unwrap()
}

/// Checks that every strategy of `results` (named as `expected` lists them) answered every
/// measured request with a verified body and hit at least once; returns (name, hit ratio).
fn every_strategy_hits(results: &serde_json::Value, expected: &[&str]) -> Vec<(String, f64)> {
    let rows = results["results"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["strategy"].as_str().unwrap()).collect();
    assert_eq!(names, expected, "one row per strategy");
    rows.iter()
        .map(|r| {
            let requests = r["requests"].as_u64().unwrap();
            assert!(requests > 0, "{r}");
            assert_eq!((r["errors"].as_u64(), r["corrupt"].as_u64()), (Some(0), Some(0)), "{r}");
            let ratio = r["hit_ratio"].as_f64().unwrap();
            assert!(ratio > 0.0, "no hits in {requests} requests: {r}");
            (r["strategy"].as_str().unwrap().to_string(), ratio)
        })
        .collect()
}

/// Runs `examples/<name>/run.sh`, which runs the scenario at `scenario` (relative to the
/// repository), and checks its results.
fn example(name: &str, scenario: &str) {
    let text = std::fs::read_to_string(stack::repo().join(scenario)).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let expected: Vec<&str> =
        table["strategy"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    let results = run_example(name, table["name"].as_str().unwrap());
    let ratios = every_strategy_hits(&results, &expected);
    eprintln!("examples/{name}: hit ratios {ratios:?}");
}

#[test]
fn the_nginx_example_runs_end_to_end() {
    example("nginx", "examples/nginx/scenario.toml");
}

#[test]
fn the_varnish_example_runs_end_to_end() {
    example("varnish", "examples/varnish/scenario.toml");
}

#[test]
fn the_aiohttp_cache_example_runs_end_to_end() {
    example("aiohttp-cache", "examples/aiohttp-cache/scenario.toml");
}

#[test]
fn the_your_stack_example_runs_end_to_end() {
    example("your-stack", "scenarios/your-stack.toml");
}
