//! `index.html`: one self-contained page (CSS inline, charts inline as PNG, a few lines of
//! inline script to sort the table; nothing from the network), rendered with minijinja from
//! `page.html` with HTML auto-escaping.

use base64::Engine;
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

use super::Chart;
use super::coalescing;
use super::format;
use super::recommend::Recommendation;
use super::style::Palette;
use crate::metrics::{LatencySummary, RunResult, StrategyResult};

/// The page template (Jinja syntax; values are auto-escaped because the name ends in `.html`).
const TEMPLATE: &str = include_str!("page.html");

/// A rendered chart as the page shows it.
#[derive(Debug, Serialize)]
struct ChartView<'a> {
    stem: &'a str,
    title: &'a str,
    about: &'a str,
    png_base64: String,
}

/// Charts the page explains instead of showing, grouped by the reason.
#[derive(Debug, Serialize)]
struct SkippedView<'a> {
    titles: Vec<&'a str>,
    reason: &'a str,
}

/// One table cell: what is shown and the value the column sorts by.
#[derive(Debug, Serialize)]
struct Cell {
    text: String,
    sort: String,
    numeric: bool,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell { sort: text.clone(), text, numeric: false }
    }

    fn number(text: String, value: f64) -> Cell {
        Cell { text, sort: value.to_string(), numeric: true }
    }

    fn missing() -> Cell {
        Cell { text: "–".into(), sort: String::new(), numeric: true }
    }
}

/// A column of the summary table.
#[derive(Debug, Serialize)]
struct Header {
    name: &'static str,
    numeric: bool,
}

/// One row of the summary table.
#[derive(Debug, Serialize)]
struct Row {
    colour: String,
    cells: Vec<Cell>,
}

/// Renders the page.
pub fn render(
    result: &RunResult,
    recommendation: &Recommendation,
    charts: &[Chart],
    warnings: &[String],
) -> anyhow::Result<String> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).keep_trailing_newline(true).build()?,
    );
    env.add_template("page.html", TEMPLATE)?;
    let shown: Vec<ChartView> = charts
        .iter()
        .filter_map(|c| {
            let files = c.files.as_ref()?;
            Some(ChartView {
                stem: &c.plan.stem,
                title: &c.plan.title,
                about: &c.plan.about,
                png_base64: base64::engine::general_purpose::STANDARD.encode(&files.png),
            })
        })
        .collect();
    let mut skipped: Vec<SkippedView> = Vec::new();
    for c in charts {
        if let Err(reason) = &c.plan.figure {
            match skipped.iter_mut().find(|s| s.reason == reason) {
                Some(group) => group.titles.push(&c.plan.title),
                None => skipped.push(SkippedView { titles: vec![&c.plan.title], reason }),
            }
        }
    }
    let (headers, rows) = table(result);
    let env_view = &result.environment;
    let page = env.get_template("page.html")?.render(context! {
        name => &result.name,
        mode => &result.mode,
        description => result.scenario.get("description").and_then(|d| d.as_str()).unwrap_or(""),
        seed => result.seed,
        started_at => &result.started_at,
        duration => format!("{} s", format::significant(result.duration_s, 3)),
        warmup_requests => result.warmup_requests,
        partial => result.partial,
        loop_mode => result.results.iter().find_map(|r| r.load.as_ref()).map(|l| loop_description(&l.loop_mode, l.concurrency, l.target_rps)),
        recommendation => Value::from(Serde(recommendation)),
        warnings => Value::from(Serde(warnings)),
        headers => Value::from(Serde(&headers)),
        rows => Value::from(Serde(&rows)),
        coalescing => coalescing::comparisons(result),
        charts => Value::from(Serde(&shown)),
        skipped => Value::from(Serde(&skipped)),
        scenario_text => scenario_text(&result.scenario),
        trace => result.trace.as_ref().map(|t| context! {
            path => &t.path,
            format => &t.format,
            requests => format::thousands(t.requests),
            operations => (t.writes + t.deletes + t.with_ttl > 0).then(|| format!(
                "{} reads, {} writes, {} deletes; {} with a TTL",
                format::thousands(t.reads),
                format::thousands(t.writes),
                format::thousands(t.deletes),
                format::thousands(t.with_ttl)
            )),
            unique_objects => format::thousands(t.unique_objects),
            footprint_bytes => format::bytes(t.footprint_bytes as f64),
            bytes_requested => format::bytes(t.bytes_requested as f64),
            one_hit_wonders => format::thousands(t.one_hit_wonders),
            one_hit_wonder_ratio => format::ratio(t.one_hit_wonder_ratio),
            zipf_alpha => t.zipf_alpha.map(|a| format::significant(a, 3)),
        }),
        environment => context! {
            cpu_model => &env_view.cpu_model,
            cores => env_view.cores,
            os => &env_view.os,
            cachelab_version => &env_view.cachelab_version,
            redis_version => &env_view.redis_version,
        },
    })?;
    Ok(page)
}

