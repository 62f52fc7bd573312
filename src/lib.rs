//! cachelab: a benchmark and simulation harness for caching strategies.
//!
//! Workloads ([`workload`]) are replayed by runners ([`runner`]) through storage strategies
//! ([`strategy`]) that share one trait; eviction decisions come from [`policy`]; measurements
//! land in [`metrics::RunResult`], the source of every report.

pub mod cli;
pub mod commands;
pub mod error;
pub mod export;
pub mod metrics;
pub mod origin;
pub mod output;
pub mod policy;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod strategy;
pub mod workload;
