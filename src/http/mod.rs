//! The caching HTTP server (HTTP mode and `cachelab serve`): hyper in front of the simulated
//! origin, with any [`crate::strategy::CacheStrategy`] as its response cache. The load client
//! that drives it lives with the other drivers, in `runner::http::client`.
//!
//! One job per file: [`server`] (sockets, connections, shutdown), [`cache`] (the caching
//! layer of one request), [`origin`] (what `/obj/<key>` serves), [`cache_control`] (what the
//! origin's `Cache-Control` allows), [`coalesce`] (single-flight fills), [`body`] (response
//! bodies: shared or generated in frames), [`origin_server`] (the origin alone as a server,
//! for caches cachelab does not own), [`upstream`] (that origin as `cachelab serve`'s, over
//! HTTP).

pub mod body;
pub mod cache;
pub mod cache_control;
pub mod coalesce;
pub mod origin;
pub mod origin_server;
pub mod server;
pub mod spec;
pub mod upstream;

pub use body::ResponseBody;
pub use cache::{CacheService, ServerStats};
pub use origin::{MAX_TRACE_OBJECT, OriginHandler};
pub use origin_server::{OriginCounters, OriginCounts, OriginService};
pub use server::{Handler, Server};
pub use spec::{Coalescing, HttpSpec};
pub use upstream::Upstream;
