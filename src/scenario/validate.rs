//! Whole-scenario validation: what serde cannot check (cross-field rules, each section's own
//! rules, unique names and directories). Every failure names its key path.

use std::path::Path;

use super::{RunMode, Scenario, StrategyKind};
use crate::http::Coalescing;
use crate::model::Invalid;
use crate::runner::load::LoadSpec;

impl Scenario {
    /// Checks the parsed scenario, fills what the run mode implies (a default `[load]`,
    /// `[load]` defaults) and resolves a relative trace path against `file`'s directory.
    pub(super) fn check(&mut self, file: &Path) -> Result<(), Invalid> {
        if self.name.trim().is_empty() || self.name.contains(['/', '\\']) || self.name.starts_with('.') {
            return Err(Invalid::new(
                "name",
                "must be a non-empty name usable as a directory (no '/', no leading '.')",
            ));
        }
        self.workload.validate().map_err(|e| e.under("workload"))?;
        self.origin.latency.validate().map_err(|e| e.under("origin.latency"))?;
        self.check_mode()?;
        if let (Some(trace), Some(dir)) = (&mut self.workload.path, file.parent())
            && trace.is_relative()
        {
            *trace = dir.join(&*trace);
        }
        if let Some(trace) = &self.workload.path
            && let Err(e) = std::fs::metadata(trace)
        {
            return Err(Invalid::new("workload.path", format!("cannot read {}: {e}", trace.display())));
        }
        self.check_strategies()?;
        if let Some(objectives) = &self.objectives {
            objectives.validate().map_err(|e| e.under("objectives"))?;
        }
        Ok(())
    }

    /// `mode` against `[load]`, then the `[load]` section and what may run under it.
    fn check_mode(&mut self) -> Result<(), Invalid> {
        match self.mode {
            Some(RunMode::Simulation) if self.load.is_some() => {
                return Err(Invalid::new(
                    "mode",
                    "mode = \"simulation\" replays in logical time: remove [load], or write mode = \"load\" or \"http\"",
                ));
            }
            Some(RunMode::Load | RunMode::Http) if self.load.is_none() => {
                self.load = Some(LoadSpec::default());
            }
            _ => {}
        }
        let Some(load) = &mut self.load else {
            return Ok(());
        };
        load.finish().map_err(|e| e.under("load"))?;
        let future = self
            .strategies
            .iter()
            .position(|s| matches!(s.kind, StrategyKind::Policy(p) if p.needs_future()));
        if let Some(i) = future {
            let s = &self.strategies[i];
            return Err(Invalid::new(
                format!("strategy.{i}.kind"),
                format!(
                    "strategy `{}` (kind {}) needs future knowledge and runs only in simulation (without [load])",
                    s.name, s.kind
                ),
            ));
        }
        Ok(())
    }

    /// At least one strategy, each valid, with unique names and cache directories.
    fn check_strategies(&self) -> Result<(), Invalid> {
        if self.strategies.is_empty() {
            return Err(Invalid::new("strategy", "the scenario needs at least one [[strategy]]"));
        }
        for (i, s) in self.strategies.iter().enumerate() {
            let at = format!("strategy.{i}");
            if self.strategies[..i].iter().any(|o| o.name == s.name) {
                return Err(Invalid::new(
                    "name",
                    format!("two strategies are named `{}`; names must be unique", s.name),
                )
                .under(&at));
            }
            s.validate().map_err(|e| {
                Invalid { message: format!("strategy `{}`: {}", s.name, e.message), ..e }.under(&at)
            })?;
        }
        if self.http.coalesce == Coalescing::Compare
            && let Some(i) = self.strategies.iter().position(|s| !s.dirs().is_empty())
        {
            return Err(Invalid::new(
                "http.coalesce",
                format!(
                    "\"compare\" runs every strategy twice, and `{}` keeps its files between runs, so its second run would start warm; compare coalescing with in-memory or Redis strategies",
                    self.strategies[i].name
                ),
            ));
        }
        let dirs: Vec<(usize, &Path)> = (0..)
            .zip(&self.strategies)
            .flat_map(|(i, s)| s.dirs().into_iter().map(move |d| (i, d)))
            .collect();
        for (n, (i, dir)) in dirs.iter().enumerate() {
            if let Some((other, _)) = dirs[..n].iter().find(|(_, d)| d == dir) {
                return Err(Invalid::new(
                    format!("strategy.{i}.dir"),
                    format!(
                        "`{}` and `{}` both use {}; each file cache needs its own dir",
                        self.strategies[*other].name,
                        self.strategies[*i].name,
                        dir.display()
                    ),
                ));
            }
        }
        Ok(())
    }
}
