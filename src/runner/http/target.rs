//! HTTP targets (`kind = "http"`): caches cachelab does not own (nginx, Varnish, an app) in
//! front of the origin the run serves at `[origin] listen`. Before a target's measured run, a
//! probe for a fresh key checks that it answers and that it reaches that origin; then the HTTP
//! load client drives it like cachelab's own server, and its hit ratio is counted at the
//! origin: hits = measured reads − objects the origin served meanwhile (− reads that failed or
//! came back corrupt). This needs no cooperation from the target, so none can misreport it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::header::HOST;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::client::{HttpClient, Target};
use crate::http::{OriginCounters, OriginHandler, OriginService, Server};
use crate::metrics::TargetCounts;
use crate::origin::Origin;
use crate::runner::load::{self, Measured, Recorder, Turn};
use crate::runner::plan::RunPlan;
use crate::strategy::HttpTargetSpec;

/// Longest the probe may take to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest the probe may wait for its response (on top of the origin's latency).
const PROBE_SLACK: Duration = Duration::from_secs(10);

/// Starts the run's origin as an HTTP server at `addr` (`[origin] listen`).
pub async fn start_origin(run: &RunPlan, addr: SocketAddr) -> anyhow::Result<Server<OriginService>> {
    let origin = Arc::new(Origin::new(&run.origin, run.seed));
    let handler = OriginHandler::new(origin, &run.workload, run.seed, run.origin.uncacheable.0);
    Server::start(OriginService::new(handler), addr)
        .await
        .with_context(|| format!("cannot serve the origin at [origin] listen = \"{addr}\""))
}

/// Drives one target's turn: probes it, drives it with the HTTP load client and counts its
/// hits at `origin`.
pub async fn drive(
    t: Turn<'_>,
    spec: &HttpTargetSpec,
    origin: &Server<OriginService>,
) -> anyhow::Result<Measured> {
    let (run, plan) = (t.run, t.plan);
    let counters = origin.service().counters();
    let sized = run.workload.trace_source().is_some();
    probe(run, t.strategy.name(), spec, &counters, origin.addr(), sized).await?;
    let target = Target { url: spec.url.clone(), hit: spec.hit.clone(), origin: counters.clone() };
    let client =
        Arc::new(HttpClient::for_target(target, plan.concurrency, plan.timeout, sized, t.stop.clone())?);
    let mut measured =
        load::drive_with(client.clone(), t.strategy, t.requests, t.origin, plan, t.progress, t.progress_base)
            .await?;
    let now = counters.snapshot();
    let (objects, bytes) = client.origin_at_measure().unwrap_or((now.objects, now.bytes));
    let (fetches, fetched_bytes) = (now.objects - objects, now.bytes - bytes);
    let classified_hits = spec.hit.describe().map(|_| measured.recorder.counts.hits);
    count_at_origin(&mut measured.recorder, fetches, fetched_bytes);
    measured.target = Some(TargetCounts {
        url: spec.url.text.clone(),
        hits_counted_at: "origin".into(),
        origin_fetches: fetches,
        classified_by: spec.hit.describe(),
        classified_hits,
    });
    Ok(measured)
}

/// Replaces the recorder's hits and misses (classified per response, or all misses) with the
/// origin's count: of the measured reads, those that got a verified body without the origin
/// serving one are hits.
fn count_at_origin(r: &mut Recorder, fetches: u64, fetched_bytes: u64) {
    let c = &mut r.counts;
    let reads = c.hits + c.misses;
    let failed = c.corrupt + c.errors + r.timeouts;
    c.hits = reads.saturating_sub(fetches + failed);
    c.misses = reads - c.hits;
    c.bytes_hit = c.bytes_requested.saturating_sub(fetched_bytes);
    r.origin = fetches;
}

/// Requests one fresh key (never in a workload's stream) from the target and checks that it
/// answered 200 and fetched that key from the origin.
async fn probe(
    run: &RunPlan,
    name: &str,
    spec: &HttpTargetSpec,
    counters: &OriginCounters,
    origin: SocketAddr,
    sized: bool,
) -> anyhow::Result<()> {
    let url = &spec.url;
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let key = u64::MAX - u64::from(nanos);
    let size = if sized { Some(1024) } else { None };
    let target = url.target(key, size);
    let before = counters.snapshot().objects;
    let what = format!("HTTP target `{name}` ({})", url.text);
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(url.addr)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(e)) => {
            bail!("cannot reach {what}: connecting to {} failed: {e}; start the server first", url.addr)
        }
        Err(_) => bail!("cannot reach {what}: no connection to {} within {CONNECT_TIMEOUT:?}", url.addr),
    };
    // The probe's own origin delay is drawn by the origin: allow the slowest of a sample.
    let sampler = run.origin.latency.sampler(run.seed);
    let limit = (0..64).map(|i| sampler.delay(i)).max().unwrap_or_default() + PROBE_SLACK;
    let exchange = async {
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let request = Request::get(&target).header(HOST, &url.host).body(Empty::<Bytes>::new())?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        response.into_body().collect().await?;
        anyhow::Ok(status)
    };
    let status = match tokio::time::timeout(limit, exchange).await {
        Ok(Ok(status)) => status,
        Ok(Err(e)) => bail!("{what} failed on GET {target}: {e:#}"),
        Err(_) => bail!("{what} did not answer GET {target} within {limit:?}"),
    };
    if status != StatusCode::OK {
        bail!("{what} answered {status} to GET {target}; it must pass /obj/<key> on to cachelab's origin");
    }
    if counters.snapshot().objects == before {
        bail!(
            "{what} answered GET {target} without fetching it from cachelab's origin at {origin}: it never reaches the origin, so its hits cannot be counted; point its upstream at [origin] listen = \"{origin}\""
        );
    }
    Ok(())
}
