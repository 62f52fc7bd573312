//! Hostile inputs through the real CLI, under a memory limit: mutated scenario files (every
//! file in `scenarios/`) through `cachelab run`, and random and truncated trace files through
//! `simulate`, `trace stats` and `trace convert`. Every outcome must be exit 0, 1 or 2 with a
//! message on stderr (or 143 when a valid scenario is still running and is told to stop with
//! SIGTERM); never an abort, a crash signal, a panic or a hang. Seeded, so a failure replays.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Virtual memory limit of every run, KiB (4 GiB).
const MEMORY_LIMIT_KIB: u64 = 4 << 20;
/// How long a valid scenario may run before it is told to stop.
const RUN_FOR: Duration = Duration::from_secs(2);
/// How long a run has to exit after SIGTERM (it writes partial results and cleans up).
const STOP_GRACE: Duration = Duration::from_secs(15);
/// Mutants per scenario file.
const MUTANTS: usize = 6;

/// A small seeded generator (splitmix64), so the test needs no RNG crate of its own.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Values a mutation writes in place of a setting's value.
const HOSTILE_VALUES: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "-inf",
    "18446744073709551615",
    "9223372036854775807",
    "4294967295",
    "1000000000000",
    "\"\"",
    "\"∞ ünïcödé 🦀\"",
    "\"4294967295GiB\"",
    "\"-5s\"",
    "\"1000000000h\"",
    "\"0ms\"",
    "[]",
    "{}",
    "[1, 2, 3]",
    "true",
    "\"../../../../etc\"",
    "\"/\"",
    "\"~\"",
];

/// One mutation of `text`: a line deleted, duplicated or swapped with another, or a value
/// replaced by a hostile one.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return String::new();
    }
    for _ in 0..1 + rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(5) {
            0 => {
                lines.remove(i);
            }
            1 => lines.insert(i, lines[i].clone()),
            2 => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
            _ => {
                if let Some((key, _)) = lines[i].split_once(" = ").filter(|_| !lines[i].starts_with('#')) {
                    lines[i] = format!("{key} = {}", HOSTILE_VALUES[rng.below(HOSTILE_VALUES.len())]);
                } else {
                    lines[i] = format!("workload.keys = {}", HOSTILE_VALUES[rng.below(HOSTILE_VALUES.len())]);
                }
            }
        }
        if lines.is_empty() {
            break;
        }
    }
    // Never reach a server the test does not own: any Redis URL points at a closed port.
    lines.join("\n").replace("redis://", "redis://127.0.0.1:1/?orig=")
}

