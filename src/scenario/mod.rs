//! Scenario files (TOML): what to replay, through which strategies, at which capacities.
//! Parsing validates every value and reports errors with file, line, column and key.

mod bounds;
mod locate;
mod mode;
#[cfg(test)]
mod strategy_tests;
mod validate;

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::metrics::{Costs, Objectives, ReportSettings};
pub use mode::RunMode;

use crate::http::HttpSpec;
use crate::model::error::InputError;
use crate::origin::OriginSpec;
use crate::runner::RunPlan;
use crate::runner::load::LoadSpec;
use crate::strategy::{StrategySpec, StrategyTable};
use crate::workload::WorkloadSpec;

/// A parsed, validated scenario. Its strategies are typed specs; a file is first read with
/// its `[[strategy]]` tables as written (`Scenario<StrategyTable>`), so that each check can
/// point at the key at fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario<S = StrategySpec> {
    /// Name of the scenario; results go to `<out>/<name>/`.
    pub name: String,
    /// What the scenario compares, in a sentence (echoed in reports).
    #[serde(default)]
    pub description: String,
    /// Seed of every random choice; the same seed gives the same requests.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// How to run: `simulation`, `load` or `http` (default: `load` with a `[load]` section,
    /// else `simulation`); see [`RunMode`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<RunMode>,
    /// The request stream.
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// The simulated origin behind the caches (its latency matters only under `[load]`).
    #[serde(default)]
    pub origin: OriginSpec,
    /// Wall-clock load settings; absent: exact simulation in logical time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadSpec>,
    /// The caching server of HTTP mode and `cachelab serve`.
    #[serde(default)]
    pub http: HttpSpec,
    /// The strategies to compare, in report order.
    #[serde(rename = "strategy")]
    pub strategies: Vec<S>,
    /// What the user needs; the report ranks strategies against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objectives: Option<Objectives>,
    /// Prices of memory and origin work; the report draws cost per capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<Costs>,
    /// How the report presents the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportSettings>,
}

fn default_seed() -> u64 {
    42
}

impl<S> Scenario<S> {
    /// How this scenario runs: its `mode`, else `load` with a `[load]` section, else
    /// `simulation`.
    pub fn run_mode(&self) -> RunMode {
        match (self.mode, &self.load) {
            (Some(mode), _) => mode,
            (None, Some(_)) => RunMode::Load,
            (None, None) => RunMode::Simulation,
        }
    }

    /// The same scenario with other strategies.
    fn with_strategies<T>(self, strategies: Vec<T>) -> Scenario<T> {
        let Scenario {
            name,
            description,
            seed,
            mode,
            workload,
            origin,
            load,
            http,
            strategies: _,
            objectives,
            costs,
            report,
        } = self;
        Scenario {
            name,
            description,
            seed,
            mode,
            workload,
            origin,
            load,
            http,
            strategies,
            objectives,
            costs,
            report,
        }
    }
}

