//! `cachelab mrc`: miss-ratio curves of a trace in one pass ([`crate::mrc`]).

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::simulate::{SizeArg, parse_policies, parse_size};
use crate::cli::MrcArgs;
use crate::metrics::{MissRatioCurve, RunResult, Started};
use crate::model::error::InputError;
use crate::model::output::write_atomic;
use crate::mrc::{self, Curves, DEFAULT_POINTS, DEFAULT_RATE, Method, Plan, Point, Sampling, Sizes};
use crate::policy::PolicyKind;
use crate::runner::shard::{SHARD_KEY, Shard};
use crate::workload::trace::{TraceSource, empty_trace, scan_replayable, scan_stats};

fn flag(flag: &str, message: impl Into<String>) -> InputError {
    InputError::Flag { flag: flag.into(), message: message.into() }
}

/// Each policy with the method that draws it: `--method`, or exact for LRU and minisim for
/// the others.
pub fn methods(
    policies: &[PolicyKind],
    method: Option<Method>,
) -> Result<Vec<(PolicyKind, Method)>, InputError> {
    policies
        .iter()
        .map(|&p| match method {
            Some(m) if m.supports(p) => Ok((p, m)),
            Some(m) => Err(flag(
                "--method",
                format!(
                    "{m} draws LRU curves only, not `{}`; use --method minisim for other policies",
                    p.name()
                ),
            )),
            None if p == PolicyKind::Lru => Ok((p, Method::Exact)),
            None => Ok((p, Method::MiniSim)),
        })
        .collect()
}

/// Runs `cachelab mrc`.
pub fn execute(args: &MrcArgs) -> anyhow::Result<()> {
    args.export.check_stdout(args.json)?;
    let started_at = Started::now();
    let source = super::trace::source(&args.trace, &args.input)?;
    let curves = methods(&parse_policies(&args.policy)?, args.method)?;
    if let Some(r) = args.rate
        && !(r > 0.0 && r <= 1.0)
    {
        return Err(flag("--rate", format!("must be in (0, 1], got {r}")).into());
    }
    let given: Vec<SizeArg> =
        args.size.iter().map(|s| parse_size(s, args.bytes)).collect::<Result<_, _>>()?;
    let mut plan = Plan {
        curves,
        sampling: match args.samples {
            Some(n) => Sampling::Samples(n.get()),
            None => Sampling::Rate(args.rate.unwrap_or(DEFAULT_RATE)),
        },
        bytes: args.bytes,
        sizes: Sizes::Points(args.points.map_or(DEFAULT_POINTS, |n| n.get())),
        cells: None,
    };
    let minisim_samples = args.samples.is_some() && plan.curves.iter().any(|c| c.1 == Method::MiniSim);
    let shares = given.iter().any(|s| matches!(s, SizeArg::Share(_)));
    let points_first = given.is_empty() && (plan.sizes_up_front() || args.shard.is_some());
    let footprint = if shares || points_first || minisim_samples {
        let stats = scan_replayable(&source)?;
        Some(if args.bytes { stats.footprint_bytes } else { stats.footprint_objects })
    } else {
        None
    };
    if !given.is_empty() {
        let f = footprint.unwrap_or(0);
        plan.sizes = Sizes::Given(
            given
                .iter()
                .map(|s| match *s {
                    SizeArg::Absolute(n) => n,
                    SizeArg::Share(share) => ((f as f64 * share).ceil() as u64).max(1),
                })
                .collect(),
        );
    } else if let (true, Some(f), Sizes::Points(n)) = (points_first, footprint, &plan.sizes) {
        plan.sizes = Sizes::Given(mrc::log_sizes(f, *n));
    }
    if let (Some(shard), Sizes::Given(sizes)) = (args.shard, &plan.sizes) {
        plan.cells = Some(shard_cells(&plan.curves, sizes, shard));
    }
    let started = std::time::Instant::now();
    let result = if let (true, Some(f), Some(n)) = (minisim_samples, footprint, args.samples) {
        // minisim samples a fixed share: the one that keeps about N keys of this footprint.
        let objects = if args.bytes { scan_replayable(&source)?.footprint_objects } else { f };
        let rate = (n.get() as f64 / objects.max(1) as f64).min(1.0);
        let shards_size = plan.sampling;
        let mini: Vec<_> = plan.curves.iter().copied().filter(|c| c.1 == Method::MiniSim).collect();
        let others: Vec<_> = plan.curves.iter().copied().filter(|c| c.1 != Method::MiniSim).collect();
        let mut a =
            mrc::profile(&source, &Plan { curves: mini, sampling: Sampling::Rate(rate), ..plan.clone() })?;
        if !others.is_empty() {
            let b = mrc::profile(&source, &Plan { curves: others, sampling: shards_size, ..plan.clone() })?;
            a.points.extend(b.points);
            a.notes.extend(b.notes);
        }
        a
    } else {
        mrc::profile(&source, &plan)?
    };
    let elapsed = started.elapsed().as_secs_f64();
    if result.requests == 0 {
        return Err(empty_trace(&source.path).into());
    }
    describe(&result, elapsed);
    warn_unresolved(&result);
    let run = if args.report.is_some() || args.export.any() {
        Some(run_result(args, &source, &plan, &result, &started_at, elapsed)?)
    } else {
        None
    };
    if args.export.to_stdout() {
        // Standard output carries the export alone (check_stdout refused --json beside it).
    } else if args.json {
        println!("{}", serde_json::to_string_pretty(&result.points)?);
    } else {
        println!("{}", table(&result.points));
    }
    if let Some(run) = &run {
        super::report::write_exports(run, &args.export)?;
        if let Some(dir) = &args.report {
            write_atomic(&dir.join("results.json"), crate::export::json(run)?.as_bytes())?;
            let report = super::report::write_folder(run, dir)?;
            super::report::print_outcome(&report, dir);
        }
    }
    Ok(())
}

