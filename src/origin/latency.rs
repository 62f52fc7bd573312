//! The origin's response time: a distribution written in the scenario's `[origin]` section,
//! sampled as a pure function of `(seed, request index)` so a run's origin delays are the
//! same whichever worker serves which request.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::Invalid;
use crate::model::hash::unit_open;

/// z-score of the 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_841;

/// Longest delay ever sampled (the latency histograms' upper bound): lognormal tails are
/// unbounded, a simulated origin is not.
pub const MAX_LATENCY: Duration = Duration::from_secs(60);

const SALT_A: u64 = 0x004f_5249_4749_4e41;
const SALT_B: u64 = 0x004f_5249_4749_4e42;

/// How long the origin takes to answer one request (`latency = { dist = ..., ... }`).
///
/// The default, `{ dist = "lognormal", p50_ms = 20, p99_ms = 120 }`, is a typical web backend
/// (database query plus rendering); write `{ dist = "fixed", ms = 0 }` for an instant origin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencySpec {
    /// Every fetch takes `ms` milliseconds.
    Fixed {
        /// Delay in milliseconds (fractions allowed).
        ms: f64,
    },
    /// Uniform in `[min_ms, max_ms]`.
    Uniform {
        /// Shortest delay, ms.
        min_ms: f64,
        /// Longest delay, ms.
        max_ms: f64,
    },
    /// Lognormal with the given median and 99th percentile: `mu = ln(p50)`,
    /// `sigma = ln(p99 / p50) / 2.326` (the normal's 99th-percentile z-score).
    Lognormal {
        /// Median delay, ms.
        p50_ms: f64,
        /// 99th-percentile delay, ms (at least `p50_ms`).
        p99_ms: f64,
    },
}

impl Default for LatencySpec {
    fn default() -> Self {
        LatencySpec::Lognormal { p50_ms: 20.0, p99_ms: 120.0 }
    }
}

impl LatencySpec {
    /// Checks the parameters; the error names the offending field.
    pub fn validate(&self) -> Result<(), Invalid> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        let max_ms = MAX_LATENCY.as_secs_f64() * 1e3;
        match *self {
            LatencySpec::Fixed { ms } if !ok(ms) || ms > max_ms => {
                Err(Invalid::new("ms", format!("must be between 0 and {max_ms}, got {ms}")))
            }
            LatencySpec::Uniform { min_ms, max_ms: hi } if !ok(min_ms) || !ok(hi) || min_ms > hi => {
                Err(Invalid::new(
                    if ok(min_ms) && min_ms <= hi { "max_ms" } else { "min_ms" },
                    format!("needs 0 <= min_ms <= max_ms, got min_ms {min_ms} and max_ms {hi}"),
                ))
            }
            LatencySpec::Lognormal { p50_ms, p99_ms }
                if !(ok(p50_ms) && p50_ms > 0.0 && ok(p99_ms)) || p99_ms < p50_ms =>
            {
                Err(Invalid::new(
                    if ok(p50_ms) && p50_ms > 0.0 { "p99_ms" } else { "p50_ms" },
                    format!("needs 0 < p50_ms <= p99_ms, got p50_ms {p50_ms} and p99_ms {p99_ms}"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// The sampler for this distribution under `seed` (assumes [`LatencySpec::validate`] passed).
    pub fn sampler(&self, seed: u64) -> LatencySampler {
        let shape = match *self {
            LatencySpec::Fixed { ms } => Shape::Fixed(ms),
            LatencySpec::Uniform { min_ms, max_ms } => Shape::Uniform { min: min_ms, span: max_ms - min_ms },
            LatencySpec::Lognormal { p50_ms, p99_ms } => {
                Shape::Lognormal { mu: p50_ms.ln(), sigma: (p99_ms / p50_ms).ln() / Z_P99 }
            }
        };
        LatencySampler { shape, seed }
    }
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Fixed(f64),
    Uniform { min: f64, span: f64 },
    Lognormal { mu: f64, sigma: f64 },
}

/// Draws origin delays: `delay(i)` is a pure function of the seed and the request index.
#[derive(Debug, Clone, Copy)]
pub struct LatencySampler {
    shape: Shape,
    seed: u64,
}

impl LatencySampler {
    /// The origin delay of request number `index`, at most [`MAX_LATENCY`].
    pub fn delay(&self, index: u64) -> Duration {
        let ms = match self.shape {
            Shape::Fixed(ms) => ms,
            Shape::Uniform { min, span } => min + span * unit_open(self.seed, index, SALT_A),
            Shape::Lognormal { mu, sigma } => {
                // Box-Muller: two independent uniforms give one standard normal z.
                let u1 = unit_open(self.seed, index, SALT_A);
                let u2 = unit_open(self.seed, index, SALT_B);
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                (mu + sigma * z).exp()
            }
        };
        Duration::from_secs_f64(ms / 1e3).min(MAX_LATENCY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantile(spec: LatencySpec, q: f64) -> f64 {
        let s = spec.sampler(7);
        let mut v: Vec<f64> = (0..100_000).map(|i| s.delay(i).as_secs_f64() * 1e3).collect();
        v.sort_by(f64::total_cmp);
        v[(q * (v.len() - 1) as f64) as usize]
    }

    #[test]
    fn lognormal_hits_its_p50_and_p99() {
        let spec = LatencySpec::Lognormal { p50_ms: 2.0, p99_ms: 30.0 };
        let p50 = quantile(spec, 0.5);
        let p99 = quantile(spec, 0.99);
        assert!((p50 - 2.0).abs() < 0.05, "p50 {p50}");
        assert!((p99 - 30.0).abs() < 1.5, "p99 {p99}");
    }

    #[test]
    fn uniform_and_fixed_stay_in_range() {
        let s = LatencySpec::Uniform { min_ms: 5.0, max_ms: 10.0 }.sampler(1);
        let all: Vec<Duration> = (0..10_000).map(|i| s.delay(i)).collect();
        assert!(all.iter().all(|d| (Duration::from_millis(5)..=Duration::from_millis(10)).contains(d)));
        let mean = all.iter().map(Duration::as_secs_f64).sum::<f64>() / all.len() as f64;
        assert!((mean - 0.0075).abs() < 0.0002, "mean {mean}");
        assert_eq!(LatencySpec::Fixed { ms: 20.0 }.sampler(1).delay(99), Duration::from_millis(20));
    }

    #[test]
    fn delays_are_seeded() {
        let spec = LatencySpec::default();
        assert_eq!(spec.sampler(3).delay(17), spec.sampler(3).delay(17));
        assert_ne!(spec.sampler(3).delay(17), spec.sampler(4).delay(17));
    }

    #[test]
    fn bad_parameters_are_rejected_by_name() {
        let e = LatencySpec::Lognormal { p50_ms: 20.0, p99_ms: 10.0 }.validate().unwrap_err();
        assert_eq!(e.key, "p99_ms", "{e}");
        assert!(LatencySpec::Uniform { min_ms: 3.0, max_ms: 1.0 }.validate().is_err());
        assert!(LatencySpec::Fixed { ms: -1.0 }.validate().is_err());
        assert!(LatencySpec::default().validate().is_ok());
    }
}
