//! Latency percentile distributions (HdrHistogram style): latency on a log scale against the
//! percentile, spaced by 1 / (1 - p) so that p99, p99.9 and p99.99 get equal room.

use super::totals::no_wall_clock;
use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{LatencySummary, LoadMeasurements, RunResult};
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::Palette;

/// The furthest percentile drawn: p99.9999 (x = 10^6).
const MAX_X: f64 = 1e6;

/// Hits, misses and end to end, each its own chart.
pub fn plan(result: &RunResult, palette: &Palette) -> Vec<Planned> {
    type Pick = fn(&LoadMeasurements) -> Option<&LatencySummary>;
    let kinds: [(&str, &str, &str, Pick); 3] = [
        (
            "latency-hits",
            "Latency of cache hits",
            "Time of a cache `get` that found the value, by percentile.",
            |l| l.get_hit.as_ref(),
        ),
        (
            "latency-misses",
            "Latency of cache misses",
            "Time of a cache `get` that found nothing (before the origin fetch), by percentile.",
            |l| l.get_miss.as_ref(),
        ),
        (
            "latency-end-to-end",
            "End-to-end request latency",
            "Whole request: the cache lookup, plus the origin fetch and the cache write on a miss.",
            |l| l.end_to_end.as_ref(),
        ),
    ];
    kinds
        .into_iter()
        .map(|(stem, title, about, pick)| {
            let about = format!(
                "{about} Read left to right: median (p50) to the rarest tail (p99.99); lower is better. \
                 Both axes are logarithmic."
            );
            Planned::new(stem, title, &about, chart(result, palette, title, pick))
        })
        .collect()
}

/// x position of percentile `pct` (0..100): 1 / (1 - p).
fn x_of(pct: f64) -> f64 {
    (1.0 / (1.0 - pct / 100.0)).min(MAX_X)
}

fn chart(
    result: &RunResult,
    palette: &Palette,
    title: &str,
    pick: fn(&LoadMeasurements) -> Option<&LatencySummary>,
) -> Result<Figure, String> {
    let series: Vec<Series> = result
        .results
        .iter()
        .filter_map(|r| {
            let summary = pick(r.load.as_ref()?)?;
            let points: Vec<(f64, f64)> = summary
                .distribution
                .iter()
                .filter(|(pct, _)| *pct < 100.0)
                .map(|&(pct, us)| (x_of(pct), us.max(1) as f64 / 1000.0))
                .collect();
            (!points.is_empty()).then(|| Series {
                label: format!("{} (p99 {})", format::label(r), format::micros(summary.p99_us as f64)),
                colour: palette.colour(r),
                dash: palette.dash(r),
                points,
                marker: None,
            })
        })
        .collect();
    if series.is_empty() {
        return Err(no_wall_clock(result, &title.to_lowercase()));
    }
    let points = || series.iter().flat_map(|s| s.points.iter());
    let x_max = points().map(|p| p.0).fold(100.0, f64::max);
    let x_hi = (x_max * 1.5).min(MAX_X);
    let (y_lo, y_hi) = points().fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let ticks = [(1.0, "p0"), (2.0, "p50"), (10.0, "p90"), (100.0, "p99"), (1e3, "p99.9"), (1e4, "p99.99")]
        .into_iter()
        .chain([(1e5, "p99.999"), (1e6, "p99.9999")])
        .map(|(x, l)| (x, l.to_string()))
        .collect();
    let x = Axis::log_with_ticks("percentile (log scale of 1 / (1 - p))", 1.0, x_hi, ticks);
    let y = Axis::log("latency (ms, log scale)", y_lo / 1.5, y_hi * 1.5, |v| format::significant(v, 3));
    Ok(Figure::Line(LineChart { title: title.into(), x, y, series, marker: None }))
}
