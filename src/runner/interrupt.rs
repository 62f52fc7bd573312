//! Ctrl-C for every runner: the first Ctrl-C gives the run's [`Stop`] signal and marks the run
//! interrupted (its results are then written marked `partial`); a second one exits at once
//! with code 130.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use tokio::task::JoinHandle;

use crate::model::Stop;

/// Installs the Ctrl-C handler inside a tokio runtime (before returning, so no signal is
/// missed) and returns the task watching for it; abort the task when the run is over.
pub async fn watch_ctrl_c(stop: Arc<Stop>, interrupted: Arc<AtomicBool>) -> JoinHandle<()> {
    let mut first = Box::pin(tokio::signal::ctrl_c());
    // Poll once so the handler is registered now rather than when the task first runs.
    let early = tokio::select! {
        biased;
        r = &mut first => Some(r),
        () = std::future::ready(()) => None,
    };
    tokio::spawn(async move {
        let got = match early {
            Some(r) => r,
            None => first.await,
        };
        if got.is_err() {
            return;
        }
        interrupted.store(true, Ordering::SeqCst);
        stop.stop();
        eprintln!("interrupted: finishing the requests in flight (Ctrl-C again to quit at once)");
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    })
}

/// Ctrl-C handling for a runner that has no tokio runtime of its own (the simulation): a
/// one-thread runtime watches for the signal until this is dropped.
pub struct Watcher {
    task: JoinHandle<()>,
    _runtime: tokio::runtime::Runtime,
}

impl Watcher {
    /// Installs the handler (registered when this returns) that gives `stop` and sets
    /// `interrupted` on Ctrl-C.
    pub fn install(stop: Arc<Stop>, interrupted: Arc<AtomicBool>) -> anyhow::Result<Watcher> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cachelab-ctrl-c")
            .enable_all()
            .build()
            .context("cannot start the Ctrl-C watcher")?;
        let task = runtime.block_on(watch_ctrl_c(stop, interrupted));
        Ok(Watcher { task, _runtime: runtime })
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}
