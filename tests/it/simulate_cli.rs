//! `cachelab simulate` on the real cloudPhysicsIO trace (tests/data, see its README): exact
//! agreement with libCacheSim's reference counts, CSV and oracleGeneral versions giving the
//! same results (Belady included, through the CSV's next-access pre-pass), the JSON schema, miss-ratio curves and footprint percentages.

use assert_cmd::Command;
use cachelab::model::units::ByteSize;
use cachelab::model::{Capacity, NEVER};
use cachelab::policy::{Access, AdmissionSpec, PolicyKind, PolicyParams, build_policy, with_admission};
use serde_json::Value;

const ORACLE: &str = "tests/data/cloudPhysicsIO.oracleGeneral.bin.zst";
const CSV: &str = "tests/data/cloudPhysicsIO.csv.zst";
/// The CSV's columns, and first sizes as libCacheSim's conversion to oracleGeneral kept them
/// (13,671 of its rows change their object's size).
const CSV_COLUMNS: [&str; 7] = ["--time-col", "2", "--id-col", "5", "--size-col", "4", "--first-size"];
/// Distinct objects and their bytes (first size of each), from libCacheSim's trace stats.
const FOOTPRINT_OBJECTS: u64 = 48_974;
const FOOTPRINT_BYTES: u64 = 2_029_769_728;

/// Runs `cachelab simulate ... --json` and returns its rows.
fn simulate(args: &[&str]) -> Vec<Value> {
    let out = Command::cargo_bin("cachelab")
        .expect("binary built")
        .arg("simulate")
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).expect("JSON").as_array().expect("an array").clone()
}

fn u(v: &Value) -> u64 {
    v.as_u64().expect("an unsigned integer")
}

/// Reference rows (policy, cache size) -> (requests, misses, bytes requested, bytes missed).
fn reference(unit: &str, policy: &str, size: u64) -> (u64, u64, u64, u64) {
    include_str!("../data/reference_miss_ratios.csv")
        .lines()
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| {
            f[0] == "cloudPhysicsIO.oracleGeneral.bin"
                && f[1] == unit
                && f[2] == policy
                && f[3] == size.to_string()
        })
        .map(|f| (f[4].parse().unwrap(), f[5].parse().unwrap(), f[7].parse().unwrap(), f[8].parse().unwrap()))
        .unwrap_or_else(|| panic!("no reference row for {unit} {policy} {size}"))
}

#[test]
fn lru_and_fifo_byte_mode_match_libcachesim_exactly() {
    let rows =
        simulate(&["--trace", ORACLE, "--policy", "lru,fifo", "--size", "134217728,512MiB", "--bytes"]);
    assert_eq!(rows.len(), 4);
    for (row, (policy, reference_name, size)) in rows.iter().zip([
        ("lru", "LRU", 134_217_728u64),
        ("lru", "LRU", 536_870_912),
        ("fifo", "FIFO", 134_217_728),
        ("fifo", "FIFO", 536_870_912),
    ]) {
        let (requests, misses, bytes, bytes_missed) = reference("bytes", reference_name, size);
        assert_eq!((row["policy"].as_str(), u(&row["cache_size"])), (Some(policy), size));
        assert_eq!((u(&row["requests"]), u(&row["misses"])), (requests, misses), "{row}");
        assert_eq!(u(&row["hits"]), requests - misses);
        let byte_miss_ratio = bytes_missed as f64 / bytes as f64;
        assert!((row["byte_miss_ratio"].as_f64().unwrap() - byte_miss_ratio).abs() < 1e-12, "{row}");
        assert!((row["miss_ratio"].as_f64().unwrap() - misses as f64 / requests as f64).abs() < 1e-12);
    }
}

#[test]
fn csv_and_oracle_general_versions_give_identical_rows() {
    // Belady reads next-access times: oracleGeneral carries them, the CSV gets a pre-pass.
    let policies = "lru,fifo,belady";
    for mode in [&["--bytes", "--size", "128MiB,536870912"][..], &["--size", "1000,10000"][..]] {
        let oracle = simulate(&[&["--trace", ORACLE, "--policy", policies][..], mode].concat());
        let csv = simulate(&[&["--trace", CSV, "--policy", policies][..], &CSV_COLUMNS[..], mode].concat());
        assert_eq!(oracle, csv, "{mode:?}");
        assert!(oracle.iter().all(|r| u(&r["hits"]) > 0));
    }
    // Without --first-size each row keeps its own size: other byte counts, same requests.
    let own = simulate(
        &[&["--trace", CSV, "--policy", "lru", "--bytes", "--size", "128MiB"][..], &CSV_COLUMNS[..6]]
            .concat(),
    );
    let first = simulate(&["--trace", ORACLE, "--policy", "lru", "--bytes", "--size", "128MiB"]);
    assert_eq!(own[0]["requests"], first[0]["requests"]);
    assert_ne!(own[0]["byte_miss_ratio"], first[0]["byte_miss_ratio"]);
    let csv = simulate(
        &[&["--trace", CSV, "--policy", "belady", "--size", "1000,10000"][..], &CSV_COLUMNS[..]].concat(),
    );
    for (row, size) in csv.iter().zip([1000, 10_000]) {
        let (requests, misses, _, _) = reference("objects", "Belady", size);
        assert_eq!((u(&row["requests"]), u(&row["misses"])), (requests, misses), "{row}");
    }
}

