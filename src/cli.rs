//! Command-line interface (clap derive): flags only, no logic.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// cachelab: measure caching strategies (in-memory policies, moka, Redis, files, tiers) on
/// your workload and pick one.
#[derive(Debug, Parser)]
#[command(name = "cachelab", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario file: replay its workload through every strategy and capacity, write
    /// DIR/<scenario name>/results.json and print a summary.
    Run(RunArgs),
    /// List every workload generator, eviction policy and strategy kind.
    List,
    /// Re-render the report (index.html, charts, summary.csv, summary.md) from a results.json
    /// alone, without re-running anything.
    Report(ReportArgs),
}

/// Flags of `cachelab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML); see scenarios/reference.toml for every key and its default.
    pub scenario: PathBuf,
    /// Output directory; results go to DIR/<scenario name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Print results.json to stdout instead of the summary table.
    #[arg(long)]
    pub json: bool,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Extra exports of the results.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Export flags shared by `run` and `simulate`; `-` writes to standard output.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ExportArgs {
    /// Write the full results as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the summary (one row per strategy and capacity) as CSV to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Write the summary as a Markdown table to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
}

impl ExportArgs {
    /// Whether any export goes to standard output (`-`).
    pub fn to_stdout(&self) -> bool {
        [&self.export_json, &self.export_csv, &self.export_markdown]
            .into_iter()
            .any(|p| p.as_deref() == Some(std::path::Path::new("-")))
    }
}

/// Flags of `cachelab report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results.json written by `cachelab run` (possibly on another machine).
    pub results: PathBuf,
    /// Where to write the report; default: the directory holding results.json.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
