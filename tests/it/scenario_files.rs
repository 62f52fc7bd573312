//! The shipped scenario files keep up with the code: `scenarios/reference.toml` mentions every
//! key a scenario accepts, and `scenarios/quickstart.toml` compares every registered policy.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use cachelab::http::{Coalescing, HttpSpec};
use cachelab::model::units::{ByteSize, Capacities, CapacitySpec, Fraction, HumanDuration, Positive};
use cachelab::origin::{LatencySpec, OriginSpec};
use cachelab::policy::{AdmissionSpec, PolicyKind, PolicyParams, ResidentHirHit};
use cachelab::runner::load::{LoadSpec, LoopMode};
use cachelab::scenario::{Costs, Objectives, ReportSettings, RunMode, Scenario};
use cachelab::strategy::{MaxmemoryPolicy, RedisUrl, ServerUrl, StrategyKind, StrategyTable};
use cachelab::workload::trace::{AccessLogOptions, Column, CsvOptions, TraceFormat};
use cachelab::workload::{GeneratorKind, ValueSize, WorkloadSpec};
use serde_json::Value;

fn scenario_file(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    std::fs::read_to_string(path).expect("shipped scenario")
}

/// Every value-size distribution (the match fails to compile when one is added).
fn every_value_size() -> Vec<ValueSize> {
    let all = vec![
        ValueSize::Fixed { size: ByteSize(1) },
        ValueSize::Uniform { min: ByteSize(1), max: ByteSize(2) },
        ValueSize::Lognormal { median: ByteSize(1), sigma: 1.0, max: ByteSize(2) },
    ];
    for v in &all {
        match v {
            ValueSize::Fixed { .. } | ValueSize::Uniform { .. } | ValueSize::Lognormal { .. } => {}
        }
    }
    all
}

/// Every admission filter, every parameter set (the match fails to compile when one is added).
fn every_admission() -> Vec<AdmissionSpec> {
    let all = vec![
        AdmissionSpec::Bloom { window: Some(1) },
        AdmissionSpec::Size { max_size: ByteSize(1) },
        AdmissionSpec::Prob { p: Fraction(0.5), seed: Some(1) },
        AdmissionSpec::AdaptSize { max_iteration: Some(1), reconf_interval: Some(1), seed: Some(1) },
    ];
    for a in &all {
        match a {
            AdmissionSpec::Bloom { .. }
            | AdmissionSpec::Size { .. }
            | AdmissionSpec::Prob { .. }
            | AdmissionSpec::AdaptSize { .. } => {}
        }
    }
    all
}

/// Every origin latency distribution (the match fails to compile when one is added).
fn every_latency() -> Vec<LatencySpec> {
    let all = vec![
        LatencySpec::Fixed { ms: 1.0 },
        LatencySpec::Uniform { min_ms: 1.0, max_ms: 2.0 },
        LatencySpec::Lognormal { p50_ms: 1.0, p99_ms: 2.0 },
    ];
    for l in &all {
        match l {
            LatencySpec::Fixed { .. } | LatencySpec::Uniform { .. } | LatencySpec::Lognormal { .. } => {}
        }
    }
    all
}

