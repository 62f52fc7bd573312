//! `[[strategy]]` entries: which strategy, at which capacities, with which parameters.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::units::{Capacities, CapacitySpec};
use crate::policy::{PolicyKind, PolicyParams};

/// The kind of storage strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrategyKind {
    /// moka's concurrent W-TinyLFU cache.
    Moka,
    /// No cache: every request goes to the origin.
    None,
    /// An in-memory cache driven exactly by one of our eviction policies.
    Policy(PolicyKind),
}

impl StrategyKind {
    /// Every non-policy strategy kind with a one-line description, for `cachelab list`.
    pub const BACKENDS: &'static [(&'static str, &'static str)] = &[
        ("moka", "moka 0.12 sync::Cache (W-TinyLFU), in process"),
        ("none", "no cache: the baseline, every request reaches the origin"),
    ];

    /// Parses a kind name: a backend or any policy name.
    pub fn parse(name: &str) -> Option<StrategyKind> {
        match name {
            "moka" => Some(StrategyKind::Moka),
            "none" => Some(StrategyKind::None),
            other => PolicyKind::parse(other).map(StrategyKind::Policy),
        }
    }

    /// The name as written in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            StrategyKind::Moka => "moka",
            StrategyKind::None => "none",
            StrategyKind::Policy(p) => p.name(),
        }
    }

    /// Every accepted kind name.
    pub fn all_names() -> Vec<&'static str> {
        Self::BACKENDS.iter().map(|(n, _)| *n).chain(crate::policy::policy_names()).collect()
    }
}

impl fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for StrategyKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for StrategyKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        StrategyKind::parse(&name).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown strategy kind `{name}`; known kinds: {}",
                StrategyKind::all_names().join(", ")
            ))
        })
    }
}

/// One `[[strategy]]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    /// Display name, unique in the scenario.
    pub name: String,
    /// Which strategy.
    pub kind: StrategyKind,
    /// Capacity, or a list of capacities to sweep (not used by `none`).
    #[serde(default)]
    pub capacity: Option<Capacities>,
    /// Policy tuning parameters (e.g. `params = { small_ratio = 0.1 }` for s3fifo).
    #[serde(default)]
    pub params: PolicyParams,
}

impl StrategySpec {
    /// Checks what the parser cannot: a capacity where one is needed, and parameters that
    /// fit the policy.
    pub fn validate(&self) -> Result<(), String> {
        if let StrategyKind::Policy(kind) = self.kind {
            self.params.validate(kind)?;
        } else if self.params != PolicyParams::default() {
            return Err(format!("kind `{}` takes no policy params", self.kind));
        }
        match (self.kind, &self.capacity) {
            (StrategyKind::None, _) => Ok(()),
            (_, None) => {
                Err(format!("kind `{}` needs a capacity (e.g. capacity = 10000 or \"64MiB\")", self.kind))
            }
            _ => Ok(()),
        }
    }

    /// The capacities to run (one for `none`, which has none).
    pub fn capacities(&self) -> Vec<Option<CapacitySpec>> {
        match (&self.capacity, self.kind) {
            (_, StrategyKind::None) | (None, _) => vec![None],
            (Some(c), _) => c.0.iter().copied().map(Some).collect(),
        }
    }
}
