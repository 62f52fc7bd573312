//! The origin behind the caching server: `/obj/<key>` is object `key` of the scenario's
//! workload, served after the origin's latency with the key's deterministic body
//! ([`crate::origin::body`]) at the workload's size for that key, and a `Cache-Control`
//! header: `no-store` for the uncacheable share of keys (chosen per key from the seed),
//! otherwise `public`, with `max-age` when the workload gives values a time to live.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use headers::{CacheControl, HeaderMapExt};
use hyper::Response;

use super::cache_control::origin_directives;
use crate::origin::Origin;
use crate::workload::hash::unit_open;
use crate::workload::{ValueSize, WorkloadSpec};

/// Salt of the per-key "uncacheable" draw.
const UNCACHEABLE_SALT: u64 = 0x4e4f_5354_4f52_45;

/// The path prefix of objects.
pub const OBJECT_PREFIX: &str = "/obj/";

/// One object the origin serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    /// The workload key.
    pub key: u64,
    /// Its body size in bytes.
    pub size: u32,
}

/// The simulated origin as the caching server sees it.
#[derive(Debug)]
pub struct OriginHandler {
    origin: Arc<Origin>,
    sizes: ValueSize,
    seed: u64,
    ttl: Option<Duration>,
    uncacheable: f64,
    fetches: AtomicU64,
}

impl OriginHandler {
    /// Serves `workload`'s objects (sizes and time to live) under `seed` from `origin`; a
    /// share `uncacheable` (0..=1) of keys is marked `no-store`.
    pub fn new(origin: Arc<Origin>, workload: &WorkloadSpec, seed: u64, uncacheable: f64) -> Self {
        OriginHandler {
            origin,
            sizes: workload.value_size.clone(),
            seed,
            ttl: workload.ttl.map(|t| t.0),
            uncacheable,
            fetches: AtomicU64::new(0),
        }
    }

    /// The object `path` names (`/obj/<key>`, key in decimal), or None (not found).
    pub fn route(&self, path: &str) -> Option<Object> {
        let digits = path.strip_prefix(OBJECT_PREFIX)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let key = digits.parse().ok()?;
        Some(Object { key, size: self.sizes.size_of(self.seed, key) })
    }

    /// Whether the origin lets caches store `key` (the same answer on every call).
    fn cacheable(&self, key: u64) -> bool {
        self.uncacheable <= 0.0 || unit_open(self.seed, key, UNCACHEABLE_SALT) >= self.uncacheable
    }

    /// The `Cache-Control` the origin sends with `key` (cached copies repeat it).
    pub fn directives(&self, key: u64) -> CacheControl {
        origin_directives(self.cacheable(key), self.ttl)
    }

    /// Fetches `obj`: waits the origin's latency, then answers with its body and the
    /// `Cache-Control` the origin sets for it.
    pub async fn fetch(&self, obj: Object) -> Response<Bytes> {
        let index = self.fetches.fetch_add(1, Ordering::Relaxed);
        let body = self.origin.fetch(obj.key, obj.size, index).await;
        let mut response = Response::new(body);
        response.headers_mut().typed_insert(self.directives(obj.key));
        response
    }

    /// Fetches served so far.
    pub fn requests(&self) -> u64 {
        self.origin.requests()
    }
}
