//! Policies by name: the one place that maps a name (scenario `kind`, `--policy`) to a policy.

use serde::{Deserialize, Serialize};

use super::memcached::{Memcached, MemcachedSettings};
use super::redis_model::{RedisMode, RedisModel, RedisSettings};
use super::{
    ArcPolicy, DEFAULT_HIR_RATIO, DEFAULT_PROTECTED_RATIO, DEFAULT_WINDOW_RATIO, Lirs, ResidentHirHit,
    WTinyLfu,
};
use super::{
    Belady, Capacity, Clock, DEFAULT_CLOCK_BITS, DEFAULT_GHOST_RATIO, DEFAULT_MOVE_THRESHOLD,
    DEFAULT_SMALL_RATIO, DEFAULT_WARMUP_TO_MAIN, Fifo, Lfu, Lru, MAX_CLOCK_BITS, Policy, S3Fifo, Sieve,
};
use super::{
    ClockPro, DEFAULT_A1IN_RATIO, DEFAULT_A1OUT_RATIO, DEFAULT_COLD_RATIO, DEFAULT_SEGMENTS, Gdsf, Lfuda,
    MAX_SEGMENTS, Slru, TwoQ,
};
use super::{DEFAULT_LIFETIME, DEFAULT_QOUT_RATIO, DEFAULT_QUEUES, MAX_QOUT_RATIO, MAX_QUEUES, Mq};
use crate::model::Invalid;
use crate::model::units::{Fraction, Positive};

/// Every eviction policy cachelab implements, by its scenario/CLI name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Least recently used.
    Lru,
    /// First in, first out.
    Fifo,
    /// CLOCK with an n-bit counter (1 bit: second chance).
    Clock,
    /// Least frequently used.
    Lfu,
    /// SIEVE (NSDI 2024).
    Sieve,
    /// S3-FIFO (SOSP 2023).
    #[serde(rename = "s3fifo")]
    S3Fifo,
    /// Belady's optimal MIN (needs next-access times).
    Belady,
    /// Adaptive Replacement Cache (Megiddo & Modha, FAST 2003).
    Arc,
    /// Low Inter-reference Recency Set (Jiang & Zhang, SIGMETRICS 2002).
    Lirs,
    /// Window TinyLFU (Einziger, Friedman & Manes, 2017), libCacheSim's variant.
    #[serde(rename = "wtinylfu")]
    WTinyLfu,
    /// W-TinyLFU whose window is sized by hill climbing, as Caffeine's simulator does.
    #[serde(rename = "wtinylfu-adaptive")]
    WTinyLfuAdaptive,
    /// A model of Redis's approximated LRU (`allkeys-lru`).
    #[serde(rename = "redis-lru")]
    RedisLru,
    /// A model of Redis's approximated LFU (`allkeys-lfu`).
    #[serde(rename = "redis-lfu")]
    RedisLfu,
    /// A model of memcached 1.6's segmented HOT/WARM/COLD LRU.
    Memcached,
    /// 2Q (Johnson & Shasha, VLDB 1994).
    #[serde(rename = "twoq")]
    TwoQ,
    /// Segmented LRU (Karedla, Love & Wherry, 1994), libCacheSim's n-segment form.
    Slru,
    /// GreedyDual-Size-Frequency (Cherkasova, 1998).
    Gdsf,
    /// LFU with dynamic aging (Arlitt et al., 2000).
    Lfuda,
    /// CLOCK-Pro (Jiang, Chen & Zhang, USENIX ATC 2005).
    #[serde(rename = "clockpro")]
    ClockPro,
    /// Multi-queue (Zhou, Philbin & Li, USENIX ATC 2001).
    Mq,
}

