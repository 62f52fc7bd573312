//! Reports rendered from a [`RunResult`] alone: charts (plotters, PNG and SVG), the
//! recommendation, warnings and a self-contained `index.html`. Depends on [`crate::metrics`]
//! only, so `cachelab report results.json` can render results from another machine.

mod axis;
pub mod charts;
mod coalescing;
pub mod compare;
mod costs;
mod format;
mod html;
pub mod recommend;
pub mod style;
mod warnings;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::metrics::RunResult;
use crate::model::output::write_atomic;
use charts::Planned;
use recommend::Recommendation;

/// A chart's files.
#[derive(Debug, Clone)]
pub struct ChartFiles {
    /// PNG bytes, [`charts::WIDTH`] × [`charts::HEIGHT`].
    pub png: Vec<u8>,
    /// SVG text of the same chart.
    pub svg: String,
}

/// One chart of the report: its plan, and its files when it was drawn (not skipped).
#[derive(Debug, Clone)]
pub struct Chart {
    /// Stem, title, explanation, and the figure or the reason it was skipped.
    pub plan: Planned,
    /// The rendered files; `None` when skipped.
    pub files: Option<ChartFiles>,
}

/// A whole rendered report, ready to write.
#[derive(Debug, Clone)]
pub struct Report {
    /// The page.
    pub html: String,
    /// Every chart, drawn or skipped, in page order.
    pub charts: Vec<Chart>,
    /// The recommendation at the top of the page.
    pub recommendation: Recommendation,
    /// Warnings shown on the page.
    pub warnings: Vec<String>,
    /// `recommendation.json`: the recommendation for programs ([`recommend::Document`]).
    pub recommendation_json: String,
}

/// Renders the report of `result` (charts in parallel).
pub fn render(result: &RunResult) -> anyhow::Result<Report> {
    let charts = charts::plan(result)
        .into_par_iter()
        .map(|plan| {
            let files = match &plan.figure {
                Ok(figure) => {
                    let (png, svg) = figure.render()?;
                    Some(ChartFiles { png, svg })
                }
                Err(_) => None,
            };
            Ok(Chart { plan, files })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let recommendation = recommend::recommend(result);
    let warnings = warnings::warnings(result);
    let html = html::render(result, &recommendation, &charts, &warnings)?;
    let document = recommend::Document::new(result, &recommendation);
    let recommendation_json = serde_json::to_string_pretty(&document)? + "\n";
    Ok(Report { html, charts, recommendation, warnings, recommendation_json })
}

impl Report {
    /// Writes `index.html`, `recommendation.json` and each drawn chart as `<stem>.png` and
    /// `<stem>.svg` into `dir` (each file atomically); returns the paths written.
    pub fn write(&self, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for chart in &self.charts {
            if let Some(files) = &chart.files {
                for (ext, bytes) in [("png", files.png.as_slice()), ("svg", files.svg.as_bytes())] {
                    let path = dir.join(format!("{}.{ext}", chart.plan.stem));
                    write_atomic(&path, bytes)?;
                    written.push(path);
                }
            }
        }
        let json = dir.join("recommendation.json");
        write_atomic(&json, self.recommendation_json.as_bytes())?;
        written.push(json);
        let page = dir.join("index.html");
        write_atomic(&page, self.html.as_bytes())?;
        written.push(page);
        Ok(written)
    }
}
