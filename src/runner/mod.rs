//! Runners replay a workload through strategies and own all timing and counting. A run gets a
//! [`plan::RunPlan`]; each (strategy, capacity) goes through [`cell::run`] (build, drive,
//! settle, shut down); the drivers differ: [`logical`] replays strategies in logical time,
//! [`load`] drives them on the wall clock in process, [`http`] through the caching server with
//! the HTTP load client. [`trace_policies`] is apart: eviction policies alone (no strategy,
//! no values) over a trace, for `cachelab simulate`. [`shard`] splits a sweep across processes
//! and merges their results.

pub mod cell;
pub mod http;
pub mod interrupt;
pub mod load;
pub mod logical;
pub mod plan;
pub mod shard;
pub mod trace_policies;
pub mod usage;

pub use plan::RunPlan;