impl PolicyKind {
    /// Every policy with a one-line description, for `cachelab list`.
    pub const ALL: &'static [(PolicyKind, &'static str)] = &[
        (PolicyKind::Lru, "least recently used (textbook)"),
        (PolicyKind::Fifo, "first in, first out (textbook)"),
        (PolicyKind::Clock, "CLOCK / second chance; params: clock_bits (default 1)"),
        (PolicyKind::Lfu, "least frequently used, FIFO among ties (libCacheSim's LFU)"),
        (PolicyKind::Sieve, "SIEVE (Zhang et al., NSDI 2024)"),
        (
            PolicyKind::S3Fifo,
            "S3-FIFO (Yang et al., SOSP 2023); params: small_ratio (0.1), ghost_ratio (0.9), \
             move_threshold (2), warmup_to_main (false)",
        ),
        (PolicyKind::Belady, "Belady's optimal MIN: evicts the object needed farthest ahead (offline bound)"),
        (
            PolicyKind::Arc,
            "adaptive replacement cache: recency and frequency lists tuned by ghost hits (FAST 2003)",
        ),
        (
            PolicyKind::Lirs,
            "low inter-reference recency set (SIGMETRICS 2002); params hir_ratio (0.01), \
             resident_hir_hit (paper | libcachesim)",
        ),
        (
            PolicyKind::WTinyLfu,
            "LRU window + frequency-gated segmented LRU; params window_ratio, protected_ratio",
        ),
        (
            PolicyKind::WTinyLfuAdaptive,
            "wtinylfu with its window (from 1%) sized by Caffeine's simple hill climber",
        ),
        (
            PolicyKind::RedisLru,
            "model of Redis allkeys-lru: sampled keys, 16-entry pool, 1 s clock; params \
             maxmemory_samples (5), requests_per_second (10000), seed (42)",
        ),
        (
            PolicyKind::RedisLfu,
            "model of Redis allkeys-lfu: log counter and decay, sampled; params maxmemory_samples, \
             lfu_log_factor (10), lfu_decay_time (1 min), requests_per_second, seed",
        ),
        (
            PolicyKind::Memcached,
            "model of memcached 1.6 segmented LRU (HOT/WARM/COLD); params hot_lru_pct (20), \
             warm_lru_pct (40), hot_max_factor (0.2), warm_max_factor (2.0)",
        ),
        (
            PolicyKind::TwoQ,
            "2Q (VLDB 1994): FIFO A1in, ghost A1out, LRU Am; params a1in_ratio (0.25), a1out_ratio (0.5)",
        ),
        (PolicyKind::Slru, "segmented LRU, hits climb one segment (libCacheSim's SLRU); params segments (4)"),
        (
            PolicyKind::Gdsf,
            "GreedyDual-Size-Frequency: evicts lowest age + frequency / size (byte hit ratio)",
        ),
        (PolicyKind::Lfuda, "LFU with dynamic aging (libCacheSim's LFUDA)"),
        (
            PolicyKind::ClockPro,
            "CLOCK-Pro (USENIX ATC 2005): hot/cold clock with test periods; params cold_ratio (1.0)",
        ),
        (
            PolicyKind::Mq,
            "multi-queue (USENIX ATC 2001): LRU queue per log2 frequency, expiry demotes, history \
             Qout; params queues (8), lifetime (10000), qout_ratio (4.0)",
        ),
    ];

    /// The stable name used in scenario files, on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::Lru => "lru",
            PolicyKind::Fifo => "fifo",
            PolicyKind::Clock => "clock",
            PolicyKind::Lfu => "lfu",
            PolicyKind::Sieve => "sieve",
            PolicyKind::S3Fifo => "s3fifo",
            PolicyKind::Belady => "belady",
            PolicyKind::Arc => "arc",
            PolicyKind::Lirs => "lirs",
            PolicyKind::WTinyLfu => "wtinylfu",
            PolicyKind::WTinyLfuAdaptive => "wtinylfu-adaptive",
            PolicyKind::RedisLru => "redis-lru",
            PolicyKind::RedisLfu => "redis-lfu",
            PolicyKind::Memcached => "memcached-lru",
            PolicyKind::TwoQ => "twoq",
            PolicyKind::Slru => "slru",
            PolicyKind::Gdsf => "gdsf",
            PolicyKind::Lfuda => "lfuda",
            PolicyKind::ClockPro => "clockpro",
            PolicyKind::Mq => "mq",
        }
    }

    /// Parses a policy name (case-insensitive; `-` and `_` ignored, so `S3-FIFO` = `s3fifo`).
    pub fn parse(name: &str) -> Option<PolicyKind> {
        let norm: String =
            name.chars().filter(|c| *c != '-' && *c != '_').flat_map(char::to_lowercase).collect();
        Self::ALL.iter().map(|(k, _)| *k).find(|k| k.name().replace(['_', '-'], "") == norm)
    }

    /// Whether the policy needs next-access (future) knowledge: only Belady.
    pub fn needs_future(self) -> bool {
        matches!(self, PolicyKind::Belady)
    }
}

