//! Measurements: counters per strategy and the versioned `RunResult` that `results.json`
//! holds. Depends on nothing else in the crate, so exports and reports can render results
//! from another machine.

mod environment;
mod result;
pub mod upgrade;

pub use environment::Environment;
pub use result::{
    Counts, LatencySummary, LoadMeasurements, NO_COALESCING_SUFFIX, RunResult, SCHEMA_VERSION,
    Started, StrategyResult, TierCounts, TimePoint, TraceSummary,
};

/// The JSON Schema of `results.json` (committed as `schema/results.schema.json`).
pub fn results_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(RunResult)).expect("a schema serialises")
}
