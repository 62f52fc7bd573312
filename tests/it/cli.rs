//! The real `cachelab` binary: `run`, `list`, `--help`, and bad input (exit code 2 with a
//! message naming the file and place).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn cachelab() -> Command {
    Command::cargo_bin("cachelab").expect("binary built")
}

const SMALL: &str = r#"
name = "small"
seed = 7
[workload]
kind = "zipf"
keys = 2000
requests = 20000
[[strategy]]
name = "lru"
kind = "lru"
capacity = [50, 100, "10%"]
[[strategy]]
name = "moka"
kind = "moka"
capacity = "1MiB"
[[strategy]]
name = "none"
kind = "none"
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn run_writes_results_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = dir.path().join("out");
    cachelab()
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains("lru").and(contains("moka")).and(contains("hit ratio")));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("small/results.json")).unwrap()).unwrap();
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "3 LRU sizes + moka + none");
    let lru: Vec<f64> = results[..3].iter().map(|r| r["hit_ratio"].as_f64().unwrap()).collect();
    assert!(lru[0] < lru[1] && lru[1] < lru[2], "hit ratio grows with capacity: {lru:?}");
    assert_eq!(results[2]["capacity_value"], 200, "10% of 2000 keys");
    assert_eq!(results[4]["hit_ratio"], 0.0, "no cache never hits");
    assert_eq!(results[0]["requests"], 18000, "10% warm-up excluded");
}

