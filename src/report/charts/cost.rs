//! Total monthly cost against capacity per strategy, at the scenario's `[costs]` prices, with
//! the cheapest point marked.

use super::crowd::{rest_note, top};
use super::mrc::{capacity_axis, sweep_series, sweeps, units};
use super::{Figure, LineChart, Planned, Series};
use crate::metrics::{Backend, ReportSettings, RunResult};
use crate::report::axis::Axis;
use crate::report::costs::{cheapest, money, monthly};
use crate::report::format;
use crate::report::style::{BASELINE, Dash, Palette};

/// The cost chart, or why there is none.
pub fn plan(result: &RunResult, palette: &Palette) -> Planned {
    let about = "What a month would cost at each cache size: memory at the [costs] price plus the origin work \
                 (requests and egress) of the misses, scaled to requests_per_month. The dotted line marks the \
                 cheapest point.";
    let planned = |title: &str, about: &str, figure| Planned::new("cost", title, about, figure);
    let Some(costs) = &result.costs else {
        return planned(
            "Monthly cost",
            about,
            Err("no [costs] in the scenario: add prices to draw cost per capacity".into()),
        );
    };
    let unit = units(result)[0];
    let scored: Vec<(Series, f64, bool)> = sweeps(result, unit)
        .iter()
        .filter(|cells| !cells[0].bound)
        .filter_map(|cells| {
            let priced: Vec<_> = cells.iter().copied().filter(|r| monthly(costs, r).is_some()).collect();
            if priced.is_empty() {
                return None;
            }
            let s = sweep_series(palette, &priced, |r| monthly(costs, r).map_or(0.0, |c| c.total));
            let least = s.points.iter().map(|p| p.1).fold(f64::MAX, f64::min);
            Some((s, least, false))
        })
        .collect();
    let (mut series, rest) =
        top(scored, ReportSettings::max_series(result.report.as_ref()), |s| s.label.clone());
    let Some((best, best_cost)) = cheapest(result) else {
        return planned(
            "Monthly cost",
            about,
            Err("no strategy's memory is known, so none can be priced".into()),
        );
    };
    if series.is_empty() {
        return planned("Monthly cost", about, Err("no strategy ran at a capacity to price".into()));
    }
    let all = || series.iter().flat_map(|s| s.points.iter());
    let (lo, hi) = all().fold((f64::MAX, 0.0f64), |(lo, hi), p| (lo.min(p.0), hi.max(p.0)));
    let top_cost = all().map(|p| p.1).fold(0.0, f64::max) * 1.15;
    let mut note = String::new();
    if let Some((none, c)) = result
        .results
        .iter()
        .filter(|r| r.backend == Backend::None)
        .find_map(|r| Some((r, monthly(costs, r)?)))
    {
        if c.total <= top_cost {
            series.push(Series {
                label: format!("{} (no cache)", none.strategy),
                colour: BASELINE,
                dash: Dash::Dashed(8),
                points: vec![(lo, c.total), (hi, c.total)],
                marker: None,
            });
        } else {
            note = format!(
                " Without a cache ({}) a month would cost {}, above the chart.",
                none.strategy,
                money(costs, c.total)
            );
        }
    }
    let title = format!("Monthly cost: cheapest {} ({})", format::label(best), money(costs, best_cost.total));
    let x = capacity_axis(unit, lo, hi);
    let y = Axis::linear(format!("total cost ({}/month)", costs.currency), 0.0, top_cost.max(1e-9), |v| {
        format::significant(v, 3)
    });
    let marker = best
        .capacity_value
        .filter(|_| best.capacity_unit == Some(unit))
        .map(|c| (c as f64, "cheapest".to_string()));
    let figure = Figure::Line(LineChart { title: title.clone(), x, y, series, marker });
    planned(&title, &format!("{about}{note}{}", rest_note(&rest)), Ok(figure))
}
