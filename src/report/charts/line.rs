//! Line charts: one line (optionally with family markers) per series over two [`Axis`]es,
//! with the legend in its own column to the right so that it never hides a line; and two
//! such plots side by side sharing one legend.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, text};
use crate::report::axis::Axis;
use crate::report::style::{Dash, Shape};

/// One line of a chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Line colour.
    pub colour: RGBColor,
    /// Stroke pattern.
    pub dash: Dash,
    /// Points in data coordinates, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// The marker drawn at the points (at most [`MARKERS`] of them, evenly spread), and in
    /// the legend; `None` for a bare line.
    pub marker: Option<Shape>,
}

/// Most markers on one line: a dense series gets every k-th point marked.
pub const MARKERS: usize = 12;

/// A line chart.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Caption.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// The lines, listed in the legend in this order (the first on top in the drawing).
    pub series: Vec<Series>,
    /// A labelled vertical marker line, e.g. the end of warm-up.
    pub marker: Option<(f64, String)>,
}

/// Two line charts side by side under one title, sharing the left one's legend.
#[derive(Debug, Clone)]
pub struct PairChart {
    /// Caption over both.
    pub title: String,
    /// Left plot (its title is the plot's subtitle; its series make the legend).
    pub left: LineChart,
    /// Right plot.
    pub right: LineChart,
}

/// Pixels per legend entry.
const LEGEND_ROW: i32 = 20;

fn legend_width(series: &[Series]) -> u32 {
    let widest = series.iter().map(|s| s.label.chars().count()).max().unwrap_or(0) as u32;
    (widest * 15 / 2 + 56).clamp(120, 380)
}

impl LineChart {
    /// Draws the chart onto `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0).titled(&self.title, text(24).style(FontStyle::Bold))?;
        let (plot, legend) =
            area.split_horizontally(area.dim_in_pixel().0.saturating_sub(legend_width(&self.series)));
        self.draw_plot(&plot)?;
        draw_legend(&self.series, &legend)?;
        root.present()
    }

    /// The axes and lines, without title or legend.
    fn draw_plot<DB: DrawingBackend>(&self, plot: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let mut chart = ChartBuilder::on(plot)
            .margin(12)
            .margin_right(28)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(self.x.clone(), self.y.clone())?;
        chart
            .configure_mesh()
            .x_desc(self.x.desc.as_str())
            .y_desc(self.y.desc.as_str())
            .axis_desc_style(text(17))
            .label_style(text(14))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        if let Some((x, label)) = &self.marker {
            let Range { start: y0, end: y1 } = self.y.range();
            let grey = RGBColor(120, 120, 120);
            chart.draw_series(DashedLineSeries::new([(*x, y0), (*x, y1)], 6, 4, grey.stroke_width(1)))?;
            let style = text(13).color(&grey).pos(Pos::new(HPos::Left, VPos::Top));
            chart.draw_series(std::iter::once(Text::new(format!(" {label}"), (*x, y1), style)))?;
        }
        // Later series are drawn on top.
        for s in &self.series {
            let style = s.colour.stroke_width(2);
            let points = s.points.iter().copied();
            match s.dash {
                Dash::Solid => chart.draw_series(LineSeries::new(points, style))?,
                Dash::Dashed(len) => {
                    chart.draw_series(DashedLineSeries::new(points, len, (len / 2).max(3), style))?
                }
            };
            if let Some(shape) = s.marker {
                let every = s.points.len().div_ceil(MARKERS).max(1);
                let plotting = chart.plotting_area();
                let pixels = plotting.strip_coord_spec();
                let (bx, by) = plotting.get_base_pixel();
                for p in s.points.iter().step_by(every) {
                    let (x, y) = plotting.map_coordinate(p);
                    draw_marker(&pixels, shape, (x - bx, y - by), s.colour)?;
                }
            }
        }
        Ok(())
    }
}

impl PairChart {
    /// Draws both plots and the shared legend onto `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0).titled(&self.title, text(24).style(FontStyle::Bold))?;
        let width = area.dim_in_pixel().0;
        let legend_w = legend_width(&self.left.series).min(220);
        let (plots, legend) = area.split_horizontally(width.saturating_sub(legend_w));
        let half = plots.dim_in_pixel().0 / 2;
        let (left, right) = plots.split_horizontally(half);
        for (plot, chart) in [(left, &self.left), (right, &self.right)] {
            let plot = plot.titled(&chart.title, text(17))?;
            chart.draw_plot(&plot)?;
        }
        draw_legend(&self.left.series, &legend)?;
        root.present()
    }
}

/// A marker of `shape` centred at pixel `at` on an area in pixel coordinates.
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Shape,
    (x, y): (i32, i32),
    colour: RGBColor,
) -> DrawResult<DB> {
    let r = 5;
    match shape {
        Shape::Circle => area.draw(&Circle::new((x, y), 4, colour.filled())),
        Shape::Square => area.draw(&Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], colour.filled())),
        Shape::Triangle => {
            area.draw(&Polygon::new(vec![(x, y - r), (x - r, y + 4), (x + r, y + 4)], colour.filled()))
        }
        Shape::Diamond => {
            area.draw(&Polygon::new(vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)], colour.filled()))
        }
        Shape::Cross => {
            area.draw(&PathElement::new(vec![(x - 4, y - 4), (x + 4, y + 4)], colour.stroke_width(2)))?;
            area.draw(&PathElement::new(vec![(x - 4, y + 4), (x + 4, y - 4)], colour.stroke_width(2)))
        }
    }
}

/// One row per series: a stroke sample with its marker and the label, top-aligned with the
/// plot.
fn draw_legend<DB: DrawingBackend>(series: &[Series], area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    let label_style = text(14).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, s) in series.iter().enumerate() {
        let y = 24 + LEGEND_ROW * i as i32;
        let style = s.colour.stroke_width(2);
        match s.dash {
            Dash::Solid => area.draw(&PathElement::new(vec![(4, y), (32, y)], style))?,
            Dash::Dashed(len) => {
                let len = len.min(8);
                area.draw(&DashedPathElement::new(vec![(4, y), (32, y)], len, (len / 2).max(3), style))?
            }
        }
        if let Some(shape) = s.marker {
            draw_marker(area, shape, (18, y), s.colour)?;
        }
        area.draw(&Text::new(s.label.as_str(), (40, y), label_style.clone()))?;
    }
    Ok(())
}
