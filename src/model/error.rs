//! Errors a user can fix (bad input: exit code 2), as opposed to run failures (exit code 1).
//! Every message names the file, place, key or flag at fault.

use std::path::PathBuf;

/// Bad input: a scenario, trace or flag the user must correct. The CLI exits with code 2.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// A file could not be read.
    #[error("{}: cannot read: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why (in the message only, not a separate source: error chains would print it
        /// twice).
        cause: std::io::Error,
    },
    /// A scenario file is malformed or has an invalid value.
    #[error("{}:{line}:{column}: {}{message}\n{line:>5} | {text}", path.display(), key.as_ref().map(|k| format!("key `{k}`: ")).unwrap_or_default())]
    Scenario {
        /// The scenario file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The key assigned on that line, when there is one.
        key: Option<String>,
        /// What is wrong.
        message: String,
        /// The offending line as written.
        text: String,
    },
    /// A trace file has a bad record.
    #[error("{}: {location}: {message}", path.display())]
    Trace {
        /// The trace file.
        path: PathBuf,
        /// Where: `line N` for text formats, `record N` for binary ones.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A results.json is malformed or from an incompatible schema version.
    #[error("{}: not a usable cachelab results.json: {message}", path.display())]
    Results {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An output path that cachelab will not write (a directory, a socket, a dangling link).
    #[error("{}: cannot write the output there: {message}", path.display())]
    Output {
        /// The path as given.
        path: PathBuf,
        /// Why not.
        message: String,
    },
    /// A command-line value is invalid.
    #[error("{flag}: {message}")]
    Flag {
        /// The flag, e.g. `--size`.
        flag: String,
        /// What is wrong.
        message: String,
    },
}

/// A run stopped by a signal (Ctrl-C, SIGTERM) after writing its partial results. The CLI
/// exits with `exit_code` (128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM).
#[derive(Debug, thiserror::Error)]
#[error("interrupted; partial results written to {}", path.display())]
pub struct Interrupted {
    /// The results.json written (marked `partial: true`).
    pub path: PathBuf,
    /// The process's exit code.
    pub exit_code: u8,
}

/// `cachelab run --check` found no strategy meeting every objective of the scenario. The CLI
/// exits with [`ObjectivesMissed::EXIT_CODE`]; the report says what each strategy misses.
#[derive(Debug, thiserror::Error)]
#[error(
    "check failed: no strategy meets every objective{}",
    closest.as_ref().map_or(String::new(), |c| format!("; the closest is {c}"))
)]
pub struct ObjectivesMissed {
    /// The strategy that came closest and what it misses, when any strategy ran.
    pub closest: Option<String>,
}

impl ObjectivesMissed {
    /// The process's exit code when the check fails.
    pub const EXIT_CODE: u8 = 3;
}
