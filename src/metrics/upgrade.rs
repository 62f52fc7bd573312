//! Reads results.json documents of older schema versions by rewriting them into the current
//! layout before they are deserialised.

use serde_json::Value;

use super::SCHEMA_VERSION;

/// Oldest schema version [`to_current`] can read.
pub const OLDEST_READABLE: u64 = 1;

/// Rewrites `doc`, a results.json of schema version `version` (between [`OLDEST_READABLE`]
/// and [`SCHEMA_VERSION`]), into the current layout.
pub fn to_current(doc: &mut Value, version: u64) {
    if version < 2 {
        v1_to_v2(doc);
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
}
