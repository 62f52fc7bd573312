//! The HTTP load client: replays a workload against the caching server as URLs
//! (`GET /obj/<key>`, with `?size=<bytes>` for traces; workload writes as `PUT /obj/<key>`
//! carrying the new body) over keep-alive connections (hyper's HTTP/1.1 client connections
//! in a small pool: one per worker of a closed loop; hyper-util's pooled client measured
//! 0.6x wrk's requests/s on the all-hit path, this pool 0.76x), and measures each request as
//! the load runner does: it implements [`Driver`], so the closed and open loops (intended-time
//! latency in the open loop) and the recorders are the load runner's own.
//!
//! The same client drives an HTTP target, a cache cachelab does not own ([`Target`]): URLs
//! then follow the target's template, hits come from its header rule (if any; the runner
//! counts its hit ratio at the origin), and the origin's counters are read when the first
//! measured request starts.
//!
//! Every body is checked against [`crate::origin::verify`]; a wrong one is counted `corrupt`.
//! From cachelab's own server, hits and misses come from `X-Cache`; a miss made an origin fetch unless it says
//! `X-Coalesced` (then it is counted as coalesced); `X-Cache-Error` names cache operations that failed or timed out on the
//! server. A transport error or an unexpected status counts as an error.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HOST, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::http::OriginCounters;
use crate::http::cache::{X_CACHE, X_CACHE_ERROR, X_CACHE_TIER, X_COALESCED};
use crate::http::origin::OBJECT_PREFIX;
use crate::model::Op;
use crate::model::Stop;
use crate::origin::{self, MAX_LATENCY};
use crate::runner::load::{Driver, GetOutcome, Job, Outcome, clock};
use crate::strategy::{HitRule, UrlTemplate};

/// Slack on top of the longest possible request (origin delay plus two cache operations)
/// before the client gives up on a response.
const RESPONSE_SLACK: Duration = Duration::from_secs(5);

/// Keep-alive HTTP/1.1 connections to one server (hyper's client connections): a request
/// takes an idle one (or opens a new one) and gives it back once its response is read, so a
/// closed loop of N workers keeps N connections open.
struct Pool {
    addr: SocketAddr,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

impl Pool {
    async fn take(&self) -> Result<SendRequest<Full<Bytes>>, ()> {
        loop {
            let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            match idle {
                Some(sender) if sender.is_ready() => return Ok(sender),
                Some(_closed) => continue,
                None => break,
            }
        }
        let stream = TcpStream::connect(self.addr).await.map_err(drop)?;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.map_err(drop)?;
        tokio::spawn(async move {
            // Ends when the server closes the connection or the pool drops its sender.
            let _ = connection.await;
        });
        Ok(sender)
    }

    fn give_back(&self, sender: SendRequest<Full<Bytes>>) {
        if sender.is_ready() {
            self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(sender);
        }
    }
}

/// A cache cachelab does not own, as the client drives it.
pub struct Target {
    /// Where each request goes.
    pub url: UrlTemplate,
    /// How a response says it was a hit.
    pub hit: HitRule,
    /// The counters of the origin behind it.
    pub origin: Arc<OriginCounters>,
}

/// An HTTP target with the origin's counters as they stood when measuring began.
struct Driven {
    target: Target,
    /// (objects, bytes) the origin had served when the first measured request started.
    at_measure: OnceLock<(u64, u64)>,
}

/// A load client for one caching server (cachelab's own, or an HTTP target).
pub struct HttpClient {
    pool: Pool,
    host: HeaderValue,
    t0: Instant,
    stop: Arc<Stop>,
    limit: Duration,
    sized: bool,
    target: Option<Driven>,
}

impl HttpClient {
    /// A client for the server at `addr` keeping up to `connections` idle keep-alive
    /// connections; `op_timeout` is the server's limit on each cache operation (the client
    /// waits for the slowest possible response before counting a timeout). With `sized`, URLs
    /// carry each request's size (`/obj/<key>?size=<bytes>`), as a trace's objects have no
    /// size the server could derive. The run's clock starts now.
    pub fn new(
        addr: SocketAddr,
        connections: usize,
        op_timeout: Duration,
        sized: bool,
        stop: Arc<Stop>,
    ) -> Self {
        HttpClient {
            pool: Pool { addr, idle: Mutex::new(Vec::with_capacity(connections)) },
            host: HeaderValue::from_str(&addr.to_string()).expect("an address is a valid Host"),
            t0: Instant::now(),
            stop,
            limit: MAX_LATENCY + op_timeout * 2 + RESPONSE_SLACK,
            sized,
            target: None,
        }
    }

