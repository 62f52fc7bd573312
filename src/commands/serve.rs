//! `cachelab serve`: the caching server of HTTP mode alone, for external load generators.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::ServeArgs;
use crate::http::{CacheService, OriginHandler, Server, ServerStats};
use crate::model::error::InputError;
use crate::model::units::CapacitySpec;
use crate::origin::Origin;
use crate::runner::cell::resolve_capacity;
use crate::runner::load::LoadSpec;
use crate::scenario::Scenario;
use crate::strategy::{CacheStrategy, build_strategy};

/// How long requests in flight may take to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `cachelab serve`.
pub fn execute(args: &ServeArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let Some(spec) = scenario.strategies.iter().find(|s| s.name == args.strategy) else {
        let names: Vec<&str> = scenario.strategies.iter().map(|s| s.name.as_str()).collect();
        return Err(InputError::Flag {
            flag: "--strategy".into(),
            message: format!("no strategy `{}` in the scenario; it has: {}", args.strategy, names.join(", ")),
        }
        .into());
    };
    let capacity = match &args.capacity {
        Some(text) => Some(
            CapacitySpec::parse(text)
                .map_err(|message| InputError::Flag { flag: "--capacity".into(), message })?,
        ),
        None => spec.capacities().into_iter().next().flatten(),
    };
    let capacity = capacity.map(|c| resolve_capacity(c, scenario.workload.footprint_objects()));
    let timeout = scenario.load.as_ref().map_or_else(|| LoadSpec::default().timeout, |l| l.timeout).0;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("cachelab-serve")
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(async {
        let strategy: Arc<dyn CacheStrategy> = build_strategy(spec, capacity).await?.into();
        let origin = Arc::new(Origin::new(&scenario.origin, scenario.seed));
        let handler = OriginHandler::new(origin, &scenario.workload, scenario.seed, scenario.origin.uncacheable.0);
        let service = CacheService::new(strategy.clone(), handler, scenario.http.coalesce.serves_coalesced(), timeout);
        let server =
            Server::start(service, args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
        let described = capacity.map_or("unbounded".to_string(), |c| format!("{} {}", c.value, c.unit.as_str()));
        eprintln!(
            "serving strategy `{}` (kind {}, capacity {described}) of scenario `{}`; objects at /obj/<key>, counters at /_cachelab/stats; Ctrl-C stops",
            spec.name, spec.kind(), scenario.name
        );
        let stop = shutdown_signal()?;
        println!("listening on http://{}", server.addr());
        std::io::stdout().flush().context("stdout")?;
        stop.await;
        eprintln!("shutting down");
        let stats = server.shutdown(SHUTDOWN_GRACE).await;
        strategy.shutdown().await.with_context(|| format!("shutting down strategy `{}`", spec.name))?;
        eprintln!("{}", summary(&stats));
        Ok(())
    })
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM. The handlers are installed when this is called,
/// so call it before announcing the address.
#[cfg(unix)]
pub(super) fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Completes on Ctrl-C.
#[cfg(not(unix))]
pub(super) fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// One line of final counters.
fn summary(s: &ServerStats) -> String {
    let reads = s.hits + s.misses;
    let ratio = if reads == 0 { 0.0 } else { s.hits as f64 / reads as f64 };
    format!(
        "served {} requests: {} hits, {} misses (hit ratio {ratio:.4}), {} origin fetches ({} coalesced), {} writes, {} cache errors, {} timeouts, {} rejected",
        s.requests,
        s.hits,
        s.misses,
        s.origin_fetches,
        s.coalesced,
        s.writes,
        s.errors,
        s.timeouts,
        s.rejected
    )
}
