//! Two runs side by side: per strategy and capacity, the change in hit ratio, throughput and
//! latency percentiles from run A to run B, each flagged only when it is beyond run-to-run
//! noise, by a stated rule:
//!
//! - **simulation** (logical time, exact counts): any change in hits or misses is real;
//! - **load** hit ratio and throughput: the 10th–90th percentile bands of the two runs'
//!   per-interval series (measured intervals, the last, partial one left out) do not overlap;
//! - **load** latency percentiles (end to end): the two runs' 95 % confidence bands of the
//!   percentile do not overlap — distribution-free order-statistic bands, the percentiles
//!   p ± 1.96·√(p(1−p)/n) read off each run's HdrHistogram distribution — and the change is
//!   over [`LATENCY_FLOOR`] (successive runs on one machine differ by that much from
//!   scheduling and timer noise that the sample count does not capture).
//!
//! Runs of different workloads are refused unless forced: their numbers are not comparable.

use serde::Serialize;

use super::format;
use crate::metrics::{LatencySummary, RunResult, StrategyResult, TimePoint};

/// Smallest relative change of a latency percentile that is flagged.
pub const LATENCY_FLOOR: f64 = 0.25;

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
            return format!("{:+}", format::significant(self.b - self.a, 3));
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
        format!(
            "load runs: hit ratio and throughput are flagged when the 10th–90th percentile bands of the two runs' \
             per-interval series do not overlap; latency percentiles when their 95% order-statistic confidence bands \
             do not overlap and they changed by more than {:.0}%",
            LATENCY_FLOOR * 100.0
        )
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
            let hit = |l: &[TimePoint]| measured(l).iter().map(|p| p.hit_ratio).collect::<Vec<_>>();
            changes.push(banded(
                "hit ratio",
                a.hit_ratio,
                b.hit_ratio,
                &hit(&la.timeseries),
                &hit(&lb.timeseries),
            ));
            let rate = |l: &[TimePoint]| throughput(l);
            changes.push(banded(
                "throughput (req/s)",
                la.throughput_rps,
                lb.throughput_rps,
                &rate(&la.timeseries),
                &rate(&lb.timeseries),
            ));
            if let (Some(ea), Some(eb)) = (&la.end_to_end, &lb.end_to_end) {
                for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p99.9", 0.999)] {
                    changes.push(latency(name, q, ea, eb));
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

/// Requests per second of each measured interval (the interval's width is the spacing of the
/// series).
fn throughput(series: &[TimePoint]) -> Vec<f64> {
    let width = series.windows(2).map(|w| w[1].t_s - w[0].t_s).find(|w| *w > 0.0).unwrap_or(1.0);
    measured(series).iter().map(|p| p.requests as f64 / width).collect()
}

/// The `q` quantile of `values` (nearest rank).
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// Intervals needed on each side to judge a per-interval band.
const MIN_INTERVALS: usize = 3;

fn banded(measure: &str, a: f64, b: f64, series_a: &[f64], series_b: &[f64]) -> Change {
    let change = |flagged, why| Change { measure: measure.into(), a, b, flagged, why };
    if series_a.len() < MIN_INTERVALS || series_b.len() < MIN_INTERVALS {
        return change(false, format!("fewer than {MIN_INTERVALS} measured intervals: not judged"));
    }
    let band = |s: &[f64]| (quantile(s, 0.1), quantile(s, 0.9));
    let ((a0, a1), (b0, b1)) = (band(series_a), band(series_b));
    let apart = a1 < b0 || b1 < a0;
    let show =
        |(lo, hi): (f64, f64)| format!("{}–{}", format::significant(lo, 3), format::significant(hi, 3));
    change(
        apart,
        format!(
            "per-interval p10–p90 {} vs {}{}",
            show((a0, a1)),
            show((b0, b1)),
            if apart { "" } else { " overlap" }
        ),
    )
}

/// The value at quantile `q` (0..1) of a latency distribution, µs (linear between its points).
fn at_quantile(l: &LatencySummary, q: f64) -> f64 {
    let pct = q.clamp(0.0, 1.0) * 100.0;
    let d = &l.distribution;
    let i = d.partition_point(|p| p.0 < pct);
    match (i.checked_sub(1).and_then(|j| d.get(j)), d.get(i)) {
        (Some(&(pa, va)), Some(&(pb, vb))) if pb > pa => {
            va as f64 + (vb as f64 - va as f64) * (pct - pa) / (pb - pa)
        }
        (_, Some(&(_, v))) | (Some(&(_, v)), None) => v as f64,
        (None, None) => 0.0,
    }
}

fn latency(name: &str, q: f64, a: &LatencySummary, b: &LatencySummary) -> Change {
    let band = |l: &LatencySummary| {
        let half = 1.96 * (q * (1.0 - q) / l.count.max(1) as f64).sqrt();
        (at_quantile(l, q - half), at_quantile(l, q + half))
    };
    let value = |l: &LatencySummary| at_quantile(l, q);
    let (va, vb) = (value(a), value(b));
    let ((a0, a1), (b0, b1)) = (band(a), band(b));
    let apart = a1 < b0 || b1 < a0;
    let relative = (vb - va).abs() / va.max(1.0);
    let flagged = apart && relative > LATENCY_FLOOR;
    let why = match (apart, relative > LATENCY_FLOOR) {
        (true, true) => "95% bands apart and over the floor".to_string(),
        (true, false) => format!("95% bands apart but within {:.0}%", LATENCY_FLOOR * 100.0),
        (false, _) => "95% bands overlap".to_string(),
    };
    Change { measure: format!("{name} (ms)"), a: va / 1000.0, b: vb / 1000.0, flagged, why }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(count: u64, points: &[(f64, u64)]) -> LatencySummary {
        LatencySummary {
            count,
            min_us: points[0].1,
            mean_us: 0.0,
            p50_us: 0,
            p90_us: 0,
            p99_us: 0,
            p999_us: 0,
            p9999_us: 0,
            max_us: points[points.len() - 1].1,
            distribution: points.to_vec(),
        }
    }

    #[test]
    fn per_interval_bands_flag_only_separated_series() {
        let noisy_a = [0.80, 0.82, 0.79, 0.81, 0.83, 0.80];
        let noisy_b = [0.81, 0.80, 0.82, 0.79, 0.81, 0.82];
        assert!(!banded("hit ratio", 0.81, 0.81, &noisy_a, &noisy_b).flagged);
        let lower = [0.70, 0.71, 0.69, 0.72, 0.70, 0.71];
        assert!(banded("hit ratio", 0.81, 0.70, &noisy_a, &lower).flagged);
        assert!(!banded("hit ratio", 0.81, 0.70, &noisy_a, &lower[..2]).flagged, "too few intervals");
    }

    #[test]
    fn latency_needs_separate_bands_and_a_change_over_the_floor() {
        let a = summary(100_000, &[(0.0, 100), (50.0, 1000), (99.0, 2000), (100.0, 3000)]);
        let doubled = summary(100_000, &[(0.0, 200), (50.0, 2000), (99.0, 4000), (100.0, 6000)]);
        let slightly = summary(100_000, &[(0.0, 110), (50.0, 1100), (99.0, 2200), (100.0, 3300)]);
        assert!(latency("p50", 0.5, &a, &doubled).flagged);
        let small = latency("p50", 0.5, &a, &slightly);
        assert!(!small.flagged && small.why.contains("within 25%"), "{small:?}");
        let few = summary(10, &[(0.0, 100), (50.0, 1000), (99.0, 2000), (100.0, 3000)]);
        let few_doubled = summary(10, &[(0.0, 200), (50.0, 2000), (99.0, 4000), (100.0, 6000)]);
        assert!(!latency("p50", 0.5, &few, &few_doubled).flagged, "10 samples cannot tell");
    }
}
