//! Strategies by scenario kind: the one place that turns a `[[strategy]]` into a cache.

use anyhow::Context;

use super::{
    CacheStrategy, DEFAULT_REDIS_TIMEOUT, FileCache, FileConfig, MokaCache, NoCache, RedisCache, RedisConfig,
    RedisTarget, Simulated, Tiered,
};
use crate::model::Capacity;
use crate::model::units::CapacitySpec;
use crate::policy::{PolicyKind, build_policy};
use crate::scenario::{MaxmemoryPolicy, StrategyKind, StrategySpec};

/// Builds the strategy `spec` describes at `capacity` (None for kinds without one: `none`,
/// Redis by url or cluster, tiered). Async because backends connect or start servers; call it
/// inside the runtime that will drive the strategy.
pub async fn build_strategy(
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
        StrategyKind::Redis => {
            let config = redis_config(spec, capacity)?;
            Box::new(
                RedisCache::connect(&spec.name, config)
                    .await
                    .with_context(|| format!("strategy `{}`", spec.name))?,
            )
        }
        StrategyKind::File => {
            let dir = spec.dir.clone().context("kind file needs dir")?;
            let config = FileConfig {
                dir,
                policy: spec.policy.unwrap_or(PolicyKind::Lru),
                params: spec.params.clone(),
                fsync: spec.fsync,
                cold_start: spec.cold_start,
            };
            Box::new(
                FileCache::open(&spec.name, config, need()?)
                    .await
                    .with_context(|| format!("strategy `{}`", spec.name))?,
            )
        }
        StrategyKind::Tiered => {
            let (Some(l1), Some(l2)) = (&spec.l1, &spec.l2) else {
                anyhow::bail!("tiered strategy `{}` needs l1 and l2", spec.name);
            };
            let front = Box::pin(build_strategy(&tier(spec, l1, "l1"), tier_capacity(l1))).await?;
            let back = Box::pin(build_strategy(&tier(spec, l2, "l2"), tier_capacity(l2))).await?;
            Box::new(Tiered::new(&spec.name, front, back))
        }
    })
}

/// What the scenario says about a Redis strategy.
fn redis_config(spec: &StrategySpec, capacity: Option<Capacity>) -> anyhow::Result<RedisConfig> {
    let target = if let Some(url) = &spec.url {
        RedisTarget::Url(url.0.clone())
    } else if let Some(nodes) = &spec.cluster {
        RedisTarget::Cluster(nodes.iter().map(|n| n.0.clone()).collect())
    } else {
        let capacity =
            capacity.filter(|c| c.unit == crate::model::CapacityUnit::Bytes).with_context(|| {
                format!(
                    "strategy `{}`: spawn = true needs a byte capacity (the server's maxmemory)",
                    spec.name
                )
            })?;
        RedisTarget::Spawn {
            maxmemory: capacity.value,
            policy: spec.maxmemory_policy.unwrap_or(MaxmemoryPolicy::AllkeysLru).name().to_string(),
        }
    };
    Ok(RedisConfig {
        target,
        connections: spec.connections.unwrap_or(1) as usize,
        timeout: spec.timeout.map_or(DEFAULT_REDIS_TIMEOUT, |t| t.0),
    })
}

/// A tier's spec, named after its parent when it has no name of its own.
fn tier(parent: &StrategySpec, spec: &StrategySpec, which: &str) -> StrategySpec {
    let mut spec = spec.clone();
    if spec.name.is_empty() {
        spec.name = format!("{}.{which}", parent.name);
    }
    spec
}

/// A tier's own capacity (validation allows only object counts and byte sizes there).
fn tier_capacity(spec: &StrategySpec) -> Option<Capacity> {
    match spec.capacity.as_ref()?.0.first()? {
        CapacitySpec::Objects(n) => Some(Capacity::objects(*n)),
        CapacitySpec::Bytes(n) => Some(Capacity::bytes(*n)),
        CapacitySpec::Share(_) => None,
    }
}
