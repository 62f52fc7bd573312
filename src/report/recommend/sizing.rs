//! The pick of a run without objectives: a size (the knee of the best-at-each-size curve) and
//! the strategy with the highest hit ratio there, with the runner-up.

use super::knee::{Curve, curves, size};
use super::one_pass;
use super::{Candidate, Choice, Knee, KneePoint, Recommendation, knee, p99_us};
use crate::metrics::{Backend, RunResult, StrategyResult};
use crate::model::CapacityUnit;
use crate::report::format;

/// Rows that could be deployed: neither the bound nor the no-cache baseline.
fn candidates(result: &RunResult) -> Vec<&StrategyResult> {
    result.results.iter().filter(|r| !r.bound && r.backend != Backend::None).collect()
}

/// The recommendation without objectives, at the knee for `gain` per doubling.
pub(super) fn without_objectives(result: &RunResult, gain: f64) -> Recommendation {
    let candidates = candidates(result);
    if candidates.is_empty() {
        return one_pass::from_curves(result, gain).unwrap_or_else(|| only_baselines(result));
    }
    let curves = curves(&candidates);
    let (sizes, best_at) = best_at_each_size(&candidates);
    if curves.is_empty() {
        return no_capacity(&candidates);
    }
    let unit = main_unit(&sizes);
    let envelope: Vec<(f64, f64)> = best_at
        .iter()
        .filter(|r| r.capacity_unit == unit)
        .filter_map(|r| Some((r.capacity_value? as f64, r.hit_ratio)))
        .collect();
    let (mut at, sizing) = sizing(&envelope, gain, unit);
    let mut ranked = ranked_at(&curves, unit, at);
    if ranked.is_empty() {
        // No strategy was measured around the knee: the next size measured has one.
        at = envelope.iter().map(|p| p.0).find(|&c| c >= at).unwrap_or(at);
        ranked = ranked_at(&curves, unit, at);
    }
    let measured = envelope.iter().any(|p| p.0 == at);
    let headline = headline(&ranked, at, unit, measured, &sizing);
    let choice = |(c, h): &(&Curve, f64)| Choice {
        strategy: c.strategy.into(),
        capacity: Some(at),
        capacity_unit: unit,
        hit_ratio: *h,
    };
    let mut by_hit_ratio = candidates.clone();
    by_hit_ratio.sort_by(|a, b| b.hit_ratio.total_cmp(&a.hit_ratio));
    Recommendation {
        pick: ranked.first().map(choice),
        runner_up: ranked.get(1).map(choice),
        candidates: by_hit_ratio.into_iter().map(|r| Candidate::of(r, Vec::new())).collect(),
        ..Recommendation::text(headline, Vec::new(), notes(&candidates, &curves, &best_at, gain))
    }
}

/// The sizes measured (objects first) and the best strategy at each.
fn best_at_each_size<'a>(
    candidates: &[&'a StrategyResult],
) -> (Vec<(Option<CapacityUnit>, u64)>, Vec<&'a StrategyResult>) {
    let mut sizes: Vec<(Option<CapacityUnit>, u64)> =
        candidates.iter().filter_map(|r| Some((r.capacity_unit, r.capacity_value?))).collect();
    sizes.sort_by_key(|&(u, v)| (u != Some(CapacityUnit::Objects), v));
    sizes.dedup();
    let best_at = sizes
        .iter()
        .filter_map(|&(unit, value)| {
            candidates
                .iter()
                .filter(|r| r.capacity_unit == unit && r.capacity_value == Some(value))
                .max_by(|a, b| a.hit_ratio.total_cmp(&b.hit_ratio))
                .copied()
        })
        .collect();
    (sizes, best_at)
}

/// The unit most sizes were given in.
fn main_unit(sizes: &[(Option<CapacityUnit>, u64)]) -> Option<CapacityUnit> {
    [Some(CapacityUnit::Objects), Some(CapacityUnit::Bytes), None]
        .into_iter()
        .max_by_key(|u| sizes.iter().filter(|s| s.0 == *u).count())
        .flatten()
}

/// The size to pick on the `envelope` (best hit ratio at each size), and why, as a clause.
pub(super) fn sizing(envelope: &[(f64, f64)], gain: f64, unit: Option<CapacityUnit>) -> (f64, String) {
    match knee(envelope, gain) {
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
    }
}

/// The strategies measured around capacity `at` in `unit`, by their (interpolated) hit ratio
/// there, best first.
fn ranked_at<'c, 'a>(
    curves: &'c [Curve<'a>],
    unit: Option<CapacityUnit>,
    at: f64,
) -> Vec<(&'c Curve<'a>, f64)> {
    let mut ranked: Vec<(&Curve, f64)> =
        curves.iter().filter(|c| c.unit == unit).filter_map(|c| c.hit_ratio_at(at).map(|h| (c, h))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
}

fn headline(
    ranked: &[(&Curve, f64)],
    at: f64,
    unit: Option<CapacityUnit>,
    measured: bool,
    sizing: &str,
) -> String {
    let about = if measured { "" } else { "about " };
    match ranked {
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
    }
}

/// The best strategy at each size, each curve's knee, the best p99, and how to get a ranked
/// pick.
fn notes(
    candidates: &[&StrategyResult],
    curves: &[Curve],
    best_at: &[&StrategyResult],
    gain: f64,
) -> Vec<String> {
    let mut notes = vec![format!(
        "Best at each size: {}.",
        best_at
            .iter()
            .map(|r| format!("{} {} ({})", format::capacity(r), r.strategy, format::ratio(r.hit_ratio)))
            .collect::<Vec<_>>()
            .join(" · ")
    )];
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
    notes
}

/// The knee of every candidate's curve, for recommendation.json.
pub(super) fn knee_points(result: &RunResult, gain: f64) -> Vec<KneePoint> {
    curves(&candidates(result))
        .iter()
        .filter_map(|c| {
            let (capacity, hit_ratio, beyond_measured) = match knee(&c.points(), gain)? {
                Knee::At { capacity, hit_ratio } => (capacity, hit_ratio, false),
                Knee::Beyond { capacity, hit_ratio } => (capacity, hit_ratio, true),
            };
            Some(KneePoint {
                strategy: c.strategy.into(),
                capacity_unit: c.unit,
                capacity,
                hit_ratio,
                beyond_measured,
            })
        })
        .collect()
}

/// No strategy reported a capacity: the highest hit ratio, and no size.
fn no_capacity(candidates: &[&StrategyResult]) -> Recommendation {
    let top = candidates.iter().max_by(|a, b| a.hit_ratio.total_cmp(&b.hit_ratio)).copied();
    let headline = format!(
        "No objectives were set, and no strategy reported a capacity, so there is no size to pick; the highest hit \
         ratio is {}.",
        top.map_or("unknown".into(), |r| format!("{} ({})", format::label(r), format::ratio(r.hit_ratio)))
    );
    Recommendation { pick: top.map(Choice::of), ..Recommendation::text(headline, Vec::new(), Vec::new()) }
}

/// The plain facts of a run with no cache of its own to pick: only the no-cache baseline ran,
/// or an external server was driven (`cachelab run --target`, a row of kind `none`).
fn only_baselines(result: &RunResult) -> Recommendation {
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
    let headline = format!(
        "Nothing to pick: this run measured no cache strategy of its own, only rows of kind `none` (the no-cache \
         baseline, or a server driven with --target).{measured}"
    );
    Recommendation::text(headline, Vec::new(), Vec::new())
}
