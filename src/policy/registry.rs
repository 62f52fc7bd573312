//! Policies by name: the one place that maps a name (scenario `kind`, `--policy`) to a policy.

use serde::{Deserialize, Serialize};

use super::{Capacity, Lru, Policy};

/// Every eviction policy cachelab implements, by its scenario/CLI name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Least recently used.
    Lru,
}

impl PolicyKind {
    /// Every policy with a one-line description, for `cachelab list`.
    pub const ALL: &'static [(PolicyKind, &'static str)] =
        &[(PolicyKind::Lru, "least recently used (textbook)")];

    /// The stable name used in scenario files, on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Lru => "lru",
        }
    }

    /// Parses a policy name (case-insensitive; `-` and `_` ignored, so `S3-FIFO` = `s3fifo`).
    pub fn parse(name: &str) -> Option<PolicyKind> {
        let norm: String =
            name.chars().filter(|c| *c != '-' && *c != '_').flat_map(char::to_lowercase).collect();
        Self::ALL.iter().map(|(k, _)| *k).find(|k| k.name().replace('_', "") == norm)
    }

    /// Whether the policy needs next-access (future) knowledge: only Belady.
    pub fn needs_future(self) -> bool {
        false
    }
}

/// Optional tuning parameters; each policy reads the ones it understands and documents the
/// default it uses when absent. Unknown keys are rejected by the scenario parser.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyParams {}

/// Builds the policy `kind` with `params` and `capacity`.
pub fn build_policy(kind: PolicyKind, _params: &PolicyParams, capacity: Capacity) -> Box<dyn Policy> {
    match kind {
        PolicyKind::Lru => Box::new(Lru::new(capacity)),
    }
}

/// Names of every policy, in listing order.
pub fn policy_names() -> Vec<&'static str> {
    PolicyKind::ALL.iter().map(|(k, _)| k.name()).collect()
}
