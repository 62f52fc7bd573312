//! Workload generators behave as documented: Zipf frequencies follow the formula (chi-square),
//! scrambled Zipf is Zipf under a permutation, hot-set and shifting move traffic as configured,
//! and sizes are stable per key.

use std::collections::HashMap;
use std::path::Path;

use cachelab::model::Op;
use cachelab::scenario::Scenario;
use cachelab::workload::{GeneratorKind, WorkloadSpec};

fn spec(toml_workload: &str) -> WorkloadSpec {
    let text =
        format!("name = \"t\"\n[workload]\n{toml_workload}\n[[strategy]]\nname = \"n\"\nkind = \"none\"\n");
    Scenario::parse(&text, Path::new("test.toml")).expect("valid scenario").workload
}

fn counts(spec: &WorkloadSpec, seed: u64) -> Vec<u64> {
    let mut c = vec![0u64; spec.keys.get() as usize + 1];
    for r in spec.stream(seed).unwrap() {
        c[r.key as usize] += 1;
    }
    c
}

/// Pearson chi-square statistic of observed counts against expected probabilities.
fn chi_square(observed: &[u64], probs: &[f64], total: u64) -> f64 {
    observed
        .iter()
        .zip(probs)
        .map(|(&o, &p)| (o as f64 - p * total as f64).powi(2) / (p * total as f64))
        .sum()
}

/// Upper 0.1% critical value of chi-square with `df` degrees of freedom (Wilson-Hilferty).
fn chi_square_critical(df: f64) -> f64 {
    let z = 3.090; // one-sided 0.999 normal quantile
    df * (1.0 - 2.0 / (9.0 * df) + z * (2.0 / (9.0 * df)).sqrt()).powi(3)
}

fn zipf_probs(n: usize, alpha: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| (k as f64).powf(-alpha)).collect();
    let h: f64 = w.iter().sum();
    w.into_iter().map(|x| x / h).collect()
}

#[test]
fn zipf_rank_frequencies_match_the_formula() {
    for alpha in [0.7, 0.9, 1.0, 1.3] {
        let s = spec(&format!("kind = \"zipf\"\nkeys = 1000\nalpha = {alpha}\nrequests = 500000"));
        let c = counts(&s, 7);
        let probs = zipf_probs(1000, alpha);
        let chi = chi_square(&c[1..], &probs, 500_000);
        let critical = chi_square_critical(999.0);
        assert!(chi < critical, "alpha {alpha}: chi-square {chi:.1} >= {critical:.1}");
        // And the test has power: the frequencies of a different exponent are rejected.
        let wrong = chi_square(&c[1..], &zipf_probs(1000, alpha + 0.05), 500_000);
        assert!(wrong > critical, "alpha {alpha}: a 0.05-off exponent was not rejected ({wrong:.1})");
    }
}

#[test]
fn scrambled_zipf_is_zipf_under_a_permutation_and_spreads_hot_keys() {
    let s = spec("kind = \"scrambled_zipf\"\nkeys = 1000\nalpha = 0.9\nrequests = 300000");
    let mut c = counts(&s, 3);
    let hottest = (1..=1000).max_by_key(|&k| c[k]).unwrap();
    assert_ne!(hottest, 1, "the hottest key must not stay at rank 1");
    let mut sorted: Vec<u64> = c.drain(1..).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    // The rank-ordered frequencies of a Zipf sample follow the formula (sorting makes the test
    // conservative, so compare the head, where ranks are well separated).
    let probs = zipf_probs(1000, 0.9);
    for rank in 0..5 {
        let expected = probs[rank] * 300_000.0;
        let got = sorted[rank] as f64;
        assert!((got - expected).abs() < 4.0 * expected.sqrt() + 1.0, "rank {rank}: {got} vs {expected:.0}");
    }
}

#[test]
fn uniform_is_uniform() {
    let s = spec("kind = \"uniform\"\nkeys = 500\nrequests = 200000");
    let c = counts(&s, 11);
    let chi = chi_square(&c[1..], &vec![1.0 / 500.0; 500], 200_000);
    assert!(chi < chi_square_critical(499.0), "chi-square {chi}");
}

