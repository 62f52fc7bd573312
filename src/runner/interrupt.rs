//! Ctrl-C (SIGINT) and SIGTERM for every runner: the first of them gives the run's [`Stop`]
//! signal and marks the run interrupted (its results are then written marked `partial`, and
//! the strategies clean up as after a normal run); a second one exits at once. Either way the
//! exit code is 128 + the signal's number, as a shell reports a process killed by it: 130 for
//! Ctrl-C, 143 for SIGTERM (sent by `timeout`, `docker stop` or a CI cancel).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use anyhow::Context;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::task::JoinHandle;

use crate::model::Stop;

/// SIGINT's number.
const SIGINT: u8 = 2;
/// SIGTERM's number.
const SIGTERM: u8 = 15;

/// The number of the first signal that interrupted a run of this process (0: none yet).
static RECEIVED: AtomicU8 = AtomicU8::new(0);

/// The exit code of a run this process's signal handler interrupted: 128 + the signal's
/// number (130 if none was recorded).
pub fn exit_code() -> u8 {
    128 + match RECEIVED.load(Ordering::SeqCst) {
        0 => SIGINT,
        n => n,
    }
}

/// The signal's name as users know it.
fn name(signal: u8) -> &'static str {
    if signal == SIGTERM { "SIGTERM" } else { "Ctrl-C" }
}

/// The number of the next SIGINT or SIGTERM (None once neither can arrive any more).
async fn next_signal(sigint: &mut Signal, sigterm: &mut Signal) -> Option<u8> {
    tokio::select! {
        Some(()) = sigint.recv() => Some(SIGINT),
        Some(()) = sigterm.recv() => Some(SIGTERM),
        else => None,
    }
}

/// Installs the SIGINT and SIGTERM handlers inside a tokio runtime (registered when this
/// returns, so no signal is missed) and returns the task watching for them; abort the task
/// when the run is over.
pub fn watch_signals(stop: Arc<Stop>, interrupted: Arc<AtomicBool>) -> anyhow::Result<JoinHandle<()>> {
    let mut sigint = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
    let mut sigterm = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
    Ok(tokio::spawn(async move {
        let Some(first) = next_signal(&mut sigint, &mut sigterm).await else {
            return;
        };
        RECEIVED.store(first, Ordering::SeqCst);
        interrupted.store(true, Ordering::SeqCst);
        stop.stop();
        eprintln!(
            "interrupted by {}: finishing the requests in flight and cleaning up (Ctrl-C again to quit at once)",
            name(first)
        );
        if let Some(second) = next_signal(&mut sigint, &mut sigterm).await {
            std::process::exit(128 + i32::from(second));
        }
    }))
}

/// Signal handling for a runner that has no tokio runtime of its own (the simulation): a
/// one-thread runtime watches for the signals until this is dropped.
pub struct Watcher {
    task: JoinHandle<()>,
    _runtime: tokio::runtime::Runtime,
}

impl Watcher {
    /// Installs the handlers (registered when this returns) that give `stop` and set
    /// `interrupted` on Ctrl-C or SIGTERM.
    pub fn install(stop: Arc<Stop>, interrupted: Arc<AtomicBool>) -> anyhow::Result<Watcher> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cachelab-signals")
            .enable_all()
            .build()
            .context("cannot start the signal watcher")?;
        let task = runtime.block_on(async { watch_signals(stop, interrupted) })?;
        Ok(Watcher { task, _runtime: runtime })
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}
