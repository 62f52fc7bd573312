//! Keys on a Redis server cachelab did not start never outlive a run by much, whatever ends
//! it: SIGTERM cleans up like Ctrl-C (exit 143), every key carries the safety TTL, the run's
//! prefix is printed and recorded, `cachelab cleanup` removes what a SIGKILL left (and nothing
//! else), and a user who may not SCAN or UNLINK is refused before anything is written.
//! Private servers only: these tests count every key on the server.

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cachelab::strategy::redis_server::{RedisServer, ServerOptions};

use crate::support::background_run;
use crate::support::ctrl_c::signal_and_wait;
use crate::support::redis_keys::{ForeignKeys, count_keys, raw};

fn private_server() -> RedisServer {
    RedisServer::start(ServerOptions::default()).unwrap_or_else(|e| panic!("{e:#}"))
}

/// A load run of 60 s against the server at `url`, written to `dir/s.toml`.
fn long_run(dir: &Path, url: &str, extra: &str) -> std::path::PathBuf {
    let file = dir.join("s.toml");
    std::fs::write(
        &file,
        format!(
            "name = \"long\"\n[workload]\nkeys = 5000\n[origin]\nlatency = {{ dist = \"fixed\", ms = 0 }}\n[load]\nduration = \"60s\"\nwarmup = \"100ms\"\nconcurrency = 4\n[[strategy]]\nname = \"shared\"\nkind = \"redis\"\nurl = \"{url}\"\n{extra}"
        ),
    )
    .unwrap();
    file
}

/// Reads the rest of the run's stderr.
fn rest(mut stderr: impl Read) -> String {
    let mut text = String::new();
    stderr.read_to_string(&mut text).unwrap();
    text
}

/// The key prefix a run names in `line`, its first on stderr (the strategy announces where its
/// keys live as soon as it is connected, before the load starts).
fn announced_prefix(line: &str) -> String {
    line.trim()
        .strip_prefix("strategy `shared`: keys under ")
        .unwrap_or_else(|| panic!("the run says where its keys live: {line:?}"))
        .to_string()
}

/// Waits until the server holds at least one key under `pattern`.
fn wait_for_keys(url: &str, pattern: &str) {
    for _ in 0..200 {
        if count_keys(url, pattern) > 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the run wrote no key matching {pattern} within 5 s");
}

#[test]
fn sigterm_writes_partial_results_exits_143_and_leaves_no_key() {
    let server = private_server();
    let url = server.url();
    let mut foreign = ForeignKeys::write(raw(&url));
    let dir = tempfile::tempdir().unwrap();
    let file = long_run(dir.path(), &url, "");
    let out = dir.path().join("out");
    let background_run::Running { mut child, stderr, first_line } =
        background_run::spawn_run(&file, &out, None);
    let prefix = announced_prefix(&first_line);
    wait_for_keys(&url, &format!("{prefix}*"));
    std::thread::sleep(Duration::from_millis(500));
    let status = signal_and_wait(&mut child, "TERM", Duration::from_secs(15));
    let rest = rest(stderr);
    assert_eq!(status.code(), Some(143), "stderr: {rest}");
    assert!(rest.contains("interrupted by SIGTERM"), "stderr: {rest}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("long/results.json")).unwrap()).unwrap();
    assert_eq!(json["partial"], true);
    assert_eq!(json["results"][0]["key_prefix"], prefix.as_str());
    assert!(json["results"][0]["requests"].as_u64().unwrap() > 0);
    assert_eq!(count_keys(&url, "cachelab:*"), 1, "only the foreign cachelab:-named key is left");
    assert!(foreign.lost().is_empty(), "keys that are not the run's stay: {:?}", foreign.lost());
}

#[test]
fn keys_a_killed_run_leaves_expire_and_cleanup_removes_only_them() {
    let server = private_server();
    let url = server.url();
    let mut foreign = ForeignKeys::write(raw(&url));
    let dir = tempfile::tempdir().unwrap();
    let file = long_run(dir.path(), &url, "safety_ttl = \"10m\"\n");
    // Keep its stderr open: a run whose stderr is closed dies on its next message.
    let background_run::Running { mut child, first_line, stderr: _stderr } =
        background_run::spawn_run(&file, &dir.path().join("out"), None);
    let prefix = announced_prefix(&first_line);
    wait_for_keys(&url, &format!("{prefix}*"));
    std::thread::sleep(Duration::from_millis(300));
    signal_and_wait(&mut child, "KILL", Duration::from_secs(5));
    // Everything the run wrote expires within its safety TTL.
    let mut conn = raw(&url);
    let run_keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}*")).query(&mut conn).unwrap();
    assert!(run_keys.len() > 10, "a killed run leaves keys: {}", run_keys.len());
    for k in &run_keys {
        let ttl: i64 = redis::cmd("PTTL").arg(k).query(&mut conn).unwrap();
        assert!(ttl > 0 && ttl <= 600_000, "{k} must expire within safety_ttl = 10m, PTTL {ttl}");
    }
    let cleanup = |args: &[&str]| {
        Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
            .args(["cleanup", "--redis", &url])
            .args(args)
            .output()
            .unwrap()
    };
    let dry = cleanup(&["--prefix", &prefix, "--dry-run"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert!(
        String::from_utf8_lossy(&dry.stdout).starts_with(&format!("{} keys under {prefix}", run_keys.len()))
    );
    assert_eq!(count_keys(&url, &format!("{prefix}*")), run_keys.len(), "a dry run removes nothing");
    let refused = cleanup(&["--prefix", "*"]);
    assert_eq!(refused.status.code(), Some(2), "a prefix outside cachelab: is refused");
    let removed = cleanup(&["--prefix", &prefix]);
    assert!(removed.status.success(), "{}", String::from_utf8_lossy(&removed.stderr));
    assert_eq!(
        String::from_utf8_lossy(&removed.stdout).trim(),
        format!("removed {} keys under {prefix} from {url}", run_keys.len())
    );
    assert_eq!(count_keys(&url, &format!("{prefix}*")), 0);
    assert!(foreign.lost().is_empty(), "cleanup removed keys that are not the run's: {:?}", foreign.lost());
}

#[test]
fn a_user_who_may_not_scan_is_refused_before_the_run_writes_anything() {
    let server = private_server();
    let url = server.url();
    let mut admin = raw(&url);
    redis::cmd("ACL")
        .arg(&["SETUSER", "noscan", "on", ">pw", "~*", "+@all", "-scan"][..])
        .query::<()>(&mut admin)
        .unwrap();
    let limited = url.replacen("redis://", "redis://noscan:pw@", 1);
    let dir = tempfile::tempdir().unwrap();
    let file = long_run(dir.path(), &limited, "");
    let out = assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("cachelab"))
        .args(["run", "-q", "--out"])
        .arg(dir.path())
        .arg(&file)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("SCAN and UNLINK"), "the error says what is missing: {stderr}");
    assert!(!stderr.contains(":pw@"), "the password is never shown: {stderr}");
    let total: u64 = redis::cmd("DBSIZE").query(&mut admin).unwrap();
    assert_eq!(total, 0, "nothing was written");
}
