//! A stop signal shared by everything a load run starts: set by Ctrl-C, read by workers
//! between requests (an atomic load) and awaited where a request may wait long (the origin).

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Once set, stays set: workers finish the operation at hand and return.
#[derive(Debug, Default)]
pub struct Stop {
    flag: AtomicBool,
    notify: Notify,
}

impl Stop {
    /// A signal not yet given.
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives the signal and wakes every waiter.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Whether the signal was given.
    #[inline]
    pub fn is_stopped(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Completes once the signal is given.
    pub async fn stopped(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.flag.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn waiters_wake_on_stop_and_late_waiters_return_at_once() {
        let stop = Arc::new(Stop::new());
        let waiter = tokio::spawn({
            let stop = stop.clone();
            async move { stop.stopped().await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!stop.is_stopped());
        stop.stop();
        tokio::time::timeout(Duration::from_secs(5), waiter).await.expect("woken").unwrap();
        tokio::time::timeout(Duration::from_millis(100), stop.stopped()).await.expect("already stopped");
    }
}
