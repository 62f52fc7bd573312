//! Fidelity: our policies give libCacheSim's miss counts on the reference traces
//! (`tests/data/reference_miss_ratios.csv`, copied from `/work/shared/reference/`).
//!
//! - zipf09 (1 M requests over 100 k objects, alpha 0.9, seed 42) is regenerated with the
//!   bit-exact port of `gen_zipf.py`, checked against the first and last ids of the shipped
//!   trace; object mode at 100 / 1,000 / 10,000 objects.
//! - cloudPhysicsIO is read from its oracleGeneral records, in object mode (1,000 and 10,000
//!   objects) and byte mode (128 MiB and 512 MiB).
//!
//! Policies are driven directly (no async, no values), one thread per case.

use std::path::Path;

use cachelab::model::{Capacity, NEVER};
use cachelab::policy::{Access, PolicyKind, PolicyParams, build_policy};
use cachelab::workload::reference_zipf::ReferenceZipf;

/// Largest allowed |our miss ratio - libCacheSim's| per policy; `0.0` means identical counts
/// (misses, and missed bytes in byte mode). Exhaustive on purpose: a new policy must say how
/// close it is.
fn tolerance(kind: PolicyKind, bytes: bool) -> f64 {
    match kind {
        // Textbook: identical.
        PolicyKind::Lru | PolicyKind::Fifo => 0.0,
        // Same rules as libCacheSim step by step (see each file's doc): identical here.
        PolicyKind::Lfu | PolicyKind::Sieve | PolicyKind::S3Fifo => 0.0,
        // No reference rows (libCacheSim's Clock matches ours rule for rule).
        PolicyKind::Clock => 0.0,
        // Object mode: optimal, so the count is unique. Byte mode: farthest-first until the
        // object fits is a heuristic, and which never-again object goes first is a heap
        // tie-break (ours: oldest first; libCacheSim: heap order), so counts may differ
        // (they happen to be identical on cloudPhysicsIO).
        PolicyKind::Belady => {
            if bytes {
                0.005
            } else {
                0.0
            }
        }
        // A port of libCacheSim's ARC (list sizes, float `p`, case IV): identical.
        PolicyKind::Arc => 0.0,
        // LIRS's default follows the paper where libCacheSim does not (a hit on a resident HIR
        // object outside S, see src/policy/lirs.rs); `resident_hir_hit = "libcachesim"` gives
        // identical counts (tests/it/oracle.rs). The default stays within the 0.002.
        PolicyKind::Lirs => 0.002,
        // libCacheSim's W-TinyLFU rule for rule: sketch sizing and hashing (XXH64), decay,
        // SLRU segments and insertion (src/policy/wtinylfu.rs).
        PolicyKind::WTinyLfu => 0.0,
        // Models of Redis and memcached have no libCacheSim counterpart and no reference rows;
        // tests/it/redis_model.rs holds redis-lru to a real Redis instead.
        PolicyKind::RedisLru | PolicyKind::RedisLfu | PolicyKind::Memcached => {
            unreachable!("{} has no libCacheSim reference", kind.name())
        }
        // No reference rows: compared with the pinned libCacheSim in tests/it/oracle.rs.
        PolicyKind::TwoQ | PolicyKind::Slru | PolicyKind::Gdsf | PolicyKind::Lfuda => 0.0,
        // No reference rows: compared with libCacheSim 0.3.5 in tests/it/oracle.rs.
        PolicyKind::Mq => 0.0,
        // No usable libCacheSim reference (src/policy/clockpro.rs says why).
        PolicyKind::ClockPro => 0.0,
        // No libCacheSim counterpart (Caffeine's simulator has it, src/policy/hill_climber.rs).
        PolicyKind::WTinyLfuAdaptive => 0.0,
    }
}

/// One row of the reference CSV.
struct Row {
    trace: String,
    bytes: bool,
    policy: String,
    cache_size: u64,
    requests: u64,
    misses: u64,
    bytes_requested: u64,
    bytes_missed: u64,
}

fn reference_rows() -> Vec<Row> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/reference_miss_ratios.csv"))
            .expect("reference csv");
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let num = |i: usize| f[i].parse::<u64>().unwrap_or_else(|e| panic!("{line}: column {i}: {e}"));
            Row {
                trace: f[0].to_string(),
                bytes: f[1] == "bytes",
                policy: f[2].to_string(),
                cache_size: num(3),
                requests: num(4),
                misses: num(5),
                bytes_requested: num(7),
                bytes_missed: num(8),
            }
        })
        .collect()
}

/// A trace as (key, size, next access) triples.
type Trace = Vec<(u64, u32, u64)>;

