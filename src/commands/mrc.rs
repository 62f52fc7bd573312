//! `cachelab mrc`: miss-ratio curves of a trace in one pass ([`crate::mrc`]).

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::simulate::{SizeArg, parse_policies, parse_size};
use crate::cli::MrcArgs;
use crate::model::error::InputError;
use crate::mrc::{self, Curves, DEFAULT_POINTS, DEFAULT_RATE, Method, Plan, Point, Sampling, Sizes};
use crate::policy::PolicyKind;
use crate::workload::trace::{empty_trace, scan_replayable};

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
    };
    let minisim_samples = args.samples.is_some() && plan.curves.iter().any(|c| c.1 == Method::MiniSim);
    let shares = given.iter().any(|s| matches!(s, SizeArg::Share(_)));
    let points_first = given.is_empty() && plan.sizes_up_front();
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
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result.points)?);
    } else {
        println!("{}", table(&result.points));
    }
    Ok(())
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
