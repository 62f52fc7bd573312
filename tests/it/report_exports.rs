//! Snapshots (insta) of the CSV and Markdown exports and of the HTML page rendered from a
//! fixed results.json, plus checks that the page is self-contained.

use std::path::Path;

use cachelab::commands::report::read_results;
use cachelab::export;
use cachelab::metrics::RunResult;

fn fixture() -> RunResult {
    read_results(Path::new("tests/data/report/load-results.json")).expect("fixture reads")
}

/// The fixture as a simulation would have produced it: counts only.
fn simulation() -> RunResult {
    let mut result = fixture();
    result.mode = "simulation".into();
    for r in &mut result.results {
        r.load = None;
    }
    result
}

/// The page with each inline PNG replaced by its size class, so the snapshot shows structure
/// and text, not pixels.
fn without_images(html: &str) -> String {
    const MARK: &str = "data:image/png;base64,";
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + MARK.len()]);
        let end = rest[at + MARK.len()..].find('"').expect("closing quote") + at + MARK.len();
        out.push_str("[PNG]");
        rest = &rest[end..];
    }
    out + rest
}

#[test]
fn csv_summary() {
    insta::assert_snapshot!(export::csv(&fixture()).unwrap());
}

#[test]
fn markdown_summary_of_a_load_run() {
    insta::assert_snapshot!(export::markdown(&fixture()).unwrap());
}

#[test]
fn markdown_summary_of_a_simulation_drops_empty_columns() {
    let md = export::markdown(&simulation()).unwrap();
    assert!(!md.contains("p99_us") && !md.contains("throughput_rps"), "{md}");
    insta::assert_snapshot!(md);
}

#[test]
fn json_export_is_the_full_results() {
    let result = fixture();
    let back: RunResult = serde_json::from_str(&export::json(&result).unwrap()).unwrap();
    assert_eq!(back, result);
}

#[test]
fn html_page_structure() {
    let report = cachelab::report::render(&fixture()).unwrap();
    insta::assert_snapshot!(without_images(&report.html));
}

#[test]
fn html_page_needs_no_network() {
    let html = cachelab::report::render(&fixture()).unwrap().html;
    for forbidden in
        ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(", "@import", "<link", "<iframe"]
    {
        assert!(!html.contains(forbidden), "page contains {forbidden}");
    }
    assert_eq!(html.matches("<img src=\"data:image/png;base64,").count(), 10, "every drawn chart is inline");
    assert!(html.contains("<script>") && !html.contains("<script src"), "only inline script");
}
