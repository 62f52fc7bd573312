//! HTTP mode (`mode = "http"`): every strategy in turn behind the same caching server
//! ([`crate::http::Server`] on a free loopback port), driven by the HTTP load client
//! ([`client`]) over real sockets in the load runner's closed or open loop. Latency is end to end (client to server
//! to cache or origin and back); hits come from `X-Cache`; origin requests are the fetches
//! the server made (coalesced misses made none, and are counted apart).
//!
//! An HTTP target (`kind = "http"`, a cache cachelab does not own) is driven by the same
//! client at its own URL, in front of the origin served at `[origin] listen` ([`target`]).
//!
//! With `[http] coalesce = "compare"` every strategy runs twice in a row, behind a server
//! that coalesces (the row keeps the strategy's name) and one that does not (the name plus
//! [`NO_COALESCING_SUFFIX`]), so the results show the origin load coalescing saves.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use indicatif::ProgressBar;

pub mod client;
pub mod target;

pub use client::HttpClient;

use super::load::{self, Harness, Measured, Turn};
use super::plan::RunPlan;
use crate::http::{CacheService, Coalescing, OriginHandler, OriginService, Server};
use crate::metrics::{NO_COALESCING_SUFFIX, RunResult};
use crate::strategy::{BackendSpec, StrategySpec};

/// How long requests in flight may take to finish when a strategy's turn ends.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `run` in HTTP mode (it must have `[load]` settings, which `mode = "http"` fills with
/// defaults) and returns its results; `partial` is set if Ctrl-C stopped it.
pub fn run(run: &RunPlan, progress: &ProgressBar, quiet: bool) -> anyhow::Result<RunResult> {
    let coalesce = run.http.coalesce;
    if coalesce != Coalescing::Compare {
        let harness = ThroughServer::new(coalesce.serves_coalesced(), Vec::new());
        return load::run_with(run, &harness, progress, quiet);
    }
    // The results echo the scenario as written, not the doubled list.
    let mut doubled = run.clone();
    doubled.strategies = Vec::with_capacity(2 * run.strategies.len());
    let mut uncoalesced = Vec::with_capacity(run.strategies.len());
    for spec in &run.strategies {
        let mut without = spec.clone();
        without.name = format!("{}{NO_COALESCING_SUFFIX}", spec.name);
        anyhow::ensure!(
            run.strategies.iter().all(|s| s.name != without.name),
            "coalesce = \"compare\" names the second run of `{}` `{}`, which another strategy already has",
            spec.name,
            without.name
        );
        uncoalesced.push(without.name.clone());
        doubled.strategies.extend([spec.clone(), without]);
    }
    load::run_with(&doubled, &ThroughServer::new(true, uncoalesced), progress, quiet)
}

/// Like [`run`], but every request goes to the caching server already listening at `target`
/// (e.g. `cachelab serve`): the results hold one row, `target` (kind `none`: no cache of this
/// process), measured by the client alone.
pub fn run_against(
    run: &RunPlan,
    target: SocketAddr,
    progress: &ProgressBar,
    quiet: bool,
) -> anyhow::Result<RunResult> {
    let mut run = run.clone();
    run.strategies = vec![StrategySpec { name: "target".into(), backend: BackendSpec::None }];
    // The results echo the scenario with the one row run.
    run.echo["strategy"] = serde_json::to_value(&run.strategies)?;
    load::run_with(&run, &Remote(target), progress, quiet)
}

/// Drives each strategy through a caching server of its own, and each HTTP target at its URL.
struct ThroughServer {
    /// Whether the servers coalesce concurrent misses...
    coalesce: bool,
    /// ...except for the strategies of these names (the second runs of a comparison).
    uncoalesced: Vec<String>,
    /// The origin at `[origin] listen`, started for the first HTTP target and kept for the
    /// rest of the run.
    origin: tokio::sync::OnceCell<Server<OriginService>>,
}

impl ThroughServer {
    fn new(coalesce: bool, uncoalesced: Vec<String>) -> Self {
        ThroughServer { coalesce, uncoalesced, origin: tokio::sync::OnceCell::new() }
    }
}

/// Drives a server that is already running.
struct Remote(SocketAddr);

impl Harness for Remote {
    fn mode(&self) -> &'static str {
        "http"
    }

    async fn drive(&self, t: Turn<'_>) -> anyhow::Result<Measured> {
        let (s, plan) = (t.run, t.plan);
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
        let s = t.run;
        let spec = s.strategies.iter().find(|spec| spec.name == t.strategy.name()).map(|spec| &spec.backend);
        if let Some(BackendSpec::Http(target)) = spec {
            let listen = s.origin.listen.context("an HTTP target needs [origin] listen = \"IP:PORT\"")?;
            let origin = self.origin.get_or_try_init(|| target::start_origin(s, listen)).await?;
            return target::drive(t, target, origin).await;
        }
        let origin = OriginHandler::new(t.origin.clone(), &s.workload, s.seed, s.origin.uncacheable.0);
        let coalesce = self.coalesce && !self.uncoalesced.iter().any(|n| n == t.strategy.name());
        let service = CacheService::new(t.strategy.clone(), origin, coalesce, t.plan.timeout);
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
