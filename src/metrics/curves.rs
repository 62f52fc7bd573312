//! Miss-ratio curves computed apart from the scenario's sweep (one pass over a trace, exact
//! stack distances or sampled), which results may carry and the report draws as lines.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::CapacityUnit;

/// A miss-ratio curve of one policy: many sizes from one pass, as an `mrc` command (exact
/// stack distances, SHARDS sampling, miniature simulation) would write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MissRatioCurve {
    /// The policy or strategy the curve belongs to (matched by name to result rows, for
    /// colours).
    pub strategy: String,
    /// How it was computed, e.g. `exact`, `shards 1%`, `minisim 0.1`; shown in the legend.
    pub method: String,
    /// `objects` or `bytes`.
    pub capacity_unit: CapacityUnit,
    /// `[capacity, miss ratio]` pairs, smallest capacity first.
    pub points: Vec<(u64, f64)>,
}
