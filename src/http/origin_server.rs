//! The simulated origin alone as an HTTP/1.1 server (`cachelab origin`, and `[origin] listen`
//! in a run): the upstream a cache cachelab does not own (nginx, Varnish, an app) fetches
//! from. `GET /obj/<key>` (and `HEAD`) is served by [`OriginHandler`] after the origin's
//! latency, with `Cache-Control`, `Content-Length` and an `ETag`; `GET /_cachelab/origin`
//! returns its counters as JSON ([`OriginCounts`]). Every object it serves is counted, so a
//! run can count a foreign cache's misses where the cache cannot misreport them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_TYPE, ETAG, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};

use super::body::{ResponseBody, json_response};
use super::origin::{Object, OriginHandler};
use super::server::Handler;
use crate::model::hash::mix64;

/// Where the origin's counters are served.
pub const ORIGIN_STATS_PATH: &str = "/_cachelab/origin";

/// Statuses counted one by one; any other lands in the last slot.
const STATUSES: [u16; 5] = [200, 400, 404, 405, 0];

/// The origin server's counters since it started (the counters request itself excluded).
#[derive(Debug, Default)]
pub struct OriginCounters {
    requests: AtomicU64,
    objects: AtomicU64,
    bytes: AtomicU64,
    by_status: [AtomicU64; STATUSES.len()],
}

/// A snapshot of [`OriginCounters`], as served at [`ORIGIN_STATS_PATH`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginCounts {
    /// Requests answered (every path and method but the counters).
    pub requests: u64,
    /// Objects served (`200` to `GET` or `HEAD` of `/obj/<key>`): the origin fetches.
    pub objects: u64,
    /// Body bytes of the objects served (a `HEAD` sends none).
    pub bytes: u64,
    /// Requests by response status (`"other"`: any status not listed).
    pub by_status: BTreeMap<String, u64>,
}

impl OriginCounters {
    /// The counters now.
    pub fn snapshot(&self) -> OriginCounts {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let by_status = STATUSES
            .iter()
            .zip(&self.by_status)
            .filter(|(_, n)| get(n) > 0)
            .map(|(s, n)| (if *s == 0 { "other".to_string() } else { s.to_string() }, get(n)))
            .collect();
        OriginCounts {
            requests: get(&self.requests),
            objects: get(&self.objects),
            bytes: get(&self.bytes),
            by_status,
        }
    }

    fn answered(&self, status: StatusCode) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let slot = STATUSES.iter().position(|s| *s == status.as_u16()).unwrap_or(STATUSES.len() - 1);
        self.by_status[slot].fetch_add(1, Ordering::Relaxed);
    }
}

/// The entity tag of an object: a pure function of its key and size (its body is one).
pub fn etag(obj: Object) -> HeaderValue {
    let tag = mix64(obj.key ^ u64::from(obj.size).rotate_left(32));
    HeaderValue::from_str(&format!("\"{tag:016x}\"")).expect("hex is a valid header value")
}

/// The origin as a [`Handler`].
pub struct OriginService {
    origin: OriginHandler,
    counters: Arc<OriginCounters>,
}

impl OriginService {
    /// Serves `origin`'s objects, counting into fresh counters.
    pub fn new(origin: OriginHandler) -> Self {
        OriginService { origin, counters: Arc::default() }
    }

    /// Its counters (shared: they keep counting while the server runs).
    pub fn counters(&self) -> Arc<OriginCounters> {
        self.counters.clone()
    }

    fn text(&self, status: StatusCode, message: impl Into<ResponseBody>) -> Response<ResponseBody> {
        self.counters.answered(status);
        let mut response = Response::new(message.into());
        *response.status_mut() = status;
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        response
    }

    async fn object(&self, obj: Object, head: bool) -> Response<ResponseBody> {
        let mut response = self.origin.fetch(obj).await;
        self.counters.objects.fetch_add(1, Ordering::Relaxed);
        self.counters.answered(StatusCode::OK);
        if head {
            // The headers a GET would carry, Content-Length included, without the body.
            *response.body_mut() = ResponseBody::empty();
            response.headers_mut().insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(obj.size));
        } else {
            self.counters.bytes.fetch_add(u64::from(obj.size), Ordering::Relaxed);
        }
        let h = response.headers_mut();
        h.insert(ETAG, etag(obj));
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        response
    }
}

impl Handler for OriginService {
    async fn handle(&self, req: Request<Incoming>) -> Response<ResponseBody> {
        if req.uri().path() == ORIGIN_STATS_PATH && req.method() == Method::GET {
            return json_response(&self.counters.snapshot());
        }
        let obj = match self.origin.route(req.uri()) {
            Ok(obj) => obj,
            Err(not_served) => {
                let (status, message) = not_served.answer();
                return self.text(status, message);
            }
        };
        match *req.method() {
            Method::GET => self.object(obj, false).await,
            Method::HEAD => self.object(obj, true).await,
            _ => {
                let mut response = self
                    .text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed: the origin is read-only\n");
                response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
                response
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_name_one_body() {
        let tag = |key, size| etag(Object { key, size });
        assert_eq!(tag(1, 100), tag(1, 100));
        assert_ne!(tag(1, 100), tag(2, 100));
        assert_ne!(tag(1, 100), tag(1, 101));
        assert_eq!(tag(1, 100).len(), 18, "16 hex digits in quotes");
    }

    #[test]
    fn counters_count_by_status() {
        let c = OriginCounters::default();
        c.answered(StatusCode::OK);
        c.answered(StatusCode::OK);
        c.answered(StatusCode::NOT_FOUND);
        c.answered(StatusCode::IM_A_TEAPOT);
        let s = c.snapshot();
        assert_eq!(s.requests, 4);
        assert_eq!(s.by_status["200"], 2);
        assert_eq!(s.by_status["404"], 1);
        assert_eq!(s.by_status["other"], 1);
        assert!(!s.by_status.contains_key("400"), "statuses never answered are left out");
    }
}
