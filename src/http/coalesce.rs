//! Request coalescing (single flight): concurrent misses for one key share one origin fetch.
//!
//! The first miss for a key opens a flight (a [`OnceCell`] in a map) and runs the fetch;
//! misses arriving while it is under way wait on the same cell and get a clone of its value.
//! If the leading request is cancelled (its client went away), a waiting one takes over the
//! fetch, so nobody waits forever. The flight leaves the map once it has landed, so a later
//! miss (after an eviction or expiry) fetches again.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashMap;
use tokio::sync::OnceCell;

/// The flights under way, by key.
#[derive(Debug)]
pub struct Coalescer<V> {
    flights: Mutex<FxHashMap<u64, Arc<OnceCell<V>>>>,
}

impl<V> Default for Coalescer<V> {
    fn default() -> Self {
        Coalescer { flights: Mutex::new(FxHashMap::default()) }
    }
}

impl<V: Clone> Coalescer<V> {
    /// No flights yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, FxHashMap<u64, Arc<OnceCell<V>>>> {
        // The map holds no invariant a panic could break half way; recover from poison.
        self.flights.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins the flight for `key`, opening it with `fetch` if none is under way. Returns the
    /// flight's value and whether this call ran `fetch`.
    pub async fn run<F, Fut>(&self, key: u64, fetch: F) -> (V, bool)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = self.lock().entry(key).or_default().clone();
        let _landing = Landing { coalescer: self, key, cell: &cell };
        let mut led = false;
        let value = cell
            .get_or_init(|| {
                led = true;
                fetch()
            })
            .await
            .clone();
        (value, led)
    }

    /// Flights under way (for tests).
    #[cfg(test)]
    fn in_flight(&self) -> usize {
        self.lock().len()
    }
}

/// Removes a flight from the map when a request leaves it: once the value is there, or when
/// the last request of an unfinished flight is cancelled (nobody is left to finish it).
struct Landing<'a, V> {
    coalescer: &'a Coalescer<V>,
    key: u64,
    cell: &'a Arc<OnceCell<V>>,
}

impl<V> Drop for Landing<'_, V> {
    fn drop(&mut self) {
        let mut flights = self.coalescer.flights.lock().unwrap_or_else(|e| e.into_inner());
        let ours = flights.get(&self.key).is_some_and(|c| Arc::ptr_eq(c, self.cell));
        // The map holds one reference and this request another: 2 means nobody else waits.
        if ours && (self.cell.initialized() || Arc::strong_count(self.cell) == 2) {
            flights.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let coalescer = Arc::new(Coalescer::new());
        let fetches = Arc::new(AtomicU64::new(0));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let (c, f) = (coalescer.clone(), fetches.clone());
                tokio::spawn(async move {
                    c.run(7, || async move {
                        f.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        42u32
                    })
                    .await
                })
            })
            .collect();
        let mut leaders = 0;
        for t in tasks {
            let (v, led) = t.await.unwrap();
            assert_eq!(v, 42);
            leaders += u32::from(led);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert_eq!(leaders, 1);
        assert_eq!(coalescer.in_flight(), 0, "the flight left the map");
        let (_, led) = coalescer.run(7, || async { 1 }).await;
        assert!(led, "a later miss fetches again");
    }

    #[tokio::test]
    async fn a_waiter_takes_over_when_the_leader_is_cancelled() {
        let coalescer = Arc::new(Coalescer::new());
        let leader = tokio::spawn({
            let c = coalescer.clone();
            async move { c.run(1, std::future::pending::<u32>).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        let follower = tokio::spawn({
            let c = coalescer.clone();
            async move { c.run(1, || async { 5u32 }).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        leader.abort();
        let (v, led) = tokio::time::timeout(Duration::from_secs(5), follower).await.unwrap().unwrap();
        assert_eq!((v, led), (5, true));
        assert_eq!(coalescer.in_flight(), 0);
    }

    #[tokio::test]
    async fn a_cancelled_lone_flight_leaves_no_entry() {
        let coalescer = Arc::new(Coalescer::<u32>::new());
        let lone = tokio::spawn({
            let c = coalescer.clone();
            async move { c.run(3, std::future::pending).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(coalescer.in_flight(), 1);
        lone.abort();
        let _ = lone.await;
        assert_eq!(coalescer.in_flight(), 0);
    }
}
