//! The spec of a file cache: its directory, its one capacity and the policy that evicts.

use std::path::{Path, PathBuf};

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
    /// Share a directory that holds files cachelab did not write.
    pub allow_foreign: bool,
}

impl FileSpec {
    /// Checks a `kind = "file"` table: a non-empty dir, one capacity, a policy that needs no
    /// future knowledge. The error names the field at fault.
    pub(super) fn from_table(t: &StrategyTable) -> Result<FileSpec, Invalid> {
        let dir = match &t.dir {
            None => return Err(Invalid::new("dir", "kind = \"file\" needs dir = \"path/to/cache-dir\"")),
            Some(d) if d.as_os_str().is_empty() => return Err(Invalid::new("dir", "dir must not be empty")),
            Some(d) => cache_dir(d, std::env::var_os("HOME").map(PathBuf::from).as_deref())
                .map_err(|message| Invalid::new("dir", message))?,
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
            allow_foreign: t.allow_foreign,
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
        t.allow_foreign = self.allow_foreign;
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
            allow_foreign: self.allow_foreign,
        }
    }
}

/// The cache directory `written` names: `~` and `~/...` expand against `home`; a filesystem
/// root and the home directory itself are refused (a cache spreads 272 fan-out directories
/// over its directory).
fn cache_dir(written: &Path, home: Option<&Path>) -> Result<PathBuf, String> {
    let dir = match written.strip_prefix("~") {
        Ok(rest) => match home {
            Some(home) => home.join(rest),
            None => return Err("`~` cannot be expanded: HOME is not set; write the full path".into()),
        },
        Err(_) => written.to_path_buf(),
    };
    let resolved = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
    if resolved.parent().is_none() {
        return Err(format!("{} is a filesystem root; name a directory of the cache's own", dir.display()));
    }
    let home = home.map(|h| std::fs::canonicalize(h).unwrap_or_else(|_| h.to_path_buf()));
    if home.is_some_and(|h| h == resolved) {
        return Err(format!(
            "{} is the home directory; name a directory of the cache's own, e.g. ~/cachelab-cache",
            dir.display()
        ));
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_expands_and_roots_and_home_are_refused() {
        let home = tempfile::tempdir().unwrap();
        let h = Some(home.path());
        assert_eq!(cache_dir(Path::new("~/cache"), h).unwrap(), home.path().join("cache"));
        assert_eq!(cache_dir(Path::new("cache/disk"), h).unwrap(), Path::new("cache/disk"));
        assert!(cache_dir(Path::new("~"), h).unwrap_err().contains("home directory"));
        assert!(cache_dir(Path::new("/"), h).unwrap_err().contains("filesystem root"));
        assert!(cache_dir(Path::new("/tmp/.."), h).unwrap_err().contains("filesystem root"));
        assert!(cache_dir(Path::new("~/x"), None).unwrap_err().contains("HOME is not set"));
    }
}
