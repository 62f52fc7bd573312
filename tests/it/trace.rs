//! Trace files: writing and reading back every format, CSV column maps and string ids, every
//! kind of bad input through the real CLI (exit code 2, file and place named), `trace gen`
//! for every generator, and a trace as a scenario workload.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use cachelab::model::NEVER;
use cachelab::model::hash::hash_bytes;
use cachelab::workload::trace::{CsvOptions, TraceRecord, TraceSource, write_trace};
use serde_json::Value;

fn cachelab() -> Command {
    Command::cargo_bin("cachelab").expect("binary built")
}

/// Runs cachelab with `args`, expects success, returns stdout.
fn ok(args: &[&str]) -> String {
    let out = cachelab().args(args).output().expect("runs");
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Runs cachelab with `args`, expects exit code 2 and every one of `needles` in stderr.
fn bad_input(args: &[&str], needles: &[&str]) {
    let out = cachelab().args(args).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{args:?}: `{n}` not in stderr: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A small trace with repeated keys, varying sizes and times.
fn sample() -> Vec<TraceRecord> {
    (0..5000u64)
        .map(|i| {
            let key = (i * 7919) % 613 * 1_000_000_007 + 1;
            TraceRecord::read(1_000 + i / 4, key, (key % 5000) as u32 + 1)
        })
        .collect()
}

/// Next accesses computed the obvious way (quadratic is fine for tests).
fn naive_next(records: &[TraceRecord]) -> Vec<u64> {
    (0..records.len())
        .map(|i| {
            (i + 1..records.len()).find(|&j| records[j].key == records[i].key).map_or(NEVER, |j| j as u64)
        })
        .collect()
}

fn read_all(path: &Path) -> Vec<TraceRecord> {
    let src = TraceSource::new(path, None, CsvOptions::default()).expect("known format");
    src.records().expect("opens").collect::<Result<_, _>>().expect("reads")
}

#[test]
fn every_format_round_trips_plain_and_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let records = sample();
    let next = naive_next(&records);
    for name in ["t.csv", "t.csv.zst", "t.oracleGeneral.bin", "t.oracleGeneral.bin.zst"] {
        let path = dir.path().join(name);
        let n = write_trace(&path, records.iter().copied().map(Ok)).unwrap();
        assert_eq!(n, records.len() as u64);
        let head = std::fs::read(&path).unwrap();
        assert_eq!(head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]), name.ends_with(".zst"), "{name}");
        let back = read_all(&path);
        assert_eq!(back.len(), records.len(), "{name}");
        let oracle = name.contains("oracleGeneral");
        for (i, (a, b)) in records.iter().zip(&back).enumerate() {
            assert_eq!((a.time, a.key, a.size), (b.time, b.key, b.size), "{name} record {i}");
            assert_eq!(b.next_access, if oracle { next[i] } else { NEVER }, "{name} record {i}");
        }
    }
}

#[test]
fn csv_columns_by_name_and_by_index_and_string_ids() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "op,key,bytes,ts\nget,17,100,5\nget,18,200,6\nset,17,100,9\n").unwrap();
    let by_name = dir.path().join("name.csv");
    ok(&[
        "trace",
        "convert",
        s(&input),
        s(&by_name),
        "--id-col",
        "key",
        "--size-col",
        "bytes",
        "--time-col",
        "ts",
    ]);
    let expected = "time,obj_id,obj_size\n5,17,100\n6,18,200\n9,17,100\n";
    assert_eq!(std::fs::read_to_string(&by_name).unwrap(), expected);
    let by_index = dir.path().join("index.csv");
    ok(&["trace", "convert", s(&input), s(&by_index), "--id-col", "2", "--size-col", "3", "--time-col", "4"]);
    assert_eq!(std::fs::read_to_string(&by_index).unwrap(), expected);
    let no_time = dir.path().join("notime.csv");
    ok(&[
        "trace",
        "convert",
        s(&input),
        s(&no_time),
        "--id-col",
        "2",
        "--size-col",
        "none",
        "--time-col",
        "none",
    ]);
    assert_eq!(std::fs::read_to_string(&no_time).unwrap(), "time,obj_id,obj_size\n0,17,1\n1,18,1\n2,17,1\n");

    let strings = dir.path().join("strings.csv");
    std::fs::write(
        &strings,
        "obj_id,obj_size,time\nimg/a.png,10,1\nimg/b.png,10,2\nimg/a.png,10,3\n007,1,4\n7,1,5\n",
    )
    .unwrap();
    bad_input(&["trace", "stats", s(&strings)], &["strings.csv", "line 2", "img/a.png", "--string-ids"]);
    let stats: Value =
        serde_json::from_str(&ok(&["trace", "stats", s(&strings), "--string-ids", "--json"])).unwrap();
    assert_eq!((stats["requests"].as_u64(), stats["unique_objects"].as_u64()), (Some(5), Some(4)));
    let hashed = dir.path().join("hashed.csv");
    ok(&["trace", "convert", s(&strings), s(&hashed), "--string-ids"]);
    let ids: Vec<u64> = std::fs::read_to_string(&hashed)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids[0], hash_bytes(b"img/a.png"));
    assert_eq!(ids[0], ids[2]);
    assert_ne!(ids[3], ids[4], "\"007\" and \"7\" are different string ids");
}

