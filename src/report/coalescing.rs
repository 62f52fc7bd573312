//! The origin load request coalescing saves, in words: for each strategy that an HTTP run with
//! `[http] coalesce = "compare"` ran with and without coalescing (rows `X` and
//! `X (no coalescing)` at the same capacity), one sentence comparing their origin fetches.

use super::format;
use crate::metrics::{LoadMeasurements, NO_COALESCING_SUFFIX, RunResult, StrategyResult};

/// One sentence per strategy run with and without coalescing, in result order.
pub fn comparisons(result: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    for with in &result.results {
        let Some(a) = &with.load else { continue };
        let without_name = format!("{}{NO_COALESCING_SUFFIX}", with.strategy);
        let twin = result.results.iter().find(|r| {
            r.strategy == without_name && r.capacity_value == with.capacity_value && r.load.is_some()
        });
        if let Some(b) = twin.and_then(|r| r.load.as_ref()) {
            out.push(sentence(with, a, b));
        }
    }
    out
}

fn sentence(with: &StrategyResult, a: &LoadMeasurements, b: &LoadMeasurements) -> String {
    let effect = if b.origin_rps > 0.0 {
        let change = 100.0 * (1.0 - a.origin_rps / b.origin_rps);
        if change >= 0.0 {
            format!("coalescing cut origin load by {}%", format::significant(change, 2))
        } else {
            format!("origin load was {}% higher with coalescing", format::significant(-change, 2))
        }
    } else {
        "neither run reached the origin".to_string()
    };
    format!(
        "{}: {} origin requests/s with coalescing ({} fetches; {} misses joined a fetch under way), {} without ({} fetches): {effect}.",
        format::label(with),
        format::count(a.origin_rps),
        format::thousands(a.origin_requests),
        format::thousands(a.coalesced_requests),
        format::count(b.origin_rps),
        format::thousands(b.origin_requests),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A results document with rows `(name, origin fetches, coalesced)` measured over 10 s.
    fn result(rows: &[(&str, u64, u64)]) -> RunResult {
        let rows: Vec<serde_json::Value> = rows
            .iter()
            .map(|&(name, origin, coalesced)| {
                serde_json::json!({
                    "strategy": name, "kind": "moka", "capacity": 100, "capacity_value": 100,
                    "capacity_unit": "objects", "requests": 1000, "hits": 900, "misses": 100,
                    "writes": 0, "bytes_requested": 0, "bytes_hit": 0, "evictions": 0, "errors": 0,
                    "corrupt": 0, "hit_ratio": 0.9, "byte_hit_ratio": 0.0, "final_entries": 10,
                    "final_bytes": null, "elapsed_s": 10.0,
                    "load": {
                        "loop_mode": "closed", "concurrency": 64, "target_rps": null,
                        "throughput_rps": 100.0, "measured_s": 10.0, "origin_requests": origin,
                        "origin_rps": origin as f64 / 10.0, "coalesced_requests": coalesced,
                        "timeouts": 0, "get_hit": null, "get_miss": null, "put": null,
                        "end_to_end": null, "timeseries": [], "tiers": []
                    }
                })
            })
            .collect();
        let mut doc = serde_json::json!({
            "schema_version": 1, "name": "burst", "mode": "http", "scenario": {}, "seed": 1,
            "environment": { "cpu_model": "", "cores": 2, "os": "", "cachelab_version": "", "redis_version": null },
            "started_at": "", "duration_s": 1.0, "partial": false, "warmup_requests": 0, "results": rows
        });
        crate::metrics::upgrade::to_current(&mut doc, 1);
        serde_json::from_value(doc).expect("a valid results document")
    }

    #[test]
    fn each_pair_gets_one_sentence_with_both_origin_loads() {
        let r = result(&[("moka", 50, 950), ("moka (no coalescing)", 1000, 0), ("lru", 80, 10)]);
        let said = comparisons(&r);
        assert_eq!(
            said,
            [
                "moka @ 100 objects: 5 origin requests/s with coalescing (50 fetches; 950 misses joined a fetch under way), 100 without (1,000 fetches): coalescing cut origin load by 95%."
            ]
        );
    }

    #[test]
    fn no_pairs_no_sentences() {
        assert!(comparisons(&result(&[("moka", 50, 950), ("lru", 80, 0)])).is_empty());
    }
}
