//! `[objectives]`: what the user needs from a cache, so the report can recommend one. One
//! type for the scenario that states them and the results and reports that carry them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Invalid;
use crate::model::units::{ByteSize, Fraction, Positive};

/// Targets a strategy must meet to be recommended. Every key is optional, but at least one
/// must be given.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Objectives {
    /// Highest acceptable end-to-end p99 latency, milliseconds (load runs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub p99_ms: Option<Positive>,
    /// Lowest acceptable hit ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub min_hit_ratio: Option<Fraction>,
    /// Most memory the cache may use (`"512MiB"` in a scenario); serialised as bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<u64>")]
    pub memory_budget: Option<ByteSize>,
    /// Whether the cached data must survive a restart of the service (file or external Redis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survive_restart: Option<bool>,
    /// Highest acceptable load on the origin, requests per second (load runs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub max_origin_rps: Option<Positive>,
    /// Not a target but how the report sizes a cache: the hit-ratio gain per doubling of
    /// capacity below which more capacity stops paying (the knee of a strategy's curve);
    /// [`Objectives::DEFAULT_KNEE_GAIN`] when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<f64>")]
    pub knee_gain: Option<Fraction>,
}

impl Objectives {
    /// The knee's hit-ratio gain per doubling when `knee_gain` is not set: one point.
    pub const DEFAULT_KNEE_GAIN: f64 = 0.01;

    /// Whether any target is set (`knee_gain` alone sets none).
    pub fn has_targets(&self) -> bool {
        Objectives { knee_gain: None, ..self.clone() } != Objectives::default()
    }

    /// The knee's hit-ratio gain per doubling of `objectives`, or the default.
    pub fn knee_gain(objectives: Option<&Objectives>) -> f64 {
        objectives.and_then(|o| o.knee_gain).map_or(Self::DEFAULT_KNEE_GAIN, |g| g.0)
    }

    /// Checks what the parser cannot: at least one key, a non-zero memory budget and a non-zero
    /// knee gain.
    pub fn validate(&self) -> Result<(), Invalid> {
        if *self == Objectives::default() {
            return Err(Invalid::new(
                "",
                "[objectives] is empty; set at least one of p99_ms, min_hit_ratio, memory_budget, \
                 survive_restart, max_origin_rps, knee_gain",
            ));
        }
        if self.memory_budget == Some(ByteSize(0)) {
            return Err(Invalid::new("memory_budget", "must be greater than zero"));
        }
        if self.knee_gain == Some(Fraction(0.0)) {
            return Err(Invalid::new("knee_gain", "must be greater than zero"));
        }
        Ok(())
    }
}
