//! The HTTP load client: replays a workload against the caching server as URLs
//! (`GET /obj/<key>`, with `?size=<bytes>` for traces; workload writes as `PUT /obj/<key>` carrying the new body) over a
//! keep-alive connection pool (hyper-util's pooled client), and measures each request as the
//! load runner does: it implements [`Driver`], so the closed and open loops (intended-time
//! latency in the open loop) and the recorders are the load runner's own.
//!
//! Every body is checked against [`crate::origin::verify`]; a wrong one is counted `corrupt`.
//! Hits and misses come from `X-Cache`; a miss made an origin fetch unless it says
//! `X-Coalesced`; `X-Cache-Error` names cache operations that failed or timed out on the
//! server. A transport error or an unexpected status counts as an error.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::HeaderMap;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::cache::{X_CACHE, X_CACHE_ERROR, X_CACHE_TIER, X_COALESCED};
use super::origin::OBJECT_PREFIX;
use crate::origin::{self, MAX_LATENCY};
use crate::runner::load::{Driver, GetOutcome, Job, Outcome, Stop};
use crate::workload::Op;

/// Slack on top of the longest possible request (origin delay plus two cache operations)
/// before the client gives up on a response.
const RESPONSE_SLACK: Duration = Duration::from_secs(5);

/// A load client for one caching server.
pub struct HttpClient {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    t0: Instant,
    stop: Arc<Stop>,
    limit: Duration,
    sized: bool,
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
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client =
            Client::builder(TokioExecutor::new()).pool_max_idle_per_host(connections).build(connector);
        HttpClient {
            client,
            base: format!("http://{addr}{OBJECT_PREFIX}"),
            t0: Instant::now(),
            stop,
            limit: MAX_LATENCY + op_timeout * 2 + RESPONSE_SLACK,
            sized,
        }
    }

    /// Sends one request and reads the whole response.
    async fn exchange(&self, request: Request<Full<Bytes>>) -> Result<(StatusCode, HeaderMap, Bytes), ()> {
        let response = self.client.request(request).await.map_err(drop)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(drop)?.to_bytes();
        Ok((parts.status, parts.headers, body))
    }

    async fn measure(&self, job: Job, scheduled: Option<Instant>) -> Outcome {
        let begin = Instant::now();
        let start = scheduled.unwrap_or(begin);
        let req = job.req;
        let uri = if self.sized {
            format!("{}{}?size={}", self.base, req.key, req.size)
        } else {
            format!("{}{}", self.base, req.key)
        };
        let (method, body) = match req.op {
            Op::Get => (Method::GET, Bytes::new()),
            Op::Set => (Method::PUT, origin::body(req.key, req.size)),
        };
        let mut out = Outcome {
            measured: job.measured,
            finished: begin,
            end_to_end: Duration::ZERO,
            get: None,
            put: None,
            read: req.op == Op::Get,
            size: req.size,
            origin: false,
            errors: 0,
            timeouts: 0,
            late: scheduled.map(|s| begin.saturating_duration_since(s)),
        };
        let request = Request::builder().method(method).uri(uri).body(Full::new(body));
        let answered = match request {
            Ok(request) => tokio::time::timeout(self.limit, self.exchange(request)).await,
            Err(_) => Ok(Err(())),
        };
        let end = Instant::now();
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
                out.origin = !hit && !headers.contains_key(X_COALESCED);
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

    async fn serve(&self, job: Job, scheduled: Option<Instant>) -> Option<Outcome> {
        tokio::select! {
            biased;
            () = self.stop.stopped() => None,
            outcome = self.measure(job, scheduled) => Some(outcome),
        }
    }
}
