//! The recommendation at the top of the report: which strategy to pick, and why, from the
//! scenario's `[objectives]` and the measurements alone.
//!
//! With objectives, every (strategy, capacity) is checked against each; those meeting all are
//! ranked (lowest end-to-end p99 first when latency was measured, else highest hit ratio), the
//! others are listed with what they miss and by how much, and one pick is named. Without
//! objectives the report states plain facts: the best hit ratio per byte of cache and the best
//! p99. Belady (an offline bound) is never a candidate.

use serde::Serialize;

use super::format;
use crate::metrics::{Backend, Objectives, RunResult, StrategyResult};
use crate::model::CapacityUnit;

/// Each objective as a reader would state it.
pub fn describe(o: &Objectives) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = o.p99_ms {
        out.push(format!("end-to-end p99 ≤ {} ms", format::significant(p.0, 3)));
    }
    if let Some(h) = o.min_hit_ratio {
        out.push(format!("hit ratio ≥ {}", format::ratio(h.0)));
    }
    if let Some(b) = o.memory_budget {
        out.push(format!("memory ≤ {}", format::bytes(b.0 as f64)));
    }
    if o.survive_restart == Some(true) {
        out.push("cached data survives a restart".into());
    }
    if let Some(r) = o.max_origin_rps {
        out.push(format!("origin load ≤ {} requests/s", format::count(r.0)));
    }
    out
}

/// One objective checked against one result.
#[derive(Debug, Clone, PartialEq)]
enum Check {
    /// Met; the text says by how much.
    Met(String),
    /// Missed; the text says by how much, `shortfall` is relative (0.2 = 20 % off).
    Missed { text: String, shortfall: f64 },
}

/// A strategy meeting every objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// `strategy @ capacity`.
    pub label: String,
    /// The numbers behind its rank, e.g. `p99 3.1 ms, hit ratio 0.870, 64 MiB`.
    pub facts: String,
}

/// A strategy missing at least one objective.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// `strategy @ capacity`.
    pub label: String,
    /// What it misses and by how much, one entry per objective missed.
    pub misses: Vec<String>,
}

/// The recommendation shown at the top of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// One sentence: the pick and why, or the plain facts when there are no objectives.
    pub headline: String,
    /// The objectives as stated (empty without objectives).
    pub objectives: Vec<String>,
    /// Strategies meeting every objective, best first.
    pub ranked: Vec<Ranked>,
    /// Strategies missing objectives, closest first.
    pub missing: Vec<Missing>,
    /// Further facts and caveats (objectives that could not be checked, best per byte, ...).
    pub notes: Vec<String>,
}

/// Builds the recommendation for `result`.
pub fn recommend(result: &RunResult) -> Recommendation {
    match &result.objectives {
        Some(objectives) => with_objectives(result, objectives),
        None => without_objectives(result),
    }
}

/// End-to-end p99 of `r`, µs, when measured.
fn p99_us(r: &StrategyResult) -> Option<u64> {
    r.load.as_ref()?.end_to_end.as_ref().map(|l| l.p99_us)
}

/// Whether `r`'s cached data outlives the service, and if not, why.
fn survives_restart(r: &StrategyResult) -> Result<(), String> {
    if r.survives_restart {
        return Ok(());
    }
    Err(match r.backend {
        Backend::Redis => {
            "its Redis was spawned for the run and stopped with it (point `url` at a server you \
                           keep to count it as persistent)"
                .into()
        }
        Backend::Tiered => "neither of its tiers keeps data across a restart".into(),
        _ => format!("kind `{}` keeps its data in process memory, lost on restart", r.kind),
    })
}

