//! memcached: a real server over the network, either a private `memcached -m <capacity>` the
//! run starts and stops, or an existing server at a `memcache://host:port` url. Keys live
//! under a per-instance prefix `cachelab:<run-id>:` (at most 46 bytes, no spaces: well within
//! memcached's 250-byte keys).
//!
//! memcached cannot list its keys, so on a server cachelab did not start every key written is
//! remembered (up to [`TRACK_LIMIT`] keys, 8 bytes each) and deleted at the end, and only
//! those. A run that writes more distinct keys than that lists the rest with
//! `lru_crawler metadump all` (memcached ≥ 1.4.31, unless the crawler is disabled) and deletes
//! only those under its prefix; where the crawler is unavailable, what remains expires within
//! the safety TTL that every key on a shared server carries.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use rustc_hash::FxBuildHasher;

use super::memcached_proto::{Connection, McError, Pool};
use super::memcached_server::{MemcachedOptions, MemcachedServer};
use super::redis_cache::{KEY_NAMESPACE, check_leftover_prefix};
use super::redis_server::kill_spawned;
use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};

/// Per-operation timeout when the scenario sets none (as for Redis).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
/// Most distinct keys a strategy on a shared server remembers for its cleanup (8 MiB of key
/// ids, about 16 MiB with the set's overhead); past it the cleanup lists keys with the LRU
/// crawler instead.
pub const TRACK_LIMIT: usize = 1 << 20;
/// Keys deleted per pipelined batch.
const DELETE_BATCH: usize = 1000;
/// The least time connecting or a whole cleanup step may take, whatever the op timeout.
const SLOW_OP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long listing every key of a server with the LRU crawler may take.
const METADUMP_TIMEOUT: Duration = Duration::from_secs(120);
/// memcached reads an expiry of more than 30 days as a Unix time.
const RELATIVE_EXPIRY_LIMIT: u64 = 30 * 24 * 3600;

/// Where the memcached server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemcachedTarget {
    /// An existing server at `host:port`: never flushed, only our keys deleted.
    Addr(String),
    /// A private `memcached` cachelab starts and stops.
    Spawn(MemcachedOptions),
}

/// How to reach and use memcached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemcachedConfig {
    /// The server.
    pub target: MemcachedTarget,
    /// Connections to spread requests over (each carries one request at a time).
    pub connections: usize,
    /// Per-operation timeout; an operation that takes longer fails with
    /// [`StrategyError::Timeout`].
    pub timeout: Duration,
    /// The longest any key written may live (a value's own time to live is shortened to it):
    /// set for servers cachelab did not start, so that keys a killed run leaves expire.
    pub safety_ttl: Option<Duration>,
    /// Most distinct keys remembered for the cleanup on a server cachelab did not start
    /// ([`TRACK_LIMIT`]; tests lower it to reach the crawler's path).
    pub track_limit: usize,
}

/// The `host:port` of a memcached URL (`memcache://host:port` or `memcached://host:port`).
pub fn memcached_addr(url: &str) -> Result<String, String> {
    let rest = url.strip_prefix("memcache://").or_else(|| url.strip_prefix("memcached://"));
    let addr = rest.map(|r| r.trim_end_matches('/'));
    match addr.and_then(|a| a.rsplit_once(':').map(|(host, port)| (a, host, port))) {
        Some((a, host, port))
            if !host.is_empty() && !a.contains(['/', '@', ' ']) && port.parse::<u16>().is_ok() =>
        {
            Ok(a.to_string())
        }
        _ => Err(format!("`{url}` is not a memcached URL; write e.g. \"memcache://127.0.0.1:11211\"")),
    }
}

/// The keys written to a shared server, for the cleanup.
#[derive(Default)]
struct Tracked {
    keys: HashSet<u64, FxBuildHasher>,
    /// More distinct keys were written than the limit.
    overflowed: bool,
}

/// A memcached-backed cache; see the module documentation.
pub struct MemcachedCache {
    name: String,
    prefix: String,
    timeout: Duration,
    safety_ttl: Option<Duration>,
    pool: Pool,
    /// The server we started (`spawn = true`); killed on shutdown or drop.
    server: Mutex<Option<MemcachedServer>>,
    spawned: bool,
    version: String,
    /// Keys written (None on a server we started, which goes with everything on it).
    tracked: Option<Mutex<Tracked>>,
    track_limit: usize,
}

