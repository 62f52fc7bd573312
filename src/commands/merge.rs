//! `cachelab merge`: join the results of a sweep's shards ([`crate::runner::shard::merge`]).

use crate::cli::MergeArgs;
use crate::model::error::InputError;
use crate::model::output::write_atomic;
use crate::runner::shard;

/// Runs `cachelab merge`.
pub fn execute(args: &MergeArgs) -> anyhow::Result<()> {
    let parts = args.files.iter().map(|f| super::report::read_results(f)).collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = args.files.iter().map(|f| f.display().to_string()).collect();
    let merged =
        shard::merge(parts, &names).map_err(|message| InputError::Flag { flag: "merge".into(), message })?;
    write_atomic(&args.out, crate::export::json(&merged)?.as_bytes())?;
    eprintln!(
        "{} results from {} shards written to {}",
        merged.results.len(),
        names.len(),
        args.out.display()
    );
    Ok(())
}
