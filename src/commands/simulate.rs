//! `cachelab simulate`: replay a trace through policies at several sizes (the fast path).

use std::time::Instant;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::SimulateArgs;
use crate::error::InputError;
use crate::policy::{Capacity, PolicyKind, PolicyParams, policy_names};
use crate::runner::simulate::{self, Job, Row};
use crate::scenario::units::CapacitySpec;
use crate::workload::trace::{TraceSource, scan_stats};

/// A cache size as given on the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeArg {
    /// This many objects (or bytes with `--bytes`).
    Absolute(u64),
    /// This share of the footprint.
    Share(f64),
}

/// Parses one `--size` value: a count, a byte size (only with `--bytes`) or a percentage.
pub fn parse_size(text: &str, bytes: bool) -> Result<SizeArg, InputError> {
    let bad = |message: String| InputError::Flag { flag: "--size".into(), message };
    match CapacitySpec::parse(text).map_err(bad)? {
        CapacitySpec::Objects(n) => Ok(SizeArg::Absolute(n)),
        CapacitySpec::Bytes(n) if bytes => Ok(SizeArg::Absolute(n)),
        CapacitySpec::Bytes(_) => {
            Err(bad(format!("`{text}` is a byte size; add --bytes to simulate byte capacities")))
        }
        CapacitySpec::Share(s) => Ok(SizeArg::Share(s)),
    }
}

/// Parses `--policy` names.
pub fn parse_policies(names: &[String]) -> Result<Vec<PolicyKind>, InputError> {
    names
        .iter()
        .map(|n| {
            PolicyKind::parse(n).ok_or_else(|| InputError::Flag {
                flag: "--policy".into(),
                message: format!("unknown policy `{n}`; known policies: {}", policy_names().join(", ")),
            })
        })
        .collect()
}

/// Runs `cachelab simulate`.
pub fn execute(args: &SimulateArgs) -> anyhow::Result<()> {
    let source = super::trace::source(&args.trace, &args.input)?;
    let policies = parse_policies(&args.policy)?;
    let sizes = resolve_sizes(args, &source)?;
    let capacity = |n: u64| if args.bytes { Capacity::bytes(n) } else { Capacity::objects(n) };
    let jobs: Vec<Job> = policies
        .iter()
        .flat_map(|&policy| {
            sizes.iter().map(move |&n| Job { policy, params: PolicyParams::default(), capacity: capacity(n) })
        })
        .collect();
    let start = Instant::now();
    let rows = simulate::run(&source, &jobs, args.threads.map(|t| t.get()))?;
    let elapsed = start.elapsed().as_secs_f64();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{}", table(&rows));
        let total: u64 = rows.iter().map(|r| r.requests).sum();
        eprintln!(
            "{} runs, {total} requests replayed in {elapsed:.2} s ({:.1} M requests/s in all); sizes in {}",
            rows.len(),
            total as f64 / elapsed.max(1e-9) / 1e6,
            if args.bytes { "bytes" } else { "objects" }
        );
    }
    Ok(())
}

/// The absolute sizes to simulate: `--size` values (percentages resolved against the
/// footprint, rounded up) or the `--mrc` sizes.
fn resolve_sizes(args: &SimulateArgs, source: &TraceSource) -> anyhow::Result<Vec<u64>> {
    let given: Vec<SizeArg> =
        args.size.iter().map(|s| parse_size(s, args.bytes)).collect::<Result<_, _>>()?;
    let needs_footprint = args.mrc || given.iter().any(|s| matches!(s, SizeArg::Share(_)));
    let footprint = if needs_footprint {
        let stats = scan_stats(source)?;
        if args.bytes { stats.footprint_bytes } else { stats.footprint_objects }
    } else {
        0
    };
    if args.mrc {
        return Ok(simulate::mrc_sizes(footprint));
    }
    Ok(given
        .into_iter()
        .map(|s| match s {
            SizeArg::Absolute(n) => n,
            SizeArg::Share(share) => ((footprint as f64 * share).ceil() as u64).max(1),
        })
        .collect())
}

/// The terminal table: one row per (policy, size), columns named like the JSON fields.
pub fn table(rows: &[Row]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["policy", "cache_size", "requests", "hits", "misses", "miss_ratio", "byte_miss_ratio"]);
    for r in rows {
        table.add_row([
            r.policy.clone(),
            r.cache_size.to_string(),
            r.requests.to_string(),
            r.hits.to_string(),
            r.misses.to_string(),
            format!("{:.6}", r.miss_ratio),
            format!("{:.6}", r.byte_miss_ratio),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_as_counts_bytes_or_shares() {
        assert_eq!(parse_size("1000", false).unwrap(), SizeArg::Absolute(1000));
        assert_eq!(parse_size("64MiB", true).unwrap(), SizeArg::Absolute(64 << 20));
        assert_eq!(parse_size("5%", true).unwrap(), SizeArg::Share(0.05));
        assert!(parse_size("64MiB", false).unwrap_err().to_string().contains("--bytes"));
        assert!(parse_size("0", false).is_err());
    }

    #[test]
    fn unknown_policies_are_named() {
        let err = parse_policies(&["lru".into(), "nope".into()]).unwrap_err().to_string();
        assert!(err.contains("`nope`") && err.contains("lru"), "{err}");
    }
}
