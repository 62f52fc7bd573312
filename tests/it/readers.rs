//! The trace readers on the small samples of `tests/data` (see its README for the source of
//! each layout): what each sample holds, read independently here or by libCacheSim; the same
//! records through gzip, xz and zstd; `--format auto`; operations and TTLs changing a
//! simulation's outcome; and LRU miss ratios equal to libCacheSim's own readers of the lcs,
//! vscsi and Twitter formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use cachelab::model::hash::hash_bytes;
use cachelab::workload::trace::{CsvOptions, TraceFormat, TraceOp, TraceRecord, TraceSource};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// Every sample and its format.
const SAMPLES: [(&str, TraceFormat); 7] = [
    ("twitter_sample.csv", TraceFormat::Twitter),
    ("meta_kv_2022_sample.csv", TraceFormat::MetaKv),
    ("meta_kv_2024_sample.csv", TraceFormat::MetaKv),
    ("cloudPhysicsIO_window.vscsi", TraceFormat::Vscsi),
    ("access_combined_sample.log", TraceFormat::AccessLog),
    ("lcs_v2_sample.lcs.zst", TraceFormat::Lcs),
    ("lcs_v8_sample.lcs.zst", TraceFormat::Lcs),
];

fn read(path: &Path, format: TraceFormat) -> Vec<TraceRecord> {
    let source = TraceSource::new(path, Some(format), CsvOptions::default()).unwrap();
    source.records().unwrap().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `cachelab ARGS`; returns (exit code, stdout, stderr).
fn cachelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(assert_cmd::cargo::cargo_bin!("cachelab")).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = cachelab(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
}

#[test]
fn twitter_rows_read_as_their_fields_say() {
    let text = std::fs::read_to_string(data("twitter_sample.csv")).unwrap();
    let recs = read(&data("twitter_sample.csv"), TraceFormat::Twitter);
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(recs.len(), rows.len());
    for (r, f) in recs.iter().zip(&rows) {
        let op = match f[5] {
            "get" | "gets" | "incr" | "decr" => TraceOp::Read,
            "delete" => TraceOp::Delete,
            _ => TraceOp::Write,
        };
        let size = f[2].parse::<u32>().unwrap() + f[3].parse::<u32>().unwrap();
        assert_eq!(
            (r.time, r.key, r.size, r.op, r.ttl),
            (f[0].parse().unwrap(), hash_bytes(f[1].as_bytes()), size, op, f[6].parse().unwrap())
        );
    }
    assert!(recs.iter().any(|r| r.op == TraceOp::Delete) && recs.iter().any(|r| r.ttl > 0));
}

#[test]
fn meta_kv_rows_expand_to_op_count_requests() {
    for name in ["meta_kv_2022_sample.csv", "meta_kv_2024_sample.csv"] {
        let text = std::fs::read_to_string(data(name)).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let mut expected = Vec::new();
        for (i, row) in lines.enumerate() {
            let f: Vec<&str> = row.split(',').collect();
            let size = f[col("size")].parse::<u32>().unwrap() + f[col("key_size")].parse::<u32>().unwrap();
            let op = match f[col("op")] {
                "GET" | "GET_LEASE" => TraceOp::Read,
                "DELETE" => TraceOp::Delete,
                _ => TraceOp::Write,
            };
            let ttl = if header.contains(&"ttl") { f[col("ttl")].parse::<u32>().unwrap_or(0) } else { 0 };
            for _ in 0..f[col("op_count")].parse::<usize>().unwrap() {
                expected.push((hash_bytes(f[col("key")].as_bytes()), size, op, ttl, i));
            }
        }
        let recs = read(&data(name), TraceFormat::MetaKv);
        let got: Vec<_> =
            recs.iter().zip(&expected).map(|(r, e)| (r.key, r.size, r.op, r.ttl, e.4)).collect();
        assert_eq!(got, expected, "{name}");
        assert_eq!(recs.len(), expected.len(), "{name}");
    }
}

#[test]
fn the_vscsi_window_reads_as_libcachesim_converted_it() {
    // libCacheSim's own conversion of the whole cloudPhysicsIO.vscsi to oracleGeneral.
    let converted = read(&data("cloudPhysicsIO_vscsi.oracleGeneral.bin.zst"), TraceFormat::OracleGeneral);
    let recs = read(&data("cloudPhysicsIO_window.vscsi"), TraceFormat::Vscsi);
    assert_eq!(recs.len(), 256);
    // The sample is records 10,368 to 10,623 of the file.
    for (i, (r, c)) in recs.iter().zip(&converted[10_368..]).enumerate() {
        assert_eq!((r.time, r.key, r.size), (c.time, c.key, c.size), "record {i}");
    }
    let writes = recs.iter().filter(|r| r.op == TraceOp::Write).count();
    assert!(writes > 0 && writes < recs.len(), "{writes} writes: SCSI WRITE(10) and READ(10) both occur");
}

#[test]
fn access_log_lines_become_cacheable_requests() {
    let log = data("access_combined_sample.log");
    let p = log.to_str().unwrap();
    let stats = |extra: &[&str]| {
        let mut args = vec!["trace", "stats", p, "--json"];
        args.extend(extra);
        let s = json(&args);
        (s["requests"].as_u64().unwrap(), s["unique_objects"].as_u64().unwrap())
    };
    // 14 lines: a 304, a POST, a 400 (TLS bytes) and a 500 are skipped; `//index.html` is
    // `/index.html`, `/%7Euser/page` is `/~user/page`; the two logo.png lines differ by
    // their `utm_source` only (and `..`), so dropping it, or the query, merges them.
    assert_eq!(stats(&[]), (10, 8));
    assert_eq!(stats(&["--log-drop-param", "utm_source"]), (10, 7));
    assert_eq!(stats(&["--log-drop-query"]), (10, 7));
    assert_eq!(stats(&["--log-methods", "GET"]), (9, 7));
    assert_eq!(stats(&["--log-statuses", "200"]), (7, 5));
    let recs = read(&log, TraceFormat::AccessLog);
    assert_eq!(recs[0].time, 1_796_551_200, "06/Dec/2026:10:00:00 +0000");
    assert_eq!(recs[2].time, recs[0].time + 2, "11:00:02 +0100 is 10:00:02 UTC");
    assert_eq!((recs[0].size, recs[0].key), (5120, hash_bytes(b"GET /index.html")));
}

#[test]
fn lcs_samples_read_every_field_cachelab_uses() {
    for (name, record) in [("lcs_v2_sample.lcs.zst", 28usize), ("lcs_v8_sample.lcs.zst", 100)] {
        let bytes = zstd::decode_all(std::fs::File::open(data(name)).unwrap()).unwrap();
        let recs = read(&data(name), TraceFormat::Lcs);
        let body = &bytes[8192..];
        assert_eq!(recs.len(), body.len() / record);
        let u32_at = |r: &[u8], at: usize| u32::from_le_bytes(r[at..at + 4].try_into().unwrap());
        let u64_at = |r: &[u8], at: usize| u64::from_le_bytes(r[at..at + 8].try_into().unwrap());
        for (i, (r, raw)) in recs.iter().zip(body.chunks_exact(record)).enumerate() {
            let (op_at, ttl) = if record == 28 { (16, 0) } else { (20, u32_at(raw, 24)) };
            let op = match u32_at(raw, op_at) & 0xFF {
                3 => TraceOp::Write,
                9 => TraceOp::Delete,
                _ => TraceOp::Read,
            };
            let next = u64_at(raw, if record == 28 { 20 } else { 28 }) as i64;
            let next = if next < 0 { cachelab::model::NEVER } else { next as u64 - 1 };
            let want = (u64::from(u32_at(raw, 0)), u64_at(raw, 4), u32_at(raw, 12), op, ttl, next);
            assert_eq!((r.time, r.key, r.size, r.op, r.ttl, r.next_access), want, "{name} record {i}");
        }
    }
}

/// Compressed copies of `bytes` under names that say nothing: gzip, xz, zstd.
fn compressed(dir: &Path, stem: &str, bytes: &[u8]) -> Vec<PathBuf> {
    let gz = dir.join(format!("{stem}.a"));
    let mut enc =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap();
    let xz = dir.join(format!("{stem}.b"));
    let mut enc = liblzma::write::XzEncoder::new(std::fs::File::create(&xz).unwrap(), 6);
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap();
    let zst = dir.join(format!("{stem}.c"));
    std::fs::write(&zst, zstd::encode_all(bytes, 3).unwrap()).unwrap();
    vec![gz, xz, zst]
}

#[test]
fn gzip_xz_and_zstd_copies_read_the_same_and_auto_detects_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, format)) in SAMPLES.iter().enumerate() {
        let plain = read(&data(name), *format);
        assert!(!plain.is_empty(), "{name}");
        let raw = std::fs::read(data(name)).unwrap();
        let raw = if name.ends_with(".zst") { zstd::decode_all(&raw[..]).unwrap() } else { raw };
        for copy in compressed(dir.path(), &format!("s{i}"), &raw) {
            assert_eq!(read(&copy, *format), plain, "{name} as {}", copy.display());
            let (code, _, err) = cachelab(&["trace", "stats", copy.to_str().unwrap(), "--format", "auto"]);
            assert_eq!(code, 0, "{name}: {err}");
            assert!(err.contains(&format!("trace format: {format} (")), "{name} ({}): {err}", copy.display());
        }
    }
}

