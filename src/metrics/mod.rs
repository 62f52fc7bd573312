//! Measurements: counters per strategy and the versioned `RunResult` that `results.json`
//! holds, with what the runner knew of each strategy ([`StrategyFacts`]) and the user's
//! [`Objectives`]. Depends only on `model`, so exports and reports can render results from
//! another machine.

mod causes;
mod costs;
mod curves;
mod environment;
mod facts;
mod objectives;
mod report_settings;
mod result;
pub mod upgrade;

pub use causes::{ErrorCause, ErrorCauses, KEPT_CAUSES};
pub use costs::{Costs, GB, GIB, MonthlyCost};
pub use curves::MissRatioCurve;
pub use environment::Environment;
pub use facts::{Backend, StrategyFacts};
pub use objectives::Objectives;
pub use report_settings::ReportSettings;
pub use result::{
    Counts, IntervalCounts, LatencySummary, LoadMeasurements, NO_COALESCING_SUFFIX, RunResult,
    SCHEMA_VERSION, Started, StrategyResult, TargetCounts, TierCounts, TimePoint, TraceSummary,
};

/// The JSON Schema of `results.json` (committed as `schema/results.schema.json`).
pub fn results_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RunResult)).expect("a schema serialises")
}
