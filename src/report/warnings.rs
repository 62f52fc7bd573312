//! Warnings a reader must see before trusting the numbers: a warm-up that was too short, cache
//! errors, timeouts or corrupt hits, and runs that stopped early.

use super::format;
use crate::metrics::{IntervalCounts, RunResult, TimePoint};

/// A hit ratio that rose by more than this between the last two tenths of the measured time
/// series counts as "still climbing".
pub const CLIMB_THRESHOLD: f64 = 0.005;

/// Every warning for `result`, most serious first.
pub fn warnings(result: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    if result.partial {
        out.push(
            "The run was interrupted: results cover only part of the workload (results.json says `partial: true`)."
                .to_string(),
        );
    }
    for r in &result.results {
        let label = format::label(r);
        if r.counts.corrupt > 0 {
            out.push(format!(
                "{label}: {} hits returned a wrong or truncated body (counted as misses, never as hits).",
                r.counts.corrupt
            ));
        }
        if r.damaged_at_open + r.damaged_in_warmup > 0 {
            out.push(format!(
                "{label}: {} stored entries were found damaged when the cache opened and {} during the warm-up; they were discarded and served as misses (not counted in the measured errors).",
                r.damaged_at_open, r.damaged_in_warmup
            ));
        }
        if r.counts.errors > 0 {
            out.push(format!(
                "{label}: {} cache operations failed ({}% of requests); those requests went to the origin.{}",
                r.counts.errors,
                format::significant(100.0 * r.counts.errors as f64 / r.counts.requests.max(1) as f64, 2),
                causes(&r.error_causes)
            ));
        }
        if let Some(load) = &r.load {
            if let Some(t) = &load.target {
                let classified = match (&t.classified_by, t.classified_hits) {
                    (Some(rule), Some(hits)) => {
                        format!(
                            " Its responses said hit ({rule}) {} times; that split gives the hit and miss latencies.",
                            format::thousands(hits)
                        )
                    }
                    _ => " Its responses do not say hit or miss, so all its latencies are filed as misses."
                        .into(),
                };
                out.push(format!(
                    "{label} is an HTTP target cachelab does not own ({}): its hit ratio is counted at the origin, as reads − the {} objects the origin served during the measured part.{classified}",
                    t.url,
                    format::thousands(t.origin_fetches)
                ));
            }
            if load.cancelled_at_end > 0 {
                out.push(format!(
                    "{label}: {} requests were still waiting on the origin or the cache 2 s after the run's duration and were cancelled (not in the latencies).",
                    load.cancelled_at_end
                ));
            }
            if load.timeouts > 0 {
                out.push(format!("{label}: {} cache operations timed out.", load.timeouts));
            }
            if let Some(rise) = still_climbing(&load.timeseries) {
                out.push(format!(
                    "{label}: warm-up too short: the hit ratio was still climbing at the end of the run \
                     (+{:.3} between the last two tenths of the measured time); the hit ratio understates \
                     the steady state. Raise `warmup` or the run length.",
                    rise
                ));
            }
        }
        if r.load.is_none()
            && let Some(rise) = still_climbing(&logical_series(&r.intervals))
        {
            out.push(format!(
                "{label}: warm-up too short: the hit ratio was still climbing at the end of the run \
                 (+{rise:.3} between the last two tenths of the measured requests); the hit ratio understates \
                 the steady state. Raise `warmup` or `requests`."
            ));
        }
    }
    out
}

/// A simulation's intervals of requests as a time series whose time is the request index
/// (from the end of the warm-up), for [`still_climbing`].
fn logical_series(intervals: &[IntervalCounts]) -> Vec<TimePoint> {
    intervals
        .iter()
        .map(|i| TimePoint {
            t_s: i.from_request as f64,
            requests: i.hits + i.misses,
            hit_ratio: i.hit_ratio(),
            origin_rps: 0.0,
            errors: 0,
            timeouts: 0,
        })
        .collect()
}

/// " Causes: `a` (3 times), ..." for the causes of failed operations, or nothing.
fn causes(causes: &[crate::metrics::ErrorCause]) -> String {
    if causes.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = causes.iter().map(|c| format!("`{}` ({} times)", c.message, c.count)).collect();
    format!(" Causes: {}.", listed.join(", "))
}

/// How much the hit ratio rose between the second-to-last and the last tenth of the measured
/// (t ≥ 0) time series, when that rise exceeds [`CLIMB_THRESHOLD`]. Needs at least 4 points.
pub fn still_climbing(series: &[TimePoint]) -> Option<f64> {
    let measured: Vec<&TimePoint> = series.iter().filter(|p| p.t_s >= 0.0 && p.requests > 0).collect();
    let window = measured.len().div_ceil(10).max(2);
    if measured.len() < 2 * window {
        return None;
    }
    let mean = |pts: &[&TimePoint]| {
        let requests: u64 = pts.iter().map(|p| p.requests).sum();
        pts.iter().map(|p| p.hit_ratio * p.requests as f64).sum::<f64>() / requests as f64
    };
    let n = measured.len();
    let rise = mean(&measured[n - window..]) - mean(&measured[n - 2 * window..n - window]);
    (rise > CLIMB_THRESHOLD).then_some(rise)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(ratios: &[f64]) -> Vec<TimePoint> {
        ratios
            .iter()
            .enumerate()
            .map(|(i, &h)| TimePoint {
                t_s: i as f64,
                requests: 1000,
                hit_ratio: h,
                origin_rps: 0.0,
                errors: 0,
                timeouts: 0,
            })
            .collect()
    }

    #[test]
    fn a_rising_tail_is_flagged_with_its_rise() {
        let rising: Vec<f64> = (0..30).map(|i| 0.5 + i as f64 * 0.01).collect();
        let rise = still_climbing(&series(&rising)).expect("flagged");
        assert!((rise - 0.03).abs() < 1e-9, "{rise}");
    }

    #[test]
    fn a_simulation_still_warming_up_is_flagged_from_its_intervals() {
        let intervals = |climb: u64| -> Vec<IntervalCounts> {
            (0..30)
                .map(|k| {
                    let hits = 500 + climb * k;
                    IntervalCounts {
                        from_request: k as i64 * 1000 - 3000,
                        requests: 1000,
                        hits,
                        misses: 1000 - hits,
                    }
                })
                .collect()
        };
        assert!(still_climbing(&logical_series(&intervals(10))).is_some());
        assert_eq!(still_climbing(&logical_series(&intervals(0))), None);
    }

    #[test]
    fn a_flat_or_noisy_tail_is_not_flagged() {
        let flat: Vec<f64> = (0..30).map(|i| 0.8 + if i % 2 == 0 { 0.002 } else { -0.002 }).collect();
        assert_eq!(still_climbing(&series(&flat)), None);
        assert_eq!(still_climbing(&series(&[0.1, 0.9, 0.95])), None, "too few points to judge");
    }
}