/// A valid oracleGeneral trace of `n` requests in `dir`, returned with its bytes.
fn oracle_trace(dir: &Path, n: usize) -> (PathBuf, Vec<u8>) {
    let path = dir.join("ok.oracleGeneral.bin");
    write_trace(&path, sample().into_iter().take(n).map(Ok)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

#[test]
fn truncated_records_and_truncated_zstd_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = oracle_trace(dir.path(), 100);
    let cut = dir.path().join("cut.oracleGeneral.bin");
    std::fs::write(&cut, &bytes[..24 * 41 + 10]).unwrap();
    bad_input(
        &["simulate", "--trace", s(&cut), "--policy", "lru", "--size", "10"],
        &["cut.oracleGeneral.bin", "record 42", "truncated record"],
    );
    bad_input(&["trace", "stats", s(&cut)], &["cut.oracleGeneral.bin", "record 42"]);

    let packed = zstd::encode_all(&bytes[..], 19).unwrap();
    let cut_zst = dir.path().join("cut.oracleGeneral.bin.zst");
    std::fs::write(&cut_zst, &packed[..packed.len() - 8]).unwrap();
    bad_input(
        &["simulate", "--trace", s(&cut_zst), "--policy", "lru", "--size", "10"],
        &["cut.oracleGeneral.bin.zst", "record ", "incomplete frame"],
    );

    let mut wrong_next = bytes.clone();
    wrong_next[24 * 5 + 16..24 * 6].copy_from_slice(&3i64.to_le_bytes());
    let wrong = dir.path().join("wrong.oracleGeneral.bin");
    std::fs::write(&wrong, wrong_next).unwrap();
    bad_input(&["trace", "stats", s(&wrong)], &["wrong.oracleGeneral.bin", "record 6", "next_access is 3"]);
}

#[test]
fn bad_csv_rows_missing_columns_and_unknown_formats_are_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("rows.csv");
    std::fs::write(&rows, "time,obj_id,obj_size\n1,2,3\n2,3,4\n3,4,lots\n").unwrap();
    bad_input(
        &["simulate", "--trace", s(&rows), "--policy", "lru", "--size", "1"],
        &["rows.csv", "line 4", "lots"],
    );
    let short = dir.path().join("short.csv");
    std::fs::write(&short, "time,obj_id,obj_size\n1,2,3\n2\n").unwrap();
    bad_input(&["trace", "stats", s(&short)], &["short.csv", "line 3", "bad row"]);

    let csv = dir.path().join("cols.csv");
    std::fs::write(&csv, "ts,id,size\n1,2,3\n").unwrap();
    bad_input(&["trace", "stats", s(&csv)], &["cols.csv", "line 1", "missing column", "`time`"]);
    bad_input(
        &["trace", "stats", s(&csv), "--time-col", "ts", "--id-col", "id", "--size-col", "7"],
        &["cols.csv", "line 1", "missing column", "size column 7"],
    );

    let (_, bytes) = oracle_trace(dir.path(), 10);
    let unknown = dir.path().join("trace.dat");
    std::fs::write(&unknown, bytes).unwrap();
    bad_input(
        &["simulate", "--trace", s(&unknown), "--policy", "lru", "--size", "1"],
        &["trace.dat", "unknown trace format"],
    );
    bad_input(&["trace", "stats", s(&unknown), "--format", "parquet"], &["parquet", "oracle-general"]);
    ok(&["trace", "stats", s(&unknown), "--format", "oracle-general"]);
    bad_input(
        &["trace", "convert", s(&unknown), "out.txt", "--format", "oracle-general"],
        &["out.txt", "unknown trace format"],
    );
    bad_input(&["trace", "stats", &format!("{}/absent.csv", s(dir.path()))], &["absent.csv", "cannot read"]);
}

