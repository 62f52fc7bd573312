//! results.json follows the committed, versioned schema (schema/results.schema.json), and the
//! committed schema is the one the code generates.
//! Regenerate after a deliberate change: `CACHELAB_UPDATE_SCHEMA=1 cargo test --test schema`.

use std::path::Path;

use assert_cmd::Command;

fn committed_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/results.schema.json");
    if std::env::var_os("CACHELAB_UPDATE_SCHEMA").is_some() {
        let text = serde_json::to_string_pretty(&cachelab::metrics::results_schema()).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    }
    serde_json::from_slice(&std::fs::read(&path).expect("schema/results.schema.json exists")).unwrap()
}

#[test]
fn committed_schema_matches_the_code() {
    assert_eq!(
        committed_schema(),
        cachelab::metrics::results_schema(),
        "schema/results.schema.json is stale: bump SCHEMA_VERSION if incompatible, then regenerate with CACHELAB_UPDATE_SCHEMA=1"
    );
}

#[test]
fn real_output_validates_against_the_schema() {
    let doc = run_and_read(
        "name = \"s\"\n[workload]\nkeys = 1000\nrequests = 5000\n[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = [10, \"5%\"]\n[[strategy]]\nname = \"n\"\nkind = \"none\"\n",
        "results.json",
    );
    let validator = jsonschema::validator_for(&committed_schema()).expect("the schema is valid JSON Schema");
    let errors = violations(&validator, &doc);
    assert!(errors.is_empty(), "results.json violates the schema: {errors:#?}");
    assert_eq!(doc["schema_version"], cachelab::metrics::SCHEMA_VERSION);
    // And a document that breaks the schema is caught (the check has teeth).
    let mut broken = doc.clone();
    broken["results"][0]["hits"] = serde_json::json!("many");
    assert!(!validator.is_valid(&broken));
}

fn committed_recommendation_schema() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/recommendation.schema.json");
    if std::env::var_os("CACHELAB_UPDATE_SCHEMA").is_some() {
        let schema = cachelab::report::recommend::recommendation_schema();
        std::fs::write(&path, serde_json::to_string_pretty(&schema).unwrap() + "\n").unwrap();
    }
    serde_json::from_slice(&std::fs::read(&path).expect("schema/recommendation.schema.json exists")).unwrap()
}

#[test]
fn recommendation_json_validates_against_its_committed_schema() {
    assert_eq!(
        committed_recommendation_schema(),
        cachelab::report::recommend::recommendation_schema(),
        "schema/recommendation.schema.json is stale: regenerate with CACHELAB_UPDATE_SCHEMA=1"
    );
    let doc = run_and_read(
        "name = \"s\"\n[workload]\nkeys = 1000\nrequests = 5000\n[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = [10, 50, 200]\n[[strategy]]\nname = \"f\"\nkind = \"fifo\"\ncapacity = [10, 50, 200]\n[objectives]\nmin_hit_ratio = 0.3\n[costs]\nmemory_per_gib_month = 5\norigin_per_million_misses = 1\nrequests_per_month = 1e9\n",
        "recommendation.json",
    );
    let validator = jsonschema::validator_for(&committed_recommendation_schema())
        .expect("the schema is valid JSON Schema");
    let errors = violations(&validator, &doc);
    assert!(errors.is_empty(), "recommendation.json violates its schema: {errors:#?}");
    // The file says what a program needs: the pick, every candidate's objectives, the knees.
    assert_eq!(doc["candidates"].as_array().unwrap().len(), 6);
    let check = &doc["candidates"][0]["objectives"][0];
    assert_eq!(check["objective"], "min_hit_ratio");
    assert!(check["margin"].as_f64().unwrap() >= 0.0 && check["met"] == true, "{check}");
    assert_eq!(doc["knees"].as_array().unwrap().len(), 2, "{}", doc["knees"]);
    assert!(doc["cheapest"]["monthly"]["total"].as_f64().unwrap() > 0.0);
    let mut broken = doc.clone();
    broken["candidates"][0]["meets_all"] = serde_json::json!("yes");
    assert!(!validator.is_valid(&broken));
}

/// Runs the scenario `toml` (named `s`) and reads the JSON file `file` of its output folder.
fn run_and_read(toml: &str, file: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, toml).unwrap();
    Command::cargo_bin("cachelab")
        .unwrap()
        .args(["run", "-q", scenario.to_str().unwrap(), "--out"])
        .arg(dir.path())
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(dir.path().join("s").join(file)).unwrap()).unwrap()
}

/// Every place where `doc` breaks the schema of `validator`.
fn violations(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}
