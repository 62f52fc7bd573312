//! Miss-ratio curves: miss ratio against cache size, one line per strategy, Belady (the
//! optimal policy) drawn as the lower bound. One chart per capacity unit in the run.

use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{RunResult, StrategyResult};
use crate::model::CapacityUnit;
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::{Dash, Palette, is_bound};

/// The miss-ratio curve of each capacity unit (objects, bytes) present in the run.
pub fn plan(result: &RunResult, palette: &Palette) -> Vec<Planned> {
    let mut units: Vec<CapacityUnit> = result.results.iter().filter_map(|r| r.capacity_unit).collect();
    units.sort_unstable_by_key(|u| u.as_str());
    units.dedup();
    if units.is_empty() {
        units.push(CapacityUnit::Objects);
    }
    units.into_iter().map(|unit| curve(result, palette, unit)).collect()
}

fn curve(result: &RunResult, palette: &Palette, unit: CapacityUnit) -> Planned {
    let unit_name = unit.as_str();
    let title = format!("Miss-ratio curve ({unit_name})");
    let about = "Miss ratio (share of reads that reach the origin) at each cache size: lower is better. \
                 Belady, the optimal offline policy, is the dashed black lower bound no real policy can beat.";
    let stem = format!("miss-ratio-curve-{unit_name}");
    let planned = |figure| Planned::new(&stem, &format!("Miss-ratio curve ({unit_name})"), about, figure);
    let mut series: Vec<Series> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for r in &result.results {
        if r.capacity_unit == Some(unit) && !names.contains(&r.strategy.as_str()) {
            names.push(&r.strategy);
        }
    }
    for name in names {
        let mut cells: Vec<&StrategyResult> = result
            .results
            .iter()
            .filter(|r| r.strategy == name && r.capacity_unit == Some(unit))
            .filter(|r| r.capacity_value.is_some_and(|c| c > 0))
            .collect();
        cells.sort_by_key(|r| r.capacity_value);
        let Some(first) = cells.first() else { continue };
        let bound = is_bound(first);
        series.push(Series {
            label: if bound { format!("{name} (optimal bound)") } else { name.to_string() },
            colour: palette.strategy_colour(first),
            dash: if bound { Dash::Dashed(10) } else { Dash::Solid },
            points: cells.iter().map(|r| (r.capacity_value.unwrap_or(1) as f64, 1.0 - r.hit_ratio)).collect(),
            markers: true,
        });
    }
    if !series.iter().any(|s| s.points.len() >= 2) {
        return planned(Err(format!(
            "no capacity sweep in {unit_name}: every strategy ran at a single capacity (give `capacity` a \
             list, e.g. capacity = [1000, 10000, 100000], to draw a miss-ratio curve)"
        )));
    }
    // Draw the bound last so it stays visible where it touches other lines.
    series.sort_by_key(|s| s.colour == crate::report::style::BOUND);
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((f64::MAX, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let worst = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y_hi = (((worst + 0.05) * 10.0).ceil() / 10.0).min(1.0);
    let x = match unit {
        CapacityUnit::Bytes => {
            Axis::log_bytes("cache size (bytes, log scale)", lo / 1.25, hi * 1.25, format::bytes)
        }
        CapacityUnit::Objects => {
            Axis::log(format!("cache size ({unit_name}, log scale)"), lo / 1.25, hi * 1.25, format::count)
        }
    };
    let y = Axis::linear("miss ratio (misses / reads)", 0.0, y_hi, |v| format!("{v:.2}"));
    planned(Ok(Figure::Line(LineChart { title, x, y, series, marker: None })))
}
