//! HTTP end to end: a caching server (hyper) in front of the simulated origin, with any
//! [`crate::strategy::CacheStrategy`] as its response cache, and the load client that drives
//! it over real sockets.
//!
//! One job per file: [`server`] (sockets, connections, shutdown), [`cache`] (the caching
//! layer of one request), [`origin`] (what `/obj/<key>` serves), [`cache_control`] (what the
//! origin's `Cache-Control` allows), [`coalesce`] (single-flight fills).

pub mod cache;
pub mod cache_control;
pub mod coalesce;
pub mod origin;
pub mod server;

pub use cache::{CacheService, ServerStats};
pub use origin::OriginHandler;
pub use server::Server;
