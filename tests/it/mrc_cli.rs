//! `cachelab mrc` against separate simulations: the exact LRU curve equals `simulate` at 20
//! sizes on every real trace of tests/data (objects and bytes), and the sampled curves
//! (SHARDS at rate 0.01, miniature simulations at rate 0.01) stay within measured error bounds
//! of the exact curves on a generated 1 M-request Zipf trace and on the real traces.

use assert_cmd::Command;
use serde_json::Value;

/// The real traces of tests/data (see its README); the last two change objects' sizes
/// between requests.
const REAL: [&str; 6] = [
    "tests/data/cloudPhysicsIO.oracleGeneral.bin.zst",
    "tests/data/cache2k_web12.oracleGeneral.bin.zst",
    "tests/data/lirs_sprite.oracleGeneral.bin.zst",
    "tests/data/lirs_2_pools.oracleGeneral.bin.zst",
    "tests/data/adaptsize_request.oracleGeneral.bin.zst",
    "tests/data/cloudPhysicsIO_vscsi.oracleGeneral.bin.zst",
];

fn cachelab(args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("cachelab")
        .expect("binary built")
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).expect("JSON").as_array().expect("an array").clone()
}

fn footprint(trace: &str, bytes: bool) -> u64 {
    let out =
        Command::cargo_bin("cachelab").unwrap().args(["trace", "stats", trace, "--json"]).output().unwrap();
    assert!(out.status.success());
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    stats[if bytes { "footprint_bytes" } else { "footprint_objects" }].as_u64().unwrap()
}

/// 20 sizes from 0.1% of the footprint to all of it, geometrically.
fn sizes(footprint: u64) -> String {
    cachelab::mrc::log_sizes(footprint, 20).iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// `(cache_size, miss_ratio)` of the rows of `policy`.
fn curve(rows: &[Value], policy: &str) -> Vec<(u64, f64)> {
    rows.iter()
        .filter(|r| r["policy"] == policy)
        .map(|r| (r["cache_size"].as_u64().unwrap(), r["miss_ratio"].as_f64().unwrap()))
        .collect()
}

#[test]
fn exact_lru_equals_separate_simulations_at_20_sizes() {
    for (i, trace) in REAL.into_iter().enumerate() {
        // Byte counts are identical when every object keeps one size (see src/mrc/exact.rs).
        for bytes in [false, true].into_iter().filter(|&b| !b || i < 4) {
            let sizes = sizes(footprint(trace, bytes));
            let mut args = vec!["--trace", trace, "--policy", "lru", "--size", &sizes];
            if bytes {
                args.push("--bytes");
            }
            let simulated = cachelab(&[&["simulate"][..], &args].concat());
            let drawn = cachelab(&[&["mrc", "--method", "exact"][..], &args].concat());
            assert_eq!(simulated.len(), drawn.len(), "{trace}");
            for (s, d) in simulated.iter().zip(&drawn) {
                assert_eq!(s["cache_size"], d["cache_size"], "{trace}");
                assert_eq!(d["method"], "exact");
                assert_eq!(s["misses"], d["misses"], "{trace} bytes={bytes} size {}", s["cache_size"]);
                assert_eq!(
                    s["miss_ratio"], d["miss_ratio"],
                    "{trace} bytes={bytes} size {}",
                    s["cache_size"]
                );
            }
        }
    }
}

/// Mean and largest absolute difference between two curves at the same sizes, over the sizes
/// a sample at rate 0.01 resolves (at least `RESOLUTION / 0.01` objects; `mrc` warns below).
fn errors(estimate: &[(u64, f64)], exact: &[(u64, f64)]) -> (f64, f64) {
    assert_eq!(estimate.len(), exact.len());
    let floor = cachelab::mrc::RESOLUTION / 0.01;
    let diffs: Vec<f64> = estimate
        .iter()
        .zip(exact)
        .filter(|(e, _)| e.0 as f64 >= floor)
        .map(|(e, x)| {
            assert_eq!(e.0, x.0);
            (e.1 - x.1).abs()
        })
        .collect();
    assert!(diffs.len() >= 5, "too few sizes above the resolution");
    (diffs.iter().sum::<f64>() / diffs.len() as f64, diffs.iter().fold(0.0, |a: f64, &b| a.max(b)))
}

/// SHARDS and minisim at rate 0.01 against the exact curves (LRU from `mrc --method exact`,
/// the other policies from `simulate`) of `trace`, at 20 sizes from 0.1% of the footprint.
fn sampled_errors(trace: &str, policies: &str) -> Vec<(String, f64, f64)> {
    let sizes = sizes(footprint(trace, false));
    let common = ["--trace", trace, "--size", &sizes];
    let exact_lru = cachelab(&[&["mrc", "--policy", "lru", "--method", "exact"][..], &common].concat());
    let exact_all = cachelab(&[&["simulate", "--policy", policies][..], &common].concat());
    let shards = cachelab(
        &[&["mrc", "--policy", "lru", "--method", "shards", "--rate", "0.01"][..], &common].concat(),
    );
    let mini = cachelab(
        &[&["mrc", "--policy", policies, "--method", "minisim", "--rate", "0.01"][..], &common].concat(),
    );
    assert!(shards.iter().chain(&mini).all(|r| r["sample_rate"].as_f64() == Some(0.01)));
    let mut out = vec![{
        let (mean, max) = errors(&curve(&shards, "lru"), &curve(&exact_lru, "lru"));
        ("shards lru".to_string(), mean, max)
    }];
    for policy in policies.split(',') {
        let (mean, max) = errors(&curve(&mini, policy), &curve(&exact_all, policy));
        out.push((format!("minisim {policy}"), mean, max));
    }
    out
}

#[test]
fn sampled_curves_are_close_on_a_1m_request_zipf_trace() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("zipf.oracleGeneral.bin");
    let status = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["trace", "gen", "zipf", "--alpha", "0.9", "--keys", "500000", "--requests", "1000000"])
        .arg("--out")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(status.status.success());
    // Measured: SHARDS 0.0086 / 0.0174, minisim LRU 0.0095 / 0.0219, S3-FIFO 0.0092 / 0.0334,
    // SIEVE 0.0093 / 0.0372 (the 20 M-request trace of scripts/speed.sh: SHARDS 0.0049 / 0.015).
    for (what, mean, max) in sampled_errors(trace.to_str().unwrap(), "lru,s3fifo,sieve") {
        eprintln!("zipf 1M, {what}: mean {mean:.4}, max {max:.4}");
        assert!(mean <= 0.015 && max <= 0.05, "{what}: mean {mean:.4}, max {max:.4}");
    }
}

