//! Policies by name: the one place that maps a name (scenario `kind`, `--policy`) to a policy.

use serde::{Deserialize, Serialize};

use super::{ArcPolicy, Capacity, Lirs, Lru, Policy, WTinyLfu};
use super::{DEFAULT_HIR_RATIO, DEFAULT_PROTECTED_RATIO, DEFAULT_WINDOW_RATIO};
use crate::scenario::units::Fraction;

/// Every eviction policy cachelab implements, by its scenario/CLI name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Least recently used.
    Lru,
    /// Adaptive Replacement Cache (Megiddo & Modha, FAST 2003).
    Arc,
    /// Low Inter-reference Recency Set (Jiang & Zhang, SIGMETRICS 2002).
    Lirs,
    /// Window TinyLFU (Einziger, Friedman & Manes, 2017), libCacheSim's variant.
    #[serde(rename = "wtinylfu")]
    WTinyLfu,
}

impl PolicyKind {
    /// Every policy with a one-line description, for `cachelab list`.
    pub const ALL: &'static [(PolicyKind, &'static str)] = &[
        (PolicyKind::Lru, "least recently used (textbook)"),
        (
            PolicyKind::Arc,
            "adaptive replacement cache: recency and frequency lists tuned by ghost hits (FAST 2003)",
        ),
        (PolicyKind::Lirs, "low inter-reference recency set; param hir_ratio (SIGMETRICS 2002)"),
        (
            PolicyKind::WTinyLfu,
            "LRU window + frequency-gated segmented LRU; params window_ratio, protected_ratio",
        ),
    ];

    /// The stable name used in scenario files, on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Lru => "lru",
            PolicyKind::Arc => "arc",
            PolicyKind::Lirs => "lirs",
            PolicyKind::WTinyLfu => "wtinylfu",
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
pub struct PolicyParams {
    /// lirs: share of the capacity for resident HIR objects (default 0.01, libCacheSim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hir_ratio: Option<Fraction>,
    /// wtinylfu: share of the capacity for the LRU window (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ratio: Option<Fraction>,
    /// wtinylfu: share of the main cache for the protected segment (default 0.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_ratio: Option<Fraction>,
}

/// Builds the policy `kind` with `params` and `capacity`.
pub fn build_policy(kind: PolicyKind, params: &PolicyParams, capacity: Capacity) -> Box<dyn Policy> {
    let share = |v: Option<Fraction>, default: f64| v.map_or(default, |f| f.0);
    match kind {
        PolicyKind::Lru => Box::new(Lru::new(capacity)),
        PolicyKind::Arc => Box::new(ArcPolicy::new(capacity)),
        PolicyKind::Lirs => Box::new(Lirs::new(capacity, share(params.hir_ratio, DEFAULT_HIR_RATIO))),
        PolicyKind::WTinyLfu => Box::new(WTinyLfu::new(
            capacity,
            share(params.window_ratio, DEFAULT_WINDOW_RATIO),
            share(params.protected_ratio, DEFAULT_PROTECTED_RATIO),
        )),
    }
}

/// Names of every policy, in listing order.
pub fn policy_names() -> Vec<&'static str> {
    PolicyKind::ALL.iter().map(|(k, _)| k.name()).collect()
}