/// Optional tuning parameters; each policy reads the ones it understands and documents the
/// default it uses when absent. Unknown keys are rejected by the scenario parser, and keys
/// another policy owns by [`PolicyParams::validate`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyParams {
    /// clock: width of the per-object counter in bits, 1..=8 (default 1: second chance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_bits: Option<u8>,
    /// s3fifo: share of the capacity for the small FIFO (default 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub small_ratio: Option<Fraction>,
    /// s3fifo: size of the ghost FIFO as a share of the capacity (default 0.9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ghost_ratio: Option<Fraction>,
    /// s3fifo: hits in the small FIFO needed to move to main (default 2, libCacheSim's; the
    /// paper uses 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_threshold: Option<u8>,
    /// s3fifo: until the first eviction, new objects that find the small FIFO full enter main
    /// (default false; true is libCacheSim's rule since December 2024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_to_main: Option<bool>,
    /// lirs: share of the capacity for resident HIR objects (default 0.01, libCacheSim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hir_ratio: Option<Fraction>,
    /// lirs: what a hit on a resident HIR object outside stack S does: `paper` (default) or
    /// `libcachesim` (demote bottom LIR objects first; libCacheSim's miss counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resident_hir_hit: Option<ResidentHirHit>,
    /// wtinylfu: share of the capacity for the LRU window (default 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ratio: Option<Fraction>,
    /// wtinylfu: share of the main cache for the protected segment (default 0.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_ratio: Option<Fraction>,
    /// redis-lru, redis-lfu: Redis's `maxmemory-samples`, keys sampled per eviction-pool
    /// refill, 1..=64 (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxmemory_samples: Option<u8>,
    /// redis-lru, redis-lfu: requests per second the modelled server serves, which sets how
    /// many requests share one tick of Redis's 1-second LRU clock and 1-minute LFU decay
    /// (default 10000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u64>,
    /// redis-lru, redis-lfu: seed of the key sampling and the LFU counter's coin (default 42).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// redis-lfu: Redis's `lfu-log-factor` (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfu_log_factor: Option<u32>,
    /// redis-lfu: Redis's `lfu-decay-time`, minutes per counter decrement; 0 never decays
    /// (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lfu_decay_time: Option<u32>,
    /// memcached: HOT's share of the cache, percent (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_lru_pct: Option<u8>,
    /// memcached: WARM's share of the cache, percent (default 40).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_lru_pct: Option<u8>,
    /// memcached: HOT items older than this times COLD's tail age move to COLD (default 0.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hot_max_factor: Option<Positive>,
    /// memcached: WARM items older than this times COLD's tail age move to COLD (default 2.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_max_factor: Option<Positive>,
    /// twoq: share of the capacity for the A1in FIFO, at most 0.5 (default 0.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a1in_ratio: Option<Fraction>,
    /// twoq: size of the A1out ghost FIFO as a share of the capacity (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a1out_ratio: Option<Fraction>,
    /// slru: number of equal segments, 1..=16 (default 4, libCacheSim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<u8>,
    /// clockpro: initial share of the capacity for cold pages, adapted as it runs (default
    /// 1.0, libCacheSim's `init-ratio-cold`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cold_ratio: Option<Fraction>,
    /// mq: number of queues, 1..=64 (default 8, libCacheSim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<u8>,
    /// mq: logical time (hits and insertions) an object may stay at the tail of its queue
    /// without an access before it drops one queue, at least 1 (default 10000, libCacheSim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifetime: Option<u64>,
    /// mq: size of the Qout history of evicted keys as a multiple of the capacity, in (0, 64]
    /// (default 4.0, the paper's and libCacheSim's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qout_ratio: Option<Positive>,
}

