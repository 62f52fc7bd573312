//! Fidelity of ARC, LIRS and W-TinyLFU against libCacheSim (1a1a11a/libCacheSim at aa0fc40):
//! miss ratios on the reference traces must be within 0.005 (ARC, whose miss and byte-miss
//! counts are in fact required to be identical) or 0.01 (LIRS, W-TinyLFU) of
//! `tests/data/reference_miss_ratios_b.csv` (rows copied from the shared reference
//! `reference_miss_ratios.csv`), in object and byte mode.
//!
//! Where the implementations are not identical:
//! - ARC: none intended; the list sizes, float `p` and case IV follow libCacheSim's `ARC`.
//! - LIRS: a hit on a resident HIR object that is not in the stack S leaves the LIR set alone,
//!   as in the paper; libCacheSim demotes the bottom LIR object then (which can evict the very
//!   object being hit while its stack entry keeps answering hits).
//! - W-TinyLFU: the sketch's hash functions differ (libCacheSim: XXH64), the probation share is
//!   what protected leaves of main instead of a separate rounding-down (at 100 objects
//!   libCacheSim's shares sum to 98 of 99 main slots, and then a probation hit evicts), and in
//!   byte mode the sketch is sized per 4 KiB of main capacity (libCacheSim: per byte, 2^31
//!   counters, never halved on these traces). Its window, sketch events, strict admission
//!   test and strictly bounded segments follow libCacheSim's.

use std::io::Read;

use cachelab::policy::{Access, Capacity, NEVER, PolicyKind, PolicyParams, build_policy};
use cachelab::workload::reference_zipf::ReferenceZipf;

/// One reference row.
struct Reference {
    trace: String,
    bytes: bool,
    policy: String,
    cache_size: u64,
    requests: u64,
    misses: u64,
    bytes_missed: u64,
    bytes_requested: u64,
}

fn references(trace: &str) -> Vec<Reference> {
    let text = std::fs::read_to_string("tests/data/reference_miss_ratios_b.csv").unwrap();
    let rows: Vec<Reference> = text
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Reference {
                trace: f[0].to_string(),
                bytes: f[1] == "bytes",
                policy: f[2].to_string(),
                cache_size: f[3].parse().unwrap(),
                requests: f[4].parse().unwrap(),
                misses: f[5].parse().unwrap(),
                bytes_requested: f[7].parse().unwrap(),
                bytes_missed: f[8].parse().unwrap(),
            }
        })
        .filter(|r| r.trace.starts_with(trace))
        .collect();
    assert!(!rows.is_empty(), "no reference rows for {trace}");
    rows
}

/// `(id, size)` of every record of an oracleGeneral trace (24-byte little-endian records
/// `u32 time, u64 id, u32 size, i64 next_access`), zstd-compressed.
fn read_oracle_general(path: &str) -> Vec<(u64, u32)> {
    let mut raw = Vec::new();
    zstd::stream::read::Decoder::new(std::fs::File::open(path).unwrap())
        .unwrap()
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(raw.len() % 24, 0, "{path}: truncated record");
    raw.chunks_exact(24)
        .map(|r| {
            (
                u64::from_le_bytes(r[4..12].try_into().unwrap()),
                u32::from_le_bytes(r[12..16].try_into().unwrap()),
            )
        })
        .collect()
}

/// The reference zipf09 trace: gen_zipf.py 0.9 (100,000 objects, 1,000,000 requests, seed 42).
fn zipf09() -> Vec<(u64, u32)> {
    ReferenceZipf::new(0.9, 100_000, 42).take(1_000_000).map(|id| (id, 1)).collect()
}

fn kind_of(reference_name: &str) -> PolicyKind {
    PolicyKind::parse(reference_name).unwrap()
}

/// Replays `trace`; returns (misses, bytes missed).
fn simulate(kind: PolicyKind, capacity: Capacity, trace: &[(u64, u32)]) -> (u64, u64) {
    let mut policy = build_policy(kind, &PolicyParams::default(), capacity);
    let mut evicted = Vec::new();
    let (mut misses, mut bytes_missed) = (0, 0);
    for (tick, &(key, size)) in trace.iter().enumerate() {
        evicted.clear();
        let access = Access { key, size, tick: tick as u64, next_access: NEVER };
        if !policy.access(&access, &mut evicted) {
            misses += 1;
            bytes_missed += u64::from(size);
        }
        assert!(policy.used() <= capacity.value, "{kind:?} over capacity");
    }
    (misses, bytes_missed)
}

