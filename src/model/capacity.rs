//! Cache capacity: an object count or a byte budget, one meaning everywhere.

use serde::{Deserialize, Serialize};

/// The unit a capacity is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CapacityUnit {
    /// Every object counts 1 whatever its size (libCacheSim's `--ignore-obj-size 1`).
    Objects,
    /// Objects count with their size in bytes.
    Bytes,
}

impl CapacityUnit {
    /// The name written in results and reports: `objects` or `bytes`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityUnit::Objects => "objects",
            CapacityUnit::Bytes => "bytes",
        }
    }
}

/// How much a cache may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Capacity {
    /// Limit in `unit`s; always at least 1.
    pub value: u64,
    /// What `value` counts.
    pub unit: CapacityUnit,
}

impl Capacity {
    /// A capacity of `n` objects.
    pub fn objects(n: u64) -> Self {
        Capacity { value: n, unit: CapacityUnit::Objects }
    }

    /// A capacity of `n` bytes.
    pub fn bytes(n: u64) -> Self {
        Capacity { value: n, unit: CapacityUnit::Bytes }
    }

    /// What an object of `size` bytes costs against this capacity.
    #[inline]
    pub fn charge(&self, size: u32) -> u64 {
        match self.unit {
            CapacityUnit::Objects => 1,
            CapacityUnit::Bytes => u64::from(size),
        }
    }

    /// `share` of this capacity, rounded down but at least 1 when `share > 0` (queue splits).
    pub fn share(&self, share: f64) -> u64 {
        let v = (self.value as f64 * share).floor() as u64;
        if share > 0.0 { v.max(1) } else { 0 }
    }
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.unit {
            CapacityUnit::Objects => write!(f, "{} objects", self.value),
            CapacityUnit::Bytes => write!(f, "{} bytes", self.value),
        }
    }
}
