//! The `cachelab` binary: parse flags, run the command, map errors to exit codes
//! (0 ok, 1 the run failed, 2 bad input, 3 `run --check` found no strategy meeting every
//! objective, 130 interrupted by Ctrl-C, 143 by SIGTERM).

use std::process::ExitCode;

use cachelab::cli::{Cli, Command};
use cachelab::commands;
use cachelab::model::error::{InputError, Interrupted, ObjectivesMissed};
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Run(args) => commands::run::execute(args),
        Command::List => {
            print!("{}", commands::list::render());
            Ok(())
        }
        Command::Report(args) => commands::report::execute(args),
        Command::Compare(args) => commands::compare::execute(args),
        Command::Simulate(args) => commands::simulate::execute(args),
        Command::Merge(args) => commands::merge::execute(args),
        Command::Mrc(args) => commands::mrc::execute(args),
        Command::Trace(args) => commands::trace::execute(args),
        Command::Serve(args) => commands::serve::execute(args),
        Command::Origin(args) => commands::origin::execute(args),
        Command::Cleanup(args) => commands::cleanup::execute(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(interrupted) = err.downcast_ref::<Interrupted>() {
                eprintln!("{err}");
                return ExitCode::from(interrupted.exit_code);
            }
            if err.downcast_ref::<ObjectivesMissed>().is_some() {
                eprintln!("{err}");
                return ExitCode::from(ObjectivesMissed::EXIT_CODE);
            }
            let bad_input = err.chain().any(|e| e.downcast_ref::<InputError>().is_some());
            eprintln!("error: {err:#}");
            ExitCode::from(if bad_input { 2 } else { 1 })
        }
    }
}
