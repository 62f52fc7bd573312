//! `[report]`: how the report presents a run (which policy the bars compare against, how
//! many series a chart shows). Carried in the results so `cachelab report` renders alike.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Invalid;

/// Report settings; every key optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// The strategy (by name or kind) whose miss ratio the reduction bars are relative to;
    /// default: the strategy of kind `fifo`, else `lru` (as the SIEVE and S3-FIFO papers
    /// report results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// Most series one chart draws before it shows the best ones and names the rest
    /// (default [`ReportSettings::DEFAULT_MAX_SERIES`], at most 16, the palette's size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_series: Option<usize>,
}

impl ReportSettings {
    /// Series per chart when `max_series` is not set.
    pub const DEFAULT_MAX_SERIES: usize = 8;
    /// Most series a chart can keep apart (the palette's colours).
    pub const MAX_SERIES: usize = 16;

    /// The series limit of `settings`, or the default.
    pub fn max_series(settings: Option<&ReportSettings>) -> usize {
        settings.and_then(|s| s.max_series).unwrap_or(Self::DEFAULT_MAX_SERIES)
    }

    /// Checks the series limit and, given the scenario's strategies as (name, kind), that the
    /// baseline names one of them.
    pub fn validate<'a>(
        &self,
        strategies: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Result<(), Invalid> {
        if let Some(n) = self.max_series
            && !(1..=Self::MAX_SERIES).contains(&n)
        {
            return Err(Invalid::new("max_series", format!("must be between 1 and {}", Self::MAX_SERIES)));
        }
        if let Some(b) = &self.baseline
            && !strategies.clone().any(|(name, kind)| name == b || kind == b)
        {
            let names: Vec<&str> = strategies.map(|s| s.0).collect();
            return Err(Invalid::new(
                "baseline",
                format!("`{b}` is neither the name nor the kind of a strategy here ({})", names.join(", ")),
            ));
        }
        Ok(())
    }
}
