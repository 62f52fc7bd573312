//! The `[load]` section of a scenario: present means "measure under real concurrency on the
//! wall clock" instead of exact simulation in logical time.

use std::num::NonZeroU64;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::model::Invalid;
use crate::model::units::{HumanDuration, Positive};

/// How requests are issued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoopMode {
    /// `concurrency` workers, each sending its next request as soon as the last one finished
    /// (throughput is what the system sustains; latency is per request as served).
    #[default]
    Closed,
    /// A fixed `rate` of requests per second on a schedule; latency is measured from each
    /// request's intended send time, so stalls are not hidden (coordinated omission corrected).
    Open,
}

impl LoopMode {
    /// The name used in scenarios and results (`closed`, `open`).
    pub fn name(self) -> &'static str {
        match self {
            LoopMode::Closed => "closed",
            LoopMode::Open => "open",
        }
    }
}

/// Workers of a closed loop when `concurrency` is not written.
pub const DEFAULT_CLOSED_CONCURRENCY: u64 = 8;
/// In-flight bound of an open loop when `concurrency` is not written.
pub const DEFAULT_OPEN_CONCURRENCY: u64 = 256;

/// Most workers of a closed loop, or requests in flight of an open loop.
pub const MAX_CONCURRENCY: u64 = 10_000;
/// Highest open-loop rate, requests per second.
pub const MAX_RATE: f64 = 10_000_000.0;
/// Longest run.
pub const MAX_DURATION: Duration = Duration::from_secs(7 * 24 * 3600);
/// Longest limit on one cache operation.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(60);
/// Widest point of the time series.
pub const MAX_INTERVAL: Duration = Duration::from_secs(3600);

/// `[load]`: how to drive strategies on the wall clock.
///
/// The run length is `duration` if written, else the workload's `requests`; either way it
/// includes the warm-up, which is `warmup` if written, else the workload's `warmup` share of
/// the length. Strategies run one after another, each with the whole machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSpec {
    /// `closed` (default) or `open`.
    #[serde(default)]
    pub mode: LoopMode,
    /// Closed loop: number of workers (default 8). Open loop: most requests in flight at once
    /// (default 256); when reached, sending waits and the delay shows in the latencies.
    #[serde(default)]
    pub concurrency: Option<NonZeroU64>,
    /// Open loop only: requests per second.
    #[serde(default)]
    pub rate: Option<Positive>,
    /// Wall-clock length of the run including warm-up (default: the workload's request count).
    #[serde(default)]
    pub duration: Option<HumanDuration>,
    /// Warm-up time excluded from the results (default: the workload's `warmup` share).
    #[serde(default)]
    pub warmup: Option<HumanDuration>,
    /// Limit on each cache operation; one that takes longer counts as a timeout and the
    /// request falls back to the origin (default 100ms).
    #[serde(default = "default_timeout")]
    pub timeout: HumanDuration,
    /// Width of one point of the time series (default 1s).
    #[serde(default = "default_interval")]
    pub timeseries_interval: HumanDuration,
}

fn default_timeout() -> HumanDuration {
    HumanDuration(Duration::from_millis(100))
}

fn default_interval() -> HumanDuration {
    HumanDuration(Duration::from_secs(1))
}

impl Default for LoadSpec {
    /// Every key at its default (as an empty `[load]` section).
    fn default() -> Self {
        toml::from_str("").expect("an empty [load] table uses every default")
    }
}

impl LoadSpec {
    /// Checks cross-field constraints and writes the mode's default `concurrency`, so the
    /// scenario echoed in results shows what ran. The error names the key.
    pub fn finish(&mut self) -> Result<(), Invalid> {
        match (self.mode, self.rate) {
            (LoopMode::Open, None) => {
                return Err(Invalid::new(
                    "rate",
                    "mode = \"open\" needs a rate (requests per second), e.g. rate = 1000",
                ));
            }
            (LoopMode::Closed, Some(_)) => {
                return Err(Invalid::new(
                    "rate",
                    "rate only applies to mode = \"open\"; a closed loop runs as fast as it can",
                ));
            }
            _ => {}
        }
        if self.timeout.0.is_zero() || self.timeout.0 > MAX_TIMEOUT {
            return Err(Invalid::new("timeout", "must be greater than zero and at most 60s"));
        }
        if self.timeseries_interval.0 < Duration::from_millis(10) || self.timeseries_interval.0 > MAX_INTERVAL
        {
            return Err(Invalid::new("timeseries_interval", "must be between 10ms and 1h"));
        }
        if let Some(c) = self.concurrency
            && c.get() > MAX_CONCURRENCY
        {
            return Err(Invalid::new(
                "concurrency",
                format!(
                    "must be between 1 and {MAX_CONCURRENCY}, got {c} (each worker or request in flight holds its own buffers)"
                ),
            ));
        }
        if let Some(rate) = self.rate
            && rate.0 > MAX_RATE
        {
            return Err(Invalid::new(
                "rate",
                format!("must be at most {MAX_RATE} requests/s, got {}", rate.0),
            ));
        }
        if let Some(d) = self.duration {
            if d.0.is_zero() || d.0 > MAX_DURATION {
                return Err(Invalid::new("duration", "must be greater than zero and at most 7 days"));
            }
            if self.warmup.is_some_and(|w| w.0 >= d.0) {
                return Err(Invalid::new(
                    "warmup",
                    "must be shorter than duration (duration includes the warm-up)",
                ));
            }
        }
        let default = match self.mode {
            LoopMode::Closed => DEFAULT_CLOSED_CONCURRENCY,
            LoopMode::Open => DEFAULT_OPEN_CONCURRENCY,
        };
        self.concurrency.get_or_insert(NonZeroU64::new(default).expect("nonzero"));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LoadSpec, String> {
        let mut spec: LoadSpec = toml::from_str(text).map_err(|e| e.to_string())?;
        spec.finish().map_err(|e| e.to_string())?;
        Ok(spec)
    }

    #[test]
    fn defaults_depend_on_the_mode() {
        let closed = parse("").unwrap();
        assert_eq!(closed.mode, LoopMode::Closed);
        assert_eq!(closed.concurrency.map(NonZeroU64::get), Some(DEFAULT_CLOSED_CONCURRENCY));
        assert_eq!(closed.timeout.0, Duration::from_millis(100));
        let open = parse("mode = \"open\"\nrate = 500").unwrap();
        assert_eq!(open.concurrency.map(NonZeroU64::get), Some(DEFAULT_OPEN_CONCURRENCY));
    }

    #[test]
    fn inconsistent_settings_are_refused() {
        assert!(parse("mode = \"open\"").unwrap_err().contains("rate"));
        assert!(parse("rate = 10").unwrap_err().contains("open"));
        assert!(parse("duration = \"2s\"\nwarmup = \"3s\"").unwrap_err().contains("warmup"));
        assert!(parse("timeout = \"0s\"").unwrap_err().contains("timeout"));
        assert!(parse("mode = \"sideways\"").is_err());
        assert!(parse("concurrency = 0").is_err());
    }
}
