//! What a `[[strategy]]` entry asks for, typed by kind. A table as written
//! ([`StrategyTable`], read with the location of every value) becomes a [`StrategySpec`] once,
//! through [`StrategySpec::from_table`], where each backend checks its own fields; building a
//! strategy from a spec needs no second round of checks.

mod file;
mod http;
mod memcached;
mod redis;
mod table;
mod tiered;

use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use file::FileSpec;
pub use http::{HitRule, HttpTargetSpec, KEY_PLACEHOLDER, UrlTemplate};
pub use memcached::{ITEM_OVERHEAD, MemcachedMode, MemcachedSpec};
pub use redis::{MaxmemoryPolicy, RedisMode, RedisSpec, RedisUrl};
pub use table::{ServerUrl, StrategyKind, StrategyTable};
pub use tiered::{Tier, TieredSpec};

use crate::model::Invalid;
use crate::model::units::{Capacities, CapacitySpec};
use crate::policy::{AdmissionSpec, PolicyKind, PolicyParams};

/// A valid strategy: its name and what it is.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategySpec {
    /// Display name, unique in the scenario (empty for a tier that has none; see
    /// [`TieredSpec::tier`]).
    pub name: String,
    /// The kind with its own settings.
    pub backend: BackendSpec,
}

/// A strategy's kind with the settings only that kind takes.
#[derive(Debug, Clone, PartialEq)]
pub enum BackendSpec {
    /// No cache: every request goes to the origin.
    None,
    /// moka's concurrent W-TinyLFU cache, at each capacity.
    Moka {
        /// The capacities to sweep.
        capacity: Capacities,
    },
    /// An in-memory cache driven exactly by one of our eviction policies.
    Policy {
        /// Which policy.
        policy: PolicyKind,
        /// Its tuning (validated against it).
        params: PolicyParams,
        /// The admission filter in front of it, if any.
        admission: Option<AdmissionSpec>,
        /// The capacities to sweep.
        capacity: Capacities,
    },
    /// A Redis server or cluster.
    Redis(RedisSpec),
    /// Files in a cache directory.
    File(FileSpec),
    /// An in-memory L1 in front of a Redis, memcached or file L2.
    Tiered(TieredSpec),
    /// An HTTP cache cachelab does not own, reached by URL.
    Http(HttpTargetSpec),
    /// A memcached server.
    Memcached(MemcachedSpec),
}

impl StrategySpec {
    /// Checks a `[[strategy]]` table and types it: a name, only fields that fit the kind, and
    /// the kind's own rules. The error names the field at fault.
    pub fn from_table(table: StrategyTable) -> Result<StrategySpec, Invalid> {
        if table.name.trim().is_empty() {
            return Err(Invalid::new("name", "every [[strategy]] needs a name = \"...\""));
        }
        Self::from_tier_table(&table)
    }

    /// [`StrategySpec::from_table`] for a table that may have no name (a tier).
    fn from_tier_table(t: &StrategyTable) -> Result<StrategySpec, Invalid> {
        t.check_applicable()?;
        let backend = match t.kind {
            StrategyKind::None => BackendSpec::None,
            StrategyKind::Moka => BackendSpec::Moka { capacity: t.need_capacity()? },
            StrategyKind::Policy(policy) => BackendSpec::Policy {
                policy,
                params: t.params.clone(),
                admission: t.admission.clone(),
                capacity: t.need_capacity()?,
            },
            StrategyKind::Redis => BackendSpec::Redis(RedisSpec::from_table(t)?),
            StrategyKind::File => BackendSpec::File(FileSpec::from_table(t)?),
            StrategyKind::Tiered => BackendSpec::Tiered(TieredSpec::from_table(t)?),
            StrategyKind::Http => BackendSpec::Http(HttpTargetSpec::from_table(t)?),
            StrategyKind::Memcached => BackendSpec::Memcached(MemcachedSpec::from_table(t)?),
        };
        Ok(StrategySpec { name: t.name.clone(), backend })
    }

    /// This spec written back as the table it came from (defaults stay unwritten), which is
    /// how scenarios are echoed in results.
    pub fn to_table(&self) -> StrategyTable {
        let name = &self.name;
        match &self.backend {
            BackendSpec::None => StrategyTable::empty(name, StrategyKind::None),
            BackendSpec::Moka { capacity } => StrategyTable {
                capacity: Some(capacity.clone()),
                ..StrategyTable::empty(name, StrategyKind::Moka)
            },
            BackendSpec::Policy { policy, params, admission, capacity } => StrategyTable {
                capacity: Some(capacity.clone()),
                params: params.clone(),
                admission: admission.clone(),
                ..StrategyTable::empty(name, StrategyKind::Policy(*policy))
            },
            BackendSpec::Redis(redis) => redis.to_table(name),
            BackendSpec::File(file) => file.to_table(name),
            BackendSpec::Tiered(tiered) => tiered.to_table(name),
            BackendSpec::Http(target) => target.to_table(name),
            BackendSpec::Memcached(m) => m.to_table(name),
        }
    }

    /// The kind as written in scenario files.
    pub fn kind(&self) -> StrategyKind {
        match &self.backend {
            BackendSpec::None => StrategyKind::None,
            BackendSpec::Moka { .. } => StrategyKind::Moka,
            BackendSpec::Policy { policy, .. } => StrategyKind::Policy(*policy),
            BackendSpec::Redis(_) => StrategyKind::Redis,
            BackendSpec::File(_) => StrategyKind::File,
            BackendSpec::Tiered(_) => StrategyKind::Tiered,
            BackendSpec::Http(_) => StrategyKind::Http,
            BackendSpec::Memcached(_) => StrategyKind::Memcached,
        }
    }

    /// Whether this strategy needs to know each request's next access (Belady), so it runs
    /// only in simulation.
    pub fn needs_future(&self) -> bool {
        matches!(self.backend, BackendSpec::Policy { policy, .. } if policy.needs_future())
    }

    /// The capacities to run (one `None` for kinds without a capacity of their own).
    pub fn capacities(&self) -> Vec<Option<CapacitySpec>> {
        match &self.backend {
            BackendSpec::Moka { capacity } | BackendSpec::Policy { capacity, .. } => {
                capacity.0.iter().copied().map(Some).collect()
            }
            BackendSpec::Redis(redis) => redis.capacities(),
            BackendSpec::Memcached(m) => m.capacities(),
            BackendSpec::File(file) => vec![Some(file.capacity)],
            BackendSpec::Http(target) => vec![target.capacity],
            BackendSpec::None | BackendSpec::Tiered(_) => vec![None],
        }
    }

    /// Every cache directory this strategy uses (its own, or its tiers').
    pub fn dirs(&self) -> Vec<&Path> {
        match &self.backend {
            BackendSpec::File(file) => vec![file.dir.as_path()],
            BackendSpec::Tiered(t) => t.l1.dirs().into_iter().chain(t.l2.dirs()).collect(),
            _ => Vec::new(),
        }
    }
}

/// Written as its table, so results echo the scenario as the user wrote it.
impl Serialize for StrategySpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_table().serialize(s)
    }
}

/// Read as a table, then checked ([`StrategySpec::from_table`]); a scenario file reads its
/// tables first instead, so that a failed check points at the key at fault.
impl<'de> Deserialize<'de> for StrategySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let table = StrategyTable::deserialize(d)?;
        StrategySpec::from_table(table)
            .map_err(|e| serde::de::Error::custom(format!("key `{}`: {}", e.key, e.message)))
    }
}