fn timed_out(timeout: Duration) -> StrategyError {
    StrategyError::Timeout(timeout)
}

fn backend(e: McError) -> StrategyError {
    StrategyError::Backend(e.to_string())
}

impl MemcachedCache {
    /// Connects (starting a private server first for [`MemcachedTarget::Spawn`]).
    pub async fn connect(name: impl Into<String>, config: MemcachedConfig) -> anyhow::Result<MemcachedCache> {
        let (addr, server) = match config.target {
            MemcachedTarget::Addr(addr) => (addr, None),
            MemcachedTarget::Spawn(options) => {
                let server = tokio::task::spawn_blocking(move || MemcachedServer::start(options)).await??;
                (server.addr(), Some(server))
            }
        };
        let connect_timeout = config.timeout.max(SLOW_OP_TIMEOUT);
        let version = tokio::time::timeout(connect_timeout, async {
            let mut conn = Connection::connect(&addr).await?;
            conn.version().await
        })
        .await
        .map_err(|_| {
            anyhow::anyhow!("cannot connect to memcached at {addr}: no answer within {connect_timeout:?}")
        })?
        .map_err(|e| anyhow::anyhow!("cannot connect to memcached at {addr}: {}", explain(&e)))?;
        let spawned = server.is_some();
        Ok(MemcachedCache {
            name: name.into(),
            prefix: format!("{KEY_NAMESPACE}{:016x}:", rand::random::<u64>()),
            timeout: config.timeout,
            safety_ttl: config.safety_ttl,
            pool: Pool::new(addr, config.connections),
            server: Mutex::new(server),
            spawned,
            version,
            tracked: (!spawned).then(|| Mutex::new(Tracked::default())),
            track_limit: config.track_limit,
        })
    }

    /// The prefix every key of this instance starts with, `cachelab:<run-id>:`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The memcached key holding cache key `key`.
    pub fn memcached_key(&self, key: u64) -> String {
        format!("{}{key}", self.prefix)
    }

    /// The server's version, e.g. `1.6.18`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// URL of the server this instance started (`spawn = true`), while it runs.
    pub fn spawned_url(&self) -> Option<String> {
        self.server().as_ref().map(MemcachedServer::url)
    }