impl PolicyParams {
    /// Checks that every parameter given applies to `kind` and is in range (the error names
    /// the key).
    pub fn validate(&self, kind: PolicyKind) -> Result<(), Invalid> {
        let given = [
            ("clock_bits", self.clock_bits.is_some(), PolicyKind::Clock),
            ("small_ratio", self.small_ratio.is_some(), PolicyKind::S3Fifo),
            ("ghost_ratio", self.ghost_ratio.is_some(), PolicyKind::S3Fifo),
            ("move_threshold", self.move_threshold.is_some(), PolicyKind::S3Fifo),
            ("warmup_to_main", self.warmup_to_main.is_some(), PolicyKind::S3Fifo),
            ("hir_ratio", self.hir_ratio.is_some(), PolicyKind::Lirs),
            ("resident_hir_hit", self.resident_hir_hit.is_some(), PolicyKind::Lirs),
            ("window_ratio", self.window_ratio.is_some(), PolicyKind::WTinyLfu),
            ("protected_ratio", self.protected_ratio.is_some(), PolicyKind::WTinyLfu),
            ("a1in_ratio", self.a1in_ratio.is_some(), PolicyKind::TwoQ),
            ("a1out_ratio", self.a1out_ratio.is_some(), PolicyKind::TwoQ),
            ("segments", self.segments.is_some(), PolicyKind::Slru),
            ("cold_ratio", self.cold_ratio.is_some(), PolicyKind::ClockPro),
            ("queues", self.queues.is_some(), PolicyKind::Mq),
            ("lifetime", self.lifetime.is_some(), PolicyKind::Mq),
            ("qout_ratio", self.qout_ratio.is_some(), PolicyKind::Mq),
        ];
        if let Some((key, _, owner)) = given.iter().find(|(_, set, owner)| *set && *owner != kind) {
            return Err(Invalid::new(
                *key,
                format!("parameter `{key}` applies to `{}`, not `{}`", owner.name(), kind.name()),
            ));
        }
        self.validate_models(kind)?;
        if let Some(bits) = self.clock_bits
            && !(1..=MAX_CLOCK_BITS).contains(&bits)
        {
            return Err(Invalid::new(
                "clock_bits",
                format!("must be between 1 and {MAX_CLOCK_BITS}, got {bits}"),
            ));
        }
        if let Some(Fraction(r)) = self.small_ratio
            && (r <= 0.0 || r >= 1.0)
        {
            return Err(Invalid::new("small_ratio", format!("must be strictly between 0 and 1, got {r}")));
        }
        if self.move_threshold == Some(0) {
            return Err(Invalid::new("move_threshold", "must be at least 1"));
        }
        if let Some(Fraction(r)) = self.a1in_ratio
            && (r <= 0.0 || r > 0.5)
        {
            return Err(Invalid::new(
                "a1in_ratio",
                format!("must be above 0 and at most 0.5 (Am must hold what A1in can), got {r}"),
            ));
        }
        if let Some(n) = self.segments
            && !(1..=MAX_SEGMENTS).contains(&n)
        {
            return Err(Invalid::new("segments", format!("must be between 1 and {MAX_SEGMENTS}, got {n}")));
        }
        if let Some(n) = self.queues
            && !(1..=MAX_QUEUES).contains(&n)
        {
            return Err(Invalid::new("queues", format!("must be between 1 and {MAX_QUEUES}, got {n}")));
        }
        if self.lifetime == Some(0) {
            return Err(Invalid::new("lifetime", "must be at least 1"));
        }
        if let Some(Positive(r)) = self.qout_ratio
            && r > MAX_QOUT_RATIO
        {
            return Err(Invalid::new("qout_ratio", format!("must be at most {MAX_QOUT_RATIO}, got {r}")));
        }
        Ok(())
    }
}