#[test]
fn hot_set_sends_the_configured_share_to_the_configured_keys() {
    let s = spec("kind = \"hot_set\"\nkeys = 10000\nhot_keys = 0.1\nhot_share = 0.9\nrequests = 200000");
    let c = counts(&s, 5);
    let hot: u64 = c[1..=1000].iter().sum();
    let share = hot as f64 / 200_000.0;
    assert!((share - 0.9).abs() < 0.005, "hot share {share}");
    assert!(c[1..=1000].iter().all(|&n| n > 0), "every hot key is requested");
    assert!(c[1001..].iter().filter(|&&n| n > 0).count() > 9000 * 8 / 10, "cold keys are requested too");
}

#[test]
fn shifting_moves_the_popular_keys_every_period() {
    let s = spec(
        "kind = \"shifting\"\nkeys = 1000\nalpha = 1.2\nrequests = 40000\nshift_every = 10000\nshift_by = 250",
    );
    let mut per_epoch: Vec<HashMap<u64, u64>> = vec![HashMap::new(); 4];
    for (i, r) in s.stream(1).unwrap().enumerate() {
        *per_epoch[i / 10_000].entry(r.key).or_default() += 1;
    }
    let hottest: Vec<u64> = per_epoch.iter().map(|m| *m.iter().max_by_key(|(_, n)| **n).unwrap().0).collect();
    assert_eq!(hottest, vec![1, 251, 501, 751]);
}

#[test]
fn sizes_are_stable_per_key_across_requests_and_runs() {
    let s = spec(
        "kind = \"zipf\"\nkeys = 2000\nrequests = 50000\nvalue_size = { dist = \"lognormal\", median = \"4KiB\", max = \"1MiB\" }",
    );
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for r in s.stream(9).unwrap() {
        assert_eq!(*seen.entry(r.key).or_insert(r.size), r.size, "key {} changed size", r.key);
    }
    let again: Vec<_> = s.stream(9).unwrap().map(|r| (r.key, r.size)).collect();
    let first: Vec<_> = s.stream(9).unwrap().map(|r| (r.key, r.size)).collect();
    assert_eq!(first, again, "the same seed gives the same stream");
    let other: Vec<_> = s.stream(10).unwrap().map(|r| (r.key, r.size)).collect();
    assert_ne!(first, other, "another seed gives another stream");
}

#[test]
fn write_ratio_and_ttl_are_applied() {
    let s = spec("kind = \"uniform\"\nkeys = 100\nrequests = 100000\nwrite_ratio = 0.25\nttl = \"30s\"");
    let reqs: Vec<_> = s.stream(2).unwrap().collect();
    let writes = reqs.iter().filter(|r| r.op == Op::Set).count() as f64 / reqs.len() as f64;
    assert!((writes - 0.25).abs() < 0.01, "write share {writes}");
    assert!(reqs.iter().all(|r| r.ttl == Some(std::time::Duration::from_secs(30))));
    assert_eq!(s.kind, GeneratorKind::Uniform);
}

#[test]
fn large_key_spaces_use_rejection_sampling_with_the_same_law() {
    let keys = cachelab::workload::ALIAS_TABLE_MAX_KEYS + 1;
    let s = spec(&format!("kind = \"zipf\"\nkeys = {keys}\nalpha = 1.0\nrequests = 400000"));
    assert!(matches!(
        s.key_sampler(1).unwrap(),
        cachelab::workload::KeySampler::Zipf(cachelab::workload::ZipfRanks::Rejection(_))
    ));
    let mut head = [0u64; 21];
    for r in s.stream(1).unwrap() {
        if r.key <= 20 {
            head[r.key as usize] += 1;
        }
    }
    let h: f64 = (1..=keys).map(|k| 1.0 / k as f64).sum();
    for (k, &count) in head.iter().enumerate().skip(1) {
        let expected = 400_000.0 / (k as f64 * h);
        let got = count as f64;
        assert!((got - expected).abs() < 4.5 * expected.sqrt(), "rank {k}: {got} vs {expected:.0}");
    }
}