/// The (policy, size) cells of shard `shard`: cell `i` of the whole sweep, counted curve by
/// curve with sizes ascending, belongs to shard `i mod N`.
fn shard_cells(curves: &[(PolicyKind, Method)], sizes: &[u64], shard: Shard) -> Vec<(PolicyKind, u64)> {
    let mut sizes = sizes.to_vec();
    sizes.sort_unstable();
    sizes.dedup();
    curves
        .iter()
        .flat_map(|&(policy, _)| sizes.iter().map(move |&size| (policy, size)))
        .enumerate()
        .filter(|&(i, _)| shard.takes(i))
        .map(|(_, cell)| cell)
        .collect()
}

/// A sampling rate as a short percentage (`1%`, `0.25%`).
fn percent(rate: f64) -> String {
    let text = format!("{:.4}", rate * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The curves as a [`RunResult`] for reports, exports and `cachelab merge`: no result rows
/// (a sampled point is an estimate, not a count), one [`MissRatioCurve`] per policy and
/// method, the trace's statistics (one more pass).
fn run_result(
    args: &MrcArgs,
    source: &TraceSource,
    plan: &Plan,
    curves: &Curves,
    started: &Started,
    elapsed_s: f64,
) -> anyhow::Result<RunResult> {
    let stats = scan_stats(source)?;
    let path = args.trace.display().to_string();
    let name = args.trace.file_name().map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
    let sizes: Vec<u64> = match &plan.sizes {
        Sizes::Given(s) => s.clone(),
        Sizes::Points(_) => {
            let mut s: Vec<u64> = curves.points.iter().map(|p| p.cache_size).collect();
            s.sort_unstable();
            s.dedup();
            s
        }
    };
    let mut scenario = serde_json::json!({
        "name": name,
        "description": format!("miss-ratio curves of {path}"),
        "command": "mrc",
        "trace": { "path": path, "format": source.format.name(), "sizes_in": curves.unit.as_str() },
        "curves": plan.curves.iter().map(|(p, m)| format!("{} {m}", p.name())).collect::<Vec<_>>(),
        "sampling": match plan.sampling {
            Sampling::Rate(r) => serde_json::json!({ "rate": r }),
            Sampling::Samples(n) => serde_json::json!({ "samples": n }),
        },
        "sizes": sizes,
    });
    if let Some(shard) = args.shard {
        scenario[SHARD_KEY] = serde_json::Value::from(shard.to_string());
    }
    let mut drawn: Vec<MissRatioCurve> = Vec::new();
    for p in &curves.points {
        let method = match p.sample_rate {
            Some(rate) => format!("{} {}", p.method, percent(rate)),
            None => p.method.to_string(),
        };
        let at = match drawn.iter().position(|c| c.strategy == p.policy && c.method == method) {
            Some(at) => at,
            None => {
                drawn.push(MissRatioCurve {
                    strategy: p.policy.clone(),
                    method,
                    capacity_unit: curves.unit,
                    points: Vec::new(),
                });
                drawn.len() - 1
            }
        };
        drawn[at].points.push((p.cache_size, p.miss_ratio));
    }
    Ok(RunResult {
        duration_s: elapsed_s,
        trace: Some(super::simulate::trace_summary(&args.trace, source, stats)),
        curves: drawn,
        ..RunResult::new(&name, "simulation", scenario, 0, started)
    })
}

/// Tells on stderr what ran: each method, its rate and expected error when sampled.
fn describe(curves: &Curves, elapsed: f64) {
    eprintln!(
        "{} requests, footprint {} {} ({}), {elapsed:.2} s",
        curves.requests,
        curves.footprint,
        curves.unit.as_str(),
        if curves.notes.iter().any(|n| n.method == Method::Exact) { "exact" } else { "estimated" },
    );
    for note in &curves.notes {
        match (note.sample_rate, note.sampled_requests) {
            (Some(rate), Some(sampled)) => eprintln!(
                "{}: sampled rate {rate:.6} ({sampled} requests in the sample){}",
                note.method,
                note.expected_error
                    .map(|e| format!(", expected mean absolute error ±{e:.4}"))
                    .unwrap_or_default()
            ),
            _ => eprintln!("{}: every request's reuse distance (exact)", note.method),
        }
    }
}

/// Says on stderr where the curves are less than exact or precise: sampled sizes below the
/// sample's resolution, byte curves of a trace whose objects change size.
fn warn_unresolved(curves: &Curves) {
    for note in &curves.notes {
        let Some(rate) = note.sample_rate else { continue };
        let floor = (mrc::RESOLUTION / rate).ceil() as u64;
        let below = curves.points.iter().filter(|p| p.method == note.method && p.cache_size < floor).count();
        if below > 0 && curves.unit == crate::model::CapacityUnit::Objects {
            eprintln!(
                "note: {below} {} points are below {floor} objects, where a sample at rate {rate:.4} \
                 holds under {} objects per cache: expect larger errors there (raise --rate)",
                note.method,
                mrc::RESOLUTION
            );
        }
    }
    if curves.resized > 0 {
        eprintln!(
            "note: {} requests changed their object's size; a simulated cache keeps the size at \
             admission, so exact byte counts may differ slightly from `simulate --bytes`",
            curves.resized
        );
    }
}

/// The terminal table: one row per (policy, size).
pub fn table(points: &[Point]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["policy", "method", "cache_size", "miss_ratio", "sample_rate"]);
    for p in points {
        table.add_row([
            p.policy.clone(),
            p.method.to_string(),
            p.cache_size.to_string(),
            format!("{:.6}", p.miss_ratio),
            p.sample_rate.map(|r| format!("{r:.6}")).unwrap_or_default(),
        ]);
    }
    table
}
