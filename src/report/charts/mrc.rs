//! Miss-ratio curves: miss ratio against cache size, one line per strategy (marker by policy
//! family, legend best first), Belady (the optimal policy) drawn as the lower bound, and any
//! one-pass curves the results carry. One chart per capacity unit in the run.

use super::crowd::{rest_note, top};
use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{ReportSettings, RunResult, StrategyResult};
use crate::model::CapacityUnit;
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::{Dash, Palette, family, is_bound};

/// The capacity units of the run's sweeps (objects first), at least one.
pub fn units(result: &RunResult) -> Vec<CapacityUnit> {
    let mut units: Vec<CapacityUnit> = result
        .results
        .iter()
        .filter_map(|r| r.capacity_unit)
        .chain(result.curves.iter().map(|c| c.capacity_unit))
        .collect();
    units.sort_unstable_by_key(|u| u.as_str() != "objects");
    units.dedup();
    if units.is_empty() {
        units.push(CapacityUnit::Objects);
    }
    units
}

/// The miss-ratio curve of each capacity unit (objects, bytes) present in the run.
pub fn plan(result: &RunResult, palette: &Palette) -> Vec<Planned> {
    units(result).into_iter().map(|unit| curve(result, palette, unit)).collect()
}

/// Each strategy's rows in `unit` with a capacity, smallest first, in order of appearance.
pub fn sweeps(result: &RunResult, unit: CapacityUnit) -> Vec<Vec<&StrategyResult>> {
    let mut out: Vec<Vec<&StrategyResult>> = Vec::new();
    for r in result
        .results
        .iter()
        .filter(|r| r.capacity_unit == Some(unit) && r.capacity_value.is_some_and(|c| c > 0))
    {
        match out.iter_mut().find(|s| s[0].strategy == r.strategy) {
            Some(s) => s.push(r),
            None => out.push(vec![r]),
        }
    }
    for s in &mut out {
        s.sort_by_key(|r| r.capacity_value);
    }
    out
}

/// A log capacity axis over `lo..hi` in `unit`.
pub fn capacity_axis(unit: CapacityUnit, lo: f64, hi: f64) -> Axis {
    match unit {
        CapacityUnit::Bytes => {
            Axis::log_bytes("cache size (bytes, log scale)", lo / 1.25, hi * 1.25, format::bytes)
        }
        CapacityUnit::Objects => {
            Axis::log("cache size (objects, log scale)", lo / 1.25, hi * 1.25, format::count)
        }
    }
}

/// The line of one strategy's sweep, `value` of each row against its capacity.
pub fn sweep_series(
    palette: &Palette,
    cells: &[&StrategyResult],
    value: impl Fn(&StrategyResult) -> f64,
) -> Series {
    let first = cells[0];
    let bound = is_bound(first);
    Series {
        label: if bound { format!("{} (optimal bound)", first.strategy) } else { first.strategy.clone() },
        colour: palette.strategy_colour(first),
        dash: if bound { Dash::Dashed(10) } else { Dash::Solid },
        points: cells.iter().map(|r| (r.capacity_value.unwrap_or(1) as f64, value(r))).collect(),
        marker: (!bound).then(|| family(&first.kind)),
    }
}

fn curve(result: &RunResult, palette: &Palette, unit: CapacityUnit) -> Planned {
    let unit_name = unit.as_str();
    let title = format!("Miss-ratio curve ({unit_name})");
    let about = "Miss ratio (share of reads that reach the origin) at each cache size: lower is better. \
                 Belady, the optimal offline policy, is the dashed black lower bound no real policy can beat. \
                 Markers show the policy family (circle recency, square FIFO-like, triangle frequency, diamond \
                 adaptive); the legend lists the best first.";
    let stem = format!("miss-ratio-curve-{unit_name}");
    let scored: Vec<(Series, f64, bool)> = sweeps(result, unit)
        .iter()
        .map(|cells| {
            let s = sweep_series(palette, cells, |r| 1.0 - r.hit_ratio);
            let mean = s.points.iter().map(|p| p.1).sum::<f64>() / s.points.len() as f64;
            (s, mean, is_bound(cells[0]))
        })
        .collect();
    let sweep_drawn = scored.iter().any(|s| s.0.points.len() >= 2);
    let (mut series, rest) =
        top(scored, ReportSettings::max_series(result.report.as_ref()), |s| s.label.clone());
    for c in result.curves.iter().filter(|c| c.capacity_unit == unit && c.points.len() >= 2) {
        series.push(Series {
            label: format!("{} ({})", c.strategy, c.method),
            colour: palette.named(&c.strategy),
            dash: Dash::Dashed(6),
            points: c.points.iter().filter(|p| p.0 > 0).map(|&(x, m)| (x as f64, m)).collect(),
            marker: None,
        });
    }
    let planned = |figure| Planned::new(&stem, &title, &format!("{about}{}", rest_note(&rest)), figure);
    if !sweep_drawn && series.iter().all(|s| s.points.len() < 2) {
        return planned(Err(format!(
            "no capacity sweep in {unit_name}: every strategy ran at a single capacity (give `capacity` a \
             list, e.g. capacity = [1000, 10000, 100000], to draw a miss-ratio curve)"
        )));
    }
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((f64::MAX, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let worst = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y_hi = (((worst + 0.05) * 10.0).ceil() / 10.0).min(1.0);
    let x = capacity_axis(unit, lo, hi);
    let y = Axis::linear("miss ratio (misses / reads)", 0.0, y_hi, |v| format!("{v:.2}"));
    planned(Ok(Figure::Line(LineChart { title: title.clone(), x, y, series, marker: None })))
}
