//! Every chart of a report, planned from a [`RunResult`] and rendered as PNG and SVG.
//!
//! A chart whose data is absent (no latency in a simulation, no sweep for a miss-ratio curve)
//! is planned as skipped, with the reason, so the page can say why it is missing.

mod bars;
mod byte_miss;
mod cost;
mod crowd;
mod grouped;
mod latency;
mod line;
mod logical_time;
mod mrc;
mod popularity;
mod reduction;
mod time;
mod totals;

use anyhow::anyhow;
use plotters::prelude::*;

pub use bars::{Bar, BarChart};
pub use grouped::{BarSeries, GroupedBars};
pub use line::{LineChart, PairChart, Series};

use super::style::{FONT, Palette, register_fonts};
use crate::metrics::RunResult;

/// Width of every chart, pixels.
pub const WIDTH: u32 = 1000;
/// Height of every chart, pixels.
pub const HEIGHT: u32 = 600;

/// What drawing on a backend `DB` returns.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Text in the embedded font at `size` pixels.
pub fn text(size: u32) -> FontDesc<'static> {
    (FONT, f64::from(size)).into_font()
}

/// A chart's drawing instructions.
#[derive(Debug, Clone)]
pub enum Figure {
    /// Lines over two axes.
    Line(LineChart),
    /// Horizontal bars.
    Bars(BarChart),
    /// Vertical bars in groups.
    Grouped(GroupedBars),
    /// Two line charts side by side.
    Pair(Box<PairChart>),
}

impl Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) -> DrawResult<DB> {
        match self {
            Figure::Line(c) => c.draw(root),
            Figure::Bars(c) => c.draw(root),
            Figure::Grouped(c) => c.draw(root),
            Figure::Pair(c) => c.draw(root),
        }
    }

    /// Every text a reader must find in the chart: title, axis descriptions, legend entries or
    /// bar labels.
    pub fn texts(&self) -> Vec<String> {
        match self {
            Figure::Line(c) => [c.title.clone(), c.x.desc.clone(), c.y.desc.clone()]
                .into_iter()
                .chain(c.series.iter().map(|s| s.label.clone()))
                .collect(),
            Figure::Bars(c) => [c.title.clone(), c.value_axis.desc.clone()]
                .into_iter()
                .chain(c.bars.iter().map(|b| b.label.clone()))
                .collect(),
            Figure::Grouped(c) => [c.title.clone(), c.group_desc.clone(), c.value_axis.desc.clone()]
                .into_iter()
                .chain(c.series.iter().map(|s| s.label.clone()))
                .collect(),
            Figure::Pair(c) => {
                [c.title.clone(), c.left.title.clone(), c.right.title.clone(), c.left.x.desc.clone()]
                    .into_iter()
                    .chain(c.left.series.iter().map(|s| s.label.clone()))
                    .collect()
            }
        }
    }

    /// Renders the figure as PNG bytes and SVG text, both [`WIDTH`] × [`HEIGHT`].
    pub fn render(&self) -> anyhow::Result<(Vec<u8>, String)> {
        register_fonts();
        let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw(&root).map_err(|e| anyhow!("cannot draw the PNG chart: {e}"))?;
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw(&root).map_err(|e| anyhow!("cannot draw the SVG chart: {e}"))?;
        }
        Ok((encode_png(&pixels, WIDTH, HEIGHT)?, svg))
    }
}

/// Encodes 8-bit RGB pixels as PNG.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

/// One chart of the report: drawn, or skipped with the reason.
#[derive(Debug, Clone)]
pub struct Planned {
    /// File name without extension (`latency-hits` → `latency-hits.png`, `.svg`).
    pub stem: String,
    /// Title, as in the chart's caption.
    pub title: String,
    /// What the chart shows and how to read it, one or two sentences for the page.
    pub about: String,
    /// The drawing, or why there is none.
    pub figure: Result<Figure, String>,
}

impl Planned {
    fn new(stem: &str, title: &str, about: &str, figure: Result<Figure, String>) -> Planned {
        Planned { stem: stem.into(), title: title.into(), about: about.into(), figure }
    }
}

/// Every chart of `result`, in page order.
pub fn plan(result: &RunResult) -> Vec<Planned> {
    let palette = Palette::new(result);
    let mut charts = Vec::new();
    charts.extend(totals::plan(result, &palette));
    charts.extend(mrc::plan(result, &palette));
    charts.push(reduction::plan(result, &palette));
    charts.push(logical_time::plan(result, &palette));
    charts.push(byte_miss::plan(result, &palette));
    charts.push(cost::plan(result, &palette));
    charts.extend(latency::plan(result, &palette));
    charts.extend(time::plan(result, &palette));
    charts.extend(popularity::plan(result));
    charts
}
