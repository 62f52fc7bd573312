//! The caching HTTP server (HTTP mode and `cachelab serve`): hyper in front of the simulated
//! origin, with any [`crate::strategy::CacheStrategy`] as its response cache. The load client
//! that drives it lives with the other drivers, in `runner::http::client`.
//!
//! One job per file: [`server`] (sockets, connections, shutdown), [`cache`] (the caching
//! layer of one request), [`origin`] (what `/obj/<key>` serves), [`cache_control`] (what the
//! origin's `Cache-Control` allows), [`coalesce`] (single-flight fills), [`body`] (response
//! bodies: shared or generated in frames).

pub mod body;
pub mod cache;
pub mod cache_control;
pub mod coalesce;
pub mod origin;
pub mod server;
pub mod spec;

pub use body::ResponseBody;
pub use cache::{CacheService, ServerStats};
pub use origin::{MAX_TRACE_OBJECT, OriginHandler};
pub use server::Server;
pub use spec::{Coalescing, HttpSpec};