fn zipf09() -> Trace {
    let keys: Vec<u64> = ReferenceZipf::new(100_000, 0.9, 42).take(1_000_000).collect();
    // First and last ids of /work/shared/reference/zipf09.csv.zst.
    assert_eq!(keys[..11], [13517, 14, 86, 210, 1, 37895, 35, 22152, 199, 4432, 28]);
    assert_eq!(keys[999_998..], [12, 35611]);
    let mut next = rustc_hash::FxHashMap::default();
    let mut trace: Trace = vec![(0, 1, NEVER); keys.len()];
    for (i, &k) in keys.iter().enumerate().rev() {
        trace[i] = (k, 1, next.insert(k, i as u64).unwrap_or(NEVER));
    }
    trace
}

/// A zstd oracleGeneral trace from tests/data: records `u32 time, u64 id, u32 size, i64 next`.
fn oracle_general(name: &str) -> Trace {
    let path = format!("{}/tests/data/{name}.oracleGeneral.bin.zst", env!("CARGO_MANIFEST_DIR"));
    crate::support::oracle_general::records(Path::new(&path))
        .into_iter()
        .map(|(id, size, next)| (id, size, if next < 0 { NEVER } else { next as u64 }))
        .collect()
}

/// Misses and missed bytes of `kind` at `capacity` over `trace`; `unit_size` counts every
/// object as 1 byte, as libCacheSim's `--ignore-obj-size` does in object mode.
fn simulate(kind: PolicyKind, capacity: Capacity, trace: &Trace, unit_size: bool) -> (u64, u64) {
    let mut policy = build_policy(kind, &PolicyParams::default(), capacity);
    let mut evicted = Vec::new();
    let (mut misses, mut bytes_missed) = (0, 0);
    for (tick, &(key, size, next_access)) in trace.iter().enumerate() {
        let size = if unit_size { 1 } else { size };
        evicted.clear();
        if !policy.access(&Access { key, size, tick: tick as u64, next_access }, &mut evicted) {
            misses += 1;
            bytes_missed += u64::from(size);
        }
    }
    (misses, bytes_missed)
}

#[test]
fn miss_counts_match_libcachesim() {
    let rows = reference_rows();
    let traces = [
        ("zipf09.oracleGeneral.bin.zst", zipf09()),
        ("cloudPhysicsIO.oracleGeneral.bin", oracle_general("cloudPhysicsIO")),
    ];
    let cases: Vec<(&Row, PolicyKind, &Trace)> = rows
        .iter()
        .filter_map(|row| {
            let kind = PolicyKind::parse(&row.policy)?;
            let trace = &traces.iter().find(|(name, _)| *name == row.trace).expect("known trace").1;
            Some((row, kind, trace))
        })
        .collect();
    let checked: Vec<&str> = cases.iter().map(|(_, k, _)| k.name()).collect();
    for kind in ["lru", "fifo", "lfu", "sieve", "s3fifo", "belady", "arc", "lirs", "wtinylfu"] {
        assert!(checked.contains(&kind), "no reference rows for {kind}");
    }

    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let results: Vec<(u64, u64)> = std::thread::scope(|s| {
        let chunks: Vec<_> = cases
            .chunks(cases.len().div_ceil(threads))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|(row, kind, trace)| {
                            assert_eq!(trace.len() as u64, row.requests);
                            if row.bytes {
                                simulate(*kind, Capacity::bytes(row.cache_size), trace, false)
                            } else {
                                simulate(*kind, Capacity::objects(row.cache_size), trace, true)
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().expect("case thread")).collect()
    });

    let mut failures = Vec::new();
    for ((row, kind, _), (misses, bytes_missed)) in cases.iter().zip(results) {
        let tol = tolerance(*kind, row.bytes);
        let ours = misses as f64 / row.requests as f64;
        let theirs = row.misses as f64 / row.requests as f64;
        let line = format!(
            "{} {} {} {}: misses {misses} vs libCacheSim {} (ratio diff {:+.6}), bytes missed {bytes_missed} vs {}",
            row.trace,
            if row.bytes { "bytes" } else { "objects" },
            kind.name(),
            row.cache_size,
            row.misses,
            ours - theirs,
            row.bytes_missed
        );
        let byte_delta = (bytes_missed as f64 - row.bytes_missed as f64) / row.bytes_requested as f64;
        let ok = if tol == 0.0 {
            misses == row.misses && bytes_missed == row.bytes_missed
        } else {
            (ours - theirs).abs() <= tol && byte_delta.abs() <= tol
        };
        println!("{} {line}", if ok { "ok  " } else { "FAIL" });
        if !ok {
            failures.push(line);
        }
    }
    assert!(failures.is_empty(), "outside tolerance:\n{}", failures.join("\n"));
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
        let trace = oracle_general(name);
        for &size in sizes {
            let (lirs, _) = simulate(PolicyKind::Lirs, Capacity::objects(size), &trace, true);
            let (lru, _) = simulate(PolicyKind::Lru, Capacity::objects(size), &trace, true);
            assert!(lirs < lru, "{name} at {size} objects: LIRS {lirs} misses, LRU {lru}");
        }
    }
}