#[test]
fn run_json_prints_the_results_document() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = cachelab()
        .args(["run", scenario.to_str().unwrap(), "--json", "--out"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(json["seed"], 7);
    assert_eq!(json["mode"], "simulation");
}

#[test]
fn list_names_every_generator_policy_and_strategy() {
    let assert = cachelab().arg("list").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for (_, name, _) in cachelab::workload::GeneratorKind::ALL {
        assert!(out.contains(name), "missing generator {name}");
    }
    for name in cachelab::strategy::StrategyKind::all_names() {
        assert!(out.contains(name), "missing strategy {name}");
    }
}

/// Every subcommand path of the CLI (`["trace", "gen"]`, ...), from clap's own tree, so a new
/// subcommand is covered without editing the test.
fn subcommand_paths() -> Vec<(Vec<String>, clap::Command)> {
    fn walk(prefix: &[String], cmd: &clap::Command, out: &mut Vec<(Vec<String>, clap::Command)>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let path: Vec<String> = prefix.iter().cloned().chain([sub.get_name().to_string()]).collect();
            out.push((path.clone(), sub.clone()));
            walk(&path, sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&[], &<cachelab::cli::Cli as clap::CommandFactory>::command(), &mut out);
    out
}

/// `cachelab <path> --help`: exits 0; returns stdout.
fn help(path: &[String]) -> String {
    let out = cachelab().args(path).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{path:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_is_available_for_every_subcommand() {
    let top = help(&[]);
    let paths = subcommand_paths();
    let names: Vec<String> = paths.iter().map(|(p, _)| p.join(" ")).collect();
    for expected in
        ["run", "list", "report", "simulate", "serve", "trace", "trace gen", "trace stats", "trace convert"]
    {
        assert!(names.iter().any(|n| n == expected), "no subcommand `{expected}` in {names:?}");
    }
    for (path, cmd) in &paths {
        let out = help(path);
        let usage = format!("Usage: cachelab {}", path.join(" "));
        assert!(out.contains(&usage), "{path:?}: no `{usage}` in\n{out}");
        if path.len() == 1 {
            assert!(top.contains(&path[0]), "top-level help does not list `{}`", path[0]);
        }
        // Every default clap knows is shown where the flag is described.
        let shows_default = |a: &&clap::Arg| a.get_action().takes_values() && !a.is_hide_default_value_set();
        for arg in cmd.get_arguments().filter(shows_default) {
            for default in arg.get_default_values() {
                let shown = format!("[default: {}]", default.to_string_lossy());
                assert!(out.contains(&shown), "{path:?} --{:?}: no `{shown}` in\n{out}", arg.get_long());
            }
        }
    }
}

#[test]
fn help_states_units_and_computed_defaults() {
    let cases: [(&[&str], &[&str]); 9] = [
        (&["run"], &["[default: reports]", "--seed", "--target <IP:PORT>"]),
        (&["list"], &["policy"]),
        (&["report"], &["default: the directory holding results.json"]),
        (
            &["simulate"],
            &["--size <N[,N...]>", "byte sizes (e.g.", "64MiB", "5%", "[default: one per core]", "--bytes"],
        ),
        (&["serve"], &["64MiB", "5%", "[default: the strategy's first capacity]", "[default: 127.0.0.1:0]"]),
        (&["trace"], &["gen", "stats", "convert"]),
        (
            &["trace", "gen"],
            &["in bytes or with a unit", "[default: 1KiB]", "[default: a tenth of the keys]"],
        ),
        (&["trace", "stats"], &["bytes", "[default: from the file name", "--first-size"]),
        (&["trace", "convert"], &["*.oracleGeneral.bin", "[default: obj_size]", "--first-size"]),
    ];
    for (path, fragments) in cases {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        let out = help(&path);
        for fragment in fragments {
            assert!(out.contains(fragment), "{path:?} --help lacks `{fragment}`:\n{out}");
        }
    }
}

/// Runs a scenario text expected to be rejected; returns stderr.
fn rejected(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "bad.toml", text);
    let out = cachelab().args(["run", scenario.to_str().unwrap(), "--out"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "exit code for bad input");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.toml"), "names the file: {err}");
    assert!(!err.contains("panicked"), "no panic: {err}");
    err
}

#[test]
fn malformed_toml_is_reported_with_its_line() {
    let err = rejected("name = \"x\"\n[workload\nkeys = 3\n");
    assert!(err.contains("bad.toml:2:"), "{err}");
}

#[test]
fn unknown_strategy_is_reported_with_its_line_and_the_known_kinds() {
    let err = rejected("name = \"x\"\n[[strategy]]\nname = \"a\"\nkind = \"lrux\"\ncapacity = 10\n");
    assert!(err.contains("bad.toml:4:8"), "{err}");
    assert!(err.contains("unknown strategy kind `lrux`") && err.contains("moka"), "{err}");
}

#[test]
fn non_positive_alpha_is_rejected_at_its_key() {
    for alpha in ["0", "-0.5", "0.0"] {
        let err = rejected(&format!(
            "name = \"x\"\n[workload]\nalpha = {alpha}\n[[strategy]]\nname = \"a\"\nkind = \"lru\"\ncapacity = 10\n"
        ));
        assert!(err.contains("bad.toml:3:9") && err.contains("key `alpha`"), "{err}");
    }
}

#[test]
fn zero_capacity_is_rejected_at_its_key() {
    let err = rejected("name = \"x\"\n[[strategy]]\nname = \"a\"\nkind = \"lru\"\ncapacity = [10, 0]\n");
    assert!(err.contains("bad.toml:5:") && err.contains("greater than zero"), "{err}");
}

/// `(line, column)` of the first `needle` in `text`, 1-based, plus `offset` columns.
fn position(text: &str, needle: &str, offset: usize) -> (usize, usize) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |nl| nl + 1) + 1 + offset;
    (line, column)
}

fn assert_at(err: &str, (line, column): (usize, usize), key: &str) {
    let place = format!("bad.toml:{line}:{column}: key `{key}`");
    assert!(err.contains(&place), "expected `{place}` in: {err}");
}

/// Two valid strategies, then a third one's opening lines.
const TWO_STRATEGIES: &str = "name = \"x\"\n[workload]\nkeys = 100\n\
    [[strategy]]\nname = \"a\"\nkind = \"lru\"\ncapacity = 10\n\
    [[strategy]]\nname = \"b\"\nkind = \"s3fifo\"\ncapacity = 10\nparams = { move_threshold = 1 }\n\
    [[strategy]]\nname = \"c\"\n";

#[test]
fn an_error_in_the_third_strategy_names_its_own_line_and_key() {
    // Missing capacity: the third table's header.
    let text = format!("{TWO_STRATEGIES}kind = \"lru\"\n");
    let err = rejected(&text);
    assert_at(&err, (position(&text, "[[strategy]]\nname = \"c\"", 0).0, 1), "strategy.capacity");
    assert!(err.contains("strategy `c`: kind `lru` needs a capacity"), "{err}");

    // A parameter of another policy: its value in the third table.
    let text = format!("{TWO_STRATEGIES}kind = \"lru\"\ncapacity = 10\nparams = {{ move_threshold = 2 }}\n");
    let err = rejected(&text);
    assert_at(&err, position(&text, "move_threshold = 2", 17), "strategy.params.move_threshold");
    assert!(err.contains("applies to `s3fifo`, not `lru`"), "{err}");

    // An out-of-range parameter of its own policy.
    let text =
        format!("{TWO_STRATEGIES}kind = \"s3fifo\"\ncapacity = 10\nparams = {{ move_threshold = 0 }}\n");
    let err = rejected(&text);
    assert_at(&err, position(&text, "move_threshold = 0", 17), "strategy.params.move_threshold");
    assert!(err.contains("strategy `c`: must be at least 1"), "{err}");
}

#[test]
fn workload_errors_name_the_offending_key() {
    let strategy = "[[strategy]]\nname = \"a\"\nkind = \"lru\"\ncapacity = 10\n";
    let text = format!("name = \"x\"\n[workload]\nkind = \"hot_set\"\nkeys = 100\nhot_keys = 0\n{strategy}");
    let err = rejected(&text);
    assert_at(&err, position(&text, "hot_keys = 0", 11), "workload.hot_keys");
    assert!(err.contains("greater than 0"), "{err}");

    let text = format!(
        "name = \"x\"\n[workload]\nkeys = 100\nvalue_size = {{ dist = \"uniform\", min = 900, max = 100 }}\n{strategy}"
    );
    let err = rejected(&text);
    assert_at(&err, position(&text, "min = 900", 6), "workload.value_size.min");
    assert!(err.contains("min 900 and max 100"), "{err}");

    let text = format!("name = \"x\"\n[workload]\nkind = \"trace\"\n{strategy}");
    let err = rejected(&text);
    assert_at(&err, (2, 1), "workload.path");
    let text = format!("name = \"x\"\n[workload]\nkeys = 100\npath = \"t.csv\"\n{strategy}");
    let err = rejected(&text);
    assert_at(&err, (4, 8), "workload.path");
    assert!(err.contains("only apply to kind = \"trace\""), "{err}");
}

#[test]
fn a_missing_name_is_reported_at_the_top_of_the_file() {
    let err = rejected("seed = 3\n[[strategy]]\nname = \"a\"\nkind = \"lru\"\ncapacity = 10\n");
    assert_at(&err, (1, 1), "name");
    assert!(err.contains("missing field `name`"), "{err}");
    let err = rejected("name = \"\"\n[[strategy]]\nname = \"a\"\nkind = \"none\"\n");
    assert_at(&err, (1, 8), "name");
}

#[test]
fn unknown_keys_and_missing_capacity_are_rejected() {
    let err = rejected("name = \"x\"\n[workload]\nalfa = 1\n[[strategy]]\nname = \"a\"\nkind = \"none\"\n");
    assert!(err.contains("bad.toml:3:1") && err.contains("alfa"), "{err}");
    let err = rejected("name = \"x\"\n[[strategy]]\nname = \"a\"\nkind = \"lru\"\n");
    assert!(err.contains("needs a capacity"), "{err}");
}

#[test]
fn missing_scenario_file_exits_2_naming_it() {
    let out = cachelab().args(["run", "/nonexistent/bad.toml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/bad.toml"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    cachelab().args(["run", "--frobnicate"]).assert().code(2);
}

#[test]
fn shipped_scenarios_parse() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            cachelab::scenario::Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

#[test]
fn a_run_with_a_spawned_redis_records_the_redis_version() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "redis.toml",
        "name = \"r\"\n[workload]\nkeys = 500\nrequests = 3000\n[[strategy]]\nname = \"redis\"\nkind = \"redis\"\n\
         spawn = true\nmaxmemory_policy = \"allkeys-lru\"\ncapacity = \"2MiB\"\n",
    );
    let out = cachelab()
        .args(["run", "-q", "--json", scenario.to_str().unwrap(), "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let version = json["environment"]["redis_version"].as_str().expect("redis_version recorded");
    assert!(version.chars().next().is_some_and(|c| c.is_ascii_digit()), "{version}");
    assert!(json["results"][0]["hits"].as_u64().unwrap() > 0);
}

#[test]
fn settings_that_would_exhaust_memory_are_rejected_at_their_key() {
    let lru = "[[strategy]]\nname = \"a\"\nkind = \"lru\"\ncapacity = 10\n";
    // Each case: the scenario, the text at fault (its line is reported), the message.
    let cases = [
        (format!("name = \"x\"\n[load]\nconcurrency = 1000000000000\n{lru}"), "concurrency = ", "between 1 and 10000"),
        (format!("name = \"x\"\n[load]\nmode = \"open\"\nrate = 1e12\n{lru}"), "rate = ", "at most 10000000"),
        (format!("name = \"x\"\n[load]\nduration = \"100000h\"\n{lru}"), "duration = ", "at most 7 days"),
        (format!("name = \"x\"\n[load]\ntimeout = \"1h\"\n{lru}"), "timeout = ", "at most 60s"),
        (
            format!("name = \"x\"\n[workload]\nvalue_size = {{ dist = \"fixed\", size = \"3GiB\" }}\n{lru}"),
            "value_size = ",
            "between 1 byte and 1GiB",
        ),
        (
            "name = \"x\"\n[workload]\nrequests = 1000000000000000\n[[strategy]]\nname = \"b\"\nkind = \"belady\"\ncapacity = 10\n"
                .to_string(),
            "requests = ",
            "at most 50000000 requests",
        ),
        (
            "name = \"x\"\n[workload]\nkeys = 100000\nvalue_size = { dist = \"fixed\", size = \"1GiB\" }\n[[strategy]]\nname = \"m\"\nkind = \"moka\"\ncapacity = 1000\n"
                .to_string(),
            "capacity = 1000",
            "over the 16.0 GiB budget",
        ),
        (
            "name = \"x\"\n[workload]\nvalue_size = { dist = \"fixed\", size = \"1GiB\" }\n[load]\nconcurrency = 64\n[[strategy]]\nname = \"n\"\nkind = \"none\"\n"
                .to_string(),
            "concurrency = 64",
            "64.0 GiB of bodies",
        ),
    ];
    for (text, at, message) in cases {
        let err = rejected(&text);
        let (line, _) = position(&text, at, 0);
        assert!(err.contains(&format!("bad.toml:{line}:")), "expected line {line} in: {err}");
        assert!(err.contains(message), "expected `{message}` in: {err}");
    }
}

#[test]
fn a_simulation_of_huge_values_allocates_no_bodies() {
    // 100 resident values of 1 GiB would be 100 GiB: an eviction policy in logical time only
    // orders keys, so this runs in a few MB.
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "huge.toml",
        "name = \"huge\"\n[workload]\nkeys = 1000\nrequests = 20000\nvalue_size = { dist = \"fixed\", size = \"1GiB\" }\n[[strategy]]\nname = \"lru\"\nkind = \"lru\"\ncapacity = 100\n[[strategy]]\nname = \"none\"\nkind = \"none\"\n",
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -v 4000000 && exec {} run -q --json {} --out {}",
            assert_cmd::cargo::cargo_bin!("cachelab").display(),
            scenario.display(),
            dir.path().display()
        ))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lru = &json["results"][0];
    assert!(lru["hits"].as_u64().unwrap() > 0 && lru["corrupt"] == 0, "{lru}");
    assert_eq!(lru["bytes_requested"].as_u64().unwrap(), lru["requests"].as_u64().unwrap() << 30);
}

#[test]
fn trace_and_file_errors_are_reported_once_and_as_what_they_are() {
    let dir = tempfile::tempdir().unwrap();
    // A missing file: the OS error once, not twice.
    let out = cachelab()
        .args(["simulate", "--trace", "/nonexistent/t.csv", "--policy", "lru", "--size", "10"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    // A broken input converted: a read error of the input, not "cannot write" the output.
    let bad = dir.path().join("bad.oracleGeneral.bin");
    let mut record = Vec::new();
    for field in
        [1u32.to_le_bytes().as_slice(), &7u64.to_le_bytes(), &100u32.to_le_bytes(), &(-5i64).to_le_bytes()]
    {
        record.extend_from_slice(field);
    }
    std::fs::write(&bad, &record).unwrap();
    let out =
        cachelab().args(["trace", "convert"]).arg(&bad).arg(dir.path().join("out.csv")).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.oracleGeneral.bin: record 1") && !err.contains("cannot write"), "{err}");
    // An empty trace is refused by simulate and by run.
    let empty = dir.path().join("empty.oracleGeneral.bin");
    std::fs::write(&empty, b"").unwrap();
    let out = cachelab()
        .args(["simulate", "--policy", "lru", "--size", "10", "--trace"])
        .arg(&empty)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("holds no requests"), "{err}");
    let scenario = write(
        dir.path(),
        "e.toml",
        &format!(
            "name = \"e\"\n[workload]\nkind = \"trace\"\npath = \"{}\"\n[[strategy]]\nname = \"l\"\nkind = \"lru\"\ncapacity = 10\n",
            empty.display()
        ),
    );
    let out = cachelab().args(["run", "-q"]).arg(&scenario).arg("--out").arg(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("holds no requests"), "{err}");
}

#[test]
fn a_run_longer_than_the_redis_safety_ttl_is_refused() {
    let text = "name = \"x\"\n[load]\nduration = \"2h\"\n[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://127.0.0.1:1\"\n";
    let err = rejected(text);
    assert!(err.contains("bad.toml:3:") && err.contains("set safety_ttl longer than the run"), "{err}");
    // With a longer safety_ttl it validates (and then fails to connect: exit 1, not 2).
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "ok.toml", &format!("{text}safety_ttl = \"3h\"\n"));
    let out = cachelab().args(["run", "-q", ok.to_str().unwrap(), "--out"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `run --check` on SMALL with `objectives` appended; returns the exit code and stderr.
fn check(dir: &Path, objectives: &str) -> (Option<i32>, String) {
    let scenario = write(dir, "small.toml", &format!("{SMALL}{objectives}"));
    let out = cachelab()
        .args(["run", scenario.to_str().unwrap(), "--check", "-q", "--out"])
        .arg(dir.join("out"))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn check_exits_0_when_a_strategy_meets_every_objective() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = check(dir.path(), "[objectives]\nmin_hit_ratio = 0.3\n");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("check passed: ") && stderr.contains("Pick "), "{stderr}");
}

#[test]
fn check_exits_3_when_no_strategy_meets_every_objective_and_names_the_closest() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = check(dir.path(), "[objectives]\nmin_hit_ratio = 0.99\n");
    assert_eq!(code, Some(3), "{stderr}");
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with("check failed: no strategy meets every objective; the closest is ")
            && last.contains("short of 0.990"),
        "{stderr}"
    );
    assert!(dir.path().join("out/small/results.json").exists(), "results are written before the verdict");
}

#[test]
fn check_without_objectives_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = check(dir.path(), "");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--check: the scenario states no [objectives] to check"), "{stderr}");
}

#[test]
fn a_run_without_objectives_names_a_strategy_and_a_size() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let out = cachelab()
        .args(["run", scenario.to_str().unwrap(), "-q", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    // Sizes in objects (LRU's three) outnumber those in bytes (moka's one); LRU alone has them.
    let headline =
        stderr.lines().find(|l| l.starts_with("No objectives were set. Pick lru ")).expect(&stderr);
    // LRU still gains more than a point per doubling at its largest size, 200 objects (10%).
    assert!(
        headline.contains("Pick lru at 200 objects: it has the highest hit ratio there (0."),
        "{headline}"
    );
    assert!(headline.contains("measure larger sizes to find the knee"), "{headline}");
}
