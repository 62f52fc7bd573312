//! The recommendation on hand-made results: ranking, misses, the knee, the pick without
//! objectives, and the machine-readable document.
use super::*;
use crate::metrics::{Counts, Environment, LatencySummary, LoadMeasurements};
use serde_json::json;

const MIB: u64 = 1 << 20;

fn latency(p99_us: u64) -> LatencySummary {
    LatencySummary {
        count: 1000,
        min_us: 1,
        mean_us: p99_us as f64 / 4.0,
        p50_us: p99_us / 5,
        p90_us: p99_us / 2,
        p99_us,
        p999_us: p99_us * 2,
        p9999_us: p99_us * 3,
        max_us: p99_us * 4,
        distribution: vec![(0.0, 1), (50.0, p99_us / 5), (99.0, p99_us), (100.0, p99_us * 4)],
    }
}

/// A result at `mib` MiB with `hit` hit ratio; with `p99_ms` a load run's measurements.
fn cell(name: &str, kind: &str, mib: u64, hit: f64, p99_ms: Option<f64>) -> StrategyResult {
    let hits = (hit * 1000.0).round() as u64;
    let backend = match kind {
        "none" => Backend::None,
        "moka" => Backend::Moka,
        "file" => Backend::File,
        "redis" => Backend::Redis,
        _ => Backend::Policy,
    };
    StrategyResult {
        strategy: name.into(),
        kind: kind.into(),
        capacity: Some(json!(format!("{mib}MiB"))),
        capacity_value: Some(mib * MIB),
        capacity_unit: Some(CapacityUnit::Bytes),
        backend,
        memory_bytes: Some(if backend == Backend::None { 0 } else { mib * MIB }),
        survives_restart: backend == Backend::File,
        key_prefix: None,
        damaged_at_open: 0,
        damaged_in_warmup: 0,
        error_causes: Vec::new(),
        bound: kind == "belady",
        counts: Counts { requests: 1000, hits, misses: 1000 - hits, ..Counts::default() },
        hit_ratio: hit,
        byte_hit_ratio: hit,
        final_entries: 10,
        final_bytes: Some(mib * MIB),
        elapsed_s: 1.0,
        tiers: Vec::new(),
        load: p99_ms.map(|p| LoadMeasurements {
            cancelled_at_end: 0,
            loop_mode: "closed".into(),
            concurrency: 8,
            target_rps: None,
            throughput_rps: 1000.0,
            measured_s: 1.0,
            origin_requests: 1000 - hits,
            origin_rps: (1000 - hits) as f64,
            coalesced_requests: 0,
            timeouts: 0,
            get_hit: None,
            get_miss: None,
            put: None,
            end_to_end: Some(latency((p * 1000.0) as u64)),
            start_delay: None,
            timeseries: Vec::new(),
            target: None,
        }),
        intervals: Vec::new(),
    }
}

fn run(results: Vec<StrategyResult>, objectives: serde_json::Value) -> RunResult {
    RunResult {
        schema_version: crate::metrics::SCHEMA_VERSION,
        name: "t".into(),
        mode: if results.iter().any(|r| r.load.is_some()) { "load" } else { "simulation" }.into(),
        scenario: json!({ "name": "t" }),
        seed: 1,
        environment: Environment {
            cachelab_version: "0".into(),
            cpu_model: "cpu".into(),
            cores: 1,
            os: "os".into(),
            redis_version: None,
        },
        started_at: "2025-01-01T00:00:00Z".into(),
        duration_s: 1.0,
        partial: false,
        warmup_requests: 0,
        results,
        objectives: serde_json::from_value(objectives).unwrap(),
        trace: None,
        curves: Vec::new(),
        costs: None,
        report: None,
    }
}

#[test]
fn ranks_those_meeting_objectives_and_says_how_much_others_miss() {
    let result = run(
        vec![
            cell("slow", "moka", 64, 0.9, Some(8.0)),
            cell("small", "lru", 16, 0.6, Some(2.0)),
            cell("big", "moka", 1024, 0.95, Some(1.0)),
            cell("good", "moka", 256, 0.85, Some(3.0)),
            cell("best", "lru", 128, 0.82, Some(2.5)),
            cell("opt", "belady", 64, 0.99, Some(0.5)),
        ],
        json!({ "p99_ms": 5.0, "min_hit_ratio": 0.8, "memory_budget": 512 * MIB }),
    );
    let rec = recommend(&result);
    let ranked: Vec<&str> = rec.ranked.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(ranked, ["best @ 128MiB", "good @ 256MiB"], "lowest p99 first; Belady is never a candidate");
    assert_eq!(
        rec.headline,
        "Pick best @ 128MiB: of the 2 strategies that meet every objective it has the lowest end-to-end p99, \
         2.5 ms (objective ≤ 5 ms); the runner-up, good @ 256MiB, has 3 ms."
    );
    assert_eq!(
        rec.ranked[0].facts,
        "p99 2.5 ms ≤ 5 ms, hit ratio 0.820 ≥ 0.800, 128 MiB of the 512 MiB budget"
    );
    let misses =
        |label: &str| rec.missing.iter().find(|m| m.label == label).map(|m| m.misses.clone()).unwrap();
    assert_eq!(misses("slow @ 64MiB"), ["p99 8 ms is 3 ms over the 5 ms objective (+60%)"]);
    assert_eq!(misses("small @ 16MiB"), ["hit ratio 0.600 is 0.200 short of 0.800"]);
    assert_eq!(misses("big @ 1024MiB"), ["uses 1 GiB, 512 MiB over the 512 MiB budget"]);
    assert_eq!(rec.objectives, ["end-to-end p99 ≤ 5 ms", "hit ratio ≥ 0.800", "memory ≤ 512 MiB"]);
}

