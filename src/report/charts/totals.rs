//! Bars per strategy and capacity: hit ratio (every run) and throughput (load runs).

use super::{Bar, BarChart, Figure, Planned};
use crate::metrics::RunResult;
use crate::report::axis::Axis;
use crate::report::format;
use crate::report::style::Palette;

/// The hit-ratio and throughput charts.
pub fn plan(result: &RunResult, palette: &Palette) -> Vec<Planned> {
    vec![hit_ratio(result, palette), throughput(result, palette)]
}

/// Most bars a bar chart shows; beyond that the miss-ratio curve is the readable view.
pub const MAX_BARS: usize = 30;

fn hit_ratio(result: &RunResult, palette: &Palette) -> Planned {
    let bars: Vec<Bar> = result
        .results
        .iter()
        .map(|r| Bar {
            label: format::label(r),
            value: r.hit_ratio,
            colour: palette.colour(r),
            text: format::ratio(r.hit_ratio),
        })
        .collect();
    let figure = if bars.is_empty() {
        Err("the run has no results".to_string())
    } else if bars.len() > MAX_BARS {
        Err(format!(
            "{} strategy and capacity pairs are too many for bars; the miss-ratio curve shows them all",
            bars.len()
        ))
    } else {
        // Room past 1.0 for the numbers; ticks stop at 1.
        let axis = Axis::linear("hit ratio (hits / reads)", 0.0, 1.15, |v| {
            if v <= 1.0 + 1e-9 { format!("{v:.1}") } else { String::new() }
        });
        Ok(Figure::Bars(BarChart { title: "Hit ratio".into(), value_axis: axis, bars }))
    };
    Planned::new(
        "hit-ratio",
        "Hit ratio",
        "Share of reads served from the cache over the measured requests (after warm-up). Longer is better.",
        figure,
    )
}

fn throughput(result: &RunResult, palette: &Palette) -> Planned {
    let bars: Vec<Bar> = result
        .results
        .iter()
        .filter_map(|r| {
            let load = r.load.as_ref()?;
            Some(Bar {
                label: format::label(r),
                value: load.throughput_rps,
                colour: palette.colour(r),
                text: format!("{} req/s", format::count(load.throughput_rps)),
            })
        })
        .collect();
    let figure = if bars.is_empty() {
        Err(no_wall_clock(result, "throughput"))
    } else if bars.len() > MAX_BARS {
        Err(format!(
            "{} strategy and capacity pairs are too many for bars; see the summary table",
            bars.len()
        ))
    } else {
        let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let axis = Axis::linear("throughput (requests/s)", 0.0, max.max(1.0) * 1.25, |v| {
            if v <= max * 1.05 { format::count(v) } else { String::new() }
        });
        Ok(Figure::Bars(BarChart { title: "Throughput".into(), value_axis: axis, bars }))
    };
    Planned::new(
        "throughput",
        "Throughput",
        "Requests completed per second of wall-clock time over the measured part. Longer is better.",
        figure,
    )
}

/// Why a wall-clock chart is missing.
pub fn no_wall_clock(result: &RunResult, what: &str) -> String {
    if result.mode == "simulation" {
        "this was a simulation: it counts hits and misses in logical time and measures no wall clock \
         (add a [load] section to the scenario to measure it)"
            .to_string()
    } else {
        format!("no {what}: no strategy recorded wall-clock measurements")
    }
}
