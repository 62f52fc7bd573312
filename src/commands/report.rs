//! `cachelab report`, and the report folder and exports every run writes.

use std::path::Path;

use crate::cli::{ExportArgs, ReportArgs};
use crate::export;
use crate::metrics::{RunResult, SCHEMA_VERSION, upgrade};
use crate::model::error::InputError;
use crate::model::output::write_atomic;
use crate::report::{self, Report};

/// Runs `cachelab report`: reads results.json and re-renders the report folder.
pub fn execute(args: &ReportArgs) -> anyhow::Result<()> {
    let result = read_results(&args.results)?;
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None => args
            .results
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf(),
    };
    let report = write_folder(&result, &dir)?;
    print_outcome(&report, &dir);
    Ok(())
}

/// Reads and checks a results.json.
pub fn read_results(path: &Path) -> Result<RunResult, InputError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| InputError::Io { path: path.to_path_buf(), cause: e })?;
    let bad = |message: String| InputError::Results { path: path.to_path_buf(), message };
    let mut value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    match value.get("schema_version").and_then(|v| v.as_u64()) {
        Some(v) if (upgrade::OLDEST_READABLE..=u64::from(SCHEMA_VERSION)).contains(&v) => {
            upgrade::to_current(&mut value, v);
        }
        Some(v) => {
            return Err(bad(format!(
                "schema version {v}; this cachelab reads versions {} to {SCHEMA_VERSION}",
                upgrade::OLDEST_READABLE
            )));
        }
        None => return Err(bad("no `schema_version` field".into())),
    }
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

/// Writes the report folder of `result` into `dir`: index.html, one PNG and one SVG per
/// chart, summary.csv and summary.md.
pub fn write_folder(result: &RunResult, dir: &Path) -> anyhow::Result<Report> {
    let report = report::render(result)?;
    report.write(dir)?;
    write_atomic(&dir.join("summary.csv"), export::csv(result)?.as_bytes())?;
    write_atomic(&dir.join("summary.md"), export::markdown(result)?.as_bytes())?;
    Ok(report)
}

/// Writes the exports the flags ask for.
pub fn write_exports(result: &RunResult, args: &ExportArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.export_json {
        export::write(path, &export::json(result)?)?;
    }
    if let Some(path) = &args.export_csv {
        export::write(path, &export::csv(result)?)?;
    }
    if let Some(path) = &args.export_markdown {
        export::write(path, &export::markdown(result)?)?;
    }
    Ok(())
}

/// Tells where the report is, what was skipped, and the recommendation, on stderr so that
/// stdout stays free for exports to `-`.
pub fn print_outcome(report: &Report, dir: &Path) {
    let drawn = report.charts.iter().filter(|c| c.files.is_some()).count();
    eprintln!("report: {} ({drawn} charts)", dir.join("index.html").display());
    let mut skipped: Vec<(&str, Vec<&str>)> = Vec::new();
    for chart in &report.charts {
        if let Err(reason) = &chart.plan.figure {
            match skipped.iter_mut().find(|(r, _)| r == reason) {
                Some((_, titles)) => titles.push(&chart.plan.title),
                None => skipped.push((reason, vec![&chart.plan.title])),
            }
        }
    }
    for (reason, titles) in skipped {
        eprintln!("  not drawn: {}: {reason}", titles.join(", "));
    }
    eprintln!("{}", report.recommendation.headline);
}
