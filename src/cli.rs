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
}