/// A strategy with every field set. Struct literals without `..`: a new field does not
/// compile until it is added here, so it cannot escape the check below.
fn full_strategy(tier: Option<Box<StrategyTable>>) -> StrategyTable {
    let url = || RedisUrl("redis://127.0.0.1:6379".into());
    StrategyTable {
        name: "s".into(),
        kind: StrategyKind::Policy(PolicyKind::S3Fifo),
        capacity: Some(Capacities(vec![CapacitySpec::Objects(1)])),
        params: PolicyParams {
            clock_bits: Some(1),
            small_ratio: Some(Fraction(0.1)),
            ghost_ratio: Some(Fraction(0.9)),
            move_threshold: Some(2),
            warmup_to_main: Some(false),
            hir_ratio: Some(Fraction(0.01)),
            resident_hir_hit: Some(ResidentHirHit::Paper),
            window_ratio: Some(Fraction(0.01)),
            protected_ratio: Some(Fraction(0.8)),
            maxmemory_samples: Some(5),
            requests_per_second: Some(1),
            seed: Some(1),
            lfu_log_factor: Some(10),
            lfu_decay_time: Some(1),
            hot_lru_pct: Some(20),
            warm_lru_pct: Some(40),
            hot_max_factor: Some(Positive(0.2)),
            warm_max_factor: Some(Positive(2.0)),
            a1in_ratio: Some(Fraction(0.25)),
            a1out_ratio: Some(Fraction(0.5)),
            segments: Some(4),
            cold_ratio: Some(Fraction(1.0)),
            queues: Some(8),
            lifetime: Some(10_000),
            qout_ratio: Some(Positive(4.0)),
        },
        admission: Some(AdmissionSpec::Bloom { window: Some(1) }),
        url: Some(ServerUrl(url().0)),
        spawn: true,
        cluster: Some(vec![url()]),
        connections: Some(1),
        maxmemory_policy: Some(MaxmemoryPolicy::AllkeysLru),
        timeout: Some(HumanDuration(Duration::from_millis(250))),
        safety_ttl: Some(HumanDuration(Duration::from_secs(3600))),
        item_size: Some(ByteSize(1 << 20)),
        dir: Some("d".into()),
        policy: Some(PolicyKind::Lru),
        fsync: true,
        cold_start: true,
        allow_foreign: true,
        hit_header: Some("X-Cache-Status".into()),
        hit_values: Some(vec!["HIT".into()]),
        hit_if_age: true,
        l1: tier.clone(),
        l2: tier,
    }
}

/// A scenario with every field set (same rule as [`full_strategy`]), as written.
fn full_scenario() -> Scenario<StrategyTable> {
    let workload = WorkloadSpec {
        kind: GeneratorKind::Trace,
        keys: 1.try_into().unwrap(),
        requests: 1.try_into().unwrap(),
        alpha: Positive(0.9),
        warmup: Fraction(0.1),
        value_size: ValueSize::default(),
        write_ratio: Fraction(0.0),
        ttl: Some(HumanDuration(Duration::from_secs(1))),
        hot_keys: Fraction(0.2),
        hot_share: Fraction(0.8),
        shift_every: 1.try_into().unwrap(),
        shift_by: Some(1),
        logical_rate: 1.try_into().unwrap(),
        path: Some("t.csv".into()),
        format: Some(TraceFormat::Csv),
        csv: Some(CsvOptions {
            time: Column::Index(1),
            id: Column::Index(2),
            size: Column::Index(3),
            string_ids: true,
            first_size: true,
        }),
        access_log: Some(AccessLogOptions {
            drop_query: true,
            drop_params: vec!["utm_source".into()],
            methods: vec!["GET".into()],
            statuses: vec![200],
        }),
    };
    let load = LoadSpec {
        mode: LoopMode::Open,
        concurrency: Some(1.try_into().unwrap()),
        rate: Some(Positive(1.0)),
        duration: Some(HumanDuration(Duration::from_secs(2))),
        warmup: Some(HumanDuration(Duration::from_secs(1))),
        timeout: HumanDuration(Duration::from_millis(100)),
        timeseries_interval: HumanDuration(Duration::from_secs(1)),
    };
    let objectives = Objectives {
        p99_ms: Some(Positive(1.0)),
        min_hit_ratio: Some(Fraction(0.5)),
        memory_budget: Some(ByteSize(1)),
        survive_restart: Some(true),
        max_origin_rps: Some(Positive(1.0)),
        knee_gain: Some(Fraction(0.02)),
    };
    Scenario {
        name: "n".into(),
        description: "d".into(),
        seed: 1,
        mode: Some(RunMode::Http),
        workload,
        origin: OriginSpec {
            latency: LatencySpec::default(),
            uncacheable: Fraction(0.0),
            listen: Some("127.0.0.1:8081".parse().unwrap()),
        },
        load: Some(load),
        http: HttpSpec { coalesce: Coalescing::Compare },
        strategies: vec![full_strategy(Some(Box::new(full_strategy(None))))],
        objectives: Some(objectives),
        costs: Some(Costs {
            memory_per_gib_month: Some(Positive(1.0)),
            origin_per_million_misses: Some(Positive(1.0)),
            egress_per_gb: Some(Positive(1.0)),
            requests_per_month: Some(Positive(1.0)),
            currency: "USD".into(),
        }),
        report: Some(ReportSettings { baseline: Some("lru".into()), max_series: Some(8) }),
    }
}