fn loop_description(mode: &str, concurrency: u64, target_rps: Option<f64>) -> String {
    match (mode, target_rps) {
        ("open", Some(rate)) => format!(
            "open loop at {} requests/s (up to {concurrency} in flight; latency from the intended send time, \
             coordinated omission corrected)",
            format::count(rate)
        ),
        _ => format!("closed loop with {concurrency} concurrent workers"),
    }
}

/// The scenario as TOML (as the user writes it), or pretty JSON when it cannot be TOML.
fn scenario_text(scenario: &serde_json::Value) -> String {
    fn strip_nulls(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), strip_nulls(v))).collect()
            }
            serde_json::Value::Array(a) => a.iter().map(strip_nulls).collect(),
            other => other.clone(),
        }
    }
    toml::to_string_pretty(&strip_nulls(scenario))
        .or_else(|_| serde_json::to_string_pretty(scenario))
        .unwrap_or_default()
}

fn ms(l: Option<&LatencySummary>, pick: fn(&LatencySummary) -> u64) -> Cell {
    match l {
        Some(l) => {
            let us = pick(l) as f64;
            Cell::number(format::significant(us / 1000.0, 3), us)
        }
        None => Cell::missing(),
    }
}

/// The summary table: headers and one row per result. Latency columns only for load runs;
/// origin fetch and coalesced counts only for HTTP runs.
fn table(result: &RunResult) -> (Vec<Header>, Vec<Row>) {
    let palette = Palette::new(result);
    let load = result.results.iter().any(|r| r.load.is_some());
    let http = load && result.mode == "http";
    let mut headers = vec![
        "strategy",
        "kind",
        "capacity",
        "hit ratio",
        "byte hit ratio",
        "requests",
        "evictions",
        "errors",
        "corrupt",
    ];
    if load {
        headers.extend([
            "throughput (req/s)",
            "p50 (ms)",
            "p99 (ms)",
            "p99.9 (ms)",
            "hit p99 (ms)",
            "origin (req/s)",
            "timeouts",
        ]);
    }
    if http {
        headers.extend(["origin fetches", "coalesced"]);
    }
    let headers = headers
        .into_iter()
        .map(|name| Header { name, numeric: !matches!(name, "strategy" | "kind") })
        .collect();
    let count = |n: u64| Cell::number(format::thousands(n), n as f64);
    let rows = result
        .results
        .iter()
        .map(|r: &StrategyResult| {
            let mut cells = vec![
                Cell::text(&r.strategy),
                Cell::text(&r.kind),
                Cell {
                    text: format::capacity(r),
                    sort: r.capacity_value.map(|v| v.to_string()).unwrap_or_default(),
                    numeric: true,
                },
                Cell::number(format::ratio(r.hit_ratio), r.hit_ratio),
                Cell::number(format::ratio(r.byte_hit_ratio), r.byte_hit_ratio),
                count(r.counts.requests),
                count(r.counts.evictions),
                count(r.counts.errors),
                count(r.counts.corrupt),
            ];
            if load {
                match &r.load {
                    Some(l) => {
                        let e2e = l.end_to_end.as_ref();
                        cells.extend([
                            Cell::number(
                                format::thousands(l.throughput_rps.round() as u64),
                                l.throughput_rps,
                            ),
                            ms(e2e, |s| s.p50_us),
                            ms(e2e, |s| s.p99_us),
                            ms(e2e, |s| s.p999_us),
                            ms(l.get_hit.as_ref(), |s| s.p99_us),
                            Cell::number(format::thousands(l.origin_rps.round() as u64), l.origin_rps),
                            count(l.timeouts),
                        ]);
                    }
                    None => cells.extend((0..7).map(|_| Cell::missing())),
                }
            }
            if http {
                match &r.load {
                    Some(l) => cells.extend([count(l.origin_requests), count(l.coalesced_requests)]),
                    None => cells.extend([Cell::missing(), Cell::missing()]),
                }
            }
            Row { colour: palette.css(r), cells }
        })
        .collect();
    (headers, rows)
}
