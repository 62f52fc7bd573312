//! `cachelab trace gen|stats|convert`: write generated workloads as traces, describe a trace,
//! convert between formats.

use std::path::Path;

use crate::cli::{TraceArgs, TraceCommand, TraceConvertArgs, TraceGenArgs, TraceInputArgs, TraceStatsArgs};
use crate::model::error::InputError;
use crate::model::units::{Fraction, Positive};
use crate::workload::trace::{
    AccessLogOptions, CsvOptions, ReadOptions, TraceFormat, TraceOp, TraceRecord, TraceSource, TraceStats,
    count_requests, scan_stats, write_trace,
};
use crate::workload::{GeneratorKind, ValueSize, WorkloadSpec};

/// Runs `cachelab trace ...`.
pub fn execute(args: &TraceArgs) -> anyhow::Result<()> {
    match &args.command {
        TraceCommand::Gen(a) => generate(a),
        TraceCommand::Stats(a) => stats(a),
        TraceCommand::Convert(a) => convert(a),
    }
}

/// The trace `path` read as `input` says; a detected format is named on stderr.
pub fn source(path: &Path, input: &TraceInputArgs) -> Result<TraceSource, InputError> {
    let csv = CsvOptions {
        time: input.time_col.clone(),
        id: input.id_col.clone(),
        size: input.size_col.clone(),
        string_ids: input.string_ids,
        first_size: input.first_size,
    };
    let defaults = AccessLogOptions::default();
    let access_log = AccessLogOptions {
        drop_query: input.log_drop_query,
        drop_params: input.log_drop_param.clone(),
        methods: if input.log_methods.is_empty() { defaults.methods } else { input.log_methods.clone() },
        statuses: if input.log_statuses.is_empty() { defaults.statuses } else { input.log_statuses.clone() },
    };
    let read = ReadOptions { ignore_ops: input.ignore_ops, access_log };
    let (source, note) = TraceSource::choose(path, input.format, csv, read)?;
    if let Some(note) = note {
        eprintln!("{}: {note}", path.display());
    }
    Ok(source)
}

fn flag(flag: &str, message: impl Into<String>) -> InputError {
    InputError::Flag { flag: flag.into(), message: message.into() }
}

/// The workload `cachelab trace gen` flags describe.
pub fn gen_spec(a: &TraceGenArgs) -> Result<WorkloadSpec, InputError> {
    let norm = a.generator.replace('-', "_").to_lowercase();
    let generators = || GeneratorKind::ALL.iter().filter(|g| g.0 != GeneratorKind::Trace);
    let kind = generators().find(|g| g.1 == norm).map(|g| g.0).ok_or_else(|| {
        let names: Vec<&str> = generators().map(|g| g.1).collect();
        flag("GENERATOR", format!("unknown generator `{}`; known: {}", a.generator, names.join(", ")))
    })?;
    if !(a.alpha.is_finite() && a.alpha > 0.0) {
        return Err(flag("--alpha", format!("must be a number greater than 0, got {}", a.alpha)));
    }
    let share = |name: &str, v: f64| {
        if (0.0..=1.0).contains(&v) {
            Ok(Fraction(v))
        } else {
            Err(flag(name, format!("must be between 0 and 1, got {v}")))
        }
    };
    let spec = WorkloadSpec {
        kind,
        keys: a.keys,
        requests: a.requests,
        alpha: Positive(a.alpha),
        value_size: ValueSize::Fixed { size: a.value_size },
        hot_keys: share("--hot-keys", a.hot_keys)?,
        hot_share: share("--hot-share", a.hot_share)?,
        shift_every: a.shift_every,
        shift_by: a.shift_by,
        ..WorkloadSpec::default()
    };
    spec.validate().map_err(|e| {
        let key = e.key.split('.').next().unwrap_or_default().replace('_', "-");
        flag(&format!("--{key}"), e.message)
    })?;
    Ok(spec)
}

fn generate(a: &TraceGenArgs) -> anyhow::Result<()> {
    let spec = gen_spec(a)?;
    let stream = spec.stream(a.seed).map_err(|m| flag("trace gen", m))?;
    let records = (0u64..).zip(stream).map(|(time, r)| Ok(TraceRecord::read(time, r.key, r.size)));
    let n = write_trace(&a.out, records)?;
    println!("wrote {n} requests to {}", a.out.display());
    Ok(())
}

fn stats(a: &TraceStatsArgs) -> anyhow::Result<()> {
    let src = source(&a.file, &a.input)?;
    if a.requests_only {
        let n = count_requests(&src)?;
        if a.json {
            println!("{}", serde_json::json!({ "requests": n }));
        } else {
            println!("requests  {n}");
        }
        return Ok(());
    }
    let s = scan_stats(&src)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        print!("{}", render_stats(&src, &s));
    }
    Ok(())
}

/// The text `cachelab trace stats` prints.
pub fn render_stats(src: &TraceSource, s: &TraceStats) -> String {
    let alpha = s.zipf_alpha.map_or("-".to_string(), |a| format!("{a:.4}"));
    format!(
        "trace                  {}\nformat                 {}\nrequests               {}\n\
         reads                  {}\nwrites                 {}\ndeletes                {}\n\
         with a TTL             {}\nunique objects         {}\nfootprint objects      {}\nfootprint bytes        {}\n\
         bytes requested        {}\none-hit wonders        {} ({:.4} of objects)\n\
         zipf alpha (fitted)    {alpha}\n",
        src.path.display(),
        src.format,
        s.requests,
        s.reads,
        s.writes,
        s.deletes,
        s.with_ttl,
        s.unique_objects,
        s.footprint_objects,
        s.footprint_bytes,
        s.bytes_requested,
        s.one_hit_wonders,
        s.one_hit_wonder_ratio,
    )
}

fn convert(a: &TraceConvertArgs) -> anyhow::Result<()> {
    let src = source(&a.input, &a.read)?;
    let mut lost = 0u64;
    let records = src.records()?.inspect(|r| {
        if let Ok(r) = r {
            lost += u64::from(r.op != TraceOp::Read || r.ttl > 0);
        }
    });
    let n = write_trace(&a.output, records)?;
    println!("wrote {n} requests to {}", a.output.display());
    if lost > 0 && TraceFormat::from_path(&a.output)? != TraceFormat::Lcs {
        eprintln!(
            "warning: {lost} requests are writes, deletes or carry a TTL; {} keeps none of that (they \
             were written as reads): convert to *.lcs to keep them",
            a.output.display()
        );
    }
    Ok(())
}
