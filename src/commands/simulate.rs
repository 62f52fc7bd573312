//! `cachelab simulate`: replay a trace through policies at several sizes (the fast path).

use std::path::Path;
use std::time::Instant;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::SimulateArgs;
use crate::metrics::{Backend, Counts, RunResult, Started, StrategyResult, TraceSummary};
use crate::model::error::InputError;
use crate::model::output::write_atomic;
use crate::model::units::CapacitySpec;
use crate::model::{Capacity, CapacityUnit};
use crate::policy::{AdmissionSpec, PolicyKind, PolicyParams, policy_names};
use crate::report::Report;
use crate::runner::shard::SHARD_KEY;
use crate::runner::trace_policies::{self, Job, Row};
use crate::workload::trace::{TraceSource, TraceStats, empty_trace, scan_stats};

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
    args.export.check_stdout(args.json)?;
    let started = Started::now();
    let source = super::trace::source(&args.trace, &args.input)?;
    let mut policies = parse_policies(&args.policy)?;
    let admission = args
        .admission
        .as_deref()
        .map(AdmissionSpec::parse_flag)
        .transpose()
        .map_err(|message| InputError::Flag { flag: "--admission".into(), message })?;
    let filtered = policies.len();
    let wants_result = args.report.is_some() || args.export.any();
    if args.report.is_some() && !policies.contains(&PolicyKind::Belady) {
        policies.push(PolicyKind::Belady);
    }
    let needs_footprint = args.mrc || args.size.iter().any(|s| s.trim().ends_with('%'));
    let stats = if wants_result || needs_footprint { Some(scan_stats(&source)?) } else { None };
    let sizes = resolve_sizes(args, stats.as_ref())?;
    let capacity = |n: u64| if args.bytes { Capacity::bytes(n) } else { Capacity::objects(n) };
    // The filter stands in front of the policies asked for, not of the Belady bound a report
    // adds (a bound behind a filter would no longer be one).
    let jobs: Vec<Job> = policies
        .iter()
        .enumerate()
        .flat_map(|(i, &policy)| {
            let admission = admission.clone().filter(|_| i < filtered);
            sizes.iter().map(move |&n| Job {
                policy,
                params: PolicyParams::default(),
                capacity: capacity(n),
                admission: admission.clone(),
            })
        })
        .enumerate()
        .filter(|(i, _)| args.shard.is_none_or(|s| s.takes(*i)))
        .map(|(_, job)| job)
        .collect();
    let start = Instant::now();
    let rows = trace_policies::run(&source, &jobs, args.threads.map(|t| t.get()))?;
    let elapsed = start.elapsed().as_secs_f64();
    if rows.first().is_some_and(|r| r.requests == 0) {
        return Err(empty_trace(&source.path).into());
    }
    let result = stats
        .filter(|_| wants_result)
        .map(|stats| run_result(args, &source, (&policies, &sizes), &rows, stats, &started, elapsed));
    let report = write_outputs(args, result.as_ref())?;
    if args.export.to_stdout() {
        // Standard output carries the export alone (check_stdout refused --json beside it).
    } else if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!("{}", table(&rows));
        let total: u64 = rows.iter().map(|r| r.requests).sum();
        eprintln!(
            "{} runs, {total} requests replayed in {elapsed:.2} s ({:.1} M requests/s in all); sizes in {}",
            rows.len(),
            total as f64 / elapsed.max(1e-9) / 1e6,
            if args.bytes { CapacityUnit::Bytes } else { CapacityUnit::Objects }.as_str()
        );
    }
    if let Some((report, dir)) = report {
        super::report::print_outcome(&report, dir);
    }
    Ok(())
}

/// The absolute sizes to simulate: `--size` values (percentages resolved against the
/// footprint, rounded up) or the `--mrc` sizes. `stats` is there when they need the footprint.
fn resolve_sizes(args: &SimulateArgs, stats: Option<&TraceStats>) -> anyhow::Result<Vec<u64>> {
    let given: Vec<SizeArg> =
        args.size.iter().map(|s| parse_size(s, args.bytes)).collect::<Result<_, _>>()?;
    let footprint = match stats {
        Some(stats) if args.bytes => stats.footprint_bytes,
        Some(stats) => stats.footprint_objects,
        None => 0,
    };
    if args.mrc {
        return Ok(trace_policies::mrc_sizes(footprint));
    }
    Ok(given
        .into_iter()
        .map(|s| match s {
            SizeArg::Absolute(n) => n,
            SizeArg::Share(share) => ((footprint as f64 * share).ceil() as u64).max(1),
        })
        .collect())
}

/// Writes the exports and the report folder (with its results.json) that the flags ask for;
/// returns the report and its folder when one was written.
fn write_outputs<'a>(
    args: &'a SimulateArgs,
    result: Option<&RunResult>,
) -> anyhow::Result<Option<(Report, &'a Path)>> {
    let Some(result) = result else { return Ok(None) };
    super::report::write_exports(result, &args.export)?;
    let Some(dir) = &args.report else { return Ok(None) };
    write_atomic(&dir.join("results.json"), crate::export::json(result)?.as_bytes())?;
    Ok(Some((super::report::write_folder(result, dir)?, dir.as_path())))
}

