//! The origin behind the caching server: `/obj/<key>` is object `key` of the scenario's
//! workload, served after the origin's latency with the key's deterministic body
//! ([`crate::origin::body`]) at the workload's size for that key (or at the size a `size`
//! query parameter gives, as replays of traces send: `/obj/<key>?size=<bytes>`), and a
//! `Cache-Control` header: `no-store` for the uncacheable share of keys (chosen per key from the seed),
//! otherwise `public`, with `max-age` when the workload gives values a time to live.
//!
//! With an [`Upstream`] (`cachelab serve --upstream`) the objects come from that server
//! instead, with its status, `Cache-Control` and body, and its latency.
//!
//! A client may ask for any size up to the scenario's own largest value
//! ([`ValueSize::max_size`]; for a trace workload, whose sizes come from the trace,
//! [`MAX_TRACE_OBJECT`]): a larger, negative or non-numeric `size` is refused (400), so one
//! URL cannot make the server produce gigabytes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use headers::{CacheControl, HeaderMapExt};
use hyper::{Response, StatusCode, Uri};

use super::body::ResponseBody;
use super::cache_control::origin_directives;
use super::upstream::Upstream;
use crate::model::hash::unit_open;
use crate::origin::Origin;
use crate::workload::{GeneratorKind, ValueSize, WorkloadSpec};

/// Salt of the per-key "uncacheable" draw.
const UNCACHEABLE_SALT: u64 = 0x004e_4f53_544f_5245;

/// The path prefix of objects.
pub const OBJECT_PREFIX: &str = "/obj/";

/// Largest object a trace workload may request (or write) over HTTP, in bytes (64 MiB): a
/// trace's sizes are not known before it is replayed, so the server of a trace scenario
/// allows this much; a request of the trace for a larger object is refused (400, or 413 for
/// a write) and counts as an error.
pub const MAX_TRACE_OBJECT: u32 = 64 << 20;

/// Longest part of a refused `size` value quoted back in the error message.
const QUOTED_CHARS: usize = 40;

/// Why a request names no object the origin serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotServed {
    /// The path is not `/obj/<decimal key>` (404).
    NotFound,
    /// The `size` query parameter is not a decimal number of bytes within the limit (400);
    /// the message says why.
    BadSize(String),
}

impl NotServed {
    /// The status and message a server answers such a request with.
    pub fn answer(self) -> (StatusCode, ResponseBody) {
        match self {
            NotServed::NotFound => (StatusCode::NOT_FOUND, "not found: objects are at /obj/<key>\n".into()),
            NotServed::BadSize(message) => (StatusCode::BAD_REQUEST, message.into()),
        }
    }
}

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
    max_size: u32,
    seed: u64,
    ttl: Option<Duration>,
    uncacheable: f64,
    fetches: AtomicU64,
    upstream: Option<Upstream>,
}

impl OriginHandler {
    /// Serves `workload`'s objects (sizes and time to live) under `seed` from `origin`; a
    /// share `uncacheable` (0..=1) of keys is marked `no-store`. Sizes up to the workload's
    /// largest value ([`MAX_TRACE_OBJECT`] for a trace) may be requested.
    pub fn new(origin: Arc<Origin>, workload: &WorkloadSpec, seed: u64, uncacheable: f64) -> Self {
        let max_size = match workload.kind {
            GeneratorKind::Trace => MAX_TRACE_OBJECT,
            _ => workload.value_size.max_size(),
        };
        OriginHandler {
            origin,
            sizes: workload.value_size.clone(),
            max_size,
            seed,
            ttl: workload.ttl.map(|t| t.0),
            uncacheable,
            fetches: AtomicU64::new(0),
            upstream: None,
        }
    }

    /// Fetches the objects from `upstream` rather than from the simulated origin; routing,
    /// sizes and the `Cache-Control` of cached copies stay this scenario's.
    pub fn with_upstream(self, upstream: Upstream) -> Self {
        OriginHandler { upstream: Some(upstream), ..self }
    }

    /// The largest object, in bytes, a request may ask for (`?size=`) or write (`PUT`).
    pub fn max_size(&self) -> u32 {
        self.max_size
    }

    /// The object `uri` names (`/obj/<key>`, key in decimal, optionally `?size=<bytes>`, at
    /// most [`OriginHandler::max_size`]).
    pub fn route(&self, uri: &Uri) -> Result<Object, NotServed> {
        let key = uri.path().strip_prefix(OBJECT_PREFIX).and_then(decimal).ok_or(NotServed::NotFound)?;
        let size = match uri.query().and_then(|q| q.split('&').find_map(|p| p.strip_prefix("size="))) {
            Some(text) => match decimal(text).and_then(|n| u32::try_from(n).ok()) {
                Some(size) if size <= self.max_size => size,
                _ => {
                    let quoted: String = text.chars().take(QUOTED_CHARS).collect();
                    let cut = if quoted.len() < text.len() { "..." } else { "" };
                    return Err(NotServed::BadSize(format!(
                        "size must be a decimal number of bytes from 0 to {} (this scenario's largest value), got \"{quoted}{cut}\"\n",
                        self.max_size
                    )));
                }
            },
            None => self.sizes.size_of(self.seed, key),
        };
        Ok(Object { key, size })
    }

