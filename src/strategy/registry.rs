//! Strategies by scenario kind: the one place that turns a `[[strategy]]` into a cache.

use super::{CacheStrategy, MokaCache, NoCache, Simulated};
use crate::policy::{Capacity, build_policy};
use crate::scenario::{StrategyKind, StrategySpec};

/// Builds the strategy `spec` describes at `capacity` (None only for `none`).
pub fn build_strategy(
    spec: &StrategySpec,
    capacity: Option<Capacity>,
) -> anyhow::Result<Box<dyn CacheStrategy>> {
    let need = || {
        capacity
            .ok_or_else(|| anyhow::anyhow!("strategy `{}` (kind {}) needs a capacity", spec.name, spec.kind))
    };
    Ok(match spec.kind {
        StrategyKind::None => Box::new(NoCache::new(&spec.name)),
        StrategyKind::Moka => Box::new(MokaCache::new(&spec.name, need()?)),
        StrategyKind::Policy(kind) => {
            Box::new(Simulated::new(&spec.name, build_policy(kind, &spec.params, need()?)))
        }
    })
}