impl Scenario {
    /// What the runners need of this scenario, which the results echo as it is now.
    pub fn plan(&self) -> RunPlan {
        RunPlan {
            name: self.name.clone(),
            seed: self.seed,
            workload: self.workload.clone(),
            origin: self.origin,
            load: self.load.clone(),
            http: self.http,
            strategies: self.strategies.clone(),
            objectives: self.objectives.clone(),
            echo: serde_json::to_value(self).expect("a scenario serialises"),
        }
    }

    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::Io { path: path.to_path_buf(), cause: e })?;
        Scenario::parse(&text, path)
    }

    /// Parses and validates scenario text; `path` is named in error messages, and a relative
    /// trace path (`workload.path`) is resolved against its directory.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, InputError> {
        let written: Scenario<StrategyTable> =
            toml::from_str(text).map_err(|e| locate::parse_error(text, path, &e))?;
        written.check(path).map_err(|e| locate::invalid_error(text, path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_alpha_is_reported_at_its_line() {
        let text = "name = \"x\"\n[workload]\nalpha = -1.0\n[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = 10\n";
        let err = Scenario::parse(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("s.toml:3:9"), "{err}");
        assert!(err.contains("greater than 0"), "{err}");
    }

    const STRATEGY: &str = "[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = 10\n";

    #[test]
    fn objectives_parse_with_units() {
        let text = format!(
            "name = \"x\"\n{STRATEGY}[objectives]\np99_ms = 5\nmin_hit_ratio = 0.8\nmemory_budget = \"512MiB\"\nsurvive_restart = true\n"
        );
        let o = Scenario::parse(&text, Path::new("s.toml")).unwrap().objectives.unwrap();
        assert_eq!(o.p99_ms.map(|p| p.0), Some(5.0));
        assert_eq!(o.min_hit_ratio.map(|f| f.0), Some(0.8));
        assert_eq!(o.memory_budget.map(|b| b.0), Some(512 << 20));
        assert_eq!(o.survive_restart, Some(true));
        assert_eq!(o.max_origin_rps, None);
    }

    #[test]
    fn comparing_coalescing_rejects_file_caches() {
        let text = "name = \"x\"\nmode = \"http\"\n[http]\ncoalesce = \"compare\"\n[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\ncapacity = 10\n";
        let err = Scenario::parse(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("s.toml:4:1") && err.contains("`f` keeps its files between runs"), "{err}");
        let in_memory = text.replace("kind = \"file\"\ndir = \"d\"", "kind = \"lru\"");
        assert!(Scenario::parse(&in_memory, Path::new("s.toml")).is_ok());
    }

    #[test]
    fn bad_objectives_are_reported_at_their_line() {
        let err = |body: &str| {
            let text = format!("name = \"x\"\n{STRATEGY}[objectives]\n{body}");
            Scenario::parse(&text, Path::new("s.toml")).unwrap_err().to_string()
        };
        let e = err("min_hit_ratio = 1.5\n");
        assert!(e.contains("s.toml:7:17") && e.contains("between 0 and 1"), "{e}");
        let e = err("p99_ms = 5\nmemory_budget = \"lots\"\n");
        assert!(e.contains("s.toml:8:17") && e.contains("not a byte size"), "{e}");
        let e = err("p99 = 5\n");
        assert!(e.contains("s.toml:7:1") && e.contains("unknown field `p99`"), "{e}");
        let e = err("");
        assert!(e.contains("s.toml:6:1: key `objectives`") && e.contains("[objectives] is empty"), "{e}");
        let e = err("memory_budget = 0\n");
        assert!(e.contains("s.toml:7:17: key `objectives.memory_budget`: must be greater than zero"), "{e}");
        let e = err("knee_gain = 0\n");
        assert!(e.contains("s.toml:7:13: key `objectives.knee_gain`: must be greater than zero"), "{e}");
    }

    #[test]
    fn costs_and_report_settings_are_checked_at_their_keys() {
        let err = |body: &str| {
            let text = format!("name = \"x\"\n{STRATEGY}{body}");
            Scenario::parse(&text, Path::new("s.toml")).unwrap_err().to_string()
        };
        let e = err("[costs]\norigin_per_million_misses = 2\n");
        assert!(e.contains("s.toml:6:1: key `costs.requests_per_month`"), "{e}");
        let e = err("[costs]\nmemory_per_gib_month = -1\n");
        assert!(e.contains("s.toml:7:24") && e.contains("greater than 0"), "{e}");
        let e = err("[report]\nbaseline = \"fifo\"\n");
        assert!(e.contains("key `report.baseline`") && e.contains("`fifo` is neither"), "{e}");
        let text = format!(
            "name = \"x\"\n{STRATEGY}[costs]\nmemory_per_gib_month = 3\n[report]\nbaseline = \"lru\"\nmax_series = 4\n"
        );
        let s = Scenario::parse(&text, Path::new("s.toml")).unwrap();
        assert_eq!(s.costs.unwrap().memory_per_gib_month.map(|p| p.0), Some(3.0));
        assert_eq!(s.report.unwrap().baseline.as_deref(), Some("lru"));
    }

    #[test]
    fn knee_gain_alone_states_no_target() {
        let text = format!("name = \"x\"\n{STRATEGY}[objectives]\nknee_gain = 0.02\n");
        let o = Scenario::parse(&text, Path::new("s.toml")).unwrap().objectives.unwrap();
        assert_eq!(Objectives::knee_gain(Some(&o)), 0.02);
        assert!(!o.has_targets());
        assert_eq!(Objectives::knee_gain(None), Objectives::DEFAULT_KNEE_GAIN);
        let with_target = Objectives { min_hit_ratio: Some(crate::model::units::Fraction(0.5)), ..o };
        assert!(with_target.has_targets());
    }
}
