//! The pick of a run that drew one-pass miss-ratio curves only (`cachelab mrc --report`): no
//! strategy ran as a cell, so the size is the knee of the best-at-each-size envelope of the
//! curves, and the pick the curve with the highest hit ratio there.

use super::knee::{hit_ratio_at, size};
use super::sizing::sizing;
use super::{Choice, Recommendation};
use crate::metrics::{MissRatioCurve, RunResult};
use crate::report::format;

/// `(capacity, hit ratio)` of a curve, smallest capacity first.
fn hit_ratios(c: &MissRatioCurve) -> Vec<(f64, f64)> {
    c.points.iter().filter(|p| p.0 > 0).map(|&(x, m)| (x as f64, 1.0 - m)).collect()
}

/// The recommendation from `result.curves` at the knee for `gain` per doubling; `None` when
/// the run has no curve.
pub(super) fn from_curves(result: &RunResult, gain: f64) -> Option<Recommendation> {
    let unit = result.curves.first()?.capacity_unit;
    let curves: Vec<(&MissRatioCurve, Vec<(f64, f64)>)> =
        result.curves.iter().filter(|c| c.capacity_unit == unit).map(|c| (c, hit_ratios(c))).collect();
    let mut sizes: Vec<f64> = curves.iter().flat_map(|(_, p)| p.iter().map(|q| q.0)).collect();
    sizes.sort_by(f64::total_cmp);
    sizes.dedup();
    let envelope: Vec<(f64, f64)> = sizes
        .iter()
        .filter_map(|&s| {
            let best = curves.iter().filter_map(|(_, p)| p.iter().find(|q| q.0 == s).map(|q| q.1));
            best.max_by(f64::total_cmp).map(|h| (s, h))
        })
        .collect();
    let (at, why) = sizing(&envelope, gain, Some(unit));
    let mut ranked: Vec<(&MissRatioCurve, f64)> =
        curves.iter().filter_map(|(c, p)| Some((*c, hit_ratio_at(p, at)?))).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let label = |c: &MissRatioCurve| format!("{} ({})", c.strategy, c.method);
    let (pick, h) = ranked.first()?;
    let runner_up = ranked.get(1).map_or(String::new(), |(c, hc)| {
        format!("; runner-up {} {}, {} lower", label(c), format::ratio(*hc), format::ratio(h - hc))
    });
    let headline = format!(
        "From the miss-ratio curves (no objectives set): pick {} at {}: it has the highest hit ratio there \
         ({}{runner_up}), and {why}.",
        label(pick),
        size(at, Some(unit)),
        format::ratio(*h)
    );
    let choice = |(c, h): &(&MissRatioCurve, f64)| Choice {
        strategy: c.strategy.clone(),
        capacity: Some(at),
        capacity_unit: Some(unit),
        hit_ratio: *h,
    };
    let notes = vec![
        "Sampled curves (shards, minisim) are estimates: their method names the sampling rate, and `cachelab mrc` \
         printed the expected error. Confirm the pick with `cachelab simulate` at that size."
            .to_string(),
    ];
    Some(Recommendation {
        pick: ranked.first().map(choice),
        runner_up: ranked.get(1).map(choice),
        ..Recommendation::text(headline, Vec::new(), notes)
    })
}
