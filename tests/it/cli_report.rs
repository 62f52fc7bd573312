//! `cachelab report` and the report folder `cachelab run` writes, through the real binary.

use crate::support::png_check;

use std::path::Path;

use assert_cmd::Command;
use cachelab::commands::report::read_results;
use cachelab::report::charts::{HEIGHT, WIDTH};
use cachelab::report::style::Palette;
use plotters::style::RGBColor;
use png_check::Image;
use predicates::prelude::*;

const FIXTURE: &str = "tests/data/report/load-results.json";

fn cachelab() -> Command {
    Command::cargo_bin("cachelab").unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn report_renders_a_results_file_into_a_folder() {
    let out = tempfile::tempdir().unwrap();
    cachelab()
        .args(["report", FIXTURE, "--out"])
        .arg(out.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("(10 charts)").and(predicate::str::contains("Pick disk @ 1GiB")));
    let files = names(out.path());
    for stem in ["hit-ratio", "throughput", "miss-ratio-curve-bytes", "latency-hits", "latency-misses"] {
        assert!(
            files.contains(&format!("{stem}.png")) && files.contains(&format!("{stem}.svg")),
            "{files:?}"
        );
    }
    assert_eq!(files.len(), 10 * 2 + 4, "{files:?}");
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(html.contains("<h2>Recommendation</h2>") && html.contains("web-three-way"));
    let csv = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 13, "header and 12 results");
    assert!(std::fs::read_to_string(out.path().join("summary.md")).unwrap().starts_with("| strategy |"));
}

#[test]
fn report_defaults_to_the_folder_of_results_json() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.json");
    std::fs::copy(FIXTURE, &results).unwrap();
    cachelab().arg("report").arg(&results).assert().success();
    assert!(dir.path().join("index.html").is_file());
    assert!(dir.path().join("latency-end-to-end.svg").is_file());
}

#[test]
fn unusable_results_files_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    cachelab()
        .args(["report", "no/such/results.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/results.json: cannot read"));
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"schema_version\": 1, \"name\": ").unwrap();
    cachelab()
        .arg("report")
        .arg(&broken)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("broken.json: not a usable cachelab results.json"));
    let future = dir.path().join("future.json");
    std::fs::write(&future, "{\"schema_version\": 99}").unwrap();
    cachelab()
        .arg("report")
        .arg(&future)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("schema version 99"));
}

const SCENARIO: &str = r#"
name = "tiny"
seed = 7
[workload]
kind = "zipf"
keys = 2000
alpha = 0.9
requests = 20000
warmup = 0.1
[[strategy]]
name = "lru"
kind = "lru"
capacity = [50, 200, 800]
[[strategy]]
name = "base"
kind = "none"
[objectives]
min_hit_ratio = 0.5
"#;

