//! Two runs side by side: per strategy and capacity, the change in hit ratio, throughput and
//! latency percentiles from run A to run B, each flagged only when it is beyond run-to-run
//! noise, by a stated rule:
//!
//! - **simulation** (logical time, exact counts): any change in hits or misses is real;
//! - **load**: the runs' bands are apart and the change is larger than a re-run of the same
//!   scenario shows ([`noise`] states the bands, the floors and the measurements behind them).
//!
//! Runs of different workloads are refused unless forced: their numbers are not comparable.

mod noise;

use serde::Serialize;

use super::format;
use crate::metrics::{RunResult, StrategyResult, TimePoint};

/// One measure of one row in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What is measured, with its unit: `hit ratio`, `throughput (req/s)`, `p99 (ms)`.
    pub measure: String,
    /// Run A's value.
    pub a: f64,
    /// Run B's value.
    pub b: f64,
    /// Whether the change is beyond noise by the rule of its kind.
    pub flagged: bool,
    /// Why (not) flagged, in a few words.
    pub why: String,
}

impl Change {
    /// `b − a` as text: `+0.012`, `−3.1%`.
    pub fn delta(&self) -> String {
        if self.a == 0.0 {
            return format::signed(self.b - self.a);
        }
        format!("{:+.1}%", (self.b - self.a) / self.a * 100.0)
    }
}

/// One (strategy, capacity) present in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowChange {
    /// `strategy @ capacity`.
    pub label: String,
    /// The kinds in A and B, e.g. `lru → fifo`, or one kind.
    pub kind: String,
    /// Every measure compared.
    pub changes: Vec<Change>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Run A's name and start time.
    pub a: String,
    /// Run B's name and start time.
    pub b: String,
    /// How changes are judged in these runs.
    pub rule: String,
    /// Rows in both runs.
    pub rows: Vec<RowChange>,
    /// Rows of only one run (`strategy @ capacity (A only)`).
    pub unmatched: Vec<String>,
}

impl Comparison {
    /// Changes flagged, over all rows.
    pub fn flagged(&self) -> usize {
        self.rows.iter().flat_map(|r| &r.changes).filter(|c| c.flagged).count()
    }
}

/// Why `a` and `b` ran different workloads (the scenario's `[workload]`, or the trace
/// replayed), or `None` when they ran the same.
pub fn workload_difference(a: &RunResult, b: &RunResult) -> Option<String> {
    let workload = |r: &RunResult| r.scenario.get("workload").cloned();
    if workload(a) != workload(b) {
        return Some("their [workload] sections differ".into());
    }
    let trace = |r: &RunResult| r.trace.as_ref().map(|t| (t.path.clone(), t.requests, t.unique_objects));
    if trace(a) != trace(b) {
        return Some("they replayed different traces".into());
    }
    (a.mode != b.mode).then(|| format!("one is a {} run, the other a {} run", a.mode, b.mode))
}

fn key(r: &StrategyResult) -> (String, Option<u64>, Option<&'static str>) {
    (r.strategy.clone(), r.capacity_value, r.capacity_unit.map(|u| u.as_str()))
}

/// Compares every row of `a` with the row of the same strategy and capacity in `b`.
pub fn compare(a: &RunResult, b: &RunResult) -> Comparison {
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for ra in &a.results {
        match b.results.iter().find(|rb| key(rb) == key(ra)) {
            Some(rb) => rows.push(row(ra, rb)),
            None => unmatched.push(format!("{} (A only)", format::label(ra))),
        }
    }
    for rb in b.results.iter().filter(|rb| !a.results.iter().any(|ra| key(ra) == key(rb))) {
        unmatched.push(format!("{} (B only)", format::label(rb)));
    }
    let load = rows.iter().any(|r: &RowChange| r.changes.len() > 1);
    let rule = if load {
        noise::rule()
    } else {
        "simulation: counts are exact, so any change in hits or misses is flagged".into()
    };
    Comparison { a: title(a), b: title(b), rule, rows, unmatched }
}

fn title(r: &RunResult) -> String {
    format!("{} ({}, seed {}, {})", r.name, r.mode, r.seed, r.started_at)
}

