//! Reads results.json documents of older schema versions by rewriting them into the current
//! layout before they are deserialised.

use serde_json::Value;

use super::{Backend, Objectives, SCHEMA_VERSION, StrategyResult};

/// Oldest schema version [`to_current`] can read.
pub const OLDEST_READABLE: u64 = 1;

/// Rewrites `doc`, a results.json of schema version `version` (between [`OLDEST_READABLE`]
/// and [`SCHEMA_VERSION`]), into the current layout.
pub fn to_current(doc: &mut Value, version: u64) {
    if version < 2 {
        v1_to_v2(doc);
    }
    if version < 3 {
        v2_to_v3(doc);
    }
    doc["schema_version"] = Value::from(SCHEMA_VERSION);
}

/// Version 2 keeps per-tier hits at `results[i].tiers` (version 1: `results[i].load.tiers`).
fn v1_to_v2(doc: &mut Value) {
    let Some(results) = doc.get_mut("results").and_then(Value::as_array_mut) else { return };
    for r in results {
        let tiers = r.get_mut("load").and_then(Value::as_object_mut).and_then(|l| l.remove("tiers"));
        if let (Some(tiers), Some(r)) = (tiers, r.as_object_mut()) {
            r.insert("tiers".into(), tiers);
        }
    }
}

/// Version 3 records what each row's strategy is (`backend`, `bound`, `survives_restart`,
/// `memory_bytes`) and the run's `objectives` at the top level; version 2 left reports to
/// infer them from kind names and the echoed scenario, as done here.
fn v2_to_v3(doc: &mut Value) {
    let scenario = doc.get("scenario").cloned().unwrap_or(Value::Null);
    let objectives =
        scenario.get("objectives").filter(|o| serde_json::from_value::<Objectives>((*o).clone()).is_ok());
    if let (Some(o), Some(map)) = (objectives.cloned(), doc.as_object_mut()) {
        map.insert("objectives".into(), o);
    }
    let entries = scenario.get("strategy").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let Some(results) = doc.get_mut("results").and_then(Value::as_array_mut) else { return };
    for r in results {
        let Some(row) = r.as_object_mut() else { continue };
        let kind = row.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
        let name = row.get("strategy").and_then(Value::as_str).unwrap_or_default();
        let entry = entries.iter().find(|s| s.get("name").and_then(Value::as_str) == Some(name));
        let backend = backend_of(&kind);
        let number = |key: &str| row.get(key).and_then(Value::as_u64);
        let unit = row.get("capacity_unit").and_then(|u| serde_json::from_value(u.clone()).ok());
        let memory =
            StrategyResult::memory_bytes(backend, number("capacity_value"), unit, number("final_bytes"));
        let persistent = persistent(&kind, entry);
        row.insert("backend".into(), serde_json::to_value(backend).expect("a backend serialises"));
        row.insert("memory_bytes".into(), Value::from(memory));
        row.insert("survives_restart".into(), Value::from(persistent));
        row.insert("bound".into(), Value::from(kind == "belady"));
    }
}

/// The backend of a row of `kind` (version 2 names: a backend, else a policy).
fn backend_of(kind: &str) -> Backend {
    match kind {
        "none" => Backend::None,
        "moka" => Backend::Moka,
        "file" => Backend::File,
        "tiered" => Backend::Tiered,
        k if k.starts_with("redis") => Backend::Redis,
        "memcached" => Backend::Memcached,
        _ => Backend::Policy,
    }
}

/// Whether a strategy of `kind` written as `entry` kept its data across a restart: files, a
/// Redis server the run did not start (`url` or `cluster`), a tiered one whose `l2` does.
fn persistent(kind: &str, entry: Option<&Value>) -> bool {
    let has = |key: &str| entry.and_then(|e| e.get(key)).is_some_and(|v| !v.is_null());
    match backend_of(kind) {
        Backend::File => true,
        Backend::Redis => has("url") || has("cluster"),
        Backend::Memcached => has("url"),
        Backend::Tiered => {
            let l2 = entry.and_then(|e| e.get("l2"));
            persistent(l2.and_then(|t| t.get("kind")).and_then(Value::as_str).unwrap_or_default(), l2)
        }
        Backend::None | Backend::Moka | Backend::Policy | Backend::Http => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_tiers_move_out_of_load() {
        let mut doc = serde_json::json!({
            "schema_version": 1,
            "results": [
                {"strategy": "t", "load": {"tiers": [{"tier": "l1", "hits": 3, "hit_ratio": 0.3}]}},
                {"strategy": "s"}
            ]
        });
        to_current(&mut doc, 1);
        assert_eq!(doc["schema_version"], SCHEMA_VERSION);
        assert_eq!(doc["results"][0]["tiers"][0]["hits"], 3);
        assert!(doc["results"][0]["load"].get("tiers").is_none());
        assert!(doc["results"][1].get("tiers").is_none());
    }

    fn upgraded(fixture: &str, version: u64) -> crate::metrics::RunResult {
        let mut doc: Value = serde_json::from_str(fixture).unwrap();
        assert_eq!(doc["schema_version"], version);
        to_current(&mut doc, version);
        serde_json::from_value(doc).expect("an upgraded document reads as the current version")
    }

    #[test]
    fn version_2_rows_get_the_facts_inferred_from_kinds_and_the_echoed_scenario() {
        let result = upgraded(include_str!("../../tests/data/report/simulation-v2-results.json"), 2);
        assert_eq!(result.schema_version, SCHEMA_VERSION);
        let o = result.objectives.as_ref().expect("objectives move to the top level");
        assert_eq!(
            (o.min_hit_ratio.map(|f| f.0), o.memory_budget.map(|b| b.0)),
            (Some(0.5), Some(4096 + 2048))
        );
        assert_eq!(o.survive_restart, Some(true));
        let facts: Vec<(&str, Backend, bool, bool, Option<u64>)> = result
            .results
            .iter()
            .map(|r| (r.strategy.as_str(), r.backend, r.survives_restart, r.bound, r.memory_bytes))
            .collect();
        assert_eq!(
            facts,
            [
                ("lru", Backend::Policy, false, false, Some(2000)),
                ("lru", Backend::Policy, false, false, Some(2000)),
                ("belady", Backend::Policy, false, true, Some(2000)),
                ("moka", Backend::Moka, false, false, Some(4096)),
                ("disk", Backend::File, true, false, Some(4096)),
                ("two-tier", Backend::Tiered, true, false, Some(7000)),
                ("spawned", Backend::Redis, false, false, Some(8 << 20)),
                ("no-cache", Backend::None, false, false, Some(0)),
            ]
        );
    }

    #[test]
    fn version_1_upgrades_through_every_step() {
        let result = upgraded(include_str!("../../tests/data/report/load-results.json"), 1);
        assert_eq!(result.objectives.as_ref().and_then(|o| o.p99_ms).map(|p| p.0), Some(100.0));
        let row = |name: &str| result.results.iter().find(|r| r.strategy == name).unwrap();
        assert!(row("redis").survives_restart, "a Redis at a url outlives the run");
        assert!(row("disk").survives_restart && row("disk").backend == Backend::File);
        assert!(row("belady").bound && !row("moka").bound);
        assert_eq!(row("no-cache").memory_bytes, Some(0));
    }

    #[test]
    fn unreadable_objectives_stay_in_the_echo_only() {
        let mut doc = serde_json::json!({
            "schema_version": 2,
            "scenario": { "objectives": { "min_hit_ratio": 7 } },
            "results": []
        });
        to_current(&mut doc, 2);
        assert!(doc.get("objectives").is_none());
    }
}
