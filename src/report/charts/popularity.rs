//! A trace's popularity: requests per object against popularity rank on log-log axes, with the
//! fitted Zipf line (a straight line of slope −α there).

use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{RunResult, TraceSummary};
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::{BOUND, Dash};

/// Colour of the trace's own curve.
const TRACE: plotters::style::RGBColor = plotters::style::RGBColor(0x4E, 0x79, 0xA7);

/// The rank/frequency chart of a trace run (none for scenario runs).
pub fn plan(result: &RunResult) -> Vec<Planned> {
    let Some(trace) = &result.trace else { return Vec::new() };
    let about = "How often each object is requested, most popular first, on log-log axes. A straight line \
                 means Zipf-like popularity; the steeper it is (larger α), the more a small cache catches.";
    vec![Planned::new("popularity", "Trace popularity (rank / frequency)", about, chart(trace))]
}

fn chart(trace: &TraceSummary) -> Result<Figure, String> {
    let points: Vec<(f64, f64)> =
        trace.popularity.iter().filter(|p| p.1 > 0).map(|&(rank, n)| (rank as f64, n as f64)).collect();
    if points.len() < 2 {
        return Err("the trace has fewer than two distinct objects".into());
    }
    let mut series = vec![Series {
        label: format!("{} ({} objects)", file_name(&trace.path), format::count(trace.unique_objects as f64)),
        colour: TRACE,
        dash: Dash::Solid,
        points: points.clone(),
        marker: None,
    }];
    if let Some(alpha) = trace.zipf_alpha {
        // The fitted line through the centroid of the sampled points in log space.
        let n = points.len() as f64;
        let mean_x = points.iter().map(|p| p.0.ln()).sum::<f64>() / n;
        let mean_y = points.iter().map(|p| p.1.ln()).sum::<f64>() / n;
        let at = |rank: f64| (mean_y - alpha * (rank.ln() - mean_x)).exp();
        let (first, last) = (points[0].0, points[points.len() - 1].0);
        series.push(Series {
            label: format!("Zipf fit, α = {}", format::significant(alpha, 3)),
            colour: BOUND,
            dash: Dash::Dashed(8),
            points: vec![(first, at(first)), (last, at(last))],
            marker: None,
        });
    }
    let all = || series.iter().flat_map(|s| s.points.iter());
    let x_hi = all().map(|p| p.0).fold(1.0, f64::max);
    let (y_lo, y_hi) = all().fold((f64::MAX, 1.0f64), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    Ok(Figure::Line(LineChart {
        title: "Trace popularity (rank / frequency)".into(),
        x: Axis::log("popularity rank (log scale)", 0.8, x_hi * 1.25, format::count),
        y: Axis::log("requests per object (log scale)", (y_lo / 1.5).max(0.5), y_hi * 1.5, format::count),
        series,
        marker: None,
    }))
}

/// The last component of `path`.
fn file_name(path: &str) -> &str {
    std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or(path)
}
