//! Scenario files (TOML): what to replay, through which strategies, at which capacities.
//! Parsing validates every value and reports errors with file, line, column and key.

mod mode;
mod objectives;
mod strategy_spec;
pub mod units;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use mode::RunMode;
pub use objectives::Objectives;
pub use strategy_spec::{MaxmemoryPolicy, RedisUrl, StrategyKind, StrategySpec};

use crate::error::InputError;
use crate::http::{Coalescing, HttpSpec};
use crate::origin::OriginSpec;
use crate::runner::load::LoadSpec;
use crate::workload::WorkloadSpec;

/// A parsed, validated scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
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
    pub strategies: Vec<StrategySpec>,
    /// What the user needs; the report ranks strategies against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objectives: Option<Objectives>,
}

fn default_seed() -> u64 {
    42
}

impl Scenario {
    /// How this scenario runs: its `mode`, else `load` with a `[load]` section, else
    /// `simulation`.
    pub fn run_mode(&self) -> RunMode {
        match (self.mode, &self.load) {
            (Some(mode), _) => mode,
            (None, Some(_)) => RunMode::Load,
            (None, None) => RunMode::Simulation,
        }
    }

    /// Reads and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, InputError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::Io { path: path.to_path_buf(), source: e })?;
        Scenario::parse(&text, path)
    }

    /// Parses and validates scenario text; `path` is named in error messages, and a relative
    /// trace path (`workload.path`) is resolved against its directory.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, InputError> {
        let at = |span: Option<std::ops::Range<usize>>, message: String| {
            let (line, column) = span.map_or((0, 0), |s| line_col(text, s.start));
            let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("").trim_end().to_string();
            let key = line_text.split_once('=').map(|(k, _)| k.trim().to_string()).filter(|k| !k.is_empty());
            InputError::Scenario { path: PathBuf::from(path), line, column, key, message, text: line_text }
        };
        let mut scenario: Scenario =
            toml::from_str(text).map_err(|e| at(e.span(), e.message().to_string()))?;
        let invalid = |key: &str, message: String| {
            let span = find_key(text, key);
            at(span, format!("{key}: {message}"))
        };
        if scenario.name.trim().is_empty()
            || scenario.name.contains(['/', '\\'])
            || scenario.name.starts_with('.')
        {
            return Err(invalid(
                "name",
                "must be a non-empty name usable as a directory (no '/', no leading '.')".into(),
            ));
        }
        scenario.workload.validate().map_err(|m| invalid("workload", m))?;
        scenario.origin.latency.validate().map_err(|m| invalid("latency", m))?;
        match scenario.mode {
            Some(RunMode::Simulation) if scenario.load.is_some() => {
                return Err(invalid(
                    "mode",
                    "mode = \"simulation\" replays in logical time: remove [load], or write mode = \"load\" or \"http\"".into(),
                ));
            }
            Some(RunMode::Load | RunMode::Http) if scenario.load.is_none() => {
                scenario.load = Some(LoadSpec::default());
            }
            _ => {}
        }
        if let Some(load) = &mut scenario.load {
            load.finish().map_err(|m| invalid("load", m))?;
            let future = scenario
                .strategies
                .iter()
                .find(|s| matches!(s.kind, StrategyKind::Policy(p) if p.needs_future()));
            if let Some(s) = future {
                return Err(invalid(
                    "load",
                    format!(
                        "strategy `{}` (kind {}) needs future knowledge and runs only in simulation (without [load])",
                        s.name, s.kind
                    ),
                ));
            }
        }
        if let (Some(trace), Some(dir)) = (&mut scenario.workload.path, path.parent())
            && trace.is_relative()
        {
            *trace = dir.join(&*trace);
        }
        if scenario.strategies.is_empty() {
            return Err(invalid("strategy", "the scenario needs at least one [[strategy]]".into()));
        }
        for (i, s) in scenario.strategies.iter().enumerate() {
            if scenario.strategies[..i].iter().any(|o| o.name == s.name) {
                return Err(invalid(
                    "strategy",
                    format!("two strategies are named `{}`; names must be unique", s.name),
                ));
            }
            s.validate().map_err(|m| invalid("strategy", format!("`{}`: {m}", s.name)))?;
        }
        if scenario.http.coalesce == Coalescing::Compare
            && let Some(s) = scenario.strategies.iter().find(|s| !s.dirs().is_empty())
        {
            return Err(invalid(
                "coalesce",
                format!(
                    "\"compare\" runs every strategy twice, and `{}` keeps its files between runs, so its second run would start warm; compare coalescing with in-memory or Redis strategies",
                    s.name
                ),
            ));
        }
        let dirs: Vec<(&str, &Path)> = scenario
            .strategies
            .iter()
            .flat_map(|s| s.dirs().into_iter().map(|d| (s.name.as_str(), d)))
            .collect();
        for (i, (name, dir)) in dirs.iter().enumerate() {
            if let Some((other, _)) = dirs[..i].iter().find(|(_, d)| d == dir) {
                return Err(invalid(
                    "dir",
                    format!(
                        "`{other}` and `{name}` both use {}; each file cache needs its own dir",
                        dir.display()
                    ),
                ));
            }
        }
        if let Some(objectives) = &scenario.objectives {
            objectives.validate().map_err(|m| invalid("objectives", m))?;
        }
        Ok(scenario)
    }
}

/// 1-based line and column of byte offset `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1) + 1;
    (line, column)
}

/// Byte span of the first line that assigns or opens `key` (`key =`, `[key]`, `[[key]]`).
fn find_key(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let lead = line.len() - t.len();
        let bare = t.trim_start_matches('[').trim_start();
        if let Some(rest) = bare.strip_prefix(key)
            && rest.trim_start().starts_with(['=', ']'])
        {
            return Some(offset + lead..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

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
        assert!(e.contains("s.toml:6:1") && e.contains("[objectives] is empty"), "{e}");
        let e = err("memory_budget = 0\n");
        assert!(e.contains("s.toml:6:1") && e.contains("greater than zero"), "{e}");
    }
}