fn tolerance(kind: PolicyKind) -> f64 {
    if kind == PolicyKind::Arc { 0.005 } else { 0.01 }
}

/// Runs every reference row of `trace` for `policies` and checks the miss ratios (and the byte
/// miss ratios in byte mode).
fn check(trace_name: &str, trace: &[(u64, u32)], policies: &[&str]) {
    let mut failures = Vec::new();
    for r in references(trace_name).iter().filter(|r| policies.contains(&r.policy.as_str())) {
        assert_eq!(r.requests, trace.len() as u64, "reference row for another trace length");
        let kind = kind_of(&r.policy);
        let capacity = if r.bytes { Capacity::bytes(r.cache_size) } else { Capacity::objects(r.cache_size) };
        let (misses, bytes_missed) = simulate(kind, capacity, trace);
        let ours = misses as f64 / r.requests as f64;
        let theirs = r.misses as f64 / r.requests as f64;
        let mut line = format!(
            "{trace_name} {} {} {}: miss ratio {ours:.6} vs libCacheSim {theirs:.6} (delta {:+.6})",
            r.policy,
            if r.bytes { "bytes" } else { "objects" },
            r.cache_size,
            ours - theirs
        );
        // ARC is a port of libCacheSim's: its counts must be identical, not just close.
        let mut bad = (ours - theirs).abs() > tolerance(kind)
            || (kind == PolicyKind::Arc && misses != r.misses)
            || (kind == PolicyKind::Arc && r.bytes && bytes_missed != r.bytes_missed);
        if r.bytes {
            let ours_b = bytes_missed as f64 / r.bytes_requested as f64;
            let theirs_b = r.bytes_missed as f64 / r.bytes_requested as f64;
            line +=
                &format!("; byte miss ratio {ours_b:.6} vs {theirs_b:.6} (delta {:+.6})", ours_b - theirs_b);
            bad |= (ours_b - theirs_b).abs() > tolerance(kind);
        }
        eprintln!("{line}");
        if bad {
            failures.push(line);
        }
    }
    assert!(failures.is_empty(), "outside tolerance:\n{}", failures.join("\n"));
}

#[test]
fn reference_zipf_port_reproduces_the_trace_head() {
    // First rows of zipf09.csv.zst (time,obj_id,obj_size).
    let head: Vec<u64> = zipf09().iter().take(11).map(|&(id, _)| id).collect();
    assert_eq!(head, vec![13517, 14, 86, 210, 1, 37895, 35, 22152, 199, 4432, 28]);
}

#[test]
fn zipf09_object_mode_matches_libcachesim() {
    check("zipf09", &zipf09(), &["ARC", "LIRS", "WTinyLFU"]);
}

#[test]
fn cloudphysics_object_and_byte_mode_match_libcachesim() {
    let trace = read_oracle_general("tests/data/cloudPhysicsIO.oracleGeneral.bin.zst");
    check("cloudPhysicsIO", &trace, &["ARC", "LIRS", "WTinyLFU"]);
}

/// LIRS was designed for looping and mixed access patterns such as the LIRS paper's `multi1`
/// (several programs interleaved, loops included): there it must miss less than LRU at every
/// size below the trace's 2,606 objects. `sprite` is temporally clustered (LRU-friendly): LIRS
/// beats LRU only while the cache is small (from about 500 objects up LRU misses less; ARC
/// too loses to LRU there), so only those sizes are asserted.
#[test]
fn lirs_beats_lru_on_the_lirs_paper_traces() {
    for (name, sizes) in
        [("lirs_multi1", &[100, 500, 1000, 1500, 2000][..]), ("lirs_sprite", &[100, 200, 300])]
    {
        let trace = read_oracle_general(&format!("tests/data/{name}.oracleGeneral.bin.zst"));
        for &size in sizes {
            let (lirs, _) = simulate(PolicyKind::Lirs, Capacity::objects(size), &trace);
            let (lru, _) = simulate(PolicyKind::Lru, Capacity::objects(size), &trace);
            eprintln!("{name} {size}: LIRS {lirs} misses, LRU {lru}");
            assert!(lirs < lru, "{name} at {size} objects: LIRS {lirs} misses, LRU {lru}");
        }
    }
}
