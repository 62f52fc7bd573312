//! `cachelab compare A B`: the change between two runs, as a table and optionally a page.

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use crate::cli::CompareArgs;
use crate::model::error::InputError;
use crate::model::output::write_atomic;
use crate::report::compare::{Comparison, compare, page, value_text, workload_difference};

/// Runs `cachelab compare`.
pub fn execute(args: &CompareArgs) -> anyhow::Result<()> {
    let a = super::report::read_results(&args.a)?;
    let b = super::report::read_results(&args.b)?;
    let difference = workload_difference(&a, &b);
    if let (Some(why), false) = (&difference, args.force) {
        let message = format!(
            "{} and {} ran different workloads ({why}); their numbers are not comparable (--force compares them anyway)",
            args.a.display(),
            args.b.display()
        );
        return Err(InputError::Flag { flag: "compare".into(), message }.into());
    }
    let comparison = compare(&a, &b);
    println!("{}", table(&comparison));
    if !comparison.unmatched.is_empty() {
        println!("in one run only: {}", comparison.unmatched.join(", "));
    }
    println!("{} change(s) beyond run-to-run noise. Rule: {}.", comparison.flagged(), comparison.rule);
    if let Some(dir) = &args.report {
        let path = dir.join("index.html");
        write_atomic(&path, page(&comparison, difference.as_deref())?.as_bytes())?;
        eprintln!("comparison page: {}", path.display());
    }
    Ok(())
}

/// One line per measure of each row present in both runs; flagged changes marked `*`.
fn table(c: &Comparison) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["strategy", "kind", "measure", "A", "B", "change", "flag", "why"]);
    for r in &c.rows {
        for ch in &r.changes {
            table.add_row([
                r.label.clone(),
                r.kind.clone(),
                ch.measure.clone(),
                value_text(ch.a),
                value_text(ch.b),
                ch.delta(),
                if ch.flagged { "*".into() } else { String::new() },
                ch.why.clone(),
            ]);
        }
    }
    table
}
