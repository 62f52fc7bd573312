//! What the closed and open loops drive: one request in, its measurements out. The load
//! runner's in-process requests ([`super::request::Ctx`]) and the HTTP load client
//! ([`crate::runner::http::HttpClient`]) both implement it, so both share the loops, the
//! intended-time latency of the open loop and the recorders.

use std::future::Future;
use std::time::Instant;

use super::recorder::Outcome;
use super::request::Job;
use crate::model::Stop;

/// Serves and measures the requests of one strategy's run.
pub trait Driver: Send + Sync + 'static {
    /// When the run started: the open loop's schedule and the time series count from it.
    fn t0(&self) -> Instant;

    /// The run's stop signal (Ctrl-C).
    fn stop(&self) -> &Stop;

    /// Serves `job`. `scheduled` is the open loop's intended send time (latency is measured
    /// from it); a closed loop passes None and latency starts now. Returns None if the run was
    /// stopped before the request finished (it is then not counted).
    fn serve(&self, job: Job, scheduled: Option<Instant>) -> impl Future<Output = Option<Outcome>> + Send;
}

/// A request cancelled because it was still unfinished when the run ended.
pub struct Cancelled;

/// [`Driver::serve`], cancelled if the request is still unfinished at `end` (the run's end,
/// see `Plan::end`; None: never).
pub async fn serve_by<D: Driver>(
    ctx: &D,
    job: Job,
    scheduled: Option<Instant>,
    end: Option<Instant>,
) -> Result<Option<Outcome>, Cancelled> {
    let served = ctx.serve(job, scheduled);
    match end {
        Some(end) => tokio::time::timeout_at(end.into(), served).await.map_err(|_| Cancelled),
        None => Ok(served.await),
    }
}
