//! `cachelab run` in the background for CLI tests that interrupt it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

/// A `cachelab run` in the background, started by [`spawn_run`].
pub struct Running {
    /// The process.
    pub child: Child,
    /// The rest of its stderr.
    pub stderr: BufReader<ChildStderr>,
    /// Its first line on stderr (where the run announces itself, after installing its Ctrl-C
    /// handler).
    pub first_line: String,
}

/// Starts `cachelab run FILE --out OUT` (with `TMPDIR` set to `tmp` when given), its stderr
/// piped, and waits for its first line.
pub fn spawn_run(file: &Path, out: &Path, tmp: Option<&Path>) -> Running {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cachelab"));
    command.arg("run").arg(file).arg("--out").arg(out).stdout(Stdio::null()).stderr(Stdio::piped());
    if let Some(tmp) = tmp {
        command.env("TMPDIR", tmp);
    }
    let mut child = command.spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first_line = String::new();
    stderr.read_line(&mut first_line).unwrap();
    Running { child, stderr, first_line }
}
