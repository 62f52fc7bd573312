//! Ctrl-C in simulation mode, through the real CLI: the run stops cleanly, writes
//! results.json marked partial, exits with code 130, and a Redis server it spawned is stopped
//! by the run itself (its temporary directory removed), not left to die with the process.

use crate::support::background_run;
use crate::support::ctrl_c;

use std::io::BufReader;
use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

/// Starts `cachelab run` on `scenario` (written to `dir`) with `TMPDIR` in `dir/tmp`, and waits
/// for its note that the simulation started (the Ctrl-C handler is installed before it).
fn start(dir: &Path, scenario: &str) -> (Child, BufReader<std::process::ChildStderr>) {
    let file = dir.join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let background_run::Running { child, stderr, first_line } =
        background_run::spawn_run(&file, &dir.join("out"), Some(&dir.join("tmp")));
    assert!(first_line.starts_with("simulation: "), "the run announces itself: {first_line:?}");
    (child, stderr)
}

/// Sends SIGINT to `child`, waits (at most 15 s) for it to exit and returns its exit code and
/// the rest of its stderr.
fn interrupt(mut child: Child, mut stderr: BufReader<std::process::ChildStderr>) -> (Option<i32>, String) {
    let status = ctrl_c::interrupt_and_wait(&mut child, Duration::from_secs(15));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    (status.code(), rest)
}

fn results(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("out/long/results.json")).expect("results.json written");
    serde_json::from_str(&text).unwrap()
}

/// A simulation far too long to finish: a billion requests per cell.
const LONG: &str = "name = \"long\"\n[workload]\nkeys = 1000\nrequests = 1_000_000_000\nwarmup = 0.0\n";

#[test]
fn ctrl_c_stops_a_simulation_and_writes_partial_results() {
    let dir = tempfile::tempdir().unwrap();
    let strategies: String = ["lru", "fifo", "sieve", "clock"]
        .iter()
        .map(|k| format!("[[strategy]]\nname = \"{k}\"\nkind = \"{k}\"\ncapacity = 100\n"))
        .collect();
    let (child, stderr) = start(dir.path(), &format!("{LONG}{strategies}"));
    std::thread::sleep(Duration::from_millis(500));
    let (code, rest) = interrupt(child, stderr);
    assert_eq!(code, Some(130), "stderr: {rest}");
    assert!(rest.contains("interrupted"), "stderr: {rest}");
    let json = results(dir.path());
    assert_eq!(json["partial"], true);
    assert_eq!(json["mode"], "simulation");
    let results = json["results"].as_array().unwrap();
    // Cells run one per core at a time; none could finish, so only those started are reported.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    assert!((1..=cores.min(4)).contains(&results.len()), "{} cells reported", results.len());
    let requests: u64 = results.iter().map(|r| r["requests"].as_u64().unwrap()).sum();
    assert!(requests > 0 && requests < 1_000_000_000, "the measured part so far is reported: {requests}");
}

/// Children of `pid` named `name`, from /proc.
fn children_named(pid: u32, name: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else { continue };
        // pid (comm) state ppid ...
        let Some((comm, rest)) = stat.split_once(") ") else { continue };
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) && comm.ends_with(&format!("({name}")) {
            out.push(child);
        }
    }
    out
}

#[test]
fn ctrl_c_stops_the_redis_server_a_simulation_spawned() {
    let dir = tempfile::tempdir().unwrap();
    let redis = "[[strategy]]\nname = \"redis\"\nkind = \"redis\"\nspawn = true\ncapacity = \"4MiB\"\n";
    let (child, stderr) = start(dir.path(), &format!("{LONG}{redis}"));
    let started = Instant::now();
    let server = loop {
        if let Some(&pid) = children_named(child.id(), "redis-server").first() {
            break pid;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "no redis-server child within 10 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(500));
    let (code, rest) = interrupt(child, stderr);
    assert_eq!(code, Some(130), "stderr: {rest}");
    assert!(!rest.contains("warning"), "clean shutdown: {rest}");
    assert!(!Path::new(&format!("/proc/{server}")).exists(), "redis-server {server} is gone");
    // The kernel would kill an orphaned server too, but only the run's own shutdown removes
    // the server's temporary directory.
    let left: Vec<_> =
        std::fs::read_dir(dir.path().join("tmp")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "the spawned server's directory was removed: {left:?}");
    let json = results(dir.path());
    assert_eq!(json["partial"], true);
    assert!(json["results"][0]["requests"].as_u64().unwrap() > 0, "{}", json["results"][0]);
    assert_eq!(json["results"][0]["errors"], 0, "the server was stopped after the last request");
}