fn checks(o: &Objectives, r: &StrategyResult, latency_measured: bool) -> Vec<Check> {
    let mut out = Vec::new();
    if let Some(limit) = o.p99_ms.map(|p| p.0).filter(|_| latency_measured) {
        out.push(match p99_us(r) {
            Some(us) if us as f64 / 1000.0 <= limit => Check::Met(format!(
                "p99 {} ≤ {} ms",
                format::micros(us as f64),
                format::significant(limit, 3)
            )),
            Some(us) => {
                let over = us as f64 / 1000.0 - limit;
                Check::Missed {
                    text: format!(
                        "p99 {} is {} over the {} ms objective (+{:.0}%)",
                        format::micros(us as f64),
                        format::micros(over * 1000.0),
                        format::significant(limit, 3),
                        over / limit * 100.0
                    ),
                    shortfall: over / limit,
                }
            }
            None => Check::Missed { text: "no end-to-end latency was measured".into(), shortfall: 1.0 },
        });
    }
    if let Some(min) = o.min_hit_ratio.map(|h| h.0) {
        let h = r.hit_ratio;
        out.push(if h >= min {
            Check::Met(format!("hit ratio {} ≥ {}", format::ratio(h), format::ratio(min)))
        } else {
            Check::Missed {
                text: format!(
                    "hit ratio {} is {} short of {}",
                    format::ratio(h),
                    format::ratio(min - h),
                    format::ratio(min)
                ),
                shortfall: (min - h) / min.max(f64::EPSILON),
            }
        });
    }
    if let Some(budget) = o.memory_budget.map(|b| b.0) {
        out.push(match (r.backend, r.memory_bytes) {
            (Backend::File, _) => Check::Met("data on disk, not in memory".into()),
            (_, Some(m)) if m <= budget => Check::Met(format!(
                "{} of the {} budget",
                format::bytes(m as f64),
                format::bytes(budget as f64)
            )),
            (_, Some(m)) => Check::Missed {
                text: format!(
                    "uses {}, {} over the {} budget",
                    format::bytes(m as f64),
                    format::bytes((m - budget) as f64),
                    format::bytes(budget as f64)
                ),
                shortfall: (m - budget) as f64 / budget as f64,
            },
            (_, None) => Check::Missed {
                text: "memory use unknown (capacity in objects and no resident bytes reported)".into(),
                shortfall: 1.0,
            },
        });
    }
    if o.survive_restart == Some(true) {
        out.push(match survives_restart(r) {
            Ok(()) => Check::Met("survives a restart".into()),
            Err(why) => Check::Missed { text: format!("does not survive a restart: {why}"), shortfall: 1.0 },
        });
    }
    if let Some(limit) = o.max_origin_rps.map(|r| r.0).filter(|_| latency_measured) {
        out.push(match r.load.as_ref().map(|l| l.origin_rps) {
            Some(rps) if rps <= limit => {
                Check::Met(format!("origin {} ≤ {} req/s", format::count(rps), format::count(limit)))
            }
            Some(rps) => Check::Missed {
                text: format!(
                    "origin load {} req/s is {} req/s over the {} req/s limit (+{:.0}%)",
                    format::count(rps),
                    format::count(rps - limit),
                    format::count(limit),
                    (rps - limit) / limit * 100.0
                ),
                shortfall: (rps - limit) / limit,
            },
            None => Check::Missed { text: "origin load was not measured".into(), shortfall: 1.0 },
        });
    }
    out
}

