//! Keys on a Redis server that may be shared (`CACHELAB_REDIS_URL`, else a private server):
//! counted with SCAN (never KEYS), and the keys a test writes outside cachelab's prefix get
//! names unique to the test run and are removed when the test ends, whether it passes or fails.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cachelab::strategy::redis_server::{RedisServer, ServerOptions};

/// `CACHELAB_REDIS_URL`, or a private server on a free loopback port (returned so it lives as
/// long as the test).
pub fn some_server() -> (String, Option<RedisServer>) {
    match std::env::var("CACHELAB_REDIS_URL") {
        Ok(url) if !url.is_empty() => (url, None),
        _ => {
            let s = RedisServer::start(ServerOptions::default()).unwrap_or_else(|e| panic!("{e:#}"));
            (s.url(), Some(s))
        }
    }
}

/// A synchronous connection to the one server at `url`.
pub fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url).unwrap().get_connection_with_timeout(Duration::from_secs(2)).unwrap()
}

/// Keys matching `pattern` on the one server at `url` (for a cluster node: its own keys).
pub fn count_keys(url: &str, pattern: &str) -> usize {
    keys_matching(&mut raw(url), pattern).len()
}

/// Every key matching `pattern` on the one server at `url`.
fn keys_matching(c: &mut redis::Connection, pattern: &str) -> Vec<String> {
    let keys = redis::cmd("SCAN").cursor_arg(0).arg("MATCH").arg(pattern).arg("COUNT").arg(1000).clone();
    keys.iter::<String>(c).unwrap().collect::<Result<_, _>>().unwrap()
}

/// A value nobody else's test picks: random per process, distinct per call.
pub fn unique() -> u64 {
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

/// A key prefix unique to this test run for a program other than cachelab to write under
/// (e.g. the aiohttp-cache app); every key under it is deleted when this is dropped, and no
/// other.
pub struct OwnPrefix {
    url: String,
    /// The prefix, ending in `:`.
    pub prefix: String,
}

impl OwnPrefix {
    /// A fresh prefix starting with `namespace` on the server at `url`.
    pub fn new(url: &str, namespace: &str) -> Self {
        OwnPrefix { url: url.to_string(), prefix: format!("{namespace}:{:016x}:", unique()) }
    }

    /// Keys under the prefix now.
    pub fn count(&self) -> usize {
        count_keys(&self.url, &format!("{}*", self.prefix))
    }
}

impl Drop for OwnPrefix {
    fn drop(&mut self) {
        let mut c = raw(&self.url);
        for k in keys_matching(&mut c, &format!("{}*", self.prefix)) {
            let _ = redis::cmd("DEL").arg(k).query::<()>(&mut c);
        }
    }
}
