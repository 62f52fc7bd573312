//! The recommendation at the top of the report: which strategy to pick, and why, from the
//! scenario's `[objectives]` and the measurements alone; also written as
//! `recommendation.json` ([`Document`], schema `schema/recommendation.schema.json`).
//!
//! With objectives, every (strategy, capacity) is checked against each; those meeting all are
//! ranked (lowest end-to-end p99 first when latency was measured, else highest hit ratio), the
//! others are listed with what they miss and by how much, and one pick is named with its
//! runner-up. Without objectives the pick is still a size and a strategy: the size is the
//! [`knee`] of the best-at-each-size curve (the smallest capacity past which another doubling
//! buys less than `knee_gain` of hit ratio), the strategy the one with the highest hit ratio
//! there, named with the runner-up. Belady (an offline bound) is never a candidate. With
//! `[costs]`, the cheapest (strategy, capacity) is named as well.

mod document;
mod knee;
mod one_pass;
mod sizing;
#[cfg(test)]
mod tests;

use schemars::JsonSchema;
use serde::Serialize;

pub use document::{Document, RECOMMENDATION_SCHEMA_VERSION, recommendation_schema};
pub use knee::{Knee, knee};

use super::{costs, format};
use crate::metrics::{Backend, MonthlyCost, Objectives, RunResult, StrategyResult};
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

/// One objective checked against one (strategy, capacity).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ObjectiveCheck {
    /// The objective's key in `[objectives]`: `p99_ms`, `min_hit_ratio`, `memory_budget`,
    /// `survive_restart` or `max_origin_rps`.
    pub objective: String,
    /// Whether it is met.
    pub met: bool,
    /// The measured value in `unit` (null when it was not measured or does not apply).
    pub value: Option<f64>,
    /// The objective's limit in `unit`.
    pub target: Option<f64>,
    /// How far inside the limit the value is (positive: met with this much to spare) or
    /// outside it (negative: missed by this much), in `unit`.
    pub margin: Option<f64>,
    /// Unit of `value`, `target` and `margin`: `ms`, `ratio`, `bytes`, `requests/s`, `bool`.
    pub unit: String,
    /// As a reader would say it, e.g. `hit ratio 0.600 is 0.200 short of 0.800`.
    pub text: String,
    /// How far off, relative to the target (0 when met), to find the closest candidate.
    #[serde(skip)]
    #[schemars(skip)]
    shortfall: f64,
}

impl ObjectiveCheck {
    /// A measured `value` against `target`, an upper limit when `upper` (else a lower one),
    /// described by `text(met)`.
    fn measured(
        objective: &str,
        unit: &str,
        (value, target, upper): (f64, f64, bool),
        text: impl FnOnce(bool) -> String,
    ) -> ObjectiveCheck {
        let margin = if upper { target - value } else { value - target };
        let met = margin >= 0.0;
        ObjectiveCheck {
            objective: objective.into(),
            met,
            value: Some(value),
            target: Some(target),
            margin: Some(margin),
            unit: unit.into(),
            text: text(met),
            shortfall: if met { 0.0 } else { -margin / target.abs().max(f64::EPSILON) },
        }
    }

    /// An objective judged without a measured number (unknown memory, persistence).
    fn judged(objective: &str, unit: &str, target: Option<f64>, met: bool, text: String) -> ObjectiveCheck {
        ObjectiveCheck {
            objective: objective.into(),
            met,
            value: None,
            target,
            margin: None,
            unit: unit.into(),
            text,
            shortfall: if met { 0.0 } else { 1.0 },
        }
    }
}

/// A strategy meeting every objective.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Ranked {
    /// `strategy @ capacity`.
    pub label: String,
    /// The numbers behind its rank, e.g. `p99 3.1 ms, hit ratio 0.870, 64 MiB`.
    pub facts: String,
}

/// A strategy missing at least one objective.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Missing {
    /// `strategy @ capacity`.
    pub label: String,
    /// What it misses and by how much, one entry per objective missed.
    pub misses: Vec<String>,
}

/// A strategy at a size: the pick or the runner-up.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Choice {
    /// The strategy's name.
    pub strategy: String,
    /// The capacity, in `capacity_unit` (interpolated at a knee between measured sizes).
    pub capacity: Option<f64>,
    /// `objects` or `bytes`.
    pub capacity_unit: Option<CapacityUnit>,
    /// Its hit ratio there (interpolated at a knee between measured sizes).
    pub hit_ratio: f64,
}

