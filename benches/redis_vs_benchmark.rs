//! The Redis strategy's GET throughput at 50 concurrent workers against what `redis-benchmark
//! -t get -c 50 -n N -d SIZE -q` reports on the same private `redis-server`, in the same run
//! (issue 5's target: ours >= 0.9x). Not a criterion bench: it alternates the two clients for
//! a few rounds, prints each round with the load average (the machine is shared), and the
//! ratio of the medians at the end.
//!
//! Ours: 50 tokio tasks on a multi-thread runtime, each issuing one `RedisCache::get` at a
//! time (as a closed-loop load runner's workers do) until N gets are done in total; every
//! reply must be a hit of the right length. redis-benchmark: 50 connections, one request in
//! flight each, on the key `key:__rand_int__` (its fixed key without `-r`), preset here to a
//! value of the same size.
//!
//! `cargo bench --bench redis_vs_benchmark [-- --quick]`. Environment: `REDIS_VS_REQUESTS`
//! (N, default 300 000; 100 000 with `--quick`), `REDIS_VS_SIZE` (bytes, default 1024),
//! `REDIS_VS_ROUNDS` (default 3), `REDIS_VS_CONNECTIONS` (comma-separated multiplexed
//! connection counts for our strategy, default `1`), `REDIS_VS_RUNTIME` (`multi`: tokio's
//! multi-thread runtime, the default, as the load runner uses; `current`: one thread). Each
//! line also shows the client's CPU time per GET (for redis-benchmark, its process's; for
//! ours, this process's), which a busy machine disturbs less than the rates. Skips with one line if `redis-server` or
//! `redis-benchmark` is missing.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use cachelab::origin;
use cachelab::strategy::redis_server::{RedisServer, ServerOptions, info_field};
use cachelab::strategy::{CacheStrategy, Hint, Lookup, RedisCache, RedisConfig, RedisTarget};
use tokio::runtime::Runtime;

/// Concurrent workers (and redis-benchmark's `-c`).
const CLIENTS: usize = 50;
/// Our cache key for the value every worker reads.
const KEY: u64 = 7;
/// The key redis-benchmark's GET test reads when no `-r` is given.
const BENCHMARK_KEY: &str = "key:__rand_int__";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().map_err(|_| anyhow::anyhow!("{name}={v} is not a valid value")),
        Err(_) => Ok(default),
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Whether `program` runs at all (it is on PATH).
fn installed(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok()
}

/// CPU time (user + system) used so far by this process (`RUSAGE_SELF`: the runtime's
/// threads) or by its waited-for children (`RUSAGE_CHILDREN`: redis-benchmark runs).
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: getrusage only writes into the struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Client CPU microseconds per request.
fn cpu_us(cpu: Duration, requests: u64) -> f64 {
    cpu.as_secs_f64() * 1e6 / requests as f64
}

/// The server's `keyspace_misses` counter.
fn keyspace_misses(conn: &mut redis::Connection) -> anyhow::Result<u64> {
    let stats: String = redis::cmd("INFO").arg("stats").query(conn)?;
    info_field(&stats, "keyspace_misses")
        .and_then(|v| v.parse().ok())
        .context("INFO stats has no keyspace_misses")
}

/// GETs per second redis-benchmark reports.
fn redis_benchmark(port: u16, requests: u64, size: u32) -> anyhow::Result<f64> {
    let output = Command::new("redis-benchmark")
        .args(["-t", "get", "-q", "-p", &port.to_string(), "-c", &CLIENTS.to_string()])
        .args(["-n", &requests.to_string(), "-d", &size.to_string()])
        .output()
        .context("cannot run redis-benchmark")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("redis-benchmark failed: {text}{}", String::from_utf8_lossy(&output.stderr));
    }
    parse_rps(&text).with_context(|| format!("no `GET: <n> requests per second` in {text:?}"))
}

/// The final rate in redis-benchmark's quiet output (progress lines, `GET: rps=...`, are
/// separated by carriage returns and are skipped).
fn parse_rps(text: &str) -> Option<f64> {
    text.split(['\r', '\n'])
        .filter_map(|line| line.trim().strip_prefix("GET: ")?.split_whitespace().next()?.parse().ok())
        .next_back()
}

/// What a runner tells the strategy about a request for a `size`-byte object.
fn hint(size: u32) -> Hint {
    Hint { size, now: Duration::ZERO, ttl: None, next_access: cachelab::model::NEVER }
}

