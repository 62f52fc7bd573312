//! What each measured (strategy, capacity) would cost for a month at the scenario's
//! `[costs]` prices, and the cheapest of them.

use crate::metrics::{Costs, MonthlyCost, RunResult, StrategyResult};

/// The monthly cost of running `r` at `costs`: its memory, plus its misses and missed bytes
/// per request scaled to `requests_per_month`; `None` when its memory is priced but unknown.
pub fn monthly(costs: &Costs, r: &StrategyResult) -> Option<MonthlyCost> {
    let requests = r.counts.requests.max(1) as f64;
    let misses = r.counts.misses as f64 / requests;
    let missed_bytes = r.counts.bytes_requested.saturating_sub(r.counts.bytes_hit) as f64 / requests;
    costs.monthly(r.memory_bytes, misses, missed_bytes)
}

/// The cheapest deployable row (never the offline bound) and its cost, when the run has
/// prices.
pub fn cheapest(result: &RunResult) -> Option<(&StrategyResult, MonthlyCost)> {
    let costs = result.costs.as_ref()?;
    result
        .results
        .iter()
        .filter(|r| !r.bound)
        .filter_map(|r| Some((r, monthly(costs, r)?)))
        .min_by(|a, b| a.1.total.total_cmp(&b.1.total))
}

/// A cost with its currency: `90.5 USD/month`.
pub fn money(costs: &Costs, v: f64) -> String {
    format!("{} {}/month", crate::report::format::significant(v, 3), costs.currency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::units::Positive;

    const GIB: u64 = 1 << 30;

    fn row(name: &str, gib: u64, hit: f64, bound: bool) -> StrategyResult {
        let mut r: StrategyResult = serde_json::from_value(serde_json::json!({
            "strategy": name, "kind": "lru", "capacity": null, "capacity_value": gib * GIB,
            "capacity_unit": "bytes", "backend": "policy", "memory_bytes": gib * GIB,
            "survives_restart": false, "bound": bound, "requests": 1000, "hits": 0, "misses": 0,
            "writes": 0, "bytes_requested": 0, "bytes_hit": 0, "evictions": 0, "errors": 0, "corrupt": 0,
            "hit_ratio": hit, "byte_hit_ratio": hit, "final_entries": 0, "final_bytes": null, "elapsed_s": 0.0
        }))
        .unwrap();
        r.counts.hits = (hit * 1000.0).round() as u64;
        r.counts.misses = 1000 - r.counts.hits;
        r
    }

    /// Memory costs 10 per GiB-month and a million misses 1, at a billion requests a month:
    /// 1 GiB at 0.5 costs 10 + 500, 2 GiB at 0.9 20 + 100, 4 GiB at 0.95 40 + 50 (the optimum),
    /// 8 GiB at 0.96 80 + 40; the bound at 1 GiB (10 + 10) is never a candidate.
    #[test]
    fn the_cheapest_point_balances_memory_against_origin_work() {
        let mut result: RunResult = serde_json::from_value(serde_json::json!({
            "schema_version": 3, "name": "c", "mode": "simulation", "scenario": {}, "seed": 1,
            "environment": { "cpu_model": "", "cores": 1, "os": "", "cachelab_version": "", "redis_version": null },
            "started_at": "", "duration_s": 1.0, "partial": false, "warmup_requests": 0, "results": []
        }))
        .unwrap();
        result.results = vec![
            row("lru", 1, 0.5, false),
            row("lru", 2, 0.9, false),
            row("lru", 4, 0.95, false),
            row("lru", 8, 0.96, false),
            row("opt", 1, 0.99, true),
        ];
        assert!(cheapest(&result).is_none(), "no prices, no cost");
        result.costs = Some(Costs {
            memory_per_gib_month: Some(Positive(10.0)),
            origin_per_million_misses: Some(Positive(1.0)),
            requests_per_month: Some(Positive(1e9)),
            ..Costs::default()
        });
        let (r, cost) = cheapest(&result).unwrap();
        assert_eq!(r.capacity_value, Some(4 * GIB));
        assert!((cost.memory - 40.0).abs() < 1e-9 && (cost.origin - 50.0).abs() < 1e-9, "{cost:?}");
        let totals: Vec<f64> = result
            .results
            .iter()
            .map(|r| monthly(result.costs.as_ref().unwrap(), r).unwrap().total.round())
            .collect();
        assert_eq!(totals, [510.0, 120.0, 90.0, 120.0, 20.0]);
    }
}