#[test]
fn json_rows_have_exactly_the_documented_fields() {
    let rows = simulate(&["--trace", ORACLE, "--policy", "lru", "--size", "1000"]);
    let keys: Vec<&str> = rows[0].as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "policy",
        "cache_size",
        "requests",
        "reads",
        "hits",
        "misses",
        "writes",
        "deletes",
        "expired",
        "miss_ratio",
        "byte_miss_ratio",
    ];
    expected.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, expected);
    let (requests, misses, _, _) = reference("objects", "LRU", 1000);
    assert_eq!((u(&rows[0]["requests"]), u(&rows[0]["misses"])), (requests, misses));
}

#[test]
fn mrc_gives_twenty_sizes_up_to_the_footprint_with_falling_lru_miss_ratio() {
    let rows = simulate(&["--trace", ORACLE, "--policy", "lru", "--mrc", "--threads", "1"]);
    assert_eq!(rows.len(), 20);
    let sizes: Vec<u64> = rows.iter().map(|r| u(&r["cache_size"])).collect();
    assert!(sizes.windows(2).all(|w| w[0] < w[1]), "{sizes:?}");
    assert_eq!(*sizes.last().unwrap(), FOOTPRINT_OBJECTS);
    // LRU is a stack algorithm: a bigger cache never misses more.
    let misses: Vec<u64> = rows.iter().map(|r| u(&r["misses"])).collect();
    assert!(misses.windows(2).all(|w| w[0] >= w[1]), "{misses:?}");
    // A cache holding the whole footprint misses exactly once per object.
    assert_eq!(*misses.last().unwrap(), FOOTPRINT_OBJECTS);
}

#[test]
fn percentages_resolve_against_the_footprint() {
    let share = simulate(&["--trace", ORACLE, "--policy", "lru", "--size", "10%,100%"]);
    let ten = FOOTPRINT_OBJECTS.div_ceil(10);
    assert_eq!(u(&share[0]["cache_size"]), ten);
    let absolute = simulate(&["--trace", ORACLE, "--policy", "lru", "--size", &ten.to_string()]);
    assert_eq!(share[0], absolute[0]);
    assert_eq!(u(&share[1]["misses"]), FOOTPRINT_OBJECTS);

    let bytes = simulate(
        &["--trace", CSV, "--policy", "lru", "--bytes", "--size", "5%"][..]
            .iter()
            .chain(CSV_COLUMNS.iter())
            .copied()
            .collect::<Vec<_>>(),
    );
    assert_eq!(u(&bytes[0]["cache_size"]), FOOTPRINT_BYTES.div_ceil(20));
}

#[test]
fn admission_filters_stand_in_front_of_every_policy_and_name_the_rows() {
    let plain = simulate(&["--trace", ORACLE, "--policy", "lru,memcached-lru", "--size", "64MiB", "--bytes"]);
    let filtered = simulate(&[
        "--trace",
        ORACLE,
        "--policy",
        "lru,memcached-lru",
        "--size",
        "64MiB",
        "--bytes",
        "--admission",
        "size:max_size=16KiB",
    ]);
    let names: Vec<&str> = filtered.iter().map(|r| r["policy"].as_str().expect("policy")).collect();
    assert_eq!(names, ["lru+size", "memcached-lru+size"]);
    // The same replay in process: each row is its policy behind the filter.
    let trace: Vec<(u64, u32)> = crate::support::oracle_general::records(std::path::Path::new(ORACLE))
        .into_iter()
        .map(|(id, size, _)| (id, size))
        .collect();
    let filter = AdmissionSpec::Size { max_size: ByteSize(16 << 10) };
    for (kind, (p, f)) in
        [PolicyKind::Lru, PolicyKind::Memcached].into_iter().zip(plain.iter().zip(&filtered))
    {
        let mut policy = with_admission(
            build_policy(kind, &PolicyParams::default(), Capacity::bytes(64 << 20)),
            Some(&filter),
        );
        let mut evicted = Vec::new();
        let misses = trace
            .iter()
            .enumerate()
            .filter(|&(tick, &(key, size))| {
                evicted.clear();
                !policy.access(&Access { key, size, tick: tick as u64, next_access: NEVER }, &mut evicted)
            })
            .count() as u64;
        assert_eq!(u(&f["misses"]), misses, "{}", kind.name());
        assert_ne!(u(&f["misses"]), u(&p["misses"]), "{}: the filter changed nothing", kind.name());
    }
    let bad = Command::cargo_bin("cachelab")
        .expect("binary built")
        .args(["simulate", "--trace", ORACLE, "--policy", "lru", "--size", "100", "--admission", "prob:q=1"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("--admission") && err.contains("unknown field `q`"), "{err}");
}
