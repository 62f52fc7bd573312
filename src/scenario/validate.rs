//! Whole-scenario validation: what serde cannot check (cross-field rules, each section's own
//! rules, unique names and directories). Every failure names its key path.

use std::path::Path;

use super::{RunMode, Scenario};
use crate::http::Coalescing;
use crate::model::Invalid;
use crate::runner::load::LoadSpec;
use crate::strategy::{StrategyKind, StrategySpec, StrategyTable};

impl Scenario<StrategyTable> {
    /// Checks the scenario as read, fills what the run mode implies (a default `[load]`,
    /// `[load]` defaults), resolves a relative trace path against `file`'s directory and types
    /// every strategy.
    pub(super) fn check(mut self, file: &Path) -> Result<Scenario, Invalid> {
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
        let strategies = self.typed_strategies()?;
        let scenario = self.with_strategies(strategies);
        scenario.check_strategies()?;
        scenario.check_bounds()?;
        if let Some(objectives) = &scenario.objectives {
            objectives.validate().map_err(|e| e.under("objectives"))?;
        }
        if let Some(costs) = &scenario.costs {
            costs.validate().map_err(|e| e.under("costs"))?;
        }
        if let Some(report) = &scenario.report {
            let strategies = scenario.strategies.iter().map(|s| (s.name.as_str(), s.kind().name()));
            report.validate(strategies).map_err(|e| e.under("report"))?;
        }
        Ok(scenario)
    }

    /// At least one strategy, with unique names, each valid for its kind.
    fn typed_strategies(&mut self) -> Result<Vec<StrategySpec>, Invalid> {
        if self.strategies.is_empty() {
            return Err(Invalid::new("strategy", "the scenario needs at least one [[strategy]]"));
        }
        let tables = std::mem::take(&mut self.strategies);
        let mut typed: Vec<StrategySpec> = Vec::with_capacity(tables.len());
        for (i, table) in tables.into_iter().enumerate() {
            let at = format!("strategy.{i}");
            if typed.iter().any(|o| o.name == table.name) {
                return Err(Invalid::new(
                    "name",
                    format!("two strategies are named `{}`; names must be unique", table.name),
                )
                .under(&at));
            }
            let name = table.name.clone();
            let spec = StrategySpec::from_table(table).map_err(|e| {
                Invalid { message: format!("strategy `{name}`: {}", e.message), ..e }.under(&at)
            })?;
            typed.push(spec);
        }
        Ok(typed)
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
        load.finish().map_err(|e| e.under("load"))
    }
}

impl Scenario {
    /// What needs every strategy at once: future knowledge only in simulation, and each cache
    /// directory used once.
    fn check_strategies(&self) -> Result<(), Invalid> {
        if self.load.is_some()
            && let Some(i) = self.strategies.iter().position(StrategySpec::needs_future)
        {
            let s = &self.strategies[i];
            return Err(Invalid::new(
                format!("strategy.{i}.kind"),
                format!(
                    "strategy `{}` (kind {}) needs future knowledge and runs only in simulation (without [load])",
                    s.name,
                    s.kind()
                ),
            ));
        }
        self.check_http_targets()?;
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

    /// HTTP targets run only in HTTP mode, in front of the origin at `[origin] listen`, on a
    /// read-only workload (they would not know what a `PUT` means), once each.
    fn check_http_targets(&self) -> Result<(), Invalid> {
        let Some(i) = self.strategies.iter().position(|s| s.kind() == StrategyKind::Http) else {
            return Ok(());
        };
        let name = &self.strategies[i].name;
        if self.run_mode() != RunMode::Http {
            return Err(Invalid::new(
                format!("strategy.{i}.kind"),
                format!("strategy `{name}` is an HTTP target, driven over HTTP: write mode = \"http\""),
            ));
        }
        if self.origin.listen.is_none() {
            return Err(Invalid::new(
                "origin",
                format!(
                    "strategy `{name}` is an HTTP target: write [origin] listen = \"127.0.0.1:PORT\", the address its upstream points at, where the run serves the origin"
                ),
            ));
        }
        if self.workload.write_ratio.0 > 0.0 {
            return Err(Invalid::new(
                "workload.write_ratio",
                format!("strategy `{name}` is an HTTP target, which serves reads only: set write_ratio = 0"),
            ));
        }
        if self.http.coalesce == Coalescing::Compare {
            return Err(Invalid::new(
                "http.coalesce",
                format!(
                    "\"compare\" runs cachelab's own caching server with and without coalescing; HTTP target `{name}` has its own: write coalesce = true or false"
                ),
            ));
        }
        Ok(())
    }
}
