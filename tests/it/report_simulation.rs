//! A simulation's report through the real binary: the page shows every view of a simulation
//! (miss-ratio curve with Belady as the bound, miss-ratio reduction against a baseline, hit
//! ratio over requests, object vs byte miss ratio when sizes vary, monthly cost when [costs]
//! is set), and every chart it references decodes and draws each policy's data: the PNG
//! embedded in the page, the PNG file and the SVG file, parsed as XML.

use crate::support::{png_check, svg_check};

use assert_cmd::Command;
use base64::Engine;
use cachelab::commands::report::read_results;
use cachelab::metrics::RunResult;
use cachelab::report::charts::{HEIGHT, WIDTH};
use cachelab::report::style::Palette;
use plotters::style::RGBColor;
use png_check::{Image, MIN_DATA_PIXELS};
use svg_check::SvgChart;

/// Three policies and the bound over a sweep, objects of varying size, prices for the cost view.
const SCENARIO: &str = r#"
name = "views"
seed = 5
[workload]
kind = "zipf"
keys = 2000
alpha = 0.9
requests = 30000
warmup = 0.1
value_size = { dist = "lognormal", median = "1KiB", sigma = 1.0, max = "64KiB" }
[[strategy]]
name = "lru"
kind = "lru"
capacity = [50, 100, 200, 400, 800]
[[strategy]]
name = "fifo"
kind = "fifo"
capacity = [50, 100, 200, 400, 800]
[[strategy]]
name = "s3fifo"
kind = "s3fifo"
capacity = [50, 100, 200, 400, 800]
[[strategy]]
name = "opt"
kind = "belady"
capacity = [50, 100, 200, 400, 800]
[costs]
memory_per_gib_month = 5
origin_per_million_misses = 1
requests_per_month = 1e9
"#;

/// Every view a simulation with a sweep, varying sizes and [costs] has, in page order.
const VIEWS: [&str; 6] = [
    "hit-ratio",
    "miss-ratio-curve-objects",
    "miss-ratio-reduction",
    "hit-ratio-over-requests",
    "object-vs-byte-miss-ratio",
    "cost",
];

/// One `<figure>` of the page: its chart's stem, title and embedded PNG.
struct Figure {
    stem: String,
    title: String,
    png: Vec<u8>,
}

/// Every chart figure of `html`, in page order.
fn figures(html: &str) -> Vec<Figure> {
    html.split("<figure id=\"chart-")
        .skip(1)
        .map(|part| {
            let stem = part[..part.find('"').unwrap()].to_string();
            let png64 = unescape(between(part, "src=\"data:image/png;base64,", "\""));
            let png =
                base64::engine::general_purpose::STANDARD.decode(png64).expect("embedded PNG is base64");
            Figure { title: unescape(between(part, "alt=\"", "\"")), stem, png }
        })
        .collect()
}

/// The text of `s` between the first `start` and the next `end`.
fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).unwrap_or_else(|| panic!("no {start} in {s}")) + start.len();
    &s[from..from + s[from..].find(end).unwrap()]
}

/// HTML attribute text as written by the page template, unescaped.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every chart file the page links to (`href="X.png"`, `href="X.svg"`), by stem, sorted.
fn linked_stems(html: &str) -> Vec<String> {
    let mut stems: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .map(|part| &part[..part.find('"').unwrap()])
        .filter_map(|href| href.strip_suffix(".png").or_else(|| href.strip_suffix(".svg")))
        .map(str::to_string)
        .collect();
    stems.sort();
    stems.dedup();
    stems
}

/// The colours `strategy` is drawn in: its own, and the shades of its smaller capacities.
fn colours_of(result: &RunResult, palette: &Palette, strategy: &str) -> Vec<RGBColor> {
    let rows = result.results.iter().filter(|r| r.strategy == strategy);
    let mut colours: Vec<RGBColor> =
        rows.flat_map(|r| [palette.strategy_colour(r), palette.colour(r)]).collect();
    colours.dedup();
    colours
}

fn rgb(c: &RGBColor) -> [u8; 3] {
    [c.0, c.1, c.2]
}

