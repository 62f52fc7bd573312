//! The spec of a file cache: its directory, its one capacity and the policy that evicts.

use std::path::PathBuf;

use super::{StrategyKind, StrategyTable};
use crate::model::Invalid;
use crate::model::units::{Capacities, CapacitySpec};
use crate::policy::{PolicyKind, PolicyParams};
use crate::strategy::FileConfig;

/// A valid `kind = "file"` strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSpec {
    /// The cache directory (created if missing; relative paths from the working dir).
    pub dir: PathBuf,
    /// Its one capacity (a file cache owns its directory, so it cannot sweep).
    pub capacity: CapacitySpec,
    /// The eviction policy as written (None: LRU).
    pub policy: Option<PolicyKind>,
    /// The policy's tuning parameters (validated against it).
    pub params: PolicyParams,
    /// fsync each entry and its directory before the write counts.
    pub fsync: bool,
    /// Delete what earlier runs stored (only this cache's own entry files) at start.
    pub cold_start: bool,
}

impl FileSpec {
    /// Checks a `kind = "file"` table: a non-empty dir, one capacity, a policy that needs no
    /// future knowledge. The error names the field at fault.
    pub(super) fn from_table(t: &StrategyTable) -> Result<FileSpec, Invalid> {
        let dir = match &t.dir {
            None => return Err(Invalid::new("dir", "kind = \"file\" needs dir = \"path/to/cache-dir\"")),
            Some(d) if d.as_os_str().is_empty() => return Err(Invalid::new("dir", "dir must not be empty")),
            Some(d) => d.clone(),
        };
        let capacities = t.need_capacity()?;
        let [capacity] = capacities.0[..] else {
            return Err(Invalid::new(
                "capacity",
                "a file cache owns its directory, so it cannot sweep capacities: write one \
                 [[strategy]] per capacity, each with its own dir",
            ));
        };
        if let Some(p) = t.policy
            && p.needs_future()
        {
            return Err(Invalid::new(
                "policy",
                format!("policy `{}` needs future knowledge, which a file cache does not have", p.name()),
            ));
        }
        Ok(FileSpec {
            dir,
            capacity,
            policy: t.policy,
            params: t.params.clone(),
            fsync: t.fsync,
            cold_start: t.cold_start,
        })
    }

    /// This spec written back as a table (for the scenario echoed in results).
    pub(super) fn to_table(&self, name: &str) -> StrategyTable {
        let mut t = StrategyTable::empty(name, StrategyKind::File);
        t.dir = Some(self.dir.clone());
        t.capacity = Some(Capacities(vec![self.capacity]));
        t.policy = self.policy;
        t.params = self.params.clone();
        t.fsync = self.fsync;
        t.cold_start = self.cold_start;
        t
    }

    /// How to open the cache.
    pub fn config(&self) -> FileConfig {
        FileConfig {
            dir: self.dir.clone(),
            policy: self.policy.unwrap_or(PolicyKind::Lru),
            params: self.params.clone(),
            fsync: self.fsync,
            cold_start: self.cold_start,
        }
    }
}
