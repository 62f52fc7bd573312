//! The recommendation at the top of the report: which strategy to pick, and why, from the
//! scenario's `[objectives]` and the measurements alone.
//!
//! With objectives, every (strategy, capacity) is checked against each; those meeting all are
//! ranked (lowest end-to-end p99 first when latency was measured, else highest hit ratio), the
//! others are listed with what they miss and by how much, and one pick is named with its
//! runner-up. Without objectives the pick is still a size and a strategy: the size is the
//! [`knee`] of the best-at-each-size curve (the smallest capacity past which another doubling
//! buys less than `knee_gain` of hit ratio), the strategy the one with the highest hit ratio
//! there, named with the runner-up. Belady (an offline bound) is never a candidate.

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
        Some(objectives) if objectives.has_targets() => with_objectives(result, objectives),
        _ => without_objectives(result, Objectives::knee_gain(result.objectives.as_ref())),
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
        Backend::Memcached => {
            "its memcached was spawned for the run and stopped with it (point `url` at a server \
             you keep to count it as persistent)"
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
                let (second, _) = &meeting[1];
                let runner_up = if by_latency {
                    format::micros(p99_us(second).unwrap_or(0) as f64)
                } else {
                    format::ratio(second.hit_ratio)
                };
                format!(
                    "Pick {}: of the {} strategies that meet every objective it has {criterion}, {value}; the \
                     runner-up, {}, has {runner_up}.",
                    format::label(best),
                    meeting.len(),
                    format::label(second)
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

/// Where a strategy's hit-ratio curve stops paying for more capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Knee {
    /// The smallest capacity past which another doubling buys less than the gain, with the
    /// hit ratio there (both interpolated on the log2 capacity axis).
    At {
        /// Capacity, in the curve's unit.
        capacity: f64,
        /// Hit ratio at that capacity.
        hit_ratio: f64,
    },
    /// A doubling still buys at least the gain at the largest capacity measured (given here).
    Beyond {
        /// The largest capacity measured.
        capacity: f64,
        /// Its hit ratio.
        hit_ratio: f64,
    },
}

/// The knee of the curve through `points` (capacity, hit ratio): the smallest capacity past
/// which another doubling of capacity buys less than `gain` of hit ratio. The curve is linear
/// in log2 capacity between measured sizes, so the gain of a doubling from capacity `c` is
/// `h(2c) - h(c)`, and the knee can fall between measured sizes. When the sizes span less than
/// a doubling, the gain is the slope per doubling over what was measured. `None` with fewer
/// than two distinct positive capacities.
pub fn knee(points: &[(f64, f64)], gain: f64) -> Option<Knee> {
    let mut pts: Vec<(f64, f64)> =
        points.iter().filter(|(c, _)| *c > 0.0).map(|&(c, h)| (c.log2(), h)).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts.dedup_by(|b, a| a.0 == b.0);
    let (&(x0, h0), &(xn, hn)) = (pts.first()?, pts.last()?);
    if pts.len() < 2 {
        return None;
    }
    // The measured ends exactly, not through log2 and back.
    let capacities = points.iter().map(|p| p.0).filter(|c| *c > 0.0);
    let (smallest, largest) =
        (capacities.clone().fold(f64::INFINITY, f64::min), capacities.fold(0.0, f64::max));
    let step = (xn - x0).min(1.0);
    let h = |x: f64| interpolate(&pts, x);
    let doubling = |x: f64| (h(x + step) - h(x)) / step;
    let end = xn - step;
    let mut breaks: Vec<f64> = pts
        .iter()
        .flat_map(|p| [p.0, p.0 - step])
        .filter(|x| (x0..=end).contains(x))
        .chain([x0, end])
        .collect();
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    if doubling(end) >= gain {
        return Some(Knee::Beyond { capacity: largest, hit_ratio: hn });
    }
    // The gain per doubling is linear between breaks; the knee is where it last falls below
    // `gain`, scanning down from the largest size.
    for w in breaks.windows(2).rev() {
        let (a, z) = (w[0], w[1]);
        let (ga, gz) = (doubling(a), doubling(z));
        if ga >= gain {
            let x = a + (ga - gain) / (ga - gz) * (z - a);
            return Some(Knee::At { capacity: x.exp2(), hit_ratio: h(x) });
        }
    }
    Some(Knee::At { capacity: smallest, hit_ratio: h0 })
}

/// The piecewise-linear curve through `pts` (sorted by x) at `x`, clamped to its ends.
fn interpolate(pts: &[(f64, f64)], x: f64) -> f64 {
    let i = pts.partition_point(|p| p.0 < x);
    match (i.checked_sub(1).and_then(|j| pts.get(j)), pts.get(i)) {
        (Some(&(xa, ha)), Some(&(xb, hb))) => ha + (hb - ha) * (x - xa) / (xb - xa),
        (None, Some(&(_, h))) | (Some(&(_, h)), None) => h,
        (None, None) => 0.0,
    }
}

/// One strategy's measured sizes in one capacity unit, smallest first.
struct Curve<'a> {
    strategy: &'a str,
    unit: Option<CapacityUnit>,
    cells: Vec<&'a StrategyResult>,
}

