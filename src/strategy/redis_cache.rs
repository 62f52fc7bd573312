//! Redis: a real server over the network (an external one, one we spawn with `maxmemory` and
//! a `maxmemory-policy`, or a Redis Cluster). Keys live under a per-instance prefix
//! `cachelab:<run-id>:`; cleanup deletes only those keys (SCAN MATCH + UNLINK) and never
//! reconfigures or flushes a server cachelab did not start.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{Cmd, FromRedisValue};

use super::redis_server::{RedisServer, ServerOptions, info_field, kill_spawned};
use super::{CacheStrategy, Hint, Lookup, StrategyError, Usage};
use crate::metrics::{Backend, StrategyFacts};

/// Per-operation timeout when the scenario sets none: long enough for a busy loopback server,
/// short enough that a dead one costs little per request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
/// Keys asked for per SCAN step, and deleted per UNLINK.
const SCAN_BATCH: usize = 1000;
/// Concurrent deletions during a cluster cleanup.
const CLEANUP_TASKS: usize = 16;
/// The least time a whole connect or cleanup command may take, whatever the op timeout.
const SLOW_OP_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the Redis server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTarget {
    /// An external server (`redis://`, `rediss://`, `unix://`): never reconfigured, capacity
    /// unbounded as far as cachelab knows.
    Url(String),
    /// A private `redis-server` cachelab starts and stops.
    Spawn {
        /// `maxmemory`: the cache capacity in bytes.
        maxmemory: u64,
        /// `maxmemory-policy`, e.g. `allkeys-lru`.
        policy: String,
    },
    /// A Redis Cluster reached through any of these nodes.
    Cluster(Vec<String>),
}

/// How to reach and use Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// The server.
    pub target: RedisTarget,
    /// Multiplexed connections to spread requests over (single server only).
    pub connections: usize,
    /// Per-operation timeout; an operation that takes longer fails with
    /// [`StrategyError::Timeout`].
    pub timeout: Duration,
    /// The longest any key written may live (a value's own time to live is shortened to it):
    /// set for servers cachelab did not start, so that keys a killed run leaves expire.
    pub safety_ttl: Option<Duration>,
}

/// The connections requests go through.
enum Conn {
    /// A server: round-robin over auto-reconnecting multiplexed connections.
    Single { pool: Vec<ConnectionManager>, next: AtomicUsize },
    /// A cluster: the redis crate routes each key to its slot's master.
    Cluster(ClusterConnection),
}

/// A Redis-backed cache; see the module documentation.
pub struct RedisCache {
    name: String,
    prefix: String,
    timeout: Duration,
    safety_ttl: Option<Duration>,
    conn: Conn,
    /// The server we started (`spawn = true`); killed on shutdown or drop.
    server: Mutex<Option<RedisServer>>,
    spawned: bool,
    version: String,
}

impl RedisCache {
    /// Connects (starting a private server first for [`RedisTarget::Spawn`]).
    pub async fn connect(name: impl Into<String>, config: RedisConfig) -> anyhow::Result<RedisCache> {
        let connect_timeout = config.timeout.max(SLOW_OP_TIMEOUT);
        let (conn, server) = match &config.target {
            RedisTarget::Url(url) => (single(url, &config).await?, None),
            RedisTarget::Spawn { maxmemory, policy } => {
                let options = ServerOptions::evicting(*maxmemory, policy);
                let server = tokio::task::spawn_blocking(move || RedisServer::start(options)).await??;
                (single(&server.url(), &config).await?, Some(server))
            }
            RedisTarget::Cluster(urls) => {
                let client = ClusterClientBuilder::new(urls.iter().map(String::as_str))
                    .connection_timeout(connect_timeout)
                    .response_timeout(config.timeout)
                    .retries(3)
                    .build()
                    .with_context(|| format!("invalid Redis Cluster nodes {}", redact_all(urls)))?;
                let conn = tokio::time::timeout(connect_timeout, client.get_async_connection())
                    .await
                    .map_err(|_| anyhow::anyhow!("timed out after {connect_timeout:?}"))
                    .and_then(|r| Ok(r?))
                    .with_context(|| {
                        format!("cannot connect to the Redis Cluster at {}", redact_all(urls))
                    })?;
                (Conn::Cluster(conn), None)
            }
        };
        let mut cache = RedisCache {
            name: name.into(),
            prefix: format!("{KEY_NAMESPACE}{:016x}:", rand::random::<u64>()),
            timeout: config.timeout,
            safety_ttl: config.safety_ttl,
            conn,
            spawned: server.is_some(),
            server: Mutex::new(server),
            version: String::new(),
        };
        let info = cache.info("server", connect_timeout).await.context("INFO server failed")?;
        cache.version = info_field(&info, "redis_version").unwrap_or("unknown").to_string();
        if let RedisTarget::Url(url) = &config.target {
            let cluster = cache.info("cluster", connect_timeout).await.unwrap_or_default();
            if info_field(&cluster, "cluster_enabled") == Some("1") {
                anyhow::bail!(
                    "{} is a node of a Redis Cluster: write cluster = [\"{}\"] instead of url (url is for a single server)",
                    redact(url),
                    redact(url)
                );
            }
        }
        if !cache.spawned {
            cache.check_cleanup_permissions(connect_timeout).await?;
        }
        Ok(cache)
    }

