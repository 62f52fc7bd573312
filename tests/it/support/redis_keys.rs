//! Keys on a Redis server that may be shared: counted with SCAN (never KEYS), and the keys a
//! test writes outside cachelab's prefix get names unique to the test run and are removed when
//! the test ends, whether it passes or fails.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A synchronous connection to the one server at `url`.
pub fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection_with_timeout(Duration::from_secs(2)).unwrap()
}

/// Keys matching `pattern` on the one server at `url` (for a cluster node: its own keys).
pub fn count_keys(url: &str, pattern: &str) -> usize {
    let mut c = raw(url);
    let keys = redis::cmd("SCAN").cursor_arg(0).arg("MATCH").arg(pattern).arg("COUNT").arg(1000).clone();
    let keys: Vec<String> = keys.iter::<String>(&mut c).unwrap().collect::<Result<_, _>>().unwrap();
    keys.len()
}

/// A value nobody else's test picks: random per process, distinct per call.
fn unique() -> u64 {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    RandomState::new().hash_one((std::process::id(), CALLS.fetch_add(1, Ordering::Relaxed)))
}

/// Keys "someone else" wrote, deleted again when dropped: one outside cachelab's namespace and
/// one under another (made-up) run's prefix, both holding `keep me`.
pub struct ForeignKeys<C: redis::ConnectionLike> {
    conn: C,
    names: Vec<String>,
}

impl<C: redis::ConnectionLike> ForeignKeys<C> {
    /// Writes the two keys through `conn`.
    pub fn write(mut conn: C) -> Self {
        let id = unique();
        let names = vec![format!("cachelab-test-someone-else:{id:016x}"), format!("cachelab:{id:016x}:1")];
        for k in &names {
            redis::cmd("SET").arg(k).arg("keep me").query::<()>(&mut conn).unwrap();
        }
        ForeignKeys { conn, names }
    }

    /// Keys whose value is no longer `keep me`.
    pub fn lost(&mut self) -> Vec<String> {
        let mut lost = Vec::new();
        for k in &self.names {
            let v: Option<String> = redis::cmd("GET").arg(k).query(&mut self.conn).unwrap();
            if v.as_deref() != Some("keep me") {
                lost.push(k.clone());
            }
        }
        lost
    }
}

impl<C: redis::ConnectionLike> Drop for ForeignKeys<C> {
    fn drop(&mut self) {
        // One key per DEL: in a cluster the keys live in different slots.
        for k in &self.names {
            let _ = redis::cmd("DEL").arg(k).query::<()>(&mut self.conn);
        }
    }
}
