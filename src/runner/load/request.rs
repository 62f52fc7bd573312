//! One request under load: `get`; on a miss (or a corrupt or failed `get`) fetch from the
//! origin and `put`; workload writes `put` a fresh body. Every cache operation runs under the
//! per-operation timeout; failures are counted and the request falls back to the origin.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::clock;
use super::driver::Driver;
use super::recorder::{GetOutcome, Outcome};
use crate::model::NEVER;
use crate::model::Stop;
use crate::model::{Op, Request};
use crate::origin::{self, Origin};
use crate::strategy::bounded::{self, Ended};
use crate::strategy::{CacheStrategy, Hint, Lookup};

/// What every request of one strategy's run shares.
pub struct Ctx {
    /// The strategy under test.
    pub strategy: Arc<dyn CacheStrategy>,
    /// The simulated origin.
    pub origin: Arc<Origin>,
    /// Limit on each cache operation.
    pub timeout: Duration,
    /// When the run started (the strategies' clock for TTLs).
    pub t0: Instant,
    /// Ctrl-C.
    pub stop: Arc<Stop>,
}

/// A request with its place in the stream.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// Index in the workload stream (seeds the origin delay).
    pub index: u64,
    /// The request.
    pub req: Request,
    /// Outside the warm-up.
    pub measured: bool,
}

impl Job {
    /// This job's outcome before anything happened: begun at `begin`, scheduled for
    /// `scheduled` by an open loop (how late it started), nothing counted yet.
    pub fn outcome(&self, begin: Instant, scheduled: Option<Instant>) -> Outcome {
        Outcome {
            measured: self.measured,
            finished: begin,
            end_to_end: Duration::ZERO,
            get: None,
            put: None,
            read: self.req.op == Op::Get,
            size: self.req.size,
            origin: false,
            coalesced: false,
            errors: 0,
            timeouts: 0,
            late: scheduled.map(|s| begin.saturating_duration_since(s)),
        }
    }
}

impl Driver for Ctx {
    fn t0(&self) -> Instant {
        self.t0
    }

    fn stop(&self) -> &Stop {
        &self.stop
    }

    fn serve(&self, job: Job, scheduled: Option<Instant>) -> impl Future<Output = Option<Outcome>> + Send {
        serve(self, job, scheduled)
    }
}

/// Serves `job` in process. `scheduled` is the open loop's intended send time (latency is
/// measured from it); a closed loop passes None and latency starts now. Returns None if the
/// run was stopped while the request waited for the origin (the request is then not counted).
async fn serve(ctx: &Ctx, job: Job, scheduled: Option<Instant>) -> Option<Outcome> {
    let begin = clock::now();
    let start = scheduled.unwrap_or(begin);
    let req = job.req;
    let hint = Hint {
        size: req.size,
        now: start.saturating_duration_since(ctx.t0),
        ttl: req.ttl,
        next_access: NEVER,
    };
    let mut out = job.outcome(begin, scheduled);
    let mut fill_from = begin;
    let value = match req.op {
        Op::Set => origin::body(req.key, req.size),
        Op::Get => {
            let got = bounded::within(ctx.timeout, ctx.strategy.get(req.key, hint)).await;
            let after = clock::now();
            let took = after - begin;
            let kind = match got {
                Ended::Done(Lookup::Hit { value, tier }) if origin::verify(req.key, req.size, &value) => {
                    out.get = Some((GetOutcome::Hit(tier), took));
                    out.finished = after;
                    out.end_to_end = after - start;
                    return Some(out);
                }
                Ended::Done(Lookup::Hit { .. }) => Some(GetOutcome::Corrupt),
                Ended::Done(Lookup::Miss) => Some(GetOutcome::Miss),
                Ended::Failed => {
                    out.errors += 1;
                    None
                }
                Ended::TimedOut => {
                    out.timeouts += 1;
                    None
                }
            };
            out.get = kind.map(|k| (k, took));
            out.origin = true;
            let body = tokio::select! {
                biased;
                () = ctx.stop.stopped() => return None,
                body = ctx.origin.fetch(req.key, req.size, job.index) => body,
            };
            fill_from = clock::now();
            body
        }
    };
    let stored = bounded::within(ctx.timeout, ctx.strategy.put(req.key, value, hint)).await;
    let end = clock::now();
    match stored {
        Ended::Done(()) => out.put = Some(end - fill_from),
        Ended::Failed => out.errors += 1,
        Ended::TimedOut => out.timeouts += 1,
    }
    out.finished = end;
    out.end_to_end = end - start;
    Some(out)
}