fn with_objectives(result: &RunResult, o: &Objectives) -> Recommendation {
    let latency_measured = result.results.iter().any(|r| r.load.is_some());
    let mut notes = Vec::new();
    let unchecked: Vec<&str> =
        [("p99_ms", o.p99_ms.is_some()), ("max_origin_rps", o.max_origin_rps.is_some())]
            .into_iter()
            .filter(|(_, set)| *set && !latency_measured)
            .map(|(name, _)| name)
            .collect();
    if !unchecked.is_empty() {
        notes.push(format!(
            "Not checked: {} — this run measured no wall clock (a simulation); add a [load] section to check them.",
            unchecked.join(" and ")
        ));
    }
    let candidates: Vec<&StrategyResult> = result.results.iter().filter(|r| !r.bound).collect();
    let mut meeting = Vec::new();
    let mut missing = Vec::new();
    for r in candidates {
        let checks = checks(o, r, latency_measured);
        let misses: Vec<(String, f64)> = checks
            .iter()
            .filter_map(|c| match c {
                Check::Missed { text, shortfall } => Some((text.clone(), *shortfall)),
                Check::Met(_) => None,
            })
            .collect();
        if misses.is_empty() {
            let met: Vec<String> = checks
                .into_iter()
                .filter_map(|c| if let Check::Met(t) = c { Some(t) } else { None })
                .collect();
            meeting.push((r, met));
        } else {
            missing.push((r, misses));
        }
    }
    let by_latency = latency_measured && meeting.iter().all(|(r, _)| p99_us(r).is_some());
    meeting.sort_by(|(a, _), (b, _)| {
        let primary =
            if by_latency { p99_us(a).cmp(&p99_us(b)) } else { b.hit_ratio.total_cmp(&a.hit_ratio) };
        primary.then(a.memory_bytes.unwrap_or(u64::MAX).cmp(&b.memory_bytes.unwrap_or(u64::MAX)))
    });
    missing.sort_by(|(_, a), (_, b)| {
        let total = |m: &[(String, f64)]| m.iter().map(|x| x.1).sum::<f64>();
        a.len().cmp(&b.len()).then(total(a).total_cmp(&total(b)))
    });
    let headline = match meeting.first() {
        Some((best, _)) => {
            let (criterion, value, objective) = if by_latency {
                let p99 = format::micros(p99_us(best).unwrap_or(0) as f64);
                (
                    "the lowest end-to-end p99",
                    p99,
                    o.p99_ms.map(|p| format!("≤ {} ms", format::significant(p.0, 3))),
                )
            } else {
                (
                    "the highest hit ratio",
                    format::ratio(best.hit_ratio),
                    o.min_hit_ratio.map(|h| format!("≥ {}", format::ratio(h.0))),
                )
            };
            let value = match objective {
                Some(objective) => format!("{value} (objective {objective})"),
                None => value,
            };
            if meeting.len() == 1 {
                format!(
                    "Pick {}: it is the only strategy that meets every objective, with {criterion} of {value}.",
                    format::label(best)
                )
            } else {
                format!(
                    "Pick {}: of the {} strategies that meet every objective it has {criterion}, {value}.",
                    format::label(best),
                    meeting.len()
                )
            }
        }
        None => match missing.first() {
            Some((closest, misses)) => format!(
                "No strategy meets every objective; the closest is {}, which misses: {}.",
                format::label(closest),
                misses.iter().map(|m| m.0.as_str()).collect::<Vec<_>>().join("; ")
            ),
            None => "No strategy ran, so there is nothing to pick.".into(),
        },
    };
    Recommendation {
        headline,
        objectives: describe(o),
        ranked: meeting
            .into_iter()
            .map(|(r, met)| Ranked { label: format::label(r), facts: met.join(", ") })
            .collect(),
        missing: missing
            .into_iter()
            .map(|(r, m)| Missing { label: format::label(r), misses: m.into_iter().map(|x| x.0).collect() })
            .collect(),
        notes,
    }
}

fn without_objectives(result: &RunResult) -> Recommendation {
    let candidates: Vec<&StrategyResult> =
        result.results.iter().filter(|r| !r.bound && r.backend != Backend::None).collect();
    let mut notes = Vec::new();
    if candidates.is_empty() {
        return only_baselines(result, notes);
    }
    let per_mib =
        |r: &&StrategyResult| r.memory_bytes.filter(|&m| m > 0).map(|m| r.hit_ratio / (m as f64 / 1048576.0));
    let per_k_objects = |r: &&StrategyResult| {
        (r.capacity_unit == Some(CapacityUnit::Objects))
            .then_some(r.capacity_value)
            .flatten()
            .filter(|&c| c > 0)
            .map(|c| r.hit_ratio / (c as f64 / 1000.0))
    };
    let best = |score: &dyn Fn(&&StrategyResult) -> Option<f64>| {
        candidates.iter().filter_map(|r| score(r).map(|s| (*r, s))).max_by(|a, b| a.1.total_cmp(&b.1))
    };
    let efficiency = if let Some((r, s)) = best(&per_mib) {
        format!(
            "best hit ratio per byte of cache is {} ({} hit ratio in {}, {} per MiB)",
            format::label(r),
            format::ratio(r.hit_ratio),
            format::bytes(r.memory_bytes.unwrap_or(0) as f64),
            format::significant(s, 3)
        )
    } else if let Some((r, s)) = best(&per_k_objects) {
        format!(
            "best hit ratio per cached object is {} ({} hit ratio with {}, {} per 1000 objects)",
            format::label(r),
            format::ratio(r.hit_ratio),
            format::capacity(r),
            format::significant(s, 3)
        )
    } else {
        "no strategy reported its size, so hit ratio per byte cannot be compared".into()
    };
    let latency = match candidates.iter().filter_map(|r| p99_us(r).map(|p| (*r, p))).min_by_key(|x| x.1) {
        Some((r, p)) => {
            format!("the best end-to-end p99 is {} ({})", format::label(r), format::micros(p as f64))
        }
        None => "no latency was measured (a simulation run), so there is no best p99".into(),
    };
    let sweep = candidates
        .iter()
        .any(|r| candidates.iter().any(|o| o.strategy == r.strategy && o.capacity_value != r.capacity_value));
    if sweep {
        notes.push(
            "Hit ratio per byte always favours the smallest caches; the miss-ratio curve shows where more \
             capacity stops paying."
                .into(),
        );
    }
    if let Some(top) = candidates.iter().max_by(|a, b| a.hit_ratio.total_cmp(&b.hit_ratio)) {
        notes.push(format!(
            "The highest hit ratio overall is {} ({}).",
            format::label(top),
            format::ratio(top.hit_ratio)
        ));
    }
    notes.push(
        "Add an [objectives] section to the scenario (p99_ms, min_hit_ratio, memory_budget, survive_restart, \
         max_origin_rps) to get a ranked pick."
            .into(),
    );
    Recommendation {
        headline: format!("No objectives were set, so no pick: the {efficiency}, and {latency}."),
        objectives: Vec::new(),
        ranked: Vec::new(),
        missing: Vec::new(),
        notes,
    }
}

