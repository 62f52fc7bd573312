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
}

impl Objectives {
    /// Checks what the parser cannot: at least one objective, and a non-zero memory budget.
    pub fn validate(&self) -> Result<(), Invalid> {
        if *self == Objectives::default() {
            return Err(Invalid::new(
                "",
                "[objectives] is empty; set at least one of p99_ms, min_hit_ratio, memory_budget, \
                 survive_restart, max_origin_rps",
            ));
        }
        if self.memory_budget == Some(ByteSize(0)) {
            return Err(Invalid::new("memory_budget", "must be greater than zero"));
        }
        Ok(())
    }
}
