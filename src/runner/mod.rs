//! Runners replay a workload through strategies and own all timing and counting.

pub mod http;
pub mod interrupt;
pub mod load;
pub mod sim;
pub mod simulate;
pub mod usage;
