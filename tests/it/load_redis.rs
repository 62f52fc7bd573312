//! The load runner against a real Redis that dies mid-run: a private `redis-server` (never a
//! shared one: this test kills it) is killed a second into a closed-loop run and restarted a
//! second later. Errors and timeouts are counted in the intervals the server was down,
//! every request still completes from the origin, and hits come back after the restart.

use std::sync::Arc;
use std::time::Duration;

use cachelab::model::Stop;
use cachelab::origin::{Origin, OriginSpec};
use cachelab::runner::load::{self, Plan};
use cachelab::scenario::Scenario;
use cachelab::strategy::redis_server::{RedisServer, ServerOptions};
use cachelab::strategy::{CacheStrategy, RedisCache, RedisConfig, RedisTarget};
use indicatif::ProgressBar;

#[test]
fn redis_killed_mid_run_counts_faults_per_interval_and_the_run_completes() {
    let mut server = RedisServer::start(ServerOptions::default()).unwrap_or_else(|e| panic!("{e:#}"));
    let scenario = Scenario::parse(
        "name = \"kill\"\n[workload]\nkeys = 500\nwarmup = 0.0\n[load]\nconcurrency = 8\nduration = \"4s\"\ntimeout = \"100ms\"\ntimeseries_interval = \"250ms\"\n[[strategy]]\nname = \"x\"\nkind = \"none\"\n",
        std::path::Path::new("kill.toml"),
    )
    .unwrap();
    let plan = Plan::new(scenario.load.as_ref().unwrap(), 0.0, 1);
    let origin: OriginSpec = toml::from_str("latency = { dist = \"fixed\", ms = 1 }").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let config = RedisConfig {
        target: RedisTarget::Url(server.url()),
        connections: 2,
        timeout: Duration::from_millis(100),
        safety_ttl: None,
    };
    let redis: Arc<dyn CacheStrategy> =
        Arc::new(runtime.block_on(RedisCache::connect("redis", config)).unwrap());

    // Down from about 1 s to about 2 s into the run.
    let chaos = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1000));
        server.kill();
        std::thread::sleep(Duration::from_millis(1000));
        server.restart().unwrap();
        server
    });
    let measured = runtime
        .block_on(load::drive(
            redis.clone(),
            plan.requests(&scenario.workload, scenario.seed, None).unwrap(),
            Arc::new(Origin::new(&origin, 1)),
            &plan,
            Arc::new(Stop::new()),
            &ProgressBar::hidden(),
            0,
        ))
        .expect("the run completes despite the dead server");
    let server = chaos.join().unwrap();
    runtime.block_on(redis.shutdown()).unwrap();
    drop(server);

    let r = &measured.recorder;
    let faults: Vec<u64> = r.intervals.iter().map(|i| i.errors + i.timeouts).collect();
    let hits: Vec<u64> = r.intervals.iter().map(|i| i.hits).collect();
    eprintln!("faults per 250 ms: {faults:?}\nhits per 250 ms:   {hits:?}");
    assert!(faults.len() >= 16, "{} intervals", faults.len());
    assert!(faults[..3].iter().all(|&f| f == 0), "no faults before the kill: {faults:?}");
    assert!(hits[2] > 0, "hits before the kill: {hits:?}");
    // Intervals 5 and 6 (1.25 s to 1.75 s) lie inside the outage.
    assert!(faults[5] > 0 && faults[6] > 0, "faults while down: {faults:?}");
    assert_eq!(hits[5] + hits[6], 0, "no hits while down: {hits:?}");
    assert!(hits[14] + hits[15] > 0, "the strategy reconnected after the restart: {hits:?}");
    assert_eq!(r.end_to_end.len(), r.counts.requests, "every request completed");
    assert_eq!(r.origin, r.counts.misses, "failed lookups fell back to the origin");
    let lm = measured.load_measurements(&plan);
    assert_eq!(lm.timeseries.iter().map(|p| p.errors + p.timeouts).sum::<u64>(), faults.iter().sum::<u64>());
}
