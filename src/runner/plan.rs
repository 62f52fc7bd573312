//! What a run is given. The layer that reads scenario files builds a [`RunPlan`]
//! (`Scenario::plan`), so runners never see a scenario: they get the workload, the origin, the
//! wall-clock and HTTP settings and the strategies to run, and echo the scenario as written.

use crate::http::HttpSpec;
use crate::metrics::Objectives;
use crate::origin::OriginSpec;
use crate::runner::load::LoadSpec;
use crate::strategy::StrategySpec;
use crate::workload::WorkloadSpec;

/// Everything a runner needs to run a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlan {
    /// The run's name (the results' `name`).
    pub name: String,
    /// Seed of every random choice.
    pub seed: u64,
    /// The request stream.
    pub workload: WorkloadSpec,
    /// The simulated origin behind the caches.
    pub origin: OriginSpec,
    /// Wall-clock load settings (load and HTTP runs need them; a simulation ignores them).
    pub load: Option<LoadSpec>,
    /// The caching server of HTTP runs.
    pub http: HttpSpec,
    /// The strategies to run, in report order.
    pub strategies: Vec<StrategySpec>,
    /// What the user needs; recorded in the results for the report's recommendation.
    pub objectives: Option<Objectives>,
    /// The scenario as run, every default filled in: the results' `scenario`.
    pub echo: serde_json::Value,
}