    /// URL of the server this instance started (`spawn = true`), while it runs.
    pub fn spawned_url(&self) -> Option<String> {
        self.server().as_ref().map(RedisServer::url)
    }

    /// Bytes the server uses (`used_memory` of INFO memory): on a spawned server, what its
    /// `maxmemory` bounds.
    pub async fn used_memory(&self) -> Result<u64, StrategyError> {
        let info = self.info("memory", SLOW_OP_TIMEOUT).await?;
        info_field(&info, "used_memory")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| StrategyError::Backend("INFO memory has no used_memory".into()))
    }

    /// Fails unless this connection may run what removing our keys at the end takes (SCAN and
    /// UNLINK, as an ACL user may be denied them), so that a run never leaves keys behind
    /// silently. Touches no key: the UNLINK names a key under our fresh prefix, which holds none.
    async fn check_cleanup_permissions(&self, timeout: Duration) -> anyhow::Result<()> {
        let mut scan = redis::cmd("SCAN");
        scan.arg(0).arg("MATCH").arg(format!("{}*", self.prefix)).arg("COUNT").arg(1);
        let mut unlink = redis::cmd("UNLINK");
        unlink.arg(format!("{}permission-check", self.prefix));
        let probe = async {
            match &self.conn {
                Conn::Single { .. } => {
                    self.query_within::<redis::Value>(&scan, timeout).await?;
                }
                Conn::Cluster(conn) => {
                    route(conn, &scan, SingleNodeRoutingInfo::RandomPrimary).await?;
                }
            }
            self.query_within::<u64>(&unlink, timeout).await.map(drop)
        };
        probe.await.map_err(|e| match e {
            // Only an ACL refusal means the permission is missing; a timeout or a dropped
            // connection says nothing about it and is reported as what it is.
            StrategyError::Backend(message) if message.to_ascii_lowercase().contains("noperm") => {
                anyhow::anyhow!(
                    "this Redis user cannot remove what the run writes ({message}): cachelab needs \
                 SCAN and UNLINK on keys matching cachelab:* to clean up after itself (e.g. ACL \
                 SETUSER <user> +scan +unlink ~cachelab:*), and writes nothing without them"
                )
            }
            other => anyhow::anyhow!(
                "could not check that this Redis user may remove what the run writes ({other}); \
                 nothing was written"
            ),
        })
    }

    /// The prefix every key of this instance starts with, `cachelab:<run-id>:`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The Redis key holding cache key `key`.
    pub fn redis_key(&self, key: u64) -> String {
        format!("{}{key}", self.prefix)
    }

    /// One INFO section (from one node of a cluster: cluster routing would fan INFO out).
    async fn info(&self, section: &str, timeout: Duration) -> Result<String, StrategyError> {
        let mut cmd = redis::cmd("INFO");
        cmd.arg(section);
        let value = match &self.conn {
            Conn::Single { .. } => return self.query_within(&cmd, timeout).await,
            Conn::Cluster(conn) => {
                tokio::time::timeout(timeout, route(conn, &cmd, SingleNodeRoutingInfo::RandomPrimary))
                    .await
                    .map_err(|_| StrategyError::Timeout(timeout))??
            }
        };
        redis::from_redis_value(value).map_err(|e| StrategyError::Backend(format!("redis INFO: {e}")))
    }

    async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> Result<T, StrategyError> {
        self.query_within(cmd, self.timeout).await
    }

    async fn query_within<T: FromRedisValue>(
        &self,
        cmd: &Cmd,
        timeout: Duration,
    ) -> Result<T, StrategyError> {
        let request = async {
            match &self.conn {
                Conn::Single { pool, next } => {
                    let mut c = pool[next.fetch_add(1, Ordering::Relaxed) % pool.len()].clone();
                    cmd.query_async::<T>(&mut c).await
                }
                Conn::Cluster(c) => cmd.query_async::<T>(&mut c.clone()).await,
            }
        };
        match tokio::time::timeout(timeout, request).await {
            Err(_) => Err(StrategyError::Timeout(timeout)),
            Ok(Err(e)) if e.is_timeout() => Err(StrategyError::Timeout(timeout)),
            Ok(Err(e)) => Err(StrategyError::Backend(format!("redis: {e}"))),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Addresses (host, port) of the cluster's reachable masters.
    async fn primaries(&self, conn: &ClusterConnection) -> Result<Vec<(String, u16)>, StrategyError> {
        let nodes = route(conn, redis::cmd("CLUSTER").arg("NODES"), SingleNodeRoutingInfo::Random).await?;
        let text: String =
            redis::from_redis_value(nodes).map_err(|e| StrategyError::Backend(e.to_string()))?;
        Ok(text
            .lines()
            .filter_map(|line| {
                let mut fields = line.split_whitespace();
                let addr = fields.nth(1)?;
                let flags = fields.next()?;
                if !flags.split(',').any(|f| f == "master") || flags.contains("fail") {
                    return None;
                }
                let (host, port) = addr.split('@').next()?.rsplit_once(':')?;
                Some((host.to_string(), port.parse().ok()?))
            })
            .collect())
    }

    /// Every key under our prefix, per node: one list for a single server, one per master
    /// for a cluster.
    async fn our_keys(&self) -> Result<Vec<Vec<String>>, StrategyError> {
        let pattern = format!("{}*", self.prefix);
        let scan = |cursor: u64| {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(SCAN_BATCH);
            cmd
        };
        let timeout = self.timeout.max(SLOW_OP_TIMEOUT);
        let mut per_node = Vec::new();
        match &self.conn {
            Conn::Single { .. } => {
                let (mut cursor, mut keys) = (0u64, Vec::new());
                loop {
                    let (next, batch): (u64, Vec<String>) = self.query_within(&scan(cursor), timeout).await?;
                    keys.extend(batch);
                    if next == 0 {
                        break;
                    }
                    cursor = next;
                }
                per_node.push(keys);
            }
            Conn::Cluster(conn) => {
                for (host, port) in self.primaries(conn).await? {
                    let (mut cursor, mut keys) = (0u64, Vec::new());
                    loop {
                        let at = SingleNodeRoutingInfo::ByAddress { host: host.clone(), port };
                        let reply = tokio::time::timeout(timeout, route(conn, &scan(cursor), at))
                            .await
                            .map_err(|_| StrategyError::Timeout(timeout))??;
                        let (next, batch): (u64, Vec<String>) = redis::from_redis_value(reply)
                            .map_err(|e| StrategyError::Backend(e.to_string()))?;
                        keys.extend(batch);
                        if next == 0 {
                            break;
                        }
                        cursor = next;
                    }
                    per_node.push(keys);
                }
            }
        }
        // SCAN may return a key twice; count and delete each once.
        for keys in &mut per_node {
            keys.sort_unstable();
            keys.dedup();
        }
        Ok(per_node)
    }

    /// Deletes every key under our prefix (and only those).
    async fn remove_our_keys(&self) -> Result<(), StrategyError> {
        let timeout = self.timeout.max(SLOW_OP_TIMEOUT);
        let per_node = self.our_keys().await?;
        match &self.conn {
            Conn::Single { .. } => {
                for chunk in per_node.concat().chunks(SCAN_BATCH) {
                    self.query_within::<u64>(redis::cmd("UNLINK").arg(chunk), timeout).await?;
                }
            }
            Conn::Cluster(conn) => {
                // Keys of one master span many slots, and multi-key commands must stay within
                // one slot: delete one key per command, a few workers at a time.
                let keys = per_node.concat();
                let mut tasks = tokio::task::JoinSet::new();
                for chunk in keys.chunks(keys.len().div_ceil(CLEANUP_TASKS).max(1)) {
                    let (mut conn, chunk) = (conn.clone(), chunk.to_vec());
                    tasks.spawn(async move {
                        for key in chunk {
                            let mut unlink = redis::cmd("UNLINK");
                            unlink.arg(&key);
                            match tokio::time::timeout(timeout, unlink.query_async::<u64>(&mut conn)).await {
                                Err(_) => return Err(StrategyError::Timeout(timeout)),
                                Ok(Err(e)) => return Err(StrategyError::Backend(format!("redis: {e}"))),
                                Ok(Ok(_)) => {}
                            }
                        }
                        Ok(())
                    });
                }
                while let Some(done) = tasks.join_next().await {
                    done.map_err(|e| StrategyError::Backend(e.to_string()))??;
                }
            }
        }
        Ok(())
    }

    /// Removes the keys runs left on the server at `url` under `prefix` (`cachelab:` for every
    /// run's keys, `cachelab:<run-id>:` for one run's), as a run's own cleanup does, and only
    /// those; with `dry_run`, only counts them. A node of a Redis Cluster stands for the whole
    /// cluster (every master is cleaned). Returns how many there were.
    pub async fn remove_leftovers(url: &str, prefix: &str, dry_run: bool) -> anyhow::Result<u64> {
        check_leftover_prefix(prefix)?;
        // A node of a cluster stands for the cluster: the cluster client reaches every master
        // and deletes key by key (keys in different slots cannot share one UNLINK).
        let target = if cluster_node(url).await? {
            RedisTarget::Cluster(vec![url.to_string()])
        } else {
            RedisTarget::Url(url.to_string())
        };
        let config = RedisConfig { target, connections: 1, timeout: SLOW_OP_TIMEOUT, safety_ttl: None };
        let mut cache = RedisCache::connect("cleanup", config).await?;
        cache.prefix = prefix.to_string();
        let found = cache.our_keys().await?.iter().map(|k| k.len() as u64).sum();
        if !dry_run {
            cache.remove_our_keys().await?;
        }
        Ok(found)
    }

    fn server(&self) -> std::sync::MutexGuard<'_, Option<RedisServer>> {
        self.server.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The namespace every key cachelab writes lives in.
pub const KEY_NAMESPACE: &str = "cachelab:";

/// Accepts a prefix for [`RedisCache::remove_leftovers`]: inside cachelab's namespace, and
/// free of SCAN pattern characters (so it matches exactly what it says).
pub(super) fn check_leftover_prefix(prefix: &str) -> anyhow::Result<()> {
    let plain = prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_:.".contains(&b));
    if !prefix.starts_with(KEY_NAMESPACE) || !plain {
        return Err(crate::model::error::InputError::Flag {
            flag: "--prefix".into(),
            message: format!(
                "`{prefix}` is not a cachelab key prefix: it must start with `{KEY_NAMESPACE}` and \
                 hold only letters, digits and - _ : . (e.g. cachelab:0123456789abcdef:)"
            ),
        }
        .into());
    }
    Ok(())
}

/// Whether the server at `url` is a node of a Redis Cluster.
async fn cluster_node(url: &str) -> anyhow::Result<bool> {
    let client = redis::Client::open(url).with_context(|| format!("invalid Redis URL {}", redact(url)))?;
    let ask = async {
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("INFO").arg("cluster").query_async::<String>(&mut conn).await
    };
    let info = tokio::time::timeout(SLOW_OP_TIMEOUT, ask)
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {SLOW_OP_TIMEOUT:?}"))
        .and_then(|r| r.map_err(|e| anyhow::anyhow!(explain(&e))))
        .with_context(|| format!("cannot connect to Redis at {}", redact(url)))?;
    Ok(info_field(&info, "cluster_enabled") == Some("1"))
}

/// A pool of `connections` auto-reconnecting connections to one server.
async fn single(url: &str, config: &RedisConfig) -> anyhow::Result<Conn> {
    let connect_timeout = config.timeout.max(SLOW_OP_TIMEOUT);
    let client = redis::Client::open(url).with_context(|| format!("invalid Redis URL {}", redact(url)))?;
    let manager_config = ConnectionManagerConfig::new()
        .set_response_timeout(Some(config.timeout))
        .set_connection_timeout(Some(connect_timeout))
        .set_max_delay(Duration::from_secs(1));
    // A first plain connection says why a server cannot be used (refused, wrong password, no
    // such database): the reconnecting manager below would only report a timeout.
    let first = tokio::time::timeout(connect_timeout, client.get_multiplexed_async_connection()).await;
    match first {
        Err(_) => anyhow::bail!(
            "cannot connect to Redis at {}: no answer within {connect_timeout:?} (is the host reachable?)",
            redact(url)
        ),
        Ok(Err(e)) => anyhow::bail!("cannot connect to Redis at {}: {}", redact(url), explain(&e)),
        Ok(Ok(_)) => {}
    }
    let mut pool = Vec::with_capacity(config.connections);
    for _ in 0..config.connections.max(1) {
        let manager = tokio::time::timeout(
            connect_timeout,
            ConnectionManager::new_with_config(client.clone(), manager_config.clone()),
        )
        .await
        .map_err(|_| anyhow::anyhow!("timed out after {connect_timeout:?}"))
        .and_then(|r| Ok(r?))
        .with_context(|| format!("cannot connect to Redis at {}", redact(url)))?;
        pool.push(manager);
    }
    Ok(Conn::Single { pool, next: AtomicUsize::new(0) })
}

/// What a failed connection attempt means, in the user's terms.
fn explain(e: &redis::RedisError) -> String {
    let text = e.to_string();
    if e.is_connection_refusal() {
        format!("connection refused: no server listens there ({text})")
    } else if e.kind() == redis::ErrorKind::AuthenticationFailed
        || text.contains("WRONGPASS")
        || text.contains("NOAUTH")
    {
        format!("authentication failed: check the user and password in the URL ({text})")
    } else if text.contains("DB index") {
        format!("no such database: the number after the last / in the URL is out of range ({text})")
    } else {
        text
    }
}

/// Sends `cmd` to one chosen cluster node.
async fn route(
    conn: &ClusterConnection,
    cmd: &Cmd,
    node: SingleNodeRoutingInfo,
) -> Result<redis::Value, StrategyError> {
    conn.clone()
        .route_command(cmd.clone(), RoutingInfo::SingleNode(node))
        .await
        .map_err(|e| StrategyError::Backend(format!("redis: {e}")))
}

/// `url` with its password (if any) replaced by `****`, for messages and results.
pub fn redact(url: &str) -> String {
    match redis::parse_redis_url(url) {
        Some(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

fn redact_all(urls: &[String]) -> String {
    urls.iter().map(|u| redact(u)).collect::<Vec<_>>().join(", ")
}

#[async_trait]
impl CacheStrategy for RedisCache {
    fn name(&self) -> &str {
        &self.name
    }

    fn facts(&self) -> StrategyFacts {
        // A server we started goes with the run; one at a url or a cluster outlives it.
        StrategyFacts {
            survives_restart: !self.spawned,
            key_prefix: Some(self.prefix.clone()),
            location: Some(format!("keys under {}", self.prefix)),
            ..StrategyFacts::new("redis", Backend::Redis)
        }
    }

    async fn get(&self, key: u64, _hint: Hint) -> Result<Lookup, StrategyError> {
        let value: Option<Vec<u8>> = self.query(redis::cmd("GET").arg(self.redis_key(key))).await?;
        Ok(match value {
            Some(v) => Lookup::Hit { value: Bytes::from(v), tier: 0 },
            None => Lookup::Miss,
        })
    }

    async fn put(&self, key: u64, value: Bytes, hint: Hint) -> Result<(), StrategyError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.redis_key(key)).arg(&value[..]);
        let ttl = match (hint.ttl, self.safety_ttl) {
            (Some(own), Some(most)) => Some(own.min(most)),
            (own, most) => own.or(most),
        };
        if let Some(ttl) = ttl {
            // PX 0 is an error in Redis; a TTL shorter than 1 ms still expires almost at once.
            cmd.arg("PX").arg(ttl.as_millis().clamp(1, u128::from(u64::MAX)) as u64);
        }
        self.query::<()>(&cmd).await
    }

    async fn usage(&self) -> Result<Usage, StrategyError> {
        let timeout = self.timeout.max(SLOW_OP_TIMEOUT);
        if self.spawned {
            // Only our keys live on a server we started: DBSIZE counts them, and its
            // evicted_keys counts evictions of our keys since it started.
            let entries: u64 = self.query_within(&redis::cmd("DBSIZE"), timeout).await?;
            let stats = self.info("stats", timeout).await?;
            let evictions = info_field(&stats, "evicted_keys").and_then(|v| v.parse().ok());
            return Ok(Usage { entries, bytes: None, evictions, ..Usage::default() });
        }
        let entries = self.our_keys().await?.iter().map(|k| k.len() as u64).sum();
        Ok(Usage { entries, bytes: None, evictions: None, ..Usage::default() })
    }

    async fn shutdown(&self) -> Result<(), StrategyError> {
        if self.spawned {
            let server = self.server().take();
            return kill_spawned(server, RedisServer::kill).await;
        }
        self.remove_our_keys().await
    }

    fn redis_version(&self) -> Option<String> {
        Some(self.version.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftover_prefixes_stay_inside_the_namespace_and_match_literally() {
        assert!(check_leftover_prefix("cachelab:").is_ok());
        assert!(check_leftover_prefix("cachelab:00ff00ff00ff00ff:").is_ok());
        for bad in ["", "cache", "other:", "cachelab:*", "cachelab:[a]", "cachelab:a?", "cachelab:\\x"] {
            assert!(check_leftover_prefix(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(redact("redis://:secret@10.0.0.1:6379/0"), "redis://:****@10.0.0.1:6379/0");
        assert_eq!(redact("rediss://user:pw@host:6380"), "rediss://user:****@host:6380");
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