impl PolicyParams {
    /// The checks of the production-cache models' parameters (some shared by two models).
    fn validate_models(&self, kind: PolicyKind) -> Result<(), Invalid> {
        use PolicyKind::{Memcached as Mc, RedisLfu, RedisLru};
        let given: [(&str, bool, &[PolicyKind]); 9] = [
            ("maxmemory_samples", self.maxmemory_samples.is_some(), &[RedisLru, RedisLfu]),
            ("requests_per_second", self.requests_per_second.is_some(), &[RedisLru, RedisLfu]),
            ("seed", self.seed.is_some(), &[RedisLru, RedisLfu]),
            ("lfu_log_factor", self.lfu_log_factor.is_some(), &[RedisLfu]),
            ("lfu_decay_time", self.lfu_decay_time.is_some(), &[RedisLfu]),
            ("hot_lru_pct", self.hot_lru_pct.is_some(), &[Mc]),
            ("warm_lru_pct", self.warm_lru_pct.is_some(), &[Mc]),
            ("hot_max_factor", self.hot_max_factor.is_some(), &[Mc]),
            ("warm_max_factor", self.warm_max_factor.is_some(), &[Mc]),
        ];
        if let Some((key, _, owners)) = given.iter().find(|(_, set, owners)| *set && !owners.contains(&kind))
        {
            let names: Vec<&str> = owners.iter().map(|k| k.name()).collect();
            return Err(Invalid::new(
                *key,
                format!("parameter `{key}` applies to `{}`, not `{}`", names.join("` and `"), kind.name()),
            ));
        }
        if let Some(n) = self.maxmemory_samples
            && !(1..=64).contains(&n)
        {
            return Err(Invalid::new("maxmemory_samples", format!("must be between 1 and 64, got {n}")));
        }
        if self.requests_per_second == Some(0) {
            return Err(Invalid::new("requests_per_second", "must be at least 1"));
        }
        for (key, pct) in [("hot_lru_pct", self.hot_lru_pct), ("warm_lru_pct", self.warm_lru_pct)] {
            if let Some(p) = pct
                && !(1..=80).contains(&p)
            {
                return Err(Invalid::new(key, format!("must be between 1 and 80 (percent), got {p}")));
            }
        }
        let settings = MemcachedSettings::default();
        let (hot, warm) = (
            self.hot_lru_pct.unwrap_or(settings.hot_lru_pct),
            self.warm_lru_pct.unwrap_or(settings.warm_lru_pct),
        );
        if u16::from(hot) + u16::from(warm) > 80 {
            return Err(Invalid::new(
                if self.warm_lru_pct.is_some() { "warm_lru_pct" } else { "hot_lru_pct" },
                format!("hot_lru_pct + warm_lru_pct may be at most 80, as in memcached; got {hot} + {warm}"),
            ));
        }
        Ok(())
    }

    /// The Redis model's settings for `mode`: Redis's defaults unless given.
    fn redis(&self, mode: RedisMode) -> RedisSettings {
        let d = RedisSettings::defaults(mode);
        RedisSettings {
            mode,
            samples: self.maxmemory_samples.unwrap_or(d.samples),
            lfu_log_factor: self.lfu_log_factor.unwrap_or(d.lfu_log_factor),
            lfu_decay_time: self.lfu_decay_time.unwrap_or(d.lfu_decay_time),
            requests_per_second: self.requests_per_second.unwrap_or(d.requests_per_second),
            seed: self.seed.unwrap_or(d.seed),
        }
    }

