//! `cachelab list`: every generator, policy and strategy kind with a line on each.

use crate::policy::{AdmissionSpec, PolicyKind};
use crate::strategy::StrategyKind;
use crate::workload::GeneratorKind;

/// The text `cachelab list` prints.
pub fn render() -> String {
    let mut out = String::from("Workload generators ([workload] kind):\n");
    for (_, name, what) in GeneratorKind::ALL {
        out.push_str(&format!("  {name:<16} {what}\n"));
    }
    out.push_str("\nEviction policies (strategy kind, and --policy for simulate):\n");
    for (kind, what) in PolicyKind::ALL {
        out.push_str(&format!("  {:<16} {what}\n", kind.name()));
    }
    out.push_str(
        "\nAdmission filters (admission = { kind = ... } on a policy strategy, --admission for simulate):\n",
    );
    for (name, what) in AdmissionSpec::ALL {
        out.push_str(&format!("  {name:<16} {what}\n"));
    }
    out.push_str("\nStrategies ([[strategy]] kind): every policy above, plus\n");
    for (name, what) in StrategyKind::BACKENDS {
        out.push_str(&format!("  {name:<16} {what}\n"));
    }
    out
}
