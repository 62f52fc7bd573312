//! cachelab: a benchmark and simulation harness for caching strategies.
//!
//! Workloads ([`workload`]) are replayed by runners ([`runner`]) through storage strategies
//! ([`strategy`]) that share one trait; eviction decisions come from [`policy`]; measurements
//! land in [`metrics::RunResult`], the source of every report.
//!
//! Modules import in one direction, each only from its own layer (without a cycle) or below
//! (`tests/it/layering.rs` fails otherwise). From the bottom:
//!
//! ```text
//! model                              shared vocabulary; imports nothing of the crate
//! policy, workload, origin, metrics  eviction decisions, request streams, the origin, results
//! mrc                                miss-ratio curves in one pass (exact, SHARDS, minisim)
//! strategy                           the caches behind one trait, each with its own spec
//! http                               the caching server (HTTP mode and `cachelab serve`)
//! runner                             one cell per strategy; logical-time, load and HTTP drivers
//! report, export                     from results alone
//! scenario                           scenario files: parse, locate errors, validate
//! cli, commands, main                arguments and dispatch
//! ```

pub mod cli;
pub mod commands;
pub mod export;
pub mod http;
pub mod metrics;
pub mod model;
pub mod mrc;
pub mod origin;
pub mod policy;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod strategy;
pub mod workload;