    /// The memcached model's settings: memcached's defaults unless given.
    fn memcached(&self) -> MemcachedSettings {
        let d = MemcachedSettings::default();
        MemcachedSettings {
            hot_lru_pct: self.hot_lru_pct.unwrap_or(d.hot_lru_pct),
            warm_lru_pct: self.warm_lru_pct.unwrap_or(d.warm_lru_pct),
            hot_max_factor: self.hot_max_factor.map_or(d.hot_max_factor, |f| f.0),
            warm_max_factor: self.warm_max_factor.map_or(d.warm_max_factor, |f| f.0),
        }
    }
}

/// Builds the policy `kind` with `params` and `capacity` (params are assumed validated).
pub fn build_policy(kind: PolicyKind, params: &PolicyParams, capacity: Capacity) -> Box<dyn Policy> {
    let share = |v: Option<Fraction>, default: f64| v.map_or(default, |f| f.0);
    match kind {
        PolicyKind::Lru => Box::new(Lru::new(capacity)),
        PolicyKind::Fifo => Box::new(Fifo::new(capacity)),
        PolicyKind::Clock => Box::new(Clock::new(capacity, params.clock_bits.unwrap_or(DEFAULT_CLOCK_BITS))),
        PolicyKind::Lfu => Box::new(Lfu::new(capacity)),
        PolicyKind::Sieve => Box::new(Sieve::new(capacity)),
        PolicyKind::S3Fifo => Box::new(S3Fifo::new(
            capacity,
            share(params.small_ratio, DEFAULT_SMALL_RATIO),
            share(params.ghost_ratio, DEFAULT_GHOST_RATIO),
            params.move_threshold.unwrap_or(DEFAULT_MOVE_THRESHOLD),
            params.warmup_to_main.unwrap_or(DEFAULT_WARMUP_TO_MAIN),
        )),
        PolicyKind::Belady => Box::new(Belady::new(capacity)),
        PolicyKind::Arc => Box::new(ArcPolicy::new(capacity)),
        PolicyKind::Lirs => Box::new(Lirs::new(
            capacity,
            share(params.hir_ratio, DEFAULT_HIR_RATIO),
            params.resident_hir_hit.unwrap_or_default(),
        )),
        PolicyKind::WTinyLfu => Box::new(WTinyLfu::new(
            capacity,
            share(params.window_ratio, DEFAULT_WINDOW_RATIO),
            share(params.protected_ratio, DEFAULT_PROTECTED_RATIO),
        )),
        PolicyKind::WTinyLfuAdaptive => Box::new(WTinyLfu::adaptive(capacity)),
        PolicyKind::RedisLru => Box::new(RedisModel::new(capacity, params.redis(RedisMode::Lru))),
        PolicyKind::RedisLfu => Box::new(RedisModel::new(capacity, params.redis(RedisMode::Lfu))),
        PolicyKind::Memcached => Box::new(Memcached::new(capacity, params.memcached())),
        PolicyKind::TwoQ => Box::new(TwoQ::new(
            capacity,
            share(params.a1in_ratio, DEFAULT_A1IN_RATIO),
            share(params.a1out_ratio, DEFAULT_A1OUT_RATIO),
        )),
        PolicyKind::Slru => Box::new(Slru::new(capacity, params.segments.unwrap_or(DEFAULT_SEGMENTS))),
        PolicyKind::Gdsf => Box::new(Gdsf::new(capacity)),
        PolicyKind::Lfuda => Box::new(Lfuda::new(capacity)),
        PolicyKind::ClockPro => {
            Box::new(ClockPro::new(capacity, share(params.cold_ratio, DEFAULT_COLD_RATIO)))
        }
        PolicyKind::Mq => Box::new(Mq::new(
            capacity,
            params.queues.unwrap_or(DEFAULT_QUEUES),
            params.lifetime.unwrap_or(DEFAULT_LIFETIME),
            params.qout_ratio.map_or(DEFAULT_QOUT_RATIO, |r| r.0),
        )),
    }
}