/// A Twitter trace where operations and TTLs matter (LRU, 10 objects or 25 bytes):
const OPS_TRACE: &str = "\
0,a,1,9,1,get,0
1,a,1,9,1,get,0
2,a,1,9,1,delete,0
3,a,1,9,1,get,0
4,b,1,9,1,set,5
5,b,1,9,1,get,0
10,b,1,9,1,get,0
11,c,1,9,1,set,0
12,c,1,9,1,get,0
13,c,1,29,1,set,0
14,c,1,9,1,get,0
";

#[test]
fn deletes_writes_and_ttls_change_what_a_simulation_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ops.twitter");
    std::fs::write(&path, OPS_TRACE).unwrap();
    let p = path.to_str().unwrap();
    let row = |extra: &[&str]| {
        let mut args = vec!["simulate", "--trace", p, "--format", "twitter", "--policy", "lru", "--json"];
        args.extend(extra);
        json(&args)[0].clone()
    };
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap();
    // Objects: a misses, hits, is deleted and misses; b is written with a 5 s TTL at 4 s,
    // hits at 5 s and has expired at 10 s; c is written, hits, is rewritten, hits.
    let objects = row(&["--size", "10"]);
    let counts =
        ["requests", "reads", "hits", "misses", "writes", "deletes", "expired"].map(|k| n(&objects, k));
    assert_eq!(counts, [11, 7, 4, 3, 3, 1, 1], "{objects}");
    // Bytes (25): c's rewrite makes it 30 bytes, too large to keep, so its last read misses.
    let bytes = row(&["--size", "25", "--bytes"]);
    assert_eq!((n(&bytes, "hits"), n(&bytes, "misses")), (3, 4), "{bytes}");
    // As libCacheSim replays it: 11 reads; only the first a, b and c miss.
    let ignored = row(&["--size", "10", "--ignore-ops"]);
    let counts =
        ["requests", "reads", "hits", "misses", "writes", "deletes", "expired"].map(|k| n(&ignored, k));
    assert_eq!(counts, [11, 11, 8, 3, 0, 0, 0], "{ignored}");
    let stats = json(&["trace", "stats", p, "--format", "twitter", "--json"]);
    assert_eq!(["reads", "writes", "deletes", "with_ttl"].map(|k| n(&stats, k)), [7, 3, 1, 1]);
    // The results of a report say so too, and its page lists them.
    let report = dir.path().join("report");
    let (code, _, err) = cachelab(&[
        "simulate",
        "--trace",
        p,
        "--format",
        "twitter",
        "--policy",
        "lru",
        "--size",
        "10",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let results: Value =
        serde_json::from_slice(&std::fs::read(report.join("results.json")).unwrap()).unwrap();
    assert_eq!(["reads", "writes", "deletes", "with_ttl"].map(|k| n(&results["trace"], k)), [7, 3, 1, 1]);
    let page = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(page.contains("7 reads, 3 writes, 1 deletes; 1 with a TTL"), "the page lists the operations");
}

/// LRU miss ratios of libCacheSim's reader of `format` on `path` at `sizes`.
fn libcachesim_lru(format: &str, path: &Path, sizes: &[u64]) -> Vec<f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/oracle/libcachesim_readers.py");
    let out = Command::new(crate::oracle::oracle_python())
        .arg(script)
        .arg(format)
        .arg(path)
        .args(sizes.iter().map(u64::to_string))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["results"].as_array().unwrap().iter().map(|r| r["miss_ratio"].as_f64().unwrap()).collect()
}