fn css(c: &RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The policies each chart must draw: all three, except the reduction bars, which leave out
/// the baseline they are measured against (FIFO).
fn drawn_in(stem: &str) -> &'static [&'static str] {
    if stem == "miss-ratio-reduction" { &["lru", "s3fifo"] } else { &["lru", "fifo", "s3fifo"] }
}

#[test]
fn every_chart_of_a_simulation_report_is_decoded_and_non_blank() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("views.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    Command::cargo_bin("cachelab")
        .unwrap()
        .args(["run", "-q"])
        .arg(&scenario)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let folder = dir.path().join("views");
    let html = std::fs::read_to_string(folder.join("index.html")).unwrap();
    let figures = figures(&html);
    let stems: Vec<&str> = figures.iter().map(|f| f.stem.as_str()).collect();
    assert_eq!(stems, VIEWS, "the page shows every view of a simulation");
    assert_eq!(html.matches("data:image/png;base64,").count(), figures.len(), "an image outside a figure");
    let mut sorted: Vec<String> = VIEWS.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(linked_stems(&html), sorted, "the page links each chart's files and no others");

    let result = read_results(&folder.join("results.json")).unwrap();
    let palette = Palette::new(&result);
    for figure in &figures {
        let stem = &figure.stem;
        let png = std::fs::read(folder.join(format!("{stem}.png"))).unwrap();
        assert!(png == figure.png, "{stem}: the page embeds another PNG than {stem}.png");
        let image = Image::decode(&png);
        assert_eq!((image.width, image.height), (WIDTH, HEIGHT), "{stem}");
        assert!(image.colours() >= 20, "{stem}: only {} distinct colours", image.colours());
        assert!(image.inked() * 50 > image.pixels.len(), "{stem}: only {} non-white pixels", image.inked());
        let svg = SvgChart::parse(&std::fs::read_to_string(folder.join(format!("{stem}.svg"))).unwrap());
        assert_eq!((svg.width, svg.height), (f64::from(WIDTH), f64::from(HEIGHT)), "{stem}");
        assert!(
            svg.texts.iter().any(|t| t.starts_with(&figure.title)),
            "{stem}: no title {:?}",
            figure.title
        );
        for policy in drawn_in(stem) {
            let colours = colours_of(&result, &palette, policy);
            let pixels = image.count_any(&colours.iter().map(rgb).collect::<Vec<_>>());
            assert!(pixels >= MIN_DATA_PIXELS, "{stem}: {policy} covers only {pixels} pixels of the PNG");
            let css: Vec<String> = colours.iter().map(css).collect();
            assert!(svg.draws_data_in(&css), "{stem}: {policy} draws only {:?} in the SVG", svg.ink(&css));
        }
    }

    // What each view must say to be read on its own.
    let svg =
        |stem: &str| SvgChart::parse(&std::fs::read_to_string(folder.join(format!("{stem}.svg"))).unwrap());
    let curve = svg("miss-ratio-curve-objects");
    assert!(curve.texts.iter().any(|t| t == "opt (optimal bound)"), "Belady is the bound: {:?}", curve.texts);
    let belady = [css(&palette.strategy_colour(result.results.iter().find(|r| r.kind == "belady").unwrap()))];
    assert!(curve.draws_data_in(&belady), "the bound's curve is drawn: {:?}", curve.ink(&belady));
    let reduction = svg("miss-ratio-reduction");
    assert!(reduction.texts.iter().any(|t| t == "Miss-ratio reduction vs fifo"), "{:?}", reduction.texts);
    let over_requests = svg("hit-ratio-over-requests");
    assert!(
        over_requests.texts.iter().any(|t| t == "requests since warm-up ended"),
        "{:?}",
        over_requests.texts
    );
    let cost = svg("cost");
    assert!(cost.texts.iter().any(|t| t == "total cost (USD/month)"), "units on the axis: {:?}", cost.texts);
    assert!(cost.texts.iter().any(|t| t.contains("cheapest")), "{:?}", cost.texts);
    let sides = svg("object-vs-byte-miss-ratio");
    for side in ["misses / reads", "missed bytes / bytes read"] {
        assert!(sides.texts.iter().any(|t| t == side), "{side}: {:?}", sides.texts);
    }
}