/// Names of every policy, in listing order.
pub fn policy_names() -> Vec<&'static str> {
    PolicyKind::ALL.iter().map(|(k, _)| k.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_parses_from_its_name_and_builds() {
        for (kind, _) in PolicyKind::ALL {
            assert_eq!(PolicyKind::parse(kind.name()), Some(*kind));
            let p = build_policy(*kind, &PolicyParams::default(), Capacity::objects(10));
            assert_eq!(p.name(), kind.name());
        }
        assert_eq!(PolicyKind::parse("S3-FIFO"), Some(PolicyKind::S3Fifo));
        assert_eq!(PolicyKind::parse("redis_lru"), Some(PolicyKind::RedisLru));
        assert_eq!(PolicyKind::parse("RedisLFU"), Some(PolicyKind::RedisLfu));
        assert!(PolicyKind::Belady.needs_future() && !PolicyKind::Sieve.needs_future());
    }

    #[test]
    fn params_are_checked_against_their_policy_and_range() {
        let p: PolicyParams = toml::from_str("small_ratio = 0.2\nmove_threshold = 1").unwrap();
        assert!(p.validate(PolicyKind::S3Fifo).is_ok());
        let err = p.validate(PolicyKind::Lru).unwrap_err();
        assert_eq!(err.key, "small_ratio");
        assert!(err.message.contains("s3fifo"), "{err}");
        let bits: PolicyParams = toml::from_str("clock_bits = 9").unwrap();
        assert_eq!(bits.validate(PolicyKind::Clock).unwrap_err().key, "clock_bits");
        assert!(toml::from_str::<PolicyParams>("ghost_ratio = 1.5").is_err());
        assert!(toml::from_str::<PolicyParams>("window = 1").is_err());
    }

    #[test]
    fn mq_params_are_checked() {
        let bad = |text: &str| {
            toml::from_str::<PolicyParams>(text).unwrap().validate(PolicyKind::Mq).unwrap_err().key
        };
        assert_eq!(bad("queues = 65"), "queues");
        assert_eq!(bad("queues = 0"), "queues");
        assert_eq!(bad("lifetime = 0"), "lifetime");
        assert_eq!(bad("qout_ratio = 64.5"), "qout_ratio");
        assert!(toml::from_str::<PolicyParams>("qout_ratio = 0").is_err());
        let ok: PolicyParams = toml::from_str("queues = 64\nlifetime = 1\nqout_ratio = 64").unwrap();
        assert!(ok.validate(PolicyKind::Mq).is_ok());
        assert_eq!(ok.validate(PolicyKind::Slru).unwrap_err().key, "queues");
    }

    #[test]
    fn model_params_belong_to_their_models() {
        let shared: PolicyParams = toml::from_str("maxmemory_samples = 10\nseed = 7").unwrap();
        assert!(
            shared.validate(PolicyKind::RedisLru).is_ok() && shared.validate(PolicyKind::RedisLfu).is_ok()
        );
        let err = shared.validate(PolicyKind::Memcached).unwrap_err();
        assert!(err.key == "maxmemory_samples" && err.message.contains("redis-lru` and `redis-lfu"), "{err}");
        let lfu: PolicyParams = toml::from_str("lfu_decay_time = 0").unwrap();
        assert_eq!(lfu.validate(PolicyKind::RedisLru).unwrap_err().key, "lfu_decay_time");
        let bad =
            |text: &str, kind| toml::from_str::<PolicyParams>(text).unwrap().validate(kind).unwrap_err().key;
        assert_eq!(bad("maxmemory_samples = 0", PolicyKind::RedisLru), "maxmemory_samples");
        assert_eq!(bad("requests_per_second = 0", PolicyKind::RedisLfu), "requests_per_second");
        assert_eq!(bad("warm_lru_pct = 70", PolicyKind::Memcached), "warm_lru_pct");
        assert_eq!(bad("hot_lru_pct = 0", PolicyKind::Memcached), "hot_lru_pct");
        let ok: PolicyParams = toml::from_str("hot_lru_pct = 30\nwarm_lru_pct = 50").unwrap();
        assert!(ok.validate(PolicyKind::Memcached).is_ok());
    }
}
