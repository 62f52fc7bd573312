//! `cachelab serve`: the caching server of HTTP mode alone, for external load generators, in
//! front of the simulated origin or (`--upstream`) an origin served over HTTP.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::ServeArgs;
use crate::http::{CacheService, OriginHandler, Server, ServerStats, Upstream};
use crate::model::error::InputError;
use crate::model::units::{Capacities, CapacitySpec};
use crate::origin::Origin;
use crate::runner::cell::resolve_capacity;
use crate::runner::load::LoadSpec;
use crate::scenario::Scenario;
use crate::strategy::{CacheStrategy, StrategyKind, StrategySpec, StrategyTable, build_strategy};

/// How long requests in flight may take to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `cachelab serve`.
pub fn execute(args: &ServeArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let capacity = match &args.capacity {
        Some(text) => Some(CapacitySpec::parse(text).map_err(|message| flag("--capacity", message))?),
        None => None,
    };
    let upstream = match &args.upstream {
        Some(url) => Some(Upstream::new(url).map_err(|message| flag("--upstream", message))?),
        None => None,
    };
    // clap requires one of --kind and --strategy.
    let spec = match &args.kind {
        Some(kind) => of_kind(kind, capacity)?,
        None => named(&scenario, args.strategy.as_deref().unwrap_or_default())?,
    };
    let capacity = capacity.or_else(|| spec.capacities().into_iter().next().flatten());
    let capacity = capacity.map(|c| resolve_capacity(c, scenario.workload.footprint_objects()));
    let timeout = scenario.load.as_ref().map_or_else(|| LoadSpec::default().timeout, |l| l.timeout).0;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("cachelab-serve")
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(async {
        let strategy: Arc<dyn CacheStrategy> = build_strategy(&spec, capacity).await?.into();
        let origin = Arc::new(Origin::new(&scenario.origin, scenario.seed));
        let mut handler =
            OriginHandler::new(origin, &scenario.workload, scenario.seed, scenario.origin.uncacheable.0);
        if let Some(upstream) = upstream {
            handler = handler.with_upstream(upstream);
        }
        let service = CacheService::new(strategy.clone(), handler, scenario.http.coalesce.serves_coalesced(), timeout);
        let server =
            Server::start(service, args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
        let described = capacity.map_or("unbounded".to_string(), |c| format!("{} {}", c.value, c.unit.as_str()));
        let from = args.upstream.as_deref().map_or_else(|| "the simulated origin".to_string(), |u| format!("the origin at {u}"));
        eprintln!(
            "serving strategy `{}` (kind {}, capacity {described}) of scenario `{}` in front of {from}; objects at /obj/<key>, counters at /_cachelab/stats; Ctrl-C stops",
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

/// A bad value of command-line flag `name`.
fn flag(name: &str, message: impl Into<String>) -> InputError {
    InputError::Flag { flag: name.into(), message: message.into() }
}

/// The scenario's strategy called `name`.
fn named(scenario: &Scenario, name: &str) -> Result<StrategySpec, InputError> {
    match scenario.strategies.iter().find(|s| s.name == name) {
        Some(spec) => Ok(spec.clone()),
        None => {
            let names: Vec<&str> = scenario.strategies.iter().map(|s| s.name.as_str()).collect();
            Err(flag(
                "--strategy",
                format!("no strategy `{name}` in the scenario; it has: {}", names.join(", ")),
            ))
        }
    }
}

/// A strategy of `kind` named after it, with `capacity` and the kind's defaults, checked as
/// a scenario's `[[strategy]]` is.
fn of_kind(kind: &str, capacity: Option<CapacitySpec>) -> Result<StrategySpec, InputError> {
    let parsed = StrategyKind::parse(kind).ok_or_else(|| {
        flag("--kind", format!("unknown kind `{kind}`; one of: {}", StrategyKind::all_names().join(", ")))
    })?;
    let table = StrategyTable {
        capacity: capacity.map(|c| Capacities(vec![c])),
        ..StrategyTable::empty(kind, parsed)
    };
    StrategySpec::from_table(table).map_err(|e| {
        let advice = if e.key == "capacity" {
            "; give --capacity"
        } else {
            "; name a configured [[strategy]] with --strategy"
        };
        flag("--kind", format!("{e}{advice}"))
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
