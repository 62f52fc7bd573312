//! `recommendation.json`: the recommendation for programs (a CI job, a dashboard), written
//! beside `index.html`; its JSON Schema is committed as `schema/recommendation.schema.json`.

use schemars::JsonSchema;
use serde::Serialize;

use super::Recommendation;
use crate::metrics::RunResult;

/// Version of the `recommendation.json` schema; bumped on any incompatible change.
pub const RECOMMENDATION_SCHEMA_VERSION: u32 = 1;

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Document {
    /// [`RECOMMENDATION_SCHEMA_VERSION`] of this document.
    pub schema_version: u32,
    /// The run's name.
    pub name: String,
    /// `simulation`, `load` or `http`.
    pub mode: String,
    /// The `knee_gain` the knees were found with: hit ratio per doubling of capacity.
    pub knee_gain: f64,
    /// The recommendation.
    #[serde(flatten)]
    pub recommendation: Recommendation,
}

impl Document {
    /// The document of `recommendation`, made for `result`.
    pub fn new(result: &RunResult, recommendation: &Recommendation) -> Document {
        Document {
            schema_version: RECOMMENDATION_SCHEMA_VERSION,
            name: result.name.clone(),
            mode: result.mode.clone(),
            knee_gain: crate::metrics::Objectives::knee_gain(result.objectives.as_ref()),
            recommendation: recommendation.clone(),
        }
    }
}

/// The JSON Schema of `recommendation.json`.
pub fn recommendation_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Document)).expect("a schema serialises")
}
