//! The spec of a tiered strategy: an in-memory L1 in front of a Redis or file L2, each tier
//! with one capacity of its own.

use super::{BackendSpec, StrategyKind, StrategySpec, StrategyTable};
use crate::model::units::CapacitySpec;
use crate::model::{Capacity, Invalid};

/// A valid `kind = "tiered"` strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct TieredSpec {
    /// The in-memory front tier: moka or a policy that needs no future knowledge.
    pub l1: Box<StrategySpec>,
    /// The back tier: Redis or files.
    pub l2: Box<StrategySpec>,
}

impl TieredSpec {
    /// Checks a `kind = "tiered"` table: no capacity of its own, an in-memory l1, a Redis or
    /// file l2, each valid with one capacity that is not a share.
    pub(super) fn from_table(t: &StrategyTable) -> Result<TieredSpec, Invalid> {
        if t.capacity.is_some() {
            return Err(Invalid::new(
                "capacity",
                "a tiered strategy has no capacity of its own: set one in l1 and one in l2",
            ));
        }
        let (Some(l1), Some(l2)) = (&t.l1, &t.l2) else {
            return Err(Invalid::new(
                if t.l1.is_none() { "l1" } else { "l2" },
                "kind = \"tiered\" needs l1 = { kind = \"moka\", capacity = \"16MiB\" } and \
                 l2 = { kind = \"file\", \"redis\" or \"memcached\", ... }",
            ));
        };
        let in_memory = matches!(l1.kind, StrategyKind::Moka)
            || matches!(l1.kind, StrategyKind::Policy(p) if !p.needs_future());
        if !in_memory {
            return Err(Invalid::new(
                "l1.kind",
                format!("l1 must be an in-memory cache (moka or a policy kind), not `{}`", l1.kind),
            ));
        }
        if !matches!(l2.kind, StrategyKind::Redis | StrategyKind::Memcached | StrategyKind::File) {
            return Err(Invalid::new(
                "l2.kind",
                format!("l2 must be kind \"redis\", \"memcached\" or \"file\", not `{}`", l2.kind),
            ));
        }
        let tier = |which: &str, table: &StrategyTable| {
            let spec = StrategySpec::from_tier_table(table)
                .map_err(|e| Invalid { message: format!("{which}: {}", e.message), ..e }.under(which))?;
            if let Some(c) = &table.capacity {
                let at = format!("{which}.capacity");
                if c.0.len() > 1 {
                    return Err(Invalid::new(at, format!("{which}: a tier has one capacity, not a list")));
                }
                if matches!(c.0[0], CapacitySpec::Share(_)) {
                    return Err(Invalid::new(
                        at,
                        format!(
                            "{which}: a tier capacity is an object count or a byte size, not a share (\"5%\")"
                        ),
                    ));
                }
            }
            Ok(Box::new(spec))
        };
        Ok(TieredSpec { l1: tier("l1", l1)?, l2: tier("l2", l2)? })
    }

    /// This spec written back as a table (for the scenario echoed in results).
    pub(super) fn to_table(&self, name: &str) -> StrategyTable {
        let mut t = StrategyTable::empty(name, StrategyKind::Tiered);
        t.l1 = Some(Box::new(self.l1.to_table()));
        t.l2 = Some(Box::new(self.l2.to_table()));
        t
    }

    /// A tier's spec, named after its parent `parent` when it has no name of its own.
    pub fn tier(&self, parent: &str, which: Tier) -> StrategySpec {
        let (spec, suffix) = match which {
            Tier::L1 => (&self.l1, "l1"),
            Tier::L2 => (&self.l2, "l2"),
        };
        let mut spec = StrategySpec::clone(spec);
        if spec.name.is_empty() {
            spec.name = format!("{parent}.{suffix}");
        }
        spec
    }
}

/// One of the two tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// The in-memory front.
    L1,
    /// The back tier.
    L2,
}

impl StrategySpec {
    /// The one capacity of a tier (validated: an object count or a byte size), None for a
    /// Redis server cachelab did not start.
    pub fn tier_capacity(&self) -> Option<Capacity> {
        match &self.backend {
            BackendSpec::Moka { capacity } | BackendSpec::Policy { capacity, .. } => {
                capacity.0.first()?.fixed()
            }
            BackendSpec::File(file) => file.capacity.fixed(),
            BackendSpec::Redis(redis) => redis.capacities().first().copied().flatten()?.fixed(),
            BackendSpec::Memcached(m) => m.capacities().first().copied().flatten()?.fixed(),
            BackendSpec::None | BackendSpec::Tiered(_) | BackendSpec::Http(_) => None,
        }
    }
}