/// The plain facts of a run with no cache of its own to pick: only the no-cache baseline ran,
/// or an external server was driven (`cachelab run --target`, a row of kind `none`).
fn only_baselines(result: &RunResult, notes: Vec<String>) -> Recommendation {
    let latencies: Vec<String> = result
        .results
        .iter()
        .filter_map(|r| p99_us(r).map(|p| format!("{} {}", format::label(r), format::micros(p as f64))))
        .collect();
    let measured = if latencies.is_empty() {
        String::new()
    } else {
        format!(" End-to-end p99: {}.", latencies.join(", "))
    };
    Recommendation {
        headline: format!(
            "Nothing to pick: this run measured no cache strategy of its own, only rows of kind `none` (the \
             no-cache baseline, or a server driven with --target).{measured}"
        ),
        objectives: Vec::new(),
        ranked: Vec::new(),
        missing: Vec::new(),
        notes,
    }
}

#[cfg(test)]
mod tests {
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
            }),
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
        assert_eq!(
            ranked,
            ["best @ 128MiB", "good @ 256MiB"],
            "lowest p99 first; Belady is never a candidate"
        );
        assert_eq!(
            rec.headline,
            "Pick best @ 128MiB: of the 2 strategies that meet every objective it has the lowest end-to-end p99, \
             2.5 ms (objective ≤ 5 ms)."
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
        assert!(
            missed.iter().any(|(l, m)| *l == "mem @ 64MiB" && m.contains("process memory")),
            "{missed:?}"
        );
        assert!(missed.iter().any(|(l, m)| *l == "spawned @ 64MiB" && m.contains("spawned")), "{missed:?}");
        assert_eq!(
            rec.headline,
            "Pick shared @ 64MiB: of the 2 strategies that meet every objective it has the highest hit ratio, 0.850."
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
    fn without_objectives_the_plain_facts_are_stated() {
        let mut result = run(
            vec![cell("a", "lru", 16, 0.5, Some(4.0)), cell("b", "lru", 256, 0.9, Some(2.0))],
            serde_json::Value::Null,
        );
        let rec = recommend(&result);
        assert_eq!(
            rec.headline,
            "No objectives were set, so no pick: the best hit ratio per byte of cache is a @ 16MiB (0.500 hit \
             ratio in 16 MiB, 0.0312 per MiB), and the best end-to-end p99 is b @ 256MiB (2 ms)."
        );
        assert!(rec.notes.iter().any(|n| n.contains("highest hit ratio overall is b @ 256MiB (0.900)")));
        for r in &mut result.results {
            r.load = None;
        }
        assert!(
            recommend(&result)
                .headline
                .ends_with("no latency was measured (a simulation run), so there is no best p99.")
        );
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

    #[test]
    fn a_sweep_gets_a_caveat_on_per_byte_efficiency() {
        let sweep = run(
            vec![cell("a", "lru", 16, 0.5, None), cell("a", "lru", 256, 0.9, None)],
            serde_json::Value::Null,
        );
        let rec = recommend(&sweep);
        assert!(rec.headline.contains("best hit ratio per byte of cache is a @ 16MiB"), "{}", rec.headline);
        assert!(rec.notes.iter().any(|n| n.contains("favours the smallest caches")), "{:?}", rec.notes);
    }
}
