//! HTTP end to end: a caching server (hyper) in front of the simulated origin, with any
//! [`crate::strategy::CacheStrategy`] as its response cache, and the load client that drives
//! it over real sockets.
//!
//! One job per file: [`server`] (sockets, connections, shutdown), [`cache`] (the caching
//! layer of one request), [`origin`] (what `/obj/<key>` serves), [`cache_control`] (what the
//! origin's `Cache-Control` allows), [`coalesce`] (single-flight fills), [`client`] (the load
//! client).

pub mod cache;
pub mod cache_control;
pub mod client;
pub mod coalesce;
pub mod origin;
pub mod server;
pub mod spec;

pub use cache::{CacheService, ServerStats};
pub use client::HttpClient;
pub use origin::OriginHandler;
pub use server::Server;
pub use spec::{Coalescing, HttpSpec};