    /// A client for an HTTP target (see [`HttpClient::new`] for the other arguments; the
    /// target's own cache operations are not limited by cachelab, so `op_timeout` only
    /// lengthens the wait for a response).
    pub fn for_target(
        target: Target,
        connections: usize,
        op_timeout: Duration,
        sized: bool,
        stop: Arc<Stop>,
    ) -> anyhow::Result<Self> {
        let host = HeaderValue::from_str(&target.url.host)
            .map_err(|_| anyhow::anyhow!("`{}` is not a valid Host header", target.url.host))?;
        let client = HttpClient::new(target.url.addr, connections, op_timeout, sized, stop);
        Ok(HttpClient { host, target: Some(Driven { target, at_measure: OnceLock::new() }), ..client })
    }

    /// For an HTTP target: the origin's (objects, bytes) when the first measured request
    /// started (None if none did, or for cachelab's own server).
    pub fn origin_at_measure(&self) -> Option<(u64, u64)> {
        self.target.as_ref().and_then(|d| d.at_measure.get().copied())
    }

    /// Sends one request and reads the whole response.
    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<(StatusCode, HeaderMap, Bytes), ()> {
        let mut sender = self.pool.take().await?;
        let response = sender.send_request(request).await.map_err(drop)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(drop)?.to_bytes();
        self.pool.give_back(sender);
        Ok((parts.status, parts.headers, body))
    }

    async fn measure(&self, job: Job, scheduled: Option<Instant>) -> Outcome {
        let begin = clock::now();
        let start = scheduled.unwrap_or(begin);
        let req = job.req;
        let uri = match &self.target {
            Some(d) => {
                if job.measured {
                    d.at_measure.get_or_init(|| {
                        let now = d.target.origin.snapshot();
                        (now.objects, now.bytes)
                    });
                }
                d.target.url.target(req.key, self.sized.then_some(req.size))
            }
            None if self.sized => format!("{OBJECT_PREFIX}{}?size={}", req.key, req.size),
            None => format!("{OBJECT_PREFIX}{}", req.key),
        };
        let (method, body) = match req.op {
            Op::Get => (Method::GET, Bytes::new()),
            Op::Set => (Method::PUT, origin::body(req.key, req.size)),
        };
        let mut out = job.outcome(begin, scheduled);
        let request =
            Request::builder().method(method).uri(uri).header(HOST, self.host.clone()).body(Full::new(body));
        let answered = match request {
            Ok(request) => tokio::time::timeout(self.limit, self.exchange(request)).await,
            Err(_) => Ok(Err(())),
        };
        let end = clock::now();
        out.finished = end;
        out.end_to_end = end - start;
        let took = end - begin;
        let (status, headers, body) = match answered {
            Ok(Ok(answer)) => answer,
            Ok(Err(())) => {
                out.errors += 1;
                return out;
            }
            Err(_) => {
                out.timeouts += 1;
                return out;
            }
        };
        if let Some(d) = &self.target {
            match (req.op, status) {
                (Op::Get, StatusCode::OK) => {
                    let hit = d.target.hit.is_hit(|name| headers.get(name).and_then(|v| v.to_str().ok()));
                    let kind = if !origin::verify(req.key, req.size, &body) {
                        GetOutcome::Corrupt
                    } else if hit {
                        GetOutcome::Hit(0)
                    } else {
                        GetOutcome::Miss
                    };
                    out.get = Some((kind, took));
                }
                _ => out.errors += 1,
            }
            return out;
        }
        for failure in header_str(&headers, &X_CACHE_ERROR).split(',').map(str::trim) {
            if failure.ends_with("-timeout") {
                out.timeouts += 1;
            } else if failure.ends_with("-failed") {
                out.errors += 1;
            }
        }
        match (req.op, status) {
            (Op::Get, StatusCode::OK) => {
                let hit = header_str(&headers, &X_CACHE) == "HIT";
                let kind = if !origin::verify(req.key, req.size, &body) {
                    GetOutcome::Corrupt
                } else if hit {
                    let tier = header_str(&headers, &X_CACHE_TIER).parse::<u8>().unwrap_or(1);
                    GetOutcome::Hit(tier.saturating_sub(1))
                } else {
                    GetOutcome::Miss
                };
                out.get = Some((kind, took));
                let joined = headers.contains_key(X_COALESCED);
                out.origin = !hit && !joined;
                out.coalesced = !hit && joined;
            }
            (Op::Set, StatusCode::NO_CONTENT) => out.put = Some(took),
            _ => out.errors += 1,
        }
        out
    }
}

/// A header's value as text ("" if absent or not text).
fn header_str<'h>(headers: &'h HeaderMap, name: &hyper::header::HeaderName) -> &'h str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

impl Driver for HttpClient {
    fn t0(&self) -> Instant {
        self.t0
    }

    fn stop(&self) -> &Stop {
        &self.stop
    }

    // A request once sent is finished (as Ctrl-C promises: "finishing the requests in
    // flight"); racing each one against the stop signal would cost a waiter registration per
    // request, a measurable share of the client's time on the all-hit path.
    async fn serve(&self, job: Job, scheduled: Option<Instant>) -> Option<Outcome> {
        if self.stop.is_stopped() {
            return None;
        }
        Some(self.measure(job, scheduled).await)
    }
}
