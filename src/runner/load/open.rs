//! Open loop: requests follow a schedule (`t0 + i / rate`) whatever the system does, and each
//! request's latency is measured from its intended send time, so a stall shows up in the
//! latency of every request scheduled during it (coordinated omission corrected, as wrk2 and
//! YCSB's intended mode do).
//!
//! A dispatcher on a blocking thread sleeps until each intended time (the last 100 µs are
//! spun, as thread sleeps overshoot by ~50 µs) and spawns the request as a task. At most
//! `concurrency` requests are in flight; at the bound the dispatcher waits, falls behind the
//! schedule, and the lateness is part of the latencies it then measures. With a `duration`,
//! every request scheduled before it ends is still sent if the dispatcher gets to it within
//! [`DRAIN_GRACE`] after the end, so a stall at the end of a run shows in the latencies of
//! the requests scheduled during it instead of silently dropping them; the rest are dropped
//! (throughput below the target shows it). Requests still in flight at that point (a slow
//! origin or cache) are cancelled and counted, so a run ends on time.
//! Finished requests send their [`Outcome`] to one collector task that owns the recorder.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::{Semaphore, mpsc};

use super::driver::{Cancelled, Driver, serve_by};
use super::recorder::{Outcome, Recorder};
use super::request::Job;
use super::{Plan, Requests};
use crate::model::Stop;
use crate::model::error::InputError;

/// The end of each wait that is spun rather than slept.
const SPIN: Duration = Duration::from_micros(100);
/// Longest single sleep, so a stop is noticed quickly even at low rates.
const NAP: Duration = Duration::from_millis(20);
/// How long after a run's `duration` ends the dispatcher still sends requests that were
/// scheduled before the end but held back (the in-flight bound was reached).
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// Runs the open loop at `rate` requests/s; `dispatched` counts requests sent. Also returns
/// the error that ended the stream early (a bad trace record), if any.
pub async fn run<D: Driver>(
    ctx: Arc<D>,
    plan: &Plan,
    rate: f64,
    requests: Requests,
    dispatched: Arc<AtomicU64>,
) -> (Recorder, Option<InputError>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Outcome>();
    let mut recorder = Recorder::new(ctx.t0(), plan.interval);
    let collector = tokio::spawn(async move {
        while let Some(outcome) = rx.recv().await {
            recorder.record(&outcome);
        }
        recorder
    });
    let plan = plan.clone();
    let handle = Handle::current();
    let cancelled = Arc::new(AtomicU64::new(0));
    let counter = cancelled.clone();
    let dispatcher = tokio::task::spawn_blocking(move || {
        dispatch(
            &ctx,
            &plan,
            rate,
            requests,
            &handle,
            &tx,
            Tally { dispatched: &dispatched, cancelled: &counter },
        )
    });
    let failure = match dispatcher.await {
        Ok(failure) => failure,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    };
    match collector.await {
        Ok(mut recorder) => {
            recorder.cancelled += cancelled.load(Ordering::Relaxed);
            (recorder, failure)
        }
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// What the dispatcher counts: requests sent, and requests cancelled at the end.
struct Tally<'a> {
    dispatched: &'a AtomicU64,
    cancelled: &'a Arc<AtomicU64>,
}

fn dispatch<D: Driver>(
    ctx: &Arc<D>,
    plan: &Plan,
    rate: f64,
    requests: Requests,
    handle: &Handle,
    tx: &mpsc::UnboundedSender<Outcome>,
    tally: Tally<'_>,
) -> Option<InputError> {
    let Tally { dispatched, cancelled } = tally;
    let t0 = ctx.t0();
    let deadline = plan.deadline(t0);
    let end = plan.end(t0);
    let in_flight = Arc::new(Semaphore::new(plan.concurrency));
    let ns_per_request = 1e9 / rate;
    for (index, req) in (0u64..).zip(requests) {
        let req = match req {
            Ok(r) => r,
            Err(e) => return Some(e),
        };
        let intended = t0 + Duration::from_nanos((index as f64 * ns_per_request) as u64);
        if deadline.is_some_and(|d| intended >= d) || !wait_until(intended, ctx.stop()) {
            break;
        }
        let permit = match in_flight.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let waited = handle.block_on(async {
                    tokio::select! {
                        p = in_flight.clone().acquire_owned() => p.ok(),
                        () = ctx.stop().stopped() => None,
                    }
                });
                match waited {
                    Some(p) => p,
                    None => break,
                }
            }
        };
        if deadline.is_some_and(|d| Instant::now() >= d + DRAIN_GRACE) {
            break;
        }
        let job = Job { index, req, measured: plan.measured(index, intended, t0) };
        let (ctx, tx, cancelled) = (ctx.clone(), tx.clone(), cancelled.clone());
        handle.spawn(async move {
            let outcome =
                serve_by(ctx.as_ref(), job, Some(intended), end).await.unwrap_or_else(|Cancelled| {
                    cancelled.fetch_add(1, Ordering::Relaxed);
                    None
                });
            drop(permit);
            if let Some(o) = outcome {
                // The collector outlives every request task; a send cannot fail.
                let _ = tx.send(o);
            }
        });
        dispatched.fetch_add(1, Ordering::Relaxed);
    }
    None
}

/// Waits on this (blocking) thread until `t`; false if the run was stopped first.
fn wait_until(t: Instant, stop: &Stop) -> bool {
    loop {
        if stop.is_stopped() {
            return false;
        }
        let now = Instant::now();
        if now >= t {
            return true;
        }
        let left = t - now;
        if left > SPIN {
            std::thread::sleep((left - SPIN).min(NAP));
        } else {
            std::thread::yield_now();
        }
    }
}
