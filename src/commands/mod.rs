//! One module per subcommand: each turns parsed flags into work and output.

pub mod cleanup;
pub mod compare;
pub mod list;
pub mod merge;
pub mod mrc;
pub mod origin;
pub mod report;
pub mod run;
pub mod serve;
pub mod simulate;
pub mod trace;

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar on stderr, hidden when stderr is not a terminal or `quiet` is set.
pub fn progress_bar(quiet: bool, what: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, eta {eta})",
        )
        .expect("valid template"),
    );
    bar.set_message(what.to_string());
    bar
}
