//! Vertical bars in groups: one group per category (a cache size), one bar per series in
//! each, coloured by series, with a zero line for negative values and the legend to the right.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{DrawResult, text};
use crate::report::axis::Axis;

/// One series of bars: a value per group (`None`: not measured there).
#[derive(Debug, Clone)]
pub struct BarSeries {
    /// Legend text.
    pub label: String,
    /// Bar colour.
    pub colour: RGBColor,
    /// One value per group.
    pub values: Vec<Option<f64>>,
}

/// A grouped bar chart.
#[derive(Debug, Clone)]
pub struct GroupedBars {
    /// Caption.
    pub title: String,
    /// What the groups are (the horizontal axis description, with its unit).
    pub group_desc: String,
    /// Group labels, left to right.
    pub groups: Vec<String>,
    /// The value axis (vertical).
    pub value_axis: Axis,
    /// Series, in legend order (and left to right within a group).
    pub series: Vec<BarSeries>,
}

impl GroupedBars {
    /// Draws the chart onto `root`.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0).titled(&self.title, text(24).style(FontStyle::Bold))?;
        let widest = self.series.iter().map(|s| s.label.chars().count()).max().unwrap_or(0) as u32;
        let legend_width = (widest * 15 / 2 + 40).clamp(100, 300);
        let (plot, legend) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(legend_width));
        let mut groups = Axis::categories(self.group_desc.as_str(), &self.groups);
        groups.desc = self.group_desc.clone();
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .margin_right(20)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d(groups, self.value_axis.clone())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(self.group_desc.as_str())
            .y_desc(self.value_axis.desc.as_str())
            .axis_desc_style(text(17))
            .label_style(text(14))
            .bold_line_style(RGBColor(215, 215, 215))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()?;
        let n = self.series.len().max(1) as f64;
        let width = 0.8 / n;
        for (k, s) in self.series.iter().enumerate() {
            chart.draw_series(s.values.iter().enumerate().filter_map(|(g, v)| {
                let v = (*v)?;
                let x0 = g as f64 - 0.4 + k as f64 * width;
                Some(Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], s.colour.filled()))
            }))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (self.groups.len() as f64 - 0.5, 0.0)],
            BLACK.stroke_width(1),
        )))?;
        let label_style = text(14).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
        for (i, s) in self.series.iter().enumerate() {
            let y = 24 + 20 * i as i32;
            legend.draw(&Rectangle::new([(4, y - 6), (26, y + 6)], s.colour.filled()))?;
            legend.draw(&Text::new(s.label.as_str(), (34, y), label_style.clone()))?;
        }
        root.present()
    }
}