impl Choice {
    fn of(r: &StrategyResult) -> Choice {
        Choice {
            strategy: r.strategy.clone(),
            capacity: r.capacity_value.map(|c| c as f64),
            capacity_unit: r.capacity_unit,
            hit_ratio: r.hit_ratio,
        }
    }
}

/// One (strategy, capacity) with every objective checked; candidates are listed best first.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Candidate {
    /// The strategy's name.
    pub strategy: String,
    /// Its kind.
    pub kind: String,
    /// Its capacity in `capacity_unit`.
    pub capacity_value: Option<u64>,
    /// `objects` or `bytes`.
    pub capacity_unit: Option<CapacityUnit>,
    /// Its hit ratio.
    pub hit_ratio: f64,
    /// Whether it meets every objective (true when none was set).
    pub meets_all: bool,
    /// Each objective checked (empty without objectives).
    pub objectives: Vec<ObjectiveCheck>,
}

impl Candidate {
    fn of(r: &StrategyResult, objectives: Vec<ObjectiveCheck>) -> Candidate {
        Candidate {
            strategy: r.strategy.clone(),
            kind: r.kind.clone(),
            capacity_value: r.capacity_value,
            capacity_unit: r.capacity_unit,
            hit_ratio: r.hit_ratio,
            meets_all: objectives.iter().all(|c| c.met),
            objectives,
        }
    }
}

/// The knee of one strategy's hit-ratio curve.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct KneePoint {
    /// The strategy's name.
    pub strategy: String,
    /// `objects` or `bytes`.
    pub capacity_unit: Option<CapacityUnit>,
    /// The knee's capacity; with `beyond_measured`, the largest size measured.
    pub capacity: f64,
    /// The hit ratio there.
    pub hit_ratio: f64,
    /// The curve still gains at least `knee_gain` per doubling at its largest size: the knee
    /// lies beyond what was measured.
    pub beyond_measured: bool,
}

/// The cheapest (strategy, capacity) at the `[costs]` prices.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CostPoint {
    /// The strategy's name.
    pub strategy: String,
    /// Its capacity in `capacity_unit`.
    pub capacity_value: Option<u64>,
    /// `objects` or `bytes`.
    pub capacity_unit: Option<CapacityUnit>,
    /// The prices' currency.
    pub currency: String,
    /// A month's cost, by cause.
    pub monthly: MonthlyCost,
}

/// The recommendation shown at the top of the report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
    /// The strategy and size picked, if any.
    pub pick: Option<Choice>,
    /// The next best, if any.
    pub runner_up: Option<Choice>,
    /// Every candidate (the bound excluded) with its objectives checked: those meeting all
    /// first, best first, then the others, closest first.
    pub candidates: Vec<Candidate>,
    /// The knee of each strategy's curve (strategies measured at two sizes or more).
    pub knees: Vec<KneePoint>,
    /// The cheapest point, when the scenario states `[costs]`.
    pub cheapest: Option<CostPoint>,
}

impl Recommendation {
    /// A recommendation of text alone; the structured fields are filled by the caller.
    fn text(headline: String, objectives: Vec<String>, notes: Vec<String>) -> Recommendation {
        Recommendation {
            headline,
            objectives,
            ranked: Vec::new(),
            missing: Vec::new(),
            notes,
            pick: None,
            runner_up: None,
            candidates: Vec::new(),
            knees: Vec::new(),
            cheapest: None,
        }
    }
}