/// Every object key at any depth of `value`.
fn keys_of(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                keys_of(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys_of(v, out)),
        _ => {}
    }
}

/// Every key a scenario accepts, from the code: a fully set scenario and every variant of
/// its tagged enums, serialised.
fn keys_in_code() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    keys_of(&serde_json::to_value(full_scenario()).unwrap(), &mut keys);
    for v in every_value_size() {
        keys_of(&serde_json::to_value(v).unwrap(), &mut keys);
    }
    for l in every_latency() {
        keys_of(&serde_json::to_value(l).unwrap(), &mut keys);
    }
    for a in every_admission() {
        keys_of(&serde_json::to_value(a).unwrap(), &mut keys);
    }
    keys
}

/// Every key `text` mentions, commented out or not: the word before each `=` and the name in
/// each `[table]` / `[[table]]` header.
fn keys_in_text(text: &str) -> BTreeSet<String> {
    let word = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !s.is_empty();
    let mut keys = BTreeSet::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(eq) = rest.find('=') {
            let before = rest[..eq].trim_end();
            let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            if word(&before[start..]) {
                keys.insert(before[start..].to_string());
            }
            rest = &rest[eq + 1..];
        }
        let header = line.trim_start_matches(['#', ' ']).trim_start_matches('[').trim_end();
        if line.trim_start_matches(['#', ' ']).starts_with('[')
            && let Some(name) = header.split(']').next()
            && word(name)
        {
            keys.insert(name.to_string());
        }
    }
    keys
}

#[test]
fn reference_mentions_every_key_a_scenario_accepts() {
    let code = keys_in_code();
    assert!(code.contains("first_size") && code.contains("protected_ratio") && code.contains("p50_ms"));
    let documented = keys_in_text(&scenario_file("reference.toml"));
    let missing: Vec<&String> = code.difference(&documented).collect();
    assert!(missing.is_empty(), "scenarios/reference.toml does not mention: {missing:?}");
}

#[test]
fn key_extraction_sees_comments_inline_tables_and_headers() {
    let keys = keys_in_text("a = 1\n# b = { c = 2, d_e = 3 }\n# [objectives]\n[[strategy]]\n# no key here\n");
    let expected: BTreeSet<String> =
        ["a", "b", "c", "d_e", "objectives", "strategy"].map(String::from).into();
    assert_eq!(keys, expected);
}

#[test]
fn quickstart_compares_moka_no_cache_and_every_policy_over_a_zipf_sweep() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
    let scenario = Scenario::load(&path).unwrap();
    assert_eq!(scenario.workload.kind, GeneratorKind::Zipf);
    let kinds: Vec<StrategyKind> = scenario.strategies.iter().map(|s| s.kind()).collect();
    let expected = PolicyKind::ALL
        .iter()
        .map(|(p, _)| StrategyKind::Policy(*p))
        .chain([StrategyKind::Moka, StrategyKind::None]);
    for kind in expected {
        assert!(kinds.contains(&kind), "quickstart.toml lacks kind `{kind}`");
    }
    for s in scenario.strategies.iter().filter(|s| s.kind() != StrategyKind::None) {
        assert!(s.capacities().len() >= 3, "`{}` sweeps fewer than 3 capacities", s.name);
    }
}
