//! `cachelab run`: run a scenario, write results.json, print a summary.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::RunArgs;
use crate::metrics::RunResult;
use crate::output::write_atomic;
use crate::runner::sim;
use crate::scenario::Scenario;

/// Runs `cachelab run`.
pub fn execute(args: &RunArgs) -> anyhow::Result<()> {
    let mut scenario = Scenario::load(&args.scenario)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let bar = super::progress_bar(args.quiet, &scenario.name);
    let result = sim::run(&scenario, &bar)?;
    bar.finish_and_clear();
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
        println!("results: {}", path.display());
    }
    super::report::print_outcome(&report, &dir);
    Ok(())
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
