//! Strategies by scenario kind: the one place that turns a `[[strategy]]` into a cache.

use anyhow::Context;

use super::spec::Tier;
use super::{
    BackendSpec, CacheStrategy, FileCache, HttpTarget, MemcachedCache, MokaCache, NoCache, RedisCache,
    Simulated, StrategySpec, Tiered,
};
use crate::model::Capacity;
use crate::policy::{build_policy, with_admission};

/// Builds the strategy `spec` describes at `capacity` (None for kinds without one: `none`,
/// Redis by url or cluster, tiered). Async because backends connect or start servers; call it
/// inside the runtime that will drive the strategy.
pub async fn build_strategy(
    spec: &StrategySpec,
    capacity: Option<Capacity>,
) -> anyhow::Result<Box<dyn CacheStrategy>> {
    let name = &spec.name;
    let need =
        || capacity.with_context(|| format!("strategy `{name}` (kind {}) needs a capacity", spec.kind()));
    Ok(match &spec.backend {
        BackendSpec::None => Box::new(NoCache::new(name)),
        BackendSpec::Moka { .. } => Box::new(MokaCache::new(name, need()?)),
        BackendSpec::Policy { policy, params, admission, .. } => {
            let policy = with_admission(build_policy(*policy, params, need()?), admission.as_ref());
            Box::new(Simulated::new(name, policy))
        }
        BackendSpec::Redis(redis) => Box::new(
            RedisCache::connect(name, redis.config(capacity)?)
                .await
                .with_context(|| format!("strategy `{name}`"))?,
        ),
        BackendSpec::Memcached(m) => Box::new(
            MemcachedCache::connect(name, m.config(capacity)?)
                .await
                .with_context(|| format!("strategy `{name}`"))?,
        ),
        BackendSpec::File(file) => Box::new(
            FileCache::open(name, file.config(), need()?)
                .await
                .with_context(|| format!("strategy `{name}`"))?,
        ),
        BackendSpec::Tiered(tiered) => {
            let (l1, l2) = (tiered.tier(name, Tier::L1), tiered.tier(name, Tier::L2));
            let front = Box::pin(build_strategy(&l1, l1.tier_capacity())).await?;
            let back = Box::pin(build_strategy(&l2, l2.tier_capacity())).await?;
            Box::new(Tiered::new(name, front, back))
        }
        BackendSpec::Http(target) => Box::new(HttpTarget::new(name, &target.url.text)),
    })
}