impl Curve<'_> {
    fn points(&self) -> Vec<(f64, f64)> {
        self.cells.iter().filter_map(|r| Some((r.capacity_value? as f64, r.hit_ratio))).collect()
    }

    /// The hit ratio at `capacity`, interpolated on log2 capacity; `None` outside the sizes
    /// measured.
    fn hit_ratio_at(&self, capacity: f64) -> Option<f64> {
        let pts: Vec<(f64, f64)> = self.points().into_iter().map(|(c, h)| (c.log2(), h)).collect();
        let x = capacity.log2();
        let inside = pts.first()?.0 - 1e-9 <= x && x <= pts.last()?.0 + 1e-9;
        inside.then(|| interpolate(&pts, x))
    }
}

/// A capacity in `unit`, as a reader would say it.
fn size(capacity: f64, unit: Option<CapacityUnit>) -> String {
    match unit {
        Some(CapacityUnit::Bytes) => format::bytes(capacity),
        _ => format!("{} objects", format::count(capacity.round())),
    }
}

fn without_objectives(result: &RunResult, gain: f64) -> Recommendation {
    let candidates: Vec<&StrategyResult> =
        result.results.iter().filter(|r| !r.bound && r.backend != Backend::None).collect();
    let mut notes = Vec::new();
    if candidates.is_empty() {
        return only_baselines(result, notes);
    }
    let mut curves: Vec<Curve> = Vec::new();
    for r in candidates.iter().filter(|r| r.capacity_value.is_some()) {
        match curves.iter_mut().find(|c| c.strategy == r.strategy && c.unit == r.capacity_unit) {
            Some(c) => c.cells.push(r),
            None => curves.push(Curve { strategy: &r.strategy, unit: r.capacity_unit, cells: vec![r] }),
        }
    }
    for c in &mut curves {
        c.cells.sort_by_key(|r| r.capacity_value);
    }
    // The best strategy at each size measured.
    let mut sizes: Vec<(Option<CapacityUnit>, u64)> =
        candidates.iter().filter_map(|r| Some((r.capacity_unit, r.capacity_value?))).collect();
    sizes.sort_by_key(|&(u, v)| (u != Some(CapacityUnit::Objects), v));
    sizes.dedup();
    let best_at: Vec<&StrategyResult> = sizes
        .iter()
        .filter_map(|&(unit, value)| {
            candidates
                .iter()
                .filter(|r| r.capacity_unit == unit && r.capacity_value == Some(value))
                .max_by(|a, b| a.hit_ratio.total_cmp(&b.hit_ratio))
                .copied()
        })
        .collect();
    if curves.is_empty() {
        let top = candidates.iter().max_by(|a, b| a.hit_ratio.total_cmp(&b.hit_ratio)).copied();
        return Recommendation {
            headline: format!(
                "No objectives were set, and no strategy reported a capacity, so there is no size to pick; the \
                 highest hit ratio is {}.",
                top.map_or("unknown".into(), |r| format!(
                    "{} ({})",
                    format::label(r),
                    format::ratio(r.hit_ratio)
                ))
            ),
            objectives: Vec::new(),
            ranked: Vec::new(),
            missing: Vec::new(),
            notes,
        };
    }
    // The size: the knee of the best-at-each-size curve, in the unit most sizes were given in.
    let unit = [Some(CapacityUnit::Objects), Some(CapacityUnit::Bytes), None]
        .into_iter()
        .max_by_key(|u| sizes.iter().filter(|s| s.0 == *u).count())
        .flatten();
    let envelope: Vec<(f64, f64)> = best_at
        .iter()
        .filter(|r| r.capacity_unit == unit)
        .filter_map(|r| Some((r.capacity_value? as f64, r.hit_ratio)))
        .collect();
    let (mut at, sizing) = match knee(&envelope, gain) {
        Some(Knee::At { capacity, .. }) => (
            capacity,
            format!(
                "past {} another doubling of capacity buys less than {} of hit ratio (the knee of the \
                 best-at-each-size curve)",
                size(capacity, unit),
                format::ratio(gain)
            ),
        ),
        Some(Knee::Beyond { capacity, .. }) => (
            capacity,
            format!(
                "{} is the largest size measured and a doubling there still buys at least {} of hit ratio: \
                 measure larger sizes to find the knee",
                size(capacity, unit),
                format::ratio(gain)
            ),
        ),
        None => {
            let only = envelope.first().map_or(0.0, |p| p.0);
            (only, format!("{} is the only size measured, so there is no knee", size(only, unit)))
        }
    };
    let rank = |at: f64| {
        let mut ranked: Vec<(&Curve, f64)> = curves
            .iter()
            .filter(|c| c.unit == unit)
            .filter_map(|c| c.hit_ratio_at(at).map(|h| (c, h)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    };
    let mut ranked = rank(at);
    if ranked.is_empty() {
        // No strategy was measured around the knee: the next size measured has one.
        at = envelope.iter().map(|p| p.0).find(|&c| c >= at).unwrap_or(at);
        ranked = rank(at);
    }
    let measured = envelope.iter().any(|p| p.0 == at);
    let about = if measured { "" } else { "about " };
    let headline = match ranked.as_slice() {
        [] => format!("No objectives were set, and no strategy was measured at {}.", size(at, unit)),
        [(pick, h), rest @ ..] => {
            let runner_up = rest.first().map_or(String::new(), |(c, hc)| {
                format!(
                    "; runner-up {} {about}{}, {} lower",
                    c.strategy,
                    format::ratio(*hc),
                    format::ratio(h - hc)
                )
            });
            format!(
                "No objectives were set. Pick {} at {}: it has the highest hit ratio there ({about}{}{runner_up}), \
                 and {sizing}.",
                pick.strategy,
                size(at, unit),
                format::ratio(*h)
            )
        }
    };
    notes.push(format!(
        "Best at each size: {}.",
        best_at
            .iter()
            .map(|r| format!("{} {} ({})", format::capacity(r), r.strategy, format::ratio(r.hit_ratio)))
            .collect::<Vec<_>>()
            .join(" · ")
    ));
    let knees: Vec<String> = curves
        .iter()
        .filter_map(|c| {
            Some(match knee(&c.points(), gain)? {
                Knee::At { capacity, hit_ratio } => {
                    format!("{} {} ({})", c.strategy, size(capacity, c.unit), format::ratio(hit_ratio))
                }
                Knee::Beyond { capacity, .. } => format!("{} beyond {}", c.strategy, size(capacity, c.unit)),
            })
        })
        .collect();
    if !knees.is_empty() {
        notes.push(format!(
            "Knee of each curve (the size past which a doubling buys less than {} of hit ratio; `knee_gain` in \
             [objectives] sets it): {}.",
            format::ratio(gain),
            knees.join(" · ")
        ));
    }
    if let Some((r, p)) = candidates.iter().filter_map(|r| p99_us(r).map(|p| (*r, p))).min_by_key(|x| x.1) {
        notes.push(format!(
            "The best end-to-end p99 is {} ({}).",
            format::label(r),
            format::micros(p as f64)
        ));
    }
    notes.push(
        "Add an [objectives] section to the scenario (p99_ms, min_hit_ratio, memory_budget, survive_restart, \
         max_origin_rps) to get a pick ranked against what you need."
            .into(),
    );
    Recommendation { headline, objectives: Vec::new(), ranked: Vec::new(), missing: Vec::new(), notes }
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
        assert_eq!(
            ranked,
            ["best @ 128MiB", "good @ 256MiB"],
            "lowest p99 first; Belady is never a candidate"
        );
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
        assert!(
            missed.iter().any(|(l, m)| *l == "mem @ 64MiB" && m.contains("process memory")),
            "{missed:?}"
        );
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
        assert!(
            rec.headline.starts_with("No objectives were set. Pick lru at 2.83 MiB:"),
            "{}",
            rec.headline
        );
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
}