/// cachelab's LRU miss ratios on `path` read as `format`, every request a read.
fn cachelab_lru(format: &str, path: &Path, sizes: &[u64]) -> Vec<f64> {
    let sizes: Vec<String> = sizes.iter().map(u64::to_string).collect();
    let rows = json(&[
        "simulate",
        "--trace",
        path.to_str().unwrap(),
        "--format",
        format,
        "--ignore-ops",
        "--policy",
        "lru",
        "--size",
        &sizes.join(","),
        "--json",
    ]);
    rows.as_array().unwrap().iter().map(|r| r["miss_ratio"].as_f64().unwrap()).collect()
}

#[test]
fn lru_through_our_readers_equals_libcachesims_readers() {
    let dir = tempfile::tempdir().unwrap();
    // A Twitter trace of 20,000 requests over 2,000 keys (skewed, every operation), and its
    // lcs conversion by `cachelab trace convert` (version 3, operations and TTLs kept).
    let mut rng = cachelab::model::hash::SplitMix64::new(14);
    let ops = ["get", "get", "get", "gets", "set", "add", "cas", "delete", "incr"];
    let mut text = String::new();
    for i in 0..20_000u64 {
        let key = (rng.next_f64().powi(3) * 2000.0) as u64;
        let op = ops[(rng.next_u64() % ops.len() as u64) as usize];
        text.push_str(&format!(
            "{},k:{key:x},{},{},3,{op},{}\n",
            i / 10,
            4 + key % 3,
            100 + key % 7,
            60 * (key % 2)
        ));
    }
    let twitter = dir.path().join("t.twitter");
    std::fs::write(&twitter, text).unwrap();
    let lcs = dir.path().join("t.lcs");
    let (code, _, err) = cachelab(&[
        "trace",
        "convert",
        twitter.to_str().unwrap(),
        lcs.to_str().unwrap(),
        "--format",
        "twitter",
    ]);
    assert_eq!(code, 0, "{err}");
    // libCacheSim's binding reads no request from a zstd lcs file: hand it plain copies.
    let plain = |name: &str| {
        let path = dir.path().join(name.trim_end_matches(".zst"));
        std::fs::write(&path, zstd::decode_all(std::fs::File::open(data(name)).unwrap()).unwrap()).unwrap();
        path
    };
    let sizes = [5, 50, 200, 1000];
    let cases = [
        ("twitter", twitter.clone(), "twitter"),
        ("lcs", lcs, "lcs"),
        ("lcs", plain("lcs_v2_sample.lcs.zst"), "lcs"),
        ("lcs", plain("lcs_v8_sample.lcs.zst"), "lcs"),
        ("vscsi", data("cloudPhysicsIO_window.vscsi"), "vscsi"),
    ];
    for (oracle_format, path, format) in cases {
        let theirs = libcachesim_lru(oracle_format, &path, &sizes);
        let ours = cachelab_lru(format, &path, &sizes);
        // Equal miss counts: one miss apart would differ by 1 / requests, far above 1e-12.
        let equal =
            ours.len() == theirs.len() && ours.iter().zip(&theirs).all(|(a, b)| (a - b).abs() < 1e-12);
        assert!(equal, "{}: cachelab {ours:?}, libCacheSim {theirs:?}", path.display());
        eprintln!("{}: LRU miss ratios {ours:?} equal libCacheSim's", path.display());
    }
}