#[test]
fn run_writes_the_report_beside_results_and_exports_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("tiny.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.path().join("out");
    let md = dir.path().join("exports/summary.md");
    let json = dir.path().join("exports/results.json");
    let assert = cachelab()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--export-csv", "-", "--export-markdown"])
        .arg(&md)
        .arg("--export-json")
        .arg(&json)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(stdout.starts_with("strategy,kind,capacity,"), "stdout is the CSV alone: {stdout}");
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    assert!(std::fs::read_to_string(&md).unwrap().contains("| lru | lru | 800 |"));
    assert!(std::fs::read_to_string(&json).unwrap().contains("\"schema_version\""));

    let folder = out.join("tiny");
    let files = names(&folder);
    for f in [
        "index.html",
        "summary.csv",
        "summary.md",
        "results.json",
        "hit-ratio.png",
        "miss-ratio-curve-objects.svg",
    ] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
    assert!(!files.iter().any(|f| f.starts_with("latency")), "a simulation draws no latency: {files:?}");
    let html = std::fs::read_to_string(folder.join("index.html")).unwrap();
    assert!(
        html.contains("Not drawn") && html.contains("Pick lru @ 800 objects"),
        "objectives drive the pick"
    );

    // Re-rendering from results.json alone reproduces the same report.
    let again = dir.path().join("again");
    cachelab().arg("report").arg(folder.join("results.json")).arg("--out").arg(&again).assert().success();
    for f in ["index.html", "summary.csv", "summary.md", "hit-ratio.png", "miss-ratio-curve-objects.svg"] {
        assert_eq!(
            std::fs::read(folder.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn simulate_writes_a_trace_report_with_belady_as_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("z.oracleGeneral.bin");
    cachelab()
        .args([
            "trace",
            "gen",
            "zipf",
            "--alpha",
            "0.9",
            "--keys",
            "3000",
            "--requests",
            "30000",
            "--seed",
            "3",
        ])
        .arg("--out")
        .arg(&trace)
        .assert()
        .success();
    let report = dir.path().join("report");
    let assert = cachelab()
        .args(["simulate", "--trace"])
        .arg(&trace)
        .args(["--policy", "lru,fifo", "--mrc", "--export-csv", "-", "--report"])
        .arg(&report)
        .assert()
        .success()
        .stderr(predicate::str::contains("report:"));
    let csv = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 20, "lru, fifo and the added belady at 20 sizes: {csv}");
    assert!(csv.lines().skip(1).all(|l| l.split(',').nth(4) == Some("objects")), "{csv}");
    let files = names(&report);
    for f in ["index.html", "results.json", "summary.csv", "summary.md", "popularity.png", "popularity.svg"] {
        assert!(files.contains(&f.to_string()), "{f} missing from {files:?}");
    }
    assert!(files.contains(&"miss-ratio-curve-objects.png".to_string()), "{files:?}");
    let mrc = std::fs::read_to_string(report.join("miss-ratio-curve-objects.svg")).unwrap();
    assert!(mrc.contains("belady (optimal bound)") && mrc.lines().any(|l| l.trim() == "lru"), "legend");
    for png in ["popularity.png", "miss-ratio-curve-objects.png"] {
        let image = Image::decode(&std::fs::read(report.join(png)).unwrap());
        assert_eq!((image.width, image.height), (WIDTH, HEIGHT), "{png}");
        assert!(image.colours() >= 20 && image.inked() * 50 > image.pixels.len(), "{png} is blank");
    }
    let results = read_results(&report.join("results.json")).unwrap();
    let lru = results.results.iter().find(|r| r.strategy == "lru").unwrap();
    let RGBColor(red, green, blue) = Palette::new(&results).strategy_colour(lru);
    let curve = Image::decode(&std::fs::read(report.join("miss-ratio-curve-objects.png")).unwrap());
    assert!(curve.count([red, green, blue]) >= 1000, "lru's miss-ratio curve is drawn, not only its legend");
    let popularity = std::fs::read_to_string(report.join("popularity.svg")).unwrap();
    assert!(popularity.contains("Zipf fit, α = 0.9"), "fitted alpha of a Zipf 0.9 trace");
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        html.contains("<h2>Trace</h2>") && html.contains("One-hit wonders"),
        "trace statistics on the page"
    );

    let again = dir.path().join("again");
    cachelab().arg("report").arg(report.join("results.json")).arg("--out").arg(&again).assert().success();
    assert_eq!(
        std::fs::read(report.join("index.html")).unwrap(),
        std::fs::read(again.join("index.html")).unwrap()
    );
}

#[test]
fn simulate_exports_json_and_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("z.csv");
    cachelab()
        .args(["trace", "gen", "zipf", "--keys", "500", "--requests", "5000", "--seed", "9", "--out"])
        .arg(&trace)
        .assert()
        .success();
    let md = dir.path().join("sim.md");
    let assert = cachelab()
        .args(["simulate", "--trace"])
        .arg(&trace)
        .args(["--policy", "lru,sieve", "--size", "50,100", "--export-json", "-", "--export-markdown"])
        .arg(&md)
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is the JSON export alone");
    let rows = json["results"].as_array().expect("results");
    assert_eq!(rows.len(), 4, "two policies at two sizes: {json}");
    assert!(rows.iter().all(|r| r["requests"] == 5000), "{json}");
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.lines().next().unwrap().starts_with("| strategy |"), "{markdown}");
    assert_eq!(markdown.lines().filter(|l| l.starts_with("| lru ") || l.starts_with("| sieve ")).count(), 4);
}

#[test]
fn two_documents_on_stdout_are_refused_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("tiny.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    cachelab()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(["--json", "--export-csv", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--json and --export-csv - both write to stdout"));
    assert!(!dir.path().join("out").exists(), "nothing ran");
    cachelab()
        .args(["simulate", "--trace", "missing.csv", "--policy", "lru", "--size", "5"])
        .args(["--export-csv", "-", "--export-markdown", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--export-csv -, --export-markdown - all write to stdout"));
}
