//! Time series of load runs: hit ratio over time (warm-up and popularity shifts show up) and
//! the request rate reaching the origin.

use super::totals::no_wall_clock;
use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{RunResult, TimePoint};
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::Palette;

/// Hit ratio over time and origin load over time.
pub fn plan(result: &RunResult, palette: &Palette) -> Vec<Planned> {
    let hit_ratio = chart(
        result,
        palette,
        "Hit ratio over time",
        |p| p.hit_ratio,
        |_| String::new(),
        |_| Axis::linear("hit ratio (hits / reads)", 0.0, 1.0, |v| format!("{v:.1}")),
    );
    let origin = chart(
        result,
        palette,
        "Origin load over time",
        |p| p.origin_rps,
        |points| {
            let (sum, n) =
                points.iter().filter(|p| p.t_s >= 0.0).fold((0.0, 0), |(s, n), p| (s + p.origin_rps, n + 1));
            if n == 0 {
                String::new()
            } else {
                format!(" (mean {} req/s)", format::count(sum / f64::from(n)))
            }
        },
        |top| Axis::linear("origin load (requests/s)", 0.0, top.max(1.0) * 1.1, format::count),
    );
    vec![
        Planned::new(
            "hit-ratio-over-time",
            "Hit ratio over time",
            "Hit ratio of each interval. A line still rising at the right edge means the cache had not \
             warmed up; steps show popularity shifts. Time 0 is the end of warm-up.",
            hit_ratio,
        ),
        Planned::new(
            "origin-load",
            "Origin load over time",
            "Requests per second that missed the cache and reached the origin: what the backend behind \
             the cache must sustain. Lower is better.",
            origin,
        ),
    ]
}

fn chart(
    result: &RunResult,
    palette: &Palette,
    title: &str,
    value: fn(&TimePoint) -> f64,
    suffix: impl Fn(&[TimePoint]) -> String,
    y_axis: impl Fn(f64) -> Axis,
) -> Result<Figure, String> {
    let series: Vec<Series> = result
        .results
        .iter()
        .filter_map(|r| {
            let load = r.load.as_ref().filter(|l| !l.timeseries.is_empty())?;
            Some(Series {
                label: format!("{}{}", format::label(r), suffix(&load.timeseries)),
                colour: palette.colour(r),
                dash: palette.dash(r),
                points: load.timeseries.iter().map(|p| (p.t_s, value(p))).collect(),
                marker: None,
            })
        })
        .collect();
    if series.is_empty() {
        return Err(no_wall_clock(result, "time series"));
    }
    let all = || series.iter().flat_map(|s| s.points.iter());
    let (t0, t1) = all().fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let t0 = t0.min(0.0);
    let x = Axis::linear("time since warm-up ended (s)", t0, t1.max(t0 + 1.0), |v| format::significant(v, 3));
    let y = y_axis(all().map(|p| p.1).fold(0.0, f64::max));
    Ok(Figure::Line(LineChart {
        title: title.into(),
        x,
        y,
        series,
        marker: (t0 < 0.0).then(|| (0.0, "warm-up ends".to_string())),
    }))
}