fn row(a: &StrategyResult, b: &StrategyResult) -> RowChange {
    let kind = if a.kind == b.kind { a.kind.clone() } else { format!("{} → {}", a.kind, b.kind) };
    let mut changes = Vec::new();
    match (&a.load, &b.load) {
        (Some(la), Some(lb)) => {
            let (series_a, series_b) = (hit_series(&la.timeseries), hit_series(&lb.timeseries));
            changes.push(noise::hit_ratio(
                &noise::HitRatio {
                    value: a.hit_ratio,
                    reads: a.counts.hits + a.counts.misses,
                    series: &series_a,
                },
                &noise::HitRatio {
                    value: b.hit_ratio,
                    reads: b.counts.hits + b.counts.misses,
                    series: &series_b,
                },
            ));
            changes.push(noise::throughput(
                la.throughput_rps,
                lb.throughput_rps,
                &throughput(&la.timeseries),
                &throughput(&lb.timeseries),
            ));
            if let (Some(ea), Some(eb)) = (&la.end_to_end, &lb.end_to_end) {
                let ea = noise::Latency { summary: ea, concurrency: la.concurrency };
                let eb = noise::Latency { summary: eb, concurrency: lb.concurrency };
                for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999)] {
                    changes.push(noise::latency(name, q, &ea, &eb));
                }
            }
        }
        _ => {
            let same = a.counts.hits == b.counts.hits && a.counts.misses == b.counts.misses;
            changes.push(Change {
                measure: "hit ratio".into(),
                a: a.hit_ratio,
                b: b.hit_ratio,
                flagged: !same,
                why: if same {
                    "identical counts".into()
                } else {
                    format!("{} → {} hits (exact counts)", a.counts.hits, b.counts.hits)
                },
            });
        }
    }
    RowChange { label: format::label(a), kind, changes }
}

/// The measured intervals of a series, without the last one (usually partial).
fn measured(series: &[TimePoint]) -> Vec<TimePoint> {
    let mut m: Vec<TimePoint> = series.iter().copied().filter(|p| p.t_s >= 0.0 && p.requests > 0).collect();
    m.pop();
    m
}

/// The hit ratio of each measured interval.
fn hit_series(series: &[TimePoint]) -> Vec<f64> {
    measured(series).iter().map(|p| p.hit_ratio).collect()
}

/// Requests per second of each measured interval (the interval's width is the spacing of the
/// series).
fn throughput(series: &[TimePoint]) -> Vec<f64> {
    let width = series.windows(2).map(|w| w[1].t_s - w[0].t_s).find(|w| *w > 0.0).unwrap_or(1.0);
    measured(series).iter().map(|p| p.requests as f64 / width).collect()
}

/// A number as the table shows it.
pub fn value_text(v: f64) -> String {
    format::significant(v, 4)
}

/// The comparison as a self-contained page (nothing from the network); `forced` says why the
/// workloads differed when `--force` compared them anyway.
pub fn page(c: &Comparison, forced: Option<&str>) -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct View<'a> {
        label: &'a str,
        kind: &'a str,
        changes: Vec<ChangeView<'a>>,
    }
    #[derive(Serialize)]
    struct ChangeView<'a> {
        measure: &'a str,
        a_text: String,
        b_text: String,
        delta: String,
        flagged: bool,
        why: &'a str,
    }
    let rows: Vec<View> = c
        .rows
        .iter()
        .map(|r| View {
            label: &r.label,
            kind: &r.kind,
            changes: r
                .changes
                .iter()
                .map(|ch| ChangeView {
                    measure: &ch.measure,
                    a_text: value_text(ch.a),
                    b_text: value_text(ch.b),
                    delta: ch.delta(),
                    flagged: ch.flagged,
                    why: &ch.why,
                })
                .collect(),
        })
        .collect();
    let mut env = minijinja::Environment::new();
    env.add_template("compare.html", include_str!("compare.html"))?;
    let view = minijinja::context! {
        c => minijinja::context! { a => &c.a, b => &c.b, rule => &c.rule, rows => minijinja::Value::from(minijinja::value::Serde(&rows)), unmatched => &c.unmatched },
        flagged => c.flagged(),
        forced => forced,
    };
    Ok(env.get_template("compare.html")?.render(view)?)
}
