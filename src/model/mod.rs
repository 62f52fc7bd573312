//! The shared vocabulary of every layer: requests, capacities, units, the key hash, the stop
//! signal, error locations and atomic output writing. This module is the bottom layer: it
//! imports nothing else of the crate (a test in `tests/` checks it), so any module may use it.

pub mod capacity;
pub mod error;
pub mod hash;
pub mod invalid;
pub mod output;
pub mod request;
pub mod stop;
pub mod units;

pub use capacity::{Capacity, CapacityUnit};
pub use error::InputError;
pub use invalid::Invalid;
pub use request::{NEVER, Op, Request};
pub use stop::Stop;
