//! Exports of a [`RunResult`]: the full results as JSON, and a summary (one row per strategy
//! and capacity, units in the column names) as CSV and as a Markdown table. Depends on
//! [`crate::metrics`] only.

mod row;

use std::io::Write;
use std::path::Path;

pub use row::SummaryRow;

use crate::metrics::RunResult;
use crate::model::output::write_atomic;

/// The full results, pretty-printed JSON (the same document as results.json).
pub fn json(result: &RunResult) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(result)? + "\n")
}

/// The summary as CSV with a header row, written by the csv crate from [`SummaryRow`]s.
pub fn csv(result: &RunResult) -> anyhow::Result<String> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    for row in SummaryRow::all(result) {
        writer.serialize(row)?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// The CSV columns the Markdown table shows: what a reader compares at a glance.
pub const MARKDOWN_COLUMNS: &[&str] = &[
    "strategy",
    "kind",
    "capacity",
    "requests",
    "hit_ratio",
    "byte_hit_ratio",
    "evictions",
    "errors",
    "corrupt",
    "throughput_rps",
    "origin_rps",
    "p50_us",
    "p99_us",
    "p999_us",
    "hit_p99_us",
    "timeouts",
];

/// The summary as a GitHub-flavoured Markdown table: the [`MARKDOWN_COLUMNS`] of the CSV
/// minus those empty in every row (e.g. latency in a simulation), decimals rounded to four
/// places.
pub fn markdown(result: &RunResult) -> anyhow::Result<String> {
    let text = csv(result)?;
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let records: Vec<::csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&i| MARKDOWN_COLUMNS.contains(&headers[i].as_str()))
        .filter(|&i| records.iter().any(|r| !r[i].is_empty()))
        .collect();
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let mut out = line(keep.iter().map(|&i| headers[i].clone()).collect());
    out += &line(
        keep.iter()
            .map(|&i| {
                if records.iter().all(|r| r[i].is_empty() || r[i].parse::<f64>().is_ok()) {
                    "---:"
                } else {
                    "---"
                }
            })
            .map(String::from)
            .collect(),
    );
    for r in &records {
        out += &line(keep.iter().map(|&i| cell(&r[i])).collect());
    }
    Ok(out)
}

/// A Markdown cell: decimals rounded to four places, pipes escaped.
fn cell(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(v) if value.contains('.') => {
            let rounded = format!("{v:.4}");
            rounded.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => value.replace('|', "\\|"),
    }
}

/// Writes `text` to `target`, atomically; `-` means standard output.
pub fn write(target: &Path, text: &str) -> anyhow::Result<()> {
    if target == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    } else {
        write_atomic(target, text.as_bytes())
    }
}
