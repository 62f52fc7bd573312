//! Every integration test in one binary, so a cold `cargo test` links once: one module per
//! area, helpers in [`support`].

mod che;
mod cli;
mod cli_report;
mod damage;
mod determinism;
mod fidelity;
mod file_strategy;
mod fuzz_inputs;
mod http;
mod http_cli;
mod http_hostile;
mod layering;
mod load;
mod load_redis;
mod mrc_cli;
mod oracle;
mod outputs;
mod policy_props;
mod redis;
mod redis_cluster;
mod redis_leftovers;
mod report_charts;
mod report_exports;
mod scenario_files;
mod schema;
mod shard_merge;
mod sim_ctrl_c;
mod simulate_cli;
mod support;
mod tiered;
mod trace;
mod workload;