#[test]
fn survive_restart_follows_the_kind_and_how_redis_was_reached() {
    // A Redis at a url outlives the run; one spawned for it does not.
    let shared = StrategyResult { survives_restart: true, ..cell("shared", "redis", 64, 0.85, None) };
    let result = run(
        vec![
            cell("mem", "moka", 64, 0.9, None),
            cell("disk", "file", 64, 0.8, None),
            shared,
            cell("spawned", "redis", 64, 0.95, None),
        ],
        json!({ "survive_restart": true }),
    );
    let rec = recommend(&result);
    let ranked: Vec<&str> = rec.ranked.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(ranked, ["shared @ 64MiB", "disk @ 64MiB"], "highest hit ratio first without latency");
    let missed: Vec<(&str, &str)> =
        rec.missing.iter().map(|m| (m.label.as_str(), m.misses[0].as_str())).collect();
    assert!(missed[0].0 == "mem @ 64MiB" || missed[1].0 == "mem @ 64MiB", "{missed:?}");
    assert!(missed.iter().any(|(l, m)| *l == "mem @ 64MiB" && m.contains("process memory")), "{missed:?}");
    assert!(missed.iter().any(|(l, m)| *l == "spawned @ 64MiB" && m.contains("spawned")), "{missed:?}");
    assert_eq!(
        rec.headline,
        "Pick shared @ 64MiB: of the 2 strategies that meet every objective it has the highest hit ratio, 0.850; \
         the runner-up, disk @ 64MiB, has 0.800."
    );
}

#[test]
fn latency_objectives_are_not_checked_in_a_simulation() {
    let result = run(
        vec![cell("a", "lru", 64, 0.7, None), cell("b", "lru", 128, 0.75, None)],
        json!({ "p99_ms": 1.0, "max_origin_rps": 10.0, "min_hit_ratio": 0.72 }),
    );
    let rec = recommend(&result);
    assert_eq!(rec.ranked.len(), 1);
    assert_eq!(rec.ranked[0].label, "b @ 128MiB");
    assert_eq!(
        rec.headline,
        "Pick b @ 128MiB: it is the only strategy that meets every objective, with the highest hit ratio of 0.750 \
         (objective ≥ 0.720)."
    );
    assert!(rec.notes[0].contains("Not checked: p99_ms and max_origin_rps"), "{:?}", rec.notes);
    assert_eq!(rec.missing[0].misses, ["hit ratio 0.700 is 0.020 short of 0.720"]);
}

#[test]
fn when_nobody_qualifies_the_closest_is_named() {
    let result = run(
        vec![cell("far", "lru", 64, 0.3, Some(9.0)), cell("near", "lru", 64, 0.79, Some(1.0))],
        json!({ "p99_ms": 2.0, "min_hit_ratio": 0.8, "max_origin_rps": 100.0 }),
    );
    let rec = recommend(&result);
    assert!(rec.ranked.is_empty());
    assert_eq!(
        rec.headline,
        "No strategy meets every objective; the closest is near @ 64MiB, which misses: hit ratio 0.790 is \
         0.010 short of 0.800; origin load 210 req/s is 110 req/s over the 100 req/s limit (+110%)."
    );
    assert_eq!(rec.missing[1].misses.len(), 3, "{:?}", rec.missing[1]);
}

#[test]
fn without_objectives_a_curve_still_rising_picks_the_largest_size() {
    let mut result = run(
        vec![cell("a", "lru", 16, 0.5, Some(4.0)), cell("b", "lru", 256, 0.9, Some(2.0))],
        serde_json::Value::Null,
    );
    let rec = recommend(&result);
    assert_eq!(
        rec.headline,
        "No objectives were set. Pick b at 256 MiB: it has the highest hit ratio there (0.900), and 256 MiB is \
         the largest size measured and a doubling there still buys at least 0.010 of hit ratio: measure larger \
         sizes to find the knee."
    );
    assert!(
        rec.notes.iter().any(|n| n == "Best at each size: 16MiB a (0.500) · 256MiB b (0.900)."),
        "{:?}",
        rec.notes
    );
    assert!(
        rec.notes.iter().any(|n| n == "The best end-to-end p99 is b @ 256MiB (2 ms)."),
        "{:?}",
        rec.notes
    );
    for r in &mut result.results {
        r.load = None;
    }
    assert!(!recommend(&result).notes.iter().any(|n| n.contains("best end-to-end p99")));
}