/// Starts `cachelab ARGS` under the memory limit, in `dir`, with stdout discarded.
fn spawn(dir: &Path, args: &[&str]) -> Child {
    let mut line = format!(
        "ulimit -v {MEMORY_LIMIT_KIB} && exec {}",
        assert_cmd::cargo::cargo_bin!("cachelab").display()
    );
    for a in args {
        line.push_str(&format!(" '{}'", a.replace('\'', "'\\''")));
    }
    Command::new("bash")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` (asking it to stop with SIGTERM after `run_for`) and checks how it ended;
/// returns its exit code. `what` names the case in failures.
fn outcome(mut child: Child, run_for: Duration, what: &str) -> i32 {
    let started = Instant::now();
    let mut stopped_at = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        match stopped_at {
            None if started.elapsed() > run_for => {
                let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
                stopped_at = Some(Instant::now());
            }
            Some(at) if at.elapsed() > STOP_GRACE => {
                let _ = child.kill();
                panic!("{what}: still running {STOP_GRACE:?} after SIGTERM (a hang)");
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let Some(code) = status.code() else {
        panic!("{what}: killed by a signal ({status:?}); stderr:\n{stderr}");
    };
    assert!(!stderr.contains("panicked"), "{what}: a panic:\n{stderr}");
    match code {
        0 => {}
        1 | 2 => assert!(stderr.contains("error"), "{what}: exit {code} without a message:\n{stderr}"),
        143 => assert!(stopped_at.is_some(), "{what}: 143 without a SIGTERM:\n{stderr}"),
        _ => panic!("{what}: exit {code}; stderr:\n{stderr}"),
    }
    code
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn mutated_scenarios_end_in_an_exit_code_with_a_message() {
    let mut rng = Rng(0x5CE4_A210);
    let mut codes = std::collections::BTreeMap::<i32, usize>::new();
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for n in 0..MUTANTS {
            let dir = tempfile::tempdir().unwrap();
            let mutant = dir.path().join(&name);
            let mutated = mutate(&text, &mut rng);
            std::fs::write(&mutant, &mutated).unwrap();
            let child = spawn(dir.path(), &["run", "-q", mutant.to_str().unwrap(), "--out", "out"]);
            let code = outcome(child, RUN_FOR, &format!("{name} mutant {n}:\n{mutated}\n"));
            *codes.entry(code).or_default() += 1;
        }
    }
    eprintln!("mutated scenarios, exit code: count = {codes:?}");
    assert!(codes.get(&2).copied().unwrap_or(0) > 0, "some mutants are invalid and refused: {codes:?}");
}

#[test]
fn random_and_truncated_traces_end_in_an_exit_code_with_a_message() {
    let mut rng = Rng(0x7_2ACE);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let real = [
        std::fs::read(data.join("lirs_multi1.oracleGeneral.bin.zst")).unwrap(),
        std::fs::read(data.join("cloudPhysicsIO.csv.zst")).unwrap(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut cases = 0;
    for n in 0..24 {
        // Random bytes, a real trace cut short, or a real trace with bytes overwritten; as each
        // format, plain or compressed by name.
        let bytes: Vec<u8> = match n % 3 {
            0 => (0..rng.below(5000)).map(|_| rng.next() as u8).collect(),
            1 => {
                let src = &real[rng.below(2)];
                src[..rng.below(src.len())].to_vec()
            }
            _ => {
                let mut src = real[rng.below(2)].clone();
                for _ in 0..1 + rng.below(20) {
                    let i = rng.below(src.len());
                    src[i] = rng.next() as u8;
                }
                src
            }
        };
        let name = ["t.oracleGeneral.bin", "t.oracleGeneral.bin.zst", "t.csv", "t.csv.zst"][rng.below(4)];
        let path = dir.path().join(format!("{n}-{name}"));
        std::fs::write(&path, &bytes).unwrap();
        let p = path.to_str().unwrap();
        let out_csv = dir.path().join(format!("{n}-out.csv"));
        for args in [
            vec!["simulate", "--trace", p, "--policy", "lru,s3fifo,belady", "--size", "10,5%"],
            vec!["trace", "stats", p],
            vec!["trace", "convert", p, out_csv.to_str().unwrap()],
        ] {
            let what = format!("{} on case {n} ({name}, {} bytes)", args[..2].join(" "), bytes.len());
            outcome(spawn(dir.path(), &args), Duration::from_secs(30), &what);
            cases += 1;
        }
    }
    assert_eq!(cases, 72);
}

#[test]
fn truncated_and_damaged_samples_of_every_format_end_in_an_exit_code_with_a_message() {
    let mut rng = Rng(0x14_F0A7);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let samples = [
        ("twitter_sample.csv", "twitter"),
        ("meta_kv_2022_sample.csv", "meta-kv"),
        ("meta_kv_2024_sample.csv", "meta-kv"),
        ("cloudPhysicsIO_window.vscsi", "vscsi"),
        ("access_combined_sample.log", "access-log"),
        ("lcs_v2_sample.lcs.zst", "lcs"),
        ("lcs_v8_sample.lcs.zst", "lcs"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut codes = std::collections::BTreeMap::<i32, usize>::new();
    for (name, format) in samples {
        let real = std::fs::read(data.join(name)).unwrap();
        for n in 0..4 {
            // Cut short (also inside a compressed frame), or bytes overwritten.
            let mut bytes = real.clone();
            if n % 2 == 0 {
                bytes.truncate(rng.below(real.len()));
            } else {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next() as u8;
                }
            }
            let path = dir.path().join(format!("{n}-{name}"));
            std::fs::write(&path, &bytes).unwrap();
            let p = path.to_str().unwrap();
            for args in [
                vec!["simulate", "--trace", p, "--format", format, "--policy", "lru,belady", "--size", "10"],
                vec!["trace", "stats", p, "--format", "auto"],
            ] {
                let what = format!("{} on {name} case {n} ({} bytes)", args[..2].join(" "), bytes.len());
                *codes
                    .entry(outcome(spawn(dir.path(), &args), Duration::from_secs(30), &what))
                    .or_default() += 1;
            }
        }
    }
    eprintln!("damaged samples, exit code: count = {codes:?}");
    assert!(codes.get(&2).copied().unwrap_or(0) > 0, "some damage is reported as bad input: {codes:?}");
}
