//! Horizontal bar charts with the value written at the end of each bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, text};
use crate::report::axis::Axis;

/// One bar.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Category label (the series' legend text).
    pub label: String,
    /// Bar length in data units.
    pub value: f64,
    /// Bar colour.
    pub colour: RGBColor,
    /// The number written at the end of the bar.
    pub text: String,
}

/// A horizontal bar chart: one labelled bar per series, first at the top.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Caption.
    pub title: String,
    /// The value axis (horizontal); leave room past the longest bar for its number.
    pub value_axis: Axis,
    /// Bars, top to bottom.
    pub bars: Vec<Bar>,
}

impl BarChart {
    /// Draws the chart onto `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let n = self.bars.len();
        // Bar i sits at y = n - 1 - i so that the first bar is at the top.
        let labels: Vec<String> = self.bars.iter().rev().map(|b| b.label.clone()).collect();
        let categories = Axis::categories("", &labels);
        let widest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as u32;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, text(24).style(FontStyle::Bold))
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size((widest * 8 + 24).clamp(60, 320))
            .build_cartesian_2d(self.value_axis.clone(), categories)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(self.value_axis.desc.as_str())
            .axis_desc_style(text(17))
            .label_style(text(14))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        let half = 0.34;
        chart.draw_series(self.bars.iter().enumerate().map(|(i, b)| {
            let y = (n - 1 - i) as f64;
            Rectangle::new([(0.0, y - half), (b.value, y + half)], b.colour.filled())
        }))?;
        let anchor = Pos::new(HPos::Left, VPos::Center);
        chart.draw_series(self.bars.iter().enumerate().map(|(i, b)| {
            let y = (n - 1 - i) as f64;
            Text::new(format!(" {}", b.text), (b.value, y), text(15).color(&BLACK).pos(anchor))
        }))?;
        root.present()
    }
}
