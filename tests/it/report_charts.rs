//! Every chart renders from a fixed results.json: each PNG decodes, has the chart size and is
//! not blank; each SVG carries its title, axis labels and legend text; a strategy keeps its
//! colour across charts; charts without data are skipped with a reason.

use crate::support::png_check;

use std::path::Path;

use cachelab::commands::report::read_results;
use cachelab::metrics::{RunResult, StrategyResult};
use cachelab::report::charts::{HEIGHT, WIDTH};
use cachelab::report::{self, style::Palette};
use png_check::{Image, MIN_DATA_PIXELS};

fn fixture() -> RunResult {
    read_results(Path::new("tests/data/report/load-results.json")).expect("fixture reads")
}

/// Text as the SVG backend writes it.
fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[test]
fn every_chart_is_a_decodable_non_blank_png_and_a_labelled_svg() {
    let report = report::render(&fixture()).unwrap();
    let drawn: Vec<&str> =
        report.charts.iter().filter(|c| c.files.is_some()).map(|c| c.plan.stem.as_str()).collect();
    assert_eq!(
        drawn,
        [
            "hit-ratio",
            "throughput",
            "miss-ratio-curve-bytes",
            "miss-ratio-reduction",
            "object-vs-byte-miss-ratio",
            "latency-hits",
            "latency-misses",
            "latency-end-to-end",
            "hit-ratio-over-time",
            "origin-load"
        ]
    );
    for chart in report.charts.iter().filter(|c| c.files.is_some()) {
        let (files, figure) = (chart.files.as_ref().unwrap(), chart.plan.figure.as_ref().unwrap());
        let stem = &chart.plan.stem;
        let image = Image::decode(&files.png);
        assert_eq!((image.width, image.height), (WIDTH, HEIGHT), "{stem}");
        assert!(image.colours() >= 20, "{stem}: only {} distinct colours", image.colours());
        let inked = image.inked();
        assert!(inked * 50 > image.pixels.len(), "{stem}: only {inked} non-white pixels");
        assert!(files.svg.starts_with("<svg") && files.svg.trim_end().ends_with("</svg>"), "{stem}");
        assert!(files.svg.contains(&format!("width=\"{WIDTH}\"")), "{stem}");
        let texts = figure.texts();
        assert!(texts.len() >= 4, "{stem}: {texts:?}");
        for text in texts {
            assert!(files.svg.contains(&xml_escape(&text)), "{stem}: SVG lacks {text:?}");
        }
    }
}

#[test]
fn axis_labels_carry_units() {
    let report = report::render(&fixture()).unwrap();
    let svg = |stem: &str| {
        report.charts.iter().find(|c| c.plan.stem == stem).and_then(|c| c.files.as_ref()).unwrap().svg.clone()
    };
    assert!(svg("miss-ratio-curve-bytes").contains("cache size (bytes, log scale)"));
    assert!(svg("miss-ratio-curve-bytes").contains("256 MiB"), "byte ticks are labelled in binary units");
    assert!(svg("latency-end-to-end").contains("latency (ms, log scale)"));
    let latency = svg("latency-end-to-end");
    for tick in ["p50", "p90", "p99", "p99.9", "p99.99"] {
        assert!(latency.lines().any(|l| l.trim() == tick), "percentile tick {tick}");
    }
    assert!(svg("throughput").contains("throughput (requests/s)"));
    assert!(svg("origin-load").contains("origin load (requests/s)"));
    assert!(svg("hit-ratio-over-time").contains("time since warm-up ended (s)"));
}

#[test]
fn a_strategy_keeps_its_colour_in_every_chart() {
    let result = fixture();
    let palette = Palette::new(&result);
    let moka =
        result.results.iter().find(|r| r.strategy == "moka" && r.capacity_value == Some(256 << 20)).unwrap();
    let disk = result.results.iter().find(|r| r.strategy == "disk").unwrap();
    assert_ne!(palette.css(moka), palette.css(disk));
    let report = report::render(&result).unwrap();
    for chart in report.charts.iter().filter_map(|c| c.files.as_ref().map(|f| (&c.plan.stem, f))) {
        let svg = chart.1.svg.to_lowercase();
        for r in drawn_in(chart.0, moka, disk) {
            assert!(
                svg.contains(&palette.css(r)),
                "{}: {} is not drawn in {}",
                chart.0,
                r.strategy,
                palette.css(r)
            );
        }
    }
}

#[test]
fn charts_without_data_are_skipped_with_the_reason() {
    let mut result = fixture();
    result.mode = "simulation".into();
    for r in &mut result.results {
        r.load = None;
    }
    let report = report::render(&result).unwrap();
    let skipped: Vec<(&str, &str)> = report
        .charts
        .iter()
        .filter_map(|c| c.plan.figure.as_ref().err().map(|e| (c.plan.stem.as_str(), e.as_str())))
        .collect();
    let stems: Vec<&str> = skipped.iter().map(|s| s.0).collect();
    assert_eq!(
        stems,
        [
            "throughput",
            "hit-ratio-over-requests",
            "cost",
            "latency-hits",
            "latency-misses",
            "latency-end-to-end",
            "hit-ratio-over-time",
            "origin-load"
        ]
    );
    let wall_clock = skipped.iter().filter(|(stem, _)| !matches!(*stem, "hit-ratio-over-requests" | "cost"));
    assert!(wall_clock.clone().all(|(_, why)| why.contains("simulation")), "{skipped:?}");
    assert!(report.html.contains("Not drawn") && report.html.contains("measures no wall clock"));
}

/// A chart whose lines or bars were dropped would still pass the blankness check on its title,
/// axes and legend alone; this one counts the pixels drawn in a strategy's exact colour, which
/// must be several times what its legend swatch takes.
#[test]
fn every_chart_draws_each_strategys_data_not_only_its_legend() {
    let result = fixture();
    let palette = Palette::new(&result);
    let moka =
        result.results.iter().find(|r| r.strategy == "moka" && r.capacity_value == Some(256 << 20)).unwrap();
    let disk = result.results.iter().find(|r| r.strategy == "disk").unwrap();
    let report = report::render(&result).unwrap();
    for chart in &report.charts {
        let Some(files) = &chart.files else { continue };
        let image = Image::decode(&files.png);
        for r in drawn_in(&chart.plan.stem, moka, disk) {
            let c = palette.colour(r);
            let drawn = image.count([c.0, c.1, c.2]);
            assert!(
                drawn >= MIN_DATA_PIXELS,
                "{}: only {drawn} pixels of {}'s colour",
                chart.plan.stem,
                r.strategy
            );
        }
    }
}

/// The fixture's strategies a chart draws: charts over capacity sweeps draw no line for disk,
/// which ran one capacity.
fn drawn_in<'a>(stem: &str, moka: &'a StrategyResult, disk: &'a StrategyResult) -> Vec<&'a StrategyResult> {
    let sweeps = ["miss-ratio-curve", "miss-ratio-reduction", "object-vs-byte-miss-ratio"];
    if sweeps.iter().any(|s| stem.starts_with(s)) { vec![moka] } else { vec![moka, disk] }
}
