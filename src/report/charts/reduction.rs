//! Miss-ratio reduction against a baseline policy at each cache size, as bars: how the SIEVE
//! (Zhang et al., NSDI 2024) and S3-FIFO (Yang et al., SOSP 2023) papers report results.
//! Reduction = (baseline miss ratio − miss ratio) / baseline miss ratio; above zero is better.

use super::crowd::{rest_note, top};
use super::grouped::{BarSeries, GroupedBars};
use super::mrc::{sweeps, units};
use super::{Figure, Planned};
use crate::metrics::{ReportSettings, RunResult, StrategyResult};
use crate::model::CapacityUnit;
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::Palette;

/// The baseline's rows: the strategy named (or of the kind) `[report] baseline`, else kind
/// `fifo`, else `lru`.
pub fn baseline(result: &RunResult) -> Option<&str> {
    let wanted: Vec<&str> = match result.report.as_ref().and_then(|r| r.baseline.as_deref()) {
        Some(b) => vec![b],
        None => vec!["fifo", "lru"],
    };
    wanted.into_iter().find_map(|w| {
        result
            .results
            .iter()
            .find(|r| !r.bound && (r.strategy == w || r.kind == w))
            .map(|r| r.strategy.as_str())
    })
}

/// The reduction chart of the run's first capacity unit.
pub fn plan(result: &RunResult, palette: &Palette) -> Planned {
    let unit = units(result)[0];
    let base = baseline(result);
    let about = format!(
        "Miss-ratio reduction relative to {} at each cache size: (baseline miss ratio − miss ratio) / baseline \
         miss ratio. Above zero misses less than the baseline; the longest bar is best. `baseline` in [report] \
         picks the baseline.",
        base.unwrap_or("the baseline")
    );
    let figure = match base {
        None => {
            Err("no baseline: the run has no FIFO or LRU strategy and [report] names no baseline".to_string())
        }
        Some(base) => bars(result, palette, unit, base),
    };
    let (figure, rest) = match figure {
        Ok((f, rest)) => (Ok(f), rest),
        Err(e) => (Err(e), Vec::new()),
    };
    Planned::new(
        "miss-ratio-reduction",
        "Miss-ratio reduction",
        &format!("{about}{}", rest_note(&rest)),
        figure,
    )
}

fn bars(
    result: &RunResult,
    palette: &Palette,
    unit: CapacityUnit,
    base: &str,
) -> Result<(Figure, Vec<String>), String> {
    let sweeps = sweeps(result, unit);
    let base_rows = sweeps
        .iter()
        .find(|s| s[0].strategy == base)
        .ok_or_else(|| format!("the baseline `{base}` has no capacity in {} to compare at", unit.as_str()))?;
    let sizes: Vec<u64> = base_rows.iter().filter_map(|r| r.capacity_value).collect();
    let base_miss = |size: u64| {
        base_rows
            .iter()
            .find(|r| r.capacity_value == Some(size))
            .map(|r| 1.0 - r.hit_ratio)
            .filter(|m| *m > 0.0)
    };
    let reduction = |cells: &[&StrategyResult], size: u64| {
        let row = cells.iter().find(|r| r.capacity_value == Some(size))?;
        let b = base_miss(size)?;
        Some(100.0 * (b - (1.0 - row.hit_ratio)) / b)
    };
    let scored: Vec<(BarSeries, f64, bool)> = sweeps
        .iter()
        .filter(|cells| cells[0].strategy != base && !cells[0].bound)
        .map(|cells| {
            let values: Vec<Option<f64>> = sizes.iter().map(|&s| reduction(cells, s)).collect();
            let known: Vec<f64> = values.iter().flatten().copied().collect();
            let mean = known.iter().sum::<f64>() / known.len().max(1) as f64;
            let series = BarSeries {
                label: cells[0].strategy.clone(),
                colour: palette.strategy_colour(cells[0]),
                values,
            };
            (series, -mean, false)
        })
        .filter(|s| s.0.values.iter().any(Option::is_some))
        .collect();
    if scored.is_empty() {
        return Err(format!("no other strategy ran at the sizes of the baseline `{base}`"));
    }
    let (series, rest) = top(scored, ReportSettings::max_series(result.report.as_ref()), |s| s.label.clone());
    let all = series.iter().flat_map(|s| s.values.iter().flatten().copied());
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = (hi - lo).max(1.0) * 0.08;
    let axis = Axis::linear(
        format!("miss-ratio reduction vs {base} (%)"),
        lo - if lo < 0.0 { pad } else { 0.0 },
        hi + pad,
        |v| format!("{}%", format::significant(v, 3)),
    );
    let groups = sizes
        .iter()
        .map(|&s| match unit {
            CapacityUnit::Bytes => format::bytes(s as f64),
            CapacityUnit::Objects => format::count(s as f64),
        })
        .collect();
    let figure = Figure::Grouped(GroupedBars {
        title: format!("Miss-ratio reduction vs {base}"),
        group_desc: format!("cache size ({})", unit.as_str()),
        groups,
        value_axis: axis,
        series,
    });
    Ok((figure, rest))
}