/// Builds the recommendation for `result`.
pub fn recommend(result: &RunResult) -> Recommendation {
    let gain = Objectives::knee_gain(result.objectives.as_ref());
    let mut rec = match &result.objectives {
        Some(objectives) if objectives.has_targets() => with_objectives(result, objectives),
        _ => sizing::without_objectives(result, gain),
    };
    rec.knees = sizing::knee_points(result, gain);
    if let (Some(prices), Some((r, monthly))) = (&result.costs, costs::cheapest(result)) {
        rec.notes.push(format!(
            "At the [costs] prices the cheapest is {}: {} (memory {}, origin requests {}, egress {}).",
            format::label(r),
            costs::money(prices, monthly.total),
            format::significant(monthly.memory, 3),
            format::significant(monthly.origin, 3),
            format::significant(monthly.egress, 3),
        ));
        rec.cheapest = Some(CostPoint {
            strategy: r.strategy.clone(),
            capacity_value: r.capacity_value,
            capacity_unit: r.capacity_unit,
            currency: prices.currency.clone(),
            monthly,
        });
    }
    rec
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

fn checks(o: &Objectives, r: &StrategyResult, latency_measured: bool) -> Vec<ObjectiveCheck> {
    let mut out = Vec::new();
    if let Some(limit) = o.p99_ms.map(|p| p.0).filter(|_| latency_measured) {
        out.push(match p99_us(r) {
            Some(us) => ObjectiveCheck::measured("p99_ms", "ms", (us as f64 / 1000.0, limit, true), |met| {
                let over = us as f64 / 1000.0 - limit;
                if met {
                    format!("p99 {} ≤ {} ms", format::micros(us as f64), format::significant(limit, 3))
                } else {
                    format!(
                        "p99 {} is {} over the {} ms objective (+{:.0}%)",
                        format::micros(us as f64),
                        format::micros(over * 1000.0),
                        format::significant(limit, 3),
                        over / limit * 100.0
                    )
                }
            }),
            None => ObjectiveCheck::judged(
                "p99_ms",
                "ms",
                Some(limit),
                false,
                "no end-to-end latency was measured".into(),
            ),
        });
    }
    if let Some(min) = o.min_hit_ratio.map(|h| h.0) {
        let h = r.hit_ratio;
        out.push(ObjectiveCheck::measured("min_hit_ratio", "ratio", (h, min, false), |met| {
            if met {
                format!("hit ratio {} ≥ {}", format::ratio(h), format::ratio(min))
            } else {
                format!(
                    "hit ratio {} is {} short of {}",
                    format::ratio(h),
                    format::ratio(min - h),
                    format::ratio(min)
                )
            }
        }));
    }
    if let Some(budget) = o.memory_budget.map(|b| b.0) {
        let b = budget as f64;
        out.push(match (r.backend, r.memory_bytes) {
            (Backend::File, _) => ObjectiveCheck::judged(
                "memory_budget",
                "bytes",
                Some(b),
                true,
                "data on disk, not in memory".into(),
            ),
            (_, Some(m)) => ObjectiveCheck::measured("memory_budget", "bytes", (m as f64, b, true), |met| {
                if met {
                    format!("{} of the {} budget", format::bytes(m as f64), format::bytes(b))
                } else {
                    format!(
                        "uses {}, {} over the {} budget",
                        format::bytes(m as f64),
                        format::bytes((m - budget) as f64),
                        format::bytes(b)
                    )
                }
            }),
            (_, None) => ObjectiveCheck::judged(
                "memory_budget",
                "bytes",
                Some(b),
                false,
                "memory use unknown (capacity in objects and no resident bytes reported)".into(),
            ),
        });
    }
    if o.survive_restart == Some(true) {
        out.push(match survives_restart(r) {
            Ok(()) => ObjectiveCheck::judged(
                "survive_restart",
                "bool",
                Some(1.0),
                true,
                "survives a restart".into(),
            ),
            Err(why) => ObjectiveCheck::judged(
                "survive_restart",
                "bool",
                Some(1.0),
                false,
                format!("does not survive a restart: {why}"),
            ),
        });
    }
    if let Some(limit) = o.max_origin_rps.map(|r| r.0).filter(|_| latency_measured) {
        out.push(match r.load.as_ref().map(|l| l.origin_rps) {
            Some(rps) => {
                ObjectiveCheck::measured("max_origin_rps", "requests/s", (rps, limit, true), |met| {
                    if met {
                        format!("origin {} ≤ {} req/s", format::count(rps), format::count(limit))
                    } else {
                        format!(
                            "origin load {} req/s is {} req/s over the {} req/s limit (+{:.0}%)",
                            format::count(rps),
                            format::count(rps - limit),
                            format::count(limit),
                            (rps - limit) / limit * 100.0
                        )
                    }
                })
            }
            None => ObjectiveCheck::judged(
                "max_origin_rps",
                "requests/s",
                Some(limit),
                false,
                "origin load was not measured".into(),
            ),
        });
    }
    out
}

/// The objectives set but not checkable in a run without wall clock, as a note.
fn unchecked_note(o: &Objectives, latency_measured: bool) -> Option<String> {
    let unchecked: Vec<&str> =
        [("p99_ms", o.p99_ms.is_some()), ("max_origin_rps", o.max_origin_rps.is_some())]
            .into_iter()
            .filter(|(_, set)| *set && !latency_measured)
            .map(|(name, _)| name)
            .collect();
    (!unchecked.is_empty()).then(|| {
        format!(
            "Not checked: {} — this run measured no wall clock (a simulation); add a [load] section to check them.",
            unchecked.join(" and ")
        )
    })
}

fn with_objectives(result: &RunResult, o: &Objectives) -> Recommendation {
    let latency_measured = result.results.iter().any(|r| r.load.is_some());
    let notes = unchecked_note(o, latency_measured).into_iter().collect();
    let mut meeting: Vec<(&StrategyResult, Vec<ObjectiveCheck>)> = Vec::new();
    let mut missing: Vec<(&StrategyResult, Vec<ObjectiveCheck>)> = Vec::new();
    for r in result.results.iter().filter(|r| !r.bound) {
        let checks = checks(o, r, latency_measured);
        if checks.iter().all(|c| c.met) { meeting.push((r, checks)) } else { missing.push((r, checks)) }
    }
    let by_latency = latency_measured && meeting.iter().all(|(r, _)| p99_us(r).is_some());
    meeting.sort_by(|(a, _), (b, _)| {
        let primary =
            if by_latency { p99_us(a).cmp(&p99_us(b)) } else { b.hit_ratio.total_cmp(&a.hit_ratio) };
        primary.then(a.memory_bytes.unwrap_or(u64::MAX).cmp(&b.memory_bytes.unwrap_or(u64::MAX)))
    });
    let missed = |c: &[ObjectiveCheck]| c.iter().filter(|c| !c.met).cloned().collect::<Vec<_>>();
    missing.sort_by(|(_, a), (_, b)| {
        let (a, b) = (missed(a), missed(b));
        let total = |m: &[ObjectiveCheck]| m.iter().map(|x| x.shortfall).sum::<f64>();
        a.len().cmp(&b.len()).then(total(&a).total_cmp(&total(&b)))
    });
    let headline = headline_with(o, &meeting, &missing, by_latency);
    Recommendation {
        ranked: meeting
            .iter()
            .map(|(r, met)| Ranked {
                label: format::label(r),
                facts: met.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        missing: missing
            .iter()
            .map(|(r, m)| Missing {
                label: format::label(r),
                misses: missed(m).into_iter().map(|c| c.text).collect(),
            })
            .collect(),
        pick: meeting.first().map(|(r, _)| Choice::of(r)),
        runner_up: meeting.get(1).map(|(r, _)| Choice::of(r)),
        candidates: meeting.into_iter().chain(missing).map(|(r, c)| Candidate::of(r, c)).collect(),
        ..Recommendation::text(headline, describe(o), notes)
    }
}

/// The headline of a run with objectives: the pick and the runner-up with the numbers behind
/// them, or the closest miss.
fn headline_with(
    o: &Objectives,
    meeting: &[(&StrategyResult, Vec<ObjectiveCheck>)],
    missing: &[(&StrategyResult, Vec<ObjectiveCheck>)],
    by_latency: bool,
) -> String {
    let Some((best, _)) = meeting.first() else {
        return match missing.first() {
            Some((closest, checks)) => format!(
                "No strategy meets every objective; the closest is {}, which misses: {}.",
                format::label(closest),
                checks.iter().filter(|c| !c.met).map(|c| c.text.as_str()).collect::<Vec<_>>().join("; ")
            ),
            None => "No strategy ran, so there is nothing to pick.".into(),
        };
    };
    let value_of = |r: &StrategyResult| {
        if by_latency { format::micros(p99_us(r).unwrap_or(0) as f64) } else { format::ratio(r.hit_ratio) }
    };
    let (criterion, objective) = if by_latency {
        ("the lowest end-to-end p99", o.p99_ms.map(|p| format!("≤ {} ms", format::significant(p.0, 3))))
    } else {
        ("the highest hit ratio", o.min_hit_ratio.map(|h| format!("≥ {}", format::ratio(h.0))))
    };
    let value = match objective {
        Some(objective) => format!("{} (objective {objective})", value_of(best)),
        None => value_of(best),
    };
    match meeting.get(1) {
        None => format!(
            "Pick {}: it is the only strategy that meets every objective, with {criterion} of {value}.",
            format::label(best)
        ),
        Some((second, _)) => format!(
            "Pick {}: of the {} strategies that meet every objective it has {criterion}, {value}; the \
             runner-up, {}, has {}.",
            format::label(best),
            meeting.len(),
            format::label(second),
            value_of(second)
        ),
    }
}