#[test]
fn sampled_curves_are_close_on_real_traces() {
    // The real traces are small (under 50 k objects: a sample of a few hundred keys), so the
    // bounds are wide; measured: cloudPhysicsIO 0.036 / 0.062, cache2k web12 0.006 / 0.020.
    for trace in &REAL[..2] {
        for (what, mean, max) in sampled_errors(trace, "lru,s3fifo") {
            eprintln!("{trace}, {what}: mean {mean:.4}, max {max:.4}");
            assert!(mean <= 0.06 && max <= 0.1, "{trace} {what}: mean {mean:.4}, max {max:.4}");
        }
    }
}

/// `mrc --report DIR`: the report's miss-ratio chart draws the one-pass curves, each labelled
/// with its method and rate, from a results.json that `cachelab report` re-renders alike.
#[test]
fn mrc_report_draws_the_curves() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let out = Command::cargo_bin("cachelab")
        .unwrap()
        .args(["mrc", "--trace", REAL[1], "--policy", "lru,sieve", "--method", "minisim", "--points", "30"])
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("results.json")).unwrap()).unwrap();
    let curves = results["curves"].as_array().unwrap();
    assert_eq!(curves.len(), 2);
    assert!(
        curves.iter().all(|c| c["method"] == "minisim 1%" && c["points"].as_array().unwrap().len() >= 20)
    );
    assert!(results["trace"]["requests"].as_u64().unwrap() > 0);
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(page.contains("From the miss-ratio curves"), "the page picks from the curves");
    let rec: Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("recommendation.json")).unwrap()).unwrap();
    assert!(["lru", "sieve"].contains(&rec["pick"]["strategy"].as_str().unwrap()), "{rec}");
    let svg =
        std::fs::read_to_string(report.join("miss-ratio-curve-objects.svg")).expect("a miss-ratio chart");
    assert!(
        svg.contains("lru (minisim 1%)") && svg.contains("sieve (minisim 1%)"),
        "both curves in the legend"
    );
    assert!(svg.matches("<polyline").count() >= 2, "both curves drawn");
}