    fn server(&self) -> std::sync::MutexGuard<'_, Option<MemcachedServer>> {
        self.server.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn tracked(&self) -> Option<std::sync::MutexGuard<'_, Tracked>> {
        self.tracked.as_ref().map(|t| t.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// One value of a `stats` reply, parsed.
    fn stat(stats: &[(String, String)], name: &str) -> Option<u64> {
        stats.iter().find(|(n, _)| n == name).and_then(|(_, v)| v.parse().ok())
    }

    /// The server's general `stats`.
    async fn stats(&self) -> Result<Vec<(String, String)>, StrategyError> {
        let timeout = self.timeout.max(SLOW_OP_TIMEOUT);
        let op = async {
            let mut lease = self.pool.lease().await?;
            let result = lease.conn.stats(None).await;
            lease.finish(&result);
            result
        };
        tokio::time::timeout(timeout, op).await.map_err(|_| timed_out(timeout))?.map_err(backend)
    }

    /// Deletes every key this instance wrote (and only those).
    async fn remove_our_keys(&self) -> Result<(), StrategyError> {
        let (keys, overflowed) = match self.tracked() {
            Some(mut t) => (std::mem::take(&mut t.keys), t.overflowed),
            None => return Ok(()),
        };
        let keys: Vec<String> = keys.into_iter().map(|k| self.memcached_key(k)).collect();
        let timeout = self.timeout.max(SLOW_OP_TIMEOUT);
        let mut conn = self.open(timeout).await?;
        for batch in keys.chunks(DELETE_BATCH) {
            tokio::time::timeout(timeout, conn.delete_all(batch))
                .await
                .map_err(|_| timed_out(timeout))?
                .map_err(backend)?;
        }
        if overflowed {
            remove_under(self.pool.addr(), &self.prefix, false).await.map_err(|e| {
                StrategyError::Backend(format!(
                    "the run wrote more than {} distinct keys and memcached could not list the rest \
                     ({e}); what remains under {} expires within its safety TTL",
                    self.track_limit, self.prefix
                ))
            })?;
        }
        Ok(())
    }

    /// A connection of its own, for cleanup and counting.
    async fn open(&self, timeout: Duration) -> Result<Connection, StrategyError> {
        tokio::time::timeout(timeout, Connection::connect(self.pool.addr()))
            .await
            .map_err(|_| timed_out(timeout))?
            .map_err(|e| backend(e.into()))
    }

    /// Removes the keys runs left on the memcached at `url` under `prefix` (`cachelab:` for
    /// every run's keys, `cachelab:<run-id>:` for one run's), and only those, listing the
    /// server's keys with `lru_crawler metadump all`; with `dry_run`, only counts them.
    /// Returns how many there were. A server without the LRU crawler cannot be cleaned this
    /// way: the error says so (keys cachelab wrote there expire within their safety TTL).
    pub async fn remove_leftovers(url: &str, prefix: &str, dry_run: bool) -> anyhow::Result<u64> {
        check_leftover_prefix(prefix)?;
        let addr = memcached_addr(url).map_err(|message| crate::model::error::InputError::Flag {
            flag: "--memcached".into(),
            message,
        })?;
        remove_under(&addr, prefix, dry_run).await.map_err(|e| anyhow::anyhow!("memcached at {addr}: {e}"))
    }
}

/// What a failed first contact means, in the user's terms.
fn explain(e: &McError) -> String {
    match e {
        McError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused: no server listens there ({io})")
        }
        other => other.to_string(),
    }
}

