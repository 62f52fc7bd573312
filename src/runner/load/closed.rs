//! Closed loop: `concurrency` workers, each sending its next request as soon as the previous
//! one finished. Workers share one request stream, taken in small batches under a lock (one
//! lock per batch, not per request); each worker records into its own [`Recorder`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use super::driver::{Driver, serve_by};
use super::recorder::Recorder;
use super::request::Job;
use super::{Plan, Requests};
use crate::model::Request;
use crate::model::error::InputError;

/// Requests a worker takes from the shared stream at once.
const BATCH: usize = 16;

/// The workload stream shared by the workers.
pub struct Source {
    feed: Mutex<Feed>,
    taken: Arc<AtomicU64>,
}

struct Feed {
    requests: Requests,
    next: u64,
    failure: Option<InputError>,
}

impl Source {
    /// Serves `requests`, numbered from 0, counting those handed out in `taken`.
    pub fn new(requests: Requests, taken: Arc<AtomicU64>) -> Self {
        Source { feed: Mutex::new(Feed { requests, next: 0, failure: None }), taken }
    }

    /// The error that ended the stream early (a bad trace record), if any.
    pub fn failure(&self) -> Option<InputError> {
        self.feed.lock().unwrap_or_else(|e| e.into_inner()).failure.take()
    }

    /// Refills `buf` with up to [`BATCH`] requests, last one first (so `pop` yields them in
    /// stream order); leaves it empty when the stream has ended or failed.
    fn take(&self, buf: &mut Vec<(u64, Request)>) {
        {
            let mut guard = self.feed.lock().unwrap_or_else(|e| e.into_inner());
            let feed = &mut *guard;
            while buf.len() < BATCH && feed.failure.is_none() {
                match feed.requests.next() {
                    Some(Ok(r)) => {
                        buf.push((feed.next, r));
                        feed.next += 1;
                    }
                    Some(Err(e)) => feed.failure = Some(e),
                    None => break,
                }
            }
        }
        buf.reverse();
        self.taken.fetch_add(buf.len() as u64, Ordering::Relaxed);
    }
}

/// Runs the closed loop until the stream ends, the plan's duration passes or the run is
/// stopped (a request still in flight [`super::open::DRAIN_GRACE`] after the duration is cancelled and
/// counted as such); returns the workers' merged measurements. The first worker to start the first
/// measured request sets `measured_from` (count-based warm-up).
pub async fn run<D: Driver>(
    ctx: Arc<D>,
    plan: &Plan,
    source: Arc<Source>,
    measured_from: Arc<OnceLock<Instant>>,
) -> Recorder {
    let workers: Vec<_> = (0..plan.concurrency)
        .map(|_| tokio::spawn(worker(ctx.clone(), plan.clone(), source.clone(), measured_from.clone())))
        .collect();
    let mut total = Recorder::new(ctx.t0(), plan.interval);
    for w in workers {
        match w.await {
            Ok(rec) => total.merge(&rec),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
    total
}

async fn worker<D: Driver>(
    ctx: Arc<D>,
    plan: Plan,
    source: Arc<Source>,
    measured_from: Arc<OnceLock<Instant>>,
) -> Recorder {
    let mut rec = Recorder::new(ctx.t0(), plan.interval);
    let deadline = plan.deadline(ctx.t0());
    let end = plan.end(ctx.t0());
    let mut buf = Vec::with_capacity(BATCH);
    let mut now = Instant::now();
    loop {
        if ctx.stop().is_stopped() || deadline.is_some_and(|d| now >= d) {
            break;
        }
        // An in-memory strategy never makes a worker wait; spend tokio's cooperative budget so
        // such workers still yield now and then to the Ctrl-C handler and progress watcher.
        tokio::task::coop::consume_budget().await;
        if buf.is_empty() {
            source.take(&mut buf);
        }
        let Some((index, req)) = buf.pop() else { break };
        let measured = plan.measured(index, now, ctx.t0());
        if measured && plan.warmup_requests() == Some(index) {
            let _ = measured_from.set(now);
        }
        let Ok(served) = serve_by(ctx.as_ref(), Job { index, req, measured }, None, end).await else {
            rec.cancelled += 1;
            break;
        };
        match served {
            Some(outcome) => {
                now = outcome.finished;
                rec.record(&outcome);
            }
            None => break,
        }
    }
    rec
}
