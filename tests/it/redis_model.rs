//! How close the `redis-lru` model comes to a real Redis with `maxmemory-policy allkeys-lru`
//! holding the same number of objects, beside exact LRU at that count.
//!
//! A private `redis-server` (loopback) gets `maxmemory` set so that about [`OBJECTS`] values
//! of [`VALUE_BYTES`] fit (the bytes one value costs are measured on a second, unbounded
//! server first). The request stream, Zipf 0.9 over [`KEYS`] keys, is sent as
//! `SET key value NX GET` (one command per request: a hit returns the value and touches the
//! key as GET does, a miss stores it), in pipelined batches paced at [`RATE`] requests per
//! second, so that Redis's 1-second LRU clock sees the rate the model is told
//! (`requests_per_second`). The model and exact LRU then replay the same stream at the
//! number of keys Redis holds at the end (DBSIZE).
//!
//! Measured with Redis 7.0.15 on the 2-core test machine (2026-12-06, other builds running):
//! Redis held 2,001 keys and missed 0.4690 of the requests; the model (mean of seeds 1-5)
//! 0.4669, |difference| 0.0021 (seeds 0.4659-0.4685); exact LRU 0.4291, |difference| 0.040.
//! Redis's LRU is an approximation (five sampled keys, a pool of 16, a one-second clock that
//! ties the last 25,000 requests) that keeps fewer of the hot keys than exact LRU, and the
//! model reproduces the approximation. The test asserts the model within [`MODEL_BOUND`] of
//! Redis (five times the difference measured, for run-to-run noise of Redis's own sampling
//! and of the pacing) while exact LRU differs by at least [`LRU_GAP`] (half the measured gap).

use std::time::{Duration, Instant};

use cachelab::model::{Capacity, NEVER};
use cachelab::policy::{Access, Lru, Policy, PolicyKind, PolicyParams, build_policy};
use cachelab::strategy::redis_server::{RedisServer, ServerOptions, info_field};
use cachelab::workload::reference_zipf::ReferenceZipf;

/// Distinct keys requested.
const KEYS: u64 = 20_000;
/// Requests sent.
const REQUESTS: usize = 100_000;
/// Objects Redis is sized to hold.
const OBJECTS: u64 = 2_000;
/// Bytes of each value.
const VALUE_BYTES: usize = 1_000;
/// Requests per second the stream is paced at (and the model told).
const RATE: u64 = 25_000;
/// Requests per pipelined batch.
const BATCH: usize = 250;
/// Asserted: |redis-lru model − Redis| miss ratio at most this.
const MODEL_BOUND: f64 = 0.01;
/// Asserted: |exact LRU − Redis| miss ratio at least this.
const LRU_GAP: f64 = 0.02;

fn server(options: ServerOptions) -> RedisServer {
    RedisServer::start(options).unwrap_or_else(|e| panic!("{e:#}"))
}

fn used_memory(conn: &mut redis::Connection) -> u64 {
    let info: String = redis::cmd("INFO").arg("memory").query(conn).expect("INFO memory");
    info_field(&info, "used_memory").and_then(|v| v.parse().ok()).expect("used_memory")
}

fn key(id: u64) -> String {
    format!("k:{id:08}")
}

/// Bytes one key with its value adds to `used_memory`, measured over 5,000 keys.
fn bytes_per_key() -> u64 {
    let s = server(ServerOptions::default());
    let mut conn = s.connect().expect("connect");
    let before = used_memory(&mut conn);
    let value = vec![b'v'; VALUE_BYTES];
    let mut pipe = redis::pipe();
    for id in 0..5_000 {
        pipe.cmd("SET").arg(key(id)).arg(&value).ignore();
    }
    pipe.query::<()>(&mut conn).expect("SET");
    (used_memory(&mut conn) - before) / 5_000
}

/// Sends `stream` to a Redis bounded to about [`OBJECTS`] values; returns its misses and the
/// number of keys it holds at the end.
fn real_redis(stream: &[u64]) -> (u64, u64) {
    let per_key = bytes_per_key();
    let probe = server(ServerOptions::default());
    let base = used_memory(&mut probe.connect().expect("connect"));
    drop(probe);
    let s = server(ServerOptions::evicting(base + OBJECTS * per_key, "allkeys-lru"));
    let mut conn = s.connect().expect("connect");
    let value = vec![b'v'; VALUE_BYTES];
    let start = Instant::now();
    let mut misses = 0;
    for (b, batch) in stream.chunks(BATCH).enumerate() {
        let due = Duration::from_secs_f64((b * BATCH) as f64 / RATE as f64);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        let mut pipe = redis::pipe();
        for &id in batch {
            pipe.cmd("SET").arg(key(id)).arg(&value).arg("NX").arg("GET");
        }
        let replies: Vec<Option<Vec<u8>>> = pipe.query(&mut conn).expect("SET NX GET");
        misses += replies.iter().filter(|r| r.is_none()).count() as u64;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let late = elapsed / (stream.len() as f64 / RATE as f64);
    assert!(late < 1.5, "Redis could not keep the pace: {elapsed:.1} s for {} requests", stream.len());
    let held: u64 = redis::cmd("DBSIZE").query(&mut conn).expect("DBSIZE");
    (misses, held)
}

fn replay(policy: &mut dyn Policy, stream: &[u64]) -> u64 {
    let mut evicted = Vec::new();
    let mut misses = 0;
    for (tick, &key) in stream.iter().enumerate() {
        evicted.clear();
        misses += u64::from(
            !policy.access(&Access { key, size: 1, tick: tick as u64, next_access: NEVER }, &mut evicted),
        );
    }
    misses
}

#[test]
fn redis_lru_model_predicts_a_real_redis_closer_than_exact_lru() {
    let stream: Vec<u64> = ReferenceZipf::new(KEYS, 0.9, 7).take(REQUESTS).collect();
    let (real, held) = real_redis(&stream);
    assert!(held.abs_diff(OBJECTS) < OBJECTS / 5, "Redis holds {held} keys, sized for {OBJECTS}");
    let params = PolicyParams { requests_per_second: Some(RATE), ..PolicyParams::default() };
    let ratio = |misses: u64| misses as f64 / REQUESTS as f64;
    let model_runs: Vec<f64> = (1..=5u64)
        .map(|seed| {
            let params = PolicyParams { seed: Some(seed), ..params.clone() };
            ratio(replay(
                build_policy(PolicyKind::RedisLru, &params, Capacity::objects(held)).as_mut(),
                &stream,
            ))
        })
        .collect();
    let model = model_runs.iter().sum::<f64>() / model_runs.len() as f64;
    let lru = ratio(replay(&mut Lru::new(Capacity::objects(held)), &stream));
    let real = ratio(real);
    println!(
        "Redis allkeys-lru holding {held} keys: miss ratio {real:.4}; redis-lru model {model:.4} \
         (seeds 1-5: {model_runs:.4?}, |diff| {:.4}); exact LRU {lru:.4} (|diff| {:.4})",
        (model - real).abs(),
        (lru - real).abs()
    );
    assert!((model - real).abs() <= MODEL_BOUND, "model {model} vs Redis {real}");
    assert!((lru - real).abs() >= LRU_GAP, "exact LRU {lru} is as close to Redis {real} as the model");
}
