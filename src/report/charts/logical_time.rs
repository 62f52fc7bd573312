//! Hit ratio over logical time in a simulation: one line per strategy at one cache size, per
//! interval of requests, so that warm-up and popularity shifts show.

use super::crowd::{rest_note, top};
use super::mrc::units;
use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{Backend, ReportSettings, RunResult, StrategyResult};
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::{Dash, Palette, family, is_bound};

/// The size the chart shows: the middle of the sizes at which most strategies recorded
/// intervals (in the run's first capacity unit).
fn size(result: &RunResult) -> Option<u64> {
    let unit = units(result)[0];
    let with_series = |r: &&StrategyResult| r.capacity_unit == Some(unit) && !r.intervals.is_empty();
    let mut sizes: Vec<u64> =
        result.results.iter().filter(with_series).filter_map(|r| r.capacity_value).collect();
    sizes.sort_unstable();
    let count = |s: u64| sizes.iter().filter(|&&v| v == s).count();
    let most = sizes.iter().map(|&s| count(s)).max()?;
    let mut common: Vec<u64> = sizes.iter().copied().filter(|&s| count(s) == most).collect();
    common.dedup();
    common.get(common.len() / 2).copied()
}

/// The chart, or why there is none.
pub fn plan(result: &RunResult, palette: &Palette) -> Planned {
    let about = "Hit ratio of each interval of requests at one cache size, warm-up included (left of the marker). \
                 A line still rising at the right edge means the cache had not warmed up; steps show \
                 popularity shifts.";
    let Some(size) = size(result) else {
        let why = if result.results.iter().any(|r| r.load.is_some()) {
            "a load run records its time series per second (see hit ratio over time)"
        } else {
            "no strategy recorded hits per interval of requests (results written before this chart existed)"
        };
        return Planned::new(
            "hit-ratio-over-requests",
            "Hit ratio over logical time",
            about,
            Err(why.to_string()),
        );
    };
    let rows: Vec<&StrategyResult> = result
        .results
        .iter()
        .filter(|r| r.capacity_value == Some(size) && !r.intervals.is_empty() && r.backend != Backend::None)
        .collect();
    let scored: Vec<(Series, f64, bool)> = rows
        .iter()
        .map(|r| {
            let bound = is_bound(r);
            let points = r
                .intervals
                .iter()
                .filter(|i| i.hits + i.misses > 0)
                .map(|i| ((i.from_request + i.requests as i64 / 2) as f64, i.hit_ratio()))
                .collect();
            let series = Series {
                label: if bound { format!("{} (optimal bound)", r.strategy) } else { r.strategy.clone() },
                colour: palette.strategy_colour(r),
                dash: if bound { Dash::Dashed(10) } else { Dash::Solid },
                points,
                marker: (!bound).then(|| family(&r.kind)),
            };
            (series, -r.hit_ratio, bound)
        })
        .collect();
    let (series, rest) = top(scored, ReportSettings::max_series(result.report.as_ref()), |s| s.label.clone());
    let label = format::capacity(rows[0]);
    let title = format!("Hit ratio over logical time at {label}");
    let all = || series.iter().flat_map(|s| s.points.iter());
    let (t0, t1) = all().fold((0.0f64, 1.0f64), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let x = Axis::linear("requests since warm-up ended", t0, t1, format::count);
    let y = Axis::linear("hit ratio (hits / reads)", 0.0, 1.0, |v| format!("{v:.1}"));
    let marker = (t0 < 0.0).then(|| (0.0, "warm-up ends".to_string()));
    let figure = Figure::Line(LineChart { title: title.clone(), x, y, series, marker });
    Planned::new("hit-ratio-over-requests", &title, &format!("{about}{}", rest_note(&rest)), Ok(figure))
}
