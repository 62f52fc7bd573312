//! `cachelab run`: run a scenario, write results.json, print a summary.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::RunArgs;
use crate::metrics::RunResult;
use crate::model::error::{InputError, Interrupted, ObjectivesMissed};
use crate::model::output::write_atomic;
use crate::runner::{http, load, logical};
use crate::scenario::{RunMode, Scenario};

/// Runs `cachelab run`.
pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    args.export.check_stdout(args.json)?;
    let mut scenario = Scenario::load(&args.scenario)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if args.target.is_some() && scenario.run_mode() != RunMode::Http {
        let message = "only a scenario with mode = \"http\" can drive a running server".into();
        return Err(InputError::Flag { flag: "--target".into(), message }.into());
    }
    if args.check && !scenario.objectives.as_ref().is_some_and(|o| o.has_targets()) {
        let message = "the scenario states no [objectives] to check (see scenarios/reference.toml)".into();
        return Err(InputError::Flag { flag: "--check".into(), message }.into());
    }
    let bar = super::progress_bar(args.quiet, &scenario.name);
    let plan = scenario.plan();
    let result = match (scenario.run_mode(), args.target) {
        (RunMode::Simulation, _) => logical::run(&plan, &bar, args.quiet)?,
        (RunMode::Load, _) => load::run(&plan, &bar, args.quiet)?,
        (RunMode::Http, None) => http::run(&plan, &bar, args.quiet)?,
        (RunMode::Http, Some(addr)) => http::run_against(&plan, addr, &bar, args.quiet)?,
    };
    bar.finish_and_clear();
    let result = RunResult { costs: scenario.costs.clone(), report: scenario.report.clone(), ..result };
    let json = serde_json::to_string_pretty(&result)?;
    let path = args.out.join(&scenario.name).join("results.json");
    write_atomic(&path, json.as_bytes())?;
    let dir = args.out.join(&scenario.name);
    let report = super::report::write_folder(&result, &dir)?;
    super::report::write_exports(&result, &args.export)?;
    if args.json {
        println!("{json}");
    } else if !args.export.to_stdout() {
        println!("{}", summary_table(&result));
        if result.results.iter().any(|r| r.load.is_some()) {
            println!("{}", latency_table(&result));
        }
        println!("results: {}", path.display());
    }
    super::report::print_outcome(&report, &dir);
    if result.partial {
        return Err(Interrupted { path, exit_code: crate::runner::interrupt::exit_code() }.into());
    }
    if args.check {
        let recommendation = &report.recommendation;
        if recommendation.ranked.is_empty() {
            let closest =
                recommendation.missing.first().map(|m| format!("{} ({})", m.label, m.misses.join("; ")));
            return Err(ObjectivesMissed { closest }.into());
        }
        eprintln!(
            "check passed: {} of {} strategies meet every objective",
            recommendation.ranked.len(),
            recommendation.ranked.len() + recommendation.missing.len()
        );
    }
    Ok(())
}

/// Wall-clock measurements of a load run: throughput, latency percentiles, timeouts.
pub fn latency_table(result: &RunResult) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "strategy",
        "loop",
        "throughput/s",
        "origin/s",
        "hit p50 µs",
        "hit p99 µs",
        "e2e p50 µs",
        "e2e p99 µs",
        "e2e p99.9 µs",
        "timeouts",
    ]);
    let pct = |s: &Option<crate::metrics::LatencySummary>, f: fn(&crate::metrics::LatencySummary) -> u64| {
        s.as_ref().map_or("-".to_string(), |s| f(s).to_string())
    };
    for r in &result.results {
        let Some(l) = &r.load else { continue };
        table.add_row([
            r.strategy.clone(),
            l.loop_mode.clone(),
            format!("{:.0}", l.throughput_rps),
            format!("{:.0}", l.origin_rps),
            pct(&l.get_hit, |s| s.p50_us),
            pct(&l.get_hit, |s| s.p99_us),
            pct(&l.end_to_end, |s| s.p50_us),
            pct(&l.end_to_end, |s| s.p99_us),
            pct(&l.end_to_end, |s| s.p999_us),
            l.timeouts.to_string(),
        ]);
    }
    table
}

/// The terminal summary: one row per strategy and capacity.
pub fn summary_table(result: &RunResult) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header([
        "strategy",
        "kind",
        "capacity",
        "requests",
        "hit ratio",
        "byte hit ratio",
        "evictions",
        "errors",
        "corrupt",
    ]);
    for r in &result.results {
        let capacity = match &r.capacity {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "-".into(),
        };
        table.add_row([
            r.strategy.clone(),
            r.kind.clone(),
            capacity,
            r.counts.requests.to_string(),
            format!("{:.4}", r.hit_ratio),
            format!("{:.4}", r.byte_hit_ratio),
            r.counts.evictions.to_string(),
            r.counts.errors.to_string(),
            r.counts.corrupt.to_string(),
        ]);
    }
    table
}
