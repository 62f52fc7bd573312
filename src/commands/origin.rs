//! `cachelab origin`: the scenario's simulated origin alone, as an HTTP server.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::OriginArgs;
use crate::http::{OriginCounts, OriginHandler, OriginService, Server};
use crate::origin::Origin;
use crate::scenario::Scenario;

/// How long requests in flight may take to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Runs `cachelab origin`.
pub fn execute(args: &OriginArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let addr = args.addr.or(scenario.origin.listen).unwrap_or(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("cachelab-origin")
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(async {
        let origin = Arc::new(Origin::new(&scenario.origin, scenario.seed));
        let handler = OriginHandler::new(origin, &scenario.workload, scenario.seed, scenario.origin.uncacheable.0);
        let server = Server::start(OriginService::new(handler), addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        eprintln!(
            "serving the origin of scenario `{}`; objects at /obj/<key>, counters at /_cachelab/origin; Ctrl-C stops",
            scenario.name
        );
        let stop = super::serve::shutdown_signal()?;
        println!("listening on http://{}", server.addr());
        std::io::stdout().flush().context("stdout")?;
        stop.await;
        eprintln!("shutting down");
        let counts = server.stop(SHUTDOWN_GRACE).await.counters().snapshot();
        eprintln!("{}", summary(&counts));
        Ok(())
    })
}

/// One line of final counters.
fn summary(c: &OriginCounts) -> String {
    let statuses: Vec<String> = c.by_status.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    format!(
        "served {} requests: {} objects, {} body bytes (by status: {})",
        c.requests,
        c.objects,
        c.bytes,
        statuses.join(", ")
    )
}
