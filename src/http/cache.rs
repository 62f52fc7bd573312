//! The caching layer of the server: one request from routing to response.
//!
//! `GET /obj/<key>` (and `HEAD`) looks the cache key (a hash of method, path and query) up in
//! the strategy: a hit is answered from it with `X-Cache: HIT`; a miss (or a failed lookup)
//! fetches from the origin, stores the body if its `Cache-Control` allows, for the age it
//! gives, and answers with `X-Cache: MISS`. With coalescing, concurrent misses for one key
//! share one origin fetch; those that joined another's fetch also say `X-Coalesced: true`.
//! `PUT /obj/<key>` stores the body it carries as the new version of the object (a workload
//! write) under the `GET` key, without contacting the origin. A body may be as large as the
//! scenario's largest value ([`OriginHandler::max_size`]): a larger `Content-Length` is
//! refused with 413 before any of it is read, a chunked body that grows past it as soon as it
//! does; the whole body must arrive within [`BODY_READ_TIMEOUT`], else 408. These refusals
//! close the connection.
//! Failed or timed-out cache operations never fail a request: the origin answers and the
//! response names them in `X-Cache-Error` (`get-failed`, `get-timeout`, `put-failed`,
//! `put-timeout`). `GET /_cachelab/stats` returns the server's counters as JSON.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use headers::HeaderMapExt;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::{Body, Incoming};
use hyper::header::{ALLOW, CACHE_CONTROL, CONNECTION, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode, Uri};
use serde::{Deserialize, Serialize};

use super::body::{ResponseBody, json_response};
use super::cache_control::{Storage, storage, storage_of};
use super::coalesce::Coalescer;
use super::origin::{Object, OriginHandler};
use crate::model::NEVER;
use crate::model::hash::hash_bytes;
use crate::strategy::bounded::{self, Ended};
use crate::strategy::{CacheStrategy, Hint, Lookup};

/// Where the server's counters are served.
pub const STATS_PATH: &str = "/_cachelab/stats";
/// `HIT` or `MISS`: whether the body came from the cache.
pub const X_CACHE: HeaderName = HeaderName::from_static("x-cache");
/// On hits: the tier that served it (`l1`, `l2`, ...).
pub const X_CACHE_TIER: HeaderName = HeaderName::from_static("x-cache-tier");
/// On misses that joined another request's origin fetch (coalescing): `true`.
pub const X_COALESCED: HeaderName = HeaderName::from_static("x-coalesced");
/// Cache operations that failed while serving the request, comma-separated.
pub const X_CACHE_ERROR: HeaderName = HeaderName::from_static("x-cache-error");
/// Time a `PUT` has to deliver its whole body once its header section arrived; a slower one
/// is answered 408 and its connection closed (see also the server's `HEADER_READ_TIMEOUT`).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's counters since it started.
#[derive(Debug, Default)]
struct Stats {
    requests: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    coalesced: AtomicU64,
    stored: AtomicU64,
    not_stored: AtomicU64,
    writes: AtomicU64,
    errors: AtomicU64,
    timeouts: AtomicU64,
    rejected: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// A snapshot of the server's counters (also served as JSON at [`STATS_PATH`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStats {
    /// Requests received (every path and method).
    pub requests: u64,
    /// `GET`/`HEAD` answered from the cache.
    pub hits: u64,
    /// `GET`/`HEAD` answered from the origin.
    pub misses: u64,
    /// Fetches the origin served.
    pub origin_fetches: u64,
    /// Misses that joined another request's origin fetch instead of making their own.
    pub coalesced: u64,
    /// Origin responses stored in the cache.
    pub stored: u64,
    /// Origin responses not stored (`no-store` and the like).
    pub not_stored: u64,
    /// `PUT`s stored.
    pub writes: u64,
    /// Cache operations that failed.
    pub errors: u64,
    /// Cache operations that timed out.
    pub timeouts: u64,
    /// Requests answered with a 4xx status (unknown path, method, oversized body).
    pub rejected: u64,
}

/// What a fill (origin fetch and store) leaves for every request that waited on it: the body
/// is the stored value, shared, or (not stored) the origin's body generated for each response.
#[derive(Debug, Clone)]
struct Fill {
    status: StatusCode,
    body: ResponseBody,
    cache_control: Option<HeaderValue>,
    put_error: Option<&'static str>,
}

/// The cache key of a request: a hash of its method, path and query.
pub fn cache_key(method: &Method, uri: &Uri) -> u64 {
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    let mut bytes = Vec::with_capacity(method.as_str().len() + 1 + target.len());
    bytes.extend_from_slice(method.as_str().as_bytes());
    bytes.push(b' ');
    bytes.extend_from_slice(target.as_bytes());
    hash_bytes(&bytes)
}