    /// Whether the origin lets caches store `key` (the same answer on every call).
    fn cacheable(&self, key: u64) -> bool {
        self.uncacheable <= 0.0 || unit_open(self.seed, key, UNCACHEABLE_SALT) >= self.uncacheable
    }

    /// The `Cache-Control` the origin sends with `key` (cached copies repeat it).
    pub fn directives(&self, key: u64) -> CacheControl {
        origin_directives(self.cacheable(key), self.ttl)
    }

    /// Fetches `obj`: waits the origin's latency, then answers with the `Cache-Control` the
    /// origin sets for it and its body, not yet produced ([`ResponseBody::generated`]: a
    /// caller that stores it makes it whole with [`ResponseBody::into_bytes`]). With an
    /// upstream, answers with what the upstream answered.
    pub async fn fetch(&self, obj: Object) -> Response<ResponseBody> {
        if let Some(upstream) = &self.upstream {
            return upstream.fetch(obj).await;
        }
        let index = self.fetches.fetch_add(1, Ordering::Relaxed);
        self.origin.respond(index).await;
        let mut response = Response::new(ResponseBody::generated(obj.key, obj.size));
        response.headers_mut().typed_insert(self.directives(obj.key));
        response
    }

    /// Fetches served so far (by the upstream, if there is one).
    pub fn requests(&self) -> u64 {
        self.upstream.as_ref().map_or_else(|| self.origin.requests(), Upstream::requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::OriginSpec;

    fn handler(workload: &str) -> OriginHandler {
        let workload: WorkloadSpec = toml::from_str(workload).unwrap();
        OriginHandler::new(Arc::new(Origin::new(&OriginSpec::default(), 1)), &workload, 1, 0.0)
    }

    fn route(h: &OriginHandler, uri: &str) -> Result<Object, NotServed> {
        h.route(&uri.parse::<Uri>().unwrap())
    }

    #[test]
    fn sizes_are_bounded_by_the_workloads_largest_value() {
        let h = handler("value_size = { dist = \"uniform\", min = \"10B\", max = \"5000B\" }");
        assert_eq!(h.max_size(), 5000);
        let key_size = h.sizes.size_of(1, 7);
        assert_eq!(route(&h, "/obj/7"), Ok(Object { key: 7, size: key_size }));
        assert_eq!(route(&h, "/obj/7?size=5000"), Ok(Object { key: 7, size: 5000 }));
        assert_eq!(route(&h, "/obj/7?v=1&size=0"), Ok(Object { key: 7, size: 0 }));
        for size in ["5001", "4294967295", "4294967296", "99999999999999999999999", "-1", "1e3", "", "0x10"] {
            match route(&h, &format!("/obj/7?size={size}")) {
                Err(NotServed::BadSize(message)) => {
                    assert!(message.contains("from 0 to 5000"), "{message}");
                    assert!(message.contains(&format!("\"{size}\"")), "quotes what it got: {message}");
                }
                other => panic!("size {size:?}: {other:?}"),
            }
        }
        let long = "9".repeat(500);
        let Err(NotServed::BadSize(message)) = route(&h, &format!("/obj/7?size={long}")) else { panic!() };
        assert!(message.len() < 200 && message.contains("9...\""), "a long value is cut: {message}");
        assert_eq!(route(&h, "/obj/x?size=1"), Err(NotServed::NotFound));
        assert_eq!(route(&h, "/other/7"), Err(NotServed::NotFound));
    }

    #[test]
    fn fixed_lognormal_and_trace_workloads_have_their_own_limits() {
        assert_eq!(handler("").max_size(), 1024, "the default fixed 1 KiB");
        let lognormal = handler("value_size = { dist = \"lognormal\", median = \"1KiB\", max = \"2MiB\" }");
        assert_eq!(lognormal.max_size(), 2 << 20);
        let trace = handler("kind = \"trace\"\npath = \"t.csv\"");
        assert_eq!(trace.max_size(), MAX_TRACE_OBJECT);
        assert!(route(&trace, &format!("/obj/1?size={MAX_TRACE_OBJECT}")).is_ok());
        assert!(route(&trace, &format!("/obj/1?size={}", MAX_TRACE_OBJECT + 1)).is_err());
    }
}