/// GETs per second of our strategy with [`CLIENTS`] workers sharing `requests` gets.
async fn ours(cache: Arc<RedisCache>, requests: u64, size: u32) -> anyhow::Result<f64> {
    let hint = hint(size);
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CLIENTS {
        let (cache, issued) = (cache.clone(), issued.clone());
        workers.spawn(async move {
            let mut bad = 0u64;
            while issued.fetch_add(1, Ordering::Relaxed) < requests {
                match cache.get(KEY, hint).await {
                    Ok(Lookup::Hit { value, .. }) if value.len() == size as usize => {}
                    _ => bad += 1,
                }
            }
            bad
        });
    }
    let mut bad = 0;
    while let Some(done) = workers.join_next().await {
        bad += done?;
    }
    let rate = requests as f64 / start.elapsed().as_secs_f64();
    if bad > 0 {
        bail!("{bad} of {requests} gets were not hits of {size} bytes");
    }
    Ok(rate)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 }
}

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let requests: u64 = env_or("REDIS_VS_REQUESTS", if quick { 100_000 } else { 300_000 })?;
    let size: u32 = env_or("REDIS_VS_SIZE", 1024)?;
    let rounds: usize = env_or("REDIS_VS_ROUNDS", 3)?;
    let connections: Vec<usize> = env_or("REDIS_VS_CONNECTIONS", "1".to_string())?
        .split(',')
        .map(|c| c.trim().parse().context("REDIS_VS_CONNECTIONS: comma-separated counts"))
        .collect::<anyhow::Result<_>>()?;
    if requests == 0 || rounds == 0 || connections.contains(&0) {
        bail!("REDIS_VS_REQUESTS, REDIS_VS_ROUNDS and connection counts must be positive");
    }
    if !installed("redis-server") {
        println!("skipping redis_vs_benchmark: redis-server not found; apt-get install redis-server");
        return Ok(());
    }
    if !installed("redis-benchmark") {
        println!("skipping redis_vs_benchmark: redis-benchmark not found; apt-get install redis-tools");
        return Ok(());
    }

    let server = RedisServer::start(ServerOptions::default())?;
    let mut admin = server.connect()?;
    redis::cmd("SET").arg(BENCHMARK_KEY).arg(&origin::body(0, size)[..]).query::<()>(&mut admin)?;
    let rt = match env_or("REDIS_VS_RUNTIME", "multi".to_string())?.as_str() {
        "multi" => Runtime::new()?,
        "current" => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
        other => bail!("REDIS_VS_RUNTIME={other}: expected multi or current"),
    };
    let caches: Vec<Arc<RedisCache>> = rt.block_on(async {
        let mut caches = Vec::new();
        for &n in &connections {
            let config = RedisConfig {
                target: RedisTarget::Url(server.url()),
                connections: n,
                timeout: Duration::from_secs(5),
                safety_ttl: None,
            };
            let cache = Arc::new(RedisCache::connect(format!("redis x{n}"), config).await?);
            cache.put(KEY, origin::body(KEY, size), hint(size)).await?;
            // Warm-up: every connection used, allocator and CPU caches primed.
            ours(cache.clone(), requests / 10, size).await?;
            caches.push(cache);
        }
        anyhow::Ok(caches)
    })?;

    println!(
        "redis {} on 127.0.0.1:{}: GET of a {size}-byte value, {CLIENTS} concurrent clients, {requests} \
         requests per run, {rounds} rounds",
        server.version()?,
        server.port()
    );
    let mut theirs = Vec::new();
    let mut ours_by_conn = vec![Vec::new(); connections.len()];
    for round in 1..=rounds {
        let misses = keyspace_misses(&mut admin)?;
        let cpu = cpu_time(libc::RUSAGE_CHILDREN);
        let rate = redis_benchmark(server.port(), requests, size)?;
        let cpu = cpu_us(cpu_time(libc::RUSAGE_CHILDREN) - cpu, requests);
        if keyspace_misses(&mut admin)? != misses {
            bail!("redis-benchmark's GETs missed: it did not read the {size}-byte {BENCHMARK_KEY}");
        }
        println!(
            "round {round}: redis-benchmark {rate:>10.0} GET/s  client CPU {cpu:5.1} µs/GET  (load {})",
            load_average()
        );
        theirs.push(rate);
        for (i, cache) in caches.iter().enumerate() {
            let cpu = cpu_time(libc::RUSAGE_SELF);
            let rate = rt.block_on(ours(cache.clone(), requests, size))?;
            let cpu = cpu_us(cpu_time(libc::RUSAGE_SELF) - cpu, requests);
            println!(
                "round {round}: cachelab x{:<2}     {rate:>10.0} GET/s  client CPU {cpu:5.1} µs/GET  (load {})",
                connections[i],
                load_average()
            );
            ours_by_conn[i].push(rate);
        }
    }
    let reference = median(theirs);
    for (n, rates) in connections.iter().zip(ours_by_conn) {
        let rate = median(rates);
        println!(
            "median: cachelab ({n} multiplexed connection{}) {rate:.0} GET/s vs redis-benchmark {reference:.0} \
             GET/s: ratio {:.2} (target >= 0.90)",
            if *n == 1 { "" } else { "s" },
            rate / reference
        );
    }
    rt.block_on(async {
        for cache in &caches {
            cache.shutdown().await?;
        }
        anyhow::Ok(())
    })?;
    Ok(())
}
