//! Line charts: one line (optionally with markers) per series over two [`Axis`]es, with the
//! legend in its own column to the right so that it never hides a line.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, text};
use crate::report::axis::Axis;
use crate::report::style::Dash;

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
    /// Draw a dot at each point (for sparse data such as capacity sweeps).
    pub markers: bool,
}

/// A line chart.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Caption.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// The lines, drawn in order (later on top); listed in the legend in the same order.
    pub series: Vec<Series>,
    /// A labelled vertical marker line, e.g. the end of warm-up.
    pub marker: Option<(f64, String)>,
}

/// Pixels per legend entry.
const LEGEND_ROW: i32 = 20;

impl LineChart {
    /// Draws the chart onto `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0).titled(&self.title, text(24).style(FontStyle::Bold))?;
        let widest = self.series.iter().map(|s| s.label.chars().count()).max().unwrap_or(0) as u32;
        let legend_width = (widest * 15 / 2 + 56).clamp(120, 380);
        let (plot, legend) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(legend_width));
        let mut chart = ChartBuilder::on(&plot)
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
        for s in &self.series {
            let style = s.colour.stroke_width(2);
            let points = s.points.iter().copied();
            match s.dash {
                Dash::Solid => chart.draw_series(LineSeries::new(points, style))?,
                Dash::Dashed(len) => {
                    chart.draw_series(DashedLineSeries::new(points, len, (len / 2).max(3), style))?
                }
            };
            if s.markers {
                chart.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, s.colour.filled())))?;
            }
        }
        self.draw_legend(&legend)?;
        root.present()
    }

    /// One row per series: a stroke sample and the label, top-aligned with the plot.
    fn draw_legend<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let label_style = text(14).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, s) in self.series.iter().enumerate() {
            let y = 24 + LEGEND_ROW * i as i32;
            let style = s.colour.stroke_width(2);
            match s.dash {
                Dash::Solid => area.draw(&PathElement::new(vec![(4, y), (32, y)], style))?,
                Dash::Dashed(len) => {
                    let len = len.min(8);
                    area.draw(&DashedPathElement::new(vec![(4, y), (32, y)], len, (len / 2).max(3), style))?
                }
            }
            if s.markers {
                area.draw(&Circle::new((18, y), 3, s.colour.filled()))?;
            }
            area.draw(&Text::new(s.label.as_str(), (40, y), label_style.clone()))?;
        }
        Ok(())
    }
}
