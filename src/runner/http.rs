//! HTTP mode (`mode = "http"`): every strategy in turn behind the same caching server
//! ([`crate::http::Server`] on a free loopback port), driven by the HTTP load client over real
//! sockets in the load runner's closed or open loop. Latency is end to end (client to server
//! to cache or origin and back); hits come from `X-Cache`; origin requests are the fetches
//! the server made (coalesced misses made none).

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::ProgressBar;

use super::load::{self, Harness, Measured, Turn};
use crate::http::{CacheService, HttpClient, OriginHandler, Server};
use crate::metrics::RunResult;
use crate::scenario::Scenario;

/// How long requests in flight may take to finish when a strategy's turn ends.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `scenario` in HTTP mode (it must have a `[load]` section, which `mode = "http"`
/// fills with defaults) and returns its results; `partial` is set if Ctrl-C stopped it.
pub fn run(scenario: &Scenario, progress: &ProgressBar, quiet: bool) -> anyhow::Result<RunResult> {
    load::run_with(scenario, &ThroughServer, progress, quiet)
}

/// Like [`run`], but every request goes to the caching server already listening at `target`
/// (e.g. `cachelab serve`): the results hold one row, `target` (kind `none`: no cache of this
/// process), measured by the client alone.
pub fn run_against(
    scenario: &Scenario,
    target: SocketAddr,
    progress: &ProgressBar,
    quiet: bool,
) -> anyhow::Result<RunResult> {
    let mut scenario = scenario.clone();
    scenario.strategies =
        vec![toml::from_str("name = \"target\"\nkind = \"none\"").expect("a valid strategy")];
    load::run_with(&scenario, &Remote(target), progress, quiet)
}

/// Drives each strategy through a caching server of its own.
struct ThroughServer;

/// Drives a server that is already running.
struct Remote(SocketAddr);

impl Harness for Remote {
    fn mode(&self) -> &'static str {
        "http"
    }

    async fn drive(&self, t: Turn<'_>) -> anyhow::Result<Measured> {
        let (s, plan) = (t.scenario, t.plan);
        let sized = s.workload.trace_source().is_some();
        let client = Arc::new(HttpClient::new(self.0, plan.concurrency, plan.timeout, sized, t.stop.clone()));
        load::drive_with(client, t.strategy, t.requests, t.origin, plan, t.progress, t.progress_base).await
    }
}

impl Harness for ThroughServer {
    fn mode(&self) -> &'static str {
        "http"
    }

    async fn drive(&self, t: Turn<'_>) -> anyhow::Result<Measured> {
        let s = t.scenario;
        let origin = OriginHandler::new(t.origin.clone(), &s.workload, s.seed, s.origin.uncacheable.0);
        let service = CacheService::new(t.strategy.clone(), origin, s.http.coalesce, t.plan.timeout);
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let server = Server::start(service, loopback).await.context("cannot start the caching server")?;
        let sized = s.workload.trace_source().is_some();
        let (addr, plan) = (server.addr(), t.plan);
        let client = Arc::new(HttpClient::new(addr, plan.concurrency, plan.timeout, sized, t.stop.clone()));
        let measured =
            load::drive_with(client, t.strategy, t.requests, t.origin, plan, t.progress, t.progress_base)
                .await;
        server.shutdown(SHUTDOWN_GRACE).await;
        measured
    }
}