/// The simulation as a [`RunResult`], so that reports and exports render it like a scenario
/// run: one result per (policy, size), the trace's statistics alongside.
fn run_result(
    args: &SimulateArgs,
    source: &TraceSource,
    (policies, sizes): (&[PolicyKind], &[u64]),
    rows: &[Row],
    stats: TraceStats,
    started: &Started,
    elapsed_s: f64,
) -> RunResult {
    let unit = if args.bytes { CapacityUnit::Bytes } else { CapacityUnit::Objects };
    let path = args.trace.display().to_string();
    let name = args.trace.file_name().map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
    let results = rows
        .iter()
        .map(|r| {
            let reads = r.hits + r.misses;
            let bytes_missed = (r.byte_miss_ratio * stats.bytes_requested as f64).round() as u64;
            let counts = Counts {
                requests: r.requests,
                hits: r.hits,
                misses: r.misses,
                writes: r.writes,
                bytes_requested: stats.bytes_requested,
                bytes_hit: stats.bytes_requested.saturating_sub(bytes_missed),
                ..Counts::default()
            };
            let bound = PolicyKind::parse(&r.policy).is_some_and(PolicyKind::needs_future);
            StrategyResult {
                strategy: r.policy.clone(),
                kind: r.policy.clone(),
                capacity: Some(serde_json::Value::from(r.cache_size)),
                capacity_value: Some(r.cache_size),
                capacity_unit: Some(unit),
                backend: Backend::Policy,
                memory_bytes: StrategyResult::memory_bytes(
                    Backend::Policy,
                    Some(r.cache_size),
                    Some(unit),
                    None,
                ),
                survives_restart: false,
                key_prefix: None,
                damaged_at_open: 0,
                damaged_in_warmup: 0,
                error_causes: Vec::new(),
                bound,
                hit_ratio: if reads == 0 { 0.0 } else { r.hits as f64 / reads as f64 },
                byte_hit_ratio: counts.byte_hit_ratio(),
                counts,
                final_entries: 0,
                final_bytes: None,
                elapsed_s: 0.0,
                tiers: Vec::new(),
                load: None,
                intervals: Vec::new(),
            }
        })
        .collect();
    let mut scenario = serde_json::json!({
        "name": name,
        "description": format!("trace replay of {path}"),
        "trace": { "path": path, "format": source.format.name(), "sizes_in": unit.as_str() },
        "policies": policies.iter().map(|p| p.name()).collect::<Vec<_>>(),
        "sizes": sizes,
    });
    if let Some(shard) = args.shard {
        scenario[SHARD_KEY] = serde_json::Value::from(shard.to_string());
    }
    RunResult {
        duration_s: elapsed_s,
        results,
        trace: Some(trace_summary(&args.trace, source, stats)),
        ..RunResult::new(&name, "simulation", scenario, 0, started)
    }
}

/// The statistics of the trace at `trace` (as given on the command line) for results.
pub fn trace_summary(trace: &Path, source: &TraceSource, stats: TraceStats) -> TraceSummary {
    TraceSummary {
        path: trace.display().to_string(),
        format: source.format.name().into(),
        requests: stats.requests,
        reads: stats.reads,
        writes: stats.writes,
        deletes: stats.deletes,
        with_ttl: stats.with_ttl,
        unique_objects: stats.unique_objects,
        footprint_bytes: stats.footprint_bytes,
        bytes_requested: stats.bytes_requested,
        one_hit_wonders: stats.one_hit_wonders,
        one_hit_wonder_ratio: stats.one_hit_wonder_ratio,
        zipf_alpha: stats.zipf_alpha,
        popularity: stats.popularity,
    }
}

/// The terminal table: one row per (policy, size), columns named like the JSON fields; the
/// columns of writes, deletes and expired reads only when some row has any.
pub fn table(rows: &[Row]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let ops = rows.iter().any(|r| r.writes + r.deletes + r.expired > 0);
    let mut header = vec!["policy", "cache_size", "requests", "hits", "misses"];
    if ops {
        header.extend(["writes", "deletes", "expired"]);
    }
    header.extend(["miss_ratio", "byte_miss_ratio"]);
    table.set_header(header);
    for r in rows {
        let mut cells = vec![
            r.policy.clone(),
            r.cache_size.to_string(),
            r.requests.to_string(),
            r.hits.to_string(),
            r.misses.to_string(),
        ];
        if ops {
            cells.extend([r.writes.to_string(), r.deletes.to_string(), r.expired.to_string()]);
        }
        cells.extend([format!("{:.6}", r.miss_ratio), format!("{:.6}", r.byte_miss_ratio)]);
        table.add_row(cells);
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
