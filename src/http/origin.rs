//! The origin behind the caching server: `/obj/<key>` is object `key` of the scenario's
//! workload, served after the origin's latency with the key's deterministic body
//! ([`crate::origin::body`]) at the workload's size for that key (or at the size a `size`
//! query parameter gives, as replays of traces send: `/obj/<key>?size=<bytes>`), and a
//! `Cache-Control` header: `no-store` for the uncacheable share of keys (chosen per key from the seed),
//! otherwise `public`, with `max-age` when the workload gives values a time to live.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use headers::{CacheControl, HeaderMapExt};
use hyper::{Response, Uri};

use super::cache_control::origin_directives;
use crate::model::hash::unit_open;
use crate::origin::Origin;
use crate::workload::{ValueSize, WorkloadSpec};

/// Salt of the per-key "uncacheable" draw.
const UNCACHEABLE_SALT: u64 = 0x004e_4f53_544f_5245;

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

/// A number written in plain decimal digits (no sign, no spaces).
fn decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
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

    /// The object `uri` names (`/obj/<key>`, key in decimal, optionally `?size=<bytes>`),
    /// or None (not found).
    pub fn route(&self, uri: &Uri) -> Option<Object> {
        let key = decimal(uri.path().strip_prefix(OBJECT_PREFIX)?)?;
        let size = match uri.query().and_then(|q| q.split('&').find_map(|p| p.strip_prefix("size="))) {
            Some(size) => u32::try_from(decimal(size)?).ok()?,
            None => self.sizes.size_of(self.seed, key),
        };
        Some(Object { key, size })
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
