//! Object and byte miss ratio side by side, when object sizes vary: a policy that keeps many
//! small objects can miss few requests and many bytes.

use super::crowd::{rest_note, top};
use super::mrc::{capacity_axis, sweep_series, sweeps, units};
use super::{Figure, LineChart, PairChart, Planned};
use crate::metrics::{ReportSettings, RunResult};
use crate::report::axis::Axis;
use crate::report::style::{Palette, is_bound};

/// Whether the run's objects differ in size (byte and object hit ratios then differ).
pub fn sizes_vary(result: &RunResult) -> bool {
    result
        .results
        .iter()
        .any(|r| r.counts.bytes_requested > 0 && (r.byte_hit_ratio - r.hit_ratio).abs() > 1e-9)
}

/// The side-by-side chart, or why there is none.
pub fn plan(result: &RunResult, palette: &Palette) -> Planned {
    let about = "Left, the share of requests that miss; right, the share of bytes that miss, at each cache size. \
                 When objects differ in size, a policy favouring small objects looks better on the left than on \
                 the right; the origin's egress follows the right.";
    let planned = |about: &str, figure| {
        Planned::new("object-vs-byte-miss-ratio", "Object vs byte miss ratio", about, figure)
    };
    if !sizes_vary(result) {
        return planned(
            about,
            Err("every object has the same size, so byte and object miss ratios are equal".into()),
        );
    }
    let unit = units(result)[0];
    let sweeps = sweeps(result, unit);
    let scored = |value: fn(&crate::metrics::StrategyResult) -> f64| {
        sweeps
            .iter()
            .filter(|c| c.len() >= 2)
            .map(|cells| {
                let s = sweep_series(palette, cells, value);
                let mean = s.points.iter().map(|p| p.1).sum::<f64>() / s.points.len() as f64;
                (s, mean, is_bound(cells[0]))
            })
            .collect::<Vec<_>>()
    };
    let max = ReportSettings::max_series(result.report.as_ref());
    let (left, rest) = top(scored(|r| 1.0 - r.hit_ratio), max, |s| s.label.clone());
    if left.is_empty() {
        return planned(about, Err("no capacity sweep: every strategy ran at a single capacity".into()));
    }
    // The right plot draws the same strategies, in the same order.
    let right_all = scored(|r| 1.0 - r.byte_hit_ratio);
    let right = left
        .iter()
        .filter_map(|l| right_all.iter().find(|r| r.0.label == l.label).map(|r| r.0.clone()))
        .collect();
    let all = left.iter().flat_map(|s| s.points.iter());
    let (lo, hi) = all.fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let y = Axis::linear("miss ratio", 0.0, 1.0, |v| format!("{v:.1}"));
    let chart = |title: &str, series| LineChart {
        title: title.into(),
        x: capacity_axis(unit, lo, hi),
        y: y.clone(),
        series,
        marker: None,
    };
    let figure = Figure::Pair(Box::new(PairChart {
        title: "Object vs byte miss ratio".into(),
        left: chart("misses / reads", left),
        right: chart("missed bytes / bytes read", right),
    }));
    planned(&format!("{about}{}", rest_note(&rest)), Ok(figure))
}