/// Rises 0.2 per doubling up to 4 units, then is flat: a doubling from `c` gains
/// `0.2 - 0.2 * (log2 c - 1)` between 2 and 4 units, which is 0.01 at `2^1.95` units.
const KNEED: [(f64, f64); 5] = [(1.0, 0.2), (2.0, 0.4), (4.0, 0.6), (8.0, 0.6), (16.0, 0.6)];

fn at(k: Option<Knee>) -> (f64, f64) {
    match k {
        Some(Knee::At { capacity, hit_ratio }) => (capacity, hit_ratio),
        other => panic!("expected a knee, got {other:?}"),
    }
}

#[test]
fn the_knee_of_a_curve_with_a_known_knee() {
    let points: Vec<(f64, f64)> = KNEED.iter().map(|&(c, h)| (c * 1000.0, h)).collect();
    let (c, h) = at(knee(&points, 0.01));
    assert!((c - 1000.0 * 1.95f64.exp2()).abs() < 1e-6, "{c}");
    assert!((h - 0.59).abs() < 1e-9, "{h}");
    // A coarser gain stops earlier: 0.1 per doubling at 2^1.5 units, hit ratio 0.5.
    let (c, h) = at(knee(&points, 0.1));
    assert!((c - 1000.0 * 1.5f64.exp2()).abs() < 1e-6 && (h - 0.5).abs() < 1e-9, "{c} {h}");
    // Order of the points does not matter.
    let reversed: Vec<(f64, f64)> = points.iter().rev().copied().collect();
    assert_eq!(knee(&reversed, 0.01), knee(&points, 0.01));
}

#[test]
fn a_curve_still_rising_or_already_flat_or_of_one_size() {
    let rising = [(100.0, 0.1), (200.0, 0.15), (400.0, 0.2)];
    assert_eq!(knee(&rising, 0.01), Some(Knee::Beyond { capacity: 400.0, hit_ratio: 0.2 }));
    let flat = [(100.0, 0.5), (1000.0, 0.505)];
    let (c, h) = at(knee(&flat, 0.01));
    assert!((c - 100.0).abs() < 1e-9 && h == 0.5, "past the knee already at the smallest size: {c}");
    // Less than a doubling apart: the slope per doubling, 0.02 / log2(1.5) = 0.034.
    assert!(matches!(knee(&[(1000.0, 0.5), (1500.0, 0.52)], 0.01), Some(Knee::Beyond { .. })));
    assert!(matches!(knee(&[(1000.0, 0.5), (1500.0, 0.52)], 0.05), Some(Knee::At { .. })));
    assert_eq!(knee(&[(1000.0, 0.5)], 0.01), None);
}

#[test]
fn without_objectives_the_pick_is_the_best_strategy_at_the_knee() {
    let fifo = [0.1, 0.3, 0.5, 0.55, 0.56];
    let mut cells: Vec<StrategyResult> =
        KNEED.iter().map(|&(mib, h)| cell("lru", "lru", mib as u64, h, None)).collect();
    cells.extend(KNEED.iter().zip(fifo).map(|(&(mib, _), h)| cell("fifo", "fifo", mib as u64, h, None)));
    cells.push(cell("opt", "belady", 4, 0.9, None));
    let rec = recommend(&run(cells.clone(), serde_json::Value::Null));
    assert_eq!(
        rec.headline,
        "No objectives were set. Pick lru at 3.86 MiB: it has the highest hit ratio there (about 0.590; \
         runner-up fifo about 0.490, 0.100 lower), and past 3.86 MiB another doubling of capacity buys less \
         than 0.010 of hit ratio (the knee of the best-at-each-size curve)."
    );
    assert!(rec.notes.iter().any(|n| n.contains("lru 3.86 MiB (0.590) · fifo")), "{:?}", rec.notes);
    // `knee_gain` alone states no objective; it moves the knee.
    let rec = recommend(&run(cells, json!({ "knee_gain": 0.1 })));
    assert!(rec.headline.starts_with("No objectives were set. Pick lru at 2.83 MiB:"), "{}", rec.headline);
    assert!(rec.objectives.is_empty());
}

#[test]
fn a_run_with_only_kind_none_says_there_is_nothing_to_pick() {
    let mut result = run(vec![cell("target", "none", 0, 1.0, Some(2.5))], serde_json::Value::Null);
    result.results[0].capacity = None;
    let rec = recommend(&result);
    assert!(
        rec.headline.starts_with("Nothing to pick: this run measured no cache strategy"),
        "{}",
        rec.headline
    );
    assert!(rec.headline.ends_with("End-to-end p99: target 2.5 ms."), "{}", rec.headline);
}
