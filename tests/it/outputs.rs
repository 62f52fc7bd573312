//! Outputs never replace what is not a file of ours (issue 12, defect 2): a symbolic link is
//! written through to its target and stays a link, a FIFO is streamed to and stays a FIFO, a
//! directory is refused with exit code 2; for `simulate --export-*` and `trace gen` through
//! the CLI (`run` writes its exports through the same function).

use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

const TRACE: &str = "tests/data/lirs_multi1.oracleGeneral.bin.zst";

fn cachelab() -> Command {
    Command::cargo_bin("cachelab").unwrap()
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).unwrap().file_type().is_symlink()
}

fn mkfifo(path: &Path) {
    assert!(Process::new("mkfifo").arg(path).status().unwrap().success(), "mkfifo (coreutils)");
}

#[test]
fn an_export_to_a_symlink_writes_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("real.json");
    std::fs::write(&file, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    cachelab()
        .args(["simulate", "--trace", TRACE, "--policy", "lru", "--size", "100"])
        .arg("--export-json")
        .arg(&link)
        .assert()
        .success();
    assert!(is_symlink(&link), "the link was replaced by a file");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.trim_start().starts_with('{') && written.contains("\"lru\""), "{written:.80}");
}

#[test]
fn an_export_to_a_fifo_is_streamed_and_the_fifo_stays() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("summary.csv");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    cachelab()
        .args(["simulate", "--trace", TRACE, "--policy", "lru", "--size", "100"])
        .arg("--export-csv")
        .arg(&fifo)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
    // Checked before joining: a replaced FIFO would leave the reader waiting for a writer.
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    let csv = reader.join().unwrap();
    assert!(csv.starts_with("strategy,kind,") && csv.contains("lru"), "{csv:.80}");
}

#[test]
fn an_export_to_a_directory_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("taken");
    std::fs::create_dir(&target).unwrap();
    cachelab()
        .args(["simulate", "--trace", TRACE, "--policy", "lru", "--size", "100"])
        .arg("--export-markdown")
        .arg(&target)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot write the output there")
                .and(predicate::str::contains("is a directory")),
        );
    assert!(target.is_dir());
}

#[test]
fn trace_gen_through_a_symlink_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("real.csv");
    std::fs::write(&file, "old").unwrap();
    let link = dir.path().join("trace.csv");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    cachelab()
        .args(["trace", "gen", "zipf", "--keys", "50", "--requests", "500", "--out"])
        .arg(&link)
        .assert()
        .success();
    assert!(is_symlink(&link), "the link was replaced by a file");
    let lines = std::fs::read_to_string(&file).unwrap().lines().count();
    assert!((500..=501).contains(&lines), "{lines} lines");
}