/// Lists the keys of the server at `addr` with the LRU crawler and deletes (unless `dry_run`)
/// those under `prefix`, a batch at a time through a second connection, so memory stays
/// bounded whatever the server holds. Returns how many there were.
async fn remove_under(addr: &str, prefix: &str, dry_run: bool) -> Result<u64, StrategyError> {
    let connect = |addr: &str| {
        let addr = addr.to_string();
        async move {
            tokio::time::timeout(SLOW_OP_TIMEOUT, Connection::connect(&addr))
                .await
                .map_err(|_| timed_out(SLOW_OP_TIMEOUT))?
                .map_err(|e| backend(e.into()))
        }
    };
    let (mut lister, mut deleter) = (connect(addr).await?, connect(addr).await?);
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<String>>(4);
    let delete = async move {
        while let Some(batch) = receiver.recv().await {
            if !dry_run {
                deleter.delete_all(&batch).await?;
            }
        }
        Ok::<(), McError>(())
    };
    let list = async move {
        let mut found = 0u64;
        // The crawler serves one request at a time: retry while another one runs.
        for attempt in 0.. {
            lister.metadump().await?;
            let mut batch = Vec::new();
            let listed = loop {
                match lister.next_key().await {
                    Ok(Some(key)) if key.starts_with(prefix) => {
                        found += 1;
                        batch.push(key);
                        if batch.len() >= DELETE_BATCH {
                            let _ = sender.send(std::mem::take(&mut batch)).await;
                        }
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            match listed {
                Err(McError::Server(m)) if m.contains("BUSY") && attempt < 50 => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => {
                    other?;
                    if !batch.is_empty() {
                        let _ = sender.send(batch).await;
                    }
                    break;
                }
            }
        }
        drop(sender);
        Ok::<u64, McError>(found)
    };
    let work = async { tokio::try_join!(list, delete) };
    let (found, ()) = tokio::time::timeout(METADUMP_TIMEOUT, work)
        .await
        .map_err(|_| timed_out(METADUMP_TIMEOUT))?
        .map_err(backend)?;
    Ok(found)
}

/// memcached's `exptime` for a time to live: whole seconds rounded up (its expiry has
/// one-second resolution), 0 for none, a Unix time past 30 days.
fn exptime(ttl: Option<Duration>) -> u32 {
    let Some(ttl) = ttl else {
        return 0;
    };
    let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
    let secs = secs.max(1);
    if secs <= RELATIVE_EXPIRY_LIMIT {
        return secs as u32;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    (now + secs).min(u64::from(u32::MAX)) as u32
}

#[async_trait]
impl CacheStrategy for MemcachedCache {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        // A server we started goes with the run; one at a url outlives it.
        StrategyFacts {
            survives_restart: !self.spawned,
            key_prefix: Some(self.prefix.clone()),
            location: Some(format!(
                "keys under {} on memcached {} at {}",
                self.prefix,
                self.version,
                self.pool.addr()
            )),
            ..StrategyFacts::new("memcached", Backend::Memcached)
        }
    }

    async fn get(&self, key: u64, _hint: Hint) -> Result<Lookup, StrategyError> {
        let key = self.memcached_key(key);
        let op = async {
            let mut lease = self.pool.lease().await?;
            let result = lease.conn.get(&key).await;
            lease.finish(&result);
            result
        };
        let value = tokio::time::timeout(self.timeout, op).await.map_err(|_| timed_out(self.timeout))?;
        Ok(match value.map_err(backend)? {
            Some(value) => Lookup::Hit { value, tier: 0 },
            None => Lookup::Miss,
        })
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        if let Some(mut tracked) = self.tracked() {
            // Remembered before it is sent: a write that times out may still land.
            if tracked.keys.len() < self.track_limit {
                tracked.keys.insert(key);
            } else if !tracked.keys.contains(&key) {
                tracked.overflowed = true;
            }
        }
        let ttl = match (hint.ttl, self.safety_ttl) {
            (Some(own), Some(most)) => Some(own.min(most)),
            (own, most) => own.or(most),
        };
        let key = self.memcached_key(key);
        let op = async {
            let mut lease = self.pool.lease().await?;
            let result = lease.conn.set(&key, &value, exptime(ttl)).await;
            lease.finish(&result);
            result
        };
        tokio::time::timeout(self.timeout, op).await.map_err(|_| timed_out(self.timeout))?.map_err(backend)
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        if self.spawned {
            // Only our keys live on a server we started: its item count and evictions are ours.
            let stats = self.stats().await?;
            let entries = Self::stat(&stats, "curr_items").unwrap_or(0);
            let evictions = Self::stat(&stats, "evictions");
            return Ok(Usage { entries, bytes: None, evictions, ..Usage::default() });
        }
        // On a shared server only the crawler can tell which of our keys are still there.
        let entries = remove_under(self.pool.addr(), &self.prefix, true).await?;
        Ok(Usage { entries, bytes: None, evictions: None, ..Usage::default() })
    }

    async fn shutdown(&self) -> Result<(), StrategyError> {
        if self.spawned {
            let server = self.server().take();
            return kill_spawned(server, MemcachedServer::kill).await;
        }
        self.remove_our_keys().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_a_host_and_port() {
        assert_eq!(memcached_addr("memcache://127.0.0.1:11211").unwrap(), "127.0.0.1:11211");
        assert_eq!(memcached_addr("memcached://cache.local:11211/").unwrap(), "cache.local:11211");
        for bad in [
            "127.0.0.1:11211",
            "redis://h:1",
            "memcache://h",
            "memcache://:1",
            "memcache://h:x",
            "memcache://u@h:1",
        ] {
            assert!(memcached_addr(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn expiry_is_whole_seconds_rounded_up_and_absolute_past_thirty_days() {
        assert_eq!(exptime(None), 0);
        assert_eq!(exptime(Some(Duration::from_millis(1))), 1);
        assert_eq!(exptime(Some(Duration::from_millis(1500))), 2);
        assert_eq!(exptime(Some(Duration::from_secs(RELATIVE_EXPIRY_LIMIT))), RELATIVE_EXPIRY_LIMIT as u32);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let far = u64::from(exptime(Some(Duration::from_secs(RELATIVE_EXPIRY_LIMIT + 1))));
        assert!(far > now && far <= now + RELATIVE_EXPIRY_LIMIT + 2, "{far} vs {now}");
    }
}