/// The caching layer: a strategy in front of the origin.
pub struct CacheService {
    strategy: Arc<dyn CacheStrategy>,
    origin: OriginHandler,
    coalescer: Option<Coalescer<Fill>>,
    timeout: Duration,
    t0: Instant,
    stats: Stats,
}

impl CacheService {
    /// Serves `origin`'s objects through `strategy`; `coalesce` turns single-flight fills on;
    /// each cache operation may take at most `timeout`. The strategies' clock (for time to
    /// live) starts now.
    pub fn new(
        strategy: Arc<dyn CacheStrategy>,
        origin: OriginHandler,
        coalesce: bool,
        timeout: Duration,
    ) -> Self {
        CacheService {
            strategy,
            origin,
            coalescer: coalesce.then(Coalescer::new),
            timeout,
            t0: Instant::now(),
            stats: Stats::default(),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> ServerStats {
        let s = &self.stats;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ServerStats {
            requests: get(&s.requests),
            hits: get(&s.hits),
            misses: get(&s.misses),
            origin_fetches: self.origin.requests(),
            coalesced: get(&s.coalesced),
            stored: get(&s.stored),
            not_stored: get(&s.not_stored),
            writes: get(&s.writes),
            errors: get(&s.errors),
            timeouts: get(&s.timeouts),
            rejected: get(&s.rejected),
        }
    }

    /// Answers one request.
    pub async fn handle(&self, req: Request<Incoming>) -> Response<ResponseBody> {
        bump(&self.stats.requests);
        let path = req.uri().path();
        if path == STATS_PATH && req.method() == Method::GET {
            return json_response(&self.stats());
        }
        let obj = match self.origin.route(req.uri()) {
            Ok(obj) => obj,
            Err(not_served) => {
                let (status, message) = not_served.answer();
                return self.reject(status, message);
            }
        };
        match *req.method() {
            Method::GET | Method::HEAD => self.get(cache_key(req.method(), req.uri()), obj).await,
            Method::PUT => self.put(req, obj).await,
            _ => {
                let mut response = self.reject(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
                response.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD, PUT"));
                response
            }
        }
    }

    fn hint(&self, size: u32, ttl: Option<Duration>) -> Hint {
        Hint { size, now: self.t0.elapsed(), ttl, next_access: NEVER }
    }

    fn reject(&self, status: StatusCode, message: impl Into<ResponseBody>) -> Response<ResponseBody> {
        bump(&self.stats.rejected);
        let mut response = Response::new(message.into());
        *response.status_mut() = status;
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        response
    }

    /// Counts a failed or timed-out cache operation and names it for `X-Cache-Error`.
    fn failure<T>(
        &self,
        ended: &Ended<T>,
        failed: &'static str,
        timed_out: &'static str,
    ) -> Option<&'static str> {
        match ended {
            Ended::Done(_) => None,
            Ended::Failed => {
                bump(&self.stats.errors);
                Some(failed)
            }
            Ended::TimedOut => {
                bump(&self.stats.timeouts);
                Some(timed_out)
            }
        }
    }

    async fn get(&self, key: u64, obj: Object) -> Response<ResponseBody> {
        let looked_up =
            bounded::within(self.timeout, self.strategy.get(key, self.hint(obj.size, None))).await;
        if let Ended::Done(Lookup::Hit { value, tier }) = looked_up {
            bump(&self.stats.hits);
            let mut response = Response::new(ResponseBody::from(value));
            let h = response.headers_mut();
            h.insert(X_CACHE, HeaderValue::from_static("HIT"));
            h.insert(X_CACHE_TIER, HeaderValue::from(u16::from(tier) + 1));
            h.typed_insert(self.origin.directives(obj.key));
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            return response;
        }
        bump(&self.stats.misses);
        let get_error = self.failure(&looked_up, "get-failed", "get-timeout");
        let fill = || self.fill(key, obj);
        let (fill, led) = match &self.coalescer {
            Some(c) => c.run(key, fill).await,
            None => (fill().await, true),
        };
        let mut response = Response::new(fill.body);
        *response.status_mut() = fill.status;
        let h = response.headers_mut();
        h.insert(X_CACHE, HeaderValue::from_static("MISS"));
        if !led {
            bump(&self.stats.coalesced);
            h.insert(X_COALESCED, HeaderValue::from_static("true"));
        }
        if let Some(cc) = fill.cache_control {
            h.insert(CACHE_CONTROL, cc);
        }
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
        // Only the request that stored the body reports how storing went.
        let put_error = fill.put_error.filter(|_| led);
        if let Some(errors) = error_header([get_error, put_error]) {
            h.insert(X_CACHE_ERROR, errors);
        }
        response
    }

    /// Fetches `obj` from the origin and stores it under `key` if it answered 200 and its
    /// `Cache-Control` allows. Only a body to be stored is made whole (and then shared by the
    /// cache and every response); one that is not stored is generated while each response is
    /// sent.
    async fn fill(&self, key: u64, obj: Object) -> Fill {
        let response = self.origin.fetch(obj).await;
        let status = response.status();
        let cache_control = response.headers().get(CACHE_CONTROL).cloned();
        let storage = storage(response.headers());
        if storage == Storage::Never || status != StatusCode::OK {
            bump(&self.stats.not_stored);
            return Fill { status, body: response.into_body(), cache_control, put_error: None };
        }
        let body = response.into_body().into_bytes();
        let put_error = self.store(key, &body, storage).await;
        Fill { status, body: body.into(), cache_control, put_error }
    }

    /// Stores `body` under `key` as `storage` says; returns the failure, if any.
    async fn store(&self, key: u64, body: &Bytes, storage: Storage) -> Option<&'static str> {
        let Storage::Keep(ttl) = storage else {
            bump(&self.stats.not_stored);
            return None;
        };
        let size = u32::try_from(body.len()).unwrap_or(u32::MAX);
        let stored =
            bounded::within(self.timeout, self.strategy.put(key, body.clone(), self.hint(size, ttl))).await;
        if matches!(stored, Ended::Done(())) {
            bump(&self.stats.stored);
        }
        self.failure(&stored, "put-failed", "put-timeout")
    }

    /// A refusal that also ends the connection (its request body, if any, is left unread).
    fn reject_and_close(
        &self,
        status: StatusCode,
        message: impl Into<ResponseBody>,
    ) -> Response<ResponseBody> {
        let mut response = self.reject(status, message);
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
        response
    }

    async fn put(&self, req: Request<Incoming>, obj: Object) -> Response<ResponseBody> {
        let key = cache_key(&Method::GET, req.uri());
        let limit = self.origin.max_size();
        let too_large = || format!("body too large: this scenario's largest value is {limit} bytes\n");
        let body = req.into_body();
        // A Content-Length makes the size known before reading: refuse at once.
        if body.size_hint().lower() > u64::from(limit) {
            return self.reject_and_close(StatusCode::PAYLOAD_TOO_LARGE, too_large());
        }
        let read =
            tokio::time::timeout(BODY_READ_TIMEOUT, Limited::new(body, limit as usize).collect()).await;
        let body = match read {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(e)) if e.is::<LengthLimitError>() => {
                return self.reject_and_close(StatusCode::PAYLOAD_TOO_LARGE, too_large());
            }
            Ok(Err(_)) => return self.reject_and_close(StatusCode::BAD_REQUEST, "incomplete body\n"),
            Err(_) => {
                let message = format!("body not received within {} s\n", BODY_READ_TIMEOUT.as_secs());
                return self.reject_and_close(StatusCode::REQUEST_TIMEOUT, message);
            }
        };
        bump(&self.stats.writes);
        let error = self.store(key, &body, storage_of(&self.origin.directives(obj.key))).await;
        let mut response = Response::new(ResponseBody::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        if let Some(errors) = error_header([error, None]) {
            response.headers_mut().insert(X_CACHE_ERROR, errors);
        }
        response
    }
}

/// The `X-Cache-Error` value for the failures named, or None if there were none.
fn error_header(failures: [Option<&'static str>; 2]) -> Option<HeaderValue> {
    match failures {
        [None, None] => None,
        [Some(one), None] | [None, Some(one)] => Some(HeaderValue::from_static(one)),
        [Some(a), Some(b)] => HeaderValue::from_str(&format!("{a}, {b}")).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keys_differ_by_method_path_and_query() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        let k = cache_key(&Method::GET, &uri("/obj/1"));
        assert_eq!(k, cache_key(&Method::GET, &uri("/obj/1")));
        assert_eq!(k, cache_key(&Method::GET, &uri("http://127.0.0.1:8080/obj/1")), "absolute form");
        assert_ne!(k, cache_key(&Method::HEAD, &uri("/obj/1")));
        assert_ne!(k, cache_key(&Method::GET, &uri("/obj/2")));
        assert_ne!(k, cache_key(&Method::GET, &uri("/obj/1?v=2")));
    }

    #[test]
    fn error_header_lists_failures() {
        assert_eq!(error_header([None, None]), None);
        assert_eq!(error_header([None, Some("put-failed")]).unwrap(), "put-failed");
        assert_eq!(
            error_header([Some("get-timeout"), Some("put-failed")]).unwrap(),
            "get-timeout, put-failed"
        );
    }
}