#[test]
fn gen_writes_every_generator_with_the_requested_shape() {
    let dir = tempfile::tempdir().unwrap();
    for generator in ["zipf", "scrambled_zipf", "uniform", "hot_set", "shifting"] {
        let out = dir.path().join(format!("{generator}.oracleGeneral.bin.zst"));
        ok(&[
            "trace",
            "gen",
            generator,
            "--keys",
            "500",
            "--requests",
            "20000",
            "--seed",
            "7",
            "--value-size",
            "4KiB",
            "--out",
            s(&out),
        ]);
        let stats: Value = serde_json::from_str(&ok(&["trace", "stats", s(&out), "--json"])).unwrap();
        assert_eq!(stats["requests"], 20_000, "{generator}");
        let unique = stats["unique_objects"].as_u64().unwrap();
        assert!((400..=500).contains(&unique), "{generator}: {unique} objects");
        assert_eq!(stats["footprint_bytes"].as_u64(), Some(unique * 4096), "{generator}");
        let records = read_all(&out);
        assert_eq!(
            records.iter().map(|r| r.next_access).collect::<Vec<_>>(),
            naive_next(&records),
            "{generator}"
        );
        assert!(records.iter().enumerate().all(|(i, r)| r.time == i as u64 && r.key >= 1 && r.key <= 500));
    }
    let zipf: Value = serde_json::from_str(&ok(&[
        "trace",
        "stats",
        s(&dir.path().join("zipf.oracleGeneral.bin.zst")),
        "--json",
    ]))
    .unwrap();
    let alpha = zipf["zipf_alpha"].as_f64().unwrap();
    assert!((alpha - 0.9).abs() < 0.1, "fitted alpha {alpha}");
    let uniform: Value = serde_json::from_str(&ok(&[
        "trace",
        "stats",
        s(&dir.path().join("uniform.oracleGeneral.bin.zst")),
        "--json",
    ]))
    .unwrap();
    assert!(uniform["zipf_alpha"].as_f64().unwrap() < 0.1);
    bad_input(&["trace", "gen", "pareto", "--out", s(&dir.path().join("p.csv"))], &["pareto", "zipf"]);
    bad_input(&["trace", "gen", "zipf", "--alpha", "0", "--out", s(&dir.path().join("p.csv"))], &["--alpha"]);
}

#[test]
fn a_trace_is_a_scenario_workload_with_paths_relative_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("scenarios");
    std::fs::create_dir(&sub).unwrap();
    let trace = sub.join("small.csv");
    write_trace(&trace, sample().into_iter().map(Ok)).unwrap();
    let scenario = sub.join("replay.toml");
    std::fs::write(
        &scenario,
        "name = \"replay\"\n[workload]\nkind = \"trace\"\npath = \"small.csv\"\nwarmup = 0.0\n\
         csv = { time = \"time\", id = 2 }\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = [100, \"10%\"]\n",
    )
    .unwrap();
    let reports = dir.path().join("reports");
    let run: Value =
        serde_json::from_str(&ok(&["run", s(&scenario), "--out", s(&reports), "--json", "--quiet"])).unwrap();
    let sim: Value = serde_json::from_str(&ok(&[
        "simulate",
        "--trace",
        s(&trace),
        "--policy",
        "lru",
        "--size",
        "100,10%",
        "--json",
    ]))
    .unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for (r, row) in results.iter().zip(sim.as_array().unwrap()) {
        assert_eq!(r["requests"], row["requests"]);
        assert_eq!(r["hits"], row["hits"], "run and simulate agree on {row}");
        assert_eq!(r["capacity_value"], row["cache_size"]);
    }
    assert_eq!(sim[1]["cache_size"], 62, "10% of 613 distinct objects, rounded up");

    std::fs::write(&scenario, "name = \"replay\"\n[workload]\nkind = \"trace\"\n[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = 10\n")
        .unwrap();
    bad_input(
        &["run", s(&scenario), "--out", s(&reports)],
        &["replay.toml:2:1: key `workload.path`: is required"],
    );
    std::fs::write(
        &scenario,
        "name = \"replay\"\n[workload]\nkind = \"trace\"\npath = \"gone.csv\"\n[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = 10\n",
    )
    .unwrap();
    bad_input(
        &["run", s(&scenario), "--out", s(&reports)],
        &["replay.toml:4:8: key `workload.path`: cannot read", "gone.csv"],
    );
}

#[test]
fn gen_rejects_a_bad_generator_setting_by_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.csv");
    bad_input(
        &["trace", "gen", "hot_set", "--hot-keys", "0", "--requests", "10", "--out", s(&out)],
        &["--hot-keys: must be greater than 0"],
    );
    assert!(!out.exists());
}
